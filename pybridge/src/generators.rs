//! `np.random.Generator` arguments: the PCG64 state of `rng.bit_generator.state` is copied into
//! a `runtime::random_gen::Pcg64State` for the call (compiled code gets its address) and
//! written back to the same Python object after the call, so the generator advances exactly as
//! if NumPy had made the draws (NumPy's ziggurat tables are the runtime's constant data).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use runtime::random_gen::Pcg64State;

/// The generator arguments of one call, kept until their states are written back.
#[derive(Default)]
pub struct ArgGenerators {
    entries: Vec<ArgGenerator>,
}

struct ArgGenerator {
    state: Box<Pcg64State>,
    /// The caller's `Generator` (alive in the call's argument tuple).
    object: Py<PyAny>,
}

/// True for a `numpy.random.Generator`.
pub fn is_generator(obj: &Bound<'_, PyAny>) -> bool {
    let ty = obj.get_type();
    let name = ty
        .getattr("__qualname__")
        .and_then(|n| n.extract::<String>());
    let module = ty.getattr("__module__").and_then(|n| n.extract::<String>());
    matches!((name, module), (Ok(n), Ok(m)) if n == "Generator" && m.starts_with("numpy.random"))
}

/// Copies the state of the generator `obj` for the call; returns its address.
pub fn pass_generator(obj: &Bound<'_, PyAny>, generators: &mut ArgGenerators) -> PyResult<u64> {
    // The same generator passed twice shares one state.
    if let Some(entry) = generators.entries.iter().find(|e| e.object.is(obj)) {
        return Ok(&*entry.state as *const Pcg64State as u64);
    }
    let bit_generator = obj.getattr("bit_generator")?;
    let state = bit_generator.getattr("state")?;
    let kind: String = state.get_item("bit_generator")?.extract()?;
    if kind != "PCG64" {
        return Err(PyTypeError::new_err(format!(
            "ferrojit: compiled code takes Generators on PCG64 (np.random.default_rng), \
             not on {kind}"
        )));
    }
    let inner = state.get_item("state")?;
    let state = Box::new(Pcg64State {
        state: inner.get_item("state")?.extract()?,
        inc: inner.get_item("inc")?.extract()?,
        has_uint32: state.get_item("has_uint32")?.extract()?,
        uinteger: state.get_item("uinteger")?.extract()?,
    });
    let address = &*state as *const Pcg64State as u64;
    generators.entries.push(ArgGenerator {
        state,
        object: obj.clone().unbind(),
    });
    Ok(address)
}

/// Writes each generator's state back to its Python object (after the call, also when it
/// raised: the draws made before the error count, as in NumPy).
pub fn write_back(py: Python<'_>, generators: &ArgGenerators) -> PyResult<()> {
    for entry in &generators.entries {
        let s = &*entry.state;
        let inner = PyDict::new(py);
        inner.set_item("state", s.state)?;
        inner.set_item("inc", s.inc)?;
        let state = PyDict::new(py);
        state.set_item("bit_generator", "PCG64")?;
        state.set_item("state", inner)?;
        state.set_item("has_uint32", s.has_uint32)?;
        state.set_item("uinteger", s.uinteger)?;
        entry
            .object
            .bind(py)
            .getattr("bit_generator")?
            .setattr("state", state)?;
    }
    Ok(())
}
