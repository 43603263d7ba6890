//! `try` / `except` / `else` / `finally`.
//!
//! Every raise site of the function itself knows its exception class when it is lowered (an
//! explicit `raise`, or a check such as an index or division by zero), so catching it is
//! decided at compile time: a raise inside a `try` body whose class an `except` clause matches
//! jumps to that handler instead of leaving the function; `finally` bodies of the `try`s it
//! leaves on the way run first.
//!
//! A call of another jitted function inside a `try` body (`Op::CallCatch`) leaves the callee's
//! error in the slot; the caller reads its class tag (`runtime::error::error_tag`, stored by
//! every raise) and compares it with the enclosing clauses at run time
//! ([`Lowerer::catch_from_slot`]); a clause entered that way takes the error out of the slot
//! (`RuntimeFn::TakeError`), and an error no clause catches leaves the function with the slot
//! as it is. A bare `raise` (or `raise e` of `except ... as e`) in a clause re-raises what it
//! caught: the same raise again for a raise of this function (such a clause is lowered once
//! per raise site that reaches it, where the site is), the saved error put back for a callee's.
//! `prange` loops still report errors after the fact and are refused inside a `try` body.
//!
//! Matching follows the classes compiled code raises: a bare `except:`, `Exception` and
//! `BaseException` catch everything; `ArithmeticError` also catches `ZeroDivisionError` and
//! `OverflowError`; `LookupError` catches `IndexError`; a user-defined class catches raises of
//! that class (and its built-in base's clause catches it too).

use super::{LResult, Lowerer, unsupported};
use crate::function::{Block, IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{ExceptHandler, Expr, ExprKind, Stmt, StmtKind};
use runtime::error::{ExceptionKind, SAVED_ERROR_WORDS, kind_tag, user_class_hash};
use runtime::math::RuntimeFn;
use typeinfer::Resolution;

/// One enclosing `try` while its body is lowered.
pub(crate) struct TryScope {
    /// Per `except` clause: what it catches, and its block.
    handlers: Vec<(Vec<Catch>, Block)>,
    finalbody: Vec<Stmt>,
    /// The clauses themselves, for those lowered where they are entered.
    clauses: Vec<ExceptHandler>,
    /// Per clause: whether it re-raises what it caught (a bare `raise`).
    reraises: Vec<bool>,
    /// Per clause: its entry for an error in the slot (a callee's), made on first use.
    slot_entries: Vec<Option<Block>>,
    /// Where the `try` statement continues.
    after: Block,
}

/// What an `except` clause being lowered caught, for a bare `raise` in it.
#[derive(Clone)]
pub(crate) enum Caught {
    /// A raise of this function: its class, message and message arguments.
    Static {
        kind: ExceptionKind,
        message: String,
        args: Vec<Value>,
    },
    /// A callee's error, moved from the slot into this buffer (`RuntimeFn::TakeError`).
    Saved(Value),
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
        let after = self.create_block();
        let mut scope = TryScope {
            handlers: Vec::new(),
            finalbody: finalbody.to_vec(),
            clauses: handlers.to_vec(),
            reraises: handlers.iter().map(|h| reraises(&h.body)).collect(),
            slot_entries: vec![None; handlers.len()],
            after,
        };
        for handler in handlers {
            let catches = match &handler.class {
                None => vec![Catch::All],
                Some(class) => self.catches_of(class),
            };
            scope.handlers.push((catches, self.create_block()));
        }
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
        // Entries from the slot first: they jump into the shared handler blocks.
        for (index, entry) in scope.slot_entries.iter().enumerate() {
            let Some(entry) = *entry else { continue };
            self.seal(entry);
            self.switch_to(entry);
            let saved = self.saved_error_buffer();
            self.b.call_runtime(RuntimeFn::TakeError, &[saved]);
            if scope.reraises[index] {
                self.caught.push(Caught::Saved(saved));
                let lowered = self.lower_body(&handlers[index].body);
                self.caught.pop();
                lowered?;
                self.lower_body(finalbody)?;
                self.jump(after, &[]);
            } else {
                self.jump(scope.handlers[index].1, &[]);
            }
        }
        for (((_, block), handler), reraises) in
            scope.handlers.iter().zip(handlers).zip(&scope.reraises)
        {
            self.seal(*block);
            self.switch_to(*block);
            if !reraises {
                // (A re-raising clause is lowered where it is entered; this block is unused.)
                self.lower_body(&handler.body)?;
                self.lower_body(finalbody)?;
            }
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
    pub(crate) fn raise_target(
        &mut self,
        kind: ExceptionKind,
        message: &str,
        args: &[Value],
    ) -> Option<Block> {
        let user = runtime::error::split_user_class(message)
            .0
            .map(|(module, qualname)| format!("{module}:{qualname}"));
        let mut depth = self.try_scopes.len();
        while depth > 0 {
            let scope = &self.try_scopes[depth - 1];
            let caught = scope
                .handlers
                .iter()
                .position(|(catches, _)| catches.iter().any(|c| c.catches(kind, user.as_deref())));
            if let Some(index) = caught {
                if !scope.reraises[index] {
                    return Some(scope.handlers[index].1);
                }
                // A clause that re-raises: lowered here, knowing what it re-raises.
                let caught = Caught::Static {
                    kind,
                    message: message.to_string(),
                    args: args.to_vec(),
                };
                return Some(self.lower_clause_here(depth - 1, index, caught));
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

    /// Lowers clause `index` of the `try` at `depth` on the current path (with only the `try`s
    /// outside it active), then its `finally`; returns the block to jump to next.
    fn lower_clause_here(&mut self, depth: usize, index: usize, caught: Caught) -> Block {
        let mut inner = self.try_scopes.split_off(depth);
        let body = inner[0].clauses[index].body.clone();
        let finalbody = inner[0].finalbody.clone();
        let after = inner[0].after;
        self.caught.push(caught);
        let mut lowered = self.lower_body(&body);
        self.caught.pop();
        if lowered.is_ok() && !self.b.is_terminated() {
            lowered = self.lower_body(&finalbody);
        }
        if let Err(error) = lowered {
            self.deferred_error.get_or_insert(error);
        }
        self.try_scopes.append(&mut inner);
        if self.b.is_terminated() {
            self.continue_in_dead_block();
        }
        after
    }

    /// After a call that leaves its error in the slot (`Op::CallCatch`): if there is one, goes
    /// to the clause that catches it, or leaves the function with it.
    pub(crate) fn catch_from_slot(&mut self) {
        let tag = self.b.call_runtime(RuntimeFn::ErrorTag, &[]);
        let zero = self.b.iconst(Ty::I64, 0);
        let failed = self.b.icmp(IntCC::Ne, tag, zero);
        let raised = self.create_block();
        let ok = self.create_block();
        self.brif(failed, raised, ok);
        self.seal(raised);
        self.seal(ok);
        self.switch_to(raised);
        self.dispatch_slot_error(tag);
        self.switch_to(ok);
    }

    /// The error in the slot, whose tag is `tag` (nonzero), goes to the first enclosing clause
    /// that catches it (through the `finally` bodies of the `try`s left on the way), or leaves
    /// the function. Ends the current block.
    fn dispatch_slot_error(&mut self, tag: Value) {
        let low_byte = self.b.iconst(Ty::I64, 0xff);
        let kind_bits = self.b.binary(Op::Band, tag, low_byte);
        let eight = self.b.iconst(Ty::I64, 8);
        let shifted = self.b.binary(Op::Ushr, tag, eight);
        let user_mask = self.b.iconst(Ty::I64, 0x00ff_ffff);
        let user_bits = self.b.binary(Op::Band, shifted, user_mask);
        let mut depth = self.try_scopes.len();
        while depth > 0 {
            for index in 0..self.try_scopes[depth - 1].handlers.len() {
                let catches = self.try_scopes[depth - 1].handlers[index].0.clone();
                let mut condition = None;
                for catch in &catches {
                    let test = match catch {
                        // Any class (an objmode block's Python exception has none: tag 0).
                        Catch::All => {
                            let none = self.b.iconst(Ty::I64, 0);
                            self.b.icmp(IntCC::Ne, kind_bits, none)
                        }
                        Catch::Never => continue,
                        Catch::User(path) => {
                            let hash = self.b.iconst(Ty::I64, i64::from(user_class_hash(path)));
                            self.b.icmp(IntCC::Eq, user_bits, hash)
                        }
                        Catch::Kind(_) => {
                            let mut any = None;
                            for kind in ExceptionKind::ALL {
                                if catch.catches(kind, None) {
                                    let bits = self.b.iconst(Ty::I64, i64::from(kind_tag(kind)));
                                    let eq = self.b.icmp(IntCC::Eq, kind_bits, bits);
                                    any = Some(match any {
                                        None => eq,
                                        Some(prev) => self.b.binary(Op::Or, prev, eq),
                                    });
                                }
                            }
                            match any {
                                Some(v) => v,
                                None => continue,
                            }
                        }
                    };
                    condition = Some(match condition {
                        Some(prev) => self.b.binary(Op::Or, prev, test),
                        None => test,
                    });
                }
                match condition {
                    None => {}
                    Some(test) => {
                        let entry = self.slot_entry(depth - 1, index);
                        let next = self.create_block();
                        self.brif(test, entry, next);
                        self.seal(next);
                        self.switch_to(next);
                    }
                }
            }
            let finalbody = self.try_scopes[depth - 1].finalbody.clone();
            if !finalbody.is_empty() {
                // Leaving this `try`: its `finally` runs with the error set aside, so that its
                // own calls see a clean slot.
                let saved = self.saved_error_buffer();
                self.b.call_runtime(RuntimeFn::TakeError, &[saved]);
                let mut inner = self.try_scopes.split_off(depth - 1);
                if let Err(error) = self.lower_body(&finalbody) {
                    self.deferred_error.get_or_insert(error);
                }
                self.try_scopes.append(&mut inner);
                if self.b.is_terminated() {
                    return;
                }
                self.b.call_runtime(RuntimeFn::RestoreError, &[saved]);
            }
            depth -= 1;
        }
        self.return_with_error();
    }

    /// The block clause `index` of the `try` at `depth` is entered by from the slot.
    fn slot_entry(&mut self, depth: usize, index: usize) -> Block {
        if let Some(block) = self.try_scopes[depth].slot_entries[index] {
            return block;
        }
        let block = self.create_block();
        self.try_scopes[depth].slot_entries[index] = Some(block);
        block
    }

    /// Leaves the function with the error in the slot (results are zeros; callers look at the
    /// slot first).
    fn return_with_error(&mut self) {
        let zeros: Vec<Value> = self
            .b
            .func
            .returns
            .clone()
            .into_iter()
            .map(|ty| match ty {
                Ty::Bool => self.b.bconst(false),
                Ty::F32 | Ty::F64 => self.b.fconst(ty, 0.0),
                _ => self.b.iconst(ty, 0),
            })
            .collect();
        self.b.ret(&zeros);
    }

    /// Stack room for an error taken out of the slot.
    fn saved_error_buffer(&mut self) -> Value {
        let bytes = (SAVED_ERROR_WORDS * 8) as u32;
        self.b.ins(Op::StackSlot(bytes), &[], Ty::Ptr)
    }

    /// A bare `raise` (or `raise e` of the clause's `as e`): raises again what the innermost
    /// clause being lowered caught.
    pub(crate) fn reraise(&mut self, span: Span) -> LResult<()> {
        match self.caught.last().cloned() {
            None => Err(unsupported(
                "a bare `raise` outside an `except` clause is not supported",
                span,
            )),
            Some(Caught::Static {
                kind,
                message,
                args,
            }) => {
                self.raise(kind, message, span, &args);
                Ok(())
            }
            Some(Caught::Saved(saved)) => {
                self.b.call_runtime(RuntimeFn::RestoreError, &[saved]);
                let tag = self.b.call_runtime(RuntimeFn::ErrorTag, &[]);
                self.dispatch_slot_error(tag);
                self.continue_in_dead_block();
                Ok(())
            }
        }
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

/// True if `body` has a bare `raise` (outside the clauses of `try`s nested in it, which
/// re-raise their own exception).
fn reraises(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match &stmt.kind {
        StmtKind::Raise(None) => true,
        StmtKind::Try {
            body,
            orelse,
            finalbody,
            ..
        } => reraises(body) || reraises(orelse) || reraises(finalbody),
        _ => stmt.kind.blocks().into_iter().any(reraises),
    })
}
