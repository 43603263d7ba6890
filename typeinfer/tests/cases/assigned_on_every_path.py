# sig: (i8,)
# Assigned in both branches, before a loop, or before every `break` of a `while True`.
def f(n):
    if n > 0:
        y = 1
    else:
        y = 2
    s = 0
    for i in range(n):
        s += i
    while True:
        k = s + y
        if k > 0:
            break
        if n < 0:
            return 0
    return s + k

# expect:
# types of f:
#   i: int64
#   k: int64
#   n: int64
#   s: int64
#   y: int64
#   return: int64
# resolutions:
#   9:14 range(n) => Intrinsic(Range)
#   9:14 range => Callee
