//! An AVX-512 quicksort: [`sorting`]'s unstable sort of NaN-free `f64`, `f32`, `i64`, `i32`,
//! `u64` and `u32` buffers on CPUs that have AVX-512F (checked at run time; elsewhere
//! [`sort`] declines and `sorting` keeps its radix sort and pdqsort).
//!
//! The design is the one of Intel's x86-simd-sort (Bramas' "A Novel Hybrid Quicksort Algorithm
//! Vectorized using AVX-512 on Intel Skylake"), written anew over one lane-generic trait:
//!
//! - **Partition** around a ninther (median of three medians of three), in place: the first
//!   and last `BATCH` vectors are held in registers, which frees room at both ends;
//!   every further batch is read from the end with less room left. Each vector's lanes are
//!   permuted so that those below the pivot come first (one `vpermq` by an index from a
//!   256-entry table for 8 lanes; two `vcompress` and a `vexpand` for 16), and the whole
//!   vector is stored at the left write cursor and again ending at the right one; each store
//!   carries the other side's lanes as garbage into the room, where later stores overwrite
//!   it. Writes never reach unread data: the room at the two ends together stays two batches,
//!   and reading from the end with less room leaves at least a batch at each. The last
//!   vectors, once nothing is left unread, are stored with masks (exactly their lanes).
//!   `vcompress` to memory, the textbook form, is microcoded and slow on AMD Zen 4; masked
//!   stores in the main loop measured about three times slower than the two full stores.
//! - **Equal keys**: the pivot is an element, so a partition with nothing below the pivot means
//!   the pivot is the minimum; the range is then split into "equal to the pivot" (done) and
//!   "greater" (after a read-only check that there is any). A pivot sample of equal values
//!   first asks a read-only pass, which stops at the first other value, whether the whole range
//!   is that value: an array of one repeated value costs one read, few distinct values a
//!   partition per value.
//! - **Base case**: ranges of up to `Lanes::BLOCK` elements (16 registers) are loaded into
//!   registers (the tail padded with the largest value by a masked load) and sorted by a bitonic
//!   network: compare-exchanges between registers are a min and a max, those within a register
//!   a lane swap, a min and a masked max.
//! - **Depth limit**: past about 2·log2(n) levels the range goes to the standard library's
//!   pdqsort, so the worst case stays O(n log n).
//!
//! Floats: NaNs never get here (`sorting` moves them to the end first), so a plain `<` is the
//! order. `vminpd`/`vmaxpd` return their second operand for `-0.0` against `0.0`; every
//! compare-exchange here computes `min(a, b)` and `max(b, a)`, so a tie swaps the two values
//! and the result stays a permutation of the input (the zeros keep their signs, in some order:
//! NumPy's own quicksort does not specify it either).
//!
//! [`sorting`]: crate::sorting

/// An element type the vectorized sort handles.
pub(crate) trait SimdElement: Copy + PartialOrd {
    #[cfg(target_arch = "x86_64")]
    /// The AVX-512 operations on this element type.
    type Ops: avx512::Lanes<Elem = Self>;
}

macro_rules! simd_elements {
    ($($t:ty => $ops:ident),*) => {$(
        impl SimdElement for $t {
            #[cfg(target_arch = "x86_64")]
            type Ops = avx512::$ops;
        }
    )*};
}
simd_elements!(f64 => F64, f32 => F32, i64 => I64, i32 => I32, u64 => U64, u32 => U32);

/// Sorts NaN-free `values` ascending (equal values, `-0.0` and `0.0` among them, in some
/// order) if this CPU has the instructions; says whether it did.
pub(crate) fn sort<T: SimdElement>(values: &mut [T]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if avx512::available() {
        // SAFETY: the CPU has the features the function enables (checked just above).
        unsafe { avx512::sort::<T::Ops>(values) };
        return true;
    }
    let _ = values;
    false
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    /// Whether this CPU runs [`sort`]. `is_x86_feature_detected!` caches its answer in a
    /// static after the first call, so this is a load and a test.
    pub(super) fn available() -> bool {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("popcnt")
    }

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
    fn first_lanes(n: usize) -> u32 {
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
                        _mm512_mask_loadu_epi64(
                            Self::splat(Self::PAD),
                            first_lanes(n) as u8,
                            p.cast(),
                        )
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
                        _mm512_mask_loadu_epi32(
                            Self::splat(Self::PAD),
                            first_lanes(n) as u16,
                            p.cast(),
                        )
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

    /// Sorts `values` (NaN-free).
    ///
    /// # Safety
    /// The CPU has AVX-512F and POPCNT.
    #[target_feature(enable = "avx512f,popcnt")]
    pub(super) unsafe fn sort<T: Lanes>(values: &mut [T::Elem]) {
        let depth_limit = 2 * (values.len() | 1).ilog2();
        // SAFETY: the buffer is the slice, which this call borrows exclusively.
        unsafe { quicksort::<T>(values.as_mut_ptr(), values.len(), depth_limit) }
    }

    /// [`sort`] with the depth limit given, to test the fallback.
    ///
    /// # Safety
    /// As for [`sort`].
    #[cfg(test)]
    #[target_feature(enable = "avx512f,popcnt")]
    pub(super) unsafe fn sort_with_depth_limit<T: Lanes>(values: &mut [T::Elem], depth: u32) {
        // SAFETY: as in `sort`.
        unsafe { quicksort::<T>(values.as_mut_ptr(), values.len(), depth) }
    }

    /// Sorts the `n` elements at `p`, falling back to pdqsort after `depth` more levels.
    ///
    /// # Safety
    /// `p` addresses `n` elements that nothing else accesses; the CPU has the features.
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn quicksort<T: Lanes>(p: *mut T::Elem, n: usize, depth: u32) {
        if n <= T::BLOCK {
            // SAFETY: the caller's contract.
            unsafe { sort_block::<T>(p, n) };
            return;
        }
        if depth == 0 {
            // SAFETY: the caller's contract.
            fallback_sort(unsafe { std::slice::from_raw_parts_mut(p, n) });
            return;
        }
        // SAFETY: the caller's range (for this and the calls below, which recurse into disjoint
        // subranges of it) and features.
        let (pivot, sample_equal) = unsafe { pivot::<T>(p, n) };
        // A sample of equal elements hints at a range of them (few distinct values): a
        // read-only pass that stops at the first other value can save a partition.
        // SAFETY: as above.
        if sample_equal && unsafe { none_outside::<T, true>(p, n, pivot) } {
            return;
        }
        // SAFETY: as above.
        let below = unsafe { partition::<T, false>(p, n, pivot) };
        if below == 0 {
            // Nothing below the pivot: it is the minimum. If nothing is above it either, the
            // range is sorted (a read-only pass rather than a second partition). Otherwise
            // everything equal to it goes left, where it is in place; only the greater
            // elements remain.
            // SAFETY: as above.
            if unsafe { none_outside::<T, false>(p, n, pivot) } {
                return;
            }
            // SAFETY: as above.
            let equal = unsafe { partition::<T, true>(p, n, pivot) };
            if equal < n {
                // SAFETY: as above.
                unsafe { quicksort::<T>(p.add(equal), n - equal, depth - 1) };
            }
            return;
        }
        // SAFETY: as above.
        unsafe {
            quicksort::<T>(p, below, depth - 1);
            quicksort::<T>(p.add(below), n - below, depth - 1);
        }
    }

    /// pdqsort, for ranges past the depth limit. Outside the `target_feature` functions: a
    /// closure defined in one takes its features, and the standard library's sort (compiled
    /// without them) could then not inline the comparison.
    fn fallback_sort<E: PartialOrd>(values: &mut [E]) {
        values.sort_unstable_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    }

    /// The pseudo-median of 9 elements spread over the `n > 16` elements at `p` (the median of
    /// three medians of three, Tukey's ninther), and whether all 9 are equal.
    ///
    /// # Safety
    /// `p` addresses `n` readable elements.
    #[inline]
    unsafe fn pivot<T: Lanes>(p: *const T::Elem, n: usize) -> (T::Elem, bool) {
        let step = n / 9;
        // SAFETY: every index is below `9 * step <= n`.
        let sample: [T::Elem; 9] = std::array::from_fn(|i| unsafe { *p.add(i * step + step / 2) });
        let pivot = median3(
            median3(sample[0], sample[1], sample[2]),
            median3(sample[3], sample[4], sample[5]),
            median3(sample[6], sample[7], sample[8]),
        );
        (pivot, sample.iter().all(|&x| x == pivot))
    }

    fn median3<E: PartialOrd>(a: E, b: E, c: E) -> E {
        let (low, high) = if b < a { (b, a) } else { (a, b) };
        if c < low {
            low
        } else if high < c {
            high
        } else {
            c
        }
    }

    /// Whether none of the `n` elements at `p` is above `pivot` (nor, with `BELOW`, below it).
    ///
    /// # Safety
    /// `p` addresses `n` readable elements; the CPU has the features.
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn none_outside<T: Lanes, const BELOW: bool>(
        p: *const T::Elem,
        n: usize,
        pivot: T::Elem,
    ) -> bool {
        let lanes = T::LANES;
        // The lanes of `v` outside the pivot's value.
        // SAFETY: the caller's features.
        let outside = |v: T::V, pivot: T::V| unsafe {
            let above = T::right_of::<true>(v, pivot);
            if BELOW {
                above | (!T::right_of::<false>(v, pivot) & first_lanes(lanes))
            } else {
                above
            }
        };
        // SAFETY: every load reads lanes below `n`; the caller's features.
        unsafe {
            let pivot = T::splat(pivot);
            let mut start = 0;
            while start + 4 * lanes <= n {
                let mut found = 0;
                for i in 0..4 {
                    found |= outside(T::load(p.add(start + i * lanes)), pivot);
                }
                if found != 0 {
                    return false;
                }
                start += 4 * lanes;
            }
            while start < n {
                let count = (n - start).min(lanes);
                let v = T::load_first(p.add(start), count);
                if outside(v, pivot) & first_lanes(count) != 0 {
                    return false;
                }
                start += count;
            }
            true
        }
    }

    /// Vectors read per step of the partition's main loop, and held from each end at its start:
    /// 8 measured faster than 4 (about 12% a level in cache); more would not fit a range just
    /// above [`Lanes::BLOCK`] (see `partition`'s assertion).
    const BATCH: usize = 8;

    /// Reorders the `n` elements at `p` (at least `2 * BATCH` vectors) so that those left of
    /// `pivot` (below it, or with `EQUAL_LEFT` at or below it) come first; returns how many.
    ///
    /// # Safety
    /// `p` addresses `n` elements that nothing else accesses; the CPU has the features.
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn partition<T: Lanes, const EQUAL_LEFT: bool>(
        p: *mut T::Elem,
        n: usize,
        pivot: T::Elem,
    ) -> usize {
        // Ranges above BLOCK elements are partitioned: they must hold the vectors held.
        const { assert!(2 * BATCH * T::LANES <= T::BLOCK) };
        let lanes = T::LANES;
        // SAFETY: the CPU has the features (the caller's contract).
        let pivot = unsafe { T::splat(pivot) };
        let all = first_lanes(lanes);
        // Write cursors: everything before `left` is left of the pivot, everything from
        // `right` on right of it. Read cursors: `[read_left, read_right)` is unread.
        let (mut left, mut right) = (0usize, n);
        // SAFETY (all loads and stores below): reads are of unread vectors inside the range;
        // each store writes at most `LANES` lanes into the room between a write cursor and its
        // read cursor (or, once all is read, into `[left, right)`, whose size is what is left
        // to store), see the module doc.
        let mut held_left = [pivot; BATCH];
        let mut held_right = [pivot; BATCH];
        for i in 0..BATCH {
            // SAFETY: as above (`n >= 2 * BATCH * LANES`).
            held_left[i] = unsafe { T::load(p.add(i * lanes)) };
            // SAFETY: as above.
            held_right[i] = unsafe { T::load(p.add(n - (i + 1) * lanes)) };
        }
        let (mut read_left, mut read_right) = (BATCH * lanes, n - BATCH * lanes);
        while read_right - read_left >= BATCH * lanes {
            let from = if read_left - left <= right - read_right {
                read_left += BATCH * lanes;
                read_left - BATCH * lanes
            } else {
                read_right -= BATCH * lanes;
                read_right
            };
            let mut batch = [pivot; BATCH];
            for (i, v) in batch.iter_mut().enumerate() {
                // SAFETY: as above (an unread batch).
                *v = unsafe { T::load(p.add(from + i * lanes)) };
            }
            for v in batch {
                // SAFETY: as above (a batch of room at each end).
                unsafe { store_split::<T, EQUAL_LEFT>(p, v, pivot, &mut left, &mut right) };
            }
        }
        while read_right - read_left >= lanes {
            let v = if read_left - left <= right - read_right {
                read_left += lanes;
                // SAFETY: as above (an unread vector).
                unsafe { T::load(p.add(read_left - lanes)) }
            } else {
                read_right -= lanes;
                // SAFETY: as above (an unread vector).
                unsafe { T::load(p.add(read_right)) }
            };
            // SAFETY: as above (a vector of room at each end).
            unsafe { store_split::<T, EQUAL_LEFT>(p, v, pivot, &mut left, &mut right) };
        }
        let rest = read_right - read_left;
        if rest > 0 {
            // SAFETY: as above (the `rest` unread elements).
            let v = unsafe { T::load_first(p.add(read_left), rest) };
            let valid = first_lanes(rest);
            // SAFETY: as above (nothing is unread: the stores fill `[left, right)`).
            unsafe { store_parts::<T, EQUAL_LEFT>(p, v, pivot, valid, &mut left, &mut right) };
        }
        for v in held_left.into_iter().chain(held_right) {
            // SAFETY: as above (nothing is unread: the stores fill `[left, right)`).
            unsafe { store_parts::<T, EQUAL_LEFT>(p, v, pivot, all, &mut left, &mut right) };
        }
        debug_assert_eq!(left, right);
        left
    }

    /// Stores `v`'s lanes left of `pivot` at `left` and the others before `right`, and moves
    /// the two cursors past them: one lane permutation, two full-width stores (each writes
    /// the other side's lanes as garbage into the room, to be overwritten later).
    ///
    /// # Safety
    /// There is room for a whole vector at `p + left` and at `p + right - LANES`; the CPU has
    /// the features.
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn store_split<T: Lanes, const EQUAL_LEFT: bool>(
        p: *mut T::Elem,
        v: T::V,
        pivot: T::V,
        left: &mut usize,
        right: &mut usize,
    ) {
        // SAFETY: the caller's contract.
        unsafe {
            let to_right = T::right_of::<EQUAL_LEFT>(v, pivot);
            let n_right = to_right.count_ones() as usize;
            let split = T::split(to_right, v);
            T::store(p.add(*left), split);
            T::store(p.add(*right - T::LANES), split);
            *left += T::LANES - n_right;
            *right -= n_right;
        }
    }

    /// Stores the `valid` lanes of `v`: those left of `pivot` at `left`, the others before
    /// `right`, and moves the two cursors past them (masked stores: exactly those lanes).
    ///
    /// # Safety
    /// `p + left` and `p + right - LANES` have room for the lanes stored; the CPU has the
    /// features.
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn store_parts<T: Lanes, const EQUAL_LEFT: bool>(
        p: *mut T::Elem,
        v: T::V,
        pivot: T::V,
        valid: u32,
        left: &mut usize,
        right: &mut usize,
    ) {
        // SAFETY: the caller's contract.
        unsafe {
            let to_right = T::right_of::<EQUAL_LEFT>(v, pivot) & valid;
            let to_left = !to_right & valid;
            let (n_left, n_right) = (
                to_left.count_ones() as usize,
                to_right.count_ones() as usize,
            );
            T::store_first(p.add(*left), n_left, T::compress(to_left, v));
            *left += n_left;
            *right -= n_right;
            T::store_first(p.add(*right), n_right, T::compress(to_right, v));
        }
    }

    /// Sorts the `n <= BLOCK` elements at `p` in registers.
    ///
    /// # Safety
    /// As for [`quicksort`].
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn sort_block<T: Lanes>(p: *mut T::Elem, n: usize) {
        // SAFETY: the caller's contract; `n` fits the register count picked.
        unsafe {
            match n.div_ceil(T::LANES) {
                0 => {}
                1 => sort_registers::<T, 1>(p, n),
                2 => sort_registers::<T, 2>(p, n),
                3..=4 => sort_registers::<T, 4>(p, n),
                5..=8 => sort_registers::<T, 8>(p, n),
                _ => sort_registers::<T, 16>(p, n),
            }
        }
    }

    /// Sorts the `n <= R * LANES` elements at `p` with a bitonic network over `R` registers.
    ///
    /// # Safety
    /// As for [`quicksort`].
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn sort_registers<T: Lanes, const R: usize>(p: *mut T::Elem, n: usize) {
        let lanes = T::LANES;
        // SAFETY: the CPU has the features (the caller's contract).
        let pad = unsafe { T::splat(T::PAD) };
        // SAFETY (loads and stores): each touches only lanes below `n`.
        let mut regs = [pad; R];
        for (r, reg) in regs.iter_mut().enumerate() {
            let start = r * lanes;
            if start + lanes <= n {
                // SAFETY: as above.
                *reg = unsafe { T::load(p.add(start)) };
            } else if start < n {
                // SAFETY: as above.
                *reg = unsafe { T::load_first(p.add(start), n - start) };
            }
        }
        // SAFETY: same features.
        unsafe { bitonic_sort::<T, R>(&mut regs) };
        for (r, v) in regs.into_iter().enumerate() {
            let start = r * lanes;
            if start < n {
                // SAFETY: as above.
                unsafe { T::store_first(p.add(start), (n - start).min(lanes), v) };
            }
        }
    }

    /// Sorts the `R * LANES` lanes of `regs` (element `r * LANES + i` is lane `i` of register
    /// `r`): Batcher's bitonic sort, a merge stage for each block size `K` and distance `J`.
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn bitonic_sort<T: Lanes, const R: usize>(regs: &mut [T::V; R]) {
        macro_rules! stages {
            ($($k:literal: $($j:literal)*;)*) => {$(
                if $k <= R * T::LANES {
                    // SAFETY: same features.
                    $(unsafe { compare_exchange::<T, R, $k, $j>(regs) };)*
                }
            )*};
        }
        stages!(
            2: 1;
            4: 2 1;
            8: 4 2 1;
            16: 8 4 2 1;
            32: 16 8 4 2 1;
            64: 32 16 8 4 2 1;
            128: 64 32 16 8 4 2 1;
            256: 128 64 32 16 8 4 2 1;
        );
    }

    /// The lanes `i < lanes` with bit `bit` set.
    const fn lanes_with_bit(lanes: usize, bit: usize) -> u32 {
        let mut mask = 0;
        let mut i = 0;
        while i < lanes {
            if i & bit != 0 {
                mask |= 1 << i;
            }
            i += 1;
        }
        mask
    }

    /// One stage of the bitonic sort: element `i` meets element `i ^ J` and keeps the smaller
    /// one where `i & J` and `i & K` are both clear or both set (ascending blocks of `K`
    /// alternate with descending ones), the larger one otherwise.
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    unsafe fn compare_exchange<T: Lanes, const R: usize, const K: usize, const J: usize>(
        regs: &mut [T::V; R],
    ) {
        let lanes = T::LANES;
        // SAFETY (all calls): same features.
        if J >= lanes {
            // Between registers `r` and `r | J / LANES`, whole registers at once.
            let distance = J / lanes;
            for r in 0..R {
                if r & distance == 0 {
                    let (a, b) = (regs[r], regs[r | distance]);
                    // `max(b, a)`: a tie (`-0.0` against `0.0`) swaps rather than duplicates.
                    // SAFETY: as above.
                    let (low, high) = unsafe { (T::min(a, b), T::max(b, a)) };
                    let descending = (r * lanes) & K != 0;
                    regs[r] = if descending { high } else { low };
                    regs[r | distance] = if descending { low } else { high };
                }
            }
        } else {
            let partner_above = lanes_with_bit(lanes, J);
            for (r, reg) in regs.iter_mut().enumerate() {
                let descending = if K >= lanes {
                    if (r * lanes) & K != 0 {
                        first_lanes(lanes)
                    } else {
                        0
                    }
                } else {
                    lanes_with_bit(lanes, K)
                };
                let takes_max = partner_above ^ descending;
                let v = *reg;
                // SAFETY: as above.
                let partner = unsafe { T::swap::<J>(v) };
                // Each lane computes with its partner's value second, so a tie swaps the two.
                // SAFETY: as above.
                *reg = unsafe { T::mask_max(T::min(v, partner), takes_max, v, partner) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Checks [`sort`] against the standard library's sort of `values`: the same values in the
    /// same order up to the signs of zeros, and the same multiset of bit patterns.
    fn check<T: SimdElement + std::fmt::Debug>(values: &[T], bits: impl Fn(T) -> u64) {
        let mut expected = values.to_vec();
        expected.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mut got = values.to_vec();
        if !sort(&mut got) {
            return;
        }
        // `==` treats -0.0 and 0.0 as equal, the order `sort` promises.
        assert!(
            got.iter().zip(&expected).all(|(a, b)| a == b),
            "sort of {values:?}: {got:?}"
        );
        let mut got_bits: Vec<u64> = got.iter().map(|&x| bits(x)).collect();
        let mut expected_bits: Vec<u64> = expected.iter().map(|&x| bits(x)).collect();
        got_bits.sort_unstable();
        expected_bits.sort_unstable();
        assert_eq!(
            got_bits, expected_bits,
            "sort of {values:?} lost or made values"
        );
    }

    /// Every element type, from the same `f64` values (NaN-free).
    fn check_all_types(values: &[f64]) {
        check(values, f64::to_bits);
        check(&values.iter().map(|&x| x as f32).collect::<Vec<_>>(), |x| {
            u64::from(x.to_bits())
        });
        check(&values.iter().map(|&x| x as i64).collect::<Vec<_>>(), |x| {
            x as u64
        });
        check(&values.iter().map(|&x| x as i32).collect::<Vec<_>>(), |x| {
            x as u64
        });
        // Negative values wrap to large unsigned ones: the top of the range gets exercised.
        check(
            &values.iter().map(|&x| x as i64 as u64).collect::<Vec<_>>(),
            |x| x,
        );
        check(
            &values.iter().map(|&x| x as i32 as u32).collect::<Vec<_>>(),
            u64::from,
        );
    }

    /// NaN-free floats with many ties and every special value.
    fn floats() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::MAX),
            Just(f64::MIN_POSITIVE / 2.0),
            (-8i32..8).prop_map(f64::from),
            (-1e12f64..1e12),
            any::<f64>().prop_filter("not NaN", |x| !x.is_nan()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn matches_the_standard_sort(v in prop::collection::vec(floats(), 0..1200)) {
            check_all_types(&v);
        }
    }

    /// A deterministic stream of `n` values from a 64-bit xorshift.
    fn stream(n: usize, mut f: impl FnMut(u64) -> f64) -> Vec<f64> {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                f(s)
            })
            .collect()
    }

    #[test]
    fn every_length_up_to_300() {
        for n in 0..=300 {
            check_all_types(&stream(n, |s| (s >> 11) as f64 - (1u64 << 52) as f64));
            check_all_types(&stream(n, |s| (s % 5) as f64 - 2.0));
            check_all_types(&stream(n, |s| if s & 1 == 0 { 0.0 } else { -0.0 }));
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn ranges_past_the_depth_limit_fall_back_to_pdqsort() {
        if !avx512::available() {
            return;
        }
        let values = stream(5000, |s| (s % 1000) as f64 - 500.0);
        let mut expected = values.clone();
        expected.sort_by(|a, b| a.partial_cmp(b).unwrap());
        for depth in 0..4 {
            let mut got = values.clone();
            // SAFETY: the CPU has the features (checked above).
            unsafe { avx512::sort_with_depth_limit::<avx512::F64>(&mut got, depth) };
            assert_eq!(got, expected, "depth limit {depth}");
        }
    }

    #[test]
    fn large_and_adversarial_inputs() {
        let n = 100_003;
        let spread = stream(n, |s| (s >> 11) as f64 / (1u64 << 40) as f64 - 4096.0);
        let ascending: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let descending: Vec<f64> = ascending.iter().rev().copied().collect();
        let few = stream(n, |s| (s % 3) as f64);
        let zeros = stream(n, |s| match s % 4 {
            0 => -0.0,
            1 => 0.0,
            2 => f64::INFINITY,
            _ => -1.5,
        });
        let equal = vec![7.0; n];
        // Mostly one value, a few others on both sides.
        let skewed = stream(n, |s| {
            if s % 16 == 0 {
                (s % 1000) as f64 - 500.0
            } else {
                1.0
            }
        });
        let organ: Vec<f64> = (0..n).map(|i| i.min(n - i) as f64).collect();
        for v in [
            &spread,
            &ascending,
            &descending,
            &few,
            &zeros,
            &equal,
            &skewed,
            &organ,
        ] {
            check_all_types(v);
        }
    }
}
