# sig: (f8[:],)
def f(a):
    return np.linalg.tensorinv(a)

# expect:
# error Unsupported 3:12-3:31: numpy.linalg.tensorinv is not supported by ferrojit
