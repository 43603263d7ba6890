//! Creating `numpy.ufunc` objects through NumPy's ufunc C API, keeping what they point to alive,
//! and reporting kernel errors from inside an inner loop.
//!
//! `PyUFunc_FromFuncAndData[AndSignature]` does not copy its tables: the loop functions, their
//! `data` pointers, the type numbers and the name stay NumPy's to read for the ufunc's whole
//! life. They are owned here by an [`UfuncKeepAlive`] (together with the compiled loops and the
//! Python-level recipe), which is stored in the ufunc's `obj` field: NumPy releases that
//! reference when the ufunc is deallocated, and the garbage collector sees it.

use crate::errors::runtime_error_to_pyerr;
use ferrojit::RuntimeError;
use numpy::npyffi::{PY_UFUNC_API, PyUFuncGenericFunction, PyUFuncObject, npy_intp};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use std::any::Any;
use std::ffi::{CString, c_char, c_int, c_void};
use std::sync::Arc;

/// An inner loop as NumPy calls it.
pub type LoopFn = unsafe extern "C" fn(*mut *mut c_char, *mut npy_intp, *mut npy_intp, *mut c_void);

/// The three parallel tables NumPy reads: one function and one `data` per loop, and
/// `nin + nout` type numbers per loop.
#[derive(Default)]
pub struct LoopTables {
    functions: Vec<PyUFuncGenericFunction>,
    data: Vec<*mut c_void>,
    types: Vec<c_char>,
}

impl LoopTables {
    pub fn push(&mut self, function: LoopFn, data: *mut c_void, type_nums: &[c_char]) {
        self.functions.push(Some(function));
        self.data.push(data);
        self.types.extend_from_slice(type_nums);
    }
}

/// What the ufunc is, besides its loops.
pub struct UfuncSpec<'a> {
    pub name: &'a str,
    pub doc: &'a str,
    pub nin: usize,
    pub nout: usize,
    pub identity: i32,
    /// The gufunc layout (`'(n),()->(n)'`), or `None` for an element-wise ufunc.
    pub signature: Option<&'a str>,
}

/// Owns everything a ferrojit ufunc's C-level tables point to; lives in the ufunc's `obj`.
#[pyclass(frozen, module = "ferrojit._ferrojit", name = "UfuncKeepAlive")]
pub struct UfuncKeepAlive {
    _tables: Tables,
    /// The compiled loops `data` points to.
    _loops: Vec<Arc<dyn Any + Send + Sync>>,
    /// An `Option` so that the all-zero state the garbage collector may traverse before the
    /// object is initialised is valid (`None`).
    recipe: Option<Py<PyAny>>,
}

/// The tables in their final, never-moved heap blocks.
struct Tables {
    _functions: Box<[PyUFuncGenericFunction]>,
    _data: Box<[*mut c_void]>,
    _types: Box<[c_char]>,
    _name: CString,
    _doc: CString,
    _signature: Option<CString>,
}

// SAFETY: the tables are written once before the ufunc exists and only read afterwards (by
// NumPy); the `data` pointers point into the `Send + Sync` loops owned alongside.
unsafe impl Send for Tables {}
unsafe impl Sync for Tables {}

#[pymethods]
impl UfuncKeepAlive {
    #[getter]
    fn recipe(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.recipe.as_ref().map(|r| r.clone_ref(py))
    }

    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        visit.call(&self.recipe)
    }
}

/// Creates the ufunc: `PyUFunc_FromFuncAndData`, or `...AndSignature` for a gufunc.
pub fn create(
    py: Python<'_>,
    spec: UfuncSpec<'_>,
    tables: LoopTables,
    loops: Vec<Arc<dyn Any + Send + Sync>>,
    recipe: Py<PyAny>,
) -> PyResult<Py<PyAny>> {
    let cstring = |text: &str, what: &str| {
        CString::new(text).map_err(|_| {
            pyo3::exceptions::PyValueError::new_err(format!("a ufunc {what} cannot contain NUL"))
        })
    };
    let ntypes = tables.functions.len() as c_int;
    let mut owned = Tables {
        _functions: tables.functions.into_boxed_slice(),
        _data: tables.data.into_boxed_slice(),
        _types: tables.types.into_boxed_slice(),
        _name: cstring(spec.name, "name")?,
        _doc: cstring(spec.doc, "docstring")?,
        _signature: spec
            .signature
            .map(|s| cstring(s, "signature"))
            .transpose()?,
    };
    let (nin, nout) = (spec.nin as c_int, spec.nout as c_int);
    // SAFETY: the tables have `ntypes` loops of `nin + nout` types each and outlive the ufunc
    // (they move into its keep-alive object below, and boxed slices never move their contents).
    let ufunc = unsafe {
        let functions = owned._functions.as_mut_ptr();
        let data = owned._data.as_mut_ptr();
        let types = owned._types.as_mut_ptr();
        let name = owned._name.as_ptr();
        let doc = owned._doc.as_ptr();
        match &owned._signature {
            None => PY_UFUNC_API.PyUFunc_FromFuncAndData(
                py,
                functions,
                data,
                types,
                ntypes,
                nin,
                nout,
                spec.identity,
                name,
                doc,
                0,
            ),
            Some(signature) => PY_UFUNC_API.PyUFunc_FromFuncAndDataAndSignature(
                py,
                functions,
                data,
                types,
                ntypes,
                nin,
                nout,
                spec.identity,
                name,
                doc,
                0,
                signature.as_ptr(),
            ),
        }
    };
    if ufunc.is_null() {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: NumPy returned a new reference.
    let ufunc = unsafe { Bound::from_owned_ptr(py, ufunc) }.unbind();
    let keep_alive = Py::new(
        py,
        UfuncKeepAlive {
            _tables: owned,
            _loops: loops,
            recipe: Some(recipe),
        },
    )?;
    // SAFETY: `ufunc` is a fresh `PyUFuncObject` whose `obj` NumPy set to NULL; NumPy owns the
    // reference we store there and drops it in `ufunc_dealloc`.
    unsafe {
        let object = ufunc.as_ptr() as *mut PyUFuncObject;
        (*object).fields.obj = keep_alive.into_ptr();
    }
    Ok(ufunc)
}

/// The recipe stored with a ufunc ferrojit built, if `obj` is one.
pub fn recipe_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<Py<PyAny>>> {
    let py = obj.py();
    static UFUNC_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    let ufunc_type = UFUNC_TYPE.import(py, "numpy", "ufunc")?;
    if !obj.is_instance(ufunc_type)? {
        return Ok(None);
    }
    // SAFETY: `obj` is a live `numpy.ufunc`; `obj` is NULL or a live object it owns.
    let stored = unsafe { (*(obj.as_ptr() as *mut PyUFuncObject)).fields.obj };
    if stored.is_null() {
        return Ok(None);
    }
    // SAFETY: a borrowed reference kept alive by the ufunc, which we hold.
    let stored = unsafe { Bound::from_borrowed_ptr(py, stored) };
    Ok(stored
        .cast::<UfuncKeepAlive>()
        .ok()
        .and_then(|k| k.get().recipe(py)))
}

/// Sets the Python exception for an error raised by a kernel inside an inner loop, which may
/// run without the GIL: takes it (`PyGILState_Ensure`) for the duration. The first error of a
/// ufunc call wins; later chunks of the same call do not overwrite it.
pub fn raise(error: &RuntimeError) {
    Python::attach(|py| {
        if PyErr::occurred(py) {
            return;
        }
        runtime_error_to_pyerr(py, error).restore(py);
    });
}
