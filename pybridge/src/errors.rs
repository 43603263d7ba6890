//! The one place where compiler diagnostics and run-time errors become Python exceptions.
//!
//! Compile-time [`Diagnostic`]s map by [`DiagnosticKind`] onto the classes of `ferrojit.errors`
//! (defined in Python so that `SignatureError` can also be a `ValueError`); the message is the
//! diagnostic's full rendering (what, `file:line:col`, the source line, a caret, a hint).
//! Errors raised by compiled code become the built-in exception CPython would raise, with a note
//! naming the function and line (PEP 678 `add_note` on 3.11+, appended to the message before).

use ferrojit::{Diagnostic, DiagnosticKind, ExceptionKind, RuntimeError};
use pyo3::exceptions::{
    PyArithmeticError, PyAssertionError, PyIndexError, PyOverflowError, PyRuntimeError,
    PyTypeError, PyValueError, PyZeroDivisionError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// A class of `ferrojit.errors`, imported once.
fn error_class<'py>(py: Python<'py>, kind: DiagnosticKind) -> PyResult<&'py Bound<'py, PyType>> {
    static COMPILE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static TYPING: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static UNSUPPORTED: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static SIGNATURE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static INTERNAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    let (cell, name) = match kind {
        // Source that CPython accepted but our parser did not: a compile error, no subclass.
        DiagnosticKind::Syntax => (&COMPILE, "CompileError"),
        DiagnosticKind::Typing => (&TYPING, "TypingError"),
        DiagnosticKind::Unsupported => (&UNSUPPORTED, "UnsupportedError"),
        DiagnosticKind::Signature => (&SIGNATURE, "SignatureError"),
        DiagnosticKind::Internal => (&INTERNAL, "InternalError"),
    };
    cell.import(py, "ferrojit.errors", name)
}

/// The Python exception for a compile-time diagnostic.
pub fn diagnostic_to_pyerr(py: Python<'_>, diagnostic: &Diagnostic) -> PyErr {
    let message = diagnostic.to_string();
    match error_class(py, diagnostic.kind) {
        Ok(class) => PyErr::from_type(class.clone(), message),
        // `ferrojit.errors` missing means a broken install; still say what went wrong.
        Err(import_error) => {
            let err = PyRuntimeError::new_err(message);
            err.set_cause(py, Some(import_error));
            err
        }
    }
}

/// A compile-time error of `kind` with no source position (bad options, missing source).
pub fn compile_error(py: Python<'_>, kind: DiagnosticKind, message: impl Into<String>) -> PyErr {
    diagnostic_to_pyerr(py, &Diagnostic::new(kind, message, None))
}

/// The built-in exception for an error raised by compiled code.
pub fn runtime_error_to_pyerr(py: Python<'_>, error: &RuntimeError) -> PyErr {
    // An exception raised by the Python code of an objmode block unwound the call: raise it.
    if let Some(raised) = crate::objmode::take_pending() {
        return raised;
    }
    let (user_class, message) = runtime::error::split_user_class(&error.message);
    let message = message.to_string();
    let user_err = user_class.and_then(|(module, qualname)| {
        // A user-defined exception class (see `runtime::error::USER_CLASS_MARK`): the one met
        // while compiling, or (code loaded from the cache) imported by name.
        let path = format!("{module}:{qualname}");
        if let Some(class) = crate::globals::user_exception(py, &path) {
            return Some(PyErr::from_type(class.into_bound(py), message.clone()));
        }
        let mut class = py.import(module).ok()?.into_any();
        for part in qualname.split('.') {
            class = class.getattr(part).ok()?;
        }
        let class = class.cast_into::<pyo3::types::PyType>().ok()?;
        Some(PyErr::from_type(class, message.clone()))
    });
    let err = match error.kind {
        _ if user_err.is_some() => user_err.expect("checked"),
        ExceptionKind::ZeroDivisionError => PyZeroDivisionError::new_err(message),
        ExceptionKind::IndexError => PyIndexError::new_err(message),
        ExceptionKind::ValueError => PyValueError::new_err(message),
        ExceptionKind::AssertionError => PyAssertionError::new_err(message),
        ExceptionKind::RuntimeError => PyRuntimeError::new_err(message),
        ExceptionKind::TypeError => PyTypeError::new_err(message),
        ExceptionKind::ArithmeticError => PyArithmeticError::new_err(message),
        ExceptionKind::OverflowError => PyOverflowError::new_err(message),
        ExceptionKind::MemoryError => pyo3::exceptions::PyMemoryError::new_err(message),
        ExceptionKind::LinAlgError => linalg_error(py, message),
        ExceptionKind::RecursionError => pyo3::exceptions::PyRecursionError::new_err(message),
        ExceptionKind::KeyError => pyo3::exceptions::PyKeyError::new_err(message),
    };
    let note = format!("(in function {} at line {})", error.function, error.line);
    add_note(py, err, note)
}

/// `numpy.linalg.LinAlgError(message)` (a `ValueError` if NumPy cannot be imported).
fn linalg_error(py: Python<'_>, message: String) -> PyErr {
    match py
        .import("numpy.linalg")
        .and_then(|m| m.getattr("LinAlgError"))
        .and_then(|c| c.cast_into::<pyo3::types::PyType>().map_err(Into::into))
    {
        Ok(class) => PyErr::from_type(class, message),
        Err(_) => PyValueError::new_err(message),
    }
}

/// Attaches `note` to `err`: `add_note` where Python has it, else appended to the message.
fn add_note(py: Python<'_>, err: PyErr, note: String) -> PyErr {
    let value = err.value(py);
    if py.version_info() >= (3, 11) && value.call_method1("add_note", (note.as_str(),)).is_ok() {
        return err;
    }
    let message = match value.str() {
        Ok(text) => format!("{text} {note}"),
        Err(_) => note,
    };
    PyErr::from_type(value.get_type(), message)
}

/// What to report when the compiler panicked (a bug in ferrojit, never the user's fault).
pub(crate) fn panic_diagnostic(panic: &(dyn std::any::Any + Send)) -> Diagnostic {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    Diagnostic::internal(format!("the compiler panicked: {what}"))
        .with_hint("this is a bug in ferrojit; please report it with the function that caused it")
}

/// Runs `work` with the GIL released; a panic becomes an `InternalError` instead of unwinding
/// into the interpreter.
pub(crate) fn detached<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)))
        .map_err(|panic| diagnostic_to_pyerr(py, &panic_diagnostic(panic.as_ref())))
}
