//! The edge where rustpython-parser's AST becomes ours: parse one `def`, convert it at once.
//!
//! This module (with `expr.rs`, `locate.rs` and `nesting.rs` below it) is the only place that
//! names rustpython-parser types. It converts the supported subset into [`ast`], assigns
//! [`ExprId`]s in the pre-order of [`ast::walk_exprs`] (parent before children; for `IfExp`, the
//! test first), and rejects everything else with an `Unsupported` diagnostic spanning the
//! offending node.
//!
//! Nothing here panics or overflows the stack on any input: offsets are clamped in `locate.rs`;
//! `nesting.rs` rejects code that could nest deeper than [`MAX_NESTING`] before it is parsed;
//! and parsing, conversion and dropping the parser's AST run on a thread with a stack sized for
//! that depth, whatever stack the caller has.

mod expr;
mod locate;
mod loop_else;
mod nesting;
mod objmode;

use crate::ast::{self, ExprId};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Result};
use crate::span::Span;
use locate::Locator;
use rustpython_parser::Parse;
use rustpython_parser::ast::{self as py, Ranged};

/// Deepest nesting of expressions plus blocks we accept (see `nesting.rs`); deeper code is
/// rejected instead of risking the stack.
const MAX_NESTING: u32 = 6_000;

/// Stack of the thread that parses and converts: enough for [`MAX_NESTING`] levels of
/// conversion and of dropping the parser's AST in a debug build. Only touched pages are committed.
const STACK_BYTES: usize = 512 << 20;

pub(crate) fn parse_function(text: &str) -> Result<ast::Function> {
    if u32::try_from(text.len()).is_err() {
        let message = "function source is too large (over 4 GiB)";
        return Err(Diagnostic::new(DiagnosticKind::Syntax, message, None));
    }
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("ferrojit-frontend".to_string())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || parse_and_convert(text));
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|payload| {
                let detail = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(Diagnostic::internal(format!(
                    "the frontend panicked (a ferrojit bug): {detail}"
                )))
            }),
            Err(error) => Err(Diagnostic::internal(format!(
                "cannot start the frontend thread: {error}"
            ))),
        }
    })
}

fn parse_and_convert(text: &str) -> Result<ast::Function> {
    let locator = Locator::new(text);
    nesting::check_nesting(text, &locator)?;
    let suite = py::Suite::parse(text, "<source>").map_err(|e| locator.syntax_error(&e))?;
    let def = single_function(&suite, &locator)?;
    convert_function(def, &locator)
}

/// The one top-level `def` of the suite; anything beside it is an error.
fn single_function<'s>(
    suite: &'s [py::Stmt],
    locator: &Locator,
) -> Result<&'s py::StmtFunctionDef> {
    let mut found = None;
    for stmt in suite {
        let span = locator.span(stmt.range());
        match stmt {
            py::Stmt::FunctionDef(def) if found.is_none() => found = Some(def),
            py::Stmt::FunctionDef(_) => {
                let message = "expected exactly one top-level function definition, found another";
                return Err(Diagnostic::unsupported(message, span));
            }
            py::Stmt::ClassDef(_) | py::Stmt::AsyncFunctionDef(_) => {
                return Err(unsupported_stmt(stmt, span));
            }
            _ => {
                let message =
                    "expected only a function definition, found another top-level statement";
                return Err(Diagnostic::unsupported(message, span));
            }
        }
    }
    found.ok_or_else(|| {
        let message = "expected a function definition (`def`), found none";
        Diagnostic::new(DiagnosticKind::Syntax, message, None)
    })
}

/// Converts one `def` with its own `ExprId` numbering; inner `def`s recurse.
fn convert_function(def: &py::StmtFunctionDef, locator: &Locator) -> Result<ast::Function> {
    let def_range = def.range();
    let span = locator
        .def_name_span(def_range.start())
        .unwrap_or_else(|| locator.span(def_range));
    if !def.type_params.is_empty() {
        return Err(Diagnostic::unsupported(
            "type parameters are not supported",
            span,
        ));
    }
    let mut converter = Converter {
        locator,
        next_id: 0,
        depth: 0,
        loop_flags: Vec::new(),
        else_loops: 0,
        caught_names: Vec::new(),
    };
    let mut body = Vec::new();
    let mut inner_functions = Vec::new();
    for stmt in without_docstring(&def.body) {
        match stmt {
            py::Stmt::FunctionDef(inner) => inner_functions.push(convert_function(inner, locator)?),
            py::Stmt::Assign(assign) if named_lambda(assign).is_some() => {
                if let Some((name, lambda)) = named_lambda(assign) {
                    let span = locator.span(assign.targets[0].range());
                    inner_functions.push(convert_lambda(name, lambda, span, locator)?);
                }
            }
            _ => converter.stmt_into(stmt, &mut body)?,
        }
    }
    let params = convert_params(&def.args, locator, &mut converter)?;
    let name = def.name.to_string();
    Ok(ast::Function {
        name,
        params,
        body,
        span,
        num_exprs: converter.next_id,
        inner_functions,
    })
}

/// `name = lambda ...:` at the top level of a function body, which is an inner function.
fn named_lambda(assign: &py::StmtAssign) -> Option<(&str, &py::ExprLambda)> {
    match (assign.targets.as_slice(), &*assign.value) {
        ([py::Expr::Name(target)], py::Expr::Lambda(lambda)) => Some((target.id.as_str(), lambda)),
        _ => None,
    }
}

/// A lambda bound to `name`, as the inner function `def name(params): return body`.
fn convert_lambda(
    name: &str,
    lambda: &py::ExprLambda,
    span: Span,
    locator: &Locator,
) -> Result<ast::Function> {
    let mut converter = Converter {
        locator,
        next_id: 0,
        depth: 0,
        loop_flags: Vec::new(),
        else_loops: 0,
        caught_names: Vec::new(),
    };
    let value = converter.expr(&lambda.body)?;
    let params = convert_params(&lambda.args, locator, &mut converter)?;
    let body = vec![ast::Stmt {
        span: value.span,
        kind: ast::StmtKind::Return(Some(value)),
    }];
    Ok(ast::Function {
        name: name.to_string(),
        params,
        body,
        span,
        num_exprs: converter.next_id,
        inner_functions: Vec::new(),
    })
}

fn without_docstring(body: &[py::Stmt]) -> &[py::Stmt] {
    match body.split_first() {
        Some((first, rest)) if is_string_statement(first) => rest,
        _ => body,
    }
}

fn is_string_statement(stmt: &py::Stmt) -> bool {
    let py::Stmt::Expr(py::StmtExpr { value, .. }) = stmt else {
        return false;
    };
    matches!(&**value, py::Expr::Constant(c) if matches!(c.value, py::Constant::Str(_)))
}

/// The parameters, in the order of [`ast::Param`]; default values are converted by
/// `converter` (after the body, so that their ids follow the body's).
fn convert_params(
    args: &py::Arguments,
    locator: &Locator,
    converter: &mut Converter,
) -> Result<Vec<ast::Param>> {
    let span_of = |arg: &py::Arg| locator.span(arg.range);
    if let Some(kwarg) = &args.kwarg {
        let message = "`**kwargs` parameters are not supported";
        return Err(Diagnostic::unsupported(message, span_of(kwarg))
            .with_hint("name the keyword parameters (`def f(a, *, axis=0)`)"));
    }
    let mut params = Vec::new();
    let param = |arg: &py::ArgWithDefault, kind, converter: &mut Converter| {
        let default = arg
            .default
            .as_deref()
            .map(|d| converter.expr(d))
            .transpose()?;
        Ok::<_, Diagnostic>(ast::Param {
            name: arg.def.arg.to_string(),
            span: span_of(&arg.def),
            default,
            kind,
        })
    };
    for arg in args.posonlyargs.iter().chain(&args.args) {
        params.push(param(arg, ast::ParamKind::Positional, converter)?);
    }
    if let Some(vararg) = &args.vararg {
        params.push(ast::Param {
            name: vararg.arg.to_string(),
            span: span_of(vararg),
            default: None,
            kind: ast::ParamKind::VarArgs,
        });
    }
    for arg in &args.kwonlyargs {
        params.push(param(arg, ast::ParamKind::KeywordOnly, converter)?);
    }
    Ok(params)
}

/// Converts the statements and expressions of one function body.
struct Converter<'a> {
    locator: &'a Locator<'a>,
    next_id: u32,
    depth: u32,
    /// One entry per enclosing loop, innermost last: the flag a `break` sets when the loop has
    /// an `else` clause (see `loop_else.rs`).
    loop_flags: Vec<Option<String>>,
    /// Loops with an `else` clause converted so far, to name their flags.
    else_loops: u32,
    /// The names bound by the `except ... as name` clauses being converted.
    caught_names: Vec<String>,
}

impl Converter<'_> {
    fn fresh_id(&mut self) -> ExprId {
        let id = ExprId(self.next_id);
        // Cannot overflow: every expression spans at least one byte of a text below 4 GiB.
        self.next_id = self.next_id.saturating_add(1);
        id
    }

    fn span(&self, node: &impl Ranged) -> Span {
        self.locator.span(node.range())
    }

    /// Runs `f` one nesting level deeper, rejecting code nested past [`MAX_NESTING`].
    fn nested<T>(&mut self, span: Span, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.depth >= MAX_NESTING {
            return Err(Diagnostic::unsupported("code is nested too deeply", span)
                .with_hint("split the expression or block into smaller pieces"));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn block(&mut self, stmts: &[py::Stmt]) -> Result<Vec<ast::Stmt>> {
        let mut out = Vec::with_capacity(stmts.len());
        for stmt in stmts {
            self.stmt_into(stmt, &mut out)?;
        }
        Ok(out)
    }

    /// Converts `stmt` onto `out`: one statement, or several for a loop with an `else` clause.
    fn stmt_into(&mut self, stmt: &py::Stmt, out: &mut Vec<ast::Stmt>) -> Result<()> {
        match stmt {
            py::Stmt::For(py::StmtFor { orelse, body, .. })
            | py::Stmt::While(py::StmtWhile { orelse, body, .. })
                if !orelse.is_empty() =>
            {
                let span = self.span(stmt);
                self.nested(span, |this| {
                    this.loop_with_else(stmt, body, orelse, span, out)
                })
            }
            py::Stmt::Break(_) if matches!(self.loop_flags.last(), Some(Some(_))) => {
                self.flagged_break(stmt, out);
                Ok(())
            }
            _ => {
                out.push(self.stmt(stmt)?);
                Ok(())
            }
        }
    }

    fn stmt(&mut self, stmt: &py::Stmt) -> Result<ast::Stmt> {
        let span = self.span(stmt);
        let kind = self.nested(span, |this| this.stmt_kind(stmt, span))?;
        Ok(ast::Stmt { kind, span })
    }

    fn stmt_kind(&mut self, stmt: &py::Stmt, span: Span) -> Result<ast::StmtKind> {
        use ast::StmtKind as K;
        Ok(match stmt {
            py::Stmt::Assign(s) => {
                let targets = s
                    .targets
                    .iter()
                    .map(|t| self.target(t))
                    .collect::<Result<_>>()?;
                K::Assign {
                    targets,
                    value: self.expr(&s.value)?,
                }
            }
            py::Stmt::AugAssign(s) => {
                let target = match &*s.target {
                    py::Expr::Name(_) | py::Expr::Subscript(_) | py::Expr::Attribute(_) => {
                        self.expr(&s.target)?
                    }
                    other => return Err(self.bad_target(other, "augmented assignment")),
                };
                K::AugAssign {
                    target,
                    op: expr::bin_op(s.op),
                    value: self.expr(&s.value)?,
                }
            }
            py::Stmt::AnnAssign(s) => match &s.value {
                Some(value) => K::Assign {
                    targets: vec![self.target(&s.target)?],
                    value: self.expr(value)?,
                },
                None => {
                    let message = "a bare annotation without a value is not supported";
                    return Err(Diagnostic::unsupported(message, span)
                        .with_hint("assign a value: `x: int = 0`"));
                }
            },
            py::Stmt::For(s) => {
                let target = self.target(&s.target)?;
                K::For {
                    target,
                    iter: self.expr(&s.iter)?,
                    body: self.loop_body(&s.body, None)?,
                }
            }
            py::Stmt::While(s) => K::While {
                test: self.expr(&s.test)?,
                body: self.loop_body(&s.body, None)?,
            },
            py::Stmt::If(s) => K::If {
                test: self.expr(&s.test)?,
                body: self.block(&s.body)?,
                orelse: self.block(&s.orelse)?,
            },
            py::Stmt::Return(s) => K::Return(s.value.as_deref().map(|v| self.expr(v)).transpose()?),
            py::Stmt::Expr(s) => K::Expr(self.expr(&s.value)?),
            py::Stmt::Break(_) => K::Break,
            py::Stmt::Continue(_) => K::Continue,
            py::Stmt::Pass(_) => K::Pass,
            py::Stmt::Raise(s) => {
                if s.cause.is_some() {
                    return Err(Diagnostic::unsupported(
                        "`raise ... from ...` is not supported",
                        span,
                    )
                    .with_hint("raise the exception without `from`"));
                }
                match s.exc.as_deref() {
                    // `raise e` in `except ... as e`: re-raising what the clause caught.
                    Some(py::Expr::Name(n))
                        if self.caught_names.iter().any(|c| *c == n.id.as_str()) =>
                    {
                        K::Raise(None)
                    }
                    exc => K::Raise(exc.map(|e| self.expr(e)).transpose()?),
                }
            }
            py::Stmt::Try(s) => {
                let body = self.block(&s.body)?;
                let mut handlers = Vec::new();
                for handler in &s.handlers {
                    let py::ExceptHandler::ExceptHandler(h) = handler;
                    let class = h.type_.as_deref().map(|c| self.expr(c)).transpose()?;
                    let name = h.name.as_ref().map(|n| n.to_string());
                    self.caught_names.extend(name.clone());
                    let body = self.block(&h.body);
                    if name.is_some() {
                        self.caught_names.pop();
                    }
                    handlers.push(ast::ExceptHandler {
                        class,
                        name,
                        body: body?,
                        span: self.span(h),
                    });
                }
                K::Try {
                    body,
                    handlers,
                    orelse: self.block(&s.orelse)?,
                    finalbody: self.block(&s.finalbody)?,
                }
            }
            py::Stmt::With(s) if objmode::is_objmode(s) => self.objmode(s)?,
            py::Stmt::Delete(s) => self.delete(s, span)?,
            py::Stmt::Assert(s) => {
                let test = self.expr(&s.test)?;
                K::Assert {
                    test,
                    msg: s.msg.as_deref().map(|m| self.expr(m)).transpose()?,
                }
            }
            _ => return Err(unsupported_stmt(stmt, span)),
        })
    }
}

impl Converter<'_> {
    /// `del d[k]` / `del xs[i]`: the same as the expression statement `d.pop(k)` (`KeyError`
    /// or `IndexError` when absent, as `del` raises). Other targets stay unsupported.
    fn delete(&mut self, s: &py::StmtDelete, span: Span) -> Result<ast::StmtKind> {
        let target = match s.targets.as_slice() {
            [py::Expr::Subscript(sub)] if !matches!(&*sub.slice, py::Expr::Slice(_)) => sub,
            [py::Expr::Subscript(sub)] => {
                let message = "`del` of a slice is not supported";
                return Err(Diagnostic::unsupported(message, self.span(&*sub.slice)));
            }
            _ => {
                let message = "`del` is supported only for one item of a dict or list (`del d[k]`)";
                return Err(Diagnostic::unsupported(message, span));
            }
        };
        let call_id = self.fresh_id();
        let attribute_id = self.fresh_id();
        let value = self.expr(&target.value)?;
        let key = self.expr(&target.slice)?;
        let target_span = self.span(target);
        let func = ast::Expr {
            id: attribute_id,
            kind: ast::ExprKind::Attribute {
                value: Box::new(value),
                attr: "pop".to_string(),
            },
            span: target_span,
        };
        Ok(ast::StmtKind::Expr(ast::Expr {
            id: call_id,
            kind: ast::ExprKind::Call {
                func: Box::new(func),
                args: vec![key],
                keywords: Vec::new(),
            },
            span: target_span,
        }))
    }
}

/// The diagnostic for a statement outside the subset (those `stmt_kind` does not convert).
fn unsupported_stmt(stmt: &py::Stmt, span: Span) -> Diagnostic {
    let (message, hint) = match stmt {
        py::Stmt::FunctionDef(_) => (
            "a nested `def` inside a block is not supported",
            Some("define inner functions at the top level of the function body"),
        ),
        py::Stmt::AsyncFunctionDef(_) => ("async functions are not supported", None),
        py::Stmt::ClassDef(_) => ("classes are not supported", None),
        py::Stmt::Delete(_) => ("`del` is not supported", None),
        py::Stmt::TypeAlias(_) => ("`type` aliases are not supported", None),
        py::Stmt::AsyncFor(_) => ("`async for` is not supported", None),
        py::Stmt::With(_) => (
            "`with` statements are not supported, other than `with objmode(name='type', ...):`",
            Some(
                "run code that needs the Python interpreter in a `with objmode(...)` block, or \
                 in a plain Python function called before or after the jitted one",
            ),
        ),
        py::Stmt::AsyncWith(_) => ("`async with` is not supported", None),
        py::Stmt::Match(_) => (
            "`match` statements are not supported",
            Some("use if/elif/else"),
        ),
        py::Stmt::TryStar(_) => ("`try ... except*` is not supported", None),
        py::Stmt::Import(_) | py::Stmt::ImportFrom(_) => (
            "`import` inside a jitted function is not supported",
            Some("import at module level"),
        ),
        py::Stmt::Global(_) | py::Stmt::Nonlocal(_) => {
            ("`global`/`nonlocal` are not supported", None)
        }
        _ => ("this statement is not supported", None),
    };
    let diagnostic = Diagnostic::unsupported(message, span);
    match hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}
