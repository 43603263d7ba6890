"""Optional numbers (issue 10, item 10): `None` as a value, a function returning `None` on one
path and a number on another, `is None` / `is not None` tests, the value used after such a
test, a run-time `TypeError` where it is used while None, and jitted callers receiving the
optional. Results are compared with CPython running the same source (``check``)."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit

from diff import check


@jit
def find(a, v):
    for i in range(a.shape[0]):
        if a[i] == v:
            return i
    return None


@jit
def index_or_minus_one(a, v):
    r = find(a, v)
    if r is None:
        return -1
    return r * 10


@jit
def positive_part(x):
    if x > 0:
        return x


@jit
def doubled_plus_one(x):
    y = None
    if x > 0:
        y = x * 2.0
    if y is not None:
        return y + 1.0
    return 0.0


@jit
def smallest_positive(a):
    best = None
    for i in range(a.shape[0]):
        if a[i] > 0 and (best is None or a[i] < best):
            best = a[i]
    return best


@jit
def used_while_none(x):
    y = None
    if x > 0:
        y = x
    return y + 1


@jit
def copied(x):
    y = None
    if x:
        y = True
    z = y
    return z is not None, z


@jit
def identity(r):
    return r


@jit
def passes_the_optional(a, v):
    r = find(a, v)
    return identity(r), r is None


def test_optional_return_to_python():
    a = np.array([3.0, 5.0, 7.0])
    assert check(find, a, 5.0) == 1
    assert check(find, a, 4.0) is None
    assert check(positive_part, 2.5) == 2.5
    assert check(positive_part, -1.0) is None


def test_jitted_caller_tests_the_optional():
    a = np.array([3.0, 5.0, 7.0])
    assert check(index_or_minus_one, a, 7.0) == 20
    assert check(index_or_minus_one, a, 1.0) == -1


def test_optional_passed_to_a_jitted_function():
    a = np.array([3.0, 5.0, 7.0])
    assert check(passes_the_optional, a, 5.0) == (1, False)
    assert check(passes_the_optional, a, 4.0) == (None, True)


def test_variable_assigned_none_and_a_number():
    assert check(doubled_plus_one, 2.0) == 5.0
    assert check(doubled_plus_one, -2.0) == 0.0
    check(smallest_positive, np.array([3.0, -1.0, 2.0, 5.0]))
    assert check(smallest_positive, np.array([-3.0, -1.0])) is None
    check(copied, 1)
    check(copied, 0)


def test_using_none_as_a_number_raises_type_error():
    assert check(used_while_none, 3) == 4
    check(used_while_none, -3)  # TypeError in both
    with pytest.raises(TypeError, match="expected int64, got None"):
        used_while_none(-3)


def test_optional_arrays_are_returned_as_the_array_or_none():
    # (More in test_optional_containers.py.)
    @jit
    def maybe_array(a, flag):
        if flag:
            return a
        return None

    a = np.zeros(2)
    assert maybe_array(a, True) is a
    assert maybe_array(a, False) is None


def test_optional_lists_stay_a_compile_error():
    @jit
    def maybe_list(n):
        if n > 0:
            return [n]
        return None

    with pytest.raises(ferrojit.CompileError, match="returns both"):
        maybe_list(1)


def test_optional_call_result_used_as_a_number_is_a_compile_error():
    @jit
    def direct(a, v):
        return find(a, v) + 1

    with pytest.raises(ferrojit.CompileError, match="OptionalType\\(int64\\)"):
        direct(np.zeros(2), 1.0)
