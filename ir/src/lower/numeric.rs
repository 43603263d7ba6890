//! Lowering of `np.eye`/`np.identity`, `np.round`/`np.around`/`a.round` and `np.isclose`
//! (typed in `typeinfer/src/infer/numpy_library.rs`).
//!
//! `round` follows NumPy's algorithm exactly (`PyArray_Round`): with `f = 10**|decimals|`
//! computed as NumPy's `power_of_ten` does, `rint(x * f) / f` for `decimals >= 0` and
//! `rint(x / f) * f` otherwise, in the element's own float type (`f` is a weak Python float);
//! integers are kept for `decimals >= 0` and rounded through `float64` otherwise; a complex
//! number rounds both parts. `isclose` is NumPy's expression
//! `(|x - y| <= atol + rtol * |y|) & isfinite(y) | (x == y)` (`| isnan(x) & isnan(y)` with
//! `equal_nan`), computed in the types NumPy 2's promotion gives.

use super::array_fns::ArrayRef;
use super::flatten::scalar_ir_type;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use typeinfer::{ArrayFn, Scalar, Type};

impl Lowerer<'_, '_> {
    /// `np.eye`, `np.identity`, `np.round` or `np.isclose`; `arg` gives the lowered arguments.
    pub(crate) fn lower_library_call(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use ArrayFn::*;
        let int_arg = |this: &mut Self, name: &str| match arg(name) {
            Some((PyValue::Scalar(v, s), _)) => Some(this.cast_real(v, s, Scalar::I64)),
            _ => None,
        };
        match f {
            Eye | Identity => {
                let Type::Array { dtype, .. } = *result_ty else {
                    return Err(unsupported("eye() result", span));
                };
                let n = int_arg(self, if f == Eye { "N" } else { "n" }).expect("required");
                let m = int_arg(self, "M").unwrap_or(n);
                let k = int_arg(self, "k").unwrap_or_else(|| self.b.iconst(Ty::I64, 0));
                let out = self.new_array(dtype, &[n, m], true, span);
                let strides = self.strides_of(&out);
                let data = self.data_of(out.desc);
                // Rows i with 0 <= i + k < m carry a one at column i + k.
                let zero = self.b.iconst(Ty::I64, 0);
                let minus_k = self.b.unary(Op::Ineg, k);
                let lo = self.b.binary(Op::Smax, zero, minus_k);
                let room = self.b.binary(Op::Isub, m, k);
                let hi = self.b.binary(Op::Smin, n, room);
                let one = self.b.iconst(Ty::I64, 1);
                let one = self.coerce(PyValue::Scalar(one, Scalar::I64), &Type::Scalar(dtype));
                self.counted_loop_between(lo, hi, &mut |this, i| {
                    let j = this.b.binary(Op::Iadd, i, k);
                    let at = this.address_at(data, &strides, &[i, j]);
                    this.store_scalar(at, dtype, one.clone());
                    Ok(())
                })?;
                Ok(out.value())
            }
            Round => {
                let (a, _) = arg("a").expect("required");
                let decimals =
                    int_arg(self, "decimals").unwrap_or_else(|| self.b.iconst(Ty::I64, 0));
                let dtype = match result_ty {
                    Type::Array { dtype, .. } => *dtype,
                    other => other.as_scalar().unwrap_or(Scalar::F64),
                };
                let scale = self.power_of_ten(decimals);
                let zero = self.b.iconst(Ty::I64, 0);
                let negative = self.b.icmp(IntCC::Slt, decimals, zero);
                let round = |this: &mut Self, x: &[PyValue]| -> LResult<PyValue> {
                    Ok(this.round_number(x[0].clone(), dtype, scale, negative))
                };
                self.broadcast_map(&[a], dtype, &round, span)
            }
            Isclose => {
                let (x, xt) = arg("a").expect("required");
                let (y, yt) = arg("b").expect("required");
                let real = |this: &mut Self, name: &str, default: f64| match arg(name) {
                    Some((PyValue::Scalar(v, s), _)) => this.cast_real(v, s, Scalar::F64),
                    _ => this.b.fconst(Ty::F64, default),
                };
                let rtol = real(self, "rtol", 1e-5);
                let atol = real(self, "atol", 1e-8);
                let equal_nan = arg("equal_nan").map(|(v, _)| self.truthy(&v));
                let element = |t: &Type| match t {
                    Type::Array { dtype, .. } => (*dtype, true),
                    other => (other.as_scalar().unwrap_or(Scalar::F64), false),
                };
                let ((sx, x_array), (sy, y_array)) = (element(&xt), element(&yt));
                let isclose = |this: &mut Self, v: &[PyValue]| -> LResult<PyValue> {
                    let b = this.isclose_numbers(
                        (&v[0], sx, x_array),
                        (&v[1], sy, y_array),
                        rtol,
                        atol,
                        equal_nan,
                    );
                    Ok(PyValue::Scalar(b, Scalar::Bool))
                };
                self.broadcast_map(&[x, y], Scalar::Bool, &isclose, span)
            }
            other => Err(unsupported(format!("{}() here", other.name()), span)),
        }
    }

    /// `10.0 ** |n|` as NumPy's `power_of_ten` computes it (exact up to 1e22, then the same
    /// products NumPy forms).
    fn power_of_ten(&mut self, n: Value) -> Value {
        let magnitude = self.b.unary(Op::Ineg, n);
        let magnitude = self.b.binary(Op::Smax, magnitude, n);
        let start = self.b.fconst(Ty::F64, 1.0);
        let var = self.declare_value_var(&PyValue::Scalar(start, Scalar::F64));
        let ten = self.b.fconst(Ty::F64, 10.0);
        let result = self.counted_loop(magnitude, &mut |this, _| {
            let PyValue::Scalar(p, _) = this.use_value_var(&var) else {
                unreachable!("a float")
            };
            let next = this.b.binary(Op::Fmul, p, ten);
            this.def_value_var(&var, &PyValue::Scalar(next, Scalar::F64));
            Ok(())
        });
        debug_assert!(result.is_ok());
        let PyValue::Scalar(p, _) = self.use_value_var(&var) else {
            unreachable!("a float")
        };
        p
    }

    /// `np.round` of one number of `dtype` (`scale` = 10**|decimals| as f64; `negative`:
    /// decimals < 0).
    fn round_number(
        &mut self,
        x: PyValue,
        dtype: Scalar,
        scale: Value,
        negative: Value,
    ) -> PyValue {
        match x {
            PyValue::Complex(re, im, s) => {
                let part = s.real_part();
                let re = self.round_float(re, part, scale, negative);
                let im = self.round_float(im, part, scale, negative);
                PyValue::Complex(re, im, s)
            }
            PyValue::Scalar(v, s) if dtype.is_float() => {
                let v = self.cast_real(v, s, dtype);
                PyValue::Scalar(self.round_float(v, dtype, scale, negative), dtype)
            }
            PyValue::Scalar(v, s) => {
                // Integers: unchanged for decimals >= 0, else through float64 and back.
                let v = self.cast_real(v, s, dtype);
                let as_float = self.cast_real(v, dtype, Scalar::F64);
                let rounded = self.round_float(as_float, Scalar::F64, scale, negative);
                let back = self.cast_real(rounded, Scalar::F64, dtype);
                PyValue::Scalar(self.b.select(negative, back, v), dtype)
            }
            other => other,
        }
    }

    /// NumPy's rounding of the float `v` of type `part` (f32 or f64).
    fn round_float(&mut self, v: Value, part: Scalar, scale: Value, negative: Value) -> Value {
        let scale = self.cast_real(scale, Scalar::F64, part);
        let up = self.b.binary(Op::Fmul, v, scale);
        let up = self.b.unary(Op::Nearest, up);
        let up = self.b.binary(Op::Fdiv, up, scale);
        let down = self.b.binary(Op::Fdiv, v, scale);
        let down = self.b.unary(Op::Nearest, down);
        let down = self.b.binary(Op::Fmul, down, scale);
        self.b.select(negative, down, up)
    }

    /// `np.isclose` of two real numbers; each comes with its dtype and whether it is an
    /// element of an array (a scalar operand is weak, as in NumPy 2).
    fn isclose_numbers(
        &mut self,
        (x, sx, x_array): (&PyValue, Scalar, bool),
        (y, sy, y_array): (&PyValue, Scalar, bool),
        rtol: Value,
        atol: Value,
        equal_nan: Option<Value>,
    ) -> Value {
        if sx.is_complex() || sy.is_complex() {
            return self.isclose_complex(x, y, rtol, atol, equal_nan);
        }
        let narrow = |s: Scalar| s == Scalar::F32;
        // The type of `x - y` (y converted to a float first): float32 only when every array
        // operand is float32.
        let work = match (x_array, y_array) {
            (true, true) if narrow(sx) && narrow(sy) => Scalar::F32,
            (true, false) if narrow(sx) => Scalar::F32,
            (false, true) if narrow(sy) => Scalar::F32,
            _ => Scalar::F64,
        };
        // The tolerance is computed in y's float type when y is an array (rtol and atol are
        // weak), else in float64 and then compared as a weak number.
        let tol_ty = if y_array && narrow(sy) {
            Scalar::F32
        } else {
            Scalar::F64
        };
        let compare_ty = if y_array && tol_ty == Scalar::F64 {
            Scalar::F64
        } else {
            work
        };
        let value = |this: &mut Self, v: &PyValue, s: Scalar, to: Scalar| match v {
            PyValue::Scalar(v, _) => this.cast_real(*v, s, to),
            _ => this.b.fconst(scalar_ir_type(to), 0.0),
        };
        let xw = value(self, x, sx, work);
        let yw = value(self, y, sy, work);
        let yt = value(self, y, sy, tol_ty);
        let diff = self.b.binary(Op::Fsub, xw, yw);
        let diff = self.b.unary(Op::Fabs, diff);
        let diff = self.cast_real(diff, work, compare_ty);
        let rtol = self.cast_real(rtol, Scalar::F64, tol_ty);
        let atol = self.cast_real(atol, Scalar::F64, tol_ty);
        let abs_y = self.b.unary(Op::Fabs, yt);
        let tol = self.b.binary(Op::Fmul, rtol, abs_y);
        let tol = self.b.binary(Op::Fadd, atol, tol);
        let tol = self.cast_real(tol, tol_ty, compare_ty);
        let within = self.b.fcmp(FloatCC::Le, diff, tol);
        let inf = self.b.fconst(scalar_ir_type(tol_ty), f64::INFINITY);
        let abs_y_finite = self.b.fcmp(FloatCC::Lt, abs_y, inf);
        let close = self.b.ins(Op::And, &[within, abs_y_finite], Ty::Bool);
        let equal = self.b.fcmp(FloatCC::Eq, xw, yw);
        let mut result = self.b.ins(Op::Or, &[close, equal], Ty::Bool);
        if let Some(equal_nan) = equal_nan {
            let x_nan = self.b.fcmp(FloatCC::Ne, xw, xw);
            let y_nan = self.b.fcmp(FloatCC::Ne, yw, yw);
            let both = self.b.ins(Op::And, &[x_nan, y_nan], Ty::Bool);
            let both = self.b.ins(Op::And, &[both, equal_nan], Ty::Bool);
            result = self.b.ins(Op::Or, &[result, both], Ty::Bool);
        }
        result
    }

    /// `each(elements)` over the broadcast shape of `operands` (numbers and arrays), stored
    /// into a new C-contiguous array of `dtype`; when every operand is a number, the number
    /// `each` gives.
    pub(crate) fn broadcast_map(
        &mut self,
        operands: &[PyValue],
        dtype: Scalar,
        each: &dyn Fn(&mut Self, &[PyValue]) -> LResult<PyValue>,
        span: Span,
    ) -> LResult<PyValue> {
        self.broadcast_map_to(operands, None, dtype, each, span)
    }

    /// [`broadcast_map`](Self::broadcast_map) over `shape` when given (each array operand
    /// must broadcast to it: a `ValueError` otherwise), else over the operands' broadcast
    /// shape.
    pub(crate) fn broadcast_map_to(
        &mut self,
        operands: &[PyValue],
        shape: Option<Vec<Value>>,
        dtype: Scalar,
        each: &dyn Fn(&mut Self, &[PyValue]) -> LResult<PyValue>,
        span: Span,
    ) -> LResult<PyValue> {
        let arrays: Vec<Option<ArrayRef>> = operands.iter().map(ArrayRef::of).collect();
        let shape = match shape {
            Some(shape) => shape,
            None => {
                let ndim = arrays.iter().flatten().map(|a| a.ndim).max();
                let Some(ndim) = ndim else {
                    let v = each(self, operands)?;
                    return Ok(self.coerce(v, &Type::Scalar(dtype)));
                };
                let ndim = ndim as usize;
                let one = self.b.iconst(Ty::I64, 1);
                let mut shape = vec![one; ndim];
                for a in arrays.iter().flatten() {
                    let dims = self.shape_of(a);
                    let lead = ndim - dims.len();
                    for (k, &d) in dims.iter().enumerate() {
                        let is_one = self.b.icmp(IntCC::Eq, d, one);
                        shape[lead + k] = self.b.select(is_one, shape[lead + k], d);
                    }
                }
                shape
            }
        };
        let mut access = Vec::new();
        for a in &arrays {
            access.push(match a {
                Some(a) => {
                    let strides = self.broadcast_strides(a, &shape, span)?;
                    Some((self.data_of(a.desc), strides, a.dtype))
                }
                None => None,
            });
        }
        let out = self.new_array(dtype, &shape, false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        self.for_each_index(&shape, &mut |this, idx| {
            let mut values = Vec::with_capacity(operands.len());
            for (operand, access) in operands.iter().zip(&access) {
                values.push(match access {
                    Some((data, strides, dt)) => {
                        let at = this.address_at(*data, strides, &idx[idx.len() - strides.len()..]);
                        this.load_scalar(at, *dt)
                    }
                    None => operand.clone(),
                });
            }
            let v = each(this, &values)?;
            let v = this.coerce(v, &Type::Scalar(dtype));
            let to = this.address_at(out_data, &out_strides, idx);
            this.store_scalar(to, dtype, v);
            Ok(())
        })?;
        Ok(out.value())
    }
}
