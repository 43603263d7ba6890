//! Ahead-of-time builds through the `ferrojit` binary: a module with several exports becomes a
//! shared library and header that a C program links and calls; compile errors point at the
//! source; and every runtime function links from the runtime's static archive.
//!
//! Tests that need a C compiler say so and pass without doing anything when `cc` is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

const MODULE: &str = r#"import math
from ferrojit import export

SCALE = 2.0
SHIFT = SCALE * math.pi


def helper(x):
    return x * SCALE


@export('f8(f8[:])', 'i8(i8[:])')
def total(a):
    s = a[0] - a[0]
    for i in range(a.shape[0]):
        s += a[i]
    return s


@export('void(f8[:, :], f8)')
def fill(m, v):
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            m[i, j] = helper(v) * i + j


@export('f8(f8[:], i8)')
def pick(a, i):
    return a[i]


@export('UniTuple(f8, 2)(c16, f8)')
def polar_shift(z, k):
    return abs(z) + k, math.atan2(z.imag, z.real) + SHIFT
"#;

const PROGRAM: &str = r#"#include <stdio.h>
#include "kernels.h"

int main(void) {
    double data[5] = {1.0, 2.0, 3.0, 4.0, 5.0};
    ferrojit_array1 a = {data, NULL, {5}, {sizeof(double)}};
    double sum = 0.0;
    ferrojit_error_slot err = {0};
    if (kernels_total_f8_f8a(&a, &sum, &err) != 0) return 1;
    printf("total %.1f\n", sum);

    /* Every other element, through a strided descriptor. */
    ferrojit_array1 odd = {data, NULL, {3}, {2 * sizeof(double)}};
    kernels_total_f8_f8a(&odd, &sum, NULL);
    printf("strided %.1f\n", sum);

    int64_t ints[3] = {7, 8, 9};
    ferrojit_array1 b = {ints, NULL, {3}, {sizeof(int64_t)}};
    int64_t isum = 0;
    kernels_total_i8_i8a(&b, &isum, NULL);
    printf("itotal %lld\n", (long long)isum);

    double m[2][3];
    ferrojit_array2 md = {m, NULL, {2, 3}, {3 * sizeof(double), sizeof(double)}};
    kernels_fill_v_f8a2_f8(&md, 5.0, NULL);
    printf("fill %.1f %.1f\n", m[0][2], m[1][1]);

    /* The uniform entry: slots in, slots out. */
    uint64_t args[1] = {(uint64_t)(uintptr_t)&a};
    uint64_t rets[1];
    uint32_t code = kernels_total_f8_f8a_entry(args, rets, &err);
    double via_entry;
    memcpy(&via_entry, &rets[0], 8);
    printf("entry %u %.1f\n", code, via_entry);

    ferrojit_complex128 z = {3.0, 4.0};
    double r, phi;
    kernels_polar_shift_t_f8_f8__c16_f8(z, 1.0, &r, &phi, NULL);
    printf("polar %.1f %.4f\n", r, phi);

    double x;
    int32_t failed = kernels_pick_f8_f8a_i8(&a, 7, &x, &err);
    char message[256];
    kernels_format_error(kernels_pick_f8_f8a_i8_error_info(err.code), &err, message, sizeof message);
    printf("error %d %s\n", failed != 0, message);
    return 0;
}
"#;

fn have_cc() -> bool {
    let ok = Command::new("cc")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("no C compiler (cc): skipping");
    }
    ok
}

fn ferrojit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ferrojit"))
        .args(args)
        .output()
        .expect("the ferrojit binary runs")
}

fn build_c_library(dir: &Path) -> PathBuf {
    let module = dir.join("kernels.py");
    std::fs::write(&module, MODULE).unwrap();
    let out = dir.join("out");
    let result = ferrojit(&[
        "build",
        module.to_str().unwrap(),
        "--c-only",
        "--out-dir",
        out.to_str().unwrap(),
        "--boundscheck",
    ]);
    assert!(
        result.status.success(),
        "build failed:\n{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

#[test]
fn a_c_program_links_the_library_and_calls_kernels() {
    if !have_cc() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = build_c_library(dir.path());
    assert!(out.join("libkernels.so").exists() && out.join("kernels.h").exists());
    let program = dir.path().join("main.c");
    std::fs::write(&program, format!("#include <string.h>\n{PROGRAM}")).unwrap();
    let exe = dir.path().join("main");
    let compile = Command::new("cc")
        .args(["-std=c99", "-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg(&program)
        .arg("-I")
        .arg(&out)
        .arg("-L")
        .arg(&out)
        .args(["-lkernels", "-lm"])
        .output()
        .unwrap();
    assert!(
        compile.status.success(),
        "{}",
        String::from_utf8_lossy(&compile.stderr)
    );
    let run = Command::new(&exe)
        .env("LD_LIBRARY_PATH", &out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let shift = 2.0 * std::f64::consts::PI + 4f64.atan2(3.0);
    let expected = format!(
        "total 15.0\nstrided 9.0\nitotal 24\nfill 2.0 11.0\nentry 0 15.0\npolar 6.0 {shift:.4}\n\
         error 1 IndexError: index 7 is out of bounds for axis 0 with size 5 (in function pick at \
         line 29 of {})\n",
        dir.path().join("kernels.py").display()
    );
    assert_eq!(stdout, expected);
}

#[test]
fn compile_errors_point_at_the_source_line() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("bad.py");
    std::fs::write(
        &module,
        "import math\n\n\ndef f(x):\n    y = x + 1\n    return y + undefined_name\n",
    )
    .unwrap();
    let result = ferrojit(&[
        "build",
        module.to_str().unwrap(),
        "--export",
        "f:f8(f8)",
        "--c-only",
    ]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("name 'undefined_name' is not defined"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{}:6:16", module.display())),
        "{stderr}"
    );
    assert!(stderr.contains("return y + undefined_name"), "{stderr}");

    let missing = ferrojit(&["build", module.to_str().unwrap(), "--export", "g:f8(f8)"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no top-level function of that name")
    );
    let bad_signature = ferrojit(&["build", module.to_str().unwrap(), "--export", "f:f8(f8"]);
    assert!(String::from_utf8_lossy(&bad_signature.stderr).contains("export 'f'"));
}

/// Every runtime function links from the runtime's static archive through the forwarding
/// function `ferrojit build` generates for it, and calls the Rust runtime's implementation.
#[test]
fn every_runtime_function_links_from_the_runtime_archive() {
    use ferrojit::aot::runtime::{Binding, runtime_symbols, trampolines_c};
    if !have_cc() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let symbols = runtime_symbols();
    let names: Vec<String> = symbols.iter().map(|s| s.name.to_string()).collect();
    let shim = dir.path().join("imports.c");
    std::fs::write(&shim, trampolines_c(&names, Binding::Archive).unwrap()).unwrap();
    // An exported table of every import's address keeps them all from being dropped.
    let mut table = String::new();
    for name in &names {
        table.push_str(&format!("extern char {name}[];\n"));
    }
    table.push_str(
        "__attribute__((visibility(\"default\"))) void *const ferrojit_test_imports[] = {",
    );
    table.push_str(&names.join(", "));
    table.push_str("};\n");
    let table_c = dir.path().join("table.c");
    std::fs::write(&table_c, table).unwrap();
    let library = dir.path().join("libimports.so");
    ferrojit::aot::link::link_shared(
        &ferrojit::aot::link::SharedLibrary {
            inputs: vec![shim, table_c],
            flags: vec![ferrojit::aot::link::NO_UNDEFINED],
            runtime_archive: Some(ferrojit::aot::archive::find_runtime_archive(&[]).unwrap()),
            ..Default::default()
        },
        &library,
    )
    .unwrap();
    // SAFETY: the library's forwarding functions have the signatures of the runtime table.
    unsafe {
        let lib = libloading::Library::new(&library).unwrap();
        let table = *lib
            .get::<*const *const ()>(b"ferrojit_test_imports")
            .unwrap();
        let at = |name: &str| *table.add(names.iter().position(|n| n == name).unwrap());
        let sin: extern "C" fn(f64) -> f64 = std::mem::transmute(at("ferrojit_sin"));
        assert_eq!(sin(0.5).to_bits(), 0.5f64.sin().to_bits());
        let ipow: extern "C" fn(i64, i64) -> i64 = std::mem::transmute(at("ferrojit_ipow"));
        assert_eq!(ipow(3, 4), 81);
        let check: extern "C" fn() -> i64 = std::mem::transmute(at("ferrojit_stack_check"));
        assert_eq!(check(), 0);
    }
}
