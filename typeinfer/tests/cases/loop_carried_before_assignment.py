# sig: (i8,)
# `x` is read (on later iterations) before the statement that assigns it.
def f(n):
    y = 0.0
    for i in range(n):
        if i > 0:
            y = x * 2
        x = i + 0.5
    return y

# expect:
# types of f:
#   i: int64
#   n: int64
#   x: float64
#   y: float64
#   return: float64
# resolutions:
#   5:14 range(n) => Intrinsic(Range)
#   5:14 range => Callee
