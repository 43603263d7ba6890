# sig: (i8, f8)
def f(n, x):
    y = n if n > 0 else x
    flag = n > 0 and x < 1.0
    z = n or x
    w = 1 if flag else 0
    return y + w + z

# expect:
# types of f:
#   flag: bool
#   n: int64
#   w: int64
#   x: float64
#   y: float64
#   z: float64
#   return: float64
