# sig: (f8,)
def f(x):
    return pyfunc(x)

# expect:
# error Typing 3:12-3:18: cannot call 'pyfunc': it is a Python function, not a jitted one
# hint: decorate it with @ferrojit.jit
