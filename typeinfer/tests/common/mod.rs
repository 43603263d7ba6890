//! Golden-file helpers shared by the test crates: `input => output` tables and case files.
//!
//! Set `FERROJIT_BLESS=1` to rewrite the expected outputs from what the code produces now;
//! review the diff before committing it.

#![allow(dead_code)] // Each test file uses a different subset.

#[path = "../../../tests/support/bless.rs"]
mod bless_switch;

use std::path::{Path, PathBuf};

pub fn bless() -> bool {
    bless_switch::bless()
}

pub fn data_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(relative)
}

/// Checks a table file: each line `input => expected` must satisfy `render(input) == expected`;
/// blank lines and lines starting with `#` are comments. All mismatches are reported at once.
pub fn check_table(relative: &str, render: impl Fn(&str) -> String) {
    let path = data_path(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = String::new();
    let mut failures = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let (input, expected) = match line.split_once(" => ") {
            Some((input, expected)) => (input, Some(expected)),
            None => (line.trim_end(), None),
        };
        let actual = render(input);
        if expected != Some(actual.as_str()) {
            failures.push(format!(
                "{}:{}: {input}\n    expected: {}\n    actual:   {actual}",
                relative,
                number + 1,
                expected.unwrap_or("<missing>")
            ));
        }
        out.push_str(&format!("{input} => {actual}\n"));
    }
    finish(&path, &text, &out, failures);
}

/// Compares or (when blessing) rewrites `path`, then fails with every mismatch.
pub fn finish(path: &Path, old: &str, new: &str, failures: Vec<String>) {
    if bless() {
        if old != new {
            std::fs::write(path, new).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        return;
    }
    report(failures);
}

/// Fails with every mismatch unless blessing.
pub fn report(failures: Vec<String>) {
    if bless() {
        return;
    }
    assert!(
        failures.is_empty(),
        "{} mismatch(es) (rerun with FERROJIT_BLESS=1 to accept):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A tiny deterministic generator (xorshift64*) for dependency-free fuzz loops.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }
}
