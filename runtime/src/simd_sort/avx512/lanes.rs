//! The AVX-512 operations [`super`]'s quicksort needs, per element type: [`Lanes`] and its six
//! implementations, and the lane-permutation table of the partition's split.

use std::arch::x86_64::*;

/// Vectors of one element type: the AVX-512 operations the sort needs. Masks are the low
/// `LANES` bits of a `u32`.
///
/// # Safety
/// Every method needs AVX-512F and POPCNT; the pointer ones need their lanes readable or
/// writable as documented.
pub(crate) trait Lanes {
    type Elem: Copy + PartialOrd;
    type V: Copy;
    const LANES: usize;
    /// The most elements sorted in registers (16 vectors).
    const BLOCK: usize = 16 * Self::LANES;
    /// The largest value: padding for partial vectors, which sorts after every element.
    const PAD: Self::Elem;
    unsafe fn splat(x: Self::Elem) -> Self::V;
    /// Loads `LANES` elements.
    unsafe fn load(p: *const Self::Elem) -> Self::V;
    /// Stores `LANES` elements.
    unsafe fn store(p: *mut Self::Elem, v: Self::V);
    /// Loads the first `n <= LANES` elements; the other lanes are [`Lanes::PAD`].
    unsafe fn load_first(p: *const Self::Elem, n: usize) -> Self::V;
    /// Stores the first `n <= LANES` lanes.
    unsafe fn store_first(p: *mut Self::Elem, n: usize, v: Self::V);
    unsafe fn min(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn max(a: Self::V, b: Self::V) -> Self::V;
    /// `max(a, b)` in the lanes of `k`, `src` in the others.
    unsafe fn mask_max(src: Self::V, k: u32, a: Self::V, b: Self::V) -> Self::V;
    /// The lanes of `v` that belong right of `pivot`: at or above it, or (`EQUAL_LEFT`)
    /// above it.
    unsafe fn right_of<const EQUAL_LEFT: bool>(v: Self::V, pivot: Self::V) -> u32;
    /// The lanes of `k` moved to the low lanes, in order (the rest zero).
    unsafe fn compress(k: u32, v: Self::V) -> Self::V;
    /// `v` reordered: the lanes outside `k` first, then those in `k`.
    unsafe fn split(k: u32, v: Self::V) -> Self::V;
    /// Lane `i` takes lane `i ^ J` (`J` a power of two below `LANES`).
    unsafe fn swap<const J: usize>(v: Self::V) -> Self::V;
}

/// The mask of the first `n` lanes.
#[inline(always)]
pub(super) fn first_lanes(n: usize) -> u32 {
    ((1u64 << n) - 1) as u32
}

/// For each mask of eight lanes, the lanes of [`Lanes::split`]'s result: byte `j` is the
/// source lane of result lane `j`, lanes outside the mask first.
static SPLIT8: [u64; 256] = split_table8();

const fn split_table8() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut mask = 0;
    while mask < 256 {
        let mut packed = 0u64;
        let mut out = 0;
        let mut inside = 0;
        while inside < 2 {
            let mut lane = 0;
            while lane < 8 {
                if (mask >> lane) & 1 == inside {
                    packed |= (lane as u64) << (8 * out);
                    out += 1;
                }
                lane += 1;
            }
            inside += 1;
        }
        table[mask] = packed;
        mask += 1;
    }
    table
}

/// The `vpermq` index vector of `split` for mask `k` of eight lanes: the table entry's
/// bytes widened to quadwords (one `vpmovzxbq` from memory).
#[inline]
#[target_feature(enable = "avx512f,popcnt")]
fn split_index8(k: u32) -> __m512i {
    _mm512_cvtepu8_epi64(_mm_cvtsi64_si128(SPLIT8[k as usize & 0xff] as i64))
}

/// The operations of one 64-bit element type: the integer forms with the given min, max
/// and compares (floats have their own impl).
macro_rules! int64_lanes {
    ($name:ident, $t:ty, $min:ident, $mask_max:ident, $max:ident, $ge:ident, $gt:ident) => {
        pub(crate) struct $name;
        impl Lanes for $name {
            type Elem = $t;
            type V = __m512i;
            const LANES: usize = 8;
            const PAD: $t = <$t>::MAX;
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn splat(x: $t) -> __m512i {
                _mm512_set1_epi64(x as i64)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn load(p: *const $t) -> __m512i {
                // SAFETY: the caller's contract (eight readable elements).
                unsafe { _mm512_loadu_epi64(p.cast()) }
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn store(p: *mut $t, v: __m512i) {
                // SAFETY: the caller's contract (eight writable elements).
                unsafe { _mm512_storeu_epi64(p.cast(), v) }
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn split(k: u32, v: __m512i) -> __m512i {
                _mm512_permutexvar_epi64(split_index8(k), v)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn load_first(p: *const $t, n: usize) -> __m512i {
                // SAFETY: the caller's contract (`n` readable elements); masked-off lanes
                // are not accessed.
                unsafe {
                    _mm512_mask_loadu_epi64(Self::splat(Self::PAD), first_lanes(n) as u8, p.cast())
                }
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn store_first(p: *mut $t, n: usize, v: __m512i) {
                // SAFETY: the caller's contract (`n` writable elements); masked-off lanes
                // are not accessed.
                unsafe { _mm512_mask_storeu_epi64(p.cast(), first_lanes(n) as u8, v) }
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn min(a: __m512i, b: __m512i) -> __m512i {
                $min(a, b)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn max(a: __m512i, b: __m512i) -> __m512i {
                $max(a, b)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn mask_max(src: __m512i, k: u32, a: __m512i, b: __m512i) -> __m512i {
                $mask_max(src, k as u8, a, b)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn right_of<const EQUAL_LEFT: bool>(v: __m512i, pivot: __m512i) -> u32 {
                u32::from(if EQUAL_LEFT {
                    $gt(v, pivot)
                } else {
                    $ge(v, pivot)
                })
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn compress(k: u32, v: __m512i) -> __m512i {
                _mm512_maskz_compress_epi64(k as u8, v)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn swap<const J: usize>(v: __m512i) -> __m512i {
                // SAFETY: same features.
                _mm512_castpd_si512(unsafe { F64::swap::<J>(_mm512_castsi512_pd(v)) })
            }
        }
    };
}
int64_lanes!(
    I64,
    i64,
    _mm512_min_epi64,
    _mm512_mask_max_epi64,
    _mm512_max_epi64,
    _mm512_cmpge_epi64_mask,
    _mm512_cmpgt_epi64_mask
);
int64_lanes!(
    U64,
    u64,
    _mm512_min_epu64,
    _mm512_mask_max_epu64,
    _mm512_max_epu64,
    _mm512_cmpge_epu64_mask,
    _mm512_cmpgt_epu64_mask
);

/// The 32-bit counterpart of `int64_lanes`.
macro_rules! int32_lanes {
    ($name:ident, $t:ty, $min:ident, $mask_max:ident, $max:ident, $ge:ident, $gt:ident) => {
        pub(crate) struct $name;
        impl Lanes for $name {
            type Elem = $t;
            type V = __m512i;
            const LANES: usize = 16;
            const PAD: $t = <$t>::MAX;
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn splat(x: $t) -> __m512i {
                _mm512_set1_epi32(x as i32)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn load(p: *const $t) -> __m512i {
                // SAFETY: the caller's contract (sixteen readable elements).
                unsafe { _mm512_loadu_epi32(p.cast()) }
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn store(p: *mut $t, v: __m512i) {
                // SAFETY: the caller's contract (sixteen writable elements).
                unsafe { _mm512_storeu_epi32(p.cast(), v) }
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn split(k: u32, v: __m512i) -> __m512i {
                // SAFETY: same features.
                _mm512_castps_si512(unsafe { F32::split(k, _mm512_castsi512_ps(v)) })
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn load_first(p: *const $t, n: usize) -> __m512i {
                // SAFETY: the caller's contract (`n` readable elements); masked-off lanes
                // are not accessed.
                unsafe {
                    _mm512_mask_loadu_epi32(Self::splat(Self::PAD), first_lanes(n) as u16, p.cast())
                }
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn store_first(p: *mut $t, n: usize, v: __m512i) {
                // SAFETY: the caller's contract (`n` writable elements); masked-off lanes
                // are not accessed.
                unsafe { _mm512_mask_storeu_epi32(p.cast(), first_lanes(n) as u16, v) }
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn min(a: __m512i, b: __m512i) -> __m512i {
                $min(a, b)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn max(a: __m512i, b: __m512i) -> __m512i {
                $max(a, b)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn mask_max(src: __m512i, k: u32, a: __m512i, b: __m512i) -> __m512i {
                $mask_max(src, k as u16, a, b)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn right_of<const EQUAL_LEFT: bool>(v: __m512i, pivot: __m512i) -> u32 {
                u32::from(if EQUAL_LEFT {
                    $gt(v, pivot)
                } else {
                    $ge(v, pivot)
                })
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn compress(k: u32, v: __m512i) -> __m512i {
                _mm512_maskz_compress_epi32(k as u16, v)
            }
            #[inline]
            #[target_feature(enable = "avx512f,popcnt")]
            unsafe fn swap<const J: usize>(v: __m512i) -> __m512i {
                // SAFETY: same features.
                _mm512_castps_si512(unsafe { F32::swap::<J>(_mm512_castsi512_ps(v)) })
            }
        }
    };
}
int32_lanes!(
    I32,
    i32,
    _mm512_min_epi32,
    _mm512_mask_max_epi32,
    _mm512_max_epi32,
    _mm512_cmpge_epi32_mask,
    _mm512_cmpgt_epi32_mask
);
int32_lanes!(
    U32,
    u32,
    _mm512_min_epu32,
    _mm512_mask_max_epu32,
    _mm512_max_epu32,
    _mm512_cmpge_epu32_mask,
    _mm512_cmpgt_epu32_mask
);

pub(crate) struct F64;
impl Lanes for F64 {
    type Elem = f64;
    type V = __m512d;
    const LANES: usize = 8;
    const PAD: f64 = f64::INFINITY;
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn splat(x: f64) -> __m512d {
        _mm512_set1_pd(x)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn load(p: *const f64) -> __m512d {
        // SAFETY: the caller's contract (eight readable elements).
        unsafe { _mm512_loadu_pd(p) }
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn store(p: *mut f64, v: __m512d) {
        // SAFETY: the caller's contract (eight writable elements).
        unsafe { _mm512_storeu_pd(p, v) }
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn split(k: u32, v: __m512d) -> __m512d {
        _mm512_permutexvar_pd(split_index8(k), v)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn load_first(p: *const f64, n: usize) -> __m512d {
        // SAFETY: the caller's contract (`n` readable elements); masked-off lanes are not
        // accessed.
        unsafe { _mm512_mask_loadu_pd(Self::splat(Self::PAD), first_lanes(n) as u8, p) }
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn store_first(p: *mut f64, n: usize, v: __m512d) {
        // SAFETY: the caller's contract (`n` writable elements); masked-off lanes are not
        // accessed.
        unsafe { _mm512_mask_storeu_pd(p, first_lanes(n) as u8, v) }
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn min(a: __m512d, b: __m512d) -> __m512d {
        _mm512_min_pd(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn max(a: __m512d, b: __m512d) -> __m512d {
        _mm512_max_pd(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn mask_max(src: __m512d, k: u32, a: __m512d, b: __m512d) -> __m512d {
        _mm512_mask_max_pd(src, k as u8, a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn right_of<const EQUAL_LEFT: bool>(v: __m512d, pivot: __m512d) -> u32 {
        u32::from(if EQUAL_LEFT {
            _mm512_cmp_pd_mask::<_CMP_GT_OQ>(v, pivot)
        } else {
            _mm512_cmp_pd_mask::<_CMP_GE_OQ>(v, pivot)
        })
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn compress(k: u32, v: __m512d) -> __m512d {
        _mm512_maskz_compress_pd(k as u8, v)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn swap<const J: usize>(v: __m512d) -> __m512d {
        match J {
            1 => _mm512_permute_pd::<0x55>(v),
            2 => _mm512_permutex_pd::<0x4E>(v),
            4 => _mm512_shuffle_f64x2::<0x4E>(v, v),
            _ => unreachable!("lane distance {J} of 8 lanes"),
        }
    }
}

pub(crate) struct F32;
impl Lanes for F32 {
    type Elem = f32;
    type V = __m512;
    const LANES: usize = 16;
    const PAD: f32 = f32::INFINITY;
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn splat(x: f32) -> __m512 {
        _mm512_set1_ps(x)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn load(p: *const f32) -> __m512 {
        // SAFETY: the caller's contract (sixteen readable elements).
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn store(p: *mut f32, v: __m512) {
        // SAFETY: the caller's contract (sixteen writable elements).
        unsafe { _mm512_storeu_ps(p, v) }
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn split(k: u32, v: __m512) -> __m512 {
        // 65536 masks are too many for a table: the lanes outside `k` compressed to the
        // bottom, those in `k` compressed and expanded into the top.
        let outside = _mm512_maskz_compress_ps(!k as u16, v);
        let top = !first_lanes(16 - k.count_ones() as usize) as u16;
        _mm512_mask_expand_ps(outside, top, _mm512_maskz_compress_ps(k as u16, v))
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn load_first(p: *const f32, n: usize) -> __m512 {
        // SAFETY: the caller's contract (`n` readable elements); masked-off lanes are not
        // accessed.
        unsafe { _mm512_mask_loadu_ps(Self::splat(Self::PAD), first_lanes(n) as u16, p) }
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn store_first(p: *mut f32, n: usize, v: __m512) {
        // SAFETY: the caller's contract (`n` writable elements); masked-off lanes are not
        // accessed.
        unsafe { _mm512_mask_storeu_ps(p, first_lanes(n) as u16, v) }
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn min(a: __m512, b: __m512) -> __m512 {
        _mm512_min_ps(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn max(a: __m512, b: __m512) -> __m512 {
        _mm512_max_ps(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn mask_max(src: __m512, k: u32, a: __m512, b: __m512) -> __m512 {
        _mm512_mask_max_ps(src, k as u16, a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn right_of<const EQUAL_LEFT: bool>(v: __m512, pivot: __m512) -> u32 {
        u32::from(if EQUAL_LEFT {
            _mm512_cmp_ps_mask::<_CMP_GT_OQ>(v, pivot)
        } else {
            _mm512_cmp_ps_mask::<_CMP_GE_OQ>(v, pivot)
        })
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn compress(k: u32, v: __m512) -> __m512 {
        _mm512_maskz_compress_ps(k as u16, v)
    }
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn swap<const J: usize>(v: __m512) -> __m512 {
        match J {
            1 => _mm512_permute_ps::<0xB1>(v),
            2 => _mm512_permute_ps::<0x4E>(v),
            4 => _mm512_shuffle_f32x4::<0xB1>(v, v),
            8 => _mm512_shuffle_f32x4::<0x4E>(v, v),
            _ => unreachable!("lane distance {J} of 16 lanes"),
        }
    }
}
