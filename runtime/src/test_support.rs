//! Deterministic random values for the runtime's unit tests.

/// A 64-bit xorshift generator (the same sequence in every run).
pub(crate) fn xorshift() -> impl FnMut() -> u64 {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

/// `n` values made by `f` from the generator's words.
pub(crate) fn stream(n: usize, mut f: impl FnMut(u64) -> f64) -> Vec<f64> {
    let mut next = xorshift();
    (0..n).map(|_| f(next())).collect()
}
