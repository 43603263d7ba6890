"""NumPy's construction and shape functions inside compiled code, differentially against
NumPy (see diff.py): `np.array`/`np.asarray` of tuples (nested) and arrays, `dtype=`,
`np.ascontiguousarray`, `np.concatenate` on any axis, `np.stack`/`vstack`/`hstack`/
`column_stack`, `np.diff`, `np.roll`, `np.outer`, `np.cross`, `np.interp`, `np.expand_dims`,
`np.transpose`/`a.transpose(...)`, `np.array_equal`, `np.allclose`, `a.item()`.
"""

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit

nan, inf = np.nan, np.inf
rng = np.random.default_rng(13)


@jit
def arrays_from_tuples(x, y, n):
    return (np.array((1, 2, 3)), np.array((x, y, 2.5)), np.array(((1, 2), (3, n))),
            np.array((x, n), dtype=np.float32), np.asarray((n, n + 1)),
            np.array(((x, y), (y, x)), np.int64))


def test_array_from_tuples():
    check(arrays_from_tuples, 1.5, -2.0, 7)


@jit
def arrays_from_arrays(a, b):
    return np.array(a), np.array((a, b)), np.asarray(a), np.asarray(a, dtype=np.float32), \
        np.ascontiguousarray(a), np.ascontiguousarray(a.T)


@pytest.mark.parametrize("a", [np.arange(6.0), rng.standard_normal((3, 4)), np.arange(12.0)[::3]])
def test_array_from_arrays(a):
    check(arrays_from_arrays, a, a * 2)


def test_asarray_returns_the_same_array():
    @jit
    def same(a):
        b = np.asarray(a)
        b[0] = 99.0
        return b

    a = np.zeros(3)
    same(a)
    assert a[0] == 99.0


def test_array_of_unequal_arrays_raises():
    check(arrays_from_arrays, np.arange(3.0), np.arange(4.0))


@jit
def joins(a, b):
    return (np.concatenate((a, b), axis=1), np.concatenate((a, b), axis=-1),
            np.concatenate((a, b)), np.stack((a, b)), np.stack((a, b), axis=1),
            np.stack((a, b), axis=-1), np.vstack((a, b)), np.hstack((a, b)),
            np.column_stack((a, b)))


@jit
def joins_1d(a, b):
    return (np.stack((a, b)), np.stack((a, b), axis=1), np.vstack((a, b)), np.hstack((a, b)),
            np.column_stack((a, b)), np.concatenate((a, b), axis=0))


def test_joins():
    check(joins, rng.standard_normal((2, 3)), rng.standard_normal((2, 3)))
    check(joins, np.arange(6).reshape(3, 2), np.arange(6.0).reshape(3, 2).T.copy().T)
    check(joins_1d, np.arange(4.0), np.arange(4) * 3)


def test_join_shape_mismatch():
    check(joins, np.ones((2, 3)), np.ones((3, 3)))


@jit
def diffs(a, n):
    # (np.diff(a, n=0) is `a` itself in NumPy, a copy in ferrojit.)
    return np.diff(a), np.diff(a, n), np.diff(a, n=0).shape


@pytest.mark.parametrize(
    "a", [np.array([1.0, 4.0, 9.0, 16.0, 25.0]), np.array([3, 1, 4, 1, 5], dtype=np.int8),
          rng.standard_normal((3, 4)), np.array([True, False, False, True]), np.arange(2.0)]
)
@pytest.mark.parametrize("n", [1, 2, 7])
def test_diff(a, n):
    check(diffs, a, n)


def test_diff_negative_order():
    check(diffs, np.arange(3.0), -1)


@jit
def rolls(a, k):
    return np.roll(a, k)


@pytest.mark.parametrize("k", [0, 1, -2, 13, -14])
@pytest.mark.parametrize("a", [np.arange(6.0), np.arange(12).reshape(3, 4), np.arange(10.0)[::2]])
def test_roll(a, k):
    check(rolls, a, k)


@jit
def products(a, b):
    return np.outer(a, b), np.cross(a, b)


def test_outer_and_cross():
    check(products, np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 4.0]))
    check(products, np.array([1, 2, 3]), np.array([4, 5, 6]))
    check(products, np.array([1, 2, 3, 4]), np.array([4, 5, 6, 7]))


@jit
def interps(x, xp, fp):
    return np.interp(x, xp, fp), np.interp(x, xp, fp, left=-1.0, right=99.0)


@pytest.mark.parametrize(
    "x",
    [np.array([-1.0, 0.0, 0.5, 1.0, 2.5, 3.0, 4.0, nan]), 1.75, np.array([[0.2, 2.9], [3.0, 5.0]]),
     np.array([1, 2])],
)
def test_interp(x):
    xp = np.array([0.0, 1.0, 2.0, 3.0])
    fp = np.array([0.0, 10.0, 5.0, -5.0])
    check(interps, x, xp, fp)
    check(interps, x, np.array([1.0]), np.array([7.0]))
    check(interps, x, np.array([0.0, 1.0, 1.0, 3.0]), np.array([0.0, inf, 5.0, 5.0]))


def test_interp_errors():
    check(interps, 1.0, np.array([], dtype=np.float64), np.array([], dtype=np.float64))
    check(interps, 1.0, np.array([1.0, 2.0]), np.array([1.0]))


@jit
def views(a):
    e0 = np.expand_dims(a, 0)
    e1 = np.expand_dims(a, -1)
    t = a.transpose()
    return e0, e1, t, np.transpose(a), e0.shape, e1.shape


@jit
def axes_permuted(a):
    return a.transpose(1, 0, 2), a.transpose((2, 0, 1)), np.transpose(a, (0, 2, 1))


def test_expand_dims_and_transpose():
    check(views, np.arange(6.0).reshape(2, 3))
    check(views, np.arange(4))
    check(axes_permuted, np.arange(24.0).reshape(2, 3, 4))


def test_transpose_writes_through():
    @jit
    def write(a):
        t = a.transpose(1, 0)
        t[0, 1] = -1.0

    a = np.zeros((2, 3))
    check(write, a)


@jit
def equalities(a, b):
    return (np.array_equal(a, b), np.allclose(a, b), np.allclose(a, b, rtol=0.0, atol=1e-3),
            np.allclose(a, b, equal_nan=True))


@pytest.mark.parametrize(
    "a, b",
    [(np.array([1.0, 2.0]), np.array([1.0, 2.0])),
     (np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])),
     (np.array([1.0, 2.0]), np.array([1.0, 2.0005])),
     (np.array([1.0, nan]), np.array([1.0, nan])),
     (np.array([inf, -inf]), np.array([inf, -inf])),
     (np.array([inf, 1.0]), np.array([-inf, 1.0])),
     (np.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]], dtype=np.float32)),
     (np.array([1.0, 2.0]), 2.0)],
)
def test_array_equal_and_allclose(a, b):
    check(equalities, a, b)


def test_array_equal_of_other_shapes():
    @jit
    def equal(a, b):
        return np.array_equal(a, b)

    check(equal, np.arange(3.0), np.arange(4.0))
    check(equal, np.arange(3.0), np.arange(3.0).reshape(3, 1))


@jit
def item_of(a):
    return a.item()


def test_item():
    check(item_of, np.array([2.5]))
    check(item_of, np.array([[7]], dtype=np.int32))
    check(item_of, np.array([1.0, 2.0]))


def test_clear_errors():
    @jit
    def scalar_array(x):
        return np.array(x)

    with pytest.raises(ferrojit.errors.UnsupportedError, match="0-d"):
        scalar_array(1.0)

    @jit
    def ragged():
        return np.array(((1, 2), (3,)))

    with pytest.raises(ferrojit.errors.TypingError, match="inhomogeneous"):
        ragged()


@jit
def reshaped(a):
    return a.reshape(-1), a.reshape(2, -1), a.reshape((-1, 3)), np.reshape(a, (3, -1))


def test_reshape_with_an_unknown_extent():
    check(reshaped, np.arange(12.0))
    check(reshaped, np.arange(12).reshape(3, 4).T)


def test_reshape_errors():
    @jit
    def two_unknowns(a):
        return a.reshape(-1, -1)

    check(two_unknowns, np.arange(4.0))
    check(reshaped, np.arange(10.0))


@jit
def cumulative(m):
    return (np.cumsum(m, axis=0), np.cumsum(m, axis=1), np.cumprod(m, axis=-1), m.cumsum(axis=0),
            np.cumsum(m))


def test_cumsum_cumprod_along_an_axis():
    check(cumulative, np.arange(1.0, 13.0).reshape(3, 4))
    check(cumulative, np.arange(1, 7, dtype=np.int32).reshape(2, 3))


@jit
def limits():
    return (np.iinfo(np.int32).max, np.iinfo(np.int8).min, np.iinfo(np.uint16).max,
            np.iinfo(np.int64).bits, np.finfo(np.float64).eps, np.finfo(np.float64).max,
            np.finfo(np.float64).tiny, np.finfo(np.float32).eps, np.finfo(np.float64).resolution,
            np.finfo(np.float32).bits, np.finfo(np.float64).min)


def test_iinfo_finfo_attributes():
    check(limits)
