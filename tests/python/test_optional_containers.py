"""Optional arrays, tuples and strings (issue 10, item 10): a variable that is None on one path
and an array / tuple / string on another, `is None` tests on it, functions returning such values
to Python and to jitted callers, and `Optional(...)` parameters of explicit signatures
(`types.Optional(types.float64[:])`, `optional(f8)`, `'Optional(float64[:])'`). Compared with
CPython (``check``)."""

import numpy as np
import pytest

from ferrojit import f8, jit, optional, types

from diff import check


@jit
def maybe_array(n):
    x = None
    if n > 2:
        x = np.arange(n * 1.0)
    if x is None:
        return -1.0
    return x.sum()


@jit
def array_or_none(n):
    if n > 0:
        return np.ones(n)
    return None


@jit
def uses_optional_result(n):
    r = array_or_none(n)
    if r is not None:
        return r.sum()
    return 0.0


@jit
def optional_text(n):
    s = None
    if n:
        s = "yes"
    if s is None:
        return "none"
    return s + "!"


@jit
def optional_pair(n):
    t = None
    if n > 1:
        t = (n, 2.5)
    if t is None:
        return 0.0
    return t[0] + t[1]


@jit
def used_while_none(n):
    x = None
    if n > 0:
        x = np.zeros(n)
    return x[0]


def test_optional_values_on_paths():
    for n in [1, 4]:
        check(maybe_array, n)
    for n in [0, 2]:
        check(array_or_none, n)
    for n in [0, 3]:
        check(uses_optional_result, n)
        check(optional_text, n)
        check(optional_pair, n)


def test_using_none_as_an_array_is_a_type_error():
    check(used_while_none, 2)
    with pytest.raises(TypeError, match="got None"):
        used_while_none(0)


@jit("f8(Optional(float64[:]), optional(f8))")
def from_text(a, s):
    total = 0.0
    if a is not None:
        total += a.sum()
    if s is not None:
        total += s
    return total


@jit(f8(types.Optional(types.float64[:]), optional(types.intp), types.float64[:]))
def from_objects(a, k, b):
    if a is None:
        return b[0] if k is None else b[0] + k
    return a[0] + b[0]


def test_optional_parameters_in_signatures():
    assert from_text(None, None) == 0.0
    assert from_text(np.arange(3.0), None) == 3.0
    assert from_text(None, 2.0) == 2.0
    assert from_text(np.arange(3.0), 1) == 4.0
    b = np.array([10.0])
    assert from_objects(None, None, b) == 10.0
    assert from_objects(None, 2, b) == 12.0
    assert from_objects(np.array([1.0]), None, b) == 11.0
    with pytest.raises(TypeError, match="No matching definition"):
        from_text("no", None)
