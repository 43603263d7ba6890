//! Typing of statements: assignments and their targets, loops, conditions, returns, raises.

use super::expr::binop_type;
use super::{Callable, Infer, R, Return, Val};
use crate::rules;
use crate::types::{Layout, Type};
use crate::{Intrinsic, Resolution};
use frontend::ast::{BinOp, Expr, ExprKind, Stmt, StmtKind};
use frontend::{Diagnostic, Span};

impl Infer<'_> {
    pub(super) fn stmt(&mut self, stmt: &Stmt) -> R<()> {
        match &stmt.kind {
            StmtKind::Assign { targets, value } => {
                let plain_copy = targets.iter().all(|t| matches!(t.kind, ExprKind::Name(_)));
                let ty = match plain_copy {
                    true => self.optional_value(value)?,
                    false => self.value(value)?,
                };
                for target in targets {
                    self.assign(target, &ty)?;
                }
            }
            StmtKind::AugAssign { target, op, value } => {
                self.aug_assign(stmt, target, *op, value)?
            }
            StmtKind::For { target, iter, body } => {
                if let Some(element) = self.soft(|this| this.iter_element(iter)) {
                    self.soft(|this| this.assign(target, &element));
                }
                self.block(body);
            }
            StmtKind::While { test, body } => {
                self.soft(|this| this.condition(test));
                self.block(body);
            }
            StmtKind::If { test, body, orelse } => {
                self.soft(|this| this.condition(test));
                self.block(body);
                self.block(orelse);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.block(body);
                for handler in handlers {
                    if let Some(class) = &handler.class {
                        self.soft(|this| this.except_classes(class));
                    }
                    if let Some(name) = &handler.name
                        && reads_name(&handler.body, name)
                    {
                        let message =
                            format!("using the exception bound by `as {name}` is not supported");
                        let d = Diagnostic::unsupported(message, handler.span);
                        self.soft(|_| Err::<(), _>(d.into()));
                    }
                    self.block(&handler.body);
                }
                self.block(orelse);
                self.block(finalbody);
            }
            StmtKind::Return(value) => {
                let (ty, span) = match value {
                    Some(v) => (self.optional_value(v)?, v.span),
                    None => (Type::NoneType, stmt.span),
                };
                if matches!(ty, Type::Range) {
                    let message = format!("cannot return a {ty}");
                    return Err(Diagnostic::unsupported(message, span).into());
                }
                self.returns.push(Return {
                    ty,
                    span,
                    implicit: false,
                });
            }
            StmtKind::Expr(e) => {
                self.expr(e)?;
            }
            StmtKind::Break | StmtKind::Continue | StmtKind::Pass => {}
            StmtKind::ObjMode(block) => self.objmode_stmt(block)?,
            // Re-raising what an `except` clause caught (checked where it is lowered).
            StmtKind::Raise(None) => {}
            StmtKind::Raise(Some(exc)) => self.raise(exc)?,
            StmtKind::Assert { test, msg } => {
                self.condition(test)?;
                if let Some(msg) = msg {
                    self.message(msg, "assert")?;
                }
            }
        }
        Ok(())
    }

    /// Binds `target` (a name, a subscript, or a tuple of targets) to a value of type `ty`.
    pub(super) fn assign(&mut self, target: &Expr, ty: &Type) -> R<()> {
        match &target.kind {
            ExprKind::Name(name) => {
                let unified = self.assign_var(name, ty, target.span)?;
                self.record(target.id, unified);
            }
            ExprKind::Tuple(targets) if ty.is_array() => {
                // `a, b, c = arr`: the array's items (numbers, or rows of a 2-D array); its
                // length is checked when the function runs.
                let element = self.element_of(ty, target)?;
                for t in targets {
                    self.assign(t, &element)?;
                }
                self.record(target.id, ty.clone());
            }
            ExprKind::Tuple(targets) => {
                let items = match ty {
                    Type::Tuple(items) if items.len() == targets.len() => items,
                    _ => {
                        let message = format!("cannot unpack {ty} into {} targets", targets.len());
                        let hint = ty
                            .is_array()
                            .then_some("unpacking arrays is not supported; index the elements");
                        let d = Diagnostic::typing(message, target.span);
                        return Err(super::with_optional_hint(d, hint).into());
                    }
                };
                for (t, item) in targets.iter().zip(items) {
                    self.assign(t, item)?;
                }
                self.record(target.id, ty.clone());
            }
            ExprKind::Subscript { value, index } => {
                if self.instance_setitem(target, value, index, ty)? {
                    return Ok(());
                }
                if let dict @ Type::Dict { .. } = self.value(value)? {
                    self.dict_store(value, &dict, index)?;
                    self.dict_store_value(value, ty, target)?;
                    if let Type::Dict { value: v, .. } = self.value(value)? {
                        self.record(target.id, *v);
                    }
                    return Ok(());
                }
                let slot = self.store_slot(value, index)?;
                check_store(&slot, ty, target.span)?;
                self.record(target.id, slot);
            }
            ExprKind::Attribute { value, attr } => {
                self.assign_attribute(target, value, attr, ty)?
            }
            _ => {
                let message = "cannot assign to this expression";
                return Err(Diagnostic::unsupported(message, target.span).into());
            }
        }
        Ok(())
    }

    /// The element (or view) type that `base[index] = ...` stores into.
    fn store_slot(&mut self, base: &Expr, index: &Expr) -> R<Type> {
        let base_ty = self.value(base)?;
        if base_ty.is_array() {
            super::check_writeable(&base_ty, base.span, "item assignment")?;
            return self.array_index(&base_ty, index);
        }
        if let Type::Dict { .. } = base_ty {
            return self.dict_index(&base_ty, index);
        }
        if let Type::CPointer(_) = base_ty {
            return self.pointer_index(&base_ty, base, index);
        }
        if let Type::List { .. } = base_ty {
            if matches!(index.kind, ExprKind::Slice { .. }) {
                let message = "assigning to a slice of a list is not supported";
                return Err(Diagnostic::unsupported(message, index.span).into());
            }
            return self.list_index(&base_ty, index);
        }
        let message = format!("'{base_ty}' object does not support item assignment");
        Err(Diagnostic::typing(message, base.span).into())
    }

    fn aug_assign(&mut self, stmt: &Stmt, target: &Expr, op: BinOp, value: &Expr) -> R<()> {
        match &target.kind {
            ExprKind::Name(name) => {
                let current = self.value(target)?;
                let value_ty = self.value(value)?;
                let result = binop_type(op, &current, &value_ty, stmt.span)?;
                if current.is_array() {
                    // In place (NumPy's `a += b`): the array keeps its type, the result is
                    // converted to its dtype (`float32_array += float64_array`).
                    super::check_writeable(&current, target.span, "in-place operation")?;
                    check_store(&current, &result, target.span)?;
                    self.record(target.id, current);
                } else {
                    let unified = self.assign_var(name, &result, target.span)?;
                    self.record(target.id, unified);
                }
            }
            ExprKind::Subscript { value: base, index } => {
                let slot = self.store_slot(base, index)?;
                let value_ty = self.value(value)?;
                let result = binop_type(op, &slot, &value_ty, stmt.span)?;
                check_store(&slot, &result, target.span)?;
                self.record(target.id, slot);
            }
            ExprKind::Attribute { value: base, attr } => {
                // `obj.field += v`: read, operate, store back (fields only).
                let current = self.value(target)?;
                let value_ty = self.value(value)?;
                let result = binop_type(op, &current, &value_ty, stmt.span)?;
                if current.is_array() {
                    super::check_writeable(&current, target.span, "in-place operation")?;
                    check_store(&current, &result, target.span)?;
                    self.record(target.id, current);
                } else {
                    self.assign_attribute(target, base, attr, &result)?;
                    if !matches!(
                        self.resolutions.get(&target.id),
                        Some(Resolution::Field { .. })
                    ) {
                        let message = "augmented assignment to a property is not supported";
                        return Err(Diagnostic::unsupported(message, target.span).into());
                    }
                }
            }
            _ => {
                let message = "cannot assign to this expression";
                return Err(Diagnostic::unsupported(message, target.span).into());
            }
        }
        Ok(())
    }

    /// The type of the loop variable of `for ... in iter`: an element of a range, array or
    /// tuple, or a tuple for `enumerate(...)` and `zip(...)`.
    pub(super) fn iter_element(&mut self, iter: &Expr) -> R<Type> {
        if let ExprKind::Call {
            func,
            args,
            keywords,
        } = &iter.kind
            && keywords.is_empty()
            && let Ok(Val::Callable(Callable::Intrinsic(
                intrinsic @ (Intrinsic::Enumerate | Intrinsic::Zip),
            ))) = self.expr(func)
        {
            self.resolve(func.id, Resolution::Callee);
            return self.enumerate_or_zip(iter, intrinsic, args);
        }
        let ty = self.value(iter)?;
        self.element_of(&ty, iter)
    }

    fn enumerate_or_zip(&mut self, call: &Expr, intrinsic: Intrinsic, args: &[Expr]) -> R<Type> {
        let name = intrinsic.name();
        let element = match (intrinsic, args) {
            (Intrinsic::Enumerate, [iterable]) => {
                Type::Tuple(vec![Type::I64, self.iter_element(iterable)?])
            }
            (Intrinsic::Enumerate, [iterable, start]) => {
                let element = self.iter_element(iterable)?;
                let start_ty = self.value(start)?;
                if !start_ty
                    .as_scalar()
                    .is_some_and(|s| s.is_int() || s.is_bool())
                {
                    let message = format!("enumerate() start must be an integer, got {start_ty}");
                    return Err(Diagnostic::typing(message, start.span).into());
                }
                Type::Tuple(vec![Type::I64, element])
            }
            (Intrinsic::Zip, [_, ..]) => Type::Tuple(
                args.iter()
                    .map(|a| self.iter_element(a))
                    .collect::<R<_>>()?,
            ),
            _ => {
                let expected = if intrinsic == Intrinsic::Zip {
                    "at least 1 argument"
                } else {
                    "1 or 2 arguments"
                };
                let message = format!("{name}() takes {expected} ({} given)", args.len());
                return Err(Diagnostic::typing(message, call.span).into());
            }
        };
        self.resolve(call.id, Resolution::Intrinsic(intrinsic));
        Ok(element)
    }

    /// The type of the elements of an iterable of type `ty` (the expression `iter`).
    pub(super) fn element_of(&mut self, ty: &Type, iter: &Expr) -> R<Type> {
        match ty {
            Type::Range => Ok(Type::I64),
            Type::List { item, .. } if **item == Type::Unknown => {
                let message = "the item type of this empty list is not known yet";
                Err(super::Stop::Pending(Diagnostic::typing(message, iter.span)))
            }
            Type::List { item, .. } => Ok((**item).clone()),
            Type::Str => Ok(Type::Str),
            Type::Dict { key, .. } | Type::Set { item: key } if **key == Type::Unknown => {
                let message = "the key type of this empty dict or set is not known yet";
                Err(super::Stop::Pending(Diagnostic::typing(message, iter.span)))
            }
            Type::Dict { key, .. } | Type::Set { item: key } => Ok((**key).clone()),
            Type::Array { dtype, ndim: 1, .. } => Ok(Type::Scalar(*dtype)),
            Type::Array {
                dtype,
                ndim,
                layout,
                readonly,
            } => {
                let row_layout = if *layout == Layout::C {
                    Layout::C
                } else {
                    Layout::A
                };
                Ok(Type::array(*dtype, ndim - 1, row_layout).with_readonly(*readonly))
            }
            // The body never runs: its variable gets some type so that it can be typed.
            Type::Tuple(items) if items.is_empty() => Ok(Type::I64),
            // A tuple of different number types is iterated as its unified type (`(1, 2.5)`
            // gives floats).
            Type::Tuple(items) => match items
                .iter()
                .skip(1)
                .try_fold(items.first().cloned(), |acc, t| {
                    acc.and_then(|a| rules::unify(&a, t)).map(Some)
                }) {
                Some(Some(element)) => Ok(element),
                _ => {
                    let message = format!("iterating over the tuple {ty} is not supported");
                    let hint =
                        "the elements of an iterated tuple must have one type, or be numbers";
                    Err(Diagnostic::unsupported(message, iter.span)
                        .with_hint(hint)
                        .into())
                }
            },
            _ => {
                let message = format!("'{ty}' object is not iterable");
                Err(Diagnostic::typing(message, iter.span).into())
            }
        }
    }

    /// The class (or tuple of classes) of an `except` clause.
    fn except_classes(&mut self, class: &Expr) -> R<()> {
        if let ExprKind::Tuple(items) = &class.kind {
            return items.iter().try_for_each(|item| self.except_classes(item));
        }
        match self.expr(class)? {
            Val::ExceptionClass(name) => {
                self.resolve(class.id, Resolution::ExceptionClass(name));
                Ok(())
            }
            other => {
                let message = format!(
                    "an except clause takes exception classes, got {}",
                    super::expr::describe(&other)
                );
                Err(Diagnostic::typing(message, class.span).into())
            }
        }
    }

    /// `raise Class` or `raise Class("message")`.
    fn raise(&mut self, exc: &Expr) -> R<()> {
        let (class_expr, args) = match &exc.kind {
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                if let Some(keyword) = keywords.first() {
                    let message = "keyword arguments to exceptions are not supported";
                    return Err(Diagnostic::unsupported(message, keyword.span).into());
                }
                (&**func, args.as_slice())
            }
            _ => (exc, &[][..]),
        };
        let class = match self.expr(class_expr)? {
            Val::ExceptionClass(class) => class,
            other => {
                let message = format!(
                    "exceptions must be exception classes, got {}",
                    super::expr::describe(&other)
                );
                return Err(Diagnostic::typing(message, class_expr.span).into());
            }
        };
        self.resolve(class_expr.id, Resolution::ExceptionClass(class));
        match args {
            [] => Ok(()),
            [msg] => self.message(msg, "exception"),
            [_, extra, ..] => {
                let message = "exceptions take at most one argument, a string literal";
                Err(Diagnostic::unsupported(message, extra.span).into())
            }
        }
    }

    /// The message of an exception or assert: a string literal.
    fn message(&mut self, msg: &Expr, what: &str) -> R<()> {
        if let ExprKind::FString(_) = msg.kind {
            self.value(msg)?;
            return Ok(());
        }
        if !matches!(msg.kind, ExprKind::Str(_)) {
            let message = format!("{what} messages must be string literals");
            return Err(Diagnostic::unsupported(message, msg.span).into());
        }
        self.record(msg.id, Type::Str);
        Ok(())
    }
}

/// Whether a statement of `body` reads variable `name`.
fn reads_name(body: &[Stmt], name: &str) -> bool {
    let mut found = false;
    frontend::ast::walk_exprs(body, &mut |e| {
        found |= matches!(&e.kind, ExprKind::Name(n) if n == name);
    });
    found
}

/// Checks that a value of type `ty` may be stored into `slot` (an element type, or a view that
/// receives a scalar or an array of at most its rank, broadcast as in NumPy).
fn check_store(slot: &Type, ty: &Type, span: Span) -> Result<(), Diagnostic> {
    let ok = match (slot, ty) {
        (Type::Scalar(_), _) => rules::can_convert(ty, slot),
        // A list item of a tuple (or other container) type receiving a value of that type.
        (Type::Tuple(_) | Type::List { .. } | Type::Str, _) if slot == ty => true,
        (Type::Array { dtype, .. }, Type::Scalar(_)) => {
            rules::can_convert(ty, &Type::Scalar(*dtype))
        }
        // `out[0:2] = (x, y)`: numbers into a 1-D view (its length is checked at run time).
        (Type::Array { dtype, ndim: 1, .. }, Type::Tuple(items)) => items
            .iter()
            .all(|t| t.as_scalar().is_some() && rules::can_convert(t, &Type::Scalar(*dtype))),
        (
            Type::Array {
                dtype: d1,
                ndim: n1,
                ..
            },
            Type::Array {
                dtype: d2,
                ndim: n2,
                ..
            },
        ) => n2 <= n1 && rules::can_convert(&Type::Scalar(*d2), &Type::Scalar(*d1)),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let what = if slot.is_array() {
        "a view of type"
    } else {
        "an element of type"
    };
    let message = format!("cannot store {ty} into {what} {slot}");
    let hint = ty
        .as_scalar()
        .is_some_and(|s| s.is_complex())
        .then_some("take the real part explicitly with `.real`");
    Err(super::with_optional_hint(
        Diagnostic::typing(message, span),
        hint,
    ))
}
