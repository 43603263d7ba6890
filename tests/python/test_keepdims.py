"""`keepdims=` on the reductions inside compiled code (`sum`, `prod`, `min`, `max`, `mean`,
`std`, `var`, `argmin`, `argmax`, `any`, `all`, as functions and methods): the reduced axes
stay as extents of 1, as in NumPy.
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
