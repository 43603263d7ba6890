//! [`DeviceMemory`]: bytes in device memory, and the only copies between host and device.
//!
//! Host data is a C-contiguous NumPy array, read or written through its raw data pointer (the
//! Python layer makes arrays contiguous before they get here). Every copy is counted
//! ([`transfer_stats`]) so that tests can check that a ufunc called on device arrays copies
//! nothing.

use super::gpu_error_to_pyerr;
use backend_gpu::DeviceBuffer;
use numpy::npyffi::{self, NPY_ARRAY_C_CONTIGUOUS, NPY_ARRAY_WRITEABLE};
use numpy::{PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::atomic::{AtomicU64, Ordering};

static HOST_TO_DEVICE_COPIES: AtomicU64 = AtomicU64::new(0);
static HOST_TO_DEVICE_BYTES: AtomicU64 = AtomicU64::new(0);
static DEVICE_TO_HOST_COPIES: AtomicU64 = AtomicU64::new(0);
static DEVICE_TO_HOST_BYTES: AtomicU64 = AtomicU64::new(0);

/// Copies between host and device since the last reset: `{'htod': n, 'htod_bytes': b,
/// 'dtoh': n, 'dtoh_bytes': b}` (the launch's own error-slot read is not counted).
#[pyfunction]
pub fn transfer_stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let stats = PyDict::new(py);
    stats.set_item("htod", HOST_TO_DEVICE_COPIES.load(Ordering::Relaxed))?;
    stats.set_item("htod_bytes", HOST_TO_DEVICE_BYTES.load(Ordering::Relaxed))?;
    stats.set_item("dtoh", DEVICE_TO_HOST_COPIES.load(Ordering::Relaxed))?;
    stats.set_item("dtoh_bytes", DEVICE_TO_HOST_BYTES.load(Ordering::Relaxed))?;
    Ok(stats)
}

/// Sets the [`transfer_stats`] counters to zero.
#[pyfunction]
pub fn reset_transfer_stats() {
    for counter in [
        &HOST_TO_DEVICE_COPIES,
        &HOST_TO_DEVICE_BYTES,
        &DEVICE_TO_HOST_COPIES,
        &DEVICE_TO_HOST_BYTES,
    ] {
        counter.store(0, Ordering::Relaxed);
    }
}

/// Bytes in device memory (zeroed when allocated).
#[pyclass(frozen, module = "ferrojit._ferrojit", name = "DeviceMemory")]
pub struct DeviceMemory {
    buffer: DeviceBuffer,
}

impl DeviceMemory {
    pub fn buffer(&self) -> &DeviceBuffer {
        &self.buffer
    }
}

#[pymethods]
impl DeviceMemory {
    /// `nbytes` zeroed bytes of device memory.
    #[staticmethod]
    fn alloc(py: Python<'_>, nbytes: usize) -> PyResult<DeviceMemory> {
        let buffer = py
            .detach(|| DeviceBuffer::alloc(nbytes))
            .map_err(|e| gpu_error_to_pyerr(py, &e))?;
        Ok(DeviceMemory { buffer })
    }

    /// A copy of the bytes of `array`, which must be C-contiguous.
    #[staticmethod]
    fn from_host(py: Python<'_>, array: &Bound<'_, PyUntypedArray>) -> PyResult<DeviceMemory> {
        let (data, nbytes) = host_bytes(array, false)?;
        // SAFETY: `array` is C-contiguous (checked), so its `nbytes` bytes from `data` are its
        // elements; the array (and so its memory) is kept alive by `array` during the copy.
        let bytes = unsafe { std::slice::from_raw_parts(data as *const u8, nbytes) };
        let buffer = py
            .detach(|| DeviceBuffer::from_host(bytes))
            .map_err(|e| gpu_error_to_pyerr(py, &e))?;
        HOST_TO_DEVICE_COPIES.fetch_add(1, Ordering::Relaxed);
        HOST_TO_DEVICE_BYTES.fetch_add(nbytes as u64, Ordering::Relaxed);
        Ok(DeviceMemory { buffer })
    }

    /// Copies the whole buffer into `array`, which must be C-contiguous, writeable and exactly
    /// as large.
    fn copy_to_host(&self, py: Python<'_>, array: &Bound<'_, PyUntypedArray>) -> PyResult<()> {
        let (data, nbytes) = host_bytes(array, true)?;
        if nbytes != self.buffer.len() {
            return Err(PyValueError::new_err(format!(
                "cannot copy {} bytes of device memory into an array of {nbytes} bytes",
                self.buffer.len()
            )));
        }
        // SAFETY: as in `from_host`; the array is writeable and nothing else in this thread
        // touches it while the GIL is released (other threads could, as with any NumPy
        // operation that releases the GIL).
        let bytes = unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>(), nbytes) };
        py.detach(|| self.buffer.to_host(bytes))
            .map_err(|e| gpu_error_to_pyerr(py, &e))?;
        DEVICE_TO_HOST_COPIES.fetch_add(1, Ordering::Relaxed);
        DEVICE_TO_HOST_BYTES.fetch_add(nbytes as u64, Ordering::Relaxed);
        Ok(())
    }

    /// The size in bytes.
    #[getter]
    fn nbytes(&self) -> usize {
        self.buffer.len()
    }

    /// The device address of the first byte (for `__cuda_array_interface__`).
    #[getter]
    fn address(&self) -> u64 {
        self.buffer.address()
    }

    fn __repr__(&self) -> String {
        format!("<ferrojit.DeviceMemory {} bytes>", self.buffer.len())
    }
}

/// The data pointer and size in bytes of a C-contiguous array (`writeable`: also required to
/// be writeable).
fn host_bytes(array: &Bound<'_, PyUntypedArray>, writeable: bool) -> PyResult<(*mut u8, usize)> {
    // SAFETY: the array object is live (borrowed from `array`) and we are attached.
    let fields = unsafe { &*npyffi::_PyArray_GET_ITEM_DATA(array.as_array_ptr()) };
    let flags = fields.flags;
    if flags & NPY_ARRAY_C_CONTIGUOUS == 0 {
        return Err(PyValueError::new_err(
            "the host array must be C-contiguous (use numpy.ascontiguousarray)",
        ));
    }
    if writeable && flags & NPY_ARRAY_WRITEABLE == 0 {
        return Err(PyValueError::new_err("the host array is read-only"));
    }
    let itemsize = array.dtype().itemsize();
    let nbytes = array.shape().iter().product::<usize>() * itemsize;
    Ok((fields.data.cast::<u8>(), nbytes))
}
