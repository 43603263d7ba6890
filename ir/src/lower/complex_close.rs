//! `np.isclose`/`np.allclose` of complex numbers, as NumPy computes them:
//! `|x - y| <= atol + rtol * |y|` with the complex modulus (`hypot`), and `y` finite (both
//! parts), or `x == y` (both parts); with `equal_nan`, also both NaN (a NaN in either part).
//! The arithmetic is in float64 (NumPy's is in complex64 when both operands are complex64
//! arrays: a pair within an ulp of the tolerance may then be judged differently).

use super::{Lowerer, PyValue};
use crate::function::{FloatCC, Op, Ty, Value};
use runtime::math::RuntimeFn;
use typeinfer::Scalar;

impl Lowerer<'_, '_> {
    /// A real or complex number's two parts as float64 (a real's imaginary part is 0).
    fn complex_parts_f64(&mut self, v: &PyValue) -> (Value, Value) {
        match v {
            PyValue::Complex(re, im, cs) => {
                let part = cs.real_part();
                (
                    self.cast_real(*re, part, Scalar::F64),
                    self.cast_real(*im, part, Scalar::F64),
                )
            }
            PyValue::Scalar(v, s) => {
                let re = self.cast_real(*v, *s, Scalar::F64);
                (re, self.b.fconst(Ty::F64, 0.0))
            }
            _ => {
                let zero = self.b.fconst(Ty::F64, 0.0);
                (zero, zero)
            }
        }
    }

    /// `isclose(x, y)` where either is complex; `rtol`, `atol` are float64, `equal_nan` a
    /// bool if given.
    pub(super) fn isclose_complex(
        &mut self,
        x: &PyValue,
        y: &PyValue,
        rtol: Value,
        atol: Value,
        equal_nan: Option<Value>,
    ) -> Value {
        let (xr, xi) = self.complex_parts_f64(x);
        let (yr, yi) = self.complex_parts_f64(y);
        let dr = self.b.binary(Op::Fsub, xr, yr);
        let di = self.b.binary(Op::Fsub, xi, yi);
        let diff = self.b.call_runtime(RuntimeFn::Hypot, &[dr, di]);
        let abs_y = self.b.call_runtime(RuntimeFn::Hypot, &[yr, yi]);
        let scaled = self.b.binary(Op::Fmul, rtol, abs_y);
        let tol = self.b.binary(Op::Fadd, atol, scaled);
        let within = self.b.fcmp(FloatCC::Le, diff, tol);
        let yr_inf = self.not_finite(yr);
        let yi_inf = self.not_finite(yi);
        let y_inf = self.b.ins(Op::Or, &[yr_inf, yi_inf], Ty::Bool);
        let y_finite = self.b.ins(Op::Not, &[y_inf], Ty::Bool);
        let close = self.b.ins(Op::And, &[within, y_finite], Ty::Bool);
        let re_equal = self.b.fcmp(FloatCC::Eq, xr, yr);
        let im_equal = self.b.fcmp(FloatCC::Eq, xi, yi);
        let equal = self.b.ins(Op::And, &[re_equal, im_equal], Ty::Bool);
        let mut result = self.b.ins(Op::Or, &[close, equal], Ty::Bool);
        if let Some(equal_nan) = equal_nan {
            let mut nan = |re: Value, im: Value| {
                let a = self.is_nan(re);
                let b = self.is_nan(im);
                self.b.ins(Op::Or, &[a, b], Ty::Bool)
            };
            let x_nan = nan(xr, xi);
            let y_nan = nan(yr, yi);
            let both = self.b.ins(Op::And, &[x_nan, y_nan], Ty::Bool);
            let both = self.b.ins(Op::And, &[both, equal_nan], Ty::Bool);
            result = self.b.ins(Op::Or, &[result, both], Ty::Bool);
        }
        result
    }
}
