//! Strings: a run-time `str` is one pointer to a `runtime::text` string (a list of code
//! points, so `len` and slicing are the list's). A literal stays a compile-time
//! [`PyValue::Str`] until it is used as a value (stored, passed, returned, compared with a
//! run-time string): then it becomes an interned run-time string ([`RuntimeFn::StrIntern`],
//! which allocates nothing after the first time). Comparisons of two literals (`a.dtype.kind
//! == "f"`) fold at compile time.

use super::library::Seq;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{CmpOp, Expr, ExprKind, FStringPart};
use runtime::error::ExceptionKind;
use runtime::list::LIST_LEN_OFFSET;
use runtime::math::RuntimeFn;
use typeinfer::{Scalar, Type};

impl Lowerer<'_, '_> {
    /// The run-time string for a literal.
    fn intern_literal(&mut self, text: &str) -> Value {
        let bytes = text.as_bytes();
        let words = bytes.len().div_ceil(8).max(1);
        let slot = self.b.ins(Op::StackSlot(8 * words as u32), &[], Ty::Ptr);
        for (k, chunk) in bytes.chunks(8).enumerate() {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            let v = self.b.iconst(Ty::I64, i64::from_le_bytes(word));
            self.b.store(slot, v, 8 * k as i32);
        }
        let n = self.b.iconst(Ty::I64, bytes.len() as i64);
        self.b.call_runtime(RuntimeFn::StrIntern, &[slot, n])
    }

    fn check_str(&mut self, s: Value, span: Span) {
        let zero = self.b.iconst(Ty::I64, 0);
        let failed = self.b.icmp(IntCC::Eq, s, zero);
        self.raise_if(
            failed,
            ExceptionKind::MemoryError,
            "cannot allocate the string",
            span,
            &[],
        );
    }

    /// `str(value)` as a run-time string: strings as they are, numbers formatted as CPython's
    /// `str` (NumPy's for `float32`).
    pub(crate) fn text_of(&mut self, value: &PyValue, span: Span) -> LResult<Value> {
        Ok(match value {
            PyValue::Text(s) => *s,
            PyValue::Str(text) => self.intern_literal(text),
            PyValue::Scalar(v, Scalar::Bool) => {
                let yes = self.intern_literal("True");
                let no = self.intern_literal("False");
                self.b.select(*v, yes, no)
            }
            PyValue::Scalar(v, s) if s.is_float() => {
                let x = self.cast_real(*v, *s, Scalar::F64);
                let is_f32 = self.b.iconst(Ty::I64, i64::from(*s == Scalar::F32));
                let out = self.b.call_runtime(RuntimeFn::StrFromFloat, &[x, is_f32]);
                self.check_str(out, span);
                out
            }
            PyValue::Scalar(v, s) => {
                let unsigned = s.is_unsigned_int();
                let wide = if unsigned { Scalar::U64 } else { Scalar::I64 };
                let x = self.cast_real(*v, *s, wide);
                let flag = self.b.iconst(Ty::I64, i64::from(unsigned));
                let out = self.b.call_runtime(RuntimeFn::StrFromInt, &[x, flag]);
                self.check_str(out, span);
                out
            }
            _ => return Err(unsupported("str() of this value is not supported", span)),
        })
    }

    /// `f"..."` as a value: the pieces' `str`, joined (format specs are only supported in
    /// exception messages, `messages.rs`).
    pub(crate) fn lower_fstring(&mut self, expr: &Expr, parts: &[FStringPart]) -> LResult<PyValue> {
        let mut values = Vec::with_capacity(parts.len());
        for part in parts {
            values.push(match part {
                FStringPart::Text(text) => PyValue::Str(text.clone()),
                FStringPart::Value { value, spec: None } => self.lower_expr(value)?,
                FStringPart::Value {
                    value,
                    spec: Some(s),
                } if s.is_empty() => self.lower_expr(value)?,
                FStringPart::Value { value, .. } => {
                    return Err(unsupported(
                        "format specifications in f-strings are only supported in exception \
                         messages",
                        value.span,
                    ));
                }
            });
        }
        self.set_span(expr.span);
        // Adjacent literals (and a string made only of literals) stay compile-time text.
        let mut pieces: Vec<PyValue> = Vec::new();
        for v in values {
            match (pieces.last_mut(), &v) {
                (Some(PyValue::Str(acc)), PyValue::Str(next)) => acc.push_str(next),
                _ => pieces.push(v),
            }
        }
        match pieces.as_slice() {
            [] => return Ok(PyValue::Str(String::new())),
            [PyValue::Str(text)] => return Ok(PyValue::Str(text.clone())),
            _ => {}
        }
        let mut acc = self.text_of(&pieces[0], expr.span)?;
        for piece in &pieces[1..] {
            let next = self.text_of(piece, expr.span)?;
            acc = self.b.call_runtime(RuntimeFn::StrConcat, &[acc, next]);
            self.check_str(acc, expr.span);
        }
        Ok(PyValue::Text(acc))
    }

    /// `str()` / `str(x)`.
    pub(crate) fn lower_str_call(&mut self, expr: &Expr, args: &[Expr]) -> LResult<PyValue> {
        match args {
            [] => Ok(PyValue::Str(String::new())),
            [x] => {
                let v = self.lower_expr(x)?;
                if let PyValue::Str(_) = v {
                    return Ok(v);
                }
                Ok(PyValue::Text(self.text_of(&v, expr.span)?))
            }
            _ => Err(unsupported("str() takes at most one argument", expr.span)),
        }
    }

    /// The length of a string value.
    pub(crate) fn str_len(&mut self, value: &PyValue) -> Value {
        match value {
            PyValue::Str(text) => self.b.iconst(Ty::I64, text.chars().count() as i64),
            PyValue::Text(s) => self.b.load(Ty::I64, *s, LIST_LEN_OFFSET, false),
            _ => self.b.iconst(Ty::I64, 0),
        }
    }

    /// `s[i]` / `s[a:b:c]`.
    pub(crate) fn lower_str_subscript(
        &mut self,
        value: &PyValue,
        index: &Expr,
        span: Span,
    ) -> LResult<PyValue> {
        let s = self.text_of(value, span)?;
        if let ExprKind::Slice { .. } = index.kind {
            let as_list = Type::list(Type::Scalar(Scalar::U32));
            let PyValue::List(out, _) = self.lower_list_subscript(s, &as_list, index, span)? else {
                unreachable!("a slice of a list is a list")
            };
            return Ok(PyValue::Text(out));
        }
        let idx = self.lower_expr(index)?;
        let idx = match idx {
            PyValue::Scalar(v, k) if k.is_int() || k.is_bool() => self.cast_real(v, k, Scalar::I64),
            _ => return Err(unsupported("string indices must be integers", index.span)),
        };
        let len = self.str_len(&PyValue::Text(s));
        let zero = self.b.iconst(Ty::I64, 0);
        let negative = self.b.icmp(IntCC::Slt, idx, zero);
        let wrapped = self.b.binary(Op::Iadd, idx, len);
        let idx = self.b.select(negative, wrapped, idx);
        let out = self.b.icmp(IntCC::Uge, idx, len);
        self.raise_if(
            out,
            ExceptionKind::IndexError,
            "string index out of range",
            span,
            &[],
        );
        Ok(PyValue::Text(
            self.b.call_runtime(RuntimeFn::StrChar, &[s, idx]),
        ))
    }

    /// The [`Seq`] of a string's characters.
    pub(crate) fn str_seq(&mut self, value: &PyValue, span: Span) -> LResult<Seq> {
        let s = self.text_of(value, span)?;
        Ok(Seq::Str { s })
    }

    /// `a op b` for two strings (`==`, `!=`, `<`, ...), folded when both are literals.
    pub(crate) fn compare_strings(
        &mut self,
        op: CmpOp,
        l: &PyValue,
        r: &PyValue,
        span: Span,
    ) -> LResult<Value> {
        if let (PyValue::Str(a), PyValue::Str(b)) = (l, r) {
            let result = match op {
                CmpOp::Eq => a == b,
                CmpOp::NotEq => a != b,
                CmpOp::Lt => a < b,
                CmpOp::LtE => a <= b,
                CmpOp::Gt => a > b,
                CmpOp::GtE => a >= b,
                CmpOp::In => b.contains(a.as_str()),
                CmpOp::NotIn => !b.contains(a.as_str()),
                CmpOp::Is | CmpOp::IsNot => {
                    return Err(unsupported("`is` between strings is not supported", span));
                }
            };
            return Ok(self.b.bconst(result));
        }
        let (a, b) = (self.text_of(l, span)?, self.text_of(r, span)?);
        let zero = self.b.iconst(Ty::I64, 0);
        Ok(match op {
            CmpOp::Eq | CmpOp::NotEq => {
                let eq = self.b.call_runtime(RuntimeFn::StrEq, &[a, b]);
                let cc = if op == CmpOp::Eq {
                    IntCC::Ne
                } else {
                    IntCC::Eq
                };
                self.b.icmp(cc, eq, zero)
            }
            CmpOp::In | CmpOp::NotIn => {
                let found = self.b.call_runtime(RuntimeFn::StrContains, &[b, a]);
                let cc = if op == CmpOp::In {
                    IntCC::Ne
                } else {
                    IntCC::Eq
                };
                self.b.icmp(cc, found, zero)
            }
            CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE => {
                let order = self.b.call_runtime(RuntimeFn::StrCmp, &[a, b]);
                let cc = match op {
                    CmpOp::Lt => IntCC::Slt,
                    CmpOp::LtE => IntCC::Sle,
                    CmpOp::Gt => IntCC::Sgt,
                    _ => IntCC::Sge,
                };
                self.b.icmp(cc, order, zero)
            }
            CmpOp::Is | CmpOp::IsNot => {
                return Err(unsupported("`is` between strings is not supported", span));
            }
        })
    }

    /// `a + b` of two strings.
    pub(crate) fn concat_strings(
        &mut self,
        l: &PyValue,
        r: &PyValue,
        span: Span,
    ) -> LResult<PyValue> {
        if let (PyValue::Str(a), PyValue::Str(b)) = (l, r) {
            return Ok(PyValue::Str(format!("{a}{b}")));
        }
        let (a, b) = (self.text_of(l, span)?, self.text_of(r, span)?);
        let out = self.b.call_runtime(RuntimeFn::StrConcat, &[a, b]);
        self.check_str(out, span);
        Ok(PyValue::Text(out))
    }

    /// The one-character string at `i` of a string being iterated.
    pub(crate) fn str_char(&mut self, s: Value, i: Value) -> PyValue {
        PyValue::Text(self.b.call_runtime(RuntimeFn::StrChar, &[s, i]))
    }

    /// `print` of a run-time string.
    pub(crate) fn print_runtime_str(&mut self, s: Value) {
        self.b.call_runtime(RuntimeFn::PrintStr, &[s]);
    }
}
