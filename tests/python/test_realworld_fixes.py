"""Regression tests for the defects the real-world corpus (test_realworld.py) found:
`~` of a bool array (NumPy's logical not: it was an int array, so `a[~mask]` indexed by
position), storing a tuple into a list of tuples (`heap[0] = last`), `np.signbit` and
`np.euler_gamma`."""

import numpy as np

from ferrojit import jit
from diff import check


def test_invert_of_a_bool_array_is_a_bool_array():
    @jit
    def f(v):
        m = np.isnan(v)
        return ~m, v[~m], v[~np.isnan(v)], ~(v > 2.0)

    v = np.array([0.0, 1.0, np.nan, 3.0, -1.0])
    check(f, v)


def test_rolling_variance_with_a_nan_mask():
    @jit
    def f(values, start, end):
        out = np.empty(len(start))
        for i in range(len(start)):
            window = values[start[i]:end[i]]
            window = window[~np.isnan(window)]
            out[i] = np.var(window)
        return out

    v = np.arange(10.0)
    v[3] = np.nan
    end = np.arange(1, 11)
    check(f, v, np.maximum(end - 3, 0), end)


def test_invert_of_integer_arrays_is_unchanged():
    @jit
    def f(a):
        return ~a

    check(f, np.array([0, 1, -5], dtype=np.int64))
    check(f, np.array([0, 1, 200], dtype=np.uint8))


def test_store_a_tuple_into_a_list_of_tuples():
    @jit
    def f(n):
        heap = [(0.5 * i, i, -i) for i in range(n)]
        last = heap.pop()
        heap[0] = last
        heap[1], heap[2] = heap[2], heap[1]
        return heap

    check(f, 5)


def test_signbit():
    @jit
    def f(x, a):
        return np.signbit(x), np.signbit(a), np.signbit(-3), np.signbit(np.float32(-0.0))

    for x in (1.5, -1.5, 0.0, -0.0, np.inf, -np.inf):
        check(f, x, np.array([-0.0, 0.0, -2.0, 3.0, -np.inf]))


def test_euler_gamma():
    @jit
    def f(n):
        return 2.0 * (np.log(n - 1.0) + np.euler_gamma) - 2.0 * (n - 1.0) / n

    check(f, 37.0)
