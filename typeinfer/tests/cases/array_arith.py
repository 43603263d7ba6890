# sig: (f8[:], f8[:])
def f(a, b):
    return a + b

# expect:
# types of f:
#   a: array(float64, 1d, A)
#   b: array(float64, 1d, A)
#   return: array(float64, 1d, C)
