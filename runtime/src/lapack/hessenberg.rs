//! `np.linalg.eig`/`eigvals` of a real matrix as LAPACK's `dgeev` computes them (right
//! eigenvectors), for matrices below `dhseqr`'s crossover to the multishift QR (`NMIN` = 75):
//! scaling into range, balancing (`dgebal`), Householder reduction to Hessenberg form
//! (`dgehd2`, `dorghr`), the double-shift QR iteration (`dlahqr`, with `dlanv2` for 2x2
//! blocks), eigenvectors of the triangular Schur form (`dtrevc3`), back-transformation
//! (`dgebak`) and unit length.
//!
//! The eigenvalues' order is where the QR iteration deflates them, and an eigenvector's sign
//! comes from the Schur vectors: both are artifacts of the algorithm, which is why it is
//! followed step by step. Only results with real eigenvalues are produced (Numba's `eig` of a
//! real matrix raises when one is complex), so `dtrevc3`'s complex-pair solves are not needed.

use super::dense::{Dense, Reflector};
use super::{EPS, SAFE_MIN, lapy2, nrm2, scale_into_range, sign};

/// The largest order that `dhseqr` hands to `dlahqr` (`n < NMIN = 75`).
pub const LARGEST: usize = 74;

/// `dlamch('P')`: the precision LAPACK's eigenvalue routines call `ULP`.
const ULP: f64 = 2.0 * EPS;

/// What [`real_eig`] found.
#[derive(Debug)]
pub enum RealEigen {
    /// Every eigenvalue is real: the values in LAPACK's order and, when asked for, the unit
    /// eigenvectors as columns.
    Real {
        values: Vec<f64>,
        vectors: Option<Dense>,
    },
    /// Some eigenvalue has a nonzero imaginary part.
    Complex,
    /// The QR iteration did not converge.
    NoConvergence,
}

/// `dgeev('N', vectors ? 'V' : 'N')` of the square matrix `a` (`1 <= n <= LARGEST`, finite).
pub fn real_eig(mut a: Dense, vectors: bool) -> RealEigen {
    let n = a.rows;
    // Scale into range, as `dgeev` does; the eigenvalues are scaled back at the end.
    let unscale = scale_into_range(&mut a.data);
    let balance = balance(&mut a);
    let (ilo, ihi) = (balance.ilo, balance.ihi);
    // `dgehd2`: H = Q^T A Q with Q = H_ilo ... H_(ihi-1) (1-based, as the reference).
    let mut reflectors = Vec::new();
    for i in ilo..ihi {
        let (h, _) = Reflector::of_column_segment(&mut a, i..ihi, i - 1);
        h.apply_right(&mut a, 0..ihi);
        h.apply_left(&mut a, i..n);
        reflectors.push(h);
    }
    // `dorghr`.
    let mut z = Dense::identity(n);
    for h in reflectors.iter().rev() {
        h.apply_left(&mut z, 0..n);
    }
    // `dhseqr`: the eigenvalues that balancing isolated, then `dlahqr` on the rest.
    let mut wr = vec![0.0; n];
    let mut wi = vec![0.0; n];
    for i in (1..ilo).chain(ihi + 1..=n) {
        wr[i - 1] = a.at(i - 1, i - 1);
    }
    if ilo == ihi {
        wr[ilo - 1] = a.at(ilo - 1, ilo - 1);
    } else if !lahqr(&mut a, ilo, ihi, &mut wr, &mut wi, &mut z) {
        return RealEigen::NoConvergence;
    }
    if wi.iter().any(|&v| v != 0.0) {
        return RealEigen::Complex;
    }
    let vectors = vectors.then(|| {
        // Clear below the subdiagonal, as `dhseqr` does before `dtrevc3` reads T.
        for j in 0..n {
            for i in j + 2..n {
                a.set(i, j, 0.0);
            }
        }
        let mut v = triangular_eigenvectors(&a, &z);
        balance.undo_on_rows(&mut v);
        for j in 0..n {
            let length = nrm2((0..n).map(|i| v.at(i, j)));
            let scale = 1.0 / length;
            for i in 0..n {
                v.set(i, j, v.at(i, j) * scale);
            }
        }
        v
    });
    if let Some(factor) = unscale {
        wr.iter_mut().for_each(|v| *v *= factor);
    }
    RealEigen::Real {
        values: wr,
        vectors,
    }
}

/// `dgebal('B')`'s result: rows and columns outside `ilo..=ihi` (1-based) isolate eigenvalues;
/// `scale[j - 1]` is the permutation index there and the diagonal scaling inside.
struct Balance {
    ilo: usize,
    ihi: usize,
    scale: Vec<f64>,
}

impl Balance {
    /// `dgebak('B', 'R')`: undo the scaling, then the permutations, on the rows of `v`.
    fn undo_on_rows(&self, v: &mut Dense) {
        let n = v.rows;
        if self.ilo != self.ihi {
            for i in self.ilo..=self.ihi {
                let s = self.scale[i - 1];
                for j in 0..v.cols {
                    v.set(i - 1, j, v.at(i - 1, j) * s);
                }
            }
        }
        for ii in 1..=n {
            let mut i = ii;
            if i >= self.ilo && i <= self.ihi {
                continue;
            }
            if i < self.ilo {
                i = self.ilo - ii;
            }
            let k = self.scale[i - 1] as usize;
            if k != i {
                v.swap_rows(i - 1, k - 1);
            }
        }
    }
}

/// `dgebal('B')` (LAPACK 3.12's form): permute rows and columns that isolate eigenvalues to
/// the ends, then scale the rest by powers of 2 to even out row and column norms.
fn balance(a: &mut Dense) -> Balance {
    let n = a.rows;
    let at = |a: &Dense, i: usize, j: usize| a.at(i - 1, j - 1);
    let mut scale = vec![0.0; n];
    let (mut k, mut l) = (1usize, n);
    // Rows isolating an eigenvalue go to the bottom. As in the reference's DO loops, each
    // pass visits the indices fixed when it starts while `l` shrinks.
    loop {
        let mut moved = false;
        let last = l;
        for i in (1..=last).rev() {
            let isolating = (1..=l).all(|j| i == j || at(a, i, j) == 0.0);
            if !isolating {
                continue;
            }
            scale[l - 1] = i as f64;
            if i != l {
                swap_columns_then_rows(a, i, l, 1..=l, k..=n);
            }
            moved = true;
            if l == 1 {
                return Balance {
                    ilo: 1,
                    ihi: 1,
                    scale,
                };
            }
            l -= 1;
        }
        if !moved {
            break;
        }
    }
    // Columns isolating an eigenvalue go to the left.
    loop {
        let mut moved = false;
        let first = k;
        for j in first..=l {
            let isolating = (k..=l).all(|i| i == j || at(a, i, j) == 0.0);
            if !isolating {
                continue;
            }
            scale[k - 1] = j as f64;
            if j != k {
                swap_columns_then_rows(a, j, k, 1..=l, k..=n);
            }
            moved = true;
            k += 1;
        }
        if !moved {
            break;
        }
    }
    for s in &mut scale[k - 1..l] {
        *s = 1.0;
    }
    // Scale by powers of 2 until the norms stop improving by 5%.
    const RADIX: f64 = 2.0;
    const FACTOR: f64 = 0.95;
    let sfmin1 = SAFE_MIN / ULP;
    let sfmax1 = 1.0 / sfmin1;
    let sfmin2 = sfmin1 * RADIX;
    let sfmax2 = 1.0 / sfmin2;
    let mut unconverged = true;
    while unconverged {
        unconverged = false;
        for i in k..=l {
            let mut c = nrm2((k..=l).map(|r| at(a, r, i)));
            let mut r = nrm2((k..=l).map(|c| at(a, i, c)));
            let mut ca = (1..=l).map(|r| at(a, r, i).abs()).fold(0.0, f64::max);
            let mut ra = (k..=n).map(|c| at(a, i, c).abs()).fold(0.0, f64::max);
            if c == 0.0 || r == 0.0 {
                continue;
            }
            let mut g = r / RADIX;
            let mut f = 1.0f64;
            let s = c + r;
            while c < g && f.max(c).max(ca) < sfmax2 && r.min(g).min(ra) > sfmin2 {
                f *= RADIX;
                c *= RADIX;
                ca *= RADIX;
                r /= RADIX;
                g /= RADIX;
                ra /= RADIX;
            }
            g = c / RADIX;
            while g >= r && r.max(ra) < sfmax2 && f.min(c).min(g).min(ca) > sfmin2 {
                f /= RADIX;
                c /= RADIX;
                g /= RADIX;
                ca /= RADIX;
                r *= RADIX;
                ra *= RADIX;
            }
            if c + r >= FACTOR * s {
                continue;
            }
            if f < 1.0 && scale[i - 1] < 1.0 && f * scale[i - 1] <= sfmin1 {
                continue;
            }
            if f > 1.0 && scale[i - 1] > 1.0 && scale[i - 1] >= sfmax1 / f {
                continue;
            }
            let g = 1.0 / f;
            scale[i - 1] *= f;
            unconverged = true;
            for c in k..=n {
                a.set(i - 1, c - 1, at(a, i, c) * g);
            }
            for r in 1..=l {
                a.set(r - 1, i - 1, at(a, r, i) * f);
            }
        }
    }
    Balance {
        ilo: k,
        ihi: l,
        scale,
    }
}

/// Swap columns `x` and `y` over `rows`, then rows `x` and `y` over `cols` (1-based).
fn swap_columns_then_rows(
    a: &mut Dense,
    x: usize,
    y: usize,
    rows: std::ops::RangeInclusive<usize>,
    cols: std::ops::RangeInclusive<usize>,
) {
    for i in rows {
        let t = a.at(i - 1, x - 1);
        a.set(i - 1, x - 1, a.at(i - 1, y - 1));
        a.set(i - 1, y - 1, t);
    }
    for j in cols {
        let t = a.at(x - 1, j - 1);
        a.set(x - 1, j - 1, a.at(y - 1, j - 1));
        a.set(y - 1, j - 1, t);
    }
}

/// `dlahqr(wantt, wantz)` on rows and columns `ilo..=ihi` (1-based) of the Hessenberg `h`,
/// accumulating into `z`: `h` becomes the real Schur form, `wr`/`wi` its eigenvalues. Returns
/// false when some eigenvalue does not converge.
fn lahqr(
    h: &mut Dense,
    ilo: usize,
    ihi: usize,
    wr: &mut [f64],
    wi: &mut [f64],
    z: &mut Dense,
) -> bool {
    let n = h.rows;
    let g = |h: &Dense, i: usize, j: usize| h.at(i - 1, j - 1);
    let put = |h: &mut Dense, i: usize, j: usize, v: f64| h.set(i - 1, j - 1, v);
    const DAT1: f64 = 3.0 / 4.0;
    const DAT2: f64 = -0.4375;
    const KEXSH: usize = 10;
    for j in ilo..=ihi.saturating_sub(3) {
        put(h, j + 2, j, 0.0);
        put(h, j + 3, j, 0.0);
    }
    if ilo + 2 <= ihi {
        put(h, ihi, ihi - 2, 0.0);
    }
    let nh = ihi - ilo + 1;
    let smlnum = SAFE_MIN * (nh as f64 / ULP);
    let (i1, i2) = (1usize, n);
    let itmax = 30 * nh.max(10);
    let mut kdefl = 0usize;
    let mut i = ihi;
    loop {
        // Label 20.
        let mut l = ilo;
        if i < ilo {
            return true;
        }
        let mut converged = false;
        for _its in 0..=itmax {
            // Look for a single small subdiagonal element.
            let mut k = i;
            while k > l {
                if g(h, k, k - 1).abs() <= smlnum {
                    break;
                }
                let mut tst = g(h, k - 1, k - 1).abs() + g(h, k, k).abs();
                if tst == 0.0 {
                    if k >= ilo + 2 {
                        tst += g(h, k - 1, k - 2).abs();
                    }
                    if k < ihi {
                        tst += g(h, k + 1, k).abs();
                    }
                }
                if g(h, k, k - 1).abs() <= ULP * tst {
                    let ab = g(h, k, k - 1).abs().max(g(h, k - 1, k).abs());
                    let ba = g(h, k, k - 1).abs().min(g(h, k - 1, k).abs());
                    let aa = g(h, k, k)
                        .abs()
                        .max((g(h, k - 1, k - 1) - g(h, k, k)).abs());
                    let bb = g(h, k, k)
                        .abs()
                        .min((g(h, k - 1, k - 1) - g(h, k, k)).abs());
                    let s = aa + ab;
                    if ba * (ab / s) <= smlnum.max(ULP * (bb * (aa / s))) {
                        break;
                    }
                }
                k -= 1;
            }
            l = k;
            if l > ilo {
                put(h, l, l - 1, 0.0);
            }
            if l + 1 >= i {
                converged = true;
                break;
            }
            kdefl += 1;
            // The shifts: exceptional every KEXSH deflation-free steps.
            let (mut h11, mut h12, mut h21, mut h22);
            if kdefl.is_multiple_of(2 * KEXSH) {
                let s = g(h, i, i - 1).abs() + g(h, i - 1, i - 2).abs();
                h11 = DAT1 * s + g(h, i, i);
                h12 = DAT2 * s;
                h21 = s;
                h22 = h11;
            } else if kdefl.is_multiple_of(KEXSH) {
                let s = g(h, l + 1, l).abs() + g(h, l + 2, l + 1).abs();
                h11 = DAT1 * s + g(h, l, l);
                h12 = DAT2 * s;
                h21 = s;
                h22 = h11;
            } else {
                h11 = g(h, i - 1, i - 1);
                h21 = g(h, i, i - 1);
                h12 = g(h, i - 1, i);
                h22 = g(h, i, i);
            }
            let s = h11.abs() + h12.abs() + h21.abs() + h22.abs();
            let (rt1r, rt1i, rt2r, rt2i);
            if s == 0.0 {
                (rt1r, rt1i, rt2r, rt2i) = (0.0, 0.0, 0.0, 0.0);
            } else {
                h11 /= s;
                h21 /= s;
                h12 /= s;
                h22 /= s;
                let tr = (h11 + h22) / 2.0;
                let det = (h11 - tr) * (h22 - tr) - h12 * h21;
                let rtdisc = det.abs().sqrt();
                if det >= 0.0 {
                    rt1r = tr * s;
                    rt2r = rt1r;
                    rt1i = rtdisc * s;
                    rt2i = -rt1i;
                } else {
                    let (a, b) = (tr + rtdisc, tr - rtdisc);
                    let r = if (a - h22).abs() <= (b - h22).abs() {
                        a * s
                    } else {
                        b * s
                    };
                    rt1r = r;
                    rt2r = r;
                    rt1i = 0.0;
                    rt2i = 0.0;
                }
            }
            // Look for two consecutive small subdiagonal elements.
            let mut v = [0.0f64; 3];
            let mut m = i - 2;
            loop {
                let h21s = g(h, m + 1, m);
                let s = (g(h, m, m) - rt2r).abs() + rt2i.abs() + h21s.abs();
                let h21s = g(h, m + 1, m) / s;
                v[0] = h21s * g(h, m, m + 1) + (g(h, m, m) - rt1r) * ((g(h, m, m) - rt2r) / s)
                    - rt1i * (rt2i / s);
                v[1] = h21s * (g(h, m, m) + g(h, m + 1, m + 1) - rt1r - rt2r);
                v[2] = h21s * g(h, m + 2, m + 1);
                let s = v[0].abs() + v[1].abs() + v[2].abs();
                v[0] /= s;
                v[1] /= s;
                v[2] /= s;
                if m == l {
                    break;
                }
                let h00 = g(h, m, m - 1).abs() * (v[1].abs() + v[2].abs());
                let h01 = ULP
                    * v[0].abs()
                    * (g(h, m - 1, m - 1).abs() + g(h, m, m).abs() + g(h, m + 1, m + 1).abs());
                if h00 <= h01 {
                    break;
                }
                m -= 1;
            }
            // The double-shift QR step.
            for k in m..i {
                let nr = 3.min(i - k + 1);
                if k > m {
                    for (t, vt) in v.iter_mut().enumerate().take(nr) {
                        *vt = g(h, k + t, k - 1);
                    }
                }
                let (beta, t1) = super::larfg(v[0], &mut v[1..nr], 1);
                v[0] = beta;
                if k > m {
                    put(h, k, k - 1, v[0]);
                    put(h, k + 1, k - 1, 0.0);
                    if k < i - 1 {
                        put(h, k + 2, k - 1, 0.0);
                    }
                } else if m > l {
                    // The reference's form, not a plain negation: it stays right when v(2)
                    // and v(3) underflow.
                    let x = g(h, k, k - 1) * (1.0 - t1);
                    put(h, k, k - 1, x);
                }
                let v2 = v[1];
                let t2 = t1 * v2;
                if nr == 3 {
                    let v3 = v[2];
                    let t3 = t1 * v3;
                    for j in k..=i2 {
                        let sum = g(h, k, j) + v2 * g(h, k + 1, j) + v3 * g(h, k + 2, j);
                        put(h, k, j, g(h, k, j) - sum * t1);
                        put(h, k + 1, j, g(h, k + 1, j) - sum * t2);
                        put(h, k + 2, j, g(h, k + 2, j) - sum * t3);
                    }
                    for j in i1..=(k + 3).min(i) {
                        let sum = g(h, j, k) + v2 * g(h, j, k + 1) + v3 * g(h, j, k + 2);
                        put(h, j, k, g(h, j, k) - sum * t1);
                        put(h, j, k + 1, g(h, j, k + 1) - sum * t2);
                        put(h, j, k + 2, g(h, j, k + 2) - sum * t3);
                    }
                    for j in ilo..=ihi {
                        let sum = g(z, j, k) + v2 * g(z, j, k + 1) + v3 * g(z, j, k + 2);
                        put(z, j, k, g(z, j, k) - sum * t1);
                        put(z, j, k + 1, g(z, j, k + 1) - sum * t2);
                        put(z, j, k + 2, g(z, j, k + 2) - sum * t3);
                    }
                } else if nr == 2 {
                    for j in k..=i2 {
                        let sum = g(h, k, j) + v2 * g(h, k + 1, j);
                        put(h, k, j, g(h, k, j) - sum * t1);
                        put(h, k + 1, j, g(h, k + 1, j) - sum * t2);
                    }
                    for j in i1..=i {
                        let sum = g(h, j, k) + v2 * g(h, j, k + 1);
                        put(h, j, k, g(h, j, k) - sum * t1);
                        put(h, j, k + 1, g(h, j, k + 1) - sum * t2);
                    }
                    for j in ilo..=ihi {
                        let sum = g(z, j, k) + v2 * g(z, j, k + 1);
                        put(z, j, k, g(z, j, k) - sum * t1);
                        put(z, j, k + 1, g(z, j, k + 1) - sum * t2);
                    }
                }
            }
        }
        if !converged {
            return false;
        }
        // Label 150: one eigenvalue, or a 2x2 block standardized by `dlanv2`.
        if l == i {
            wr[i - 1] = g(h, i, i);
            wi[i - 1] = 0.0;
        } else if l + 1 == i {
            let block = lanv2(
                g(h, i - 1, i - 1),
                g(h, i - 1, i),
                g(h, i, i - 1),
                g(h, i, i),
            );
            put(h, i - 1, i - 1, block.a);
            put(h, i - 1, i, block.b);
            put(h, i, i - 1, block.c);
            put(h, i, i, block.d);
            (wr[i - 2], wi[i - 2], wr[i - 1], wi[i - 1]) =
                (block.rt1r, block.rt1i, block.rt2r, block.rt2i);
            let (cs, sn) = (block.cs, block.sn);
            if i2 > i {
                for j in i + 1..=i2 {
                    let (x, y) = (g(h, i - 1, j), g(h, i, j));
                    put(h, i - 1, j, cs * x + sn * y);
                    put(h, i, j, cs * y - sn * x);
                }
            }
            for j in i1..i - 1 {
                let (x, y) = (g(h, j, i - 1), g(h, j, i));
                put(h, j, i - 1, cs * x + sn * y);
                put(h, j, i, cs * y - sn * x);
            }
            for j in ilo..=ihi {
                let (x, y) = (g(z, j, i - 1), g(z, j, i));
                put(z, j, i - 1, cs * x + sn * y);
                put(z, j, i, cs * y - sn * x);
            }
        }
        kdefl = 0;
        i = l - 1;
    }
}

/// `dlanv2`'s standardized 2x2 block `[a b; c d]`, its eigenvalues and the rotation.
struct Schur2 {
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    rt1r: f64,
    rt1i: f64,
    rt2r: f64,
    rt2i: f64,
    cs: f64,
    sn: f64,
}

/// `dlanv2`: the Schur factorization of a real 2x2 matrix in standard form (upper triangular
/// for real eigenvalues, equal diagonal and opposite-signed off-diagonal for complex ones).
fn lanv2(mut a: f64, mut b: f64, mut c: f64, mut d: f64) -> Schur2 {
    const MULTPL: f64 = 4.0;
    // `dlamch('B') ** int(log(safmin / eps) / log(2) / 2)` with eps = 2^-52: 2^-485.
    let safmn2 = 2.0f64.powi(((SAFE_MIN / ULP).ln() / 2.0f64.ln() / 2.0) as i32);
    let safmx2 = 1.0 / safmn2;
    let (mut cs, mut sn);
    if c == 0.0 {
        cs = 1.0;
        sn = 0.0;
    } else if b == 0.0 {
        cs = 0.0;
        sn = 1.0;
        std::mem::swap(&mut a, &mut d);
        b = -c;
        c = 0.0;
    } else if a - d == 0.0 && sign(1.0, b) != sign(1.0, c) {
        cs = 1.0;
        sn = 0.0;
    } else {
        let mut temp = a - d;
        let mut p = 0.5 * temp;
        let bcmax = b.abs().max(c.abs());
        let bcmis = b.abs().min(c.abs()) * sign(1.0, b) * sign(1.0, c);
        let mut scale = p.abs().max(bcmax);
        let mut z = (p / scale) * p + (bcmax / scale) * bcmis;
        if z >= MULTPL * ULP {
            // Real eigenvalues.
            z = p + sign(scale.sqrt() * z.sqrt(), p);
            a = d + z;
            d -= (bcmax / z) * bcmis;
            let tau = lapy2(c, z);
            cs = z / tau;
            sn = c / tau;
            b -= c;
            c = 0.0;
        } else {
            // Complex or nearly equal real eigenvalues: make the diagonal equal.
            let mut count = 0;
            let mut sigma = b + c;
            loop {
                count += 1;
                scale = temp.abs().max(sigma.abs());
                if scale >= safmx2 {
                    sigma *= safmn2;
                    temp *= safmn2;
                    if count <= 20 {
                        continue;
                    }
                }
                if scale <= safmn2 {
                    sigma *= safmx2;
                    temp *= safmx2;
                    if count <= 20 {
                        continue;
                    }
                }
                break;
            }
            p = 0.5 * temp;
            let mut tau = lapy2(sigma, temp);
            cs = (0.5 * (1.0 + sigma.abs() / tau)).sqrt();
            sn = -(p / (tau * cs)) * sign(1.0, sigma);
            let aa = a * cs + b * sn;
            let bb = -a * sn + b * cs;
            let cc = c * cs + d * sn;
            let dd = -c * sn + d * cs;
            a = aa * cs + cc * sn;
            b = (bb * cs) + (dd * sn);
            c = -(aa * sn) + (cc * cs);
            d = -bb * sn + dd * cs;
            temp = 0.5 * (a + d);
            a = temp;
            d = temp;
            if c != 0.0 {
                if b != 0.0 {
                    if sign(1.0, b) == sign(1.0, c) {
                        // Real eigenvalues: reduce to upper triangular form.
                        let sab = b.abs().sqrt();
                        let sac = c.abs().sqrt();
                        p = sign(sab * sac, c);
                        tau = 1.0 / (b + c).abs().sqrt();
                        a = temp + p;
                        d = temp - p;
                        b -= c;
                        c = 0.0;
                        let cs1 = sab * tau;
                        let sn1 = sac * tau;
                        let t = cs * cs1 - sn * sn1;
                        sn = cs * sn1 + sn * cs1;
                        cs = t;
                    }
                } else {
                    b = -c;
                    c = 0.0;
                    let t = cs;
                    cs = -sn;
                    sn = t;
                }
            }
        }
    }
    let (rt1i, rt2i) = if c == 0.0 {
        (0.0, 0.0)
    } else {
        let v = b.abs().sqrt() * c.abs().sqrt();
        (v, -v)
    };
    Schur2 {
        a,
        b,
        c,
        d,
        rt1r: a,
        rt1i,
        rt2r: d,
        rt2i,
        cs,
        sn,
    }
}

/// `dtrevc3('R', 'B')` for an upper triangular Schur form `t` (every eigenvalue real) with
/// Schur vectors `q`: the eigenvectors `q x`, each scaled so its largest entry is +-1.
fn triangular_eigenvectors(t: &Dense, q: &Dense) -> Dense {
    let n = t.rows;
    let unfl = SAFE_MIN;
    let smlnum = unfl * (n as f64 / ULP);
    let bignum = (1.0 - ULP) / smlnum;
    // The 1-norms of the strictly upper part of each column, for overflow checks.
    let column_norms: Vec<f64> = (0..n)
        .map(|j| (0..j).map(|i| t.at(i, j).abs()).sum())
        .collect();
    let mut out = Dense::zeros(n, n);
    let mut x = vec![0.0; n];
    for ki in (0..n).rev() {
        let wr = t.at(ki, ki);
        let smin = (ULP * wr.abs()).max(smlnum);
        x[ki] = 1.0;
        for (k, xk) in x.iter_mut().enumerate().take(ki) {
            *xk = -t.at(k, ki);
        }
        for j in (0..ki).rev() {
            // `dlaln2` for a 1x1 block: solve (T(j, j) - wr) x_j = rhs with perturbation.
            let solved = solve_1x1(t.at(j, j) - wr, smin, x[j]);
            let (mut xj, mut scale) = (solved.x, solved.scale);
            let xnorm = xj.abs();
            if xnorm > 1.0 && column_norms[j] > bignum / xnorm {
                xj /= xnorm;
                scale /= xnorm;
            }
            if scale != 1.0 {
                x[..=ki].iter_mut().for_each(|v| *v *= scale);
            }
            x[j] = xj;
            for (i, xi) in x.iter_mut().enumerate().take(j) {
                *xi -= xj * t.at(i, j);
            }
        }
        // Back-transform and scale the largest entry to +-1.
        for i in 0..n {
            let v: f64 = (0..=ki).map(|k| q.at(i, k) * x[k]).sum();
            out.set(i, ki, v);
        }
        let mut largest = 0;
        for i in 1..n {
            if out.at(i, ki).abs() > out.at(largest, ki).abs() {
                largest = i;
            }
        }
        let remax = 1.0 / out.at(largest, ki).abs();
        for i in 0..n {
            out.set(i, ki, out.at(i, ki) * remax);
        }
    }
    out
}

struct Solved {
    x: f64,
    scale: f64,
}

/// `dlaln2(na = 1, nw = 1)`: `x = rhs * scale / c`, with `c` raised to `smin` when smaller and
/// `scale` < 1 only where the quotient would overflow.
fn solve_1x1(c: f64, smin: f64, rhs: f64) -> Solved {
    let smlnum = 2.0 * SAFE_MIN;
    let bignum = 1.0 / smlnum;
    let smini = smin.max(smlnum);
    let (mut csr, mut cnorm) = (c, c.abs());
    if cnorm < smini {
        csr = smini;
        cnorm = smini;
    }
    let bnorm = rhs.abs();
    let mut scale = 1.0;
    if cnorm < 1.0 && bnorm > 1.0 && bnorm > bignum * cnorm {
        scale = 1.0 / bnorm;
    }
    Solved {
        x: (rhs * scale) / csr,
        scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `np.linalg.eig` of NumPy 2.4 (OpenBLAS's LAPACK), printed with 17 digits: the matrix,
    /// the eigenvalues in LAPACK's order and the eigenvectors, row-major.
    #[allow(clippy::type_complexity)]
    const NUMPY: [(&[f64], &[f64], &[f64]); 2] = [
        (
            &[4.0, 1.0, 2.0, 0.5, 3.0, 1.0, 1.0, 0.0, 2.0],
            &[5.056545292162477, 1.3990441116606447, 2.5444105961768777],
            &[
                -0.8877716905248355,
                -0.4823782040683141,
                0.1805289422010723,
                -0.35707223655710246,
                -0.3507253262320032,
                -0.925984790010832,
                -0.29044938179101737,
                0.8026848782550241,
                0.33160438732977743,
            ],
        ),
        // Balancing isolates eigenvalues by permutation here.
        (
            &[
                1.0, 2.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 4.0, 5.0, 6.0, 7.0, 0.0, 0.0, 0.0, 8.0,
            ],
            &[6.0, 1.0, 3.0, 8.0],
            &[
                0.0,
                0.7808688094430303,
                0.30151134457776363,
                0.0,
                0.0,
                0.0,
                0.30151134457776363,
                0.0,
                1.0,
                -0.6246950475544243,
                -0.9045340337332909,
                0.9615239476408232,
                0.0,
                0.0,
                0.0,
                0.274721127897378,
            ],
        ),
    ];

    #[test]
    fn eigenpairs_are_numpys_order_and_signs() {
        for (a, w, v) in NUMPY {
            let n = w.len();
            let RealEigen::Real {
                values,
                vectors: Some(vectors),
            } = real_eig(Dense::from_row_major(a, n, n), true)
            else {
                panic!("real eigenvalues expected");
            };
            let mut got = vec![0.0; n * n];
            vectors.write_row_major(&mut got);
            assert!(
                values.iter().zip(w).all(|(x, y)| (x - y).abs() < 1e-13),
                "{values:?}"
            );
            assert!(
                got.iter().zip(v).all(|(x, y)| (x - y).abs() < 1e-13),
                "{got:?}"
            );
        }
    }

    #[test]
    fn complex_eigenvalues_are_reported() {
        let rotation = Dense::from_row_major(&[0.0, -1.0, 1.0, 0.0], 2, 2);
        assert!(matches!(real_eig(rotation, false), RealEigen::Complex));
    }
}
