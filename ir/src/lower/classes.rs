//! `@jitclass` instances: making an object, reading and writing its fields, calling property
//! getters and setters (see `typeinfer::classes` for the layout and `runtime::object` for the
//! object's memory and reference counts).
//!
//! Numbers are loaded and stored in place. Array and instance fields are stored through the
//! runtime, which counts the references they hold; reading one loads its pointer, and an unset
//! one (a field `__init__` never assigned) raises `ValueError` rather than crashing.

use super::flatten::ir_types;
use super::{LResult, Lowerer, PyValue};
use crate::function::{IntCC, Ty, Value};
use frontend::Span;
use frontend::ast::{Expr, ExprKind};
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::{Resolution, Type};

// The typer lays fields out after the runtime's object header.
const _: () = assert!(typeinfer::classes::FIELDS_START == runtime::object::OBJECT_HEADER_SIZE);

impl Lowerer<'_, '_> {
    /// `Class.__new__` inside a constructor: a zeroed object, owned by the call's arena.
    pub(crate) fn lower_new_object(
        &mut self,
        class: u64,
        size: i64,
        ty: Type,
        span: Span,
    ) -> PyValue {
        let class = self.b.iconst(Ty::I64, class as i64);
        let size = self.b.iconst(Ty::I64, size);
        let obj = self.b.call_runtime(RuntimeFn::ObjectNew, &[class, size]);
        let zero = self.b.iconst(Ty::Ptr, 0);
        let failed = self.b.icmp(IntCC::Eq, obj, zero);
        let message = "cannot allocate the object";
        self.raise_if(failed, ExceptionKind::MemoryError, message, span, &[]);
        PyValue::Pointer(obj, ty)
    }

    /// `obj.attr` when it is a field or a property of an instance; `None` otherwise.
    pub(crate) fn lower_instance_attribute(
        &mut self,
        expr: &Expr,
        value: &Expr,
        attr: &str,
    ) -> LResult<Option<PyValue>> {
        match self.typed.resolutions.get(&expr.id).cloned() {
            Some(Resolution::Field { offset, ty }) => {
                let obj = self.instance_pointer(value)?;
                self.set_span(expr.span);
                Ok(Some(self.load_field(obj, offset, &ty, attr, expr.span)))
            }
            Some(Resolution::JitCall {
                callee,
                arg_types,
                ret,
                ..
            }) => {
                let receiver = self.lower_expr(value)?;
                self.set_span(expr.span);
                Ok(Some(self.call_jitted(
                    callee,
                    &arg_types,
                    &ret,
                    vec![receiver],
                )))
            }
            _ => Ok(None),
        }
    }

    /// `obj.attr = value`: a field store or a property setter call.
    pub(crate) fn assign_attribute(
        &mut self,
        target: &Expr,
        base: &Expr,
        value: PyValue,
    ) -> LResult<()> {
        match self.typed.resolutions.get(&target.id).cloned() {
            Some(Resolution::Field { offset, ty }) => {
                let obj = self.instance_pointer(base)?;
                self.set_span(target.span);
                self.store_field(obj, offset, &ty, value, target.span);
                Ok(())
            }
            Some(Resolution::JitCall {
                callee,
                arg_types,
                ret,
                ..
            }) => {
                let receiver = self.lower_expr(base)?;
                self.set_span(target.span);
                self.call_jitted(callee, &arg_types, &ret, vec![receiver, value]);
                Ok(())
            }
            _ => Err(super::unsupported(
                "cannot assign to this attribute",
                target.span,
            )),
        }
    }

    /// `obj.field op= value`.
    pub(crate) fn aug_assign_attribute(
        &mut self,
        target: &Expr,
        base: &Expr,
        op: frontend::ast::BinOp,
        rhs: PyValue,
        rhs_ty: &Type,
    ) -> LResult<()> {
        let Some(Resolution::Field { offset, ty }) =
            self.typed.resolutions.get(&target.id).cloned()
        else {
            return Err(super::unsupported(
                "cannot use augmented assignment on this attribute",
                target.span,
            ));
        };
        let ExprKind::Attribute { attr, .. } = &target.kind else {
            unreachable!("an attribute target")
        };
        let obj = self.instance_pointer(base)?;
        self.set_span(target.span);
        let current = self.load_field(obj, offset, &ty, attr, target.span);
        if let Some(array) = super::array_fns::ArrayRef::of(&current) {
            return self.array_in_place(&array, op, rhs, rhs_ty, target.span);
        }
        let result = self.binary_op(op, current, &ty, rhs, rhs_ty, target.span)?;
        self.store_field(obj, offset, &ty, result, target.span);
        Ok(())
    }

    fn instance_pointer(&mut self, base: &Expr) -> LResult<Value> {
        let value = self.lower_expr(base)?;
        // An instance that may be None (`node.next.value`) is checked first, as Numba does.
        let value = self.unwrap_optional(value, base.span);
        match value {
            PyValue::Pointer(obj, Type::Instance { .. }) => Ok(obj),
            _ => Err(super::unsupported(
                "this attribute's base is not a jitclass instance",
                base.span,
            )),
        }
    }

    fn load_field(
        &mut self,
        obj: Value,
        offset: i32,
        ty: &Type,
        attr: &str,
        span: Span,
    ) -> PyValue {
        if let Type::Optional(inner) = ty {
            // An instance or None (a null pointer).
            let ptr = self.b.load(Ty::Ptr, obj, offset, false);
            let zero = self.b.iconst(Ty::Ptr, 0);
            let present = self.b.icmp(IntCC::Ne, ptr, zero);
            let value = PyValue::from_flat(inner, &mut std::iter::once(ptr));
            return PyValue::Optional(present, Box::new(value));
        }
        if let Type::Array { .. } | Type::Instance { .. } = ty {
            let ptr = self.b.load(Ty::Ptr, obj, offset, false);
            let zero = self.b.iconst(Ty::Ptr, 0);
            let unset = self.b.icmp(IntCC::Eq, ptr, zero);
            let message = format!("jitclass field '{attr}' was read before it was assigned");
            self.raise_if(unset, ExceptionKind::ValueError, &message, span, &[]);
            return PyValue::from_flat(ty, &mut std::iter::once(ptr));
        }
        // Numbers and tuples of them: laid out as list items are, at the field's offset.
        let (_, parts) = super::lists::item_layout(ty);
        let values: Vec<Value> = ir_types(ty)
            .into_iter()
            .zip(parts)
            .map(|(part_ty, part)| self.b.load(part_ty, obj, offset + part, false))
            .collect();
        PyValue::from_flat(ty, &mut values.into_iter())
    }

    fn store_field(&mut self, obj: Value, offset: i32, ty: &Type, value: PyValue, span: Span) {
        let value = self.coerce(value, ty);
        match (ty, &value) {
            (Type::Array { ndim, .. }, PyValue::Array(desc, _)) => {
                let at = self.b.iconst(Ty::I64, i64::from(offset));
                let ndim = self.b.iconst(Ty::I64, i64::from(*ndim));
                let ok = self
                    .b
                    .call_runtime(RuntimeFn::ObjectSetArray, &[obj, at, *desc, ndim]);
                let zero = self.b.iconst(Ty::I64, 0);
                let failed = self.b.icmp(IntCC::Eq, ok, zero);
                let message = "cannot allocate the field's array descriptor";
                self.raise_if(failed, ExceptionKind::MemoryError, message, span, &[]);
            }
            (Type::Optional(_), PyValue::Optional(_, inner)) => {
                // An absent optional holds a null pointer: store it as it is.
                let PyValue::Pointer(other, _) = **inner else {
                    unreachable!("an optional instance")
                };
                let at = self.b.iconst(Ty::I64, i64::from(offset));
                self.b
                    .call_runtime(RuntimeFn::ObjectSetObject, &[obj, at, other]);
            }
            (Type::Instance { .. }, PyValue::Pointer(other, _)) => {
                let at = self.b.iconst(Ty::I64, i64::from(offset));
                self.b
                    .call_runtime(RuntimeFn::ObjectSetObject, &[obj, at, *other]);
            }
            _ => {
                let (_, parts) = super::lists::item_layout(ty);
                for (v, part) in value.flat_values().into_iter().zip(parts) {
                    self.b.store(obj, v, offset + part);
                }
            }
        }
    }

    /// A call of jitted function `callee` with positional `values` (converted to
    /// `arg_types`), returning `ret`.
    pub(crate) fn call_jitted(
        &mut self,
        callee: typeinfer::CalleeId,
        arg_types: &[Type],
        ret: &Type,
        values: Vec<PyValue>,
    ) -> PyValue {
        let symbol = (self.ctx.callee_symbol)(callee, arg_types);
        let mut flat = Vec::new();
        for (v, ty) in values.into_iter().zip(arg_types) {
            flat.extend(self.coerce(v, ty).flat_values());
        }
        let results = self.b.call(&symbol, &flat, &ir_types(ret));
        PyValue::from_flat(ret, &mut results.into_iter())
    }
}
