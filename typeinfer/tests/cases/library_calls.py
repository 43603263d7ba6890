# sig: (f8[:], i4, c8, f4)
def f(a, n, z, x):
    q, r = divmod(n, 3)
    m, e = math.frexp(x)
    w = cmath.sqrt(z) + cmath.exp(x)
    s = sum(a) + sum(range(n), 0.5) + max(a) + min((1, 2, 3))
    for i, (u, v) in enumerate(zip(a, range(n))):
        s += i * u * v
    print("s =", s, z.conjugate())
    return q, r, m, e, w, s, cmath.polar(z), cmath.isnan(z), math.gcd(n, 4)

# expect:
# types of f:
#   a: array(float64, 1d, A)
#   e: int64
#   i: int64
#   m: float64
#   n: int32
#   q: int64
#   r: int64
#   s: float64
#   u: float64
#   v: int64
#   w: complex64
#   x: float32
#   z: complex64
#   return: (int64, int64, float64, int64, complex64, float64, (float32, float32), bool, int64)
# resolutions:
#   3:12 divmod(n, 3) => Intrinsic(DivMod)
#   3:12 divmod => Callee
#   4:12 math.frexp(x) => Intrinsic(Frexp)
#   4:12 math.frexp => Callee
#   4:12 math => Module(Math)
#   5:9 cmath.sqrt(z) => Intrinsic(Cmath(Sqrt))
#   5:9 cmath.sqrt => Callee
#   5:9 cmath => Module(Cmath)
#   5:25 cmath.exp(x) => Intrinsic(Cmath(Exp))
#   5:25 cmath.exp => Callee
#   5:25 cmath => Module(Cmath)
#   6:9 sum(a) => Intrinsic(Sum)
#   6:9 sum => Callee
#   6:18 sum(range(n), 0.5) => Intrinsic(Sum)
#   6:18 sum => Callee
#   6:22 range(n) => Intrinsic(Range)
#   6:22 range => Callee
#   6:39 max(a) => Intrinsic(Max)
#   6:39 max => Callee
#   6:48 min((1, 2, 3)) => Intrinsic(Min)
#   6:48 min => Callee
#   7:22 enumerate(zip(a, range(n))) => Intrinsic(Enumerate)
#   7:22 enumerate => Callee
#   7:32 zip(a, range(n)) => Intrinsic(Zip)
#   7:32 zip => Callee
#   7:39 range(n) => Intrinsic(Range)
#   7:39 range => Callee
#   9:5 print("s =", s, z.conjugate()) => Intrinsic(Print)
#   9:5 print => Callee
#   9:21 z.conjugate() => Method(Conjugate)
#   9:21 z.conjugate => Callee
#   10:30 cmath.polar(z) => Intrinsic(Cmath(Polar))
#   10:30 cmath.polar => Callee
#   10:30 cmath => Module(Cmath)
#   10:46 cmath.isnan(z) => Intrinsic(Cmath(IsNan))
#   10:46 cmath.isnan => Callee
#   10:46 cmath => Module(Cmath)
#   10:62 math.gcd(n, 4) => Intrinsic(Gcd)
#   10:62 math.gcd => Callee
#   10:62 math => Module(Math)
