//! Crash fuzzing of the whole compiler: mutated valid functions and arbitrary text go through
//! the driver (parse, type inference, lowering, optimisation, Cranelift code generation) for
//! argument types of every kind. Each input compiles or is rejected with a user diagnostic
//! (syntax, unsupported, typing); none panics or reports an internal compiler error. The
//! compiled code is not run: a mutation can make a loop endless or an index out of bounds.
//!
//! Cases per run: 512 for each of the three properties below, or `FERROJIT_FUZZ_CASES`.

use ferrojit::{
    CompileRequest, DiagnosticKind, DumpFlags, FunctionDef, Global, GlobalResolver, ModuleKind,
    Options, SourceFile, Type, compile, parse_signature,
};
use proptest::prelude::*;
use std::sync::Arc;
use typeinfer::GlobalValue;

use crate::mutate;
use mutate::{apply, edit};

fn cases() -> u32 {
    std::env::var("FERROJIT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

/// Valid functions, each with its argument types on a `# signature: (...)` line.
const SEEDS: &[&str] = &[
    include_str!("fuzz_seeds/gen0.py"),
    include_str!("fuzz_seeds/gen1.py"),
    include_str!("fuzz_seeds/gen2.py"),
    include_str!("fuzz_seeds/gen3.py"),
    include_str!("fuzz_seeds/gen4.py"),
    include_str!("fuzz_seeds/gen5.py"),
    include_str!("fuzz_seeds/kernels.py"),
];

/// Argument types given to parameters beyond a seed's signature (mutations add parameters).
const EXTRA_TYPES: &[&str] = &[
    "i8", "f8", "b1", "c16", "u1", "f4", "i2", "c8", "f8[:]", "i4[:, :]", "f4[::1]", "u8[:]",
];

struct FuzzGlobals;

impl GlobalResolver for FuzzGlobals {
    fn resolve(&self, name: &str) -> Option<Global> {
        let module = match name {
            "math" => ModuleKind::Math,
            "np" | "numpy" => ModuleKind::Numpy,
            _ => return None,
        };
        Some(Global::Value(GlobalValue::Module(module)))
    }
}

fn seed_types(seed: &str) -> Vec<Type> {
    let line = seed
        .lines()
        .find_map(|l| l.strip_prefix("# signature: "))
        .expect("every seed has a signature line");
    parse_signature(line).expect("seed signatures parse").args
}

/// Compiles `text` for `types` (padded with `extra` when it has more parameters).
fn check_compiles_or_reports(
    text: &str,
    types: &[Type],
    extra: usize,
) -> Result<(), TestCaseError> {
    let source = SourceFile::new("<fuzz>", text);
    let def = match FunctionDef::parse(source, Box::new(FuzzGlobals), Options::default()) {
        Ok(def) => def,
        Err(d) => return check_user_error(text, &d),
    };
    let arg_types: Vec<Type> = (0..def.ast.params.len())
        .map(|i| match types.get(i) {
            Some(t) => t.clone(),
            None => {
                let name = EXTRA_TYPES[(extra + i) % EXTRA_TYPES.len()];
                parse_signature(&format!("({name})")).unwrap().args[0].clone()
            }
        })
        .collect();
    let request = CompileRequest {
        def: Arc::new(def),
        arg_types,
        declared_return: None,
        dump: DumpFlags::default(),
    };
    match compile(&request) {
        Ok(_) => Ok(()),
        Err(d) => check_user_error(text, &d),
    }
}

fn check_user_error(text: &str, d: &ferrojit::Diagnostic) -> Result<(), TestCaseError> {
    prop_assert!(
        d.kind != DiagnosticKind::Internal,
        "internal compiler error for {:?}:\n{}",
        text,
        d
    );
    Ok(())
}

#[test]
fn seeds_compile() {
    for seed in SEEDS {
        let source = SourceFile::new("<seed>", *seed);
        let def = FunctionDef::parse(source, Box::new(FuzzGlobals), Options::default()).unwrap();
        let request = CompileRequest {
            def: Arc::new(def),
            arg_types: seed_types(seed),
            declared_return: None,
            dump: DumpFlags::default(),
        };
        if let Err(d) = compile(&request) {
            panic!("seed does not compile:\n{seed}\n{d}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn mutated_seeds_compile_or_report(
        seed in 0..SEEDS.len(),
        edits in prop::collection::vec(edit(), 1..4),
        extra in 0..EXTRA_TYPES.len(),
    ) {
        let mut text = SEEDS[seed].to_string();
        for edit in &edits {
            apply(&mut text, edit);
        }
        check_compiles_or_reports(&text, &seed_types(SEEDS[seed]), extra)?;
    }

    #[test]
    fn seeds_compile_for_other_argument_types(
        seed in 0..SEEDS.len(),
        types in prop::collection::vec(0..EXTRA_TYPES.len(), 0..8),
    ) {
        // Arguments of the wrong kinds: a typing error, never a crash.
        let types: Vec<Type> = types
            .iter()
            .map(|&i| parse_signature(&format!("({})", EXTRA_TYPES[i])).unwrap().args[0].clone())
            .collect();
        check_compiles_or_reports(SEEDS[seed], &types, 0)?;
    }

    #[test]
    fn python_like_text_compiles_or_reports(
        body in "[a-z0-9_ ()\\[\\]:.,=+*/%<>!&|^~-]{0,60}",
        extra in 0..EXTRA_TYPES.len(),
    ) {
        let text = format!("def f(a, b):\n    x = a\n    {body}\n    return x\n");
        check_compiles_or_reports(&text, &[], extra)?;
    }
}
