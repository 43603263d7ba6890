# sig: void(i8[:], f8, b1[:])
def f(a, x, mask):
    a[0] += x
    a[1] = x
    a[2] = True
    mask[0] = 1

# expect:
# types of f:
#   a: array(int64, 1d, A)
#   mask: array(bool, 1d, A)
#   x: float64
#   return: none
