//! `with objmode(y='f8', z='int64[:]'):` — Numba's object-mode block, kept as Python text.
//!
//! The body is run by the CPython interpreter (see `ir::lower::objmode` and pybridge's
//! `objmode.rs`), so it is not converted: any Python may appear in it. What later stages need is
//! collected here: the declared outputs and their types as written, the body's text dedented,
//! and the identifiers it mentions (the candidates for the variables passed in). The block is
//! recognised by its spelling, `objmode(...)` or `<module>.objmode(...)`, as Numba's users
//! write it (`numba.objmode`, `ferrojit.objmode`).

use super::Converter;
use crate::ast::{ObjModeBlock, ObjModeOutput, ObjModeType, StmtKind};
use crate::diagnostic::{Diagnostic, Result};
use rustpython_parser::ast::{self as py, Ranged};

/// True for `with objmode(...):` / `with numba.objmode(...):` (one item, no `as`).
pub(super) fn is_objmode(with: &py::StmtWith) -> bool {
    let [item] = with.items.as_slice() else {
        return false;
    };
    let py::Expr::Call(call) = &item.context_expr else {
        return false;
    };
    match &*call.func {
        py::Expr::Name(n) => n.id.as_str() == "objmode",
        py::Expr::Attribute(a) => a.attr.as_str() == "objmode",
        _ => false,
    }
}

impl Converter<'_> {
    pub(super) fn objmode(&mut self, with: &py::StmtWith) -> Result<StmtKind> {
        let item = &with.items[0];
        if let Some(target) = &item.optional_vars {
            let message = "`with objmode(...) as name` is not supported";
            return Err(Diagnostic::unsupported(message, self.span(&**target)));
        }
        let py::Expr::Call(call) = &item.context_expr else {
            unreachable!("checked by is_objmode")
        };
        if let Some(arg) = call.args.first() {
            let message = "objmode takes the outputs' types as keyword arguments (y='float64')";
            return Err(Diagnostic::unsupported(message, self.span(arg)));
        }
        let mut outputs = Vec::new();
        for keyword in &call.keywords {
            let span = self.span(keyword);
            let Some(name) = &keyword.arg else {
                let message = "objmode(**types) is not supported: name each output";
                return Err(Diagnostic::unsupported(message, span));
            };
            let annotation = annotation(&keyword.value).ok_or_else(|| {
                Diagnostic::unsupported(
                    "an objmode output's type must be a string ('float64[:]') or a type \
                     object (float64, types.int64[::1])",
                    self.span(&keyword.value),
                )
            })?;
            outputs.push(ObjModeOutput {
                name: name.to_string(),
                annotation,
                span,
            });
        }
        if let Some(ret) = find_return(&with.body) {
            let message = "`return` inside an objmode block is not supported";
            return Err(Diagnostic::unsupported(message, self.span(ret))
                .with_hint("assign an output variable in the block and return after it"));
        }
        let text = self.locator.text();
        let first = usize::from(with.body[0].range().start());
        let last = with
            .body
            .last()
            .map_or(first, |s| usize::from(s.range().end()));
        let line_start = text[..first.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let body = &text[line_start..last.min(text.len())];
        Ok(StmtKind::ObjMode(ObjModeBlock {
            outputs,
            body_source: dedent(body),
            names: identifiers(body),
        }))
    }
}

/// The type annotation of one output, if it is spelt in a way we read.
fn annotation(value: &py::Expr) -> Option<ObjModeType> {
    match value {
        py::Expr::Constant(c) => match &c.value {
            py::Constant::Str(text) => Some(ObjModeType::Text(text.clone())),
            _ => None,
        },
        py::Expr::Subscript(s) => {
            let ObjModeType::Global { path, axes: None } = annotation(&s.value)? else {
                return None;
            };
            let slices: Vec<&py::Expr> = match &*s.slice {
                py::Expr::Tuple(t) => t.elts.iter().collect(),
                single => vec![single],
            };
            let axes = slices
                .into_iter()
                .map(|axis| match axis {
                    py::Expr::Slice(sl) if sl.lower.is_none() && sl.upper.is_none() => {
                        match sl.step.as_deref() {
                            None => Some(false),
                            Some(py::Expr::Constant(c)) => match &c.value {
                                py::Constant::Int(one) if one.to_string() == "1" => Some(true),
                                _ => None,
                            },
                            Some(_) => None,
                        }
                    }
                    _ => None,
                })
                .collect::<Option<Vec<bool>>>()?;
            Some(ObjModeType::Global {
                path,
                axes: Some(axes),
            })
        }
        _ => Some(ObjModeType::Global {
            path: dotted_path(value)?,
            axes: None,
        }),
    }
}

/// `a.b.c` as `["a", "b", "c"]`.
fn dotted_path(expr: &py::Expr) -> Option<Vec<String>> {
    match expr {
        py::Expr::Name(n) => Some(vec![n.id.to_string()]),
        py::Expr::Attribute(a) => {
            let mut path = dotted_path(&a.value)?;
            path.push(a.attr.to_string());
            Some(path)
        }
        _ => None,
    }
}

/// A `return` of the block itself (not of a function defined inside it).
fn find_return(body: &[py::Stmt]) -> Option<&py::Stmt> {
    body.iter().find_map(|stmt| match stmt {
        py::Stmt::Return(_) => Some(stmt),
        py::Stmt::If(s) => find_return(&s.body).or_else(|| find_return(&s.orelse)),
        py::Stmt::For(s) => find_return(&s.body).or_else(|| find_return(&s.orelse)),
        py::Stmt::While(s) => find_return(&s.body).or_else(|| find_return(&s.orelse)),
        py::Stmt::With(s) => find_return(&s.body),
        py::Stmt::Try(s) => find_return(&s.body)
            .or_else(|| find_return(&s.orelse))
            .or_else(|| find_return(&s.finalbody))
            .or_else(|| {
                s.handlers.iter().find_map(|h| {
                    let py::ExceptHandler::ExceptHandler(h) = h;
                    find_return(&h.body)
                })
            }),
        _ => None,
    })
}

/// `text` with the first line's indentation removed from every line (lines indented less,
/// such as the insides of a multi-line string, are kept as they are).
fn dedent(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    let indent = &first[..first.len() - first.trim_start().len()];
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line.strip_prefix(indent).unwrap_or(line));
        out.push('\n');
    }
    out
}

/// The identifiers `text` mentions outside comments, each once, in first-seen order. Names
/// inside strings count too (f-strings read variables); an extra name only passes a variable
/// the block does not use.
fn identifiers(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut quote: Option<char> = None;
    while let Some((start, c)) = chars.next() {
        match c {
            '#' if quote.is_none() => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
            '\'' | '"' => match quote {
                None => quote = Some(c),
                Some(q) if q == c => quote = None,
                Some(_) => {}
            },
            '\\' => {
                chars.next();
            }
            c if c == '_' || c.is_alphabetic() => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, c)) = chars.peek() {
                    if c == '_' || c.is_alphanumeric() {
                        end = i + c.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &text[start..end];
                if !names.iter().any(|n| n == word) {
                    names.push(word.to_string());
                }
            }
            c if c.is_ascii_digit() => {
                while chars
                    .next_if(|&(_, c)| c.is_alphanumeric() || c == '_')
                    .is_some()
                {}
            }
            _ => {}
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::{dedent, identifiers};

    #[test]
    fn identifiers_skip_comments_and_keep_string_contents() {
        let names = identifiers("y = f(x) + 1e5  # not z\ns = f'{w}'\n");
        assert_eq!(names, ["y", "f", "x", "s", "w"]);
    }

    #[test]
    fn dedent_removes_the_first_lines_indentation() {
        assert_eq!(
            dedent("    a = 1\n    if a:\n        b = 2"),
            "a = 1\nif a:\n    b = 2\n"
        );
    }
}
