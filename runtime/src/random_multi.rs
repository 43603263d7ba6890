//! The vector-valued legacy draws of compiled code's `np.random` stream: `multinomial`,
//! `dirichlet` and `multivariate_normal`. Each row is NumPy's own algorithm
//! (`random_multinomial` in `distributions.c`, `RandomState.dirichlet` and
//! `multivariate_normal` in `mtrand.pyx`) with the same draws in the same order, so a seeded
//! stream equals NumPy's bit for bit for the first two; `multivariate_normal` transforms
//! NumPy's standard normal draws with the SVD of the covariance. Up to 25 dimensions that SVD
//! is LAPACK's algorithm ([`crate::lapack`]), so the samples are NumPy's numbers (to rounding);
//! above, faer's singular vectors' signs may differ, and the samples follow the same
//! distribution without being NumPy's numbers. The runtime checks the parameters (it reads them anyway) and returns a
//! status that the lowering turns into NumPy's `ValueError` (or `LinAlgError`).

use crate::random::{Mt19937, state_at};
use crate::random_legacy::kahan_sum;

/// The parameters were valid; the rows are written.
pub const MULTI_OK: i64 = 0;
/// `multinomial`: `n < 0`.
pub const MULTI_NEGATIVE_N: i64 = 1;
/// `multinomial`: a probability outside `[0, 1]` or NaN.
pub const MULTI_PVALS_RANGE: i64 = 2;
/// `multinomial`: `sum(pvals[:-1]) > 1.0` (beyond NumPy's `1e-12`).
pub const MULTI_PVALS_SUM: i64 = 3;
/// `dirichlet`: some `alpha <= 0`.
pub const MULTI_ALPHA: i64 = 4;
/// `multivariate_normal`: the SVD of the covariance did not converge.
pub const MULTI_SVD: i64 = 5;

impl Mt19937 {
    /// NumPy's `random_binomial`, which (unlike the legacy scalar `binomial`) draws nothing
    /// for `n == 0` or `p == 0`.
    fn multinomial_binomial(&mut self, n: i64, p: f64) -> i64 {
        if n == 0 || p == 0.0 {
            return 0;
        }
        self.binomial(n, p)
    }

    /// One multinomial row (`random_multinomial`): a binomial draw per category on what the
    /// earlier ones left, the last category taking the rest.
    fn multinomial_row(&mut self, n: i64, p: &[f64], out: &mut [i64]) {
        let d = p.len();
        let mut remaining_p = 1.0;
        let mut dn = n;
        for j in 0..d.saturating_sub(1) {
            out[j] = self.multinomial_binomial(dn, p[j] / remaining_p);
            dn -= out[j];
            if dn <= 0 {
                break;
            }
            remaining_p -= p[j];
        }
        if dn > 0 {
            out[d - 1] = dn;
        }
    }
}

/// `np.random.multinomial(n, pvals, size)`: `rows` rows of `d` counts written to `out` (zeroed
/// by the caller), from the `d` contiguous doubles at `p`. Returns [`MULTI_OK`] or the reason
/// for NumPy's `ValueError`.
pub extern "C" fn ferrojit_random_multinomial(
    state: i64,
    n: i64,
    p: i64,
    d: i64,
    rows: i64,
    out: i64,
) -> i64 {
    let d = d.max(0) as usize;
    let rows = rows.max(0) as usize;
    // SAFETY: compiled code passes `d` contiguous doubles and room for `rows * d` i64s.
    let (p, out) = unsafe {
        (
            std::slice::from_raw_parts(p as *const f64, d),
            std::slice::from_raw_parts_mut(out as *mut i64, rows * d),
        )
    };
    if n < 0 {
        return MULTI_NEGATIVE_N;
    }
    if p.iter().any(|v| !(0.0..=1.0).contains(v)) {
        return MULTI_PVALS_RANGE;
    }
    // NumPy sums the first `d - 1` (its `kahan_sum` reads the first one even for `d == 1`).
    if d > 0 && kahan_sum(&p[..(d - 1).max(1)]) > 1.0 + 1e-12 {
        return MULTI_PVALS_SUM;
    }
    if d == 0 {
        return MULTI_OK;
    }
    // SAFETY: compiled code passes an address from `ferrojit_random_state`.
    let mt = unsafe { state_at(state) };
    for row in out.chunks_exact_mut(d) {
        mt.multinomial_row(n, p, row);
    }
    MULTI_OK
}

/// `np.random.dirichlet(alpha, size)`: `rows` rows of `k` values written to `out`, each the
/// legacy standard gamma draws of `alpha` divided by their sum. Returns [`MULTI_OK`] or
/// [`MULTI_ALPHA`].
pub extern "C" fn ferrojit_random_dirichlet(
    state: i64,
    alpha: i64,
    k: i64,
    rows: i64,
    out: i64,
) -> i64 {
    let k = k.max(0) as usize;
    let rows = rows.max(0) as usize;
    // SAFETY: compiled code passes `k` contiguous doubles and room for `rows * k` doubles.
    let (alpha, out) = unsafe {
        (
            std::slice::from_raw_parts(alpha as *const f64, k),
            std::slice::from_raw_parts_mut(out as *mut f64, rows * k),
        )
    };
    if alpha.iter().any(|&a| a <= 0.0) {
        return MULTI_ALPHA;
    }
    if k == 0 {
        return MULTI_OK;
    }
    // SAFETY: as above.
    let mt = unsafe { state_at(state) };
    for row in out.chunks_exact_mut(k) {
        let mut acc = 0.0;
        for (v, &a) in row.iter_mut().zip(alpha) {
            *v = mt.legacy_standard_gamma(a);
            acc += *v;
        }
        let inv = 1.0 / acc;
        for v in row.iter_mut() {
            *v *= inv;
        }
    }
    MULTI_OK
}

/// `np.random.multivariate_normal(mean, cov, size)`: `rows` rows of `d` values written to
/// `out`, from the `d` contiguous doubles at `mean` and the `d x d` C-ordered doubles at
/// `cov`: NumPy's `rows * d` standard normal draws `z`, then `z @ (sqrt(s)[:, None] * vh)
/// + mean` with `cov = u @ diag(s) @ vh`. Returns [`MULTI_OK`] or [`MULTI_SVD`].
pub extern "C" fn ferrojit_random_multivariate_normal(
    state: i64,
    mean: i64,
    cov: i64,
    d: i64,
    rows: i64,
    out: i64,
) -> i64 {
    let d = d.max(0) as usize;
    let rows = rows.max(0) as usize;
    // SAFETY: compiled code passes `d` doubles, `d * d` doubles and room for `rows * d`.
    let (mean, cov, out) = unsafe {
        (
            std::slice::from_raw_parts(mean as *const f64, d),
            faer::MatRef::from_raw_parts(cov as *const f64, d, d, d as isize, 1),
            std::slice::from_raw_parts_mut(out as *mut f64, rows * d),
        )
    };
    // NumPy draws first, then factors the covariance.
    // SAFETY: compiled code passes an address from `ferrojit_random_state`.
    let mt = unsafe { state_at(state) };
    for v in out.iter_mut() {
        *v = mt.legacy_gauss();
    }
    if d == 0 {
        return MULTI_OK;
    }
    // factor[i][j] = sqrt(s[i]) * vh[i][j].
    let mut factor = vec![0.0; d * d];
    if d <= crate::lapack::SMALL {
        // LAPACK's algorithm: NumPy's singular vectors, so NumPy's numbers.
        let mut dense = crate::lapack::dense::Dense::zeros(d, d);
        for i in 0..d {
            for j in 0..d {
                dense.set(i, j, cov[(i, j)]);
            }
        }
        if dense.data.iter().any(|x| !x.is_finite()) {
            return MULTI_SVD;
        }
        let Some(svd) = crate::lapack::bidiagonal::svd(dense, true) else {
            return MULTI_SVD;
        };
        for i in 0..d {
            let root = svd.s[i].sqrt();
            for j in 0..d {
                factor[i * d + j] = root * svd.vt.at(i, j);
            }
        }
    } else {
        let Ok(svd) = cov.svd() else {
            return MULTI_SVD;
        };
        let s = svd.S().column_vector();
        let v = svd.V();
        for i in 0..d {
            let root = s[i].sqrt();
            for j in 0..d {
                factor[i * d + j] = root * v[(j, i)];
            }
        }
    }
    let mut z = vec![0.0; d];
    for row in out.chunks_exact_mut(d) {
        z.copy_from_slice(row);
        for (j, x) in row.iter_mut().enumerate() {
            let mut acc = 0.0;
            for (i, zi) in z.iter().enumerate() {
                acc += zi * factor[i * d + j];
            }
            *x = acc + mean[j];
        }
    }
    MULTI_OK
}
