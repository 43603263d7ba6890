//! [`PyGlobals`]: the compiler's view of a Python function's global and closure names.
//!
//! Names are resolved lazily, when the compiler asks, by attaching to the interpreter
//! (`Python::attach`) — compilation itself runs with the GIL released. Values are frozen at
//! compile time, as in Numba: numbers, tuples of numbers and NumPy arrays (copied, read-only)
//! become constants; `math`, `cmath`,
//! `numpy` and `ferrojit`/`numba` are modules; functions imported from `math` (and NumPy ufuncs)
//! become intrinsics; another `@jit` function becomes a callee; exception classes, NumPy scalar
//! types and `prange` are recognised; anything else is `Unsupported` with its type name, so the
//! compiler can say what it found.
//!
//! A name that is not (yet) defined but is the function's own name refers to the function
//! itself, so that recursion compiles at decoration time under an explicit signature.
//!
//! Invariant: the resolver holds only *weak* references to the function and to its own parsed
//! definition, so a dispatcher, its function and the module globals form an ordinary cycle the
//! garbage collector can free.

use crate::dispatcher::Dispatcher;
use ferrojit::{ConstValue, FunctionDef, Global, GlobalResolver, Intrinsic, ModuleKind, Scalar};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyComplex, PyDict, PyFloat, PyInt, PyModule, PyString, PyTuple, PyType,
    PyWeakrefReference,
};
use std::sync::{Arc, OnceLock, Weak};
use typeinfer::{ConstArray, GlobalValue};

/// The function's own parsed definition, filled in once it exists (it contains the resolver).
pub type SelfDef = Arc<OnceLock<Weak<FunctionDef>>>;

pub struct PyGlobals {
    function: Py<PyWeakrefReference>,
    name: String,
    /// For self-recursion under an explicit signature: `@jit('i8(i8)')` compiles while the
    /// decorator runs, before the module binds the function's name.
    self_def: SelfDef,
}

impl PyGlobals {
    pub fn new(function: &Bound<'_, PyAny>, name: &str, self_def: SelfDef) -> PyResult<Self> {
        let function = PyWeakrefReference::new(function)?.unbind();
        Ok(PyGlobals {
            function,
            name: name.to_string(),
            self_def,
        })
    }
}

impl GlobalResolver for PyGlobals {
    fn register_objmode(&self, request: &ir::lower::ObjModeRequest) -> Result<u64, String> {
        Python::attach(|py| {
            let function = self
                .function
                .bind(py)
                .upgrade()
                .ok_or("the jitted function is gone")?;
            crate::objmode::register(py, &function, request)
                .map_err(|e| format!("the objmode block's Python code does not compile: {e}"))
        })
    }

    fn resolve(&self, name: &str) -> Option<Global> {
        Python::attach(|py| {
            let function = self.function.bind(py).upgrade()?;
            if let Some((module, path)) = name.split_once('.') {
                // An attribute of a module global (`config.THRESHOLD`), frozen like a global.
                let mut value = lookup(py, &function, module).ok()??;
                for part in path.split('.') {
                    value = value.getattr(part).ok()?;
                }
                return classify(py, name, &value);
            }
            match lookup(py, &function, name) {
                Ok(Some(value)) => classify(py, name, &value),
                Ok(None) if name == self.name => self
                    .self_def
                    .get()
                    .and_then(Weak::upgrade)
                    .map(Global::Function),
                Ok(None) => None,
                Err(err) => Some(unsupported(format!("name that could not be read ({err})"))),
            }
        })
    }

    fn resolve_method(
        &self,
        receiver: &ferrojit::Type,
        name: &str,
    ) -> Option<Arc<dyn ferrojit::OverloadResolver>> {
        Python::attach(|py| crate::extending::method(py, receiver, name))
    }
}

/// The value `name` refers to in `function`: a closure variable, a global, or a builtin
/// exception class; `None` for other builtins (typeinfer knows those) and undefined names.
fn lookup<'py>(
    py: Python<'py>,
    function: &Bound<'py, PyAny>,
    name: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let code = function.getattr("__code__")?;
    let freevars = code.getattr("co_freevars")?.cast_into::<PyTuple>()?;
    for (index, var) in freevars.iter().enumerate() {
        if var.cast::<PyString>()?.to_cow()? == name {
            let closure = function.getattr("__closure__")?.cast_into::<PyTuple>()?;
            // An empty cell is a name not bound yet, such as the function's own name while
            // its decorator runs.
            return Ok(closure.get_item(index)?.getattr("cell_contents").ok());
        }
    }
    let globals = function.getattr("__globals__")?.cast_into::<PyDict>()?;
    if let Some(value) = globals.get_item(name)? {
        return Ok(Some(value));
    }
    let builtins = PyModule::import(py, "builtins")?;
    match builtins.getattr(name) {
        Ok(value) if is_exception_class(py, &value) => Ok(Some(value)),
        _ => Ok(None),
    }
}

/// `ferrojit.typed.List` / `Dict` (or `numba.typed.List` / `Dict`, so unchanged kernels
/// compile).
fn is_typed_container_class(value: &Bound<'_, PyAny>, name: &str) -> bool {
    value.cast::<PyType>().is_ok()
        && attr_string(value, "__name__").as_deref() == Some(name)
        && attr_string(value, "__module__")
            .is_some_and(|m| m == "ferrojit.typed" || m.starts_with("numba.typed"))
}

fn is_exception_class(py: Python<'_>, value: &Bound<'_, PyAny>) -> bool {
    value.cast::<PyType>().is_ok_and(|t| {
        t.is_subclass(&py.get_type::<pyo3::exceptions::PyBaseException>())
            .unwrap_or(false)
    })
}

/// A user-defined exception class as typeinfer names it: `module:qualname(Base)`, `Base` the
/// nearest built-in class compiled code can raise (`RuntimeError` for direct subclasses of
/// `Exception`), which is the error's kind while the Python bridge raises the class itself.
fn user_exception_class(class: &Bound<'_, PyAny>, module: &str) -> String {
    let qualname = attr_string(class, "__qualname__").unwrap_or_default();
    let base = class
        .getattr("__mro__")
        .ok()
        .and_then(|mro| mro.cast_into::<PyTuple>().ok())
        .and_then(|mro| {
            mro.iter().find_map(|base| {
                let builtin = attr_string(&base, "__module__").as_deref() == Some("builtins");
                let name = attr_string(&base, "__name__")?;
                (builtin && ferrojit::ExceptionKind::from_name(&name).is_some()).then_some(name)
            })
        })
        .unwrap_or_else(|| "RuntimeError".to_string());
    format!("{module}:{qualname}({base})")
}

/// User-defined exception classes met while compiling, by `module:qualname` (their module
/// need not be importable by name: a file loaded by path). Classes live as long as their
/// module, so holding them costs nothing.
static USER_EXCEPTIONS: std::sync::Mutex<Vec<(String, Py<PyType>)>> =
    std::sync::Mutex::new(Vec::new());

fn register_user_exception(name: &str, class: &Bound<'_, PyType>) {
    let path = name.split_once('(').map_or(name, |(path, _)| path);
    let mut known = USER_EXCEPTIONS.lock().unwrap_or_else(|e| e.into_inner());
    if !known.iter().any(|(p, _)| p == path) {
        known.push((path.to_string(), class.clone().unbind()));
    }
}

/// The user-defined exception class `module:qualname` registered while compiling.
pub(crate) fn user_exception(py: Python<'_>, path: &str) -> Option<Py<PyType>> {
    let known = USER_EXCEPTIONS.lock().unwrap_or_else(|e| e.into_inner());
    known
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, class)| class.clone_ref(py))
}

fn unsupported(what: impl Into<String>) -> Global {
    Global::Value(GlobalValue::Unsupported(what.into()))
}

fn value(v: GlobalValue) -> Option<Global> {
    Some(Global::Value(v))
}

/// What a global's value means to the compiler (see the module doc).
fn classify(py: Python<'_>, name: &str, obj: &Bound<'_, PyAny>) -> Option<Global> {
    if let Some(constant) = constant(obj) {
        return match constant {
            Ok(c) => value(GlobalValue::Const(c)),
            Err(why) => Some(unsupported(why)),
        };
    }
    if let Some(array) = array_constant(py, obj) {
        return match array {
            Ok(c) => value(GlobalValue::Const(c)),
            Err(why) => Some(unsupported(why)),
        };
    }
    if let Ok(module) = obj.cast::<PyModule>() {
        let module_name = module.name().map(|n| n.to_string()).unwrap_or_default();
        return match module_name.as_str() {
            "math" => value(GlobalValue::Module(ModuleKind::Math)),
            "cmath" => value(GlobalValue::Module(ModuleKind::Cmath)),
            "numpy" => value(GlobalValue::Module(ModuleKind::Numpy)),
            "ferrojit" | "numba" => value(GlobalValue::Module(ModuleKind::Ferrojit)),
            "random" => value(GlobalValue::Module(ModuleKind::Random)),
            _ => value(GlobalValue::PyModule(name.to_string())),
        };
    }
    if let Ok(dispatcher) = obj.cast::<Dispatcher>() {
        return Some(match dispatcher.get().function_def(py) {
            Ok(def) => Global::Function(def),
            Err(err) => unsupported(format!("@jit function whose source cannot be used ({err})")),
        });
    }
    if let Some(global) = crate::extending::classify(py, obj) {
        return Some(global);
    }
    if let Some(global) = crate::jitclass::classify(obj) {
        return value(global);
    }
    if is_exception_class(py, obj) {
        let class_name = attr_string(obj, "__name__").unwrap_or_else(|| name.to_string());
        let module = attr_string(obj, "__module__").unwrap_or_default();
        if module == "builtins" {
            return value(GlobalValue::ExceptionClass(class_name));
        }
        let name = user_exception_class(obj, &module);
        if let Ok(class) = obj.cast::<PyType>() {
            register_user_exception(&name, class);
        }
        return value(GlobalValue::ExceptionClass(name));
    }
    if let Some(scalar) = dtype_of_type(py, obj) {
        return value(GlobalValue::Dtype(scalar));
    }
    if is_typed_container_class(obj, "List") {
        return value(GlobalValue::TypedList);
    }
    if is_typed_container_class(obj, "Dict") {
        return value(GlobalValue::TypedDict);
    }
    if let Some(global) = callable(py, name, obj) {
        return global;
    }
    Some(unsupported(type_name(obj)))
}

/// A number, bool or (nested) tuple of them as a constant; `Err` says why it cannot be one.
fn constant(obj: &Bound<'_, PyAny>) -> Option<Result<ConstValue, String>> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Some(Ok(ConstValue::Bool(b.is_true())));
    }
    if obj.is_instance_of::<PyInt>() {
        return Some(
            obj.extract::<i64>()
                .map(ConstValue::Int)
                .map_err(|_| "int constant that does not fit in int64".to_string()),
        );
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Some(Ok(ConstValue::Float(f.value())));
    }
    if let Ok(c) = obj.cast::<PyComplex>() {
        return Some(Ok(ConstValue::Complex(c.real(), c.imag())));
    }
    if let Ok(s) = obj.cast::<pyo3::types::PyString>() {
        return Some(
            s.to_cow()
                .map(|s| ConstValue::Str(s.to_string()))
                .map_err(|_| "str constant that is not valid Unicode".to_string()),
        );
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        let items: Option<Result<Vec<_>, _>> = tuple.iter().map(|item| constant(&item)).collect();
        return Some(match items {
            Some(items) => items.map(ConstValue::Tuple),
            None => Err("tuple containing a value that is not a number".into()),
        });
    }
    numpy_scalar_constant(obj)
}

/// A NumPy array, frozen: a C-contiguous copy of its elements taken now (read-only in
/// compiled code, like Numba's global arrays); `Err` says why it cannot be one.
fn array_constant(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<Result<ConstValue, String>> {
    let numpy = PyModule::import(py, "numpy").ok()?;
    let ndarray = numpy.getattr("ndarray").ok()?;
    if !obj.is_instance(&ndarray).unwrap_or(false) {
        return None;
    }
    let freeze = || -> PyResult<Result<ConstValue, String>> {
        let dtype = obj.getattr("dtype")?;
        let name: String = dtype.getattr("name")?.extract()?;
        let native: bool = dtype.getattr("isnative")?.extract()?;
        let Some(scalar) = Scalar::from_name(&name).filter(|_| native) else {
            return Ok(Err(format!("array of dtype {name}")));
        };
        let shape: Vec<i64> = obj.getattr("shape")?.extract()?;
        let contiguous = numpy.getattr("ascontiguousarray")?.call1((obj,))?;
        let bytes: Vec<u8> = contiguous.call_method0("tobytes")?.extract()?;
        let array = ConstArray::new(scalar, shape, &bytes);
        Ok(Ok(ConstValue::Array(Arc::new(array))))
    };
    Some(freeze().unwrap_or_else(|err| Err(format!("array that could not be read ({err})"))))
}

/// NumPy scalars (`np.float32(2.5)`, `np.int64(3)`) freeze to their value.
fn numpy_scalar_constant(obj: &Bound<'_, PyAny>) -> Option<Result<ConstValue, String>> {
    let py = obj.py();
    let numpy = PyModule::import(py, "numpy").ok()?;
    let is = |class: &str| {
        numpy
            .getattr(class)
            .is_ok_and(|c| obj.is_instance(&c).unwrap_or(false))
    };
    if !is("generic") {
        return None;
    }
    let result = if is("bool_") {
        obj.is_truthy()
            .map(ConstValue::Bool)
            .map_err(|e| e.to_string())
    } else if is("integer") {
        obj.extract::<i64>()
            .map(ConstValue::Int)
            .map_err(|_| "integer constant that does not fit in int64".to_string())
    } else if is("floating") {
        obj.extract::<f64>()
            .map(ConstValue::Float)
            .map_err(|e| e.to_string())
    } else if is("complexfloating") {
        py.get_type::<PyComplex>()
            .call1((obj,))
            .and_then(|c| Ok(c.cast_into::<PyComplex>()?))
            .map(|c| ConstValue::Complex(c.real(), c.imag()))
            .map_err(|e| e.to_string())
    } else {
        Err(format!("numpy.{}", type_name(obj)))
    };
    Some(result)
}

/// `np.float32`, `np.int64`, ... and ferrojit's own type objects (`f8`) used as functions.
pub(crate) fn dtype_of_type(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<Scalar> {
    if let Ok(text) = obj.getattr("_numpy_name")
        && let Ok(text) = text.extract::<String>()
        && obj
            .get_type()
            .module()
            .is_ok_and(|m| m.to_string().starts_with("ferrojit"))
    {
        return Scalar::from_name(&text);
    }
    let class = obj.cast::<PyType>().ok()?;
    let numpy = PyModule::import(py, "numpy").ok()?;
    let generic = numpy.getattr("generic").ok()?.cast_into::<PyType>().ok()?;
    if !class.is_subclass(&generic).unwrap_or(false) {
        return None;
    }
    let dtype_name = numpy
        .getattr("dtype")
        .ok()?
        .call1((class,))
        .ok()?
        .getattr("name")
        .ok()?;
    Scalar::from_name(&dtype_name.extract::<String>().ok()?)
}

/// Functions: `math`/`cmath` builtins, NumPy ufuncs, Python builtins, `prange`.
fn callable(py: Python<'_>, name: &str, obj: &Bound<'_, PyAny>) -> Option<Option<Global>> {
    let builtins = PyModule::import(py, "builtins").ok()?;
    // `prange` is a class named `prange`, in ferrojit as in Numba.
    let range = builtins.getattr("range").ok()?;
    if obj.is(&range) {
        return Some(value(GlobalValue::Intrinsic(Intrinsic::Range)));
    }
    if type_name(obj) == "type" && attr_string(obj, "__name__").as_deref() == Some("prange") {
        return Some(value(GlobalValue::Intrinsic(Intrinsic::Prange)));
    }
    // A builtin bound under its own name (`from builtins import abs`): typeinfer handles it.
    if builtins.getattr(name).is_ok_and(|b| b.is(obj)) {
        return Some(None);
    }
    let function_name = attr_string(obj, "__name__")?;
    let module = attr_string(obj, "__module__");
    let (kind, label) = match module.as_deref() {
        Some("math") => (Some(ModuleKind::Math), "math"),
        Some("cmath") => (Some(ModuleKind::Cmath), "cmath"),
        Some("builtins") if type_name(obj) == "builtin_function_or_method" => (None, "builtins"),
        _ if type_name(obj) == "ufunc" => (Some(ModuleKind::Numpy), "numpy"),
        _ => return None,
    };
    Some(Some(match Intrinsic::lookup(kind, &function_name) {
        Some(intrinsic) => Global::Value(GlobalValue::Intrinsic(intrinsic)),
        None => unsupported(format!("function {label}.{function_name}")),
    }))
}

fn attr_string(obj: &Bound<'_, PyAny>, attr: &str) -> Option<String> {
    obj.getattr(attr).ok()?.extract::<String>().ok()
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}
