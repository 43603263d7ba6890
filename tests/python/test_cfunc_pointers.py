"""``@cfunc`` pointer parameters (``CPointer(dtype)``, ``voidptr``): loads and stores through a
pointer to a NumPy buffer from ctypes, and ``scipy.ndimage.generic_filter`` callbacks through
``LowLevelCallable`` where SciPy is installed."""

import ctypes

import numpy as np
import pytest

from ferrojit import cfunc
from ferrojit.errors import TypingError
from ferrojit.types import CPointer, float32, float64, int32, int64, intc, intp, voidptr


def as_pointer(array, ctype):
    return array.ctypes.data_as(ctypes.POINTER(ctype))


@cfunc(intc(CPointer(float64), intp, CPointer(float64), voidptr))
def window_mean(values, n, result, user_data):
    total = 0.0
    for i in range(n):
        total += values[i]
    result[0] = total / n
    return 1


@cfunc("intc(CPointer(float64), intp, CPointer(float64), voidptr)")
def window_range(values, n, result, user_data):
    lo = values[0]
    hi = values[0]
    for i in range(1, n):
        lo = min(lo, values[i])
        hi = max(hi, values[i])
    result[0] = hi - lo
    return 1


@cfunc("void(CPointer(int32), int64)")
def add_ten(p, n):
    for i in range(n):
        p[i] += 10


@cfunc(float32(CPointer(float32), int32))
def last_float32(p, n):
    return p[n - 1]


def test_signature_texts_and_ctypes_prototype():
    assert window_mean.c_signature == (
        "int32",
        ("CPointer(float64)", "int64", "CPointer(float64)", "voidptr"),
    )
    assert window_range.c_signature == window_mean.c_signature
    assert window_mean.ctypes.argtypes[0] is ctypes.POINTER(ctypes.c_double)
    assert window_mean.ctypes.argtypes[3] is ctypes.c_void_p


def test_load_and_store_through_a_numpy_buffer():
    values = np.array([1.0, 2.5, -4.0, 8.25])
    out = np.zeros(1)
    ok = window_mean.ctypes(
        as_pointer(values, ctypes.c_double), len(values), as_pointer(out, ctypes.c_double), None
    )
    assert ok == 1
    assert out[0] == values.mean()


def test_in_place_update_of_int32_elements():
    data = np.arange(5, dtype=np.int32)
    add_ten(as_pointer(data, ctypes.c_int32), 5)
    assert data.tolist() == [10, 11, 12, 13, 14]


def test_float32_elements():
    data = np.array([1.5, 2.25, -3.75], dtype=np.float32)
    assert last_float32(as_pointer(data, ctypes.c_float), 3) == -3.75


def test_voidptr_cannot_be_indexed():
    def f(p):
        return p[0]

    with pytest.raises(TypingError, match="voidptr cannot be indexed"):
        cfunc(float64(voidptr))(f)


def test_pointer_index_must_be_an_integer():
    def f(p):
        return p[0.5]

    with pytest.raises(TypingError, match="pointer index must be an integer"):
        cfunc(float64(CPointer(float64)))(f)


def test_complex_pointers_are_refused():
    with pytest.raises(TypingError, match="C pointer"):
        cfunc("f8(CPointer(complex128))")(lambda p: 0.0)


@pytest.mark.parametrize("callback,python", [(window_mean, np.mean), (window_range, np.ptp)])
def test_scipy_generic_filter(callback, python):
    ndimage = pytest.importorskip("scipy.ndimage", reason="SciPy is not installed")
    from scipy import LowLevelCallable

    image = np.random.default_rng(7).random((9, 11))
    got = ndimage.generic_filter(image, LowLevelCallable(callback.ctypes), size=3)
    expected = ndimage.generic_filter(image, python, size=3)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
