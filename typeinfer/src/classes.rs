//! `@jitclass` classes as the typer sees them: what an attribute of an instance is
//! ([`ClassMember`]), and where each field lives in the object ([`field_layout`]).
//!
//! An instance is `Type::Instance`: a pointer to a reference-counted object (see
//! `runtime::object`) whose fields follow a 16-byte header. The class itself (its fields,
//! methods and properties) is known to the [`crate::Env`], which answers per name.

use crate::CalleeId;
use crate::types::Type;

/// Offset of the first field: the object header (reference count, class id) comes first.
/// Must equal `runtime::object::OBJECT_HEADER_SIZE` (checked in `ir`).
pub const FIELDS_START: i32 = 16;

/// What `instance.name` refers to.
#[derive(Clone, Debug, PartialEq)]
pub enum ClassMember {
    /// A field at byte `offset` of the object.
    Field { offset: i32, ty: Type },
    /// A method: a jitted function taking the instance first.
    Method(CalleeId),
    /// A `@property`: its getter (and setter) take the instance first.
    Property {
        getter: CalleeId,
        setter: Option<CalleeId>,
    },
    /// A `@staticmethod`: a plain jitted function.
    Static(CalleeId),
}

/// Bytes a field of type `ty` takes in an object, or `None` if a field cannot have that type.
/// Numbers take 8 bytes (complex numbers two 8-byte parts); an array field holds a pointer to
/// a descriptor the object owns; an instance field a pointer to another object.
pub fn field_size(ty: &Type) -> Option<i32> {
    match ty {
        Type::Scalar(s) if s.is_complex() => Some(16),
        Type::Scalar(_) | Type::Array { .. } | Type::Instance { .. } => Some(8),
        // None is a null pointer.
        Type::Optional(inner) if matches!(**inner, Type::Instance { .. }) => Some(8),
        // Tuples of numbers: 8 bytes per flattened number (as list items are laid out).
        Type::Tuple(items) => items.iter().try_fold(0, |size, item| match item {
            Type::Scalar(_) | Type::Tuple(_) => Some(size + field_size(item)?),
            _ => None,
        }),
        _ => None,
    }
}

/// The offset of each field, in order, and the object's size; `Err` names the first field
/// whose type cannot be stored.
pub fn field_layout(fields: &[(String, Type)]) -> Result<(Vec<i32>, i64), String> {
    let mut offsets = Vec::with_capacity(fields.len());
    let mut at = FIELDS_START;
    for (name, ty) in fields {
        let size = field_size(ty).ok_or_else(|| {
            format!(
                "field '{name}' has type {ty}: jitclass fields may be numbers, tuples of \
                 numbers, arrays or instances of jitclasses (optionally None)"
            )
        })?;
        offsets.push(at);
        at += size;
    }
    Ok((offsets, i64::from(at)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Scalar;

    #[test]
    fn fields_follow_the_header_in_order() {
        let fields = vec![
            ("x".to_string(), Type::F64),
            ("z".to_string(), Type::Scalar(Scalar::C128)),
            ("n".to_string(), Type::I64),
        ];
        assert_eq!(field_layout(&fields), Ok((vec![16, 24, 40], 48)));
        let pair = Type::Tuple(vec![Type::I64, Type::Scalar(Scalar::C128)]);
        assert_eq!(field_size(&pair), Some(24));
        let with_array = Type::Tuple(vec![Type::I64, crate::parse_type("f8[:]").unwrap()]);
        assert_eq!(field_size(&with_array), None);
        let bad = vec![("s".to_string(), Type::Str)];
        assert!(field_layout(&bad).unwrap_err().contains("field 's'"));
    }
}
