//! [`Dispatcher`]: what `@jit` returns — a callable holding the Python function, its options,
//! its explicit signatures and one compiled specialization per argument-type combination.
//!
//! A call types its arguments ([`crate::args::type_of`]), finds the specialization by a linear
//! scan (there are few), compiles one if needed, flattens the arguments into `u64` slots and
//! array descriptors on the stack, runs the machine code with the GIL released, and boxes the
//! result. With explicit signatures, compilation is closed after decoration, as in Numba: a call
//! picks the signature its arguments convert to most mildly ([`crate::overload`]) or raises
//! `TypeError`.
//!
//! Invariants:
//! - A failed compilation raises and changes nothing: the dispatcher stays usable.
//! - Locks are taken only in an order that cannot deadlock with the GIL: the compile lock is
//!   acquired only while detached; the specialization list's lock is never held across a call,
//!   a compilation, or any Python code.
//! - Descriptors live on this call's stack and outlive the compiled call that reads them.

use crate::args::{self, Descriptors, Unpassable};
use crate::errors::{compile_error, diagnostic_to_pyerr, panic_diagnostic, runtime_error_to_pyerr};
use crate::globals::{PyGlobals, SelfDef};
use crate::overload;
use crate::returned::ReturnContext;
use ferrojit::{
    CompileRequest, CompiledFunction, Diagnostic, DiagnosticKind, DumpFlags, FunctionDef, Options,
    Signature, SourceFile, Type,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple};
use pyo3::{PyTraverseError, PyVisit};
use std::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

/// Argument slots, return slots and descriptors that fit on the stack; more go to the heap.
const INLINE_SLOTS: usize = 32;
/// Enough for eight 3-d arrays.
const INLINE_DESCRIPTOR_WORDS: usize = 64;
const INLINE_ARGS: usize = 8;

/// Argument types seen at calls, each with the specialization that runs them (the compiled
/// types themselves, or types converted to an explicit signature's).
struct Entry {
    key: Vec<Type>,
    spec: Arc<Specialization>,
    /// `key` converts to an explicit signature; the entry is not a compilation of its own.
    converted: bool,
}

/// One compiled version of the function, for fixed argument types.
pub(crate) struct Specialization {
    pub(crate) compiled: CompiledFunction,
    arg_slots: usize,
    ret_slots: usize,
    /// Size of the packed array descriptors; nonzero iff there are array arguments.
    descriptor_words: usize,
}

impl Specialization {
    fn new(compiled: CompiledFunction) -> Specialization {
        let arg_slots = compiled.arg_types.iter().map(args::slot_count).sum();
        let descriptor_words = compiled.arg_types.iter().map(args::descriptor_words).sum();
        let ret_slots = args::slot_count(&compiled.return_type);
        Specialization {
            compiled,
            arg_slots,
            ret_slots,
            descriptor_words,
        }
    }

    pub(crate) fn signature_text(&self) -> String {
        let args: Vec<String> = self
            .compiled
            .arg_types
            .iter()
            .map(Type::to_string)
            .collect();
        format!("{}({})", self.compiled.return_type, args.join(", "))
    }
}

#[pyclass(
    frozen,
    dict,
    weakref,
    module = "ferrojit._ferrojit",
    name = "Dispatcher"
)]
pub struct Dispatcher {
    /// The decorated function. An `Option` only because the garbage collector may traverse a
    /// dispatcher whose memory is allocated (zeroed: `None`) but not yet initialised, while
    /// `__new__` builds its instance dict.
    py_func: Option<Py<PyAny>>,
    name: String,
    /// Positional-or-keyword parameter names, for binding keyword arguments.
    params: Vec<String>,
    /// The function has `*args`, `**kwargs` or keyword-only parameters: the compiler reports it.
    irregular_params: bool,
    options: Options,
    nogil: bool,
    /// `cache=True`: specializations persist on disk (`crate::cache`).
    cache: bool,
    /// Explicit signatures; when non-empty, calls never compile new specializations.
    signatures: Vec<Signature>,
    def: OnceLock<Arc<FunctionDef>>,
    entries: RwLock<Vec<Entry>>,
    compile_lock: Mutex<()>,
    /// One record per compilation, for `stats` (see `crate::inspection`).
    pub(crate) compile_log: Mutex<Vec<crate::inspection::CompileRecord>>,
}

#[pymethods]
impl Dispatcher {
    #[new]
    #[allow(
        clippy::too_many_arguments,
        reason = "one parameter per keyword of @jit"
    )]
    #[pyo3(signature = (py_func, signatures, *, boundscheck=false, fastmath=false, numpy_error_model=false, nogil=false, parallel=false, cache=false))]
    fn new(
        py: Python<'_>,
        py_func: Bound<'_, PyAny>,
        signatures: Vec<String>,
        boundscheck: bool,
        fastmath: bool,
        numpy_error_model: bool,
        nogil: bool,
        parallel: bool,
        cache: bool,
    ) -> PyResult<Dispatcher> {
        let signatures = signatures
            .iter()
            .map(|text| ferrojit::parse_signature(text).map_err(|d| diagnostic_to_pyerr(py, &d)))
            .collect::<PyResult<Vec<_>>>()?;
        let code = py_func.getattr("__code__")?;
        let argcount: usize = code.getattr("co_argcount")?.extract()?;
        let kwonly: usize = code.getattr("co_kwonlyargcount")?.extract()?;
        let flags: u32 = code.getattr("co_flags")?.extract()?;
        const CO_VARARGS: u32 = 0x04;
        const CO_VARKEYWORDS: u32 = 0x08;
        let varnames: Vec<String> = code.getattr("co_varnames")?.extract()?;
        Ok(Dispatcher {
            name: py_func.getattr("__name__")?.extract()?,
            params: varnames.into_iter().take(argcount).collect(),
            irregular_params: kwonly > 0 || flags & (CO_VARARGS | CO_VARKEYWORDS) != 0,
            py_func: Some(py_func.unbind()),
            options: Options {
                boundscheck,
                fastmath,
                numpy_error_model,
                parallel,
            },
            nogil,
            cache,
            signatures,
            def: OnceLock::new(),
            entries: RwLock::new(Vec::new()),
            compile_lock: Mutex::new(()),
            compile_log: Mutex::new(Vec::new()),
        })
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let this = slf.get();
        let py = slf.py();
        if kwargs.is_some_and(|k| !k.is_empty())
            || args.len() != this.params.len()
            || this.irregular_params
        {
            let bound = this.bind_arguments(py, args, kwargs)?;
            return this.call_with(py, &bound);
        }
        this.call_with(py, args)
    }

    /// The options given to `@jit` (Numba's `Dispatcher.targetoptions`), as keywords of
    /// `Dispatcher(...)`: what a by-value pickle needs to make the same dispatcher again.
    #[getter]
    fn targetoptions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let options = PyDict::new(py);
        options.set_item("boundscheck", self.options.boundscheck)?;
        options.set_item("fastmath", self.options.fastmath)?;
        options.set_item("numpy_error_model", self.options.numpy_error_model)?;
        options.set_item("nogil", self.nogil)?;
        options.set_item("parallel", self.options.parallel)?;
        options.set_item("cache", self.cache)?;
        Ok(options)
    }

    /// The original Python function.
    #[getter]
    fn py_func(&self, py: Python<'_>) -> Py<PyAny> {
        self.func().clone_ref(py)
    }

    /// The compiled specializations, as `return(args)` signature strings.
    #[getter]
    fn signatures(&self) -> Vec<String> {
        self.compiled().iter().map(|s| s.signature_text()).collect()
    }

    /// Compiles for a signature string (`'f8(f8, i8)'`) now, like Numba's `compile`.
    fn compile(&self, py: Python<'_>, signature: &str) -> PyResult<()> {
        let sig = ferrojit::parse_signature(signature).map_err(|d| diagnostic_to_pyerr(py, &d))?;
        self.compile_specialization(py, sig.args, sig.ret).map(drop)
    }

    /// Compiles the `index`-th signature given to `@jit` (the decorator calls this).
    fn _compile_signature(&self, py: Python<'_>, index: usize) -> PyResult<()> {
        let sig = self.signatures.get(index).cloned().ok_or_else(|| {
            compile_error(
                py,
                DiagnosticKind::Internal,
                format!("no signature {index}"),
            )
        })?;
        self.compile_specialization(py, sig.args, sig.ret).map(drop)
    }

    fn __get__(
        slf: &Bound<'_, Self>,
        instance: Option<&Bound<'_, PyAny>>,
        _owner: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        // A jitted function stored on a class binds like a plain function.
        static METHOD_TYPE: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
        match instance {
            None => Ok(slf.clone().into_any().unbind()),
            Some(instance) => {
                let method = METHOD_TYPE.import(slf.py(), "types", "MethodType")?;
                Ok(method.call1((slf, instance))?.unbind())
            }
        }
    }

    fn __repr__(&self) -> String {
        format!("<ferrojit.Dispatcher {}>", self.name)
    }

    // Inspection (Numba's `inspect_types`, `overloads`, `stats`, ...): the public methods are
    // written in Python (`ferrojit._inspection`), over the three `_` methods below.

    /// What `FERROJIT_DUMP=all` would print for the `index`-th compiled specialization, as
    /// `(stage, function, title, text)` tuples; compiled again with the dumps captured.
    fn _dumps(&self, py: Python<'_>, index: usize) -> PyResult<Vec<crate::inspection::Section>> {
        crate::inspection::dumps(self, py, index)
    }

    /// `(signature, seconds, disk cache hit or None)` for every compilation so far.
    fn _compile_log(&self) -> Vec<(String, f64, Option<bool>)> {
        crate::inspection::compile_log(self)
    }

    /// `(argument types, return type, entry address)` of every compiled specialization.
    fn _overload_info(&self) -> Vec<(Vec<String>, String, usize)> {
        crate::inspection::overload_info(self)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn inspect_types(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        crate::inspection::delegate(slf, "inspect_types", args, kwargs)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn inspect_ir(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        crate::inspection::delegate(slf, "inspect_ir", args, kwargs)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn inspect_asm(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        crate::inspection::delegate(slf, "inspect_asm", args, kwargs)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn inspect_cfg(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        crate::inspection::delegate(slf, "inspect_cfg", args, kwargs)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn inspect_llvm(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        crate::inspection::delegate(slf, "inspect_llvm", args, kwargs)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn parallel_diagnostics(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        crate::inspection::delegate(slf, "parallel_diagnostics", args, kwargs)
    }

    /// The compiled specializations: argument types → compile result (Numba's `overloads`).
    #[getter]
    fn overloads(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        crate::inspection::delegate(slf, "overloads", &PyTuple::empty(slf.py()), None)
    }

    /// Compilations, their times, and `cache=True` hits and misses (Numba's `stats`).
    #[getter]
    fn stats(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        crate::inspection::delegate(slf, "stats", &PyTuple::empty(slf.py()), None)
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        match &self.py_func {
            Some(f) => visit.call(f),
            None => Ok(()),
        }
    }
}

impl Dispatcher {
    /// The decorated function (always set once `__new__` has returned).
    pub(crate) fn func(&self) -> &Py<PyAny> {
        self.py_func
            .as_ref()
            .expect("a dispatcher is initialised by __new__")
    }

    /// The parsed function, built at first use: source from `ferrojit._source`, parsed by the
    /// frontend, globals resolved through [`PyGlobals`].
    pub fn function_def(&self, py: Python<'_>) -> PyResult<Arc<FunctionDef>> {
        if let Some(def) = self.def.get() {
            return Ok(def.clone());
        }
        static FUNCTION_SOURCE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let function_source = FUNCTION_SOURCE.import(py, "ferrojit._source", "function_source")?;
        let func = self.func().bind(py);
        let (filename, text, line_offset, col_offset): (String, String, u32, u32) =
            match function_source.call1((func,)) {
                Ok(found) => found.extract()?,
                Err(err)
                    if err.is_instance_of::<pyo3::exceptions::PyOSError>(py)
                        || err.is_instance_of::<PyTypeError>(py) =>
                {
                    let message = format!("cannot compile '{}': {}", self.name, err.value(py));
                    let compile_err = compile_error(py, DiagnosticKind::Syntax, message);
                    compile_err.set_cause(py, Some(err));
                    return Err(compile_err);
                }
                Err(err) => return Err(err),
            };
        let source = SourceFile {
            filename,
            text,
            line_offset,
            col_offset,
        };
        let self_def = SelfDef::default();
        let globals = Box::new(PyGlobals::new(func, &self.name, self_def.clone())?);
        let mut def = FunctionDef::parse(source, globals, self.options.clone())
            .map_err(|d| diagnostic_to_pyerr(py, &d))?;
        def.signatures = self.signatures.clone();
        // Another thread may have won the race; either result is the same function.
        let def = self.def.get_or_init(|| Arc::new(def)).clone();
        let _ = self_def.set(Arc::downgrade(&def));
        Ok(def)
    }

    fn read_entries(&self) -> std::sync::RwLockReadGuard<'_, Vec<Entry>> {
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn add_entry(&self, key: Vec<Type>, spec: Arc<Specialization>, converted: bool) {
        let entry = Entry {
            key,
            spec,
            converted,
        };
        self.entries
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }

    /// The specialization already chosen for exactly these argument types.
    fn find_exact(&self, types: &[Type]) -> Option<Arc<Specialization>> {
        self.read_entries()
            .iter()
            .find(|e| e.key == types)
            .map(|e| e.spec.clone())
    }

    /// The compiled specializations, in compilation order.
    pub(crate) fn compiled(&self) -> Vec<Arc<Specialization>> {
        let entries = self.read_entries();
        entries
            .iter()
            .filter(|e| !e.converted)
            .map(|e| e.spec.clone())
            .collect()
    }

    /// Compiles (or finds, if another thread just did) the specialization for `arg_types`.
    fn compile_specialization(
        &self,
        py: Python<'_>,
        arg_types: Vec<Type>,
        declared_return: Option<Type>,
    ) -> PyResult<Arc<Specialization>> {
        let def = self.function_def(py)?;
        let request = CompileRequest {
            def,
            arg_types,
            declared_return,
            dump: DumpFlags::from_env(),
        };
        let mut cache_warnings = Vec::new();
        let outcome = py.detach(|| {
            let _guard = self
                .compile_lock
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(found) = self.find_exact(&request.arg_types) {
                return Ok(found);
            }
            let mut disk_hit = None;
            let started = std::time::Instant::now();
            let compile =
                || crate::cache::compile(&request, self.cache, &mut cache_warnings, &mut disk_hit);
            let compiled = catch_unwind(AssertUnwindSafe(compile))
                .unwrap_or_else(|panic| Err(panic_diagnostic(panic.as_ref())))?;
            let spec = Arc::new(Specialization::new(compiled));
            self.log_compilation(spec.signature_text(), started.elapsed(), disk_hit);
            self.add_entry(request.arg_types.clone(), spec.clone(), false);
            Ok(spec)
        });
        crate::cache::warn(py, cache_warnings)?;
        outcome.map_err(|d: Diagnostic| diagnostic_to_pyerr(py, &d))
    }

    /// Applies keyword arguments and defaults the way CPython would, giving a positional tuple.
    fn bind_arguments<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        if self.irregular_params {
            // Let the compiler explain what it does not support about the parameters.
            self.function_def(py)?;
            // `*args` and keyword-only parameters: CPython binds them, in the order the
            // compiled function takes them (positional, the `*args` tuple, keyword-only).
            static SIGNATURE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
            let signature = SIGNATURE.import(py, "inspect", "signature")?;
            let bound = signature
                .call1((self.func().bind(py),))?
                .call_method("bind", args, kwargs)?;
            bound.call_method0("apply_defaults")?;
            let values = bound.getattr("arguments")?.call_method0("values")?;
            let values: Vec<Bound<'py, PyAny>> = values.try_iter()?.collect::<PyResult<_>>()?;
            return PyTuple::new(py, values);
        }
        let name = &self.name;
        let count = self.params.len();
        if args.len() > count {
            let plural = if count == 1 { "" } else { "s" };
            return Err(PyTypeError::new_err(format!(
                "{name}() takes {count} positional argument{plural} but {} were given",
                args.len()
            )));
        }
        let mut slots: Vec<Option<Bound<'py, PyAny>>> = args.iter().map(Some).collect();
        slots.resize(count, None);
        for (key, value) in kwargs.into_iter().flat_map(|k| k.iter()) {
            let key = key.cast_into::<PyString>()?;
            let key = key.to_cow()?;
            let Some(index) = self.params.iter().position(|p| *p == key) else {
                return Err(PyTypeError::new_err(format!(
                    "{name}() got an unexpected keyword argument '{key}'"
                )));
            };
            if slots[index].is_some() {
                return Err(PyTypeError::new_err(format!(
                    "{name}() got multiple values for argument '{key}'"
                )));
            }
            slots[index] = Some(value);
        }
        let defaults = self.func().bind(py).getattr("__defaults__")?;
        let defaults: Vec<Bound<'py, PyAny>> = if defaults.is_none() {
            Vec::new()
        } else {
            defaults.extract()?
        };
        let first_default = count.saturating_sub(defaults.len());
        let mut missing = Vec::new();
        for (index, slot) in slots.iter_mut().enumerate() {
            if slot.is_none() {
                match index.checked_sub(first_default) {
                    Some(d) => *slot = Some(defaults[d].clone()),
                    None => missing.push(format!("'{}'", self.params[index])),
                }
            }
        }
        if !missing.is_empty() {
            let plural = if missing.len() == 1 { "" } else { "s" };
            return Err(PyTypeError::new_err(format!(
                "{name}() missing {} required positional argument{plural}: {}",
                missing.len(),
                missing.join(" and ")
            )));
        }
        let bound: Vec<Bound<'py, PyAny>> = slots.into_iter().flatten().collect();
        PyTuple::new(py, bound)
    }

    /// The call proper, with exactly one argument per parameter.
    fn call_with(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let mut types = TypeList::with_capacity(args.len());
        for (index, arg) in args.iter().enumerate() {
            match args::type_of(&arg) {
                Ok(ty) => types.push(ty),
                Err(why) => return Err(self.unpassable_argument(py, index, &arg, &why)),
            }
        }
        let types = types.as_slice();
        let spec = match self.find_exact(types) {
            Some(spec) => spec,
            None => self.specialization_for(py, types)?,
        };

        let mut inline_slots = [0u64; INLINE_SLOTS];
        let mut heap_slots = Vec::new();
        let arg_slots = buffer(&mut inline_slots, &mut heap_slots, spec.arg_slots);
        let mut inline_descs = [0u64; INLINE_DESCRIPTOR_WORDS];
        let mut heap_descs = Vec::new();
        let store = buffer(&mut inline_descs, &mut heap_descs, spec.descriptor_words);
        let mut descriptors = Descriptors::new(store);
        let mut pos = 0;
        for ((arg, actual), target) in args.iter().zip(types).zip(&spec.compiled.arg_types) {
            args::flatten(&arg, actual, target, arg_slots, &mut pos, &mut descriptors)?;
        }

        let mut inline_rets = [0u64; INLINE_SLOTS];
        let mut heap_rets = Vec::new();
        let rets = buffer(&mut inline_rets, &mut heap_rets, spec.ret_slots);
        let compiled = &spec.compiled;
        let arg_slots: &[u64] = arg_slots;
        // SAFETY: the slots follow the specialization's argument types, and every descriptor
        // they point to (and the array memory behind it) lives until after the call returns.
        let mut call = || unsafe { compiled.call(arg_slots, rets) };
        // Releasing and retaking the GIL costs about 80 ns, as much as the rest of a call:
        // do it where threads can gain (`nogil=True`, or array arguments, i.e. real work).
        let result = if self.nogil || spec.descriptor_words > 0 {
            py.detach(call)
        } else {
            call()
        };
        crate::generators::write_back(py, &descriptors.generators)?;
        let arena = result.map_err(|e| runtime_error_to_pyerr(py, &e))?;
        let owners = if arena.is_empty() {
            Vec::new()
        } else {
            descriptors.owners(&compiled.arg_types)
        };
        let mut returned = ReturnContext::new(arena, owners);
        crate::lists::reflect(py, &descriptors, &compiled.arg_types, &mut returned)?;
        args::unflatten(
            py,
            &compiled.return_type,
            rets,
            &mut 0,
            &descriptors,
            &compiled.arg_types,
            &mut returned,
        )
    }

    /// The specialization for argument types not seen before: compile one, or (with explicit
    /// signatures) pick the best conversion.
    fn specialization_for(&self, py: Python<'_>, types: &[Type]) -> PyResult<Arc<Specialization>> {
        if self.signatures.is_empty() {
            return self.compile_specialization(py, types.to_vec(), None);
        }
        let specs = self.compiled();
        let candidates = specs.iter().map(|s| s.compiled.arg_types.as_slice());
        match overload::best_match(candidates, types) {
            Some(index) => {
                // Remember the choice: the next call with these types takes the fast path.
                self.add_entry(types.to_vec(), specs[index].clone(), true);
                Ok(specs[index].clone())
            }
            None => {
                let given: Vec<String> = types.iter().map(Type::to_string).collect();
                let known: Vec<String> = specs.iter().map(|s| s.signature_text()).collect();
                Err(PyTypeError::new_err(format!(
                    "No matching definition for argument type(s) {} in {}(); compiled signatures: {}",
                    given.join(", "),
                    self.name,
                    known.join("; ")
                )))
            }
        }
    }

    fn log_compilation(&self, signature: String, took: std::time::Duration, disk: Option<bool>) {
        let record = crate::inspection::CompileRecord {
            signature,
            seconds: took.as_secs_f64(),
            disk_hit: disk,
        };
        self.compile_log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }

    /// A request to compile the `index`-th compiled specialization again, with `dump`.
    pub(crate) fn recompile_request(
        &self,
        py: Python<'_>,
        index: usize,
        dump: DumpFlags,
    ) -> PyResult<CompileRequest> {
        let specs = self.compiled();
        let spec = specs.get(index).ok_or_else(|| {
            pyo3::exceptions::PyIndexError::new_err(format!(
                "{}() has {} compiled signatures, no signature #{index}",
                self.name,
                specs.len()
            ))
        })?;
        let declared_return = self
            .signatures
            .iter()
            .find(|s| s.args == spec.compiled.arg_types)
            .and_then(|s| s.ret.clone());
        Ok(CompileRequest {
            def: self.function_def(py)?,
            arg_types: spec.compiled.arg_types.clone(),
            declared_return,
            dump,
        })
    }

    /// A `TypingError` for an argument compiled code cannot take, pointing at its parameter.
    fn unpassable_argument(
        &self,
        py: Python<'_>,
        index: usize,
        arg: &Bound<'_, PyAny>,
        why: &Unpassable,
    ) -> PyErr {
        let param = self.params.get(index).map(String::as_str).unwrap_or("?");
        if !self.signatures.is_empty() {
            // Compilation is closed: like any other mismatch with the explicit signatures (and
            // as Numba), a `TypeError`, whatever the argument is.
            let known: Vec<String> = self.compiled().iter().map(|s| s.signature_text()).collect();
            return PyTypeError::new_err(format!(
                "No matching definition for argument type(s) {} (argument '{param}') in {}(); \
                 compiled signatures: {}",
                args::describe_unsupported(arg, why),
                self.name,
                known.join("; ")
            ));
        }
        let message = format!(
            "argument '{param}' of {}() has type {}, which compiled code cannot take",
            self.name,
            args::describe_unsupported(arg, why)
        );
        let hint = "pass numbers, bools, NumPy arrays of numbers (native byte order), tuples of \
                    those, or None";
        let diagnostic = match self.function_def(py) {
            Ok(def) => {
                let span = def.ast.params.get(index).map(|p| p.span);
                Diagnostic::new(DiagnosticKind::Typing, message, span).with_source(&def.source)
            }
            Err(_) => Diagnostic::new(DiagnosticKind::Typing, message, None),
        };
        diagnostic_to_pyerr(py, &diagnostic.with_hint(hint))
    }
}

/// `inline[..len]` when it fits, else a zeroed heap buffer of `len`.
fn buffer<'a>(inline: &'a mut [u64], heap: &'a mut Vec<u64>, len: usize) -> &'a mut [u64] {
    if len <= inline.len() {
        &mut inline[..len]
    } else {
        heap.resize(len, 0);
        heap
    }
}

/// The argument types of one call: on the stack for up to [`INLINE_ARGS`] arguments (only
/// the `len` first are initialised, and only those are dropped).
struct TypeList {
    inline: [MaybeUninit<Type>; INLINE_ARGS],
    len: usize,
    heap: Vec<Type>,
}

impl TypeList {
    fn with_capacity(capacity: usize) -> TypeList {
        let heap = if capacity > INLINE_ARGS {
            Vec::with_capacity(capacity)
        } else {
            Vec::new()
        };
        TypeList {
            inline: [const { MaybeUninit::uninit() }; INLINE_ARGS],
            len: 0,
            heap,
        }
    }
    fn push(&mut self, ty: Type) {
        if self.heap.capacity() > 0 {
            self.heap.push(ty);
        } else if let Some(cell) = self.inline.get_mut(self.len) {
            cell.write(ty);
            self.len += 1;
        }
    }
    fn as_slice(&self) -> &[Type] {
        if self.heap.capacity() > 0 {
            return &self.heap;
        }
        // SAFETY: the first `len` cells were written by `push`.
        unsafe { std::slice::from_raw_parts(self.inline.as_ptr().cast::<Type>(), self.len) }
    }
}

impl Drop for TypeList {
    fn drop(&mut self) {
        for cell in &mut self.inline[..self.len] {
            // SAFETY: the first `len` cells were written by `push` and are dropped once.
            unsafe { cell.assume_init_drop() };
        }
    }
}
