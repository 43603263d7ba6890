//! How Python-level types become machine-level IR types: the flattening rule shared by lowering,
//! the backends' entry ABI and the dispatchers.
//!
//! A bool, integer or float is one value; a complex number is two floats (real, imaginary); a
//! tuple is its elements' values in order; `None` is no value; an array is one pointer to its
//! descriptor (`runtime::array`); a list is one pointer to its header (`runtime::list`). Unsigned integers use the signless type of their width.

use crate::function::Ty;
use typeinfer::{Scalar, Type};

/// One flattened slot of a Python-level value, with enough to convert it back and forth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlatSlot {
    /// A scalar (for complex numbers: one of the two parts, typed by the part's float type).
    Scalar(Scalar),
    /// A pointer to an array descriptor of this rank.
    Array { dtype: Scalar, ndim: u8 },
    /// A pointer to a list header (`runtime::list`).
    List,
    /// A pointer to a string (`runtime::text`).
    Str,
    /// A pointer to a dict or set table (`runtime::dict`).
    Dict,
    /// A raw C pointer (`CPointer(dtype)`, `voidptr`): a plain address.
    Pointer,
}

impl FlatSlot {
    pub fn ir_type(&self) -> Ty {
        match self {
            FlatSlot::Scalar(s) => scalar_ir_type(*s),
            FlatSlot::Array { .. }
            | FlatSlot::List
            | FlatSlot::Str
            | FlatSlot::Dict
            | FlatSlot::Pointer => Ty::Ptr,
        }
    }
}

/// The IR type of a non-complex scalar (the part type for complex numbers).
pub fn scalar_ir_type(s: Scalar) -> Ty {
    match s {
        Scalar::Bool => Ty::Bool,
        Scalar::I8 | Scalar::U8 => Ty::I8,
        Scalar::I16 | Scalar::U16 => Ty::I16,
        Scalar::I32 | Scalar::U32 => Ty::I32,
        Scalar::I64 | Scalar::U64 => Ty::I64,
        Scalar::F32 | Scalar::C64 => Ty::F32,
        Scalar::F64 | Scalar::C128 => Ty::F64,
    }
}

/// The flattened slots of a value of type `ty`, in order. `Range` values exist only at compile
/// time and have no slots; a string is one pointer.
pub fn flat_types(ty: &Type) -> Vec<FlatSlot> {
    let mut out = Vec::new();
    push_flat(ty, &mut out);
    out
}

fn push_flat(ty: &Type, out: &mut Vec<FlatSlot>) {
    match ty {
        Type::Scalar(s) if s.is_complex() => {
            out.push(FlatSlot::Scalar(s.real_part()));
            out.push(FlatSlot::Scalar(s.real_part()));
        }
        Type::Scalar(s) => out.push(FlatSlot::Scalar(*s)),
        Type::Array { dtype, ndim, .. } => out.push(FlatSlot::Array {
            dtype: *dtype,
            ndim: *ndim,
        }),
        Type::Tuple(items) => items.iter().for_each(|t| push_flat(t, out)),
        Type::Optional(inner) => {
            out.push(FlatSlot::Scalar(Scalar::Bool));
            push_flat(inner, out);
        }
        Type::List { .. } => out.push(FlatSlot::List),
        Type::Str => out.push(FlatSlot::Str),
        Type::Dict { .. } | Type::Set { .. } => out.push(FlatSlot::Dict),
        Type::CPointer(_) | Type::Instance { .. } | Type::Generator => out.push(FlatSlot::Pointer),
        Type::NoneType | Type::Range | Type::Unknown | Type::Function { .. } | Type::DType(_) => {}
    }
}

/// For each slot of [`flat_types`], the rank of the array descriptor it always points to
/// (`Function::param_ranks`): arrays of rank 1 or more, not inside an optional (whose pointer
/// is not a descriptor when the value is `None`).
pub fn descriptor_ranks(ty: &Type) -> Vec<Option<u32>> {
    match ty {
        Type::Array { ndim, .. } if *ndim >= 1 => vec![Some(*ndim as u32)],
        Type::Tuple(items) => items.iter().flat_map(descriptor_ranks).collect(),
        _ => vec![None; flat_types(ty).len()],
    }
}

/// Number of 8-byte slots a value of type `ty` takes in the entry ABI (`runtime::abi`): one
/// per flattened value. Every encoder of arguments (the dispatcher, the embedding API, the C
/// glue and extension of `ferrojit build`, the cache) counts with this.
pub fn slot_count(ty: &Type) -> usize {
    flat_types(ty).len()
}

/// How a scalar (or one part of a complex number) sits in its 8-byte slot of the entry ABI: the
/// one statement of the encoding, which every encoder follows and the backends' entry
/// trampolines decode (narrow values from the slot's low bytes).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SlotEncoding {
    /// 0 or 1.
    Bool,
    /// A signed integer of this many bits, sign-extended to 64.
    Signed(u8),
    /// An unsigned integer of this many bits, zero-extended to 64.
    Unsigned(u8),
    /// An `f32`'s bits in the low 32 bits, the rest zero.
    F32Bits,
    /// An `f64`'s bits.
    F64Bits,
}

impl SlotEncoding {
    /// The encoding of scalar `s` (of each part, for complex numbers).
    pub fn of(s: Scalar) -> SlotEncoding {
        let bits = 8 * s.size_bytes() as u8;
        match s {
            Scalar::Bool => SlotEncoding::Bool,
            Scalar::F32 | Scalar::C64 => SlotEncoding::F32Bits,
            Scalar::F64 | Scalar::C128 => SlotEncoding::F64Bits,
            s if s.is_signed_int() => SlotEncoding::Signed(bits),
            _ => SlotEncoding::Unsigned(bits),
        }
    }

    /// The slot of an integer whose two's-complement bits are `value`: truncated to the width,
    /// then extended (a bool: nonzero is 1). Floats are encoded with [`SlotEncoding::float`].
    pub fn integer(self, value: u64) -> u64 {
        match self {
            SlotEncoding::Bool => u64::from(value != 0),
            SlotEncoding::Signed(64) | SlotEncoding::Unsigned(64) => value,
            SlotEncoding::Signed(bits) => {
                let shift = 64 - u32::from(bits);
                (((value << shift) as i64) >> shift) as u64
            }
            SlotEncoding::Unsigned(bits) => value & ((1u64 << bits) - 1),
            SlotEncoding::F32Bits => u64::from((value as i64 as f32).to_bits()),
            SlotEncoding::F64Bits => (value as i64 as f64).to_bits(),
        }
    }

    /// The slot of a float (rounded to `f32` for [`SlotEncoding::F32Bits`]).
    pub fn float(self, value: f64) -> u64 {
        match self {
            SlotEncoding::F32Bits => u64::from((value as f32).to_bits()),
            SlotEncoding::F64Bits => value.to_bits(),
            other => other.integer(value as i64 as u64),
        }
    }

    /// What the slot holds, in words (for generated headers).
    pub fn describe(self) -> &'static str {
        match self {
            SlotEncoding::Bool => "0 or 1",
            SlotEncoding::Signed(_) => "sign-extended to 64 bits",
            SlotEncoding::Unsigned(_) => "zero-extended to 64 bits",
            SlotEncoding::F32Bits => "float bits in the low 32 bits",
            SlotEncoding::F64Bits => "double bits",
        }
    }
}

/// The IR types of a value of type `ty`.
pub fn ir_types(ty: &Type) -> Vec<Ty> {
    flat_types(ty).iter().map(FlatSlot::ir_type).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use typeinfer::Layout;

    #[test]
    fn nested_values_flatten_in_order() {
        let ty = Type::Tuple(vec![
            Type::C128,
            Type::array(Scalar::F64, 2, Layout::C),
            Type::Tuple(vec![Type::BOOL, Type::NoneType]),
        ]);
        assert_eq!(ir_types(&ty), vec![Ty::F64, Ty::F64, Ty::Ptr, Ty::Bool]);
        assert_eq!(slot_count(&ty), 4);
        assert_eq!(slot_count(&Type::Optional(Box::new(Type::C128))), 3);
    }

    /// The encoding of every scalar, pinned: what each encoder writes for -1 (or -1.5).
    #[test]
    fn slot_encodings_are_pinned() {
        let got: Vec<(Scalar, u64)> = Scalar::ALL
            .iter()
            .map(|&s| {
                let e = SlotEncoding::of(s);
                let slot = match e {
                    SlotEncoding::F32Bits | SlotEncoding::F64Bits => e.float(-1.5),
                    _ => e.integer(-1i64 as u64),
                };
                (s, slot)
            })
            .collect();
        use Scalar::*;
        assert_eq!(
            got,
            vec![
                (Bool, 1),
                (I8, u64::MAX),
                (I16, u64::MAX),
                (I32, u64::MAX),
                (I64, u64::MAX),
                (U8, 0xff),
                (U16, 0xffff),
                (U32, 0xffff_ffff),
                (U64, u64::MAX),
                (F32, u64::from((-1.5f32).to_bits())),
                (F64, (-1.5f64).to_bits()),
                (C64, u64::from((-1.5f32).to_bits())),
                (C128, (-1.5f64).to_bits()),
            ]
        );
        assert_eq!(SlotEncoding::of(I8).integer(0x180), 0xffff_ffff_ffff_ff80);
    }
}
