//! `with objmode(y='f8'):` blocks, run by the interpreter with the GIL held, as Numba does.
//!
//! When a function is lowered, each block is registered here ([`register`]): its body becomes a
//! Python function `def <objmode>(inputs...): body; return (outputs...,)` compiled with the
//! jitted function's globals and file name (so tracebacks point at the block's lines), and
//! gets an id. Compiled code calls [`hook`] (through `runtime::objmode`) with that id and the
//! inputs flattened into slots: the hook boxes them (numbers, tuples, strings; arrays as views
//! of compiled code's memory, valid during the block), calls the function, and unboxes the
//! declared outputs with a check (a wrong type is a `TypeError` naming the variable): numbers
//! into slots, strings and arrays copied into the call's arena so that compiled code owns them.
//! An exception raised in the block is kept in [`PENDING`] and re-raised by the dispatcher
//! when the compiled call unwinds (`errors::runtime_error_to_pyerr`).

use crate::args::{self, Descriptors};
use crate::returned::ReturnContext;
use crate::ufunc::npy_type_num;
use ferrojit::{Scalar, Type};
use ir::lower::ObjModeRequest;
use numpy::npyffi::{self, NPY_ARRAY_ALIGNED, NPY_ARRAY_WRITEABLE, NpyTypes, PY_ARRAY_API};
use pyo3::exceptions::{PyMemoryError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use runtime::alloc::Arena;
use runtime::array::{DATA_OFFSET, shape_offset, stride_offset};
use runtime::error::ErrorSlot;
use std::cell::RefCell;
use std::ffi::c_int;
use std::sync::{Arc, Mutex, PoisonError};

/// One registered block: the Python function made of its body, and its slots' types.
struct Block {
    function: Py<PyAny>,
    inputs: Vec<Type>,
    outputs: Vec<(String, Type)>,
}

/// Every block registered in this process; a block's id is its index.
static BLOCKS: Mutex<Vec<Arc<Block>>> = Mutex::new(Vec::new());

thread_local! {
    /// The exception the last failed block on this thread raised, until the dispatcher takes
    /// it.
    static PENDING: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Connects compiled code's objmode calls to this interpreter (once, at import).
pub fn install() {
    runtime::objmode::install_hook(hook);
}

/// The exception raised by the objmode block that made the current compiled call fail, if
/// any.
pub fn take_pending() -> Option<PyErr> {
    PENDING.with(|p| p.borrow_mut().take())
}

/// Makes `request`'s body a Python function with `function`'s globals; returns its id.
pub fn register(
    py: Python<'_>,
    function: &Bound<'_, PyAny>,
    request: &ObjModeRequest,
) -> PyResult<u64> {
    let code = function.getattr("__code__")?;
    let filename: String = code.getattr("co_filename")?.extract()?;
    let params: Vec<&str> = request.inputs.iter().map(|(n, _)| n.as_str()).collect();
    // Blank lines put the body at its own lines of the file, for tracebacks.
    let mut source = "\n".repeat(request.line.saturating_sub(1) as usize);
    source.push_str(&format!("def objmode_block({}):\n", params.join(", ")));
    for line in request.body_source.lines() {
        source.push_str("    ");
        source.push_str(line);
        source.push('\n');
    }
    let outputs: String = request
        .outputs
        .iter()
        .map(|(n, _)| format!("{n}, "))
        .collect();
    source.push_str(&format!("    return ({outputs})\n"));
    let builtins = py.import("builtins")?;
    let compiled = builtins
        .getattr("compile")?
        .call1((source, filename, "exec"))?;
    let namespace = PyDict::new(py);
    builtins
        .getattr("exec")?
        .call1((compiled, function.getattr("__globals__")?, &namespace))?;
    let block_function = namespace
        .get_item("objmode_block")?
        .ok_or_else(|| PyTypeError::new_err("ferrojit: the objmode block was not defined"))?;
    let qualname = format!("{}.<objmode block>", request.function);
    block_function.setattr("__qualname__", qualname)?;
    let block = Block {
        function: block_function.unbind(),
        inputs: request.inputs.iter().map(|(_, t)| t.clone()).collect(),
        outputs: request.outputs.clone(),
    };
    let mut blocks = BLOCKS.lock().unwrap_or_else(PoisonError::into_inner);
    blocks.push(Arc::new(block));
    Ok(blocks.len() as u64 - 1)
}

/// `runtime::objmode::ObjModeHook`: runs block `block`; 1 if it raised (see [`PENDING`]).
unsafe extern "C" fn hook(err: *mut ErrorSlot, block: i64, inputs: i64, outputs: i64) -> i64 {
    let found = BLOCKS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(block as usize)
        .cloned();
    let Some(block) = found else {
        return 1;
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Python::attach(|py| {
            // SAFETY: compiled code passes the buffers this block was registered with and its
            // own error slot, all alive for the call.
            let result = unsafe { run(py, &block, err, inputs as *const u64, outputs as *mut u64) };
            result.map_err(|e| PENDING.with(|p| *p.borrow_mut() = Some(e)))
        })
    }));
    match outcome {
        Ok(Ok(())) => 0,
        _ => 1,
    }
}

/// Boxes the inputs, calls the block, unboxes its outputs.
///
/// # Safety
/// `inputs` holds the flattened inputs, `outputs` has room for the flattened outputs, `err`
/// is the compiled call's error slot.
unsafe fn run(
    py: Python<'_>,
    block: &Block,
    err: *mut ErrorSlot,
    inputs: *const u64,
    outputs: *mut u64,
) -> PyResult<()> {
    let count: usize = block.inputs.iter().map(args::slot_count).sum();
    // SAFETY: per the contract.
    let slots = unsafe { std::slice::from_raw_parts(inputs, count) };
    let mut pos = 0;
    let values = block
        .inputs
        .iter()
        .map(|ty| unsafe { box_value(py, ty, slots, &mut pos) })
        .collect::<PyResult<Vec<_>>>()?;
    let result = block.function.bind(py).call1(PyTuple::new(py, values)?)?;
    let result = result.cast_into::<PyTuple>()?;
    let count: usize = block.outputs.iter().map(|(_, t)| args::slot_count(t)).sum();
    // SAFETY: per the contract.
    let slots = unsafe { std::slice::from_raw_parts_mut(outputs, count) };
    let mut pos = 0;
    for ((name, ty), value) in block.outputs.iter().zip(result.iter()) {
        // SAFETY: `err` per the contract.
        unsafe { unbox_value(py, &value, ty, slots, &mut pos, err) }.map_err(|why| {
            let why = why.value(py).to_string();
            PyTypeError::new_err(format!(
                "objmode output '{name}' is declared {ty}, but the block gave it {why}"
            ))
        })?;
    }
    Ok(())
}

/// The Python value of type `ty` in `slots` at `*pos`.
///
/// # Safety
/// The slots hold a value of `ty` written by compiled code, alive during the block.
unsafe fn box_value(
    py: Python<'_>,
    ty: &Type,
    slots: &[u64],
    pos: &mut usize,
) -> PyResult<Py<PyAny>> {
    match ty {
        Type::Tuple(items) => {
            let values = items
                .iter()
                .map(|item| unsafe { box_value(py, item, slots, pos) })
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyTuple::new(py, values)?.into_any().unbind())
        }
        // A variable not assigned yet on this path reads as a null pointer.
        Type::Array { .. } | Type::Str if slots[*pos] == 0 => {
            *pos += 1;
            Ok(py.None())
        }
        Type::Array { .. } => {
            let addr = slots[*pos];
            *pos += 1;
            // SAFETY: a descriptor of `ty` written by compiled code.
            unsafe { array_view(py, addr, ty) }
        }
        _ => {
            // Numbers, strings and None box as the dispatcher boxes results.
            let mut store: [u64; 0] = [];
            let descriptors = Descriptors::new(&mut store);
            let mut context = ReturnContext::new(Arena::new(), Vec::new());
            args::unflatten(py, ty, slots, pos, &descriptors, &[], &mut context)
        }
    }
}

/// A NumPy array viewing the memory of the descriptor at `addr` (no copy; the memory stays
/// compiled code's, alive for the whole compiled call).
///
/// # Safety
/// `addr` is a live descriptor of `ty`'s rank.
unsafe fn array_view(py: Python<'_>, addr: u64, ty: &Type) -> PyResult<Py<PyAny>> {
    let Type::Array {
        dtype,
        ndim,
        readonly,
        ..
    } = ty
    else {
        unreachable!("array_view of a non-array type")
    };
    let ndim = u32::from(*ndim);
    let read = |offset: i32| unsafe { *((addr as *const u8).add(offset as usize) as *const i64) };
    let mut shape: Vec<npyffi::npy_intp> = (0..ndim).map(|a| read(shape_offset(a)) as _).collect();
    let mut strides: Vec<npyffi::npy_intp> = (0..ndim)
        .map(|a| read(stride_offset(ndim, a)) as _)
        .collect();
    let flags = match readonly {
        true => NPY_ARRAY_ALIGNED,
        false => NPY_ARRAY_WRITEABLE | NPY_ARRAY_ALIGNED,
    };
    unsafe {
        let descr = PY_ARRAY_API.PyArray_DescrFromType(py, c_int::from(npy_type_num(*dtype)));
        let array = PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            npyffi::get_type_object(py, NpyTypes::PyArray_Type),
            descr,
            ndim as c_int,
            shape.as_mut_ptr(),
            strides.as_mut_ptr(),
            read(DATA_OFFSET) as *mut std::ffi::c_void,
            flags,
            std::ptr::null_mut(),
        );
        if array.is_null() {
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, array).unbind())
    }
}

/// Writes `obj` as a value of the declared type `ty` into `slots` at `*pos`; `Err` describes
/// what `obj` was instead.
///
/// # Safety
/// `err` is the compiled call's error slot (its arena receives strings and arrays).
unsafe fn unbox_value(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    ty: &Type,
    slots: &mut [u64],
    pos: &mut usize,
    err: *mut ErrorSlot,
) -> PyResult<()> {
    let actual = args::type_of(obj).ok();
    let mismatch = || {
        let what = match &actual {
            Some(t) => t.to_string(),
            None => obj
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        };
        PyTypeError::new_err(what)
    };
    match (ty, &actual) {
        (Type::Scalar(to), Some(Type::Scalar(from))) if converts(*from, *to) => {
            let mut store: [u64; 0] = [];
            let mut descriptors = Descriptors::new(&mut store);
            let from = Type::Scalar(*from);
            args::flatten(obj, &from, ty, slots, pos, &mut descriptors)
        }
        (Type::Str, _) if obj.is_instance_of::<PyString>() => {
            let text = obj.cast::<PyString>()?.to_cow()?;
            // SAFETY: `err` per the contract.
            let addr = unsafe { runtime::text::str_in_arena(err, &text) };
            if addr == 0 {
                return Err(PyMemoryError::new_err("cannot allocate the string"));
            }
            slots[*pos] = addr as u64;
            *pos += 1;
            Ok(())
        }
        (Type::Tuple(items), Some(Type::Tuple(got))) if items.len() == got.len() => {
            let tuple = obj.cast::<PyTuple>()?;
            for (item, value) in items.iter().zip(tuple.iter()) {
                // SAFETY: `err` per the contract.
                unsafe { unbox_value(py, &value, item, slots, pos, err) }?;
            }
            Ok(())
        }
        (
            Type::Array { dtype, ndim, .. },
            Some(Type::Array {
                dtype: got_dtype,
                ndim: got_ndim,
                ..
            }),
        ) if dtype == got_dtype && ndim == got_ndim => {
            // SAFETY: `err` per the contract.
            slots[*pos] = unsafe { copy_array(py, obj, *dtype, *ndim, err) }?;
            *pos += 1;
            Ok(())
        }
        _ => Err(mismatch()),
    }
}

/// Whether a Python number of type `from` may become a `to` (Numba's unboxing: a bool or an
/// integer may become any number, a float a float or complex; nothing narrows to an integer
/// from a float).
fn converts(from: Scalar, to: Scalar) -> bool {
    match () {
        _ if from.is_complex() => to.is_complex(),
        _ if from.is_float() => to.is_float() || to.is_complex(),
        _ if to.is_bool() => from.is_bool(),
        _ => true,
    }
}

/// Copies the NumPy array `obj` into a new C-contiguous array of the compiled call's arena;
/// returns its descriptor's address.
///
/// # Safety
/// `err` is the compiled call's error slot.
unsafe fn copy_array(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    dtype: Scalar,
    ndim: u8,
    err: *mut ErrorSlot,
) -> PyResult<u64> {
    let shape: Vec<i64> = obj.getattr("shape")?.extract()?;
    let itemsize = i64::from(dtype.size_bytes());
    // SAFETY: `err` per the contract; `shape` has `ndim` extents.
    let desc = unsafe {
        runtime::alloc::ferrojit_alloc_array(
            err,
            i64::from(ndim),
            itemsize,
            shape.as_ptr() as i64,
            0,
        )
    };
    if desc == 0 {
        return Err(PyMemoryError::new_err("cannot allocate the array"));
    }
    let ty = Type::array(dtype, ndim, ferrojit::Layout::C);
    // SAFETY: a descriptor just made for this type.
    let target = unsafe { array_view(py, desc as u64, &ty) }?;
    py.import("numpy")?
        .getattr("copyto")?
        .call1((target, obj))?;
    Ok(desc as u64)
}
