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
//! Invariant: a split is made only where no two of the variable's values can meet. Every
//! assignment of the variable is a top-level statement of one statement list `B` (the
//! function's body, or a loop's or branch's body), no inner function or `objmode` block
//! mentions it, and no statement both assigns it and reads it in a target. When `B` is not the
//! function's body, the variable is also mentioned nowhere outside `B`, and the first statement
//! of `B` that mentions it assigns it without reading it: each run of `B` (each iteration of a
//! loop) starts by giving it a value, so no value reaches `B`'s start or leaves `B`. Each read
//! then has exactly one reaching assignment, the latest top-level one before it in `B`, and
//! reads that version.

use crate::none_args::{binds, replace_reads_with};
use frontend::ast::{Expr, ExprKind, Function, Stmt, StmtKind, walk_expr, walk_exprs};

/// `func` with the assignments of `name` split into versions as above; `None` when the
/// invariant does not allow it or there is nothing to split.
pub(crate) fn split_variable(func: &Function, name: &str) -> Option<Function> {
    let in_inner = func.inner_functions.iter().any(|inner| {
        count_mentions(&inner.body, name) > 0 || inner.params.iter().any(|p| p.name == name)
    });
    if in_inner || in_objmode(&func.body, name) {
        return None;
    }
    let site = Site {
        name,
        assignments: count_assignments(&func.body, name),
        mentions: count_mentions(&func.body, name),
        is_param: func.params.iter().any(|p| p.name == name),
    };
    let mut func = func.clone();
    site.split_in(&mut func.body, true).then_some(func)
}

/// The variable being split and its counts over the whole function.
struct Site<'n> {
    name: &'n str,
    assignments: usize,
    mentions: usize,
    is_param: bool,
}

impl Site<'_> {
    /// Splits the variable in `block` if `block` is the statement list `B` of the module doc,
    /// else looks for `B` among the blocks nested in it. True once split.
    fn split_in(&self, block: &mut [Stmt], is_function_body: bool) -> bool {
        let here = block
            .iter()
            .filter(|s| assigns_at_top(s, self.name))
            .count();
        if here > 0 && here == self.assignments {
            let allowed = block.iter().all(|s| plain_targets(s, self.name))
                && (is_function_body
                    || (count_mentions(block, self.name) == self.mentions
                        && starts_with_definition(block, self.name)));
            return allowed && split_block(block, self.name, is_function_body && self.is_param);
        }
        block.iter_mut().any(|stmt| {
            stmt.kind
                .blocks_mut()
                .into_iter()
                .any(|nested| self.split_in(nested, false))
        })
    }
}

/// Renames the assignments of `name` at the top level of `block` after the first (or every
/// one, when `defined` on entry: a parameter) to `name.1`, `name.2`, … and each read to the
/// version current there. True if any version was made.
fn split_block(block: &mut [Stmt], name: &str, mut defined: bool) -> bool {
    let mut current = name.to_string();
    let mut versions = 0;
    for stmt in block.iter_mut() {
        let StmtKind::Assign { targets, value } = &mut stmt.kind else {
            // (`x += v` at the top level updates the version current there.)
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
    versions > 0
}

/// `stmt` is an assignment or augmented assignment of `name` (as a whole target).
fn assigns_at_top(stmt: &Stmt, name: &str) -> bool {
    match &stmt.kind {
        StmtKind::Assign { targets, .. } => targets.iter().any(|t| binds(t, name)),
        StmtKind::AugAssign { target, .. } => binds(target, name),
        _ => false,
    }
}

/// An assignment binding `name` reads it in none of its targets (`x, x[0] = ...`).
fn plain_targets(stmt: &Stmt, name: &str) -> bool {
    match &stmt.kind {
        StmtKind::Assign { targets, .. } if targets.iter().any(|t| binds(t, name)) => {
            targets.iter().all(|t| binds_plainly(t, name))
        }
        _ => true,
    }
}

/// The first statement of `block` that mentions `name` assigns it without reading it.
fn starts_with_definition(block: &[Stmt], name: &str) -> bool {
    let Some(first) = block
        .iter()
        .find(|s| count_mentions(std::slice::from_ref(*s), name) > 0)
    else {
        return false;
    };
    match &first.kind {
        StmtKind::Assign { targets, value } => {
            targets.iter().any(|t| binds(t, name))
                && !mentions(value, name)
                && targets.iter().all(|t| binds_plainly(t, name))
        }
        _ => false,
    }
}

/// How many statements of `body`, nested ones too, assign `name`.
fn count_assignments(body: &[Stmt], name: &str) -> usize {
    body.iter()
        .map(|stmt| {
            let here = match &stmt.kind {
                StmtKind::For { target, .. } => binds(target, name),
                StmtKind::Try { handlers, .. } => {
                    handlers.iter().any(|h| h.name.as_deref() == Some(name))
                }
                _ => assigns_at_top(stmt, name),
            };
            usize::from(here)
                + stmt
                    .kind
                    .blocks()
                    .into_iter()
                    .map(|b| count_assignments(b, name))
                    .sum::<usize>()
        })
        .sum()
}

/// How many expressions of `body` (nested statements too) are the name `name`.
fn count_mentions(body: &[Stmt], name: &str) -> usize {
    let mut count = 0;
    walk_exprs(body, &mut |e| count += usize::from(is_name(e, name)));
    count
}

/// Whether an `objmode` block in `body` (nested too) mentions `name`.
fn in_objmode(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|stmt| match &stmt.kind {
        StmtKind::ObjMode(block) => block.names.iter().any(|n| n == name),
        kind => kind.blocks().into_iter().any(|b| in_objmode(b, name)),
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

/// Renames every read of `name` in `stmt` (nested blocks too; `Site::split_in` made sure none of
/// them assigns it) to `to`.
fn rename_reads(stmt: &mut Stmt, name: &str, to: &str) {
    if name == to {
        return;
    }
    let with = ExprKind::Name(to.to_string());
    for expr in stmt.kind.own_exprs_mut() {
        replace_reads_with(expr, name, &with);
    }
    for block in stmt.kind.blocks_mut() {
        block.iter_mut().for_each(|s| rename_reads(s, name, to));
    }
}
