# sig: (i8, f8)
def f(i, x):
    t = (i, x)
    return t[i]

# expect:
# error Typing 4:14-4:15: a tuple of different types (int64, float64) can only be indexed by a constant
