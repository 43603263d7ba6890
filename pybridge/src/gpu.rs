//! The native half of `ferrojit.cuda`: GPU ufunc kernels, device memory and launches.
//!
//! - [`GpuKernel`]: a `@vectorize(target='gpu')` kernel compiled for one signature up to
//!   optimised IR (`ferrojit::lower_to_ir`), the scalar function and everything it calls.
//! - [`GpuProgram`]: that IR as PTX with one `.entry` for one *argument pattern* (which inputs
//!   are arrays and which are broadcast scalars), made by `backend_gpu::compile_ptx` on first
//!   request and cached in its kernel; loaded on the device at its first launch.
//! - [`DeviceMemory`]: bytes in device memory (`backend_gpu::DeviceBuffer`), copied from and
//!   to C-contiguous NumPy arrays. The Python layer (`ferrojit/cuda.py`) gives it a shape and a
//!   dtype (`DeviceNDArray`), broadcasts operands and picks signatures.
//!
//! Invariants:
//! - PTX generation needs no CUDA: [`GpuKernel`] and [`GpuProgram::ptx`] work on any machine.
//!   Everything that touches the driver raises `ferrojit.cuda.CudaUnavailable` (with the
//!   probe's reason) when there is no driver or device, and never panics.
//! - Operands and results are non-complex scalars: complex values are two IR values, which a
//!   `backend_gpu::KernelSpec` (one machine type per operand) cannot describe yet. Complex
//!   values *inside* a kernel are fine.
//! - Copies between host and device happen only in [`DeviceMemory::from_host`] and
//!   [`DeviceMemory::copy_to_host`]; both are counted ([`transfer_stats`]) so tests can check
//!   that calls on device arrays make none. The GIL is released during copies, compilation
//!   and launches.
//! - `GpuError`s become Python exceptions here ([`gpu_error_to_pyerr`]): a kernel's raise
//!   becomes the built-in exception the CPU backend would raise.

mod kernel;
mod memory;

pub use kernel::{GpuKernel, GpuProgram};
pub use memory::DeviceMemory;

use crate::errors::{compile_error, runtime_error_to_pyerr};
use backend_gpu::GpuError;
use ferrojit::{DiagnosticKind, RuntimeError};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// Registers the classes and functions of this module on `_ferrojit`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<GpuKernel>()?;
    m.add_class::<GpuProgram>()?;
    m.add_class::<DeviceMemory>()?;
    m.add_function(wrap_pyfunction!(kernel::compile_gpu_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(gpu_is_available, m)?)?;
    m.add_function(wrap_pyfunction!(gpu_unavailable_reason, m)?)?;
    m.add_function(wrap_pyfunction!(memory::transfer_stats, m)?)?;
    m.add_function(wrap_pyfunction!(memory::reset_transfer_stats, m)?)?;
    m.add_function(wrap_pyfunction!(gpu_math_max_ulp, m)?)?;
    Ok(())
}

/// True if a CUDA driver and device 0 are usable (probed once per process, then cached).
#[pyfunction]
fn gpu_is_available(py: Python<'_>) -> bool {
    py.detach(backend_gpu::is_available)
}

/// Why no CUDA device is usable, or `None` if one is.
#[pyfunction]
fn gpu_unavailable_reason(py: Python<'_>) -> Option<String> {
    py.detach(backend_gpu::unavailable_reason)
}

/// The documented error bound of the GPU's math function `name` (`'sin'`, `'atan2'`, `'powf'`,
/// the names of `call_rt` in the IR) in ULPs of its result, from `ir::mathlib::max_ulp`;
/// `None` for an unknown name, `inf` for a function the GPU does not implement.
#[pyfunction]
fn gpu_math_max_ulp(name: &str) -> Option<f64> {
    runtime::math::RuntimeFn::from_ir_name(name).map(ir::mathlib::max_ulp)
}

/// A class of `ferrojit.cuda` (`CudaError`, `CudaUnavailable`), imported once.
fn cuda_error_class<'py>(py: Python<'py>, unavailable: bool) -> PyResult<&'py Bound<'py, PyType>> {
    static ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static UNAVAILABLE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    if unavailable {
        UNAVAILABLE.import(py, "ferrojit.cuda", "CudaUnavailable")
    } else {
        ERROR.import(py, "ferrojit.cuda", "CudaError")
    }
}

/// The Python exception for a `GpuError`: `CudaUnavailable` (no driver or device), `CudaError`
/// (the driver failed, a launch did not fit its kernel), the built-in exception a kernel
/// raised (`ZeroDivisionError`, ...), `UnsupportedError` or `InternalError` (code generation).
pub fn gpu_error_to_pyerr(py: Python<'_>, error: &GpuError) -> PyErr {
    let message = error.to_string();
    let cuda = |unavailable: bool| match cuda_error_class(py, unavailable) {
        Ok(class) => PyErr::from_type(class.clone(), message.clone()),
        Err(import_error) => {
            let err = PyRuntimeError::new_err(message.clone());
            err.set_cause(py, Some(import_error));
            err
        }
    };
    match error {
        GpuError::Unavailable(_) => cuda(true),
        GpuError::Driver { .. } | GpuError::InvalidLaunch { .. } | GpuError::InvalidArgument(_) => {
            cuda(false)
        }
        GpuError::Raised { info, args, .. } => runtime_error_to_pyerr(
            py,
            &RuntimeError {
                kind: info.kind,
                message: info.format(args),
                function: info.function.clone(),
                line: info.line,
                col: info.col,
            },
        ),
        GpuError::Unsupported(what) => compile_error(
            py,
            DiagnosticKind::Unsupported,
            format!("not supported by the GPU backend: {what}"),
        ),
        GpuError::InvalidIr { .. } | GpuError::InvalidKernel { .. } | GpuError::Internal(_) => {
            compile_error(
                py,
                DiagnosticKind::Internal,
                format!("{message} (a bug in ferrojit: please report it with the kernel)"),
            )
        }
    }
}

/// `FERROJIT_DUMP` names `ptx` (or `all`): print PTX as it is generated.
fn dump_ptx() -> bool {
    runtime::config::env()
        .dump
        .split(',')
        .map(str::trim)
        .any(|w| matches!(w, "ptx" | "all" | "1"))
}
