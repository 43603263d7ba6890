//! Differential tests: passes must not change what a function does. The function before and
//! after a pass runs in the reference interpreter (`support/interp.rs`) on random arguments and
//! random memory; results, raised errors and the final memory must agree.
//!
//! Cases: every golden file's input under every single pass and the default pipeline, and
//! random edits of those inputs (proptest) that still verify. A run the original cannot finish
//! (fuel, a fault such as an out-of-bounds access or division trap) is skipped; the optimised
//! function must never fault where the original did not (a wrongly hoisted load would).

use crate::interp;

use interp::{Bits, Memory, Outcome};
use ir::parse::parse_module;
use ir::passes::{Pass, PipelineOptions, run_pipeline};
use ir::verify::verify_module;
use ir::{Builder, FloatCC, Function, IntCC, Module, Op, Ty, Value};
use proptest::prelude::*;

/// xorshift64*: deterministic random numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn random_arg(rng: &mut Rng, ty: Ty) -> Bits {
    const INTS: &[i64] = &[
        -3,
        -2,
        -1,
        0,
        1,
        2,
        3,
        4,
        5,
        7,
        10,
        12,
        i64::MIN,
        i64::MAX,
        255,
        1 << 31,
    ];
    const FLOATS: &[f64] = &[
        0.0,
        -0.0,
        1.0,
        -1.5,
        2.5,
        0.1,
        3.0,
        1e300,
        f64::INFINITY,
        f64::NAN,
        7.0,
    ];
    match ty {
        Ty::Bool => rng.next() & 1,
        Ty::Ptr => rng.pick(&[0, 8, 64]),
        Ty::F32 => interp::float_bits(rng.pick(FLOATS) as f32 as f64),
        Ty::F64 => interp::float_bits(rng.pick(FLOATS)),
        _ => {
            let shift = 64 - ty.bits();
            ((rng.pick(INTS) << shift) >> shift) as u64
        }
    }
}

/// 512 bytes of small 8-byte integers, so that loaded sizes, strides and pointers stay small.
fn random_memory(rng: &mut Rng) -> Memory {
    Memory(
        (0..64)
            .flat_map(|_| (rng.next() % 6).to_le_bytes())
            .collect(),
    )
}

/// `words` random `f64`s (the generator's special values among them).
fn f64_memory(rng: &mut Rng, words: usize) -> Memory {
    Memory(
        (0..words)
            .flat_map(|_| random_arg(rng, Ty::F64).to_le_bytes())
            .collect(),
    )
}

/// Runs `name` of `before` and of `after` on `args` and copies of `memory`, asserting the same
/// outcome and memory; returns the outcome and how far `calls` (a counter of the interpreter's)
/// moved during the optimised run.
fn agree_counting(
    (before, after): (&Module, &Module),
    name: &str,
    args: &[Bits],
    memory: Memory,
    calls: &'static std::thread::LocalKey<std::cell::Cell<u64>>,
) -> (interp::Outcome, u64) {
    let (mut m1, mut m2) = (memory.clone(), memory);
    let expected = interp::run(before, name, args, &mut m1, &mut 1_000_000);
    let counted = calls.with(|c| c.get());
    let actual = interp::run(after, name, args, &mut m2, &mut 1_000_000);
    let called = calls.with(|c| c.get()) - counted;
    assert!(
        expected == actual && m1 == m2,
        "@{name} on {args:?}: {expected:?} before, {actual:?} after (memory equal: {})",
        m1 == m2
    );
    (expected, called)
}

/// Makes every returned float NaN the same NaN: the IR does not promise NaN payloads.
fn same_nans(outcome: Outcome, returns: &[Ty]) -> Outcome {
    match outcome {
        Outcome::Return(values) => Outcome::Return(
            values
                .into_iter()
                .zip(returns)
                .map(|(v, t)| {
                    if t.is_float() && f64::from_bits(v).is_nan() {
                        f64::NAN.to_bits()
                    } else {
                        v
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

/// Runs every function of `before` and `after` on `runs` random inputs and compares.
fn assert_same_behaviour(before: &Module, after: &Module, seed: u64, runs: usize) {
    let mut rng = Rng(seed | 1);
    for func in &before.functions {
        for _ in 0..runs {
            let args: Vec<Bits> = func
                .params
                .iter()
                .map(|&t| random_arg(&mut rng, t))
                .collect();
            let memory = random_memory(&mut rng);
            let (mut m1, mut m2) = (memory.clone(), memory);
            let expected = interp::run(before, &func.name, &args, &mut m1, &mut 4_000);
            let expected = same_nans(expected, &func.returns);
            if matches!(expected, Outcome::OutOfFuel | Outcome::Fault(_)) {
                continue;
            }
            let actual = interp::run(after, &func.name, &args, &mut m2, &mut 8_000);
            let actual = same_nans(actual, &func.returns);
            // Random memory can put a store on an array descriptor, which the IR declares
            // never stored to: such runs test nothing.
            if interp::broke_readonly_contract(&expected)
                || interp::broke_readonly_contract(&actual)
            {
                continue;
            }
            assert!(
                expected == actual && m1 == m2,
                "@{} on {args:?}: {expected:?} before, {actual:?} after (memory equal: {})\nbefore:\n{}\nafter:\n{}",
                func.name,
                m1 == m2,
                before.function(&func.name).unwrap(),
                after.function(&func.name).unwrap()
            );
        }
    }
}

/// Arguments for `func` on laid-out memory: its pointer parameters take `ptrs` in order, its
/// `i64` parameters `ints` in order (the last repeated), the others random values.
fn laid_out_args(func: &ir::Function, ptrs: &[u64], ints: &[i64], rng: &mut Rng) -> Vec<Bits> {
    let (mut ptrs, mut k) = (ptrs.iter(), 0);
    func.params
        .iter()
        .map(|&t| match t {
            Ty::Ptr => *ptrs.next().expect("an address for every pointer"),
            Ty::I64 => {
                let v = ints[k.min(ints.len() - 1)];
                k += 1;
                v as u64
            }
            t => random_arg(rng, t),
        })
        .collect()
}

fn optimise(module: &Module, passes: Vec<Pass>) -> Module {
    let mut module = module.clone();
    let opts = PipelineOptions {
        passes,
        verify: true,
        fastmath: false,
    };
    for func in &mut module.functions {
        run_pipeline(func, &opts, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    }
    module
}

fn pipelines() -> Vec<Vec<Pass>> {
    let mut all: Vec<Vec<Pass>> = Pass::ALL.iter().map(|&p| vec![p]).collect();
    all.push(PipelineOptions::default().passes);
    all
}

/// The input module of golden file `tests/ir/<name>.ir` (the text before `; expect:`).
fn golden_module(name: &str) -> Module {
    let path = format!("{}/../tests/ir/{name}.ir", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("golden file");
    let input = text.split("\n; expect:\n").next().unwrap_or_default();
    parse_module(input).expect("parses")
}

fn golden_inputs() -> Vec<(String, String)> {
    let dir = format!("{}/../tests/ir", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/ir exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ir"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("readable golden file");
            let input = text.split("\n; expect:\n").next().unwrap_or_default();
            let code = input
                .lines()
                .filter(|l| !l.starts_with(';'))
                .map(|l| format!("{l}\n"))
                .collect();
            // Named by the file alone: the name seeds the random inputs, which must not
            // depend on where the checkout lives.
            let name = p
                .file_name()
                .expect("a file")
                .to_string_lossy()
                .into_owned();
            (name, code)
        })
        .collect()
}

#[test]
fn passes_keep_the_behaviour_of_golden_inputs() {
    for (path, input) in golden_inputs() {
        let module = parse_module(&input).unwrap_or_else(|e| panic!("{path}: {e}"));
        for passes in pipelines() {
            let after = optimise(&module, passes);
            assert_same_behaviour(&module, &after, path.len() as u64 * 7919, 32);
        }
    }
}

/// Applies one edit: replace `len` characters at `at` by `token`.
fn edit(text: &str, at: usize, len: usize, token: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = at % (chars.len() + 1);
    let end = (at + len).min(chars.len());
    chars[..at]
        .iter()
        .chain(token.chars().collect::<Vec<_>>().iter())
        .chain(&chars[end..])
        .collect()
}

const TOKENS: &[&str] = &[
    "0", "1", "-1", "3", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "iadd", "isub", "imul", "sdiv",
    "srem", "band", "ishl", "sshr", "umin", "smax", "fadd", "fmul", "fdiv", "fmin", "icmp.slt",
    "icmp.ult", "icmp.eq", "fcmp.lt", "fcmp.ne", "i8", "i32", "f32", "2.5", "-0.0", "nan",
    "select", "block1", "block2", "block3", "+8", "readonly",
];

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn passes_keep_the_behaviour_of_edited_inputs(
        file in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<usize>(), 0..4usize, prop::sample::select(TOKENS)), 1..4),
        seed in any::<u64>(),
    ) {
        let inputs = golden_inputs();
        let mut text = file.get(&inputs).1.clone();
        for &(at, len, token) in &edits {
            text = edit(&text, at, len, token);
        }
        let Ok(module) = parse_module(&text) else { return Ok(()) };
        if verify_module(&module).is_err() {
            return Ok(());
        }
        for passes in pipelines() {
            let after = optimise(&module, passes);
            assert_same_behaviour(&module, &after, seed, 8);
        }
    }
}

/// Ops with one result and no immediates, for [`single_op_function`].
fn value_ops() -> Vec<Op> {
    use Op::*;
    let mut ops = vec![
        Iadd, Isub, Imul, Sdiv, Udiv, Srem, Urem, Umulhi, Ineg, Band, Bor, Bxor, Bnot, Popcnt,
        Ishl, Sshr, Ushr, Rotr, Smin, Smax, Umin, Umax, Fadd, Fsub, Fmul, Fdiv, Fneg, Fabs, Sqrt,
        Floor, Ceil, Trunc, Nearest, Fmin, Fmax, Copysign, Fma, Not, And, Or, Sext, Uext, Ireduce,
        ToBool, Fpromote, Fdemote, SToF, UToF, FToS, FToU, Bitcast, Select,
    ];
    use IntCC as I;
    ops.extend(
        [
            I::Eq,
            I::Ne,
            I::Slt,
            I::Sle,
            I::Sgt,
            I::Sge,
            I::Ult,
            I::Ule,
            I::Ugt,
            I::Uge,
        ]
        .map(Icmp),
    );
    use FloatCC as F;
    ops.extend([F::Eq, F::Ne, F::Lt, F::Le, F::Gt, F::Ge].map(Fcmp));
    ops
}

const TYPES: [Ty; 7] = [
    Ty::Bool,
    Ty::I8,
    Ty::I16,
    Ty::I32,
    Ty::I64,
    Ty::F32,
    Ty::F64,
];

/// A constant of type `ty` from a pool of edge cases.
fn edge_constant(ty: Ty, pick: usize) -> Op {
    const INTS: &[i64] = &[
        0,
        1,
        -1,
        2,
        -2,
        3,
        7,
        8,
        63,
        64,
        65,
        127,
        128,
        255,
        256,
        32767,
        32768,
        65535,
        i32::MAX as i64,
        i32::MIN as i64,
        u32::MAX as i64,
        i64::MIN,
        i64::MAX,
        -128,
        -32768,
    ];
    const FLOATS: &[f64] = &[
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        1.5,
        2.5,
        -2.5,
        3.0,
        0.1,
        1e10,
        1e300,
        -1e300,
        3.4e38,
        1e-45,
        5e-324,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        2147483648.0,
        9.3e18,
        -9.3e18,
        1.8446744073709552e19,
        4294967295.5,
        255.5,
        -128.5,
        32768.0,
        -0.75,
        1e-310,
    ];
    match ty {
        Ty::Bool => Op::Bconst(pick % 2 == 1),
        Ty::F32 | Ty::F64 => Op::Fconst(FLOATS[pick % FLOATS.len()]),
        _ => Op::Iconst(INTS[pick % INTS.len()]),
    }
}

/// `fn(x: T) -> R { op(a, b, c) }` where each operand is `x` or a constant; `None` if that
/// combination does not verify.
fn single_op_function(op: &Op, ty: Ty, result: Ty, operands: &[(bool, usize)]) -> Option<Function> {
    let arity = match op {
        Op::Fma | Op::Select => 3,
        Op::Ineg
        | Op::Bnot
        | Op::Popcnt
        | Op::Fneg
        | Op::Fabs
        | Op::Sqrt
        | Op::Floor
        | Op::Ceil
        | Op::Trunc
        | Op::Nearest
        | Op::Not
        | Op::Sext
        | Op::Uext
        | Op::Ireduce
        | Op::ToBool
        | Op::Fpromote
        | Op::Fdemote
        | Op::SToF
        | Op::UToF
        | Op::FToS
        | Op::FToU
        | Op::Bitcast => 1,
        _ => 2,
    };
    let types: Vec<Ty> = match op {
        Op::Select => vec![Ty::Bool, ty, ty],
        _ => vec![ty; arity],
    };
    let result = match op {
        Op::Icmp(_) | Op::Fcmp(_) | Op::ToBool => Ty::Bool,
        Op::Select => ty,
        _ if arity == 1
            && !matches!(
                op,
                Op::Ineg
                    | Op::Bnot
                    | Op::Popcnt
                    | Op::Fneg
                    | Op::Fabs
                    | Op::Sqrt
                    | Op::Floor
                    | Op::Ceil
                    | Op::Trunc
                    | Op::Nearest
                    | Op::Not
            ) =>
        {
            result
        }
        _ => ty,
    };
    let mut func = Function::new("single", vec![ty], vec![result]);
    let mut b = Builder::new(&mut func);
    let (_, params) = b.create_entry_block();
    let args: Vec<Value> = types
        .iter()
        .zip(operands)
        .map(|(&t, &(is_param, pick))| {
            if is_param && t == ty {
                params[0]
            } else {
                b.ins(edge_constant(t, pick), &[], t)
            }
        })
        .collect();
    let v = b.ins(op.clone(), &args, result);
    b.ret(&[v]);
    ir::verify::verify_function(&func).ok()?;
    Some(func)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases() * 16))]

    /// constfold on one op with constant (or parameter) operands agrees with the interpreter.
    #[test]
    fn constfold_agrees_with_the_interpreter(
        op in prop::sample::select(value_ops()),
        ty in prop::sample::select(TYPES.to_vec()),
        result in prop::sample::select(TYPES.to_vec()),
        operands in prop::collection::vec((prop::bool::weighted(0.3), any::<usize>()), 3),
        seed in any::<u64>(),
    ) {
        let Some(func) = single_op_function(&op, ty, result, &operands) else { return Ok(()) };
        let before = Module { functions: vec![func] };
        let after = optimise(&before, vec![Pass::ConstFold]);
        assert_same_behaviour(&before, &after, seed, 6);
    }
}

/// The vectorizer's golden loops on memory laid out for it: arrays apart (the vector loop
/// runs), the same array twice and arrays overlapping by one element (the checks send those to
/// the scalar loop), for every trip count around the vector width. Random inputs rarely pass
/// the run-time checks, so this drives the vector path on purpose.
#[test]
fn vectorized_loops_agree_with_the_scalar_loop() {
    let module = golden_module("vectorize_maps");
    let after = optimise(&module, vec![Pass::Vectorize]);
    let mut rng = Rng(12345);
    let mut vector_runs = 0;
    for func in &module.functions {
        for layout in [[0u64, 128, 256], [0, 0, 0], [0, 8, 16]] {
            for n in 0..14i64 {
                for element in [4i64, 8] {
                    let args = laid_out_args(func, &layout, &[n, element], &mut rng);
                    let memory = f64_memory(&mut rng, 64);
                    let (mut m1, mut m2) = (memory.clone(), memory);
                    let expected = interp::run(&module, &func.name, &args, &mut m1, &mut 100_000);
                    let vector_before = interp::VECTOR_INSTS.with(|c| c.get());
                    let actual = interp::run(&after, &func.name, &args, &mut m2, &mut 100_000);
                    let vector_insts = interp::VECTOR_INSTS.with(|c| c.get()) - vector_before;
                    assert!(
                        expected == actual && m1 == m2,
                        "@{} on {args:?}: {expected:?} before, {actual:?} after (memory equal: {})",
                        func.name,
                        m1 == m2
                    );
                    let stores = func.insts.iter().any(|d| matches!(d.op, Op::Store { .. }));
                    if vector_insts > 0 {
                        vector_runs += 1;
                        // Overlapping arrays must take the scalar loop.
                        assert!(
                            !stores || layout[1] == 128,
                            "@{}: overlapping arrays",
                            func.name
                        );
                    }
                }
            }
        }
    }
    assert!(vector_runs > 20, "the vector loops ran {vector_runs} times");
}

/// The fold golden loops (`vectorize_fold.ir`) on runs long enough for the runtime's fold and
/// around its threshold, with arrays apart (the fold runs), the same, and overlapping by one
/// element (the checks send those to the scalar loop): memory and results equal the scalar
/// loop's.
#[test]
fn folded_loops_agree_with_the_scalar_loop() {
    let module = golden_module("vectorize_fold");
    let after = optimise(&module, vec![Pass::Vectorize]);
    let mut rng = Rng(777);
    let mut folds = 0;
    for func in &module.functions {
        for layout in [[16u64, 3216, 6416], [16, 16, 16], [16, 24, 32]] {
            for n in [
                0i64, 1, 2, 9, 63, 64, 65, 66, 100, 127, 128, 129, 130, 161, 200,
            ] {
                let args = laid_out_args(func, &layout, &[n], &mut rng);
                let memory = f64_memory(&mut rng, 1200);
                let modules = (&module, &after);
                folds += agree_counting(modules, &func.name, &args, memory, &interp::FOLD_CALLS).1;
            }
        }
    }
    // Seven folding loops, four long runs each with arrays apart.
    assert!(folds >= 28, "the folds ran {folds} times");
}

/// The 2-D loops of `vectorize_fold_rows.ir`, on rows apart, overlapping (the output on the
/// input shifted by an element, or by two rows: each row alone apart, but a row reads what
/// an earlier one stored), and walking down through memory (negative row strides), for row
/// counts and lengths around the rows call's thresholds: memory and results are the loop's.
#[test]
fn fold_rows_agree_with_the_loops() {
    let module = golden_module("vectorize_fold_rows");
    let after = optimise(&module, vec![Pass::Vectorize]);
    let mut rng = Rng(4242);
    let (mut rows_calls, mut refused_runs) = (0, 0);
    let row = 8 * 44;
    for func in &module.functions {
        // (out, in, row stride in bytes)
        let layouts: [(u64, u64, i64); 5] = [
            (16, 4816, row),
            (4816 + 8, 4816, row),
            (4816 + 2 * row as u64, 4816, row),
            (16 + 4 * row as u64, 4816 + 4 * row as u64, -row),
            (16, 4816, 8 * 20),
        ];
        for (out, input, rs) in layouts {
            for rows in [0i64, 1, 2, 3, 5] {
                for n in [0i64, 1, 2, 15, 17, 18, 20, 33, 40] {
                    let ints: Vec<i64> = if func.name == "rows_weighted" {
                        vec![rows, n]
                    } else {
                        vec![rs, rows, n]
                    };
                    let args = laid_out_args(func, &[out, input, 9000], &ints, &mut rng);
                    let memory = f64_memory(&mut rng, 1200);
                    let modules = (&module, &after);
                    let counter = &interp::FOLD_ROWS_CALLS;
                    let (expected, called) =
                        agree_counting(modules, &func.name, &args, memory, counter);
                    rows_calls += called;
                    if called == 0 && rows >= 3 && n >= 20 {
                        refused_runs += 1;
                    }
                    assert!(
                        matches!(expected, interp::Outcome::Return(_)),
                        "@{} on {args:?}: {expected:?}",
                        func.name
                    );
                }
            }
        }
    }
    // Two functions take the rows call, on the three layouts whose rows lie apart (rows
    // 3 and 5; lengths 20, 33, 40, and 17/18 where a row reaches 16 elements).
    assert!(
        rows_calls >= 2 * 3 * 2 * 3,
        "the rows call ran {rows_calls} times"
    );
    assert!(refused_runs > 0, "every long run took the rows call");
}

/// The integer folds of `vectorize_int_fold.ir` (a sum, stores of `int64` and `int32`), on
/// arrays apart and overlapping, for lengths around a block of elements: memory and results
/// are the loop's (integer arithmetic wraps, so even the sum's order does not matter).
#[test]
fn integer_folds_agree_with_the_loops() {
    let module = golden_module("vectorize_int_fold");
    let after = optimise(&module, vec![Pass::Vectorize]);
    let mut rng = Rng(2718);
    let mut folds = 0;
    for func in &module.functions {
        for layout in [[16u64, 4816], [16, 16], [24, 16]] {
            for n in [0i64, 1, 2, 31, 32, 33, 63, 64, 65, 100, 129, 200] {
                let args = laid_out_args(func, &layout, &[n], &mut rng);
                let memory = f64_memory(&mut rng, 1200);
                let modules = (&module, &after);
                folds += agree_counting(modules, &func.name, &args, memory, &interp::FOLD_CALLS).1;
            }
        }
    }
    // Three folding loops, their long runs with arrays apart (and the sum on every layout).
    assert!(folds >= 12, "the integer folds ran {folds} times");
}

/// `@mean_abs_dev` of `vectorize_fastmath.ir` under fastmath: its sum of `abs(x - c)` goes to
/// the runtime's fold sum from 16 elements on; the result is the scalar loop's within a
/// relative tolerance (the order of the additions may change), for lengths around the
/// threshold.
#[test]
fn fold_sums_agree_with_the_scalar_loop_within_rounding() {
    let module = golden_module("vectorize_fastmath");
    let mut after = module.clone();
    let opts = PipelineOptions {
        passes: vec![Pass::Vectorize],
        verify: true,
        fastmath: true,
    };
    for func in &mut after.functions {
        run_pipeline(func, &opts, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut folds = 0;
    for n in [0i64, 1, 5, 15, 16, 17, 40, 100] {
        let memory = Memory(
            (0..128)
                .flat_map(|k| (f64::from(k * 37 % 101) / 7.0 - 6.0).to_le_bytes())
                .collect(),
        );
        let args = [0u64, n as u64, 0.5f64.to_bits()];
        let (mut m1, mut m2) = (memory.clone(), memory);
        let expected = interp::run(&module, "mean_abs_dev", &args, &mut m1, &mut 100_000);
        let before = interp::FOLD_CALLS.with(|c| c.get());
        let actual = interp::run(&after, "mean_abs_dev", &args, &mut m2, &mut 100_000);
        folds += interp::FOLD_CALLS.with(|c| c.get()) - before;
        let (Outcome::Return(e), Outcome::Return(a)) = (&expected, &actual) else {
            panic!("n {n}: {expected:?} before, {actual:?} after");
        };
        let (e, a) = (f64::from_bits(e[0]), f64::from_bits(a[0]));
        assert!(
            (e - a).abs() <= 1e-12 * e.abs().max(1.0),
            "n {n}: {e} before, {a} after"
        );
        assert_eq!(m1, m2);
    }
    assert_eq!(folds, 4, "the fold sum ran for n >= 16");
}

/// `fill_copy_jam.ir`'s `k` loops before and after `fill_copy` (its `axpy` calls four at a
/// time), for `k` counts around four and eight, with `z`'s row apart from `x` and `y`, equal
/// to one of `y`'s rows, and over `x`'s scales (the runtime then runs the four `axpy`s in
/// order): memory equal, bit for bit.
#[test]
fn jammed_axpy_loops_agree_with_the_loops() {
    let module = golden_module("fill_copy_jam");
    let after = optimise(&module, vec![Pass::FillCopy]);
    let mut rng = Rng(99);
    let mut jammed = 0;
    for func in &module.functions {
        // x at 0 (16 f64), y at 256 (rows `ys` bytes apart), z apart, on y's row 2, on x.
        for z in [3072u64, 256 + 2 * 136, 16] {
            for n in [0i64, 1, 3, 4, 5, 8, 9, 13] {
                let args: Vec<Bits> = vec![0, 256, z, 136, n as u64];
                let memory = f64_memory(&mut rng, 512);
                let (mut m1, mut m2) = (memory.clone(), memory);
                let expected = interp::run(&module, &func.name, &args, &mut m1, &mut 100_000);
                let before = interp::AXPY4_CALLS.with(|c| c.get());
                let actual = interp::run(&after, &func.name, &args, &mut m2, &mut 100_000);
                jammed += interp::AXPY4_CALLS.with(|c| c.get()) - before;
                let bits = |m: &Memory| m.0.clone();
                assert!(
                    expected == actual && bits(&m1) == bits(&m2),
                    "@{} on {args:?}: {expected:?} before, {actual:?} after",
                    func.name
                );
            }
        }
    }
    assert!(jammed >= 6, "axpy4 ran {jammed} times");
}

/// The argmin/argmax golden loops on arrays full of ties, NaN, signed zeros and extremes, for
/// trip counts around the vector width: the position returned is the scalar loop's (the first
/// of equal elements; under NumPy's rule the first NaN).
#[test]
fn arg_reductions_agree_with_the_scalar_loop() {
    let module = golden_module("vectorize_arg");
    let after = optimise(&module, vec![Pass::Vectorize]);
    const FLOATS: &[f64] = &[
        0.0,
        -0.0,
        1.0,
        1.0,
        -1.0,
        f64::NAN,
        f64::INFINITY,
        -f64::INFINITY,
    ];
    const INTS: &[i64] = &[0, 1, 1, -1, 2, i64::MIN, i64::MAX, -2];
    let mut rng = Rng(777);
    let mut vector_runs = 0;
    for func in &module.functions {
        for round in 0..40 {
            for n in [0i64, 1, 2, 8, 9, 10, 17, 30, 64] {
                // Few distinct values (ties everywhere); every fourth round all equal.
                let floats = round % 2 == 0;
                let distinct = if round % 4 == 3 { 1 } else { 2 + round % 6 };
                let bytes: Vec<u8> = (0..64)
                    .flat_map(|_| {
                        let k = (rng.next() % distinct as u64) as usize;
                        if floats {
                            interp::float_bits(FLOATS[k]).to_le_bytes()
                        } else {
                            INTS[k].to_le_bytes()
                        }
                    })
                    .collect();
                let args: Vec<Bits> = std::iter::once(0)
                    .chain(std::iter::once(n as u64))
                    .chain(func.params.iter().skip(2).map(|_| 3))
                    .collect();
                let (mut m1, mut m2) = (Memory(bytes.clone()), Memory(bytes));
                let expected = interp::run(&module, &func.name, &args, &mut m1, &mut 100_000);
                let before = interp::VECTOR_INSTS.with(|c| c.get());
                let actual = interp::run(&after, &func.name, &args, &mut m2, &mut 100_000);
                vector_runs += u64::from(interp::VECTOR_INSTS.with(|c| c.get()) > before);
                assert_eq!(expected, actual, "@{} with n = {n}", func.name);
            }
        }
    }
    assert!(
        vector_runs > 100,
        "the vector loops ran {vector_runs} times"
    );
}

/// The where loop of `speculate_loads.ir` through the default pipeline, with `b` placed at the
/// very end of memory so that reading one element past it faults: for every length of `a` (the
/// trip count) and of `b` (shorter, equal, longer), the optimised function stores what the
/// original stores and never faults where the original does not. Where `b` is shorter, `a`'s
/// elements past `b`'s end are above the threshold (the original never reads `b` there).
#[test]
fn speculated_loads_agree_and_never_fault() {
    let module = golden_module("speculate_loads");
    let after = optimise(&module, ir::passes::DEFAULT_PIPELINE.to_vec());
    let mut rng = Rng(777);
    let mut vector_runs = 0;
    const SIZE: usize = 1024;
    // Up to 21 elements: the vector loop (8 elements a step for maps) runs from n = 9.
    for n in 0..22usize {
        for len_b in n.saturating_sub(3)..n + 2 {
            // Descriptors at 0 (a), 32 (b), 64 (out): data, owner, shape[0], strides[0].
            let mut bytes = vec![0u8; SIZE];
            let b_data = SIZE - 8 * len_b;
            for (desc, data, len) in [(0, 128, n), (32, b_data, len_b), (64, 512, n)] {
                let fields = [data as u64, 0, len as u64, 8];
                for (k, f) in fields.iter().enumerate() {
                    bytes[desc + 8 * k..desc + 8 * k + 8].copy_from_slice(&f.to_le_bytes());
                }
            }
            for i in 0..n {
                let x = if i < len_b {
                    f64::from_bits(random_arg(&mut rng, Ty::F64)).abs() % 1.0
                } else {
                    1.0
                };
                bytes[128 + 8 * i..136 + 8 * i].copy_from_slice(&x.to_le_bytes());
            }
            for i in 0..len_b {
                let y = f64::from_bits(random_arg(&mut rng, Ty::F64));
                bytes[b_data + 8 * i..b_data + 8 * i + 8].copy_from_slice(&y.to_le_bytes());
            }
            let args = [0u64, 32, 64];
            let (mut m1, mut m2) = (Memory(bytes.clone()), Memory(bytes));
            let expected = interp::run(&module, "where_loop", &args, &mut m1, &mut 100_000);
            let vector_before = interp::VECTOR_INSTS.with(|c| c.get());
            let actual = interp::run(&after, "where_loop", &args, &mut m2, &mut 100_000);
            vector_runs += usize::from(interp::VECTOR_INSTS.with(|c| c.get()) > vector_before);
            assert!(
                !matches!(expected, Outcome::Fault(_)),
                "n={n} len(b)={len_b}: the original faults: {expected:?}"
            );
            assert!(
                expected == actual && m1 == m2,
                "n={n} len(b)={len_b}: {expected:?} before, {actual:?} after (memory equal: {})",
                m1 == m2
            );
        }
    }
    assert!(vector_runs > 10, "the vector loop ran {vector_runs} times");
}

/// The byte and 16-bit golden loops (16 and 8 lanes, 64 and 16 elements per vector iteration)
/// on arrays apart, the same array, and arrays overlapping by one element, for every trip count
/// around the vector width; bool arrays hold 0/1 bytes, other memory random bytes (wrap-around,
/// negative `int8`, every side of a saturating add's or subtraction's bound).
#[test]
fn byte_loops_agree_with_the_scalar_loop() {
    for name in ["vectorize_bytes", "vectorize_saturate"] {
        byte_loops_agree(name);
    }
}

fn byte_loops_agree(name: &str) {
    let module = golden_module(name);
    // `strength` after: packs of lanes that fit become saturating (`scale_i16_via_i32`).
    let after = optimise(&module, vec![Pass::Vectorize, Pass::Strength]);
    let mut rng = Rng(777);
    let mut vector_runs = 0;
    for func in &module.functions {
        let bools = func.name.contains("bool");
        for layout in [[0u64, 160, 320], [0, 0, 0], [0, 2, 4]] {
            for n in (0..140i64).step_by(3) {
                let args = laid_out_args(func, &layout, &[n], &mut rng);
                let memory = Memory(
                    (0..512)
                        .map(|_| {
                            let b = random_arg(&mut rng, Ty::I64) as u8 ^ (rng.next() as u8);
                            if bools { b & 1 } else { b }
                        })
                        .collect(),
                );
                let (mut m1, mut m2) = (memory.clone(), memory);
                let expected = interp::run(&module, &func.name, &args, &mut m1, &mut 100_000);
                let vector_before = interp::VECTOR_INSTS.with(|c| c.get());
                let actual = interp::run(&after, &func.name, &args, &mut m2, &mut 100_000);
                let vector_insts = interp::VECTOR_INSTS.with(|c| c.get()) - vector_before;
                assert!(
                    expected == actual && m1 == m2,
                    "@{} on {args:?}: {expected:?} before, {actual:?} after (memory equal: {})",
                    func.name,
                    m1 == m2
                );
                if vector_insts > 0 {
                    vector_runs += 1;
                }
            }
        }
    }
    assert!(vector_runs > 20, "the vector loops ran {vector_runs} times");
}

/// Byte counts long enough that the per-lane `i8` counters of the vector loop fill up: they are
/// emptied into the total every 255 vector iterations (64 elements each). Every byte equal to
/// the one counted (each lane counts every iteration), or half of them, around the first
/// emptying (16,320 elements) and past it.
#[test]
fn long_byte_counts_empty_their_counters() {
    let module = golden_module("vectorize_bytes");
    let after = optimise(&module, vec![Pass::Vectorize]);
    let mut rng = Rng(99);
    let k = 7u64;
    for n in [16_255u64, 16_319, 16_320, 16_321, 16_390, 20_000] {
        for all_equal in [true, false] {
            let memory = Memory(
                (0..20_000)
                    .map(|_| {
                        if all_equal {
                            k as u8
                        } else {
                            k as u8 + (rng.next() as u8 & 1)
                        }
                    })
                    .collect(),
            );
            let args = [0u64, n, k];
            let (mut m1, mut m2) = (memory.clone(), memory);
            let expected = interp::run(&module, "count_eq_u8", &args, &mut m1, &mut 10_000_000);
            let vector_before = interp::VECTOR_INSTS.with(|c| c.get());
            let actual = interp::run(&after, "count_eq_u8", &args, &mut m2, &mut 10_000_000);
            assert!(interp::VECTOR_INSTS.with(|c| c.get()) > vector_before);
            if all_equal {
                assert_eq!(expected, Outcome::Return(vec![n]));
            }
            assert_eq!(expected, actual, "n={n} all equal: {all_equal}");
        }
    }
}

/// `forward_stores.ir`'s loops before and after the pass on the same memory, for every trip
/// count and rows that are apart, the same, or one element apart (the forwarded value must be
/// what memory would hold whatever aliases).
#[test]
fn forwarded_stores_agree_with_memory() {
    let module = golden_module("forward_stores");
    let after = optimise(&module, vec![Pass::ForwardStores]);
    let mut rng = Rng(4242);
    for n in 0..12u64 {
        for (row, other) in [(128u64, 0u64), (64, 64), (64, 56), (0, 8)] {
            let cases: [(&str, Vec<Bits>); 4] = [
                ("dtw_row", vec![0, n, 0, row, other]),
                ("running_min", vec![0, 256 + row, n]),
                ("two_back", vec![row, n]),
                ("load_after_store", vec![row, n, other]),
            ];
            for (name, args) in cases {
                let memory = f64_memory(&mut rng, 64);
                let (mut m1, mut m2) = (memory.clone(), memory);
                let expected = interp::run(&module, name, &args, &mut m1, &mut 100_000);
                let actual = interp::run(&after, name, &args, &mut m2, &mut 100_000);
                assert!(
                    expected == actual && m1 == m2,
                    "@{name} on {args:?}: {expected:?} before, {actual:?} after (memory equal: {})",
                    m1 == m2
                );
            }
        }
    }
}

/// `fill_copy.ir`'s loops before and after the pass on the same memory, for trip counts around
/// zero and one and starts past the end, with arrays apart, the same, and overlapping by one
/// element or by odd byte distances either way (a copy must keep the loop's forward order:
/// where the destination starts inside the source, the loop reads elements it wrote).
#[test]
fn fills_and_copies_agree_with_the_loops() {
    let module = golden_module("fill_copy");
    let after = optimise(&module, vec![Pass::FillCopy]);
    let mut rng = Rng(2024);
    let mut finished = 0;
    for func in &module.functions {
        for layout in [
            [64u64, 256],
            [64, 64],
            [64, 72],
            [72, 64],
            [67, 64],
            [64, 69],
            [64, 66],
        ] {
            for n in [0i64, 1, 2, 3, 5, 8, 13, 20] {
                for start in [0i64, 1, 30] {
                    let args = laid_out_args(func, &layout, &[n, start], &mut rng);
                    let memory = Memory(
                        (0..512)
                            .map(|_| random_arg(&mut rng, Ty::I64) as u8 ^ rng.next() as u8)
                            .collect(),
                    );
                    let (mut m1, mut m2) = (memory.clone(), memory);
                    let expected = interp::run(&module, &func.name, &args, &mut m1, &mut 100_000);
                    if matches!(expected, Outcome::OutOfFuel | Outcome::Fault(_)) {
                        continue;
                    }
                    let actual = interp::run(&after, &func.name, &args, &mut m2, &mut 100_000);
                    assert!(
                        expected == actual && m1 == m2,
                        "@{} on {args:?}: {expected:?} before, {actual:?} after (memory equal: {})",
                        func.name,
                        m1 == m2
                    );
                    finished += 1;
                }
            }
        }
    }
    assert!(finished > 500, "only {finished} runs finished");
}

/// `strength`'s saturating packs (`tests/ir/strength_packs.ir`) on memory of every bit pattern
/// (random bytes, and the extremes of each lane width): a `pack_sat` may only replace a `pack`
/// whose lanes fit, where both store the same bytes; the `pack`s it keeps would differ.
#[test]
fn saturating_packs_agree_with_truncating_ones() {
    let module = golden_module("strength_packs");
    let after = optimise(&module, vec![Pass::Strength]);
    let mut rng = Rng(4242);
    let extremes: [&[u8]; 4] = [&[0x00, 0x80], &[0xff, 0x7f], &[0xff, 0xff], &[0x01, 0x00]];
    for func in &module.functions {
        for run in 0..64 {
            let memory = Memory(
                (0..64)
                    .flat_map(|k| match extremes.get(run % 8) {
                        Some(pair) => pair.to_vec(),
                        None => {
                            let r = rng.next() ^ k;
                            vec![r as u8, (r >> 8) as u8]
                        }
                    })
                    .collect(),
            );
            let args = [0u64, 32];
            let (mut m1, mut m2) = (memory.clone(), memory);
            let expected = interp::run(&module, &func.name, &args, &mut m1, &mut 1_000);
            let actual = interp::run(&after, &func.name, &args, &mut m2, &mut 1_000);
            assert!(
                matches!(expected, Outcome::Return(_)) && expected == actual && m1 == m2,
                "@{}: {expected:?} before, {actual:?} after (memory equal: {})",
                func.name,
                m1 == m2
            );
        }
    }
}
