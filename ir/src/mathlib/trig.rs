//! `sin`, `cos`, `tan`: fdlibm's algorithms (as in musl).
//!
//! The argument is reduced by π/2 ([`super::reduce`]) to a double-double `y0 + y1` in
//! `[-π/4, π/4]` and a quadrant; the kernels evaluate fdlibm's minimax polynomials there
//! (`sin`: degree 13 odd, `cos`: degree 14 even, with the `1 - z/2` head summed exactly; `tan`:
//! degree 27 odd, with `tan(π/4 - y)` for `|y| > 0.67` and a careful `-1/tan` for odd
//! quadrants). Errors below 1 ULP for `sin`/`cos` and 2 ULP for `tan` (worst found: 0.75 and
//! 1.55 ULP) for every finite argument, huge ones included; NaN and ±∞ give NaN, and tiny
//! arguments return `x` (`sin`, `tan`, keeping the sign of zero) or `1`.

use super::emit::E;
use super::reduce::rem_pio2;
use crate::function::Value;

const S1: f64 = -1.666_666_666_666_663_243_48e-01;
const S2: f64 = 8.333_333_333_322_489_461_24e-03;
const S3: f64 = -1.984_126_982_985_794_931_34e-04;
const S4: f64 = 2.755_731_370_707_006_767_89e-06;
const S5: f64 = -2.505_076_025_340_686_341_95e-08;
const S6: f64 = 1.589_690_995_211_550_102_21e-10;

const C1: f64 = 4.166_666_666_666_660_190_37e-02;
const C2: f64 = -1.388_888_888_887_410_957_49e-03;
const C3: f64 = 2.480_158_728_947_672_941_78e-05;
const C4: f64 = -2.755_731_435_139_066_330_35e-07;
const C5: f64 = 2.087_572_321_298_174_827_90e-09;
const C6: f64 = -1.135_964_755_778_819_482_65e-11;

const T: [f64; 13] = [
    3.333_333_333_333_340_919_86e-01,
    1.333_333_333_332_012_426_99e-01,
    5.396_825_397_622_605_213_77e-02,
    2.186_948_829_485_954_245_99e-02,
    8.863_239_823_599_300_057_37e-03,
    3.592_079_107_591_312_353_56e-03,
    1.456_209_454_325_290_255_16e-03,
    5.880_412_408_202_640_968_74e-04,
    2.464_631_348_184_699_068_12e-04,
    7.817_944_429_395_570_923_00e-05,
    7.140_724_913_826_081_903_05e-05,
    -1.855_863_748_552_754_566_54e-05,
    2.590_730_518_636_337_128_84e-05,
];
const PIO4: f64 = 7.853_981_633_974_482_789_99e-01;
const PIO4_LO: f64 = 3.061_616_997_868_383_017_93e-17;

/// sin(x + y) for |x + y| ≤ π/4 (fdlibm's `__sin` with `iy = 1`).
fn k_sin(e: &mut E, x: Value, y: Value) -> Value {
    let z = e.mul(x, x);
    let w = e.mul(z, z);
    let p1 = e.poly(z, &[S2, S3, S4]);
    let p2 = e.poly(z, &[S5, S6]);
    let zw = e.mul(z, w);
    let r = e.fma(zw, p2, p1);
    let v = e.mul(z, x);
    // x - ((z*(0.5*y - v*r) - y) - v*S1)
    let vr = e.mul(v, r);
    let hy = e.mul(y, 0.5);
    let a = e.sub(hy, vr);
    let a = e.mul(z, a);
    let a = e.sub(a, y);
    let vs = e.mul(v, S1);
    let a = e.sub(a, vs);
    e.sub(x, a)
}

/// cos(x + y) for |x + y| ≤ π/4 (fdlibm's `__cos`).
fn k_cos(e: &mut E, x: Value, y: Value) -> Value {
    let z = e.mul(x, x);
    let w = e.mul(z, z);
    let p1 = e.poly(z, &[C1, C2, C3]);
    let p2 = e.poly(z, &[C4, C5, C6]);
    let a = e.mul(z, p1);
    let ww = e.mul(w, w);
    let r = e.fma(ww, p2, a);
    let hz = e.mul(z, 0.5);
    let w = e.sub(1.0, hz);
    // w + (((1 - w) - hz) + (z*r - x*y))
    let lost = e.sub(1.0, w);
    let lost = e.sub(lost, hz);
    let xy = e.mul(x, y);
    let zr = e.mul(z, r);
    let tail = e.sub(zr, xy);
    let tail = e.add(lost, tail);
    e.add(w, tail)
}

/// tan(x + y) for |x + y| ≤ π/4, or -1/tan(x + y) if `odd` (fdlibm's `__tan`).
fn k_tan(e: &mut E, x: Value, y: Value, odd: Value) -> Value {
    let ix = e.abs_hi_word(x);
    let big = e.ige(ix, 0x3FE5_9428); // |x| >= 0.6744
    let xbits = e.bits(x);
    let neg = e.ilt(xbits, 0);
    // For big |x|: tan(x) = tan(π/4 - (π/4 - |x|)), computed from the small argument.
    let ax = e.abs(x);
    let ny = e.neg(y);
    let ay = e.sel(neg, ny, y);
    let d = e.sub(PIO4, ax);
    let dl = e.sub(PIO4_LO, ay);
    let xb = e.add(d, dl);
    let x = e.sel(big, xb, x);
    let y = e.sel(big, 0.0, y);

    let z = e.mul(x, x);
    let w = e.mul(z, z);
    let r = e.poly(w, &[T[1], T[3], T[5], T[7], T[9], T[11]]);
    let v = e.poly(w, &[T[2], T[4], T[6], T[8], T[10], T[12]]);
    let v = e.mul(z, v);
    let s = e.mul(z, x);
    // r = y + z*(s*(r + v) + y) + s*T[0]
    let rv = e.add(r, v);
    let a = e.fma(s, rv, y);
    let a = e.fma(z, a, y);
    let st = e.mul(s, T[0]);
    let r = e.add(a, st);
    let w = e.add(x, r);

    // Big: v = sgn - 2*(x + (r - w*w/(w + sgn))), sgn = 1 - 2*odd, negated for negative x.
    let sgn = e.sel(odd, -1.0, 1.0);
    let ww = e.mul(w, w);
    let wsg = e.add(w, sgn);
    let q = e.div(ww, wsg);
    let q = e.sub(r, q);
    let q = e.add(x, q);
    let q = e.mul(q, 2.0);
    let big_v = e.sub(sgn, q);
    let big_nv = e.neg(big_v);
    let big_r = e.sel(neg, big_nv, big_v);

    // Odd: -1/(x + r) accurately: w0 + v = x + r with w0 the high half of w.
    let w0 = e.clear_low_word(w);
    let wx = e.sub(w0, x);
    let v = e.sub(r, wx);
    let a = e.div(-1.0, w);
    let a0 = e.clear_low_word(a);
    let t = e.fma(a0, w0, 1.0);
    let t = e.fma(a0, v, t);
    let odd_r = e.fma(a, t, a0);

    let small = e.sel(odd, odd_r, w);
    e.sel(big, big_r, small)
}

pub(super) fn sin(e: &mut E, x: Value) {
    let ix = e.abs_hi_word(x);
    let tiny = e.ilt(ix, 0x3e50_0000); // |x| < 2^-26
    e.ret_if(tiny, x);
    let special = e.ige(ix, 0x7ff0_0000);
    let nan = e.sub(x, x);
    e.ret_if(special, nan);
    let (n, y0, y1) = rem_pio2(e, x);
    let s = k_sin(e, y0, y1);
    let c = k_cos(e, y0, y1);
    quadrant(e, n, s, c, 0);
}

pub(super) fn cos(e: &mut E, x: Value) {
    let ix = e.abs_hi_word(x);
    let tiny = e.ilt(ix, 0x3e46_a09e); // |x| < 2^-27·√2
    e.ret_if(tiny, 1.0);
    let special = e.ige(ix, 0x7ff0_0000);
    let nan = e.sub(x, x);
    e.ret_if(special, nan);
    let (n, y0, y1) = rem_pio2(e, x);
    let s = k_sin(e, y0, y1);
    let c = k_cos(e, y0, y1);
    quadrant(e, n, s, c, 1);
}

/// Returns sin of quadrant `n + shift` from the kernels' sin and cos of the remainder.
fn quadrant(e: &mut E, n: Value, s: Value, c: Value, shift: i64) {
    let q = e.iadd(n, shift);
    let odd = e.iand(q, 1);
    let odd = e.ine(odd, 0);
    let half = e.iand(q, 2);
    let half = e.ine(half, 0);
    let r = e.sel(odd, c, s);
    let nr = e.neg(r);
    let r = e.sel(half, nr, r);
    e.ret(r);
}

pub(super) fn tan(e: &mut E, x: Value) {
    let ix = e.abs_hi_word(x);
    let tiny = e.ilt(ix, 0x3e40_0000); // |x| < 2^-27
    e.ret_if(tiny, x);
    let special = e.ige(ix, 0x7ff0_0000);
    let nan = e.sub(x, x);
    e.ret_if(special, nan);
    let (n, y0, y1) = rem_pio2(e, x);
    let odd = e.iand(n, 1);
    let odd = e.ine(odd, 0);
    let t = k_tan(e, y0, y1, odd);
    e.ret(t);
}
