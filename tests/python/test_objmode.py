"""`with objmode(...)` blocks (issue 10, item 13): the block runs in the interpreter with the
GIL held, reading the function's variables (numbers, arrays, tuples, strings) and handing back
the declared outputs, checked and converted; inside loops, in callees, with type objects or
signature strings; Python exceptions raised in the block propagate; prange, `try` bodies and
ahead-of-time builds refuse it clearly. Results are compared with CPython (``check``)."""

import numpy as np
import pytest

import ferrojit
import ferrojit as numba
from ferrojit import errors, float64, jit, objmode, types

from diff import check

CALLS = []


def python_only(x, label):
    """Something compiled code cannot do: keep Python objects around."""
    CALLS.append((label, x))
    return {"x": x}["x"] * 2.0


@jit
def loop_with_block(x, n):
    acc = 0.0
    for i in range(n):
        with objmode(y="f8", z="int64[:]"):
            y = python_only(x, "loop") + i
            z = np.arange(i + 2)
        acc += y + z.sum()
    return acc


@jit
def strings_and_tuples(a, name):
    with numba.objmode(s=types.float64, t="unicode_type", pair="Tuple(f8, i8)"):
        s = float(a.sum())
        t = f"{name}: {s:.2f}"
        pair = (s, len(t))
    return s, t, pair, len(t)


@jit
def arrays_out(a, n):
    with objmode(b="float64[:, ::1]", k="i4", flags=types.boolean[:]):
        b = np.ones((n, 2)) * a[0]
        k = 7
        flags = a > 5
    a[0] = 99.0
    return b, k, flags


@jit
def writes_through_view(a):
    with objmode():
        a[1] = -1.0
    return a.sum()


@jit
def callee_with_block(x):
    with objmode(y=float64, z=types.int64[::1], w=numba.types.float64[:, :]):
        y = x * 3
        z = np.arange(3)
        w = np.eye(2)
    return y + z[2] + w[1, 1]


@jit
def calls_block(x):
    return callee_with_block(x) + 1


def test_block_in_loop():
    CALLS.clear()
    check(loop_with_block, 1.5, 3)
    assert [c[0] for c in CALLS] == ["loop"] * 6  # CPython's run, then the compiled one


def test_strings_and_tuples():
    check(strings_and_tuples, np.arange(3.0), "row")


def test_arrays_are_copied_out_and_shared_in():
    check(arrays_out, np.arange(3.0) + 5, 2)
    check(writes_through_view, np.arange(3.0))


def test_blocks_in_callees_and_type_objects():
    check(calls_block, 2.0)


@jit
def declared_float_given_str(x):
    with objmode(y="f8"):
        y = "no"
    return y


@jit
def declared_vector_given_matrix(n):
    with objmode(b="float64[:]"):
        b = np.ones((n, 2))
    return b


def test_wrong_output_type_is_a_type_error_naming_the_variable():
    with pytest.raises(TypeError, match="objmode output 'y' is declared float64.*str"):
        declared_float_given_str(1.0)
    with pytest.raises(TypeError, match="objmode output 'b'.*2d"):
        declared_vector_given_matrix(2)


@jit
def raises_in_block(x):
    with objmode(y="f8"):
        y = x
        if x > 0:
            raise KeyError("boom")
    return y


def test_python_exceptions_propagate():
    check(raises_in_block, -1.0)
    check(raises_in_block, 1.0)
    with pytest.raises(KeyError, match="boom") as info:
        raises_in_block(2.0)
    # The traceback shows the block's own line.
    assert any(entry.name == "objmode_block" for entry in info.traceback)


@jit(parallel=True)
def in_prange(n):
    s = 0.0
    for i in ferrojit.prange(n):
        with objmode(y="f8"):
            y = 1.0
        s += y
    return s


@jit
def in_try(n):
    try:
        with objmode(y="f8"):
            y = 1.0
    except ValueError:
        y = 2.0
    return y


@jit
def as_target(n):
    with objmode(y="f8") as m:
        y = 1.0
    return y


def test_refused_where_it_cannot_work():
    with pytest.raises(errors.UnsupportedError, match="prange"):
        in_prange(3)
    with pytest.raises(errors.UnsupportedError, match="try"):
        in_try(3)
    with pytest.raises(errors.UnsupportedError, match="as name"):
        as_target(3)


@jit(cache=True)
def cached_block(x):
    with objmode(y="f8"):
        y = x + 0.5
    return y


def test_cache_true_compiles_in_memory():
    assert cached_block(1.0) == 1.5
