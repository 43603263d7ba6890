# sig: (f8,)
def f(x):
    a = N_CONST + DIMS[1] + DIMS[-2]
    b = SCALE * math.pi + np.inf + math.tau
    c = helper(x, a)
    d = sqrt(x)
    e = float32(x)
    g = first(x, 1)
    for i in ferrojit.prange(a):
        b += i
    return a + b + c + d + e + g

# expect:
# types of f:
#   a: int64
#   b: float64
#   c: float64
#   d: float64
#   e: float32
#   g: float64
#   i: int64
#   x: float64
#   return: float64
# resolutions:
#   3:9 N_CONST => Const(Int(10))
#   3:19 DIMS => Const(Tuple([Int(3), Int(4)]))
#   3:24 1 => Const(Int(1))
#   3:29 DIMS => Const(Tuple([Int(3), Int(4)]))
#   3:34 -2 => Const(Int(-2))
#   4:9 SCALE => Const(Float(2.5))
#   4:17 math.pi => Const(Float(3.141592653589793))
#   4:17 math => Module(Math)
#   4:27 np.inf => Const(Float(inf))
#   4:27 np => Module(Numpy)
#   4:36 math.tau => Const(Float(6.283185307179586))
#   4:36 math => Module(Math)
#   5:9 helper(x, a) => JitCall { callee: CalleeId(0), arg_types: [Scalar(F64), Scalar(I64)], ret: Scalar(F64), captures: [], binding: [Positional(0), Positional(1)] }
#   5:9 helper => Callee
#   6:9 sqrt(x) => Intrinsic(Sqrt)
#   6:9 sqrt => Callee
#   7:9 float32(x) => Cast(F32)
#   7:9 float32 => Callee
#   8:9 first(x, 1) => JitCall { callee: CalleeId(1), arg_types: [Scalar(F64), Scalar(I64)], ret: Scalar(F64), captures: [], binding: [Positional(0), Positional(1)] }
#   8:9 first => Callee
#   9:14 ferrojit.prange(a) => Intrinsic(Prange)
#   9:14 ferrojit.prange => Callee
#   9:14 ferrojit => Module(Ferrojit)
