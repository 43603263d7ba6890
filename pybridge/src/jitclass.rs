//! `@jitclass` on the Python side: the base class of every jitclass's Python class
//! ([`JitObject`], a box holding one reference to the native object), the registration of a
//! decorated class with the compiler (`ferrojit::classes`), and the conversions the
//! dispatcher makes: a box argument passes its object's address, a returned object gets a new
//! box of its class.
//!
//! The Python class itself is made by `ferrojit.experimental.jitclass`: its constructor,
//! methods, properties and field accessors are jitted functions, so attribute access from
//! Python goes through the same dispatcher as any call.

use crate::dispatcher::Dispatcher;
use ferrojit::Type;
use ferrojit::classes::ClassDef;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use typeinfer::GlobalValue;

/// The Python base class of jitclass instances: one counted reference to a native object.
#[pyclass(
    module = "ferrojit._ferrojit",
    subclass,
    frozen,
    name = "JitClassInstance"
)]
pub struct JitObject {
    address: AtomicUsize,
    class: AtomicU64,
}

#[pymethods]
impl JitObject {
    /// Boxes are made by the dispatcher; the arguments (a subclass's constructor's) are
    /// ignored here.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyAny>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        JitObject {
            address: AtomicUsize::new(0),
            class: AtomicU64::new(0),
        }
    }

    /// The address of the native object (for debugging and tests).
    #[getter]
    fn _ferrojit_address(&self) -> usize {
        self.address.load(Ordering::Relaxed)
    }

    /// The number of references to the native object (boxes, fields).
    #[getter]
    fn _ferrojit_refcount(&self) -> i64 {
        match self.address.load(Ordering::Relaxed) {
            0 => 0,
            // SAFETY: this box holds a reference, so the object is alive.
            obj => unsafe { runtime::object::refcount_of(obj) },
        }
    }
}

impl Drop for JitObject {
    fn drop(&mut self) {
        let address = self.address.load(Ordering::Relaxed);
        if address != 0 {
            live_boxes()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&address);
        }
        // SAFETY: the box's own reference (0 for a box never filled).
        unsafe { runtime::object::decref(address) };
    }
}

/// The live box of each object that has one (borrowed `PyObject*`s, removed by the box's
/// `Drop`), so that an object coming back to Python gets its existing box: `f(p) is p`, and
/// a list argument's items keep their identity when the list is written back.
fn live_boxes() -> &'static Mutex<HashMap<usize, usize>> {
    static BOXES: OnceLock<Mutex<HashMap<usize, usize>>> = OnceLock::new();
    BOXES.get_or_init(Default::default)
}

/// The allocator global of a class's constructor (see `GlobalValue::NewObject`).
#[pyclass(module = "ferrojit._ferrojit", frozen, name = "JitClassAllocator")]
pub struct Allocator {
    class: u64,
    name: String,
}

/// The Python class of each registered class id, to box returned objects.
fn python_classes() -> &'static Mutex<HashMap<u64, Py<PyType>>> {
    static CLASSES: OnceLock<Mutex<HashMap<u64, Py<PyType>>>> = OnceLock::new();
    CLASSES.get_or_init(Default::default)
}

/// A field type from the spec: a type's text (`'float64[:]'`), `(class id, name)` for
/// another jitclass's instances, `(class id, name, True)` for those or None, or
/// `("self", optional)` for the class being registered (`own`; a `deferred_type`).
fn field_type(spec: &Bound<'_, PyAny>, own: &Type) -> PyResult<Type> {
    if let Ok((marker, optional)) = spec.extract::<(String, bool)>()
        && marker == "self"
    {
        return Ok(match optional {
            true => Type::Optional(Box::new(own.clone())),
            false => own.clone(),
        });
    }
    if let Ok((class, name)) = spec.extract::<(u64, String)>() {
        return Ok(Type::Instance { class, name });
    }
    if let Ok((class, name, _optional)) = spec.extract::<(u64, String, bool)>() {
        return Ok(Type::Optional(Box::new(Type::Instance { class, name })));
    }
    let text: String = spec.str()?.extract()?;
    typeinfer::parse_type(&text).map_err(|d| {
        PyTypeError::new_err(format!(
            "jitclass: cannot use {text:?} as a field type: {}",
            d.message
        ))
    })
}

fn def_of(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<Arc<ferrojit::FunctionDef>> {
    d.cast::<Dispatcher>()?.get().function_def(py)
}

/// Registers a decorated class: its fields `(name, type)`, methods, properties
/// (`name: (getter, setter or None)`) and static methods (jitted functions), and `cls`, the
/// Python class whose boxes are made for it. Returns `(class id, allocator)`; the constructor
/// (which calls the allocator) is given afterwards with [`set_jitclass_constructor`].
#[pyfunction]
#[allow(clippy::type_complexity)]
fn register_jitclass(
    py: Python<'_>,
    cls: Bound<'_, PyType>,
    name: String,
    fields: Vec<(String, Bound<'_, PyAny>)>,
    methods: HashMap<String, Bound<'_, PyAny>>,
    properties: HashMap<String, (Bound<'_, PyAny>, Option<Bound<'_, PyAny>>)>,
    statics: HashMap<String, Bound<'_, PyAny>>,
) -> PyResult<(u64, Py<Allocator>)> {
    install_hooks();
    let id = ferrojit::classes::next_class_id();
    let own = Type::Instance {
        class: id,
        name: name.clone(),
    };
    let fields = fields
        .iter()
        .map(|(n, t)| Ok((n.clone(), field_type(t, &own)?)))
        .collect::<PyResult<Vec<_>>>()?;
    let methods = methods
        .iter()
        .map(|(n, d)| Ok((n.clone(), def_of(py, d)?)))
        .collect::<PyResult<HashMap<_, _>>>()?;
    let properties = properties
        .iter()
        .map(|(n, (g, s))| {
            let setter = s.as_ref().map(|s| def_of(py, s)).transpose()?;
            Ok((n.clone(), (def_of(py, g)?, setter)))
        })
        .collect::<PyResult<HashMap<_, _>>>()?;
    let statics = statics
        .iter()
        .map(|(n, d)| Ok((n.clone(), def_of(py, d)?)))
        .collect::<PyResult<HashMap<_, _>>>()?;
    ferrojit::classes::register(id, name.clone(), fields, methods, properties, statics)
        .map_err(|why| PyTypeError::new_err(format!("jitclass {name}: {why}")))?;
    python_classes()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, cls.unbind());
    Ok((id, Py::new(py, Allocator { class: id, name })?))
}

/// Gives class `id` its constructor (a jitted function returning a new instance).
#[pyfunction]
fn set_jitclass_constructor(
    py: Python<'_>,
    id: u64,
    constructor: Bound<'_, PyAny>,
) -> PyResult<()> {
    let class = class_def(id)?;
    let def = def_of(py, &constructor)?;
    let _ = class.constructor.set(def);
    Ok(())
}

/// Objects alive now and array memories kept by fields (for leak tests).
#[pyfunction]
fn jitclass_live_objects() -> (usize, usize) {
    (
        runtime::object::live_objects(),
        runtime::object::kept_owners(),
    )
}

fn class_def(id: u64) -> PyResult<Arc<ClassDef>> {
    ferrojit::classes::class(id)
        .ok_or_else(|| PyValueError::new_err(format!("no jitclass with id {id}")))
}

/// The global meaning of a jitclass (or a constructor's allocator), if `obj` is one.
pub fn classify(obj: &Bound<'_, PyAny>) -> Option<GlobalValue> {
    if let Ok(alloc) = obj.cast::<Allocator>() {
        let alloc = alloc.get();
        return Some(GlobalValue::NewObject {
            class: alloc.class,
            name: alloc.name.clone(),
        });
    }
    let class = obj.cast::<PyType>().ok()?;
    if !class.is_subclass_of::<JitObject>().ok()? {
        return None;
    }
    let id: u64 = class.getattr("_ferrojit_class_id").ok()?.extract().ok()?;
    let name = ferrojit::classes::class(id)?.name.clone();
    Some(GlobalValue::JitClass { class: id, name })
}

/// The type of a box argument.
pub fn type_of(obj: &Bound<'_, PyAny>) -> Option<Type> {
    let boxed = obj.cast::<JitObject>().ok()?.get();
    let class = boxed.class.load(Ordering::Relaxed);
    let name = ferrojit::classes::class(class)?.name.clone();
    Some(Type::Instance { class, name })
}

/// The address a box argument passes.
pub fn address(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    match obj
        .cast::<JitObject>()?
        .get()
        .address
        .load(Ordering::Relaxed)
    {
        // A box made without its class's constructor (`JitClassInstance.__new__(cls)`).
        0 => Err(PyValueError::new_err(
            "ferrojit: this jitclass instance has no object behind it (it was not made by its \
             class's constructor)",
        )),
        address => Ok(address as u64),
    }
}

/// The box of the object at `address`: its live box if it has one, else a new box of the
/// right class (counting the object once more).
pub fn box_object(py: Python<'_>, address: u64, class: u64) -> PyResult<Py<PyAny>> {
    if let Some(&existing) = live_boxes()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(address as usize))
    {
        // SAFETY: a live box (its `Drop` removes it from the map, under the GIL we hold).
        return Ok(
            unsafe { Bound::from_borrowed_ptr(py, existing as *mut pyo3::ffi::PyObject) }.unbind(),
        );
    }
    let cls = python_classes()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&class)
        .map(|c| c.clone_ref(py))
        .ok_or_else(|| PyValueError::new_err(format!("no jitclass with id {class}")))?;
    let base = py.get_type::<JitObject>();
    let made = base.getattr("__new__")?.call1((cls,))?;
    let boxed = made.cast::<JitObject>()?.get();
    // SAFETY: a live object returned by the call; this box now holds a reference.
    unsafe { runtime::object::incref(address as usize) };
    boxed.address.store(address as usize, Ordering::Relaxed);
    boxed.class.store(class, Ordering::Relaxed);
    live_boxes()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(address as usize, made.as_ptr() as usize);
    Ok(made.unbind())
}

extern "C" fn python_incref(obj: usize) {
    Python::attach(|_| {
        // SAFETY: a live PyObject the caller keeps (a field's array's owner).
        unsafe { pyo3::ffi::Py_IncRef(obj as *mut pyo3::ffi::PyObject) }
    });
}

extern "C" fn python_decref(obj: usize) {
    Python::attach(|_| {
        // SAFETY: a reference taken by `python_incref`.
        unsafe { pyo3::ffi::Py_DecRef(obj as *mut pyo3::ffi::PyObject) }
    });
}

fn install_hooks() {
    runtime::object::set_python_hooks(runtime::object::PythonHooks {
        incref: python_incref,
        decref: python_decref,
    });
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<JitObject>()?;
    m.add_class::<Allocator>()?;
    m.add_function(wrap_pyfunction!(register_jitclass, m)?)?;
    m.add_function(wrap_pyfunction!(set_jitclass_constructor, m)?)?;
    m.add_function(wrap_pyfunction!(jitclass_live_objects, m)?)?;
    Ok(())
}
