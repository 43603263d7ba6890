# sig: (f8[:,:], i8)
def f(a, i):
    return a[i, i, i]

# expect:
# error Typing 3:14-3:21: too many indices for array(float64, 2d, A): 3 given
