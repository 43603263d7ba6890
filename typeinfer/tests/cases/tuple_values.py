# sig: (i8, f8)
def f(n, x):
    t = (n, x)
    a = t[0]
    b = t[1]
    u = (n, n, n)
    c = u[n]
    return t, c

# expect:
# types of f:
#   a: int64
#   b: float64
#   c: int64
#   n: int64
#   t: (int64, float64)
#   u: (int64, int64, int64)
#   x: float64
#   return: ((int64, float64), int64)
# resolutions:
#   4:11 0 => Const(Int(0))
#   5:11 1 => Const(Int(1))
