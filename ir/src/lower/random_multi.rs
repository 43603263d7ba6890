//! Lowering of `np.random.multinomial(n, pvals, size)` and `np.random.dirichlet(alpha, size)`
//! (typed in `typeinfer/src/infer/numpy_random.rs`): the parameter vector is copied to
//! contiguous `float64`, the result (`size + (len,)`, zeroed) is allocated here, and one
//! runtime call (`runtime::random_multi`) checks the parameters and writes every row in
//! NumPy's order; its status becomes NumPy's `ValueError`.

use super::array_fns::ArrayRef;
use super::random::NUMPY;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Ty};
use frontend::Span;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use runtime::random_multi as rm;
use typeinfer::{ArrayFn, Scalar};

impl Lowerer<'_, '_> {
    /// `multinomial` or `dirichlet` (`f`); `size` is the bound `size=` (not `None`).
    pub(super) fn lower_vector_draw(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> LoweredArg,
        size: LoweredArg,
        span: Span,
    ) -> LResult<PyValue> {
        let multinomial = f == ArrayFn::RandomMultinomial;
        let vector = match f {
            ArrayFn::RandomMultinomial => "pvals",
            ArrayFn::RandomMultivariateNormal => "mean",
            _ => "alpha",
        };
        let v = arg(vector)
            .and_then(|(v, _)| ArrayRef::of(&v))
            .ok_or_else(|| unsupported(format!("{}() here", f.name()), span))?;
        let len = self.array_dim(v.desc, 0);
        let v64 = self.copy_array(&v, Scalar::F64, span);
        let v_data = self.data_of(v64.desc);
        let mut shape = match &size {
            Some((s, _)) => self.shape_values(s),
            None => vec![],
        };
        let rows = self.product(&shape);
        shape.push(len);
        let element = if multinomial {
            Scalar::I64
        } else {
            Scalar::F64
        };
        let out = self.new_array(element, &shape, true, span);
        let out_data = self.data_of(out.desc);
        let st = self.rng_state(NUMPY);
        let (status, errors) = if f == ArrayFn::RandomMultivariateNormal {
            let cov = arg("cov")
                .and_then(|(v, _)| ArrayRef::of(&v))
                .ok_or_else(|| unsupported("multivariate_normal() here", span))?;
            let cov_shape = self.shape_of(&cov);
            let rows_differ = self.b.icmp(IntCC::Ne, cov_shape[0], cov_shape[1]);
            let message = "cov must be 2 dimensional and square";
            self.raise_if(rows_differ, ExceptionKind::ValueError, message, span, &[]);
            let len_differs = self.b.icmp(IntCC::Ne, len, cov_shape[0]);
            let message = "mean and cov must have same length";
            self.raise_if(len_differs, ExceptionKind::ValueError, message, span, &[]);
            let cov64 = self.copy_array(&cov, Scalar::F64, span);
            let cov_data = self.data_of(cov64.desc);
            let status = self.b.call_runtime(
                RuntimeFn::RandomMultivariateNormal,
                &[st, v_data, cov_data, len, rows, out_data],
            );
            let code = self.b.iconst(Ty::I64, rm::MULTI_SVD);
            let failed = self.b.icmp(IntCC::Eq, status, code);
            let message = "SVD did not converge";
            self.raise_if(failed, ExceptionKind::LinAlgError, message, span, &[]);
            (status, &[][..])
        } else if multinomial {
            let n = match arg("n") {
                Some((PyValue::Scalar(n, s), _)) => self.cast_real(n, s, Scalar::I64),
                _ => return Err(unsupported("multinomial() here", span)),
            };
            let status = self.b.call_runtime(
                RuntimeFn::RandomMultinomial,
                &[st, n, v_data, len, rows, out_data],
            );
            let errors: &[(i64, &str)] = &[
                (rm::MULTI_NEGATIVE_N, "n < 0"),
                (
                    rm::MULTI_PVALS_RANGE,
                    "pvals < 0, pvals > 1 or pvals contains NaNs",
                ),
                (rm::MULTI_PVALS_SUM, "sum(pvals[:-1]) > 1.0"),
            ];
            (status, errors)
        } else {
            let status = self.b.call_runtime(
                RuntimeFn::RandomDirichlet,
                &[st, v_data, len, rows, out_data],
            );
            let errors: &[(i64, &str)] = &[(rm::MULTI_ALPHA, "alpha <= 0")];
            (status, errors)
        };
        for &(code, message) in errors {
            let code = self.b.iconst(Ty::I64, code);
            let failed = self.b.icmp(IntCC::Eq, status, code);
            self.raise_if(failed, ExceptionKind::ValueError, message, span, &[]);
        }
        Ok(out.value())
    }
}
