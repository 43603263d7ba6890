//! Raw C pointers (`CPointer(dtype)`, `voidptr`; `@cfunc` parameters): `p[i]` loads and
//! `p[i] = x` stores one element of the pointer's dtype at `p + i * itemsize`, as C's `p[i]`
//! does: no bounds check and no negative-index wrap-around (the caller owns the memory).

use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{Op, Ty, Value};
use frontend::Span;
use frontend::ast::Expr;
use typeinfer::{Scalar, Type};

impl Lowerer<'_, '_> {
    /// The address of `pointer[index]` and the element type there.
    pub(crate) fn pointer_element(
        &mut self,
        pointer: Value,
        pointer_ty: &Type,
        index: &Expr,
        span: Span,
    ) -> LResult<(Value, Type)> {
        let Type::CPointer(Some(dtype)) = *pointer_ty else {
            return Err(unsupported("a voidptr cannot be indexed", span));
        };
        let i = match self.lower_expr(index)? {
            PyValue::Scalar(v, s) if s.is_int() || s.is_bool() => self.cast_real(v, s, Scalar::I64),
            _ => {
                return Err(unsupported(
                    "a pointer index must be an integer",
                    index.span,
                ));
            }
        };
        let size = self.b.iconst(Ty::I64, i64::from(dtype.size_bytes()));
        let offset = self.b.binary(Op::Imul, i, size);
        let address = self.b.binary(Op::Iadd, pointer, offset);
        Ok((address, Type::Scalar(dtype)))
    }

    /// `pointer[index]`.
    pub(crate) fn lower_pointer_load(
        &mut self,
        pointer: Value,
        pointer_ty: &Type,
        index: &Expr,
        span: Span,
    ) -> LResult<PyValue> {
        let (address, item) = self.pointer_element(pointer, pointer_ty, index, span)?;
        Ok(self.load_item_at(address, &item))
    }

    /// `pointer[index] = value` (converted to the pointer's dtype).
    pub(crate) fn store_pointer_item(
        &mut self,
        pointer: Value,
        pointer_ty: &Type,
        index: &Expr,
        value: PyValue,
        span: Span,
    ) -> LResult<()> {
        let (address, item) = self.pointer_element(pointer, pointer_ty, index, span)?;
        self.store_item_at(address, &item, value);
        Ok(())
    }
}
