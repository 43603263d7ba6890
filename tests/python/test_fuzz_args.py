"""Fuzzing the argument-typing path: random Python values -- deep and wide tuples, NumPy
arrays of odd dtypes (float16, object, datetime64, strings, records, byte-swapped), read-only,
broadcast, zero-size, 0-d, strided and Fortran-ordered arrays, huge ints, NumPy scalars, and
things compiled code never takes (lists, dicts, str) -- given to ``ferrojit.typeof`` and to
jitted functions that return a constant, echo the value, or write into it.

Each call must either work (the echo returns an equal value; a write lands only in writeable
arrays) or raise a user error: ``TypeError``/``ValueError``/``OverflowError`` or a compile error
other than ``InternalError``. A crash, a hang, an ``InternalError`` or a write into a read-only
array is a bug. ``FERROJIT_FUZZ_CASES`` (default 400) scales it; the seed is fixed.
"""

import os
import random

import numpy as np
import pytest

import ferrojit
from ferrojit.errors import CompileError, InternalError

CASES = int(os.environ.get("FERROJIT_FUZZ_CASES", "400"))
SEED = 20261204

USER_ERRORS = (TypeError, ValueError, OverflowError, CompileError)

ODD_DTYPES = [
    np.float16,
    np.object_,
    "datetime64[s]",
    "U3",
    "S2",
    [("a", "f8"), ("b", "i4")],
    ">f8",
    ">i4",
    np.longdouble,
]
GOOD_DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.int32, np.uint32, np.int64, np.uint64,
               np.float32, np.float64, np.complex64, np.complex128]


def random_array(rng):
    dtype = rng.choice(GOOD_DTYPES) if rng.random() < 0.75 else rng.choice(ODD_DTYPES)
    ndim = rng.choice([0, 1, 1, 2, 3, 33]) if rng.random() < 0.1 else rng.choice([0, 1, 1, 2, 3])
    shape = tuple(rng.choice([0, 1, 2, 3]) for _ in range(ndim)) if ndim <= 32 else (1,) * ndim
    try:
        a = np.zeros(shape, dtype=dtype)
    except (TypeError, ValueError):
        a = np.zeros(3)
    kind = rng.random()
    if kind < 0.15 and a.ndim >= 1:
        a = a[::2]
    elif kind < 0.3 and a.ndim >= 2:
        a = np.asfortranarray(a)
    elif kind < 0.45 and a.size:
        a = np.broadcast_to(a.reshape(-1)[:1], (4,) + a.shape[1:] if a.ndim else (4,))
    elif kind < 0.6:
        a.flags.writeable = False
    return a


def random_value(rng, depth=0):
    r = rng.random()
    if depth < 45 and r < 0.25:
        width = rng.choice([0, 1, 2, 3, 40]) if rng.random() < 0.9 else 300
        if rng.random() < 0.5:
            return tuple(random_value(rng, depth + 1) for _ in range(min(width, 3)))
        return tuple(random_value(rng, depth + 1) for _ in range(width)) if depth < 2 else ()
    if r < 0.45:
        return random_array(rng)
    if r < 0.6:
        return rng.choice([0, -1, 2**63 - 1, -(2**63), 2**63, 2**64 - 1, 2**64, -(2**63) - 1,
                           10**40, True, False])
    if r < 0.7:
        return rng.choice([0.0, -0.0, float("nan"), float("inf"), 1e308, 1 + 2j, complex("nan")])
    if r < 0.8:
        return rng.choice([np.float16(1), np.int8(-3), np.uint64(2**64 - 1), np.longdouble(1),
                           np.datetime64(1, "s"), np.complex64(1j), np.bool_(True), np.str_("x")])
    if r < 0.88:
        return None
    return rng.choice([[1, 2], {"a": 1}, "s", b"b", object(), range(3), slice(1)])


def deep_tuple(depth):
    t = 1.0
    for _ in range(depth):
        t = (t,)
    return t


@ferrojit.jit
def constant(x):
    return 1


@ferrojit.jit
def echo(x):
    return x


@ferrojit.jit
def write_first(a):
    a[0] = 1


def same(a, b):
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and (
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    if a is None:
        return b is None
    if isinstance(a, (float, complex, np.floating, np.complexfloating)) and a != a:
        return b != b
    return a == b


def expect_user_error(call):
    try:
        return True, call()
    except InternalError:
        raise
    except USER_ERRORS:
        return False, None


def one_case(value):
    expect_user_error(lambda: ferrojit.typeof(value))
    ok, result = expect_user_error(lambda: constant(value))
    assert not ok or result == 1
    ok, result = expect_user_error(lambda: echo(value))
    assert not ok or same(value, result), (value, result)
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.size:
        before = value.copy()
        ok, _ = expect_user_error(lambda: write_first(value))
        if not value.flags.writeable:
            assert not ok, "wrote into a read-only array"
            assert same(before, value), "a read-only array changed"


@pytest.mark.parametrize("start", range(0, CASES, 100))
def test_random_arguments_type_or_report(start):
    rng = random.Random(SEED + start)
    for _ in range(min(100, CASES - start)):
        one_case(random_value(rng))


@pytest.mark.parametrize("depth", [31, 32, 33, 1000, 50_000])
def test_deep_tuples(depth):
    one_case(deep_tuple(depth))


def test_wide_tuples():
    one_case(tuple(range(2000)))
    one_case(tuple(np.zeros(2) for _ in range(200)))
