//! `pow` (float ** float), `powi` (float ** int) and `ipow` (int ** int).
//!
//! - `pow`: fdlibm's `e_pow.c` (as in musl before 2018). `log2(|x|)` is computed as a
//!   double-double `t1 + t2` with about 2^-64 relative error: `|x| = 2^n·(1 + f)` reduced
//!   against 1 or 1.5, `s = (x-b)/(x+b)` split into 21-bit halves, a degree-12 polynomial in
//!   `s²`, and `2/(3·ln2)` split likewise; or, for `|x|` within 2^-20 of 1 and `|y| > 2^31`,
//!   the series of `log(1 + t)` (with the rounding error of `t/ln2_hi` kept, which fdlibm
//!   wrongly assumes exact: it loses ~100 ULP there). `y·log2(x)` is formed from `y`'s 21-bit halves, checked
//!   against the overflow/underflow thresholds (to the last bit, with the low part), split
//!   into an integer `n` and a fraction in [-0.5, 0.5], and `2^fraction` is evaluated as in
//!   `exp`; `2^n` is applied exactly. Error below 1 ULP (fdlibm: "nearly rounded"); integer
//!   powers of integers are exact when representable. All of C99's special cases
//!   (`pow(x, ±0) = 1`, `pow(1, y) = 1` even for NaN `y`, `pow(-1, ±∞) = 1`, signed zeros and
//!   infinities for negative `x` and odd integer `y`, NaN for negative `x` and non-integer
//!   `y`).
//! - `powi(x, n)`: the exponent is clamped to the `i32` range and the result computed by
//!   repeated squaring exactly as compiler-rt's `__powidf2` (Rust's `f64::powi`): bit for bit
//!   the same results, which may be several ULP from the exact power for large `|n|`.
//! - `ipow(b, e)`: repeated squaring, wrapping on overflow; 1 for `e <= 0` (as `runtime`).

use super::emit::E;
use crate::function::{FloatCC, Value};

const BP: [f64; 2] = [1.0, 1.5];
const DP_H: [f64; 2] = [0.0, 5.849_624_872_207_641_601_56e-01];
const DP_L: [f64; 2] = [0.0, 1.350_039_202_129_748_971_28e-08];
const TWO53: f64 = 9_007_199_254_740_992.0;
const L: [f64; 6] = [
    5.999_999_999_999_946_487_25e-01,
    4.285_714_285_785_501_842_52e-01,
    3.333_333_298_183_774_329_18e-01,
    2.727_281_238_085_340_064_89e-01,
    2.306_607_457_755_617_540_67e-01,
    2.069_750_178_003_384_177_84e-01,
];
const P: [f64; 5] = [
    1.666_666_666_666_660_190_37e-01,
    -2.777_777_777_701_559_338_42e-03,
    6.613_756_321_437_934_361_17e-05,
    -1.653_390_220_546_525_153_90e-06,
    4.138_136_797_057_238_460_39e-08,
];
const LG2: f64 = 6.931_471_805_599_452_862_27e-01;
const LG2_H: f64 = 6.931_471_824_645_996_093_75e-01;
const LG2_L: f64 = -1.904_654_299_957_768_045_25e-09;
const OVT: f64 = 8.008_566_259_537_294_437_2e-17;
const CP: f64 = 9.617_966_939_259_755_543_29e-01;
const CP_H: f64 = 9.617_967_009_544_372_558_59e-01;
const CP_L: f64 = -7.028_461_650_952_758_265_16e-09;
const IVLN2: f64 = 1.442_695_040_888_963_387_00;
const IVLN2_H: f64 = 1.442_695_021_629_333_496_09;
const IVLN2_L: f64 = 1.925_962_991_126_617_468_87e-08;

/// `(hi, lo)`: `log2(|x|)` as a double-double, from the series of `log(1 + t)`, valid for
/// `|x|` within about 2^-20 of 1.
fn log2_near_one(e: &mut E, ax: Value) -> (Value, Value) {
    let t = e.sub(ax, 1.0);
    // w = t²·(0.5 - t·(1/3 - t/4))
    let a = e.mul(t, 0.25);
    let a = e.sub(0.333_333_333_333_333_333_333_3, a);
    let a = e.mul(t, a);
    let a = e.sub(0.5, a);
    let tt = e.mul(t, t);
    let w = e.mul(tt, a);
    // fdlibm assumes t·IVLN2_H exact, but t has up to 32 bits and IVLN2_H 24: keep the
    // product's rounding error in v (fdlibm loses up to ~100 ULP here).
    let ivln2_h = e.v(IVLN2_H);
    let (u, u_err) = e.two_prod(t, ivln2_h);
    let tl = e.mul(t, IVLN2_L);
    let wl = e.mul(w, IVLN2);
    let v = e.sub(tl, wl);
    let v = e.add(v, u_err);
    let uv = e.add(u, v);
    let t1 = e.clear_low_word(uv);
    let d = e.sub(t1, u);
    let t2 = e.sub(v, d);
    (t1, t2)
}

/// `(hi, lo)`: `log2(|x|)` as a double-double for finite nonzero `x` (fdlibm's main path).
fn log2_dd(e: &mut E, ax: Value) -> (Value, Value) {
    let ix0 = e.abs_hi_word(ax);
    let subnormal = e.ilt(ix0, 0x0010_0000);
    let scaled = e.mul(ax, TWO53);
    let ax = e.sel(subnormal, scaled, ax);
    let n0 = e.sel(subnormal, -53, 0);
    let ix = e.abs_hi_word(ax);
    let expo = e.ushr(ix, 20);
    let expo = e.isub(expo, 0x3ff);
    let n = e.iadd(n0, expo);
    let j = e.iand(ix, 0x000f_ffff);
    let ix = e.ior(j, 0x3ff0_0000);
    // |x| = 2^n·m with m in [1, √3/2·2): against 1 (k = 0) or 1.5 (k = 1), or halve m.
    let k1 = e.igt(j, 0x3988E);
    let lt = e.ilt(j, 0xBB67A);
    let k_one = e.and(k1, lt);
    let halve = e.not(lt);
    let n1 = e.iadd(n, 1);
    let n = e.sel(halve, n1, n);
    let ixh = e.isub(ix, 0x0010_0000);
    let ix = e.sel(halve, ixh, ix);
    let k = e.sel(k_one, 1, 0);
    let bp = e.sel(k_one, BP[1], BP[0]);
    let dp_h = e.sel(k_one, DP_H[1], DP_H[0]);
    let dp_l = e.sel(k_one, DP_L[1], DP_L[0]);
    // ax with its high word replaced by ix.
    let bits = e.bits(ax);
    let low = e.iand(bits, 0xffff_ffff_i64);
    let high = e.shl(ix, 32);
    let m = e.ior(high, low);
    let ax = e.float_from_bits(m);

    // s = u/v = (m - bp)/(m + bp), as s_h + s_l with s_h of 21 bits.
    let u = e.sub(ax, bp);
    let d = e.add(ax, bp);
    let v = e.div(1.0, d);
    let ss = e.mul(u, v);
    let s_h = e.clear_low_word(ss);
    // t_h = m + bp rounded to 21 bits, from the high word.
    let th = e.ushr(ix, 1);
    let th = e.ior(th, 0x2000_0000);
    let th = e.iadd(th, 0x0008_0000);
    let k18 = e.shl(k, 18);
    let th = e.iadd(th, k18);
    let th = e.shl(th, 32);
    let t_h = e.float_from_bits(th);
    let thb = e.sub(t_h, bp);
    let t_l = e.sub(ax, thb);
    // s_l = v*((u - s_h*t_h) - s_h*t_l)
    let a = e.mul(s_h, t_h);
    let a = e.sub(u, a);
    let b = e.mul(s_h, t_l);
    let a = e.sub(a, b);
    let s_l = e.mul(v, a);
    // log(m/bp) = 2s + 2/3·s³ + s²²·L(s²)
    let s2 = e.mul(ss, ss);
    let s4 = e.mul(s2, s2);
    let l = e.poly(s2, &L);
    let r = e.mul(s4, l);
    let a = e.add(s_h, ss);
    let a = e.mul(s_l, a);
    let r = e.add(r, a);
    let s2 = e.mul(s_h, s_h);
    let a = e.add(3.0, s2);
    let a = e.add(a, r);
    let t_h = e.clear_low_word(a);
    // t_l = r - ((t_h - 3) - s2)
    let a = e.sub(t_h, 3.0);
    let a = e.sub(a, s2);
    let t_l = e.sub(r, a);
    // u + v = s·(3 + s² + r)
    let u = e.mul(s_h, t_h);
    let a = e.mul(s_l, t_h);
    let b = e.mul(t_l, ss);
    let v = e.add(a, b);
    let uv = e.add(u, v);
    let p_h = e.clear_low_word(uv);
    let a = e.sub(p_h, u);
    let p_l = e.sub(v, a);
    // 2/(3 ln2)·(p_h + p_l) + log2(bp) + n
    let z_h = e.mul(p_h, CP_H);
    let a = e.mul(p_h, CP_L);
    let b = e.mul(p_l, CP);
    let z_l = e.add(a, b);
    let z_l = e.add(z_l, dp_l);
    let t = e.stof(n);
    let a = e.add(z_h, z_l);
    let a = e.add(a, dp_h);
    let a = e.add(a, t);
    let t1 = e.clear_low_word(a);
    // t2 = z_l - (((t1 - t) - dp_h) - z_h)
    let a = e.sub(t1, t);
    let a = e.sub(a, dp_h);
    let a = e.sub(a, z_h);
    let t2 = e.sub(z_l, a);
    (t1, t2)
}

pub(super) fn pow(e: &mut E, x: Value, y: Value) {
    let y_zero = e.feq(y, 0.0);
    e.ret_if(y_zero, 1.0);
    let x_one = e.feq(x, 1.0);
    e.ret_if(x_one, 1.0);
    let xn = e.is_nan(x);
    let yn = e.is_nan(y);
    let any_nan = e.or(xn, yn);
    let sum = e.add(x, y);
    e.ret_if(any_nan, sum);

    let ax = e.abs(x);
    let ay = e.abs(y);
    let xbits = e.bits(x);
    let x_neg = e.ilt(xbits, 0);
    let ybits = e.bits(y);
    let y_neg = e.ilt(ybits, 0);
    // yisint: y is an integer (every |y| >= 2^53 is an even one), and whether it is odd.
    let fy = e.floor(y);
    let is_int = e.feq(fy, y);
    let hy = e.mul(y, 0.5);
    let fhy = e.floor(hy);
    let half_frac = e.fcmp(FloatCC::Ne, fhy, hy);
    let is_odd = e.and(is_int, half_frac);

    // y = ±∞: 1 for |x| = 1, else 0 or +∞ by |x| <> 1 and the sign of y.
    let y_inf = e.feq(ay, f64::INFINITY);
    let ax_one = e.feq(ax, 1.0);
    let ax_gt1 = e.fgt(ax, 1.0);
    let grows = e.ine(ax_gt1, y_neg);
    let r = e.sel(grows, f64::INFINITY, 0.0);
    let r = e.sel(ax_one, 1.0, r);
    e.ret_if(y_inf, r);
    // y = ±1, 2, 0.5 (x >= +0).
    let y_one = e.feq(y, 1.0);
    e.ret_if(y_one, x);
    let y_m1 = e.feq(y, -1.0);
    let inv = e.div(1.0, x);
    e.ret_if(y_m1, inv);
    let y_two = e.feq(y, 2.0);
    let sq = e.mul(x, x);
    e.ret_if(y_two, sq);
    let y_half = e.feq(y, 0.5);
    let x_pos = e.not(x_neg);
    let root_case = e.and(y_half, x_pos);
    let root = e.sqrt(x);
    e.ret_if(root_case, root);
    // |x| = 0, ∞ or 1: |x|^y or its reciprocal, negated for x < 0 and odd y; (-1)^non-int = NaN.
    let ax_zero = e.feq(ax, 0.0);
    let ax_inf = e.feq(ax, f64::INFINITY);
    let exact = e.or(ax_zero, ax_inf);
    let exact = e.or(exact, ax_one);
    let z = e.div(1.0, ax);
    let z = e.sel(y_neg, z, ax);
    let neg_odd = e.and(x_neg, is_odd);
    let nz = e.neg(z);
    let z = e.sel(neg_odd, nz, z);
    let not_int = e.not(is_int);
    let minus_one_nonint = e.and(x_neg, ax_one);
    let minus_one_nonint = e.and(minus_one_nonint, not_int);
    let z = e.sel(minus_one_nonint, f64::NAN, z);
    e.ret_if(exact, z);
    // Negative x: NaN for non-integer y, the sign from y's parity.
    let neg_nonint = e.and(x_neg, not_int);
    e.ret_if(neg_nonint, f64::NAN);
    let s = e.sel(neg_odd, -1.0, 1.0);

    // |y| > 2^31: the result over/underflows unless |x| is within 2^-20 of 1.
    let ix = e.abs_hi_word(x);
    let iy = e.abs_hi_word(y);
    let huge = e.v(f64::INFINITY);
    let s_huge = e.mul(s, huge);
    let s_zero = e.mul(s, 0.0);
    let big_y = e.igt(iy, 0x41e0_0000);
    let very_big_y = e.igt(iy, 0x43f0_0000);
    let x_below = e.ile(ix, 0x3fef_ffff);
    let x_above = e.ige(ix, 0x3ff0_0000);
    let r = e.sel(y_neg, f64::INFINITY, 0.0);
    let vb_below = e.and(very_big_y, x_below);
    e.ret_if(vb_below, r);
    let r = e.sel(y_neg, 0.0, f64::INFINITY);
    let vb_above = e.and(very_big_y, x_above);
    e.ret_if(vb_above, r);
    let x_lt = e.ilt(ix, 0x3fef_ffff);
    let r = e.sel(y_neg, s_huge, s_zero);
    let b_below = e.and(big_y, x_lt);
    e.ret_if(b_below, r);
    let x_gt = e.igt(ix, 0x3ff0_0000);
    let r = e.sel(y_neg, s_zero, s_huge);
    let b_above = e.and(big_y, x_gt);
    e.ret_if(b_above, r);

    let (n1, n2) = log2_near_one(e, ax);
    let (g1, g2) = log2_dd(e, ax);
    let t1 = e.sel(big_y, n1, g1);
    let t2 = e.sel(big_y, n2, g2);

    // y·log2|x| = p_h + p_l, y split into 21-bit halves so that y1·t1 is exact.
    let y1 = e.clear_low_word(y);
    let yd = e.sub(y, y1);
    let a = e.mul(yd, t1);
    let b = e.mul(y, t2);
    let p_l = e.add(a, b);
    let p_h = e.mul(y1, t1);
    let z = e.add(p_l, p_h);
    let zbits = e.bits(z);
    let j = e.sshr(zbits, 32); // signed high word
    let i = e.iand(zbits, 0xffff_ffff_i64);
    // Overflow: z > 1024, or z = 1024 and the low part pushes it over.
    let z_ge = e.ige(j, 0x4090_0000);
    let above = e.isub(j, 0x4090_0000);
    let above = e.ior(above, i);
    let above = e.ine(above, 0);
    let zp = e.sub(z, p_h);
    let pl_ovt = e.add(p_l, OVT);
    let rounds_over = e.fgt(pl_ovt, zp);
    let over = e.or(above, rounds_over);
    let over = e.and(z_ge, over);
    e.ret_if(over, s_huge);
    // Underflow: z < -1075, or z = -1075 and the low part pulls it under.
    let jabs = e.iand(j, 0x7fff_ffff);
    let z_le = e.ige(jabs, 0x4090_cc00);
    let ju = e.iand(j, 0xffff_ffff_i64);
    let below = e.isub(ju, 0xc090_cc00_i64);
    let below = e.ior(below, i);
    let below = e.ine(below, 0);
    let rounds_under = e.fcmp(FloatCC::Le, p_l, zp);
    let under = e.or(below, rounds_under);
    let under = e.and(z_le, under);
    let not_over = e.not(z_ge);
    let under = e.and(under, not_over);
    e.ret_if(under, s_zero);

    // z = n + f with |f| <= 0.5: n from the high word, p_h -= n.
    let iz = e.iand(j, 0x7fff_ffff);
    let k = e.ushr(iz, 20);
    let k = e.isub(k, 0x3ff);
    let k1 = e.iadd(k, 1);
    let half_bit = e.v(0x0010_0000);
    let round = e.ushr(half_bit, k1);
    let nn = e.iadd(j, round);
    let nabs = e.iand(nn, 0x7fff_ffff);
    let k = e.ushr(nabs, 20);
    let k = e.isub(k, 0x3ff);
    let low_mask = e.v(0x000f_ffff);
    let low_mask = e.ushr(low_mask, k);
    let keep = e.ixor(low_mask, -1);
    let th = e.iand(nn, keep);
    let th = e.iand(th, 0xffff_ffff_i64);
    let th = e.shl(th, 32);
    let t = e.float_from_bits(th);
    let nm = e.iand(nn, 0x000f_ffff);
    let nm = e.ior(nm, 0x0010_0000);
    let sh = e.isub(20, k);
    let nm = e.ushr(nm, sh);
    let j_neg = e.ilt(j, 0);
    let nneg = e.ineg(nm);
    let nm = e.sel(j_neg, nneg, nm);
    let has_int = e.igt(iz, 0x3fe0_0000);
    let n = e.sel(has_int, nm, 0);
    let t = e.sel(has_int, t, 0.0);
    let p_h = e.sub(p_h, t);

    // 2^f = e^(f·ln2) as in exp, with f·ln2 = z + w.
    let a = e.add(p_l, p_h);
    let t = e.clear_low_word(a);
    let u = e.mul(t, LG2_H);
    let a = e.sub(t, p_h);
    let a = e.sub(p_l, a);
    let a = e.mul(a, LG2);
    let b = e.mul(t, LG2_L);
    let v = e.add(a, b);
    let z = e.add(u, v);
    let a = e.sub(z, u);
    let w = e.sub(v, a);
    let tt = e.mul(z, z);
    let p = e.poly(tt, &P);
    let p = e.mul(tt, p);
    let t1 = e.sub(z, p);
    // r = (z*t1)/(t1 - 2) - (w + z*w)
    let zt = e.mul(z, t1);
    let d = e.sub(t1, 2.0);
    let q = e.div(zt, d);
    let zw = e.mul(z, w);
    let zw = e.add(w, zw);
    let r = e.sub(q, zw);
    let a = e.sub(r, z);
    let z = e.sub(1.0, a);
    let z = e.scale(z, n);
    let r = e.mul(s, z);
    e.ret(r);
}

pub(super) fn powi(e: &mut E, x: Value, n: Value) {
    let n = e.smax(n, i64::from(i32::MIN));
    let n = e.smin(n, i64::from(i32::MAX));
    let recip = e.ilt(n, 0);
    let nn = e.ineg(n);
    let m = e.sel(recip, nn, n);
    let one = e.v(1.0);
    let out = e.while_loop(
        &[one, x, m],
        |e, v| e.ine(v[2], 0),
        |e, v| {
            let (r, a, m) = (v[0], v[1], v[2]);
            let bit = e.iand(m, 1);
            let odd = e.ine(bit, 0);
            let ra = e.mul(r, a);
            let r = e.sel(odd, ra, r);
            let a = e.mul(a, a);
            let m = e.ushr(m, 1);
            vec![r, a, m]
        },
    );
    let inv = e.div(1.0, out[0]);
    let r = e.sel(recip, inv, out[0]);
    e.ret(r);
}

pub(super) fn ipow(e: &mut E, base: Value, exp: Value) {
    let ty = e.ty(base);
    let one = e.b.iconst(ty, 1);
    let out = e.while_loop(
        &[one, base, exp],
        |e, v| e.igt(v[2], 0),
        |e, v| {
            let (r, b, n) = (v[0], v[1], v[2]);
            let bit = e.iand(n, 1);
            let odd = e.ine(bit, 0);
            let rb = e.imul(r, b);
            let r = e.sel(odd, rb, r);
            let b = e.imul(b, b);
            let n = e.sshr(n, 1);
            vec![r, b, n]
        },
    );
    e.ret(out[0]);
}
