# sig: (c8, f4)
# show: exprs
def f(z, x):
    a = z * x
    b = abs(z)
    c = z.real
    d = z + 1.0
    e = x * 2
    return a

# expect:
# types of f:
#   a: complex64
#   b: float32
#   c: float32
#   d: complex128
#   e: float64
#   x: float32
#   z: complex64
#   return: complex64
# resolutions:
#   5:9 abs(z) => Intrinsic(Abs)
#   5:9 abs => Callee
# exprs:
#   4:5 a : complex64
#   4:9 z * x : complex64
#   4:9 z : complex64
#   4:13 x : float32
#   5:5 b : float32
#   5:9 abs(z) : float32
#   5:9 abs : -
#   5:13 z : complex64
#   6:5 c : float32
#   6:9 z.real : float32
#   6:9 z : complex64
#   7:5 d : complex128
#   7:9 z + 1.0 : complex128
#   7:9 z : complex64
#   7:13 1.0 : float64
#   8:5 e : float64
#   8:9 x * 2 : float64
#   8:9 x : float32
#   8:13 2 : int64
#   9:12 a : complex64
