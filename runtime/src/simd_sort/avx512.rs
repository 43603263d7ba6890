//! The AVX-512 quicksort behind [`super::sort`] (see the parent module for the design): the
//! recursion, the pivot, the in-place partition, the bitonic networks of the base case. The
//! per-type vector operations are [`lanes`].

mod lanes;

use lanes::first_lanes;
pub(crate) use lanes::{F32, F64, I32, I64, Lanes, U32, U64};

/// Whether this CPU runs [`sort`]. `is_x86_feature_detected!` caches its answer in a
/// static after the first call, so this is a load and a test.
pub(super) fn available() -> bool {
    is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("popcnt")
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
            prefetch::<T>(p.wrapping_add(read_left + PREFETCH_AHEAD * lanes));
            read_left - BATCH * lanes
        } else {
            read_right -= BATCH * lanes;
            prefetch::<T>(
                p.wrapping_add(read_right)
                    .wrapping_sub((PREFETCH_AHEAD + BATCH) * lanes),
            );
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

/// How many vectors ahead of a read cursor the partition prefetches, a batch at a time, on the
/// side it reads (4 KiB). Measured on Zen 4: 16% less time at 10M f8 (5.8 to 4.6 ns per
/// element), 14% at 1M, 16% at 65536 (the hardware prefetchers follow the two converging
/// streams, one of them backwards, less well); 16 and 32 vectors gained less at 10M.
const PREFETCH_AHEAD: usize = 64;

/// Prefetches the batch of vectors at `at` into L1 (any address: a prefetch never faults).
#[inline]
#[target_feature(enable = "avx512f,popcnt")]
fn prefetch<T: Lanes>(at: *const T::Elem) {
    use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
    let at = at as *const i8;
    for line in 0..BATCH * T::LANES * size_of::<T::Elem>() / 64 {
        _mm_prefetch::<_MM_HINT_T0>(at.wrapping_add(line * 64));
    }
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
