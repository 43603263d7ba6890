# sig: (f8[:],)
def f(a):
    if a[0] > 0:
        return a
    return None


# expect:
# types of f:
#   a: array(float64, 1d, A)
#   return: OptionalType(array(float64, 1d, A))
