# sig: (f8[:],)
def f(a):
    return np.linalg.svd(a)

# expect:
# error Unsupported 3:12-3:25: numpy.linalg.svd is not supported by ferrojit
