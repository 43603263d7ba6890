"""The extension API: register_jitable and @overload (typed implementations chosen by
argument types), with differential checks against CPython."""

import math

import numpy as np
import pytest

from diff import check
from ferrojit import float64, int64, njit, types
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


@overload_method("array", "sumsq")
def sumsq_typer(a):
    def impl(a):
        s = 0.0
        for x in a.ravel():
            s += x * x
        return s

    return impl


@overload_method(types.Array, "first")
def first_typer(a):
    def impl(a):
        return a.ravel()[0]

    return impl


@njit
def use_first(a):
    return a.first()


@overload_method(float64[:], "shifted")
def shifted_typer(a, k):
    if k in (float64, int64):
        def impl(a, k):
            return a + k

        return impl
    return None


@njit
def use_methods(a, k):
    return a.sumsq() + a.shifted(k).sum() + a.sum()


@njit
def use_sumsq(m):
    return m.sumsq()


def use_methods_by_hand(a, k):
    return float((a * a).sum() + (a + k).sum() + a.sum())


def test_overload_method_on_arrays():
    a = np.array([1.0, -2.0, 3.5])
    assert use_methods(a, 2.0) == use_methods_by_hand(a, 2.0)
    assert use_methods(a, 3) == use_methods_by_hand(a, 3)
    assert use_sumsq(np.arange(6.0).reshape(2, 3)) == 55.0
    assert use_first(np.array([[7, 8], [9, 10]])) == 7
    # float64[:] restricts the method to 1-d float64 arrays.
    with pytest.raises(TypingError, match="shifted"):
        use_methods(np.arange(3), 1.0)
    with pytest.raises(TypeError, match="array type"):
        overload_method(float64, "nope")


def test_python_callers_keep_the_original():
    assert rms(np.array([3.0, 4.0])) == pytest.approx(math.sqrt(12.5))
    with pytest.raises(AssertionError):
        scale_by(np.zeros(2), 1.0)
