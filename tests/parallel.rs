//! `prange` under `parallel=True`, through the Rust API: results equal the serial loop's, for
//! reductions of every kind, array writes, private variables and errors raised in a chunk.

use ferrojit::{
    CompileRequest, DumpFlags, FunctionDef, Global, GlobalResolver, Intrinsic, Layout, ModuleKind,
    Options, Scalar, SourceFile, Type, compile,
};
use std::sync::Arc;
use typeinfer::GlobalValue;

struct Globals;

impl GlobalResolver for Globals {
    fn resolve(&self, name: &str) -> Option<Global> {
        match name {
            "prange" => Some(Global::Value(GlobalValue::Intrinsic(Intrinsic::Prange))),
            "math" => Some(Global::Value(GlobalValue::Module(ModuleKind::Math))),
            _ => None,
        }
    }
}

fn compile_with(src: &str, arg_types: Vec<Type>, parallel: bool) -> ferrojit::CompiledFunction {
    let options = Options {
        parallel,
        ..Options::default()
    };
    let def = FunctionDef::parse(SourceFile::new("par.py", src), Box::new(Globals), options)
        .unwrap_or_else(|d| panic!("{d}"));
    compile(&CompileRequest {
        def: Arc::new(def),
        arg_types,
        declared_return: None,
        dump: DumpFlags::from_env(),
    })
    .unwrap_or_else(|d| panic!("{d}"))
}

/// Calls a function of one 1-D f64 array and one int, returning one slot.
fn call_array_int(f: &ferrojit::CompiledFunction, data: &mut [f64], n: i64) -> Result<u64, String> {
    let desc = runtime::array::ArrayDescriptor::new(
        data.as_mut_ptr() as *mut u8,
        std::ptr::null_mut(),
        &[data.len() as i64],
        &[8],
    )
    .unwrap();
    let mut rets = [0u64; 2];
    // SAFETY: a valid 1-D f64 descriptor and an int, as compiled.
    unsafe { f.call(&[desc.as_ptr() as u64, n as u64], &mut rets) }.map_err(|e| e.to_string())?;
    Ok(rets[0])
}

const REDUCTIONS: &str = "def f(a, n):
    s = 0.0
    p = 1.0
    lo = 1e300
    hi = -1e300
    count = 0
    for i in prange(n):
        x = a[i] * 2.0
        s += x
        p *= 1.0000001
        lo = min(lo, x)
        hi = max(hi, x)
        count += 1
        a[i] = x + 1.0
    return s + p + lo + hi + count
";

#[test]
fn reductions_and_writes_match_the_serial_loop() {
    let arr = Type::array(Scalar::F64, 1, Layout::C);
    let parallel = compile_with(REDUCTIONS, vec![arr.clone(), Type::I64], true);
    let serial = compile_with(REDUCTIONS, vec![arr, Type::I64], false);
    for n in [0usize, 1, 2, 3, 17, 1000, 100_003] {
        let mut a: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1000) as f64 / 7.0).collect();
        let mut b = a.clone();
        let p = f64::from_bits(call_array_int(&parallel, &mut a, n as i64).unwrap());
        let s = f64::from_bits(call_array_int(&serial, &mut b, n as i64).unwrap());
        assert!(
            (p - s).abs() <= 1e-9 * s.abs().max(1.0),
            "n={n}: {p} vs {s}"
        );
        assert_eq!(a, b, "n={n}: array writes differ");
    }
}

#[test]
fn integer_sums_are_exact_with_any_step() {
    let src = "def f(a, n):\n    s = 0\n    for i in prange(3, n, 4):\n        s += i * i\n    return s\n";
    let arr = Type::array(Scalar::F64, 1, Layout::C);
    let f = compile_with(src, vec![arr, Type::I64], true);
    for n in [0i64, 3, 4, 100, 12345] {
        let expected: i64 = (3..n).step_by(4).map(|i| i * i).sum();
        assert_eq!(
            call_array_int(&f, &mut [], n).unwrap() as i64,
            expected,
            "n={n}"
        );
    }
}

#[test]
fn an_error_in_a_chunk_is_raised_once() {
    let src = "def f(a, n):\n    s = 0.0\n    for i in prange(n):\n        s += 1.0 / (i - 500)\n    return s\n";
    let arr = Type::array(Scalar::F64, 1, Layout::C);
    let f = compile_with(src, vec![arr, Type::I64], true);
    let err = call_array_int(&f, &mut [], 1000).unwrap_err();
    assert!(
        err.contains("ZeroDivisionError") && err.contains("line 4"),
        "{err}"
    );
    assert!(call_array_int(&f, &mut [], 400).is_ok());
}

#[test]
fn updating_one_element_from_every_iteration_is_rejected() {
    let src = "def f(a, n):\n    for i in prange(n):\n        a[0] += a[i]\n    return 0\n";
    let options = Options {
        parallel: true,
        ..Options::default()
    };
    let def =
        FunctionDef::parse(SourceFile::new("race.py", src), Box::new(Globals), options).unwrap();
    let err = compile(&CompileRequest {
        def: Arc::new(def),
        arg_types: vec![Type::array(Scalar::F64, 1, Layout::C), Type::I64],
        declared_return: None,
        dump: DumpFlags::default(),
    })
    .err()
    .expect("a data race is a compile error");
    let text = err.to_string();
    assert!(
        text.contains("data race") && text.contains("race.py:3:"),
        "{text}"
    );
}
