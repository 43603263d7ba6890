"""Whole-array reductions in `prange` loops (`r += t`, `r -= t`, `r *= t` with `r` an array made
before the loop), as Numba's parfors allow: each chunk reduces into a private array and the
private arrays are combined into `r` after the loop. Compared with CPython running the same
loop serially (see diff.py): exactly for integers, to rounding for floats (the chunks add in
another order).
"""

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit, prange

rng = np.random.default_rng(17)


@jit(parallel=True)
def column_sums(a):
    r = np.zeros(a.shape[1])
    for i in prange(a.shape[0]):
        r += a[i]
    return r


@jit(parallel=True)
def products_and_differences(a, start):
    p = np.ones(a.shape[1], dtype=a.dtype)
    d = start.copy()
    for i in prange(a.shape[0]):
        p *= a[i]
        d -= a[i] * 2
    return p, d


@jit(parallel=True)
def outer_products(x):
    n = x.shape[1]
    acc = np.zeros((n, n))
    total = 0.0
    for i in prange(x.shape[0]):
        acc += np.outer(x[i], x[i])
        total += x[i, 0]
    return acc, total


@jit(parallel=True)
def into_a_view(a, out):
    r = out[1]
    for i in prange(a.shape[0]):
        r += a[i] * a[i]


@jit(parallel=True)
def histogram_rows(idx, nbins):
    counts = np.zeros(nbins, dtype=np.int64)
    for i in prange(idx.shape[0]):
        row = np.zeros(nbins, dtype=np.int64)
        row[idx[i]] = 1
        counts += row
    return counts


@pytest.mark.parametrize("rows", [0, 1, 3, 1000])
def test_sum_of_rows(rows):
    check(column_sums, rng.standard_normal((rows, 5)), rtol=1e-12)


def test_integer_sums_are_exact():
    check(column_sums, rng.integers(-1000, 1000, (777, 4)))


def test_products_and_differences():
    a = 1.0 + rng.standard_normal((200, 3)) * 1e-3
    check(products_and_differences, a, np.arange(3.0), rtol=1e-12)
    check(products_and_differences, rng.integers(1, 3, (40, 3)), np.arange(3))


def test_two_dimensional_accumulator():
    check(outer_products, rng.standard_normal((300, 4)), rtol=1e-12)


def test_reduction_into_a_view_writes_through():
    check(into_a_view, rng.standard_normal((100, 3)), np.zeros((2, 3)), rtol=1e-12)


def test_histogram_counts():
    check(histogram_rows, rng.integers(0, 7, 500), 7)


def test_with_one_thread():
    before = ferrojit.get_num_threads()
    ferrojit.set_num_threads(1)
    try:
        check(column_sums, rng.standard_normal((50, 2)), rtol=1e-12)
    finally:
        ferrojit.set_num_threads(before)


def test_min_of_arrays_is_a_compile_error():
    @jit(parallel=True)
    def f(a):
        r = np.zeros(a.shape[1])
        for i in prange(a.shape[0]):
            r = np.minimum(r, a[i])
        return r

    with pytest.raises(ferrojit.UnsupportedError):
        f(np.ones((3, 2)))
