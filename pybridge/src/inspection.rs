//! The Rust half of a dispatcher's inspection methods (`inspect_types`, `inspect_ir`,
//! `inspect_asm`, `parallel_diagnostics`, `overloads`, `stats`): the compiler's dumps of a
//! specialization, captured as strings by the driver's one dump printer
//! (`ferrojit::capture_dumps`), and the dispatcher's compile log. Formatting for Python users
//! lives in `ferrojit/_inspection.py`.

use crate::dispatcher::Dispatcher;
use crate::errors::{diagnostic_to_pyerr, panic_diagnostic};
use ferrojit::{DumpFlags, DumpStage};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::PoisonError;

/// `(stage, function, title, text)`.
pub type Section = (String, String, String, String);

/// One compilation of a dispatcher.
pub struct CompileRecord {
    pub signature: String,
    pub seconds: f64,
    /// With `cache=True`: whether the on-disk cache had it.
    pub disk_hit: Option<bool>,
}

fn stage_name(stage: DumpStage) -> &'static str {
    match stage {
        DumpStage::Ast => "ast",
        DumpStage::Types => "types",
        DumpStage::LoweredIr => "ir-lowered",
        DumpStage::Pass => "pass",
        DumpStage::OptimisedIr => "ir",
        DumpStage::Clif => "clif",
        DumpStage::Asm => "asm",
        DumpStage::Parallel => "parallel",
    }
}

pub fn dumps(d: &Dispatcher, py: Python<'_>, index: usize) -> PyResult<Vec<Section>> {
    let dump = DumpFlags {
        passes: false,
        ..DumpFlags::all()
    };
    let request = d.recompile_request(py, index, dump)?;
    let (outcome, sections) = py.detach(|| {
        ferrojit::capture_dumps(|| {
            catch_unwind(AssertUnwindSafe(|| ferrojit::compile(&request)))
                .unwrap_or_else(|panic| Err(panic_diagnostic(panic.as_ref())))
        })
    });
    outcome.map_err(|diagnostic| diagnostic_to_pyerr(py, &diagnostic))?;
    Ok(sections
        .into_iter()
        .map(|s| (stage_name(s.stage).to_string(), s.function, s.title, s.text))
        .collect())
}

pub fn compile_log(d: &Dispatcher) -> Vec<(String, f64, Option<bool>)> {
    d.compile_log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .map(|r| (r.signature.clone(), r.seconds, r.disk_hit))
        .collect()
}

pub fn overload_info(d: &Dispatcher) -> Vec<(Vec<String>, String, usize)> {
    d.compiled()
        .iter()
        .map(|spec| {
            let c = &spec.compiled;
            let args = c.arg_types.iter().map(ToString::to_string).collect();
            (args, c.return_type.to_string(), c.entry_address())
        })
        .collect()
}

/// Calls `ferrojit._inspection.<name>(dispatcher, *args, **kwargs)`.
pub fn delegate(
    slf: &Bound<'_, Dispatcher>,
    name: &str,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let py = slf.py();
    let module =
        MODULE.get_or_try_init(py, || py.import("ferrojit._inspection").map(Bound::unbind))?;
    let mut full: Vec<Bound<'_, PyAny>> = vec![slf.clone().into_any()];
    full.extend(args.iter());
    let full = PyTuple::new(py, full)?;
    Ok(module.bind(py).getattr(name)?.call(full, kwargs)?.unbind())
}
