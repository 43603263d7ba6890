//! NumPy universal functions from jitted scalar kernels: `@vectorize` and `@guvectorize`.
//!
//! A *loop* is one compiled inner loop for one type signature:
//! - [`UfuncLoop`] (`@vectorize`): the kernel compiled together with `ir::kernels::ufunc_loop`
//!   as its entry point, so the whole NumPy inner loop (`args`, `dims`, `steps`) is one piece of
//!   machine code with the kernel inlined ([`scalar`]).
//! - [`GufuncLoop`] (`@guvectorize`): the kernel compiled normally, with array parameters; a
//!   Rust shim walks the outer dimension and builds array descriptors for the core dimensions
//!   ([`gufunc`]).
//!
//! [`build_ufunc`] and [`build_gufunc`] turn a list of loops into a genuine `numpy.ufunc` with
//! NumPy's own C API ([`numpy_ufunc`]), so broadcasting, `out=`, casting, `reduce` and
//! `accumulate` are NumPy's. The Python layer (`ferrojit.ufunc`) owns the decorators, the lazy
//! `DUFunc` and pickling.
//!
//! Invariants:
//! - A loop's compiled code and the tables NumPy points into live as long as the ufunc: they
//!   are owned by a keep-alive object stored in the ufunc's `obj` field (NumPy releases it when
//!   the ufunc dies).
//! - Inner loops never hold the GIL while compiled code runs; an error raised by the kernel is
//!   turned into the Python exception the dispatcher would raise, under `PyGILState_Ensure`.
//! - `target='parallel'` splits a loop over the runtime's thread pool only when the chunks are
//!   independent (no reduction or accumulation through aliased operands).

mod gufunc;
mod numpy_ufunc;
mod scalar;
mod split;

use crate::dispatcher::Dispatcher;
use crate::errors::{compile_error, diagnostic_to_pyerr};
use ferrojit::{CompileRequest, Diagnostic, DiagnosticKind, DumpFlags, Scalar, Signature, Type};
use pyo3::prelude::*;
use std::sync::Arc;

pub use gufunc::GufuncLoop;
pub use scalar::UfuncLoop;

/// Registers the classes and functions of this module on `_ferrojit`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<UfuncLoop>()?;
    m.add_class::<GufuncLoop>()?;
    m.add_class::<numpy_ufunc::UfuncKeepAlive>()?;
    m.add_function(wrap_pyfunction!(compile_ufunc_loop, m)?)?;
    m.add_function(wrap_pyfunction!(compile_gufunc_loop, m)?)?;
    m.add_function(wrap_pyfunction!(build_ufunc, m)?)?;
    m.add_function(wrap_pyfunction!(build_gufunc, m)?)?;
    m.add_function(wrap_pyfunction!(ufunc_recipe, m)?)?;
    Ok(())
}

/// Compiles the `@vectorize` kernel `kernel` for `signature` (`'f8(f8, f8)'`, or argument types
/// only, `'(f8, f8)'`, to infer the output type) into an inner loop.
#[pyfunction]
fn compile_ufunc_loop(
    py: Python<'_>,
    kernel: &Bound<'_, Dispatcher>,
    signature: &str,
) -> PyResult<UfuncLoop> {
    let sig = parse(py, signature)?;
    for ty in &sig.args {
        operand_scalar(py, ty, "input")?;
    }
    if let Some(ret) = &sig.ret {
        operand_scalar(py, ret, "output")?;
    }
    let def = kernel.get().function_def(py)?;
    let request = CompileRequest {
        def,
        arg_types: sig.args,
        declared_return: sig.ret,
        dump: DumpFlags::from_env(),
    };
    let compiled = compile_detached(py, || scalar::compile(&request))?;
    Ok(UfuncLoop::new(compiled))
}

/// Compiles the `@guvectorize` kernel `kernel` for `signature` (`'void(f8[:], f8, f8[:])'`) and
/// the gufunc `layout` (`'(n),()->(n)'`) into an inner loop.
#[pyfunction]
fn compile_gufunc_loop(
    py: Python<'_>,
    kernel: &Bound<'_, Dispatcher>,
    signature: &str,
    layout: &str,
) -> PyResult<GufuncLoop> {
    let sig = parse(py, signature)?;
    let layout = gufunc::Layout::parse(layout)
        .map_err(|why| compile_error(py, DiagnosticKind::Signature, why))?;
    let operands = gufunc::operands(&layout, &sig)
        .map_err(|why| compile_error(py, DiagnosticKind::Typing, why))?;
    let def = kernel.get().function_def(py)?;
    let request = CompileRequest {
        def,
        arg_types: operands.iter().map(gufunc::Operand::kernel_type).collect(),
        declared_return: Some(Type::NoneType),
        dump: DumpFlags::from_env(),
    };
    let compiled = compile_detached(py, || ferrojit::compile(&request))?;
    Ok(GufuncLoop::new(compiled, layout, operands))
}

/// A `numpy.ufunc` named `name` with `nin` inputs, one output and one inner loop per entry of
/// `loops` (possibly none yet), `identity` one of NumPy's `PyUFunc_Zero` (0), `One` (1), `None` (-1),
/// `ReorderableNone` (-2). `recipe` is kept with it for pickling ([`ufunc_recipe`]).
#[pyfunction]
#[pyo3(signature = (name, doc, nin, loops, identity, parallel, recipe))]
#[allow(clippy::too_many_arguments)]
fn build_ufunc(
    py: Python<'_>,
    name: &str,
    doc: &str,
    nin: usize,
    loops: Vec<PyRef<'_, UfuncLoop>>,
    identity: i32,
    parallel: bool,
    recipe: Py<PyAny>,
) -> PyResult<Py<PyAny>> {
    let kernels: Vec<Arc<scalar::ScalarLoop>> = loops.iter().map(|l| l.kernel()).collect();
    let spec = numpy_ufunc::UfuncSpec {
        name,
        doc,
        nin,
        nout: 1,
        identity,
        signature: None,
    };
    scalar::build(py, spec, &kernels, parallel, recipe)
}

/// A generalized `numpy.ufunc` with the gufunc `layout` and one inner loop per entry of `loops`.
#[pyfunction]
#[pyo3(signature = (name, doc, layout, loops, parallel, recipe))]
fn build_gufunc(
    py: Python<'_>,
    name: &str,
    doc: &str,
    layout: &str,
    loops: Vec<PyRef<'_, GufuncLoop>>,
    parallel: bool,
    recipe: Py<PyAny>,
) -> PyResult<Py<PyAny>> {
    let kernels: Vec<Arc<gufunc::GufuncKernel>> = loops.iter().map(|l| l.kernel()).collect();
    gufunc::build(py, name, doc, layout, &kernels, parallel, recipe)
}

/// The recipe a ufunc made by ferrojit was built with, or `None` for any other object.
#[pyfunction]
fn ufunc_recipe(obj: &Bound<'_, PyAny>) -> PyResult<Option<Py<PyAny>>> {
    numpy_ufunc::recipe_of(obj)
}

fn parse(py: Python<'_>, signature: &str) -> PyResult<Signature> {
    ferrojit::parse_signature(signature).map_err(|d| diagnostic_to_pyerr(py, &d))
}

/// The scalar of a ufunc operand type, or a `TypingError` naming the `role` it plays.
fn operand_scalar(py: Python<'_>, ty: &Type, role: &str) -> PyResult<Scalar> {
    ir::kernels::ufunc_scalar(ty).ok_or_else(|| {
        compile_error(
            py,
            DiagnosticKind::Typing,
            format!(
                "a @vectorize {role} must be a scalar type (bool, integer, float or complex), \
                 got {ty}; use @guvectorize for array operands"
            ),
        )
    })
}

/// Runs a compilation with the GIL released (the globals resolver re-attaches when it needs
/// to), turning a compiler panic into an `InternalError`.
fn compile_detached<T: Send>(
    py: Python<'_>,
    compile: impl FnOnce() -> Result<T, Diagnostic> + Send,
) -> PyResult<T> {
    crate::errors::detached(py, compile)?.map_err(|d| diagnostic_to_pyerr(py, &d))
}

/// NumPy's type number for a scalar (`NPY_TYPES`), as ufunc type tables hold them. `int64` is
/// `NPY_LONG` where C `long` has 64 bits (NumPy's own `int64` there), else `NPY_LONGLONG`.
pub(crate) fn npy_type_num(s: Scalar) -> std::ffi::c_char {
    let long_is_64 = size_of::<std::ffi::c_long>() == 8;
    (match s {
        Scalar::Bool => 0,
        Scalar::I8 => 1,
        Scalar::U8 => 2,
        Scalar::I16 => 3,
        Scalar::U16 => 4,
        Scalar::I32 => 5,
        Scalar::U32 => 6,
        Scalar::I64 if long_is_64 => 7,
        Scalar::I64 => 9,
        Scalar::U64 if long_is_64 => 8,
        Scalar::U64 => 10,
        Scalar::F32 => 11,
        Scalar::F64 => 12,
        Scalar::C64 => 14,
        Scalar::C128 => 15,
    }) as std::ffi::c_char
}

/// NumPy's one-character type code (`dtype.char`), as in `ufunc.types` (`'dd->d'`).
fn type_char(s: Scalar) -> char {
    match s {
        Scalar::Bool => '?',
        Scalar::I8 => 'b',
        Scalar::U8 => 'B',
        Scalar::I16 => 'h',
        Scalar::U16 => 'H',
        Scalar::I32 => 'i',
        Scalar::U32 => 'I',
        Scalar::I64 => 'l',
        Scalar::U64 => 'L',
        Scalar::F32 => 'f',
        Scalar::F64 => 'd',
        Scalar::C64 => 'F',
        Scalar::C128 => 'D',
    }
}
