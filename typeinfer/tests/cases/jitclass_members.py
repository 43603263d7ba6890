# sig: (f8,)
def f(v):
    p = Point(v)
    p.x = p.x + 1
    p.n += 2
    p.data[0] = v
    return p.norm() + p.total + Point.make(v)

# expect:
# types of f:
#   p: instance.jitclass.Point
#   v: float64
#   return: float64
# resolutions:
#   3:9 Point(v) => JitCall { callee: CalleeId(3), arg_types: [Scalar(F64)], ret: Instance { class: 7, name: "Point" }, captures: [], binding: [Positional(0)] }
#   3:9 Point => Callee
#   4:5 p.x => Field { offset: 16, ty: Scalar(F64) }
#   4:11 p.x => Field { offset: 16, ty: Scalar(F64) }
#   5:5 p.n => Field { offset: 24, ty: Scalar(I64) }
#   6:5 p.data => Field { offset: 32, ty: Array { dtype: F64, ndim: 1, layout: A, readonly: false } }
#   7:12 p.norm() => JitCall { callee: CalleeId(2), arg_types: [Instance { class: 7, name: "Point" }], ret: Scalar(F64), captures: [], binding: [Positional(0)] }
#   7:12 p.norm => ReceiverFirst
#   7:23 p.total => JitCall { callee: CalleeId(2), arg_types: [Instance { class: 7, name: "Point" }], ret: Scalar(F64), captures: [], binding: [Positional(0)] }
#   7:33 Point.make(v) => JitCall { callee: CalleeId(0), arg_types: [Scalar(F64)], ret: Scalar(F64), captures: [], binding: [Positional(0)] }
#   7:33 Point.make => Callee
#   7:33 Point => Callee
