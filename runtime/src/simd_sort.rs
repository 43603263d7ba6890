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
//!   Each batch read also prefetches the batch 4 KiB further on its side: the hardware
//!   prefetchers follow the two converging streams (one of them backwards) less well.
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
mod avx512;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::stream;
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
