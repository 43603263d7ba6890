"""Integer-array ("fancy") indexing inside compiled code, differentially against NumPy (see
diff.py): one integer array per access, beside integers and whole axes, for reading (a new
array), writing and augmented assignment; negative entries count from the end and out-of-range
entries raise `IndexError`.
"""

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit

rng = np.random.default_rng(14)


@jit
def take_1d(a, idx):
    return a[idx]


@pytest.mark.parametrize(
    "a, idx",
    [(np.arange(10.0), np.array([3, 0, -1, 3])),
     (np.arange(10), np.array([[1, 2], [9, -10]])),
     (np.arange(10.0)[::2], np.array([4, 0], dtype=np.int32)),
     (np.arange(5.0), np.array([], dtype=np.int64)),
     (np.arange(12.0).reshape(3, 4), np.array([2, 0]))],
)
def test_read(a, idx):
    check(take_1d, a, idx)


@jit
def take_2d(m, idx, i):
    return m[idx, i], m[:, idx], m[i, idx], m[idx, :], m[idx]


def test_read_with_other_axes():
    check(take_2d, np.arange(20.0).reshape(4, 5), np.array([3, 1, -4]), 2)
    check(take_2d, np.asfortranarray(np.arange(20).reshape(4, 5)), np.array([0, 0]), -1)


@jit
def take_3d(t, idx):
    return t[:, idx, 1], t[1, :, idx], t[:, :, idx]


def test_read_3d():
    check(take_3d, np.arange(24.0).reshape(2, 3, 4), np.array([[2, 0], [1, 1]]))


def test_out_of_range_raises():
    check(take_1d, np.arange(4.0), np.array([1, 4]))
    check(take_1d, np.arange(4.0), np.array([-5]))


@jit
def put(a, idx, v):
    a[idx] = v


@pytest.mark.parametrize(
    "a, idx, v",
    [(np.zeros(6), np.array([1, 3, -1]), 7.5),
     (np.zeros(6), np.array([1, 3, 1]), np.array([1.0, 2.0, 3.0])),
     (np.zeros((3, 4)), np.array([2, 0]), np.arange(4.0)),
     (np.zeros((3, 4), dtype=np.int32), np.array([0]), 9)],
)
def test_write(a, idx, v):
    check(put, a, idx, v)


@jit
def put_columns(m, idx, v):
    m[:, idx] = v
    m[0, idx] = -1.0


def test_write_columns():
    check(put_columns, np.zeros((3, 5)), np.array([4, 1]), np.array([[1.0], [2.0], [3.0]]))


@jit
def bump(a, idx, m):
    a[idx] += 1.0
    m[:, idx] *= 2
    return a.sum()


def test_augmented_assignment_applies_once_per_selection():
    check(bump, np.zeros(5), np.array([0, 2, 2, -1]), np.arange(12).reshape(3, 4))


@jit
def gather_scatter(values, order):
    out = np.empty_like(values)
    out[order] = values
    return out, values[order][::-1]


def test_gather_scatter_with_argsort():
    v = rng.standard_normal(20)
    check(gather_scatter, v, np.argsort(v))


def test_unsupported_forms_are_clear_errors():
    @jit
    def two(a, i, j):
        return a[i, j]

    with pytest.raises(ferrojit.errors.UnsupportedError, match="one integer-array index"):
        two(np.ones((2, 2)), np.array([0]), np.array([1]))

    @jit
    def partial(a, i):
        return a[1:, i]

    with pytest.raises(ferrojit.errors.UnsupportedError, match="whole axes"):
        partial(np.ones((2, 2)), np.array([0]))


@jit
def rows_where(m, keep):
    return m[keep], m[m[:, 0] > 2.0]


@jit
def zero_rows(m, keep):
    m[keep] = 0.0


def test_masks_of_the_leading_axes():
    m = np.arange(12.0).reshape(4, 3)
    keep = np.array([True, False, True, False])
    check(rows_where, m, keep)
    check(zero_rows, m, keep)
    check(rows_where, np.arange(24.0).reshape(4, 3, 2), keep)
    check(rows_where, m, np.array([True, False]))


def test_boolean_mask_selection_of_every_shape_of_mask():
    # The branch-free copy of `a[mask]`: every element is stored at the next free place and
    # only a selected one keeps it. Masks all true, all false, only the first or the last
    # element, random; views; each real dtype; a 2-D mask of a 2-D array (C order).
    @jit
    def select(a, m):
        return a[m]

    rng = np.random.default_rng(11)
    for n in [0, 1, 2, 3, 10, 101]:
        for dtype in [np.float64, np.float32, np.int64, np.int8, np.uint16, np.bool_]:
            a = (rng.random(n) * 100).astype(dtype)
            masks = [rng.random(n) > 0.5, np.ones(n, bool), np.zeros(n, bool),
                     np.arange(n) == n - 1, np.arange(n) == 0]
            for m in masks:
                check(select, a, m)
                check(select, a[::-1], m)
    m2 = rng.random((5, 7)) > 0.3
    a2 = rng.random((5, 7))
    check(select, a2, m2)
    check(select, a2.T, m2.T)
