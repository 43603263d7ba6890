//! `@guvectorize` loops: the gufunc layout (`'(m,n),(n,p)->(m,p)'`), how a kernel's parameters
//! map onto it, and the `extern "C"` inner loop that calls the kernel once per outer index.
//!
//! NumPy calls a gufunc's inner loop with `dims = [N, core dims...]` (the core dimension sizes
//! in order of first appearance in the layout) and `steps = [outer step per operand...,
//! core strides of operand 0..., of operand 1..., ...]`. For each outer index the loop passes
//! the kernel, through the ordinary entry ABI, an `ArrayDesc<N>` per array operand (data at the
//! operand's element, owner null, shape from the core dims, strides from the core steps) and
//! the value of each `()` input declared as a scalar. Descriptors are built once per call; only
//! their data pointers change between outer indices.

use super::numpy_ufunc::{self, LoopTables};
use super::split::{CostEstimate, FirstError, run_chunks};
use super::{npy_type_num, type_char};
use ferrojit::{CompiledFunction, Layout as ArrayLayout, RuntimeError, Scalar, Signature, Type};
use numpy::npyffi::npy_intp;
use pyo3::prelude::*;
use runtime::array::{DATA_OFFSET, descriptor_size, shape_offset, stride_offset};
use runtime::error::ErrorSlot;
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// A parsed gufunc layout: the core dimension names of each input and output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub inputs: Vec<Vec<String>>,
    pub outputs: Vec<Vec<String>>,
    /// Distinct dimension names in order of first appearance (NumPy's `dims[1..]` order).
    pub names: Vec<String>,
}

impl Layout {
    /// Parses `'(n),()->(n)'`. Only named dimensions are supported (no fixed sizes such as
    /// `(3)`, no `?` flexible dimensions).
    pub fn parse(text: &str) -> Result<Layout, String> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let Some((ins, outs)) = compact.split_once("->") else {
            return Err(format!(
                "gufunc layout {text:?} has no '->' (expected e.g. '(n),()->(n)')"
            ));
        };
        let mut names = Vec::new();
        let mut side = |part: &str| -> Result<Vec<Vec<String>>, String> {
            let mut operands = Vec::new();
            let mut rest = part;
            while !rest.is_empty() {
                let inner = rest
                    .strip_prefix('(')
                    .and_then(|r| r.split_once(')'))
                    .ok_or_else(|| format!("malformed gufunc layout {text:?} near {rest:?}"))?;
                let (dims, after) = inner;
                let dims: Vec<String> = if dims.is_empty() {
                    Vec::new()
                } else {
                    dims.split(',').map(str::to_string).collect()
                };
                for d in &dims {
                    let valid = d
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphabetic() || c == '_')
                        && d.chars().all(|c| c.is_alphanumeric() || c == '_');
                    if !valid {
                        return Err(format!(
                            "gufunc layout {text:?}: dimension {d:?} is not supported (only \
                             names such as 'n' are; fixed sizes and '?' are not yet)"
                        ));
                    }
                    if !names.contains(d) {
                        names.push(d.clone());
                    }
                }
                operands.push(dims);
                rest = after.strip_prefix(',').unwrap_or(after);
                if after.starts_with(',') && rest.is_empty() {
                    return Err(format!("malformed gufunc layout {text:?}: trailing ','"));
                }
            }
            Ok(operands)
        };
        let inputs = side(ins)?;
        let outputs = side(outs)?;
        if inputs.is_empty() || outputs.is_empty() {
            return Err(format!(
                "gufunc layout {text:?} needs at least one input and one output"
            ));
        }
        Ok(Layout {
            inputs,
            outputs,
            names,
        })
    }

    fn operands(&self) -> impl Iterator<Item = &Vec<String>> {
        self.inputs.iter().chain(&self.outputs)
    }
}

/// How one kernel parameter is fed from a gufunc operand.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A `()` input declared as a scalar: its value.
    Scalar(Scalar),
    /// An array: core dimensions `dims` (indices into the layout's names); a `()` operand
    /// declared as a 1-d array is one element (`shape = [1]`).
    Array {
        dtype: Scalar,
        dims: Vec<usize>,
        one_element: bool,
    },
}

impl Operand {
    /// The parameter type the kernel is compiled for (arrays of any layout).
    pub fn kernel_type(&self) -> Type {
        match self {
            Operand::Scalar(s) => Type::Scalar(*s),
            Operand::Array { dtype, dims, .. } => {
                Type::array(*dtype, dims.len().max(1) as u8, ArrayLayout::A)
            }
        }
    }
    fn dtype(&self) -> Scalar {
        match self {
            Operand::Scalar(s) | Operand::Array { dtype: s, .. } => *s,
        }
    }
    fn ndim(&self) -> usize {
        match self {
            Operand::Scalar(_) => 0,
            Operand::Array { dims, .. } => dims.len().max(1),
        }
    }
}

/// Matches the signature's parameter types to the layout's operands.
pub fn operands(layout: &Layout, sig: &Signature) -> Result<Vec<Operand>, String> {
    let nin = layout.inputs.len();
    let count = nin + layout.outputs.len();
    if !matches!(sig.ret, None | Some(Type::NoneType)) {
        return Err(format!(
            "a @guvectorize kernel returns nothing (it writes its outputs): the signature must \
             be 'void(...)', not {sig}"
        ));
    }
    if sig.args.len() != count {
        return Err(format!(
            "the signature {sig} has {} parameters but the layout has {count} operands",
            sig.args.len()
        ));
    }
    let index = |name: &String| layout.names.iter().position(|n| n == name).unwrap_or(0);
    layout
        .operands()
        .zip(&sig.args)
        .enumerate()
        .map(|(k, (core, ty))| {
            let role = if k < nin { "input" } else { "output" };
            match ty {
                Type::Scalar(s) if core.is_empty() && k < nin => Ok(Operand::Scalar(*s)),
                Type::Scalar(_) if core.is_empty() => Err(format!(
                    "{role} {k} has core dimensions () and is declared as a scalar ({ty}); \
                     declare it as a 1-d array such as {}[:] and write its element 0",
                    ty
                )),
                Type::Array { dtype, ndim: 1, .. } if core.is_empty() => Ok(Operand::Array {
                    dtype: *dtype,
                    dims: Vec::new(),
                    one_element: true,
                }),
                Type::Array { dtype, ndim, .. } if usize::from(*ndim) == core.len() => {
                    Ok(Operand::Array {
                        dtype: *dtype,
                        dims: core.iter().map(index).collect(),
                        one_element: false,
                    })
                }
                _ => Err(format!(
                    "{role} {k} is declared as {ty} but has {} core dimension(s) ({}) in the \
                     layout",
                    core.len(),
                    core.join(",")
                )),
            }
        })
        .collect()
}

/// One compiled gufunc loop.
pub struct GufuncKernel {
    compiled: CompiledFunction,
    operands: Vec<Operand>,
    nin: usize,
    layout_text: String,
    /// For `target='parallel'`: when splitting the outer loop pays.
    cost: CostEstimate,
}

impl GufuncKernel {
    fn nout(&self) -> usize {
        self.operands.len() - self.nin
    }

    /// Runs outer indices `lo..hi`.
    ///
    /// # Safety
    /// `args`, `dims` and `steps` are NumPy's gufunc loop arguments for this kernel's types and
    /// layout, and `lo..hi` lies within `0..dims[0]`.
    unsafe fn run(
        &self,
        args: *const *mut c_char,
        dims: *const npy_intp,
        steps: *const npy_intp,
        lo: i64,
        hi: i64,
    ) -> Result<(), RuntimeError> {
        let nargs = self.operands.len();
        // SAFETY: NumPy passes one pointer and one outer step per operand, then the core steps.
        let (args, outer_steps) = unsafe {
            (
                std::slice::from_raw_parts(args, nargs),
                std::slice::from_raw_parts(steps, nargs),
            )
        };
        let words_of = |op: &Operand| match op {
            Operand::Scalar(_) => 0,
            Operand::Array { .. } => descriptor_size(op.ndim() as u32) / 8,
        };
        let mut words = vec![0u64; self.operands.iter().map(words_of).sum()];
        let mut slots = vec![0u64; self.compiled.arg_slots];
        // Where each operand goes: its first slot, and its descriptor's first word.
        let mut places = Vec::with_capacity(nargs);
        let (mut slot, mut word, mut core_step) = (0usize, 0usize, nargs);
        for op in &self.operands {
            places.push((slot, word));
            match op {
                Operand::Scalar(s) => slot += if s.is_complex() { 2 } else { 1 },
                Operand::Array {
                    dtype,
                    dims: core,
                    one_element,
                } => {
                    let ndim = op.ndim() as u32;
                    let desc = &mut words[word..word + words_of(op)];
                    for (axis, &d) in core.iter().enumerate() {
                        // SAFETY: NumPy passes one size per core dimension name and one core
                        // step per core dimension of each operand, in layout order.
                        let (extent, stride) =
                            unsafe { (*dims.add(1 + d), *steps.add(core_step + axis)) };
                        desc[shape_offset(axis as u32) as usize / 8] = extent as u64;
                        desc[stride_offset(ndim, axis as u32) as usize / 8] = stride as u64;
                    }
                    if *one_element {
                        desc[shape_offset(0) as usize / 8] = 1;
                        desc[stride_offset(1, 0) as usize / 8] = u64::from(dtype.size_bytes());
                    }
                    core_step += core.len();
                    slots[slot] = desc.as_ptr() as u64;
                    slot += 1;
                    word += words_of(op);
                }
            }
        }
        for i in lo..hi {
            for (k, op) in self.operands.iter().enumerate() {
                let element = args[k].wrapping_offset((i * outer_steps[k] as i64) as isize);
                let (slot, word) = places[k];
                match op {
                    // SAFETY: `element` points at this outer index's value of input `k`.
                    Operand::Scalar(s) => unsafe { read_scalar(*s, element, &mut slots[slot..]) },
                    Operand::Array { .. } => {
                        words[word + DATA_OFFSET as usize / 8] = element as u64;
                    }
                }
            }
            // SAFETY: the slots follow the kernel's parameter types; the descriptors they point
            // to live in `words` until after the call, and describe memory NumPy owns.
            unsafe { self.compiled.call(&slots, &mut [])? };
        }
        Ok(())
    }

    fn type_nums(&self) -> Vec<c_char> {
        self.operands
            .iter()
            .map(|op| npy_type_num(op.dtype()))
            .collect()
    }
}

/// Reads the scalar of type `s` at `element` into its slots (as `runtime::abi` lays them out).
///
/// # Safety
/// `element` points at a readable value of type `s`; `slots` has room for its slots.
unsafe fn read_scalar(s: Scalar, element: *const c_char, slots: &mut [u64]) {
    // SAFETY: per the contract; unaligned reads because NumPy may pass unaligned data.
    unsafe {
        let p = element;
        slots[0] = match s {
            Scalar::Bool => u64::from(p.cast::<u8>().read_unaligned() != 0),
            Scalar::I8 => p.cast::<i8>().read_unaligned() as i64 as u64,
            Scalar::I16 => p.cast::<i16>().read_unaligned() as i64 as u64,
            Scalar::I32 => p.cast::<i32>().read_unaligned() as i64 as u64,
            Scalar::I64 => p.cast::<i64>().read_unaligned() as u64,
            Scalar::U8 => u64::from(p.cast::<u8>().read_unaligned()),
            Scalar::U16 => u64::from(p.cast::<u16>().read_unaligned()),
            Scalar::U32 => u64::from(p.cast::<u32>().read_unaligned()),
            Scalar::U64 => p.cast::<u64>().read_unaligned(),
            Scalar::F32 | Scalar::C64 => u64::from(p.cast::<u32>().read_unaligned()),
            Scalar::F64 | Scalar::C128 => p.cast::<u64>().read_unaligned(),
        };
        match s {
            Scalar::C64 => slots[1] = u64::from(p.add(4).cast::<u32>().read_unaligned()),
            Scalar::C128 => slots[1] = p.add(8).cast::<u64>().read_unaligned(),
            _ => {}
        }
    }
}

/// A compiled `@guvectorize` loop, as the Python layer holds it.
#[pyclass(frozen, module = "ferrojit._ferrojit", name = "GufuncLoop")]
pub struct GufuncLoop {
    kernel: Arc<GufuncKernel>,
}

impl GufuncLoop {
    pub fn new(compiled: CompiledFunction, layout: Layout, operands: Vec<Operand>) -> GufuncLoop {
        let text = |dims: &Vec<String>| format!("({})", dims.join(","));
        let side = |ops: &Vec<Vec<String>>| ops.iter().map(text).collect::<Vec<_>>().join(",");
        GufuncLoop {
            kernel: Arc::new(GufuncKernel {
                compiled,
                nin: layout.inputs.len(),
                layout_text: format!("{}->{}", side(&layout.inputs), side(&layout.outputs)),
                operands,
                cost: CostEstimate::default(),
            }),
        }
    }
    pub fn kernel(&self) -> Arc<GufuncKernel> {
        self.kernel.clone()
    }
}

#[pymethods]
impl GufuncLoop {
    /// NumPy's type codes, `'dd->d'`.
    #[getter]
    fn types(&self) -> String {
        let k = &self.kernel;
        let chars: Vec<char> = k.operands.iter().map(|op| type_char(op.dtype())).collect();
        let (ins, outs) = chars.split_at(k.nin);
        format!(
            "{}->{}",
            ins.iter().collect::<String>(),
            outs.iter().collect::<String>()
        )
    }
    /// The normalised layout, `'(n),()->(n)'`.
    #[getter]
    fn layout(&self) -> String {
        self.kernel.layout_text.clone()
    }
    /// NumPy dtype names of all operands, inputs then outputs.
    #[getter]
    fn dtypes(&self) -> Vec<String> {
        let ops = &self.kernel.operands;
        ops.iter().map(|op| op.dtype().to_string()).collect()
    }
    fn __repr__(&self) -> String {
        format!("<ferrojit.GufuncLoop {} {}>", self.types(), self.layout())
    }
}

/// Builds the generalized `numpy.ufunc` over `kernels`.
pub fn build(
    py: Python<'_>,
    name: &str,
    doc: &str,
    layout: &str,
    kernels: &[Arc<GufuncKernel>],
    parallel: bool,
    recipe: Py<PyAny>,
) -> PyResult<Py<PyAny>> {
    let Some(first) = kernels.first() else {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "a gufunc needs at least one loop",
        ));
    };
    if kernels.iter().any(|k| k.layout_text != first.layout_text) {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "all loops of a gufunc must have the same layout",
        ));
    }
    let function: numpy_ufunc::LoopFn = if parallel { parallel_loop } else { serial_loop };
    let mut tables = LoopTables::default();
    for kernel in kernels {
        tables.push(
            function,
            Arc::as_ptr(kernel) as *mut c_void,
            &kernel.type_nums(),
        );
    }
    let owned = kernels
        .iter()
        .map(|k| k.clone() as Arc<dyn std::any::Any + Send + Sync>)
        .collect();
    let spec = numpy_ufunc::UfuncSpec {
        name,
        doc,
        nin: first.nin,
        nout: first.nout(),
        // Generalized ufuncs do not reduce.
        identity: -1,
        signature: Some(layout),
    };
    numpy_ufunc::create(py, spec, tables, owned, recipe)
}

/// The gufunc inner loop of `target='cpu'`.
///
/// # Safety
/// NumPy's gufunc inner-loop contract, with `data` the [`GufuncKernel`] registered for these
/// types (kept alive by the ufunc).
unsafe extern "C" fn serial_loop(
    args: *mut *mut c_char,
    dims: *mut npy_intp,
    steps: *mut npy_intp,
    data: *mut c_void,
) {
    // SAFETY: per the contract.
    let kernel = unsafe { &*(data as *const GufuncKernel) };
    let n = unsafe { *dims } as i64;
    // SAFETY: the whole outer range of NumPy's call.
    if let Err(error) = unsafe { kernel.run(args, dims, steps, 0, n) } {
        numpy_ufunc::raise(&error);
    }
}

/// What the chunks of one parallel gufunc call share.
struct ParallelCall<'a> {
    kernel: &'a GufuncKernel,
    args: *const *mut c_char,
    dims: *const npy_intp,
    steps: *const npy_intp,
    error: FirstError,
}

/// The gufunc inner loop of `target='parallel'`: the outer dimension in chunks on the runtime's
/// threads, when that pays ([`super::split`]) and every output moves with the outer index.
///
/// # Safety
/// As [`serial_loop`].
unsafe extern "C" fn parallel_loop(
    args: *mut *mut c_char,
    dims: *mut npy_intp,
    steps: *mut npy_intp,
    data: *mut c_void,
) {
    // SAFETY: per the contract.
    let kernel = unsafe { &*(data as *const GufuncKernel) };
    let n = unsafe { *dims } as i64;
    let nargs = kernel.operands.len();
    // SAFETY: one outer step per operand.
    let outer = unsafe { std::slice::from_raw_parts(steps, nargs) };
    let outputs_move = outer[kernel.nin..].iter().all(|&s| s != 0);
    let threads = runtime::parallel::get_num_threads();
    if !kernel.cost.worth_splitting(n, threads) || !outputs_move {
        // SAFETY: as above.
        return kernel
            .cost
            .measure(n, || unsafe { serial_loop(args, dims, steps, data) });
    }
    let call = ParallelCall {
        kernel,
        args,
        dims,
        steps,
        error: FirstError::default(),
    };
    // SAFETY: `run_chunk` reads `call`, alive until every chunk has finished.
    unsafe { run_chunks(run_chunk, &call as *const ParallelCall as *const u8, n) };
    if let Some(error) = call.error.into_error() {
        numpy_ufunc::raise(&error);
    }
}

unsafe extern "C" fn run_chunk(
    _err: *mut ErrorSlot,
    env: *const u8,
    lo: i64,
    hi: i64,
    _out: *mut u8,
) {
    // SAFETY: `env` is the `ParallelCall` of `parallel_loop`.
    let call = unsafe { &*(env as *const ParallelCall) };
    // SAFETY: `lo..hi` is a sub-range of the outer dimension.
    if let Err(e) = unsafe { call.kernel.run(call.args, call.dims, call.steps, lo, hi) } {
        call.error.record(lo, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_parse_with_names_in_order_of_appearance() {
        let l = Layout::parse("(m, n),(n,p)->(m,p)").unwrap();
        assert_eq!(l.names, vec!["m", "n", "p"]);
        assert_eq!(l.inputs, vec![vec!["m", "n"], vec!["n", "p"]]);
        assert_eq!(l.outputs, vec![vec!["m", "p"]]);
        let l = Layout::parse("(n),()->(n)").unwrap();
        assert_eq!(l.inputs, vec![vec!["n".to_string()], vec![]]);
        for bad in [
            "(n)",
            "(n)->",
            "(3)->(n)",
            "(n?)->(n)",
            "(n),->(n)",
            "n->n",
            "(n),->()",
        ] {
            assert!(Layout::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn signatures_match_the_layout() {
        let layout = Layout::parse("(n),()->(n)").unwrap();
        let sig = |t: &str| ferrojit::parse_signature(t).unwrap();
        let ops = operands(&layout, &sig("void(f8[:], f8, f8[:])")).unwrap();
        assert_eq!(ops[1], Operand::Scalar(Scalar::F64));
        assert_eq!(
            ops[2].kernel_type(),
            Type::array(Scalar::F64, 1, ArrayLayout::A)
        );
        assert!(operands(&layout, &sig("void(f8[:,:], f8, f8[:])")).is_err());
        assert!(operands(&layout, &sig("f8(f8[:], f8, f8[:])")).is_err());
        assert!(operands(&layout, &sig("void(f8[:], f8)")).is_err());
        let reduce = Layout::parse("(n)->()").unwrap();
        assert!(operands(&reduce, &sig("void(f8[:], f8)")).is_err());
        let ops = operands(&reduce, &sig("void(f8[:], f8[:])")).unwrap();
        assert!(matches!(
            ops[1],
            Operand::Array {
                one_element: true,
                ..
            }
        ));
    }
}
