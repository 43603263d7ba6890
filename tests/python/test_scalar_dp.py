"""Scalar dynamic-programming loops (issue 12) after if-conversion of one-sided stores
(`if d < dist[i, j]: dist[i, j] = d` stores back what it loaded when the condition is false)
and the other scalar rewrites: results and mutated arguments stay CPython's with NaN, infinities,
negative values, ties, empty and one-element inputs, strided views and aliasing."""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

# CPython warns on inf - inf and NaN comparisons; both sides compute the same NaN.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@jit
def floyd_warshall(dist):
    n = dist.shape[0]
    for k in range(n):
        for i in range(n):
            dik = dist[i, k]
            for j in range(n):
                d = dik + dist[k, j]
                if d < dist[i, j]:
                    dist[i, j] = d


@jit
def relax_else(a, b):
    # The store is in the else-arm; int64 elements.
    for i in range(a.shape[0]):
        if a[i] <= b[i]:
            pass
        else:
            a[i] = b[i] + 1


@jit
def running_min_store(a, best):
    # One place, loaded and conditionally stored in every iteration (a value carried through
    # memory: not vectorised, still converted).
    for i in range(a.shape[0]):
        if a[i] < best[0]:
            best[0] = a[i]


@jit
def dtw(s, t, cost):
    n = s.shape[0]
    m = t.shape[0]
    for i in range(n + 1):
        for j in range(m + 1):
            cost[i, j] = np.inf
    cost[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d = abs(s[i - 1] - t[j - 1])
            cost[i, j] = d + min(cost[i - 1, j], cost[i, j - 1], cost[i - 1, j - 1])
    return cost[n, m]


@jit
def lcs_length(x, y, table):
    n = x.shape[0]
    m = y.shape[0]
    for i in range(n + 1):
        table[i, 0] = 0
    for j in range(m + 1):
        table[0, j] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if x[i - 1] == y[j - 1]:
                table[i, j] = table[i - 1, j - 1] + 1
            else:
                table[i, j] = max(table[i - 1, j], table[i, j - 1])
    return table[n, m]


@jit
def levenshtein(x, y, row):
    n = x.shape[0]
    m = y.shape[0]
    for j in range(m + 1):
        row[j] = j
    for i in range(1, n + 1):
        prev = row[0]
        row[0] = i
        for j in range(1, m + 1):
            cur = row[j]
            c = 0 if x[i - 1] == y[j - 1] else 1
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + c)
            prev = cur
    return row[m]


@jit
def max_subarray(a):
    best = a[0] - 0.5
    cur = 0.0
    for i in range(a.shape[0]):
        cur = max(cur + a[i] - 0.5, a[i] - 0.5)
        best = max(best, cur)
    return best


def graph(n, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.random((n, n)) * 10
    g[rng.random((n, n)) < 0.3] = np.inf
    np.fill_diagonal(g, 0.0)
    return g


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 8, 13])
def test_floyd_warshall(n):
    check(floyd_warshall, graph(n, n))
    g = graph(n, n + 1)
    if n > 2:
        g[1, 2] = np.nan
        g[2, 0] = -np.inf
        g[0, 1] = -3.0
    check(floyd_warshall, g)


def test_floyd_warshall_views():
    big = graph(12, 3)
    check(floyd_warshall, big[::2, ::2].copy(order="F"))
    check(floyd_warshall, np.asfortranarray(graph(7, 4)))
    check(floyd_warshall, graph(16, 5)[2:11, 3:12])


def test_one_sided_stores():
    ints = np.array([5, -3, 0, 2**62, -(2**63), 7, 7, 1, -1, 9], dtype=np.int64)
    other = np.array([4, -3, 1, 2**62 - 2, 0, 8, 6, 1, -2, 9], dtype=np.int64)
    check(relax_else, ints, other)
    check(relax_else, ints[::-2], other[::2])
    check(relax_else, ints, ints)  # the same array: never stores
    a = np.array([3.0, np.nan, 1.0, -0.0, 0.0, -np.inf, 2.0])
    check(running_min_store, a, np.array([np.inf]))
    check(running_min_store, a, np.array([np.nan]))
    check(running_min_store, a[1:], a[:1])  # best aliases a's first element


@pytest.mark.parametrize("n,m", [(0, 0), (1, 0), (0, 3), (1, 1), (5, 9), (17, 4)])
def test_dp_kernels(n, m):
    rng = np.random.default_rng(n * 31 + m)
    s, t = rng.standard_normal(n), rng.standard_normal(m)
    if n > 2 and m > 2:
        s[1] = np.nan
        t[2] = np.inf
    check(dtw, s, t, np.zeros((n + 1, m + 1)))
    x, y = rng.integers(0, 3, n), rng.integers(0, 3, m)
    check(lcs_length, x, y, np.zeros((n + 1, m + 1), dtype=np.int64))
    check(levenshtein, x, y, np.zeros(m + 1, dtype=np.int64))
    if n:
        a = rng.standard_normal(n)
        check(max_subarray, a)
        a[n // 2] = np.nan
        check(max_subarray, a)
