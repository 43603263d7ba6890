//! [`GpuKernel`] (one signature of a GPU ufunc, as optimised IR) and [`GpuProgram`] (its PTX for
//! one pattern of array and scalar inputs, loaded at the first launch).
//!
//! A kernel is compiled once per signature, at decoration time, by the same driver entry as
//! every other specialization (`ferrojit::lower_to_ir`): the scalar function's optimised IR and
//! everything it calls. PTX is made per *pattern* — which inputs are arrays (one element per
//! thread) and which are broadcast scalars (one value for the whole launch) — because a
//! `backend_gpu::KernelSpec` fixes that per `.entry`; patterns are few (each input is one or
//! the other), and each is compiled once and cached here.

use super::memory::DeviceMemory;
use super::{dump_ptx, gpu_error_to_pyerr};
use crate::dispatcher::Dispatcher;
use crate::errors::{compile_error, detached, diagnostic_to_pyerr};
use backend_gpu::{
    GpuError, GpuModule, KernelArg, KernelArgValue, KernelSpec, PtxModule, PtxOptions,
};
use ferrojit::{CompileRequest, DiagnosticKind, DumpFlags, Scalar, Type};
use ir::lower::flatten::scalar_ir_type;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyInt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Compiles the GPU ufunc kernel `kernel` for `signature` (`'f8(f8, f8)'`, or argument types
/// only, `'(f8, f8)'`, to infer the result type) to optimised IR; PTX comes later, per pattern
/// ([`GpuKernel::program`]). `fastmath` allows the approximate `f32` math instructions.
#[pyfunction]
#[pyo3(signature = (kernel, signature, fastmath=false))]
pub fn compile_gpu_kernel(
    py: Python<'_>,
    kernel: &Bound<'_, Dispatcher>,
    signature: &str,
    fastmath: bool,
) -> PyResult<GpuKernel> {
    let sig = ferrojit::parse_signature(signature).map_err(|d| diagnostic_to_pyerr(py, &d))?;
    for (k, ty) in sig.args.iter().enumerate() {
        operand_scalar(py, ty, &format!("input {}", k + 1))?;
    }
    if let Some(ret) = &sig.ret {
        operand_scalar(py, ret, "output")?;
    }
    let def = kernel.get().function_def(py)?;
    let name = def.ast.name.clone();
    let request = CompileRequest {
        def,
        arg_types: sig.args,
        declared_return: sig.ret,
        dump: DumpFlags::from_env(),
    };
    let lowered = detached(py, || ferrojit::lower_to_ir(&request, None))?
        .map_err(|d| diagnostic_to_pyerr(py, &d))?;
    if !lowered.frozen_arrays.is_empty() {
        let message = format!(
            "{name}() reads a global array, which GPU kernels do not support yet; pass it as an \
             argument"
        );
        return Err(compile_error(py, DiagnosticKind::Unsupported, message));
    }
    let inputs = lowered
        .arg_types
        .iter()
        .enumerate()
        .map(|(k, ty)| operand_scalar(py, ty, &format!("input {}", k + 1)))
        .collect::<PyResult<Vec<_>>>()?;
    let output = operand_scalar(py, &lowered.return_type, "output").map_err(|err| {
        let message = format!(
            "{}() returns {}: {}",
            name,
            lowered.return_type,
            err.value(py)
        );
        PyErr::from_type(err.get_type(py), message)
    })?;
    Ok(GpuKernel {
        name,
        module: lowered.module,
        root_symbol: lowered.root_symbol,
        inputs,
        output,
        fastmath,
        programs: Mutex::new(HashMap::new()),
    })
}

/// The scalar of a GPU ufunc operand type; `UnsupportedError` for complex numbers,
/// `TypingError` for anything that is not a scalar.
fn operand_scalar(py: Python<'_>, ty: &Type, role: &str) -> PyResult<Scalar> {
    match ty {
        Type::Scalar(s) if s.is_complex() => Err(compile_error(
            py,
            DiagnosticKind::Unsupported,
            format!(
                "a GPU ufunc {role} of type {ty}: complex operands and results are not \
                 supported on the GPU yet (complex values inside the kernel are); pass the real \
                 and imaginary parts as separate float inputs, or use target='cpu'"
            ),
        )),
        Type::Scalar(s) => Ok(*s),
        _ => Err(compile_error(
            py,
            DiagnosticKind::Typing,
            format!("a GPU ufunc {role} must be a scalar type (bool, integer or float), got {ty}"),
        )),
    }
}

/// Which PTX to make: the pattern (true: array input) and the `sm_XY` target (`None`: the
/// default, `PtxOptions::default()`'s, which every supported GPU runs).
type ProgramKey = (Vec<bool>, Option<String>);

/// One signature of a GPU ufunc, as optimised IR, with its PTX programs made so far.
#[pyclass(frozen, module = "ferrojit._ferrojit", name = "GpuKernel")]
pub struct GpuKernel {
    name: String,
    module: ir::Module,
    /// The IR function computing one element.
    root_symbol: String,
    inputs: Vec<Scalar>,
    output: Scalar,
    fastmath: bool,
    programs: Mutex<HashMap<ProgramKey, Arc<Program>>>,
}

#[pymethods]
impl GpuKernel {
    /// The PTX program for `pattern` (one bool per input: true for an array, false for a
    /// broadcast scalar), compiled on first request for `target` (`'sm_80'`; default: the
    /// backend's default target, which runs on every supported GPU).
    #[pyo3(signature = (pattern, target=None))]
    fn program(
        &self,
        py: Python<'_>,
        pattern: Vec<bool>,
        target: Option<String>,
    ) -> PyResult<GpuProgram> {
        if pattern.len() != self.inputs.len() {
            return Err(PyValueError::new_err(format!(
                "{}() takes {} inputs, the pattern has {}",
                self.name,
                self.inputs.len(),
                pattern.len()
            )));
        }
        let key = (pattern, target);
        if let Some(found) = self.lock_programs().get(&key) {
            return Ok(GpuProgram {
                program: found.clone(),
            });
        }
        let made = detached(py, || self.make_program(&key.0, key.1.as_deref()))?
            .map_err(|e| gpu_error_to_pyerr(py, &e))?;
        let program = self
            .lock_programs()
            .entry(key)
            .or_insert_with(|| Arc::new(made))
            .clone();
        Ok(GpuProgram { program })
    }

    /// The Python function's name.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }
    /// The compiled signature, `'uint8(uint32, float32)'`.
    #[getter]
    fn signature(&self) -> String {
        let args: Vec<String> = self.inputs.iter().map(|s| s.to_string()).collect();
        format!("{}({})", self.output, args.join(", "))
    }
    /// NumPy dtype names of the inputs, `['uint32', 'float32']`.
    #[getter]
    fn input_dtypes(&self) -> Vec<String> {
        self.inputs.iter().map(|s| s.to_string()).collect()
    }
    /// NumPy dtype name of the output.
    #[getter]
    fn output_dtype(&self) -> String {
        self.output.to_string()
    }
    /// The optimised IR the PTX is generated from, as text.
    fn inspect_ir(&self) -> String {
        ir::print::print_module(&self.module)
    }
    fn __repr__(&self) -> String {
        format!("<ferrojit.GpuKernel {} {}>", self.name, self.signature())
    }
}

impl GpuKernel {
    fn lock_programs(&self) -> std::sync::MutexGuard<'_, HashMap<ProgramKey, Arc<Program>>> {
        self.programs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn make_program(&self, pattern: &[bool], target: Option<&str>) -> Result<Program, GpuError> {
        let kinds: Vec<KernelArg> = self
            .inputs
            .iter()
            .zip(pattern)
            .map(|(&s, &array)| {
                let ty = scalar_ir_type(s);
                if array {
                    KernelArg::Array { ty }
                } else {
                    KernelArg::Scalar { ty }
                }
            })
            .collect();
        let spec = KernelSpec {
            name: kernel_name(&self.root_symbol, pattern),
            scalar_fn: self.root_symbol.clone(),
            inputs: kinds,
            output: scalar_ir_type(self.output),
        };
        let base = target.map_or_else(PtxOptions::default, PtxOptions::for_target);
        let options = PtxOptions {
            fastmath: self.fastmath,
            ..base
        };
        let ptx = backend_gpu::compile_ptx(&self.module, std::slice::from_ref(&spec), &options)?;
        if dump_ptx() {
            eprintln!("--- PTX of {} ({}) ---\n{}", self.name, spec.name, ptx.text);
        }
        Ok(Program {
            kernel: spec.name.clone(),
            kinds: spec.inputs,
            inputs: self.inputs.clone(),
            ptx,
            loaded: Mutex::new(None),
        })
    }
}

/// The `.entry` name for a pattern: `fjk_<root>__` and one letter per input, `a` for an array,
/// `s` for a scalar (`fjk_mandel__0__assssss`). Root symbols are ASCII identifiers already;
/// anything else is replaced to keep the name a plain PTX identifier.
fn kernel_name(root: &str, pattern: &[bool]) -> String {
    let root: String = root
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let letters: String = pattern.iter().map(|&a| if a { 'a' } else { 's' }).collect();
    format!("fjk_{root}__{letters}")
}

/// PTX for one pattern, and the module loaded from it once it has been launched.
struct Program {
    kernel: String,
    kinds: Vec<KernelArg>,
    inputs: Vec<Scalar>,
    ptx: PtxModule,
    loaded: Mutex<Option<Arc<GpuModule>>>,
}

impl Program {
    /// The loaded module, loading it now if this is the first launch.
    fn module(&self) -> Result<Arc<GpuModule>, GpuError> {
        let mut loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(module) = loaded.as_ref() {
            return Ok(module.clone());
        }
        let module = Arc::new(GpuModule::load(self.ptx.clone())?);
        *loaded = Some(module.clone());
        Ok(module)
    }
}

/// A GPU ufunc kernel's PTX for one pattern of array and scalar inputs.
#[pyclass(frozen, module = "ferrojit._ferrojit", name = "GpuProgram")]
pub struct GpuProgram {
    program: Arc<Program>,
}

#[pymethods]
impl GpuProgram {
    /// The PTX text.
    #[getter]
    fn ptx(&self) -> &str {
        &self.program.ptx.text
    }
    /// The `.entry` name.
    #[getter]
    fn kernel_name(&self) -> &str {
        &self.program.kernel
    }
    /// True once the PTX has been loaded on the device (at the first launch).
    #[getter]
    fn loaded(&self) -> bool {
        self.program
            .loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Runs the kernel over `0..n`: `args` holds one value per input (a [`DeviceMemory`] of at
    /// least `n` elements for an array input, a Python number for a scalar input), `out` the
    /// output's [`DeviceMemory`]. Loads the module first if needed; waits for the kernel to
    /// finish. Arguments are converted (and their errors raised) before `out` is looked at.
    fn launch(
        &self,
        py: Python<'_>,
        n: u64,
        args: Vec<Bound<'_, PyAny>>,
        out: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let program = &self.program;
        if args.len() != program.kinds.len() {
            return Err(PyTypeError::new_err(format!(
                "the kernel takes {} inputs, got {}",
                program.kinds.len(),
                args.len()
            )));
        }
        // Keep the memory objects borrowed while the launch (without the GIL) uses them.
        let mut buffers: Vec<Option<Bound<'_, DeviceMemory>>> = Vec::with_capacity(args.len());
        for (k, (arg, kind)) in args.iter().zip(&program.kinds).enumerate() {
            buffers.push(match kind {
                KernelArg::Array { .. } => {
                    Some(arg.cast::<DeviceMemory>().cloned().map_err(|_| {
                        PyTypeError::new_err(format!(
                            "input {}: expected device memory for an array input",
                            k + 1
                        ))
                    })?)
                }
                KernelArg::Scalar { .. } => None,
            });
        }
        let mut values = Vec::with_capacity(args.len() + 1);
        for (k, ((arg, buffer), &scalar)) in
            args.iter().zip(&buffers).zip(&program.inputs).enumerate()
        {
            values.push(match buffer {
                Some(memory) => KernelArgValue::Buffer(memory.get().buffer()),
                None => scalar_value(arg, scalar, k)?,
            });
        }
        let out = out
            .cast::<DeviceMemory>()
            .map_err(|_| PyTypeError::new_err("out: expected device memory for the output"))?;
        values.push(KernelArgValue::Buffer(out.get().buffer()));
        let kernel = program.kernel.as_str();
        detached(py, || {
            let module = program.module()?;
            module.launch(kernel, n, &values)
        })?
        .map_err(|e| gpu_error_to_pyerr(py, &e))
    }

    fn __repr__(&self) -> String {
        format!("<ferrojit.GpuProgram {}>", self.program.kernel)
    }
}

/// The launch value of scalar input `k` of type `s`: NumPy's conversions of a Python number
/// (ints must fit the type, as NumPy 2 requires; floats are rounded to `float32`).
fn scalar_value(
    value: &Bound<'_, PyAny>,
    s: Scalar,
    k: usize,
) -> PyResult<KernelArgValue<'static>> {
    let not_a_number = |_| {
        PyTypeError::new_err(format!(
            "input {}: expected a number for a {s} scalar, got {}",
            k + 1,
            value
                .get_type()
                .name()
                .map_or_else(|_| "?".to_string(), |n| n.to_string())
        ))
    };
    if s.is_bool() {
        return Ok(KernelArgValue::Bool(value.is_truthy()?));
    }
    if s.is_float() {
        let v: f64 = value.extract().map_err(not_a_number)?;
        return Ok(match s {
            Scalar::F32 => KernelArgValue::F32(v as f32),
            _ => KernelArgValue::F64(v),
        });
    }
    let out_of_bounds = || {
        PyOverflowError::new_err(format!(
            "input {}: Python integer {value} out of bounds for {s}",
            k + 1
        ))
    };
    let v: i128 = match value.extract::<i64>() {
        Ok(v) => v.into(),
        Err(_) => match value.extract::<u64>() {
            Ok(v) => v.into(),
            Err(_) if value.is_instance_of::<PyInt>() => return Err(out_of_bounds()),
            Err(e) => return Err(not_a_number(e)),
        },
    };
    let (min, max): (i128, i128) = match s {
        Scalar::I8 => (i8::MIN.into(), i8::MAX.into()),
        Scalar::I16 => (i16::MIN.into(), i16::MAX.into()),
        Scalar::I32 => (i32::MIN.into(), i32::MAX.into()),
        Scalar::I64 => (i64::MIN.into(), i64::MAX.into()),
        Scalar::U8 => (0, u8::MAX.into()),
        Scalar::U16 => (0, u16::MAX.into()),
        Scalar::U32 => (0, u32::MAX.into()),
        _ => (0, u64::MAX.into()),
    };
    if v < min || v > max {
        return Err(out_of_bounds());
    }
    // The IR has sign-less integers: pass the bits (a uint8 200 is the i8 -56).
    let bits = v as u64 as i64;
    Ok(match scalar_ir_type(s) {
        ir::Ty::I8 => KernelArgValue::I8(bits as i8),
        ir::Ty::I16 => KernelArgValue::I16(bits as i16),
        ir::Ty::I32 => KernelArgValue::I32(bits as i32),
        _ => KernelArgValue::I64(bits),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_names_are_plain_identifiers() {
        assert_eq!(
            kernel_name("mandel__0", &[true, false]),
            "fjk_mandel__0__as"
        );
        assert_eq!(kernel_name("f$x", &[]), "fjk_f_x__");
    }
}
