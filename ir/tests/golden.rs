//! Golden tests for the passes and the text form: every `tests/ir/*.ir` file (at the workspace
//! root) is run and its output compared with the expected text stored in the same file.
//!
//! File format:
//! ```text
//! ; passes: licm, dce          <- or `; pass: constfold`; `default` = the default pipeline;
//!                                 `none` = parse, verify and print only (round-trip)
//! ; any other comment lines (what the test is about)
//! function @f(...) { ... }     <- input: one or more functions
//! ; expect:
//! function @f(...) { ... }     <- the module printed after the passes
//! ```
//! The input must pass the verifier, the passes run through [`run_pipeline`] with verification
//! after every pass, and the expected text must itself parse back to the same text.
//! `FERROJIT_BLESS=1 cargo test -p ir --test integration golden::` rewrites everything after
//! `; expect:` with the actual output (review the diff before committing).

use crate::bless;

use ir::parse::parse_module;
use ir::passes::{DEFAULT_PIPELINE, Pass, PipelineOptions, run_pipeline};
use ir::print::print_module;
use ir::verify::verify_module;
use std::path::{Path, PathBuf};

const EXPECT_MARKER: &str = "; expect:";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ir")
}

#[test]
fn golden_files() {
    bless::check_golden_dir(&golden_dir(), "ir", check_file);
}

/// Runs one golden file; with `bless`, rewrites its expected part instead of comparing.
fn check_file(path: &Path, bless: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (input, expected) = match text.find(&format!("\n{EXPECT_MARKER}\n")) {
        Some(i) => (&text[..=i], Some(&text[i + EXPECT_MARKER.len() + 2..])),
        None => (text.as_str(), None),
    };
    let passes = header_passes(input)?;
    let mut module = parse_module(input).map_err(|e| format!("input: {e}"))?;
    verify_module(&module).map_err(|e| format!("input: {e}"))?;
    // A `; fastmath` line in the header runs the passes as for `fastmath=True`.
    let fastmath = input.lines().any(|l| l.trim() == "; fastmath");
    let opts = PipelineOptions {
        passes,
        verify: true,
        fastmath,
    };
    for func in &mut module.functions {
        run_pipeline(func, &opts, &mut |_, _| {}).map_err(|e| e.to_string())?;
    }
    verify_module(&module).map_err(|e| e.to_string())?;
    let actual = print_module(&module);
    let reparsed = parse_module(&actual).map_err(|e| format!("output does not parse: {e}"))?;
    if print_module(&reparsed) != actual {
        return Err(format!("output does not round-trip:\n{actual}"));
    }
    // `; explain: vectorize` lists the vectorizer's decision for each loop of the input.
    let mut actual = actual;
    if input.lines().any(|l| l.trim() == "; explain: vectorize") {
        let original = parse_module(input).map_err(|e| format!("input: {e}"))?;
        for func in &original.functions {
            for (block, decision) in ir::passes::vectorize::explain(func, fastmath) {
                let text = match decision {
                    Ok(what) => what,
                    Err(why) => format!("refused: {why}"),
                };
                actual.push_str(&format!("; @{} {block}: {text}\n", func.name));
            }
        }
    }
    // `; explain: unroll` lists the unroller's first-round decision for each loop header.
    if input.lines().any(|l| l.trim() == "; explain: unroll") {
        let original = parse_module(input).map_err(|e| format!("input: {e}"))?;
        for func in &original.functions {
            for (block, decision) in ir::passes::unroll::explain(func) {
                let text = match decision {
                    Ok(trip) => format!("unrolled, {trip} iterations"),
                    Err(why) => format!("refused: {why}"),
                };
                actual.push_str(&format!("; @{} {block}: {text}\n", func.name));
            }
        }
    }
    // `; explain: fill_copy` lists the fill/copy decision for each loop of the input.
    if input.lines().any(|l| l.trim() == "; explain: fill_copy") {
        let original = parse_module(input).map_err(|e| format!("input: {e}"))?;
        for func in &original.functions {
            for (block, decision) in ir::passes::fill_copy::explain(func) {
                let text = match decision {
                    Ok(what) => what.to_string(),
                    Err(why) => format!("refused: {why}"),
                };
                actual.push_str(&format!("; @{} {block}: {text}\n", func.name));
            }
        }
    }
    if bless {
        let blessed = format!("{}\n\n{EXPECT_MARKER}\n{actual}", input.trim_end());
        if blessed != text {
            std::fs::write(path, blessed).map_err(|e| e.to_string())?;
        }
        return Ok(());
    }
    match expected {
        Some(expected) if expected.trim_end() == actual.trim_end() => Ok(()),
        Some(expected) => Err(format!(
            "output differs (FERROJIT_BLESS=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}"
        )),
        None => Err(format!(
            "no `{EXPECT_MARKER}` section (FERROJIT_BLESS=1 to create)"
        )),
    }
}

/// The passes named by the `; pass:` / `; passes:` line.
fn header_passes(input: &str) -> Result<Vec<Pass>, String> {
    let line = input
        .lines()
        .map(str::trim)
        .find_map(|l| {
            l.strip_prefix("; passes:")
                .or_else(|| l.strip_prefix("; pass:"))
        })
        .ok_or("missing a `; passes: ...` header line")?;
    let mut passes = Vec::new();
    for name in line.split(',').map(str::trim) {
        match name {
            "none" => {}
            "default" => passes.extend(DEFAULT_PIPELINE),
            _ => passes.push(Pass::from_name(name).ok_or(format!("unknown pass `{name}`"))?),
        }
    }
    Ok(passes)
}
