//! End-to-end tests through the Rust API: Python source → machine code → results.
//!
//! Each case gives a function's source, its argument values (as flattened slots) and the
//! expected result; `check` compiles with the argument types and compares. The Python test
//! suite (tests/python) compares against CPython itself; these cases pin the pipeline without
//! Python.

use ferrojit::{
    CompileRequest, ConstValue, DumpFlags, FunctionDef, Global, GlobalResolver, ModuleKind,
    Options, Scalar, SourceFile, Type, compile,
};
use std::sync::Arc;
use typeinfer::GlobalValue;

struct TestGlobals;

impl GlobalResolver for TestGlobals {
    fn resolve(&self, name: &str) -> Option<Global> {
        match name {
            "math" => Some(Global::Value(GlobalValue::Module(ModuleKind::Math))),
            "SCALE" => Some(Global::Value(GlobalValue::Const(ConstValue::Float(2.5)))),
            _ => None,
        }
    }
}

/// A scalar argument or result, as the entry ABI flattens it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Arg {
    I(i64),
    F(f64),
    B(bool),
}

impl Arg {
    fn ty(self) -> Type {
        match self {
            Arg::I(_) => Type::I64,
            Arg::F(_) => Type::F64,
            Arg::B(_) => Type::BOOL,
        }
    }
    fn slot(self) -> u64 {
        match self {
            Arg::I(v) => v as u64,
            Arg::F(v) => v.to_bits(),
            Arg::B(v) => v as u64,
        }
    }
}

fn compile_source(
    src: &str,
    arg_types: Vec<Type>,
) -> Result<ferrojit::CompiledFunction, ferrojit::Diagnostic> {
    let def = FunctionDef::parse(
        SourceFile::new("case.py", src),
        Box::new(TestGlobals),
        Options::default(),
    )?;
    compile(&CompileRequest {
        def: Arc::new(def),
        arg_types,
        declared_return: None,
        dump: DumpFlags::from_env(),
    })
}

/// Compiles `src` for the types of `args`, calls it, and returns its flattened result slots.
fn run(src: &str, args: &[Arg]) -> Result<Vec<u64>, String> {
    let f =
        compile_source(src, args.iter().map(|a| a.ty()).collect()).map_err(|d| d.to_string())?;
    let slots: Vec<u64> = args.iter().map(|a| a.slot()).collect();
    let mut rets = vec![0u64; f.ret_slots.max(1)];
    // SAFETY: scalar arguments only, laid out as the entry ABI requires.
    unsafe { f.call(&slots, &mut rets) }.map_err(|e| e.to_string())?;
    Ok(rets)
}

fn check(src: &str, args: &[Arg], expected: Arg) {
    let rets = run(src, args).unwrap_or_else(|e| panic!("{src}\nfailed: {e}"));
    let got = match expected {
        Arg::I(_) => Arg::I(rets[0] as i64),
        Arg::F(_) => Arg::F(f64::from_bits(rets[0])),
        Arg::B(_) => Arg::B(rets[0] & 0xff != 0),
    };
    assert_eq!(got, expected, "{src}");
}

#[test]
fn arithmetic_follows_python() {
    let cases: &[(&str, &[Arg], Arg)] = &[
        (
            "def f(a, b):\n    return a + b\n",
            &[Arg::I(2), Arg::I(40)],
            Arg::I(42),
        ),
        (
            "def f(a, b):\n    return a // b\n",
            &[Arg::I(-7), Arg::I(2)],
            Arg::I(-4),
        ),
        (
            "def f(a, b):\n    return a % b\n",
            &[Arg::I(-7), Arg::I(2)],
            Arg::I(1),
        ),
        (
            "def f(a, b):\n    return a % b\n",
            &[Arg::I(7), Arg::I(-2)],
            Arg::I(-1),
        ),
        (
            "def f(a, b):\n    return a / b\n",
            &[Arg::I(7), Arg::I(2)],
            Arg::F(3.5),
        ),
        (
            "def f(a, b):\n    return a // b\n",
            &[Arg::F(-7.5), Arg::F(2.0)],
            Arg::F(-4.0),
        ),
        (
            "def f(a, b):\n    return a % b\n",
            &[Arg::F(-7.5), Arg::F(2.0)],
            Arg::F(0.5),
        ),
        (
            "def f(a, b):\n    return a ** b\n",
            &[Arg::I(3), Arg::I(4)],
            Arg::I(81),
        ),
        (
            "def f(a):\n    return -a if a < 0 else a * SCALE\n",
            &[Arg::F(2.0)],
            Arg::F(5.0),
        ),
        (
            "def f(a, b):\n    return 0 < a < b\n",
            &[Arg::I(1), Arg::I(2)],
            Arg::B(true),
        ),
        (
            "def f(a, b):\n    return 0 < a < b\n",
            &[Arg::I(3), Arg::I(2)],
            Arg::B(false),
        ),
        (
            "def f(x):\n    return math.sqrt(x) + abs(-x)\n",
            &[Arg::F(16.0)],
            Arg::F(20.0),
        ),
        (
            "def f(x):\n    return round(x)\n",
            &[Arg::F(2.5)],
            Arg::I(2),
        ),
        (
            "def f(x):\n    return int(x)\n",
            &[Arg::F(-2.7)],
            Arg::I(-2),
        ),
        (
            "def f(a, b):\n    return min(a, b) + max(a, b, 10)\n",
            &[Arg::I(3), Arg::I(7)],
            Arg::I(13),
        ),
    ];
    for (src, args, expected) in cases {
        check(src, args, *expected);
    }
}

#[test]
fn loops_and_branches() {
    let sum_range = "def f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n";
    check(sum_range, &[Arg::I(10)], Arg::I(45));
    let negative_step =
        "def f(n):\n    s = 0\n    for i in range(n, 0, -2):\n        s += i\n    return s\n";
    check(negative_step, &[Arg::I(10)], Arg::I(30));
    let int_then_float =
        "def f(n):\n    x = 0\n    for i in range(n):\n        x = x + 0.5\n    return x\n";
    check(int_then_float, &[Arg::I(3)], Arg::F(1.5));
    let gcd = "def f(a, b):\n    while b:\n        a, b = b, a % b\n    return a\n";
    check(gcd, &[Arg::I(48), Arg::I(18)], Arg::I(6));
    let brk = "def f(n):\n    i = 0\n    while True:\n        i += 1\n        if i > n:\n            break\n        elif i == 3:\n            continue\n    return i\n";
    check(brk, &[Arg::I(5)], Arg::I(6));
}

#[test]
fn complex_escape_loop_matches_python() {
    let mandel = "def mandel(x, y, max_iters):\n    c = complex(x, y)\n    z = 0.0j\n    for i in range(max_iters):\n        z = z * z + c\n        if (z.real * z.real + z.imag * z.imag) >= 4:\n            return i\n    return 255\n";
    check(mandel, &[Arg::F(-2.0), Arg::F(1.0), Arg::I(200)], Arg::I(0));
    check(
        mandel,
        &[Arg::F(0.0), Arg::F(0.0), Arg::I(200)],
        Arg::I(255),
    );
    check(mandel, &[Arg::F(0.3), Arg::F(0.6), Arg::I(200)], Arg::I(14));
}

#[test]
fn division_by_zero_raises() {
    let err = run("def f(a, b):\n    return a // b\n", &[Arg::I(1), Arg::I(0)]).unwrap_err();
    assert!(
        err.contains("ZeroDivisionError") && err.contains("line 2"),
        "{err}"
    );
    let err = run(
        "def f(a, b):\n    return a / b\n",
        &[Arg::F(1.0), Arg::F(0.0)],
    )
    .unwrap_err();
    assert!(err.contains("float division by zero"), "{err}");
}

#[test]
fn errors_name_the_location() {
    let err = compile_source(
        "def f(a):\n    return a + undefined_name\n",
        vec![Type::I64],
    )
    .err()
    .unwrap();
    let text = err.to_string();
    assert!(text.contains("case.py:2:"), "{text}");
    assert!(text.contains('^'), "{text}");
    let _ = Scalar::F64;
}

/// Builds a C-contiguous 2-D f64 array descriptor over `data`.
fn descriptor_2d(data: &mut [f64], rows: i64, cols: i64) -> runtime::array::ArrayDescriptor {
    runtime::array::ArrayDescriptor::new(
        data.as_mut_ptr() as *mut u8,
        std::ptr::null_mut(),
        &[rows, cols],
        &[cols * 8, 8],
    )
    .unwrap()
}

const FILTER2D: &str = "def filter2d(image, filt, output):
    M, N = image.shape
    m, n = filt.shape
    for i in range(m//2, M-m//2):
        for j in range(n//2, N-n//2):
            result = 0.0
            for k in range(m):
                for l in range(n):
                    result += image[i+k-m//2,j+l-n//2]*filt[k, l]
            output[i,j] = result
";

/// The seed's image filter, against a direct Rust transcription of the same loops.
#[test]
fn filter2d_writes_the_output_array_in_place() {
    let (rows, cols) = (9i64, 7i64);
    let mut image: Vec<f64> = (0..rows * cols).map(|v| (v as f64 * 0.37).sin()).collect();
    let mut filt: Vec<f64> = (0..9).map(|v| v as f64 / 10.0).collect();
    let mut output = vec![0.0; (rows * cols) as usize];
    let arr = Type::array(Scalar::F64, 2, ferrojit::Layout::C);
    let f = compile_source(FILTER2D, vec![arr.clone(), arr.clone(), arr]).unwrap();
    let (d_image, d_filt, d_out) = (
        descriptor_2d(&mut image, rows, cols),
        descriptor_2d(&mut filt, 3, 3),
        descriptor_2d(&mut output, rows, cols),
    );
    let args = [
        d_image.as_ptr() as u64,
        d_filt.as_ptr() as u64,
        d_out.as_ptr() as u64,
    ];
    // SAFETY: three valid 2-D f64 descriptors that outlive the call.
    unsafe { f.call(&args, &mut []) }.unwrap();
    for i in 1..rows - 1 {
        for j in 1..cols - 1 {
            let mut expected = 0.0;
            for k in 0..3 {
                for l in 0..3 {
                    expected += image[((i + k - 1) * cols + j + l - 1) as usize]
                        * filt[(k * 3 + l) as usize];
                }
            }
            assert_eq!(
                output[(i * cols + j) as usize].to_bits(),
                expected.to_bits(),
                "({i}, {j})"
            );
        }
    }
    assert_eq!(output[0], 0.0);
}
