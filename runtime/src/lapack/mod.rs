//! LAPACK's own algorithms for small dense problems, followed step by step so that the factors
//! whose sign the mathematics leaves free (singular vectors, eigenvectors) come out with the
//! signs NumPy's LAPACK gives them.
//!
//! Why: `faer` (the rest of [`crate::linalg`]) computes the same subspaces, but a singular
//! vector or eigenvector is only defined up to its sign, and code ported from Numba (a PCA
//! projection, `U[:, 0]` as a direction) prints LAPACK's choice. That choice is an artifact of
//! LAPACK's algorithm (the sign conventions of its Householder reflections and plane rotations,
//! the direction its QR sweeps chase), so the only way to reproduce it is to run the same
//! algorithm. This module does, for the sizes where LAPACK's drivers use the QR iteration:
//! the SVD ([`bidiagonal`], `dbdsqr`) of matrices of at most [`SMALL`] rows or columns,
//! `eigh` ([`tridiagonal`], `dsteqr`) of order at most [`SMALL`], and `eig` of real matrices ([`hessenberg`], `dlahqr`) up to [`hessenberg::LARGEST`]. Larger
//! problems stay with `faer`, whose signs may differ (documented in docs/language.md).
//!
//! The results equal NumPy's to rounding where the algorithm's sign and order decisions are
//! well separated from ties, which is the rule for SVDs; for `eig` past about 10 x 10 some
//! decisions turn on the last bits, which NumPy's OpenBLAS itself rounds differently per CPU.
//!
//! Invariants: every routine here names the LAPACK routine it follows; matrices are dense
//! column-major `Vec<f64>` with an explicit leading dimension, as in LAPACK, so that index
//! arithmetic reads like the reference code; nothing here allocates per iteration.

pub mod bidiagonal;
pub mod dense;
pub mod hessenberg;
pub mod openblas;
pub mod tridiagonal;

/// LAPACK's `SMLSIZ`: below or at this order `dbdsdc` and `dstedc` use the QR iteration,
/// above it divide and conquer (whose signs these routines do not reproduce).
pub const SMALL: usize = 25;

/// `dlamch('E')`: the relative machine precision LAPACK uses (half an ulp of 1).
pub const EPS: f64 = f64::EPSILON * 0.5;
/// `dlamch('S')`: the smallest normal number (safe minimum).
pub const SAFE_MIN: f64 = f64::MIN_POSITIVE;

/// A plane rotation `[c s; -s c]` with `[c s; -s c] [f; g] = [r; 0]`, LAPACK 3.10's `dlartg`:
/// `c >= 0` and `r` carries the sign of `f`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rotation {
    pub c: f64,
    pub s: f64,
    pub r: f64,
}

/// `dlartg(f, g)` (the LAPACK 3.10+ version, which NumPy's OpenBLAS carries).
pub fn lartg(f: f64, g: f64) -> Rotation {
    let safe_max = 1.0 / SAFE_MIN;
    let root_min = SAFE_MIN.sqrt();
    let root_max = (safe_max / 2.0).sqrt();
    let (f1, g1) = (f.abs(), g.abs());
    if g == 0.0 {
        Rotation {
            c: 1.0,
            s: 0.0,
            r: f,
        }
    } else if f == 0.0 {
        Rotation {
            c: 0.0,
            s: 1.0f64.copysign(g),
            r: g1,
        }
    } else if f1 > root_min && f1 < root_max && g1 > root_min && g1 < root_max {
        let d = (f * f + g * g).sqrt();
        let r = d.copysign(f);
        Rotation {
            c: f1 / d,
            s: g / r,
            r,
        }
    } else {
        let u = safe_max.min(SAFE_MIN.max(f1).max(g1));
        let (fs, gs) = (f / u, g / u);
        let d = (fs * fs + gs * gs).sqrt();
        let r = d.copysign(f);
        Rotation {
            c: fs.abs() / d,
            s: gs / r,
            r: r * u,
        }
    }
}

/// Fortran's `SIGN(a, b)`: `|a|` with the sign of `b` (negative for `b = -0.0`, as gfortran,
/// which built NumPy's LAPACK, does).
pub fn sign(a: f64, b: f64) -> f64 {
    a.abs().copysign(b)
}

/// `dlapy2(x, y)`: `sqrt(x^2 + y^2)` without needless overflow.
pub fn lapy2(x: f64, y: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if y.is_nan() {
        return y;
    }
    let (xa, ya) = (x.abs(), y.abs());
    let (w, z) = (xa.max(ya), xa.min(ya));
    if z == 0.0 || w > f64::MAX {
        w
    } else {
        w * (1.0 + (z / w) * (z / w)).sqrt()
    }
}

/// `dnrm2` of `x` as NumPy's OpenBLAS computes it on x86-64: the sum of squares in x87
/// extended precision, then the root rounded once. A double-double sum (exact products by
/// FMA, compensated additions) reproduces that rounding in all but rare ties; this matters
/// because `dlarfg`'s reflector, and through it the QR iterations, turn on its last bit.
/// Values far from 1 are scaled by a power of 2 first (exactly), as extended precision has
/// the exponent range to need none.
pub fn nrm2(x: impl Iterator<Item = f64> + Clone) -> f64 {
    let largest = x.clone().fold(0.0f64, |m, v| m.max(v.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return largest;
    }
    let exponent = largest.log2().floor() as i32;
    let (scale, unscale) = if !(-500..=500).contains(&exponent) {
        (2.0f64.powi(-exponent), 2.0f64.powi(exponent))
    } else {
        (1.0, 1.0)
    };
    let (mut hi, mut lo) = (0.0f64, 0.0f64);
    for v in x {
        let v = v * scale;
        let square = v * v;
        let square_error = v.mul_add(v, -square);
        let sum = hi + square;
        let carried = sum - hi;
        let add_error = (hi - (sum - carried)) + (square - carried);
        hi = sum;
        lo += add_error + square_error;
    }
    let sum = hi + lo;
    let sum_lo = lo - (sum - hi);
    let root = sum.sqrt();
    // One Newton step on the double-double sum: root + (sum - root^2) / (2 root).
    let residual = (-root).mul_add(root, sum) + sum_lo;
    (root + residual / (2.0 * root)) * unscale
}

/// An elementary reflector `H = I - tau [1; v] [1; v]^T`, as `dlarfg` makes it: `H [alpha; x]
/// = [beta; 0]` with `beta = -sign(alpha) * ||[alpha; x]||`. `x` is overwritten by `v`;
/// returns `(beta, tau)`. `tau = 0` (and `beta = alpha`, whatever its sign) when `x` is zero.
pub fn larfg(alpha: f64, x: &mut [f64], stride: usize) -> (f64, f64) {
    let len = if x.is_empty() {
        0
    } else {
        (x.len() - 1) / stride + 1
    };
    let xnorm = nrm2((0..len).map(|i| x[i * stride]));
    if xnorm == 0.0 {
        return (alpha, 0.0);
    }
    let mut alpha = alpha;
    let mut beta = -lapy2(alpha, xnorm).copysign(alpha);
    let safe_min = SAFE_MIN / EPS;
    let mut rescaled = 0;
    if beta.abs() < safe_min {
        // The reference rescales until beta is representable, then scales beta back.
        let inverse = 1.0 / safe_min;
        while beta.abs() < safe_min && rescaled < 20 {
            rescaled += 1;
            for i in 0..len {
                x[i * stride] *= inverse;
            }
            beta *= inverse;
            alpha *= inverse;
        }
        let xnorm = nrm2((0..len).map(|i| x[i * stride]));
        beta = -lapy2(alpha, xnorm).copysign(alpha);
    }
    let tau = (beta - alpha) / beta;
    let scale = 1.0 / (alpha - beta);
    for i in 0..len {
        x[i * stride] *= scale;
    }
    for _ in 0..rescaled {
        beta *= safe_min;
    }
    (beta, tau)
}

/// `dlascl`'s scaling of `x` by `cto / cfrom`, in the steps it takes (multiplying by the safe
/// minimum or its reciprocal until the remaining ratio is representable), so that scaling a
/// tiny or huge matrix neither overflows nor flushes to zero on the way.
pub fn lascl(cfrom: f64, cto: f64, x: &mut [f64]) {
    let small = SAFE_MIN;
    let big = 1.0 / small;
    let (mut cfromc, mut ctoc) = (cfrom, cto);
    loop {
        let cfrom1 = cfromc * small;
        let (factor, done) = if cfrom1 == cfromc {
            // `cfromc` is infinite: a signed zero for finite `ctoc`, NaN for infinite.
            (ctoc / cfromc, true)
        } else {
            let cto1 = ctoc / big;
            if cto1 == ctoc {
                // `ctoc` is zero or infinite and is itself the factor.
                (ctoc, true)
            } else if cfrom1.abs() > ctoc.abs() && ctoc != 0.0 {
                cfromc = cfrom1;
                (small, false)
            } else if cto1.abs() > cfromc.abs() {
                ctoc = cto1;
                (big, false)
            } else {
                let factor = ctoc / cfromc;
                if factor == 1.0 {
                    return;
                }
                (factor, true)
            }
        };
        for v in x.iter_mut() {
            *v *= factor;
        }
        if done {
            return;
        }
    }
}

/// `dgesdd`'s and `dgeev`'s first step: a matrix whose largest magnitude is below
/// `sqrt(safmin) / prec` or above its reciprocal is scaled to that bound (so the iterations'
/// squares neither underflow nor overflow). Returns the factor that scales the results back
/// (the singular values, the eigenvalues), `None` when the matrix was left as it was.
pub fn scale_into_range(data: &mut [f64]) -> Option<f64> {
    let largest = data.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let small = SAFE_MIN.sqrt() / (2.0 * EPS);
    let big = 1.0 / small;
    let target = if largest > 0.0 && largest < small {
        small
    } else if largest > big {
        big
    } else {
        return None;
    };
    let factor = target / largest;
    data.iter_mut().for_each(|v| *v *= factor);
    Some(largest / target)
}

/// Which side of the matrix a sequence of plane rotations multiplies ([`lasr`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// `A := P A`: rotations mix neighbouring rows.
    Left,
    /// `A := A P^T`: rotations mix neighbouring columns.
    Right,
}

/// The order in which [`lasr`] applies its rotations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `P = P(z-1) ... P(2) P(1)`: rotation 0 first.
    Forward,
    /// `P = P(1) P(2) ... P(z-1)`: the last rotation first.
    Backward,
}

/// `dlasr` with `PIVOT = 'V'`: applies to the `m x n` column-major matrix `a` (leading
/// dimension `lda`) the rotations `k = 0..z-1` in the plane `(k, k+1)` (rows for
/// [`Side::Left`], `z = m`; columns for [`Side::Right`], `z = n`), each
/// `[c(k) s(k); -s(k) c(k)]`. Identity rotations are skipped, as in the reference.
#[allow(clippy::too_many_arguments)]
pub fn lasr(
    side: Side,
    direction: Direction,
    m: usize,
    n: usize,
    c: &[f64],
    s: &[f64],
    a: &mut [f64],
    lda: usize,
) {
    let planes = match side {
        Side::Left => m,
        Side::Right => n,
    };
    if m == 0 || n == 0 || planes < 2 {
        return;
    }
    let mut rotate = |k: usize| {
        let (ck, sk) = (c[k], s[k]);
        if ck == 1.0 && sk == 0.0 {
            return;
        }
        match side {
            Side::Left => {
                for j in 0..n {
                    let (top, next) = (k + j * lda, k + 1 + j * lda);
                    let t = a[next];
                    a[next] = ck * t - sk * a[top];
                    a[top] = sk * t + ck * a[top];
                }
            }
            Side::Right => {
                let (left, rest) = a[k * lda..].split_at_mut(lda);
                for (x, y) in left[..m].iter_mut().zip(&mut rest[..m]) {
                    let t = *y;
                    *y = ck * t - sk * *x;
                    *x = sk * t + ck * *x;
                }
            }
        }
    };
    match direction {
        Direction::Forward => (0..planes - 1).for_each(&mut rotate),
        Direction::Backward => (0..planes - 1).rev().for_each(&mut rotate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotations_follow_lapack_signs() {
        let r = lartg(-3.0, 4.0);
        assert_eq!((r.c, r.s, r.r), (0.6, -0.8, -5.0));
        assert_eq!(
            lartg(0.0, -2.0),
            Rotation {
                c: 0.0,
                s: -1.0,
                r: 2.0
            }
        );
        assert_eq!(
            lartg(-2.0, 0.0),
            Rotation {
                c: 1.0,
                s: 0.0,
                r: -2.0
            }
        );
    }

    #[test]
    fn reflector_annihilates() {
        let mut x = vec![1.0, 2.0];
        let (beta, tau) = larfg(2.0, &mut x, 1);
        assert!((beta + 3.0).abs() < 1e-15);
        // H [2; 1; 2] = [beta; 0; 0] with v = [1; x].
        let v = [1.0, x[0], x[1]];
        let a = [2.0, 1.0, 2.0];
        let dot: f64 = v.iter().zip(a).map(|(v, a)| v * a).sum();
        let h: Vec<f64> = a.iter().zip(v).map(|(a, v)| a - tau * dot * v).collect();
        assert!((h[0] - beta).abs() < 1e-14 && h[1].abs() < 1e-14 && h[2].abs() < 1e-14);
    }
}
