//! The extension API's side of global resolution (`ferrojit.extending`): a function made
//! usable from compiled code by `register_jitable` resolves to its jitted twin, and one with
//! `@overload` implementations resolves to a [`PyOverload`], which asks the Python registry for
//! the implementation of each argument-type combination at compile time.

use crate::dispatcher::Dispatcher;
use ferrojit::{Diagnostic, DiagnosticKind, FunctionDef, Global, OverloadResolver, Type};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::sync::Arc;

/// What `obj` is to the compiler if the extension API registered it.
pub fn classify(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<Global> {
    static REGISTERED: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let registered = REGISTERED
        .import(py, "ferrojit.extending", "_registered")
        .ok()?;
    let found = registered.call1((obj,)).ok()?;
    if found.is_none() {
        return None;
    }
    if let Ok(dispatcher) = found.cast::<Dispatcher>() {
        return Some(match dispatcher.get().function_def(py) {
            Ok(def) => Global::Function(def),
            Err(err) => Global::Value(typeinfer::GlobalValue::Unsupported(format!(
                "jitable function whose source cannot be used ({err})"
            ))),
        });
    }
    let name = obj
        .getattr("__qualname__")
        .and_then(|n| n.extract::<String>())
        .unwrap_or_else(|_| "<overload>".into());
    Some(Global::Overload(Arc::new(PyOverload {
        chooser: found.unbind(),
        name,
    })))
}

/// The `@overload_method` implementation chooser for method `name` of `receiver`, if any.
pub fn method(py: Python<'_>, receiver: &Type, name: &str) -> Option<Arc<dyn OverloadResolver>> {
    static REGISTERED: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let registered = REGISTERED
        .import(py, "ferrojit.extending", "_registered_method")
        .ok()?;
    let found = registered.call1((receiver.to_string(), name)).ok()?;
    if found.is_none() {
        return None;
    }
    Some(Arc::new(PyOverload {
        chooser: found.unbind(),
        name: format!("{receiver}.{name}"),
    }))
}

/// An `@overload`ed function: `chooser(type texts)` returns the dispatcher of the
/// implementation for those argument types, or raises a `TypingError` saying why there is none.
struct PyOverload {
    chooser: Py<PyAny>,
    name: String,
}

impl OverloadResolver for PyOverload {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn implementation(&self, args: &[Type]) -> Result<Arc<FunctionDef>, Diagnostic> {
        Python::attach(|py| {
            let texts: Vec<String> = args.iter().map(Type::to_string).collect();
            let failed = |err: PyErr| {
                let message = err
                    .value(py)
                    .str()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|_| err.to_string());
                Diagnostic::new(DiagnosticKind::Typing, message, None)
            };
            let chosen = self.chooser.bind(py).call1((texts,)).map_err(failed)?;
            let dispatcher = chosen.cast::<Dispatcher>().map_err(|_| {
                Diagnostic::internal(format!(
                    "the overload registry of {} returned no dispatcher",
                    self.name
                ))
            })?;
            dispatcher.get().function_def(py).map_err(failed)
        })
    }
}
