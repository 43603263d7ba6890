//! `atan`, `atan2`, `asin`, `acos`: fdlibm's algorithms (as in musl).
//!
//! - `atan`: reduce `|x|` to `[-7/16, 7/16]` with `atan(x) = atan(c) + atan((x-c)/(1+xc))` for
//!   `c ∈ {0.5, 1, 1.5, ∞}` (`atan(c)` as a double-double), then fdlibm's degree-22 odd
//!   polynomial. Error below 1 ULP.
//! - `atan2(y, x)`: C's special cases for zeros and infinities by quadrant, `±π/2` when
//!   `|y/x| > 2^64`, else `atan(|y/x|)` corrected by `π - ·` (π as a double-double) in the left
//!   half-plane. Error below 2 ULP (the division rounds once before `atan`).
//! - `asin`/`acos`: a rational minimax approximation `R(x²)` of `(asin(x) - x)/x³` below 0.5;
//!   above, `asin(x) = π/2 - 2·asin(√((1-x)/2))` with the square root split in two for the
//!   extra bits. Errors below 1 ULP.
//!
//! All branch-free except `atan2`'s special cases; NaN gives NaN, `|x| > 1` gives NaN for
//! `asin`/`acos`, and tiny arguments return `x` (keeping the sign of zero).

use super::emit::E;
use crate::function::Value;

const ATAN_HI: [f64; 4] = [
    4.636_476_090_008_060_935_15e-01,
    7.853_981_633_974_482_789_99e-01,
    9.827_937_232_473_290_540_82e-01,
    1.570_796_326_794_896_558_00e+00,
];
const ATAN_LO: [f64; 4] = [
    2.269_877_745_296_168_709_24e-17,
    3.061_616_997_868_383_017_93e-17,
    1.390_331_103_123_099_845_16e-17,
    6.123_233_995_736_766_035_87e-17,
];
const AT: [f64; 11] = [
    3.333_333_333_333_293_180_27e-01,
    -1.999_999_999_987_648_324_76e-01,
    1.428_571_427_250_346_637_11e-01,
    -1.111_111_040_546_235_578_80e-01,
    9.090_887_133_436_506_561_96e-02,
    -7.691_876_205_044_829_994_95e-02,
    6.661_073_137_387_531_206_69e-02,
    -5.833_570_133_790_573_486_45e-02,
    4.976_877_994_615_932_360_17e-02,
    -3.653_157_274_421_691_552_70e-02,
    1.628_582_011_536_578_236_23e-02,
];
const PI: f64 = std::f64::consts::PI;
const PI_LO: f64 = 1.224_646_799_147_353_177_2e-16;
const PIO2_HI: f64 = 1.570_796_326_794_896_558_00e+00;
const PIO2_LO: f64 = 6.123_233_995_736_766_035_87e-17;
/// 2^-120: added to exact results so that they round like fdlibm's.
const TINY: f64 = f64::from_bits(0x3870_0000_0000_0000);

const PS: [f64; 6] = [
    1.666_666_666_666_666_574_15e-01,
    -3.255_658_186_224_009_154_05e-01,
    2.012_125_321_348_629_258_81e-01,
    -4.005_553_450_067_941_140_27e-02,
    7.915_349_942_898_145_321_76e-04,
    3.479_331_075_960_211_675_70e-05,
];
const QS: [f64; 5] = [
    1.0,
    -2.403_394_911_734_414_218_78e+00,
    2.020_945_760_233_505_694_71e+00,
    -6.882_839_716_054_532_930_30e-01,
    7.703_815_055_590_193_527_91e-02,
];

/// atan(x) for any x.
pub(super) fn atan_value(e: &mut E, x: Value) -> Value {
    let ix = e.abs_hi_word(x);
    let ax = e.abs(x);
    // The reduction: id -1 (|x| < 7/16, none), 0: c = 0.5, 1: c = 1, 2: c = 1.5, 3: c = ∞.
    let lt_1_1875 = e.ilt(ix, 0x3ff3_0000);
    let lt_11_16 = e.ilt(ix, 0x3fe6_0000);
    let lt_2_4375 = e.ilt(ix, 0x4003_8000);
    let pick = |e: &mut E, v: [Value; 4]| {
        let a = e.sel(lt_11_16, v[0], v[1]);
        let b = e.sel(lt_2_4375, v[2], v[3]);
        e.sel(lt_1_1875, a, b)
    };
    // Numerators and denominators: (2x-1)/(2+x), (x-1)/(x+1), (x-1.5)/(1+1.5x), -1/x.
    let n0 = e.fma(ax, 2.0, -1.0);
    let n1 = e.sub(ax, 1.0);
    let n2 = e.sub(ax, 1.5);
    let n3 = e.v(-1.0);
    let num = pick(e, [n0, n1, n2, n3]);
    let d0 = e.add(ax, 2.0);
    let d1 = e.add(ax, 1.0);
    let d2 = e.fma(ax, 1.5, 1.0);
    let den = pick(e, [d0, d1, d2, ax]);
    let reduced = e.div(num, den);
    let hi: Vec<Value> = ATAN_HI.iter().map(|&c| e.v(c)).collect();
    let lo: Vec<Value> = ATAN_LO.iter().map(|&c| e.v(c)).collect();
    let hi = pick(e, [hi[0], hi[1], hi[2], hi[3]]);
    let lo = pick(e, [lo[0], lo[1], lo[2], lo[3]]);
    let small = e.ilt(ix, 0x3fdc_0000);
    let xr = e.sel(small, x, reduced);

    let z = e.mul(xr, xr);
    let w = e.mul(z, z);
    let s1 = e.poly(w, &[AT[0], AT[2], AT[4], AT[6], AT[8], AT[10]]);
    let s1 = e.mul(z, s1);
    let s2 = e.poly(w, &[AT[1], AT[3], AT[5], AT[7], AT[9]]);
    let s2 = e.mul(w, s2);
    let s = e.add(s1, s2);
    let xs = e.mul(xr, s);
    let r_small = e.sub(xr, xs);
    // hi - ((x*s - lo) - x), with the sign of the argument
    let a = e.sub(xs, lo);
    let a = e.sub(a, xr);
    let r_big = e.sub(hi, a);
    let r_big = e.copysign(r_big, x);
    let r = e.sel(small, r_small, r_big);

    let tiny = e.ilt(ix, 0x3e40_0000);
    let r = e.sel(tiny, x, r);
    let huge = e.ige(ix, 0x4410_0000);
    let pio2 = e.v(ATAN_HI[3] + TINY);
    let pio2 = e.copysign(pio2, x);
    let r = e.sel(huge, pio2, r);
    let nan = e.is_nan(x);
    e.sel(nan, x, r)
}

pub(super) fn atan(e: &mut E, x: Value) {
    let r = atan_value(e, x);
    e.ret(r);
}

pub(super) fn atan2(e: &mut E, y: Value, x: Value) {
    let xn = e.is_nan(x);
    let yn = e.is_nan(y);
    let any_nan = e.or(xn, yn);
    let sum = e.add(x, y);
    e.ret_if(any_nan, sum);
    let x_is_one = e.feq(x, 1.0);
    let at = atan_value(e, y);
    e.ret_if(x_is_one, at);

    let xbits = e.bits(x);
    let ybits = e.bits(y);
    let x_neg = e.ilt(xbits, 0);
    let ix = e.abs_hi_word(x);
    let iy = e.abs_hi_word(y);
    // A result by half-plane (`right` for x >= +0, `left` for x <= -0) with the sign of y.
    let by_half_plane = |e: &mut E, right: f64, left: f64| {
        let r = e.copysign(right, y);
        let l = e.copysign(left, y);
        e.sel(x_neg, l, r)
    };
    // y = ±0: ±0 for x >= +0, ±π for x <= -0.
    let y_zero = e.feq(y, 0.0);
    let r = by_half_plane(e, 0.0, PI);
    e.ret_if(y_zero, r);
    // x = ±0: ±π/2.
    let x_zero = e.feq(x, 0.0);
    let r = e.copysign(PI / 2.0, y);
    e.ret_if(x_zero, r);
    // x = ±∞.
    let x_inf = e.ieq(ix, 0x7ff0_0000);
    let y_inf = e.ieq(iy, 0x7ff0_0000);
    let both = by_half_plane(e, PI / 4.0, 3.0 * PI / 4.0);
    let only_x = by_half_plane(e, 0.0, PI);
    let r = e.sel(y_inf, both, only_x);
    e.ret_if(x_inf, r);
    // |y/x| > 2^64 or y = ±∞: ±π/2.
    let ix64 = e.iadd(ix, 64 << 20);
    let steep = e.ilt(ix64, iy);
    let steep = e.or(steep, y_inf);
    let r = e.copysign(PI / 2.0, y);
    e.ret_if(steep, r);
    // atan(|y/x|), except 0 when |y/x| < 2^-64 and x < 0.
    let q = e.div(y, x);
    let q = e.abs(q);
    let z = atan_value(e, q);
    let iy64 = e.iadd(iy, 64 << 20);
    let flat = e.ilt(iy64, ix);
    let flat = e.and(flat, x_neg);
    let z = e.sel(flat, 0.0, z);
    // x > 0: ±z; x < 0: ±(π - (z - π_lo)).
    let zl = e.sub(z, PI_LO);
    let left = e.sub(PI, zl);
    let r = e.sel(x_neg, left, z);
    let y_neg = e.ilt(ybits, 0);
    let nr = e.neg(r);
    let r = e.sel(y_neg, nr, r);
    e.ret(r);
}

/// fdlibm's `R(z) = P(z)/Q(z)` ≈ (asin(√z) - √z)/√z³.
fn asin_r(e: &mut E, z: Value) -> Value {
    let p = e.poly(z, &PS);
    let p = e.mul(z, p);
    let q = e.poly(z, &QS);
    e.div(p, q)
}

pub(super) fn asin(e: &mut E, x: Value) {
    let ix = e.abs_hi_word(x);
    let ax = e.abs(x);
    let small = e.ilt(ix, 0x3fe0_0000); // |x| < 0.5
    // z = x² below 0.5, (1 - |x|)/2 above.
    let xx = e.mul(x, x);
    let one_m = e.sub(1.0, ax);
    let half = e.mul(one_m, 0.5);
    let z = e.sel(small, xx, half);
    let r = asin_r(e, z);
    // |x| < 0.5: x + x*R(x²)
    let r_small = e.fma(x, r, x);
    let s = e.sqrt(z);
    // |x| > 0.975: π/2 - (2(s + s*r) - π/2_lo)
    let sr = e.fma(s, r, s);
    let a = e.mul(sr, 2.0);
    let a = e.sub(a, PIO2_LO);
    let r_near1 = e.sub(PIO2_HI, a);
    // else: f + c = s; π/4 - (2sr - (π/2_lo - 2c) - (π/4 - 2f))
    let f = e.clear_low_word(s);
    let ff = e.mul(f, f);
    let num = e.sub(z, ff);
    let den = e.add(s, f);
    let c = e.div(num, den);
    let s2 = e.mul(s, 2.0);
    let s2r = e.mul(s2, r);
    let c2 = e.mul(c, 2.0);
    let b = e.sub(PIO2_LO, c2);
    let a = e.sub(s2r, b);
    let f2 = e.mul(f, 2.0);
    let q = e.sub(0.5 * PIO2_HI, f2);
    let a = e.sub(a, q);
    let r_mid = e.sub(0.5 * PIO2_HI, a);
    let near1 = e.ige(ix, 0x3fef_3333);
    let r_big = e.sel(near1, r_near1, r_mid);
    let r_big = e.copysign(r_big, x);
    let r = e.sel(small, r_small, r_big);

    let tiny = e.ilt(ix, 0x3e50_0000);
    let r = e.sel(tiny, x, r);
    let one = e.feq(ax, 1.0);
    let pio2 = e.mul(x, PIO2_HI);
    let pio2 = e.add(pio2, TINY);
    let r = e.sel(one, pio2, r);
    let outside = e.fgt(ax, 1.0);
    let r = e.sel(outside, f64::NAN, r);
    let nan = e.is_nan(x);
    let r = e.sel(nan, x, r);
    e.ret(r);
}

pub(super) fn acos(e: &mut E, x: Value) {
    let ix = e.abs_hi_word(x);
    let ax = e.abs(x);
    let xbits = e.bits(x);
    let neg = e.ilt(xbits, 0);
    let small = e.ilt(ix, 0x3fe0_0000); // |x| < 0.5
    let xx = e.mul(x, x);
    let one_m = e.sub(1.0, ax);
    let half = e.mul(one_m, 0.5);
    let z = e.sel(small, xx, half);
    let r = asin_r(e, z);
    // |x| < 0.5: π/2 - (x - (π/2_lo - x*R(x²)))
    let xr = e.mul(x, r);
    let a = e.sub(PIO2_LO, xr);
    let a = e.sub(x, a);
    let r_small = e.sub(PIO2_HI, a);
    let s = e.sqrt(z);
    // x < -0.5: 2(π/2 - (s + (R(z)*s - π/2_lo)))
    let w = e.mul(r, s);
    let w = e.sub(w, PIO2_LO);
    let a = e.add(s, w);
    let a = e.sub(PIO2_HI, a);
    let r_neg = e.mul(a, 2.0);
    // x > 0.5: 2(df + (R(z)*s + c)), df + c = s
    let df = e.clear_low_word(s);
    let dd = e.mul(df, df);
    let num = e.sub(z, dd);
    let den = e.add(s, df);
    let c = e.div(num, den);
    let w = e.fma(r, s, c);
    let a = e.add(df, w);
    let r_pos = e.mul(a, 2.0);
    let r_big = e.sel(neg, r_neg, r_pos);
    let r = e.sel(small, r_small, r_big);

    let tiny = e.ile(ix, 0x3c60_0000);
    let r = e.sel(tiny, PIO2_HI + TINY, r);
    let plus1 = e.feq(x, 1.0);
    let r = e.sel(plus1, 0.0, r);
    let minus1 = e.feq(x, -1.0);
    let r = e.sel(minus1, 2.0 * PIO2_HI + TINY, r);
    let outside = e.fgt(ax, 1.0);
    let r = e.sel(outside, f64::NAN, r);
    let nan = e.is_nan(x);
    let r = e.sel(nan, x, r);
    e.ret(r);
}
