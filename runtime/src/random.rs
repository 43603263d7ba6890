//! Random numbers for compiled code: `np.random.*` and Python's `random` module, each with its
//! own Mersenne Twister (MT19937) state per thread, as in Numba.
//!
//! The NumPy stream reproduces NumPy's legacy `RandomState` for the same seed: seeding
//! (`init_genrand`), `random_sample` (53-bit doubles from two 32-bit draws), `randint` (masked
//! rejection on the low bits), `uniform`, the polar Box-Muller `gauss` with its cached second
//! value (`normal`, `standard_normal`, `randn`), `standard_exponential`, `poisson` (the
//! multiplication method below 10, PTRS above), `binomial` (inversion, and NumPy's legacy
//! BTPE where `n * min(p, 1 - p) > 30`) and `random_interval` (shuffle, permutation). The Python stream
//! follows CPython's `random`: `seed(n)` through `init_by_array`, `random()`, `randint`
//! (`getrandbits` rejection), `uniform` and `gauss` (Box-Muller with a cached value).
//! Unseeded states start from the clock and the thread.

use std::cell::RefCell;

const N: usize = 624;
const M: usize = 397;

/// The number of 32-bit key words of an MT19937 state; `pos` reaching it means a refill.
pub const MT_WORDS: i64 = N as i64;
/// The byte offset of an MT19937 state's next-word position (a `usize`) from its address.
pub const MT_POS_OFFSET: i32 = std::mem::offset_of!(Mt19937, pos) as i32;

/// One MT19937 generator with the extra state its users cache.
///
/// `repr(C)` because compiled code draws from it directly (the `randint` fast path in
/// `ir/src/lower/random_inline.rs`): the key words at offset 0, `pos` at [`MT_POS_OFFSET`].
#[repr(C)]
pub struct Mt19937 {
    key: [u32; N],
    pos: usize,
    /// A cached normal deviate (NumPy's and CPython's `gauss`).
    gauss: Option<f64>,
}

impl Mt19937 {
    fn new(seed: u32) -> Mt19937 {
        let mut mt = Mt19937 {
            key: [0; N],
            pos: N,
            gauss: None,
        };
        mt.init_genrand(seed);
        mt
    }

    fn init_genrand(&mut self, seed: u32) {
        self.key[0] = seed;
        for i in 1..N {
            let prev = self.key[i - 1];
            self.key[i] = 1812433253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.pos = N;
        self.gauss = None;
    }

    /// CPython's `init_by_array`.
    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19650218);
        let (mut i, mut j) = (1usize, 0usize);
        let mut k = N.max(key.len());
        while k > 0 {
            let prev = self.key[i - 1];
            self.key[i] = (self.key[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1664525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.key[0] = self.key[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
            k -= 1;
        }
        k = N - 1;
        while k > 0 {
            let prev = self.key[i - 1];
            self.key[i] = (self.key[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1566083941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.key[0] = self.key[N - 1];
                i = 1;
            }
            k -= 1;
        }
        self.key[0] = 0x8000_0000;
        self.pos = N;
        self.gauss = None;
    }

    // Once per 624 draws: kept out of line so that the draws themselves stay small. Three
    // loops without wrap-around indexing and a branch-free twist (`(y & 1)` selects
    // `MATRIX_A` by mask), which the compiler vectorises: the version with `% N` indices and
    // an `if` on a random bit cost about a nanosecond per draw.
    #[cold]
    #[inline(never)]
    fn generate(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        #[inline(always)]
        fn twist(upper: u32, lower: u32, far: u32) -> u32 {
            let y = (upper & UPPER) | (lower & LOWER);
            far ^ (y >> 1) ^ ((y & 1).wrapping_neg() & MATRIX_A)
        }
        let key = &mut self.key;
        for i in 0..N - M {
            key[i] = twist(key[i], key[i + 1], key[i + M]);
        }
        for i in N - M..N - 1 {
            key[i] = twist(key[i], key[i + 1], key[i + M - N]);
        }
        key[N - 1] = twist(key[N - 1], key[0], key[M - 1]);
        self.pos = 0;
    }

    #[inline]
    pub(crate) fn next_u32(&mut self) -> u32 {
        if self.pos >= N {
            self.generate();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        (hi << 32) | u64::from(self.next_u32())
    }

    /// A double in [0, 1) from 53 random bits.
    #[inline]
    pub(crate) fn next_double(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67108864.0 + b) / 9007199254740992.0
    }

    /// NumPy's `random_interval`: uniform in `0..=max` by masked rejection.
    #[inline]
    pub(crate) fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = mask_for(max);
        if max <= 0xffff_ffff {
            loop {
                let v = u64::from(self.next_u32()) & mask;
                if v <= max {
                    return v;
                }
            }
        }
        loop {
            let v = self.next_u64() & mask;
            if v <= max {
                return v;
            }
        }
    }

    /// NumPy's legacy bounded integers: `off + [0, rng]` by masked rejection.
    #[inline]
    fn bounded(&mut self, off: i64, rng: u64) -> i64 {
        if rng == 0 {
            return off;
        }
        if rng == 0xffff_ffff {
            return off.wrapping_add(i64::from(self.next_u32()));
        }
        if rng < 0xffff_ffff {
            let mask = mask_for(rng) as u32;
            loop {
                let v = self.next_u32() & mask;
                if u64::from(v) <= rng {
                    return off.wrapping_add(i64::from(v));
                }
            }
        }
        if rng == u64::MAX {
            return off.wrapping_add(self.next_u64() as i64);
        }
        let mask = mask_for(rng);
        loop {
            let v = self.next_u64() & mask;
            if v <= rng {
                return off.wrapping_add(v as i64);
            }
        }
    }

    /// NumPy's `legacy_gauss` (polar method, the second value kept for the next call).
    pub(crate) fn legacy_gauss(&mut self) -> f64 {
        if let Some(g) = self.gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.next_double() - 1.0;
            let x2 = 2.0 * self.next_double() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// CPython's `random.gauss` (Box-Muller, the second value kept for the next call).
    fn python_gauss(&mut self) -> f64 {
        if let Some(g) = self.gauss.take() {
            return g;
        }
        let x2pi = self.next_double() * std::f64::consts::TAU;
        let g2rad = (-2.0 * (1.0 - self.next_double()).ln()).sqrt();
        self.gauss = Some(x2pi.sin() * g2rad);
        x2pi.cos() * g2rad
    }

    /// CPython's `getrandbits(k)` for `k <= 64`.
    fn getrandbits(&mut self, k: u32) -> u64 {
        if k <= 32 {
            return u64::from(self.next_u32() >> (32 - k));
        }
        let low = u64::from(self.next_u32());
        let high = u64::from(self.next_u32() >> (64 - k));
        (high << 32) | low
    }

    pub(crate) fn poisson(&mut self, lam: f64) -> i64 {
        self.poisson_with(lam, (-lam).exp())
    }

    /// `poisson(lam)` given `enlam == exp(-lam)` (compiled code computes it once per loop).
    #[inline]
    fn poisson_with(&mut self, lam: f64, enlam: f64) -> i64 {
        if lam >= 10.0 {
            return self.poisson_ptrs(lam);
        }
        if lam == 0.0 {
            return 0;
        }
        let mut x = 0;
        let mut prod = 1.0;
        loop {
            prod *= self.next_double();
            if prod > enlam {
                x += 1;
            } else {
                return x;
            }
        }
    }

    fn poisson_ptrs(&mut self, lam: f64) -> i64 {
        let slam = lam.sqrt();
        let loglam = lam.ln();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let invalpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = self.next_double() - 0.5;
            let v = self.next_double();
            let us = 0.5 - u.abs();
            let k = ((2.0 * a / us + b) * u + lam + 0.43).floor() as i64;
            if us >= 0.07 && v <= vr {
                return k;
            }
            if k < 0 || (us < 0.013 && v > us) {
                continue;
            }
            if v.ln() + invalpha.ln() - (a / (us * us) + b).ln()
                <= -lam + k as f64 * loglam - loggam(k as f64 + 1.0)
            {
                return k;
            }
        }
    }

    /// Binomial draws by inversion (NumPy's `legacy_random_binomial_inversion`, without its
    /// cache, which holds values computed the same way).
    fn binomial_inversion(&mut self, n: i64, p: f64) -> i64 {
        let q = 1.0 - p;
        let qn = (n as f64 * q.ln()).exp();
        let np = n as f64 * p;
        let bound = (n as f64).min(np + 10.0 * (np * q + 1.0).sqrt()) as i64;
        let mut x = 0;
        let mut px = qn;
        let mut u = self.next_double();
        while u > px {
            x += 1;
            if x > bound {
                x = 0;
                px = qn;
                u = self.next_double();
            } else {
                u -= px;
                px = ((n - x + 1) as f64 * p * px) / (x as f64 * q);
            }
        }
        x
    }

    /// NumPy's `legacy_random_binomial`: inversion where the mean of the rarer outcome is
    /// at most 30, BTPE above (no shortcut for `n == 0` or `p == 0`: NumPy draws then too).
    pub(crate) fn binomial(&mut self, n: i64, p: f64) -> i64 {
        if p <= 0.5 {
            if p * n as f64 <= 30.0 {
                self.binomial_inversion(n, p)
            } else {
                self.binomial_btpe(n, p)
            }
        } else {
            let q = 1.0 - p;
            if q * n as f64 <= 30.0 {
                n - self.binomial_inversion(n, q)
            } else {
                n - self.binomial_btpe(n, q)
            }
        }
    }

    /// NumPy's legacy BTPE (`legacy_random_binomial_btpe`, kept as NumPy 1.16 had it) for
    /// `n * p > 30`, `p <= 0.5`.
    fn binomial_btpe(&mut self, n: i64, p: f64) -> i64 {
        let r = p.min(1.0 - p);
        let q = 1.0 - r;
        let fm = n as f64 * r + r;
        let m = fm.floor() as i64;
        let p1 = (2.195 * (n as f64 * r * q).sqrt() - 4.6 * q).floor() + 0.5;
        let xm = m as f64 + 0.5;
        let xl = xm - p1;
        let xr = xm + p1;
        let c = 0.134 + 20.5 / (15.3 + m as f64);
        let mut a = (fm - xl) / (fm - xl * r);
        let laml = a * (1.0 + a / 2.0);
        a = (xr - fm) / (xr * q);
        let lamr = a * (1.0 + a / 2.0);
        let p2 = p1 * (1.0 + 2.0 * c);
        let p3 = p2 + c / laml;
        let p4 = p3 + c / lamr;
        let nrq = n as f64 * r * q;
        let y = loop {
            // Step 10.
            let u = self.next_double() * p4;
            let mut v = self.next_double();
            let y;
            if u <= p1 {
                break (xm - p1 * v + u).floor() as i64;
            } else if u <= p2 {
                // Step 20.
                let x = xl + (u - p1) / c;
                v = v * c + 1.0 - (m as f64 - x + 0.5).abs() / p1;
                if v > 1.0 {
                    continue;
                }
                y = x.floor() as i64;
            } else if u <= p3 {
                // Step 30.
                y = (xl + v.ln() / laml).floor() as i64;
                if y < 0 || v == 0.0 {
                    continue;
                }
                v *= (u - p2) * laml;
            } else {
                // Step 40.
                y = (xr - v.ln() / lamr).floor() as i64;
                if y > n || v == 0.0 {
                    continue;
                }
                v *= (u - p3) * lamr;
            }
            // Step 50.
            let k = (y - m).abs();
            if !(k > 20 && (k as f64) < nrq / 2.0 - 1.0) {
                let s = r / q;
                let a = s * (n + 1) as f64;
                let mut f = 1.0;
                if m < y {
                    for i in m + 1..=y {
                        f *= a / i as f64 - s;
                    }
                } else if m > y {
                    for i in y + 1..=m {
                        f /= a / i as f64 - s;
                    }
                }
                if v > f {
                    continue;
                }
                break y;
            }
            // Step 52.
            let kf = k as f64;
            let rho = (kf / nrq) * ((kf * (kf / 3.0 + 0.625) + 0.16666666666666666) / nrq + 0.5);
            let t = -kf * kf / (2.0 * nrq);
            let big_a = v.ln();
            if big_a < t - rho {
                break y;
            }
            if big_a > t + rho {
                continue;
            }
            let x1 = y as f64 + 1.0;
            let f1 = m as f64 + 1.0;
            let z = n as f64 + 1.0 - m as f64;
            let w = n as f64 - y as f64 + 1.0;
            let (x2, f2, z2, w2) = (x1 * x1, f1 * f1, z * z, w * w);
            let stirling = |d2: f64, d: f64| {
                (13680.0 - (462.0 - (132.0 - (99.0 - 140.0 / d2) / d2) / d2) / d2) / d / 166320.0
            };
            let bound = xm * (f1 / x1).ln()
                + (n as f64 - m as f64 + 0.5) * (z / w).ln()
                + (y - m) as f64 * (w * r / (x1 * q)).ln()
                + stirling(f2, f1)
                + stirling(z2, z)
                + stirling(x2, x1)
                + stirling(w2, w);
            if big_a > bound {
                continue;
            }
            break y;
        };
        if p > 0.5 { n - y } else { y }
    }
}

/// The smallest all-ones bit mask at least `max` (`max > 0`; NumPy ORs in shifted copies,
/// one count of leading zeros gives the same).
#[inline]
fn mask_for(max: u64) -> u64 {
    u64::MAX >> max.leading_zeros()
}

/// NumPy's `random_loggam`: log(gamma(x)) by Stirling's series.
pub(crate) fn loggam(x: f64) -> f64 {
    #[allow(
        clippy::excessive_precision,
        reason = "NumPy's constants, as written there"
    )]
    const A: [f64; 10] = [
        8.333333333333333e-02,
        -2.777777777777778e-03,
        7.936507936507937e-04,
        -5.952380952380952e-04,
        8.417508417508418e-04,
        -1.917526917526918e-03,
        6.410256410256410e-03,
        -2.955065359477124e-02,
        1.796443723688307e-01,
        -1.39243221690590e+00,
    ];
    if x == 1.0 || x == 2.0 {
        return 0.0;
    }
    let n = if x < 7.0 { (7.0 - x) as i64 } else { 0 };
    let mut x0 = x + n as f64;
    let x2 = (1.0 / x0) * (1.0 / x0);
    let lg2pi = 1.8378770664093453e+00;
    let mut gl0 = A[9];
    for k in (0..9).rev() {
        gl0 *= x2;
        gl0 += A[k];
    }
    let mut gl = gl0 / x0 + 0.5 * lg2pi + (x0 - 0.5) * x0.ln() - x0;
    if x < 7.0 {
        for _ in 1..=n {
            gl -= (x0 - 1.0).ln();
            x0 -= 1.0;
        }
    }
    gl
}

/// A seed for a state nobody seeded: the clock, mixed with the thread's identity.
fn entropy_seed() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let local = 0u8;
    let mixed = nanos ^ ((&local as *const u8 as u64).rotate_left(32));
    (mixed ^ (mixed >> 32)) as u32
}

thread_local! {
    /// The `np.random` state and the `random` module's state of this thread.
    static STATES: RefCell<[Option<Mt19937>; 2]> = const { RefCell::new([None, None]) };
}

/// Which stream a call uses: `np.random` (0) or Python's `random` (1).
pub(crate) fn with_state<R>(which: i64, f: impl FnOnce(&mut Mt19937) -> R) -> R {
    STATES.with(|states| {
        let mut states = states.borrow_mut();
        let slot = &mut states[usize::from(which != 0)];
        f(slot.get_or_insert_with(|| Mt19937::new(entropy_seed())))
    })
}

/// `np.random.seed(n)` (`which == 0`, `n` in `0..2**32`) or `random.seed(n)` (`which == 1`).
pub extern "C" fn ferrojit_random_seed(which: i64, seed: i64) -> i64 {
    with_state(which, |mt| {
        if which == 0 {
            mt.init_genrand(seed as u32);
        } else {
            // CPython: the absolute value's 32-bit words, least significant first.
            let magnitude = seed.unsigned_abs();
            let key: Vec<u32> = if magnitude >> 32 == 0 {
                vec![magnitude as u32]
            } else {
                vec![magnitude as u32, (magnitude >> 32) as u32]
            };
            mt.init_by_array(&key);
        }
    });
    0
}

/// `(which) -> address` of this thread's `np.random` (0) or `random` (1) generator, started
/// from the clock if nothing seeded it yet. The address stays the same for the thread's life
/// (seeding rewrites the state in place), so compiled code fetches it once per loop or call
/// rather than once per draw: the call is pure for the optimiser.
pub extern "C" fn ferrojit_random_state(which: i64) -> i64 {
    STATES.with(|states| {
        let mut states = states.borrow_mut();
        let slot = &mut states[usize::from(which != 0)];
        slot.get_or_insert_with(|| Mt19937::new(entropy_seed())) as *mut Mt19937 as i64
    })
}

/// The generator at an address from [`ferrojit_random_state`].
///
/// # Safety
/// `state` came from `ferrojit_random_state` on this thread.
#[inline(always)]
pub(crate) unsafe fn state_at<'a>(state: i64) -> &'a mut Mt19937 {
    // SAFETY: the caller's promise; the thread's generators live as long as the thread, and
    // one thread runs one draw at a time.
    unsafe { &mut *(state as *mut Mt19937) }
}

/// `(state) -> 0`: regenerates the 624 key words and sets the position to 0, for compiled
/// code that draws the words itself and found them used up.
pub extern "C" fn ferrojit_random_mt_refill(state: i64) -> i64 {
    // SAFETY: compiled code passes an address from `ferrojit_random_state`.
    unsafe { state_at(state) }.generate();
    0
}

/// A double in [0, 1) (`np.random.random()`, `random.random()`).
pub extern "C" fn ferrojit_random_double(state: i64) -> f64 {
    // SAFETY: compiled code passes an address from `ferrojit_random_state` (here and below).
    unsafe { state_at(state) }.next_double()
}

/// A standard normal deviate: NumPy's legacy gauss (`which == 0`), or CPython's
/// `random.gauss(0, 1)`.
pub extern "C" fn ferrojit_random_gauss(state: i64, which: i64) -> f64 {
    let mt = unsafe { state_at(state) };
    if which == 0 {
        mt.legacy_gauss()
    } else {
        mt.python_gauss()
    }
}

/// `np.random.randint(low, high)`: an integer in `low..high` (the caller checks `low < high`).
pub extern "C" fn ferrojit_random_randint(state: i64, low: i64, high: i64) -> i64 {
    let rng = (high as i128 - low as i128 - 1) as u64;
    unsafe { state_at(state) }.bounded(low, rng)
}

/// `random.randint(a, b)`: an integer in `a..=b` (CPython's `_randbelow` on `b - a + 1`).
pub extern "C" fn ferrojit_random_py_randint(state: i64, a: i64, b: i64) -> i64 {
    let n = (b as i128 - a as i128 + 1) as u64;
    let mt = unsafe { state_at(state) };
    let k = 64 - n.leading_zeros();
    loop {
        let r = mt.getrandbits(k);
        if r < n {
            return (a as i128 + r as i128) as i64;
        }
    }
}

/// An integer in `0..=max` (NumPy's `random_interval`, for shuffles and permutations).
pub extern "C" fn ferrojit_random_interval(state: i64, max: i64) -> i64 {
    unsafe { state_at(state) }.interval(max as u64) as i64
}

/// A standard exponential deviate (NumPy's legacy `-log(1 - U)`).
pub extern "C" fn ferrojit_random_exponential(state: i64) -> f64 {
    -(1.0 - unsafe { state_at(state) }.next_double()).ln()
}

/// A Poisson deviate of mean `lam`; `enlam` is `exp(-lam)`.
pub extern "C" fn ferrojit_random_poisson(state: i64, lam: f64, enlam: f64) -> i64 {
    unsafe { state_at(state) }.poisson_with(lam, enlam)
}

/// A binomial deviate of `n` trials with probability `p`.
pub extern "C" fn ferrojit_random_binomial(state: i64, n: i64, p: f64) -> i64 {
    unsafe { state_at(state) }.binomial(n, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_numpys() {
        for max in [
            1u64,
            2,
            3,
            99,
            100,
            255,
            256,
            0xffff_ffff,
            1 << 40,
            u64::MAX,
        ] {
            let mut mask = max;
            for shift in [1, 2, 4, 8, 16, 32] {
                mask |= mask >> shift;
            }
            assert_eq!(mask_for(max), mask);
        }
    }

    #[test]
    fn reference_outputs_of_mt19937() {
        // The reference implementation's first outputs for init_genrand(5489).
        let mut mt = Mt19937::new(5489);
        assert_eq!(mt.next_u32(), 3499211612);
        assert_eq!(mt.next_u32(), 581869302);
    }

    #[test]
    fn numpy_seed_zero_first_double() {
        // np.random.seed(0); np.random.random() == 0.5488135039273248
        ferrojit_random_seed(0, 0);
        assert_eq!(
            ferrojit_random_double(ferrojit_random_state(0)),
            0.5488135039273248
        );
    }

    #[test]
    fn python_seed_zero_first_double() {
        // random.seed(0); random.random() == 0.8444218515250481
        ferrojit_random_seed(1, 0);
        assert_eq!(
            ferrojit_random_double(ferrojit_random_state(1)),
            0.8444218515250481
        );
    }
}
