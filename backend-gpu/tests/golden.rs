//! Golden PTX: each `tests/golden/NAME.ir` (a module and its `; kernel:` lines) is emitted with
//! the default options and compared with `tests/golden/NAME.ptx`. `FERROJIT_BLESS=1`
//! rewrites the `.ptx` files; review the diff before committing it. With `ptxas` present the
//! golden text is also assembled, so a blessed file is always valid PTX.

use crate::common;

use crate::bless;

use backend_gpu::{PtxOptions, emit_module};
use common::*;
use std::path::Path;

#[test]
fn golden_ptx() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/golden exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ir"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no .ir files in {}", dir.display());
    let bless = bless::bless();
    let mut failures = Vec::new();
    for input in &inputs {
        let text = std::fs::read_to_string(input).unwrap();
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let module = ir::parse::parse_module(&text).unwrap_or_else(|e| panic!("{name}:{e}"));
        ir::verify::verify_module(&module).unwrap_or_else(|e| panic!("{name}: {e}"));
        let specs: Vec<_> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("; kernel:"))
            .map(|l| {
                parse_kernel(l)
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
                    .spec
            })
            .collect();
        let ptx = emit_module(&module, &specs, &PtxOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Some(ptxas) = ptxas()
            && let Err(e) = assemble(ptxas, &name, &ptx, "sm_70")
        {
            failures.push(e);
        }
        let expected_path = input.with_extension("ptx");
        if bless {
            std::fs::write(&expected_path, &ptx).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != ptx {
            failures.push(format!(
                "{} differs from the emitted PTX (FERROJIT_BLESS=1 rewrites it):\n{}",
                expected_path.display(),
                first_difference(&expected, &ptx)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The first differing line, with a little context.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<_>, Vec<_>) = (expected.lines().collect(), actual.lines().collect());
    let i = (0..e.len().max(a.len()))
        .find(|&i| e.get(i) != a.get(i))
        .unwrap_or(0);
    format!(
        "line {}:\n  expected: {}\n  actual:   {}",
        i + 1,
        e.get(i).unwrap_or(&"<end of file>"),
        a.get(i).unwrap_or(&"<end of file>")
    )
}
