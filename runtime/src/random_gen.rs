//! `np.random.Generator` draws for compiled code: a PCG64 state passed in by the caller
//! ([`Pcg64State`], filled from and written back to `rng.bit_generator.state`), and NumPy's
//! Generator algorithms on it (`numpy/random/src/distributions/distributions.c`): 53-bit
//! doubles, the ziggurat normal and exponential, and bounded integers by Lemire's method (32-bit
//! draws from the state's buffered half word when the range fits), so that compiled code draws
//! what NumPy would have drawn and leaves the Python object where NumPy would have left it.
//!
//! The ziggurat tables are NumPy's, as constant data (`random_gen_tables`). Compiled code
//! draws the common cases inline (`ir/src/lower/random_gen_inline.rs`: the PCG64 step, the
//! ziggurats' first layer test) with the offsets below, and calls
//! [`ferrojit_gen_normal_unlikely`] / [`ferrojit_gen_exponential_unlikely`] for the rest.

use crate::random_gen_tables::ZIGGURAT;

/// NumPy's PCG64 state (`bit_generator.state`): the 128-bit LCG state and increment, and the
/// upper half of a 64-bit draw kept for the next 32-bit draw.
#[repr(C)]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pcg64State {
    pub state: u128,
    pub inc: u128,
    pub has_uint32: u64,
    pub uinteger: u64,
}

/// The PCG64 LCG multiplier, whose halves compiled code multiplies by.
pub const PCG_MULTIPLIER: u128 = (2549297995355413924u128 << 64) | 4865540595714422341u128;
/// Where compiled code finds the LCG state and the increment (little-endian: the low 64 bits
/// first).
pub const PCG_STATE_OFFSET: i32 = std::mem::offset_of!(Pcg64State, state) as i32;
pub const PCG_INC_OFFSET: i32 = std::mem::offset_of!(Pcg64State, inc) as i32;

impl Pcg64State {
    /// PCG-XSL-RR 128/64: step the LCG, then fold and rotate the new state.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self
            .state
            .wrapping_mul(PCG_MULTIPLIER)
            .wrapping_add(self.inc);
        let hi = (self.state >> 64) as u64;
        let lo = self.state as u64;
        (hi ^ lo).rotate_right((hi >> 58) as u32)
    }

    /// Half of a 64-bit draw: the low half now, the high half next time.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.has_uint32 != 0 {
            self.has_uint32 = 0;
            return self.uinteger as u32;
        }
        let next = self.next_u64();
        self.has_uint32 = 1;
        self.uinteger = next >> 32;
        next as u32
    }

    #[inline]
    pub fn next_double(&mut self) -> f64 {
        // Below 2^53: the signed conversion is one instruction and exact.
        ((self.next_u64() >> 11) as i64) as f64 * (1.0 / 9007199254740992.0)
    }

    /// `random_standard_normal`: the 256-layer ziggurat (the common case here, the rest out
    /// of line so that this stays small).
    #[inline]
    pub fn standard_normal(&mut self) -> f64 {
        let z = ziggurat();
        let r = self.next_u64();
        let idx = (r & 0xff) as usize;
        let r = r >> 8;
        let rabs = (r >> 1) & 0x000f_ffff_ffff_ffff;
        let magnitude = rabs as i64 as f64 * z.wi[idx];
        // The sign bit from the draw without a branch: a branch on a random bit mispredicts
        // half the time.
        let x = f64::from_bits(magnitude.to_bits() ^ ((r & 1) << 63));
        if rabs < z.ki[idx] {
            return x;
        }
        self.normal_unlikely(z, idx, rabs, x)
    }

    /// The base strip's tail and the wedges' rejection test; a rejected draw starts over.
    #[cold]
    #[inline(never)]
    fn normal_unlikely(&mut self, z: &Ziggurat, idx: usize, rabs: u64, x: f64) -> f64 {
        if idx == 0 {
            loop {
                let xx = -NOR_INV_R * (-self.next_double()).ln_1p();
                let yy = -(-self.next_double()).ln_1p();
                if yy + yy > xx * xx {
                    return if (rabs >> 8) & 1 != 0 {
                        -(NOR_R + xx)
                    } else {
                        NOR_R + xx
                    };
                }
            }
        }
        if (z.fi[idx - 1] - z.fi[idx]) * self.next_double() + z.fi[idx] < (-0.5 * x * x).exp() {
            return x;
        }
        self.standard_normal()
    }

    /// `random_standard_exponential`: the 256-layer ziggurat.
    #[inline]
    pub fn standard_exponential(&mut self) -> f64 {
        let z = ziggurat();
        let ri = self.next_u64() >> 3;
        let idx = (ri & 0xff) as usize;
        let ri = ri >> 8;
        let x = ri as i64 as f64 * z.we[idx];
        if ri < z.ke[idx] {
            return x;
        }
        self.exponential_unlikely(z, idx, x)
    }

    #[cold]
    #[inline(never)]
    fn exponential_unlikely(&mut self, z: &Ziggurat, idx: usize, x: f64) -> f64 {
        if idx == 0 {
            return EXP_R - (-self.next_double()).ln_1p();
        }
        if (z.fe[idx - 1] - z.fe[idx]) * self.next_double() + z.fe[idx] < (-x).exp() {
            return x;
        }
        self.standard_exponential()
    }

    /// `random_bounded_uint64` without masking: `off + [0, rng]` by Lemire's method.
    pub fn bounded(&mut self, off: u64, rng: u64) -> u64 {
        if rng == 0 {
            return off;
        }
        if rng <= 0xffff_ffff {
            if rng == 0xffff_ffff {
                return off.wrapping_add(u64::from(self.next_u32()));
            }
            let rng_excl = rng as u32 + 1;
            let mut m = u64::from(self.next_u32()) * u64::from(rng_excl);
            let mut leftover = m as u32;
            if leftover < rng_excl {
                let threshold = (u32::MAX - rng as u32) % rng_excl;
                while leftover < threshold {
                    m = u64::from(self.next_u32()) * u64::from(rng_excl);
                    leftover = m as u32;
                }
            }
            return off.wrapping_add(m >> 32);
        }
        if rng == u64::MAX {
            return off.wrapping_add(self.next_u64());
        }
        let rng_excl = rng + 1;
        let mut m = u128::from(self.next_u64()) * u128::from(rng_excl);
        let mut leftover = m as u64;
        if leftover < rng_excl {
            let threshold = (u64::MAX - rng) % rng_excl;
            while leftover < threshold {
                m = u128::from(self.next_u64()) * u128::from(rng_excl);
                leftover = m as u64;
            }
        }
        off.wrapping_add((m >> 64) as u64)
    }
}

const NOR_R: f64 = 3.654152885361009;
const NOR_INV_R: f64 = 0.2736612373297583;
const EXP_R: f64 = 7.69711747013105;

/// The ziggurat tables of the normal (`ki`, `wi`, `fi`) and exponential (`ke`, `we`, `fe`)
/// draws, in NumPy's layout: `w` are layer widths scaled by 2^-52 (2^-53), `k` the
/// acceptance thresholds, `f` the density at each layer's edge.
#[repr(C)]
#[derive(Clone, Debug)]
pub struct Ziggurat {
    pub ki: [u64; 256],
    pub wi: [f64; 256],
    pub fi: [f64; 256],
    pub ke: [u64; 256],
    pub we: [f64; 256],
    pub fe: [f64; 256],
}

fn ziggurat() -> &'static Ziggurat {
    &ZIGGURAT
}

/// Where compiled code finds each table in [`Ziggurat`] (from the address that
/// [`ferrojit_gen_tables`] returns).
pub const ZIG_KI_OFFSET: i32 = std::mem::offset_of!(Ziggurat, ki) as i32;
pub const ZIG_WI_OFFSET: i32 = std::mem::offset_of!(Ziggurat, wi) as i32;
pub const ZIG_KE_OFFSET: i32 = std::mem::offset_of!(Ziggurat, ke) as i32;
pub const ZIG_WE_OFFSET: i32 = std::mem::offset_of!(Ziggurat, we) as i32;

/// The state behind a generator argument (compiled code passes its address as an integer).
///
/// # Safety
/// `g` is the address of a live [`Pcg64State`] used by one thread at a time.
#[inline]
unsafe fn state<'a>(g: i64) -> &'a mut Pcg64State {
    // SAFETY: the caller's promise.
    unsafe { &mut *(g as *mut Pcg64State) }
}

/// `(generator, layer, rabs, x) -> f64`: the rest of a `standard_normal` draw whose 64-bit
/// word fell outside its layer's rectangle (`layer` its low byte, `rabs` the magnitude bits,
/// `x` the signed candidate): the tail or the wedge test, and a new draw if rejected.
pub extern "C" fn ferrojit_gen_normal_unlikely(g: i64, layer: i64, rabs: i64, x: f64) -> f64 {
    // SAFETY: compiled code passes the address the dispatcher gave it for this call.
    unsafe { state(g) }.normal_unlikely(ziggurat(), layer as usize & 0xff, rabs as u64, x)
}

/// `(generator, layer, x) -> f64`: the rest of a `standard_exponential` draw outside its
/// layer's rectangle.
pub extern "C" fn ferrojit_gen_exponential_unlikely(g: i64, layer: i64, x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { state(g) }.exponential_unlikely(ziggurat(), layer as usize & 0xff, x)
}

/// `() -> address` of NumPy's ziggurat tables ([`Ziggurat`], constant data: the same address
/// for the process's life).
pub extern "C" fn ferrojit_gen_tables() -> i64 {
    ziggurat() as *const Ziggurat as i64
}

/// `(generator, off, rng) -> i64`: `off + [0, rng]` (`Generator.integers`; `rng` is the
/// unsigned width of the closed range).
pub extern "C" fn ferrojit_gen_integer(g: i64, off: i64, rng: i64) -> i64 {
    // SAFETY: as above.
    unsafe { state(g) }.bounded(off as u64, rng as u64) as i64
}

/// `(generator, max) -> i64` in `0..=max`: NumPy's `random_interval` on the Generator's
/// stream (its shuffles and permutations).
pub extern "C" fn ferrojit_gen_interval(g: i64, max: i64) -> i64 {
    // SAFETY: as above.
    let s = unsafe { state(g) };
    let max = max as u64;
    if max == 0 {
        return 0;
    }
    let mut mask = max;
    for shift in [1, 2, 4, 8, 16, 32] {
        mask |= mask >> shift;
    }
    if max <= 0xffff_ffff {
        loop {
            let v = u64::from(s.next_u32()) & mask;
            if v <= max {
                return v as i64;
            }
        }
    }
    loop {
        let v = s.next_u64() & mask;
        if v <= max {
            return v as i64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcg64_reference_output() {
        // np.random.PCG64(12345): its state and its first two random_raw() draws.
        let mut s = Pcg64State {
            state: 0x1905e0335aae96349199b0d09775add5,
            inc: 0xc9c7353e6e2b1f287d761f2d4027fae7,
            has_uint32: 0,
            uinteger: 0,
        };
        assert_eq!(s.next_u64(), 4193609425186963869);
        assert_eq!(s.next_u64(), 5843160025838961886);
    }

    #[test]
    fn ziggurat_draws_are_numpys() {
        // np.random.Generator(np.random.PCG64(12345)): standard_normal(3), then
        // standard_exponential(3), as bits.
        let mut s = Pcg64State {
            state: 0x1905e0335aae96349199b0d09775add5,
            inc: 0xc9c7353e6e2b1f287d761f2d4027fae7,
            has_uint32: 0,
            uinteger: 0,
        };
        let normals = [0xbff6c7fcc2ecc744, 0x3ff4383b54eb0649, 0xbfebdc76014d359e];
        for bits in normals {
            assert_eq!(s.standard_normal().to_bits(), bits);
        }
        let exponentials = [0x3fdac9aa49a5a25b, 0x3fe05a802b679694, 0x3ff52a34cbdd7985];
        for bits in exponentials {
            assert_eq!(s.standard_exponential().to_bits(), bits);
        }
    }

    #[test]
    fn tables_have_numpys_layout() {
        let z = ziggurat();
        assert_eq!(z.ki[1], 0);
        assert!((z.wi[255] * 2f64.powi(52) - NOR_R).abs() < 1e-12);
        assert!((z.we[255] * 2f64.powi(53) - EXP_R).abs() < 1e-12);
        assert_eq!(z.fi[0], 1.0);
    }
}
