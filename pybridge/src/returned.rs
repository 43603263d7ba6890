//! Arrays returned by compiled code, turned into NumPy arrays.
//!
//! A returned descriptor is one of three things: an argument's own descriptor (the argument
//! object itself is returned, as Numba does), a view of an argument (a new `ndarray` whose
//! base is the argument), or memory the call created in its arena (a new `ndarray` whose base
//! is an [`ArrayMemory`] that owns the buffer and frees it when NumPy lets go). Several arrays
//! of one result sharing a buffer (`return a, a[::-1]`) share one base object.

use crate::ufunc::npy_type_num;
use ferrojit::Type;
use numpy::npyffi::{self, NPY_ARRAY_ALIGNED, NPY_ARRAY_WRITEABLE, NpyTypes, PY_ARRAY_API};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::{IntoPyObjectExt, ffi};
use runtime::alloc::{Arena, Buffer};
use runtime::array::{DATA_OFFSET, OWNER_OFFSET, shape_offset, stride_offset};
use std::ffi::c_int;

/// The memory of an array created by compiled code, kept alive as the array's `base`.
#[pyclass(module = "ferrojit._ferrojit", frozen)]
pub struct ArrayMemory {
    buffer: Box<Buffer>,
}

#[pymethods]
impl ArrayMemory {
    /// Size of the allocation in bytes.
    #[getter]
    fn nbytes(&self) -> usize {
        self.buffer.size()
    }
}

/// Memory kept alive by a jitclass field, held once more as a returned array's `base`.
#[pyclass(module = "ferrojit._ferrojit", frozen)]
pub struct KeptMemory {
    owner: usize,
}

impl Drop for KeptMemory {
    fn drop(&mut self) {
        runtime::object::keep_release(self.owner);
    }
}

/// What a call's returned arrays may refer to: the argument arrays and the call's arena.
pub struct ReturnContext {
    arena: Arena,
    /// Base objects made so far, by descriptor `owner`.
    bases: Vec<(u64, Py<PyAny>)>,
    /// The argument arrays' `PyObject*`s (descriptor owners of argument arrays).
    arg_owners: Vec<*mut ffi::PyObject>,
}

impl ReturnContext {
    pub fn new(arena: Arena, arg_owners: Vec<*mut ffi::PyObject>) -> Self {
        ReturnContext {
            arena,
            bases: Vec::new(),
            arg_owners,
        }
    }

    /// The object that keeps the memory of `owner` alive.
    fn base(&mut self, py: Python<'_>, owner: u64) -> PyResult<Py<PyAny>> {
        if let Some((_, base)) = self.bases.iter().find(|(o, _)| *o == owner) {
            return Ok(base.clone_ref(py));
        }
        let base = if let Some(&arg) = self.arg_owners.iter().find(|&&a| a as u64 == owner) {
            // SAFETY: an argument array, alive in the caller's argument tuple.
            unsafe { Bound::from_borrowed_ptr(py, arg) }.unbind()
        } else if owner == 0 {
            // Frozen global arrays (copied into the compiled function) have no owner object.
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "ferrojit: cannot return a module-level array or a view of one: its contents \
                 are frozen into the compiled function; return a copy (g.copy()) instead",
            ));
        } else if let Some(buffer) = self.arena.take(owner as *const u8) {
            ArrayMemory { buffer }.into_py_any(py)?
        } else if runtime::object::keep_acquire_existing(owner as usize) {
            // Memory an array field of a jitclass object keeps (see `runtime::object`).
            KeptMemory {
                owner: owner as usize,
            }
            .into_py_any(py)?
        } else {
            return Err(PyRuntimeError::new_err(
                "ferrojit: a returned array refers to memory the call does not own (a bug)",
            ));
        };
        self.bases.push((owner, base.clone_ref(py)));
        Ok(base)
    }

    /// A NumPy array for the descriptor at `addr`, of type `ty`.
    ///
    /// # Safety
    /// `addr` is a descriptor of `ty`'s rank written by the call, valid while the context is.
    pub unsafe fn array(&mut self, py: Python<'_>, addr: u64, ty: &Type) -> PyResult<Py<PyAny>> {
        let Type::Array { dtype, ndim, .. } = ty else {
            unreachable!("array() of a non-array type")
        };
        let ndim = u32::from(*ndim);
        let read =
            |offset: i32| unsafe { *((addr as *const u8).add(offset as usize) as *const i64) };
        let data = read(DATA_OFFSET);
        let owner = read(OWNER_OFFSET) as u64;
        let mut shape: Vec<npyffi::npy_intp> =
            (0..ndim).map(|a| read(shape_offset(a)) as _).collect();
        let mut strides: Vec<npyffi::npy_intp> = (0..ndim)
            .map(|a| read(stride_offset(ndim, a)) as _)
            .collect();
        let base = self.base(py, owner)?;
        // A view of a read-only argument stays read-only.
        let writeable = match self.arg_owners.iter().find(|&&a| a as u64 == owner) {
            // SAFETY: an argument array, alive in the caller's argument tuple.
            Some(&arg) => unsafe {
                (*npyffi::_PyArray_GET_ITEM_DATA(arg.cast())).flags & NPY_ARRAY_WRITEABLE != 0
            },
            None => true,
        };
        let flags = if writeable {
            NPY_ARRAY_WRITEABLE | NPY_ARRAY_ALIGNED
        } else {
            NPY_ARRAY_ALIGNED
        };
        unsafe {
            let descr = PY_ARRAY_API.PyArray_DescrFromType(py, c_int::from(npy_type_num(*dtype)));
            let array_type = npyffi::get_type_object(py, NpyTypes::PyArray_Type);
            // Steals `descr`; computes the contiguity flags from shape and strides.
            let array = PY_ARRAY_API.PyArray_NewFromDescr(
                py,
                array_type,
                descr,
                ndim as c_int,
                shape.as_mut_ptr(),
                strides.as_mut_ptr(),
                data as *mut std::ffi::c_void,
                flags,
                std::ptr::null_mut(),
            );
            if array.is_null() {
                return Err(PyErr::fetch(py));
            }
            // Steals the reference to `base`.
            if PY_ARRAY_API.PyArray_SetBaseObject(py, array.cast(), base.into_ptr()) < 0 {
                ffi::Py_DECREF(array);
                return Err(PyErr::fetch(py));
            }
            Ok(Bound::from_owned_ptr(py, array).unbind())
        }
    }
}
