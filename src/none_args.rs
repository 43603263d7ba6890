//! Parameters given `None` (an omitted `out=None`, or `None` passed): the function is compiled
//! for that case with the parameter's reads replaced by `None` up to its first assignment, and
//! `if p is None:` / `if p is not None:` decided at compile time, as Numba prunes such
//! branches. So the common
//!
//! ```text
//! def f(x, out=None):
//!     if out is None:
//!         out = np.empty_like(x)
//! ```
//!
//! compiles with `out` an array from its assignment on. The parameter itself is renamed out of
//! the way (it holds nothing at run time). Where the parameter is assigned inside a loop or in
//! only one branch of an undecided `if`, replacing stops there; later reads are then the
//! ordinary variable, and reading it where it may be unassigned is a compile error.

use frontend::ast::{CmpOp, Expr, ExprKind, FStringPart, Function, Stmt, StmtKind, UnaryOp};
use typeinfer::Type;

/// `func` with its `None`-typed parameters narrowed as above; `None` when there are none.
pub(crate) fn narrow_none_params(func: &Function, arg_types: &[Type]) -> Option<Function> {
    let none_params: Vec<usize> = arg_types
        .iter()
        .enumerate()
        .filter(|(_, t)| **t == Type::NoneType)
        .map(|(i, _)| i)
        .collect();
    if none_params.is_empty() {
        return None;
    }
    let mut func = func.clone();
    for i in none_params {
        let name = func.params[i].name.clone();
        func.params[i].name = format!("$none:{name}");
        func.body = narrow_name(std::mem::take(&mut func.body), &name);
    }
    Some(func)
}

/// `body` with the reads of `name` (known to be `None` on entry) narrowed as above.
pub(crate) fn narrow_name(body: Vec<Stmt>, name: &str) -> Vec<Stmt> {
    let mut bound = false;
    narrow_block(body, name, &mut bound)
}

/// Replaces reads of `name` by `None` in `body` until `name` is assigned (`bound`).
fn narrow_block(body: Vec<Stmt>, name: &str, bound: &mut bool) -> Vec<Stmt> {
    let mut out = Vec::with_capacity(body.len());
    for mut stmt in body {
        if *bound {
            out.push(stmt);
            continue;
        }
        match &mut stmt.kind {
            StmtKind::If { test, body, orelse } => {
                replace_reads(test, name);
                match decided(test) {
                    Some(taken) => {
                        let branch = std::mem::take(if taken { body } else { orelse });
                        out.extend(narrow_block(branch, name, bound));
                        continue;
                    }
                    None => {
                        let (mut in_body, mut in_else) = (false, false);
                        *body = narrow_block(std::mem::take(body), name, &mut in_body);
                        *orelse = narrow_block(std::mem::take(orelse), name, &mut in_else);
                        *bound = in_body || in_else;
                    }
                }
            }
            StmtKind::For { target, iter, body } => {
                replace_reads(iter, name);
                if assigns(body, name) || binds(target, name) {
                    *bound = true;
                } else {
                    *body = narrow_block(std::mem::take(body), name, bound);
                }
            }
            StmtKind::While { test, body } => {
                if assigns(body, name) {
                    *bound = true;
                } else {
                    replace_reads(test, name);
                    *body = narrow_block(std::mem::take(body), name, bound);
                }
            }
            StmtKind::Assign { targets, value } => {
                replace_reads(value, name);
                for target in targets.iter_mut() {
                    if binds(target, name) {
                        *bound = true;
                    } else {
                        replace_reads(target, name);
                    }
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                replace_reads(value, name);
                if binds(target, name) {
                    *bound = true;
                } else {
                    replace_reads(target, name);
                }
            }
            StmtKind::Return(Some(e)) | StmtKind::Expr(e) | StmtKind::Raise(Some(e)) => {
                replace_reads(e, name)
            }
            StmtKind::Assert { test, msg } => {
                replace_reads(test, name);
                if let Some(m) = msg {
                    replace_reads(m, name);
                }
            }
            // Conservatively, nothing is replaced from a `try` on: later reads are ordinary.
            StmtKind::Try { .. } => *bound = true,
            StmtKind::ObjMode(block) => *bound |= block.outputs.iter().any(|o| o.name == name),
            StmtKind::Return(None)
            | StmtKind::Raise(None)
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Pass => {}
        }
        out.push(stmt);
    }
    out
}

/// The value of a test made only of `None is None`, `None is not None` and `not`.
fn decided(test: &Expr) -> Option<bool> {
    match &test.kind {
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } if ops.len() == 1
            && matches!(left.kind, ExprKind::NoneLit)
            && matches!(comparators[0].kind, ExprKind::NoneLit) =>
        {
            match ops[0] {
                CmpOp::Is | CmpOp::Eq => Some(true),
                CmpOp::IsNot | CmpOp::NotEq => Some(false),
                _ => None,
            }
        }
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => decided(operand).map(|v| !v),
        _ => None,
    }
}

/// Whether assignment target `target` binds `name`.
pub(crate) fn binds(target: &Expr, name: &str) -> bool {
    match &target.kind {
        ExprKind::Name(n) => n == name,
        ExprKind::Tuple(items) => items.iter().any(|t| binds(t, name)),
        _ => false,
    }
}

/// Whether any statement in `body` (nested ones too) assigns `name`.
fn assigns(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|stmt| match &stmt.kind {
        StmtKind::Assign { targets, .. } => targets.iter().any(|t| binds(t, name)),
        StmtKind::AugAssign { target, .. } => binds(target, name),
        StmtKind::For { target, body, .. } => binds(target, name) || assigns(body, name),
        StmtKind::While { body, .. } => assigns(body, name),
        StmtKind::If { body, orelse, .. } => assigns(body, name) || assigns(orelse, name),
        StmtKind::Try { .. } => stmt.kind.blocks().into_iter().any(|b| assigns(b, name)),
        StmtKind::ObjMode(block) => block.outputs.iter().any(|o| o.name == name),
        _ => false,
    })
}

/// Replaces every read of `name` in `expr` by the literal `None`.
fn replace_reads(expr: &mut Expr, name: &str) {
    replace_reads_with(expr, name, &ExprKind::NoneLit);
}

/// Replaces every read of `name` in `expr` by `with` (the literal `None`, or another name:
/// `crate::versioning`). A comprehension that binds `name` itself keeps its own reads.
pub(crate) fn replace_reads_with(expr: &mut Expr, name: &str, with: &ExprKind) {
    let replace_reads = |e: &mut Expr, name: &str| replace_reads_with(e, name, with);
    match &mut expr.kind {
        ExprKind::Name(n) if n == name => expr.kind = with.clone(),
        ExprKind::Name(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Imag(_)
        | ExprKind::Bool(_)
        | ExprKind::NoneLit
        | ExprKind::Ellipsis
        | ExprKind::Str(_) => {}
        ExprKind::FString(parts) => {
            for part in parts {
                if let FStringPart::Value { value, .. } = part {
                    replace_reads(value, name);
                }
            }
        }
        ExprKind::BinOp { left, right, .. } => {
            replace_reads(left, name);
            replace_reads(right, name);
        }
        ExprKind::UnaryOp { operand, .. } | ExprKind::Starred(operand) => {
            replace_reads(operand, name)
        }
        ExprKind::Compare {
            left, comparators, ..
        } => {
            replace_reads(left, name);
            comparators.iter_mut().for_each(|c| replace_reads(c, name));
        }
        ExprKind::BoolOp { values, .. }
        | ExprKind::Tuple(values)
        | ExprKind::List(values)
        | ExprKind::Set(values) => {
            values.iter_mut().for_each(|v| replace_reads(v, name));
        }
        ExprKind::Dict { keys, values } => {
            keys.iter_mut()
                .chain(values.iter_mut())
                .for_each(|v| replace_reads(v, name));
        }
        ExprKind::ListComp {
            elt,
            generators,
            value,
            ..
        } => {
            // A comprehension that binds `name` itself reads its own variable.
            let shadowed = generators.iter().any(|g| binds(&g.target, name));
            for g in generators.iter_mut() {
                replace_reads(&mut g.iter, name);
                if !shadowed {
                    g.ifs.iter_mut().for_each(|c| replace_reads(c, name));
                }
            }
            if !shadowed {
                replace_reads(elt, name);
                if let Some(v) = value {
                    replace_reads(v, name);
                }
            }
        }
        ExprKind::IfExp { test, body, orelse } => {
            replace_reads(test, name);
            replace_reads(body, name);
            replace_reads(orelse, name);
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            replace_reads(func, name);
            args.iter_mut().for_each(|a| replace_reads(a, name));
            keywords
                .iter_mut()
                .for_each(|k| replace_reads(&mut k.value, name));
        }
        ExprKind::Attribute { value, .. } => replace_reads(value, name),
        ExprKind::Subscript { value, index } => {
            replace_reads(value, name);
            replace_reads(index, name);
        }
        ExprKind::Slice { lower, upper, step } => {
            for part in [lower, upper, step].into_iter().flatten() {
                replace_reads(part, name);
            }
        }
    }
}
