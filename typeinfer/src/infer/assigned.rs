//! Definite assignment: every read of a local must follow an assignment on every path to it.
//!
//! Type inference itself is flow-insensitive (a variable has one type), so this separate pass
//! walks the statements in order with the set of locals certainly assigned, as Python's rules
//! would raise `UnboundLocalError` otherwise: a name assigned in only one branch of an `if`, or
//! only inside a loop body (which may run zero times), is possibly unassigned after it. Inside
//! a loop body, a variable the body assigns counts as assigned, since an earlier iteration may
//! have assigned it (`if i > 0: use(prev)` ... `prev = x`); ferrojit does not track iterations,
//! so a read on the first iteration gives an unspecified value where Python would raise.
//! A `for` loop's target counts as assigned after the loop (see `StmtKind::For` below).
//! `while True` loops run at least once: after them, what every `break` had assigned is. Code after
//! `return`, `raise`, `break` or `continue` is unreachable and not checked.

use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind, Stmt, StmtKind, walk_expr};
use std::collections::HashSet;

/// The locals certainly assigned at a point; `None` where the point is unreachable.
type State = Option<HashSet<String>>;

/// Checks `body` given the parameters (assigned on entry) and the function's locals.
pub(super) fn check(
    params: impl IntoIterator<Item = String>,
    body: &[Stmt],
    locals: &HashSet<String>,
) -> Result<(), Diagnostic> {
    let mut check = Check {
        locals,
        breaks: Vec::new(),
        checking: true,
    };
    check.block(body, Some(params.into_iter().collect()))?;
    Ok(())
}

struct Check<'a> {
    locals: &'a HashSet<String>,
    /// For each enclosing loop, the states at its `break`s.
    breaks: Vec<Vec<State>>,
    /// Whether reads are checked (not while a loop body is walked again for its `break`s).
    checking: bool,
}

fn meet(a: State, b: State) -> State {
    match (a, b) {
        (None, s) | (s, None) => s,
        (Some(a), Some(b)) => Some(a.intersection(&b).cloned().collect()),
    }
}

fn bind(state: &mut State, target: &Expr) {
    let Some(set) = state else { return };
    match &target.kind {
        ExprKind::Name(name) => {
            set.insert(name.clone());
        }
        ExprKind::Tuple(items) => {
            for item in items {
                bind(state, item);
            }
        }
        _ => {}
    }
}

impl Check<'_> {
    fn block(&mut self, body: &[Stmt], mut state: State) -> Result<State, Diagnostic> {
        for stmt in body {
            state = self.stmt(stmt, state)?;
        }
        Ok(state)
    }

    /// Every local `e` reads must be assigned in `state`.
    fn reads(&self, e: &Expr, state: &State) -> Result<(), Diagnostic> {
        let Some(assigned) = state.as_ref().filter(|_| self.checking) else {
            return Ok(());
        };
        // A comprehension's loop variables are bound by the comprehension itself.
        let mut comprehension_bound = HashSet::new();
        walk_expr(e, &mut |sub| {
            if let ExprKind::ListComp { generators, .. } = &sub.kind {
                for g in generators {
                    let mut bound = Some(HashSet::new());
                    bind(&mut bound, &g.target);
                    comprehension_bound.extend(bound.unwrap_or_default());
                }
            }
        });
        let mut unassigned = None;
        walk_expr(e, &mut |sub| {
            if let ExprKind::Name(name) = &sub.kind
                && unassigned.is_none()
                && self.locals.contains(name)
                && !assigned.contains(name)
                && !comprehension_bound.contains(name)
            {
                unassigned = Some((name.clone(), sub.span));
            }
        });
        match unassigned {
            None => Ok(()),
            Some((name, span)) => {
                let message = format!("variable '{name}' may be used before it is assigned");
                let hint = "assign it on every path that reaches this point, e.g. give it an \
                            initial value before the `if` or loop (Python would raise \
                            UnboundLocalError)";
                Err(Diagnostic::typing(message, span).with_hint(hint))
            }
        }
    }

    /// The reads of an assignment target: a subscript's base and index, not a bound name.
    fn target_reads(&self, target: &Expr, state: &State) -> Result<(), Diagnostic> {
        match &target.kind {
            ExprKind::Name(_) => Ok(()),
            ExprKind::Tuple(items) => items.iter().try_for_each(|t| self.target_reads(t, state)),
            _ => self.reads(target, state),
        }
    }

    fn stmt(&mut self, stmt: &Stmt, mut state: State) -> Result<State, Diagnostic> {
        match &stmt.kind {
            StmtKind::Assign { targets, value } => {
                self.reads(value, &state)?;
                for target in targets {
                    self.target_reads(target, &state)?;
                    bind(&mut state, target);
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.reads(target, &state)?;
                self.reads(value, &state)?;
            }
            StmtKind::For { target, iter, body } => {
                self.reads(iter, &state)?;
                let mut inside = state.clone();
                bind(&mut inside, target);
                self.loop_body(body, inside, false)?;
                // The body may run zero times, but its target stays readable after the loop
                // (`for its in range(n): ...` then `return its`), as real kernels do; after a
                // loop that ran zero times it reads as zero where Python would raise.
                bind(&mut state, target);
            }
            StmtKind::While { test, body } => {
                self.reads(test, &state)?;
                let always = super::is_always_true(test);
                let breaks = self.loop_body(body, state.clone(), always)?;
                if always {
                    state = breaks.into_iter().fold(None, meet);
                }
            }
            StmtKind::If { test, body, orelse } => {
                self.reads(test, &state)?;
                let then = self.block(body, state.clone())?;
                let other = self.block(orelse, state)?;
                state = meet(then, other);
            }
            StmtKind::Return(value) => {
                if let Some(v) = value {
                    self.reads(v, &state)?;
                }
                state = None;
            }
            StmtKind::Raise(exc) => {
                if let Some(e) = exc {
                    self.reads(e, &state)?;
                }
                state = None;
            }
            StmtKind::Expr(e) => self.reads(e, &state)?,
            StmtKind::Assert { test, msg } => {
                self.reads(test, &state)?;
                if let Some(m) = msg {
                    self.reads(m, &state)?;
                }
            }
            StmtKind::Break => {
                if let Some(breaks) = self.breaks.last_mut() {
                    breaks.push(state);
                }
                state = None;
            }
            StmtKind::Continue => state = None,
            StmtKind::Pass => {}
            StmtKind::ObjMode(block) => {
                if let Some(set) = &mut state {
                    set.extend(block.outputs.iter().map(|o| o.name.clone()));
                }
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                // A handler may run after any part of the body: it can count only on what was
                // assigned before the `try`.
                let entry = state.clone();
                let after_body = self.block(body, state)?;
                let mut merged = self.block(orelse, after_body)?;
                for handler in handlers {
                    if let Some(class) = &handler.class {
                        self.reads(class, &entry)?;
                    }
                    let after = self.block(&handler.body, entry.clone())?;
                    merged = meet(merged, after);
                }
                // `finally` also runs when an exception leaves the `try`.
                let checking = self.checking;
                self.block(finalbody, meet(merged.clone(), entry))?;
                self.checking = false;
                let after = self.block(finalbody, merged);
                self.checking = checking;
                state = after?;
            }
        }
        Ok(state)
    }

    /// Checks a loop body entered with `state`; returns the states at its `break`s when
    /// `want_breaks` (only `while True` needs them).
    ///
    /// The reads are checked in one walk with the body's own assignments seeded; the `break`
    /// states need a second walk without them, which is done only when asked for and never
    /// nested inside another unchecked walk, so the work stays linear in the loop depth (two
    /// walks per level made 20 nested loops take seconds to compile).
    fn loop_body(
        &mut self,
        body: &[Stmt],
        state: State,
        want_breaks: bool,
    ) -> Result<Vec<State>, Diagnostic> {
        if self.checking {
            // Reads: a variable the body assigns may hold the value of an earlier iteration.
            let mut seeded = state.clone();
            if let Some(set) = &mut seeded {
                bound_in(body, set);
            }
            self.breaks.push(Vec::new());
            let checked = self.block(body, seeded);
            self.breaks.pop();
            checked?;
        }
        if !want_breaks {
            return Ok(Vec::new());
        }
        // What is assigned at each `break`: only what this iteration (or the code before the
        // loop) assigned, so the body runs again without checking reads.
        let checking = std::mem::replace(&mut self.checking, false);
        self.breaks.push(Vec::new());
        let result = self.block(body, state);
        let breaks = self.breaks.pop().unwrap_or_default();
        self.checking = checking;
        result.map(|_| breaks)
    }
}

/// Names that a statement of `body` binds outright (an `=` or a `for` target, not `+=`, which
/// needs a value already).
fn bound_in(body: &[Stmt], out: &mut HashSet<String>) {
    for stmt in body {
        let mut state = Some(std::mem::take(out));
        match &stmt.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| bind(&mut state, t)),
            StmtKind::For { target, .. } => bind(&mut state, target),
            StmtKind::ObjMode(block) => {
                if let Some(set) = &mut state {
                    set.extend(block.outputs.iter().map(|o| o.name.clone()));
                }
            }
            _ => {}
        }
        *out = state.unwrap_or_default();
        for block in stmt.kind.blocks() {
            bound_in(block, out);
        }
    }
}
