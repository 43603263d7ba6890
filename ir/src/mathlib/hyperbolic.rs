//! `sinh`, `cosh`, `tanh`, `asinh`, `acosh`, `atanh`: musl's formulas over the inlined
//! [`super::exp`] and [`super::log`] kernels, without branches.
//!
//! - `sinh(x) = ±(t + t/(t+1))/2` with `t = expm1(|x|)` (`2t - t²/(t+1)` below 1), and
//!   `exp(|x| - k·ln2)·2^(k-1)` near overflow; `cosh` likewise with `exp`; `tanh` from
//!   `expm1(±2|x|)` as `t/(t+2)`, the division corrected by one Newton step on its residual
//!   (the plain division of musl measured up to 3 ULP from libm near 0.1–0.26). Errors below
//!   2 ULP.
//! - `asinh(x) = ±log(2|x| + 1/(√(x²+1) + |x|))`, `log1p` form below 2 and `log(|x|) + ln2`
//!   beyond 2^26; `acosh` alike; `atanh(x) = ±log1p(2|x|/(1-|x|))/2`. Errors below 2 ULP
//!   (worst found: 1.2 ULP for `asinh`, 1.32 for `acosh` near 1).
//!
//! Tiny arguments return `x` (keeping the sign of zero); NaN gives NaN.

use super::emit::E;
use super::exp::{exp_value, expm1_full};
use super::log::{log_value, log1p_value};
use crate::function::Value;

const LN2: f64 = std::f64::consts::LN_2;
/// `k·ln2` for `k = 2043`: `exp(x - k·ln2)·2^1021·2^1021` does not overflow too early.
const K_LN2: f64 = f64::from_bits(0x4096_2066_151a_dd8b);
const TWO_1021: f64 = f64::from_bits(0x7fc0_0000_0000_0000); // 2^1021

/// `exp(x - k·ln2)·2^(k-1)` for large `x`, avoiding overflow of the intermediate.
fn expo2(e: &mut E, ax: Value) -> Value {
    let a = e.sub(ax, K_LN2);
    let t = exp_value(e, a);
    let t = e.mul(t, TWO_1021);
    e.mul(t, TWO_1021)
}

pub(super) fn sinh(e: &mut E, x: Value) {
    let ax = e.abs(x);
    let w = e.abs_hi_word(x);
    let t = expm1_full(e, ax);
    // |x| < 1: (2t - t²/(t+1))/2
    let t1 = e.add(t, 1.0);
    let tt = e.mul(t, t);
    let q = e.div(tt, t1);
    let t2 = e.mul(t, 2.0);
    let small = e.sub(t2, q);
    let small = e.mul(small, 0.5);
    // |x| < log(DBL_MAX): (t + t/(t+1))/2
    let q = e.div(t, t1);
    let mid = e.add(t, q);
    let mid = e.mul(mid, 0.5);
    let big = expo2(e, ax);
    let lt1 = e.ilt(w, 0x3ff0_0000);
    let r = e.sel(lt1, small, mid);
    let ltmax = e.ilt(w, 0x4086_2e42);
    let r = e.sel(ltmax, r, big);
    let r = e.copysign(r, x);
    let tiny = e.ilt(w, 0x3ff0_0000 - (26 << 20));
    let r = e.sel(tiny, x, r);
    e.ret(r);
}

pub(super) fn cosh(e: &mut E, x: Value) {
    let ax = e.abs(x);
    let w = e.abs_hi_word(x);
    // |x| < ln2: 1 + t²/(2(1+t)), t = expm1(|x|)
    let t = expm1_full(e, ax);
    let tt = e.mul(t, t);
    let d = e.add(t, 1.0);
    let d = e.mul(d, 2.0);
    let q = e.div(tt, d);
    let small = e.add(q, 1.0);
    // |x| < log(DBL_MAX): (t + 1/t)/2, t = exp(|x|)
    let t = exp_value(e, ax);
    let inv = e.div(1.0, t);
    let mid = e.add(t, inv);
    let mid = e.mul(mid, 0.5);
    let big = expo2(e, ax);
    let ltln2 = e.ilt(w, 0x3fe6_2e42);
    let ltmax = e.ilt(w, 0x4086_2e42);
    let r = e.sel(ltmax, mid, big);
    let r = e.sel(ltln2, small, r);
    let tiny = e.ilt(w, 0x3ff0_0000 - (26 << 20));
    let r = e.sel(tiny, 1.0, r);
    e.ret(r);
}

pub(super) fn tanh(e: &mut E, x: Value) {
    let ax = e.abs(x);
    let w = e.abs_hi_word(x);
    let ax2 = e.mul(ax, 2.0);
    let tp = expm1_full(e, ax2);
    let tp2 = e.add(tp, 2.0);
    // |x| > log(3)/2: 1 - 2/(t + 2)
    let q = e.div(2.0, tp2);
    let large = e.sub(1.0, q);
    // |x| > log(5/3)/2: t/(t + 2)
    let mid = over_t_plus_2(e, tp, tp);
    // otherwise: -t/(t + 2) with t = expm1(-2|x|)
    let nax2 = e.neg(ax2);
    let tn = expm1_full(e, nax2);
    let ntn = e.neg(tn);
    let small = over_t_plus_2(e, ntn, tn);
    let gt_mid = e.igt(w, 0x3fd0_58ae);
    let r = e.sel(gt_mid, mid, small);
    let gt_large = e.igt(w, 0x3fe1_93ea);
    let r = e.sel(gt_large, large, r);
    let gt20 = e.igt(w, 0x4034_0000);
    let r = e.sel(gt20, 1.0, r);
    let r = e.copysign(r, x);
    let subnormal = e.ilt(w, 0x0010_0000);
    let r = e.sel(subnormal, x, r);
    let nan = e.is_nan(x);
    let r = e.sel(nan, x, r);
    e.ret(r);
}

/// `num/(t + 2)` with the rounding errors of the sum and the quotient corrected (one Newton
/// step on the residual), so that only `t`'s own error remains (musl's plain division measured
/// up to 3 ULP from libm in `tanh` near 0.1–0.26).
fn over_t_plus_2(e: &mut E, num: Value, t: Value) -> Value {
    let two = e.v(2.0);
    let (d, dl) = e.two_sum(t, two);
    let q = e.div(num, d);
    // num - q·(d + dl), exactly up to the last product's rounding.
    let nq = e.neg(q);
    let r = e.fma(nq, d, num);
    let r = e.fma(nq, dl, r);
    let c = e.div(r, d);
    e.add(q, c)
}

/// The biased exponent of `x` (sign excluded).
fn exponent(e: &mut E, x: Value) -> Value {
    let bits = e.bits(x);
    let ex = e.ushr(bits, 52);
    e.iand(ex, 0x7ff)
}

pub(super) fn asinh(e: &mut E, x: Value) {
    let ax = e.abs(x);
    let ex = exponent(e, x);
    // √(x² + 1)
    let sq = e.fma(ax, ax, 1.0);
    let root = e.sqrt(sq);
    // |x| >= 2: log(2|x| + 1/(√(x²+1) + |x|)); |x| >= 2^26: log(|x|) + ln2
    let d = e.add(root, ax);
    let inv = e.div(1.0, d);
    let arg = e.fma(ax, 2.0, inv);
    let huge = e.ige(ex, 0x3ff + 26);
    let arg = e.sel(huge, ax, arg);
    let l = log_value(e, arg);
    let shift = e.sel(huge, LN2, 0.0);
    let big = e.add(l, shift);
    // |x| >= 2^-26: log1p(|x| + x²/(√(x²+1) + 1))
    let xx = e.mul(ax, ax);
    let d = e.add(root, 1.0);
    let q = e.div(xx, d);
    let arg = e.add(ax, q);
    let small = log1p_value(e, arg);
    let ge2 = e.ige(ex, 0x3ff + 1);
    let r = e.sel(ge2, big, small);
    let r = e.copysign(r, x);
    let tiny = e.ilt(ex, 0x3ff - 26);
    let r = e.sel(tiny, x, r);
    e.ret(r);
}

pub(super) fn acosh(e: &mut E, x: Value) {
    let ex = exponent(e, x);
    // x < 2: log1p(x - 1 + √((x-1)² + 2(x-1)))
    let xm1 = e.sub(x, 1.0);
    let t = e.mul(xm1, 2.0);
    let sq = e.fma(xm1, xm1, t);
    let root = e.sqrt(sq);
    let arg = e.add(xm1, root);
    let small = log1p_value(e, arg);
    // x < 2^26: log(2x - 1/(x + √(x²-1))); beyond: log(x) + ln2
    let sq = e.fma(x, x, -1.0);
    let root = e.sqrt(sq);
    let d = e.add(x, root);
    let inv = e.div(1.0, d);
    let inv = e.neg(inv);
    let arg = e.fma(x, 2.0, inv);
    let huge = e.ige(ex, 0x3ff + 26);
    let arg = e.sel(huge, x, arg);
    let l = log_value(e, arg);
    let shift = e.sel(huge, LN2, 0.0);
    let big = e.add(l, shift);
    let lt2 = e.ilt(ex, 0x3ff + 1);
    let r = e.sel(lt2, small, big);
    e.ret(r);
}

pub(super) fn atanh(e: &mut E, x: Value) {
    let ax = e.abs(x);
    let ex = exponent(e, x);
    let one_m = e.sub(1.0, ax);
    // |x| < 0.5: log1p(2|x| + 2x²/(1 - |x|))/2
    let xx = e.mul(ax, ax);
    let xx2 = e.mul(xx, 2.0);
    let q = e.div(xx2, one_m);
    let small = e.fma(ax, 2.0, q);
    // otherwise: log1p(2|x|/(1 - |x|))/2
    let q = e.div(ax, one_m);
    let big = e.mul(q, 2.0);
    let lt_half = e.ilt(ex, 0x3ff - 1);
    let arg = e.sel(lt_half, small, big);
    let l = log1p_value(e, arg);
    let r = e.mul(l, 0.5);
    let r = e.copysign(r, x);
    let tiny = e.ilt(ex, 0x3ff - 32);
    let r = e.sel(tiny, x, r);
    let nan = e.is_nan(x);
    let r = e.sel(nan, x, r);
    e.ret(r);
}
