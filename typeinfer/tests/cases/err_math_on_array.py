# sig: (f8[:],)
def f(a):
    return math.sqrt(a)

# expect:
# error Typing 3:22-3:23: math.sqrt() argument must be a number, got array(float64, 1d, A)
# hint: this takes numbers; for arrays use the NumPy function (e.g. np.sqrt(a)) or index the elements
