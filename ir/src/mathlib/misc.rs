//! `hypot`, `fmod`, `cbrt`.
//!
//! - `hypot` (musl): order `|x| >= |y|`, scale by 2^∓700 when the squares could overflow or
//!   underflow, square both exactly as double-doubles (with `fma`), add the four parts from the
//!   smallest and take one square root. Error below 1 ULP. `hypot(±∞, NaN) = +∞`.
//! - `fmod`: exact, in integers. With `|x| = mx·2^ex`, `|y| = my·2^ey` (53-bit significands),
//!   `mx·2^(ex-ey) mod my` is computed 11 bits at a time (`(r << 11) % my` fits in 64 bits), at
//!   most 186 loop iterations; the remainder `r < my` is then scaled back by `2^ey` exactly and
//!   gets the sign of `x`. NaN for `x` infinite or `y` zero; `x` itself when `|x| < |y|`.
//! - `cbrt` (fdlibm/FreeBSD): a 5-bit estimate from dividing the exponent by 3, a polynomial
//!   refinement to 23 bits, rounding to 21 bits and one Newton step. Error below 0.667 ULP.

use super::emit::E;
use crate::function::Value;

pub(super) fn hypot(e: &mut E, x: Value, y: Value) {
    let ax = e.abs(x);
    let ay = e.abs(y);
    let ux = e.bits(ax);
    let uy = e.bits(ay);
    let swap = e.ilt(ux, uy);
    let big = e.sel(swap, ay, ax);
    let small = e.sel(swap, ax, ay);
    let ub = e.sel(swap, uy, ux);
    let us = e.sel(swap, ux, uy);
    let eb = e.ushr(ub, 52);
    let es = e.ushr(us, 52);
    // The smaller is ∞ or NaN: it (∞ wins over NaN, and NaN orders above ∞).
    let s_special = e.ieq(es, 0x7ff);
    e.ret_if(s_special, small);
    let b_special = e.ieq(eb, 0x7ff);
    let s_zero = e.ieq(us, 0);
    let trivial = e.or(b_special, s_zero);
    e.ret_if(trivial, big);
    // Exponents more than 64 apart: the smaller one only matters for rounding.
    let gap = e.isub(eb, es);
    let far = e.igt(gap, 64);
    let sum = e.add(big, small);
    e.ret_if(far, sum);

    let up = e.igt(eb, 0x3ff + 510);
    let down = e.ilt(es, 0x3ff - 450);
    let p700 = f64::from_bits(0x6bb0_0000_0000_0000);
    let m700 = f64::from_bits(0x1430_0000_0000_0000);
    let pre = e.sel(down, p700, 1.0);
    let pre = e.sel(up, m700, pre);
    let post = e.sel(down, m700, 1.0);
    let post = e.sel(up, p700, post);
    let b = e.mul(big, pre);
    let s = e.mul(small, pre);
    let (hb, lb) = e.two_prod(b, b);
    let (hs, ls) = e.two_prod(s, s);
    let t = e.add(ls, lb);
    let t = e.add(t, hs);
    let t = e.add(t, hb);
    let r = e.sqrt(t);
    let r = e.mul(r, post);
    e.ret(r);
}

/// `(significand, exponent)` of a finite nonzero `|x|` as integers: `|x| = m·2^(e - 1075)`.
fn split(e: &mut E, ux: Value) -> (Value, Value) {
    let ex = e.ushr(ux, 52);
    let frac = e.iand(ux, (1i64 << 52) - 1);
    let normal = e.ine(ex, 0);
    let implicit = e.sel(normal, 1i64 << 52, 0);
    let m = e.ior(frac, implicit);
    let ex = e.smax(ex, 1);
    (m, ex)
}

pub(super) fn fmod(e: &mut E, x: Value, y: Value) {
    let xbits = e.bits(x);
    let ybits = e.bits(y);
    let ux = e.iand(xbits, i64::MAX);
    let uy = e.iand(ybits, i64::MAX);
    // NaN for x NaN or ∞, y NaN or 0.
    let inf_bits = f64::INFINITY.to_bits() as i64;
    let x_bad = e.ige(ux, inf_bits);
    let y_nan = e.igt(uy, inf_bits);
    let y_zero = e.ieq(uy, 0);
    let bad = e.or(x_bad, y_nan);
    let bad = e.or(bad, y_zero);
    e.ret_if(bad, f64::NAN);
    let smaller = e.ilt(ux, uy);
    e.ret_if(smaller, x);

    let (mx, ex) = split(e, ux);
    let (my, ey) = split(e, uy);
    let r = e.urem(mx, my);
    let d = e.isub(ex, ey);
    let done = e.while_loop(
        &[r, d],
        |e, v| e.igt(v[1], 0),
        |e, v| {
            let step = e.smin(v[1], 11);
            let shifted = e.shl(v[0], step);
            let r = e.urem(shifted, my);
            let d = e.isub(v[1], step);
            vec![r, d]
        },
    );
    // r·2^(ey - 1075), exact: r < my has at most 53 bits.
    let r = done[0];
    let rf = e.utof(r);
    let k = e.isub(ey, 1075);
    let scaled = e.scale(rf, k);
    let r = e.copysign(scaled, x);
    e.ret(r);
}

const B1: i64 = 715_094_163; // (682 - 0.03306235651)·2^20
const B2: i64 = 696_219_795; // (664 - 0.03306235651)·2^20
const P: [f64; 5] = [
    1.875_951_824_271_770_096_43,
    -1.884_979_795_433_771_698_75,
    1.621_429_720_105_354_466_140,
    -0.758_397_934_778_766_047_437,
    0.145_996_192_886_612_446_982,
];

pub(super) fn cbrt(e: &mut E, x: Value) {
    let ix = e.abs_hi_word(x);
    let special = e.ige(ix, 0x7ff0_0000);
    let twice = e.add(x, x);
    e.ret_if(special, twice);
    let zero = e.feq(x, 0.0);
    e.ret_if(zero, x);
    // Rough cube root to 5 bits from the high word divided by 3 (subnormals scaled by 2^54).
    let scaled = e.mul(x, 18014398509481984.0);
    let ixs = e.abs_hi_word(scaled);
    let subnormal = e.ilt(ix, 0x0010_0000);
    let ix3 = e.udiv(ix, 3);
    let ix3 = e.iadd(ix3, B1);
    let ixs3 = e.udiv(ixs, 3);
    let ixs3 = e.iadd(ixs3, B2);
    let hi = e.sel(subnormal, ixs3, ix3);
    let hi = e.shl(hi, 32);
    let xbits = e.bits(x);
    let sign = e.iand(xbits, i64::MIN);
    let t = e.ior(hi, sign);
    let t = e.float_from_bits(t);
    // Refine to 23 bits: t *= P(r), r = t³/x.
    let tt = e.mul(t, t);
    let tx = e.div(t, x);
    let r = e.mul(tt, tx);
    let p1 = e.poly(r, &P[..3]);
    let rr = e.mul(r, r);
    let r3 = e.mul(rr, r);
    let p2 = e.poly(r, &P[3..]);
    let p = e.fma(r3, p2, p1);
    let t = e.mul(t, p);
    // Round t to 21 bits (away from zero) so that t*t is exact.
    let tb = e.bits(t);
    let tb = e.iadd(tb, 0x8000_0000_i64);
    let tb = e.iand(tb, 0xffff_ffff_c000_0000_u64 as i64);
    let t = e.float_from_bits(tb);
    // One Newton step: t += t·(x/t² - t)/(2t + x/t²).
    let s = e.mul(t, t);
    let r = e.div(x, s);
    let w = e.add(t, t);
    let num = e.sub(r, t);
    let den = e.add(w, r);
    let r = e.div(num, den);
    let t = e.fma(t, r, t);
    e.ret(t);
}
