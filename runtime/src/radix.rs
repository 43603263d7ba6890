//! Most-significant-digit radix sort on order-preserving unsigned keys: [`sorting`]'s sort and
//! argsort of large numeric buffers (a comparison sort costs ~log2(n) compares per element;
//! this one two or three passes over each element, most of them over cache-sized buckets).
//!
//! Every numeric element type maps to an unsigned word of its width whose integer order is the
//! type's order ([`RadixValue`]: flip the sign bit of an integer; flip every bit of a negative
//! float and only the sign bit of a positive one). One level reads its slice to find the bits
//! in which its keys differ at all (so no level spends a pass on a digit that is constant over
//! its slice, e.g. the sign and exponent bits of floats of one magnitude; the top level gets
//! them from the pass that makes the keys), counts the digit just below the highest differing
//! bit (one bucket per few elements, up to 2^16), scatters the slice into the other buffer by
//! it and recurses into each bucket, the two buffers swapping roles. Buckets of at most
//! [`SMALL`] elements get a branch-free [`rank_sort`]. Every step keeps the order of equal
//! keys, so the sort is stable: argsort sorts `(key, index)` pairs built in index order, which
//! gives its "ties by index" order. Input already in order costs one pass.
//!
//! The scratch buffer is as large as the input; its pages are first touched by the top
//! level's scatter, so [`zeroed`] asks for transparent huge pages (fewer page faults).
//!
//! [`sorting`]: crate::sorting

use std::alloc::{Layout, alloc_zeroed};

use crate::alloc::advise_huge_pages;

/// At or below this many elements a bucket is sorted by [`rank_sort`].
const SMALL: usize = 24;
/// The widest digit: 65536 buckets. Wider digits mean fewer levels; at this width the counts
/// of a level (512 KiB) still stay in L2, and float keys, which spread over few exponents,
/// still land in a few hundred buckets of the top level rather than a few dozen.
const MAX_DIGIT_BITS: u32 = 16;
/// A level's digit has about `len / 2^SPREAD` buckets: about four elements per bucket, few
/// enough for [`rank_sort`], enough to pay for the level's pass over its buckets.
const SPREAD: u32 = 2;

/// The digit width for a slice of `len` elements.
fn digit_bits(len: usize) -> u32 {
    (len.ilog2().saturating_sub(SPREAD)).clamp(1, MAX_DIGIT_BITS)
}

/// An unsigned key word.
///
/// # Safety
/// The all-zero bit pattern is a valid value (scratch buffers start zeroed).
pub(crate) unsafe trait Word: Copy + Ord + Send + std::fmt::Debug {
    /// Bits that differ between `self` and `other`.
    fn xor(self, other: Self) -> Self;
    fn or(self, other: Self) -> Self;
    /// The index of the highest set bit, `None` for zero.
    fn highest_bit(self) -> Option<u32>;
    /// The bits of `self` from bit `shift` on, masked by `mask`.
    fn digit(self, shift: u32, mask: usize) -> usize;
}

macro_rules! words {
    ($($t:ty),*) => {$(
        // SAFETY: an unsigned integer of any bits is valid.
        unsafe impl Word for $t {
            #[inline(always)]
            fn xor(self, other: Self) -> Self {
                self ^ other
            }
            #[inline(always)]
            fn or(self, other: Self) -> Self {
                self | other
            }
            #[inline(always)]
            fn highest_bit(self) -> Option<u32> {
                self.checked_ilog2()
            }
            #[inline(always)]
            fn digit(self, shift: u32, mask: usize) -> usize {
                (self >> shift) as usize & mask
            }
        }
    )*};
}
words!(u8, u16, u32, u64);

/// Something sorted by a key word: a key itself (values) or a key with its index (argsort).
///
/// # Safety
/// The all-zero bit pattern is a valid value.
pub(crate) unsafe trait Keyed: Copy + Send {
    type Key: Word;
    fn key(&self) -> Self::Key;
}

// SAFETY: a word's all-zero pattern is valid (`Word`'s contract).
unsafe impl<K: Word> Keyed for K {
    type Key = K;
    #[inline(always)]
    fn key(&self) -> K {
        *self
    }
}

/// An element's key and its index in the unsorted buffer: what argsort sorts.
#[derive(Copy, Clone)]
pub(crate) struct Indexed<K> {
    pub key: K,
    pub index: i64,
}

// SAFETY: zero key (a `Word`) and zero index are valid.
unsafe impl<K: Word> Keyed for Indexed<K> {
    type Key = K;
    #[inline(always)]
    fn key(&self) -> K {
        self.key
    }
}

/// A numeric element type and its order-preserving key word (of the same size).
pub(crate) trait RadixValue: Copy {
    type Key: Word;
    /// Whether the type has signed zeros (floats).
    const SIGNED_ZEROS: bool = false;
    /// The key: `a < b` (NumPy's order, NaNs excepted) implies `key(a) < key(b)`; `-0.0`'s
    /// key is below `0.0`'s, which a sort of values may keep (they compare equal).
    fn to_key(self) -> Self::Key;
    /// The inverse of `to_key`.
    fn from_key(key: Self::Key) -> Self;
    /// The key under which argsort orders: equal for equal values (`-0.0` is `0.0`), and the
    /// largest word for every NaN, after every number.
    fn argsort_key(self) -> Self::Key {
        self.to_key()
    }
    /// For floats: whether this is `-0.0` (`Some(true)`) or `0.0` (`Some(false)`).
    fn zero_sign(self) -> Option<bool> {
        None
    }
    /// The zero of sign `negative`.
    fn signed_zero(_negative: bool) -> Self {
        unreachable!("only floats have signed zeros")
    }
}

macro_rules! unsigned_values {
    ($($t:ty),*) => {$(
        impl RadixValue for $t {
            type Key = $t;
            #[inline(always)]
            fn to_key(self) -> $t {
                self
            }
            #[inline(always)]
            fn from_key(key: $t) -> $t {
                key
            }
        }
    )*};
}
unsigned_values!(u8, u16, u32, u64);

macro_rules! signed_values {
    ($($t:ty => $u:ty),*) => {$(
        impl RadixValue for $t {
            type Key = $u;
            #[inline(always)]
            fn to_key(self) -> $u {
                (self as $u) ^ (1 << (<$u>::BITS - 1))
            }
            #[inline(always)]
            fn from_key(key: $u) -> $t {
                (key ^ (1 << (<$u>::BITS - 1))) as $t
            }
        }
    )*};
}
signed_values!(i8 => u8, i16 => u16, i32 => u32, i64 => u64);

macro_rules! float_values {
    ($($t:ty => $u:ty),*) => {$(
        impl RadixValue for $t {
            type Key = $u;
            const SIGNED_ZEROS: bool = true;
            #[inline(always)]
            fn to_key(self) -> $u {
                let bits = self.to_bits();
                let sign = 1 << (<$u>::BITS - 1);
                // Negative: all bits flipped (larger magnitude, smaller key); positive: above
                // every negative.
                if bits & sign != 0 { !bits } else { bits | sign }
            }
            #[inline(always)]
            fn from_key(key: $u) -> $t {
                let sign = 1 << (<$u>::BITS - 1);
                <$t>::from_bits(if key & sign != 0 { key & !sign } else { !key })
            }
            #[inline(always)]
            fn argsort_key(self) -> $u {
                // `+ 0.0` turns -0.0 into 0.0 and leaves every other number as it is.
                if self.is_nan() { <$u>::MAX } else { (self + 0.0).to_key() }
            }
            #[inline(always)]
            fn zero_sign(self) -> Option<bool> {
                (self == 0.0).then(|| self.is_sign_negative())
            }
            #[inline(always)]
            fn signed_zero(negative: bool) -> $t {
                if negative { -0.0 } else { 0.0 }
            }
        }
    )*};
}
float_values!(f32 => u32, f64 => u64);

/// A zero-filled buffer of `n` elements: fresh pages from the allocator, not written here.
fn zeroed<E: Keyed>(n: usize) -> Vec<E> {
    let layout = Layout::array::<E>(n).expect("radix buffer size");
    if layout.size() == 0 {
        return Vec::new();
    }
    // SAFETY: a non-zero-size layout; all-zero is a valid `E` (`Keyed`'s contract), so the
    // `n` elements are initialised; the global allocator gave the memory with this layout.
    unsafe {
        let ptr = alloc_zeroed(layout) as *mut E;
        if ptr.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        advise_huge_pages(ptr as *mut u8, layout.size());
        Vec::from_raw_parts(ptr, n, n)
    }
}

/// Sorts `values` ascending (NaN-free: the caller moves NaNs away first). With `stable`,
/// equal values keep their order, `-0.0` and `0.0` included.
pub(crate) fn sort_values<T: RadixValue>(values: &mut [T], stable: bool) {
    assert_eq!(size_of::<T>(), size_of::<T::Key>());
    // The key order puts every -0.0 before every 0.0; a stable sort must keep their original
    // order instead: remember it and rewrite the zeros afterwards.
    let zero_signs: Vec<bool> = if stable && T::SIGNED_ZEROS {
        values.iter().filter_map(|v| v.zero_sign()).collect()
    } else {
        Vec::new()
    };
    // SAFETY: `T` and its key have the same size (asserted) and alignment (`f64`/`u64`,
    // `i32`/`u32`...), and every bit pattern is a valid key; the key view replaces the value
    // view for its lifetime, and every slot holds a value again when it ends.
    let keys =
        unsafe { std::slice::from_raw_parts_mut(values.as_mut_ptr() as *mut T::Key, values.len()) };
    if keys.len() > 1 {
        // SAFETY (both reads): the slot still holds a `T` of the key's size.
        let first = unsafe { std::mem::transmute_copy::<T::Key, T>(&keys[0]) }.to_key();
        let mut differ = first.xor(first);
        // Already in order (as the keys tell -0.0 from 0.0, also for a stable sort): a
        // comparison sort notices in one pass, and so does this one.
        let (mut ordered, mut previous) = (true, first);
        for slot in keys.iter_mut() {
            let key = unsafe { std::mem::transmute_copy::<T::Key, T>(slot) }.to_key();
            differ = differ.or(key.xor(first));
            ordered &= previous <= key;
            previous = key;
            *slot = key;
        }
        if !ordered {
            let mut scratch = zeroed::<T::Key>(keys.len());
            sort_in_place(keys, &mut scratch, differ, &mut Vec::new());
        }
        for slot in keys.iter_mut() {
            let value = T::from_key(*slot);
            // SAFETY: as above: the slot goes back to holding a `T`.
            *slot = unsafe { std::mem::transmute_copy::<T, T::Key>(&value) };
        }
    }
    if !zero_signs.is_empty() {
        // Zeros are contiguous after the sort; NaNs were moved away, so ordering is total.
        let start = values.partition_point(|v| v.to_key() < T::signed_zero(true).to_key());
        for (slot, negative) in values[start..].iter_mut().zip(zero_signs) {
            *slot = T::signed_zero(negative);
        }
    }
}

/// Writes to `out` the indices that order `values`, NaNs last, ties by index, by a comparison
/// sort of `(key, index)` pairs: for arrays too short for radix passes, whose integer pairs
/// compare without branching on NaN or going back to the values.
pub(crate) fn argsort_by_keys<T: RadixValue>(values: &[T], out: &mut [i64]) {
    let mut pairs: Vec<(T::Key, i64)> = values
        .iter()
        .zip(0..)
        .map(|(v, index)| (v.argsort_key(), index))
        .collect();
    pairs.sort_unstable();
    for (slot, (_, index)) in out.iter_mut().zip(pairs) {
        *slot = index;
    }
}

/// Writes to `out` the indices that order `values`, NaNs last, ties by index.
pub(crate) fn argsort_values<T: RadixValue>(values: &[T], out: &mut [i64]) {
    let n = values.len();
    let Some(first) = values.first().map(|v| v.argsort_key()) else {
        return;
    };
    let mut pairs = zeroed::<Indexed<T::Key>>(n);
    let mut differ = first.xor(first);
    let (mut ordered, mut previous) = (true, first);
    for ((slot, value), index) in pairs.iter_mut().zip(values).zip(0..) {
        let key = value.argsort_key();
        differ = differ.or(key.xor(first));
        ordered &= previous <= key;
        previous = key;
        *slot = Indexed { key, index };
    }
    if ordered {
        for (slot, index) in out.iter_mut().zip(0..) {
            *slot = index;
        }
        return;
    }
    let mut scratch = zeroed::<Indexed<T::Key>>(n);
    sort_in_place(&mut pairs, &mut scratch, differ, &mut Vec::new());
    for (slot, pair) in out.iter_mut().zip(&pairs) {
        *slot = pair.index;
    }
}

/// The bits in which the keys of `items` differ from the first's (zero if all are equal).
fn differing_bits<E: Keyed>(items: &[E]) -> E::Key {
    let first = items[0].key();
    items
        .iter()
        .fold(first.xor(first), |acc, e| acc.or(e.key().xor(first)))
}

/// Writes the elements of the small slice `src` to `dst` (as long) in key order, stably:
/// each goes to its rank, the number of elements before it in that order. Quadratic, but
/// with no branch that depends on the data (an insertion sort mispredicts about once per
/// element), which wins for the few elements of a last-level bucket.
fn rank_sort<E: Keyed>(src: &[E], dst: &mut [E]) {
    debug_assert!(src.len() <= SMALL && src.len() == dst.len());
    for (i, e) in src.iter().enumerate() {
        let key = e.key();
        let mut rank = 0;
        for (j, other) in src.iter().enumerate() {
            let k = other.key();
            rank += usize::from(k < key) + usize::from(k == key && j < i);
        }
        dst[rank] = *e;
    }
}

/// Scatters `src` into `dst` by the `bits`-wide digit at `shift`, stably. Pushes onto
/// `ends` the end of each of the `2^bits` buckets in `dst` (each starts where the one before
/// it ends, the first at 0).
fn scatter<E: Keyed>(src: &[E], dst: &mut [E], shift: u32, bits: u32, ends: &mut Vec<usize>) {
    debug_assert_eq!(src.len(), dst.len());
    let buckets = 1usize << bits;
    let mask = buckets - 1;
    let base = ends.len();
    ends.resize(base + buckets + 1, 0);
    let cursor = &mut ends[base..];
    for e in src {
        cursor[e.key().digit(shift, mask) + 1] += 1;
    }
    for d in 0..buckets {
        cursor[d + 1] += cursor[d];
    }
    // Now `cursor[d]` is where bucket `d` starts; each advances to where it ends.
    for e in src {
        let d = e.key().digit(shift, mask);
        // SAFETY: `d <= mask < cursor.len()`, and `cursor[d]` stays below the start of bucket
        // `d + 1` (or `dst.len()`): bucket `d` receives as many elements as were counted.
        unsafe {
            let slot = cursor.get_unchecked_mut(d);
            *dst.get_unchecked_mut(*slot) = *e;
            *slot += 1;
        }
    }
    ends.pop();
}

/// The shift and width of the digit for `len` elements that holds the highest of the `diff`
/// bits (at its top, where the key is wide enough), `None` if there is none.
fn digit_at<K: Word>(diff: K, len: usize) -> Option<(u32, u32)> {
    let top = diff.highest_bit()?;
    let bits = digit_bits(len).min(top + 1);
    Some((top + 1 - bits, bits))
}

/// Sorts `items` in place, `buf` (as long) as scratch; `diff` the bits in which keys differ.
/// `ends` is a stack of bucket boundaries that each level pushes its own onto and pops.
fn sort_in_place<E: Keyed>(items: &mut [E], buf: &mut [E], diff: E::Key, ends: &mut Vec<usize>) {
    if items.len() <= SMALL {
        buf.copy_from_slice(items);
        rank_sort(buf, items);
        return;
    }
    let Some((shift, bits)) = digit_at(diff, items.len()) else {
        return;
    };
    let base = ends.len();
    scatter(items, buf, shift, bits, ends);
    let mut start = 0;
    for d in 0..1usize << bits {
        let end = ends[base + d];
        if end - start > SMALL {
            sort_into(&mut buf[start..end], &mut items[start..end], ends);
        } else {
            rank_sort(&buf[start..end], &mut items[start..end]);
        }
        start = end;
    }
    ends.truncate(base);
}

/// Sorts the elements of `src` into `dst` (as long); `src` ends as scratch.
fn sort_into<E: Keyed>(src: &mut [E], dst: &mut [E], ends: &mut Vec<usize>) {
    if src.len() <= SMALL {
        rank_sort(src, dst);
        return;
    }
    let Some((shift, bits)) = digit_at(differing_bits(src), src.len()) else {
        dst.copy_from_slice(src);
        return;
    };
    let base = ends.len();
    scatter(src, dst, shift, bits, ends);
    let mut start = 0;
    for d in 0..1usize << bits {
        let end = ends[base + d];
        if end - start > SMALL {
            let diff = differing_bits(&dst[start..end]);
            sort_in_place(&mut dst[start..end], &mut src[start..end], diff, ends);
        } else if end - start > 1 {
            src[start..end].copy_from_slice(&dst[start..end]);
            rank_sort(&src[start..end], &mut dst[start..end]);
        }
        start = end;
    }
    ends.truncate(base);
}
