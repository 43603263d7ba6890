//! Checks the crate dependency rules of ARCHITECTURE.md by reading each crate's Cargo.toml.

use std::path::Path;

/// Crates whose `[dependencies]` must not name any of the listed packages.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "frontend",
        &[
            "typeinfer",
            "ir",
            "backend-cpu",
            "backend-gpu",
            "runtime",
            "pyo3",
            "cranelift-codegen",
            "cudarc",
        ],
    ),
    (
        "typeinfer",
        &[
            "ir",
            "backend-cpu",
            "backend-gpu",
            "runtime",
            "pyo3",
            "cranelift-codegen",
            "cudarc",
        ],
    ),
    (
        "ir",
        &[
            "backend-cpu",
            "backend-gpu",
            "pyo3",
            "numpy",
            "cranelift-codegen",
            "cranelift-frontend",
            "cudarc",
        ],
    ),
    (
        "backend-cpu",
        &["frontend", "typeinfer", "backend-gpu", "pyo3", "cudarc"],
    ),
    ("backend-gpu", &["backend-cpu", "pyo3", "cranelift-codegen"]),
    (
        "runtime",
        &[
            "frontend",
            "typeinfer",
            "ir",
            "backend-cpu",
            "backend-gpu",
            "pyo3",
            "cranelift-codegen",
            "cudarc",
        ],
    ),
    (".", &["pyo3", "numpy"]),
];

/// The package names in the `[dependencies]` table of a Cargo.toml (not dev-dependencies).
fn dependencies(manifest: &str) -> Vec<String> {
    let mut in_deps = false;
    let mut names = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if let (true, Some((name, _))) = (in_deps, line.split_once(['=', '.'])) {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                names.push(name.to_string());
            }
        }
    }
    names
}

#[test]
fn crates_respect_the_dependency_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (krate, forbidden) in FORBIDDEN {
        let manifest = std::fs::read_to_string(root.join(krate).join("Cargo.toml")).unwrap();
        let deps = dependencies(&manifest);
        let broken: Vec<&String> = deps
            .iter()
            .filter(|d| forbidden.contains(&d.as_str()))
            .collect();
        assert!(
            broken.is_empty(),
            "crate '{krate}' must not depend on {broken:?} (see ARCHITECTURE.md)"
        );
    }
}

#[test]
fn every_lib_rs_opens_with_a_crate_doc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for krate in [
        "frontend",
        "typeinfer",
        "ir",
        "backend-cpu",
        "backend-gpu",
        "runtime",
        "pybridge",
        ".",
    ] {
        let lib = std::fs::read_to_string(root.join(krate).join("src/lib.rs")).unwrap();
        assert!(
            lib.starts_with("//!"),
            "{krate}/src/lib.rs must open with a //! doc"
        );
    }
}
