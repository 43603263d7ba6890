# sig: (f8,)
def f(x):
    return x(1)

# expect:
# error Typing 3:12-3:13: float64 is not callable
