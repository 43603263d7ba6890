//! Robustness fuzzing with proptest: the parser never panics on any text and reports errors
//! instead; whatever parses prints back to a fixpoint; whatever also verifies stays valid
//! through every pass and the default pipeline (verifying after each pass), without panics.
//!
//! Inputs are random strings, soups of IR tokens, and the golden files' inputs with random
//! edits (most edits break the text; those that do not make odd but valid functions, which is
//! where passes meet shapes their golden tests never show).

use ir::Module;
use ir::parse::parse_module;
use ir::passes::{Pass, PipelineOptions, run_pipeline};
use ir::print::print_module;
use ir::verify::verify_module;
use proptest::prelude::*;
use proptest::sample::select;
use std::sync::OnceLock;

const TOKENS: &[&str] = &[
    "v0",
    "v1",
    "v2",
    "v3",
    "v4",
    "v5",
    "v7",
    "v9",
    "v12",
    "block0",
    "block1",
    "block2",
    "block3",
    "block4",
    ",",
    "(",
    ")",
    ":",
    "=",
    "\n",
    "\n    ",
    " ",
    "iadd",
    "isub",
    "imul",
    "iconst.i64",
    "iconst.i8",
    "fconst.f64",
    "fadd",
    "jump",
    "brif",
    "return",
    "i64",
    "f64",
    "bool",
    "ptr",
    "0",
    "1",
    "-1",
    "2.5",
    "@",
    "@3:4",
    "\"",
    "{",
    "}",
    "load.i64.readonly",
    "load.f64",
    "store",
    "select",
    "icmp.slt",
    "fcmp.lt",
    "+8",
    "raise",
    "error0",
    ";",
    "call",
    "call_rt.sin",
    "sext.i64",
    "ireduce.i8",
    "bconst true",
    "function",
    "sdiv",
    "nan",
    "inf",
];

/// Cases per property: 512, or `PROPTEST_CASES` for a longer hunt.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512)
}

/// The input part of every golden file.
fn golden_inputs() -> &'static [String] {
    static INPUTS: OnceLock<Vec<String>> = OnceLock::new();
    INPUTS.get_or_init(|| {
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
                // Without comments, so that edits land in code.
                input
                    .lines()
                    .filter(|l| !l.starts_with(';'))
                    .map(|l| format!("{l}\n"))
                    .collect()
            })
            .collect()
    })
}

/// Everything that must hold for any text that parses. Returns whether it also verified.
fn check_parsed(module: &Module) -> bool {
    let text = print_module(module);
    let again =
        parse_module(&text).unwrap_or_else(|e| panic!("printed text does not parse: {e}\n{text}"));
    assert_eq!(print_module(&again), text, "print/parse is not a fixpoint");
    if verify_module(module).is_err() {
        return false;
    }
    let mut pipelines: Vec<Vec<Pass>> = Pass::ALL.iter().map(|&p| vec![p]).collect();
    pipelines.push(PipelineOptions::default().passes);
    for passes in pipelines {
        let opts = PipelineOptions {
            passes,
            verify: true,
            fastmath: true,
        };
        let mut module = module.clone();
        for func in &mut module.functions {
            let before = ir::print::print_function(func);
            if let Err(e) = run_pipeline(func, &opts, &mut |_, _| {}) {
                panic!("{e}\ninput:\n{before}\noutput:\n{func}");
            }
        }
        verify_module(&module).expect("calls stay consistent");
    }
    true
}

/// Applies `(position, kind, token)` edits to `text`: delete a few characters, insert a token
/// or replace characters by it.
fn mutate(text: &str, edits: &[(usize, u8, &str)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(position, kind, token) in edits {
        let at = position % (chars.len() + 1);
        let end = (at + 1 + (kind as usize % 6)).min(chars.len());
        match kind % 3 {
            0 => {
                chars.drain(at..end);
            }
            1 => {
                chars.splice(at..at, token.chars());
            }
            _ => {
                chars.splice(at..end, token.chars());
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        if let Ok(module) = parse_module(&text) {
            check_parsed(&module);
        }
    }

    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(select(TOKENS), 0..80)) {
        let text = format!("function @f(i64) -> i64 {{\nblock0(v0: i64):\n{}\n}}\n", tokens.concat());
        if let Ok(module) = parse_module(&text) {
            check_parsed(&module);
        }
    }

    #[test]
    fn edited_golden_inputs_keep_passes_sound(
        file in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), select(TOKENS)), 1..4),
    ) {
        let input = file.get(golden_inputs());
        let text = mutate(input, &edits);
        if let Ok(module) = parse_module(&text) {
            check_parsed(&module);
        }
    }
}

/// How often do edited inputs still verify? (Guards against the edit fuzzer testing nothing.)
#[test]
fn some_edited_inputs_still_verify() {
    let inputs = golden_inputs();
    let mut verified = 0;
    let mut total = 0;
    for (i, input) in inputs.iter().enumerate() {
        for seed in 0..200usize {
            let token = TOKENS[(seed * 7 + i) % TOKENS.len()];
            let edit = (seed.wrapping_mul(2654435761), (seed % 3) as u8, token);
            if let Ok(module) = parse_module(&mutate(input, &[edit])) {
                total += 1;
                verified += check_parsed(&module) as usize;
            }
        }
    }
    eprintln!("STATS {verified} of {total}");
    assert!(
        verified * 20 > total,
        "only {verified} of {total} parsed edits verify"
    );
}
