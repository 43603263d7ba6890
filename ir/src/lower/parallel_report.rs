//! What `parallel=True` does to a function, in words: which `prange` loops become parallel
//! loops, which variables they reduce and which they only read — the report behind
//! `parallel_diagnostics()` and `FERROJIT_DUMP=parallel`. It runs the same body analysis as
//! lowering ([`super::parallel`]), so the report cannot disagree with the code.

use super::parallel::{Reduction, analyze};
use frontend::ast::{self, ExprKind, Stmt, StmtKind};
use typeinfer::{Intrinsic, Resolution, TypedFunction};

/// One `prange` loop lowered as a parallel loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParallelLoop {
    /// Line of the `for` statement, relative to the function's source text (1-based).
    pub line: u32,
    pub variable: String,
    /// Reduction variables with their operator (`+`, `*`, `min`, `max`).
    pub reductions: Vec<(String, &'static str)>,
    /// Variables read by every iteration (shared, read-only).
    pub shared: Vec<String>,
    /// `prange` loops nested in this one: they run serially inside each iteration.
    pub nested_serial: Vec<u32>,
    /// Why the loop could not be parallelised (lowering reports the same error).
    pub rejected: Option<String>,
}

/// The parallel loops of `func` (lowered with `parallel=True`), in source order.
pub fn parallel_loops(func: &ast::Function, typed: &TypedFunction) -> Vec<ParallelLoop> {
    let mut loops = Vec::new();
    visit(&func.body, typed, &mut loops);
    loops
}

fn is_prange(iter: &ast::Expr, typed: &TypedFunction) -> bool {
    matches!(
        typed.resolutions.get(&iter.id),
        Some(Resolution::Intrinsic(Intrinsic::Prange))
    )
}

fn visit(body: &[Stmt], typed: &TypedFunction, out: &mut Vec<ParallelLoop>) {
    for stmt in body {
        match &stmt.kind {
            StmtKind::For { target, iter, body } if is_prange(iter, typed) => {
                out.push(describe(stmt.span.line, target, body, typed));
            }
            StmtKind::For { body, .. } | StmtKind::While { body, .. } => visit(body, typed, out),
            StmtKind::If { body, orelse, .. } => {
                visit(body, typed, out);
                visit(orelse, typed, out);
            }
            _ => {}
        }
    }
}

fn describe(line: u32, target: &ast::Expr, body: &[Stmt], typed: &TypedFunction) -> ParallelLoop {
    let variable = match &target.kind {
        ExprKind::Name(n) => n.clone(),
        _ => String::from("?"),
    };
    let mut nested = Vec::new();
    nested_pranges(body, typed, &mut nested);
    let mut report = ParallelLoop {
        line,
        variable: variable.clone(),
        reductions: Vec::new(),
        shared: Vec::new(),
        nested_serial: nested,
        rejected: None,
    };
    match analyze(body, &variable, typed) {
        Ok(analysis) => {
            report.reductions = analysis
                .reductions
                .iter()
                .map(|(name, r)| {
                    let op = match r {
                        Reduction::Sum => "+",
                        Reduction::Product => "*",
                        Reduction::Min { numpy: false } => "min",
                        Reduction::Max { numpy: false } => "max",
                        Reduction::Min { numpy: true } => "np.minimum",
                        Reduction::Max { numpy: true } => "np.maximum",
                    };
                    (name.clone(), op)
                })
                .collect();
            report.shared = analysis
                .live_ins
                .into_iter()
                .filter(|n| !analysis.reductions.contains_key(n))
                .collect();
        }
        Err(diagnostic) => report.rejected = Some(diagnostic.message),
    }
    report
}

fn nested_pranges(body: &[Stmt], typed: &TypedFunction, out: &mut Vec<u32>) {
    for stmt in body {
        match &stmt.kind {
            StmtKind::For { iter, body, .. } => {
                if is_prange(iter, typed) {
                    out.push(stmt.span.line);
                }
                nested_pranges(body, typed, out);
            }
            StmtKind::While { body, .. } => nested_pranges(body, typed, out),
            StmtKind::If { body, orelse, .. } => {
                nested_pranges(body, typed, out);
                nested_pranges(orelse, typed, out);
            }
            _ => {}
        }
    }
}
