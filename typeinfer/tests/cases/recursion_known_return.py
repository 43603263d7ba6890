# sig: (i8,)
# The recursive call (CalleeId 1 = `first` stands in) is resolved by the driver; here a
# self-call is typed through the environment like any other jitted call.
def f(n):
    if n < 2:
        return n
    return first(n - 1, 0) + first(n - 2, 0)

# expect:
# types of f:
#   n: int64
#   return: int64
# resolutions:
#   7:12 first(n - 1, 0) => JitCall { callee: CalleeId(1), arg_types: [Scalar(I64), Scalar(I64)], ret: Scalar(I64), captures: [], binding: [Positional(0), Positional(1)] }
#   7:12 first => Callee
#   7:30 first(n - 2, 0) => JitCall { callee: CalleeId(1), arg_types: [Scalar(I64), Scalar(I64)], ret: Scalar(I64), captures: [], binding: [Positional(0), Positional(1)] }
#   7:30 first => Callee
