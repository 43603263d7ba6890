//! Round-trip tests of the text form: the parser reads back exactly what the printer writes.
//!
//! - `tests/ir/roundtrip_all_ops.ir` must use every op (checked against an exhaustive `match`,
//!   so a new op fails to compile here until it is added to the count and the file);
//! - a function built with [`Builder`] survives print → parse structurally, keeping numbers;
//! - float immediates keep their bits, names and messages any characters (proptest);
//! - malformed text gives an error at the right `line:col`.

use ir::parse::{parse_function, parse_module};
use ir::print::print_function;
use ir::*;
use proptest::prelude::*;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use std::collections::HashSet;
use std::mem::discriminant;

/// Number of `Op` variants. The match below has no wildcard: adding a variant breaks the
/// build here, as a reminder to extend the count and `roundtrip_all_ops.ir`.
const OP_VARIANTS: usize = 74;

#[allow(dead_code)]
fn exhaustive(op: &Op) {
    use Op::*;
    match op {
        Iconst(_)
        | Fconst(_)
        | Bconst(_)
        | Iadd
        | Isub
        | Imul
        | Sdiv
        | Udiv
        | Srem
        | Urem
        | Umulhi
        | Ineg
        | Band
        | Bor
        | Bxor
        | Bnot
        | Popcnt
        | Ishl
        | Sshr
        | Ushr
        | Rotr
        | Smin
        | Smax
        | Umin
        | Umax
        | UaddSat
        | UsubSat
        | Icmp(_)
        | Fadd
        | Fsub
        | Fmul
        | Fdiv
        | Fneg
        | Fabs
        | Sqrt
        | Floor
        | Ceil
        | Trunc
        | Nearest
        | Fmin
        | Fmax
        | Copysign
        | Fma
        | Fcmp(_)
        | Not
        | And
        | Or
        | Sext
        | Uext
        | Ireduce
        | ToBool
        | Fpromote
        | Fdemote
        | SToF
        | UToF
        | FToS
        | FToU
        | Bitcast
        | Select
        | Splat
        | ExtractLane(_)
        | Widen { .. }
        | Pack
        | PackSat
        | CallCatch(_)
        | Load { .. }
        | Store { .. }
        | CallRuntime(_)
        | Call(_)
        | StackSlot(_)
        | ParallelFor(_)
        | Jump
        | Brif
        | Return
        | Raise(_) => {}
    }
}

fn golden(name: &str) -> String {
    let path = format!("{}/../tests/ir/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_all_ops_file_uses_every_op_and_condition() {
    let text = golden("roundtrip_all_ops.ir");
    let input = &text[..text.find("; expect:").expect("blessed file")];
    let module = parse_module(input).expect("parses");
    let ops: Vec<&Op> = module
        .functions
        .iter()
        .flat_map(|f| {
            f.layout
                .iter()
                .flat_map(|&b| &f.block(b).insts)
                .map(|&i| &f.inst(i).op)
        })
        .collect();
    let variants: HashSet<_> = ops.iter().map(|op| discriminant(*op)).collect();
    assert_eq!(
        variants.len(),
        OP_VARIANTS,
        "roundtrip_all_ops.ir must use every op"
    );
    let intccs: HashSet<String> = ops
        .iter()
        .filter_map(|op| {
            if let Op::Icmp(cc) = op {
                Some(format!("{cc:?}"))
            } else {
                None
            }
        })
        .collect();
    let floatccs: HashSet<String> = ops
        .iter()
        .filter_map(|op| {
            if let Op::Fcmp(cc) = op {
                Some(format!("{cc:?}"))
            } else {
                None
            }
        })
        .collect();
    assert_eq!((intccs.len(), floatccs.len()), (10, 6));
}

/// Field-by-field equality, comparing instructions by position (the parser numbers them in
/// text order) and values and blocks by number (the parser keeps those).
fn assert_same_function(a: &Function, b: &Function) {
    assert_eq!(
        (&a.name, &a.params, &a.returns, &a.errors),
        (&b.name, &b.params, &b.returns, &b.errors)
    );
    assert_eq!(a.layout, b.layout);
    for &block in &a.layout {
        let (x, y) = (a.block(block), b.block(block));
        assert_eq!(x.params, y.params, "{block}");
        assert_eq!(x.insts.len(), y.insts.len(), "{block}");
        for v in &x.params {
            assert_eq!(a.value_type(*v), b.value_type(*v));
        }
        for (&i, &j) in x.insts.iter().zip(&y.insts) {
            let (p, q) = (a.inst(i), b.inst(j));
            let same_op = match (&p.op, &q.op) {
                (Op::Fconst(x), Op::Fconst(y)) => x.to_bits() == y.to_bits(),
                (x, y) => x == y,
            };
            assert!(same_op, "{:?} vs {:?}", p.op, q.op);
            assert_eq!(
                (&p.args, &p.results, &p.targets, p.line, p.col),
                (&q.args, &q.results, &q.targets, q.line, q.col)
            );
            for r in &p.results {
                assert_eq!(a.value_type(*r), b.value_type(*r));
                assert_eq!(
                    b.value_def(*r),
                    ValueDef::Result(j, p.results.iter().position(|x| x == r).unwrap() as u32)
                );
            }
        }
    }
}

fn check_roundtrip(func: &Function) {
    let text = print_function(func);
    let parsed = parse_function(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_same_function(func, &parsed);
    assert_eq!(print_function(&parsed), text);
}

/// The syntax example in `print.rs`'s module doc stays true: it parses, verifies and prints
/// back unchanged.
#[test]
fn the_documented_example_roundtrips() {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/print.rs"))
        .expect("print.rs");
    let example: String = source
        .lines()
        .skip_while(|l| *l != "//! ```text")
        .skip(1)
        .take_while(|l| *l != "//! ```")
        .map(|l| format!("{}\n", l.strip_prefix("//! ").unwrap_or("")))
        .collect();
    let func = parse_function(&example).unwrap_or_else(|e| panic!("{e}\n{example}"));
    ir::verify::verify_function(&func).expect("the example is valid IR");
    assert_eq!(print_function(&func), example);
}

#[test]
fn a_built_function_roundtrips_structurally() {
    let mut func = Function::new("built", vec![Ty::Ptr, Ty::F32], vec![Ty::F64, Ty::I8]);
    let error = func.add_error(ErrorSite {
        kind: ExceptionKind::ValueError,
        message: "bad {}".into(),
        line: 4,
        col: 9,
        function: String::new(),
    });
    let mut b = Builder::new(&mut func);
    let (_, params) = b.create_entry_block();
    let exit = b.create_block();
    let x = b.append_block_param(exit, Ty::F64);
    let fail = b.create_block();
    b.set_srcloc(3, 7);
    let wide = b.convert(Op::Fpromote, params[1], Ty::F64);
    let loaded = b.load(Ty::F64, params[0], -24, true);
    let sum = b.binary(Op::Fadd, wide, loaded);
    let s = b.call_runtime(RuntimeFn::Hypot, &[sum, wide]);
    b.store(params[0], s, 8);
    b.set_srcloc(0, 0);
    let zero = b.fconst(Ty::F64, -0.0);
    let ok = b.fcmp(FloatCC::Ge, s, zero);
    b.brif(ok, exit, &[s], fail, &[]);
    b.switch_to(fail);
    let code = b.iconst(Ty::I64, i64::MIN);
    b.raise(error, &[code]);
    b.switch_to(exit);
    let small = b.iconst(Ty::I8, -128);
    b.ret(&[x, small]);
    ir::verify::verify_function(&func).expect("valid");
    check_roundtrip(&func);
}

#[test]
fn skipped_numbers_stay_skipped() {
    let text = "function @f(i64) -> i64 {\nblock7(v3: i64):\n    v9 = iadd v3, v3\n    jump block2(v9)\nblock2(v20: i64):\n    return v20\n}\n";
    let func = parse_function(text).expect("parses");
    assert_eq!(print_function(&func), text);
    assert_eq!(func.blocks.len(), 8);
    assert_eq!(func.values.len(), 21);
    ir::verify::verify_function(&func).expect("holes do not matter to the verifier");
}

/// Malformed text and where its error is reported.
#[test]
fn parse_errors_have_positions() {
    let cases: &[(&str, &str)] = &[
        ("func @f() {\n}", "1:1: expected `function`"),
        (
            "function @f() {\nblock0:\n    v0 = iconst.i64 x\n}",
            "3:21: expected an integer immediate",
        ),
        (
            "function @f() {\nblock0:\n    v0 = frob v1\n}",
            "3:10: unknown opcode `frob`",
        ),
        (
            "function @f() {\nblock0:\n    return v4\n}",
            "3:12: v4 is used but never defined",
        ),
        (
            "function @f() {\nblock0:\n    jump block3\n}",
            "3:10: block3 is not defined",
        ),
        (
            "function @f() {\nblock0:\n    v0 = iconst.i64 1\n    v0 = iconst.i64 2\n    return\n}",
            "4:5: v0 is defined twice",
        ),
        (
            "function @f() {\nblock0:\n    v0 = iconst 1\n}",
            "3:10: `iconst` needs its result type",
        ),
        (
            "function @f() {\nblock0:\n    v0 = iconst.i64 99999999999999999999\n}",
            "3:21: an integer immediate 99999999999999999999 is out of range",
        ),
        (
            "function @f() {\nblock0:\n    v0 = fconst.f64 NaN\n}",
            "3:21: invalid float immediate `NaN`",
        ),
        (
            "function @f() {\nblock0:\n    v0, v1 = iconst.i64 1\n}",
            "3:5: `iconst` defines 1 result(s), not 2",
        ),
        (
            "function @f() {\nblock0:\n    v0 = iadd v0, v0\n    return\n}",
            "3:5: cannot infer the type of v0",
        ),
        (
            "function @f() {\n    v0 = iconst.i64 1\n}",
            "2:5: instruction before the first block header",
        ),
        (
            "function @f() {\nblock0:\n    return\n",
            "4:1: expected `}`",
        ),
        (
            "function @f() {\n    error1 = ValueError \"x\" @1:1\n}",
            "2:5: expected error0",
        ),
        (
            "function @f() {\n    error0 = ValueError \"x\n}",
            "2:25: unterminated string",
        ),
        ("function @f(i65) {\n}", "1:13: unknown type `i65`"),
        (
            "function @f() {\nblock0:\n    return @3\n}",
            "3:14: expected `:`",
        ),
        (
            "function @f() {\nblock0:\n    jump block0, v1\n}",
            "3:18: values must come before branch targets",
        ),
        (
            "function @f() {\nblock0:\n    v1 = load.i64.bogus v0\n}",
            "3:10: unexpected suffix `.bogus`",
        ),
    ];
    for (text, expected) in cases {
        let error = parse_module(text).expect_err(text).to_string();
        assert!(
            error.starts_with(expected),
            "for {text:?}\n  got:      {error}\n  expected: {expected}"
        );
    }
}

/// A one-block function returning `fconst.f64 x` and raising a message, named `name`.
fn function_with(name: &str, message: &str, x: f64) -> Function {
    let mut func = Function::new(name, vec![], vec![Ty::F64]);
    let kind = ExceptionKind::RuntimeError;
    func.add_error(ErrorSite {
        kind,
        message: message.into(),
        line: 1,
        col: 2,
        function: String::new(),
    });
    let mut b = Builder::new(&mut func);
    b.create_entry_block();
    let v = b.fconst(Ty::F64, x);
    b.ret(&[v]);
    func
}

proptest! {
    #[test]
    fn float_immediates_keep_their_bits(bits in any::<u64>()) {
        check_roundtrip(&function_with("f", "", f64::from_bits(bits)));
    }

    #[test]
    fn names_and_messages_keep_every_character(name in ".*", message in ".*") {
        check_roundtrip(&function_with(&name, &message, 1.5));
    }
}
