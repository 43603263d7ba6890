"""Argmin/argmax loops through the loop vectorizer (issue 12): `if a[i] < best: best = a[i];
k = i` and `np.argmin`/`np.argmax` give CPython's and NumPy's positions exactly — the first of
equal elements (also `0.0` against `-0.0`), NaN never replacing under a plain comparison and
the first NaN winning under NumPy's rule — for every length around the vector width, arrays of
ties and of one repeated value, strided views (the stride check falls back to the scalar loop),
and loops that start elsewhere than 0 or keep an offset position."""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

LENGTHS = [1, 2, 3, 5, 6, 7, 8, 12, 13, 14, 19, 25, 64, 101]
FLOAT_POOLS = [
    [0.0, -0.0, 1.0, -1.0],
    [0.0, -0.0, 1.0, np.nan, np.inf, -np.inf],
    [2.5],
    [np.nan, 1.0],
    [np.nan],
]
INT_POOLS = [[0, 1, -1], [7], [np.iinfo(np.int64).min, np.iinfo(np.int64).max, 0], [3, 3, 2]]


@jit
def argmin_loop(a):
    best = a[0]
    k = 0
    for i in range(1, a.shape[0]):
        if a[i] < best:
            best = a[i]
            k = i
    return k


@jit
def argmax_loop(a):
    best = a[0]
    k = 0
    for i in range(1, a.shape[0]):
        if a[i] > best:
            best = a[i]
            k = i
    return k


@jit
def argmax_mirrored(a):
    # The comparison written the other way round, returning both.
    best = a[0]
    k = 0
    for i in range(a.shape[0]):
        if best < a[i]:
            best = a[i]
            k = i
    return best, k


@jit
def argmin_from(a, start, shift):
    best = a[start]
    k = -1
    for i in range(start, a.shape[0]):
        if a[i] < best:
            best = a[i]
            k = i + shift
    return k


@jit
def argmin_last_of_equal(a):
    # `<=` keeps the last of equal elements: refused by the vectorizer, still correct.
    best = a[0]
    k = 0
    for i in range(a.shape[0]):
        if a[i] <= best:
            best = a[i]
            k = i
    return k


@jit
def argmax_and_count(a):
    # An argmax and a count in one loop: each keeps its own vector accumulators.
    best = a[0]
    k = 0
    c = 0
    for i in range(a.shape[0]):
        if a[i] > best:
            best = a[i]
            k = i
        if a[i] < 0.5:
            c += 1
    return k, c


@jit
def np_argmin(a):
    return np.argmin(a)


@jit
def np_argmax(a):
    return np.argmax(a)


def arrays(pools, dtype, seed):
    rng = np.random.default_rng(seed)
    for n in LENGTHS:
        for pool in pools:
            yield rng.choice(np.array(pool, dtype=dtype), n)


@pytest.mark.parametrize(
    "fn", [argmin_loop, argmax_loop, argmax_mirrored, argmin_last_of_equal, argmax_and_count]
)
def test_loops_match_cpython(fn):
    for a in arrays(FLOAT_POOLS, np.float64, 1):
        check(fn, a)
        check(fn, a[::2])
    for a in arrays(INT_POOLS, np.int64, 2):
        check(fn, a)
        if a.shape[0] > 1:
            check(fn, a[1::3])


def test_start_and_shifted_position():
    for a in arrays(FLOAT_POOLS[:2], np.float64, 3):
        for start in {0, 1, a.shape[0] // 2, a.shape[0] - 1} & set(range(a.shape[0])):
            check(argmin_from, a, start, 0)
            check(argmin_from, a, start, 1000)


@pytest.mark.parametrize("fn,ref", [(np_argmin, np.argmin), (np_argmax, np.argmax)])
def test_numpy_functions_match_numpy(fn, ref):
    for a in arrays(FLOAT_POOLS, np.float64, 4):
        assert fn(a) == ref(a)
        assert fn(a[::-1]) == ref(a[::-1])
    for a in arrays(INT_POOLS, np.int64, 5):
        assert fn(a) == ref(a)
    # Other dtypes take the scalar loop.
    for a in arrays([[1, 2, 2, 0]], np.int32, 6):
        assert fn(a) == ref(a)


def test_large_random_arrays():
    rng = np.random.default_rng(7)
    ints = rng.integers(-1000, 1000, 10_001)
    floats = rng.random(10_001)
    floats[5000] = np.nan
    for fn in (argmin_loop, argmax_loop):
        check(fn, ints)
        check(fn, floats)
    assert np_argmax(floats) == 5000 == np.argmax(floats)
    assert np_argmin(ints) == np.argmin(ints)
