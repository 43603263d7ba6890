"""`*args` unpacking at call sites (`f(x, *args)`), issue 10: a starred tuple argument passes
the tuple's items as positional arguments, to jitted functions, function values and builtins."""

import numpy as np
import pytest

from diff import check
import ferrojit
from ferrojit import njit


@njit
def poly(x, p, q):
    return x * x * p - q


@njit
def bisect(f, a, b, args=(), xtol=1e-12, maxiter=200):
    fa = f(a, *args)
    for _ in range(maxiter):
        m = 0.5 * (a + b)
        fm = f(m, *args)
        if fm * fa > 0:
            a = m
            fa = fm
        else:
            b = m
        if b - a < xtol:
            break
    return 0.5 * (a + b)


@njit
def unary(x):
    return x * 2.0 + 1.0


def test_quantecon_bisect_with_args():
    check(bisect, poly, 0.0, 3.0, (2.0, 3))


def test_quantecon_bisect_default_empty_args():
    @njit
    def caller():
        return bisect(unary, -3.0, 3.0)

    check(caller)
    check(bisect, unary, -3.0, 3.0, ())


def test_heterogeneous_tuple_to_jitted_function():
    @njit
    def add3(a, b, c):
        return a + b * c

    @njit
    def f(t):
        return add3(*t)

    check(f, (1, 2.5, 3))


def test_unituple_and_mixed_positions():
    @njit
    def add4(a, b, c, d):
        return a - b + 10 * c - d

    @njit
    def f(x, y):
        t = (x, y)
        return add4(1, *t, 7) + add4(*t, *t)

    check(f, 3, 4)


def test_forwarding_varargs_parameter():
    @njit
    def h(x, *args):
        return poly(x, *args)

    @njit
    def g(x):
        return h(x, 2.0, 1)

    check(g, 1.5)


def test_starred_tuple_literal_and_builtin():
    @njit
    def f(a, b):
        t = (a, b)
        return max(*t) + min(*(a, b)) + abs(*(a,))

    check(f, -3, 5)
    check(f, 2.5, -1.0)


def test_starred_into_numpy_function():
    @njit
    def f(n):
        shape = (n, 3)
        return np.zeros(shape).sum() + np.arctan2(*(1.0, 2.0))

    check(f, 2)


def test_starred_list_is_a_clear_error():
    @njit
    def f(a, b):
        xs = [a, b]
        return poly(1.0, *xs)

    with pytest.raises(ferrojit.UnsupportedError, match=r"needs a tuple"):
        f(1.0, 2.0)


def test_starred_call_result_is_a_clear_error():
    @njit
    def pair():
        return 2.0, 1.0

    @njit
    def f():
        return poly(1.0, *pair())

    with pytest.raises(ferrojit.UnsupportedError, match=r"takes a variable or a tuple literal"):
        f()


def test_default_empty_args_from_python():
    check(bisect, unary, -3.0, 3.0)


def test_starred_range_and_recursion():
    @njit
    def r(n):
        t = (1, n, 2)
        s = 0
        for i in range(*t):
            s += i
        return s

    @njit
    def rec(n, *args):
        if n == 0:
            return args[0] - args[1]
        return rec(n - 1, *args)

    check(r, 9)
    check(rec, 3, 2.5, 1)


def test_starred_array_is_a_clear_error():
    @njit
    def f(a):
        return poly(1.0, *a)

    with pytest.raises(ferrojit.UnsupportedError, match=r"needs a tuple, not array"):
        f(np.ones(2))


def test_starred_with_keywords_and_defaults():
    @njit
    def dist(x, y, p=2.0, eps=1e-8):
        return (abs(x - y) ** p + eps) ** (1.0 / p)

    @njit
    def f(x, y):
        t = (x, y)
        return dist(*t) + dist(*t, eps=0.5) + dist(*(x,), y, p=1.0)

    check(f, 1.5, -2.0)
