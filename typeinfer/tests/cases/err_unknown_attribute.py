# sig: (f8[:,::1],)
def f(a):
    return a.foo

# expect:
# error Typing 3:12-3:17: unknown attribute 'foo' of array(float64, 2d, C)
