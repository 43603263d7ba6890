//! The BLAS kernels LAPACK's reductions call, with the order of operations of NumPy's
//! OpenBLAS on x86-64 (its `Haswell` kernels, which it picks on AVX2 machines): the assembly
//! microkernels for whole blocks use fused multiply-adds in 4-lane accumulators, the C loops
//! for the rest use separate multiplies and adds.
//!
//! Why: the algorithms in this module are only as sign-faithful as their rounding. When a
//! matrix has exact cancellations (small integer matrices are full of them), whether a
//! Householder vector comes out exactly zero (no reflection) or as a few ulps of noise (a
//! reflection, which flips the sign of a basis vector) depends on these last bits, and so does
//! whether a QR sweep deflates one step earlier. Following the kernels' arithmetic makes the
//! tridiagonal form bitwise equal to NumPy's in the cases measured (see
//! tests/python/test_np_linalg_signs.py); other BLAS builds (other CPUs' kernels) may round
//! differently, and then only such ties can come out with another sign.
//!
//! Invariant: every function names the OpenBLAS kernel it follows; vectors are contiguous.

/// Elements per iteration of the `ddot`/`daxpy` microkernels (four 4-lane registers).
const BLOCK: usize = 16;

/// `ddot` (kernel/x86_64/ddot.c with ddot_microk_haswell-2.c): whole blocks of 16 in four
/// 4-lane FMA accumulators, reduced pairwise, then the tail added one product at a time.
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    let blocked = n / BLOCK * BLOCK;
    let mut sum = 0.0;
    if blocked > 0 {
        let mut acc = [[0.0f64; 4]; 4];
        for i in 0..blocked {
            let (register, lane) = ((i % BLOCK) / 4, i % 4);
            acc[register][lane] = x[i].mul_add(y[i], acc[register][lane]);
        }
        // vextractf128 + vaddpd folds each register to 2 lanes; then registers 0+1, 2+3,
        // their sum, and a horizontal add.
        let halves = acc.map(|r| [r[0] + r[2], r[1] + r[3]]);
        let low = [halves[0][0] + halves[1][0], halves[0][1] + halves[1][1]];
        let high = [halves[2][0] + halves[3][0], halves[2][1] + halves[3][1]];
        let both = [low[0] + high[0], low[1] + high[1]];
        sum = both[0] + both[1];
    }
    for i in blocked..n {
        sum += y[i] * x[i];
    }
    sum
}

/// `daxpy` (kernel/x86_64/daxpy.c with daxpy_microk_haswell-2.c): `y += alpha * x`, fused in
/// whole blocks of 16, a multiply then an add in the tail. The interface skips `alpha == 0`.
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    if alpha == 0.0 {
        return;
    }
    axpy_kernel(alpha, x, y);
}

/// The `daxpy` kernel itself, which `dsyr2` calls directly (also for a zero `alpha`).
fn axpy_kernel(alpha: f64, x: &[f64], y: &mut [f64]) {
    let n = x.len().min(y.len());
    let blocked = n / BLOCK * BLOCK;
    for i in 0..blocked {
        y[i] = alpha.mul_add(x[i], y[i]);
    }
    for i in blocked..n {
        y[i] += alpha * x[i];
    }
}

/// `dsymv('L')` with `beta = 0` (interface/symv.c, kernel/x86_64/dsymv_L.c with
/// dsymv_L_microk_haswell-2.c): `y := alpha * A * x` for the `n x n` symmetric matrix whose
/// lower triangle is the column-major `a` (leading dimension `lda`). Columns go four at a
/// time; within a group of four, rows far enough below run in the FMA microkernel.
pub fn symv_lower(n: usize, alpha: f64, a: &[f64], lda: usize, x: &[f64], y: &mut [f64]) {
    let y = &mut y[..n];
    y.fill(0.0);
    if alpha == 0.0 {
        return;
    }
    let column = |col: usize| &a[col * lda..col * lda + n];
    let at = |row: usize, col: usize| column(col)[row];
    let grouped = n / 4 * 4;
    for j in (0..grouped).step_by(4) {
        let scaled: [f64; 4] = std::array::from_fn(|k| alpha * x[j + k]);
        let mut sums = [0.0f64; 4];
        for k in 0..4 {
            y[j + k] += scaled[k] * at(j + k, j + k);
        }
        // The rows of the 4x4 diagonal block below its diagonal, column by column.
        for k in 0..3 {
            for i in j + k + 1..j + 4 {
                y[i] += scaled[k] * at(i, j + k);
                sums[k] += at(i, j + k) * x[i];
            }
        }
        let mut tail_start = j + 4;
        if n - (j + 1) >= 12 && grouped > j + 4 {
            symv_microkernel(j, j + 4, grouped, &scaled, a, lda, x, y, &mut sums);
            tail_start = grouped;
        }
        let columns: [&[f64]; 4] = std::array::from_fn(|k| column(j + k));
        for i in tail_start..n {
            for k in 0..4 {
                y[i] += scaled[k] * columns[k][i];
                sums[k] += columns[k][i] * x[i];
            }
        }
        for k in 0..4 {
            y[j + k] += alpha * sums[k];
        }
    }
    for j in grouped..n {
        let scaled = alpha * x[j];
        let mut sum = 0.0;
        y[j] += scaled * at(j, j);
        let below = &column(j)[j + 1..];
        for ((yi, &aij), &xi) in y[j + 1..].iter_mut().zip(below).zip(&x[j + 1..n]) {
            *yi += scaled * aij;
            sum += aij * xi;
        }
        y[j] += alpha * sum;
    }
}

/// `dsymv_kernel_4x4` (Haswell): rows `from..to` (a multiple of 4 apart) of columns
/// `j..j+4`, with `y` updated by fused multiply-adds and each column's dot product with `x`
/// in four lanes, reduced as `(l0 + l2) + (l1 + l3)` and added to `sums`.
#[allow(clippy::too_many_arguments)]
fn symv_microkernel(
    j: usize,
    from: usize,
    to: usize,
    scaled: &[f64; 4],
    a: &[f64],
    lda: usize,
    x: &[f64],
    y: &mut [f64],
    sums: &mut [f64; 4],
) {
    let mut lanes = [[0.0f64; 4]; 4];
    let columns: [&[f64]; 4] =
        std::array::from_fn(|k| &a[(j + k) * lda + from..(j + k) * lda + to]);
    for (offset, (yi, &xi)) in y[from..to].iter_mut().zip(&x[from..to]).enumerate() {
        let lane = offset % 4;
        for k in 0..4 {
            let aik = columns[k][offset];
            *yi = scaled[k].mul_add(aik, *yi);
            lanes[k][lane] = xi.mul_add(aik, lanes[k][lane]);
        }
    }
    for k in 0..4 {
        let l = lanes[k];
        sums[k] += (l[0] + l[2]) + (l[1] + l[3]);
    }
}

/// `dsyr2('L')` for `n < 100` with unit strides (interface/syr2.c): `A := A + alpha (x y^T +
/// y x^T)` on the lower triangle, as two `daxpy` kernel calls per column.
pub fn syr2_lower(n: usize, alpha: f64, x: &[f64], y: &[f64], a: &mut [f64], lda: usize) {
    for i in 0..n {
        let column = &mut a[i * lda + i..i * lda + n];
        axpy_kernel(alpha * x[i], &y[i..n], column);
        axpy_kernel(alpha * y[i], &x[i..n], column);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_reduces_blocks_pairwise() {
        let x: Vec<f64> = (0..19).map(|i| 1.0 + i as f64 * 0.1).collect();
        let y: Vec<f64> = (0..19).map(|i| 0.5 - i as f64 * 0.25).collect();
        let plain: f64 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
        assert!((dot(&x, &y) - plain).abs() < 1e-12);
    }

    #[test]
    fn symv_matches_the_plain_product() {
        for n in [1, 3, 4, 7, 16, 17, 24] {
            let a: Vec<f64> = (0..n * n).map(|k| ((k * 7) % 11) as f64 - 5.0).collect();
            let x: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
            let mut y = vec![f64::NAN; n];
            symv_lower(n, 0.5, &a, n, &x, &mut y);
            for (i, &yi) in y.iter().enumerate() {
                let expected: f64 = (0..n)
                    .map(|k| {
                        let (r, c) = if i >= k { (i, k) } else { (k, i) };
                        0.5 * a[c * n + r] * x[k]
                    })
                    .sum();
                assert!((yi - expected).abs() < 1e-12, "n={n} i={i}");
            }
        }
    }
}
