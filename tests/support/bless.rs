//! The one bless switch of every golden harness (frontend conversion, type inference, IR
//! passes, lowering, PTX): `FERROJIT_BLESS=1` rewrites the expected outputs from what the code
//! produces now, instead of comparing (review the diff before committing). Off for unset,
//! empty, `0`, `false`, `no`, `off`: the vocabulary of `runtime::config`. Each harness includes
//! this file with `#[path]`, so the name and its parsing exist once. [`check_golden_dir`] is the
//! walk over a directory of golden files that the file-per-case harnesses share.

/// The environment variable.
#[allow(dead_code, reason = "not every harness prints the name")]
pub const BLESS_ENV: &str = "FERROJIT_BLESS";

/// True when the expected outputs are to be rewritten.
pub fn bless() -> bool {
    std::env::var(BLESS_ENV).is_ok_and(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no" | "off"
        )
    })
}

/// Runs `check(path, bless)` on every `*.{extension}` file of `dir` in name order and fails with
/// every failure at once; an empty directory fails too (a moved directory must not pass).
#[allow(dead_code, reason = "not every harness keeps one file per case")]
pub fn check_golden_dir(
    dir: &std::path::Path,
    extension: &str,
    check: impl Fn(&std::path::Path, bool) -> Result<(), String>,
) {
    let bless = bless();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no golden files in {}", dir.display());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            check(path, bless)
                .err()
                .map(|m| format!("{}: {m}", path.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} golden file(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
