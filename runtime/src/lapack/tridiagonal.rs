//! The symmetric eigendecomposition as LAPACK's `dsyevd` (with `UPLO = 'L'`, NumPy's
//! `eigh`) computes it for matrices of order at most [`super::SMALL`]: Householder
//! tridiagonalization (`dsytd2`), the implicit QL/QR iteration on the tridiagonal matrix
//! (`dsteqr`, which `dstedc` calls at these sizes), then the reflectors applied to its
//! eigenvectors (`dormtr`).
//!
//! Every sign decision of the reference is kept, because together they fix the sign of each
//! eigenvector: `dlarfg`'s `beta = -sign(alpha) * norm`, `dlaev2`'s choice of the rotation for a
//! 2x2 block, the choice between QL and QR by `|d(lend)| < |d(l)|`, Wilkinson's shift with
//! `sign(r, g)`, `dlartg`'s rotations, and the final selection sort that swaps whole vectors.
//! Those decisions can hang on the last bits (a Householder vector that is exactly zero or
//! rounding noise, a deflation test at its threshold), so the reduction uses the arithmetic of
//! NumPy's BLAS ([`super::openblas`]) and `dsteqr` the reference's operation order: on the
//! machines measured, `d` and `e` and the eigenvalues are bitwise NumPy's. Only the final
//! `dormtr` rounds differently (plain loops), within an ulp or two of each vector element.

use super::openblas as blas;
use super::{Direction, EPS, SAFE_MIN, Side, lapy2, larfg, lartg, lascl, lasr};

/// `dsteqr` gives up after this many QL/QR sweeps per eigenvalue (its `MAXIT`).
const MAX_SWEEPS_PER_VALUE: usize = 30;

/// The QL/QR iteration did not converge: `off_diagonal` elements of the tridiagonal matrix
/// were still nonzero (`dsteqr`'s `INFO > 0`; NumPy raises `LinAlgError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotConverged {
    pub off_diagonal: usize,
}

/// `dsyevd('V', 'L')` for `n <= SMALL`: the eigenvalues of the symmetric `n x n` column-major
/// matrix `a` (leading dimension `n`; only its lower triangle is read, and it is overwritten)
/// in ascending order into `w`, and the matching orthonormal eigenvectors, as the columns of a
/// column-major `n x n` matrix, into `z`.
pub fn syevd(n: usize, a: &mut [f64], w: &mut [f64], z: &mut [f64]) -> Result<(), NotConverged> {
    if n == 0 {
        return Ok(());
    }
    if n == 1 {
        w[0] = a[0];
        z[0] = 1.0;
        return Ok(());
    }
    // Scale a matrix whose largest element is tiny or huge into the range where the
    // iteration's squares neither underflow nor overflow; the vectors are unaffected.
    // `dsyevd` takes `dlamch('P')`, the precision times the base: twice `EPS`.
    let small = SAFE_MIN / (2.0 * EPS);
    let (root_min, root_max) = (small.sqrt(), (1.0 / small).sqrt());
    let largest = max_abs((0..n).flat_map(|j| a[j * n + j..(j + 1) * n].iter().copied()));
    let scale = if largest > 0.0 && largest < root_min {
        Some(root_min / largest)
    } else if largest > root_max {
        Some(root_max / largest)
    } else {
        None
    };
    if let Some(sigma) = scale {
        for j in 0..n {
            lascl(1.0, sigma, &mut a[j * n + j..(j + 1) * n]);
        }
    }
    let mut off = vec![0.0; n - 1];
    let mut tau = vec![0.0; n - 1];
    sytd2_lower(n, a, n, w, &mut off, &mut tau);
    // `dstedc('I')` at these orders is `dsteqr('I')`.
    steqr(n, w, &mut off, z, n)?;
    ormtr_lower(n, a, n, &tau, z, n);
    if let Some(sigma) = scale {
        let inverse = 1.0 / sigma;
        for x in w.iter_mut() {
            *x *= inverse;
        }
    }
    Ok(())
}

/// The largest magnitude, NaN if any element is NaN (LAPACK's `dlansy`/`dlanst` with
/// `NORM = 'M'`: a NaN must not be scaled away or hidden by the maximum).
fn max_abs(values: impl Iterator<Item = f64>) -> f64 {
    let mut largest = 0.0f64;
    for v in values {
        let v = v.abs();
        if largest < v || v.is_nan() {
            largest = v;
        }
    }
    largest
}

/// `dsytd2('L')`: reduces the symmetric matrix `a` (lower triangle, column-major, leading
/// dimension `lda`) to tridiagonal form `Q^T A Q` with diagonal `d` and subdiagonal `e`.
/// `Q = H(0) H(1) ... H(n-2)`; `H(i) = I - tau(i) v v^T` with `v = [0 (i+1 zeros); 1;
/// a(i+2.., i)]`: the vectors stay below the subdiagonal of `a`, as in LAPACK.
fn sytd2_lower(n: usize, a: &mut [f64], lda: usize, d: &mut [f64], e: &mut [f64], tau: &mut [f64]) {
    // `dsytd2` keeps w in TAU(i..); the reflector is copied out because `dsyr2` updates the
    // block of `a` beside it.
    let mut w = vec![0.0; n];
    let mut v = vec![0.0; n];
    for i in 0..n - 1 {
        let col = i * lda;
        // H(i) annihilates a(i+2.., i).
        let alpha = a[col + i + 1];
        let (beta, taui) = larfg(alpha, &mut a[col + i + 2..col + n], 1);
        e[i] = beta;
        if taui != 0.0 {
            let size = n - i - 1;
            let (v, w) = (&mut v[..size], &mut w[..size]);
            v[0] = 1.0;
            v[1..].copy_from_slice(&a[col + i + 2..col + n]);
            let block = (i + 1) * lda + i + 1;
            // w := taui A22 v; w -= (taui / 2) (w . v) v; A22 -= v w^T + w v^T.
            blas::symv_lower(size, taui, &a[block..], lda, v, w);
            let alpha = -0.5 * taui * blas::dot(w, v);
            blas::axpy(alpha, v, w);
            blas::syr2_lower(size, -1.0, v, w, &mut a[block..], lda);
        }
        a[col + i + 1] = e[i];
        d[i] = a[col + i];
        tau[i] = taui;
    }
    d[n - 1] = a[(n - 1) * lda + n - 1];
}

/// `dormtr('L', 'L', 'N')`: `c := Q c` for the `Q` that [`sytd2_lower`] left in `a` and
/// `tau` (`c` is `n x n`, column-major, leading dimension `ldc`). As `dorm2r`, the reflectors
/// are applied last to first; row 0 of `c` is untouched, since `Q` fixes the first unit vector.
fn ormtr_lower(n: usize, a: &[f64], lda: usize, tau: &[f64], c: &mut [f64], ldc: usize) {
    for i in (0..n - 1).rev() {
        let taui = tau[i];
        if taui == 0.0 {
            continue;
        }
        // v = [1; a(i+2.., i)] on rows i+1.. of c.
        let first = i + 1;
        let tail = &a[i * lda + first + 1..i * lda + n];
        // c(first.., j) -= taui * v (v^T c(first.., j)), one column at a time (`dlarf`).
        for j in 0..n {
            let column = &mut c[j * ldc + first..j * ldc + n];
            let (head, rest) = column.split_first_mut().expect("first < n");
            let dot = tail
                .iter()
                .zip(rest.iter())
                .fold(*head, |s, (v, x)| s + v * x);
            let factor = taui * dot;
            *head -= factor;
            for (x, v) in rest.iter_mut().zip(tail) {
                *x -= factor * v;
            }
        }
    }
}

/// `dlaev2`: the eigendecomposition of the symmetric 2x2 matrix `[a b; b c]`: `rt1` is the
/// eigenvalue of larger magnitude, `rt2` the other, and `(cs1, sn1)` the unit eigenvector for
/// `rt1`, with `[cs1 sn1; -sn1 cs1]` diagonalizing the matrix.
fn laev2(a: f64, b: f64, c: f64) -> (f64, f64, f64, f64) {
    let sm = a + c;
    let df = a - c;
    let adf = df.abs();
    let tb = b + b;
    let ab = tb.abs();
    let (acmx, acmn) = if a.abs() > c.abs() { (a, c) } else { (c, a) };
    let rt = if adf > ab {
        adf * (1.0 + (ab / adf) * (ab / adf)).sqrt()
    } else if adf < ab {
        ab * (1.0 + (adf / ab) * (adf / ab)).sqrt()
    } else {
        ab * 2.0f64.sqrt()
    };
    let (rt1, rt2, sgn1) = if sm < 0.0 {
        let rt1 = 0.5 * (sm - rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b, -1)
    } else if sm > 0.0 {
        let rt1 = 0.5 * (sm + rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b, 1)
    } else {
        (0.5 * rt, -0.5 * rt, 1)
    };
    let (cs, sgn2) = if df >= 0.0 {
        (df + rt, 1)
    } else {
        (df - rt, -1)
    };
    let (mut cs1, mut sn1) = if cs.abs() > ab {
        let ct = -tb / cs;
        let sn1 = 1.0 / (1.0 + ct * ct).sqrt();
        (ct * sn1, sn1)
    } else if ab == 0.0 {
        (1.0, 0.0)
    } else {
        let tn = -cs / tb;
        let cs1 = 1.0 / (1.0 + tn * tn).sqrt();
        (cs1, tn * cs1)
    };
    if sgn1 == sgn2 {
        (cs1, sn1) = (-sn1, cs1);
    }
    (rt1, rt2, cs1, sn1)
}

/// `dsteqr('I')`: all eigenvalues and eigenvectors of the symmetric tridiagonal matrix with
/// diagonal `d` and subdiagonal `e` (destroyed) by the implicit QL or QR iteration, chosen per
/// unreduced block by which end holds the larger diagonal element. On success `d` is
/// ascending and `z` (`n x n`, column-major, leading dimension `ldz`) holds the eigenvectors.
fn steqr(
    n: usize,
    d: &mut [f64],
    e: &mut [f64],
    z: &mut [f64],
    ldz: usize,
) -> Result<(), NotConverged> {
    for j in 0..n {
        z[j * ldz..j * ldz + n].fill(0.0);
        z[j * ldz + j] = 1.0;
    }
    if n <= 1 {
        return Ok(());
    }
    let eps2 = EPS * EPS;
    let safe_max = 1.0 / SAFE_MIN;
    let scaled_max = safe_max.sqrt() / 3.0;
    let scaled_min = SAFE_MIN.sqrt() / eps2;
    let max_sweeps = n * MAX_SWEEPS_PER_VALUE;
    let mut sweeps = 0;
    // The rotations of one sweep, applied to `z` together (`dlasr`).
    let mut cosines = vec![0.0; n - 1];
    let mut sines = vec![0.0; n - 1];

    // Each pass of this loop splits off the next unreduced block `l..=lend` and diagonalizes it.
    let mut next_start = 0;
    while next_start < n {
        if next_start > 0 {
            e[next_start - 1] = 0.0;
        }
        let mut end = n - 1;
        for m in next_start..n - 1 {
            let tst = e[m].abs();
            if tst == 0.0 {
                end = m;
                break;
            }
            if tst <= (d[m].abs().sqrt() * d[m + 1].abs().sqrt()) * EPS {
                e[m] = 0.0;
                end = m;
                break;
            }
        }
        let (block_start, block_end) = (next_start, end);
        next_start = end + 1;
        if block_end == block_start {
            continue;
        }
        // Scale the block when its elements are near overflow or underflow.
        let norm = max_abs(
            d[block_start..=block_end]
                .iter()
                .chain(&e[block_start..block_end])
                .copied(),
        );
        if norm == 0.0 {
            continue;
        }
        let scaled_to = if norm > scaled_max {
            Some(scaled_max)
        } else if norm < scaled_min {
            Some(scaled_min)
        } else {
            None
        };
        if let Some(to) = scaled_to {
            lascl(norm, to, &mut d[block_start..=block_end]);
            lascl(norm, to, &mut e[block_start..block_end]);
        }
        // QL chases from the top (deflating there), QR from the bottom: start at the end with
        // the smaller diagonal element.
        let (mut l, lend) = if d[block_end].abs() < d[block_start].abs() {
            (block_end, block_start)
        } else {
            (block_start, block_end)
        };
        if lend > l {
            ql_block(
                n,
                d,
                e,
                z,
                ldz,
                &mut l,
                lend,
                &mut sweeps,
                max_sweeps,
                &mut cosines,
                &mut sines,
            );
        } else {
            qr_block(
                n,
                d,
                e,
                z,
                ldz,
                &mut l,
                lend,
                &mut sweeps,
                max_sweeps,
                &mut cosines,
                &mut sines,
            );
        }
        if let Some(to) = scaled_to {
            lascl(to, norm, &mut d[block_start..=block_end]);
            lascl(to, norm, &mut e[block_start..block_end]);
        }
        if sweeps >= max_sweeps {
            // Out of sweeps. LAPACK counts what did not converge and, even when that is
            // nothing, returns without sorting.
            let off_diagonal = e[..n - 1].iter().filter(|&&x| x != 0.0).count();
            return match off_diagonal {
                0 => Ok(()),
                _ => Err(NotConverged { off_diagonal }),
            };
        }
    }
    // Selection sort, swapping whole vectors: LAPACK's order among equal eigenvalues.
    for i in 0..n - 1 {
        let mut k = i;
        let mut p = d[i];
        for (j, &dj) in d.iter().enumerate().take(n).skip(i + 1) {
            if dj < p {
                k = j;
                p = dj;
            }
        }
        if k != i {
            d[k] = d[i];
            d[i] = p;
            for r in 0..n {
                z.swap(i * ldz + r, k * ldz + r);
            }
        }
    }
    Ok(())
}

/// `dsteqr`'s QL iteration (labels 40 to 80) on the block `l..=lend`, `l < lend`: deflates
/// eigenvalues at the top, `l` moving down.
#[allow(clippy::too_many_arguments)]
fn ql_block(
    n: usize,
    d: &mut [f64],
    e: &mut [f64],
    z: &mut [f64],
    ldz: usize,
    l: &mut usize,
    lend: usize,
    sweeps: &mut usize,
    max_sweeps: usize,
    cosines: &mut [f64],
    sines: &mut [f64],
) {
    let eps2 = EPS * EPS;
    loop {
        // The first negligible subdiagonal element at or below `l`.
        let mut m = lend;
        for k in *l..lend {
            let tst = e[k].abs() * e[k].abs();
            if tst <= (eps2 * d[k].abs()) * d[k + 1].abs() + SAFE_MIN {
                m = k;
                break;
            }
        }
        if m < lend {
            e[m] = 0.0;
        }
        let mut p = d[*l];
        if m == *l {
            // d(l) is an eigenvalue.
            *l += 1;
            if *l > lend {
                return;
            }
            continue;
        }
        if m == *l + 1 {
            // A 2x2 block: solve it directly.
            let (rt1, rt2, c, s) = laev2(d[*l], e[*l], d[*l + 1]);
            cosines[*l] = c;
            sines[*l] = s;
            lasr(
                Side::Right,
                Direction::Backward,
                n,
                2,
                &cosines[*l..],
                &sines[*l..],
                &mut z[*l * ldz..],
                ldz,
            );
            d[*l] = rt1;
            d[*l + 1] = rt2;
            e[*l] = 0.0;
            *l += 2;
            if *l > lend {
                return;
            }
            continue;
        }
        if *sweeps == max_sweeps {
            return;
        }
        *sweeps += 1;
        // Wilkinson's shift from the top 2x2 block.
        let mut g = (d[*l + 1] - p) / (2.0 * e[*l]);
        let mut r = lapy2(g, 1.0);
        g = d[m] - p + (e[*l] / (g + r.copysign(g)));
        let (mut s, mut c) = (1.0, 1.0);
        p = 0.0;
        for i in (*l..m).rev() {
            let f = s * e[i];
            let b = c * e[i];
            let rotation = lartg(g, f);
            (c, s, r) = (rotation.c, rotation.s, rotation.r);
            if i != m - 1 {
                e[i + 1] = r;
            }
            g = d[i + 1] - p;
            r = (d[i] - g) * s + 2.0 * c * b;
            p = s * r;
            d[i + 1] = g + p;
            g = c * r - b;
            cosines[i] = c;
            sines[i] = -s;
        }
        lasr(
            Side::Right,
            Direction::Backward,
            n,
            m - *l + 1,
            &cosines[*l..],
            &sines[*l..],
            &mut z[*l * ldz..],
            ldz,
        );
        d[*l] -= p;
        e[*l] = g;
    }
}

/// `dsteqr`'s QR iteration (labels 90 to 130) on the block `lend..=l`, `l > lend`: deflates
/// eigenvalues at the bottom, `l` moving up.
#[allow(clippy::too_many_arguments)]
fn qr_block(
    n: usize,
    d: &mut [f64],
    e: &mut [f64],
    z: &mut [f64],
    ldz: usize,
    l: &mut usize,
    lend: usize,
    sweeps: &mut usize,
    max_sweeps: usize,
    cosines: &mut [f64],
    sines: &mut [f64],
) {
    let eps2 = EPS * EPS;
    loop {
        // The first negligible subdiagonal element at or above `l`.
        let mut m = lend;
        for k in (lend + 1..=*l).rev() {
            let tst = e[k - 1].abs() * e[k - 1].abs();
            if tst <= (eps2 * d[k].abs()) * d[k - 1].abs() + SAFE_MIN {
                m = k;
                break;
            }
        }
        if m > lend {
            e[m - 1] = 0.0;
        }
        let mut p = d[*l];
        if m == *l {
            // d(l) is an eigenvalue.
            if *l == lend {
                return;
            }
            *l -= 1;
            continue;
        }
        if m + 1 == *l {
            // A 2x2 block: solve it directly.
            let (rt1, rt2, c, s) = laev2(d[*l - 1], e[*l - 1], d[*l]);
            cosines[m] = c;
            sines[m] = s;
            lasr(
                Side::Right,
                Direction::Forward,
                n,
                2,
                &cosines[m..],
                &sines[m..],
                &mut z[(*l - 1) * ldz..],
                ldz,
            );
            d[*l - 1] = rt1;
            d[*l] = rt2;
            e[*l - 1] = 0.0;
            if *l < lend + 2 {
                return;
            }
            *l -= 2;
            continue;
        }
        if *sweeps == max_sweeps {
            return;
        }
        *sweeps += 1;
        // Wilkinson's shift from the bottom 2x2 block.
        let mut g = (d[*l - 1] - p) / (2.0 * e[*l - 1]);
        let mut r = lapy2(g, 1.0);
        g = d[m] - p + (e[*l - 1] / (g + r.copysign(g)));
        let (mut s, mut c) = (1.0, 1.0);
        p = 0.0;
        for i in m..*l {
            let f = s * e[i];
            let b = c * e[i];
            let rotation = lartg(g, f);
            (c, s, r) = (rotation.c, rotation.s, rotation.r);
            if i != m {
                e[i - 1] = r;
            }
            g = d[i] - p;
            r = (d[i + 1] - g) * s + 2.0 * c * b;
            p = s * r;
            d[i] = g + p;
            g = c * r - b;
            cosines[i] = c;
            sines[i] = s;
        }
        lasr(
            Side::Right,
            Direction::Forward,
            n,
            *l - m + 1,
            &cosines[m..],
            &sines[m..],
            &mut z[m * ldz..],
            ldz,
        );
        d[*l] -= p;
        e[*l - 1] = g;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `syevd` of the row-major symmetric `matrix`, as row-major `(w, v)`.
    fn eigh(n: usize, matrix: &[f64]) -> (Vec<f64>, Vec<f64>) {
        // Column-major is the transpose, which for a symmetric matrix is itself.
        let mut a = matrix.to_vec();
        let (mut w, mut z) = (vec![0.0; n], vec![0.0; n * n]);
        syevd(n, &mut a, &mut w, &mut z).unwrap();
        let v = (0..n * n).map(|k| z[(k % n) * n + k / n]).collect();
        (w, v)
    }

    fn assert_close(got: &[f64], expected: &[f64]) {
        for (k, (g, e)) in got.iter().zip(expected).enumerate() {
            assert!(
                (g - e).abs() < 1e-13 * e.abs().max(1.0),
                "element {k}: {g} != {e}"
            );
        }
    }

    // Expected values: `np.linalg.eigh` of NumPy 2.4.6 (OpenBLAS 0.3.31), printed with repr.

    #[test]
    fn small_matrix_has_numpys_vectors() {
        let (w, v) = eigh(3, &[2.0, -1.0, 0.5, -1.0, 3.0, 1.0, 0.5, 1.0, -1.0]);
        assert_close(
            &w,
            &[-1.3946789627587366, 1.6964423749737267, 3.6982365877850096],
        );
        #[rustfmt::skip]
        assert_close(&v, &[
            -0.21599857783698392, 0.854200060739249, -0.4729554636595962,
            -0.2631078501318801, 0.4155513843046529, 0.8706843895473644,
            0.9402759560742687, 0.3125048851386961, 0.13498823353563033,
        ]);
    }

    /// An integer matrix whose second Householder vector is zero in exact arithmetic: NumPy's
    /// BLAS leaves rounding noise there, so LAPACK reflects (tau = 2) and flips two vectors.
    #[test]
    fn integer_matrix_follows_the_blas_rounding() {
        #[rustfmt::skip]
        let (w, v) = eigh(4, &[
            -4.0, -2.0, 0.0, -2.0,
            -2.0, 2.0, -4.0, -14.0,
            0.0, -4.0, -6.0, 10.0,
            -2.0, -14.0, 10.0, 2.0,
        ]);
        assert_close(
            &w,
            &[
                -15.508446374362483,
                -7.509636671987386,
                -2.855065850966563,
                19.873148897316437,
            ],
        );
        #[rustfmt::skip]
        assert_close(&v, &[
            -0.19782142648910042, -0.3738469479225118, 0.9061299588337497, -0.00580003920565877,
            -0.45057836953584174, -0.5484122856260653, -0.3286175711756454, -0.6230839347916427,
            0.5337348520395887, -0.7402027446755277, -0.18653798216295772, 0.363910134104102,
            -0.6877302696890093, -0.10762119344363708, -0.1901119954898657, 0.6923165345751252,
        ]);
    }

    #[test]
    fn two_by_two_blocks_follow_dlaev2() {
        // dlaev2's (cs1, sn1) is the eigenvector of the larger-magnitude eigenvalue.
        let (rt1, rt2, cs1, sn1) = laev2(2.0, 1.0, 2.0);
        assert_eq!((rt1, rt2), (3.0, 1.0));
        assert!((cs1 - 0.5f64.sqrt()).abs() < 1e-15 && (sn1 - 0.5f64.sqrt()).abs() < 1e-15);
    }
}
