//! Whole-function inference, checked against the case files in `tests/cases/*.py`.
//!
//! A case file is one Python function with a `# sig: ...` header (see `signature.rs` for the
//! grammar) and an `# expect:` section at the bottom holding what inference reports: the
//! variable types, return type and resolutions (as `LINE:COL source => resolution`), or the
//! error with its span and hint. A `# show: exprs` header adds every expression's type.
//! Regenerate the expected sections with `FERROJIT_BLESS=1` and review the diff.

use crate::common;

use frontend::ast::{Expr, ExprKind, Function, walk_exprs};
use frontend::{Diagnostic, SourceFile, Span};
use std::collections::HashMap;
use typeinfer::classes::ClassMember;
use typeinfer::{
    CalleeId, ConstValue, Env, GlobalValue, Intrinsic, ModuleKind, Resolution, Scalar, Type,
    TypedFunction,
};

const EXPECT_MARKER: &str = "# expect:";

/// The globals every case can see.
struct TestEnv {
    globals: HashMap<&'static str, GlobalValue>,
}

impl TestEnv {
    fn new() -> TestEnv {
        let globals = HashMap::from([
            ("math", GlobalValue::Module(ModuleKind::Math)),
            ("cmath", GlobalValue::Module(ModuleKind::Cmath)),
            ("np", GlobalValue::Module(ModuleKind::Numpy)),
            ("ferrojit", GlobalValue::Module(ModuleKind::Ferrojit)),
            ("N_CONST", GlobalValue::Const(ConstValue::Int(10))),
            ("SCALE", GlobalValue::Const(ConstValue::Float(2.5))),
            (
                "DIMS",
                GlobalValue::Const(ConstValue::Tuple(vec![
                    ConstValue::Int(3),
                    ConstValue::Int(4),
                ])),
            ),
            ("sqrt", GlobalValue::Intrinsic(Intrinsic::Sqrt)),
            ("float32", GlobalValue::Dtype(Scalar::F32)),
            // `helper(...)` returns float64 for scalar arguments; `first(x, y)` returns x.
            ("helper", GlobalValue::Jit(CalleeId(0))),
            ("first", GlobalValue::Jit(CalleeId(1))),
            ("MyError", GlobalValue::ExceptionClass("MyError".into())),
            ("pyfunc", GlobalValue::Unsupported("function".into())),
            ("items", GlobalValue::Unsupported("list".into())),
            // A `@jitclass` (see `class_member`): its constructor is callee 3.
            (
                "Point",
                GlobalValue::JitClass {
                    class: POINT,
                    name: "Point".into(),
                },
            ),
        ]);
        TestEnv { globals }
    }
}

/// The class id of the test's jitclass `Point`.
const POINT: u64 = 7;

fn point() -> Type {
    Type::Instance {
        class: POINT,
        name: "Point".into(),
    }
}

impl Env for TestEnv {
    fn lookup_global(&self, name: &str) -> Option<GlobalValue> {
        self.globals.get(name).cloned()
    }

    /// `Point`: fields `x: float64`, `n: int64`, `data: float64[:]`; method `norm` and
    /// property `total` (callee 2, returning float64); static method `make` (callee 0).
    fn class_member(&mut self, class: u64, name: &str) -> Option<ClassMember> {
        if class != POINT {
            return None;
        }
        Some(match name {
            "x" => ClassMember::Field {
                offset: 16,
                ty: Type::F64,
            },
            "n" => ClassMember::Field {
                offset: 24,
                ty: Type::I64,
            },
            "data" => ClassMember::Field {
                offset: 32,
                ty: typeinfer::parse_type("f8[:]").expect("a type"),
            },
            "norm" => ClassMember::Method(CalleeId(2)),
            "total" => ClassMember::Property {
                getter: CalleeId(2),
                setter: None,
            },
            "make" => ClassMember::Static(CalleeId(0)),
            _ => return None,
        })
    }

    fn class_constructor(&mut self, class: u64) -> Option<CalleeId> {
        (class == POINT).then_some(CalleeId(3))
    }

    fn callee_arity(&self, callee: CalleeId) -> Option<usize> {
        (callee == CalleeId(1)).then_some(2)
    }

    fn callee_return_type(
        &mut self,
        callee: CalleeId,
        args: &[Type],
    ) -> Result<Option<Type>, Diagnostic> {
        match (callee, args) {
            (CalleeId(0), args) if args.iter().all(|a| a.as_scalar().is_some()) => {
                Ok(Some(Type::F64))
            }
            (CalleeId(1), [first, ..]) => Ok(Some(first.clone())),
            (CalleeId(2), [Type::Instance { .. }]) => Ok(Some(Type::F64)),
            (CalleeId(3), [arg]) if arg.as_scalar().is_some() => Ok(Some(point())),
            _ => Err(Diagnostic::typing(
                format!("helper() cannot take {args:?}"),
                Span::default(),
            )),
        }
    }
}

/// The source text a span covers (one line).
fn span_text(source: &str, span: Span) -> String {
    let line = source.lines().nth(span.line as usize - 1).unwrap_or("");
    let end = if span.end_line == span.line {
        span.end_col
    } else {
        u32::MAX
    };
    line.chars()
        .skip(span.col as usize - 1)
        .take(end.saturating_sub(span.col) as usize)
        .collect()
}

fn show_span(span: Span) -> String {
    format!(
        "{}:{}-{}:{}",
        span.line, span.col, span.end_line, span.end_col
    )
}

fn show_error(d: &Diagnostic) -> String {
    let span = d.span.map_or("?".to_string(), show_span);
    let mut out = format!("error {:?} {span}: {}\n", d.kind, d.message);
    for note in &d.notes {
        out.push_str(&format!(
            "note {}: {}\n",
            show_span(note.span),
            note.message
        ));
    }
    if let Some(hint) = &d.hint {
        out.push_str(&format!("hint: {hint}\n"));
    }
    out
}

fn show_typed(source: &str, func: &Function, typed: &TypedFunction, show_exprs: bool) -> String {
    let mut out = typeinfer::dump_types(func, typed);
    let mut exprs: Vec<&Expr> = Vec::new();
    walk_exprs(&func.body, &mut |e| exprs.push(e));
    let mut resolutions: Vec<String> = Vec::new();
    let mut types: Vec<String> = Vec::new();
    for e in exprs {
        let location = format!(
            "{}:{} {}",
            e.span.line,
            e.span.col,
            span_text(source, e.span)
        );
        if let Some(r) = typed.resolutions.get(&e.id) {
            resolutions.push(format!("  {location} => {r:?}\n"));
        }
        let ty = typed
            .expr_type(e.id)
            .map_or("-".to_string(), Type::to_string);
        types.push(format!("  {location} : {ty}\n"));
    }
    if !resolutions.is_empty() {
        out.push_str("resolutions:\n");
        out.extend(resolutions);
    }
    if show_exprs {
        out.push_str("exprs:\n");
        out.extend(types);
    }
    out
}

/// Runs one case's source and renders the result.
fn run_case(source: &str) -> String {
    let header = |key: &str| {
        source
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::trim)
            .unwrap_or("")
    };
    let signature = match typeinfer::parse_signature(header("# sig:")) {
        Ok(s) => s,
        Err(d) => return format!("bad signature header: {d}\n"),
    };
    let func = match frontend::parse_function(&SourceFile::new("case.py", source)) {
        Ok(f) => f,
        Err(d) => return format!("frontend {}", show_error(&d)),
    };
    let mut env = TestEnv::new();
    match typeinfer::infer_function(&func, &signature.args, signature.ret.as_ref(), &mut env) {
        Ok(typed) => {
            check_invariants(source, &func, &typed);
            show_typed(source, &func, &typed, header("# show:") == "exprs")
        }
        Err(d) => show_error(&d),
    }
}

/// After a successful inference every expression has a type, except those that are not
/// values: callees, modules, exception classes (and the call that builds a raised exception),
/// slices and index tuples holding slices.
fn check_invariants(source: &str, func: &Function, typed: &TypedFunction) {
    assert_eq!(
        typed.expr_types.len(),
        func.num_exprs as usize,
        "one slot per expression"
    );
    let mut exprs: Vec<&Expr> = Vec::new();
    walk_exprs(&func.body, &mut |e| exprs.push(e));
    let is_class = |e: &Expr| {
        matches!(
            typed.resolutions.get(&e.id),
            Some(Resolution::ExceptionClass(_))
        )
    };
    for e in exprs {
        if typed.expr_type(e.id).is_some() {
            continue;
        }
        let not_a_value = match &e.kind {
            ExprKind::Slice { .. } => true,
            ExprKind::Tuple(items) => items
                .iter()
                .any(|i| matches!(i.kind, ExprKind::Slice { .. })),
            // `enumerate(...)`/`zip(...)` as a loop's iterable: the target has the item type.
            ExprKind::Call { func, .. } => {
                is_class(func)
                    || matches!(
                        typed.resolutions.get(&e.id),
                        Some(Resolution::Intrinsic(Intrinsic::Enumerate | Intrinsic::Zip))
                    )
            }
            _ => matches!(
                typed.resolutions.get(&e.id),
                Some(
                    Resolution::Callee
                        | Resolution::ReceiverFirst
                        | Resolution::Module(_)
                        | Resolution::ExceptionClass(_)
                )
            ),
        };
        let text = span_text(source, e.span);
        assert!(
            not_a_value,
            "{}:{} `{text}` has no type",
            e.span.line, e.span.col
        );
    }
}

#[test]
fn cases() {
    let dir = common::data_path("cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 3, "case files missing in {}", dir.display());
    let mut failures = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let (source, expected) = match text.split_once(EXPECT_MARKER) {
            Some((source, expected)) => (source.trim_end().to_string() + "\n", expected),
            None => (text.clone(), ""),
        };
        let expected: String = expected
            .lines()
            .skip(1)
            .map(|l| {
                l.strip_prefix("# ")
                    .or(l.strip_prefix('#'))
                    .unwrap_or(l)
                    .to_string()
                    + "\n"
            })
            .collect();
        let actual = run_case(&source);
        let commented: String = actual.lines().map(|l| format!("# {l}\n")).collect();
        let new_text = format!("{source}\n{EXPECT_MARKER}\n{commented}");
        if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                path.display()
            ));
        }
        if common::bless() && new_text != text {
            std::fs::write(&path, new_text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
    common::report(failures);
}

/// Mutated case sources (lines dropped, tokens swapped) that still parse never make inference
/// panic, whatever the outcome.
#[test]
fn mutated_cases_never_panic() {
    const TOKENS: &[&str] = &[
        "x",
        "1",
        "2.5",
        "1j",
        "a",
        "True",
        "None",
        "(1, 2)",
        "math",
        "np.pi",
        "range(3)",
        "\"s\"",
        "a[0]",
        "a.shape",
        "helper",
        "pyfunc",
        "items",
        "undefined",
        "-1",
    ];
    let dir = common::data_path("cases");
    let mut rng = common::Rng::new(42);
    let mut inferred = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let source = text.split(EXPECT_MARKER).next().unwrap_or("");
        let signature = source
            .lines()
            .find_map(|l| l.strip_prefix("# sig:"))
            .and_then(|s| typeinfer::parse_signature(s.trim()).ok());
        let Some(signature) = signature else { continue };
        for _ in 0..20 {
            let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
            let line = 2 + rng.below(lines.len().saturating_sub(2));
            if line < lines.len() {
                if rng.below(3) == 0 {
                    lines.remove(line);
                } else {
                    let words: Vec<&str> = lines[line].split(' ').collect();
                    let k = rng.below(words.len());
                    let mut words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
                    if !words[k].is_empty() {
                        words[k] = TOKENS[rng.below(TOKENS.len())].to_string();
                    }
                    lines[line] = words.join(" ");
                }
            }
            let mutated = lines.join("\n") + "\n";
            let Ok(func) = frontend::parse_function(&SourceFile::new("m.py", mutated)) else {
                continue;
            };
            let mut env = TestEnv::new();
            inferred += 1;
            let _ =
                typeinfer::infer_function(&func, &signature.args, signature.ret.as_ref(), &mut env);
        }
    }
    assert!(inferred > 500, "only {inferred} mutants parsed");
}
