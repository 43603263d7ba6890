//! String methods (`s.split()`, `s.strip()`, `s.find(t)`, ...) and the conversions between
//! strings and numbers (`int(s)`, `float(s)`, `ord(c)`, `chr(n)`): calls of
//! `RuntimeFn::StrMethodInt` / `StrMethodPtr` with the operation's code
//! (`runtime::str_methods::StrOp`), and the checks Python makes (`index` raising `ValueError`,
//! `int("x")` raising `ValueError`).

use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::Expr;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use runtime::str_methods::StrOp;
use typeinfer::{Scalar, Type};

impl Lowerer<'_, '_> {
    /// `value.method(args)` of a string `value`.
    pub(crate) fn lower_str_method(
        &mut self,
        expr: &Expr,
        value: &Expr,
        method: &str,
        args: &[Expr],
    ) -> LResult<PyValue> {
        if method == "format" {
            return self.lower_str_format(expr, value, args);
        }
        let receiver = self.lower_expr(value)?;
        let s = self.text_of(&receiver, value.span)?;
        let mut strings = Vec::new();
        let mut number = None;
        for arg in args {
            let v = self.lower_expr(arg)?;
            match self.type_of(arg)? {
                Type::Str => strings.push(self.text_of(&v, arg.span)?),
                Type::List { .. } => match v {
                    PyValue::List(list, _) => strings.push(list),
                    _ => return Err(unsupported("expected a list of str", arg.span)),
                },
                _ => {
                    let v = self.coerce(v, &Type::I64);
                    number = v.flat_values().first().copied();
                }
            }
        }
        use StrOp::*;
        let op = match method {
            "startswith" => StartsWith,
            "endswith" => EndsWith,
            "find" | "index" => Find,
            "rfind" | "rindex" => Rfind,
            "count" => Count,
            "isdigit" => IsDigit,
            "isalpha" => IsAlpha,
            "isspace" => IsSpace,
            "isalnum" => IsAlnum,
            "isupper" => IsUpper,
            "islower" => IsLower,
            "strip" => Strip,
            "lstrip" => Lstrip,
            "rstrip" => Rstrip,
            "lower" => Lower,
            "upper" => Upper,
            "capitalize" => Capitalize,
            "title" => Title,
            "replace" => Replace,
            "zfill" => Zfill,
            "split" => Split,
            "join" => Join,
            _ => {
                let message = format!("unsupported string method '{method}'");
                return Err(unsupported(message, expr.span));
            }
        };
        let (a, b) = (strings.first().copied(), strings.get(1).copied());
        let result = self.str_op(op, s, a, b, number);
        Ok(match op {
            StartsWith | EndsWith | IsDigit | IsAlpha | IsSpace | IsAlnum | IsUpper | IsLower => {
                let zero = self.b.iconst(Ty::I64, 0);
                PyValue::Scalar(self.b.icmp(IntCC::Ne, result, zero), Scalar::Bool)
            }
            Find | Rfind | Count => {
                if matches!(method, "index" | "rindex") {
                    let zero = self.b.iconst(Ty::I64, 0);
                    let missing = self.b.icmp(IntCC::Slt, result, zero);
                    let message = "substring not found";
                    self.raise_if(missing, ExceptionKind::ValueError, message, expr.span, &[]);
                }
                PyValue::Scalar(result, Scalar::I64)
            }
            Split => PyValue::List(
                self.check_text_allocated(result, expr.span),
                Type::list(Type::Str),
            ),
            _ => PyValue::Text(self.check_text_allocated(result, expr.span)),
        })
    }

    /// `"...".format(args)`: the f-string its template stands for.
    fn lower_str_format(
        &mut self,
        expr: &Expr,
        template: &Expr,
        args: &[Expr],
    ) -> LResult<PyValue> {
        let frontend::ast::ExprKind::Str(text) = &template.kind else {
            return Err(unsupported("str.format() of a non-literal", expr.span));
        };
        let Some(pieces) = typeinfer::format_pieces(text, args.len()) else {
            return Err(unsupported(
                "this format string is not supported",
                expr.span,
            ));
        };
        let parts: Vec<frontend::ast::FStringPart> = pieces
            .into_iter()
            .map(|piece| match piece {
                Ok(text) => frontend::ast::FStringPart::Text(text),
                Err(index) => frontend::ast::FStringPart::Value {
                    value: args[index].clone(),
                    spec: None,
                },
            })
            .collect();
        self.lower_fstring(expr, &parts)
    }

    /// Calls the runtime for `op`: a number (`StrMethodInt`) or a pointer (`StrMethodPtr`).
    fn str_op(
        &mut self,
        op: StrOp,
        s: Value,
        a: Option<Value>,
        b: Option<Value>,
        n: Option<Value>,
    ) -> Value {
        let null = self.b.iconst(Ty::Ptr, 0);
        let code = self.b.iconst(Ty::I64, op as i64);
        let n = n.unwrap_or_else(|| self.b.iconst(Ty::I64, 0));
        let ptr_result = matches!(
            op,
            StrOp::Strip
                | StrOp::Lstrip
                | StrOp::Rstrip
                | StrOp::Lower
                | StrOp::Upper
                | StrOp::Capitalize
                | StrOp::Title
                | StrOp::Replace
                | StrOp::Zfill
                | StrOp::Split
                | StrOp::Join
                | StrOp::Chr
        );
        let parses = matches!(op, StrOp::ParseInt | StrOp::ParseFloat);
        let failed = match parses {
            true => self.b.ins(Op::StackSlot(8), &[], Ty::Ptr),
            false => null,
        };
        let args = [code, s, a.unwrap_or(null), b.unwrap_or(null), n, failed];
        let f = match ptr_result {
            true => RuntimeFn::StrMethodPtr,
            false => RuntimeFn::StrMethodInt,
        };
        self.b.call_runtime(f, &args)
    }

    /// `MemoryError` if the runtime could not allocate the string or list at `p`.
    fn check_text_allocated(&mut self, p: Value, span: Span) -> Value {
        let null = self.b.iconst(Ty::Ptr, 0);
        let failed = self.b.icmp(IntCC::Eq, p, null);
        self.raise_if(
            failed,
            ExceptionKind::MemoryError,
            "cannot allocate the string",
            span,
            &[],
        );
        p
    }

    /// `int(s)` / `float(s)` of a string: `ValueError` when it is not a number, as in Python.
    pub(crate) fn parse_str(
        &mut self,
        value: &PyValue,
        to: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        let s = self.text_of(value, span)?;
        let float = to.is_float();
        let op = if float {
            StrOp::ParseFloat
        } else {
            StrOp::ParseInt
        };
        let null = self.b.iconst(Ty::Ptr, 0);
        let code = self.b.iconst(Ty::I64, op as i64);
        let zero = self.b.iconst(Ty::I64, 0);
        let failed_at = self.b.ins(Op::StackSlot(8), &[], Ty::Ptr);
        let bits = self.b.call_runtime(
            RuntimeFn::StrMethodInt,
            &[code, s, null, null, zero, failed_at],
        );
        let failed = self.b.load(Ty::I64, failed_at, 0, false);
        let failed = self.b.icmp(IntCC::Ne, failed, zero);
        let message = match float {
            true => "could not convert string to float",
            false => "invalid literal for int() with base 10",
        };
        self.raise_if(failed, ExceptionKind::ValueError, message, span, &[]);
        let parsed = match float {
            true => PyValue::Scalar(self.b.convert(Op::Bitcast, bits, Ty::F64), Scalar::F64),
            false => PyValue::Scalar(bits, Scalar::I64),
        };
        Ok(self.coerce(parsed, &Type::Scalar(to)))
    }

    /// `ord(c)` of a one-character string (`TypeError` otherwise).
    pub(crate) fn lower_ord(&mut self, value: &PyValue, span: Span) -> LResult<PyValue> {
        let s = self.text_of(value, span)?;
        let point = self.str_op(StrOp::Ord, s, None, None, None);
        let zero = self.b.iconst(Ty::I64, 0);
        let bad = self.b.icmp(IntCC::Slt, point, zero);
        let message = "ord() expected a character";
        self.raise_if(bad, ExceptionKind::TypeError, message, span, &[]);
        Ok(PyValue::Scalar(point, Scalar::I64))
    }

    /// `chr(n)` (`ValueError` outside `range(0x110000)`).
    pub(crate) fn lower_chr(&mut self, value: PyValue, span: Span) -> LResult<PyValue> {
        let n = self.coerce(value, &Type::I64).flat_values()[0];
        let limit = self.b.iconst(Ty::I64, 0x11_0000);
        let bad = self.b.icmp(IntCC::Uge, n, limit);
        self.raise_if(
            bad,
            ExceptionKind::ValueError,
            "chr() arg not in range(0x110000)",
            span,
            &[],
        );
        let null = self.b.iconst(Ty::Ptr, 0);
        let text = self.str_op(StrOp::Chr, null, None, None, Some(n));
        Ok(PyValue::Text(self.check_text_allocated(text, span)))
    }
}
