//! Whole-array reductions that compiled loops hand over (`ir::passes::reductions`): sums of
//! contiguous `i64`/`i32`/`i16`/`i8` (and unsigned 16- and 8-bit) elements (exact in any
//! order, wrapping like the loop), the minimum and
//! maximum of `i64`, `f64` and `f32` elements (NumPy's NaN rule, exact), the total bit count
//! of `i64` elements, and — only for
//! loops compiled with `fastmath=True`, which allows reassociation — sums, sums of squares and
//! dot products of `f64`/`f32` elements.
//!
//! Cranelift has 128-bit vectors only and no vectoriser; these are compiled by rustc for the
//! baseline and again for AVX2 and AVX-512, chosen at run time by the CPU's features. The float
//! sums keep 16 (`f64`) or 64 (`f32`) independent accumulators (lanes of two or four 512-bit
//! registers), so additions overlap instead of waiting on one another; LLVM vectorises the
//! integer ones itself.

/// Calls `$body` through the widest instruction set the CPU has.
macro_rules! dispatch {
    ($name:ident, $generic:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        /// # Safety
        /// The pointers address `n` contiguous readable elements (`n >= 0`).
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn wide($($arg: $ty),*) -> $ret {
                    unsafe { $generic($($arg),*) }
                }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2($($arg: $ty),*) -> $ret {
                    unsafe { $generic($($arg),*) }
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    return unsafe { wide($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    return unsafe { avx2($($arg),*) };
                }
            }
            unsafe { $generic($($arg),*) }
        }
    };
}

const LANES: usize = 16;

/// A slice of `n` elements at `p` (empty for `n <= 0`).
///
/// # Safety
/// As for the dispatching functions.
#[inline(always)]
unsafe fn elements<'a, T>(p: *const T, n: i64) -> &'a [T] {
    if n <= 0 || p.is_null() {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(p, n as usize) }
    }
}

macro_rules! float_sum {
    ($generic:ident, $t:ty, |$x:ident| $term:expr) => {
        #[inline(always)]
        unsafe fn $generic(p: *const $t, n: i64) -> $t {
            let xs = unsafe { elements(p, n) };
            let mut acc = [0.0 as $t; LANES];
            let chunks = xs.chunks_exact(LANES);
            let rest = chunks.remainder();
            for c in chunks {
                for k in 0..LANES {
                    let $x = c[k];
                    acc[k] += $term;
                }
            }
            let mut s = acc.iter().sum::<$t>();
            for &$x in rest {
                s += $term;
            }
            s
        }
    };
}

// `f32`: sixteen lanes are one 512-bit register, whose additions would wait on each other.
macro_rules! float_sum_split {
    ($generic:ident, $t:ty, |$x:ident| $term:expr) => {
        #[inline(always)]
        unsafe fn $generic(p: *const $t, n: i64) -> $t {
            // Four separate accumulator arrays of one 512-bit register each: LLVM keeps each in
            // registers (one array of all the lanes stayed in memory, behind a store-to-load
            // dependency per step), and four chains of additions overlap their latencies.
            const W: usize = 64 / std::mem::size_of::<$t>();
            let xs = unsafe { elements(p, n) };
            let (mut a0, mut a1, mut a2, mut a3) = (
                [0.0 as $t; W],
                [0.0 as $t; W],
                [0.0 as $t; W],
                [0.0 as $t; W],
            );
            let chunks = xs.chunks_exact(4 * W);
            let rest = chunks.remainder();
            for c in chunks {
                for k in 0..W {
                    let $x = c[k];
                    a0[k] += $term;
                    let $x = c[W + k];
                    a1[k] += $term;
                    let $x = c[2 * W + k];
                    a2[k] += $term;
                    let $x = c[3 * W + k];
                    a3[k] += $term;
                }
            }
            let mut s = 0.0 as $t;
            for k in 0..W {
                s += (a0[k] + a1[k]) + (a2[k] + a3[k]);
            }
            for &$x in rest {
                s += $term;
            }
            s
        }
    };
}

float_sum!(sum_f64_generic, f64, |x| x);
float_sum_split!(sum_f32_generic, f32, |x| x);
float_sum!(sum_squares_f64_generic, f64, |x| x * x);

#[inline(always)]
unsafe fn dot_f64_generic(p: *const f64, q: *const f64, n: i64) -> f64 {
    let (xs, ys) = unsafe { (elements(p, n), elements(q, n)) };
    let mut acc = [0.0f64; LANES];
    let mut xc = xs.chunks_exact(LANES);
    let mut yc = ys.chunks_exact(LANES);
    for (x, y) in (&mut xc).zip(&mut yc) {
        for k in 0..LANES {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s = acc.iter().sum::<f64>();
    for (x, y) in xc.remainder().iter().zip(yc.remainder()) {
        s += x * y;
    }
    s
}

// Integer sums: LLVM vectorises a plain wrapping fold itself (integer addition reassociates);
// spelling out sixteen accumulators made it gather across chunks, ten times slower.
#[inline(always)]
unsafe fn sum_i64_generic(p: *const i64, n: i64) -> i64 {
    let xs = unsafe { elements(p, n) };
    xs.iter().fold(0i64, |a, &b| a.wrapping_add(b))
}

#[inline(always)]
unsafe fn sum_i32_generic(p: *const i32, n: i64) -> i64 {
    let xs = unsafe { elements(p, n) };
    xs.iter().fold(0i64, |a, &b| a.wrapping_add(i64::from(b)))
}

// Sums of 8- and 16-bit elements: 32-bit partial sums (four times as many lanes per vector as
// 64-bit ones) over chunks too short to overflow them (2^15 elements of magnitude < 2^16).
macro_rules! narrow_sum {
    ($generic:ident, $t:ty, $partial:ty) => {
        #[inline(always)]
        unsafe fn $generic(p: *const $t, n: i64) -> i64 {
            let xs = unsafe { elements(p, n) };
            xs.chunks(1 << 15)
                .map(|chunk| {
                    let partial = chunk
                        .iter()
                        .fold(0 as $partial, |a, &b| a.wrapping_add(<$partial>::from(b)));
                    i64::from(partial)
                })
                .fold(0i64, i64::wrapping_add)
        }
    };
}

narrow_sum!(sum_u8_generic, u8, u32);
narrow_sum!(sum_i8_generic, i8, i32);
narrow_sum!(sum_u16_generic, u16, u32);
narrow_sum!(sum_i16_generic, i16, i32);

#[inline(always)]
unsafe fn min_i64_generic(p: *const i64, n: i64) -> i64 {
    let xs = unsafe { elements(p, n) };
    xs.iter().copied().fold(i64::MAX, i64::min)
}

#[inline(always)]
unsafe fn max_i64_generic(p: *const i64, n: i64) -> i64 {
    let xs = unsafe { elements(p, n) };
    xs.iter().copied().fold(i64::MIN, i64::max)
}

#[inline(always)]
unsafe fn popcount_sum_i64_generic(p: *const i64, n: i64) -> i64 {
    let xs = unsafe { elements(p, n) };
    xs.iter().map(|x| i64::from(x.count_ones())).sum()
}

/// The total number of one bits of `n` contiguous `i64` elements: `vpopcntq` on 512-bit
/// vectors where the CPU has AVX-512 VPOPCNTDQ, else what LLVM makes of `popcnt` (a nibble
/// table with AVX2's byte shuffles).
///
/// # Safety
/// `p` addresses `n` contiguous readable elements (`n >= 0`).
pub unsafe extern "C" fn ferrojit_popcount_sum_i64(p: *const i64, n: i64) -> i64 {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx512f,avx512vpopcntdq")]
        unsafe fn wide(p: *const i64, n: i64) -> i64 {
            unsafe { popcount_sum_i64_generic(p, n) }
        }
        #[target_feature(enable = "avx2,popcnt")]
        unsafe fn avx2(p: *const i64, n: i64) -> i64 {
            unsafe { popcount_sum_i64_generic(p, n) }
        }
        if std::arch::is_x86_feature_detected!("avx512vpopcntdq")
            && std::arch::is_x86_feature_detected!("avx512f")
        {
            return unsafe { wide(p, n) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return unsafe { avx2(p, n) };
        }
    }
    unsafe { popcount_sum_i64_generic(p, n) }
}

/// NumPy's `min`/`max` of floats: the first NaN if there is one, else the extreme value, and of
/// equal extremes the first (which only shows for zeros: `max([-0.0, 0.0])` is `-0.0`). The
/// lanes keep `x > acc ? x : acc` (one `maxpd`, NaN-blind) and a separate "saw a NaN" flag;
/// the rare cases (a NaN, a zero result) are settled by a second look at the elements.
macro_rules! float_extreme {
    ($generic:ident, $t:ty, $better:tt) => {
        #[inline(always)]
        unsafe fn $generic(p: *const $t, n: i64) -> $t {
            let xs = unsafe { elements(p, n) };
            let Some(&first) = xs.first() else {
                return <$t>::NAN;
            };
            let mut acc = [first; LANES];
            let mut nan = [false; LANES];
            let chunks = xs.chunks_exact(LANES);
            let rest = chunks.remainder();
            for c in chunks {
                for k in 0..LANES {
                    let x = c[k];
                    acc[k] = if x $better acc[k] { x } else { acc[k] };
                    nan[k] |= x != x;
                }
            }
            let mut m = first;
            for &x in acc.iter().chain(rest) {
                m = if x $better m { x } else { m };
            }
            if nan.iter().any(|&b| b) || rest.iter().any(|x| x.is_nan()) || first.is_nan() {
                return *xs.iter().find(|x| x.is_nan()).expect("a NaN was seen");
            }
            if m == 0.0 {
                // -0.0 == 0.0: the first zero decides the sign, as the scalar loop keeps it.
                return *xs.iter().find(|&&x| x == 0.0).expect("the extreme is an element");
            }
            m
        }
    };
}

float_extreme!(min_f64_generic, f64, <);
float_extreme!(max_f64_generic, f64, >);
float_extreme!(min_f32_generic, f32, <);
float_extreme!(max_f32_generic, f32, >);

dispatch!(ferrojit_min_f64, min_f64_generic, (p: *const f64, n: i64) -> f64);
dispatch!(ferrojit_max_f64, max_f64_generic, (p: *const f64, n: i64) -> f64);
dispatch!(ferrojit_min_f32, min_f32_generic, (p: *const f32, n: i64) -> f32);
dispatch!(ferrojit_max_f32, max_f32_generic, (p: *const f32, n: i64) -> f32);
dispatch!(ferrojit_sum_f64, sum_f64_generic, (p: *const f64, n: i64) -> f64);
dispatch!(ferrojit_sum_f32, sum_f32_generic, (p: *const f32, n: i64) -> f32);
dispatch!(sum_squares_f64_portable, sum_squares_f64_generic, (p: *const f64, n: i64) -> f64);

/// The sum of squares, through explicit AVX-512 fused multiply-adds when the CPU has them:
/// LLVM split the portable loop's `x * x` then `+` into 128-bit pieces (1.45x Numba's time in
/// cache), while four 512-bit accumulators keep up with the loads.
///
/// # Safety
/// `p` addresses `n` contiguous readable elements (`n >= 0`).
pub unsafe extern "C" fn ferrojit_sum_squares_f64(p: *const f64, n: i64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        return unsafe { sum_squares_f64_avx512(p, n) };
    }
    unsafe { sum_squares_f64_portable(p, n) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sum_squares_f64_avx512(p: *const f64, n: i64) -> f64 {
    use std::arch::x86_64::{
        _mm512_add_pd, _mm512_fmadd_pd, _mm512_loadu_pd, _mm512_reduce_add_pd, _mm512_setzero_pd,
    };
    let xs = unsafe { elements(p, n) };
    let mut acc = [_mm512_setzero_pd(); 4];
    let chunks = xs.chunks_exact(32);
    let rest = chunks.remainder();
    for c in chunks {
        for (k, a) in acc.iter_mut().enumerate() {
            // SAFETY: `c` holds 32 elements; lanes 8k..8k+8 are inside it.
            let v = unsafe { _mm512_loadu_pd(c.as_ptr().add(8 * k)) };
            *a = _mm512_fmadd_pd(v, v, *a);
        }
    }
    let both = _mm512_add_pd(_mm512_add_pd(acc[0], acc[1]), _mm512_add_pd(acc[2], acc[3]));
    let mut s = _mm512_reduce_add_pd(both);
    for &x in rest {
        s += x * x;
    }
    s
}
dispatch!(ferrojit_dot_f64, dot_f64_generic, (p: *const f64, q: *const f64, n: i64) -> f64);
dispatch!(ferrojit_sum_i64, sum_i64_generic, (p: *const i64, n: i64) -> i64);
dispatch!(ferrojit_sum_i32, sum_i32_generic, (p: *const i32, n: i64) -> i64);
dispatch!(ferrojit_sum_u8, sum_u8_generic, (p: *const u8, n: i64) -> i64);
dispatch!(ferrojit_sum_i8, sum_i8_generic, (p: *const i8, n: i64) -> i64);
dispatch!(ferrojit_sum_u16, sum_u16_generic, (p: *const u16, n: i64) -> i64);
dispatch!(ferrojit_sum_i16, sum_i16_generic, (p: *const i16, n: i64) -> i64);
dispatch!(ferrojit_min_i64, min_i64_generic, (p: *const i64, n: i64) -> i64);
dispatch!(ferrojit_max_i64, max_i64_generic, (p: *const i64, n: i64) -> i64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_sums_are_exact_and_wrap() {
        let xs: Vec<i64> = (0..1000)
            .map(|k| k * 7919 - 3_000_000 + i64::MAX / 999 * (k % 3))
            .collect();
        let want = xs.iter().fold(0i64, |a, &b| a.wrapping_add(b));
        assert_eq!(
            unsafe { ferrojit_sum_i64(xs.as_ptr(), xs.len() as i64) },
            want
        );
        let ys: Vec<i32> = (0..1001i64)
            .map(|k| (k * 104_729 % 2_000_001 - 1_000_000) as i32)
            .collect();
        let want: i64 = ys.iter().map(|&y| i64::from(y)).sum();
        assert_eq!(
            unsafe { ferrojit_sum_i32(ys.as_ptr(), ys.len() as i64) },
            want
        );
        assert_eq!(unsafe { ferrojit_sum_i64(xs.as_ptr(), 0) }, 0);
    }

    #[test]
    fn narrow_sums_widen_every_element() {
        // Past one 2^15-element chunk, with the extremes of each type.
        let n = 100_003usize;
        let bytes: Vec<u8> = (0..n)
            .map(|k| {
                if k % 7 == 0 {
                    255
                } else {
                    (k * 31 % 256) as u8
                }
            })
            .collect();
        let want: i64 = bytes.iter().map(|&b| i64::from(b)).sum();
        assert_eq!(unsafe { ferrojit_sum_u8(bytes.as_ptr(), n as i64) }, want);
        let signed: Vec<i8> = bytes.iter().map(|&b| b as i8).collect();
        let want: i64 = signed.iter().map(|&b| i64::from(b)).sum();
        assert_eq!(unsafe { ferrojit_sum_i8(signed.as_ptr(), n as i64) }, want);
        let words: Vec<u16> = (0..n)
            .map(|k| {
                if k % 5 == 0 {
                    65535
                } else {
                    (k * 7919 % 65536) as u16
                }
            })
            .collect();
        let want: i64 = words.iter().map(|&w| i64::from(w)).sum();
        assert_eq!(unsafe { ferrojit_sum_u16(words.as_ptr(), n as i64) }, want);
        let signed: Vec<i16> = words
            .iter()
            .map(|&w| if w == 65535 { i16::MIN } else { w as i16 })
            .collect();
        let want: i64 = signed.iter().map(|&w| i64::from(w)).sum();
        assert_eq!(unsafe { ferrojit_sum_i16(signed.as_ptr(), n as i64) }, want);
        assert_eq!(unsafe { ferrojit_sum_u8(bytes.as_ptr(), 0) }, 0);
    }

    #[test]
    fn popcount_sums_count_every_bit() {
        let xs: Vec<i64> = (0..1001i64)
            .map(|k| k.wrapping_mul(0x9E37_79B9_7F4A_7C15u64 as i64) ^ (k << 7))
            .chain([0, -1, i64::MIN, i64::MAX])
            .collect();
        let want: i64 = xs.iter().map(|x| i64::from(x.count_ones())).sum();
        let n = xs.len() as i64;
        assert_eq!(unsafe { ferrojit_popcount_sum_i64(xs.as_ptr(), n) }, want);
        assert_eq!(unsafe { ferrojit_popcount_sum_i64(xs.as_ptr(), 0) }, 0);
    }

    #[test]
    fn float_extremes_follow_numpy() {
        let max = |xs: &[f64]| unsafe { ferrojit_max_f64(xs.as_ptr(), xs.len() as i64) };
        let min = |xs: &[f64]| unsafe { ferrojit_min_f64(xs.as_ptr(), xs.len() as i64) };
        let xs: Vec<f64> = (0..1003).map(|k| ((k * 37) as f64).sin()).collect();
        let want = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(max(&xs), want);
        assert_eq!(min(&xs), xs.iter().copied().fold(f64::INFINITY, f64::min));
        // The first NaN wins, wherever it is (lanes, remainder, first element).
        for at in [0, 5, 17, 1000, 1002] {
            let mut ys = xs.clone();
            ys[at] = f64::from_bits(f64::NAN.to_bits() | at as u64);
            ys[1001] = -f64::NAN;
            let got = max(&ys);
            assert_eq!(got.to_bits(), ys[at.min(1001)].to_bits(), "NaN at {at}");
        }
        // Of equal zeros the first is kept.
        let zs = [-1.0, -0.0, 0.0, -3.0];
        assert!(max(&zs).is_sign_negative() && max(&zs) == 0.0);
        let zs: Vec<f64> = (0..40).map(|k| if k == 3 { 0.0 } else { -0.0 }).collect();
        assert!(max(&zs).is_sign_negative());
        assert_eq!(max(&[f64::NEG_INFINITY; 20]), f64::NEG_INFINITY);
        let fs: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
        assert_eq!(
            unsafe { ferrojit_max_f32(fs.as_ptr(), fs.len() as i64) },
            fs.iter().copied().fold(f32::NEG_INFINITY, f32::max)
        );
    }

    #[test]
    fn float_sums_agree_to_rounding() {
        let xs: Vec<f64> = (0..1003).map(|k| (k as f64).sin()).collect();
        let ys: Vec<f64> = (0..1003).map(|k| (k as f64 * 0.5).cos()).collect();
        let n = xs.len() as i64;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
        assert!(close(
            unsafe { ferrojit_sum_f64(xs.as_ptr(), n) },
            xs.iter().sum()
        ));
        let sq: f64 = xs.iter().map(|x| x * x).sum();
        assert!(close(
            unsafe { ferrojit_sum_squares_f64(xs.as_ptr(), n) },
            sq
        ));
        let dot: f64 = xs.iter().zip(&ys).map(|(x, y)| x * y).sum();
        assert!(close(
            unsafe { ferrojit_dot_f64(xs.as_ptr(), ys.as_ptr(), n) },
            dot
        ));
        let fs: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
        let s32: f32 = fs.iter().sum();
        assert!((unsafe { ferrojit_sum_f32(fs.as_ptr(), n) } - s32).abs() < 1e-3);
    }
}
