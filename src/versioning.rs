//! A variable given values of different types one after the other in straight-line code:
//!
//! ```text
//! hist, edges = np.histogram(a, bins)
//! hist = hist.astype(np.float64)      # int64 array, then float64 array
//! ```
//!
//! Numba's SSA form makes each assignment a new variable, so this compiles there. ferrojit
//! gives a variable one type, so the driver, when typing fails with "incompatible types" for a
//! variable ([`typeinfer::incompatible_variable`]), asks [`split_variable`] for a copy of the
//! function in which each assignment of that variable starts a new one (`hist`, `hist.1`,
//! `hist.2`, … as Numba's IR names them) and types that instead. Every other function keeps its
//! variables (and their names in dumps) as written.
//!
//! Invariant: a split is made only where no two of the variable's values can meet: every
//! assignment of it is a top-level statement of the function (not inside a loop, branch or
//! `try`), no inner function or `objmode` block mentions it, and no statement both assigns it
//! and reads it in a target. Each read then has exactly one reaching assignment, the latest
//! top-level one before it, and reads that version.

use crate::none_args::{binds, replace_reads_with};
use frontend::ast::{Expr, ExprKind, Function, Stmt, StmtKind, walk_expr, walk_exprs};

/// `func` with the assignments of `name` split into versions as above; `None` when the
/// invariant does not allow it or there is nothing to split.
pub(crate) fn split_variable(func: &Function, name: &str) -> Option<Function> {
    if !splittable(func, name) {
        return None;
    }
    let mut func = func.clone();
    let mut defined = func.params.iter().any(|p| p.name == name);
    let mut current = name.to_string();
    let mut versions = 0;
    for stmt in &mut func.body {
        let StmtKind::Assign { targets, value } = &mut stmt.kind else {
            rename_reads(stmt, name, &current);
            continue;
        };
        let reads_current = ExprKind::Name(current.clone());
        replace_reads_with(value, name, &reads_current);
        if !targets.iter().any(|t| binds(t, name)) {
            for target in targets.iter_mut() {
                replace_reads_with(target, name, &reads_current);
            }
            continue;
        }
        if defined {
            versions += 1;
            current = format!("{name}.{versions}");
        }
        defined = true;
        for target in targets.iter_mut() {
            rename_binding(target, name, &current);
        }
    }
    (versions > 0).then_some(func)
}

/// Whether the module doc's invariant holds for `name` in `func`.
fn splittable(func: &Function, name: &str) -> bool {
    let top_level_only = func.body.iter().all(|stmt| match &stmt.kind {
        StmtKind::Assign { targets, .. } => {
            // A target that binds `name` is a name or a tuple of names; no other target of
            // the statement may read `name` (`x, x[0] = ...`).
            !targets.iter().any(|t| binds(t, name))
                || targets
                    .iter()
                    .all(|t| binds_plainly(t, name) || !mentions(t, name))
        }
        // `x += v` at the top level updates the version current there.
        StmtKind::AugAssign { .. } => true,
        _ => !assigns_anywhere(std::slice::from_ref(stmt), name),
    });
    top_level_only
        && !func.inner_functions.iter().any(|inner| {
            let mut seen = false;
            walk_exprs(&inner.body, &mut |e| seen |= is_name(e, name));
            seen || inner.params.iter().any(|p| p.name == name)
        })
}

/// Whether any statement of `body`, nested ones too, assigns `name` (or an `objmode` block
/// mentions it).
fn assigns_anywhere(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|stmt| {
        let here = match &stmt.kind {
            StmtKind::Assign { targets, .. } => targets.iter().any(|t| binds(t, name)),
            StmtKind::AugAssign { target, .. } => binds(target, name),
            StmtKind::For { target, .. } => binds(target, name),
            StmtKind::Try { handlers, .. } => {
                handlers.iter().any(|h| h.name.as_deref() == Some(name))
            }
            StmtKind::ObjMode(block) => block.names.iter().any(|n| n == name),
            _ => false,
        };
        here || stmt
            .kind
            .blocks()
            .into_iter()
            .any(|b| assigns_anywhere(b, name))
    })
}

/// A target that is `name`, or a tuple of targets each a plain name or such a tuple.
fn binds_plainly(target: &Expr, name: &str) -> bool {
    match &target.kind {
        ExprKind::Name(_) => true,
        ExprKind::Tuple(items) => items.iter().all(|t| binds_plainly(t, name)),
        _ => !mentions(target, name),
    }
}

fn mentions(expr: &Expr, name: &str) -> bool {
    let mut seen = false;
    walk_expr(expr, &mut |e| seen |= is_name(e, name));
    seen
}

fn is_name(expr: &Expr, name: &str) -> bool {
    matches!(&expr.kind, ExprKind::Name(n) if n == name)
}

/// Renames the binding occurrences of `name` in assignment target `target` to `to`.
fn rename_binding(target: &mut Expr, name: &str, to: &str) {
    match &mut target.kind {
        ExprKind::Name(n) if n == name => *n = to.to_string(),
        ExprKind::Tuple(items) => items.iter_mut().for_each(|t| rename_binding(t, name, to)),
        _ => {}
    }
}

/// Renames every read of `name` in `stmt` (nested blocks too; `splittable` made sure none of
/// them assigns it) to `to`.
fn rename_reads(stmt: &mut Stmt, name: &str, to: &str) {
    if name == to {
        return;
    }
    let with = ExprKind::Name(to.to_string());
    let reads = |e: &mut Expr| replace_reads_with(e, name, &with);
    match &mut stmt.kind {
        StmtKind::Assign { targets, value } => {
            reads(value);
            targets.iter_mut().for_each(reads);
        }
        StmtKind::AugAssign { target, value, .. } => {
            reads(value);
            reads(target);
        }
        StmtKind::For { target, iter, body } => {
            reads(iter);
            reads(target);
            body.iter_mut().for_each(|s| rename_reads(s, name, to));
        }
        StmtKind::While { test, body } => {
            reads(test);
            body.iter_mut().for_each(|s| rename_reads(s, name, to));
        }
        StmtKind::If { test, body, orelse } => {
            reads(test);
            body.iter_mut()
                .chain(orelse.iter_mut())
                .for_each(|s| rename_reads(s, name, to));
        }
        StmtKind::Return(Some(e)) | StmtKind::Expr(e) | StmtKind::Raise(Some(e)) => reads(e),
        StmtKind::Assert { test, msg } => {
            reads(test);
            if let Some(m) = msg {
                reads(m);
            }
        }
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            for handler in handlers.iter_mut() {
                if let Some(class) = &mut handler.class {
                    reads(class);
                }
                handler
                    .body
                    .iter_mut()
                    .for_each(|s| rename_reads(s, name, to));
            }
            body.iter_mut()
                .chain(orelse.iter_mut())
                .chain(finalbody.iter_mut())
                .for_each(|s| rename_reads(s, name, to));
        }
        StmtKind::ObjMode(_)
        | StmtKind::Return(None)
        | StmtKind::Raise(None)
        | StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Pass => {}
    }
}
