//! `pybridge`: the `ferrojit._ferrojit` Python extension module.
//!
//! Its job is the edge between Python and the compiler: `@jit` builds a [`Dispatcher`] that
//! types each call's arguments, asks the `ferrojit` driver for a specialization, calls the
//! machine code with flattened arguments, and boxes the results; compiler [`Diagnostic`]s and
//! run-time errors become Python exceptions here and nowhere else.
//!
//! Invariants:
//! - This is the only crate that links pyo3 (and the numpy crate); nothing Python-shaped crosses
//!   into the compiler except through the `GlobalResolver` trait ([`globals`]).
//! - Compiled code runs with the GIL released; it receives only plain slots and descriptors,
//!   never a Python object it could touch.
//! - Arrays are passed to CPU code in place (C, F or any strides), never copied; results that
//!   are arrays are the caller's own array objects. (GPU ufuncs copy host arrays to the device
//!   and back once per call; device arrays stay on the device.)
//! - A failed compilation raises and leaves the dispatcher as it was.
//!
//! [`Diagnostic`]: ferrojit::Diagnostic

mod aot;
mod args;
mod cache;
mod cfunc;
mod dispatcher;
mod errors;
mod extending;
mod generators;
mod globals;
mod gpu;
mod inspection;
mod jitclass;
mod lists;
mod objmode;
mod overload;
mod returned;
mod ufunc;

pub use dispatcher::Dispatcher;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The type the dispatcher gives `value`, as text (`array(float64, 2d, C)`).
#[pyfunction(name = "typeof")]
fn type_of_value(value: &Bound<'_, PyAny>) -> PyResult<String> {
    match args::type_of(value) {
        Ok(ty) => Ok(ty.to_string()),
        Err(why) => Err(PyValueError::new_err(format!(
            "ferrojit cannot pass a {} to compiled code",
            args::describe_unsupported(value, &why)
        ))),
    }
}

/// Checks a signature string and returns it in canonical form (`'float64(int64)'`); raises
/// `ferrojit.SignatureError` pointing at the offending column.
#[pyfunction]
fn parse_signature(py: Python<'_>, text: &str) -> PyResult<String> {
    ferrojit::parse_signature(text)
        .map(|sig| sig.to_string())
        .map_err(|d| errors::diagnostic_to_pyerr(py, &d))
}

/// Limits `prange` loops to `n` threads (1 ..= the pool size, `FERROJIT_NUM_THREADS`).
/// Any Python int is taken: one out of range (`-1`, `2**64`) is a `ValueError` saying what is
/// valid, not an `OverflowError` from the conversion.
#[pyfunction]
fn set_num_threads(n: &Bound<'_, PyAny>) -> PyResult<()> {
    let index = n.call_method0("__index__").map_err(|_| {
        let name = n
            .get_type()
            .name()
            .map(|t| t.to_string())
            .unwrap_or_default();
        pyo3::exceptions::PyTypeError::new_err(format!(
            "set_num_threads() takes an integer, got {name}"
        ))
    })?;
    let max = runtime::parallel::max_threads();
    match index
        .extract::<i64>()
        .ok()
        .and_then(|v| usize::try_from(v).ok())
    {
        Some(v) => runtime::parallel::set_num_threads(v).map_err(PyValueError::new_err),
        None => Err(PyValueError::new_err(format!(
            "the number of threads must be between 1 and {max}, got {index}"
        ))),
    }
}

/// The number of threads `prange` loops use now.
#[pyfunction]
fn get_num_threads() -> usize {
    runtime::parallel::get_num_threads()
}

#[pymodule]
fn _ferrojit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Dispatcher>()?;
    m.add_function(wrap_pyfunction!(type_of_value, m)?)?;
    m.add_function(wrap_pyfunction!(parse_signature, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    ufunc::register(m)?;
    gpu::register(m)?;
    cache::register(m)?;
    cfunc::register(m)?;
    aot::register(m)?;
    jitclass::register(m)?;
    objmode::install();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
