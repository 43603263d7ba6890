//! Lowering of linear algebra (typed in `typeinfer/src/infer/numpy_shape.rs`): `np.trace`
//! and the 2-norm / Frobenius norm as IR loops; the matrix product behind `np.dot`/`@` of two
//! `float64` matrices and `np.linalg.solve`/`inv`/`det`/`eigh` (and the other factorizations) as calls of the runtime's faer-based
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
    /// `np.linalg.qr(a, mode)`, `mode` one of `'reduced'`, `'complete'`, `'r'` (checked by
    /// the typing): `(Q, R)` of shapes `(m, k)`, `(k, n)` (`k = min(m, n)`), or `(m, m)`,
    /// `(m, n)`; or `R` alone, `(k, n)`.
    pub(crate) fn lower_qr(
        &mut self,
        arg: &dyn Fn(&str) -> LoweredArg,
        mode: &str,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let a = arg("a")
            .and_then(|(v, _)| ArrayRef::of(&v))
            .ok_or_else(|| unsupported("qr() of this value", span))?;
        let r_ty = match result_ty {
            Type::Tuple(items) => &items[1],
            other => other,
        };
        let float = match r_ty {
            Type::Array { dtype, .. } => *dtype,
            _ => Scalar::F64,
        };
        let m = self.float64_c(&a, span);
        let shape = self.shape_of(&m);
        let (rows, cols) = (shape[0], shape[1]);
        let data = self.data_of(m.desc);
        let complete = mode == "complete";
        let k = if complete {
            rows
        } else {
            self.b.binary(Op::Smin, rows, cols)
        };
        let q = (mode != "r").then(|| self.new_array(Scalar::F64, &[rows, k], false, span));
        let r = self.new_array(Scalar::F64, &[k, cols], false, span);
        let q_data = match &q {
            Some(q) => self.data_of(q.desc),
            None => self.b.iconst(Ty::I64, 0),
        };
        let r_data = self.data_of(r.desc);
        let flag = self.b.iconst(Ty::I64, i64::from(complete));
        self.b
            .call_runtime(RuntimeFn::Qr, &[data, q_data, r_data, rows, cols, flag]);
        let r = self.converted(r, float, span).value();
        Ok(match q {
            Some(q) => PyValue::Tuple(vec![self.converted(q, float, span).value(), r]),
            None => r,
        })
    }

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
        if f == Kron {
            let a = arg("a").and_then(|(v, _)| ArrayRef::of(&v));
            let b = arg("b").and_then(|(v, _)| ArrayRef::of(&v));
            let (Some(a), Some(b)) = (a, b) else {
                return Err(unsupported("kron() of these values", span));
            };
            return self.lower_kron(&a, &b, result_ty, span);
        }
        let a = arg(operand)
            .and_then(|(v, _)| ArrayRef::of(&v))
            .ok_or_else(|| unsupported(format!("{}() of this value", f.name()), span))?;
        // The result's float type; a tuple's items (`eigh`, `svd`, `slogdet`) share it.
        let float = match result_ty {
            Type::Tuple(items) => items.first().unwrap_or(result_ty),
            other => other,
        };
        let float = match float {
            Type::Array { dtype, .. } => *dtype,
            other => other.as_scalar().unwrap_or(Scalar::F64),
        };
        if f == LinalgNorm && a.dtype.is_complex() {
            return self.lower_complex_norm(&a, arg, result_ty, span);
        }
        if float.is_complex() && matches!(f, LinalgSolve | LinalgInv | LinalgDet) {
            return self.lower_complex_linalg(f, &a, arg, result_ty, span);
        }
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
            LinalgNorm if matches!(arg("ord"), Some((PyValue::Scalar(..), _))) => {
                let Some((PyValue::Scalar(ord, s), _)) = arg("ord") else {
                    unreachable!("matched above")
                };
                let ord = self.cast_real(ord, s, Scalar::F64);
                let m = self.float64_c(&a, span);
                let shape = self.shape_of(&m);
                let one = self.b.iconst(Ty::I64, 1);
                let (cols, matrix) = if a.ndim == 2 {
                    (shape[1], one)
                } else {
                    (one, self.b.iconst(Ty::I64, 0))
                };
                let data = self.data_of(m.desc);
                let slot = self.b.ins(crate::function::Op::StackSlot(8), &[], Ty::Ptr);
                let norm = self
                    .b
                    .call_runtime(RuntimeFn::Norm, &[data, shape[0], cols, matrix, ord, slot]);
                let invalid = self.b.load(Ty::I64, slot, 0, false);
                let zero = self.b.iconst(Ty::I64, 0);
                let bad = self.b.icmp(IntCC::Ne, invalid, zero);
                let message = "Invalid norm order for matrices.";
                self.raise_if(bad, ExceptionKind::ValueError, message, span, &[]);
                PyValue::Scalar(self.cast_real(norm, Scalar::F64, float), float)
            }
            LinalgNorm if matches!(arg("ord"), Some((PyValue::Str(ref s), _)) if s == "nuc") => {
                // The nuclear norm: the sum of the singular values (largest first), as NumPy.
                let m = self.float64_c(&a, span);
                let shape = self.shape_of(&m);
                let (rows, cols) = (shape[0], shape[1]);
                let data = self.data_of(m.desc);
                let k = self.b.binary(Op::Smin, rows, cols);
                let s = self.new_array(Scalar::F64, &[k], false, span);
                let s_data = self.data_of(s.desc);
                let zero = self.b.iconst(Ty::I64, 0);
                let status = self.b.call_runtime(
                    RuntimeFn::Svd,
                    &[data, rows, cols, s_data, zero, zero, zero, zero],
                );
                let failed = self.b.icmp(IntCC::Ne, status, zero);
                let message = "SVD did not converge";
                self.raise_if(failed, ExceptionKind::LinAlgError, message, span, &[]);
                let start = self.b.fconst(Ty::F64, 0.0);
                let sum = self.declare_value_var(&PyValue::Scalar(start, Scalar::F64));
                let eight = self.b.iconst(Ty::I64, 8);
                self.counted_loop(k, &mut |this, i| {
                    let offset = this.b.binary(Op::Imul, i, eight);
                    let p = this.b.binary(Op::Iadd, s_data, offset);
                    let x = this.b.load(Ty::F64, p, 0, false);
                    let PyValue::Scalar(acc, _) = this.use_value_var(&sum) else {
                        unreachable!("float")
                    };
                    let acc = this.b.binary(Op::Fadd, acc, x);
                    this.def_value_var(&sum, &PyValue::Scalar(acc, Scalar::F64));
                    Ok(())
                })?;
                let PyValue::Scalar(total, _) = self.use_value_var(&sum) else {
                    unreachable!("float")
                };
                PyValue::Scalar(self.cast_real(total, Scalar::F64, float), float)
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
            LinalgEig | LinalgEigvals => self.lower_eig(f == LinalgEig, &a, result_ty, span)?,
            LinalgMatrixPower => {
                let Some((PyValue::Scalar(n, s), _)) = arg("n") else {
                    return Err(unsupported("matrix_power() n", span));
                };
                let n = self.cast_real(n, s, Scalar::I64);
                if !float.is_float() {
                    // An integer or bool matrix: products in its own dtype.
                    let zero = self.b.iconst(Ty::I64, 0);
                    let negative = self.b.icmp(IntCC::Slt, n, zero);
                    let message = "matrix_power(): a negative power of an integer matrix is \
                                   a float64 matrix in NumPy; ferrojit needs a float matrix \
                                   for it (m.astype(np.float64))";
                    self.raise_if(negative, ExceptionKind::ValueError, message, span, &[]);
                    return Ok(self.lower_matrix_power(&a, n, float, span)?.value());
                }
                let m = self.float64_c(&a, span);
                let out = self.lower_matrix_power(&m, n, Scalar::F64, span)?;
                self.converted(out, float, span).value()
            }
            LinalgLstsq => self.lower_lstsq(&a, arg, result_ty, float, span)?,
            LinalgSvd | LinalgMatrixRank | LinalgPinv => {
                let m = self.float64_c(&a, span);
                let shape = self.shape_of(&m);
                let (rows, cols) = (shape[0], shape[1]);
                let data = self.data_of(m.desc);
                let zero = self.b.iconst(Ty::I64, 0);
                // NumPy's relative tolerance by default: `max(m, n) * eps` of the singular
                // values' type (`matrix_rank`, `pinv(rtol=None)`).
                let eps = if a.dtype == Scalar::F32 {
                    f64::from(f32::EPSILON)
                } else {
                    f64::EPSILON
                };
                let largest = self.b.binary(Op::Smax, rows, cols);
                let largest = self.cast_real(largest, Scalar::I64, Scalar::F64);
                let eps = self.b.fconst(Ty::F64, eps);
                let default_rtol = self.b.binary(Op::Fmul, largest, eps);
                match f {
                    LinalgMatrixRank => {
                        let (tol, relative) =
                            match (self.tolerance(arg("tol")), self.tolerance(arg("rtol"))) {
                                (Some(tol), _) => (tol, 0),
                                (None, Some(rtol)) => (rtol, 1),
                                (None, None) => (default_rtol, 1),
                            };
                        let relative = self.b.iconst(Ty::I64, relative);
                        let rank = self.b.call_runtime(
                            RuntimeFn::MatrixRank,
                            &[data, rows, cols, tol, relative],
                        );
                        let failed = self.b.icmp(IntCC::Slt, rank, zero);
                        let message = "SVD did not converge";
                        self.raise_if(failed, ExceptionKind::LinAlgError, message, span, &[]);
                        PyValue::Scalar(rank, Scalar::I64)
                    }
                    LinalgPinv => {
                        let out = self.new_array(Scalar::F64, &[cols, rows], false, span);
                        let out_data = self.data_of(out.desc);
                        // `rcond`, else `rtol` (`rtol=None`: the relative default), else
                        // NumPy's `1e-15`.
                        let rcond = match (self.tolerance(arg("rcond")), arg("rtol")) {
                            (Some(rcond), _) => rcond,
                            (None, Some((PyValue::None, _))) => default_rtol,
                            (None, rtol) => match self.tolerance(rtol) {
                                Some(rtol) => rtol,
                                None => self.b.fconst(Ty::F64, 1e-15),
                            },
                        };
                        let status = self
                            .b
                            .call_runtime(RuntimeFn::Pinv, &[data, out_data, rows, cols, rcond]);
                        let failed = self.b.icmp(IntCC::Ne, status, zero);
                        let message = "SVD did not converge";
                        self.raise_if(failed, ExceptionKind::LinAlgError, message, span, &[]);
                        self.converted(out, float, span).value()
                    }
                    _ => self.lower_svd(arg, rows, cols, data, result_ty, float, span),
                }
            }
            LinalgDet | LinalgInv | LinalgSolve | LinalgSlogdet | LinalgCholesky
            | LinalgEigvalsh | LinalgEigh => {
                let m = self.float64_c(&a, span);
                let n = self.square_extent(&m, span);
                let data = self.data_of(m.desc);
                match f {
                    LinalgDet => {
                        let det = self.b.call_runtime(RuntimeFn::Det, &[data, n]);
                        PyValue::Scalar(self.cast_real(det, Scalar::F64, float), float)
                    }
                    LinalgSlogdet => {
                        let slot = self.b.ins(crate::function::Op::StackSlot(8), &[], Ty::Ptr);
                        let sign = self.b.call_runtime(RuntimeFn::Slogdet, &[data, n, slot]);
                        let log_abs = self.b.load(Ty::F64, slot, 0, false);
                        let sign = self.cast_real(sign, Scalar::F64, float);
                        let log_abs = self.cast_real(log_abs, Scalar::F64, float);
                        PyValue::Tuple(vec![
                            PyValue::Scalar(sign, float),
                            PyValue::Scalar(log_abs, float),
                        ])
                    }
                    LinalgCholesky | LinalgEigvalsh => {
                        let (shape, op, message) = if f == LinalgCholesky {
                            (
                                vec![n, n],
                                RuntimeFn::Cholesky,
                                "Matrix is not positive definite",
                            )
                        } else {
                            (vec![n], RuntimeFn::Eigvalsh, "Eigenvalues did not converge")
                        };
                        let out = self.new_array(Scalar::F64, &shape, false, span);
                        let out_data = self.data_of(out.desc);
                        let status = self.b.call_runtime(op, &[data, out_data, n]);
                        let zero = self.b.iconst(Ty::I64, 0);
                        let failed = self.b.icmp(IntCC::Ne, status, zero);
                        self.raise_if(failed, ExceptionKind::LinAlgError, message, span, &[]);
                        self.converted(out, float, span).value()
                    }
                    LinalgEigh => {
                        let w = self.new_array(Scalar::F64, &[n], false, span);
                        let v = self.new_array(Scalar::F64, &[n, n], false, span);
                        let (w_data, v_data) = (self.data_of(w.desc), self.data_of(v.desc));
                        let status = self
                            .b
                            .call_runtime(RuntimeFn::Eigh, &[data, w_data, v_data, n]);
                        let zero = self.b.iconst(Ty::I64, 0);
                        let failed = self.b.icmp(IntCC::Ne, status, zero);
                        let message = "Eigenvalues did not converge";
                        self.raise_if(failed, ExceptionKind::LinAlgError, message, span, &[]);
                        let w = self.converted(w, float, span).value();
                        let v = self.converted(v, float, span).value();
                        PyValue::Tuple(vec![w, v])
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

    /// `np.linalg.svd` of the `rows x cols` float64 matrix at `data`: `(U, S, Vh)`, or `S`
    /// alone when `result_ty` (from the literal `compute_uv`) is an array.
    #[allow(clippy::too_many_arguments)]
    fn lower_svd(
        &mut self,
        arg: &dyn Fn(&str) -> LoweredArg,
        rows: Value,
        cols: Value,
        data: Value,
        result_ty: &Type,
        float: Scalar,
        span: Span,
    ) -> PyValue {
        let compute_uv = matches!(result_ty, Type::Tuple(_));
        let one = self.b.iconst(Ty::I64, 1);
        let full = match arg("full_matrices") {
            Some((PyValue::Scalar(v, s), _)) => self.cast_real(v, s, Scalar::I64),
            _ => one,
        };
        let k = self.b.binary(Op::Smin, rows, cols);
        let s = self.new_array(Scalar::F64, &[k], false, span);
        let s_data = self.data_of(s.desc);
        let zero = self.b.iconst(Ty::I64, 0);
        let is_full = self.b.icmp(IntCC::Ne, full, zero);
        let (u, vt, u_data, vt_data) = if compute_uv {
            let u_cols = self.b.select(is_full, rows, k);
            let vt_rows = self.b.select(is_full, cols, k);
            let u = self.new_array(Scalar::F64, &[rows, u_cols], false, span);
            let vt = self.new_array(Scalar::F64, &[vt_rows, cols], false, span);
            let (u_data, vt_data) = (self.data_of(u.desc), self.data_of(vt.desc));
            (Some(u), Some(vt), u_data, vt_data)
        } else {
            (None, None, zero, zero)
        };
        let flag = if compute_uv { one } else { zero };
        let status = self.b.call_runtime(
            RuntimeFn::Svd,
            &[data, rows, cols, s_data, u_data, vt_data, flag, full],
        );
        let failed = self.b.icmp(IntCC::Ne, status, zero);
        let message = "SVD did not converge";
        self.raise_if(failed, ExceptionKind::LinAlgError, message, span, &[]);
        let s = self.converted(s, float, span).value();
        match (u, vt) {
            (Some(u), Some(vt)) => {
                let u = self.converted(u, float, span).value();
                let vt = self.converted(vt, float, span).value();
                PyValue::Tuple(vec![u, s, vt])
            }
            _ => s,
        }
    }

    /// `np.linalg.lstsq(a, b)`: `(x, residuals, rank, s)` as NumPy; `residuals` is empty
    /// unless `a` has full column rank and more rows than columns.
    fn lower_lstsq(
        &mut self,
        a: &ArrayRef,
        arg: &dyn Fn(&str) -> LoweredArg,
        result_ty: &Type,
        float: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        // The result is a tuple: `float` (its scalar type) says nothing; each array's own.
        let dtype_of = |k: usize| match result_ty {
            Type::Tuple(items) => match items[k] {
                Type::Array { dtype, .. } => dtype,
                _ => float,
            },
            _ => float,
        };
        let (x_dtype, float) = (dtype_of(0), dtype_of(3));
        let b = arg("b")
            .and_then(|(v, _)| ArrayRef::of(&v))
            .ok_or_else(|| unsupported("lstsq() b", span))?;
        let m = self.float64_c(a, span);
        let rhs = self.float64_c(&b, span);
        let shape = self.shape_of(&m);
        let (rows, cols) = (shape[0], shape[1]);
        let b_rows = self.array_dim(rhs.desc, 0);
        let differ = self.b.icmp(IntCC::Ne, b_rows, rows);
        self.raise_if(
            differ,
            ExceptionKind::LinAlgError,
            "Incompatible dimensions",
            span,
            &[],
        );
        let nrhs = if b.ndim == 2 {
            self.array_dim(rhs.desc, 1)
        } else {
            self.b.iconst(Ty::I64, 1)
        };
        let x_shape = if b.ndim == 2 {
            vec![cols, nrhs]
        } else {
            vec![cols]
        };
        let x = self.new_array(Scalar::F64, &x_shape, false, span);
        let k = self.b.binary(Op::Smin, rows, cols);
        let s = self.new_array(Scalar::F64, &[k], false, span);
        let squared = self.new_array(Scalar::F64, &[nrhs], false, span);
        let (a_data, b_data) = (self.data_of(m.desc), self.data_of(rhs.desc));
        let (x_data, s_data, sq_data) = (
            self.data_of(x.desc),
            self.data_of(s.desc),
            self.data_of(squared.desc),
        );
        // NumPy's default `rcond`: `eps * max(m, n)` of float64, where it computes.
        let rcond = match self.tolerance(arg("rcond")) {
            Some(rcond) => rcond,
            None => {
                let largest = self.b.binary(Op::Smax, rows, cols);
                let largest = self.cast_real(largest, Scalar::I64, Scalar::F64);
                let eps = self.b.fconst(Ty::F64, f64::EPSILON);
                self.b.binary(Op::Fmul, eps, largest)
            }
        };
        let rank = self.b.call_runtime(
            RuntimeFn::Lstsq,
            &[
                a_data, b_data, x_data, s_data, sq_data, rows, cols, nrhs, rcond,
            ],
        );
        let zero = self.b.iconst(Ty::I64, 0);
        let failed = self.b.icmp(IntCC::Slt, rank, zero);
        let message = "SVD did not converge in Linear Least Squares";
        self.raise_if(failed, ExceptionKind::LinAlgError, message, span, &[]);
        // NumPy reports residuals only for a full-rank, overdetermined system.
        let full_rank = self.b.icmp(IntCC::Eq, rank, cols);
        let tall = self.b.icmp(IntCC::Sgt, rows, cols);
        let if_full = self.b.select(full_rank, nrhs, zero);
        let count = self.b.select(tall, if_full, zero);
        let residuals = self.new_array(Scalar::F64, &[count], false, span);
        let res_data = self.data_of(residuals.desc);
        let eight = self.b.iconst(Ty::I64, 8);
        self.counted_loop(count, &mut |this, i| {
            let offset = this.b.binary(Op::Imul, i, eight);
            let from = this.b.binary(Op::Iadd, sq_data, offset);
            let to = this.b.binary(Op::Iadd, res_data, offset);
            let v = this.b.load(Ty::F64, from, 0, false);
            this.b.store(to, v, 0);
            Ok(())
        })?;
        let x = self.converted(x, x_dtype, span).value();
        let residuals = self.converted(residuals, x_dtype, span).value();
        let s = self.converted(s, float, span).value();
        Ok(PyValue::Tuple(vec![
            x,
            residuals,
            PyValue::Scalar(rank, Scalar::I64),
            s,
        ]))
    }

    /// The symmetric matrix whose lower triangle is the square `a`'s (a C-contiguous copy in
    /// `a`'s dtype): what `hermitian=True` makes of `a` in NumPy, which reads that triangle.
    pub(crate) fn symmetric_from_lower(&mut self, a: &ArrayRef, span: Span) -> ArrayRef {
        let copy = self.copy_array(a, a.dtype, span);
        let n = self.square_extent(&copy, span);
        let (strides, data) = (self.strides_of(&copy), self.data_of(copy.desc));
        let dtype = a.dtype;
        let _ = self.counted_loop(n, &mut |this, i| {
            this.counted_loop(i, &mut |this, j| {
                let below = this.address_at(data, &strides, &[i, j]);
                let v = this.load_scalar(below, dtype);
                let above = this.address_at(data, &strides, &[j, i]);
                this.store_scalar(above, dtype, v);
                Ok(())
            })
        });
        copy
    }

    /// A tolerance argument (`rcond`, `tol`, `rtol`) given as a number, as a float64.
    fn tolerance(&mut self, tol: LoweredArg) -> Option<Value> {
        match tol {
            Some((PyValue::Scalar(v, s), _)) => Some(self.cast_real(v, s, Scalar::F64)),
            _ => None,
        }
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
    pub(crate) fn square_extent(&mut self, m: &ArrayRef, span: Span) -> Value {
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

    pub(crate) fn raise_singular(&mut self, status: Value, span: Span) {
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

    /// `np.linalg.matrix_power(m, n)` of a float64 matrix: binary powering (the inverse first
    /// for `n < 0`), the identity for `n == 0`.
    /// `m ** n` by repeated squaring, in `dtype`: float64 (`m` C-contiguous; a negative `n`
    /// through the inverse) or `m`'s own integer or bool dtype (`n >= 0`; products that
    /// wrap around as NumPy's, exact whatever their order).
    fn lower_matrix_power(
        &mut self,
        m: &ArrayRef,
        n: Value,
        dtype: Scalar,
        span: Span,
    ) -> LResult<ArrayRef> {
        let size = self.square_extent(m, span);
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let negative = self.b.icmp(IntCC::Slt, n, zero);
        let m_desc = m.desc;
        let base = self.declare_value_var(&PyValue::Scalar(m_desc, Scalar::I64));
        if dtype == Scalar::F64 {
            // The base: m, or its inverse for a negative power.
            let inverse = self.new_array(Scalar::F64, &[size, size], false, span);
            let (m_data, inv_data) = (self.data_of(m.desc), self.data_of(inverse.desc));
            self.when_true(negative, &mut |this| {
                let status = this
                    .b
                    .call_runtime(RuntimeFn::Inv, &[m_data, inv_data, size]);
                this.raise_singular(status, span);
                this.def_value_var(&base, &PyValue::Scalar(inverse.desc, Scalar::I64));
                Ok(())
            })?;
        }
        let minus = self.b.binary(Op::Isub, zero, n);
        let power = self.b.select(negative, minus, n);
        // result = identity; while power: if power & 1: result = result @ base; base @= base.
        let identity = self.new_array(dtype, &[size, size], true, span);
        let id_data = self.data_of(identity.desc);
        let id_strides = self.strides_of(&identity);
        let unit = PyValue::Scalar(self.b.iconst(Ty::I64, 1), Scalar::I64);
        let unit = self.coerce(unit, &Type::Scalar(dtype));
        self.counted_loop(size, &mut |this, i| {
            let p = this.address_at(id_data, &id_strides, &[i, i]);
            this.store_scalar(p, dtype, unit.clone());
            Ok(())
        })?;
        let result = self.declare_value_var(&PyValue::Scalar(identity.desc, Scalar::I64));
        let bits = self.b.iconst(Ty::I64, 63);
        let remaining = self.declare_value_var(&PyValue::Scalar(power, Scalar::I64));
        // The base starts as `m`, which may be strided unless it is the float64 copy.
        let layout = if dtype == Scalar::F64 {
            Layout::C
        } else {
            Layout::A
        };
        let as_matrix = |desc: Value| ArrayRef {
            desc,
            dtype,
            ndim: 2,
            layout,
        };
        let product_ty = Type::array(dtype, 2, Layout::C);
        let multiply = |this: &mut Self, x: Value, y: Value| -> LResult<Value> {
            let (x, y) = (as_matrix(x), as_matrix(y));
            let product = if dtype == Scalar::F64 {
                this.matmul_float64(&x, &y, span)
            } else {
                let ty = x.ty();
                this.lower_dot(x.value(), &ty, y.value(), &ty, &product_ty, span)?
            };
            Ok(ArrayRef::of(&product).expect("an array").desc)
        };
        self.counted_loop(bits, &mut |this, _| {
            let PyValue::Scalar(p, _) = this.use_value_var(&remaining) else {
                unreachable!("integer")
            };
            let more = this.b.icmp(IntCC::Sgt, p, zero);
            this.when_true(more, &mut |this| {
                let low = this.b.binary(Op::Band, p, one);
                let odd = this.b.icmp(IntCC::Ne, low, zero);
                this.when_true(odd, &mut |this| {
                    let PyValue::Scalar(r, _) = this.use_value_var(&result) else {
                        unreachable!("descriptor")
                    };
                    let PyValue::Scalar(bd, _) = this.use_value_var(&base) else {
                        unreachable!("descriptor")
                    };
                    let product = multiply(this, r, bd)?;
                    this.def_value_var(&result, &PyValue::Scalar(product, Scalar::I64));
                    Ok(())
                })?;
                let PyValue::Scalar(bd, _) = this.use_value_var(&base) else {
                    unreachable!("descriptor")
                };
                let squared = multiply(this, bd, bd)?;
                this.def_value_var(&base, &PyValue::Scalar(squared, Scalar::I64));
                let half = this.b.binary(Op::Sshr, p, one);
                this.def_value_var(&remaining, &PyValue::Scalar(half, Scalar::I64));
                Ok(())
            })
        })?;
        let PyValue::Scalar(r, _) = self.use_value_var(&result) else {
            unreachable!("descriptor")
        };
        Ok(as_matrix(r))
    }

    /// `np.kron(a, b)` of two 1-d or two 2-d arrays.
    fn lower_kron(
        &mut self,
        a: &ArrayRef,
        b: &ArrayRef,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let Type::Array { dtype, .. } = *result_ty else {
            return Err(unsupported("kron() result", span));
        };
        let (a_shape, b_shape) = (self.shape_of(a), self.shape_of(b));
        let out_shape: Vec<Value> = a_shape
            .iter()
            .zip(&b_shape)
            .map(|(&x, &y)| self.b.binary(Op::Imul, x, y))
            .collect();
        let out = self.new_array(dtype, &out_shape, false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let (a_strides, a_data) = (self.strides_of(a), self.data_of(a.desc));
        let (b_strides, b_data) = (self.strides_of(b), self.data_of(b.desc));
        let t = Type::Scalar(dtype);
        let (ad, bd) = (a.dtype, b.dtype);
        self.for_each_index(&a_shape, &mut |this, i| {
            let pa = this.address_at(a_data, &a_strides, i);
            let x = this.load_scalar(pa, ad);
            let x = this.coerce(x, &t);
            let i = i.to_vec();
            let b_shape = b_shape.clone();
            this.for_each_index(&b_shape, &mut |this, k| {
                let pb = this.address_at(b_data, &b_strides, k);
                let y = this.load_scalar(pb, bd);
                let y = this.coerce(y, &t);
                let p = this.binary_op(BinOp::Mult, x.clone(), &t, y, &t, span)?;
                let at: Vec<Value> = i
                    .iter()
                    .zip(k)
                    .zip(&b_shape)
                    .map(|((&ia, &kb), &nb)| {
                        let scaled = this.b.binary(Op::Imul, ia, nb);
                        this.b.binary(Op::Iadd, scaled, kb)
                    })
                    .collect();
                let to = this.address_at(out_data, &out_strides, &at);
                this.store_scalar(to, dtype, p);
                Ok(())
            })
        })?;
        Ok(out.value())
    }
}
