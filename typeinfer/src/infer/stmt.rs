//! Typing of statements: assignments and their targets, loops, conditions, returns, raises.

use super::expr::binop_type;
use super::{Infer, R, Return, Val};
use crate::Resolution;
use crate::rules;
use crate::types::{Layout, Type};
use frontend::ast::{BinOp, Expr, ExprKind, Stmt, StmtKind};
use frontend::{Diagnostic, Span};

impl Infer<'_> {
    pub(super) fn stmt(&mut self, stmt: &Stmt) -> R<()> {
        match &stmt.kind {
            StmtKind::Assign { targets, value } => {
                let ty = self.value(value)?;
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
            StmtKind::Return(value) => {
                let (ty, span) = match value {
                    Some(v) => (self.value(v)?, v.span),
                    None => (Type::NoneType, stmt.span),
                };
                if matches!(ty, Type::Range | Type::Str) {
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
            StmtKind::Raise(None) => {
                let message = "a bare `raise` (re-raising) is not supported";
                return Err(Diagnostic::unsupported(message, stmt.span).into());
            }
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
                let slot = self.store_slot(value, index)?;
                check_store(&slot, ty, target.span)?;
                self.record(target.id, slot);
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
            return self.array_index(&base_ty, index);
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
                let unified = self.assign_var(name, &result, target.span)?;
                self.record(target.id, unified);
            }
            ExprKind::Subscript { value: base, index } => {
                let slot = self.store_slot(base, index)?;
                let value_ty = self.value(value)?;
                let result = binop_type(op, &slot, &value_ty, stmt.span)?;
                check_store(&slot, &result, target.span)?;
                self.record(target.id, slot);
            }
            _ => {
                let message = "cannot assign to this expression";
                return Err(Diagnostic::unsupported(message, target.span).into());
            }
        }
        Ok(())
    }

    /// The type of the loop variable of `for ... in iter`.
    fn iter_element(&mut self, iter: &Expr) -> R<Type> {
        let ty = self.value(iter)?;
        match &ty {
            Type::Range => Ok(Type::I64),
            Type::Array { dtype, ndim: 1, .. } => Ok(Type::Scalar(*dtype)),
            Type::Array {
                dtype,
                ndim,
                layout,
            } => {
                let row_layout = if *layout == Layout::C {
                    Layout::C
                } else {
                    Layout::A
                };
                Ok(Type::array(*dtype, ndim - 1, row_layout))
            }
            Type::Tuple(items) => match items.first() {
                Some(first) if items.iter().all(|i| i == first) => Ok(first.clone()),
                _ => {
                    let message = format!("iterating over the tuple {ty} is not supported");
                    let hint = "only tuples whose elements all have one type can be iterated";
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
        if !matches!(msg.kind, ExprKind::Str(_)) {
            let message = format!("{what} messages must be string literals");
            return Err(Diagnostic::unsupported(message, msg.span).into());
        }
        self.record(msg.id, Type::Str);
        Ok(())
    }
}

/// Checks that a value of type `ty` may be stored into `slot` (an element type, or a view that
/// receives a scalar or an array of the same rank).
fn check_store(slot: &Type, ty: &Type, span: Span) -> Result<(), Diagnostic> {
    let ok = match (slot, ty) {
        (Type::Scalar(_), _) => rules::can_convert(ty, slot),
        (Type::Array { dtype, .. }, Type::Scalar(_)) => {
            rules::can_convert(ty, &Type::Scalar(*dtype))
        }
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
        ) => n1 == n2 && rules::can_convert(&Type::Scalar(*d2), &Type::Scalar(*d1)),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let message = format!("cannot store {ty} into an element of type {slot}");
    let hint = ty
        .as_scalar()
        .is_some_and(|s| s.is_complex())
        .then_some("take the real part explicitly with `.real`");
    Err(super::with_optional_hint(
        Diagnostic::typing(message, span),
        hint,
    ))
}
