//! `python -m ferrojit build ...`: runs the `ferrojit` command line (`ferrojit::aot::cli`)
//! inside the extension, so the package needs no separate binary. The interpreter running it
//! is the default one to build extension modules for.

use pyo3::prelude::*;

/// Runs `ferrojit <argv...>`; returns the exit status. Output goes to the process's stdout and
/// stderr. The GIL is released while compiling and linking.
#[pyfunction]
#[pyo3(signature = (argv, python=None))]
fn _main(py: Python<'_>, argv: Vec<String>, python: Option<String>) -> i32 {
    py.detach(|| ferrojit::aot::cli::main(&argv, python.as_deref()))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_main, m)?)
}
