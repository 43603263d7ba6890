//! Rejection tests: every construct outside the subset, every syntax error and every
//! pathological input yields one diagnostic of the right kind, at the right place, naming the
//! construct.

use frontend::{DiagnosticKind, SourceFile};

const UNSUPPORTED: DiagnosticKind = DiagnosticKind::Unsupported;
const SYNTAX: DiagnosticKind = DiagnosticKind::Syntax;

/// `(body, kind, line, col, message fragment)`. The body is indented under `def f(a, b, c):`,
/// so its first line is line 2 and its columns start at 5.
const BODY_CASES: &[(&str, DiagnosticKind, u32, u32, &str)] = &[
    (
        "x = {**a}",
        UNSUPPORTED,
        2,
        12,
        "`**` unpacking in dict literals is not supported",
    ),
    (
        "x = sum(i for i in a)",
        UNSUPPORTED,
        2,
        13,
        "generator expressions are not supported",
    ),
    (
        "g = (lambda y: y)(a)",
        UNSUPPORTED,
        2,
        10,
        "lambda is only supported assigned to a name",
    ),
    (
        "s = f'{a:{b}}'",
        UNSUPPORTED,
        2,
        9,
        "nested replacement fields in an f-string",
    ),
    ("yield a", UNSUPPORTED, 2, 5, "`yield` is not supported"),
    (
        "x = yield from a",
        UNSUPPORTED,
        2,
        9,
        "`yield` is not supported",
    ),
    ("await a", UNSUPPORTED, 2, 5, "`await` is not supported"),
    (
        "x = (*a, b)",
        UNSUPPORTED,
        2,
        10,
        "star-expressions are not supported",
    ),
    (
        "a, *b = c",
        UNSUPPORTED,
        2,
        8,
        "star-expressions are not supported",
    ),
    (
        "f(*g())",
        UNSUPPORTED,
        2,
        7,
        "`*` unpacking in a call takes a variable or a tuple literal",
    ),
    (
        "f(b, **a)",
        UNSUPPORTED,
        2,
        10,
        "`**kwargs` unpacking in calls is not supported",
    ),
    (
        "if (n := a):\n    pass",
        UNSUPPORTED,
        2,
        9,
        "walrus `:=` is not supported",
    ),
    (
        "x = b'abc'",
        UNSUPPORTED,
        2,
        9,
        "bytes literals are not supported",
    ),
    (
        "x = 170141183460469231731687303715884105728",
        UNSUPPORTED,
        2,
        9,
        "does not fit in 128 bits",
    ),
    (
        "with open(a) as h:\n    pass",
        UNSUPPORTED,
        2,
        5,
        "`with` statements are not supported",
    ),
    (
        "global a",
        UNSUPPORTED,
        2,
        5,
        "`global`/`nonlocal` are not supported",
    ),
    (
        "class C:\n    pass",
        UNSUPPORTED,
        2,
        5,
        "classes are not supported",
    ),
    (
        "del a",
        UNSUPPORTED,
        2,
        5,
        "`del` is supported only for one item",
    ),
    (
        "import math",
        UNSUPPORTED,
        2,
        5,
        "`import` inside a jitted function is not supported",
    ),
    (
        "from math import sqrt",
        UNSUPPORTED,
        2,
        5,
        "`import` inside a jitted function is not supported",
    ),
    (
        "match a:\n    case 1:\n        pass",
        UNSUPPORTED,
        2,
        5,
        "`match` statements are not supported",
    ),
    (
        "type X = int",
        UNSUPPORTED,
        2,
        5,
        "`type` aliases are not supported",
    ),
    (
        "async def g():\n    pass",
        UNSUPPORTED,
        2,
        5,
        "async functions are not supported",
    ),
    (
        "if a:\n    def g():\n        pass",
        UNSUPPORTED,
        3,
        9,
        "nested `def` inside a block",
    ),
    (
        "raise ValueError from a",
        UNSUPPORTED,
        2,
        5,
        "`raise ... from ...` is not supported",
    ),
    // Attribute targets (`a.b = 1`) parse: `@jitclass` fields; the typer rejects others.
    (
        "[a, b] = c",
        UNSUPPORTED,
        2,
        5,
        "list targets in assignment are not supported",
    ),
    (
        "for [i, j] in a:\n    pass",
        UNSUPPORTED,
        2,
        9,
        "list targets in assignment are not supported",
    ),
    (
        "x: int",
        UNSUPPORTED,
        2,
        5,
        "a bare annotation without a value is not supported",
    ),
    ("x = 1\n  y = 2", SYNTAX, 3, 1, "unexpected indent"),
    ("return 1 +", SYNTAX, 2, 15, "invalid syntax"),
];

/// `(whole source, kind, line, col, message fragment)`; line 0 means "no span".
const SOURCE_CASES: &[(&str, DiagnosticKind, u32, u32, &str)] = &[
    (
        "def f(a, **kw):\n    pass",
        UNSUPPORTED,
        1,
        12,
        "`**kwargs` parameters are not supported",
    ),
    (
        "async def f():\n    pass",
        UNSUPPORTED,
        1,
        1,
        "async functions are not supported",
    ),
    (
        "class C:\n    pass",
        UNSUPPORTED,
        1,
        1,
        "classes are not supported",
    ),
    (
        "x = 1\ndef f():\n    pass",
        UNSUPPORTED,
        1,
        1,
        "expected only a function definition",
    ),
    (
        "def f():\n    pass\n\ndef g():\n    pass",
        UNSUPPORTED,
        4,
        1,
        "exactly one top-level function",
    ),
    ("", SYNTAX, 0, 0, "expected a function definition"),
    (
        "# just a comment\n\n",
        SYNTAX,
        0,
        0,
        "expected a function definition",
    ),
    ("def f(:\n    pass", SYNTAX, 1, 7, "invalid syntax"),
    (
        "def f():\nreturn 1",
        SYNTAX,
        2,
        1,
        "expected an indented block",
    ),
    ("def f():\n    x = (1,\n", SYNTAX, 3, 1, "unexpected EOF"),
    ("  def f():\n    pass", SYNTAX, 1, 1, "unexpected indent"),
    (
        "def f():\n    s = 'unterminated\n",
        SYNTAX,
        3,
        1,
        "EOL while scanning string literal",
    ),
];

fn check(
    source: &str,
    kind: DiagnosticKind,
    line: u32,
    col: u32,
    fragment: &str,
) -> Option<String> {
    let result = frontend::parse_function(&SourceFile::new("<test>", source));
    let diagnostic = match result {
        Ok(function) => {
            return Some(format!(
                "{source:?}: converted to `{}`, expected an error",
                function.dump()
            ));
        }
        Err(diagnostic) => diagnostic,
    };
    let position = diagnostic.span.map_or((0, 0), |span| (span.line, span.col));
    if diagnostic.kind == kind && position == (line, col) && diagnostic.message.contains(fragment) {
        return None;
    }
    Some(format!(
        "{source:?}:\n  want {kind:?} at {line}:{col} containing {fragment:?}\n  got  {:?} at {}:{}: {}",
        diagnostic.kind, position.0, position.1, diagnostic.message
    ))
}

#[test]
fn rejected_constructs() {
    let mut failures = Vec::new();
    for &(body, kind, line, col, fragment) in BODY_CASES {
        let indented: Vec<String> = body.lines().map(|l| format!("    {l}")).collect();
        let source = format!("def f(a, b, c):\n{}\n", indented.join("\n"));
        failures.extend(check(&source, kind, line, col, fragment));
    }
    for &(source, kind, line, col, fragment) in SOURCE_CASES {
        failures.extend(check(source, kind, line, col, fragment));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Hints are part of the message contract for the constructs users hit most.
#[test]
fn hints() {
    let cases = [
        ("    x = sum(i for i in a)", "write a loop"),
        ("    import math", "import at module level"),
    ];
    for (body, hint) in cases {
        let source = format!("def f(a):\n{body}\n");
        let diagnostic =
            frontend::parse_function(&SourceFile::new("<test>", source)).expect_err("rejected");
        assert_eq!(diagnostic.hint.as_deref(), Some(hint), "hint for {body:?}");
    }
}

fn deep(prefix: &str, unit: &str, count: usize, suffix: &str) -> String {
    format!(
        "def f(a):\n    return {prefix}{}{suffix}\n",
        unit.repeat(count)
    )
}

fn elif_chain(count: usize) -> String {
    let mut source = String::from("def f(a):\n    if a == 0:\n        return 0\n");
    for i in 1..count {
        source.push_str(&format!("    elif a == {i}:\n        return {i}\n"));
    }
    source
}

/// Code nested up to nearly the limit converts (this checks the frontend thread's stack in debug
/// builds); deeper nesting is an error, never a stack overflow.
#[test]
fn nesting_limits() {
    let accepted = [
        deep("a", " + a", 5_900, ""),
        deep("", "-", 900, "a"),
        deep("", "f(", 2_900, &")".repeat(2_900)),
        deep("", "(", 400, &")".repeat(400)),
        elif_chain(2_000),
    ];
    for source in &accepted {
        let result = frontend::parse_function(&SourceFile::new("<test>", source.as_str()));
        assert!(
            result.is_ok(),
            "rejected {}...: {:?}",
            &source[..60],
            result.err().map(|d| d.message)
        );
    }
    let rejected = [
        deep("a", " + a", 20_000, ""),
        deep("", "-", 200_000, "a"),
        deep("", "not ", 100_000, "a"),
        deep("", "(", 100_000, ""),
        deep("", "f(", 20_000, &")".repeat(20_000)),
        deep("", "[", 50_000, &"]".repeat(50_000)),
        deep("f'{", "-", 100_000, "a}'"),
        elif_chain(11_000),
    ];
    for source in &rejected {
        let source = SourceFile::new("<test>", source.as_str());
        let diagnostic = frontend::parse_function(&source).expect_err("too deep");
        assert_eq!(
            diagnostic.kind,
            UNSUPPORTED,
            "{}: {}",
            &source.text[..60],
            diagnostic.message
        );
        assert!(
            diagnostic.message.contains("nested too deeply"),
            "{}",
            diagnostic.message
        );
    }
}
