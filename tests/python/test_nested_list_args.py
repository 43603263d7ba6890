"""Lists of arrays and lists of lists passed in from Python (issue 10, item 3): reflected like
flat lists (item changes, appends and pops written back into the caller's lists, the inner lists
too; array items shared, so element writes are seen at once), and returned. Compared with
CPython (``check``)."""

import numpy as np

from ferrojit import jit, prange

from diff import check


@jit
def rows_total(rows):
    total = 0.0
    for r in rows:
        total += r.sum()
    rows[0][0] = -1.0
    rows.append(np.zeros(2))
    return total, len(rows)


@jit
def grid_ops(g):
    s = 0
    for row in g:
        for v in row:
            s += v
    g[0][1] = 100
    g[1].append(7)
    g.append([9])
    last = g[0].pop()
    return s, g[0], last


@jit
def pick_row(rows, i):
    return rows[i]


@jit
def longest(rows):
    best = rows[0]
    for r in rows:
        if r.shape[0] > best.shape[0]:
            best = r
    return best.copy()


@jit(parallel=True)
def parallel_norms(rows):
    out = np.empty(len(rows))
    for i in prange(len(rows)):
        out[i] = np.sqrt((rows[i] ** 2).sum())
    return out


def test_list_of_arrays_is_reflected():
    check(rows_total, [np.arange(3.0), np.ones(2)])
    rows = [np.arange(3.0), np.ones(2)]
    assert rows_total(rows) == (5.0, 3)
    assert rows[0][0] == -1.0 and len(rows) == 3 and rows[2].tolist() == [0.0, 0.0]


def test_list_of_lists_is_reflected():
    check(grid_ops, [[1, 2], [3, 4, 5]])
    g = [[1, 2], [3, 4, 5]]
    inner = g[1]
    grid_ops(g)
    assert g == [[1], [3, 4, 5, 7], [9]] and inner is g[1]


def test_items_returned_and_read_in_parallel():
    rows = [np.arange(3.0), np.arange(5.0), np.arange(4.0).reshape(2, 2)[0]]
    check(pick_row, rows, 1)
    r = pick_row(rows, 1)
    r[0] = 42.0
    assert rows[1][0] == 42.0  # the same memory
    check(longest, rows)
    check(parallel_norms, rows)
