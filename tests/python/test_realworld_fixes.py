"""Regression tests for the defects the real-world corpus (test_realworld.py) found:
`~` of a bool array (NumPy's logical not: it was an int array, so `a[~mask]` indexed by
position), storing a tuple into a list of tuples (`heap[0] = last`), `np.signbit` and
`np.euler_gamma`, and a `prange` body's scalar that an inner loop resets and accumulates
(private to the iteration, as in Numba; it was refused as "both reduced and assigned"), and
the builtin `sorted()`; also NumPy's `logical_not`/`logical_and`/`logical_or`/`logical_xor`,
missing beside `~` when a kernel builds masks; `@stencil` kernels called from jitted code; and
the `heapq` module."""

import heapq

import numpy as np
import pytest

import ferrojit

from ferrojit import jit, njit, prange, stencil
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

    @jit
    def g(n):
        rows = [[i, i + 1] for i in range(n)]
        rows[0] = [9, 9, 9]
        names = ["a", "b"]
        names[1] = "zz"
        return rows, names

    check(g, 3)


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


def test_prange_scalar_reset_and_accumulated_in_an_inner_loop_is_private():
    @njit(parallel=True)
    def f(a, m):
        n = a.shape[0] - m + 1
        best = np.full(n, np.inf)
        for i in prange(n):
            for j in range(n):
                if i == j:
                    continue
                d = 0.0
                for k in range(m):
                    d += (a[i + k] - a[j + k]) ** 2
                if d < best[i]:
                    best[i] = d
        return best

    @njit(parallel=True)
    def g(a):
        out = np.empty(a.shape[0])
        for i in prange(a.shape[0]):
            k = 0
            while k < 3:
                s = 0.0
                s += a[i] * k
                k += 1
            out[i] = k
        return out

    check(f, np.arange(12.0) ** 1.5, 3)
    check(g, np.arange(5.0))


def test_sorted():
    @jit
    def f(a, s):
        d = {3: 1.0, 1: 2.0}
        return sorted(a), sorted(s), sorted(d), sorted([3.5, -1.0, 2.0]), sorted(d.values()), sorted((3, 1, 2))

    check(f, np.array([3, 1, 2]), {5, 2, 9})
    check(f, np.array([], dtype=np.int64), {1})


def test_sorted_keywords_are_a_clear_error():
    @jit
    def f(a):
        return sorted(a, reverse=True)

    with pytest.raises(ferrojit.errors.UnsupportedError, match="keyword arguments are not supported in calls to sorted"):
        f(np.arange(3))


def test_logical_functions():
    @jit
    def f(a, b, x):
        return (np.logical_not(a), np.logical_and(a, b), np.logical_or(a > 0, b),
                np.logical_xor(a, b), np.logical_not(x), np.logical_and(x, 0.0),
                np.logical_or(0, 0), np.logical_xor(True, x))

    a = np.array([0.0, 1.0, np.nan, -2.0, 0.0])
    b = np.array([1, 0, 0, 3, 0])
    for x in (0.0, 2.0, np.nan):
        check(f, a, b, x)


@stencil
def _avg(a):
    return 0.25 * (a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0])


@stencil(cval=-1.0)
def _scaled(a, k):
    return k * (a[-1] + a[1])


@stencil(neighborhood=((-2, 2),))
def _window_max(a):
    m = a[-2]
    for d in range(-1, 3):
        m = max(m, a[d])
    return m


@stencil
def _peak(a):
    return a[0] > a[-1] and a[0] >= a[1]


@njit
def _use_stencils(a2, a1, k):
    return _avg(a2), _scaled(a1, k), _window_max(a1), _peak(a1)


@pytest.mark.parametrize("view", [False, True])
def test_stencils_called_from_jitted_code(view):
    a2 = np.arange(20.0).reshape(4, 5) ** 1.3
    a1 = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 4.0, 1.0])
    k = 2.0
    if view:
        a2, a1, k = a2[:, ::2], a1[::2], 3.0
    got = _use_stencils(a2, a1, k)
    expected = (_avg(a2), _scaled(a1, k), _window_max(a1), _peak(a1))
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype and np.array_equal(g, e), (g, e)

    @njit
    def on_ints(a):
        return _window_max(a)

    ints = np.arange(6)
    assert np.array_equal(on_ints(ints), _window_max(ints))


def test_stencil_called_from_jitted_code_on_empty_arrays():
    got = _use_stencils(np.zeros((0, 3)), np.zeros(0), 2.0)
    assert [g.shape for g in got] == [(0, 3), (0,), (0,), (0,)]
    assert got[3].dtype == np.bool_  # the kernel's type (Python's own call falls back to float64)


def test_heapq():
    @njit
    def f(a, k):
        h = [a[0]]
        h.pop()
        for v in a:
            heapq.heappush(h, v)
        first = heapq.heappop(h)
        r = heapq.heapreplace(h, 0.5)
        p = heapq.heappushpop(h, 10.0)
        q = heapq.heappushpop(h, -10.0)
        g = list(a)
        heapq.heapify(g)
        return h, first, r, p, q, g, heapq.nsmallest(k, a), heapq.nlargest(k, a), heapq.nsmallest(-1, a)

    @njit
    def tuples(a):
        h = [(a[0], 0)]
        for i in range(1, a.shape[0]):
            heapq.heappush(h, (a[i], i))
        out = []
        while len(h) > 0:
            out.append(heapq.heappop(h))
        return out

    @njit
    def pop_empty(x):
        h = [x]
        h.pop()
        return heapq.heappop(h)

    a = np.random.default_rng(3).integers(0, 10, 15).astype(np.float64)
    for k in (0, 4, 20):
        check(f, a, k)
    check(tuples, a)
    check(pop_empty, 1.0)
