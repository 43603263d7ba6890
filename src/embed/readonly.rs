//! Does a function (or anything it calls) possibly write into one of its array parameters?
//!
//! The embedding API lets a shared slice (`&[f64]`) be passed only to code that cannot write
//! through it, since writing behind a shared reference is undefined behaviour in Rust. This is
//! a syntactic, conservative check over the AST: it follows the array through names it is bound
//! to, views made of it (slices, rows, `.T`, `reshape`, ...) and jitted callees, and reports
//! the first place where it *might* be stored into — a subscript assignment, an augmented
//! assignment, a mutating method (`fill`, `sort`, ...), an `out=` keyword, or an alias the
//! check does not follow further. A kernel it rejects can take the array as `&mut [T]`.

use crate::{FunctionDef, Global};
use frontend::Span;
use frontend::ast::{Expr, ExprKind, Function, Stmt, StmtKind, walk_expr, walk_exprs};
use std::collections::HashSet;

/// Rank of an alias whose rank is not known (never indexes down to an element).
const UNKNOWN_RANK: u8 = u8::MAX;
/// How deep the check follows jitted callees before assuming a write.
const MAX_DEPTH: u32 = 8;

/// Methods that neither write into the array nor return a view of it.
const PURE_METHODS: &[&str] = &[
    "sum",
    "prod",
    "mean",
    "min",
    "max",
    "argmin",
    "argmax",
    "std",
    "var",
    "any",
    "all",
    "copy",
    "cumsum",
    "cumprod",
    "item",
    "astype",
    "dot",
    "flatten",
    "tolist",
    "nonzero",
    "round",
    "conj",
    "conjugate",
];
/// Methods and functions that return a view of their array argument.
const VIEW_FUNCTIONS: &[&str] = &[
    "reshape",
    "ravel",
    "transpose",
    "view",
    "swapaxes",
    "squeeze",
    "asarray",
    "ascontiguousarray",
    "asfortranarray",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "diagonal",
    "moveaxis",
    "flip",
    "fliplr",
    "flipud",
    "rot90",
    "broadcast_to",
    "expand_dims",
    "real",
    "imag",
];
/// Attributes that are not views of the array.
const SCALAR_ATTRIBUTES: &[&str] = &[
    "shape", "size", "ndim", "dtype", "itemsize", "nbytes", "strides",
];

/// Where and why `def` might write into its parameter `param` (of rank `ndim`), if it might.
pub fn possible_write(def: &FunctionDef, param: &str, ndim: u8) -> Option<(String, Option<Span>)> {
    possible_write_from(def, param, ndim, 0)
}

fn possible_write_from(def: &FunctionDef, param: &str, ndim: u8, depth: u32) -> Finding {
    let mut visited = HashSet::new();
    Check {
        def,
        depth,
        visited: &mut visited,
    }
    .function(&def.ast, param, ndim)
}

struct Check<'a> {
    def: &'a FunctionDef,
    depth: u32,
    /// (function address, parameter) pairs already being checked (recursion).
    visited: &'a mut HashSet<(usize, String)>,
}

type Finding = Option<(String, Option<Span>)>;

impl Check<'_> {
    fn function(&mut self, func: &Function, param: &str, ndim: u8) -> Finding {
        for inner in &func.inner_functions {
            let mut mentions = false;
            walk_exprs(&inner.body, &mut |e| {
                mentions |= matches!(&e.kind, ExprKind::Name(n) if n == param);
            });
            if mentions {
                return Some((
                    format!("the inner function '{}' uses '{param}'", inner.name),
                    Some(inner.span),
                ));
            }
        }
        let names = Names {
            param,
            ndim,
            depth: self.depth,
        };
        self.statements(&func.body, &names)
    }

    fn statements(&mut self, body: &[Stmt], names: &Names<'_>) -> Finding {
        for stmt in body {
            if let Some(found) = self.statement(stmt, names) {
                return Some(found);
            }
        }
        None
    }

    fn statement(&mut self, stmt: &Stmt, names: &Names<'_>) -> Finding {
        let here = |why: String| Some((why, Some(stmt.span)));
        match &stmt.kind {
            StmtKind::Assign { targets, value } => {
                for target in targets {
                    if let Some(found) = self.store_target(target, names) {
                        return Some(found);
                    }
                    let binds_alias = names.alias_rank(value, self.def).is_some();
                    let rebinds_param =
                        matches!(&target.kind, ExprKind::Name(n) if n == names.param);
                    if binds_alias && !rebinds_param {
                        return here(format!(
                            "'{}' (or a view of it) is bound to another name",
                            names.param
                        ));
                    }
                }
            }
            StmtKind::AugAssign { target, .. }
                if names.alias_rank(target, self.def).is_some()
                    || self.stores_into(target, names) =>
            {
                return here(format!("'{}' is updated in place", names.param));
            }
            StmtKind::For { iter, body, .. } => {
                if let Some(rank) = names.alias_rank(iter, self.def)
                    && rank != 1
                {
                    return here(format!("the loop variable is a view of '{}'", names.param));
                }
                if let Some(found) = self.statements(body, names) {
                    return Some(found);
                }
            }
            StmtKind::While { body, .. } => {
                if let Some(found) = self.statements(body, names) {
                    return Some(found);
                }
            }
            StmtKind::If { body, orelse, .. } => {
                if let Some(found) = self.statements(body, names) {
                    return Some(found);
                }
                if let Some(found) = self.statements(orelse, names) {
                    return Some(found);
                }
            }
            _ => {}
        }
        // Calls anywhere in the statement.
        let mut found = None;
        let mut visit = |e: &Expr| {
            if found.is_none() {
                found = self.call(e, names);
            }
        };
        for_each_expr(stmt, &mut visit);
        found
    }

    /// An assignment target that stores into the array (`a[i] = ...`, `a[1:][0] = ...`).
    fn store_target(&mut self, target: &Expr, names: &Names<'_>) -> Finding {
        if let ExprKind::Tuple(items) = &target.kind {
            for item in items {
                if let Some(found) = self.store_target(item, names) {
                    return Some(found);
                }
            }
            return None;
        }
        self.stores_into(target, names).then(|| {
            (
                format!("'{}' is stored into", names.param),
                Some(target.span),
            )
        })
    }

    fn stores_into(&self, target: &Expr, names: &Names<'_>) -> bool {
        match &target.kind {
            ExprKind::Subscript { value, .. } | ExprKind::Attribute { value, .. } => {
                names.alias_rank(value, self.def).is_some() || self.stores_into(value, names)
            }
            _ => false,
        }
    }

    /// A call that might write into the array: a mutating method, `out=`, or a jitted callee
    /// that might write into the parameter it receives the array as.
    fn call(&mut self, e: &Expr, names: &Names<'_>) -> Finding {
        let ExprKind::Call {
            func,
            args,
            keywords,
        } = &e.kind
        else {
            return None;
        };
        let here = |why: String| Some((why, Some(e.span)));
        if let ExprKind::Attribute { value, attr } = &func.kind
            && names.alias_rank(value, self.def).is_some()
            && !PURE_METHODS.contains(&attr.as_str())
            && !VIEW_FUNCTIONS.contains(&attr.as_str())
        {
            return here(format!("'{}.{attr}()' may modify the array", names.param));
        }
        for keyword in keywords {
            if keyword.name == "out" && names.alias_rank(&keyword.value, self.def).is_some() {
                return here(format!("'{}' is passed as out=", names.param));
            }
        }
        let ExprKind::Name(callee) = &func.kind else {
            return None;
        };
        let Some(Global::Function(callee)) = self.def.globals.resolve(callee) else {
            return None;
        };
        for (i, arg) in args.iter().enumerate() {
            let Some(rank) = names.alias_rank(arg, self.def) else {
                continue;
            };
            let Some(param) = callee.ast.params.get(i) else {
                continue;
            };
            let key = (std::sync::Arc::as_ptr(&callee) as usize, param.name.clone());
            if !self.visited.insert(key) {
                continue; // already being checked (recursion)
            }
            if self.depth >= MAX_DEPTH {
                return here(format!(
                    "'{}' is passed down too many calls to follow",
                    names.param
                ));
            }
            let finding = Check {
                def: &callee,
                depth: self.depth + 1,
                visited: self.visited,
            }
            .function(&callee.ast, &param.name, rank);
            if let Some((why, _)) = finding {
                return here(format!(
                    "'{}' is passed to {}(), where {why}",
                    names.param, callee.ast.name
                ));
            }
        }
        None
    }
}

/// Visits every expression of one statement (not of nested blocks).
fn for_each_expr<'e>(stmt: &'e Stmt, f: &mut dyn FnMut(&'e Expr)) {
    match &stmt.kind {
        StmtKind::For { target, iter, .. } => {
            walk_expr(target, f);
            walk_expr(iter, f);
        }
        StmtKind::While { test, .. } | StmtKind::If { test, .. } => walk_expr(test, f),
        _ => walk_exprs(std::slice::from_ref(stmt), f),
    }
}

/// Whether jitted function `def` may return (a view of) its parameter `param`.
fn returns_alias(def: &FunctionDef, param: &str, ndim: u8, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    let names = Names { param, ndim, depth };
    let mut found = false;
    fn returns<'e>(body: &'e [Stmt], out: &mut Vec<&'e Expr>) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::Return(Some(value)) => out.push(value),
                StmtKind::For { body, .. } | StmtKind::While { body, .. } => returns(body, out),
                StmtKind::If { body, orelse, .. } => {
                    returns(body, out);
                    returns(orelse, out);
                }
                _ => {}
            }
        }
    }
    let mut values = Vec::new();
    returns(&def.ast.body, &mut values);
    for value in values {
        found |= names.alias_rank(value, def).is_some();
    }
    // A local bound to the parameter and returned later is not followed: assume the worst if
    // the parameter is bound to another name at all.
    found
        || possible_write_from(def, param, ndim, depth)
            .is_some_and(|(why, _)| why.contains("bound to"))
}

/// The parameter being followed, its rank, and how deep in callees the check is.
struct Names<'p> {
    param: &'p str,
    ndim: u8,
    depth: u32,
}

impl Names<'_> {
    /// If `e` may evaluate to (a view of) the parameter's array: the view's rank.
    fn alias_rank(&self, e: &Expr, def: &FunctionDef) -> Option<u8> {
        match &e.kind {
            ExprKind::Name(n) if n == self.param => Some(self.ndim),
            ExprKind::Subscript { value, index } => {
                let rank = self.alias_rank(value, def)?;
                if rank == UNKNOWN_RANK {
                    return Some(rank);
                }
                let components: &[Expr] = match &index.kind {
                    ExprKind::Tuple(items) => items,
                    _ => std::slice::from_ref(index.as_ref()),
                };
                let integers = components
                    .iter()
                    .filter(|c| !matches!(c.kind, ExprKind::Slice { .. }))
                    .count() as u8;
                let left = rank.saturating_sub(integers);
                (left > 0).then_some(left)
            }
            ExprKind::Attribute { value, attr } => {
                let rank = self.alias_rank(value, def)?;
                (!SCALAR_ATTRIBUTES.contains(&attr.as_str())).then_some(rank)
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                if let ExprKind::Attribute { value, attr } = &func.kind
                    && self.alias_rank(value, def).is_some()
                {
                    return VIEW_FUNCTIONS
                        .contains(&attr.as_str())
                        .then_some(UNKNOWN_RANK);
                }
                let passes_alias = args
                    .iter()
                    .chain(keywords.iter().map(|k| &k.value))
                    .any(|a| self.alias_rank(a, def).is_some());
                if !passes_alias {
                    return None;
                }
                let returns_view = match &func.kind {
                    ExprKind::Name(n) => match def.globals.resolve(n) {
                        Some(Global::Function(callee)) => args.iter().enumerate().any(|(i, a)| {
                            let Some(rank) = self.alias_rank(a, def) else {
                                return false;
                            };
                            let Some(param) = callee.ast.params.get(i) else {
                                return true;
                            };
                            returns_alias(&callee, &param.name, rank, self.depth + 1)
                        }),
                        _ => VIEW_FUNCTIONS.contains(&n.as_str()),
                    },
                    ExprKind::Attribute { attr, .. } => VIEW_FUNCTIONS.contains(&attr.as_str()),
                    _ => true,
                };
                returns_view.then_some(UNKNOWN_RANK)
            }
            ExprKind::IfExp { body, orelse, .. } => self
                .alias_rank(body, def)
                .or_else(|| self.alias_rank(orelse, def)),
            ExprKind::Tuple(items) => items
                .iter()
                .any(|i| self.alias_rank(i, def).is_some())
                .then_some(UNKNOWN_RANK),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use crate::aot::ModuleTable;

    fn check(source: &str, function: &str, ndim: u8) -> Option<String> {
        let table = ModuleTable::parse("t.py", source, Options::default());
        let def = table.function(function).expect("parses");
        let param = def.ast.params[0].name.clone();
        possible_write(&def, &param, ndim).map(|(why, _)| why)
    }

    #[test]
    fn reads_pass_and_writes_are_found() {
        let reads = "def f(a):\n    s = 0.0\n    for i in range(a.shape[0]):\n        s += a[i]\n    return s + a.sum() + len(a)\n";
        assert_eq!(check(reads, "f", 1), None);
        let rows = "def f(a):\n    s = 0.0\n    for i in range(a.shape[0]):\n        s += a[i, 0] + a[i][1]\n    return s\n";
        assert_eq!(check(rows, "f", 2), None);
        let cases = [
            ("def f(a):\n    a[0] = 1.0\n", 1),
            ("def f(a):\n    a[1:][0] = 1.0\n", 1),
            ("def f(a):\n    a += 1.0\n", 1),
            ("def f(a):\n    a[0] += 1.0\n", 1),
            ("def f(a):\n    b = a\n    b[0] = 1.0\n", 1),
            ("def f(a):\n    r = a[0]\n    r[0] = 1.0\n", 2),
            ("def f(a):\n    for row in a:\n        row[0] = 1.0\n", 2),
            ("def f(a):\n    a.fill(0.0)\n", 1),
            ("def g(b):\n    b[0] = 2.0\n\ndef f(a):\n    g(a)\n", 1),
            ("def f(a):\n    a.T[0, 0] = 2.0\n", 2),
        ];
        for (source, ndim) in cases {
            assert!(
                check(source, "f", ndim).is_some(),
                "missed a write in:\n{source}"
            );
        }
        let through_reader = "def g(b):\n    return b[0]\n\ndef f(a):\n    return g(a)\n";
        assert_eq!(check(through_reader, "f", 1), None);
        let recursive =
            "def f(a):\n    if a.shape[0] > 1:\n        return f(a[1:])\n    return a[0]\n";
        assert_eq!(check(recursive, "f", 1), None);
        let recursive_write =
            "def f(a):\n    if a.shape[0] > 1:\n        f(a[1:])\n    a[0] = 0.0\n";
        assert!(check(recursive_write, "f", 1).is_some());
    }
}
