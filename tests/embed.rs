//! The Rust embedding API end to end: scalars, tuples, complex numbers, slices and strided
//! views, modules with helpers and constants, compile and run-time errors, threads, and the
//! on-disk cache.

use ferrojit::embed::{Array, ArrayView2, ArrayViewMut2, Complex};
use ferrojit::{Error, ExceptionKind, Jit};
use std::sync::Arc;

const KERNELS: &str = r#"
import math
import numpy as np

EPS = 1e-12
STEPS = 2 ** 4


def norm(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * a[i]
    return math.sqrt(s)


def normalise(a):
    n = norm(a) + EPS
    for i in range(a.shape[0]):
        a[i] /= n


def trace(m):
    t = 0.0
    for i in range(min(m.shape[0], m.shape[1])):
        t += m[i, i]
    return t


def scale_rows(m, k):
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            m[i, j] *= k * (i + 1)


def stats(a):
    lo = a[0]
    hi = a[0]
    for x in a:
        lo = min(lo, x)
        hi = max(hi, x)
    return lo, hi, STEPS


def rotate(z, turns):
    return z * complex(math.cos(turns * math.pi / 2), math.sin(turns * math.pi / 2))


def safe_div(a, b):
    return a // b


def pick(a, i):
    return a[i]
"#;

#[test]
fn scalars_and_booleans() {
    let jit = Jit::new();
    let f = jit
        .compile::<(f64, f64), f64>("def f(x, y):\n    return x * y + 1.0\n", "f8(f8, f8)")
        .unwrap();
    assert_eq!(f.call((2.0, 3.0)).unwrap(), 7.0);
    let g = jit
        .compile::<(i64, i32), bool>("def g(a, b):\n    return a % b == 0\n", "b1(i8, i4)")
        .unwrap();
    assert!(g.call((12, 4)).unwrap());
    assert!(!g.call((13, 4)).unwrap());
    let h = jit
        .compile::<(f32,), f32>("def h(x):\n    return x * x\n", "f4(f4)")
        .unwrap();
    assert_eq!(h.call((1.5,)).unwrap(), 2.25);
    let none = jit
        .compile::<(), i64>("def answer():\n    return 42\n", "i8()")
        .unwrap();
    assert_eq!(none.call(()).unwrap(), 42);
    let inferred = jit
        .compile_inferred::<(i64, i64), i64>("def add(a, b):\n    return a + b\n")
        .unwrap();
    assert_eq!(inferred.call((40, 2)).unwrap(), 42);
    assert_eq!(inferred.signature(), "int64(int64, int64)");
}

#[test]
fn modules_with_helpers_constants_tuples_and_complex_numbers() {
    let module = Jit::new().module(KERNELS);
    assert!(module.function_names().contains(&"normalise".to_string()));
    let stats = module
        .get::<(&[f64],), (f64, f64, i64)>("stats", "Tuple(f8, f8, i8)(f8[:])")
        .unwrap();
    assert_eq!(stats.call((&[3.0, -1.0, 7.5],)).unwrap(), (-1.0, 7.5, 16));
    let rotate = module
        .get::<(Complex<f64>, f64), Complex<f64>>("rotate", "c16(c16, f8)")
        .unwrap();
    let z = rotate.call((Complex::new(1.0, 0.0), 1.0)).unwrap();
    assert!((z.re - 0.0).abs() < 1e-15 && (z.im - 1.0).abs() < 1e-15);
}

#[test]
fn slices_are_arrays_written_in_place_when_mutable() {
    let module = Jit::new().module(KERNELS);
    let norm = module.get::<(&[f64],), f64>("norm", "f8(f8[:])").unwrap();
    let data = vec![3.0, 4.0];
    assert_eq!(norm.call((&data,)).unwrap(), 5.0);
    let normalise = module
        .get::<(&mut [f64],), ()>("normalise", "void(f8[::1])")
        .unwrap();
    let mut v = vec![3.0, 4.0];
    normalise.call((&mut v,)).unwrap();
    assert!((v[0] - 0.6).abs() < 1e-12 && (v[1] - 0.8).abs() < 1e-12);
    // Writing through a shared slice is refused at compile time, pointing at the write.
    let err = module
        .get::<(&[f64],), ()>("normalise", "void(f8[:])")
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Compile(_)), "{text}");
    assert!(text.contains("read-only array"), "{text}");
    assert!(text.contains("a[i] /= n"), "{text}");
}

#[test]
fn two_dimensional_views_with_any_strides() {
    let module = Jit::new().module(KERNELS);
    let trace = module
        .get::<(ArrayView2<f64>,), f64>("trace", "f8(f8[:, :])")
        .unwrap();
    let data: Vec<f64> = (0..12).map(f64::from).collect();
    let c = ArrayView2::from_shape(&data, [3, 4]).unwrap();
    assert_eq!(trace.call((c,)).unwrap(), 0.0 + 5.0 + 10.0);
    let f = ArrayView2::from_shape_fortran(&data, [3, 4]).unwrap();
    assert_eq!(trace.call((f,)).unwrap(), 0.0 + 4.0 + 8.0);
    // Every other column: strides of 2 elements.
    let every_other = ArrayView2::with_strides(&data, [3, 2], [32, 16]).unwrap();
    assert_eq!(trace.call((every_other,)).unwrap(), 0.0 + 6.0);
    assert!(ArrayView2::<f64>::with_strides(&data, [3, 4], [40, 8]).is_err());

    let scale = module
        .get::<(ArrayViewMut2<f64>, f64), ()>("scale_rows", "void(f8[:, ::1], f8)")
        .unwrap();
    let mut m = vec![1.0; 6];
    scale
        .call((ArrayViewMut2::from_shape(&mut m, [2, 3]).unwrap(), 2.0))
        .unwrap();
    assert_eq!(m, [2.0, 2.0, 2.0, 4.0, 4.0, 4.0]);
    // A C-order signature refuses a Fortran-order view at the call.
    let err = scale
        .call((
            ArrayViewMut2::from_shape_fortran(&mut m, [2, 3]).unwrap(),
            2.0,
        ))
        .unwrap_err();
    assert!(err.to_string().contains("requires C order"), "{err}");
}

#[test]
fn compile_errors_are_diagnostics_with_source_positions() {
    let jit = Jit::new();
    let err = jit
        .compile::<(f64,), f64>("def f(x):\n    return x + undefined\n", "f8(f8)")
        .unwrap_err();
    let Error::Compile(diagnostic) = &err else {
        panic!("expected a compile error, got {err:?}");
    };
    assert!(
        diagnostic
            .message
            .contains("name 'undefined' is not defined")
    );
    assert!(err.to_string().contains("<embedded>:2:16"), "{err}");
    let types = jit
        .compile::<(f64,), i64>("def f(x):\n    return x\n", "f8(f8)")
        .unwrap_err();
    assert!(matches!(types, Error::Types(_)), "{types}");
    let arity = jit
        .compile::<(f64, f64), f64>("def f(x):\n    return x\n", "f8(f8)")
        .unwrap_err();
    assert!(matches!(arity, Error::Types(_)));
    let signature = jit
        .compile::<(f64,), f64>("def f(x):\n    return x\n", "f8(f8")
        .unwrap_err();
    assert!(matches!(signature, Error::Compile(_)));
    // No interpreter behind the embedding API: an objmode block is refused at its line.
    let objmode = jit
        .compile::<(f64,), f64>(
            "def f(x):\n    with objmode(y='f8'):\n        y = x\n    return y\n",
            "f8(f8)",
        )
        .unwrap_err();
    assert!(
        objmode
            .to_string()
            .contains("objmode blocks need the Python interpreter")
            && objmode.to_string().contains("<embedded>:2:5"),
        "{objmode}"
    );
    let several = jit.compile::<(), f64>(KERNELS, "f8()").unwrap_err();
    assert!(
        several.to_string().contains("several functions"),
        "{several}"
    );
}

#[test]
fn runtime_errors_carry_the_exception_and_line() {
    let module = Jit::new().module_named("kernels.py", KERNELS);
    let div = module
        .get::<(i64, i64), i64>("safe_div", "i8(i8, i8)")
        .unwrap();
    assert_eq!(div.call((-7, 2)).unwrap(), -4);
    let Err(Error::Runtime(e)) = div.call((1, 0)) else {
        panic!("expected ZeroDivisionError");
    };
    assert_eq!(e.kind, ExceptionKind::ZeroDivisionError);
    let line = KERNELS
        .lines()
        .position(|l| l.contains("return a // b"))
        .unwrap()
        + 1;
    assert_eq!(e.line as usize, line);
    assert_eq!(e.function, "safe_div");
    // Bounds are checked by default.
    let pick = module
        .get::<(&[f64], i64), f64>("pick", "f8(f8[:], i8)")
        .unwrap();
    assert_eq!(pick.call((&[1.0, 2.0], -1)).unwrap(), 2.0);
    let Err(Error::Runtime(e)) = pick.call((&[1.0, 2.0], 5)) else {
        panic!("expected IndexError");
    };
    assert_eq!(e.kind, ExceptionKind::IndexError);
    assert!(
        e.message.contains("index 5 is out of bounds"),
        "{}",
        e.message
    );
}

#[test]
fn compiled_functions_are_shared_between_threads() {
    let module = Jit::new().module(KERNELS);
    let norm = Arc::new(module.get::<(&[f64],), f64>("norm", "f8(f8[:])").unwrap());
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let norm = Arc::clone(&norm);
            std::thread::spawn(move || {
                let data: Vec<f64> = (0..1000).map(|i| f64::from(i % 7 + t)).collect();
                let expected = data.iter().map(|x| x * x).sum::<f64>().sqrt();
                for _ in 0..200 {
                    let got = norm.call((&data,)).unwrap();
                    assert!((got - expected).abs() <= 1e-9 * expected);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    // Scoped threads can borrow the function directly.
    let data = [1.0, 2.0, 2.0];
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| assert_eq!(norm.call((&data,)).unwrap(), 3.0));
        }
    });
}

/// A kernel big enough that compiling it costs something: the cache's hit against a compile.
const BIG: &str = r#"
import math

def smooth(x):
    return 0.5 * (1.0 + math.tanh(x))

def step(z, c, limit):
    for n in range(limit):
        if abs(z) > 2.0:
            return n + 1.0 - math.log(math.log(abs(z))) / math.log(2.0)
        z = z * z + c
    return float(limit)

def render(image, x0, y0, dx, dy, limit):
    total = 0.0
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            c = complex(x0 + j * dx, y0 + i * dy)
            v = step(0j, c, limit)
            image[i, j] = smooth(v / limit)
            total += image[i, j]
    return total
"#;

#[test]
fn the_disk_cache_serves_compiled_code_and_is_faster() {
    if std::process::Command::new("cc")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("no C compiler: skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    type Render = (ArrayViewMut2<'static, f64>, f64, f64, f64, f64, i64);
    let signature = "f8(f8[:, :], f8, f8, f8, f8, i8)";
    let run = |f: &ferrojit::Function<Render, f64>| {
        let mut image = vec![0.0; 24 * 32];
        let view = ArrayViewMut2::from_shape(&mut image, [24, 32]).unwrap();
        f.call((view, -2.0, -1.0, 0.1, 0.1, 50)).unwrap()
    };
    let time = |jit: &Jit| {
        let start = std::time::Instant::now();
        let f = jit
            .module(BIG)
            .get::<Render, f64>("render", signature)
            .unwrap();
        (start.elapsed(), f)
    };
    let plain = Jit::new();
    let cached = Jit::new().cache_dir(dir.path());
    let (compile, reference) = time(&plain);
    let (miss, stored) = time(&cached);
    let expected = run(&reference);
    assert_eq!(run(&stored), expected);
    let mut hits = Vec::new();
    for _ in 0..5 {
        let (hit, loaded) = time(&cached);
        assert_eq!(run(&loaded), expected);
        hits.push(hit);
    }
    let mut compiles = vec![compile];
    for _ in 0..5 {
        compiles.push(time(&plain).0);
    }
    let (hit, compile) = (*hits.iter().min().unwrap(), *compiles.iter().min().unwrap());
    println!(
        "render(): in-memory compile {compile:?}, cache miss (compile + cc + store) {miss:?}, \
         cache hit {hit:?}"
    );
    assert!(
        hit < compile,
        "a hit ({hit:?}) should beat compiling ({compile:?})"
    );
    let entries = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(entries, 2, "one library and one metadata file");
}

#[test]
fn shared_slices_are_read_only_arrays_and_flatten_is_a_copy() {
    let jit = Jit::new();
    // `flatten` copies: writing into the copy leaves the caller's shared slice alone.
    let source = "
def first_of_copy(a):
    b = a.flatten()
    b[0] = 99.0
    return b[0] + a[0]
";
    let f = jit.compile::<(&[f64],), f64>(source, "f8(f8[:])").unwrap();
    let data = vec![1.0, 2.0];
    assert_eq!(f.call((&data,)).unwrap(), 100.0);
    assert_eq!(data, [1.0, 2.0]);
    // `ravel` is a view: writing into it is writing into the slice, refused at compile time.
    let source = "
def through_view(a):
    b = a.ravel()
    b[0] = 99.0
";
    let err = jit
        .compile::<(&[f64],), ()>(source, "void(f8[:])")
        .unwrap_err();
    assert!(err.to_string().contains("read-only array"), "{err}");
    assert!(
        jit.compile::<(&mut [f64],), ()>(source, "void(f8[:])")
            .is_ok()
    );
}

#[test]
fn a_flat_sum_of_thousands_of_terms_compiles() {
    // A sum of 2,900 products (5,800 operators): typing and lowering run on the compile thread's
    // large stack (the frontend refuses beyond its nesting limit, never overflows).
    let terms: Vec<String> = (0..2_900).map(|i| format!("x * {i}.0")).collect();
    let source = format!("def big(x):\n    return {}\n", terms.join(" + "));
    let jit = Jit::new();
    let big = jit.compile::<(f64,), f64>(&source, "f8(f8)").unwrap();
    let expected: f64 = (0..2_900).map(f64::from).sum();
    assert_eq!(big.call((1.0,)).unwrap(), expected);
    // Near the frontend's limit: 5,900 levels.
    let source = format!("def deep(x):\n    return x{}\n", " + x".repeat(5_900));
    let deep = jit.compile::<(f64,), f64>(&source, "f8(f8)").unwrap();
    assert_eq!(deep.call((1.0,)).unwrap(), 5_901.0);
}

#[test]
fn functions_return_owned_arrays_with_their_shape() {
    let jit = Jit::new();
    let source = "
import numpy as np

def grid(n, m):
    out = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            out[i, j] = 10.0 * i + j
    return out
";
    let grid = jit
        .compile::<(i64, i64), Array<f64>>(source, "f8[:, :](i8, i8)")
        .unwrap();
    let a = grid.call((2, 3)).unwrap();
    assert_eq!(a.shape, [2, 3]);
    assert_eq!(a.data, [0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
    // A strided view of an argument comes back as a copy in C order; tuples of arrays too.
    let source = "
def evens_and_sum(a):
    return a[::2], a.sum()
";
    let f = jit
        .module(source)
        .get_inferred::<(&[i64],), (Array<i64>, i64)>("evens_and_sum")
        .unwrap();
    let (evens, total) = f.call((&[1, 2, 3, 4, 5][..],)).unwrap();
    assert_eq!(
        (evens.shape, evens.data, total),
        (vec![3], vec![1, 3, 5], 15)
    );
}
