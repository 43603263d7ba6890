//! `log`, `log2`, `log10`, `log1p`: fdlibm's algorithms (as in musl), without branches.
//!
//! `x = 2^k·(1 + f)` with `1 + f` in `[√2/2, √2)`, found from the bits (subnormals are first
//! scaled by 2^54); `log(1 + f) = f - f²/2 + s·(f²/2 + R(s²))` with `s = f/(2 + f)` and `R`
//! fdlibm's degree-14 minimax polynomial (error below 2^-58.45); then `+ k·ln2` with ln2 split
//! in two so that `k·ln2_hi` is exact. `log2`/`log10` split `f - f²/2` into high and low
//! halves so that the multiplication by `1/ln2` or `1/ln10` keeps the extra bits. `log1p`
//! reduces `1 + x` the same way with a correction term for the rounding of `1 + x`.
//! Errors below 1 ULP. Special cases as C: `±0 → -∞`, `x < 0 → NaN`, `+∞ → +∞`, NaN → NaN
//! (`log1p`: `-1 → -∞`, `x < -1 → NaN`, tiny `x → x`).

use super::emit::E;
use super::exp::{LN2_HI, LN2_LO};
use crate::function::Value;

const LG: [f64; 7] = [
    6.666_666_666_666_735_130e-01,
    3.999_999_999_940_941_908e-01,
    2.857_142_874_366_239_149e-01,
    2.222_219_843_214_978_396e-01,
    1.818_357_216_161_805_012e-01,
    1.531_383_769_920_937_332e-01,
    1.479_819_860_511_658_591e-01,
];
const IVLN2HI: f64 = 1.442_695_040_721_446_275_71;
const IVLN2LO: f64 = 1.675_171_316_488_651_183_53e-10;
const IVLN10HI: f64 = 4.342_944_818_781_688_809_39e-01;
const IVLN10LO: f64 = 2.508_294_671_164_527_522_98e-11;
const LOG10_2HI: f64 = 3.010_299_956_636_117_713_06e-01;
const LOG10_2LO: f64 = 3.694_239_077_158_930_786_16e-13;

/// The reduced pieces of `log(x)` for finite positive `x`.
struct Reduced {
    /// `k` as a float.
    k: Value,
    f: Value,
    /// `f²/2`
    hfsq: Value,
    s: Value,
    /// `R(s²)`
    r: Value,
}

/// `1 + f` in `[√2/2, √2)` from the bits of `x` (positive, normal) and `f`'s polynomial.
fn reduce_bits(e: &mut E, x: Value, k_adjust: Value) -> (Value, Value) {
    let bits = e.bits(x);
    let hx = e.ushr(bits, 32);
    let hx = e.iadd(hx, 0x3ff0_0000 - 0x3fe6_a09e);
    let k = e.ushr(hx, 20);
    let k = e.isub(k, 0x3ff);
    let k = e.iadd(k, k_adjust);
    let hx = e.iand(hx, 0x000f_ffff);
    let hx = e.iadd(hx, 0x3fe6_a09e);
    let hx = e.shl(hx, 32);
    let lo = e.iand(bits, 0xffff_ffff_i64);
    let m = e.ior(hx, lo);
    let m = e.float_from_bits(m);
    (k, m)
}

fn poly_r(e: &mut E, f: Value) -> (Value, Value, Value) {
    let hf = e.mul(f, 0.5);
    let hfsq = e.mul(hf, f);
    let d = e.add(f, 2.0);
    let s = e.div(f, d);
    let z = e.mul(s, s);
    let w = e.mul(z, z);
    let t1 = e.poly(w, &[LG[1], LG[3], LG[5]]);
    let t1 = e.mul(w, t1);
    let t2 = e.poly(w, &[LG[0], LG[2], LG[4], LG[6]]);
    let t2 = e.mul(z, t2);
    let r = e.add(t2, t1);
    (hfsq, s, r)
}

fn reduce(e: &mut E, x: Value) -> Reduced {
    let hx = e.hi_word(x);
    let subnormal = e.ilt(hx, 0x0010_0000);
    let scaled = e.mul(x, 18014398509481984.0); // 2^54
    let x = e.sel(subnormal, scaled, x);
    let k_adjust = e.sel(subnormal, -54, 0);
    let (k, m) = reduce_bits(e, x, k_adjust);
    let f = e.sub(m, 1.0);
    let (hfsq, s, r) = poly_r(e, f);
    let k = e.stof(k);
    Reduced { k, f, hfsq, s, r }
}

/// Chooses the result of a logarithm for the special inputs.
fn specials(e: &mut E, x: Value, r: Value) -> Value {
    let inf = e.feq(x, f64::INFINITY);
    let r = e.sel(inf, f64::INFINITY, r);
    let neg = e.flt(x, 0.0);
    let r = e.sel(neg, f64::NAN, r);
    let zero = e.feq(x, 0.0);
    let r = e.sel(zero, f64::NEG_INFINITY, r);
    let nan = e.is_nan(x);
    e.sel(nan, x, r)
}

/// log(x) for any x.
pub(super) fn log_value(e: &mut E, x: Value) -> Value {
    let Reduced { k, f, hfsq, s, r } = reduce(e, x);
    // s*(hfsq + r) + k*ln2_lo - hfsq + f + k*ln2_hi
    let a = e.add(hfsq, r);
    let a = e.mul(s, a);
    let a = e.fma(k, LN2_LO, a);
    let a = e.sub(a, hfsq);
    let a = e.add(a, f);
    let a = e.fma(k, LN2_HI, a);
    specials(e, x, a)
}

/// `(hi, lo)`: `log(1 + f) ≈ hi + lo` with `hi` having its low 32 bits clear.
fn split_log1pf(e: &mut E, red: &Reduced) -> (Value, Value) {
    let hi = e.sub(red.f, red.hfsq);
    let hi = e.clear_low_word(hi);
    // lo = f - hi - hfsq + s*(hfsq + r)
    let lo = e.sub(red.f, hi);
    let lo = e.sub(lo, red.hfsq);
    let a = e.add(red.hfsq, red.r);
    let lo = e.fma(red.s, a, lo);
    (hi, lo)
}

pub(super) fn log(e: &mut E, x: Value) {
    let r = log_value(e, x);
    e.ret(r);
}

pub(super) fn log2(e: &mut E, x: Value) {
    let red = reduce(e, x);
    let (hi, lo) = split_log1pf(e, &red);
    let val_hi = e.mul(hi, IVLN2HI);
    // val_lo = (lo + hi)*IVLN2LO + lo*IVLN2HI
    let lh = e.add(lo, hi);
    let l2 = e.mul(lo, IVLN2HI);
    let val_lo = e.fma(lh, IVLN2LO, l2);
    let r = sum_exact_head(e, red.k, val_hi, val_lo);
    let r = specials(e, x, r);
    e.ret(r);
}

pub(super) fn log10(e: &mut E, x: Value) {
    let red = reduce(e, x);
    let (hi, lo) = split_log1pf(e, &red);
    let val_hi = e.mul(hi, IVLN10HI);
    let y = e.mul(red.k, LOG10_2HI);
    // val_lo = k*LOG10_2LO + (lo + hi)*IVLN10LO + lo*IVLN10HI
    let lh = e.add(lo, hi);
    let a = e.mul(lh, IVLN10LO);
    let a = e.fma(red.k, LOG10_2LO, a);
    let val_lo = e.fma(lo, IVLN10HI, a);
    let r = sum_exact_head(e, y, val_hi, val_lo);
    let r = specials(e, x, r);
    e.ret(r);
}

/// `y + val_hi + val_lo`, adding `y + val_hi` with its rounding error kept.
fn sum_exact_head(e: &mut E, y: Value, val_hi: Value, val_lo: Value) -> Value {
    let w = e.add(y, val_hi);
    let d = e.sub(y, w);
    let d = e.add(d, val_hi);
    let lo = e.add(val_lo, d);
    e.add(lo, w)
}

/// log(1 + x) for any x.
pub(super) fn log1p_value(e: &mut E, x: Value) -> Value {
    // u = 1 + x rounded, and c ≈ (1 + x) - u relative to u: fdlibm's correction term.
    let u = e.add(x, 1.0);
    let (k, m) = {
        let zero = e.v(0);
        reduce_bits(e, u, zero)
    };
    let ge2 = e.ige(k, 2);
    let ux = e.sub(u, x);
    let c_big = e.sub(1.0, ux);
    let u1 = e.sub(u, 1.0);
    let c_small = e.sub(x, u1);
    let c = e.sel(ge2, c_big, c_small);
    let c = e.div(c, u);
    let lt54 = e.ilt(k, 54);
    let c = e.sel(lt54, c, 0.0);
    // 1 + x already in [√2/2, √2): f = x exactly, no correction.
    let hx = e.hi_word(x);
    let xbits = e.bits(x);
    let near = {
        // -0.2929 <= x < 0.4142 (fdlibm: hx < 0x3fda827a for positive, hx <= 0xbfd2bec4 for
        // negative x)
        let pos = e.ige(xbits, 0);
        let pos_small = e.ilt(hx, 0x3fda_827a);
        let a = e.and(pos, pos_small);
        let neg = e.ilt(xbits, 0);
        let neg_small = e.ile(hx, 0xbfd2_bec4_i64);
        let b = e.and(neg, neg_small);
        e.or(a, b)
    };
    let fm = e.sub(m, 1.0);
    let f = e.sel(near, x, fm);
    let c = e.sel(near, 0.0, c);
    let zero = e.v(0);
    let k = e.sel(near, zero, k);
    let k = e.stof(k);
    let (hfsq, s, r) = poly_r(e, f);
    // s*(hfsq + r) + (k*ln2_lo + c) - hfsq + f + k*ln2_hi
    let a = e.add(hfsq, r);
    let a = e.mul(s, a);
    let kc = e.fma(k, LN2_LO, c);
    let a = e.add(a, kc);
    let a = e.sub(a, hfsq);
    let a = e.add(a, f);
    let res = e.fma(k, LN2_HI, a);

    let ix = e.iand(hx, 0x7fff_ffff);
    let tiny = e.ilt(ix, 0x3ca0_0000); // |x| < 2^-53: x, keeping -0
    let res = e.sel(tiny, x, res);
    let inf = e.feq(x, f64::INFINITY);
    let res = e.sel(inf, f64::INFINITY, res);
    let below = e.flt(x, -1.0);
    let res = e.sel(below, f64::NAN, res);
    let minus1 = e.feq(x, -1.0);
    let res = e.sel(minus1, f64::NEG_INFINITY, res);
    let nan = e.is_nan(x);
    e.sel(nan, x, res)
}

pub(super) fn log1p(e: &mut E, x: Value) {
    let r = log1p_value(e, x);
    e.ret(r);
}
