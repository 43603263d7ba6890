# sig: (f8[:,::1], f8[::1,:], f8[:,:,::1], i8)
# show: exprs
def views(c, fo, c3, i):
    a = c[i]
    b = c[:, i]
    d = c[1:3]
    e = c[::2]
    g = c[i, 1:3]
    h = fo[:, i]
    k = fo[i]
    m = c3[i, :, 1:2]
    n = c3[i, i]
    o = c[i, i]
    p = c.shape[-1]
    q = c3.ndim + c.size
    c[i, :] = 0.0
    c[i] = fo[:, i]
    return a

# expect:
# types of views:
#   a: array(float64, 1d, C)
#   b: array(float64, 1d, A)
#   c: array(float64, 2d, C)
#   c3: array(float64, 3d, C)
#   d: array(float64, 2d, C)
#   e: array(float64, 2d, A)
#   fo: array(float64, 2d, F)
#   g: array(float64, 1d, C)
#   h: array(float64, 1d, C)
#   i: int64
#   k: array(float64, 1d, A)
#   m: array(float64, 2d, A)
#   n: array(float64, 1d, C)
#   o: float64
#   p: int64
#   q: int64
#   return: array(float64, 1d, C)
# resolutions:
#   14:17 -1 => Const(Int(-1))
#   15:9 c3.ndim => Const(Int(3))
# exprs:
#   4:5 a : array(float64, 1d, C)
#   4:9 c[i] : array(float64, 1d, C)
#   4:9 c : array(float64, 2d, C)
#   4:11 i : int64
#   5:5 b : array(float64, 1d, A)
#   5:9 c[:, i] : array(float64, 1d, A)
#   5:9 c : array(float64, 2d, C)
#   5:11 :, i : -
#   5:11 : : -
#   5:14 i : int64
#   6:5 d : array(float64, 2d, C)
#   6:9 c[1:3] : array(float64, 2d, C)
#   6:9 c : array(float64, 2d, C)
#   6:11 1:3 : -
#   6:11 1 : int64
#   6:13 3 : int64
#   7:5 e : array(float64, 2d, A)
#   7:9 c[::2] : array(float64, 2d, A)
#   7:9 c : array(float64, 2d, C)
#   7:11 ::2 : -
#   7:13 2 : int64
#   8:5 g : array(float64, 1d, C)
#   8:9 c[i, 1:3] : array(float64, 1d, C)
#   8:9 c : array(float64, 2d, C)
#   8:11 i, 1:3 : -
#   8:11 i : int64
#   8:14 1:3 : -
#   8:14 1 : int64
#   8:16 3 : int64
#   9:5 h : array(float64, 1d, C)
#   9:9 fo[:, i] : array(float64, 1d, C)
#   9:9 fo : array(float64, 2d, F)
#   9:12 :, i : -
#   9:12 : : -
#   9:15 i : int64
#   10:5 k : array(float64, 1d, A)
#   10:9 fo[i] : array(float64, 1d, A)
#   10:9 fo : array(float64, 2d, F)
#   10:12 i : int64
#   11:5 m : array(float64, 2d, A)
#   11:9 c3[i, :, 1:2] : array(float64, 2d, A)
#   11:9 c3 : array(float64, 3d, C)
#   11:12 i, :, 1:2 : -
#   11:12 i : int64
#   11:15 : : -
#   11:18 1:2 : -
#   11:18 1 : int64
#   11:20 2 : int64
#   12:5 n : array(float64, 1d, C)
#   12:9 c3[i, i] : array(float64, 1d, C)
#   12:9 c3 : array(float64, 3d, C)
#   12:12 i, i : (int64, int64)
#   12:12 i : int64
#   12:15 i : int64
#   13:5 o : float64
#   13:9 c[i, i] : float64
#   13:9 c : array(float64, 2d, C)
#   13:11 i, i : (int64, int64)
#   13:11 i : int64
#   13:14 i : int64
#   14:5 p : int64
#   14:9 c.shape[-1] : int64
#   14:9 c.shape : (int64, int64)
#   14:9 c : array(float64, 2d, C)
#   14:17 -1 : int64
#   14:18 1 : int64
#   15:5 q : int64
#   15:9 c3.ndim + c.size : int64
#   15:9 c3.ndim : int64
#   15:9 c3 : array(float64, 3d, C)
#   15:19 c.size : int64
#   15:19 c : array(float64, 2d, C)
#   16:5 c[i, :] : array(float64, 1d, C)
#   16:5 c : array(float64, 2d, C)
#   16:7 i, : : -
#   16:7 i : int64
#   16:10 : : -
#   16:15 0.0 : float64
#   17:5 c[i] : array(float64, 1d, C)
#   17:5 c : array(float64, 2d, C)
#   17:7 i : int64
#   17:12 fo[:, i] : array(float64, 1d, C)
#   17:12 fo : array(float64, 2d, F)
#   17:15 :, i : -
#   17:15 : : -
#   17:18 i : int64
#   18:12 a : array(float64, 1d, C)
