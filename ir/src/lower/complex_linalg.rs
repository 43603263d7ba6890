//! Lowering of `np.dot`/`@` of complex128 matrices and of `np.linalg.solve`, `np.linalg.inv`
//! and `np.linalg.det` of complex matrices (typed
//! in `typeinfer/src/infer/numpy_shape.rs`): the operands as C-contiguous `complex128`, faer's
//! partially pivoted LU in the runtime (`RuntimeFn::ComplexSolve`, `ComplexInv`, `ComplexDet`),
//! singular matrices raising `LinAlgError` as NumPy does, results converted to `complex64` when
//! every operand was single precision.

use super::array_fns::ArrayRef;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty};
use frontend::Span;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::{ArrayFn, Layout, Scalar, Type};

impl Lowerer<'_, '_> {
    /// `solve`, `inv` or `det` (`f`) whose result type `result_ty` is complex.
    pub(crate) fn lower_complex_linalg(
        &mut self,
        f: ArrayFn,
        a: &ArrayRef,
        arg: &dyn Fn(&str) -> LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let complex = match result_ty {
            Type::Array { dtype, .. } => *dtype,
            other => other.as_scalar().unwrap_or(Scalar::C128),
        };
        let m = self.complex128_c(a, span);
        let n = self.square_extent(&m, span);
        let data = self.data_of(m.desc);
        let narrowed = |this: &mut Self, out: ArrayRef| {
            if complex == Scalar::C128 {
                out.value()
            } else {
                this.copy_array(&out, complex, span).value()
            }
        };
        Ok(match f {
            ArrayFn::LinalgDet => {
                let slot = self.b.ins(Op::StackSlot(16), &[], Ty::Ptr);
                self.b.call_runtime(RuntimeFn::ComplexDet, &[data, n, slot]);
                let re = self.b.load(Ty::F64, slot, 0, false);
                let im = self.b.load(Ty::F64, slot, 8, false);
                let det = PyValue::Complex(re, im, Scalar::C128);
                self.coerce(det, &Type::Scalar(complex))
            }
            ArrayFn::LinalgInv => {
                let out = self.new_array(Scalar::C128, &[n, n], false, span);
                let out_data = self.data_of(out.desc);
                let status = self
                    .b
                    .call_runtime(RuntimeFn::ComplexInv, &[data, out_data, n]);
                self.raise_singular(status, span);
                narrowed(self, out)
            }
            ArrayFn::LinalgSolve => {
                let b = arg("b")
                    .and_then(|(v, _)| ArrayRef::of(&v))
                    .ok_or_else(|| unsupported("solve() b", span))?;
                let rhs = self.complex128_c(&b, span);
                let rows = self.array_dim(rhs.desc, 0);
                let differ = self.b.icmp(IntCC::Ne, rows, n);
                self.raise_if(
                    differ,
                    ExceptionKind::ValueError,
                    "solve: Input operand 1 has a mismatch in its core dimension 0 \
                     ({} is different from {})",
                    span,
                    &[rows, n],
                );
                let shape = self.shape_of(&rhs);
                let nrhs = if b.ndim == 2 {
                    shape[1]
                } else {
                    self.b.iconst(Ty::I64, 1)
                };
                let out = self.new_array(Scalar::C128, &shape, false, span);
                let (rhs_data, out_data) = (self.data_of(rhs.desc), self.data_of(out.desc));
                let status = self.b.call_runtime(
                    RuntimeFn::ComplexSolve,
                    &[data, rhs_data, out_data, n, nrhs],
                );
                self.raise_singular(status, span);
                narrowed(self, out)
            }
            other => return Err(unsupported(format!("{}() of complex", other.name()), span)),
        })
    }

    /// `a @ b` of two complex128 matrices (or one complex128 and one real) through the
    /// runtime's blocked product (faer).
    pub(crate) fn matmul_complex128(&mut self, a: &ArrayRef, b: &ArrayRef, span: Span) -> PyValue {
        let (a, b) = (self.complex128_c(a, span), self.complex128_c(b, span));
        let (a_shape, b_shape) = (self.shape_of(&a), self.shape_of(&b));
        let (m, k, n) = (a_shape[0], a_shape[1], b_shape[1]);
        let out = self.new_array(Scalar::C128, &[m, n], false, span);
        let (a_data, b_data, out_data) = (
            self.data_of(a.desc),
            self.data_of(b.desc),
            self.data_of(out.desc),
        );
        self.b.call_runtime(
            RuntimeFn::ComplexMatmul,
            &[a_data, b_data, out_data, m, k, n],
        );
        out.value()
    }

    /// `a` as a C-contiguous `complex128` array (itself when it is one).
    pub(crate) fn complex128_c(&mut self, a: &ArrayRef, span: Span) -> ArrayRef {
        if a.dtype == Scalar::C128 && a.layout == Layout::C {
            *a
        } else {
            self.copy_array(a, Scalar::C128, span)
        }
    }
}
