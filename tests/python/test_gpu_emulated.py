"""The call path of GPU ufuncs, with the device emulated on the CPU (runs without a GPU).

Signature selection, broadcasting, host/device transfers, ``out=``, device arrays and their
API are Python code in ``ferrojit.cuda`` that real launches (test_gpu_launch.py) can only check
on a GPU machine. Here the device is replaced by an emulation: device memory is a host byte
buffer, and a launch runs the kernel's signature compiled by the CPU ``@jit`` on each element.
Everything above the native ``DeviceMemory`` and ``GpuProgram.launch`` is the real code; the
PTX is still generated for every call (so a call that would not compile for the GPU fails here
too).
"""

import math

import numpy as np
import pytest

import ferrojit
from ferrojit import cuda


class FakeMemory:
    """Host bytes standing in for ``_ferrojit.DeviceMemory``; counts copies like it."""

    copies = {"htod": 0, "dtoh": 0}

    def __init__(self, nbytes):
        self.data = np.zeros(nbytes, np.uint8)

    @staticmethod
    def alloc(nbytes):
        return FakeMemory(nbytes)

    @staticmethod
    def from_host(array):
        assert array.flags.c_contiguous
        memory = FakeMemory(array.nbytes)
        memory.data[:] = array.reshape(-1).view(np.uint8)
        FakeMemory.copies["htod"] += 1
        return memory

    def copy_to_host(self, array):
        assert array.flags.c_contiguous and array.flags.writeable
        assert array.nbytes == self.nbytes
        array.reshape(-1).view(np.uint8)[:] = self.data
        FakeMemory.copies["dtoh"] += 1

    @property
    def nbytes(self):
        return self.data.size

    @property
    def address(self):
        return self.data.ctypes.data


_cpu_kernels = {}


def emulated_launch(program, kernel, n, args, memory):
    """``GpuProgram.launch`` on the CPU: ``out[i] = kernel(inputs[i])`` with the CPU backend."""
    key = (kernel.native.name, kernel.native.signature)
    func = ufunc_functions[kernel.native.name]
    if key not in _cpu_kernels:
        _cpu_kernels[key] = ferrojit.jit(kernel.native.signature, error_model="numpy")(func)
    cpu = _cpu_kernels[key]
    columns = []
    for arg, dtype in zip(args, kernel.inputs):
        if isinstance(arg, FakeMemory):
            assert arg.nbytes >= n * dtype.itemsize, "an array input holds fewer than n elements"
            columns.append(arg.data[: n * dtype.itemsize].view(dtype))
        else:
            columns.append([arg] * n)
    out = memory.data[: n * kernel.output.itemsize].view(kernel.output)
    for i in range(n):
        out[i] = cpu(*(column[i] for column in columns))


@pytest.fixture(autouse=True)
def emulated_device(monkeypatch):
    monkeypatch.setattr(cuda, "_DeviceMemory", FakeMemory)
    monkeypatch.setattr(cuda, "_require_device", lambda: None)
    monkeypatch.setattr(cuda, "_launch", emulated_launch)
    FakeMemory.copies = {"htod": 0, "dtoh": 0}


@cuda.vectorize(["f8(f8, f8, f8)", "f4(f4, f4, f4)"])
def saxpy(a, x, y):
    return a * x + y


@cuda.vectorize(["i8(i8, i8)", "u1(u1, u1)", "f8(f8, f8)"])
def floordiv(a, b):
    return a // b


@cuda.vectorize(["b1(f8, f8)"])
def greater(a, b):
    return a > b


def hypot_kernel(x, y):
    return math.hypot(x, y)


ufunc_functions = {
    "saxpy": saxpy.py_func,
    "floordiv": floordiv.py_func,
    "greater": greater.py_func,
    "hypot_kernel": hypot_kernel,
}


def test_host_arrays_in_host_array_out():
    x = np.arange(5.0)
    y = np.ones(5)
    result = saxpy(2.0, x, y)
    assert isinstance(result, np.ndarray) and result.dtype == np.float64
    np.testing.assert_array_equal(result, 2.0 * x + y)
    # Two inputs copied in, the result out; the scalar travels as a kernel parameter.
    assert FakeMemory.copies == {"htod": 2, "dtoh": 1}


def test_signature_selection():
    f4 = np.arange(4, dtype=np.float32)
    result = saxpy(2.0, f4, f4)  # a Python float fits float32: the f4 kernel
    assert result.dtype == np.float32
    assert saxpy(np.float64(2), f4, f4).dtype == np.float64  # a float64 scalar does not
    assert floordiv(np.arange(4, dtype=np.uint8), 3).dtype == np.uint8
    assert floordiv(np.arange(4, dtype=np.int32), 3).dtype == np.int64  # int32 casts safely
    assert floordiv(7, 2) == 3 and isinstance(floordiv(7, 2), np.int64)
    assert floordiv(7.5, 2) == 3.0
    # uint8 ufunc with a Python int that does not fit uint8: the int64 kernel.
    assert floordiv(np.arange(4, dtype=np.uint8), 300).dtype == np.int64


def test_python_integer_semantics_are_kept():
    a = np.array([-7, 7, -7, 7], np.int64)
    b = np.array([2, -2, -2, 2], np.int64)
    np.testing.assert_array_equal(floordiv(a, b), a // b)


def test_broadcasting_on_the_host():
    x = np.arange(3.0).reshape(3, 1)
    y = np.arange(4.0)
    result = saxpy(0.5, x, y)
    assert result.shape == (3, 4)
    np.testing.assert_array_equal(result, 0.5 * x + y)
    column = saxpy(np.arange(3.0), 1.0, 2.0)  # one array input, the rest scalars
    np.testing.assert_array_equal(column, np.arange(3.0) + 2.0)


def test_non_contiguous_and_other_dtypes_are_copied_contiguously():
    x = np.arange(10.0)[::2]
    y = np.arange(5, dtype=np.int32)  # int32 casts safely to float64
    np.testing.assert_array_equal(saxpy(1.0, x, y), x + y)


def test_scalars_only_give_a_numpy_scalar():
    result = saxpy(2.0, 3.0, 4.0)
    assert result == 10.0 and isinstance(result, np.float64)


def test_empty_arrays():
    result = saxpy(1.0, np.zeros(0), np.zeros(0))
    assert result.shape == (0,) and result.dtype == np.float64


def test_bool_results():
    result = greater(np.array([1.0, 2.0, 3.0]), 2.0)
    assert result.dtype == np.bool_
    np.testing.assert_array_equal(result, [False, False, True])


def test_device_arrays_stay_on_the_device():
    dx = cuda.to_device(np.arange(6.0))
    dy = cuda.to_device(np.ones(6))
    FakeMemory.copies = {"htod": 0, "dtoh": 0}
    result = saxpy(3.0, dx, dy)
    assert isinstance(result, cuda.DeviceNDArray)
    assert FakeMemory.copies == {"htod": 0, "dtoh": 0}
    # Chained calls on device arrays copy nothing either.
    again = saxpy(1.0, result, dy)
    assert FakeMemory.copies == {"htod": 0, "dtoh": 0}
    np.testing.assert_array_equal(again.copy_to_host(), 3.0 * np.arange(6.0) + 2.0)


def test_device_output_with_out():
    dx = cuda.to_device(np.arange(4.0))
    out = cuda.device_array(4)
    returned = saxpy(2.0, dx, dx, out=out)
    assert returned is out
    np.testing.assert_array_equal(out.copy_to_host(), 3.0 * np.arange(4.0))
    with pytest.raises(TypeError, match="out is a device array of float32"):
        saxpy(2.0, dx, dx, out=cuda.device_array(4, np.float32))


def test_host_output_with_out():
    x = np.arange(4.0)
    out = np.empty(4)
    assert saxpy(1.0, x, x, out=out) is out
    np.testing.assert_array_equal(out, 2.0 * x)
    # An out of another dtype is filled with a same-kind cast.
    out32 = np.empty(4, np.float32)
    saxpy(1.0, x, x, out=out32)
    np.testing.assert_array_equal(out32, (2.0 * x).astype(np.float32))
    # out decides the broadcast shape.
    wide = np.empty((2, 4))
    saxpy(1.0, x, 0.0, out=wide)
    np.testing.assert_array_equal(wide, np.broadcast_to(x, (2, 4)))
    with pytest.raises(ValueError, match="does not broadcast"):
        saxpy(1.0, x, x, out=np.empty(3))


def test_device_arrays_must_match_exactly():
    d32 = cuda.to_device(np.arange(3, dtype=np.float32))
    with pytest.raises(TypeError, match="device arrays must have a signature's dtype exactly"):
        floordiv(d32, d32)
    d = cuda.to_device(np.arange(3.0))
    with pytest.raises(ValueError, match="broadcasting happens on the host"):
        saxpy(1.0, d, np.ones((2, 3)))


def test_mixed_host_and_device_inputs_give_a_device_array():
    d = cuda.to_device(np.arange(3.0))
    result = saxpy(1.0, d, np.ones(3))
    assert isinstance(result, cuda.DeviceNDArray)
    np.testing.assert_array_equal(result.copy_to_host(), np.arange(3.0) + 1.0)


def test_device_array_api():
    host = np.arange(12, dtype=np.int16).reshape(3, 4)
    d = cuda.to_device(host)
    assert d.shape == (3, 4) and d.dtype == np.int16 and d.size == 12 and d.ndim == 2
    assert len(d) == 3 and d.nbytes == 24 and d.itemsize == 2 and d.strides == (8, 2)
    assert cuda.to_device(d) is d
    np.testing.assert_array_equal(d.copy_to_host(), host)
    out = np.empty((3, 4), np.int16)
    assert d.copy_to_host(out) is out
    np.testing.assert_array_equal(out, host)
    strided = np.empty((3, 8), np.int16)[:, ::2]
    d.copy_to_host(strided)
    np.testing.assert_array_equal(strided, host)
    with pytest.raises(ValueError, match="cannot copy"):
        d.copy_to_host(np.empty(12, np.int32))
    np.testing.assert_array_equal(d.reshape(4, 3).copy_to_host(), host.reshape(4, 3))
    np.testing.assert_array_equal(d.reshape(-1).copy_to_host(), host.ravel())
    assert d.ravel().shape == (12,)
    with pytest.raises(ValueError, match="cannot reshape"):
        d.reshape(5, 2)
    interface = d.__cuda_array_interface__
    assert interface["shape"] == (3, 4) and interface["typestr"] == "<i2"
    assert interface["version"] == 3 and interface["strides"] is None
    zero_d = cuda.to_device(np.float32(1.5))
    assert zero_d.shape == () and zero_d.copy_to_host()[()] == np.float32(1.5)
    with pytest.raises(TypeError, match="unsized"):
        len(zero_d)
    empty = cuda.device_array((2, 3), np.float32)
    np.testing.assert_array_equal(empty.copy_to_host(), np.zeros((2, 3), np.float32))
    assert cuda.device_array_like(host).shape == (3, 4)
    with pytest.raises(TypeError, match="device arrays hold"):
        cuda.device_array(3, object)
    swapped = cuda.to_device(np.arange(3, dtype=">f8"))
    assert swapped.dtype == np.float64
    np.testing.assert_array_equal(swapped.copy_to_host(), np.arange(3.0))


def test_lazy_ufunc_on_the_emulated_device():
    lazy = cuda.vectorize(hypot_kernel)
    result = lazy(np.array([3.0, 5.0]), np.array([4.0, 12.0]))
    np.testing.assert_array_equal(result, [5.0, 13.0])
    lazy(np.array([3.0]), np.array([4.0]))
    assert lazy.signatures == ["float64(float64, float64)"]
