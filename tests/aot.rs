//! Ahead-of-time builds through the `ferrojit` binary: a module with several exports becomes a
//! shared library and header that a C program links and calls; compile errors point at the
//! source; and the C runtime helpers give bit-identical results to the Rust runtime's.
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
    ferrojit_error_slot err;
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

/// A function pointer of type `F` from an address.
///
/// # Safety
/// `address` must be a function with exactly the signature `F`.
unsafe fn as_fn<F: Copy>(address: *const ()) -> F {
    assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<*const ()>());
    // SAFETY: per the contract; `F` is a function pointer type of pointer size.
    unsafe { std::mem::transmute_copy::<*const (), F>(&address) }
}

/// The C runtime helpers against the Rust runtime, bit for bit.
#[test]
fn c_runtime_helpers_match_the_rust_runtime() {
    if !have_cc() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("runtime.c");
    std::fs::write(&source, ferrojit::aot::runtime::RUNTIME_C).unwrap();
    let library = dir.path().join("libruntime.so");
    ferrojit::aot::link::link_shared(
        &ferrojit::aot::link::SharedLibrary {
            inputs: vec![source],
            // Export the helpers so that the test can look them up.
            flags: vec!["-D__attribute__(x)="],
            ..Default::default()
        },
        &library,
    )
    .unwrap();
    // SAFETY: a library of plain C math functions, loaded for the duration of the test.
    let lib = unsafe { libloading::Library::new(&library) }.unwrap();
    let mut inputs: Vec<f64> = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        1e-300,
        -1e-300,
        1e300,
        710.0,
        -745.0,
        0.999,
        1.0000001,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        std::f64::consts::PI,
        5e-324,
        -1e-310,
        27.0,
        -8.0,
        3.0,
    ];
    let mut x = 0.37_f64;
    for _ in 0..400 {
        x = (x * 3.7 + 0.123).fract();
        inputs.push((x - 0.5) * 40.0);
        inputs.push((x - 0.5) * 2.2);
    }
    use ferrojit::aot::runtime::runtime_symbols;
    for symbol in runtime_symbols() {
        // The driver runs code; the print helpers write to stdout (tested from Python); the
        // memory helpers need an error slot.
        // The NumPy library routines have no C version (`ferrojit build` refuses them).
        if symbol.name == "ferrojit_parallel_for"
            || symbol.name.starts_with("ferrojit_print_")
            || ferrojit::aot::runtime::is_arena_symbol(symbol.name)
            || ferrojit::aot::runtime::needs_allocator(symbol.name)
        {
            continue;
        }
        // SAFETY: each symbol has the C signature the table gives; both sides are called with it.
        unsafe {
            let ours = *lib.get::<*const ()>(symbol.name.as_bytes()).unwrap();
            let theirs = symbol.address as *const ();
            match (symbol.params.as_slice(), symbol.result) {
                (["double"], "double") => {
                    let (a, b): (extern "C" fn(f64) -> f64, extern "C" fn(f64) -> f64) =
                        (as_fn(ours), as_fn(theirs));
                    for &v in &inputs {
                        assert_eq!(a(v).to_bits(), b(v).to_bits(), "{}({v})", symbol.name);
                    }
                }
                (["double", "double"], "double") => {
                    let (a, b): (
                        extern "C" fn(f64, f64) -> f64,
                        extern "C" fn(f64, f64) -> f64,
                    ) = (as_fn(ours), as_fn(theirs));
                    for (&u, &v) in inputs.iter().zip(inputs.iter().rev()) {
                        assert_eq!(
                            a(u, v).to_bits(),
                            b(u, v).to_bits(),
                            "{}({u}, {v})",
                            symbol.name
                        );
                    }
                }
                (["double"], "int64_t") => {
                    let (a, b): (extern "C" fn(f64) -> i64, extern "C" fn(f64) -> i64) =
                        (as_fn(ours), as_fn(theirs));
                    for &v in &inputs {
                        assert_eq!(a(v), b(v), "{}({v})", symbol.name);
                    }
                }
                (["float"], "float") => {
                    let (a, b): (extern "C" fn(f32) -> f32, extern "C" fn(f32) -> f32) =
                        (as_fn(ours), as_fn(theirs));
                    for &v in &inputs {
                        let v = v as f32;
                        assert_eq!(a(v).to_bits(), b(v).to_bits(), "{}({v})", symbol.name);
                    }
                }
                (["float", "float"], "float") => {
                    let (a, b): (
                        extern "C" fn(f32, f32) -> f32,
                        extern "C" fn(f32, f32) -> f32,
                    ) = (as_fn(ours), as_fn(theirs));
                    for (&u, &v) in inputs.iter().zip(inputs.iter().rev()) {
                        let (u, v) = (u as f32, v as f32);
                        assert_eq!(
                            a(u, v).to_bits(),
                            b(u, v).to_bits(),
                            "{}({u}, {v})",
                            symbol.name
                        );
                    }
                }
                // The stack check: both say a shallow stack is fine.
                ([], "int64_t") => {
                    let (a, b): (extern "C" fn() -> i64, extern "C" fn() -> i64) =
                        (as_fn(ours), as_fn(theirs));
                    assert_eq!((a(), b()), (0, 0), "{}()", symbol.name);
                }
                (["int64_t", "int64_t"], "int64_t") => {
                    let (a, b): (
                        extern "C" fn(i64, i64) -> i64,
                        extern "C" fn(i64, i64) -> i64,
                    ) = (as_fn(ours), as_fn(theirs));
                    for base in -5..=5 {
                        for exp in 0..70 {
                            assert_eq!(
                                a(base, exp),
                                b(base, exp),
                                "{}({base}, {exp})",
                                symbol.name
                            );
                        }
                    }
                }
                (["double", "int64_t"], "double") => {
                    let (a, b): (
                        extern "C" fn(f64, i64) -> f64,
                        extern "C" fn(f64, i64) -> f64,
                    ) = (as_fn(ours), as_fn(theirs));
                    for &v in &inputs {
                        for n in [-40, -3, -1, 0, 1, 2, 3, 7, 64, 1025, i64::MAX, i64::MIN] {
                            assert_eq!(
                                a(v, n).to_bits(),
                                b(v, n).to_bits(),
                                "{}({v}, {n})",
                                symbol.name
                            );
                        }
                    }
                }
                // The whole-array reductions: integer sums exactly, float ones (reassociated
                // differently on each side) to rounding.
                (["void *", ..], _) => {
                    let xs: Vec<f64> = inputs
                        .iter()
                        .copied()
                        .filter(|v| v.is_finite() && v.abs() < 1e6)
                        .collect();
                    let ints: Vec<i64> = xs.iter().map(|&v| (v * 1e12) as i64).collect();
                    let i32s: Vec<i32> = xs.iter().map(|&v| (v * 1e3) as i32).collect();
                    let f32s: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
                    let n = xs.len() as i64;
                    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
                    match symbol.name {
                        "ferrojit_sum_i64" | "ferrojit_sum_i32" => {
                            type F = extern "C" fn(*const (), i64) -> i64;
                            let (a, b): (F, F) = (as_fn(ours), as_fn(theirs));
                            let p = if symbol.name.ends_with("i64") {
                                ints.as_ptr() as *const ()
                            } else {
                                i32s.as_ptr() as *const ()
                            };
                            assert_eq!(a(p, n), b(p, n), "{}", symbol.name);
                        }
                        "ferrojit_sum_f32" => {
                            type F = extern "C" fn(*const (), i64) -> f32;
                            let (a, b): (F, F) = (as_fn(ours), as_fn(theirs));
                            let p = f32s.as_ptr() as *const ();
                            assert!((a(p, n) - b(p, n)).abs() < 1e-2, "{}", symbol.name);
                        }
                        "ferrojit_dot_f64" => {
                            type F = extern "C" fn(*const (), *const (), i64) -> f64;
                            let (a, b): (F, F) = (as_fn(ours), as_fn(theirs));
                            let p = xs.as_ptr() as *const ();
                            assert!(close(a(p, p, n), b(p, p, n)), "{}", symbol.name);
                        }
                        _ => {
                            type F = extern "C" fn(*const (), i64) -> f64;
                            let (a, b): (F, F) = (as_fn(ours), as_fn(theirs));
                            let p = xs.as_ptr() as *const ();
                            assert!(close(a(p, n), b(p, n)), "{}", symbol.name);
                        }
                    }
                }
                other => panic!(
                    "no comparison for the signature {other:?} of {}",
                    symbol.name
                ),
            }
        }
    }
}
