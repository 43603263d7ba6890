# sig: (f8, i4, c16, f8[:])
# show: exprs
def f(x, n, z, arr):
    a = abs(n)
    b = abs(z)
    c = min(x, n)
    d = max(n, 2, 3)
    e = round(x)
    g = round(x, 2)
    h = pow(n, 2)
    i = len(arr)
    j = int(x)
    k = float(n)
    l = complex(x, n)
    m = bool(x)
    o = np.float32(x)
    p = math.floor(x)
    q = math.sqrt(n)
    r = math.isnan(x)
    s = np.sqrt(x)
    t = z.real + z.imag + x.imag
    u = len(range(n)) + len((1, 2))
    v = np.int32(n)
    return a

# expect:
# types of f:
#   a: int32
#   arr: array(float64, 1d, A)
#   b: float64
#   c: float64
#   d: int64
#   e: int64
#   g: float64
#   h: int64
#   i: int64
#   j: int64
#   k: float64
#   l: complex128
#   m: bool
#   n: int32
#   o: float32
#   p: int64
#   q: float64
#   r: bool
#   s: float64
#   t: float64
#   u: int64
#   v: int32
#   x: float64
#   z: complex128
#   return: int32
# resolutions:
#   4:9 abs(n) => Intrinsic(Abs)
#   4:9 abs => Callee
#   5:9 abs(z) => Intrinsic(Abs)
#   5:9 abs => Callee
#   6:9 min(x, n) => Intrinsic(Min)
#   6:9 min => Callee
#   7:9 max(n, 2, 3) => Intrinsic(Max)
#   7:9 max => Callee
#   8:9 round(x) => Intrinsic(Round)
#   8:9 round => Callee
#   9:9 round(x, 2) => Intrinsic(Round)
#   9:9 round => Callee
#   10:9 pow(n, 2) => Intrinsic(Pow)
#   10:9 pow => Callee
#   11:9 len(arr) => Intrinsic(Len)
#   11:9 len => Callee
#   12:9 int(x) => Cast(I64)
#   12:9 int => Callee
#   13:9 float(n) => Cast(F64)
#   13:9 float => Callee
#   14:9 complex(x, n) => Cast(C128)
#   14:9 complex => Callee
#   15:9 bool(x) => Cast(Bool)
#   15:9 bool => Callee
#   16:9 np.float32(x) => Cast(F32)
#   16:9 np.float32 => Callee
#   16:9 np => Module(Numpy)
#   17:9 math.floor(x) => Intrinsic(Floor)
#   17:9 math.floor => Callee
#   17:9 math => Module(Math)
#   18:9 math.sqrt(n) => Intrinsic(Sqrt)
#   18:9 math.sqrt => Callee
#   18:9 math => Module(Math)
#   19:9 math.isnan(x) => Intrinsic(IsNan)
#   19:9 math.isnan => Callee
#   19:9 math => Module(Math)
#   20:9 np.sqrt(x) => Intrinsic(Sqrt)
#   20:9 np.sqrt => Callee
#   20:9 np => Module(Numpy)
#   22:9 len(range(n)) => Intrinsic(Len)
#   22:9 len => Callee
#   22:13 range(n) => Intrinsic(Range)
#   22:13 range => Callee
#   22:25 len((1, 2)) => Intrinsic(Len)
#   22:25 len => Callee
#   23:9 np.int32(n) => Cast(I32)
#   23:9 np.int32 => Callee
#   23:9 np => Module(Numpy)
# exprs:
#   4:5 a : int32
#   4:9 abs(n) : int32
#   4:9 abs : -
#   4:13 n : int32
#   5:5 b : float64
#   5:9 abs(z) : float64
#   5:9 abs : -
#   5:13 z : complex128
#   6:5 c : float64
#   6:9 min(x, n) : float64
#   6:9 min : -
#   6:13 x : float64
#   6:16 n : int32
#   7:5 d : int64
#   7:9 max(n, 2, 3) : int64
#   7:9 max : -
#   7:13 n : int32
#   7:16 2 : int64
#   7:19 3 : int64
#   8:5 e : int64
#   8:9 round(x) : int64
#   8:9 round : -
#   8:15 x : float64
#   9:5 g : float64
#   9:9 round(x, 2) : float64
#   9:9 round : -
#   9:15 x : float64
#   9:18 2 : int64
#   10:5 h : int64
#   10:9 pow(n, 2) : int64
#   10:9 pow : -
#   10:13 n : int32
#   10:16 2 : int64
#   11:5 i : int64
#   11:9 len(arr) : int64
#   11:9 len : -
#   11:13 arr : array(float64, 1d, A)
#   12:5 j : int64
#   12:9 int(x) : int64
#   12:9 int : -
#   12:13 x : float64
#   13:5 k : float64
#   13:9 float(n) : float64
#   13:9 float : -
#   13:15 n : int32
#   14:5 l : complex128
#   14:9 complex(x, n) : complex128
#   14:9 complex : -
#   14:17 x : float64
#   14:20 n : int32
#   15:5 m : bool
#   15:9 bool(x) : bool
#   15:9 bool : -
#   15:14 x : float64
#   16:5 o : float32
#   16:9 np.float32(x) : float32
#   16:9 np.float32 : -
#   16:9 np : -
#   16:20 x : float64
#   17:5 p : int64
#   17:9 math.floor(x) : int64
#   17:9 math.floor : -
#   17:9 math : -
#   17:20 x : float64
#   18:5 q : float64
#   18:9 math.sqrt(n) : float64
#   18:9 math.sqrt : -
#   18:9 math : -
#   18:19 n : int32
#   19:5 r : bool
#   19:9 math.isnan(x) : bool
#   19:9 math.isnan : -
#   19:9 math : -
#   19:20 x : float64
#   20:5 s : float64
#   20:9 np.sqrt(x) : float64
#   20:9 np.sqrt : -
#   20:9 np : -
#   20:17 x : float64
#   21:5 t : float64
#   21:9 z.real + z.imag + x.imag : float64
#   21:9 z.real + z.imag : float64
#   21:9 z.real : float64
#   21:9 z : complex128
#   21:18 z.imag : float64
#   21:18 z : complex128
#   21:27 x.imag : float64
#   21:27 x : float64
#   22:5 u : int64
#   22:9 len(range(n)) + len((1, 2)) : int64
#   22:9 len(range(n)) : int64
#   22:9 len : -
#   22:13 range(n) : range
#   22:13 range : -
#   22:19 n : int32
#   22:25 len((1, 2)) : int64
#   22:25 len : -
#   22:29 (1, 2) : (int64, int64)
#   22:30 1 : int64
#   22:33 2 : int64
#   23:5 v : int32
#   23:9 np.int32(n) : int32
#   23:9 np.int32 : -
#   23:9 np : -
#   23:18 n : int32
#   24:12 a : int32
