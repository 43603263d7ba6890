//! `@cfunc`: a jitted function compiled with a C-callable entry point (see
//! `backend_cpu`'s `c_entry`), for `ctypes`, SciPy's `LowLevelCallable` and C code. The Python
//! class around it (`ferrojit.cfunc.CFunc`) builds the `ctypes` function from the address.

use crate::dispatcher::Dispatcher;
use crate::errors::{compile_error, detached, diagnostic_to_pyerr, runtime_error_to_pyerr};
use ferrojit::{CCallable, CompileRequest, DiagnosticKind, DumpFlags, RuntimeError, Scalar, Type};
use pyo3::prelude::*;

/// A compiled C callback; holding it keeps the machine code alive.
#[pyclass(frozen, module = "ferrojit._ferrojit", name = "CFuncCode")]
pub struct CFuncCode {
    callable: CCallable,
}

#[pymethods]
impl CFuncCode {
    /// Address of the C function.
    #[getter]
    fn address(&self) -> usize {
        self.callable.address
    }

    /// The argument types and the return type the function was compiled for.
    #[getter]
    fn types(&self) -> (Vec<String>, String) {
        let f = &self.callable.function;
        let args = f.arg_types.iter().map(Type::to_string).collect();
        (args, f.return_type.to_string())
    }

    /// Raises the exception the last call on this thread raised inside compiled code, if any
    /// (a C caller cannot receive it: it was printed and a zero returned).
    #[staticmethod]
    fn raise_pending(py: Python<'_>) -> PyResult<()> {
        match ferrojit::take_c_entry_error() {
            None => Ok(()),
            Some(e) => Err(runtime_error_to_pyerr(
                py,
                &RuntimeError {
                    kind: e.info.kind,
                    message: e.message,
                    function: e.info.function,
                    line: e.info.line,
                    col: e.info.col,
                },
            )),
        }
    }
}

/// A C type for one parameter or result: numbers, bools and C pointers (`CPointer(float64)`,
/// `voidptr`); complex numbers, arrays and tuples have no single C type.
fn check_c_type(py: Python<'_>, ty: &Type, role: &str) -> PyResult<()> {
    match ty {
        Type::Scalar(Scalar::C64 | Scalar::C128)
        | Type::CPointer(Some(Scalar::C64 | Scalar::C128))
        | Type::Array { .. }
        | Type::Tuple(_) => Err(compile_error(
            py,
            DiagnosticKind::Typing,
            format!(
                "a @cfunc {role} must be a number or bool (a C type) or a C pointer, not {ty}; \
                     pass an array as CPointer(dtype) and a length"
            ),
        )),
        Type::NoneType if role == "return type" => Ok(()),
        Type::Scalar(_) | Type::CPointer(_) => Ok(()),
        _ => Err(compile_error(
            py,
            DiagnosticKind::Typing,
            format!("a @cfunc {role} must be a number or bool (a C type) or a C pointer, not {ty}"),
        )),
    }
}

/// Compiles `dispatcher`'s function for `signature` (`'f8(f8, i4)'`, return type required)
/// with a C entry.
#[pyfunction]
fn compile_cfunc(
    py: Python<'_>,
    dispatcher: &Bound<'_, Dispatcher>,
    signature: &str,
) -> PyResult<CFuncCode> {
    let sig = ferrojit::parse_signature(signature).map_err(|d| diagnostic_to_pyerr(py, &d))?;
    let Some(ret) = sig.ret else {
        return Err(compile_error(
            py,
            DiagnosticKind::Signature,
            format!(
                "a @cfunc signature needs a return type ('f8(f8)', 'void(i8)'), got '{signature}'"
            ),
        ));
    };
    for arg in &sig.args {
        check_c_type(py, arg, "argument")?;
    }
    check_c_type(py, &ret, "return type")?;
    let request = CompileRequest {
        def: dispatcher.get().function_def(py)?,
        arg_types: sig.args,
        declared_return: Some(ret),
        dump: DumpFlags::from_env(),
    };
    let callable = detached(py, || ferrojit::compile_c_callable(&request))?
        .map_err(|d| diagnostic_to_pyerr(py, &d))?;
    Ok(CFuncCode { callable })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CFuncCode>()?;
    m.add_function(wrap_pyfunction!(compile_cfunc, m)?)
}
