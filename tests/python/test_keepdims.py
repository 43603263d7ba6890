"""`keepdims=` on the reductions inside compiled code (`sum`, `prod`, `min`, `max`, `mean`,
`std`, `var`, `argmin`, `argmax`, `any`, `all`, as functions and methods) and on the statistics
(`median`, `percentile`, `quantile`, the `nan*` functions, `ptp`): the reduced axes stay as
extents of 1, as in NumPy. Also tuples of axes, `axis=()` among them.
"""

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit


@jit
def kept(a):
    return (a.sum(axis=0, keepdims=True), np.sum(a, 1, keepdims=True), np.sum(a, keepdims=True),
            a.mean(axis=-1, keepdims=True), np.max(a, axis=0, keepdims=True),
            np.min(a, keepdims=True), a.prod(axis=1, keepdims=True),
            np.std(a, axis=0, keepdims=True), a.var(ddof=1, axis=1, keepdims=True),
            np.argmax(a, axis=1, keepdims=True), a.argmin(axis=0, keepdims=True),
            np.any(a > 3, axis=1, keepdims=True), (a > -1).all(keepdims=True),
            np.sum(a, axis=0, keepdims=False), a - a.mean(axis=1, keepdims=True))


@pytest.mark.parametrize("a", [np.arange(12.0).reshape(3, 4), np.arange(6).reshape(2, 3),
                               np.arange(24.0).reshape(2, 3, 4)[:, ::2, :]])
def test_keepdims_matches_numpy(a):
    check(kept, a)


@jit
def kept_vector(v):
    return np.sum(v, keepdims=True), v.max(axis=0, keepdims=True), np.mean(v, 0, keepdims=True)


def test_keepdims_of_a_vector():
    check(kept_vector, np.array([3.0, 1.0, 2.0]))


def test_keepdims_must_be_a_literal():
    @jit
    def flag(a, k):
        return np.sum(a, axis=0, keepdims=k)

    with pytest.raises(ferrojit.UnsupportedError, match="keepdims must be the literal"):
        flag(np.ones((2, 2)), True)


@jit
def over_axes(a):
    return (np.sum(a, axis=(0, 2)), a.sum(axis=(1, 2)), np.mean(a, axis=(0, 1)),
            np.max(a, axis=(-1, 0)), a.min(axis=(0, 1, 2)), np.prod(a / 10.0 + 1.0, axis=(1,)),
            np.std(a, axis=(0, 2)), a.var(axis=(1, 2), ddof=1), np.any(a > 20, axis=(0, 1)),
            np.all(a >= 0, axis=(0, 2)), np.sum(a, axis=(0, 2), keepdims=True),
            a.mean(axis=(0, 1, 2), keepdims=True), np.sum(a, axis=(2, 0)))


@pytest.mark.parametrize("a", [np.arange(24.0).reshape(2, 3, 4),
                               np.arange(48).reshape(4, 3, 4)[::2, :, ::-1]])
def test_axis_tuples_match_numpy(a):
    check(over_axes, a, rtol=1e-12)


def test_argmax_with_a_tuple_of_axes_is_refused():
    @jit
    def bad(a):
        return np.argmax(a, axis=(0, 1))

    with pytest.raises(ferrojit.UnsupportedError, match="axis must be an integer literal"):
        bad(np.ones((2, 2)))


@jit
def kept_statistics(a):
    return (np.median(a, axis=0, keepdims=True), np.median(a, keepdims=True),
            np.percentile(a, 30.0, axis=1, keepdims=True), np.quantile(a, 0.5, keepdims=True),
            np.percentile(a, np.array([10.0, 90.0]), axis=0, keepdims=True),
            np.quantile(a, np.array([0.25, 0.75]), keepdims=True),
            np.nansum(a, axis=1, keepdims=True), np.nanmean(a, keepdims=True),
            np.nanstd(a, axis=0, ddof=1, keepdims=True), np.nanvar(a, axis=-1, keepdims=True),
            np.nanmin(a, axis=0, keepdims=True), np.nanmax(a, keepdims=True),
            np.nanargmin(a, axis=1, keepdims=True), np.nanargmax(a, axis=0, keepdims=True),
            np.ptp(a, axis=1, keepdims=True), np.ptp(a, keepdims=True),
            np.median(a, axis=1, keepdims=False))


@pytest.mark.parametrize("a", [np.array([[3.0, 1.0, 2.0, 7.0], [0.5, 4.0, np.nan, 1.0],
                                         [2.0, 2.5, 1.0, -1.0]]),
                               np.arange(12.0).reshape(3, 4)[:, ::-1]])
def test_keepdims_on_statistics_matches_numpy(a):
    check(kept_statistics, a, rtol=1e-12)


@jit
def kept_statistics_3d(a, v):
    return (np.median(a, axis=1, keepdims=True), np.nanmean(a, axis=2, keepdims=True),
            np.percentile(a, np.array([50.0]), keepdims=True), np.ptp(v, keepdims=True),
            np.median(v, axis=0, keepdims=True), np.quantile(v, np.array([0.1, 0.9]), axis=0,
                                                             keepdims=True))


def test_keepdims_on_statistics_of_other_ranks():
    check(kept_statistics_3d, np.arange(24.0).reshape(2, 3, 4) % 5, np.array([4.0, 1.0, 3.0]),
          rtol=1e-12)


@jit
def no_axes(a):
    return (np.sum(a, axis=()), a.mean(axis=()), np.max(a, axis=()), np.std(a, axis=()),
            np.any(a, axis=()), np.prod(a, axis=(), keepdims=True), a.min(axis=()),
            np.var(a, axis=(), ddof=0), np.all(a > 1, axis=()))


@pytest.mark.parametrize("a", [np.arange(6.0).reshape(2, 3), np.arange(6, dtype=np.int32),
                               np.arange(24).reshape(2, 3, 4)[:, ::2]])
def test_empty_axis_tuple_reduces_each_element_alone(a):
    check(no_axes, a)
