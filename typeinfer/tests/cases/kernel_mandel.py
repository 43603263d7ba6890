# sig: i8(f8, f8, i8)
def mandel(x, y, max_iters):
    c = complex(x, y)
    z = 0.0j
    for i in range(max_iters):
        z = z * z + c
        if (z.real * z.real + z.imag * z.imag) >= 4:
            return i
    return 255

# expect:
# types of mandel:
#   c: complex128
#   i: int64
#   max_iters: int64
#   x: float64
#   y: float64
#   z: complex128
#   return: int64
# resolutions:
#   3:9 complex(x, y) => Cast(C128)
#   3:9 complex => Callee
#   5:14 range(max_iters) => Intrinsic(Range)
#   5:14 range => Callee
