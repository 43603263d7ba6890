# sig: (f8[:],)
def fill(a):
    for i in range(len(a)):
        a[i] = i
    return

# expect:
# types of fill:
#   a: array(float64, 1d, A)
#   i: int64
#   return: none
# resolutions:
#   3:14 range(len(a)) => Intrinsic(Range)
#   3:14 range => Callee
#   3:20 len(a) => Intrinsic(Len)
#   3:20 len => Callee
