"""The remaining arguments of NumPy's sorting functions inside compiled code, against NumPy (see
diff.py): `np.searchsorted(a, v, side, sorter)` (and the method), `np.partition` and
`np.argpartition` with a sequence of `kth` (a tuple, a list or a 1-d integer array), and
`a.partition(kth)` in place. Partitions leave the elements between the `kth` positions in an
order of their own (NumPy's introselect may order them otherwise), so those are checked by
what NumPy promises: each `kth` position holds its sorted value, and each stretch between
them holds the sorted array's elements of that stretch.
"""

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit

nan = np.nan
rng = np.random.default_rng(12)


@jit
def search_with_sorter(a, v, s):
    return (np.searchsorted(a, v, sorter=s), np.searchsorted(a, v, "right", s),
            a.searchsorted(v, side="left", sorter=s), np.searchsorted(a, v, sorter=None))


UNSORTED = rng.integers(0, 10, 12).astype(np.float64)


@pytest.mark.parametrize("a", [
    UNSORTED,
    UNSORTED.astype(np.float32),
    UNSORTED.astype(np.int16),
    np.repeat(UNSORTED, 2)[::2],
    np.array([3.0, nan, 1.0, 2.0, nan, 0.0]),
])
@pytest.mark.parametrize("v", [3.0, 4, np.array([-1.0, 3.0, 5.5, 11.0, nan]), np.array([[2, 9]])])
def test_searchsorted_with_a_sorter(a, v):
    order = np.argsort(a, kind="stable")
    check(search_with_sorter, a, v, order)
    check(search_with_sorter, a, v, order.astype(np.int32))
    strided = np.repeat(order, 3)[::3]
    check(search_with_sorter, a, v, strided)


def test_searchsorted_sorter_errors():
    check(search_with_sorter, UNSORTED, 3.0, np.argsort(UNSORTED)[:-1])  # ValueError: size
    check(search_with_sorter, np.array([5.0]), 1.0, np.array([3]))  # ValueError: index
    check(search_with_sorter, np.array([5.0]), 1.0, np.array([-1]))

    @jit
    def float_sorter(a, s):
        return np.searchsorted(a, 1.0, sorter=s)

    with pytest.raises(ferrojit.errors.TypingError, match="sorter"):
        float_sorter(UNSORTED, np.ones(12))


@jit
def partitions(a, kth):
    return np.partition(a, kth), np.argpartition(a, kth)


@jit
def literal_kths(a):
    return (np.partition(a, (1, -1)), np.argpartition(a, (4, 0, 4)), np.partition(a, [2, 0]),
            np.argpartition(a, [3], kind="introselect"), np.partition(a, (), -1, "introselect"))


def assert_partitioned(a, kths, p):
    """`p` is `a` partitioned (along the last axis) around every position in `kths`."""
    n = a.shape[-1]
    ks = sorted({k % n for k in kths})
    s = np.sort(a, axis=-1)
    assert p.dtype == a.dtype and p.shape == a.shape
    bounds = [0] + [x for k in ks for x in (k, k + 1)] + [n]
    for k in ks:
        assert np.array_equal(p[..., k], s[..., k], equal_nan=True)
    for lo, hi in zip(bounds[::2], bounds[1::2]):
        assert np.array_equal(np.sort(p[..., lo:hi], axis=-1), s[..., lo:hi], equal_nan=True)


def assert_argpartitioned(a, kths, i):
    assert i.dtype == np.int64
    assert np.array_equal(np.sort(i, axis=-1), np.broadcast_to(np.arange(a.shape[-1]), a.shape))
    assert_partitioned(a, kths, np.take_along_axis(a, i, -1))


ARRAYS = [
    rng.standard_normal(9),
    rng.integers(0, 5, (3, 8)),
    rng.standard_normal((7, 6)).T.astype(np.float32),
    rng.standard_normal(20)[::3],
    np.array([3.0, nan, 1.0, -0.0, 0.0, nan, 2.0]),
]


@pytest.mark.parametrize("a", ARRAYS)
@pytest.mark.parametrize("kth", [(1, -1), [0, 3, 3], np.array([5, 2]), np.array([2], dtype=np.int32),
                                 (), 4])
def test_partition_with_a_sequence_of_kth(a, kth):
    p, i = partitions(a, kth)
    kths = list(np.atleast_1d(np.asarray(kth, dtype=np.int64)))
    assert_partitioned(a, kths, p)
    assert_argpartitioned(a, kths, i)


@pytest.mark.parametrize("a", ARRAYS)
def test_partition_with_literal_kths(a):
    p1, i4, p2, i3, p0 = literal_kths(a)
    assert_partitioned(a, [1, -1], p1)
    assert_argpartitioned(a, [4, 0], i4)
    assert_partitioned(a, [2, 0], p2)
    assert_argpartitioned(a, [3], i3)
    assert np.array_equal(p0, a, equal_nan=True)


def test_kth_out_of_bounds_raises_value_error():
    check(partitions, np.arange(5.0), (1, 7))
    check(partitions, np.arange(5.0), np.array([1, -6]))
    check(partitions, np.arange(5.0), [0, 5])

    @jit
    def float_kth(a):
        return np.partition(a, (1.0, 2.0))

    with pytest.raises(ferrojit.errors.TypingError, match="kth"):
        float_kth(np.arange(5.0))


@jit
def partition_in_place(a, kth):
    a.partition(kth)


@pytest.mark.parametrize("a", [
    rng.standard_normal(9),
    rng.integers(0, 5, (3, 8)),
    np.asfortranarray(rng.standard_normal((4, 7))),
    rng.standard_normal(20)[::3],
    rng.standard_normal((5, 8))[:, ::2].astype(np.float32),
])
@pytest.mark.parametrize("kth", [(2, -1), 1, [0, 3]])
def test_partition_method_works_in_place(a, kth):
    before = a.copy()
    assert partition_in_place(a, kth) is None
    assert_partitioned(before, list(np.atleast_1d(kth)), a)
    check(partition_in_place, before.copy(), 9)  # ValueError: kth out of bounds


def test_partition_method_of_a_read_only_array_is_a_compile_error():
    a = np.arange(5.0)
    a.flags.writeable = False
    with pytest.raises(ferrojit.errors.TypingError):
        partition_in_place(a, 1)
