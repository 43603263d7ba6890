//! Run tests in IR text, in the manner of Cranelift's `; run:` filetests: each `tests/run/*.ir`
//! file is a module (parsed by `ir::parse`, checked by `ir::verify`) whose comment lines
//!
//! ```text
//! ; run: @name(arg, ...) == result, ...
//! ; run: @name(arg, ...) raises Kind "formatted message"
//! ```
//!
//! call an entry point through the uniform ABI. Arguments and results are written in the
//! function's types: integers in decimal (`-1`, `255`: only the type's low bits count), floats as
//! Rust writes them plus `nan`/`inf`/`-inf` (compared bit for bit, any NaN matching any NaN),
//! bools as `true`/`false`.

use crate::common;

use common::*;
use ir::Ty;
use std::path::Path;

#[test]
fn run_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/run");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/run exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ir"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .ir files in {}", dir.display());
    let mut failures = Vec::new();
    let mut runs = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        match run_file(&text) {
            Ok(n) => runs += n,
            Err(errors) => failures.extend(errors.into_iter().map(|e| format!("{name}:{e}"))),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(runs > 0, "no `; run:` lines");
}

/// A `; run:` line: the call and what it should give.
struct Run {
    line: usize,
    function: String,
    args: Vec<String>,
    expect: Expect,
}

enum Expect {
    Returns(Vec<String>),
    Raises { kind: String, message: String },
}

/// Runs every `; run:` line of one file; `Err` lists the failures as `line: message`.
fn run_file(text: &str) -> Result<usize, Vec<String>> {
    let module = ir::parse::parse_module(text).map_err(|e| vec![format!("{e}")])?;
    ir::verify::verify_module(&module).map_err(|e| vec![format!("0: verifier: {e}")])?;
    let runs = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            l.trim()
                .strip_prefix("; run:")
                .map(|rest| parse_run(i + 1, rest))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| vec![e])?;
    let mut entries: Vec<&str> = runs.iter().map(|r| r.function.as_str()).collect();
    entries.dedup();
    let artifact =
        backend_cpu::compile_jit(&module, &entries, &backend_cpu::CompileOptions::default())
            .map_err(|e| vec![format!("0: compile: {e}")])?;
    let errors: Vec<String> = runs
        .iter()
        .filter_map(|run| {
            check_run(&artifact, run)
                .err()
                .map(|e| format!("{}: {e}", run.line))
        })
        .collect();
    if errors.is_empty() {
        Ok(runs.len())
    } else {
        Err(errors)
    }
}

fn parse_run(line: usize, text: &str) -> Result<Run, String> {
    let bad = |what: &str| format!("{line}: {what} in `; run:{text}`");
    let text = text
        .trim()
        .strip_prefix('@')
        .ok_or_else(|| bad("expected `@name(`"))?;
    let (function, rest) = text.split_once('(').ok_or_else(|| bad("expected `(`"))?;
    let (args, rest) = rest.split_once(')').ok_or_else(|| bad("expected `)`"))?;
    let list = |s: &str| -> Vec<String> {
        s.split(',')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect()
    };
    let rest = rest.trim();
    let expect = if let Some(results) = rest.strip_prefix("==") {
        Expect::Returns(list(results))
    } else if let Some(raised) = rest.strip_prefix("raises") {
        let (kind, message) = raised
            .trim()
            .split_once(' ')
            .ok_or_else(|| bad("expected a kind"))?;
        let message = message.trim().trim_matches('"').to_string();
        Expect::Raises {
            kind: kind.to_string(),
            message,
        }
    } else {
        return Err(bad("expected `==` or `raises`"));
    };
    Ok(Run {
        line,
        function: function.to_string(),
        args: list(args),
        expect,
    })
}

fn check_run(artifact: &backend_cpu::JitArtifact, run: &Run) -> Result<(), String> {
    let sig = artifact
        .entry_signature(&run.function)
        .ok_or("no such entry")?
        .clone();
    if run.args.len() != sig.params.len() {
        return Err(format!(
            "{} arguments for {} parameters",
            run.args.len(),
            sig.params.len()
        ));
    }
    let args = run
        .args
        .iter()
        .zip(&sig.params)
        .map(|(a, &t)| encode(t, a))
        .collect::<Result<Vec<_>, _>>()?;
    let outcome = call(artifact, &run.function, &args);
    match (&run.expect, outcome) {
        (Expect::Returns(want), Ok(got)) => {
            if want.len() != got.len() {
                return Err(format!(
                    "{} results expected, the function returns {}",
                    want.len(),
                    got.len()
                ));
            }
            for ((w, &g), &ty) in want.iter().zip(&got).zip(&sig.returns) {
                if !same(ty, g, encode(ty, w)?) {
                    let got: Vec<_> = got
                        .iter()
                        .zip(&sig.returns)
                        .map(|(&g, &t)| show(t, g))
                        .collect();
                    return Err(format!("got {}, want {}", got.join(", "), want.join(", ")));
                }
            }
            Ok(())
        }
        (Expect::Raises { kind, message }, Err((code, slot))) => {
            let info = artifact
                .error_info(code)
                .ok_or(format!("code {code} is not in the table"))?;
            let got = (info.kind.name(), info.format(&slot.args));
            if got != (kind.as_str(), message.clone()) {
                return Err(format!(
                    "raised {} {:?}, want {kind} {message:?}",
                    got.0, got.1
                ));
            }
            Ok(())
        }
        (Expect::Returns(_), Err((code, slot))) => {
            let what = artifact
                .error_info(code)
                .map(|i| i.format(&slot.args))
                .unwrap_or_default();
            Err(format!("raised code {code} ({what}) instead of returning"))
        }
        (Expect::Raises { .. }, Ok(got)) => Err(format!("returned {got:x?} instead of raising")),
    }
}

/// The slot of a literal of type `ty`.
fn encode(ty: Ty, text: &str) -> Result<u64, String> {
    let bad = || format!("`{text}` is not a {ty}");
    let float = |t: &str| match t {
        "nan" => Some(f64::NAN),
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => t.parse::<f64>().ok(),
    };
    match ty {
        Ty::Bool => match text {
            "true" => Ok(1),
            "false" => Ok(0),
            _ => Err(bad()),
        },
        Ty::F64 => float(text).map(f64s).ok_or_else(bad),
        Ty::F32 => float(text).map(|v| f32s(v as f32)).ok_or_else(bad),
        _ => text
            .parse::<i64>()
            .map(int)
            .or_else(|_| text.parse::<u64>())
            .map_err(|_| bad()),
    }
}
