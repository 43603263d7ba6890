//! `try` / `except` / `else` / `finally` for exceptions raised in the function itself.
//!
//! Every raise site knows its exception class when it is lowered (an explicit `raise`, or a
//! check such as an index or division by zero), so catching is decided at compile time: a raise
//! inside a `try` body whose class an `except` clause matches jumps to that handler instead of
//! leaving the function; `finally` bodies of the `try`s it leaves on the way run first. Calls of
//! other jitted functions and `prange` loops report their errors through the error slot after
//! the fact, so they are refused inside a `try` body rather than left uncaught.
//!
//! Matching follows the classes compiled code raises: a bare `except:`, `Exception` and
//! `BaseException` catch everything; `ArithmeticError` also catches `ZeroDivisionError` and
//! `OverflowError`; `LookupError` catches `IndexError`; a user-defined class catches raises of
//! that class (and its built-in base's clause catches it too).

use super::{LResult, Lowerer, unsupported};
use crate::function::Block;
use frontend::Span;
use frontend::ast::{ExceptHandler, Expr, ExprKind, Stmt, StmtKind};
use runtime::error::ExceptionKind;
use typeinfer::Resolution;

/// One enclosing `try` while its body is lowered.
pub(crate) struct TryScope {
    /// Per `except` clause: what it catches, and its block.
    handlers: Vec<(Vec<Catch>, Block)>,
    finalbody: Vec<Stmt>,
}

/// What one class of an `except` clause catches.
#[derive(Clone, Debug)]
enum Catch {
    All,
    /// This class and its subclasses among those compiled code raises.
    Kind(ExceptionKind),
    /// A user-defined class, by `module:qualname`.
    User(String),
    /// A class compiled code never raises (`KeyError`).
    Never,
}

impl Catch {
    fn of_class(name: &str) -> Catch {
        match name {
            "Exception" | "BaseException" => Catch::All,
            "LookupError" => Catch::Kind(ExceptionKind::IndexError),
            _ => {
                if let Some(kind) = ExceptionKind::from_name(name) {
                    return Catch::Kind(kind);
                }
                match name.split_once('(') {
                    Some((path, _)) => Catch::User(path.to_string()),
                    None => Catch::Never,
                }
            }
        }
    }

    fn catches(&self, kind: ExceptionKind, user: Option<&str>) -> bool {
        match self {
            Catch::All => true,
            Catch::Never => false,
            Catch::User(path) => user == Some(path.as_str()),
            Catch::Kind(k) => {
                *k == kind
                    || matches!(
                        (k, kind),
                        (
                            ExceptionKind::ArithmeticError,
                            ExceptionKind::ZeroDivisionError | ExceptionKind::OverflowError
                        )
                    )
            }
        }
    }
}

impl Lowerer<'_, '_> {
    pub(crate) fn lower_try(
        &mut self,
        body: &[Stmt],
        handlers: &[ExceptHandler],
        orelse: &[Stmt],
        finalbody: &[Stmt],
        span: Span,
    ) -> LResult<()> {
        if !finalbody.is_empty()
            && let Some(exit) = [body, orelse]
                .into_iter()
                .chain(handlers.iter().map(|h| h.body.as_slice()))
                .find_map(|b| leaves_block(b, true))
        {
            return Err(unsupported(
                "`return`, `break` or `continue` inside a `try` with a `finally` is not supported",
                exit,
            )
            .with_hint("set a flag and leave after the try statement"));
        }
        let mut scope = TryScope {
            handlers: Vec::new(),
            finalbody: finalbody.to_vec(),
        };
        for handler in handlers {
            let catches = match &handler.class {
                None => vec![Catch::All],
                Some(class) => self.catches_of(class),
            };
            scope.handlers.push((catches, self.create_block()));
        }
        let after = self.create_block();
        self.try_scopes.push(scope);
        let lowered = self.lower_body(body);
        let scope = self.try_scopes.pop().expect("pushed above");
        lowered?;
        if let Some(error) = self.deferred_error.take() {
            return Err(error);
        }
        self.lower_body(orelse)?;
        self.lower_body(finalbody)?;
        self.jump(after, &[]);
        for ((_, block), handler) in scope.handlers.iter().zip(handlers) {
            self.seal(*block);
            self.switch_to(*block);
            self.lower_body(&handler.body)?;
            self.lower_body(finalbody)?;
            self.jump(after, &[]);
        }
        self.seal(after);
        self.switch_to(after);
        let _ = span;
        Ok(())
    }

    fn catches_of(&self, class: &Expr) -> Vec<Catch> {
        if let ExprKind::Tuple(items) = &class.kind {
            return items.iter().flat_map(|i| self.catches_of(i)).collect();
        }
        match self.typed.resolutions.get(&class.id) {
            Some(Resolution::ExceptionClass(name)) => vec![Catch::of_class(name)],
            _ => vec![Catch::Never],
        }
    }

    /// Where a raise of `kind` (with `message`, which names a user-defined class if it has
    /// one) goes from here: the block of the handler that catches it, after the `finally`
    /// bodies of the `try`s left on the way have been lowered; `None` when it leaves the
    /// function (those `finally` bodies lowered too).
    pub(crate) fn raise_target(&mut self, kind: ExceptionKind, message: &str) -> Option<Block> {
        let user = runtime::error::split_user_class(message)
            .0
            .map(|(module, qualname)| format!("{module}:{qualname}"));
        let mut depth = self.try_scopes.len();
        while depth > 0 {
            let scope = &self.try_scopes[depth - 1];
            let caught = scope
                .handlers
                .iter()
                .find(|(catches, _)| catches.iter().any(|c| c.catches(kind, user.as_deref())))
                .map(|(_, block)| *block);
            if caught.is_some() {
                return caught;
            }
            if !scope.finalbody.is_empty() {
                // Leaving this `try`: its `finally` runs, with only the outer `try`s active.
                let mut inner = self.try_scopes.split_off(depth - 1);
                let finalbody = inner[0].finalbody.clone();
                if let Err(error) = self.lower_body(&finalbody) {
                    self.deferred_error.get_or_insert(error);
                }
                self.try_scopes.append(&mut inner);
            }
            depth -= 1;
        }
        None
    }

    /// Refuses what reports its errors only after the fact inside a `try` body.
    pub(crate) fn check_not_in_try(&self, what: &str, span: Span) -> LResult<()> {
        match self.try_scopes.is_empty() {
            true => Ok(()),
            false => Err(unsupported(
                format!("{what} inside a `try` body is not supported: its exceptions could not be caught"),
                span,
            )
            .with_hint("move it out of the try statement")),
        }
    }
}

/// The span of a statement in `body` that leaves it: a `return`, or (when `loops` is true, i.e.
/// not inside a loop of `body`) a `break`/`continue`.
fn leaves_block(body: &[Stmt], loops: bool) -> Option<Span> {
    body.iter().find_map(|stmt| match &stmt.kind {
        StmtKind::Return(_) => Some(stmt.span),
        StmtKind::Break | StmtKind::Continue if loops => Some(stmt.span),
        StmtKind::For { body, .. } | StmtKind::While { body, .. } => leaves_block(body, false),
        _ => stmt
            .kind
            .blocks()
            .into_iter()
            .find_map(|b| leaves_block(b, loops)),
    })
}
