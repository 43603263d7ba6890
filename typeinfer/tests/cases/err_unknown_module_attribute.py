# sig: (f8,)
def f(x):
    return math.foo(x)

# expect:
# error Typing 3:12-3:20: unknown attribute 'foo' of module 'math'
