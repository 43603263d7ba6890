"""Lists in compiled code: literals, comprehensions, list(), methods, indexing, slicing,
iteration, `in`, lists of numbers / tuples / arrays, returning lists, reflected list arguments,
ferrojit.typed.List, and memory (no leak). Differential against CPython with check()."""

import gc
import resource

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from ferrojit.typed import List
from diff import check


def test_literals_indexing_and_len():
    @jit
    def f(i):
        a = [1.5, 2.5, 3.5, 4.5]
        b = [1, 2, 3]
        return a[i], a[-1], b[-3], len(a), len(b), a, b

    for i in (0, 3, -4, 4, -5):
        check(f, i)


def test_append_pop_insert_extend():
    @jit
    def f(n):
        x = []
        for i in range(n):
            x.append(i * 0.5)
        x.insert(0, -1.0)
        x.insert(-1, 99.0)
        x.insert(1000, 7.0)
        last = x.pop()
        first = x.pop(0)
        x.extend([10.0, 11.0])
        x.extend(np.arange(2.0))
        return x, last, first, len(x)

    check(f, 5)
    check(f, 0)

    @jit
    def pop_empty():
        x = [1]
        x.pop()
        return x.pop()

    check(pop_empty)


def test_numbers_widen_to_one_item_type():
    # A list has one item type: ints and floats mixed are all stored as floats (CPython would
    # keep the ints as ints; Numba would truncate the floats).
    @jit
    def f(n):
        x = [1, 2]
        x.append(n)
        y = []
        y.append(1)
        y.append(2.5)
        return x, y

    assert f(0.5) == ([1.0, 2.0, 0.5], [1.0, 2.5])
    assert all(isinstance(v, float) for v in f(0.5)[0])
    assert f(3) == ([1, 2, 3], [1.0, 2.5])


def test_setitem_and_aug_assign():
    @jit
    def f(n):
        x = [0] * 1 if False else [0, 0, 0]
        for i in range(n):
            x[i % 3] += i
        x[-1] = 100
        return x

    check(f, 7)

    @jit
    def out_of_range(i):
        x = [1, 2]
        x[i] = 5
        return x

    check(out_of_range, 2)
    check(out_of_range, -3)


def test_slicing():
    @jit
    def f(a, b, c):
        x = [0, 1, 2, 3, 4, 5, 6, 7]
        return x[a:b], x[::c], x[a:], x[:b], x[::-1], x[b:a:-1], x[-3:]

    check(f, 2, 6, 2)
    check(f, -5, 100, 3)
    check(f, 0, 0, -1)
    check(f, 1, 2, 0)


def test_iteration_comprehensions_and_in():
    @jit
    def f(n):
        squares = [i * i for i in range(n)]
        evens = [v for v in squares if v % 2 == 0]
        pairs = [(i, j) for i in range(3) for j in range(i)]
        total = 0
        for v in evens:
            total += v
        hits = 0
        for k in range(n * n):
            if k in squares:
                hits += 1
        return squares, evens, pairs, total, hits, 4 in squares, 5 not in squares, 3 in (1, 2, 3)

    check(f, 6)
    check(f, 0)


def test_enumerate_zip_and_sum_over_lists():
    @jit
    def f(xs, ys):
        s = 0.0
        for i, (x, y) in enumerate(zip(xs, ys)):
            s += i * x * y
        return s, sum(xs), max(ys), min(xs)

    check(f, [1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0])


def test_methods_sort_reverse_copy_index_count_clear():
    @jit
    def f(x):
        y = x.copy()
        y.sort()
        z = list(x)
        z.reverse()
        c = x.count(3)
        i = x.index(3)
        w = [1, 2]
        w.clear()
        w.append(9)
        return y, z, c, i, w, x

    check(f, [5, 3, 8, 3, -1])
    check(f, [1.5, 3.0, -2.0])

    @jit
    def missing(x):
        return x.index(42)

    check(missing, [1, 2])


def test_lists_of_tuples_and_arrays():
    @jit
    def tuples(n):
        pts = [(0, 0.5)]
        for i in range(n):
            pts.append((i, i * 1.5))
        s = 0.0
        for a, b in pts:
            s += a * b
        return pts, s, pts[1], pts[-1][1]

    check(tuples, 4)

    @jit
    def arrays(n):
        rows = []
        for i in range(n):
            rows.append(np.arange(3.0) + i)
        total = 0.0
        for r in rows:
            total += r.sum()
        return rows, total, rows[-1][2]

    check(arrays, 3)

    @jit
    def views(a):
        out = []
        for i in range(a.shape[0]):
            out.append(a[i])
        return [r.sum() for r in out]

    check(views, np.arange(12.0).reshape(4, 3))


def test_list_of_lists():
    @jit
    def f(n):
        grid = [[0] * 1 for _ in range(0)]
        for i in range(n):
            row = []
            for j in range(i):
                row.append(j)
            grid.append(row)
        return grid, len(grid[-1]) if n > 0 else -1

    check(f, 4)


def test_reflected_list_arguments():
    @jit
    def mutate(xs):
        xs[0] = xs[-1] * 10
        xs.append(xs[1] + len(xs))
        return sum(xs)

    check(mutate, [1, 2, 3])
    check(mutate, [1.5, 2.5])

    @jit
    def pairs(ps):
        ps.append((ps[0][0] + 1, ps[0][1] * 2.0))
        return len(ps)

    check(pairs, [(1, 2.0)])

    @jit
    def identity(xs):
        xs.pop()
        return xs

    lst = [1, 2, 3]
    assert identity(lst) is lst and lst == [1, 2]


def test_unsupported_list_arguments_are_clear():
    @jit
    def f(xs):
        return len(xs)

    with pytest.raises(ferrojit.TypingError, match="empty list"):
        f([])
    with pytest.raises(ferrojit.TypingError, match="list"):
        f([1, "a"])


def test_empty_list_needs_an_item_type():
    @jit
    def f():
        x = []
        return len(x)

    with pytest.raises(ferrojit.TypingError, match="item type"):
        f()


def test_typed_list():
    @jit
    def build(n):
        lst = List()
        for i in range(n):
            lst.append(i * 2)
        return lst

    out = build(4)
    assert isinstance(out, List) and out == [0, 2, 4, 6]

    @jit
    def fill(lst, n):
        for i in range(n):
            lst.append(i + 0.5)
        return len(lst)

    empty = List.empty_list(ferrojit.float64)
    assert fill(empty, 3) == 3 and empty == [0.5, 1.5, 2.5]
    assert all(isinstance(v, float) for v in empty)

    @jit
    def make_empty():
        lst = List.empty_list(np.int32)
        lst.append(7)
        return lst

    assert make_empty() == [7]
    typed = List([1.0, 2.0])
    check(fill, typed, 2)


def test_lists_readable_in_prange():
    @jit(parallel=True)
    def f(xs, n):
        out = np.zeros(n)
        for i in ferrojit.prange(n):
            out[i] = xs[i % len(xs)] * 2.0
        return out

    check(f, [1.0, 2.0, 3.0], 10)


def test_list_kernels_do_not_leak():
    @jit
    def make(n):
        x = [i * 0.5 for i in range(n)]
        x.append(1.0)
        y = [np.zeros(4) for _ in range(3)]
        return x[-2] + y[0][0]

    for _ in range(1000):
        make(500)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(100_000):
        make(500)
    gc.collect()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # 100,000 calls × 4 kB would be 400 MB if anything leaked; allow allocator noise.
    assert after - before < 50_000, (before, after)

    @jit
    def reflect(xs):
        xs.append(1.0)
        return len(xs)

    lst = [0.0] * 100
    for _ in range(1000):
        reflect(lst)
        lst.pop()
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(100_000):
        reflect(lst)
        lst.pop()
    gc.collect()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 50_000, (before, after)


def test_append_in_place_and_across_growth():
    # `append` stores in place while the item fits the allocation and grows it through the
    # runtime otherwise: many appends (each reallocation), tuples and complex items, and a
    # list passed in from Python (reflected back).
    @jit
    def build(n, xs):
        ints = []
        pairs = [(0, 0.0)]
        zs = [0j]
        for i in range(n):
            ints.append(i * 3)
            pairs.append((i, i * 0.5))
            zs.append(complex(i, -i))
            xs.append(float(i))
        return ints, pairs, zs, len(xs)

    for n in [0, 1, 7, 8, 9, 100, 5000]:
        check(build, n, [1.5, 2.5])
