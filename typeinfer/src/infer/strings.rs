//! Typing of strings: literals and `str` arguments are values of type `str`; `==`/`!=`/`<`...,
//! `in`, `len`, indexing and slicing, iteration, `+`, `str(x)` of numbers, f-strings, and the
//! compile-time strings of a dtype (`a.dtype.kind`, `a.dtype.name`).

use super::{Infer, R};
use crate::types::{Scalar, Type};
use crate::{ConstValue, Resolution};
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind};

/// Whether `str(x)` / `f"{x}"` of a value of type `ty` is supported.
fn formattable(ty: &Type) -> bool {
    match ty {
        Type::Str => true,
        Type::Scalar(s) => !s.is_complex(),
        _ => false,
    }
}

impl Infer<'_> {
    /// `str()`, `str(x)`.
    pub(super) fn str_call(&mut self, e: &Expr, args: &[Expr]) -> R<Type> {
        match args {
            [] => Ok(Type::Str),
            [x] => {
                let ty = self.value(x)?;
                if !formattable(&ty) {
                    let message = format!("str() of a {ty} is not supported");
                    return Err(Diagnostic::unsupported(message, x.span).into());
                }
                Ok(Type::Str)
            }
            _ => {
                let message = format!("str() takes at most 1 argument ({} given)", args.len());
                Err(Diagnostic::typing(message, e.span).into())
            }
        }
    }

    /// `s.attr(args)`: the string methods compiled code has (`ir::lower::strings`).
    pub(super) fn str_method(&mut self, e: &Expr, attr: &str, args: &[Expr]) -> R<Type> {
        // Per method: the kinds of its arguments (`s` a string, `i` an integer), how many may
        // be left out, and its result.
        let (params, optional, result): (&str, usize, Type) = match attr {
            "startswith" | "endswith" => ("s", 0, Type::BOOL),
            "find" | "rfind" | "count" | "index" | "rindex" => ("s", 0, Type::I64),
            "isdigit" | "isalpha" | "isspace" | "isalnum" | "isupper" | "islower" => {
                ("", 0, Type::BOOL)
            }
            "strip" | "lstrip" | "rstrip" => ("s", 1, Type::Str),
            "lower" | "upper" | "capitalize" | "title" => ("", 0, Type::Str),
            "replace" => ("ss", 0, Type::Str),
            "zfill" => ("i", 0, Type::Str),
            "split" => ("s", 1, Type::list(Type::Str)),
            "join" => ("l", 0, Type::Str),
            "format" => return self.str_format(e, args),
            _ => {
                let message = format!("unknown or unsupported string method '{attr}'");
                let hint = "strings have startswith, endswith, find, rfind, index, count, split, \
                            join, strip, lstrip, rstrip, lower, upper, capitalize, title, \
                            replace, zfill and the is... tests";
                return Err(Diagnostic::unsupported(message, e.span)
                    .with_hint(hint)
                    .into());
            }
        };
        let required = params.len() - optional;
        if args.len() < required || args.len() > params.len() {
            let message = match required == params.len() {
                true => format!(
                    "str.{attr}() takes {} argument(s) ({} given)",
                    params.len(),
                    args.len()
                ),
                false => format!(
                    "str.{attr}() takes {required} to {} argument(s) ({} given)",
                    params.len(),
                    args.len()
                ),
            };
            return Err(Diagnostic::typing(message, e.span).into());
        }
        for (arg, kind) in args.iter().zip(params.chars()) {
            let ty = self.value(arg)?;
            let ok = match kind {
                's' => ty == Type::Str,
                'i' => ty.as_scalar().is_some_and(|s| s.is_int() || s.is_bool()),
                _ => matches!(&ty, Type::List { item, .. } if **item == Type::Str),
            };
            if !ok {
                let wanted = match kind {
                    's' => "a str",
                    'i' => "an integer",
                    _ => "a list of str",
                };
                let message = format!("str.{attr}() takes {wanted}, got {ty}");
                return Err(Diagnostic::typing(message, arg.span).into());
            }
        }
        Ok(result)
    }

    /// `"...".format(args)` of a literal template with `{}` / `{0}` fields (no format specs):
    /// typed like the f-string it becomes (`format_pieces`).
    fn str_format(&mut self, e: &Expr, args: &[Expr]) -> R<Type> {
        let template = match &e.kind {
            ExprKind::Call { func, .. } => match &func.kind {
                ExprKind::Attribute { value, .. } => match &value.kind {
                    ExprKind::Str(text) => Some(text.clone()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        let Some(template) = template else {
            let message = "str.format() is supported on a string literal only";
            return Err(Diagnostic::unsupported(message, e.span)
                .with_hint("use an f-string, or str(x) and +")
                .into());
        };
        if format_pieces(&template, args.len()).is_none() {
            let message = "this format string is not supported: only `{}` and `{N}` fields \
                           (no format specifications), with an argument for each";
            return Err(Diagnostic::unsupported(message, e.span).into());
        }
        for arg in args {
            let ty = self.value(arg)?;
            if !formattable(&ty) {
                let message = format!("formatting a {ty} is not supported");
                return Err(Diagnostic::unsupported(message, arg.span).into());
            }
        }
        Ok(Type::Str)
    }

    /// `ord(c)` (a str) or `chr(n)` (an integer).
    pub(super) fn char_code_call(&mut self, e: &Expr, which: &str, args: &[Expr]) -> R<Type> {
        let [arg] = args else {
            let message = format!(
                "{which}() takes exactly one argument ({} given)",
                args.len()
            );
            return Err(Diagnostic::typing(message, e.span).into());
        };
        let ty = self.value(arg)?;
        match which {
            "ord" if ty == Type::Str => Ok(Type::I64),
            "chr" if ty.as_scalar().is_some_and(|s| s.is_int() || s.is_bool()) => Ok(Type::Str),
            _ => {
                let message = format!("{which}() of a {ty} is not supported");
                Err(Diagnostic::typing(message, arg.span).into())
            }
        }
    }

    /// `s[i]` and `s[a:b:c]`: strings.
    pub(super) fn str_index(&mut self, index: &Expr) -> R<Type> {
        let parts: Vec<&Expr> = match &index.kind {
            ExprKind::Slice { lower, upper, step } => [lower, upper, step]
                .into_iter()
                .flatten()
                .map(|b| &**b)
                .collect(),
            _ => vec![index],
        };
        for part in parts {
            let ty = self.value(part)?;
            if !ty.as_scalar().is_some_and(|s| s.is_int() || s.is_bool()) {
                let message = format!("string indices must be integers, not {ty}");
                return Err(Diagnostic::typing(message, part.span).into());
            }
        }
        Ok(Type::Str)
    }

    /// `dtype.kind`, `dtype.name`, `dtype.char`, `dtype.itemsize` of a known dtype: constants.
    pub(super) fn dtype_attribute(&mut self, e: &Expr, dtype: Scalar, attr: &str) -> R<Type> {
        let value = match attr {
            "kind" => ConstValue::Str(dtype_kind(dtype).to_string()),
            "name" => ConstValue::Str(dtype.numpy_name().to_string()),
            "itemsize" => ConstValue::Int(i64::from(dtype.size_bytes())),
            _ => {
                let message = format!("unknown attribute '{attr}' of dtype {dtype}");
                let hint = "dtypes have kind, name and itemsize";
                return Err(Diagnostic::typing(message, e.span).with_hint(hint).into());
            }
        };
        let ty = value.ty();
        self.resolve(e.id, Resolution::Const(value));
        Ok(ty)
    }
}

/// NumPy's `dtype.kind`.
fn dtype_kind(dtype: Scalar) -> &'static str {
    match dtype {
        Scalar::Bool => "b",
        s if s.is_signed_int() => "i",
        s if s.is_unsigned_int() => "u",
        s if s.is_float() => "f",
        _ => "c",
    }
}

/// The pieces of a `str.format` template with `count` arguments: literal text, or the index of
/// the argument a field takes (`{}` in turn, `{N}` by number; `{{`/`}}` are braces); `None`
/// for what is not supported (format specifications, names, fields without an argument).
pub fn format_pieces(template: &str, count: usize) -> Option<Vec<Result<String, usize>>> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut next = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        c => field.push(c),
                    }
                }
                let index = match field.as_str() {
                    "" => {
                        next += 1;
                        next - 1
                    }
                    digits => digits.parse().ok()?,
                };
                if index >= count {
                    return None;
                }
                pieces.push(Ok(std::mem::take(&mut text)));
                pieces.push(Err(index));
            }
            '}' => return None,
            c => text.push(c),
        }
    }
    pieces.push(Ok(text));
    Some(pieces)
}
