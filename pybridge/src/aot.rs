//! `python -m ferrojit build ...`: runs the `ferrojit` command line (`ferrojit::aot::cli`)
//! inside the extension, so the package needs no separate binary. The interpreter running it
//! is the default one to build extension modules for.

use pyo3::prelude::*;
use std::path::PathBuf;

/// Runs `ferrojit <argv...>`; returns the exit status. Output goes to the process's stdout and
/// stderr. The GIL is released while compiling and linking. `package_dir` is the Python
/// package's directory, where the wheel carries the runtime archive that libraries link.
#[pyfunction]
#[pyo3(signature = (argv, python=None, package_dir=None))]
fn _main(
    py: Python<'_>,
    argv: Vec<String>,
    python: Option<String>,
    package_dir: Option<PathBuf>,
) -> i32 {
    let search: Vec<PathBuf> = package_dir.into_iter().collect();
    py.detach(|| ferrojit::aot::cli::main_with_runtime(&argv, python.as_deref(), &search))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_main, m)?)
}
