//! Lowering of `np.linalg.eig` and `np.linalg.eigvals` of general real or complex matrices
//! (typed in `typeinfer/src/infer/numpy_shape.rs`): the matrix as C-contiguous `float64` or
//! `complex128`, faer's eigendecomposition in the runtime (`RuntimeFn::Eig`, `ComplexEig`).
//! Results follow Numba: real (`float64`, or `float32` for `float32` input) for real input,
//! where an eigenvalue that is not real raises ValueError; complex for complex input.

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
        let first = match result_ty {
            Type::Tuple(items) => items.first().cloned(),
            other => Some(other.clone()),
        };
        let Some(Type::Array { dtype: result, .. }) = first else {
            return Err(unsupported("eig() result", span));
        };
        let m = if a.dtype.is_complex() {
            self.complex128_c(a, span)
        } else {
            self.float64_c(a, span)
        };
        let n = self.square_extent(&m, span);
        let data = self.data_of(m.desc);
        // The runtime writes float64 (real input) or complex128 results.
        let computed = if a.dtype.is_complex() {
            Scalar::C128
        } else {
            Scalar::F64
        };
        let w = self.new_array(computed, &[n], false, span);
        let w_data = self.data_of(w.desc);
        let zero = self.b.iconst(Ty::I64, 0);
        let (v, v_data) = if vectors {
            let v = self.new_array(computed, &[n, n], false, span);
            let v_data = self.data_of(v.desc);
            (Some(v), v_data)
        } else {
            (None, zero)
        };
        let real = if a.dtype.is_complex() {
            0
        } else {
            runtime::linalg::EIG_REAL
        };
        let flag = self.b.iconst(Ty::I64, i64::from(vectors) | real);
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
        let three = self.b.iconst(Ty::I64, 3);
        let not_real = self.b.icmp(IntCC::Eq, status, three);
        let message = "eig() argument must not cause a domain change.";
        self.raise_if(not_real, ExceptionKind::ValueError, message, span, &[]);
        let failed = self.b.icmp(IntCC::Ne, status, zero);
        let message = "Eigenvalues did not converge";
        self.raise_if(failed, ExceptionKind::LinAlgError, message, span, &[]);
        let convert = |this: &mut Self, x: ArrayRef| {
            if result == computed {
                x.value()
            } else {
                this.copy_array(&x, result, span).value()
            }
        };
        let w = convert(self, w);
        Ok(match v {
            Some(v) => PyValue::Tuple(vec![w, convert(self, v)]),
            None => w,
        })
    }
}
