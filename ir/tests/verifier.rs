//! Tests of the verifier: one case per invariant of its module doc. Cases are IR text (the
//! parser accepts ill-typed IR) or, for what text cannot express (broken back-pointers,
//! entities placed twice), a valid function with one field broken.

use ir::parse::{parse_function, parse_module};
use ir::verify::{verify_function, verify_module};
use ir::*;

/// Wraps `body` (blocks and instructions) in a function with the given signature.
fn function(signature: &str, body: &str) -> Function {
    let text = format!("function @f{signature} {{\n{body}\n}}\n");
    parse_function(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Asserts that verification fails with a message containing `expected`.
fn check_invalid(func: &Function, expected: &str) {
    let error = verify_function(func).expect_err(expected).to_string();
    assert!(
        error.contains(expected),
        "expected `{expected}` in\n  {error}\nfor\n{func}"
    );
}

#[test]
fn ill_typed_text_is_rejected() {
    let cases: &[(&str, &str, &str)] = &[
        ("()", "", "the layout is empty"),
        (
            "(i64)",
            "block0(v0: f64):\n    return",
            "entry parameters (f64) differ from the function's (i64)",
        ),
        (
            "(ptr array0d)",
            "block0(v0: ptr):\n    return",
            "parameter 0 cannot be an array descriptor of rank 0",
        ),
        (
            "()",
            "block0:\n    v0 = iconst.i64 1",
            "does not end with a terminator",
        ),
        (
            "()",
            "block0:\n    return\n    return",
            "terminator before the end of the block",
        ),
        (
            "(i64, f64)",
            "block0(v0: i64, v1: f64):\n    v2 = iadd v0, v1\n    return",
            "operands must have the same type",
        ),
        (
            "(f64)",
            "block0(v0: f64):\n    v1 = iadd v0, v0\n    return",
            "operands must be integers",
        ),
        (
            "(i64)",
            "block0(v0: i64):\n    v1 = fadd v0, v0\n    return",
            "operands must be floats",
        ),
        (
            "(i64)",
            "block0(v0: i64):\n    v1 = iadd v0\n    return",
            "`iadd` takes 2 operand(s)",
        ),
        (
            "(f64)",
            "block0(v0: f64):\n    v1 = icmp.eq v0, v0\n    return",
            "icmp compares integers or bools",
        ),
        (
            "(f32, f64)",
            "block0(v0: f32, v1: f64):\n    v2 = fcmp.lt v0, v1\n    return",
            "fcmp compares two equal floats",
        ),
        (
            "(i64)",
            "block0(v0: i64):\n    v1 = not v0\n    return",
            "operands and result must be bools",
        ),
        (
            "(i64)",
            "block0(v0: i64):\n    brif v0, block1, block1\nblock1:\n    return",
            "the condition must be a bool",
        ),
        (
            "(bool, i64, f64)",
            "block0(v0: bool, v1: i64, v2: f64):\n    v3 = select v0, v1, v2\n    return",
            "both arms must have the same type",
        ),
        (
            "(i64)",
            "block0(v0: i64):\n    v1 = sext.i8 v0\n    return",
            "`sext` cannot convert i64 to i8",
        ),
        (
            "(i8)",
            "block0(v0: i8):\n    v1 = ireduce.i64 v0\n    return",
            "`ireduce` cannot convert i8 to i64",
        ),
        (
            "(f64)",
            "block0(v0: f64):\n    v1 = fpromote.f64 v0\n    return",
            "`fpromote` cannot convert f64 to f64",
        ),
        (
            "(f32)",
            "block0(v0: f32):\n    v1 = fdemote.f32 v0\n    return",
            "`fdemote` cannot convert f32 to f32",
        ),
        (
            "(f64)",
            "block0(v0: f64):\n    v1 = stof.f64 v0\n    return",
            "`stof` cannot convert f64 to f64",
        ),
        (
            "(i64)",
            "block0(v0: i64):\n    v1 = ftos.i64 v0\n    return",
            "`ftos` cannot convert i64 to i64",
        ),
        (
            "(i32)",
            "block0(v0: i32):\n    v1 = bitcast.f64 v0\n    return",
            "`bitcast` cannot convert i32 to f64",
        ),
        (
            "(f64)",
            "block0(v0: f64):\n    v1 = tobool v0\n    v2 = uext.i8 v1\n    v3 = uext.i8 v2\n    return",
            "`uext` cannot convert i8 to i8",
        ),
        (
            "(f64)",
            "block0(v0: f64):\n    v1 = load.i64 v0\n    return",
            "the address must be ptr or i64",
        ),
        (
            "(f64)",
            "block0(v0: f64):\n    store v0, v0\n    return",
            "the address must be ptr or i64",
        ),
        (
            "(i64)",
            "block0(v0: i64):\n    v1 = call_rt.sin v0\n    return",
            "`sin` takes (f64) and returns f64",
        ),
        (
            "(f64) -> i64",
            "block0(v0: f64):\n    return v0",
            "returns (f64) but the function returns (i64)",
        ),
        (
            "()",
            "block0:\n    raise error0",
            "no such error in the table",
        ),
        (
            "(f64)",
            "    error0 = ValueError \"x\" @1:1\nblock0(v0: f64):\n    raise error0(v0)",
            "raise arguments must be i64",
        ),
        (
            "(i64)",
            "    error0 = ValueError \"x\" @1:1\nblock0(v0: i64):\n    raise error0(v0, v0, v0, v0)",
            "at most 3 arguments",
        ),
        (
            "(i64)",
            "block0(v0: i64):\n    jump block1\nblock1(v1: i64):\n    return",
            "block1 takes (i64) but is passed ()",
        ),
        (
            "(i64)",
            "block0(v0: i64):\n    jump block1(v0)\nblock1(v1: f64):\n    return",
            "block1 takes (f64) but is passed (i64)",
        ),
        (
            "()",
            "block0:\n    jump block0, block0",
            "`jump` needs 1 target(s), has 2",
        ),
        (
            "()",
            "block0:\n    return block0",
            "`return` needs 0 target(s), has 1",
        ),
        // Dominance.
        (
            "(i64) -> i64",
            "block0(v0: i64):\n    v1 = iadd v2, v0\n    v2 = iadd v0, v0\n    return v1",
            "v2 is defined in block0, which does not dominate this use",
        ),
        (
            "(bool) -> i64",
            "block0(v0: bool):\n    brif v0, block1, block2\nblock1:\n    v1 = iconst.i64 1\n    jump block3\nblock2:\n    jump block3\nblock3:\n    return v1",
            "v1 is defined in block1, which does not dominate",
        ),
        (
            "(bool) -> i64",
            "block0(v0: bool):\n    brif v0, block1(v0), block2\nblock1(v1: bool):\n    jump block2\nblock2:\n    v2 = uext.i64 v1\n    return v2",
            "v1 is defined in block1, which does not dominate",
        ),
    ];
    for (signature, body, expected) in cases {
        check_invalid(&function(signature, body), expected);
    }
}

#[test]
fn valid_functions_pass() {
    let cases: &[(&str, &str)] = &[
        // ptr and i64 mix in address arithmetic; bools compare with icmp; an unreachable block
        // may use anything defined.
        (
            "(ptr, i64) -> ptr",
            "block0(v0: ptr, v1: i64):\n    v2 = iadd v0, v1\n    return v2\nblock1:\n    v3 = iadd v2, v1\n    return v3",
        ),
        (
            "(bool, bool) -> bool",
            "block0(v0: bool, v1: bool):\n    v2 = icmp.eq v0, v1\n    return v2",
        ),
        (
            "(bool) -> i8",
            "block0(v0: bool):\n    v1 = uext.i8 v0\n    return v1",
        ),
        (
            "(i64) -> i64",
            "block0(v0: i64):\n    jump block1(v0)\nblock1(v1: i64):\n    v2 = iadd v1, v0\n    brif v3, block1(v2), block2\nblock2:\n    return v2\nblock3:\n    v3 = bconst true\n    return v0",
        ),
    ];
    let mut failures = Vec::new();
    for (signature, body) in cases {
        let func = function(signature, body);
        if let Err(e) = verify_function(&func) {
            failures.push(format!("{e}"));
        }
    }
    // The last case uses v3 from an unreachable block in a reachable one: that is an error.
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(
        failures[0].contains("v3 is defined in block3"),
        "{failures:#?}"
    );
}

fn valid() -> Function {
    function(
        "(i64) -> i64",
        "block0(v0: i64):\n    v1 = iconst.i64 1\n    jump block1(v1)\nblock1(v2: i64):\n    v3 = iadd v2, v0\n    return v3",
    )
}

#[test]
fn broken_data_structures_are_rejected() {
    type Break = fn(&mut Function);
    let cases: &[(Break, &str)] = &[
        (|f| f.layout.push(Block(1)), "block1: placed twice"),
        (|f| f.layout.push(Block(9)), "block9 does not exist"),
        (
            |f| f.layout.retain(|&b| b != Block(1)),
            "target block1 is not in the layout",
        ),
        (
            |f| f.blocks[1].insts.insert(0, Inst(0)),
            "instruction placed twice",
        ),
        (
            |f| f.blocks[1].insts.insert(0, Inst(99)),
            "instruction 99 does not exist",
        ),
        (|f| f.blocks[1].insts.clear(), "the block is empty"),
        (
            |f| f.values[3].def = ValueDef::Result(Inst(0), 0),
            "result 0 (v3) is not defined as this result",
        ),
        (
            |f| f.values[2].def = ValueDef::Param(Block(0), 0),
            "parameter 0 (v2) is not defined as this parameter",
        ),
        (
            |f| {
                f.blocks[0].insts.remove(0);
            },
            "v1 is used but not defined",
        ),
        (
            |f| f.insts[2].args[0] = Value(77),
            "v77 is used but not defined",
        ),
        (
            |f| f.insts[1].targets[0].args.clear(),
            "block1 takes (i64) but is passed ()",
        ),
    ];
    verify_function(&valid()).expect("the base case is valid");
    for (break_it, expected) in cases {
        let mut func = valid();
        break_it(&mut func);
        check_invalid(&func, expected);
    }
}

#[test]
fn errors_name_the_function_block_and_instruction() {
    let func = function(
        "(i64, f64)",
        "block0(v0: i64, v1: f64):\n    v2 = iadd v0, v1 @3:4\n    return",
    );
    let error = verify_function(&func).expect_err("ill-typed");
    assert_eq!(
        error.to_string(),
        "invalid IR in function @f, block0, at `v2 = iadd v0, v1 @3:4`: operands must have the same type"
    );
}

#[test]
fn modules_check_calls() {
    let callee =
        "function @g(i64) -> f64 {\nblock0(v0: i64):\n    v1 = stof.f64 v0\n    return v1\n}\n";
    let caller = |call: &str| {
        format!("function @f(i64) {{\nblock0(v0: i64):\n    {call}\n    return\n}}\n{callee}")
    };
    let ok = parse_module(&caller("v1 = call @g(v0) -> f64")).expect("parses");
    verify_module(&ok).expect("valid calls");
    let cases: &[(&str, &str)] = &[
        ("v1 = call @h(v0) -> f64", "no function @h"),
        (
            "v1 = call @g(v0) -> i64",
            "@g takes (i64) and returns (f64); called with (i64) for (i64)",
        ),
        ("call @g(v0)", "called with (i64) for ()"),
    ];
    for (call, expected) in cases {
        let module = parse_module(&caller(call)).expect("parses");
        let error = verify_module(&module).expect_err(call).to_string();
        assert!(error.contains(expected), "{error}");
    }
    let twice = parse_module(&format!("{callee}{callee}")).expect("parses");
    let error = verify_module(&twice).expect_err("duplicate").to_string();
    assert!(error.contains("a function of this name exists"), "{error}");
}
