//! Conversion tests: golden S-expression dumps of `tests/ast/*.py`, the id and span invariants
//! on every one of them, and exact spans of chosen nodes.
//!
//! Golden files are regenerated with
//! `FERROJIT_BLESS=1 cargo test -p frontend --test integration convert::`.

use crate::bless;

use frontend::ast::{self, Expr, Function, Stmt};
use frontend::{SourceFile, Span};
use std::path::{Path, PathBuf};

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ast")
}

fn parse(name: &str) -> (String, Function) {
    let path = case_dir().join(format!("{name}.py"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match frontend::parse_function(&SourceFile::new(path.display().to_string(), text.clone())) {
        Ok(function) => (text, function),
        Err(diagnostic) => panic!("{name}.py does not convert: {diagnostic}"),
    }
}

/// Every `tests/ast/*.py` converts, dumps to its `.ast` file, and keeps the invariants.
#[test]
fn golden_dumps() {
    let bless = bless::bless();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(case_dir())
        .expect("tests/ast exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 4, "expected the seed kernels in tests/ast");
    let mut failures = Vec::new();
    for case in cases {
        let name = case
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_string();
        let (text, function) = parse(&name);
        failures.extend(check_invariants(&name, &text, &function));
        let golden = case.with_extension("ast");
        let actual = function.dump() + "\n";
        if bless {
            std::fs::write(&golden, &actual).expect("write golden file");
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(actual.as_str()) {
            failures.push(format!(
                "{name}: dump differs from {}:\n{actual}",
                golden.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Ids are dense and follow `walk_exprs`'s pre-order; every span is well-formed, lies in the
/// text, and contains the spans of the nodes inside it. Inner functions are checked likewise.
fn check_invariants(name: &str, text: &str, function: &Function) -> Vec<String> {
    let mut failures = Vec::new();
    let mut next = 0;
    ast::walk_function_exprs(function, &mut |expr| {
        if expr.id.0 != next {
            failures.push(format!(
                "{name}: id {} where pre-order expects {next}",
                expr.id.0
            ));
        }
        next += 1;
    });
    if next != function.num_exprs {
        failures.push(format!(
            "{name}: {next} exprs but num_exprs = {}",
            function.num_exprs
        ));
    }
    let line_count = text.lines().count() as u32;
    let mut check_span = |what: &str, span: Span, outer: Option<Span>| {
        let ordered = (span.line, span.col) <= (span.end_line, span.end_col);
        let inside_text = span.line >= 1 && span.col >= 1 && span.end_line <= line_count;
        let inside_outer = outer.is_none_or(|outer| outer.to(span) == outer);
        if !(ordered && inside_text && inside_outer) {
            failures.push(format!(
                "{name}: bad span of {what}: {span:?} (outer {outer:?})"
            ));
        }
    };
    for param in &function.params {
        check_span("a parameter", param.span, None);
    }
    for_each_stmt(&function.body, &mut |stmt| {
        check_span("a statement", stmt.span, None);
        ast::walk_exprs(std::slice::from_ref(stmt), &mut |expr| {
            check_span("an expression", expr.span, Some(stmt.span));
            ast::walk_expr(expr, &mut |inner: &Expr| {
                check_span("a subexpression", inner.span, Some(expr.span))
            });
        });
    });
    for inner in &function.inner_functions {
        failures.extend(check_invariants(
            &format!("{name}.{}", inner.name),
            text,
            inner,
        ));
    }
    failures
}

fn for_each_stmt<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a Stmt)) {
    for stmt in body {
        f(stmt);
        match &stmt.kind {
            ast::StmtKind::For { body, .. } | ast::StmtKind::While { body, .. } => {
                for_each_stmt(body, f)
            }
            ast::StmtKind::If { body, orelse, .. } => {
                for_each_stmt(body, f);
                for_each_stmt(orelse, f);
            }
            _ => {}
        }
    }
}

/// The text a span covers, columns counted in characters.
fn covered(text: &str, span: Span) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    for line in span.line..=span.end_line {
        let chars: Vec<char> = lines[line as usize - 1].chars().collect();
        let from = if line == span.line {
            span.col as usize - 1
        } else {
            0
        };
        let to = if line == span.end_line {
            span.end_col as usize - 1
        } else {
            chars.len()
        };
        out.extend(&chars[from..to]);
        if line != span.end_line {
            out.push('\n');
        }
    }
    out
}

/// `(case, text of the expression, line, col, end_line, end_col)`: some expression of the case
/// has exactly this span, and the span covers exactly this text.
const EXPR_SPANS: &[(&str, &str, u32, u32, u32, u32)] = &[
    ("filter", "image.shape", 3, 12, 3, 23),
    ("filter", "M, N", 3, 5, 3, 9),
    ("filter", "image[i+k-m//2,j+l-n//2]", 10, 31, 10, 55),
    ("filter", "i+k-m//2,j+l-n//2", 10, 37, 10, 54),
    ("filter", "filt[k, l]", 10, 56, 10, 66),
    ("mandel", "0.0j", 3, 9, 3, 13),
    ("mandel", "z.real * z.real + z.imag * z.imag", 6, 13, 6, 46),
    ("mandel", "255", 8, 12, 8, 15),
    ("nbody", "particle, particlev", 13, 12, 13, 31),
    ("nbody", "math.sqrt(drSquared)", 10, 53, 10, 73),
    ("subset", "-1.5e3", 7, 16, 7, 22),
    ("subset", "1:-1", 10, 7, 10, 11),
    ("subset", "::2", 10, 13, 10, 16),
    ("subset", "p < q <= 10", 12, 48, 12, 59),
    ("unicode", "ünï + ç", 3, 12, 3, 19),
    ("unicode", "\"héllo wörld\"", 4, 9, 4, 22),
    ("unicode", "n", 4, 24, 4, 25),
];

#[test]
fn expression_spans() {
    let mut failures = Vec::new();
    for &(case, needle, line, col, end_line, end_col) in EXPR_SPANS {
        let (text, function) = parse(case);
        let want = Span::new(line, col, end_line, end_col);
        let mut found = false;
        ast::walk_exprs(&function.body, &mut |expr| found |= expr.span == want);
        let text_at = covered(&text, want);
        if !found || text_at != needle {
            failures.push(format!(
                "{case}: `{needle}` at {want:?}: found={found}, span covers `{text_at}`"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Function, parameter and statement spans of the `filter` seed kernel.
#[test]
fn function_and_statement_spans() {
    let (text, function) = parse("filter");
    assert_eq!(covered(&text, function.span), "def filter");
    assert_eq!(function.span, Span::new(2, 1, 2, 11));
    let params: Vec<(&str, Span)> = function
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.span))
        .collect();
    assert_eq!(params[1], ("filt", Span::new(2, 19, 2, 23)));
    let first = &function.body[0];
    assert_eq!(covered(&text, first.span), "M, N = image.shape");
    let outer_for = &function.body[2];
    assert_eq!(outer_for.span, Span::new(5, 5, 11, 33));
}

#[test]
fn inner_functions_number_their_own_exprs() {
    let (_, function) = parse("subset");
    let inner = &function.inner_functions[0];
    assert_eq!(inner.name, "helper");
    assert_eq!(inner.num_exprs, 3);
    let mut ids = Vec::new();
    ast::walk_exprs(&inner.body, &mut |expr| ids.push(expr.id.0));
    assert_eq!(ids, [0, 1, 2]);
}
