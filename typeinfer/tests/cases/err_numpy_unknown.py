# sig: (f8[:],)
def f(a):
    return np.linalg.eig(a)

# expect:
# error Unsupported 3:12-3:25: numpy.linalg.eig is not supported by ferrojit
