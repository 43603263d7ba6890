//! `cache=True`: the dispatcher's compilations go through `ferrojit::cache::DiskCache` (in the
//! `__pycache__` directory beside the function's file, or `$FERROJIT_CACHE_DIR`), and what the
//! cache has to say (a corrupted entry rebuilt, no C compiler) becomes a `FerrojitWarning`.
//!
//! Also exposes `_ferrojit._cache_stats()` (hits and compilations through the cache in this
//! process), which the tests use to tell a hit from a recompilation.

use ferrojit::cache::DiskCache;
use ferrojit::{CompileRequest, CompiledFunction, Diagnostic};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use std::sync::atomic::{AtomicU64, Ordering};

static HITS: AtomicU64 = AtomicU64::new(0);
static MISSES: AtomicU64 = AtomicU64::new(0);

/// Compiles `request`, through the on-disk cache when `cache` is set; cache warnings are
/// appended to `warnings` (emit them with [`warn`] once attached to Python again), and
/// `disk_hit` says whether the cache had it (`None` without the cache).
pub fn compile(
    request: &CompileRequest,
    cache: bool,
    warnings: &mut Vec<String>,
    disk_hit: &mut Option<bool>,
) -> Result<CompiledFunction, Diagnostic> {
    if !cache {
        return ferrojit::compile(request);
    }
    let disk = DiskCache::for_source(&request.def.source.filename);
    let cached = disk.compile(request)?;
    *disk_hit = Some(cached.hit);
    let counter = if cached.hit { &HITS } else { &MISSES };
    counter.fetch_add(1, Ordering::Relaxed);
    warnings.extend(cached.warnings);
    Ok(cached.compiled)
}

/// Issues each of `warnings` as a `ferrojit.FerrojitWarning`.
pub fn warn(py: Python<'_>, warnings: Vec<String>) -> PyResult<()> {
    if warnings.is_empty() {
        return Ok(());
    }
    static CATEGORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let category = CATEGORY.import(py, "ferrojit.errors", "FerrojitWarning")?;
    let module = py.import("warnings")?;
    for message in warnings {
        module.call_method1("warn", (message, category, 2))?;
    }
    Ok(())
}

/// `{'hits': n, 'compiled': m}` for cache=True compilations in this process.
#[pyfunction]
fn _cache_stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let stats = PyDict::new(py);
    stats.set_item("hits", HITS.load(Ordering::Relaxed))?;
    stats.set_item("compiled", MISSES.load(Ordering::Relaxed))?;
    Ok(stats)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_cache_stats, m)?)
}
