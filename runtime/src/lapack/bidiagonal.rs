//! The SVD as LAPACK's `dgesdd` computes it for matrices of at most [`super::SMALL`] rows or
//! columns: Householder QR or LQ first when the matrix is much taller than wide or wider than
//! tall (`dgeqr2`/`dgelq2`), Householder bidiagonalization (`dgebd2`), and the bidiagonal QR
//! iteration (`dbdsdc`'s small-matrix path: `dlasdq`, then `dbdsqr`), with the factors put
//! back together in `dgesdd`'s order.
//!
//! Every choice that decides a singular vector's sign is LAPACK's: the reflectors' signs
//! (`dlarfg`), the rotations' (`dlartg`), the direction each QR sweep chases, the shifts,
//! `dlasv2`'s 2x2 SVD, and which factor absorbs a negative singular value. The arithmetic
//! order elsewhere may differ (explicit products instead of blocked ones), which moves results
//! by rounding only.

use super::dense::{Dense, Reflector};
use super::{Direction, EPS, SAFE_MIN, Side, lartg, lasr, scale_into_range, sign};

/// `A = Q B P^T` with `B` bidiagonal (`dgebd2`): upper when `rows >= cols`, else lower.
struct Bidiagonal {
    d: Vec<f64>,
    e: Vec<f64>,
    upper: bool,
    /// `Q = H_1 H_2 ...`
    q: Vec<Reflector>,
    /// `P = G_1 G_2 ...`
    p: Vec<Reflector>,
}

fn bidiagonalize(mut a: Dense) -> Bidiagonal {
    let (m, n) = (a.rows, a.cols);
    let (mut d, mut e, mut q, mut p) = (vec![], vec![], vec![], vec![]);
    if m >= n {
        for i in 0..n {
            let (h, beta) = Reflector::of_column(&mut a, i, i);
            d.push(beta);
            h.apply_left(&mut a, i + 1..n);
            q.push(h);
            if i + 1 < n {
                let (g, beta) = Reflector::of_row(&mut a, i, i + 1);
                e.push(beta);
                g.apply_right(&mut a, i + 1..m);
                p.push(g);
            }
        }
    } else {
        for i in 0..m {
            let (g, beta) = Reflector::of_row(&mut a, i, i);
            d.push(beta);
            g.apply_right(&mut a, i + 1..m);
            p.push(g);
            if i + 1 < m {
                let (h, beta) = Reflector::of_column(&mut a, i + 1, i);
                e.push(beta);
                h.apply_left(&mut a, i + 1..n);
                q.push(h);
            }
        }
    }
    Bidiagonal {
        d,
        e,
        upper: m >= n,
        q,
        p,
    }
}

/// `Q x` for `Q = H_1 H_2 ... H_k`: the reflectors from the last to the first.
fn apply_product_left(reflectors: &[Reflector], x: &mut Dense) {
    let cols = x.cols;
    for h in reflectors.iter().rev() {
        h.apply_left(x, 0..cols);
    }
}

/// `x Q^T` for `Q = H_1 H_2 ... H_k` (each `H_i` symmetric): `x H_k ... H_1`.
fn apply_transposed_product_right(reflectors: &[Reflector], x: &mut Dense) {
    let rows = x.rows;
    for h in reflectors.iter().rev() {
        h.apply_right(x, 0..rows);
    }
}

/// The SVD of a bidiagonal matrix as `dbdsdc(uplo, 'I')` gives it for `n <= SMLSIZ`:
/// `B = U diag(d) VT` with `d` nonincreasing. `None` when the iteration does not converge.
fn bidiagonal_svd(d: &mut [f64], e: &mut [f64], upper: bool) -> Option<(Dense, Dense)> {
    let n = d.len();
    let mut u = Dense::identity(n);
    let mut vt = Dense::identity(n);
    if n == 1 {
        // `dbdsdc` gives the sign to U (dbdsqr would give it to VT).
        u.set(0, 0, 1.0f64.copysign(d[0]));
        d[0] = d[0].abs();
        return Some((u, vt));
    }
    // A lower bidiagonal matrix is rotated to upper from the left; the rotations multiply U
    // at the end.
    let mut lower_rotations = Vec::new();
    if !upper {
        for i in 0..n - 1 {
            let rot = lartg(d[i], e[i]);
            d[i] = rot.r;
            e[i] = rot.s * d[i + 1];
            d[i + 1] *= rot.c;
            lower_rotations.push((rot.c, -rot.s));
        }
    }
    bdsqr(d, e, &mut vt, &mut u)?;
    // `dlasdq` sorts ascending, then `dbdsdc` descending; with ties the swaps decide which
    // vector goes where, so both are kept.
    for i in 0..n {
        let mut smallest = i;
        for j in i + 1..n {
            if d[j] < d[smallest] {
                smallest = j;
            }
        }
        if smallest != i {
            d.swap(i, smallest);
            vt.swap_rows(i, smallest);
            u.swap_cols(i, smallest);
        }
    }
    for i in 0..n - 1 {
        let mut largest = i;
        let mut p = d[i];
        for (j, &v) in d.iter().enumerate().skip(i + 1) {
            if v > p {
                largest = j;
                p = v;
            }
        }
        if largest != i {
            d[largest] = d[i];
            d[i] = p;
            u.swap_cols(i, largest);
            vt.swap_rows(i, largest);
        }
    }
    // `dlasr('L', 'V', 'B')`: U = P(1) ... P(n-1) U.
    for (i, &(c, s)) in lower_rotations.iter().enumerate().rev() {
        if c != 1.0 || s != 0.0 {
            u.rotate_rows(i, i + 1, c, s);
        }
    }
    Some((u, vt))
}

/// `dlas2`: the singular values `(smaller, larger)` of `[f g; 0 h]`.
fn las2(f: f64, g: f64, h: f64) -> (f64, f64) {
    let (fa, ga, ha) = (f.abs(), g.abs(), h.abs());
    let (fhmn, fhmx) = (fa.min(ha), fa.max(ha));
    if fhmn == 0.0 {
        let larger = if fhmx == 0.0 {
            ga
        } else {
            let (hi, lo) = (fhmx.max(ga), fhmx.min(ga));
            hi * (1.0 + (lo / hi) * (lo / hi)).sqrt()
        };
        return (0.0, larger);
    }
    if ga < fhmx {
        let as_ = 1.0 + fhmn / fhmx;
        let at = (fhmx - fhmn) / fhmx;
        let au = (ga / fhmx) * (ga / fhmx);
        let c = 2.0 / ((as_ * as_ + au).sqrt() + (at * at + au).sqrt());
        (fhmn * c, fhmx / c)
    } else {
        let au = fhmx / ga;
        if au == 0.0 {
            ((fhmn * fhmx) / ga, ga)
        } else {
            let as_ = 1.0 + fhmn / fhmx;
            let at = (fhmx - fhmn) / fhmx;
            let c = 1.0
                / ((1.0 + (as_ * au) * (as_ * au)).sqrt() + (1.0 + (at * au) * (at * au)).sqrt());
            let smaller = (fhmn * c) * au;
            (smaller + smaller, ga / (c + c))
        }
    }
}

/// `dlasv2`'s result for `[f g; 0 h]`: `[csl snl; -snl csl] [f g; 0 h] [csr -snr; snr csr] =
/// [ssmax 0; 0 ssmin]`, the signs of `ssmax`/`ssmin` as LAPACK leaves them.
struct Svd2 {
    ssmin: f64,
    ssmax: f64,
    snr: f64,
    csr: f64,
    snl: f64,
    csl: f64,
}

fn lasv2(f: f64, g: f64, h: f64) -> Svd2 {
    let (mut ft, mut fa, mut ht, mut ha) = (f, f.abs(), h, h.abs());
    let mut pmax = 1;
    let swap = ha > fa;
    if swap {
        pmax = 3;
        std::mem::swap(&mut ft, &mut ht);
        std::mem::swap(&mut fa, &mut ha);
    }
    let (gt, ga) = (g, g.abs());
    let (mut clt, mut crt, mut slt, mut srt);
    let (mut ssmin, mut ssmax);
    if ga == 0.0 {
        ssmin = ha;
        ssmax = fa;
        clt = 1.0;
        crt = 1.0;
        slt = 0.0;
        srt = 0.0;
    } else {
        let mut ga_small = true;
        (clt, crt, slt, srt, ssmin, ssmax) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        if ga > fa {
            pmax = 2;
            if fa / ga < EPS {
                ga_small = false;
                ssmax = ga;
                ssmin = if ha > 1.0 {
                    fa / (ga / ha)
                } else {
                    (fa / ga) * ha
                };
                clt = 1.0;
                slt = ht / gt;
                srt = 1.0;
                crt = ft / gt;
            }
        }
        if ga_small {
            let d = fa - ha;
            let mut l = if d == fa { 1.0 } else { d / fa };
            let m = gt / ft;
            let mut t = 2.0 - l;
            let mm = m * m;
            let tt = t * t;
            let s = (tt + mm).sqrt();
            let r = if l == 0.0 {
                m.abs()
            } else {
                (l * l + mm).sqrt()
            };
            let a = 0.5 * (s + r);
            ssmin = ha / a;
            ssmax = fa * a;
            if mm == 0.0 {
                t = if l == 0.0 {
                    sign(2.0, ft) * sign(1.0, gt)
                } else {
                    gt / sign(d, ft) + m / t
                };
            } else {
                t = (m / (s + t) + m / (r + l)) * (1.0 + a);
            }
            l = (t * t + 4.0).sqrt();
            crt = 2.0 / l;
            srt = t / l;
            clt = (crt + srt * m) / a;
            slt = (ht / ft) * srt / a;
        }
    }
    let (csl, snl, csr, snr) = if swap {
        (srt, crt, slt, clt)
    } else {
        (clt, slt, crt, srt)
    };
    let tsign = match pmax {
        1 => sign(1.0, csr) * sign(1.0, csl) * sign(1.0, f),
        2 => sign(1.0, snr) * sign(1.0, csl) * sign(1.0, g),
        _ => sign(1.0, snr) * sign(1.0, snl) * sign(1.0, h),
    };
    ssmax = sign(ssmax, tsign);
    ssmin = sign(ssmin, tsign * sign(1.0, f) * sign(1.0, h));
    Svd2 {
        ssmin,
        ssmax,
        snr,
        csr,
        snl,
        csl,
    }
}

/// `dbdsqr('U', n, ncvt = n, nru = n, ncc = 0)`: the SVD of the upper bidiagonal `(d, e)` by
/// implicit-shift QR, rotating the rows of `vt` and the columns of `u` along. On return `d`
/// holds the singular values, nonnegative and nonincreasing. `None` when it does not
/// converge.
fn bdsqr(d: &mut [f64], e: &mut [f64], vt: &mut Dense, u: &mut Dense) -> Option<()> {
    let n = d.len();
    if n > 1 {
        qr_sweeps(d, e, vt, u)?;
    }
    // Make the singular values nonnegative; the sign goes to VT's row.
    for (i, value) in d.iter_mut().enumerate() {
        if *value == 0.0 {
            // -0.0 becomes +0.0, as the reference's `D(I) = ZERO`.
            *value = 0.0;
        }
        if *value < 0.0 {
            *value = -*value;
            for j in 0..vt.cols {
                vt.set(i, j, -vt.at(i, j));
            }
        }
    }
    // Sort into nonincreasing order (selection sort from the end, as the reference).
    for i in 1..n {
        let last = n - i; // 0-based position being filled: N+1-I in the reference
        let mut isub = 0;
        let mut smin = d[0];
        for (j, &v) in d.iter().enumerate().take(last + 1).skip(1) {
            if v <= smin {
                isub = j;
                smin = v;
            }
        }
        if isub != last {
            d[isub] = d[last];
            d[last] = smin;
            vt.swap_rows(isub, last);
            u.swap_cols(isub, last);
        }
    }
    Some(())
}

/// The QR iteration of `dbdsqr` (labels 60 to 160 of the reference), with the reference's
/// 1-based indices: `d[i - 1]` is `D(I)`.
fn qr_sweeps(d: &mut [f64], e: &mut [f64], vt: &mut Dense, u: &mut Dense) -> Option<()> {
    let n = d.len();
    let dd = |d: &[f64], i: usize| d[i - 1];
    let tolmul = 10.0f64.max(100.0f64.min(EPS.powf(-0.125)));
    let tol = tolmul * EPS;
    let unfl = SAFE_MIN;
    const MAXITR: usize = 6;

    // Relative accuracy: the threshold from a lower bound on the smallest singular value.
    let mut sminoa = d[0].abs();
    if sminoa != 0.0 {
        let mut mu = sminoa;
        for i in 2..=n {
            mu = dd(d, i).abs() * (mu / (mu + e[i - 2].abs()));
            sminoa = sminoa.min(mu);
            if sminoa == 0.0 {
                break;
            }
        }
    }
    sminoa /= (n as f64).sqrt();
    let thresh = (tol * sminoa).max(MAXITR as f64 * (n as f64 * (n as f64 * unfl)));

    let max_iter_div_n = MAXITR * n;
    let mut iter_div_n = 0;
    let mut iter: isize = -1;
    let (mut oldll, mut oldm): (isize, isize) = (-1, -1);
    let mut idir = 0;
    let mut m = n;
    let (mut c1, mut s1, mut c2, mut s2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);

    'outer: loop {
        // Label 60.
        if m <= 1 {
            return Some(());
        }
        if iter >= n as isize {
            iter -= n as isize;
            iter_div_n += 1;
            if iter_div_n >= max_iter_div_n {
                return None;
            }
        }
        // Find the diagonal block to work on.
        let mut smax = dd(d, m).abs();
        let mut ll = 0usize;
        let mut split = false;
        for lll in 1..m {
            let l = m - lll;
            let abss = dd(d, l).abs();
            let abse = e[l - 1].abs();
            if abse <= thresh {
                ll = l;
                split = true;
                break;
            }
            smax = smax.max(abss).max(abse);
        }
        if split {
            e[ll - 1] = 0.0;
            if ll == m - 1 {
                m -= 1;
                continue 'outer;
            }
        } else {
            ll = 0;
        }
        ll += 1;
        // The block runs from ll to m (1-based).
        if ll == m - 1 {
            // A 2x2 block: dlasv2.
            let r = lasv2(dd(d, m - 1), e[m - 2], dd(d, m));
            d[m - 2] = r.ssmax;
            e[m - 2] = 0.0;
            d[m - 1] = r.ssmin;
            vt.rotate_rows(m - 2, m - 1, r.csr, r.snr);
            u.rotate_cols(m - 2, m - 1, r.csl, r.snl);
            m -= 2;
            continue 'outer;
        }
        // A new block: choose the direction to chase the bulge.
        if ll as isize > oldm || (m as isize) < oldll {
            idir = if dd(d, ll).abs() >= dd(d, m).abs() {
                1
            } else {
                2
            };
        }
        // Convergence tests.
        let mut smin;
        if idir == 1 {
            if e[m - 2].abs() <= tol.abs() * dd(d, m).abs() {
                e[m - 2] = 0.0;
                continue 'outer;
            }
            let mut mu = dd(d, ll).abs();
            smin = mu;
            for lll in ll..m {
                if e[lll - 1].abs() <= tol * mu {
                    e[lll - 1] = 0.0;
                    continue 'outer;
                }
                mu = dd(d, lll + 1).abs() * (mu / (mu + e[lll - 1].abs()));
                smin = smin.min(mu);
            }
        } else {
            if e[ll - 1].abs() <= tol.abs() * dd(d, ll).abs() {
                e[ll - 1] = 0.0;
                continue 'outer;
            }
            let mut mu = dd(d, m).abs();
            smin = mu;
            for lll in (ll..m).rev() {
                if e[lll - 1].abs() <= tol * mu {
                    e[lll - 1] = 0.0;
                    continue 'outer;
                }
                mu = dd(d, lll).abs() * (mu / (mu + e[lll - 1].abs()));
                smin = smin.min(mu);
            }
        }
        oldll = ll as isize;
        oldm = m as isize;
        // The shift: zero when it would spoil relative accuracy.
        let mut shift;
        if n as f64 * tol * (smin / smax) <= EPS.max(0.01 * tol) {
            shift = 0.0;
        } else {
            let sll;
            if idir == 1 {
                sll = dd(d, ll).abs();
                shift = las2(dd(d, m - 1), e[m - 2], dd(d, m)).0;
            } else {
                sll = dd(d, m).abs();
                shift = las2(dd(d, ll), e[ll - 1], dd(d, ll + 1)).0;
            }
            if sll > 0.0 && (shift / sll) * (shift / sll) < EPS {
                shift = 0.0;
            }
        }
        iter += (m - ll) as isize;
        let count = m - ll; // rotations in this sweep
        if shift == 0.0 {
            if idir == 1 {
                let (mut cs, mut oldcs, mut oldsn) = (1.0, 1.0, 0.0);
                for i in ll..m {
                    let rot = lartg(dd(d, i) * cs, e[i - 1]);
                    cs = rot.c;
                    let sn = rot.s;
                    if i > ll {
                        e[i - 2] = oldsn * rot.r;
                    }
                    let rot2 = lartg(oldcs * rot.r, dd(d, i + 1) * sn);
                    oldcs = rot2.c;
                    oldsn = rot2.s;
                    d[i - 1] = rot2.r;
                    let k = i - ll;
                    (c1[k], s1[k], c2[k], s2[k]) = (cs, sn, oldcs, oldsn);
                }
                let h = dd(d, m) * cs;
                d[m - 1] = h * oldcs;
                e[m - 2] = h * oldsn;
                rotate_rows(vt, ll - 1, Direction::Forward, &c1[..count], &s1[..count]);
                rotate_cols(u, ll - 1, Direction::Forward, &c2[..count], &s2[..count]);
                if e[m - 2].abs() <= thresh {
                    e[m - 2] = 0.0;
                }
            } else {
                let (mut cs, mut oldcs, mut oldsn) = (1.0, 1.0, 0.0);
                for i in (ll + 1..=m).rev() {
                    let rot = lartg(dd(d, i) * cs, e[i - 2]);
                    cs = rot.c;
                    let sn = rot.s;
                    if i < m {
                        e[i - 1] = oldsn * rot.r;
                    }
                    let rot2 = lartg(oldcs * rot.r, dd(d, i - 1) * sn);
                    oldcs = rot2.c;
                    oldsn = rot2.s;
                    d[i - 1] = rot2.r;
                    let k = i - ll - 1;
                    (c1[k], s1[k], c2[k], s2[k]) = (cs, -sn, oldcs, -oldsn);
                }
                let h = dd(d, ll) * cs;
                d[ll - 1] = h * oldcs;
                e[ll - 1] = h * oldsn;
                rotate_rows(vt, ll - 1, Direction::Backward, &c2[..count], &s2[..count]);
                rotate_cols(u, ll - 1, Direction::Backward, &c1[..count], &s1[..count]);
                if e[ll - 1].abs() <= thresh {
                    e[ll - 1] = 0.0;
                }
            }
        } else if idir == 1 {
            // Chase the bulge from top to bottom.
            let mut f = (dd(d, ll).abs() - shift) * (sign(1.0, dd(d, ll)) + shift / dd(d, ll));
            let mut g = e[ll - 1];
            for i in ll..m {
                let r1 = lartg(f, g);
                let (cosr, sinr) = (r1.c, r1.s);
                if i > ll {
                    e[i - 2] = r1.r;
                }
                f = cosr * dd(d, i) + sinr * e[i - 1];
                e[i - 1] = cosr * e[i - 1] - sinr * dd(d, i);
                g = sinr * dd(d, i + 1);
                d[i] *= cosr;
                let r2 = lartg(f, g);
                let (cosl, sinl) = (r2.c, r2.s);
                d[i - 1] = r2.r;
                f = cosl * e[i - 1] + sinl * dd(d, i + 1);
                d[i] = cosl * dd(d, i + 1) - sinl * e[i - 1];
                if i < m - 1 {
                    g = sinl * e[i];
                    e[i] *= cosl;
                }
                let k = i - ll;
                (c1[k], s1[k], c2[k], s2[k]) = (cosr, sinr, cosl, sinl);
            }
            e[m - 2] = f;
            rotate_rows(vt, ll - 1, Direction::Forward, &c1[..count], &s1[..count]);
            rotate_cols(u, ll - 1, Direction::Forward, &c2[..count], &s2[..count]);
            if e[m - 2].abs() <= thresh {
                e[m - 2] = 0.0;
            }
        } else {
            // Chase the bulge from bottom to top.
            let mut f = (dd(d, m).abs() - shift) * (sign(1.0, dd(d, m)) + shift / dd(d, m));
            let mut g = e[m - 2];
            for i in (ll + 1..=m).rev() {
                let r1 = lartg(f, g);
                let (cosr, sinr) = (r1.c, r1.s);
                if i < m {
                    e[i - 1] = r1.r;
                }
                f = cosr * dd(d, i) + sinr * e[i - 2];
                e[i - 2] = cosr * e[i - 2] - sinr * dd(d, i);
                g = sinr * dd(d, i - 1);
                d[i - 2] *= cosr;
                let r2 = lartg(f, g);
                let (cosl, sinl) = (r2.c, r2.s);
                d[i - 1] = r2.r;
                f = cosl * e[i - 2] + sinl * dd(d, i - 1);
                d[i - 2] = cosl * dd(d, i - 1) - sinl * e[i - 2];
                if i > ll + 1 {
                    g = sinl * e[i - 3];
                    e[i - 3] *= cosl;
                }
                let k = i - ll - 1;
                (c1[k], s1[k], c2[k], s2[k]) = (cosr, -sinr, cosl, -sinl);
            }
            e[ll - 1] = f;
            if e[ll - 1].abs() <= thresh {
                e[ll - 1] = 0.0;
            }
            rotate_rows(vt, ll - 1, Direction::Backward, &c2[..count], &s2[..count]);
            rotate_cols(u, ll - 1, Direction::Backward, &c1[..count], &s1[..count]);
        }
    }
}

/// `dlasr('L', 'V', direction)` on the rows of `a` from `first`: rotation `k` mixes rows
/// `first + k` and `first + k + 1`.
fn rotate_rows(a: &mut Dense, first: usize, direction: Direction, c: &[f64], s: &[f64]) {
    let (rows, cols) = (a.rows, a.cols);
    lasr(
        Side::Left,
        direction,
        c.len() + 1,
        cols,
        c,
        s,
        &mut a.data[first..],
        rows,
    );
}

/// `dlasr('R', 'V', direction)` on the columns of `a` from `first`.
fn rotate_cols(a: &mut Dense, first: usize, direction: Direction, c: &[f64], s: &[f64]) {
    let rows = a.rows;
    lasr(
        Side::Right,
        direction,
        rows,
        c.len() + 1,
        c,
        s,
        &mut a.data[first * rows..],
        rows,
    );
}

/// `A = U diag(s) VT`.
pub struct Svd {
    pub s: Vec<f64>,
    /// `m x m` with `full`, else `m x k`.
    pub u: Dense,
    /// `n x n` with `full`, else `k x n`.
    pub vt: Dense,
}

/// `dgesdd(jobz = full ? 'A' : 'S')` of the `m x n` matrix `a` with `1 <= min(m, n) <=
/// SMALL`. `None` when the QR iteration does not converge.
pub fn svd(mut a: Dense, full: bool) -> Option<Svd> {
    let unscale = scale_into_range(&mut a.data);
    let mut result = svd_in_range(a, full)?;
    if let Some(factor) = unscale {
        result.s.iter_mut().for_each(|v| *v *= factor);
    }
    Some(result)
}

fn svd_in_range(a: Dense, full: bool) -> Option<Svd> {
    let (m, n) = (a.rows, a.cols);
    let k = m.min(n);
    debug_assert!((1..=super::SMALL).contains(&k));
    // `dgesdd`'s crossover: a QR (LQ) first when the matrix is this much taller (wider).
    let crossover = k * 11 / 6;
    if m >= n {
        let (mut core, qr) = if m >= crossover {
            let mut r = a;
            let mut reflectors = Vec::with_capacity(n);
            for i in 0..n {
                let (h, _) = Reflector::of_column(&mut r, i, i);
                h.apply_left(&mut r, i + 1..n);
                reflectors.push(h);
            }
            let mut square = Dense::zeros(n, n);
            for j in 0..n {
                for i in 0..=j {
                    square.set(i, j, r.at(i, j));
                }
            }
            (square, Some(reflectors))
        } else {
            (a, None)
        };
        let mut bd = bidiagonalize(std::mem::replace(&mut core, Dense::zeros(0, 0)));
        let (u_b, mut vt) = bidiagonal_svd(&mut bd.d, &mut bd.e, bd.upper)?;
        apply_transposed_product_right(&bd.p, &mut vt);
        let u_rows = if qr.is_some() { n } else { m };
        // U = Q_b [U_b 0; 0 I] (the identity part only with full matrices).
        let mut u = Dense::embedded(&u_b, u_rows, if full && qr.is_none() { m } else { n });
        apply_product_left(&bd.q, &mut u);
        if let Some(reflectors) = qr {
            let mut tall = Dense::embedded(&u, m, if full { m } else { n });
            apply_product_left(&reflectors, &mut tall);
            u = tall;
        }
        Some(Svd { s: bd.d, u, vt })
    } else {
        let (core, lq) = if n >= crossover {
            let mut l = a;
            let mut reflectors = Vec::with_capacity(m);
            for i in 0..m {
                let (g, _) = Reflector::of_row(&mut l, i, i);
                g.apply_right(&mut l, i + 1..m);
                reflectors.push(g);
            }
            let mut square = Dense::zeros(m, m);
            for j in 0..m {
                for i in j..m {
                    square.set(i, j, l.at(i, j));
                }
            }
            (square, Some(reflectors))
        } else {
            (a, None)
        };
        let mut bd = bidiagonalize(core);
        let (mut u, vt_b) = bidiagonal_svd(&mut bd.d, &mut bd.e, bd.upper)?;
        apply_product_left(&bd.q, &mut u);
        let vt_cols = if lq.is_some() { m } else { n };
        // VT = [VT_b 0; 0 I] P^T.
        let mut vt = Dense::embedded(&vt_b, if full && lq.is_none() { n } else { m }, vt_cols);
        apply_transposed_product_right(&bd.p, &mut vt);
        if let Some(reflectors) = lq {
            // A = L Q with Q = H_m ... H_1 (the transpose of H_1 ... H_m): VT = [VT_L 0; 0 I] Q.
            let mut wide = Dense::embedded(&vt, if full { n } else { m }, n);
            apply_transposed_product_right(&reflectors, &mut wide);
            vt = wide;
        }
        Some(Svd { s: bd.d, u, vt })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `np.linalg.svd(a, full_matrices=False)` of NumPy 2.4 (OpenBLAS's LAPACK), printed with
    /// 17 digits: `(a, s, u, vt)`, row-major.
    #[allow(clippy::type_complexity)]
    const NUMPY: [(&[f64], usize, usize, &[f64], &[f64], &[f64]); 3] = [
        // 3x2: QR first (at the crossover, 2 * 11 / 6 = 3 rows).
        (
            &[2.0, -1.0, 1.0, 3.0, 0.5, 1.0],
            3,
            2,
            &[3.3716139225552215, 2.2095745195018406],
            &[
                0.14680369141613572,
                0.9868860986365608,
                -0.9348136751258481,
                0.11623588165920713,
                -0.3233760488723646,
                0.11200467906661406,
            ],
            &[
                -0.2381335274951277,
                -0.9712324248513987,
                0.9712324248513987,
                -0.2381335274951277,
            ],
        ),
        // 3x4: lower bidiagonal.
        (
            &[
                1.0, 2.0, -3.0, 0.5, 4.0, -1.0, 0.0, 2.0, 0.0, 1.0, 1.0, -2.0,
            ],
            3,
            4,
            &[4.875650998850776, 3.620805407818741, 2.0899271604809506],
            &[
                0.34246354883604646,
                0.9327709015161373,
                0.1125040577196817,
                0.8936659318434472,
                -0.3603582319860852,
                0.26740072345123805,
                -0.28996537721080357,
                -0.00896604286379118,
                0.9569951358781095,
            ],
            &[
                0.8034060020155521,
                -0.10228464086123179,
                -0.2701907958607893,
                0.5206472721539881,
                -0.14048311608511255,
                0.6122764806325514,
                -0.7753188672747188,
                -0.06528904507710932,
                0.5656211249259989,
                0.43762411684039704,
                0.296413661888821,
                -0.6330061740953006,
            ],
        ),
        // 3x3: upper bidiagonal.
        (
            &[3.0, 1.0, -2.0, 1.0, -4.0, 0.5, 2.0, 2.0, 1.0],
            3,
            3,
            &[4.762351598630069, 3.687532406128785, 1.9930158064540493],
            &[
                -0.5090730647628436,
                -0.7335534216477446,
                -0.45027102096609806,
                0.6978438491802221,
                -0.6579837109006357,
                0.28296889997093444,
                -0.5038438020798682,
                -0.1701670173045164,
                0.8468675276141996,
            ],
            &[
                -0.38574702249965964,
                -0.9046236877770092,
                0.18126008425842433,
                -0.8675118366786709,
                0.42251761225372464,
                0.26249205808521114,
                0.3140421115949991,
                0.05598973877537849,
                0.9477566677670061,
            ],
        ),
    ];

    fn close(got: &[f64], want: &[f64]) -> bool {
        got.len() == want.len() && got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-13)
    }

    #[test]
    fn factors_are_numpys_signs_and_all() {
        for (a, m, n, s, u, vt) in NUMPY {
            let result = svd(Dense::from_row_major(a, m, n), false).unwrap();
            let mut got_u = vec![0.0; u.len()];
            let mut got_vt = vec![0.0; vt.len()];
            result.u.write_row_major(&mut got_u);
            result.vt.write_row_major(&mut got_vt);
            assert!(close(&result.s, s), "{m}x{n}: s = {:?}", result.s);
            assert!(close(&got_u, u), "{m}x{n}: u = {got_u:?}");
            assert!(close(&got_vt, vt), "{m}x{n}: vt = {got_vt:?}");
        }
    }

    #[test]
    fn full_factors_are_orthogonal_and_reconstruct() {
        for (a, m, n, s, _, _) in NUMPY {
            let result = svd(Dense::from_row_major(a, m, n), true).unwrap();
            assert_eq!(
                (result.u.rows, result.u.cols, result.vt.rows, result.vt.cols),
                (m, m, n, n)
            );
            for i in 0..m {
                for j in 0..n {
                    let x: f64 = (0..s.len())
                        .map(|t| result.u.at(i, t) * s[t] * result.vt.at(t, j))
                        .sum();
                    assert!((x - a[i * n + j]).abs() < 1e-13);
                }
            }
            for (q, size) in [(&result.u, m), (&result.vt, n)] {
                for i in 0..size {
                    for j in 0..size {
                        let dot: f64 = (0..size).map(|t| q.at(t, i) * q.at(t, j)).sum();
                        assert!((dot - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
                    }
                }
            }
        }
    }
}
