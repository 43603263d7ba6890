//! Exception messages: a string literal, or an f-string whose numbers travel as the raise's
//! arguments (`raise ValueError(f"bad {n}")` → template `bad {}` with `n`). The placeholders
//! are those `runtime::error::ErrorInfo::format` fills: `{}` an integer, `{b}` a bool, `{f}` a
//! float (its bits), `{.Nf}` a float with N decimals. Also the name of a user-defined exception
//! class, carried at the front of the message (see `runtime::error::USER_CLASS_MARK`).

use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{Op, Ty, Value};
use frontend::Span;
use frontend::ast::{Expr, ExprKind, FStringPart};
use runtime::error::{ERROR_ARGS, ExceptionKind};
use typeinfer::Scalar;

impl Lowerer<'_, '_> {
    /// The message template of `msg` (a string literal or an f-string) and its arguments.
    pub(crate) fn message_template(&mut self, msg: &Expr) -> LResult<(String, Vec<Value>)> {
        let parts = match &msg.kind {
            ExprKind::Str(s) => return Ok((s.clone(), Vec::new())),
            ExprKind::FString(parts) => parts,
            _ => {
                return Err(unsupported(
                    "messages must be string literals or f-strings",
                    msg.span,
                ));
            }
        };
        let mut template = String::new();
        let mut args = Vec::new();
        for part in parts {
            let (value, spec) = match part {
                FStringPart::Text(text) => {
                    template.push_str(text);
                    continue;
                }
                FStringPart::Value { value, spec } => (value, spec.as_deref()),
            };
            if args.len() == ERROR_ARGS {
                let message = format!("an f-string message may format at most {ERROR_ARGS} values");
                return Err(unsupported(message, value.span));
            }
            let PyValue::Scalar(v, s) = self.lower_expr(value)? else {
                return Err(unsupported(
                    "f-strings format numbers and bools",
                    value.span,
                ));
            };
            let (placeholder, arg) = if s.is_bool() && spec.is_none() {
                ("{b}".to_string(), self.cast_real(v, s, Scalar::I64))
            } else if s.is_float() {
                let wide = self.cast_real(v, s, Scalar::F64);
                let bits = self.b.convert(Op::Bitcast, wide, Ty::I64);
                let placeholder = match spec.and_then(typeinfer::rules::fixed_precision) {
                    Some(digits) => format!("{{.{digits}f}}"),
                    None => "{f}".to_string(),
                };
                (placeholder, bits)
            } else {
                ("{}".to_string(), self.cast_real(v, s, Scalar::I64))
            };
            template.push_str(&placeholder);
            args.push(arg);
        }
        Ok((template, args))
    }

    /// The exception kind raised for class `class_name` as typeinfer resolved it, and the mark
    /// to put before the message for a user-defined class (`module:qualname(Base)`).
    pub(crate) fn exception_kind(
        &self,
        class_name: &str,
        span: Span,
    ) -> LResult<(ExceptionKind, String)> {
        if let Some(kind) = ExceptionKind::from_name(class_name) {
            return Ok((kind, String::new()));
        }
        let user = class_name
            .strip_suffix(')')
            .and_then(|rest| rest.split_once('('))
            .and_then(|(path, base)| Some((path, ExceptionKind::from_name(base)?)));
        match user {
            Some((path, kind)) => Ok((kind, runtime::error::user_class_mark(path))),
            None => Err(unsupported(
                format!("raising {class_name} is not supported"),
                span,
            )),
        }
    }
}
