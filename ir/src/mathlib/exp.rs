//! `exp` and `expm1`: fdlibm's algorithms (as in musl), written without branches (special cases
//! are chosen by `select` at the end) so that the hyperbolic functions can inline them.
//!
//! - `exp`: `k = nearest(x/ln2)`, `r = (x - k·ln2_hi) - k·ln2_lo` (ln2_hi has 32 bits, so the
//!   first product is exact), `exp(r) = 1 + r + r·c/(2 - c)` with `c = r - r²·P(r²)` (a
//!   degree-5 Remez fit with error below 2^-59), then `·2^k` by two exact power-of-two
//!   multiplications (one rounding even for subnormal results). Error below 1 ULP.
//! - `expm1`: the same reduction with a correction term for the lost bits, fdlibm's rational
//!   approximation of `r·(e^r+1)/(e^r-1)` in `r²/2`, and case analysis on `k` to avoid
//!   cancellation. Error below 1 ULP.

use super::emit::E;
use crate::function::Value;

pub(super) const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-01;
pub(super) const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
const INVLN2: f64 = 1.442_695_040_888_963_387_00;
const P: [f64; 5] = [
    1.666_666_666_666_660_190_37e-01,
    -2.777_777_777_701_559_338_42e-03,
    6.613_756_321_437_934_361_17e-05,
    -1.653_390_220_546_525_153_90e-06,
    4.138_136_797_057_238_460_39e-08,
];
const Q: [f64; 5] = [
    -3.333_333_333_333_313_164_28e-02,
    1.587_301_587_254_814_601_65e-03,
    -7.936_507_578_674_879_424_73e-05,
    4.008_217_827_329_362_395_52e-06,
    -2.010_992_181_836_243_713_26e-07,
];
const OVERFLOW: f64 = 7.097_827_128_933_839_730_96e+02;
const UNDERFLOW: f64 = -7.451_332_191_019_411_084_20e+02;

/// e^x for any x.
pub(super) fn exp_value(e: &mut E, x: Value) -> Value {
    // Clamping keeps k in [-1076, 1025] (and the IR free of NaN-to-int conversions); the
    // out-of-range results are chosen below.
    let xc = e.fmax(x, -746.0);
    let xc = e.fmin(xc, 710.0);
    let kx = e.mul(xc, INVLN2);
    let kf = e.nearest(kx);
    let khi = e.mul(kf, LN2_HI);
    let hi = e.sub(xc, khi);
    let lo = e.mul(kf, LN2_LO);
    let r = e.sub(hi, lo);
    let rr = e.mul(r, r);
    let p = e.poly(rr, &P);
    let prr = e.mul(rr, p);
    let c = e.sub(r, prr);
    // y = 1 + (r*c/(2 - c) - lo + hi)
    let rc = e.mul(r, c);
    let d = e.sub(2.0, c);
    let q = e.div(rc, d);
    let q = e.sub(q, lo);
    let q = e.add(q, hi);
    let y = e.add(1.0, q);
    let k = e.ftos(kf);
    let y = e.scale(y, k);
    let over = e.fgt(x, OVERFLOW);
    let y = e.sel(over, f64::INFINITY, y);
    let under = e.flt(x, UNDERFLOW);
    let y = e.sel(under, 0.0, y);
    let nan = e.is_nan(x);
    e.sel(nan, x, y)
}

/// e^x - 1 without the special cases (tiny, huge, NaN): see [`expm1_full`].
fn expm1_value(e: &mut E, x: Value) -> Value {
    let xc = e.fmax(x, -60.0);
    let xc = e.fmin(xc, 710.0);
    let kx = e.mul(xc, INVLN2);
    let kf = e.nearest(kx);
    let k = e.ftos(kf);
    let khi = e.mul(kf, LN2_HI);
    let hi = e.sub(xc, khi);
    let lo = e.mul(kf, LN2_LO);
    // The reduced argument x and the correction c for the bits its rounding lost.
    let x = e.sub(hi, lo);
    let c = e.sub(hi, x);
    let c = e.sub(c, lo);

    let hfx = e.mul(x, 0.5);
    let hxs = e.mul(x, hfx);
    let q = e.poly(hxs, &Q);
    let r1 = e.fma(hxs, q, 1.0);
    let t = e.mul(r1, hfx);
    let t = e.sub(3.0, t);
    // ee = hxs*((r1 - t)/(6 - x*t))
    let num = e.sub(r1, t);
    let xt = e.mul(x, t);
    let den = e.sub(6.0, xt);
    let ee = e.div(num, den);
    let ee = e.mul(hxs, ee);

    // k == 0: x - (x*ee - hxs)
    let xe = e.mul(x, ee);
    let xe = e.sub(xe, hxs);
    let res_k0 = e.sub(x, xe);

    // ee = x*(ee - c) - c - hxs
    let ec = e.sub(ee, c);
    let ee = e.mul(x, ec);
    let ee = e.sub(ee, c);
    let ee = e.sub(ee, hxs);
    // k == -1: 0.5*(x - ee) - 0.5
    let xme = e.sub(x, ee);
    let half = e.mul(xme, 0.5);
    let res_km1 = e.sub(half, 0.5);
    // k == 1: x < -0.25 ? -2*(ee - (x + 0.5)) : 1 + 2*(x - ee)
    let xh = e.add(x, 0.5);
    let a = e.sub(ee, xh);
    let a = e.mul(a, -2.0);
    let b = e.mul(xme, 2.0);
    let b = e.add(b, 1.0);
    let small = e.flt(x, -0.25);
    let res_k1 = e.sel(small, a, b);
    // k < 0 or k > 56: (x - ee + 1)*2^k - 1
    let y = e.add(xme, 1.0);
    let y = e.scale(y, k);
    let res_far = e.sub(y, 1.0);
    // 2 <= k <= 56, with uf = 2^-k:
    //   k < 20: (x - ee + (1 - uf))*2^k, else (x - (ee + uf) + 1)*2^k
    let kc = e.smin(k, 56);
    let kc = e.smax(kc, 0);
    let twopk = e.pow2(kc);
    let nk = e.ineg(kc);
    let uf = e.pow2(nk);
    let one_uf = e.sub(1.0, uf);
    let a = e.add(xme, one_uf);
    let a = e.mul(a, twopk);
    let euf = e.add(ee, uf);
    let b = e.sub(x, euf);
    let b = e.add(b, 1.0);
    let b = e.mul(b, twopk);
    let lt20 = e.ilt(k, 20);
    let res_mid = e.sel(lt20, a, b);

    let is_far = {
        let neg = e.ilt(k, 0);
        let big = e.igt(k, 56);
        e.or(neg, big)
    };
    let r = e.sel(is_far, res_far, res_mid);
    let is1 = e.ieq(k, 1);
    let r = e.sel(is1, res_k1, r);
    let ism1 = e.ieq(k, -1);
    let r = e.sel(ism1, res_km1, r);
    let is0 = e.ieq(k, 0);
    e.sel(is0, res_k0, r)
}

/// e^x - 1 for any x, with the special cases.
pub(super) fn expm1_full(e: &mut E, x: Value) -> Value {
    let r = expm1_value(e, x);
    let ix = e.abs_hi_word(x);
    let tiny = e.ilt(ix, 0x3c90_0000); // |x| < 2^-54: x, keeping -0
    let r = e.sel(tiny, x, r);
    let over = e.fgt(x, OVERFLOW);
    let r = e.sel(over, f64::INFINITY, r);
    let low = e.flt(x, -40.0); // e^x < 2^-57: the result rounds to -1
    let r = e.sel(low, -1.0, r);
    let nan = e.is_nan(x);
    e.sel(nan, x, r)
}

pub(super) fn exp(e: &mut E, x: Value) {
    let r = exp_value(e, x);
    e.ret(r);
}

pub(super) fn expm1(e: &mut E, x: Value) {
    let r = expm1_full(e, x);
    e.ret(r);
}
