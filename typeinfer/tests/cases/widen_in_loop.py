# sig: (i8,)
# `x` is an int, then a float in the loop: it is float64 everywhere, and so is the return.
def f(n):
    x = 0
    for i in range(n):
        x = x + 0.5
    return x

# expect:
# types of f:
#   i: int64
#   n: int64
#   x: float64
#   return: float64
# resolutions:
#   5:14 range(n) => Intrinsic(Range)
#   5:14 range => Callee
