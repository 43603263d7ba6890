//! Golden tests for lowering (the largest part of `ir`): every `tests/lower/*.lower` file (at
//! the workspace root) is Python source in, IR out. The source is parsed, typed for the
//! signature in its header and lowered; the verified IR, as lowered (before any pass), is
//! compared with the text after `# expect:` in the same file.
//!
//! File format:
//! ```text
//! # signature: f8(f8[:], i8)   <- the argument (and return) types, Numba's grammar
//! # any other comment lines (what the test is about)
//! def f(a, n):                 <- one function; `math`, `cmath`, `np` are known globals
//!     ...
//! # expect:
//! function @f(...) { ... }     <- the IR as lowered
//! ```
//! `FERROJIT_BLESS=1 cargo test -p ir --test integration lower_golden::` rewrites the expected
//! part (the one bless switch of every golden harness, `tests/support/bless.rs`); review the
//! diff.

use crate::bless;

use frontend::SourceFile;
use ir::lower::{LowerContext, lower_function};
use ir::print::print_function;
use ir::verify::verify_function;
use std::path::{Path, PathBuf};
use typeinfer::classes::ClassMember;
use typeinfer::{CalleeId, Env, GlobalValue, ModuleKind, Type};

const EXPECT_MARKER: &str = "# expect:";

/// The globals a golden function may use: the math modules and NumPy; no jitted callees; and
/// `alloc()`, the allocator of a `@jitclass` `Point` (fields `x: float64` at 16 and
/// `data: float64[:]` at 24; 32 bytes), as a jitclass constructor calls it.
struct Globals;

const POINT: u64 = 7;

impl Env for Globals {
    fn lookup_global(&self, name: &str) -> Option<GlobalValue> {
        match name {
            "math" => Some(GlobalValue::Module(ModuleKind::Math)),
            "cmath" => Some(GlobalValue::Module(ModuleKind::Cmath)),
            "np" | "numpy" => Some(GlobalValue::Module(ModuleKind::Numpy)),
            "alloc" => Some(GlobalValue::NewObject {
                class: POINT,
                name: "Point".into(),
            }),
            _ => None,
        }
    }

    fn class_member(&mut self, class: u64, name: &str) -> Option<ClassMember> {
        match (class, name) {
            (POINT, "x") => Some(ClassMember::Field {
                offset: 16,
                ty: Type::F64,
            }),
            (POINT, "data") => Some(ClassMember::Field {
                offset: 24,
                ty: typeinfer::parse_type("f8[:]").ok()?,
            }),
            _ => None,
        }
    }

    fn class_size(&self, class: u64) -> Option<i64> {
        (class == POINT).then_some(32)
    }

    fn callee_return_type(
        &mut self,
        _callee: CalleeId,
        _args: &[Type],
    ) -> Result<Option<Type>, frontend::Diagnostic> {
        Err(frontend::Diagnostic::internal(
            "golden lowering files call no jitted functions",
        ))
    }
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/lower")
}

#[test]
fn lowering_golden_files() {
    bless::check_golden_dir(&golden_dir(), "lower", check_file);
}

/// Lowers one golden file; with `bless`, rewrites its expected part instead of comparing.
fn check_file(path: &Path, bless: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (input, expected) = match text.find(&format!("\n{EXPECT_MARKER}\n")) {
        Some(i) => (&text[..=i], Some(&text[i + EXPECT_MARKER.len() + 2..])),
        None => (text.as_str(), None),
    };
    let signature_text = input
        .lines()
        .find_map(|l| l.strip_prefix("# signature:"))
        .ok_or("no `# signature:` header")?
        .trim();
    let signature =
        typeinfer::parse_signature(signature_text).map_err(|d| format!("signature: {d}"))?;
    let source = SourceFile::new(path.display().to_string(), input);
    let func = frontend::parse_function(&source).map_err(|d| d.to_string())?;
    let typed =
        typeinfer::infer_function(&func, &signature.args, signature.ret.as_ref(), &mut Globals)
            .map_err(|d| d.with_source(&source).to_string())?;
    let callee_symbol = |_: CalleeId, _: &[Type]| String::from("unused");
    let ctx = LowerContext {
        symbol: func.name.clone(),
        python_name: func.name.clone(),
        source: &source,
        callee_symbol: &callee_symbol,
        boundscheck: input.contains("# boundscheck"),
        numpy_error_model: false,
        parallel: false,
        objmode: None,
        recursive: false,
    };
    let lowered = lower_function(&func, &typed, &ctx).map_err(|d| d.to_string())?;
    let mut actual = String::new();
    for f in &lowered {
        verify_function(f).map_err(|e| format!("lowered IR does not verify: {e}"))?;
        actual.push_str(&print_function(f));
    }
    if bless {
        let updated = format!("{input}{EXPECT_MARKER}\n{actual}");
        if updated != text {
            std::fs::write(path, updated).map_err(|e| e.to_string())?;
        }
        return Ok(());
    }
    match expected {
        Some(expected) if expected == actual => Ok(()),
        Some(expected) => Err(format!(
            "lowered IR differs (FERROJIT_BLESS=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}"
        )),
        None => Err(format!(
            "no `{EXPECT_MARKER}` section (FERROJIT_BLESS=1 to create)"
        )),
    }
}
