//! Dense linear algebra for compiled code's `np.dot`/`@` of matrices and `np.linalg.solve`,
//! `inv`, `det`, `slogdet`, `cholesky`, `eigvalsh`, `eigh`, `eig`/`eigvals` (general matrices), `svd`, `matrix_rank`, `pinv`, `qr`, `lstsq` and `norm` with `ord`, on the `faer` crate (pure Rust: no
//! BLAS, LAPACK or SciPy). SVDs of matrices with at most [`crate::lapack::SMALL`] rows or
//! columns, `eigh` of order at most [`crate::lapack::SMALL`], and `eig` of real matrices up to
//! [`crate::lapack::hessenberg::LARGEST`], run [`crate::lapack`] instead, LAPACK's own
//! algorithms, for NumPy's signs and order.
//!
//! Lowering passes C-contiguous `float64` buffers (copies where the operands are not) and
//! allocates the results. Singularity is NumPy's: LAPACK's `getrf` reports an exactly zero
//! pivot of the partially pivoted LU, and so do these functions (a status of 1, which lowering
//! turns into `np.linalg.LinAlgError("Singular matrix")`).

use faer::linalg::solvers::DenseSolveCore;
use faer::prelude::*;
use faer::{Accum, MatMut, MatRef, Par};

/// The `rows x cols` C-contiguous matrix at `data`.
///
/// # Safety
/// `data` addresses `rows * cols` doubles that stay valid and unwritten while the view lives.
unsafe fn view<'a>(data: i64, rows: i64, cols: i64) -> MatRef<'a, f64> {
    // SAFETY: the caller's contract; row stride `cols`, column stride 1.
    unsafe {
        MatRef::from_raw_parts(
            data as *const f64,
            rows as usize,
            cols as usize,
            cols as isize,
            1,
        )
    }
}

/// As [`view`], writable.
///
/// # Safety
/// As [`view`], and nothing else reads or writes the buffer while the view lives.
unsafe fn view_mut<'a>(data: i64, rows: i64, cols: i64) -> MatMut<'a, f64> {
    // SAFETY: the caller's contract.
    unsafe {
        MatMut::from_raw_parts_mut(
            data as *mut f64,
            rows as usize,
            cols as usize,
            cols as isize,
            1,
        )
    }
}

/// `c = a @ b` for C-contiguous `a` (`m x k`), `b` (`k x n`) and `c` (`m x n`).
pub extern "C" fn ferrojit_matmul(a: i64, b: i64, c: i64, m: i64, k: i64, n: i64) -> i64 {
    if m <= 0 || n <= 0 {
        return 0;
    }
    // SAFETY: lowering passes buffers of these shapes; `c` is a fresh result.
    let mut out = unsafe { view_mut(c, m, n) };
    if k <= 0 {
        out.fill(0.0);
        return 0;
    }
    let (lhs, rhs) = unsafe { (view(a, m, k), view(b, k, n)) };
    faer::linalg::matmul::matmul(out, Accum::Replace, lhs, rhs, 1.0, Par::Seq);
    0
}

/// The LU factors of the `n x n` matrix at `a`, or `None` when a pivot is exactly zero.
fn lu(a: i64, n: i64) -> Option<faer::linalg::solvers::PartialPivLu<f64>> {
    // SAFETY: lowering passes an `n x n` buffer.
    let m = unsafe { view(a, n, n) };
    let lu = m.partial_piv_lu();
    let u = lu.U();
    (0..n as usize).all(|i| u[(i, i)] != 0.0).then_some(lu)
}

/// Writes the solution of `a x = b` (`a`: `n x n`, `b` and `x`: `n x nrhs`) to `x`; returns 1
/// for a singular `a`.
pub extern "C" fn ferrojit_solve(a: i64, b: i64, x: i64, n: i64, nrhs: i64) -> i64 {
    if n <= 0 || nrhs <= 0 {
        return 0;
    }
    let Some(lu) = lu(a, n) else { return 1 };
    // SAFETY: `b` is `n x nrhs`; `x` a fresh `n x nrhs` result.
    let (rhs, mut out) = unsafe { (view(b, n, nrhs), view_mut(x, n, nrhs)) };
    out.copy_from(rhs);
    lu.solve_in_place(out);
    0
}

/// Writes the inverse of the `n x n` matrix at `a` to `out`; returns 1 for a singular `a`.
pub extern "C" fn ferrojit_inv(a: i64, out: i64, n: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    let Some(lu) = lu(a, n) else { return 1 };
    let inverse = lu.inverse();
    // SAFETY: `out` is a fresh `n x n` result.
    let mut out = unsafe { view_mut(out, n, n) };
    out.copy_from(&inverse);
    0
}

/// The determinant of the `n x n` matrix at `a` (1 for `n == 0`, as NumPy).
pub extern "C" fn ferrojit_det(a: i64, n: i64) -> f64 {
    if n <= 0 {
        return 1.0;
    }
    // SAFETY: lowering passes an `n x n` buffer.
    unsafe { view(a, n, n) }.determinant()
}

/// `np.linalg.slogdet`: returns the sign of the determinant of the `n x n` matrix at `a`
/// (0 when it is singular) and writes `log |det|` (`-inf` then) to `log_abs`.
pub extern "C" fn ferrojit_slogdet(a: i64, n: i64, log_abs: i64) -> f64 {
    // SAFETY: `log_abs` is a stack slot of one double that lowering passes.
    let out = |v: f64| unsafe { *(log_abs as *mut f64) = v };
    if n <= 0 {
        out(0.0);
        return 1.0;
    }
    // SAFETY: lowering passes an `n x n` buffer.
    let m = unsafe { view(a, n, n) };
    let lu = m.partial_piv_lu();
    let u = lu.U();
    let (mut sign, mut total) = (1.0f64, 0.0f64);
    for i in 0..n as usize {
        let d = u[(i, i)];
        if d == 0.0 {
            out(f64::NEG_INFINITY);
            return 0.0;
        }
        if d < 0.0 {
            sign = -sign;
        }
        total += d.abs().ln();
    }
    // The row permutation's parity.
    let perm = lu.P().arrays().0;
    let mut seen = vec![false; perm.len()];
    for start in 0..perm.len() {
        let mut at = start;
        let mut length = 0usize;
        while !seen[at] {
            seen[at] = true;
            at = perm[at];
            length += 1;
        }
        if length > 0 && length.is_multiple_of(2) {
            sign = -sign;
        }
    }
    out(total);
    sign
}

/// Writes the lower Cholesky factor of the `n x n` matrix at `a` (its lower triangle is
/// read) to `out`, zeros above the diagonal; returns 1 when it is not positive definite.
pub extern "C" fn ferrojit_cholesky(a: i64, out: i64, n: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    // SAFETY: lowering passes an `n x n` buffer and a fresh `n x n` result.
    let (m, mut dst) = unsafe { (view(a, n, n), view_mut(out, n, n)) };
    let Ok(llt) = m.llt(faer::Side::Lower) else {
        return 1;
    };
    let l = llt.L();
    for i in 0..n as usize {
        for j in 0..n as usize {
            dst[(i, j)] = if j <= i { l[(i, j)] } else { 0.0 };
        }
    }
    0
}

/// Writes the eigenvalues (ascending) of the symmetric `n x n` matrix at `a` (its lower
/// triangle is read) to `out`; returns 1 when the iteration does not converge.
pub extern "C" fn ferrojit_eigvalsh(a: i64, out: i64, n: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    // SAFETY: lowering passes an `n x n` buffer and a fresh buffer of `n` doubles.
    let m = unsafe { view(a, n, n) };
    let Ok(mut values) = m.self_adjoint_eigenvalues(faer::Side::Lower) else {
        return 1;
    };
    values.sort_by(f64::total_cmp);
    // SAFETY: as above.
    let dst = unsafe { std::slice::from_raw_parts_mut(out as *mut f64, n as usize) };
    dst.copy_from_slice(&values);
    0
}

/// `np.linalg.eigh`: writes the eigenvalues (ascending) of the symmetric `n x n` matrix at
/// `a` (its lower triangle is read) to `w` and the matching unit eigenvectors, as the columns
/// of an `n x n` matrix, to `v`; returns 1 when the iteration does not converge.
pub extern "C" fn ferrojit_eigh(a: i64, w: i64, v: i64, n: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    if n as usize <= crate::lapack::SMALL {
        return eigh_as_lapack(a, w, v, n as usize);
    }
    // SAFETY: lowering passes an `n x n` buffer, a fresh buffer of `n` doubles and a fresh
    // `n x n` result.
    let (m, mut vectors) = unsafe { (view(a, n, n), view_mut(v, n, n)) };
    let Ok(evd) = m.self_adjoint_eigen(faer::Side::Lower) else {
        return 1;
    };
    // faer sorts the eigenvalues in nondecreasing order, as LAPACK's `syevd` does.
    let values = evd.S().column_vector();
    // SAFETY: as above.
    let dst = unsafe { std::slice::from_raw_parts_mut(w as *mut f64, n as usize) };
    for (i, x) in dst.iter_mut().enumerate() {
        *x = values[i];
    }
    vectors.copy_from(evd.U());
    0
}

/// [`ferrojit_eigh`] for small orders by LAPACK's own algorithm, so that each eigenvector
/// has the sign NumPy gives it (see [`crate::lapack`]).
fn eigh_as_lapack(a: i64, w: i64, v: i64, n: usize) -> i64 {
    // SAFETY: as in `ferrojit_eigh`: an `n x n` input, `n` doubles and an `n x n` result.
    let (input, values, vectors) = unsafe {
        (
            std::slice::from_raw_parts(a as *const f64, n * n),
            std::slice::from_raw_parts_mut(w as *mut f64, n),
            std::slice::from_raw_parts_mut(v as *mut f64, n * n),
        )
    };
    // The row-major input read column-major is its transpose, whose lower triangle holds the
    // input's upper one: transpose, so that LAPACK's `A(i, j)` is the input's `a[i, j]`.
    let mut matrix = vec![0.0; n * n];
    let mut z = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            matrix[j * n + i] = input[i * n + j];
        }
    }
    if crate::lapack::tridiagonal::syevd(n, &mut matrix, values, &mut z).is_err() {
        return 1;
    }
    for i in 0..n {
        for j in 0..n {
            vectors[i * n + j] = z[j * n + i];
        }
    }
    0
}

/// `np.linalg.svd` of the `m x n` matrix at `a`, `k = min(m, n)`: writes the singular values
/// (nonincreasing) to `s`; with `compute_uv`, also `U` to `u` (`m x m` when `full`, else
/// `m x k`) and `V^T` to `vt` (`n x n` when `full`, else `k x n`). Returns 1 when the
/// iteration does not converge.
pub extern "C" fn ferrojit_svd(
    a: i64,
    m: i64,
    n: i64,
    s: i64,
    u: i64,
    vt: i64,
    compute_uv: i64,
    full: i64,
) -> i64 {
    let k = m.min(n);
    if k <= 0 {
        // NumPy's `U`/`V^T` of an empty matrix with full_matrices are identities.
        if compute_uv != 0 && full != 0 {
            // SAFETY: fresh `m x m` and `n x n` results.
            let (mut u, mut vt) = unsafe { (view_mut(u, m, m), view_mut(vt, n, n)) };
            u.copy_from(Mat::<f64>::identity(m.max(0) as usize, m.max(0) as usize));
            vt.copy_from(Mat::<f64>::identity(n.max(0) as usize, n.max(0) as usize));
        }
        return 0;
    }
    // SAFETY: lowering passes an `m x n` buffer and a fresh buffer of `k` doubles.
    let matrix = unsafe { view(a, m, n) };
    let values = unsafe { std::slice::from_raw_parts_mut(s as *mut f64, k as usize) };
    if compute_uv == 0 {
        let Ok(sv) = matrix.singular_values() else {
            return 1;
        };
        values.copy_from_slice(&sv);
        return 0;
    }
    if (k as usize) <= crate::lapack::SMALL {
        // LAPACK's own algorithm, so the singular vectors get NumPy's signs.
        if matrix.col_iter().any(|c| c.iter().any(|x| !x.is_finite())) {
            return 1;
        }
        // SAFETY: as above.
        let buffer = unsafe { std::slice::from_raw_parts(a as *const f64, (m * n) as usize) };
        let dense = crate::lapack::dense::Dense::from_row_major(buffer, m as usize, n as usize);
        let Some(result) = crate::lapack::bidiagonal::svd(dense, full != 0) else {
            return 1;
        };
        values.copy_from_slice(&result.s);
        // SAFETY: fresh results of these shapes.
        let (u_out, vt_out) = unsafe {
            (
                std::slice::from_raw_parts_mut(u as *mut f64, result.u.data.len()),
                std::slice::from_raw_parts_mut(vt as *mut f64, result.vt.data.len()),
            )
        };
        result.u.write_row_major(u_out);
        result.vt.write_row_major(vt_out);
        return 0;
    }
    let decomposition = if full != 0 {
        matrix.svd()
    } else {
        matrix.thin_svd()
    };
    let Ok(svd) = decomposition else { return 1 };
    let diagonal = svd.S().column_vector();
    for (i, x) in values.iter_mut().enumerate() {
        *x = diagonal[i];
    }
    let (u_cols, vt_rows) = if full != 0 { (m, n) } else { (k, k) };
    // SAFETY: fresh results of these shapes.
    let (mut u_out, mut vt_out) = unsafe { (view_mut(u, m, u_cols), view_mut(vt, vt_rows, n)) };
    u_out.copy_from(svd.U());
    vt_out.copy_from(svd.V().transpose());
    0
}

/// `np.linalg.matrix_rank` of the `m x n` matrix at `a`: the number of singular values above
/// `tol`, or above `tol * max(s)` where `relative != 0` (NumPy's `rtol`; its default is
/// `max(m, n) * eps`, which lowering passes); -1 when the SVD does not converge.
pub extern "C" fn ferrojit_matrix_rank(a: i64, m: i64, n: i64, tol: f64, relative: i64) -> i64 {
    if m.min(n) <= 0 {
        return 0;
    }
    // SAFETY: lowering passes an `m x n` buffer.
    let Ok(values) = unsafe { view(a, m, n) }.singular_values() else {
        return -1;
    };
    let tolerance = if relative != 0 {
        values.iter().copied().fold(0.0, f64::max) * tol
    } else {
        tol
    };
    values.iter().filter(|&&x| x > tolerance).count() as i64
}

/// `np.linalg.pinv` of the `m x n` matrix at `a` into the `n x m` result at `out`: singular
/// values up to `rcond * max(s)` count as zero (NumPy's default `rcond` is `1e-15`, which
/// lowering passes); returns 1 when the SVD does not converge.
pub extern "C" fn ferrojit_pinv(a: i64, out: i64, m: i64, n: i64, rcond: f64) -> i64 {
    if m.min(n) <= 0 {
        // SAFETY: a fresh `n x m` result (possibly empty).
        unsafe { view_mut(out, n, m) }.fill(0.0);
        return 0;
    }
    // SAFETY: lowering passes an `m x n` buffer and a fresh `n x m` result.
    let (matrix, mut dst) = unsafe { (view(a, m, n), view_mut(out, n, m)) };
    let Ok(svd) = matrix.thin_svd() else { return 1 };
    let s = svd.S().column_vector();
    let k = m.min(n) as usize;
    let cutoff = rcond * (0..k).map(|i| s[i]).fold(0.0, f64::max);
    // pinv = V diag(1/s) U^T over the singular values above the cutoff.
    let mut scaled_v = svd.V().to_owned();
    for j in 0..k {
        let factor = if s[j] > cutoff { 1.0 / s[j] } else { 0.0 };
        for i in 0..n as usize {
            scaled_v[(i, j)] *= factor;
        }
    }
    faer::linalg::matmul::matmul(
        dst.rb_mut(),
        Accum::Replace,
        scaled_v.as_ref(),
        svd.U().transpose(),
        1.0,
        Par::Seq,
    );
    0
}

/// `np.linalg.qr` of the `m x n` matrix at `a`, `k = min(m, n)` (Householder reflections, as
/// LAPACK's `geqrf`/`orgqr`). Mode `'reduced'` (`complete == 0`): the orthonormal `m x k`
/// factor to `q` and the upper-trapezoidal `k x n` factor to `r`; mode `'complete'`
/// (`complete != 0`): the orthogonal `m x m` factor and the `m x n` one. `q == 0` (mode
/// `'r'`) writes `r` only.
pub extern "C" fn ferrojit_qr(a: i64, q: i64, r: i64, m: i64, n: i64, complete: i64) -> i64 {
    let (m, n) = (m.max(0), n.max(0));
    let k = m.min(n);
    let (q_cols, r_rows) = if complete != 0 { (m, m) } else { (k, k) };
    // SAFETY: lowering passes a fresh `r_rows x n` result (and `m x q_cols` for `q`).
    let mut r_out = unsafe { view_mut(r, r_rows, n) };
    r_out.fill(0.0);
    if k == 0 {
        if q != 0 {
            // SAFETY: as above.
            let mut q_out = unsafe { view_mut(q, m, q_cols) };
            q_out.fill(0.0);
            for i in 0..q_cols.min(m) as usize {
                q_out[(i, i)] = 1.0;
            }
        }
        return 0;
    }
    // SAFETY: lowering passes an `m x n` buffer.
    let matrix = unsafe { view(a, m, n) };
    let qr = matrix.qr();
    if q != 0 {
        // SAFETY: as above.
        let mut q_out = unsafe { view_mut(q, m, q_cols) };
        if complete != 0 {
            q_out.copy_from(qr.compute_Q());
        } else {
            q_out.copy_from(qr.compute_thin_Q());
        }
    }
    let upper = qr.thin_R();
    for i in 0..k as usize {
        for j in i..n as usize {
            r_out[(i, j)] = upper[(i, j)];
        }
    }
    0
}

/// `np.linalg.lstsq(a, b, rcond)` of the `m x n` matrix at `a` and the `m x nrhs`
/// right-hand sides at `b`: writes the minimum-norm least-squares solution (`n x nrhs`) to
/// `x`, the singular values (`min(m, n)`, nonincreasing) to `s` and the squared residual norm
/// of each column of `b` to `residuals` (`nrhs` doubles); returns the rank (singular values
/// above `rcond * max(s)`; NumPy's default `rcond`, `eps * max(m, n)`, is passed by
/// lowering), or -1 when the SVD does not converge. Like LAPACK's `gelsd`, it solves through
/// the SVD, and an `rcond` outside `(0, 1)` means LAPACK's machine precision (`eps / 2`).
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ferrojit_lstsq(
    a: i64,
    b: i64,
    x: i64,
    s: i64,
    residuals: i64,
    m: i64,
    n: i64,
    nrhs: i64,
    rcond: f64,
) -> i64 {
    let k = m.min(n);
    // SAFETY: lowering passes buffers of these shapes; `x`, `s` and `residuals` are fresh.
    let (matrix, rhs, mut solution) =
        unsafe { (view(a, m, n), view(b, m, nrhs), view_mut(x, n, nrhs)) };
    let squared =
        unsafe { std::slice::from_raw_parts_mut(residuals as *mut f64, nrhs.max(0) as usize) };
    solution.fill(0.0);
    if k <= 0 {
        for (j, out) in squared.iter_mut().enumerate() {
            *out = (0..m.max(0) as usize)
                .map(|i| rhs[(i, j)] * rhs[(i, j)])
                .sum();
        }
        return 0;
    }
    let Ok(svd) = matrix.thin_svd() else {
        return -1;
    };
    let values = svd.S().column_vector();
    let singular = unsafe { std::slice::from_raw_parts_mut(s as *mut f64, k as usize) };
    for (i, out) in singular.iter_mut().enumerate() {
        *out = values[i];
    }
    // `gelsd`'s rule (`dlalsd`): `rcond <= 0` or `>= 1` (NaN too) is machine precision.
    let rcond = if rcond > 0.0 && rcond < 1.0 {
        rcond
    } else {
        f64::EPSILON / 2.0
    };
    let cutoff = rcond * singular[0];
    let rank = singular.iter().filter(|&&v| v > cutoff).count();
    // x = V[:, :rank] diag(1 / s[:rank]) U[:, :rank]^T b.
    let mut projected = Mat::<f64>::zeros(rank, nrhs as usize);
    faer::linalg::matmul::matmul(
        projected.as_mut(),
        Accum::Replace,
        svd.U().get(.., ..rank).transpose(),
        rhs,
        1.0,
        Par::Seq,
    );
    for i in 0..rank {
        for j in 0..nrhs as usize {
            projected[(i, j)] /= singular[i];
        }
    }
    faer::linalg::matmul::matmul(
        solution.rb_mut(),
        Accum::Replace,
        svd.V().get(.., ..rank),
        projected.as_ref(),
        1.0,
        Par::Seq,
    );
    // The residuals b - a x, column by column.
    let mut fitted = Mat::<f64>::zeros(m as usize, nrhs as usize);
    faer::linalg::matmul::matmul(
        fitted.as_mut(),
        Accum::Replace,
        matrix,
        solution.rb(),
        1.0,
        Par::Seq,
    );
    for (j, out) in squared.iter_mut().enumerate() {
        *out = (0..m as usize)
            .map(|i| (rhs[(i, j)] - fitted[(i, j)]).powi(2))
            .sum();
    }
    rank as i64
}

/// The `rows x cols` C-contiguous complex matrix at `data` (`(re, im)` pairs of doubles, the
/// layout of NumPy's `complex128`).
///
/// # Safety
/// As [`view`], for `rows * cols` complex numbers.
unsafe fn complex_view<'a>(data: i64, rows: i64, cols: i64) -> MatRef<'a, faer::c64> {
    // SAFETY: the caller's contract; `c64` is `#[repr(C)] { re, im }`.
    unsafe {
        MatRef::from_raw_parts(
            data as *const faer::c64,
            rows as usize,
            cols as usize,
            cols as isize,
            1,
        )
    }
}

/// As [`complex_view`], writable.
///
/// # Safety
/// As [`view_mut`], for `rows * cols` complex numbers.
unsafe fn complex_view_mut<'a>(data: i64, rows: i64, cols: i64) -> MatMut<'a, faer::c64> {
    // SAFETY: the caller's contract.
    unsafe {
        MatMut::from_raw_parts_mut(
            data as *mut faer::c64,
            rows as usize,
            cols as usize,
            cols as isize,
            1,
        )
    }
}

/// The LU factors of the complex `n x n` matrix at `a`, or `None` when a pivot is exactly zero.
fn complex_lu(a: i64, n: i64) -> Option<faer::linalg::solvers::PartialPivLu<faer::c64>> {
    // SAFETY: lowering passes an `n x n` complex buffer.
    let m = unsafe { complex_view(a, n, n) };
    let lu = m.partial_piv_lu();
    let u = lu.U();
    (0..n as usize)
        .all(|i| u[(i, i)].re != 0.0 || u[(i, i)].im != 0.0)
        .then_some(lu)
}

/// [`ferrojit_matmul`] of `complex128` matrices.
pub extern "C" fn ferrojit_complex_matmul(a: i64, b: i64, c: i64, m: i64, k: i64, n: i64) -> i64 {
    if m <= 0 || n <= 0 {
        return 0;
    }
    // SAFETY: lowering passes buffers of these shapes; `c` is a fresh result.
    let mut out = unsafe { complex_view_mut(c, m, n) };
    if k <= 0 {
        out.fill(faer::c64::new(0.0, 0.0));
        return 0;
    }
    let (lhs, rhs) = unsafe { (complex_view(a, m, k), complex_view(b, k, n)) };
    let one = faer::c64::new(1.0, 0.0);
    faer::linalg::matmul::matmul(out, Accum::Replace, lhs, rhs, one, Par::Seq);
    0
}

/// [`ferrojit_solve`] of `complex128` matrices.
pub extern "C" fn ferrojit_complex_solve(a: i64, b: i64, x: i64, n: i64, nrhs: i64) -> i64 {
    if n <= 0 || nrhs <= 0 {
        return 0;
    }
    let Some(lu) = complex_lu(a, n) else { return 1 };
    // SAFETY: `b` is `n x nrhs`; `x` a fresh `n x nrhs` result.
    let (rhs, mut out) = unsafe { (complex_view(b, n, nrhs), complex_view_mut(x, n, nrhs)) };
    out.copy_from(rhs);
    lu.solve_in_place(out);
    0
}

/// [`ferrojit_inv`] of a `complex128` matrix.
pub extern "C" fn ferrojit_complex_inv(a: i64, out: i64, n: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    let Some(lu) = complex_lu(a, n) else { return 1 };
    let inverse = lu.inverse();
    // SAFETY: `out` is a fresh `n x n` result.
    let mut out = unsafe { complex_view_mut(out, n, n) };
    out.copy_from(&inverse);
    0
}

/// The determinant of the `complex128` `n x n` matrix at `a` (1 for `n == 0`), written to
/// `out` as `(re, im)`.
pub extern "C" fn ferrojit_complex_det(a: i64, n: i64, out: i64) -> i64 {
    let det = if n <= 0 {
        faer::c64::new(1.0, 0.0)
    } else {
        // SAFETY: lowering passes an `n x n` complex buffer.
        unsafe { complex_view(a, n, n) }.determinant()
    };
    // SAFETY: `out` is a stack slot of two doubles.
    unsafe { *(out as *mut faer::c64) = det };
    0
}

/// `np.linalg.eig` (`vectors != 0`) or `np.linalg.eigvals` of the general `n x n` matrix at
/// `a`: writes the eigenvalues to `w` (`n` complex numbers, `(re, im)` pairs) and, with
/// `vectors`, the eigenvectors as the columns of the `n x n` complex matrix `v`, each scaled
/// to unit length with its largest component real and positive (LAPACK's `geev` makes it real
/// too; the sign may differ). Real results of matrices up to [`crate::lapack::hessenberg::LARGEST`]
/// run LAPACK's algorithm instead (NumPy's order and signs). Returns 1 when the iteration does not converge, 2 when `a`
/// holds an infinity or NaN (NumPy's "Array must not contain infs or NaNs").
///
/// `mode` bit 0 asks for the eigenvectors; bit 1 ([`EIG_REAL`]) asks for real results, as
/// Numba gives for real input: `w` then holds `n` doubles and `v` `n x n` doubles (the real
/// parts), and the call returns 3 when an eigenvalue is not real (Numba's "domain change").
pub extern "C" fn ferrojit_eig(a: i64, w: i64, v: i64, n: i64, mode: i64) -> i64 {
    if mode & EIG_REAL == 0 {
        return eig_complex_results(a, w, v, n, mode & 1);
    }
    let k = n.max(0) as usize;
    if (1..=crate::lapack::hessenberg::LARGEST).contains(&k) {
        return real_eig_as_lapack(a, w, v, k, mode & 1 != 0);
    }
    let mut values = vec![0.0f64; 2 * k];
    let mut vectors = vec![0.0f64; 2 * k * k];
    let status = eig_complex_results(
        a,
        values.as_mut_ptr() as i64,
        vectors.as_mut_ptr() as i64,
        n,
        mode & 1,
    );
    if status != 0 {
        return status;
    }
    // Exactly zero: a real Schur form gives real eigenvalues without an imaginary part.
    if values.chunks(2).any(|z| z[1] != 0.0) {
        return 3;
    }
    // SAFETY: with `EIG_REAL`, lowering passes fresh results of `n` and `n * n` doubles.
    let out_w = unsafe { std::slice::from_raw_parts_mut(w as *mut f64, k) };
    for (out, z) in out_w.iter_mut().zip(values.chunks(2)) {
        *out = z[0];
    }
    if mode & 1 != 0 {
        // SAFETY: as above.
        let out_v = unsafe { std::slice::from_raw_parts_mut(v as *mut f64, k * k) };
        for (out, z) in out_v.iter_mut().zip(vectors.chunks(2)) {
            *out = z[0];
        }
    }
    0
}

/// [`ferrojit_eig`] with real results for `1 <= k <= LARGEST`: LAPACK's `dgeev` algorithm, so
/// the eigenvalues come in NumPy's order and the eigenvectors with NumPy's signs.
fn real_eig_as_lapack(a: i64, w: i64, v: i64, k: usize, vectors: bool) -> i64 {
    use crate::lapack::hessenberg::{RealEigen, real_eig};
    // SAFETY: lowering passes a `k x k` buffer.
    let input = unsafe { std::slice::from_raw_parts(a as *const f64, k * k) };
    if input.iter().any(|x| !x.is_finite()) {
        return 2;
    }
    let dense = crate::lapack::dense::Dense::from_row_major(input, k, k);
    match real_eig(dense, vectors) {
        RealEigen::NoConvergence => 1,
        RealEigen::Complex => 3,
        RealEigen::Real {
            values,
            vectors: eigenvectors,
        } => {
            // SAFETY: with `EIG_REAL`, lowering passes fresh results of `k` and `k * k` doubles.
            unsafe { std::slice::from_raw_parts_mut(w as *mut f64, k) }.copy_from_slice(&values);
            if let Some(eigenvectors) = eigenvectors {
                // SAFETY: as above.
                eigenvectors.write_row_major(unsafe {
                    std::slice::from_raw_parts_mut(v as *mut f64, k * k)
                });
            }
            0
        }
    }
}

/// The `mode` bit of [`ferrojit_eig`] that asks for real results.
pub const EIG_REAL: i64 = 2;

/// [`ferrojit_eig`] with complex results.
fn eig_complex_results(a: i64, w: i64, v: i64, n: i64, vectors: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    // SAFETY: lowering passes an `n x n` buffer.
    let matrix = unsafe { view(a, n, n) };
    let k = n as usize;
    if (0..k).any(|i| (0..k).any(|j| !matrix[(i, j)].is_finite())) {
        return 2;
    }
    if vectors == 0 {
        let Ok(eigenvalues) = matrix.eigenvalues() else {
            return 1;
        };
        return write_eigen(&eigenvalues, None, w, v, n);
    }
    let Ok(eigen) = matrix.eigen() else {
        return 1;
    };
    let values: Vec<faer::c64> = eigen.S().column_vector().iter().copied().collect();
    write_eigen(&values, Some(eigen.U()), w, v, n)
}

/// [`ferrojit_eig`] of the `complex128` `n x n` matrix at `a`.
pub extern "C" fn ferrojit_complex_eig(a: i64, w: i64, v: i64, n: i64, vectors: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    // SAFETY: lowering passes an `n x n` complex buffer.
    let matrix = unsafe { complex_view(a, n, n) };
    let k = n as usize;
    let finite = |z: faer::c64| z.re.is_finite() && z.im.is_finite();
    if (0..k).any(|i| (0..k).any(|j| !finite(matrix[(i, j)]))) {
        return 2;
    }
    if vectors == 0 {
        let Ok(eigenvalues) = matrix.eigenvalues() else {
            return 1;
        };
        return write_eigen(&eigenvalues, None, w, v, n);
    }
    let Ok(eigen) = matrix.eigen() else {
        return 1;
    };
    let values: Vec<faer::c64> = eigen.S().column_vector().iter().copied().collect();
    write_eigen(&values, Some(eigen.U()), w, v, n)
}

/// Writes eigenvalues to `w` and (when given) the eigenvectors `u` to `v` as `ferrojit_eig`
/// promises: each column scaled to unit length, its largest component real and positive.
fn write_eigen(
    values: &[faer::c64],
    u: Option<MatRef<'_, faer::c64>>,
    w: i64,
    v: i64,
    n: i64,
) -> i64 {
    let k = n as usize;
    // SAFETY: lowering passes fresh results of `n` and `n * n` complex numbers.
    let out_w = unsafe { std::slice::from_raw_parts_mut(w as *mut f64, 2 * k) };
    for (i, z) in values.iter().enumerate().take(k) {
        out_w[2 * i] = z.re;
        out_w[2 * i + 1] = z.im;
    }
    let Some(u) = u else { return 0 };
    // SAFETY: see above.
    let out = unsafe { std::slice::from_raw_parts_mut(v as *mut f64, 2 * k * k) };
    for j in 0..k {
        let modulus = |i: usize| u[(i, j)].re.hypot(u[(i, j)].im);
        let length = (0..k).map(|i| modulus(i).powi(2)).sum::<f64>().sqrt();
        let largest = (0..k).fold(
            0,
            |best, i| if modulus(i) > modulus(best) { i } else { best },
        );
        // Multiplying by conj(u_largest) / |u_largest| makes that component real, positive.
        let (pr, pi) = match modulus(largest) {
            m if m > 0.0 => (u[(largest, j)].re / m, -u[(largest, j)].im / m),
            _ => (1.0, 0.0),
        };
        let scale = if length > 0.0 { 1.0 / length } else { 1.0 };
        for i in 0..k {
            let (re, im) = (u[(i, j)].re, u[(i, j)].im);
            out[2 * (i * k + j)] = (re * pr - im * pi) * scale;
            out[2 * (i * k + j) + 1] = (re * pi + im * pr) * scale;
        }
        out[2 * (largest * k + j) + 1] = 0.0;
    }
    0
}

/// `np.linalg.norm(x, ord)` of a number `ord`, for the C-contiguous vector (`rows` doubles,
/// `matrix == 0`) or `rows x cols` matrix at `x`. Writes 1 to `invalid` (and returns 0) for
/// an order NumPy rejects for matrices.
pub extern "C" fn ferrojit_norm(
    x: i64,
    rows: i64,
    cols: i64,
    matrix: i64,
    ord: f64,
    invalid: i64,
) -> f64 {
    // SAFETY: `invalid` is a stack slot of one i64 that lowering passes.
    let flag = |v: i64| unsafe { *(invalid as *mut i64) = v };
    flag(0);
    if matrix == 0 {
        // SAFETY: lowering passes `rows` doubles.
        let v = unsafe { std::slice::from_raw_parts(x as *const f64, rows.max(0) as usize) };
        let abs = v.iter().map(|e| e.abs());
        return if ord == f64::INFINITY {
            abs.fold(f64::NEG_INFINITY, f64::max)
        } else if ord == f64::NEG_INFINITY {
            abs.fold(f64::INFINITY, f64::min)
        } else if ord == 0.0 {
            v.iter().filter(|&&e| e != 0.0).count() as f64
        } else if ord == 1.0 {
            abs.sum()
        } else if ord == 2.0 {
            v.iter().map(|e| e * e).sum::<f64>().sqrt()
        } else {
            abs.map(|e| e.powf(ord)).sum::<f64>().powf(1.0 / ord)
        };
    }
    let (r, c) = (rows.max(0) as usize, cols.max(0) as usize);
    // SAFETY: lowering passes a `rows x cols` buffer.
    let m = unsafe { view(x, rows.max(0), cols.max(0)) };
    let column_sums = || (0..c).map(move |j| (0..r).map(|i| m[(i, j)].abs()).sum::<f64>());
    let row_sums = || (0..r).map(move |i| (0..c).map(|j| m[(i, j)].abs()).sum::<f64>());
    if ord == 1.0 {
        column_sums().fold(f64::NEG_INFINITY, f64::max)
    } else if ord == -1.0 {
        column_sums().fold(f64::INFINITY, f64::min)
    } else if ord == f64::INFINITY {
        row_sums().fold(f64::NEG_INFINITY, f64::max)
    } else if ord == f64::NEG_INFINITY {
        row_sums().fold(f64::INFINITY, f64::min)
    } else if ord == 2.0 || ord == -2.0 {
        let Ok(values) = m.singular_values() else {
            return f64::NAN;
        };
        if ord == 2.0 {
            values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        } else {
            values.iter().copied().fold(f64::INFINITY, f64::min)
        }
    } else {
        flag(1);
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_systems() {
        let a = [2.0, 1.0, 1.0, 3.0];
        let b = [3.0, 5.0];
        let mut x = [0.0f64; 2];
        let p = |s: &[f64]| s.as_ptr() as i64;
        assert_eq!(ferrojit_solve(p(&a), p(&b), x.as_mut_ptr() as i64, 2, 1), 0);
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
        assert!((ferrojit_det(p(&a), 2) - 5.0).abs() < 1e-12);
        let mut c = [0.0; 4];
        ferrojit_matmul(p(&a), p(&a), c.as_mut_ptr() as i64, 2, 2, 2);
        assert_eq!(c, [5.0, 5.0, 5.0, 10.0]);
        let mut log_abs = 0.0f64;
        let sign = ferrojit_slogdet(p(&[0.0, 1.0, 1.0, 0.0]), 2, &mut log_abs as *mut f64 as i64);
        assert_eq!((sign, log_abs), (-1.0, 0.0));
        let mut l = [0.0; 4];
        assert_eq!(
            ferrojit_cholesky(p(&[4.0, 2.0, 2.0, 3.0]), l.as_mut_ptr() as i64, 2),
            0
        );
        assert_eq!(&l[..3], &[2.0, 0.0, 1.0]);
        assert!((l[3] - 2f64.sqrt()).abs() < 1e-12);
        let mut w = [0.0f64; 2];
        assert_eq!(
            ferrojit_eigvalsh(p(&[2.0, 1.0, 1.0, 2.0]), w.as_mut_ptr() as i64, 2),
            0
        );
        assert!((w[0] - 1.0).abs() < 1e-12 && (w[1] - 3.0).abs() < 1e-12);
        let (mut w, mut v) = ([0.0f64; 2], [0.0f64; 4]);
        let (wp, vp) = (w.as_mut_ptr() as i64, v.as_mut_ptr() as i64);
        assert_eq!(ferrojit_eigh(p(&[2.0, 1.0, 1.0, 2.0]), wp, vp, 2), 0);
        assert!((w[0] - 1.0).abs() < 1e-12 && (w[1] - 3.0).abs() < 1e-12);
        // The first eigenvector is +-(1, -1) / sqrt(2), stored as column 0.
        assert!((v[0] + v[2]).abs() < 1e-12 && (v[0].abs() - 0.5f64.sqrt()).abs() < 1e-12);
        let (mut s, mut u, mut vt) = ([0.0f64; 2], [0.0f64; 4], [0.0f64; 4]);
        let (sp, up, vtp) = (
            s.as_mut_ptr() as i64,
            u.as_mut_ptr() as i64,
            vt.as_mut_ptr() as i64,
        );
        assert_eq!(
            ferrojit_svd(p(&[3.0, 0.0, 0.0, -2.0]), 2, 2, sp, up, vtp, 1, 0),
            0
        );
        assert_eq!(s, [3.0, 2.0]);
        let rank_one = [1.0, 2.0, 2.0, 4.0];
        let eps2 = 2.0 * f64::EPSILON;
        assert_eq!(ferrojit_matrix_rank(p(&rank_one), 2, 2, eps2, 1), 1);
        // An absolute tolerance above the largest singular value (5): no rank left.
        assert_eq!(ferrojit_matrix_rank(p(&rank_one), 2, 2, 5.5, 0), 0);
        let mut pinv = [0.0f64; 2];
        assert_eq!(
            ferrojit_pinv(p(&[2.0, 0.0]), pinv.as_mut_ptr() as i64, 1, 2, 1e-15),
            0
        );
        assert!((pinv[0] - 0.5).abs() < 1e-12 && pinv[1].abs() < 1e-12);
        let (mut q, mut r) = ([0.0f64; 2], [0.0f64; 1]);
        let (qp, rp) = (q.as_mut_ptr() as i64, r.as_mut_ptr() as i64);
        assert_eq!(ferrojit_qr(p(&[3.0, 4.0]), qp, rp, 2, 1, 0), 0);
        assert!((r[0].abs() - 5.0).abs() < 1e-12 && (q[0] * r[0] - 3.0).abs() < 1e-12);
        let singular = [1.0, 2.0, 2.0, 4.0];
        assert_eq!(ferrojit_inv(p(&singular), c.as_mut_ptr() as i64, 2), 1);
    }
}
