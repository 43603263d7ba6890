//! `Generator.choice(a, size, replace, p)`'s indices on a Generator's PCG64 stream, as NumPy's
//! `Generator.choice` draws them: with replacement `integers(0, n)` per index (Lemire), or
//! with `p` the cumulative-probability search of the legacy `choice` on the Generator's
//! uniforms; without replacement and without `p`, Floyd's algorithm followed by a shuffle of
//! the sample, or (for a sample over a fiftieth of a population over 10000) the tail of a
//! partial shuffle of `0..n`; both with Lemire-bounded draws (`random_bounded_uint64`).

use crate::random_gen::Pcg64State;
use crate::random_legacy::{CHOICE_OK, CHOICE_TOO_MANY, choice_with_p};
use std::collections::HashSet;

/// `flags` bit 0: with replacement.
pub const GEN_CHOICE_REPLACE: i64 = 1;
/// `flags` bit 1: `p` was `float32` (a looser tolerance for its sum).
pub const GEN_CHOICE_P_F32: i64 = 2;
/// `flags` bit 2: `p` was given.
pub const GEN_CHOICE_HAS_P: i64 = 4;

/// `(generator, p, p_len, n, count, flags, out) -> status`: `count` indices into `0..n`
/// written to `out`; `p` (`p_len` contiguous doubles) is read when `flags` has
/// [`GEN_CHOICE_HAS_P`]. The status is the legacy `choice_p`'s (`CHOICE_*`).
pub extern "C" fn ferrojit_gen_choice(
    g: i64,
    p: i64,
    p_len: i64,
    n: i64,
    count: i64,
    flags: i64,
    out: i64,
) -> i64 {
    // SAFETY: compiled code passes the address the dispatcher gave it for this call.
    let s = unsafe { &mut *(g as *mut Pcg64State) };
    if flags & GEN_CHOICE_HAS_P != 0 {
        let legacy_flags = flags & (GEN_CHOICE_REPLACE | GEN_CHOICE_P_F32);
        return choice_with_p(p, p_len, n, count, legacy_flags, out, &mut || {
            s.next_double()
        });
    }
    let count = count.max(0) as usize;
    // SAFETY: compiled code passes room for `count` `i64`s.
    let out = unsafe { std::slice::from_raw_parts_mut(out as *mut i64, count) };
    let n = n.max(0) as u64;
    if flags & GEN_CHOICE_REPLACE != 0 {
        for slot in out.iter_mut() {
            *slot = s.bounded(0, n.wrapping_sub(1)) as i64;
        }
        return CHOICE_OK;
    }
    if count as u64 > n {
        return CHOICE_TOO_MANY;
    }
    let size = count as u64;
    if n > 10000 && size > n / 50 {
        // Shuffle the tail of `0..n` (`_shuffle_int(n, max(n - size, 1))`) and take it.
        let mut idx: Vec<i64> = (0..n as i64).collect();
        let first = (n - size).max(1);
        for i in (first..n).rev() {
            let j = s.bounded(0, i) as usize;
            idx.swap(i as usize, j);
        }
        out.copy_from_slice(&idx[(n - size) as usize..]);
        return CHOICE_OK;
    }
    // Floyd's algorithm: for each j of the last `size` values, a draw in `0..=j`, or `j`
    // itself when that draw was taken already.
    let mut taken = HashSet::with_capacity(count);
    for (slot, j) in out.iter_mut().zip(n - size..n) {
        let val = s.bounded(0, j);
        let pick = if taken.insert(val) {
            val
        } else {
            taken.insert(j);
            j
        };
        *slot = pick as i64;
    }
    // Then `_shuffle_int(size, 1)`.
    for i in (1..count).rev() {
        let j = s.bounded(0, i as u64) as usize;
        out.swap(i, j);
    }
    CHOICE_OK
}
