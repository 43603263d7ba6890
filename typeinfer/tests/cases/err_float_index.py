# sig: (f8[:], f8)
def f(a, x):
    return a[x]

# expect:
# error Typing 3:14-3:15: array index must be an integer, got float64
# hint: convert it with int(...), e.g. a[int(x)]
