//! Freeing a loop iteration's temporaries: when nothing an iteration allocates can outlive it,
//! the iteration takes an arena mark when it starts (`RuntimeFn::ArenaMark`) and releases
//! everything allocated since at its end (`RuntimeFn::ArenaRelease`), so a loop that creates a
//! temporary array per iteration runs in constant memory.
//!
//! "Cannot outlive it" is decided on the source, conservatively: the body may allocate (an
//! array-producing call or operation), and every variable the
//! body assigns that may hold an array is used nowhere outside the body and is written before
//! it is read in each iteration, and the body uses no list that may hold arrays (its first mention, in source order, is a plain assignment at
//! the body's top level, or it is the loop's target). A `break` or `return` skips the release;
//! what that iteration allocated is freed with the call.
//!
//! Likewise a function that returns no array frees its temporaries when it returns
//! ([`release_temporaries_at_return`]): a helper called 5,000 times that makes two temporary
//! arrays per call runs in the memory of one call, not of all of them.

use super::Lowerer;
use crate::function::{Function, Op, Ty, Value};
use frontend::ast::{Expr, ExprKind, Stmt, StmtKind, walk_expr, walk_exprs};
use runtime::math::RuntimeFn;
use std::collections::HashMap;
use typeinfer::Type;

/// How often each name appears in `body` (reads and writes).
pub(crate) fn count_names(body: &[Stmt], extra: Option<&Expr>) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    let mut count = |e: &Expr| {
        if let ExprKind::Name(n) = &e.kind {
            *counts.entry(n.clone()).or_insert(0) += 1;
        }
    };
    if let Some(e) = extra {
        walk_expr(e, &mut count);
    }
    walk_exprs(body, &mut count);
    counts
}

fn holds_array(ty: &Type) -> bool {
    match ty {
        Type::Array { .. } => true,
        Type::Tuple(items) => items.iter().any(holds_array),
        Type::List { item, .. } => holds_array(item),
        Type::Dict { value, .. } => holds_array(value),
        Type::Optional(inner) => holds_array(inner),
        _ => false,
    }
}

fn mentions(e: &Expr, name: &str) -> bool {
    let mut found = false;
    walk_expr(e, &mut |x| {
        if matches!(&x.kind, ExprKind::Name(n) if n == name) {
            found = true;
        }
    });
    found
}

fn binds(target: &Expr, name: &str) -> bool {
    match &target.kind {
        ExprKind::Name(n) => n == name,
        ExprKind::Tuple(items) => items.iter().any(|t| binds(t, name)),
        _ => false,
    }
}

/// True if the first mention of `name` in `body` is a top-level `name = value` (with `value`
/// not mentioning it).
fn written_first(body: &[Stmt], name: &str) -> bool {
    for stmt in body {
        if let StmtKind::Assign { targets, value } = &stmt.kind
            && targets.iter().any(|t| binds(t, name))
            && !mentions(value, name)
        {
            return true;
        }
        let mut mentioned = false;
        walk_exprs(std::slice::from_ref(stmt), &mut |x| {
            if matches!(&x.kind, ExprKind::Name(n) if n == name) {
                mentioned = true;
            }
        });
        if mentioned {
            return false;
        }
    }
    false
}

/// Names (re)bound in `body`: assignment and `for` targets, nested statements included.
/// Augmented assignments of arrays update in place and do not rebind.
fn bound_names(body: &[Stmt], out: &mut Vec<String>) {
    fn collect(target: &Expr, out: &mut Vec<String>) {
        match &target.kind {
            ExprKind::Name(n) => out.push(n.clone()),
            ExprKind::Tuple(items) => items.iter().for_each(|t| collect(t, out)),
            _ => {}
        }
    }
    for stmt in body {
        match &stmt.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| collect(t, out)),
            StmtKind::For { target, body, .. } => {
                collect(target, out);
                bound_names(body, out);
            }
            StmtKind::While { body, .. } => bound_names(body, out),
            StmtKind::If { body, orelse, .. } => {
                bound_names(body, out);
                bound_names(orelse, out);
            }
            StmtKind::Try { .. } => {
                for block in stmt.kind.blocks() {
                    bound_names(block, out);
                }
            }
            _ => {}
        }
    }
}

/// True if `body` (nested blocks too) has an objmode block: its outputs are assigned without
/// an assignment statement, so the loop's arrays are not known to stay in an iteration.
fn contains_objmode(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| {
        matches!(stmt.kind, StmtKind::ObjMode(_))
            || stmt.kind.blocks().into_iter().any(contains_objmode)
    })
}

impl Lowerer<'_, '_> {
    /// Whether an iteration of the loop `for target in ...: body` (or `while ...: body`,
    /// `target` `None`) may free what it allocated when it ends (see the module doc).
    pub(crate) fn iteration_scoped_allocations(
        &self,
        target: Option<&Expr>,
        body: &[Stmt],
    ) -> bool {
        let mut allocates = false;
        walk_exprs(body, &mut |e| allocates |= self.may_allocate(e));
        allocates && self.arrays_stay_in_iteration(target, body)
    }

    /// Whether no array value made in one iteration of the loop can be used after it: every
    /// variable the body assigns that may hold an array is used only inside the body and is
    /// written before it is read. Then a view built in the loop may reuse one stack
    /// descriptor per site; otherwise each view gets its own descriptor in the arena (a view
    /// kept from the previous iteration, `prev = row`, must not change when the site runs
    /// again).
    pub(crate) fn arrays_stay_in_iteration(&self, target: Option<&Expr>, body: &[Stmt]) -> bool {
        // A list that may hold arrays, used in the body, may receive one made there.
        let mut touches_array_list = false;
        walk_exprs(body, &mut |e| {
            touches_array_list |= matches!(
                self.typed.expr_type(e.id),
                Some(ty @ (Type::List { .. } | Type::Dict { .. })) if holds_array(ty)
            );
        });
        if touches_array_list || contains_objmode(body) {
            return false;
        }
        let inside = count_names(body, target);
        let mut names = Vec::new();
        bound_names(body, &mut names);
        names.into_iter().all(|name| {
            let Some(ty) = self.typed.var_types.get(&name) else {
                return true;
            };
            if !holds_array(ty) {
                return true;
            }
            let everywhere = self.name_refs.get(&name).copied().unwrap_or(0);
            inside.get(&name).copied().unwrap_or(0) == everywhere
                && (target.is_some_and(|t| binds(t, &name)) || written_first(body, &name))
        })
    }

    /// True if evaluating `e` (itself, not its operands) may allocate arena memory: an
    /// operation or call producing an array. (A jitted callee that allocates temporaries but
    /// returns numbers is not counted: marking every iteration of every loop that calls a
    /// jitted function would tax loops that allocate nothing; its temporaries are freed when
    /// it returns, see [`release_temporaries_at_return`].)
    fn may_allocate(&self, e: &Expr) -> bool {
        let array_result = matches!(self.typed.expr_type(e.id), Some(t) if holds_array(t));
        match &e.kind {
            ExprKind::Call { .. }
            | ExprKind::BinOp { .. }
            | ExprKind::UnaryOp { .. }
            | ExprKind::Compare { .. } => array_result,
            ExprKind::Attribute { attr, .. } => array_result && attr == "imag",
            _ => false,
        }
    }

    /// Starts an iteration whose allocations are freed at its end: the arena mark.
    pub(crate) fn begin_scoped_iteration(&mut self) -> Value {
        self.b.call_runtime(RuntimeFn::ArenaMark, &[])
    }

    /// Ends such an iteration: frees what was allocated since `mark`.
    pub(crate) fn end_scoped_iteration(&mut self, mark: Value) {
        self.b.call_runtime(RuntimeFn::ArenaRelease, &[mark]);
    }
}

/// When `func` (lowered from a function returning `return_type`) returns no array and may
/// allocate (creates arrays or descriptors, or calls another compiled function), takes an
/// arena mark on entry and releases it before every `return`: nothing it allocated can be
/// reached by its caller, so its temporaries are freed with the call instead of staying until
/// the outermost call returns. A raise skips the release; the caller propagates the error and
/// the outermost call frees everything.
pub(crate) fn release_temporaries_at_return(
    func: &mut Function,
    return_type: &Type,
    arg_types: &[Type],
) {
    // (An array may also leave through a list or dict argument: `rows.append(np.zeros(n))`.)
    let through_argument = arg_types
        .iter()
        .any(|t| matches!(t, Type::List { .. } | Type::Dict { .. }) && holds_array(t));
    if holds_array(return_type) || through_argument {
        return;
    }
    let allocates = func.layout.iter().any(|&b| {
        func.block(b).insts.iter().any(|&i| {
            matches!(
                func.inst(i).op,
                Op::Call(_) | Op::CallRuntime(RuntimeFn::AllocArray | RuntimeFn::CopyDescriptor)
            )
        })
    });
    let Some(entry) = func.entry() else {
        return;
    };
    if !allocates {
        return;
    }
    let mark_inst = func.create_inst(
        Op::CallRuntime(RuntimeFn::ArenaMark),
        Vec::new(),
        &[Ty::I64],
        Vec::new(),
    );
    let mark = func.inst(mark_inst).results[0];
    func.block_mut(entry).insts.insert(0, mark_inst);
    let layout = func.layout.clone();
    for b in layout {
        let Some(term) = func.terminator(b) else {
            continue;
        };
        if func.inst(term).op != Op::Return {
            continue;
        }
        let (line, col) = (func.inst(term).line, func.inst(term).col);
        let release = func.create_inst(
            Op::CallRuntime(RuntimeFn::ArenaRelease),
            vec![mark],
            &[Ty::I64],
            Vec::new(),
        );
        let data = func.inst_mut(release);
        data.line = line;
        data.col = col;
        let insts = &mut func.block_mut(b).insts;
        let at = insts.len() - 1;
        insts.insert(at, release);
    }
}
