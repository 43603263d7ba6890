//! `for ... else` and `while ... else`, rewritten with a flag while converting:
//!
//! ```text
//! for x in it:            $broke1 = False
//!     ...break...    →    for x in it:
//! else:                       ...$broke1 = True; break...
//!     tail                if not $broke1:
//!                             tail
//! ```
//!
//! The flag's name cannot clash with a Python name. Only the `break`s of the loop itself set
//! it (a nested loop pushes its own entry on `Converter::loop_flags`). Ids are taken in the
//! order the statements are emitted, so they keep following the pre-order of `walk_exprs`.

use super::Converter;
use crate::ast::{self, ExprKind, StmtKind};
use crate::diagnostic::Result;
use crate::span::Span;
use rustpython_parser::ast as py;

impl Converter<'_> {
    /// Converts a loop body; `break` sets `flag` when given.
    pub(super) fn loop_body(
        &mut self,
        body: &[py::Stmt],
        flag: Option<String>,
    ) -> Result<Vec<ast::Stmt>> {
        self.loop_flags.push(flag);
        let converted = self.block(body);
        self.loop_flags.pop();
        converted
    }

    /// `loop` (a `for` or `while` with a non-empty `orelse`) as the three statements above.
    pub(super) fn loop_with_else(
        &mut self,
        stmt: &py::Stmt,
        body: &[py::Stmt],
        orelse: &[py::Stmt],
        span: Span,
        out: &mut Vec<ast::Stmt>,
    ) -> Result<()> {
        self.else_loops += 1;
        let flag = format!("$broke{}", self.else_loops);
        out.push(self.set_flag(&flag, false, span));
        let kind = match stmt {
            py::Stmt::For(s) => {
                let target = self.target(&s.target)?;
                StmtKind::For {
                    target,
                    iter: self.expr(&s.iter)?,
                    body: self.loop_body(body, Some(flag.clone()))?,
                }
            }
            py::Stmt::While(s) => StmtKind::While {
                test: self.expr(&s.test)?,
                body: self.loop_body(body, Some(flag.clone()))?,
            },
            _ => unreachable!("only loops have an else clause"),
        };
        out.push(ast::Stmt { kind, span });
        let not_id = self.fresh_id();
        let name = self.name(&flag, span);
        let test = ast::Expr {
            id: not_id,
            kind: ExprKind::UnaryOp {
                op: ast::UnaryOp::Not,
                operand: Box::new(name),
            },
            span,
        };
        let orelse = self.block(orelse)?;
        out.push(ast::Stmt {
            kind: StmtKind::If {
                test,
                body: orelse,
                orelse: Vec::new(),
            },
            span,
        });
        Ok(())
    }

    /// A `break` of a loop with an `else` clause: set the flag, then break.
    pub(super) fn flagged_break(&mut self, stmt: &py::Stmt, out: &mut Vec<ast::Stmt>) {
        let span = self.span(stmt);
        let Some(Some(flag)) = self.loop_flags.last().cloned() else {
            return;
        };
        out.push(self.set_flag(&flag, true, span));
        out.push(ast::Stmt {
            kind: StmtKind::Break,
            span,
        });
    }

    fn set_flag(&mut self, flag: &str, value: bool, span: Span) -> ast::Stmt {
        let target = self.name(flag, span);
        let value = ast::Expr {
            id: self.fresh_id(),
            kind: ExprKind::Bool(value),
            span,
        };
        ast::Stmt {
            kind: StmtKind::Assign {
                targets: vec![target],
                value,
            },
            span,
        }
    }

    fn name(&mut self, name: &str, span: Span) -> ast::Expr {
        ast::Expr {
            id: self.fresh_id(),
            kind: ExprKind::Name(name.to_string()),
            span,
        }
    }
}
