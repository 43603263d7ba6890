"""The extension API: register_jitable and @overload (typed implementations chosen by
argument types), with differential checks against CPython."""

import math

import numpy as np
import pytest

from diff import check
from ferrojit import float64, int64, njit
from ferrojit.errors import TypingError
from ferrojit.extending import overload, overload_method, register_jitable


@register_jitable
def clamp(x, lo, hi):
    return min(max(x, lo), hi)


def rms(a):
    """A "third-party" function: ferrojit cannot compile its NumPy-heavy body as it is."""
    if isinstance(a, np.ndarray):
        return float(np.sqrt(np.mean(np.square(a))))
    return float(abs(a))


@overload(rms)
def rms_typer(a):
    if str(a).startswith("array(float64, 1d"):
        def rms_array(a):
            s = 0.0
            for x in a:
                s += x * x
            return math.sqrt(s / a.shape[0])

        return rms_array
    if a in (float64, int64):
        def rms_number(a):
            return abs(a) * 1.0

        return rms_number
    return None


def scale_by(a, k):
    raise AssertionError("never called from compiled code")


@overload(scale_by, jit_options={"boundscheck": True})
def scale_by_typer(a, k):
    factor = 2.0  # captured by the implementation (a closure)

    def impl(a, k):
        out = np.empty_like(a)
        for i in range(a.shape[0]):
            out[i] = a[i] * k * factor
        return out

    return impl


@njit
def uses_both(a, x):
    return clamp(x, 0.0, 1.0) + rms(a)


@njit
def rms_of(x):
    return rms(x)


@njit
def scaled(a, k):
    return scale_by(a, k)


def test_register_jitable_works_in_python_and_compiled_code():
    assert clamp(5, 0, 1) == 1
    check(uses_both, np.array([3.0, 4.0]), 7.0)
    check(uses_both, np.array([1.0, -2.0, 0.5]), 0.25)


def test_overload_chooses_by_argument_types():
    check(rms_of, np.array([3.0, 4.0]), rtol=1e-15)
    check(rms_of, -2.5)
    check(rms_of, 7)
    assert rms_of(np.array([3.0, 4.0])) == pytest.approx(rms(np.array([3.0, 4.0])))
    got = scaled(np.arange(3.0), 1.5)
    np.testing.assert_array_equal(got, np.arange(3.0) * 3.0)


def test_no_implementation_is_a_typing_error_at_the_call():
    with pytest.raises(TypingError, match=r"no implementation of rms\(\) for argument types \(bool\)") as info:
        rms_of(True)
    assert "return rms(x)" in str(info.value)


def test_overload_method_says_it_is_not_supported():
    with pytest.raises(NotImplementedError, match="overload_method"):
        overload_method(object, "norm")


def test_python_callers_keep_the_original():
    assert rms(np.array([3.0, 4.0])) == pytest.approx(math.sqrt(12.5))
    with pytest.raises(AssertionError):
        scale_by(np.zeros(2), 1.0)
