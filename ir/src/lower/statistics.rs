//! Lowering of NumPy's statistics functions (typed in
//! `typeinfer/src/infer/numpy_statistics.rs`), each over the whole array.
//!
//! Order statistics (`np.median`, `np.percentile`, `np.quantile`) copy the operand and call the
//! runtime's selection (`RuntimeFn::Quantile`, quickselect); everything else is ordinary IR
//! loops: the NaN-ignoring reductions skip NaN elements (they equal the plain reductions on
//! integers), `np.ptp` is `max - min`, `np.average` with weights two sums, `np.cov` and
//! `np.corrcoef` centred rows and their products, and `np.histogram` NumPy's equal-width
//! index computation (with its corrections at the edges) or a binary search in given edges.

use super::array_fns::ArrayRef;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::BinOp;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::{ArrayFn, Scalar, Type};

impl Lowerer<'_, '_> {
    /// A statistics call `f`; `arg` gives the lowered arguments.
    pub(crate) fn lower_statistics_call(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use ArrayFn::*;
        let array = |name: &str| {
            arg(name)
                .and_then(|(v, _)| ArrayRef::of(&v))
                .ok_or_else(|| unsupported(format!("{}() of this value", f.name()), span))
        };
        let scalar_result = result_ty.as_scalar().unwrap_or(Scalar::F64);
        Ok(match f {
            Median | Percentile | Quantile => {
                let a = array("a")?;
                self.lower_quantiles(f, &a, arg("q"), result_ty, span)?
            }
            Nansum | Nanmean | Nanstd | Nanvar => {
                let a = array("a")?;
                self.lower_nan_moments(f, &a, arg("ddof"), scalar_result, span)?
            }
            Nanmin | Nanmax | Nanargmin | Nanargmax => {
                let a = array("a")?;
                if a.dtype.is_float() {
                    self.lower_nan_extreme(f, &a, span)?
                } else {
                    // Integers have no NaN: the plain reductions.
                    let plain = match f {
                        Nanmin => Min,
                        Nanmax => Max,
                        Nanargmin => Argmin,
                        _ => Argmax,
                    };
                    self.lower_reduction(plain, &a, None, result_ty, span)?
                }
            }
            Ptp => {
                let a = array("a")?;
                let hi = self.lower_reduction(Max, &a, None, result_ty, span)?;
                let lo = self.lower_reduction(Min, &a, None, result_ty, span)?;
                let t = Type::Scalar(a.dtype);
                let d = self.wrapping_sub(hi, lo, &t, span)?;
                self.coerce(d, &t)
            }
            Average => {
                let a = array("a")?;
                match arg("weights").and_then(|(v, _)| ArrayRef::of(&v)) {
                    None => self.lower_reduction(Mean, &a, None, result_ty, span)?,
                    Some(w) => self.lower_weighted_average(&a, &w, scalar_result, span)?,
                }
            }
            Cov | Corrcoef => {
                let first = if f == Cov { "m" } else { "x" };
                let m = array(first)?;
                let y = arg("y").and_then(|(v, _)| ArrayRef::of(&v));
                self.lower_covariance(f == Corrcoef, &m, y.as_ref(), arg("ddof"), span)?
            }
            Histogram => {
                let a = array("a")?;
                let Type::Tuple(parts) = result_ty else {
                    return Err(unsupported("histogram() result", span));
                };
                let edge_dtype = match &parts[1] {
                    Type::Array { dtype, .. } => *dtype,
                    _ => Scalar::F64,
                };
                self.lower_histogram(&a, arg("bins"), arg("range"), edge_dtype, span)?
            }
            other => return Err(unsupported(format!("{}() here", other.name()), span)),
        })
    }

    /// `hi - lo` in their dtype, wrapping for integers as NumPy's `ptp` does.
    fn wrapping_sub(&mut self, hi: PyValue, lo: PyValue, t: &Type, span: Span) -> LResult<PyValue> {
        match (&hi, &lo) {
            (PyValue::Scalar(h, s), PyValue::Scalar(l, _)) if s.is_int() => {
                Ok(PyValue::Scalar(self.b.binary(Op::Isub, *h, *l), *s))
            }
            _ => self.binary_op(BinOp::Sub, hi, t, lo, t, span),
        }
    }

    /// `np.median(a)`, `np.percentile(a, q)` or `np.quantile(a, q)` (a number or a 1-d array
    /// of them) by the linear method, on a copy of `a` that the selection may reorder.
    fn lower_quantiles(
        &mut self,
        f: ArrayFn,
        a: &ArrayRef,
        q: LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let copy = self.copy_array(a, a.dtype, span);
        let dims = self.shape_of(&copy);
        let size = self.product(&dims);
        let data = self.data_of(copy.desc);
        let kind = self.b.iconst(Ty::I64, runtime_kind(a.dtype));
        let median = self.b.iconst(Ty::I64, i64::from(f == ArrayFn::Median));
        let percent = f == ArrayFn::Percentile;
        let one_quantile = |this: &mut Self, q: Option<(Value, Scalar)>, out: Scalar| -> Value {
            let q = match q {
                Some((v, s)) => {
                    let q = this.cast_real(v, s, Scalar::F64);
                    let q = if percent {
                        let hundred = this.b.fconst(Ty::F64, 100.0);
                        this.b.binary(Op::Fdiv, q, hundred)
                    } else {
                        q
                    };
                    let zero = this.b.fconst(Ty::F64, 0.0);
                    let one = this.b.fconst(Ty::F64, 1.0);
                    let low = this.b.fcmp(FloatCC::Ge, q, zero);
                    let high = this.b.fcmp(FloatCC::Le, q, one);
                    let valid = this.b.ins(Op::And, &[low, high], Ty::Bool);
                    let invalid = this.b.ins(Op::Not, &[valid], Ty::Bool);
                    let message = if percent {
                        "Percentiles must be in the range [0, 100]"
                    } else {
                        "Quantiles must be in the range [0, 1]"
                    };
                    this.raise_if(invalid, ExceptionKind::ValueError, message, span, &[]);
                    q
                }
                None => this.b.fconst(Ty::F64, 0.5),
            };
            let r = this
                .b
                .call_runtime(RuntimeFn::Quantile, &[data, size, kind, q, median]);
            this.cast_real(r, Scalar::F64, out)
        };
        match (q, result_ty) {
            (Some((qv, _)), Type::Array { dtype, .. }) => {
                let qa = ArrayRef::of(&qv).ok_or_else(|| unsupported("q", span))?;
                let m = self.array_dim(qa.desc, 0);
                let out = self.new_array(*dtype, &[m], false, span);
                let out_data = self.data_of(out.desc);
                let (q_strides, q_data) = (self.strides_of(&qa), self.data_of(qa.desc));
                let itemsize = self.b.iconst(Ty::I64, dtype.size_bytes() as i64);
                let out_dtype = *dtype;
                self.counted_loop(m, &mut |this, i| {
                    let from = this.address_at(q_data, &q_strides, &[i]);
                    let PyValue::Scalar(qi, qs) = this.load_scalar(from, qa.dtype) else {
                        return Err(unsupported("complex q", span));
                    };
                    let r = one_quantile(this, Some((qi, qs)), out_dtype);
                    let offset = this.b.binary(Op::Imul, i, itemsize);
                    let to = this.b.binary(Op::Iadd, out_data, offset);
                    this.store_scalar(to, out_dtype, PyValue::Scalar(r, out_dtype));
                    Ok(())
                })?;
                Ok(out.value())
            }
            (q, ty) => {
                let out = ty.as_scalar().unwrap_or(Scalar::F64);
                let q = match q {
                    Some((PyValue::Scalar(v, s), _)) => Some((v, s)),
                    Some(_) => return Err(unsupported("q of this type", span)),
                    None => None,
                };
                Ok(PyValue::Scalar(one_quantile(self, q, out), out))
            }
        }
    }

    /// Calls `each(x)` with every element of `a` (as a value of its dtype).
    fn for_each_element(
        &mut self,
        a: &ArrayRef,
        each: &mut dyn FnMut(&mut Self, Value) -> LResult<()>,
    ) -> LResult<()> {
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let dtype = a.dtype;
        self.for_each_index(&shape, &mut |this, idx| {
            let ptr = this.address_at(data, &strides, idx);
            match this.load_scalar(ptr, dtype) {
                PyValue::Scalar(x, _) => each(this, x),
                _ => Err(unsupported("complex elements", Span::default())),
            }
        })
    }

    /// A scalar SSA variable of machine type `ty` starting at `init`.
    fn scalar_var(&mut self, init: Value) -> (Vec<super::ssa::VarId>, PyValue) {
        self.declare_value_var(&PyValue::Scalar(init, Scalar::I64))
    }
    fn read(&mut self, var: &(Vec<super::ssa::VarId>, PyValue)) -> Value {
        match self.use_value_var(var) {
            PyValue::Scalar(v, _) => v,
            _ => unreachable!("scalar variable"),
        }
    }
    fn write(&mut self, var: &(Vec<super::ssa::VarId>, PyValue), v: Value) {
        self.def_value_var(var, &PyValue::Scalar(v, Scalar::I64));
    }

    /// `np.nansum`, `np.nanmean`, `np.nanvar`, `np.nanstd` (`ddof=`): NaN elements left out.
    fn lower_nan_moments(
        &mut self,
        f: ArrayFn,
        a: &ArrayRef,
        ddof: LoweredArg,
        result: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        use ArrayFn::*;
        let dtype = a.dtype;
        if f == Nansum && !dtype.is_float() {
            let ty = Type::Scalar(result);
            return self.lower_reduction(Sum, a, None, &ty, span);
        }
        // Accumulate in the result type (float64 for integers, else the float type).
        let acc = result;
        let acc_ty = float_ty(acc);
        let zero = self.b.fconst(acc_ty, 0.0);
        let zero_i = self.b.iconst(Ty::I64, 0);
        let one_i = self.b.iconst(Ty::I64, 1);
        let sum = self.scalar_var(zero);
        let count = self.scalar_var(zero_i);
        self.for_each_element(a, &mut |this, x| {
            let x = this.cast_real(x, dtype, acc);
            let nan = this.is_nan(x);
            let s = this.read(&sum);
            let added = this.b.binary(Op::Fadd, s, x);
            let s = this.b.select(nan, s, added);
            this.write(&sum, s);
            let c = this.read(&count);
            let c1 = this.b.binary(Op::Iadd, c, one_i);
            let c = this.b.select(nan, c, c1);
            this.write(&count, c);
            Ok(())
        })?;
        let total = self.read(&sum);
        if f == Nansum {
            return Ok(PyValue::Scalar(total, acc));
        }
        let n = self.read(&count);
        let n_f = self.b.convert(Op::SToF, n, acc_ty);
        // An all-NaN (or empty) array: 0 / 0 is NaN, as NumPy's result (with a warning).
        let mean = self.b.binary(Op::Fdiv, total, n_f);
        if f == Nanmean {
            return Ok(PyValue::Scalar(mean, acc));
        }
        let squares = self.scalar_var(zero);
        self.for_each_element(a, &mut |this, x| {
            let x = this.cast_real(x, dtype, acc);
            let nan = this.is_nan(x);
            let d = this.b.binary(Op::Fsub, x, mean);
            let d2 = this.b.binary(Op::Fmul, d, d);
            let s = this.read(&squares);
            let added = this.b.binary(Op::Fadd, s, d2);
            let s = this.b.select(nan, s, added);
            this.write(&squares, s);
            Ok(())
        })?;
        let ddof = match ddof {
            Some((PyValue::Scalar(v, s), _)) => self.cast_real(v, s, Scalar::I64),
            _ => zero_i,
        };
        let dof = self.b.binary(Op::Isub, n, ddof);
        let dof_f = self.b.convert(Op::SToF, dof, acc_ty);
        let total = self.read(&squares);
        let var = self.b.binary(Op::Fdiv, total, dof_f);
        // NumPy: NaN where the degrees of freedom are not positive.
        let bad = self.b.icmp(IntCC::Sle, dof, zero_i);
        let nan = self.b.fconst(acc_ty, f64::NAN);
        let var = self.b.select(bad, nan, var);
        let out = if f == Nanstd {
            self.b.unary(Op::Sqrt, var)
        } else {
            var
        };
        Ok(PyValue::Scalar(out, acc))
    }

    /// `np.nanmin`/`nanmax` (NaN when every element is NaN) and `np.nanargmin`/`nanargmax`
    /// (`ValueError` then) of a float array.
    fn lower_nan_extreme(&mut self, f: ArrayFn, a: &ArrayRef, span: Span) -> LResult<PyValue> {
        use ArrayFn::*;
        let want_min = matches!(f, Nanmin | Nanargmin);
        let dtype = a.dtype;
        let shape = self.shape_of(a);
        let size = self.product(&shape);
        let zero_i = self.b.iconst(Ty::I64, 0);
        let empty = self.b.icmp(IntCC::Eq, size, zero_i);
        let message = match f {
            Nanmin => "zero-size array to reduction operation fmin which has no identity",
            Nanmax => "zero-size array to reduction operation fmax which has no identity",
            Nanargmin => "attempt to get argmin of an empty sequence",
            _ => "attempt to get argmax of an empty sequence",
        };
        self.raise_if(empty, ExceptionKind::ValueError, message, span, &[]);
        let ty = float_ty(dtype);
        let nan = self.b.fconst(ty, f64::NAN);
        let minus_one = self.b.iconst(Ty::I64, -1);
        let one_i = self.b.iconst(Ty::I64, 1);
        let best = self.scalar_var(nan);
        let best_at = self.scalar_var(minus_one);
        let position = self.scalar_var(zero_i);
        self.for_each_element(a, &mut |this, x| {
            let current = this.read(&best);
            let cc = if want_min { FloatCC::Lt } else { FloatCC::Gt };
            let better = this.b.fcmp(cc, x, current);
            let none_yet = this.is_nan(current);
            let x_nan = this.is_nan(x);
            let x_num = this.b.ins(Op::Not, &[x_nan], Ty::Bool);
            let first = this.b.ins(Op::And, &[none_yet, x_num], Ty::Bool);
            let take = this.b.ins(Op::Or, &[better, first], Ty::Bool);
            let next = this.b.select(take, x, current);
            this.write(&best, next);
            let k = this.read(&position);
            let at = this.read(&best_at);
            let at = this.b.select(take, k, at);
            this.write(&best_at, at);
            let k1 = this.b.binary(Op::Iadd, k, one_i);
            this.write(&position, k1);
            Ok(())
        })?;
        if matches!(f, Nanmin | Nanmax) {
            return Ok(PyValue::Scalar(self.read(&best), dtype));
        }
        let at = self.read(&best_at);
        let all_nan = self.b.icmp(IntCC::Slt, at, zero_i);
        self.raise_if(
            all_nan,
            ExceptionKind::ValueError,
            "All-NaN slice encountered",
            span,
            &[],
        );
        Ok(PyValue::Scalar(at, Scalar::I64))
    }

    /// `np.average(a, weights=w)`: `sum(a * w) / sum(w)` in the result dtype.
    fn lower_weighted_average(
        &mut self,
        a: &ArrayRef,
        w: &ArrayRef,
        result: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        let a_shape = self.shape_of(a);
        let w_shape = self.shape_of(w);
        for (&x, &y) in a_shape.iter().zip(&w_shape) {
            let differ = self.b.icmp(IntCC::Ne, x, y);
            self.raise_if(
                differ,
                ExceptionKind::TypeError,
                "Axis must be specified when shapes of a and weights differ.",
                span,
                &[],
            );
        }
        let ty = float_ty(result);
        let zero = self.b.fconst(ty, 0.0);
        let weighted = self.scalar_var(zero);
        let total = self.scalar_var(zero);
        let (a_strides, a_data) = (self.strides_of(a), self.data_of(a.desc));
        let (w_strides, w_data) = (self.strides_of(w), self.data_of(w.desc));
        let (ad, wd) = (a.dtype, w.dtype);
        self.for_each_index(&a_shape, &mut |this, idx| {
            let pa = this.address_at(a_data, &a_strides, idx);
            let pw = this.address_at(w_data, &w_strides, idx);
            let (PyValue::Scalar(x, _), PyValue::Scalar(wv, _)) =
                (this.load_scalar(pa, ad), this.load_scalar(pw, wd))
            else {
                return Err(unsupported("complex average", span));
            };
            let x = this.cast_real(x, ad, result);
            let wv = this.cast_real(wv, wd, result);
            let p = this.b.binary(Op::Fmul, x, wv);
            let s = this.read(&weighted);
            let s = this.b.binary(Op::Fadd, s, p);
            this.write(&weighted, s);
            let t = this.read(&total);
            let t = this.b.binary(Op::Fadd, t, wv);
            this.write(&total, t);
            Ok(())
        })?;
        let t = self.read(&total);
        let is_zero = self.b.fcmp(FloatCC::Eq, t, zero);
        self.raise_if(
            is_zero,
            ExceptionKind::ZeroDivisionError,
            "Weights sum to zero, can't be normalized",
            span,
            &[],
        );
        let s = self.read(&weighted);
        Ok(PyValue::Scalar(self.b.binary(Op::Fdiv, s, t), result))
    }

    /// The rows (variables) of `m` (and `y`) as a new float64 array `(variables, observations)`.
    fn variables(&mut self, m: &ArrayRef, y: Option<&ArrayRef>, span: Span) -> ArrayRef {
        let parts: Vec<ArrayRef> = std::iter::once(*m).chain(y.copied()).collect();
        let obs_of = |this: &mut Self, a: &ArrayRef| this.array_dim(a.desc, a.ndim - 1);
        let rows_of = |this: &mut Self, a: &ArrayRef| {
            if a.ndim == 2 {
                this.array_dim(a.desc, 0)
            } else {
                this.b.iconst(Ty::I64, 1)
            }
        };
        let nobs = obs_of(self, m);
        let mut nvars = self.b.iconst(Ty::I64, 0);
        for part in &parts {
            let obs = obs_of(self, part);
            let differ = self.b.icmp(IntCC::Ne, obs, nobs);
            self.raise_if(
                differ,
                ExceptionKind::ValueError,
                "all the input array dimensions except for the concatenation axis must match \
                 exactly",
                span,
                &[],
            );
            let rows = rows_of(self, part);
            nvars = self.b.binary(Op::Iadd, nvars, rows);
        }
        let x = self.new_array(Scalar::F64, &[nvars, nobs], false, span);
        let x_strides = self.strides_of(&x);
        let x_data = self.data_of(x.desc);
        let mut first_row = self.b.iconst(Ty::I64, 0);
        for part in &parts {
            let shape = self.shape_of(part);
            let strides = self.strides_of(part);
            let data = self.data_of(part.desc);
            let dtype = part.dtype;
            let base = first_row;
            let two_d = part.ndim == 2;
            let _ = self.for_each_index(&shape, &mut |this, idx| {
                let from = this.address_at(data, &strides, idx);
                let v = this.load_scalar(from, dtype);
                let (row, col) = if two_d {
                    (this.b.binary(Op::Iadd, base, idx[0]), idx[1])
                } else {
                    (base, idx[0])
                };
                let to = this.address_at(x_data, &x_strides, &[row, col]);
                this.store_scalar(to, Scalar::F64, v);
                Ok(())
            });
            let rows = rows_of(self, part);
            first_row = self.b.binary(Op::Iadd, first_row, rows);
        }
        x
    }

    /// `np.cov(m, y=None, ddof=None)` or (`correlation`) `np.corrcoef(x, y=None)`.
    fn lower_covariance(
        &mut self,
        correlation: bool,
        m: &ArrayRef,
        y: Option<&ArrayRef>,
        ddof: LoweredArg,
        span: Span,
    ) -> LResult<PyValue> {
        let x = self.variables(m, y, span);
        let nvars = self.array_dim(x.desc, 0);
        let nobs = self.array_dim(x.desc, 1);
        let x_strides = self.strides_of(&x);
        let x_data = self.data_of(x.desc);
        let nobs_f = self.b.convert(Op::SToF, nobs, Ty::F64);
        let zero = self.b.fconst(Ty::F64, 0.0);
        // Centre each row on its mean.
        self.counted_loop(nvars, &mut |this, i| {
            let sum = this.scalar_var(zero);
            this.counted_loop(nobs, &mut |this, k| {
                let p = this.address_at(x_data, &x_strides, &[i, k]);
                let v = this.b.load(Ty::F64, p, 0, false);
                let s = this.read(&sum);
                let s = this.b.binary(Op::Fadd, s, v);
                this.write(&sum, s);
                Ok(())
            })?;
            let s = this.read(&sum);
            let mean = this.b.binary(Op::Fdiv, s, nobs_f);
            this.counted_loop(nobs, &mut |this, k| {
                let p = this.address_at(x_data, &x_strides, &[i, k]);
                let v = this.b.load(Ty::F64, p, 0, false);
                let d = this.b.binary(Op::Fsub, v, mean);
                this.b.store(p, d, 0);
                Ok(())
            })
        })?;
        // NumPy: fact = nobs - ddof (ddof 1 by default), at least 0; c = X @ X.T * (1 / fact).
        let ddof = match ddof {
            Some((PyValue::Scalar(v, s), _)) => self.cast_real(v, s, Scalar::I64),
            _ => self.b.iconst(Ty::I64, 1),
        };
        let fact = self.b.binary(Op::Isub, nobs, ddof);
        let zero_i = self.b.iconst(Ty::I64, 0);
        let fact = self.b.binary(Op::Smax, fact, zero_i);
        let fact_f = self.b.convert(Op::SToF, fact, Ty::F64);
        let one = self.b.fconst(Ty::F64, 1.0);
        let scale = self.b.binary(Op::Fdiv, one, fact_f);
        let c = self.new_array(Scalar::F64, &[nvars, nvars], false, span);
        let c_strides = self.strides_of(&c);
        let c_data = self.data_of(c.desc);
        self.for_each_index(&[nvars, nvars], &mut |this, idx| {
            let (i, j) = (idx[0], idx[1]);
            let sum = this.scalar_var(zero);
            this.counted_loop(nobs, &mut |this, k| {
                let pi = this.address_at(x_data, &x_strides, &[i, k]);
                let pj = this.address_at(x_data, &x_strides, &[j, k]);
                let a = this.b.load(Ty::F64, pi, 0, false);
                let b = this.b.load(Ty::F64, pj, 0, false);
                let p = this.b.binary(Op::Fmul, a, b);
                let s = this.read(&sum);
                let s = this.b.binary(Op::Fadd, s, p);
                this.write(&sum, s);
                Ok(())
            })?;
            let s = this.read(&sum);
            let v = this.b.binary(Op::Fmul, s, scale);
            let to = this.address_at(c_data, &c_strides, idx);
            this.b.store(to, v, 0);
            Ok(())
        })?;
        if !correlation {
            return Ok(c.value());
        }
        // c[i, j] / sqrt(c[i, i]) / sqrt(c[j, j]), clipped to [-1, 1] (NaN stays NaN).
        let diagonal = self.new_array(Scalar::F64, &[nvars], false, span);
        let d_data = self.data_of(diagonal.desc);
        let eight = self.b.iconst(Ty::I64, 8);
        self.counted_loop(nvars, &mut |this, i| {
            let p = this.address_at(c_data, &c_strides, &[i, i]);
            let v = this.b.load(Ty::F64, p, 0, false);
            let r = this.b.unary(Op::Sqrt, v);
            let offset = this.b.binary(Op::Imul, i, eight);
            let to = this.b.binary(Op::Iadd, d_data, offset);
            this.b.store(to, r, 0);
            Ok(())
        })?;
        let minus_one = self.b.fconst(Ty::F64, -1.0);
        self.for_each_index(&[nvars, nvars], &mut |this, idx| {
            let p = this.address_at(c_data, &c_strides, idx);
            let v = this.b.load(Ty::F64, p, 0, false);
            let oi = this.b.binary(Op::Imul, idx[0], eight);
            let oj = this.b.binary(Op::Imul, idx[1], eight);
            let pi = this.b.binary(Op::Iadd, d_data, oi);
            let pj = this.b.binary(Op::Iadd, d_data, oj);
            let si = this.b.load(Ty::F64, pi, 0, false);
            let sj = this.b.load(Ty::F64, pj, 0, false);
            let v = this.b.binary(Op::Fdiv, v, si);
            let v = this.b.binary(Op::Fdiv, v, sj);
            let below = this.b.fcmp(FloatCC::Lt, v, minus_one);
            let v = this.b.select(below, minus_one, v);
            let above = this.b.fcmp(FloatCC::Gt, v, one);
            let v = this.b.select(above, one, v);
            this.b.store(p, v, 0);
            Ok(())
        })?;
        Ok(c.value())
    }

    /// `np.histogram(a, bins=10, range=None)`: `(counts, edges)`.
    fn lower_histogram(
        &mut self,
        a: &ArrayRef,
        bins: LoweredArg,
        range: LoweredArg,
        edge_dtype: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        let dtype = a.dtype;
        let given_edges = bins.as_ref().and_then(|(v, _)| ArrayRef::of(v));
        let zero_i = self.b.iconst(Ty::I64, 0);
        let one_i = self.b.iconst(Ty::I64, 1);
        if let Some(edges) = given_edges {
            return self.histogram_of_edges(a, &edges, span);
        }
        let nbins = match bins {
            Some((PyValue::Scalar(v, s), _)) => self.cast_real(v, s, Scalar::I64),
            _ => self.b.iconst(Ty::I64, 10),
        };
        let positive = self.b.icmp(IntCC::Sgt, nbins, zero_i);
        let not_positive = self.b.ins(Op::Not, &[positive], Ty::Bool);
        self.raise_if(
            not_positive,
            ExceptionKind::ValueError,
            "`bins` must be positive, when an integer",
            span,
            &[],
        );
        // The range: given, or the data's minimum and maximum ([0, 1] for no data).
        let (lo, hi) = match range {
            Some((PyValue::Tuple(items), _)) if items.len() == 2 => {
                let as_f64 = |this: &mut Self, v: &PyValue| match v {
                    PyValue::Scalar(x, s) => this.cast_real(*x, *s, Scalar::F64),
                    _ => this.b.fconst(Ty::F64, f64::NAN),
                };
                let lo = as_f64(self, &items[0]);
                let hi = as_f64(self, &items[1]);
                let reversed = self.b.fcmp(FloatCC::Gt, lo, hi);
                self.raise_if(
                    reversed,
                    ExceptionKind::ValueError,
                    "max must be larger than min in range parameter.",
                    span,
                    &[],
                );
                self.check_finite(lo, hi, "supplied range of [{}, {}] is not finite", span);
                (lo, hi)
            }
            _ => {
                let shape = self.shape_of(a);
                let size = self.product(&shape);
                let zero = self.b.fconst(Ty::F64, 0.0);
                let one = self.b.fconst(Ty::F64, 1.0);
                let lo_var = self.scalar_var(zero);
                let hi_var = self.scalar_var(one);
                let nonempty = self.b.icmp(IntCC::Sgt, size, zero_i);
                let t = Type::Scalar(dtype);
                let fmin = self.lower_reduction_if(nonempty, ArrayFn::Min, a, &t, span)?;
                let fmax = self.lower_reduction_if(nonempty, ArrayFn::Max, a, &t, span)?;
                let lo0 = self.read(&lo_var);
                let hi0 = self.read(&hi_var);
                let lo = self.b.select(nonempty, fmin, lo0);
                let hi = self.b.select(nonempty, fmax, hi0);
                self.check_finite(lo, hi, "autodetected range of [{}, {}] is not finite", span);
                (lo, hi)
            }
        };
        let same = self.b.fcmp(FloatCC::Eq, lo, hi);
        let half = self.b.fconst(Ty::F64, 0.5);
        let lo_wide = self.b.binary(Op::Fsub, lo, half);
        let hi_wide = self.b.binary(Op::Fadd, hi, half);
        let lo = self.b.select(same, lo_wide, lo);
        let hi = self.b.select(same, hi_wide, hi);
        // Edges as `np.linspace(lo, hi, nbins + 1)`: lo + i * step, the last exactly hi.
        let count = self.b.binary(Op::Iadd, nbins, one_i);
        let edges = self.new_array(edge_dtype, &[count], false, span);
        let e_data = self.data_of(edges.desc);
        let e_size = self.b.iconst(Ty::I64, edge_dtype.size_bytes() as i64);
        let nbins_f = self.b.convert(Op::SToF, nbins, Ty::F64);
        let width = self.b.binary(Op::Fsub, hi, lo);
        let step = self.b.binary(Op::Fdiv, width, nbins_f);
        self.counted_loop(count, &mut |this, i| {
            let fi = this.b.convert(Op::SToF, i, Ty::F64);
            let scaled = this.b.binary(Op::Fmul, fi, step);
            let y = this.b.binary(Op::Fadd, scaled, lo);
            let last = this.b.icmp(IntCC::Eq, i, nbins);
            let y = this.b.select(last, hi, y);
            let offset = this.b.binary(Op::Imul, i, e_size);
            let to = this.b.binary(Op::Iadd, e_data, offset);
            this.store_scalar(to, edge_dtype, PyValue::Scalar(y, Scalar::F64));
            Ok(())
        })?;
        let counts = self.new_array(Scalar::I64, &[nbins], true, span);
        let c_data = self.data_of(counts.desc);
        let eight = self.b.iconst(Ty::I64, 8);
        let edge_at = |this: &mut Self, i: Value| -> Value {
            let offset = this.b.binary(Op::Imul, i, e_size);
            let p = this.b.binary(Op::Iadd, e_data, offset);
            match this.load_scalar(p, edge_dtype) {
                PyValue::Scalar(v, s) => this.cast_real(v, s, Scalar::F64),
                _ => unreachable!("real edge"),
            }
        };
        let last_bin = self.b.binary(Op::Isub, nbins, one_i);
        self.for_each_element(a, &mut |this, x| {
            let x = this.cast_real(x, dtype, Scalar::F64);
            let above_lo = this.b.fcmp(FloatCC::Ge, x, lo);
            let below_hi = this.b.fcmp(FloatCC::Le, x, hi);
            let keep = this.b.ins(Op::And, &[above_lo, below_hi], Ty::Bool);
            this.when_true(keep, &mut |this| {
                // NumPy: index = int((x - lo) / (hi - lo) * nbins), the last edge in the
                // last bin, then one step down or up where rounding put x beside its bin.
                let d = this.b.binary(Op::Fsub, x, lo);
                let r = this.b.binary(Op::Fdiv, d, width);
                let f = this.b.binary(Op::Fmul, r, nbins_f);
                let i = this.b.convert(Op::FToS, f, Ty::I64);
                let at_end = this.b.icmp(IntCC::Eq, i, nbins);
                let i = this.b.select(at_end, last_bin, i);
                let e_i = edge_at(this, i);
                let down = this.b.fcmp(FloatCC::Lt, x, e_i);
                let i_down = this.b.binary(Op::Isub, i, one_i);
                let i = this.b.select(down, i_down, i);
                let next = this.b.binary(Op::Iadd, i, one_i);
                let e_next = edge_at(this, next);
                let past = this.b.fcmp(FloatCC::Ge, x, e_next);
                let not_last = this.b.icmp(IntCC::Ne, i, last_bin);
                let up = this.b.ins(Op::And, &[past, not_last], Ty::Bool);
                let i = this.b.select(up, next, i);
                let offset = this.b.binary(Op::Imul, i, eight);
                let slot = this.b.binary(Op::Iadd, c_data, offset);
                let c = this.b.load(Ty::I64, slot, 0, false);
                let c = this.b.binary(Op::Iadd, c, one_i);
                this.b.store(slot, c, 0);
                Ok(())
            })
        })?;
        Ok(PyValue::Tuple(vec![counts.value(), edges.value()]))
    }

    /// Raises `ValueError(message)` unless `lo` and `hi` are finite.
    fn check_finite(&mut self, lo: Value, hi: Value, message: &str, span: Span) {
        let lo_bad = self.not_finite(lo);
        let hi_bad = self.not_finite(hi);
        let bad = self.b.ins(Op::Or, &[lo_bad, hi_bad], Ty::Bool);
        self.raise_if(bad, ExceptionKind::ValueError, message, span, &[]);
    }
    pub(crate) fn not_finite(&mut self, v: Value) -> Value {
        let magnitude = self.b.unary(Op::Fabs, v);
        let inf = self.b.fconst(Ty::F64, f64::INFINITY);
        // False for NaN too, hence the negation of `< inf`.
        let finite = self.b.fcmp(FloatCC::Lt, magnitude, inf);
        self.b.ins(Op::Not, &[finite], Ty::Bool)
    }

    /// The min or max of `a` as a float64 where `nonempty`, else 0.0 (the reduction raises on
    /// an empty array, so it only runs where `nonempty` holds).
    fn lower_reduction_if(
        &mut self,
        nonempty: Value,
        f: ArrayFn,
        a: &ArrayRef,
        t: &Type,
        span: Span,
    ) -> LResult<Value> {
        let zero = self.b.fconst(Ty::F64, 0.0);
        let result = self.scalar_var(zero);
        let a = *a;
        self.when_true(nonempty, &mut |this| {
            let v = this.lower_reduction(f, &a, None, t, span)?;
            let PyValue::Scalar(v, s) = v else {
                return Err(unsupported("complex histogram", span));
            };
            let v = this.cast_real(v, s, Scalar::F64);
            this.write(&result, v);
            Ok(())
        })?;
        Ok(self.read(&result))
    }

    /// Counts of `a` in the bins between consecutive given `edges` (the last bin closed).
    fn histogram_of_edges(
        &mut self,
        a: &ArrayRef,
        edges: &ArrayRef,
        span: Span,
    ) -> LResult<PyValue> {
        let m = self.array_dim(edges.desc, 0);
        let one_i = self.b.iconst(Ty::I64, 1);
        let zero_i = self.b.iconst(Ty::I64, 0);
        let (e_strides, e_data) = (self.strides_of(edges), self.data_of(edges.desc));
        let ed = edges.dtype;
        let edge_at = |this: &mut Self, i: Value| -> Value {
            let p = this.address_at(e_data, &e_strides, &[i]);
            match this.load_scalar(p, ed) {
                PyValue::Scalar(v, s) => this.cast_real(v, s, Scalar::F64),
                _ => unreachable!("real edge"),
            }
        };
        self.counted_loop_between(one_i, m, &mut |this, i| {
            let prev = this.b.binary(Op::Isub, i, one_i);
            let p = edge_at(this, prev);
            let c = edge_at(this, i);
            let decreasing = this.b.fcmp(FloatCC::Lt, c, p);
            this.raise_if(
                decreasing,
                ExceptionKind::ValueError,
                "`bins` must increase monotonically, when an array",
                span,
                &[],
            );
            Ok(())
        })?;
        let nbins = self.b.binary(Op::Isub, m, one_i);
        let nbins = self.b.binary(Op::Smax, nbins, zero_i);
        let counts = self.new_array(Scalar::I64, &[nbins], true, span);
        let c_data = self.data_of(counts.desc);
        let eight = self.b.iconst(Ty::I64, 8);
        let dtype = a.dtype;
        let has_bins = self.b.icmp(IntCC::Sgt, nbins, zero_i);
        let a = *a;
        let edges = *edges;
        self.when_true(has_bins, &mut |this| {
            let last = this.b.binary(Op::Isub, m, one_i);
            let first_edge = edge_at(this, zero_i);
            let last_edge = edge_at(this, last);
            this.for_each_element(&a, &mut |this, x| {
                let x = this.cast_real(x, dtype, Scalar::F64);
                let above = this.b.fcmp(FloatCC::Ge, x, first_edge);
                let below = this.b.fcmp(FloatCC::Le, x, last_edge);
                let keep = this.b.ins(Op::And, &[above, below], Ty::Bool);
                this.when_true(keep, &mut |this| {
                    let right = this.b.bconst(true);
                    let no = this.b.bconst(false);
                    let pos = this.search_sorted(&edges, m, no, x, Scalar::F64, right)?;
                    let bin = this.b.binary(Op::Isub, pos, one_i);
                    let at_end = this.b.icmp(IntCC::Sge, bin, nbins);
                    let last_bin = this.b.binary(Op::Isub, nbins, one_i);
                    let bin = this.b.select(at_end, last_bin, bin);
                    let offset = this.b.binary(Op::Imul, bin, eight);
                    let slot = this.b.binary(Op::Iadd, c_data, offset);
                    let c = this.b.load(Ty::I64, slot, 0, false);
                    let c = this.b.binary(Op::Iadd, c, one_i);
                    this.b.store(slot, c, 0);
                    Ok(())
                })
            })
        })?;
        Ok(PyValue::Tuple(vec![counts.value(), edges.value()]))
    }
}

/// The runtime's element-kind code of a real dtype.
fn runtime_kind(s: Scalar) -> i64 {
    super::sorting::element_kind(s)
}

/// The machine float type of a float dtype (float64 for anything else).
fn float_ty(s: Scalar) -> Ty {
    if s == Scalar::F32 { Ty::F32 } else { Ty::F64 }
}
