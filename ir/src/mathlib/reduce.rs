//! Argument reduction by π/2 for the trigonometric functions: `x = n·π/2 + (y0 + y1)` with
//! `|y0 + y1| ≲ π/4`, the remainder as a double-double.
//!
//! - `|x| < 2^20·π/2` (≈ 1.6e6): Cody–Waite with fdlibm's three-part split of π/2 (each part
//!   with 33 significant bits, so `n·part` is exact for `n < 2^20`), always all three rounds
//!   (fdlibm's "good to 151 bits, covers all cases" path; it skips rounds only for speed).
//! - Larger finite `x`: Payne–Hanek. `x = M·2^e` with the 53-bit integer `M` split into three
//!   24-bit limbs, multiplied by the ten 24-bit chunks of 2/π (fdlibm's `ipio2` table) whose
//!   products can still contribute below 2^2 — the earlier chunks only add multiples of 4, which
//!   do not change the quadrant. The limb products are summed exactly in integers, the
//!   fraction is assembled into a double-double from non-overlapping exact pieces and
//!   multiplied by π/2 as a double-double. The table is read with a tree of `select`s on the
//!   bits of the chunk index, as the IR has no constant data. The error is below 2^-100
//!   relative to the remainder even for the worst-case doubles (remainders near 2^-61).
//!
//! Callers handle NaN and infinities first.

use super::emit::E;
use crate::function::{Ty, Value};

const INV_PIO2: f64 = 6.366_197_723_675_813_824_33e-1;
const PIO2_1: f64 = 1.570_796_326_734_125_614_17; // first 33 bits of π/2
const PIO2_2: f64 = 6.077_100_506_303_965_976_60e-11; // second 33 bits of π/2
const PIO2_2T: f64 = 2.022_266_248_795_950_631_54e-21; // π/2 - (PIO2_1 + PIO2_2)
const PIO2_3: f64 = 2.022_266_248_711_166_455_80e-21; // third 33 bits of π/2
const PIO2_3T: f64 = 8.478_427_660_368_899_569_97e-32; // π/2 - (PIO2_1 + PIO2_2 + PIO2_3)
/// π/2 as a double-double.
const PIO2_HI: f64 = 1.570_796_326_794_896_558;
const PIO2_LO: f64 = 6.123_233_995_736_766_036e-17;

/// The bits of 2/π, 24 at a time (fdlibm's `ipio2`), preceded by two zero chunks so that the
/// index of the first useful chunk is never negative.
const TWO_OVER_PI: [i64; 52] = [
    0, 0, 0xA2F983, 0x6E4E44, 0x1529FC, 0x2757D1, 0xF534DD, 0xC0DB62, 0x95993C, 0x439041, 0xFE5163,
    0xABDEBB, 0xC561B7, 0x246E3A, 0x424DD2, 0xE00649, 0x2EEA09, 0xD1921C, 0xFE1DEB, 0x1CB129,
    0xA73EE8, 0x8235F5, 0x2EBB44, 0x84E99C, 0x7026B4, 0x5F7E41, 0x3991D6, 0x398353, 0x39F49C,
    0x845F8B, 0xBDF928, 0x3B1FF8, 0x97FFDE, 0x05980F, 0xEF2F11, 0x8B5A0A, 0x6D1F6D, 0x367ECF,
    0x27CB09, 0xB74F46, 0x3F669E, 0x5FEA2D, 0x7527BA, 0xC7EBE5, 0xF17B3D, 0x0739F7, 0x8A5292,
    0xEA6BFB, 0x5FB11F, 0x8D5D08, 0x560330, 0x46FC7B,
];
/// Chunks of 2/π used per reduction (the products of the later ones are below 2^-140).
const CHUNKS: usize = 10;
const MASK24: i64 = 0xff_ffff;
/// The largest first-chunk index: `(971 + 46)/24` for the largest exponent (`x = M·2^971`).
const MAX_BASE: usize = 42;

/// `(n, y0, y1)` for finite `x`: `n` is an `i64` whose low two bits give the quadrant.
pub(super) fn rem_pio2(e: &mut E, x: Value) -> (Value, Value, Value) {
    let ix = e.abs_hi_word(x);
    let medium = e.ilt(ix, 0x4139_21fb);
    let r = e.if_else(
        medium,
        &[Ty::I64, Ty::F64, Ty::F64],
        |e| {
            let (n, y0, y1) = cody_waite(e, x);
            vec![n, y0, y1]
        },
        |e| {
            let (n, y0, y1) = payne_hanek(e, x);
            vec![n, y0, y1]
        },
    );
    (r[0], r[1], r[2])
}

fn cody_waite(e: &mut E, x: Value) -> (Value, Value, Value) {
    let xn = e.mul(x, INV_PIO2);
    let fn_ = e.nearest(xn);
    let n = e.ftos(fn_);
    let w = e.mul(fn_, PIO2_1);
    let r = e.sub(x, w);
    // fdlibm's second and third rounds: subtract fn·(next 33 bits of π/2), keeping what the
    // subtraction lost in w (the first round's tail fn·PIO2_1T is superseded by them).
    let (r, _) = cody_waite_round(e, r, fn_, PIO2_2, PIO2_2T);
    let (r, w) = cody_waite_round(e, r, fn_, PIO2_3, PIO2_3T);
    let y0 = e.sub(r, w);
    let d = e.sub(r, y0);
    let y1 = e.sub(d, w);
    (n, y0, y1)
}

fn cody_waite_round(e: &mut E, t: Value, fn_: Value, part: f64, tail: f64) -> (Value, Value) {
    let prod = e.mul(fn_, part);
    let r = e.sub(t, prod);
    let lost = e.sub(t, r);
    let lost = e.sub(lost, prod);
    let tail = e.mul(fn_, tail);
    (r, e.sub(tail, lost))
}

/// Reads `table[index]` (`index` an `i64` below `table.len()`, given by its bits, lowest
/// first) with a tree of selects; entries past the table's end are never read, so their
/// subtrees are pruned.
fn lookup(e: &mut E, bits: &[Value], table: &[i64]) -> Value {
    let mut level: Vec<Option<Value>> = (0..1usize << bits.len())
        .map(|i| table.get(i).map(|&c| e.v(c)))
        .collect();
    for &bit in bits {
        level = level
            .chunks(2)
            .map(|pair| match (pair[0], pair[1]) {
                (Some(even), Some(odd)) => Some(e.sel(bit, odd, even)),
                (only, None) => only,
                (None, Some(_)) => unreachable!("tables are filled from index 0"),
            })
            .collect();
    }
    level[0].expect("a non-empty table")
}

fn payne_hanek(e: &mut E, x: Value) -> (Value, Value, Value) {
    let bits = e.bits(x);
    let biased = e.ushr(bits, 52);
    let biased = e.iand(biased, 0x7ff);
    let exp = e.isub(biased, 1075); // x = M·2^exp, exp ≥ -32 here
    let frac = e.iand(bits, (1i64 << 52) - 1);
    let m = e.ior(frac, 1i64 << 52);
    // First chunk whose products are not all multiples of 4: base = floor((exp - 2)/24) + 2
    // (0 and 1 are the zero chunks), so that s0 = exp - 24·(base - 1) lies in [-22, 1].
    let shifted = e.iadd(exp, 46);
    let base = e.udiv(shifted, 24);
    let base24 = e.imul(base, 24);
    let s0 = e.isub(exp, base24);
    let s0 = e.iadd(s0, 24);

    // Chunks t[j] = TWO_OVER_PI[base + j], two per lookup, sharing the index bits.
    let index_bits: Vec<Value> = (0..6)
        .map(|i| {
            let b = e.ushr(base, i);
            let b = e.iand(b, 1);
            e.ine(b, 0)
        })
        .collect();
    let mut t = Vec::with_capacity(CHUNKS);
    for pair in 0..CHUNKS / 2 {
        let packed: Vec<i64> = (0..=MAX_BASE)
            .map(|i| (TWO_OVER_PI[i + 2 * pair] << 24) | TWO_OVER_PI[i + 2 * pair + 1])
            .collect();
        let w = lookup(e, &index_bits, &packed);
        let hi = e.ushr(w, 24);
        t.push(hi);
        t.push(e.iand(w, MASK24));
    }

    // Schoolbook product of the limbs of M with the chunks: q[k] collects the products
    // m_i·t_j with j - i = k, weighted 2^(s0 - 24k); k < 0 only adds multiples of 4.
    let m0 = e.iand(m, MASK24);
    let m1 = e.ushr(m, 24);
    let m1 = e.iand(m1, MASK24);
    let m2 = e.ushr(m, 48);
    let mut q = Vec::with_capacity(CHUNKS - 2);
    for k in 0..CHUNKS - 2 {
        let a = e.imul(m0, t[k]);
        let b = e.imul(m1, t[k + 1]);
        let c = e.imul(m2, t[k + 2]);
        let ab = e.iadd(a, b);
        q.push(e.iadd(ab, c));
    }
    for k in (1..q.len()).rev() {
        let carry = e.ushr(q[k], 24);
        q[k] = e.iand(q[k], MASK24);
        q[k - 1] = e.iadd(q[k - 1], carry);
    }
    // q[0]·2^s0 mod 4: keep its low 2 - s0 bits.
    let keep = e.isub(2, s0);
    let one = e.v(1);
    let keep_mask = e.shl(one, keep);
    let keep_mask = e.isub(keep_mask, 1);
    let top = e.iand(q[0], keep_mask);
    let top = e.shl(top, 24);
    let top = e.ior(top, q[1]);
    // H = top·2^(s0-24) < 4 holds the integer part; the rest is below 2^(s0-24).
    let top = e.stof(top);
    let w24 = e.isub(s0, 24);
    let scale = e.pow2(w24);
    let h = e.mul(top, scale);
    let n = e.nearest(h);
    let f_hi = e.sub(h, n);
    let mut pieces = Vec::new();
    for (k, weight) in [(2, 72), (4, 120), (6, 168)] {
        let hi = e.shl(q[k], 24);
        let limb = e.ior(hi, q[k + 1]);
        let limb = e.stof(limb);
        let w = e.isub(s0, weight);
        let scale = e.pow2(w);
        pieces.push(e.mul(limb, scale));
    }
    let (fh, fl) = e.two_sum(f_hi, pieces[0]);
    let fl = e.add(fl, pieces[1]);
    let fl = e.add(fl, pieces[2]);
    let (fh, fl) = e.two_sum(fh, fl);
    // r = f·π/2 as a double-double.
    let pio2 = e.v(PIO2_HI);
    let (p, perr) = e.two_prod(fh, pio2);
    let c1 = e.mul(fh, PIO2_LO);
    let c2 = e.fma(fl, PIO2_HI, c1);
    let err = e.add(perr, c2);
    let y0 = e.add(p, err);
    let d = e.sub(p, y0);
    let y1 = e.add(d, err);
    // Negative x: negate the remainder and the quadrant.
    let neg = e.ilt(bits, 0);
    let ni = e.ftos(n);
    let nneg = e.ineg(ni);
    let n = e.sel(neg, nneg, ni);
    let y0n = e.neg(y0);
    let y1n = e.neg(y1);
    let y0 = e.sel(neg, y0n, y0);
    let y1 = e.sel(neg, y1n, y1);
    (n, y0, y1)
}
