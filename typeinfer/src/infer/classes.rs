//! Typing of `@jitclass` instances: field reads and writes, method and property calls,
//! static methods, and construction (see [`crate::classes`]).
//!
//! `obj.field` gets [`Resolution::Field`]; `obj.method(args)` is a jitted call whose first
//! argument is `obj` (the callee expression gets [`Resolution::ReceiverFirst`]); reading a
//! property is a jitted call of its getter recorded on the `Attribute` expression, assigning
//! it a call of its setter recorded on the target.

use super::{Callable, Infer, R, Val};
use crate::classes::ClassMember;
use crate::types::Type;
use crate::{ArgSource, CalleeId, Resolution};
use frontend::Diagnostic;
use frontend::ast::{Expr, Keyword};

/// The class of an instance, or of an instance that may be None (`node.next`: its uses check
/// at run time that it is not None, as Numba unwraps optionals).
pub(super) fn instance_of(ty: &Type) -> Option<(u64, String)> {
    match ty {
        Type::Instance { class, name } => Some((*class, name.clone())),
        Type::Optional(inner) => instance_of(inner),
        _ => None,
    }
}

impl Infer<'_> {
    fn member(
        &mut self,
        class: u64,
        name: &str,
        attr: &str,
        span: frontend::Span,
    ) -> R<ClassMember> {
        self.env.class_member(class, attr).ok_or_else(|| {
            let message = format!("jitclass '{name}' has no attribute '{attr}'");
            Diagnostic::typing(message, span).into()
        })
    }

    /// `base.attr` read as a value, where `base` is an instance.
    pub(super) fn instance_attribute(
        &mut self,
        e: &Expr,
        base: &Expr,
        class: u64,
        name: &str,
        attr: &str,
    ) -> R<Val> {
        match self.member(class, name, attr, e.span)? {
            ClassMember::Field { offset, ty } => {
                self.resolve(
                    e.id,
                    Resolution::Field {
                        offset,
                        ty: ty.clone(),
                    },
                );
                Ok(Val::Value(ty))
            }
            ClassMember::Property { getter, .. } => {
                let receiver = self.value(base)?;
                let ty = self.jit_call_typed(e, getter, vec![receiver], attr)?;
                Ok(Val::Value(ty))
            }
            ClassMember::Static(callee) => Ok(Val::Callable(Callable::Jit(callee))),
            ClassMember::Method(_) => {
                let message = format!(
                    "the method '{attr}' of jitclass '{name}' can only be called here \
                     (bound methods are not values)"
                );
                Err(Diagnostic::unsupported(message, e.span).into())
            }
        }
    }

    /// `Class.attr`: a static method.
    pub(super) fn class_attribute(
        &mut self,
        e: &Expr,
        class: u64,
        name: &str,
        attr: &str,
    ) -> R<Val> {
        match self.member(class, name, attr, e.span)? {
            ClassMember::Static(callee) => Ok(Val::Callable(Callable::Jit(callee))),
            _ => {
                let message = format!(
                    "'{name}.{attr}' is not supported in jitted code; only static methods are \
                     reached through the class"
                );
                Err(Diagnostic::unsupported(message, e.span).into())
            }
        }
    }

    /// `obj.method(args)` on an instance: `Some(result type)` when `attr` is a method (called
    /// with `obj` first) or a static method.
    pub(super) fn instance_method_call(
        &mut self,
        e: &Expr,
        func: &Expr,
        value: &Expr,
        attr: &str,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> R<Option<Type>> {
        let Val::Value(receiver) = self.expr(value)? else {
            return Ok(None);
        };
        let Some((class, name)) = instance_of(&receiver) else {
            return Ok(None);
        };
        match self.member(class, &name, attr, func.span)? {
            ClassMember::Method(callee) => {
                self.resolve(func.id, Resolution::ReceiverFirst);
                let mut with_receiver = vec![value.clone()];
                with_receiver.extend(args.iter().cloned());
                let ty = self.jit_call(e, func, callee, &with_receiver, keywords, Vec::new())?;
                Ok(Some(ty))
            }
            ClassMember::Static(callee) => {
                self.resolve(func.id, Resolution::Callee);
                let ty = self.jit_call(e, func, callee, args, keywords, Vec::new())?;
                Ok(Some(ty))
            }
            _ => Ok(None),
        }
    }

    /// `len(obj)` / `obj[key]` of an instance: its `__len__` / `__getitem__` called with
    /// `args` (the instance first); `None` when `args[0]` is not an instance.
    pub(super) fn special_method_call(
        &mut self,
        e: &Expr,
        func: &Expr,
        method: &str,
        args: &[Expr],
    ) -> R<Option<Type>> {
        let Some(Val::Value(Type::Instance { class, name })) =
            args.first().map(|a| self.expr(a)).transpose()?
        else {
            return Ok(None);
        };
        match self.env.class_member(class, method) {
            Some(ClassMember::Method(callee)) => {
                let ty = self.jit_call(e, func, callee, args, &[], Vec::new())?;
                Ok(Some(ty))
            }
            _ => {
                let what = match method {
                    "__len__" => "has no len()",
                    _ => "is not subscriptable",
                };
                let message = format!("jitclass '{name}' {what} (it defines no {method})");
                Err(Diagnostic::typing(message, e.span).into())
            }
        }
    }

    /// `obj[key] = <value of type ty>` of an instance: its `__setitem__`; false when `base`
    /// is not an instance.
    pub(super) fn instance_setitem(
        &mut self,
        target: &Expr,
        base: &Expr,
        key: &Expr,
        ty: &Type,
    ) -> R<bool> {
        let Val::Value(receiver @ Type::Instance { .. }) = self.expr(base)? else {
            return Ok(false);
        };
        let Type::Instance { class, name } = &receiver else {
            unreachable!("matched above")
        };
        let Some(ClassMember::Method(callee)) = self.env.class_member(*class, "__setitem__") else {
            let message = format!(
                "jitclass '{name}' does not support item assignment (it defines no __setitem__)"
            );
            return Err(Diagnostic::typing(message, target.span).into());
        };
        let key_ty = self.value(key)?;
        self.jit_call_typed(
            target,
            callee,
            vec![receiver, key_ty, ty.clone()],
            "__setitem__",
        )?;
        self.record(target.id, ty.clone());
        Ok(true)
    }

    /// `Class(args)`: the class's constructor.
    pub(super) fn constructor(
        &mut self,
        class: u64,
        name: &str,
        span: frontend::Span,
    ) -> R<Callable> {
        match self.env.class_constructor(class) {
            Some(callee) => Ok(Callable::Jit(callee)),
            None => {
                let message = format!("jitclass '{name}' cannot be constructed here");
                Err(Diagnostic::typing(message, span).into())
            }
        }
    }

    /// The allocator call in a constructor: a new instance with zero fields.
    pub(super) fn new_object(&mut self, e: &Expr, class: u64, name: &str) -> R<Type> {
        let size = self
            .env
            .class_size(class)
            .ok_or_else(|| Diagnostic::internal(format!("jitclass '{name}' has no layout")))?;
        self.resolve(e.id, Resolution::NewObject { class, size });
        Ok(Type::Instance {
            class,
            name: name.to_string(),
        })
    }

    /// `obj.attr = <value of type ty>`: a field store or a property setter call; the target
    /// records the field's type (the lowering converts the value to it).
    pub(super) fn assign_attribute(
        &mut self,
        target: &Expr,
        base: &Expr,
        attr: &str,
        ty: &Type,
    ) -> R<()> {
        let Some((class, name)) = instance_of(&self.value(base)?) else {
            let message = format!("cannot assign to attribute '{attr}' of this value");
            return Err(Diagnostic::unsupported(message, target.span).into());
        };
        match self.member(class, &name, attr, target.span)? {
            ClassMember::Field { offset, ty: field } => {
                if !field_accepts(&field, ty) {
                    let message = format!("cannot store {ty} in field '{attr}' of type {field}");
                    return Err(Diagnostic::typing(message, target.span).into());
                }
                self.resolve(
                    target.id,
                    Resolution::Field {
                        offset,
                        ty: field.clone(),
                    },
                );
                self.record(target.id, field);
                Ok(())
            }
            ClassMember::Property {
                setter: Some(setter),
                ..
            } => {
                let receiver = self.value(base)?;
                self.jit_call_typed(target, setter, vec![receiver, ty.clone()], attr)?;
                self.record(target.id, ty.clone());
                Ok(())
            }
            _ => {
                let message = format!(
                    "cannot assign to '{attr}' of jitclass '{name}': it is not a field or a property with a setter"
                );
                Err(Diagnostic::typing(message, target.span).into())
            }
        }
    }

    /// A jitted call with positional arguments of known types (a property's getter or
    /// setter), recorded on `e`.
    fn jit_call_typed(
        &mut self,
        e: &Expr,
        callee: CalleeId,
        args: Vec<Type>,
        what: &str,
    ) -> R<Type> {
        let typing_error = |message: String| Diagnostic::typing(message, e.span);
        let n = args.len();
        let arg_types = self
            .env
            .callee_arg_types(callee, &args)
            .map_err(typing_error)?;
        let ret = self
            .env
            .callee_return_type(callee, &arg_types)
            .map_err(|mut d| {
                d.span = d.span.or(Some(e.span));
                d
            })?;
        let Some(ret) = ret else {
            let message = format!("cannot infer the type of property '{what}' (it is recursive)");
            return Err(Diagnostic::typing(message, e.span).into());
        };
        self.resolve(
            e.id,
            Resolution::JitCall {
                callee,
                arg_types,
                ret: ret.clone(),
                captures: Vec::new(),
                binding: (0..n).map(ArgSource::Positional).collect(),
            },
        );
        Ok(ret)
    }
}

/// Whether a field of type `field` may be assigned a value of type `ty`: numbers convert as in
/// any assignment; arrays must match in dtype and rank; instances in class.
fn field_accepts(field: &Type, ty: &Type) -> bool {
    match (field, ty) {
        (Type::Scalar(_), Type::Scalar(_)) => crate::rules::can_convert(ty, field),
        (
            Type::Array {
                dtype: d1,
                ndim: n1,
                ..
            },
            Type::Array {
                dtype: d2,
                ndim: n2,
                readonly,
                ..
            },
        ) => d1 == d2 && n1 == n2 && !readonly,
        (Type::Instance { class: a, .. }, Type::Instance { class: b, .. }) => a == b,
        (Type::Tuple(fields), Type::Tuple(items)) => {
            fields.len() == items.len()
                && fields.iter().zip(items).all(|(f, t)| field_accepts(f, t))
        }
        (Type::Optional(inner), Type::NoneType) => matches!(**inner, Type::Instance { .. }),
        (Type::Optional(inner), Type::Optional(other)) => field_accepts(inner, other),
        (Type::Optional(inner), other) => field_accepts(inner, other),
        _ => false,
    }
}
