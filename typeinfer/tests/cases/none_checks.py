# sig: (f8,)
def f(x):
    r = first(x, 2)
    a, (b, c) = first((x, (1, r)), 0)
    if r is None or x is not None:
        return a + b + c
    return 0.0

# expect:
# types of f:
#   a: float64
#   b: int64
#   c: float64
#   r: float64
#   x: float64
#   return: float64
# resolutions:
#   3:9 first(x, 2) => JitCall { callee: CalleeId(1), arg_types: [Scalar(F64), Scalar(I64)], ret: Scalar(F64), captures: [], binding: [Positional(0), Positional(1)] }
#   3:9 first => Callee
#   4:17 first((x, (1, r)), 0) => JitCall { callee: CalleeId(1), arg_types: [Tuple([Scalar(F64), Tuple([Scalar(I64), Scalar(F64)])]), Scalar(I64)], ret: Tuple([Scalar(F64), Tuple([Scalar(I64), Scalar(F64)])]), captures: [], binding: [Positional(0), Positional(1)] }
#   4:17 first => Callee
