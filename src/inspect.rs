//! Human-readable reports about one compiled specialization, printed by `FERROJIT_DUMP` and
//! returned by the dispatcher's inspection methods: the source annotated with its variables'
//! types, and the parallel-loop report of `parallel=True` functions.

use crate::FunctionDef;
use frontend::ast::{ExprKind, Function};
use ir::lower::parallel_report::{ParallelLoop, parallel_loops};
use std::collections::BTreeMap;
use std::fmt::Write;
use typeinfer::TypedFunction;

/// The function's source, each line followed by the types of the variables it mentions
/// (`#   x: float64`), under a header with the argument and return types — Numba's
/// `inspect_types()` layout. `ast` is the specialization's syntax tree (`def.ast` narrowed for
/// `None` arguments, or with variables split into versions by `crate::versioning`).
pub fn annotate_types(def: &FunctionDef, ast: &Function, typed: &TypedFunction) -> String {
    let mut mentions: Vec<(u32, &str)> = ast
        .params
        .iter()
        .filter(|p| typed.var_types.contains_key(&p.name))
        .map(|p| (p.span.line, p.name.as_str()))
        .collect();
    frontend::ast::walk_exprs(&ast.body, &mut |e| {
        if let ExprKind::Name(name) = &e.kind
            && typed.var_types.contains_key(name)
        {
            mentions.push((e.span.line, name.as_str()));
        }
    });
    let mut by_line: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for (line, name) in mentions {
        let names = by_line.entry(line).or_default();
        if !names.contains(&name) {
            names.push(name);
        }
    }

    let args: Vec<String> = typed.arg_types.iter().map(|t| t.to_string()).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) -> {}",
        def.ast.name,
        args.join(", "),
        typed.return_type
    );
    let _ = writeln!(out, "{}", "-".repeat(80));
    let _ = writeln!(out, "# File: {}", def.source.filename);
    for (index, text) in def.source.text.lines().enumerate() {
        let line = index as u32 + 1;
        let _ = writeln!(out, "# --- LINE {} ---", line + def.source.line_offset);
        let _ = writeln!(out, "{text}");
        let indent: String = text.chars().take_while(|c| c.is_whitespace()).collect();
        let indent = if text.trim_start().starts_with("def ") {
            format!("{indent}    ")
        } else {
            indent
        };
        for name in by_line.get(&line).into_iter().flatten() {
            let _ = writeln!(out, "{indent}#   {name}: {}", typed.var_types[*name]);
        }
    }
    let _ = writeln!(out, "{}", "=".repeat(80));
    out
}

/// The `parallel=True` report of one function: its parallel loops (level 1), their reductions
/// and shared variables (level 2); hoisting is appended by the driver from the optimiser.
pub fn describe_parallel(def: &FunctionDef, ast: &Function, typed: &TypedFunction) -> String {
    let loops = parallel_loops(ast, typed);
    let mut out = String::new();
    let offset = def.source.line_offset;
    let _ = writeln!(
        out,
        "Parallel loops of {} ({}):",
        def.ast.name, def.source.filename
    );
    if loops.is_empty() {
        let _ = writeln!(
            out,
            "  none: only `for ... in prange(...)` loops run in parallel"
        );
    }
    for (index, lp) in loops.iter().enumerate() {
        write_loop(&mut out, index, lp, offset);
    }
    out
}

fn write_loop(out: &mut String, index: usize, lp: &ParallelLoop, offset: u32) {
    let line = lp.line + offset;
    if let Some(why) = &lp.rejected {
        let _ = writeln!(
            out,
            "  loop #{index} (line {line}, prange over '{}'): not parallel: {why}",
            lp.variable
        );
        return;
    }
    let _ = writeln!(
        out,
        "  loop #{index} (line {line}, prange over '{}'): parallel, chunks of iterations on the \
         thread pool",
        lp.variable
    );
    if lp.reductions.is_empty() {
        let _ = writeln!(out, "    reductions: none");
    }
    for (name, op) in &lp.reductions {
        let _ = writeln!(
            out,
            "    reduction: '{name}' ({op}), one partial result per chunk, combined after the loop"
        );
    }
    if !lp.shared.is_empty() {
        let _ = writeln!(
            out,
            "    shared (read by every iteration): {}",
            lp.shared.join(", ")
        );
    }
    for nested in &lp.nested_serial {
        let _ = writeln!(
            out,
            "    prange at line {} is nested in this loop: it runs serially",
            nested + offset
        );
    }
}
