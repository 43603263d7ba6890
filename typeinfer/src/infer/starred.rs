//! `*t` call arguments (`f(x, *args)`): once the tuple `t`'s type is known, the argument stands
//! for its items `t[0]`, ..., `t[n-1]`, as in Python. The expansion is made of new expressions
//! (ids past the function's own) recorded as [`Resolution::Spread`] on the starred argument,
//! so every kind of call (jitted, first-class function, builtin, NumPy) and the lowering see
//! plain positional arguments.

use super::{Infer, R};
use crate::{Resolution, Type};
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprId, ExprKind};
use std::borrow::Cow;

impl Infer<'_> {
    /// `args` with every starred argument replaced by its tuple's items.
    pub(super) fn spread_args<'e>(&mut self, args: &'e [Expr]) -> R<Cow<'e, [Expr]>> {
        if !args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_))) {
            return Ok(Cow::Borrowed(args));
        }
        let mut out = Vec::with_capacity(args.len());
        for arg in args {
            let ExprKind::Starred(value) = &arg.kind else {
                out.push(arg.clone());
                continue;
            };
            let Type::Tuple(items) = self.value(value)? else {
                let ty = self.value(value)?;
                let message = format!("`*` unpacking in a call needs a tuple, not {ty}");
                return Err(Diagnostic::unsupported(message, arg.span)
                    .with_hint("convert it to a tuple first, or pass it without `*`")
                    .into());
            };
            let items = match self.resolutions.get(&arg.id) {
                Some(Resolution::Spread(cached)) if cached.len() == items.len() => cached.clone(),
                _ => {
                    let spread: Vec<Expr> = (0..items.len())
                        .map(|i| self.tuple_item(value, i, arg))
                        .collect();
                    self.resolve(arg.id, Resolution::Spread(spread.clone()));
                    spread
                }
            };
            out.extend(items);
        }
        Ok(Cow::Owned(out))
    }

    /// The new expression `value[i]` at the span of the starred argument `arg`.
    fn tuple_item(&mut self, value: &Expr, i: usize, arg: &Expr) -> Expr {
        let index = Expr {
            id: self.fresh_expr_id(),
            kind: ExprKind::Int(i as i128),
            span: arg.span,
        };
        Expr {
            id: self.fresh_expr_id(),
            kind: ExprKind::Subscript {
                value: Box::new(value.clone()),
                index: Box::new(index),
            },
            span: arg.span,
        }
    }

    fn fresh_expr_id(&mut self) -> ExprId {
        let id = ExprId(self.next_expr_id);
        self.next_expr_id += 1;
        id
    }
}
