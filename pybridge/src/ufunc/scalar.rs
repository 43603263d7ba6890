//! `@vectorize` loops: a scalar kernel compiled with `ir::kernels::ufunc_loop` as its entry, and
//! the `extern "C"` inner loops NumPy calls (serial and parallel).
//!
//! The compiled entry takes NumPy's three loop arguments as three pointer slots, so the serial
//! inner loop is one call into machine code. The parallel one splits `0..n` into contiguous
//! chunks on the runtime's thread pool (`runtime::parallel`, shared with `prange`), each chunk
//! calling the same entry with its operands' pointers advanced to the chunk's start and its own
//! length in `dims[0]`.

use super::numpy_ufunc::{self, LoopTables};
use super::{npy_type_num, type_char};
use ferrojit::{CompileRequest, CompiledFunction, Diagnostic, RuntimeError, Scalar, Type};
use numpy::npyffi::npy_intp;
use pyo3::prelude::*;
use runtime::error::ErrorSlot;
use std::cell::Cell;
use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex, PoisonError};

/// Fewest elements worth a chunk of their own on another thread.
const MIN_CHUNK: i64 = 4096;

/// One compiled inner loop: the entry `(args, dims, steps)` and the operand types.
pub struct ScalarLoop {
    compiled: CompiledFunction,
    inputs: Vec<Scalar>,
    output: Scalar,
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
        unsafe { self.compiled.call(&slots, &mut []) }
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
    let bad_output: Cell<Option<Type>> = Cell::new(None);
    let wrapper = |root: &str, typed: &typeinfer::TypedFunction| {
        let name = format!("{root}__ufunc_loop");
        if ir::kernels::ufunc_scalar(&typed.return_type).is_none() {
            bad_output.set(Some(typed.return_type.clone()));
            return placeholder_loop(&name);
        }
        ir::kernels::ufunc_loop(&name, root, &typed.arg_types, &typed.return_type)
    };
    let compiled = ferrojit::compile_wrapped(req, &wrapper)?;
    if let Some(ty) = bad_output.take() {
        return Err(Diagnostic::new(
            ferrojit::DiagnosticKind::Typing,
            format!(
                "a @vectorize kernel must return one scalar (bool, integer, float or complex), \
                 but {}() returns {ty}",
                req.def.ast.name
            ),
            Some(req.def.ast.span),
        )
        .with_source(&req.def.source));
    }
    let scalar = |ty: &Type| ir::kernels::ufunc_scalar(ty).expect("checked by the caller");
    Ok(ScalarLoop {
        inputs: compiled.arg_types.iter().map(scalar).collect(),
        output: scalar(&compiled.return_type),
        compiled,
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

/// Builds the `numpy.ufunc` over `kernels`.
pub fn build(
    py: Python<'_>,
    name: &str,
    doc: &str,
    nin: usize,
    kernels: &[Arc<ScalarLoop>],
    identity: i32,
    parallel: bool,
    recipe: Py<PyAny>,
) -> PyResult<Py<PyAny>> {
    if let Some(k) = kernels.iter().find(|k| k.inputs.len() != nin) {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "every loop of a ufunc with {nin} inputs must take {nin} arguments; {} takes {}",
            types_text(k),
            k.inputs.len()
        )));
    }
    let function: numpy_ufunc::LoopFn = if parallel {
        parallel_loop
    } else {
        serial_loop
    };
    let mut tables = LoopTables::default();
    for kernel in kernels {
        let data = Arc::as_ptr(kernel) as *mut c_void;
        tables.push(function, data, &kernel.type_nums());
    }
    let owned: Vec<Arc<dyn std::any::Any + Send + Sync>> = kernels
        .iter()
        .map(|k| k.clone() as Arc<dyn std::any::Any + Send + Sync>)
        .collect();
    let spec = numpy_ufunc::UfuncSpec {
        name,
        doc,
        nin,
        nout: 1,
        identity,
        signature: None,
    };
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
    n: i64,
    /// The error of the earliest failing chunk, by start index.
    error: Mutex<Option<(i64, RuntimeError)>>,
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
    let threads = runtime::parallel::get_num_threads() as i64;
    if threads < 2 || n < 2 * MIN_CHUNK || !independent(kernel, n, args_slice, steps_slice) {
        // SAFETY: as for the serial loop.
        return unsafe { serial_loop(args, dims, steps, data) };
    }
    let call = ParallelCall {
        kernel,
        args: args_slice,
        steps,
        n,
        error: Mutex::new(None),
    };
    let mut slot = ErrorSlot::default();
    let mut no_results = [0u8; 1];
    let blocks = (n as u64).div_ceil(MIN_CHUNK as u64) as i64;
    // SAFETY: `run_chunk` reads `call` (alive for the whole call) and writes no results.
    unsafe {
        runtime::parallel::ferrojit_parallel_for(
            run_chunk,
            &mut slot,
            &call as *const ParallelCall as *const u8,
            blocks,
            no_results.as_mut_ptr(),
            0,
        );
    }
    let error = call.error.into_inner().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, error)) = error {
        numpy_ufunc::raise(&error);
    }
}

/// Runs blocks `lo..hi` (of [`MIN_CHUNK`] elements) of a [`ParallelCall`].
unsafe extern "C" fn run_chunk(
    _err: *mut ErrorSlot,
    env: *const u8,
    lo: i64,
    hi: i64,
    _out: *mut u8,
) {
    // SAFETY: `env` is the `ParallelCall` of `parallel_loop`, alive until all chunks finish.
    let call = unsafe { &*(env as *const ParallelCall) };
    let start = lo * MIN_CHUNK;
    let end = (hi * MIN_CHUNK).min(call.n);
    if start >= end {
        return;
    }
    // SAFETY: NumPy's steps array has one entry per operand.
    let steps = unsafe { std::slice::from_raw_parts(call.steps, call.args.len()) };
    let local: Vec<*mut c_char> = call
        .args
        .iter()
        .zip(steps)
        .map(|(&p, &s)| p.wrapping_offset(start as isize * s as isize))
        .collect();
    let len = [(end - start) as npy_intp];
    // SAFETY: the chunk's pointers stay inside the operands (start < n) and its length ends
    // at or before n.
    if let Err(e) = unsafe { call.kernel.run(local.as_ptr(), len.as_ptr(), call.steps) } {
        let mut first = call.error.lock().unwrap_or_else(PoisonError::into_inner);
        if first.as_ref().is_none_or(|(at, _)| start < *at) {
            *first = Some((start, e));
        }
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
