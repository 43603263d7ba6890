"""Set algebra and bulk dict operations (issue 10, items 3-4): `|`, `&`, `-`, `^` of sets and
`union`, `intersection`, `difference`, `symmetric_difference`, `update`, `difference_update`,
`intersection_update`, `issubset`, `issuperset`, `isdisjoint`; `dict.update`, `del d[k]`
(`KeyError` when absent) and `del xs[i]`. Compared with CPython (``check``)."""

import numpy as np

from ferrojit import jit

from diff import check


@jit
def operators(n):
    a = {i for i in range(n)}
    b = {i * 2 for i in range(n)}
    return a | b, a & b, a - b, a ^ b, b - a, len(a | b)


@jit
def methods(n):
    a = {i for i in range(n)}
    b = {i * 2 for i in range(n)}
    return (a.union(b), a.intersection(b), a.difference(b), a.symmetric_difference(b),
            {1, 2}.issubset(a), a.issuperset({1, 2}), a.isdisjoint({100}), a.isdisjoint(b))


@jit
def in_place(n):
    a = {i for i in range(n)}
    b = {i * 2 for i in range(n)}
    m = a.copy()
    m.update(b)
    k = a.copy()
    k.difference_update(b)
    q = a.copy()
    q.intersection_update(b)
    return m, k, q


@jit
def words(text):
    seen = set()
    repeated = set()
    for w in text.split():
        if w in seen:
            repeated.add(w)
        seen.add(w)
    return seen - repeated, repeated, seen | {"extra"}


@jit
def dict_updates(n):
    d = {i: i * 1.5 for i in range(n)}
    del d[1]
    other = {10: 0.5, 0: 9.0}
    d.update(other)
    first = d.setdefault(20, 2.0)
    c = d.copy()
    del c[0]
    xs = [1, 2, 3, 4]
    del xs[1]
    del xs[-1]
    return d, first, c, xs


@jit
def delete_missing(d, k):
    del d[k]
    return len(d)


def test_set_operators_and_methods():
    for n in [0, 1, 5]:
        check(operators, n)
        check(methods, n)
        check(in_place, n)


def test_sets_of_strings():
    check(words, "a b a c b d")


def test_dict_update_and_del():
    check(dict_updates, 4)
    check(delete_missing, {1: 2.0, 3: 4.0}, 3)
    check(delete_missing, {1: 2.0}, 99)  # KeyError in both
