//! Values for kernel launches: generated per input domain, as 8-byte entry-ABI slots (the CPU
//! backend's calling convention) and as array bytes in device memory (the GPU's).
//!
//! A slot holds an integer sign-extended to 64 bits, a bool as 0/1, an `f32` in its low 32
//! bits and an `f64` as its bits.

use super::Domain;
use backend_gpu::ptx::memory_size;
use ir::Ty;

/// A small deterministic generator (Knuth's MMIX LCG, upper bits).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 ^ (self.0 >> 29)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The slot of integer `v` as type `ty` (truncated, then sign-extended).
pub fn int_slot(ty: Ty, v: i64) -> u64 {
    (match ty {
        Ty::Bool => i64::from(v != 0),
        Ty::I8 => i64::from(v as i8),
        Ty::I16 => i64::from(v as i16),
        Ty::I32 => i64::from(v as i32),
        _ => v,
    }) as u64
}

/// The slot of float `x` as type `ty`.
pub fn float_slot(ty: Ty, x: f64) -> u64 {
    match ty {
        Ty::F32 => u64::from((x as f32).to_bits()),
        _ => x.to_bits(),
    }
}

const SPECIAL_FLOATS: [f64; 14] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -2.5,
    3.5,
    1e300,
    -1e-300,
    5e-324,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    1e10,
];
const SPECIAL_INTS: [i64; 10] = [0, 1, -1, 2, -2, 7, -100, i64::MIN, i64::MAX, 0x7f];

/// `n` slots of type `ty` drawn from `domain`.
pub fn generate(ty: Ty, domain: &Domain, n: usize, seed: u64) -> Vec<u64> {
    let mut rng = Lcg::new(seed);
    (0..n)
        .map(|i| match (domain, ty.is_float()) {
            (Domain::Value(x), true) => float_slot(ty, *x),
            (Domain::Value(x), false) => int_slot(ty, *x as i64),
            (Domain::Range(lo, hi), true) => float_slot(ty, lo + (hi - lo) * rng.unit()),
            (Domain::Range(lo, hi), false) => {
                let span = ((hi - lo) as u64).max(1);
                int_slot(ty, *lo as i64 + (rng.next() % span) as i64)
            }
            (Domain::Any, true) => match SPECIAL_FLOATS.get(i) {
                Some(&x) => float_slot(ty, x),
                None if i % 3 == 0 => match ty {
                    Ty::F32 => rng.next() >> 32,
                    _ => rng.next(),
                },
                None => float_slot(ty, (rng.unit() - 0.5) * 200.0),
            },
            (Domain::Any, false) => match SPECIAL_INTS.get(i) {
                Some(&v) => int_slot(ty, v),
                None if i % 2 == 0 => int_slot(ty, rng.next() as i64),
                None => int_slot(ty, (rng.next() % 64) as i64 - 32),
            },
        })
        .collect()
}

/// The array bytes (little-endian, `memory_size(ty)` each) of `slots`.
pub fn to_bytes(ty: Ty, slots: &[u64]) -> Vec<u8> {
    let size = memory_size(ty) as usize;
    slots
        .iter()
        .flat_map(|s| s.to_le_bytes()[..size].to_vec())
        .collect()
}

/// The slots of array bytes of type `ty`.
pub fn from_bytes(ty: Ty, bytes: &[u8]) -> Vec<u64> {
    let size = memory_size(ty) as usize;
    bytes
        .chunks_exact(size)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..size].copy_from_slice(c);
            let raw = u64::from_le_bytes(b);
            match ty {
                Ty::F32 | Ty::F64 | Ty::I64 | Ty::Ptr => raw,
                _ => int_slot(ty, raw as i64),
            }
        })
        .collect()
}

/// Whether two slots of type `ty` hold the same value (bit for bit, any NaN matching any NaN;
/// integers by their low `ty` bits).
pub fn same(ty: Ty, a: u64, b: u64) -> bool {
    match ty {
        Ty::F32 => {
            let (x, y) = (f32::from_bits(a as u32), f32::from_bits(b as u32));
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        Ty::F64 => {
            let (x, y) = (f64::from_bits(a), f64::from_bits(b));
            (x.is_nan() && y.is_nan()) || a == b
        }
        Ty::Bool => (a & 1) == (b & 1),
        _ => int_slot(ty, a as i64) == int_slot(ty, b as i64),
    }
}

/// A slot as text, for failure messages.
pub fn show(ty: Ty, slot: u64) -> String {
    match ty {
        Ty::F32 => format!("{:?}", f32::from_bits(slot as u32)),
        Ty::F64 => format!("{:?}", f64::from_bits(slot)),
        Ty::Bool => format!("{}", slot & 1 != 0),
        _ => format!("{}", int_slot(ty, slot as i64) as i64),
    }
}
