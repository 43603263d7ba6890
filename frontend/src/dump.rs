//! A compact S-expression text form of [`ast::Function`], for `FERROJIT_DUMP=ast` and golden
//! tests.
//!
//! One statement per line, blocks indented by two spaces, closing parentheses at the end of a
//! block's last line. Expressions print on one line: names bare, literals as Python writes them
//! (floats always with a `.` or exponent, strings Rust-escaped), operators by their Python
//! symbol (`(+ a b)`, `(< a b)`, chained comparisons as `(cmp a < b <= c)`), unary operators by
//! name (`(neg x)`), and missing slice parts as `_`. Spans and ids are not printed.

use crate::ast::{self, Expr, ExprKind, Stmt, StmtKind};
use std::fmt::Write;

impl ast::Function {
    /// The function as S-expressions, inner functions after the body.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        write_function(&mut out, self, 0);
        out
    }
}

fn write_function(out: &mut String, function: &ast::Function, depth: usize) {
    let params: Vec<&str> = function.params.iter().map(|p| p.name.as_str()).collect();
    let _ = write!(out, "(def {} ({})", function.name, params.join(" "));
    write_block(out, &function.body, depth + 1);
    for inner in &function.inner_functions {
        new_line(out, depth + 1);
        write_function(out, inner, depth + 1);
    }
    out.push(')');
}

fn new_line(out: &mut String, depth: usize) {
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
}

fn write_block(out: &mut String, body: &[Stmt], depth: usize) {
    for stmt in body {
        new_line(out, depth);
        write_stmt(out, stmt, depth);
    }
}

fn write_stmt(out: &mut String, stmt: &Stmt, depth: usize) {
    match &stmt.kind {
        StmtKind::Assign { targets, value } => {
            out.push_str("(=");
            for target in targets {
                out.push(' ');
                write_expr(out, target);
            }
            out.push(' ');
            write_expr(out, value);
        }
        StmtKind::AugAssign { target, op, value } => {
            let _ = write!(out, "({}= ", op.symbol());
            write_expr(out, target);
            out.push(' ');
            write_expr(out, value);
        }
        StmtKind::For { target, iter, body } => {
            out.push_str("(for ");
            write_expr(out, target);
            out.push(' ');
            write_expr(out, iter);
            write_block(out, body, depth + 1);
        }
        StmtKind::While { test, body } => {
            out.push_str("(while ");
            write_expr(out, test);
            write_block(out, body, depth + 1);
        }
        StmtKind::If { test, body, orelse } => {
            out.push_str("(if ");
            write_expr(out, test);
            write_block(out, body, depth + 1);
            if !orelse.is_empty() {
                new_line(out, depth + 1);
                out.push_str("(else");
                write_block(out, orelse, depth + 2);
                out.push(')');
            }
        }
        StmtKind::Return(value) => write_optional(out, "(return", value.as_ref()),
        StmtKind::Expr(value) => write_optional(out, "(expr", Some(value)),
        StmtKind::Break => out.push_str("(break"),
        StmtKind::Continue => out.push_str("(continue"),
        StmtKind::Pass => out.push_str("(pass"),
        StmtKind::ObjMode(block) => {
            out.push_str("(objmode");
            for output in &block.outputs {
                out.push(' ');
                out.push_str(&output.name);
            }
        }
        StmtKind::Raise(exc) => write_optional(out, "(raise", exc.as_ref()),
        StmtKind::Assert { test, msg } => {
            write_optional(out, "(assert", Some(test));
            write_optional(out, "", msg.as_ref());
        }
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            out.push_str("(try");
            write_block(out, body, depth + 1);
            for handler in handlers {
                new_line(out, depth + 1);
                write_optional(out, "(except", handler.class.as_ref());
                if let Some(name) = &handler.name {
                    let _ = write!(out, " as {name}");
                }
                write_block(out, &handler.body, depth + 2);
                out.push(')');
            }
            for (head, block) in [("(else", orelse), ("(finally", finalbody)] {
                if !block.is_empty() {
                    new_line(out, depth + 1);
                    out.push_str(head);
                    write_block(out, block, depth + 2);
                    out.push(')');
                }
            }
        }
    }
    out.push(')');
}

fn write_optional(out: &mut String, head: &str, expr: Option<&Expr>) {
    out.push_str(head);
    if let Some(expr) = expr {
        out.push(' ');
        write_expr(out, expr);
    }
}

/// `(head e1 e2 ...)`
fn write_form<'a>(out: &mut String, head: &str, exprs: impl IntoIterator<Item = &'a Expr>) {
    let _ = write!(out, "({head}");
    for expr in exprs {
        out.push(' ');
        write_expr(out, expr);
    }
    out.push(')');
}

fn write_expr(out: &mut String, expr: &Expr) {
    match &expr.kind {
        ExprKind::Name(name) => out.push_str(name),
        ExprKind::Int(value) => {
            let _ = write!(out, "{value}");
        }
        ExprKind::Float(value) => write_float(out, *value),
        ExprKind::Imag(value) => {
            write_float(out, *value);
            out.push('j');
        }
        ExprKind::Bool(value) => out.push_str(if *value { "True" } else { "False" }),
        ExprKind::NoneLit => out.push_str("None"),
        ExprKind::Ellipsis => out.push_str("..."),
        ExprKind::Str(value) => {
            let _ = write!(out, "{value:?}");
        }
        ExprKind::FString(parts) => {
            out.push_str("(fstring");
            for part in parts {
                out.push(' ');
                match part {
                    ast::FStringPart::Text(text) => {
                        let _ = write!(out, "{text:?}");
                    }
                    ast::FStringPart::Value { value, spec } => {
                        out.push('{');
                        write_expr(out, value);
                        if let Some(spec) = spec {
                            let _ = write!(out, ":{spec}");
                        }
                        out.push('}');
                    }
                }
            }
            out.push(')');
        }
        ExprKind::BinOp { op, left, right } => write_form(out, op.symbol(), [&**left, &**right]),
        ExprKind::UnaryOp { op, operand } => {
            let name = match op {
                ast::UnaryOp::Neg => "neg",
                ast::UnaryOp::Pos => "pos",
                ast::UnaryOp::Not => "not",
                ast::UnaryOp::Invert => "invert",
            };
            write_form(out, name, [&**operand]);
        }
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } => match (ops.as_slice(), comparators.as_slice()) {
            ([op], [right]) => write_form(out, op.symbol(), [&**left, right]),
            _ => {
                out.push_str("(cmp ");
                write_expr(out, left);
                for (op, right) in ops.iter().zip(comparators) {
                    let _ = write!(out, " {} ", op.symbol());
                    write_expr(out, right);
                }
                out.push(')');
            }
        },
        ExprKind::BoolOp { op, values } => {
            let head = match op {
                ast::BoolOp::And => "and",
                ast::BoolOp::Or => "or",
            };
            write_form(out, head, values);
        }
        ExprKind::IfExp { test, body, orelse } => {
            write_form(out, "ifexp", [&**test, &**body, &**orelse])
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            out.push_str("(call ");
            write_expr(out, func);
            for arg in args {
                out.push(' ');
                write_expr(out, arg);
            }
            for keyword in keywords {
                let _ = write!(out, " (kw {} ", keyword.name);
                write_expr(out, &keyword.value);
                out.push(')');
            }
            out.push(')');
        }
        ExprKind::Starred(value) => {
            out.push('*');
            write_expr(out, value);
        }
        ExprKind::Attribute { value, attr } => {
            out.push_str("(. ");
            write_expr(out, value);
            let _ = write!(out, " {attr})");
        }
        ExprKind::Subscript { value, index } => write_form(out, "index", [&**value, &**index]),
        ExprKind::Tuple(elts) => write_form(out, "tuple", elts),
        ExprKind::List(elts) => write_form(out, "list", elts),
        ExprKind::Set(elts) => write_form(out, "set", elts),
        ExprKind::Dict { keys, values } => {
            out.push_str("(dict");
            for (k, v) in keys.iter().zip(values) {
                out.push(' ');
                write_expr(out, k);
                out.push_str(": ");
                write_expr(out, v);
            }
            out.push(')');
        }
        ExprKind::ListComp {
            elt,
            generators,
            kind,
            value,
        } => {
            let _ = write!(out, "({kind:?}comp ");
            write_expr(out, elt);
            if let Some(v) = value {
                out.push_str(": ");
                write_expr(out, v);
            }
            for g in generators {
                out.push_str(" (for ");
                write_expr(out, &g.target);
                out.push(' ');
                write_expr(out, &g.iter);
                for cond in &g.ifs {
                    out.push_str(" (if ");
                    write_expr(out, cond);
                    out.push(')');
                }
                out.push(')');
            }
            out.push(')');
        }
        ExprKind::Slice { lower, upper, step } => {
            out.push_str("(slice");
            for part in [lower, upper, step] {
                out.push(' ');
                match part {
                    Some(expr) => write_expr(out, expr),
                    None => out.push('_'),
                }
            }
            out.push(')');
        }
    }
}

/// `{:?}` keeps a `.0` on whole floats, so `1.0` does not read back as an int.
fn write_float(out: &mut String, value: f64) {
    let _ = write!(out, "{value:?}");
}
