//! Expression and assignment-target conversion, and the operator tables.
//!
//! Each converted expression takes the next [`ExprId`] before its children do, so ids follow
//! the pre-order of [`crate::ast::walk_expr`]. Constructs outside the subset are rejected with a
//! diagnostic spanning the offending node.

use super::Converter;
use crate::ast::{self, ExprKind};
use crate::diagnostic::{Diagnostic, Result};
use crate::span::Span;
use rustpython_parser::ast as py;

impl Converter<'_> {
    pub(super) fn expr(&mut self, expr: &py::Expr) -> Result<ast::Expr> {
        let span = self.span(expr);
        self.nested(span, |this| {
            let id = this.fresh_id();
            let kind = this.expr_kind(expr, span)?;
            Ok(ast::Expr { id, kind, span })
        })
    }

    /// The parts of an f-string; a format spec must be plain text (`{x:.3f}`).
    fn fstring(&mut self, values: &[py::Expr], span: Span) -> Result<ExprKind> {
        let mut parts = Vec::new();
        for value in values {
            match value {
                py::Expr::Constant(c) => match &c.value {
                    py::Constant::Str(s) => parts.push(ast::FStringPart::Text(s.clone())),
                    _ => {
                        return Err(Diagnostic::unsupported(
                            "this f-string is not supported",
                            span,
                        ));
                    }
                },
                py::Expr::FormattedValue(v) => {
                    let spec = match v.format_spec.as_deref() {
                        None => None,
                        Some(py::Expr::JoinedStr(j)) => {
                            let mut text = String::new();
                            for piece in &j.values {
                                match piece {
                                    py::Expr::Constant(py::ExprConstant {
                                        value: py::Constant::Str(s),
                                        ..
                                    }) => text.push_str(s),
                                    _ => {
                                        let message = "nested replacement fields in an f-string \
                                                       format spec are not supported";
                                        return Err(Diagnostic::unsupported(
                                            message,
                                            self.span(piece),
                                        ));
                                    }
                                }
                            }
                            Some(text)
                        }
                        Some(other) => {
                            let message = "this f-string format spec is not supported";
                            return Err(Diagnostic::unsupported(message, self.span(other)));
                        }
                    };
                    let value = self.expr(&v.value)?;
                    parts.push(ast::FStringPart::Value { value, spec });
                }
                other => {
                    let message = "this f-string part is not supported";
                    return Err(Diagnostic::unsupported(message, self.span(other)));
                }
            }
        }
        Ok(ExprKind::FString(parts))
    }

    fn boxed(&mut self, expr: &py::Expr) -> Result<Box<ast::Expr>> {
        self.expr(expr).map(Box::new)
    }

    fn exprs(&mut self, exprs: &[py::Expr]) -> Result<Vec<ast::Expr>> {
        exprs.iter().map(|e| self.expr(e)).collect()
    }

    fn optional(&mut self, expr: &Option<Box<py::Expr>>) -> Result<Option<Box<ast::Expr>>> {
        expr.as_deref().map(|e| self.boxed(e)).transpose()
    }

    fn expr_kind(&mut self, expr: &py::Expr, span: Span) -> Result<ExprKind> {
        Ok(match expr {
            py::Expr::Name(e) => ExprKind::Name(e.id.to_string()),
            py::Expr::Constant(e) => constant(&e.value, span)?,
            py::Expr::JoinedStr(e) => self.fstring(&e.values, span)?,
            py::Expr::BinOp(e) => {
                let left = self.boxed(&e.left)?;
                ExprKind::BinOp {
                    op: bin_op(e.op),
                    left,
                    right: self.boxed(&e.right)?,
                }
            }
            py::Expr::UnaryOp(e) => ExprKind::UnaryOp {
                op: unary_op(e.op),
                operand: self.boxed(&e.operand)?,
            },
            py::Expr::Compare(e) => {
                let ops = e.ops.iter().map(|&op| cmp_op(op)).collect();
                let left = self.boxed(&e.left)?;
                ExprKind::Compare {
                    left,
                    ops,
                    comparators: self.exprs(&e.comparators)?,
                }
            }
            py::Expr::BoolOp(e) => {
                let op = match e.op {
                    py::BoolOp::And => ast::BoolOp::And,
                    py::BoolOp::Or => ast::BoolOp::Or,
                };
                ExprKind::BoolOp {
                    op,
                    values: self.exprs(&e.values)?,
                }
            }
            py::Expr::IfExp(e) => {
                let test = self.boxed(&e.test)?;
                let body = self.boxed(&e.body)?;
                ExprKind::IfExp {
                    test,
                    body,
                    orelse: self.boxed(&e.orelse)?,
                }
            }
            py::Expr::Call(e) => self.call(e)?,
            py::Expr::Attribute(e) => ExprKind::Attribute {
                value: self.boxed(&e.value)?,
                attr: e.attr.to_string(),
            },
            py::Expr::Subscript(e) => {
                let value = self.boxed(&e.value)?;
                ExprKind::Subscript {
                    value,
                    index: self.boxed(&e.slice)?,
                }
            }
            py::Expr::Tuple(e) => ExprKind::Tuple(self.exprs(&e.elts)?),
            py::Expr::List(e) => ExprKind::List(self.exprs(&e.elts)?),
            py::Expr::Set(e) => ExprKind::Set(self.exprs(&e.elts)?),
            py::Expr::Dict(e) => {
                let mut keys = Vec::with_capacity(e.keys.len());
                let mut values = Vec::with_capacity(e.values.len());
                for (k, v) in e.keys.iter().zip(&e.values) {
                    let Some(k) = k else {
                        let message = "`**` unpacking in dict literals is not supported";
                        return Err(Diagnostic::unsupported(message, self.span(v)));
                    };
                    keys.push(self.expr(k)?);
                    values.push(self.expr(v)?);
                }
                ExprKind::Dict { keys, values }
            }
            py::Expr::ListComp(e) => {
                self.comprehension(&e.elt, None, &e.generators, ast::CompKind::List, span)?
            }
            py::Expr::SetComp(e) => {
                self.comprehension(&e.elt, None, &e.generators, ast::CompKind::Set, span)?
            }
            py::Expr::DictComp(e) => self.comprehension(
                &e.key,
                Some(&e.value),
                &e.generators,
                ast::CompKind::Dict,
                span,
            )?,
            py::Expr::Slice(e) => {
                let lower = self.optional(&e.lower)?;
                let upper = self.optional(&e.upper)?;
                ExprKind::Slice {
                    lower,
                    upper,
                    step: self.optional(&e.step)?,
                }
            }
            _ => return Err(unsupported_expr(expr, span)),
        })
    }

    fn comprehension(
        &mut self,
        elt: &py::Expr,
        value: Option<&py::Expr>,
        gens: &[py::Comprehension],
        kind: ast::CompKind,
        span: Span,
    ) -> Result<ExprKind> {
        let elt = self.boxed(elt)?;
        let value = value.map(|v| self.boxed(v)).transpose()?;
        let mut generators = Vec::with_capacity(gens.len());
        for g in gens {
            if g.is_async {
                let message = "async comprehensions are not supported";
                return Err(Diagnostic::unsupported(message, span));
            }
            let target = self.target(&g.target)?;
            let iter = self.expr(&g.iter)?;
            generators.push(ast::Comprehension {
                target,
                iter,
                ifs: self.exprs(&g.ifs)?,
            });
        }
        Ok(ExprKind::ListComp {
            elt,
            generators,
            kind,
            value,
        })
    }

    fn call(&mut self, call: &py::ExprCall) -> Result<ExprKind> {
        if let Some(splat) = call.keywords.iter().find(|k| k.arg.is_none()) {
            let message = "`**kwargs` unpacking in calls is not supported";
            return Err(Diagnostic::unsupported(
                message,
                self.locator.span(splat.range),
            ));
        }
        let func = self.boxed(&call.func)?;
        let args = self.call_args(&call.args)?;
        let mut keywords = Vec::with_capacity(call.keywords.len());
        for keyword in &call.keywords {
            let name = keyword
                .arg
                .as_ref()
                .map_or_else(String::new, |name| name.to_string());
            let span = self.locator.span(keyword.range);
            keywords.push(ast::Keyword {
                name,
                value: self.expr(&keyword.value)?,
                span,
            });
        }
        Ok(ExprKind::Call {
            func,
            args,
            keywords,
        })
    }

    /// A call's positional arguments. `*(a, b)` splices the literal's items; `*name` stays a
    /// [`ExprKind::Starred`] that typing expands once the tuple's length is known. Other starred
    /// values would be evaluated once per item, so they are refused.
    fn call_args(&mut self, args: &[py::Expr]) -> Result<Vec<ast::Expr>> {
        let mut out = Vec::with_capacity(args.len());
        for arg in args {
            let py::Expr::Starred(starred) = arg else {
                out.push(self.expr(arg)?);
                continue;
            };
            match starred.value.as_ref() {
                py::Expr::Tuple(tuple) => out.extend(self.exprs(&tuple.elts)?),
                py::Expr::Name(_) => {
                    let span = self.span(arg);
                    let id = self.fresh_id();
                    let value = self.boxed(&starred.value)?;
                    out.push(ast::Expr {
                        id,
                        kind: ExprKind::Starred(value),
                        span,
                    });
                }
                _ => {
                    let message = "`*` unpacking in a call takes a variable or a tuple literal";
                    return Err(Diagnostic::unsupported(message, self.span(arg))
                        .with_hint("assign the tuple to a variable first: `t = ...; f(*t)`"));
                }
            }
        }
        Ok(out)
    }

    /// An assignment or `for` target: a Name, a Subscript, or a Tuple of targets.
    pub(super) fn target(&mut self, target: &py::Expr) -> Result<ast::Expr> {
        match target {
            // Attributes: `self.x = v` in `@jitclass` methods (typing rejects other bases).
            py::Expr::Name(_) | py::Expr::Subscript(_) | py::Expr::Attribute(_) => {
                self.expr(target)
            }
            py::Expr::Tuple(tuple) => {
                let span = self.span(target);
                self.nested(span, |this| {
                    let id = this.fresh_id();
                    let elts = tuple
                        .elts
                        .iter()
                        .map(|t| this.target(t))
                        .collect::<Result<_>>()?;
                    Ok(ast::Expr {
                        id,
                        kind: ExprKind::Tuple(elts),
                        span,
                    })
                })
            }
            other => Err(self.bad_target(other, "assignment")),
        }
    }

    /// The diagnostic for a target that is not a Name, Subscript or (for plain assignment) Tuple.
    pub(super) fn bad_target(&self, target: &py::Expr, statement: &str) -> Diagnostic {
        let span = self.span(target);
        match target {
            py::Expr::Attribute(_) => Diagnostic::unsupported(
                format!("{statement} to an attribute is not supported"),
                span,
            ),
            py::Expr::List(_) => Diagnostic::unsupported(
                format!("list targets in {statement} are not supported"),
                span,
            )
            .with_hint("use a tuple: `a, b = ...`"),
            py::Expr::Starred(_) => {
                Diagnostic::unsupported("star-expressions are not supported", span)
            }
            _ => Diagnostic::unsupported(
                format!("cannot use this expression as a target of {statement}"),
                span,
            ),
        }
    }
}

fn constant(value: &py::Constant, span: Span) -> Result<ExprKind> {
    Ok(match value {
        py::Constant::None => ExprKind::NoneLit,
        py::Constant::Bool(b) => ExprKind::Bool(*b),
        py::Constant::Str(s) => ExprKind::Str(s.clone()),
        py::Constant::Int(big) => match i128::try_from(big) {
            Ok(value) => ExprKind::Int(value),
            Err(_) => {
                return Err(Diagnostic::unsupported(
                    "integer literal does not fit in 128 bits",
                    span,
                ));
            }
        },
        py::Constant::Float(f) => ExprKind::Float(*f),
        // The parser produces `Complex` only for imaginary literals (`2j`); `1 + 2j` is a BinOp.
        py::Constant::Complex { imag, .. } => ExprKind::Imag(*imag),
        py::Constant::Bytes(_) => {
            return Err(Diagnostic::unsupported(
                "bytes literals are not supported",
                span,
            ));
        }
        py::Constant::Ellipsis => ExprKind::Ellipsis,
        py::Constant::Tuple(_) => {
            return Err(Diagnostic::unsupported(
                "constant tuples are not supported",
                span,
            ));
        }
    })
}

/// The diagnostic for an expression outside the subset (those `expr_kind` does not convert).
fn unsupported_expr(expr: &py::Expr, span: Span) -> Diagnostic {
    let loop_hint = Some("write a loop");
    let (message, hint) = match expr {
        py::Expr::GeneratorExp(_) => ("generator expressions are not supported", loop_hint),
        py::Expr::Lambda(_) => (
            "lambda is only supported assigned to a name at the top level of the function body",
            Some(
                "write `f = lambda x: ...` and call `f(...)`, or define an inner function with `def`",
            ),
        ),
        py::Expr::NamedExpr(_) => (
            "walrus `:=` is not supported",
            Some("assign in a separate statement"),
        ),
        py::Expr::Await(_) => ("`await` is not supported", None),
        py::Expr::Yield(_) | py::Expr::YieldFrom(_) => ("`yield` is not supported", None),
        py::Expr::FormattedValue(_) => ("this f-string is not supported", None),
        py::Expr::Starred(_) => ("star-expressions are not supported", None),
        _ => ("this expression is not supported", None),
    };
    let diagnostic = Diagnostic::unsupported(message, span);
    match hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

pub(super) fn bin_op(op: py::Operator) -> ast::BinOp {
    match op {
        py::Operator::Add => ast::BinOp::Add,
        py::Operator::Sub => ast::BinOp::Sub,
        py::Operator::Mult => ast::BinOp::Mult,
        py::Operator::MatMult => ast::BinOp::MatMult,
        py::Operator::Div => ast::BinOp::Div,
        py::Operator::Mod => ast::BinOp::Mod,
        py::Operator::Pow => ast::BinOp::Pow,
        py::Operator::LShift => ast::BinOp::LShift,
        py::Operator::RShift => ast::BinOp::RShift,
        py::Operator::BitOr => ast::BinOp::BitOr,
        py::Operator::BitXor => ast::BinOp::BitXor,
        py::Operator::BitAnd => ast::BinOp::BitAnd,
        py::Operator::FloorDiv => ast::BinOp::FloorDiv,
    }
}

fn unary_op(op: py::UnaryOp) -> ast::UnaryOp {
    match op {
        py::UnaryOp::Invert => ast::UnaryOp::Invert,
        py::UnaryOp::Not => ast::UnaryOp::Not,
        py::UnaryOp::UAdd => ast::UnaryOp::Pos,
        py::UnaryOp::USub => ast::UnaryOp::Neg,
    }
}

fn cmp_op(op: py::CmpOp) -> ast::CmpOp {
    match op {
        py::CmpOp::Eq => ast::CmpOp::Eq,
        py::CmpOp::NotEq => ast::CmpOp::NotEq,
        py::CmpOp::Lt => ast::CmpOp::Lt,
        py::CmpOp::LtE => ast::CmpOp::LtE,
        py::CmpOp::Gt => ast::CmpOp::Gt,
        py::CmpOp::GtE => ast::CmpOp::GtE,
        py::CmpOp::Is => ast::CmpOp::Is,
        py::CmpOp::IsNot => ast::CmpOp::IsNot,
        py::CmpOp::In => ast::CmpOp::In,
        py::CmpOp::NotIn => ast::CmpOp::NotIn,
    }
}
