"""`try` around calls of other jitted functions (issue 10, item 10): an exception raised in a
callee (or deeper) is caught by the caller's `except` clause that matches its class (built-in
classes and their bases, user-defined classes, `Exception`, bare `except`), with `else` and
`finally`; bare `raise` and `raise e` (`except ... as e`) re-raise what was caught, whether it
came from a callee or from the function itself. Compared with CPython (``check``)."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit

from diff import check


class ShapeError(ValueError):
    pass


@jit(boundscheck=True)
def pick(a, i):
    if i == -99:
        raise ShapeError("special index")
    if a[i] < 0:
        raise ValueError(f"negative at {i}")
    return a[i]


@jit
def middle(a, i):
    return pick(a, i) * 2.0


@jit
def guarded(a, i):
    log = 0
    try:
        v = middle(a, i)
    except ShapeError:
        v = -3.0
        log += 1
    except (IndexError, KeyError):
        v = -2.0
        log += 2
    except ValueError:
        v = -1.0
        log += 4
    else:
        log += 10
    finally:
        log += 100
    return v, log


@jit
def catch_all(a, i):
    try:
        v = pick(a, i)
    except Exception:
        v = 0.0
    return v


@jit
def bare_except(a, i):
    try:
        v = pick(a, i)
    except:  # noqa: E722
        v = 0.5
    return v


@jit
def reraise_named(a, i):
    seen = 0
    try:
        v = pick(a, i)
    except ValueError as e:
        seen += 1
        raise e
    return v + seen


@jit
def reraise_bare_local(x):
    try:
        if x < 0:
            raise ValueError("local")
        y = x * 2
    except ValueError:
        raise
    return y


@jit
def nested_tries(a, i):
    try:
        try:
            v = middle(a, i)
        except ShapeError:
            v = -3.0
    except IndexError:
        v = -2.0
    return v


@jit
def in_loop(a, idx):
    total = 0.0
    misses = 0
    for k in range(idx.shape[0]):
        try:
            total += pick(a, idx[k])
        except IndexError:
            misses += 1
            continue
        except ValueError:
            break
    return total, misses


A = np.array([1.0, 2.0, -1.0])


def test_callee_exceptions_are_caught_by_class():
    for i in [0, 1, 2, 7, -99]:
        check(guarded, A, i)


def test_catch_all_and_bare_except():
    for i in [1, 2, 9]:
        check(catch_all, A, i)
        check(bare_except, A, i)


def test_reraise():
    for i in [0, 2, -99, 9]:
        check(reraise_named, A, i)
    check(reraise_bare_local, 3)
    check(reraise_bare_local, -3)
    with pytest.raises(ShapeError, match="special index"):
        reraise_named(A, -99)


def test_nested_and_in_loops():
    for i in [0, -99, 5, 2]:
        check(nested_tries, A, i)
    check(in_loop, A, np.array([0, 9, 1, 2, 0]))
    check(in_loop, A, np.array([9, 9]))


@jit(parallel=True)
def try_in_prange(a):
    s = 0.0
    for i in ferrojit.prange(a.shape[0]):
        try:
            s += pick(a, i)
        except ValueError:
            s += 0.0
    return s


def test_try_inside_prange():
    check(try_in_prange, A)
    check(try_in_prange, np.array([1.0, -2.0, 3.0, -4.0] * 10))


def test_prange_inside_try_still_refused():
    @jit(parallel=True)
    def loop_in_try(a):
        s = 0.0
        try:
            for i in ferrojit.prange(a.shape[0]):
                s += a[i]
        except ValueError:
            s = -1.0
        return s

    with pytest.raises(ferrojit.UnsupportedError, match="prange"):
        loop_in_try(A)
