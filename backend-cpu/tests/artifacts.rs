//! What the backend hands out: object files, thread-safe JIT artifacts, dumps, and errors for
//! input it cannot compile.

use crate::common;

use backend_cpu::{
    BackendError, CompileOptions, CpuFeatures, JitArtifact, ObjectOptions, compile_jit,
    compile_object,
};
use common::*;
use ir::{Builder, ErrorSite, Function, IntCC, Module, Op, Ty};
use object::{Object, ObjectSymbol};
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;

/// `axpy(a, x, y) = a * x + y`, plus `uses_sin(x) = sin(x)`.
fn small_module() -> Module {
    let mut axpy = Function::new("axpy", vec![Ty::F64, Ty::F64, Ty::F64], vec![Ty::F64]);
    let mut b = Builder::new(&mut axpy);
    let (_, p) = b.create_entry_block();
    let ax = b.binary(Op::Fmul, p[0], p[1]);
    let r = b.binary(Op::Fadd, ax, p[2]);
    b.ret(&[r]);
    let mut uses_sin = Function::new("uses_sin", vec![Ty::F64], vec![Ty::F64]);
    let mut b = Builder::new(&mut uses_sin);
    let (_, p) = b.create_entry_block();
    let s = b.call_runtime(RuntimeFn::Sin, &[p[0]]);
    b.ret(&[s]);
    Module {
        functions: vec![axpy, uses_sin],
    }
}

#[test]
fn object_file_exports_entry_symbols() {
    let artifact = compile_object(
        &small_module(),
        &["axpy", "uses_sin"],
        &ObjectOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!artifact.bytes.is_empty());
    let want = [
        ("axpy".to_string(), "ferrojit_entry_axpy".to_string()),
        (
            "uses_sin".to_string(),
            "ferrojit_entry_uses_sin".to_string(),
        ),
    ];
    assert_eq!(artifact.entry_symbols, want);
    assert_eq!(artifact.runtime_imports, ["ferrojit_sin"]);

    let file = object::File::parse(artifact.bytes.as_slice()).expect("a valid object file");
    let defined: Vec<_> = file
        .symbols()
        .filter(|s| s.is_definition() && s.is_global())
        .filter_map(|s| s.name().ok())
        .collect();
    for (_, symbol) in &artifact.entry_symbols {
        assert!(
            defined.contains(&symbol.as_str()),
            "{symbol} not exported; exported: {defined:?}"
        );
    }
    let undefined: Vec<_> = file
        .symbols()
        .filter(|s| s.is_undefined())
        .filter_map(|s| s.name().ok())
        .collect();
    assert!(
        undefined.contains(&"ferrojit_sin"),
        "runtime import missing: {undefined:?}"
    );
    // Internal functions are local: only entries are exported.
    assert_eq!(defined.len(), 2, "exported: {defined:?}");
}

#[test]
fn object_targets_are_validated() {
    let native_foreign = ObjectOptions {
        triple: Some("aarch64-unknown-linux-gnu".into()),
        cpu: CpuFeatures::Native,
        ..ObjectOptions::default()
    };
    let bogus = ObjectOptions {
        triple: Some("not-a-triple".into()),
        ..ObjectOptions::default()
    };
    for opts in [native_foreign, bogus] {
        let err = compile_object(&small_module(), &["axpy"], &opts).unwrap_err();
        assert!(matches!(err, BackendError::Target(_)), "{err}");
    }
    let native = ObjectOptions {
        cpu: CpuFeatures::Native,
        ..ObjectOptions::default()
    };
    assert!(
        !compile_object(&small_module(), &["axpy"], &native)
            .unwrap()
            .bytes
            .is_empty()
    );
}

#[test]
fn artifacts_are_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<JitArtifact>();

    let artifact = compile(&small_module(), &["axpy", "uses_sin"]);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|t| {
                let artifact = &artifact;
                scope.spawn(move || {
                    for k in 0..1000 {
                        let x = (t * 1000 + k) as f64;
                        let got = call(artifact, "axpy", &[f64s(2.0), f64s(x), f64s(1.0)]).unwrap();
                        assert_eq!(as_f64(got[0]), 2.0 * x + 1.0);
                        let got = call(artifact, "uses_sin", &[f64s(x)]).unwrap();
                        assert_eq!(as_f64(got[0]), x.sin());
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("thread panicked");
        }
    });
    // Moving the artifact to another thread and dropping it there frees the code.
    std::thread::spawn(move || drop(artifact)).join().unwrap();
}

#[test]
fn dumps_hold_clif_and_assembly_on_request() {
    let plain = compile(&small_module(), &["axpy"]);
    assert_eq!(plain.dumps(), "");

    let opts = CompileOptions {
        dump_clif: true,
        dump_asm: true,
    };
    let artifact = compile_jit(&small_module(), &["axpy"], &opts).unwrap();
    let dumps = artifact.dumps();
    for needle in [
        ";; CLIF of `axpy`",
        ";; assembly of `axpy`",
        ";; CLIF of `entry trampoline of axpy`",
        "fadd",
    ] {
        assert!(dumps.contains(needle), "missing {needle:?} in:\n{dumps}");
    }
    let asm = dumps.split(";; assembly of `axpy`").nth(1).unwrap();
    assert!(
        asm.lines().nth(1).is_some_and(|l| !l.trim().is_empty()),
        "empty assembly:\n{dumps}"
    );

    let object = ObjectOptions {
        compile: opts,
        ..ObjectOptions::default()
    };
    assert!(
        compile_object(&small_module(), &["axpy"], &object)
            .unwrap()
            .dumps
            .contains(";; CLIF of `axpy`")
    );
}

/// `f(x: i64) -> i64` whose entry block is built by `body`.
fn one_function(body: impl FnOnce(&mut Builder, &[ir::Value])) -> Module {
    let mut f = Function::new("f", vec![Ty::I64], vec![Ty::I64]);
    f.add_error(ErrorSite {
        kind: ExceptionKind::ValueError,
        message: "bad".into(),
        line: 1,
        col: 1,
        function: String::new(),
    });
    let mut b = Builder::new(&mut f);
    let (_, p) = b.create_entry_block();
    body(&mut b, &p);
    Module { functions: vec![f] }
}

fn compile_err(module: &Module, entries: &[&str]) -> BackendError {
    match compile_jit(module, entries, &CompileOptions::default()) {
        Ok(_) => panic!("compiled, but an error was expected"),
        Err(e) => e,
    }
}

#[test]
fn unsupported_input_is_an_error_not_a_panic() {
    let identity = one_function(|b, p| b.ret(&[p[0]]));
    let cases: Vec<(&str, Module, &[&str], &str)> = vec![
        (
            "unknown entry",
            identity.clone(),
            &["g"],
            "no function named `g`",
        ),
        (
            "duplicate",
            Module {
                functions: vec![identity.functions[0].clone(); 2],
            },
            &[],
            "more than once",
        ),
        (
            "unknown callee",
            one_function(|b, p| {
                let r = b.call("nowhere", &[p[0]], &[Ty::I64]);
                b.ret(&r);
            }),
            &["f"],
            "calls unknown function `nowhere`",
        ),
        (
            "unterminated block",
            one_function(|b, p| {
                b.binary(Op::Iadd, p[0], p[0]);
            }),
            &["f"],
            "does not end with a terminator",
        ),
        (
            "wrong return count",
            one_function(|b, _| b.ret(&[])),
            &["f"],
            "returns 0 values, the signature has 1",
        ),
        (
            "float raise argument",
            one_function(|b, _| {
                let x = b.fconst(Ty::F64, 1.0);
                b.raise(ir::ErrorId(0), &[x]);
            }),
            &["f"],
            "must be an integer",
        ),
        (
            "unknown error id",
            one_function(|b, _| b.raise(ir::ErrorId(7), &[])),
            &["f"],
            "error id 7",
        ),
        (
            "value used outside its dominance",
            one_function(|b, p| {
                let (then, els, join) = (b.create_block(), b.create_block(), b.create_block());
                let zero = b.iconst(Ty::I64, 0);
                let c = b.icmp(IntCC::Slt, p[0], zero);
                b.brif(c, then, &[], els, &[]);
                b.switch_to(then);
                let only_here = b.binary(Op::Iadd, p[0], p[0]);
                b.jump(join, &[]);
                b.switch_to(els);
                b.jump(join, &[]);
                b.switch_to(join);
                b.ret(&[only_here]);
            }),
            &["f"],
            "verifier",
        ),
        (
            "operand types differ",
            one_function(|b, p| {
                let small = b.iconst(Ty::I32, 1);
                let r = b.binary(Op::Iadd, p[0], small);
                b.ret(&[r]);
            }),
            &["f"],
            "iadd",
        ),
        (
            "conversion between unrelated types",
            one_function(|b, p| {
                let r = b.convert(Op::Sext, p[0], Ty::I8);
                let r = b.convert(Op::Sext, r, Ty::I64);
                b.ret(&[r]);
            }),
            &["f"],
            "cannot convert i64 to i8",
        ),
    ];
    for (what, module, entries, needle) in cases {
        let message = compile_err(&module, entries).to_string();
        assert!(
            message.contains(needle),
            "{what}: {needle:?} not in:\n{message}"
        );
    }
}

#[test]
fn verifier_errors_show_the_clif() {
    let module = one_function(|b, p| {
        let small = b.iconst(Ty::I32, 1);
        let r = b.binary(Op::Iadd, p[0], small);
        b.ret(&[r]);
    });
    match compile_err(&module, &["f"]) {
        BackendError::Verifier { function, report } => {
            assert_eq!(function, "f");
            assert!(
                report.contains("function u0:") && report.contains("iadd"),
                "{report}"
            );
        }
        other => panic!("expected a verifier error, got {other}"),
    }
}

/// Links an object into a shared library with the system C compiler and calls its entries: the
/// object's code is position-independent and its libcalls (`floor` on generic x86-64) resolve
/// against libm.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn object_links_into_a_callable_shared_library() {
    use std::ffi::{CString, c_char, c_int, c_void};
    unsafe extern "C" {
        fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
        fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
        fn dlclose(handle: *mut c_void) -> c_int;
    }
    const RTLD_NOW: c_int = 2;

    if std::process::Command::new("cc")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `cc` to link with");
        return;
    }
    let mut module = small_module();
    module.functions.retain(|f| f.name == "axpy");
    let mut floor_div = Function::new("floor_div", vec![Ty::F64, Ty::F64], vec![Ty::F64]);
    let by_zero = floor_div.add_error(ErrorSite {
        kind: ExceptionKind::ZeroDivisionError,
        message: "x".into(),
        line: 2,
        col: 3,
        function: String::new(),
    });
    let mut b = Builder::new(&mut floor_div);
    let (_, p) = b.create_entry_block();
    let (raise, ok) = (b.create_block(), b.create_block());
    let zero = b.fconst(Ty::F64, 0.0);
    let is_zero = b.fcmp(ir::FloatCC::Eq, p[1], zero);
    b.brif(is_zero, raise, &[], ok, &[]);
    b.switch_to(raise);
    b.raise(by_zero, &[]);
    b.switch_to(ok);
    let q = b.binary(Op::Fdiv, p[0], p[1]);
    let r = b.unary(Op::Floor, q);
    b.ret(&[r]);
    module.functions.push(floor_div);
    let artifact =
        compile_object(&module, &["axpy", "floor_div"], &ObjectOptions::default()).unwrap();

    let dir =
        std::env::temp_dir().join(format!("ferrojit-backend-cpu-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (obj, lib) = (dir.join("kernels.o"), dir.join("libkernels.so"));
    std::fs::write(&obj, &artifact.bytes).unwrap();
    let out = std::process::Command::new("cc")
        .arg("-shared")
        .arg(&obj)
        .arg("-o")
        .arg(&lib)
        .arg("-lm")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let path = CString::new(lib.to_str().unwrap()).unwrap();
    // SAFETY: loading a library we just linked; it has no initialisers of its own.
    let handle = unsafe { dlopen(path.as_ptr(), RTLD_NOW) };
    assert!(!handle.is_null(), "dlopen failed");
    let entry = |name: &str| {
        let symbol = CString::new(name).unwrap();
        // SAFETY: `handle` is a live library handle.
        let address = unsafe { dlsym(handle, symbol.as_ptr()) };
        assert!(!address.is_null(), "{name} not found");
        // SAFETY: the symbol is an entry trampoline with the `EntryFn` signature.
        unsafe { std::mem::transmute::<*mut c_void, runtime::abi::EntryFn>(address) }
    };
    let run = |name: &str, args: &[u64]| {
        let (mut rets, mut err) = ([0u64; 1], runtime::error::ErrorSlot::default());
        // SAFETY: one slot per parameter and result; the library stays loaded until below.
        let code = unsafe { entry(name)(args.as_ptr(), rets.as_mut_ptr(), &mut err) };
        (code, rets[0])
    };
    assert_eq!(
        run("ferrojit_entry_axpy", &[f64s(2.0), f64s(3.0), f64s(0.5)]),
        (0, f64s(6.5))
    );
    assert_eq!(
        run("ferrojit_entry_floor_div", &[f64s(-7.0), f64s(2.0)]),
        (0, f64s(-4.0))
    );
    assert_eq!(
        run("ferrojit_entry_floor_div", &[f64s(1.0), f64s(0.0)]).0,
        1
    );
    // SAFETY: no function of the library is running or used afterwards.
    unsafe { dlclose(handle) };
    let _ = std::fs::remove_dir_all(&dir);
}
