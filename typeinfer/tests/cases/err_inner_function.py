# sig: (f8,)
def f(x):
    def g(y):
        return y + 1
    return g(x)

# expect:
# error Unsupported 5:12-5:13: calling the inner function 'g' is not supported here
# hint: move it to module level and decorate it with @ferrojit.jit
