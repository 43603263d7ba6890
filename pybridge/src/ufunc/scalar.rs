//! `@vectorize` loops: a scalar kernel compiled with `ir::kernels::ufunc_loop` as its entry, and
//! the `extern "C"` inner loops NumPy calls (serial and parallel).
//!
//! The compiled entry takes NumPy's three loop arguments as three pointer slots, so the serial
//! inner loop is one call into machine code. The parallel one splits `0..n` into contiguous
//! chunks on the runtime's thread pool (`runtime::parallel`, shared with `prange`), each chunk
//! calling the same entry with its operands' pointers advanced to the chunk's start and its own
//! length in `dims[0]` — when the call is big enough for the kernel's measured cost
//! ([`super::split`]) and its elements are independent.

use super::numpy_ufunc::{self, LoopTables};
use super::split::{CostEstimate, FirstError, run_chunks};
use super::{npy_type_num, type_char};
use ferrojit::{CompileRequest, CompiledFunction, Diagnostic, RuntimeError, Scalar, Type};
use numpy::npyffi::npy_intp;
use pyo3::prelude::*;
use runtime::error::ErrorSlot;
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// One compiled inner loop: the entry `(args, dims, steps)` and the operand types.
pub struct ScalarLoop {
    compiled: CompiledFunction,
    inputs: Vec<Scalar>,
    output: Scalar,
    /// For `target='parallel'`: when splitting a call pays.
    cost: CostEstimate,
}

impl ScalarLoop {
    /// Runs the compiled loop on NumPy's arguments.
    ///
    /// # Safety
    /// `args`, `dims` and `steps` are what NumPy passes to an inner loop of this loop's types.
    unsafe fn run(
        &self,
        args: *const *mut c_char,
        dims: *const npy_intp,
        steps: *const npy_intp,
    ) -> Result<(), RuntimeError> {
        let slots = [args as u64, dims as u64, steps as u64];
        // SAFETY: the entry reads exactly these three pointer slots, as the caller guarantees.
        unsafe { self.compiled.call(&slots, &mut []) }.map(drop)
    }

    fn operands(&self) -> usize {
        self.inputs.len() + 1
    }

    fn item_size(&self, k: usize) -> i64 {
        i64::from(self.inputs.get(k).unwrap_or(&self.output).size_bytes())
    }

    /// NumPy's type numbers of the inputs then the output.
    pub fn type_nums(&self) -> Vec<c_char> {
        self.inputs
            .iter()
            .chain([&self.output])
            .map(|&s| npy_type_num(s))
            .collect()
    }
}

/// Compiles `req` with the ufunc loop as its entry. Operand types that are not scalars (the
/// inferred output may be anything) are a `TypingError`.
pub fn compile(req: &CompileRequest) -> Result<ScalarLoop, Diagnostic> {
    // A mutex, not a cell: the wrapper runs on the driver's compile thread.
    let not_scalar: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let wrapper = |root: &str, typed: &typeinfer::TypedFunction| {
        let name = format!("{root}__ufunc_loop");
        let operands = typed.arg_types.iter().chain([&typed.return_type]);
        if operands
            .clone()
            .any(|t| ir::kernels::ufunc_scalar(t).is_none())
        {
            let args: Vec<String> = typed.arg_types.iter().map(Type::to_string).collect();
            let signature = format!("{}({})", typed.return_type, args.join(", "));
            *not_scalar.lock().unwrap_or_else(|e| e.into_inner()) = Some(signature);
            return placeholder_loop(&name);
        }
        ir::kernels::ufunc_loop(&name, root, &typed.arg_types, &typed.return_type)
    };
    let compiled = ferrojit::compile_wrapped(req, &wrapper)?;
    let not_scalar = not_scalar.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(signature) = not_scalar {
        return Err(Diagnostic::new(
            ferrojit::DiagnosticKind::Typing,
            format!(
                "a @vectorize kernel takes and returns single scalars (bool, integer, float or \
                 complex), but {}() is {signature}",
                req.def.ast.name
            ),
            Some(req.def.ast.span),
        )
        .with_source(&req.def.source)
        .with_hint("use @guvectorize for kernels over arrays"));
    }
    let scalar = |ty: &Type| ir::kernels::ufunc_scalar(ty).expect("checked by the wrapper");
    Ok(ScalarLoop {
        inputs: compiled.arg_types.iter().map(scalar).collect(),
        output: scalar(&compiled.return_type),
        compiled,
        cost: CostEstimate::default(),
    })
}

/// A loop that does nothing, standing in for one whose kernel cannot be a ufunc kernel (the
/// compilation then reports why).
fn placeholder_loop(name: &str) -> ir::Function {
    let mut func = ir::Function::new(name, vec![ir::Ty::Ptr; 3], Vec::new());
    let mut b = ir::Builder::new(&mut func);
    b.create_entry_block();
    b.ret(&[]);
    func
}

/// `ufunc.types`-style text of a loop: `'dd->d'`.
fn types_text(kernel: &ScalarLoop) -> String {
    let inputs: String = kernel.inputs.iter().map(|&s| type_char(s)).collect();
    format!("{inputs}->{}", type_char(kernel.output))
}

/// A compiled `@vectorize` loop, as the Python layer holds it.
#[pyclass(frozen, module = "ferrojit._ferrojit", name = "UfuncLoop")]
pub struct UfuncLoop {
    kernel: Arc<ScalarLoop>,
}

impl UfuncLoop {
    pub fn new(kernel: ScalarLoop) -> UfuncLoop {
        UfuncLoop {
            kernel: Arc::new(kernel),
        }
    }
    pub fn kernel(&self) -> Arc<ScalarLoop> {
        self.kernel.clone()
    }
}

#[pymethods]
impl UfuncLoop {
    /// NumPy's type codes, `'dd->d'`.
    #[getter]
    fn types(&self) -> String {
        types_text(&self.kernel)
    }
    /// The compiled signature, `'float64(float64, float64)'`.
    #[getter]
    fn signature(&self) -> String {
        let args: Vec<String> = self.kernel.inputs.iter().map(|s| s.to_string()).collect();
        format!("{}({})", self.kernel.output, args.join(", "))
    }
    /// NumPy dtype names of the inputs (`['float64', 'float64']`).
    #[getter]
    fn input_dtypes(&self) -> Vec<String> {
        self.kernel.inputs.iter().map(|s| s.to_string()).collect()
    }
    fn __repr__(&self) -> String {
        format!("<ferrojit.UfuncLoop {}>", types_text(&self.kernel))
    }
}

/// Builds the `numpy.ufunc` described by `spec` (one output, no layout) over `kernels`.
pub fn build(
    py: Python<'_>,
    spec: numpy_ufunc::UfuncSpec<'_>,
    kernels: &[Arc<ScalarLoop>],
    parallel: bool,
    recipe: Py<PyAny>,
) -> PyResult<Py<PyAny>> {
    let nin = spec.nin;
    if let Some(k) = kernels.iter().find(|k| k.inputs.len() != nin) {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "every loop of a ufunc with {nin} inputs must take {nin} arguments; {} takes {}",
            types_text(k),
            k.inputs.len()
        )));
    }
    let function: numpy_ufunc::LoopFn = if parallel { parallel_loop } else { serial_loop };
    let mut tables = LoopTables::default();
    for kernel in kernels {
        let data = Arc::as_ptr(kernel) as *mut c_void;
        tables.push(function, data, &kernel.type_nums());
    }
    let owned: Vec<Arc<dyn std::any::Any + Send + Sync>> = kernels
        .iter()
        .map(|k| k.clone() as Arc<dyn std::any::Any + Send + Sync>)
        .collect();
    numpy_ufunc::create(py, spec, tables, owned, recipe)
}

/// The inner loop of `target='cpu'`.
///
/// # Safety
/// NumPy's inner-loop contract, with `data` the [`ScalarLoop`] registered for these types
/// (kept alive by the ufunc).
unsafe extern "C" fn serial_loop(
    args: *mut *mut c_char,
    dims: *mut npy_intp,
    steps: *mut npy_intp,
    data: *mut c_void,
) {
    // SAFETY: `data` is the `ScalarLoop` this loop was registered with.
    let kernel = unsafe { &*(data as *const ScalarLoop) };
    // SAFETY: NumPy's arguments, for this loop's types.
    if let Err(error) = unsafe { kernel.run(args, dims, steps) } {
        numpy_ufunc::raise(&error);
    }
}

/// What the chunks of one parallel loop call share.
struct ParallelCall<'a> {
    kernel: &'a ScalarLoop,
    args: &'a [*mut c_char],
    steps: *const npy_intp,
    error: FirstError,
}

/// The inner loop of `target='parallel'`: chunks of `0..n` on the runtime's threads when they
/// are independent, else the serial loop.
///
/// # Safety
/// As [`serial_loop`].
unsafe extern "C" fn parallel_loop(
    args: *mut *mut c_char,
    dims: *mut npy_intp,
    steps: *mut npy_intp,
    data: *mut c_void,
) {
    // SAFETY: `data` is the `ScalarLoop` this loop was registered with.
    let kernel = unsafe { &*(data as *const ScalarLoop) };
    // SAFETY: NumPy passes at least `dims[0]` and one pointer and step per operand.
    let (n, args_slice, steps_slice) = unsafe {
        (
            *dims as i64,
            std::slice::from_raw_parts(args as *const *mut c_char, kernel.operands()),
            std::slice::from_raw_parts(steps as *const npy_intp, kernel.operands()),
        )
    };
    let threads = runtime::parallel::get_num_threads();
    if !kernel.cost.worth_splitting(n, threads) || !independent(kernel, n, args_slice, steps_slice)
    {
        // SAFETY: as for the serial loop.
        return kernel
            .cost
            .measure(n, || unsafe { serial_loop(args, dims, steps, data) });
    }
    let call = ParallelCall {
        kernel,
        args: args_slice,
        steps,
        error: FirstError::default(),
    };
    // SAFETY: `run_chunk` reads `call` (alive for the whole call) and writes no results.
    unsafe { run_chunks(run_chunk, &call as *const ParallelCall as *const u8, n) };
    if let Some(error) = call.error.into_error() {
        numpy_ufunc::raise(&error);
    }
}

/// Runs elements `start..end` of a [`ParallelCall`].
unsafe extern "C" fn run_chunk(
    _err: *mut ErrorSlot,
    env: *const u8,
    start: i64,
    end: i64,
    _out: *mut u8,
) {
    // SAFETY: `env` is the `ParallelCall` of `parallel_loop`, alive until all chunks finish.
    let call = unsafe { &*(env as *const ParallelCall) };
    if start >= end {
        return;
    }
    // SAFETY: NumPy's steps array has one entry per operand.
    let steps = unsafe { std::slice::from_raw_parts(call.steps, call.args.len()) };
    let local: Vec<*mut c_char> = call
        .args
        .iter()
        .zip(steps)
        .map(|(&p, &s)| p.wrapping_offset(start as isize * s))
        .collect();
    let len = [(end - start) as npy_intp];
    // SAFETY: the chunk's pointers stay inside the operands (start < n) and its length ends
    // at or before n.
    if let Err(e) = unsafe { call.kernel.run(local.as_ptr(), len.as_ptr(), call.steps) } {
        call.error.record(start, e);
    }
}

/// True if chunks of the loop may run in any order: no input overlaps the output's memory,
/// unless it is the output itself element for element (`np.add(a, b, out=a)`). Reductions
/// (output step 0) and accumulations (input `i` is output `i - 1`) are not independent.
fn independent(kernel: &ScalarLoop, n: i64, args: &[*mut c_char], steps: &[npy_intp]) -> bool {
    let out = kernel.inputs.len();
    if steps[out] == 0 {
        return false;
    }
    let span = |k: usize| {
        let (p, s) = (args[k] as i64, steps[k] as i64);
        let last = p + (n - 1) * s;
        (p.min(last), p.max(last) + kernel.item_size(k))
    };
    let (out_lo, out_hi) = span(out);
    (0..out).all(|k| {
        let (lo, hi) = span(k);
        let disjoint = hi <= out_lo || out_hi <= lo;
        disjoint || (args[k] == args[out] && steps[k] == steps[out])
    })
}

#[cfg(test)]
mod tests {
    //! `ir::kernels::ufunc_loop` end to end: through the driver's `compile_wrapped` (the kernel
    //! inlined into the loop, optimised, compiled) and called with NumPy-shaped arguments.

    use super::*;
    use ferrojit::{ExceptionKind, FunctionDef, Global, GlobalResolver, Options, SourceFile};

    struct NoGlobals;
    impl GlobalResolver for NoGlobals {
        fn resolve(&self, _name: &str) -> Option<Global> {
            None
        }
    }

    fn compile_loop(source: &str, signature: &str) -> ScalarLoop {
        let def = FunctionDef::parse(
            SourceFile::new("<test>", source),
            Box::new(NoGlobals),
            Options::default(),
        )
        .expect("test kernel parses");
        let sig = ferrojit::parse_signature(signature).expect("test signature parses");
        let request = CompileRequest {
            def: Arc::new(def),
            arg_types: sig.args,
            declared_return: sig.ret,
            dump: Default::default(),
        };
        compile(&request).unwrap_or_else(|d| panic!("{d}"))
    }

    /// Runs `kernel` over NumPy-style operands (`bytes` per operand, `steps` in bytes).
    fn run(
        kernel: &ScalarLoop,
        n: i64,
        operands: &mut [Vec<u8>],
        steps: &[i64],
    ) -> Result<(), RuntimeError> {
        let args: Vec<*mut c_char> = operands.iter_mut().map(|o| o.as_mut_ptr().cast()).collect();
        let dims = [n as npy_intp];
        let steps: Vec<npy_intp> = steps.iter().map(|&s| s as npy_intp).collect();
        // SAFETY: each operand holds `n` elements at its step.
        unsafe { kernel.run(args.as_ptr(), dims.as_ptr(), steps.as_ptr()) }
    }

    fn f64_bytes(values: &[f64]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_ne_bytes()).collect()
    }

    fn f64_values(bytes: &[u8]) -> Vec<f64> {
        bytes
            .chunks(8)
            .map(|c| f64::from_ne_bytes(c.try_into().unwrap()))
            .collect()
    }

    #[test]
    fn a_binary_float_loop_runs_with_strides_and_broadcasting() {
        let kernel = compile_loop("def k(a, b):\n    return a * b + 1.0\n", "f8(f8, f8)");
        let a = f64_bytes(&[1.0, 2.0, 3.0, 4.0]);
        // `b` is a broadcast scalar (step 0).
        let b = f64_bytes(&[10.0]);
        let mut operands = vec![a, b, vec![0u8; 32]];
        run(&kernel, 4, &mut operands, &[8, 0, 8]).unwrap();
        assert_eq!(f64_values(&operands[2]), vec![11.0, 21.0, 31.0, 41.0]);
        // Every other element of `a`, into a reversed-looking but positive-step output.
        let mut operands = vec![
            f64_bytes(&[1.0, 0.0, 2.0, 0.0]),
            f64_bytes(&[3.0, 4.0]),
            vec![0u8; 16],
        ];
        run(&kernel, 2, &mut operands, &[16, 8, 8]).unwrap();
        assert_eq!(f64_values(&operands[2]), vec![4.0, 9.0]);
        // An empty loop touches nothing.
        run(&kernel, 0, &mut [vec![], vec![], vec![]], &[8, 8, 8]).unwrap();
    }

    #[test]
    fn complex_operands_are_two_parts() {
        let kernel = compile_loop("def k(z, w):\n    return z * w\n", "c16(c16, c16)");
        let z = f64_bytes(&[1.0, 2.0, 0.0, 1.0]);
        let w = f64_bytes(&[3.0, -1.0, 0.0, 1.0]);
        let mut operands = vec![z, w, vec![0u8; 32]];
        run(&kernel, 2, &mut operands, &[16, 16, 16]).unwrap();
        // (1+2j)(3-1j) = 5+5j; 1j*1j = -1.
        assert_eq!(f64_values(&operands[2]), vec![5.0, 5.0, -1.0, 0.0]);
        assert_eq!(kernel.type_nums(), vec![15, 15, 15]);
    }

    #[test]
    fn a_kernel_error_stops_the_loop_and_is_reported() {
        let kernel = compile_loop("def k(a, b):\n    return a // b\n", "i8(i8, i8)");
        let ints = |v: &[i64]| v.iter().flat_map(|x| x.to_ne_bytes()).collect::<Vec<u8>>();
        let mut operands = vec![ints(&[7, 8, 9]), ints(&[2, 0, 3]), vec![0u8; 24]];
        let err = run(&kernel, 3, &mut operands, &[8, 8, 8]).unwrap_err();
        assert_eq!(err.kind, ExceptionKind::ZeroDivisionError);
        assert_eq!(&operands[2][..8], &3i64.to_ne_bytes());
    }

    #[test]
    fn bool_inputs_read_any_nonzero_byte_as_true() {
        let kernel = compile_loop("def k(a):\n    return not a\n", "b1(b1)");
        let mut operands = vec![vec![0u8, 1, 2, 255], vec![7u8; 4]];
        run(&kernel, 4, &mut operands, &[1, 1]).unwrap();
        assert_eq!(operands[1], vec![1, 0, 0, 0]);
    }

    #[test]
    fn a_kernel_that_is_no_scalar_function_is_a_typing_error() {
        let def = FunctionDef::parse(
            SourceFile::new("<test>", "def k(a):\n    return (a, a)\n"),
            Box::new(NoGlobals),
            Options::default(),
        )
        .unwrap();
        let request = CompileRequest {
            def: Arc::new(def),
            arg_types: vec![Type::F64],
            declared_return: None,
            dump: Default::default(),
        };
        let err = compile(&request)
            .err()
            .expect("a tuple result is no ufunc output");
        assert_eq!(err.kind, ferrojit::DiagnosticKind::Typing);
        assert!(
            err.to_string().contains("takes and returns single scalars"),
            "{err}"
        );
    }

    #[test]
    fn independence_rules_out_reductions_and_accumulations() {
        let kernel = compile_loop("def k(a, b):\n    return a + b\n", "f8(f8, f8)");
        let mut buf = vec![0u8; 800];
        let base = buf.as_mut_ptr() as *mut c_char;
        let other = base.wrapping_add(400);
        // Element-wise in place: out is a, same step.
        assert!(independent(&kernel, 10, &[base, other, base], &[8, 8, 8]));
        // Reduction: out step 0.
        assert!(!independent(&kernel, 10, &[base, other, base], &[0, 8, 0]));
        // Accumulation: input 0 is the output shifted by one element.
        let shifted = base.wrapping_add(8);
        assert!(!independent(
            &kernel,
            10,
            &[base, other, shifted],
            &[8, 8, 8]
        ));
        // Disjoint operands.
        assert!(independent(&kernel, 10, &[base, base, other], &[8, 8, 8]));
    }
}
