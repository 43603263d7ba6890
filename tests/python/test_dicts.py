"""Dicts and sets in compiled code: literals, {} / dict() / set() typed by what is stored,
d[k], d[k] = v, get, pop, setdefault, keys/values/items, in, len, iteration, number / str /
tuple keys, sets' add/discard/remove, ferrojit.typed.Dict, returning dicts and sets, and memory.
Differential against CPython with check()."""

import gc
import resource

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from ferrojit.typed import Dict
from diff import assert_same, check


def assert_same_mapping(got, expected):
    assert type(got) is type(expected) and got == expected, (got, expected)
    assert list(got) == list(expected), "insertion order"
    for k in expected:
        assert_same(got[k], expected[k], where=f"[{k!r}]")


def test_counting_and_grouping():
    @jit
    def counts(xs):
        c = {}
        for x in xs:
            c[x] = c.get(x, 0) + 1
        return c

    xs = np.array([3, 1, 3, 2, 3, 1])
    assert_same_mapping(counts(xs), counts.py_func(xs))

    @jit
    def sums(keys, values):
        s = {}
        for i in range(len(keys)):
            k = keys[i]
            if k in s:
                s[k] += values[i]
            else:
                s[k] = values[i]
        out = list(s.keys())
        out.sort()
        return s, len(s), out

    keys, values = np.array([5, 1, 5, 7]), np.array([0.5, 1.5, 2.0, 3.0])
    got, want = sums(keys, values), sums.py_func(keys, values)
    assert_same_mapping(got[0], want[0])
    assert got[1:] == want[1:]


def test_literals_methods_and_iteration():
    @jit
    def f(k):
        d = {"a": 1, "b": 2}
        d["c"] = 3
        total = 0
        for key in d:
            total += d[key]
        items = list(d.items())
        popped = d.pop("a")
        missing = d.pop("zz", -1)
        got = d.get(k, 100)
        d.setdefault("e", 5)
        d.setdefault("b", 50)
        return total, items, popped, missing, got, list(d.keys()), list(d.values()), k in d, len(d)

    check(f, "b")
    check(f, "q")

    @jit
    def key_error(k):
        d = {1: 2.5}
        return d[k]

    check(key_error, 1)
    check(key_error, 2)


def test_tuple_and_float_keys():
    @jit
    def f(n):
        grid = {}
        for i in range(n):
            for j in range(n):
                grid[(i, j)] = i * n + j
        fk = {0.5: 1, -0.0: 2}
        return grid[(1, 2)], (2, 2) in grid, (n, n) in grid, len(grid), fk[0.0], fk[0.5]

    check(f, 3)


def test_values_widen_and_hold_arrays_and_lists():
    @jit
    def f(n):
        d = {1: 1}
        d[2] = 2.5
        rows = {}
        for i in range(n):
            rows[i] = np.arange(3.0) * i
        lists = {}
        for i in range(n):
            lists[i % 2] = [i]
        return d, rows[n - 1].sum(), lists[0]

    got = f(3)
    assert got[0] == {1: 1.0, 2: 2.5} and got[1] == 6.0 and got[2] == [2]


def test_comprehensions():
    @jit
    def f(n):
        squares = {i: i * i for i in range(n) if i != 2}
        pairs = {(i, j): i + j for i in range(3) for j in range(i)}
        mods = {i % 3 for i in range(n)}
        names = {str(i): float(i) for i in range(3)}
        return squares, pairs, mods, names

    check(f, 5)


def test_sets():
    @jit
    def f(xs, y):
        s = set()
        for x in xs:
            s.add(x)
        t = {1, 2, 3}
        t.discard(2)
        t.discard(99)
        u = set(range(4))
        seen = 0
        for v in u:
            seen += v
        return s, t, y in s, y not in t, len(s), seen

    check(f, np.array([1, 5, 1, 7]), 5)

    @jit
    def remove_missing(x):
        s = {1}
        s.remove(x)
        return len(s)

    check(remove_missing, 1)
    check(remove_missing, 3)


def test_typed_dict():
    @jit
    def build(n):
        d = Dict.empty(key_type=np.int64, value_type=np.float64)
        for i in range(n):
            d[i] = i * 0.5
        return d

    out = build(3)
    assert isinstance(out, Dict) and out == {0: 0.0, 1: 0.5, 2: 1.0}


def test_dict_kernels_do_not_leak():
    @jit
    def make(n):
        d = {}
        for i in range(n):
            d[i] = i * 0.5
        s = set(range(10))
        return d[n - 1] + len(s)

    for _ in range(1000):
        make(20)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(100_000):
        make(20)
    gc.collect()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 50_000, (before, after)


def test_dict_and_set_arguments_are_reflected():
    @jit
    def bump(d, k):
        d[k] = d.get(k, 0.0) + 1.0
        return len(d)

    check(bump, {1: 0.5, 2: 1.5}, 2)
    check(bump, {1: 0.5}, 7)

    @jit
    def words(d, s):
        total = 0
        for w in d:
            if w in s:
                total += d[w]
        s.add("new")
        return total

    check(words, {"a": 1, "b": 2}, {"a", "c"})

    @jit
    def fill(d, n):
        for i in range(n):
            d[i] = i * 2.0
        return d

    typed = Dict.empty(key_type=np.int64, value_type=np.float64)
    out = fill(typed, 3)
    assert out is typed and typed == {0: 0.0, 1: 2.0, 2: 4.0}

    with pytest.raises(ferrojit.TypingError, match="empty dict"):
        bump({}, 1)
