# sig: (f8[:,:],)
def f(a):
    m, n, k = a.shape
    return m

# expect:
# error Typing 3:5-3:12: cannot unpack (int64, int64) into 3 targets
