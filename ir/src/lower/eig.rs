//! Lowering of `np.linalg.eig` and `np.linalg.eigvals` of general real or complex matrices
//! (typed in `typeinfer/src/infer/numpy_shape.rs`): the matrix as C-contiguous `float64` or
//! `complex128`, faer's eigendecomposition in the runtime (`RuntimeFn::Eig`, `ComplexEig`),
//! complex results (`complex64` for `float32` and `complex64` input).

use super::array_fns::ArrayRef;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Ty};
use frontend::Span;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::{Scalar, Type};

impl Lowerer<'_, '_> {
    /// `np.linalg.eig(a)` (`vectors`) or `np.linalg.eigvals(a)`.
    pub(crate) fn lower_eig(
        &mut self,
        vectors: bool,
        a: &ArrayRef,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let complex = match result_ty {
            Type::Tuple(items) => items.first().cloned(),
            other => Some(other.clone()),
        };
        let Some(Type::Array { dtype: complex, .. }) = complex else {
            return Err(unsupported("eig() result", span));
        };
        let m = if a.dtype.is_complex() {
            self.complex128_c(a, span)
        } else {
            self.float64_c(a, span)
        };
        let n = self.square_extent(&m, span);
        let data = self.data_of(m.desc);
        let w = self.new_array(Scalar::C128, &[n], false, span);
        let w_data = self.data_of(w.desc);
        let zero = self.b.iconst(Ty::I64, 0);
        let (v, v_data) = if vectors {
            let v = self.new_array(Scalar::C128, &[n, n], false, span);
            let v_data = self.data_of(v.desc);
            (Some(v), v_data)
        } else {
            (None, zero)
        };
        let flag = self.b.iconst(Ty::I64, i64::from(vectors));
        let routine = if a.dtype.is_complex() {
            RuntimeFn::ComplexEig
        } else {
            RuntimeFn::Eig
        };
        let status = self
            .b
            .call_runtime(routine, &[data, w_data, v_data, n, flag]);
        let two = self.b.iconst(Ty::I64, 2);
        let not_finite = self.b.icmp(IntCC::Eq, status, two);
        let message = "Array must not contain infs or NaNs";
        self.raise_if(not_finite, ExceptionKind::LinAlgError, message, span, &[]);
        let failed = self.b.icmp(IntCC::Ne, status, zero);
        let message = "Eigenvalues did not converge";
        self.raise_if(failed, ExceptionKind::LinAlgError, message, span, &[]);
        let convert = |this: &mut Self, x: ArrayRef| {
            if complex == Scalar::C128 {
                x.value()
            } else {
                this.copy_array(&x, complex, span).value()
            }
        };
        let w = convert(self, w);
        Ok(match v {
            Some(v) => PyValue::Tuple(vec![w, convert(self, v)]),
            None => w,
        })
    }
}
