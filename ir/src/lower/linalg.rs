//! Lowering of linear algebra (typed in `typeinfer/src/infer/numpy_shape.rs`): `np.trace`
//! and the 2-norm / Frobenius norm as IR loops; the matrix product behind `np.dot`/`@` of two
//! `float64` matrices and `np.linalg.solve`/`inv`/`det` as calls of the runtime's faer-based
//! routines (`runtime::linalg`) on C-contiguous `float64` copies, a singular matrix raising
//! `np.linalg.LinAlgError` as NumPy does.

use super::array_fns::ArrayRef;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::BinOp;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::{ArrayFn, Layout, Scalar, Type};

impl Lowerer<'_, '_> {
    /// A linear-algebra call `f`; `arg` gives the lowered arguments.
    pub(crate) fn lower_linalg_call(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use ArrayFn::*;
        let operand = if f == LinalgNorm { "x" } else { "a" };
        let a = arg(operand)
            .and_then(|(v, _)| ArrayRef::of(&v))
            .ok_or_else(|| unsupported(format!("{}() of this value", f.name()), span))?;
        let float = match result_ty {
            Type::Array { dtype, .. } => *dtype,
            other => other.as_scalar().unwrap_or(Scalar::F64),
        };
        Ok(match f {
            Trace => {
                let shape = self.shape_of(&a);
                let n = self.b.binary(Op::Smin, shape[0], shape[1]);
                let strides = self.strides_of(&a);
                let data = self.data_of(a.desc);
                let acc = result_ty.as_scalar().unwrap_or(Scalar::I64);
                let acc_t = Type::Scalar(acc);
                let item_t = Type::Scalar(a.dtype);
                let zero = self.scalar_const(acc.real_part(), 0.0);
                let zero = self.convert_scalar(zero, acc.real_part(), acc);
                let sum = self.declare_value_var(&zero);
                self.counted_loop(n, &mut |this, i| {
                    let p = this.address_at(data, &strides, &[i, i]);
                    let x = this.load_scalar(p, a.dtype);
                    let s = this.use_value_var(&sum);
                    let s = this.binary_op(BinOp::Add, s, &acc_t, x, &item_t, span)?;
                    let s = this.coerce(s, &acc_t);
                    this.def_value_var(&sum, &s);
                    Ok(())
                })?;
                self.use_value_var(&sum)
            }
            LinalgNorm => {
                let shape = self.shape_of(&a);
                let strides = self.strides_of(&a);
                let data = self.data_of(a.desc);
                let zero = self.b.fconst(Ty::F64, 0.0);
                let sum = self.declare_value_var(&PyValue::Scalar(zero, Scalar::F64));
                let dtype = a.dtype;
                self.for_each_index(&shape, &mut |this, idx| {
                    let p = this.address_at(data, &strides, idx);
                    let PyValue::Scalar(x, s) = this.load_scalar(p, dtype) else {
                        return Err(unsupported("complex norm", span));
                    };
                    let x = this.cast_real(x, s, Scalar::F64);
                    let sq = this.b.binary(Op::Fmul, x, x);
                    let PyValue::Scalar(acc, _) = this.use_value_var(&sum) else {
                        unreachable!("float")
                    };
                    let acc = this.b.binary(Op::Fadd, acc, sq);
                    this.def_value_var(&sum, &PyValue::Scalar(acc, Scalar::F64));
                    Ok(())
                })?;
                let PyValue::Scalar(total, _) = self.use_value_var(&sum) else {
                    unreachable!("float")
                };
                let norm = self.b.unary(Op::Sqrt, total);
                PyValue::Scalar(self.cast_real(norm, Scalar::F64, float), float)
            }
            LinalgDet | LinalgInv | LinalgSolve => {
                let m = self.float64_c(&a, span);
                let n = self.square_extent(&m, span);
                let data = self.data_of(m.desc);
                match f {
                    LinalgDet => {
                        let det = self.b.call_runtime(RuntimeFn::Det, &[data, n]);
                        PyValue::Scalar(self.cast_real(det, Scalar::F64, float), float)
                    }
                    LinalgInv => {
                        let out = self.new_array(Scalar::F64, &[n, n], false, span);
                        let out_data = self.data_of(out.desc);
                        let status = self.b.call_runtime(RuntimeFn::Inv, &[data, out_data, n]);
                        self.raise_singular(status, span);
                        self.converted(out, float, span).value()
                    }
                    _ => {
                        let b = arg("b")
                            .and_then(|(v, _)| ArrayRef::of(&v))
                            .ok_or_else(|| unsupported("solve() b", span))?;
                        let rhs = self.float64_c(&b, span);
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
                        let out = self.new_array(Scalar::F64, &shape, false, span);
                        let (rhs_data, out_data) = (self.data_of(rhs.desc), self.data_of(out.desc));
                        let status = self
                            .b
                            .call_runtime(RuntimeFn::Solve, &[data, rhs_data, out_data, n, nrhs]);
                        self.raise_singular(status, span);
                        self.converted(out, float, span).value()
                    }
                }
            }
            other => return Err(unsupported(format!("{}() here", other.name()), span)),
        })
    }

    /// `a` as a C-contiguous float64 array (a converted copy unless it is one).
    pub(crate) fn float64_c(&mut self, a: &ArrayRef, span: Span) -> ArrayRef {
        if a.dtype == Scalar::F64 && a.layout == Layout::C {
            *a
        } else {
            self.copy_array(a, Scalar::F64, span)
        }
    }

    /// `out` converted to `dtype` where that is not float64.
    fn converted(&mut self, out: ArrayRef, dtype: Scalar, span: Span) -> ArrayRef {
        if dtype == Scalar::F64 {
            out
        } else {
            self.copy_array(&out, dtype, span)
        }
    }

    /// The extent of the square matrix `m`; `LinAlgError` for a non-square one.
    fn square_extent(&mut self, m: &ArrayRef, span: Span) -> Value {
        let shape = self.shape_of(m);
        let differ = self.b.icmp(IntCC::Ne, shape[0], shape[1]);
        self.raise_if(
            differ,
            ExceptionKind::LinAlgError,
            "Last 2 dimensions of the array must be square",
            span,
            &[],
        );
        shape[0]
    }

    fn raise_singular(&mut self, status: Value, span: Span) {
        let zero = self.b.iconst(Ty::I64, 0);
        let singular = self.b.icmp(IntCC::Ne, status, zero);
        self.raise_if(
            singular,
            ExceptionKind::LinAlgError,
            "Singular matrix",
            span,
            &[],
        );
    }

    /// `a @ b` of two float64 matrices through the runtime's blocked product (faer).
    pub(crate) fn matmul_float64(&mut self, a: &ArrayRef, b: &ArrayRef, span: Span) -> PyValue {
        let (a, b) = (self.float64_c(a, span), self.float64_c(b, span));
        let (a_shape, b_shape) = (self.shape_of(&a), self.shape_of(&b));
        let (m, k, n) = (a_shape[0], a_shape[1], b_shape[1]);
        let out = self.new_array(Scalar::F64, &[m, n], false, span);
        let (a_data, b_data, out_data) = (
            self.data_of(a.desc),
            self.data_of(b.desc),
            self.data_of(out.desc),
        );
        self.b
            .call_runtime(RuntimeFn::Matmul, &[a_data, b_data, out_data, m, k, n]);
        out.value()
    }
}
