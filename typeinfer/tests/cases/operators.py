# sig: (i4, f4, b1, u8)
# show: exprs
def ops(i, f, b, u):
    a = b + b
    c = i / i
    d = f / f
    e = i // 2
    g = f ** 2
    h = i ** 2
    k = b & b
    m = ~b
    p = not f
    q = -b
    r = i + f
    s = u + 1
    t = 1 < i <= 3
    w = 2 ** -1
    return a

# expect:
# types of ops:
#   a: int64
#   b: bool
#   c: float64
#   d: float32
#   e: int64
#   f: float32
#   g: float32
#   h: int64
#   i: int32
#   k: bool
#   m: int64
#   p: bool
#   q: int64
#   r: float64
#   s: float64
#   t: bool
#   u: uint64
#   w: int64
#   return: int64
# exprs:
#   4:5 a : int64
#   4:9 b + b : int64
#   4:9 b : bool
#   4:13 b : bool
#   5:5 c : float64
#   5:9 i / i : float64
#   5:9 i : int32
#   5:13 i : int32
#   6:5 d : float32
#   6:9 f / f : float32
#   6:9 f : float32
#   6:13 f : float32
#   7:5 e : int64
#   7:9 i // 2 : int64
#   7:9 i : int32
#   7:14 2 : int64
#   8:5 g : float32
#   8:9 f ** 2 : float32
#   8:9 f : float32
#   8:14 2 : int64
#   9:5 h : int64
#   9:9 i ** 2 : int64
#   9:9 i : int32
#   9:14 2 : int64
#   10:5 k : bool
#   10:9 b & b : bool
#   10:9 b : bool
#   10:13 b : bool
#   11:5 m : int64
#   11:9 ~b : int64
#   11:10 b : bool
#   12:5 p : bool
#   12:9 not f : bool
#   12:13 f : float32
#   13:5 q : int64
#   13:9 -b : int64
#   13:10 b : bool
#   14:5 r : float64
#   14:9 i + f : float64
#   14:9 i : int32
#   14:13 f : float32
#   15:5 s : float64
#   15:9 u + 1 : float64
#   15:9 u : uint64
#   15:13 1 : int64
#   16:5 t : bool
#   16:9 1 < i <= 3 : bool
#   16:9 1 : int64
#   16:13 i : int32
#   16:18 3 : int64
#   17:5 w : int64
#   17:9 2 ** -1 : int64
#   17:9 2 : int64
#   17:14 -1 : int64
#   17:15 1 : int64
#   18:12 a : int64
