//! Sorting and selection over contiguous element buffers, for compiled code's `np.sort`,
//! `a.sort()`, `np.argsort`, `np.partition`, `np.argpartition`, `np.unique`, and the order
//! statistics `np.median`, `np.percentile` and `np.quantile`.
//!
//! Lowering hands these functions a C-contiguous buffer (a copy where the operand is not one)
//! plus an [`ElementKind`] code, one call per row. The order is NumPy's: numbers ascending, NaN
//! after every number; complex numbers by real part, then imaginary part, those with a NaN
//! part last (in their original order: NumPy orders them further by which part is NaN).
//!
//! Algorithms: NaNs first move to the end. Unstable sorts of 32- and 64-bit numbers from
//! [`SIMD_MIN_LEN`] elements on use [`simd_sort`] (an AVX-512 quicksort) where the CPU has
//! AVX-512F. Otherwise numbers (integers, booleans, floats) from [`RADIX_MIN_LEN`] elements on
//! sort by [`radix`] (a stable MSD radix sort on order-preserving integer keys); smaller
//! buffers, and complex numbers, with pattern-defeating quicksort
//! (`sort_unstable_by`) or, for `kind='stable'`/`'mergesort'`, the standard library's stable
//! sort. A stable sort keeps equal values in their order, `-0.0` and `0.0` included (the
//! radix sort restores the order of the zeros, which its keys tell apart); an unstable one
//! may put them in any order. Index results (`argsort`, `argpartition`) break ties by index,
//! with `-0.0` equal to `0.0` and every NaN equal to every other, so they are those of a
//! stable sort whatever `kind` says: NumPy's own order of equal keys under `quicksort` is
//! unspecified, so this is one of the answers it may give and the only one that `stable`
//! may give.

use std::cmp::Ordering;

use crate::{radix, simd_sort};

/// The element type of a buffer, as lowering encodes it in an `i64` argument.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum ElementKind {
    Bool = 0,
    I8 = 1,
    I16 = 2,
    I32 = 3,
    I64 = 4,
    U8 = 5,
    U16 = 6,
    U32 = 7,
    U64 = 8,
    F32 = 9,
    F64 = 10,
    /// `complex64` and `complex128`: sorted by real part, then imaginary part (NumPy's order).
    C64 = 11,
    C128 = 12,
}

impl ElementKind {
    pub const ALL: [ElementKind; 13] = [
        ElementKind::Bool,
        ElementKind::I8,
        ElementKind::I16,
        ElementKind::I32,
        ElementKind::I64,
        ElementKind::U8,
        ElementKind::U16,
        ElementKind::U32,
        ElementKind::U64,
        ElementKind::F32,
        ElementKind::F64,
        ElementKind::C64,
        ElementKind::C128,
    ];
    pub fn from_code(code: i64) -> Option<ElementKind> {
        Self::ALL.into_iter().find(|k| *k as i64 == code)
    }
}

/// An element type with NumPy's sort order.
trait SortKey: Copy {
    /// Total order with NaN last (NaNs equal to each other).
    fn order(a: Self, b: Self) -> Ordering;
    /// True for NaN.
    fn is_nan(self) -> bool {
        false
    }
    /// The value as a double (for interpolating between order statistics).
    fn to_f64(self) -> f64;
    /// Sorts NaN-free `values` by radix ([`radix`]) where this type has order-preserving key
    /// words, and says whether it did.
    fn radix_sort(_values: &mut [Self], _stable: bool) -> bool {
        false
    }
    /// Writes to `out` the indices that order `values` by radix, where this type can.
    fn radix_argsort(_values: &[Self], _out: &mut [i64]) -> bool {
        false
    }
    /// Writes to `out` the indices that order `values` by sorting (key word, index) pairs,
    /// where this type has key words.
    fn key_argsort(_values: &[Self], _out: &mut [i64]) -> bool {
        false
    }
    /// Sorts NaN-free `values` (unstably) by [`simd_sort`] where this type and the CPU allow,
    /// and says whether it did.
    fn simd_sort(_values: &mut [Self]) -> bool {
        false
    }
}

/// From this many elements on, numbers sort by radix: below it pdqsort's ~log2(n) compares
/// per element cost less than radix's fixed passes and buffer.
const RADIX_MIN_LEN: usize = 1 << 16;

/// From this many elements on, unstable sorts of the types [`simd_sort`] handles use it (where
/// the CPU has AVX-512): measured on Zen 4, its one-register network beats pdqsort from 4
/// elements on (3 to 10 times faster from 8 on), and its partitions beat radix at every size
/// up to 10M (about 4.6 against 19 ns per element there).
const SIMD_MIN_LEN: usize = 4;

/// The `SortKey` methods of a type with radix keys.
macro_rules! radix_methods {
    () => {
        fn radix_sort(values: &mut [Self], stable: bool) -> bool {
            radix::sort_values(values, stable);
            true
        }
        fn radix_argsort(values: &[Self], out: &mut [i64]) -> bool {
            radix::argsort_values(values, out);
            true
        }
        fn key_argsort(values: &[Self], out: &mut [i64]) -> bool {
            radix::argsort_by_keys(values, out);
            true
        }
    };
}

/// The `SortKey` method of a type that [`simd_sort`] handles.
macro_rules! simd_method {
    () => {
        fn simd_sort(values: &mut [Self]) -> bool {
            simd_sort::sort(values)
        }
    };
}

/// No further `SortKey` methods.
macro_rules! no_methods {
    () => {};
}

/// `SortKey` for integer types, with the methods that the macro `$extra` adds.
macro_rules! int_keys {
    ($extra:ident: $($t:ty),*) => {$(
        impl SortKey for $t {
            #[inline]
            fn order(a: Self, b: Self) -> Ordering {
                a.cmp(&b)
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            radix_methods!();
            $extra!();
        }
    )*};
}
int_keys!(no_methods: u8, i8, i16, u16);
int_keys!(simd_method: i32, i64, u32, u64);

macro_rules! float_keys {
    ($($t:ty),*) => {$(
        impl SortKey for $t {
            #[inline]
            fn order(a: Self, b: Self) -> Ordering {
                match a.partial_cmp(&b) {
                    Some(o) => o,
                    None => a.is_nan().cmp(&b.is_nan()),
                }
            }
            #[inline]
            fn is_nan(self) -> bool {
                self.is_nan()
            }
            #[inline]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            radix_methods!();
            simd_method!();
        }
    )*};
}
float_keys!(f32, f64);

macro_rules! complex_keys {
    ($($name:ident: $t:ty),*) => {$(
        /// A complex number as NumPy orders it: by real part, then imaginary part; one with a
        /// NaN part after every other.
        #[derive(Copy, Clone)]
        #[repr(C)]
        struct $name($t, $t);
        impl SortKey for $name {
            #[inline]
            fn order(a: Self, b: Self) -> Ordering {
                <$t as SortKey>::order(a.0, b.0).then(<$t as SortKey>::order(a.1, b.1))
            }
            #[inline]
            fn is_nan(self) -> bool {
                self.0.is_nan() || self.1.is_nan()
            }
            #[inline]
            fn to_f64(self) -> f64 {
                f64::from(self.0)
            }
        }
    )*};
}
complex_keys!(Complex64: f32, Complex128: f64);

/// Calls `$f::<T>($args)` with `T` the Rust type of `$kind` (bool is a byte, 0 or 1).
macro_rules! dispatch {
    ($kind:expr, $f:ident($($arg:expr),*)) => {
        match ElementKind::from_code($kind) {
            Some(ElementKind::Bool | ElementKind::U8) => $f::<u8>($($arg),*),
            Some(ElementKind::I8) => $f::<i8>($($arg),*),
            Some(ElementKind::I16) => $f::<i16>($($arg),*),
            Some(ElementKind::I32) => $f::<i32>($($arg),*),
            Some(ElementKind::I64) => $f::<i64>($($arg),*),
            Some(ElementKind::U16) => $f::<u16>($($arg),*),
            Some(ElementKind::U32) => $f::<u32>($($arg),*),
            Some(ElementKind::U64) => $f::<u64>($($arg),*),
            Some(ElementKind::F32) => $f::<f32>($($arg),*),
            Some(ElementKind::F64) => $f::<f64>($($arg),*),
            Some(ElementKind::C64) => $f::<Complex64>($($arg),*),
            Some(ElementKind::C128) => $f::<Complex128>($($arg),*),
            None => -1,
        }
    };
}

/// The buffer at `data` as a slice of `n` elements.
///
/// # Safety
/// `data` addresses `n` initialised, aligned elements of `T` that nothing else accesses for the
/// slice's lifetime (or `n <= 0`).
unsafe fn slice_mut<'a, T>(data: i64, n: i64) -> &'a mut [T] {
    if n <= 0 {
        return &mut [];
    }
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts_mut(data as *mut T, n as usize) }
}

/// Moves the NaNs of `values` to its end, keeping the order of the numbers and of the NaNs
/// (their payloads and signs are visible: a stable sort keeps them in order, as NumPy's
/// does), and returns how many numbers precede them.
fn nans_last<T: SortKey>(values: &mut [T]) -> usize {
    // Read-only up to the first NaN: most buffers have none, and then nothing is written.
    // Chunk by chunk, so that the test within a chunk is a vector loop without early exit.
    const CHUNK: usize = 64;
    let Some(chunk) = values
        .chunks(CHUNK)
        .position(|c| c.iter().fold(false, |any, v| any | v.is_nan()))
    else {
        return values.len();
    };
    let first_nan = chunk * CHUNK
        + values[chunk * CHUNK..]
            .iter()
            .position(|v| v.is_nan())
            .expect("the chunk has a NaN");
    let mut nans = Vec::new();
    let mut numbers = first_nan;
    for i in first_nan..values.len() {
        let v = values[i];
        if v.is_nan() {
            nans.push(v);
        } else {
            values[numbers] = v;
            numbers += 1;
        }
    }
    values[numbers..].copy_from_slice(&nans);
    numbers
}

fn sort_values<T: SortKey>(data: i64, n: i64, stable: i64) -> i64 {
    // SAFETY: lowering passes a contiguous buffer of `n` elements of this kind that it owns.
    let values = unsafe { slice_mut::<T>(data, n) };
    sort_slice(values, stable != 0, SIMD_MIN_LEN, RADIX_MIN_LEN);
    0
}

/// Sorts `values` in NumPy's order (stably if `stable`), of the numbers that precede the NaNs:
/// unstably by [`simd_sort`] where at least `simd_min` and the type and CPU allow, by radix
/// where at least `radix_min` and the type has radix keys.
fn sort_slice<T: SortKey>(values: &mut [T], stable: bool, simd_min: usize, radix_min: usize) {
    // NaNs first go to the end, so that the comparison of the rest is a plain `<`.
    let numbers = nans_last(values);
    let head = &mut values[..numbers];
    if !stable && head.len() >= simd_min && T::simd_sort(head) {
        return;
    }
    if head.len() >= radix_min && T::radix_sort(head, stable) {
        return;
    }
    if stable {
        head.sort_by(|a, b| T::order(*a, *b));
    } else {
        head.sort_unstable_by(|a, b| T::order(*a, *b));
    }
}

fn argsort_values<T: SortKey>(data: i64, n: i64, out: i64) -> i64 {
    // SAFETY: as in `sort_values` (only read); `out` is an `i64` buffer of `n` elements that
    // lowering allocated.
    let (values, out) = unsafe { (slice_mut::<T>(data, n), slice_mut::<i64>(out, n)) };
    argsort_slice(values, out, RADIX_MIN_LEN);
    0
}

/// Writes to `out` the indices that order `values`, ties by index; by radix from
/// `radix_min` elements on, where the type has radix keys.
fn argsort_slice<T: SortKey>(values: &[T], out: &mut [i64], radix_min: usize) {
    if values.len() >= radix_min && T::radix_argsort(values, out) {
        return;
    }
    if T::key_argsort(values, out) {
        return;
    }
    let mut pairs: Vec<(T, i64)> = values.iter().copied().zip(0..).collect();
    pairs.sort_unstable_by(|a, b| T::order(a.0, b.0).then(a.1.cmp(&b.1)));
    for (slot, (_, index)) in out.iter_mut().zip(pairs) {
        *slot = index;
    }
}

/// Puts each of the positions `kths` (in `0..len`, any order, repeats allowed) where a sort
/// would, with nothing greater before and nothing smaller after it: selections on the part
/// after the previous position, in increasing order, so each keeps what the last one did.
fn select_positions<E>(items: &mut [E], kths: &[i64], order: impl Fn(&E, &E) -> Ordering) {
    let mut kths: Vec<usize> = kths
        .iter()
        .filter(|&&k| (0..items.len() as i64).contains(&k))
        .map(|&k| k as usize)
        .collect();
    kths.sort_unstable();
    kths.dedup();
    let mut start = 0;
    for k in kths {
        items[start..].select_nth_unstable_by(k - start, &order);
        start = k + 1;
    }
}

/// The `count` positions at `kths` (an `i64` buffer lowering fills).
fn kth_slice<'a>(kths: i64, count: i64) -> &'a [i64] {
    if count <= 0 {
        return &[];
    }
    // SAFETY: lowering passes `count` i64s.
    unsafe { std::slice::from_raw_parts(kths as *const i64, count as usize) }
}

fn partition_values<T: SortKey>(data: i64, n: i64, kths: i64, count: i64) -> i64 {
    // SAFETY: as in `sort_values`.
    let values = unsafe { slice_mut::<T>(data, n) };
    select_positions(values, kth_slice(kths, count), |a, b| T::order(*a, *b));
    0
}

fn argpartition_values<T: SortKey>(data: i64, n: i64, kths: i64, count: i64, out: i64) -> i64 {
    // SAFETY: as in `sort_values`; only read.
    let values = unsafe { slice_mut::<T>(data, n) };
    let mut pairs: Vec<(T, i64)> = values.iter().copied().zip(0..).collect();
    select_positions(&mut pairs, kth_slice(kths, count), |a, b| {
        T::order(a.0, b.0).then(a.1.cmp(&b.1))
    });
    // SAFETY: as in `argsort_values`.
    let out = unsafe { slice_mut::<i64>(out, n) };
    for (slot, (_, index)) in out.iter_mut().zip(pairs) {
        *slot = index;
    }
    0
}

fn unique_values<T: SortKey>(data: i64, n: i64) -> i64 {
    sort_values::<T>(data, n, 0);
    // SAFETY: as in `sort_values`.
    let values = unsafe { slice_mut::<T>(data, n) };
    // NumPy 2 (`equal_nan=True`): the NaNs at the end count as one value.
    let mut kept = 0usize;
    for i in 0..values.len() {
        if kept == 0 || T::order(values[kept - 1], values[i]) != Ordering::Equal {
            values[kept] = values[i];
            kept += 1;
        }
    }
    kept as i64
}

/// The `q`-quantile of the `n` elements at `data` (which it reorders) by NumPy's `linear`
/// method, or their median where `median != 0`; NaN if there is a NaN or no element.
fn quantile_values<T: SortKey>(data: i64, n: i64, q: f64, median: i64) -> f64 {
    if n <= 0 {
        return f64::NAN;
    }
    // SAFETY: as in `sort_values`.
    let values = unsafe { slice_mut::<T>(data, n) };
    if values.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    let last = (n - 1) as usize;
    // NumPy: virtual index (n - 1) * q, interpolated between its neighbours.
    let index = (n - 1) as f64 * q;
    let below = index.floor();
    let gamma = index - below;
    let lo = (below as usize).min(last);
    let hi = (lo + 1).min(last);
    values.select_nth_unstable_by(lo, |a, b| T::order(*a, *b));
    let a = values[lo].to_f64();
    // After the selection everything from `lo + 1` on is at least `values[lo]`: the next
    // order statistic is their minimum.
    let b = if hi == lo {
        a
    } else {
        values[hi..]
            .iter()
            .copied()
            .min_by(|x, y| T::order(*x, *y))
            .map_or(a, T::to_f64)
    };
    if median != 0 {
        return if n % 2 == 1 { a } else { (a + b) / 2.0 };
    }
    // NumPy's `_lerp`: from below for gamma < 0.5, from above otherwise.
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// The `q`-quantile (linear interpolation) of the `n` elements at `data`, or (`median != 0`)
/// their median; reorders them. NaN for a NaN among them or none at all.
pub extern "C" fn ferrojit_quantile(data: i64, n: i64, kind: i64, q: f64, median: i64) -> f64 {
    match ElementKind::from_code(kind) {
        Some(ElementKind::Bool | ElementKind::U8) => quantile_values::<u8>(data, n, q, median),
        Some(ElementKind::I8) => quantile_values::<i8>(data, n, q, median),
        Some(ElementKind::I16) => quantile_values::<i16>(data, n, q, median),
        Some(ElementKind::I32) => quantile_values::<i32>(data, n, q, median),
        Some(ElementKind::I64) => quantile_values::<i64>(data, n, q, median),
        Some(ElementKind::U16) => quantile_values::<u16>(data, n, q, median),
        Some(ElementKind::U32) => quantile_values::<u32>(data, n, q, median),
        Some(ElementKind::U64) => quantile_values::<u64>(data, n, q, median),
        Some(ElementKind::F32) => quantile_values::<f32>(data, n, q, median),
        Some(ElementKind::F64) => quantile_values::<f64>(data, n, q, median),
        // Complex numbers have no quantiles (typing refuses them).
        Some(ElementKind::C64 | ElementKind::C128) | None => f64::NAN,
    }
}

/// Sorts the `n` elements of kind `kind` at `data` in place (stably if `stable != 0`).
/// Returns 0, or -1 for an unknown kind.
pub extern "C" fn ferrojit_sort(data: i64, n: i64, kind: i64, stable: i64) -> i64 {
    dispatch!(kind, sort_values(data, n, stable))
}

/// Writes to the `i64` buffer `out` the indices that sort the `n` elements at `data`.
pub extern "C" fn ferrojit_argsort(data: i64, n: i64, kind: i64, out: i64) -> i64 {
    dispatch!(kind, argsort_values(data, n, out))
}

/// Reorders the `n` elements at `data` so that the element at each of the `count` positions
/// at `kths` is the one a sort would put there, with none greater before it and none smaller
/// after it (NumPy's `partition` with a sequence of `kth`).
pub extern "C" fn ferrojit_partition(data: i64, n: i64, kind: i64, kths: i64, count: i64) -> i64 {
    dispatch!(kind, partition_values(data, n, kths, count))
}

/// Writes to `out` the indices that partition the `n` elements at `data` around the `count`
/// positions at `kths`.
pub extern "C" fn ferrojit_argpartition(
    data: i64,
    n: i64,
    kind: i64,
    kths: i64,
    count: i64,
    out: i64,
) -> i64 {
    dispatch!(kind, argpartition_values(data, n, kths, count, out))
}

/// Sorts the `n` elements at `data` and moves the distinct ones to the front (NaNs count as
/// one); returns how many there are.
pub extern "C" fn ferrojit_unique(data: i64, n: i64, kind: i64) -> i64 {
    dispatch!(kind, unique_values(data, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::stream;
    use proptest::prelude::*;

    fn sorted(mut v: Vec<f64>, stable: bool) -> Vec<f64> {
        let n = v.len() as i64;
        ferrojit_sort(
            v.as_mut_ptr() as i64,
            n,
            ElementKind::F64 as i64,
            i64::from(stable),
        );
        v
    }

    #[test]
    fn nan_sorts_last() {
        for stable in [false, true] {
            let s = sorted(vec![3.0, f64::NAN, -1.0, 2.0, f64::NAN, 0.5], stable);
            assert_eq!(&s[..4], &[-1.0, 0.5, 2.0, 3.0]);
            assert!(s[4].is_nan() && s[5].is_nan());
        }
    }

    #[test]
    fn stable_sorts_keep_the_order_of_nans_and_zeros() {
        let (nan_a, nan_b) = (f64::from_bits(0x7ff8_0000_0000_0001), -f64::NAN);
        let v = vec![nan_a, 0.0, 1.0, nan_b, -0.0, -1.0, 0.0, nan_a];
        let expected = [-1.0, 0.0, -0.0, 0.0, 1.0, nan_a, nan_b, nan_a];
        for radix_min in [0, usize::MAX] {
            let mut s = v.clone();
            sort_slice(&mut s, true, usize::MAX, radix_min);
            assert_eq!(
                s.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                expected.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn argsort_breaks_ties_by_index() {
        let v = [2i32, 1, 2, 0, 1];
        let mut out = [0i64; 5];
        ferrojit_argsort(
            v.as_ptr() as i64,
            5,
            ElementKind::I32 as i64,
            out.as_mut_ptr() as i64,
        );
        assert_eq!(out, [3, 1, 4, 0, 2]);
        let f = [1.0f64, f64::NAN, 0.0, 1.0];
        ferrojit_argsort(
            f.as_ptr() as i64,
            4,
            ElementKind::F64 as i64,
            out.as_mut_ptr() as i64,
        );
        assert_eq!(&out[..4], &[2, 0, 3, 1]);
    }

    #[test]
    fn unique_collapses_nans() {
        let mut v = vec![2.0, f64::NAN, 1.0, 2.0, f64::NAN];
        let k = ferrojit_unique(v.as_mut_ptr() as i64, 5, ElementKind::F64 as i64);
        assert_eq!(k, 3);
        assert_eq!(&v[..2], &[1.0, 2.0]);
        assert!(v[2].is_nan());
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let q = |v: &mut Vec<f64>, q: f64, median: i64| {
            ferrojit_quantile(v.as_mut_ptr() as i64, v.len() as i64, 10, q, median)
        };
        assert_eq!(q(&mut vec![4.0, 1.0, 3.0, 2.0], 0.5, 1), 2.5);
        assert_eq!(q(&mut vec![4.0, 1.0, 3.0], 0.5, 1), 3.0);
        assert_eq!(q(&mut vec![4.0, 1.0, 3.0, 2.0], 0.25, 0), 1.75);
        assert_eq!(q(&mut vec![4.0, 1.0, 3.0, 2.0], 1.0, 0), 4.0);
        assert!(q(&mut vec![4.0, f64::NAN], 0.5, 0).is_nan());
        assert!(q(&mut vec![], 0.5, 1).is_nan());
    }

    #[test]
    fn partition_places_kth() {
        let mut v: Vec<i64> = vec![9, 3, 7, 1, 5];
        let kth = [2i64];
        ferrojit_partition(
            v.as_mut_ptr() as i64,
            5,
            ElementKind::I64 as i64,
            kth.as_ptr() as i64,
            1,
        );
        assert_eq!(v[2], 5);
        assert!(v[..2].iter().all(|&x| x <= 5) && v[3..].iter().all(|&x| x >= 5));
        // Several positions, in any order and repeated: each holds its sorted value.
        let mut v: Vec<i64> = vec![9, 3, 7, 1, 5, 8, 2, 6];
        let kths = [5i64, 1, 5, 3];
        ferrojit_partition(
            v.as_mut_ptr() as i64,
            8,
            ElementKind::I64 as i64,
            kths.as_ptr() as i64,
            4,
        );
        assert_eq!((v[1], v[3], v[5]), (2, 5, 7));
        assert!(v[..1].iter().all(|&x| x <= 2) && v[2..3].iter().all(|&x| (2..=5).contains(&x)));
        assert!(v[4..5].iter().all(|&x| (5..=7).contains(&x)) && v[6..].iter().all(|&x| x >= 7));
        assert_eq!(ferrojit_sort(0, 0, 99, 0), -1);
    }

    /// A buffer's bits, to compare results exactly (zero signs and NaN payloads included).
    fn bits<T: radix::RadixValue>(values: &[T]) -> Vec<T::Key> {
        values.iter().map(|v| v.to_key()).collect()
    }

    /// Checks the radix sorts, the vectorized sort and argsort of `values` against the comparison
    /// sorts: a stable sort bit for bit (zeros and NaNs keep their order), unstable ones up to the
    /// order of equal values, argsort index for index.
    fn check_radix<T: SortKey + radix::RadixValue + std::fmt::Debug>(values: &[T]) {
        let mut reference = values.to_vec();
        sort_slice(&mut reference, true, usize::MAX, usize::MAX);
        let mut stable = values.to_vec();
        sort_slice(&mut stable, true, usize::MAX, 0);
        assert_eq!(bits(&stable), bits(&reference), "stable sort of {values:?}");
        let mut unstable = values.to_vec();
        sort_slice(&mut unstable, false, usize::MAX, 0);
        let canonical = |v: &[T]| v.iter().map(|x| x.argsort_key()).collect::<Vec<_>>();
        assert_eq!(
            canonical(&unstable),
            canonical(&reference),
            "sort of {values:?}"
        );
        // The vectorized sort where the type and CPU have one, NaNs last as everywhere.
        let mut simd = values.to_vec();
        sort_slice(&mut simd, false, 0, usize::MAX);
        assert_eq!(
            canonical(&simd),
            canonical(&reference),
            "vectorized sort of {values:?}"
        );
        let mut expected = vec![0; values.len()];
        argsort_slice(values, &mut expected, usize::MAX);
        let mut out = vec![-1; values.len()];
        argsort_slice(values, &mut out, 0);
        assert_eq!(out, expected, "argsort of {values:?}");
    }

    /// Floats with many ties and every special value.
    fn floats() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(f64::NAN),
            Just(-f64::NAN),
            Just(0.0),
            Just(-0.0),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::MIN_POSITIVE / 2.0),
            (-8i32..8).prop_map(f64::from),
            any::<f64>(),
        ]
    }

    fn ints() -> impl Strategy<Value = i64> {
        prop_oneof![(-4i64..4), Just(i64::MIN), Just(i64::MAX), any::<i64>()]
    }

    proptest! {
        #[test]
        fn radix_matches_comparison_sorts_on_floats(v in prop::collection::vec(floats(), 0..400)) {
            check_radix(&v);
            check_radix(&v.iter().map(|&x| x as f32).collect::<Vec<_>>());
        }

        #[test]
        fn radix_matches_comparison_sorts_on_integers(v in prop::collection::vec(ints(), 0..400)) {
            check_radix(&v);
            check_radix(&v.iter().map(|&x| x as i32).collect::<Vec<_>>());
            check_radix(&v.iter().map(|&x| x as i16).collect::<Vec<_>>());
            check_radix(&v.iter().map(|&x| x as i8).collect::<Vec<_>>());
            check_radix(&v.iter().map(|&x| x as u64).collect::<Vec<_>>());
            check_radix(&v.iter().map(|&x| x as u32).collect::<Vec<_>>());
            check_radix(&v.iter().map(|&x| x as u16).collect::<Vec<_>>());
            check_radix(&v.iter().map(|&x| x as u8).collect::<Vec<_>>());
            check_radix(&v.iter().map(|&x| (x & 1) as u8).collect::<Vec<_>>());
        }
    }

    #[test]
    fn large_buffers_sort_by_radix_like_the_comparison_sorts() {
        let n = 3 * RADIX_MIN_LEN + 17;
        // Spread values; a few ties with zeros of both signs and NaNs; narrow integers.
        let spread = stream(n, |s| (s >> 11) as f64 / (1u64 << 40) as f64 - 4096.0);
        let ties = stream(n, |s| match s % 7 {
            0 => f64::NAN,
            1 => -0.0,
            2 => 0.0,
            _ => (s % 13) as f64 - 6.0,
        });
        for v in [&spread, &ties] {
            check_radix(v);
            check_radix(&v.iter().map(|&x| x as f32).collect::<Vec<_>>());
            check_radix(&v.iter().map(|&x| x as i64).collect::<Vec<_>>());
            check_radix(&v.iter().map(|&x| x as i16).collect::<Vec<_>>());
            check_radix(&v.iter().map(|&x| x as u8).collect::<Vec<_>>());
        }
        // Through the entry points, which pick radix from RADIX_MIN_LEN on.
        let mut values = ties.clone();
        assert_eq!(
            ferrojit_sort(
                values.as_mut_ptr() as i64,
                n as i64,
                ElementKind::F64 as i64,
                1
            ),
            0
        );
        let mut reference = ties.clone();
        sort_slice(&mut reference, true, usize::MAX, usize::MAX);
        assert_eq!(bits(&values), bits(&reference));
        let mut out = vec![0i64; n];
        ferrojit_argsort(
            ties.as_ptr() as i64,
            n as i64,
            ElementKind::F64 as i64,
            out.as_mut_ptr() as i64,
        );
        let mut expected = vec![0i64; n];
        argsort_slice(&ties, &mut expected, usize::MAX);
        assert_eq!(out, expected);
    }
}
