//! Element-wise operations on arrays (NumPy's array expressions): the element types of
//! `a + b`, `-a`, `a < b`, `np.sqrt(a)` where an operand is an array, with NumPy 2's
//! promotion: a scalar operand is "weak" (it takes the array's dtype unless it is of a higher
//! kind: `float32_array * 2.0` stays `float32`, `int32_array * 2.5` is `float64`). Typing and
//! lowering both use [`operand_scalars`] so they agree on every conversion.

use crate::types::{Layout, Scalar, Type};

/// The element type of an operand (its dtype, or the scalar itself).
pub fn element(ty: &Type) -> Option<Scalar> {
    match ty {
        Type::Scalar(s) => Some(*s),
        Type::Array { dtype, .. } => Some(*dtype),
        _ => None,
    }
}

/// NumPy's kinds, ordered: bool < integer < float < complex.
fn kind(s: Scalar) -> u8 {
    if s.is_bool() {
        0
    } else if s.is_int() {
        1
    } else if s.is_float() {
        2
    } else {
        3
    }
}

/// The scalar types at which an element-wise operation on operands of types `types` computes:
/// a weak scalar operand (not an array) of a kind no higher than the arrays' takes the
/// arrays' promoted dtype; everything else keeps its own element type.
pub fn operand_scalars(types: &[Type]) -> Option<Vec<Scalar>> {
    let elements: Vec<Scalar> = types.iter().map(element).collect::<Option<_>>()?;
    let array_dtype = types
        .iter()
        .zip(&elements)
        .filter(|(t, _)| t.is_array())
        .map(|(_, s)| *s)
        .reduce(crate::rules::promote)?;
    Some(
        types
            .iter()
            .zip(elements)
            .map(|(t, s)| {
                if !t.is_array() && kind(s) <= kind(array_dtype) {
                    array_dtype
                } else {
                    s
                }
            })
            .collect(),
    )
}

/// The rank of the broadcast result of `types` (0 if none is an array).
pub fn result_ndim(types: &[Type]) -> u8 {
    types
        .iter()
        .map(|t| match t {
            Type::Array { ndim, .. } => *ndim,
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// The array type with element type `dtype` and the broadcast rank of `operands`.
pub fn result_type(dtype: Scalar, operands: &[Type]) -> Type {
    Type::array(dtype, result_ndim(operands), Layout::C)
}

/// True if any of `types` is an array.
pub fn any_array(types: &[Type]) -> bool {
    types.iter().any(Type::is_array)
}
