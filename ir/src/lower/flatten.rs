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
    }
}
