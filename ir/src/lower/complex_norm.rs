//! `np.linalg.norm` of complex arrays, through the real norms (`linalg.rs`): every vector
//! norm (also along an `axis=`) and the matrix norms `None`/`'fro'`, `1`, `-1`, `inf`, `-inf` depend only on the
//! moduli `|z|`, so they are the real norm of the array of moduli; the matrix norms `2`, `-2`
//! and `'nuc'` depend on the singular values, which are those of the real `2m x 2n` matrix
//! `[[Re, -Im], [Im, Re]]`, each twice (so `'nuc'` is half its nuclear norm).

use super::array_fns::ArrayRef;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, Op, Ty, Value};
use frontend::Span;
use runtime::math::RuntimeFn;
use typeinfer::{ArrayFn, Layout, Scalar, Type};

impl Lowerer<'_, '_> {
    /// `np.linalg.norm(x, ord=None, axis=None)` of the complex array `a` (`axis` an integer:
    /// vector norms along it, those of the moduli).
    pub(super) fn lower_complex_norm(
        &mut self,
        a: &ArrayRef,
        arg: &dyn Fn(&str) -> LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let ord = arg("ord");
        let axis = arg("axis").filter(|(v, _)| !matches!(v, PyValue::None));
        let moduli = self.complex_moduli(a, span);
        let norm_of = |this: &mut Self, x: &ArrayRef, ord: &LoweredArg| -> LResult<PyValue> {
            let x_arg = Some((x.value(), Type::array(Scalar::F64, x.ndim as u8, Layout::C)));
            let ord = ord.clone();
            let axis = axis.clone();
            let args = move |name: &str| match name {
                "x" => x_arg.clone(),
                "ord" => ord.clone(),
                "axis" => axis.clone(),
                _ => None,
            };
            this.lower_linalg_call(ArrayFn::LinalgNorm, &args, result_ty, span)
        };
        if a.ndim != 2 || axis.is_some() {
            return norm_of(self, &moduli, &ord);
        }
        match &ord {
            Some((PyValue::Str(s), _)) if s == "nuc" => {
                let embedded = self.real_embedding(a, span);
                let PyValue::Scalar(twice, s) = norm_of(self, &embedded, &ord)? else {
                    return Err(unsupported("norm() of this value", span));
                };
                let two = self.scalar_const(s, 2.0);
                Ok(PyValue::Scalar(self.b.binary(Op::Fdiv, twice, two), s))
            }
            Some((PyValue::Scalar(o, s), _)) => {
                // `ord` is a number known only at run time: the singular values for +-2.
                let o = self.cast_real(*o, *s, Scalar::F64);
                let magnitude = self.b.unary(Op::Fabs, o);
                let two = self.b.fconst(Ty::F64, 2.0);
                let spectral = self.b.fcmp(FloatCC::Eq, magnitude, two);
                let other = self.b.ins(Op::Not, &[spectral], Ty::Bool);
                let float = match result_ty {
                    Type::Scalar(s) => *s,
                    _ => Scalar::F64,
                };
                let start = self.scalar_const(float, 0.0);
                let result = self.declare_value_var(&PyValue::Scalar(start, float));
                self.when_true(spectral, &mut |this| {
                    let embedded = this.real_embedding(a, span);
                    let v = norm_of(this, &embedded, &ord)?;
                    this.def_value_var(&result, &v);
                    Ok(())
                })?;
                self.when_true(other, &mut |this| {
                    let v = norm_of(this, &moduli, &ord)?;
                    this.def_value_var(&result, &v);
                    Ok(())
                })?;
                Ok(self.use_value_var(&result))
            }
            _ => norm_of(self, &moduli, &ord),
        }
    }

    /// A new C-ordered float64 array of the moduli `|z|` (`hypot` of the parts) of `a`.
    fn complex_moduli(&mut self, a: &ArrayRef, span: Span) -> ArrayRef {
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let out = self.new_array(Scalar::F64, &shape, false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let dtype = a.dtype;
        let _ = self.for_each_index(&shape, &mut |this, idx| {
            let p = this.address_at(data, &strides, idx);
            let (re, im) = this.complex_parts(p, dtype);
            let m = this.b.call_runtime(RuntimeFn::Hypot, &[re, im]);
            let q = this.address_at(out_data, &out_strides, idx);
            this.b.store(q, m, 0);
            Ok(())
        });
        out
    }

    /// The real `2m x 2n` matrix `[[Re, -Im], [Im, Re]]` of the complex `m x n` matrix `a`.
    fn real_embedding(&mut self, a: &ArrayRef, span: Span) -> ArrayRef {
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let two = self.b.iconst(Ty::I64, 2);
        let rows = self.b.binary(Op::Imul, shape[0], two);
        let cols = self.b.binary(Op::Imul, shape[1], two);
        let out = self.new_array(Scalar::F64, &[rows, cols], false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let dtype = a.dtype;
        let (m, n) = (shape[0], shape[1]);
        let _ = self.for_each_index(&shape, &mut |this, idx| {
            let p = this.address_at(data, &strides, idx);
            let (re, im) = this.complex_parts(p, dtype);
            let minus_im = this.b.unary(Op::Fneg, im);
            let (i, j) = (idx[0], idx[1]);
            let i2 = this.b.binary(Op::Iadd, i, m);
            let j2 = this.b.binary(Op::Iadd, j, n);
            for (r, c, v) in [(i, j, re), (i, j2, minus_im), (i2, j, im), (i2, j2, re)] {
                let q = this.address_at(out_data, &out_strides, &[r, c]);
                this.b.store(q, v, 0);
            }
            Ok(())
        });
        out
    }

    /// The two parts, as float64, of the complex element at `p`.
    fn complex_parts(&mut self, p: Value, dtype: Scalar) -> (Value, Value) {
        match self.load_scalar(p, dtype) {
            PyValue::Complex(re, im, s) => {
                let part = s.real_part();
                (
                    self.cast_real(re, part, Scalar::F64),
                    self.cast_real(im, part, Scalar::F64),
                )
            }
            PyValue::Scalar(v, s) => (
                self.cast_real(v, s, Scalar::F64),
                self.b.fconst(Ty::F64, 0.0),
            ),
            _ => {
                let zero = self.b.fconst(Ty::F64, 0.0);
                (zero, zero)
            }
        }
    }
}
