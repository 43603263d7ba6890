//! Dense linear algebra for compiled code's `np.dot`/`@` of matrices and `np.linalg.solve`,
//! `inv` and `det`, on the `faer` crate (pure Rust: no BLAS, LAPACK or SciPy).
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
        let singular = [1.0, 2.0, 2.0, 4.0];
        assert_eq!(ferrojit_inv(p(&singular), c.as_mut_ptr() as i64, 2), 1);
    }
}
