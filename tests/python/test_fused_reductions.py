"""Reductions of array expressions (`np.sum(a * b)`, `(a > t).sum()`, `np.max(np.abs(a - b))`)
run without the temporary array, and `a.min()`/`a.max()` of contiguous floats through the
runtime's wide-vector routine: both must give what NumPy gives (sums run left to right, NumPy's
pairwise, hence 1e-12), NaN rules included, differentially against CPython (see diff.py).
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

rng = np.random.default_rng(5)
A = rng.random(1001) - 0.5
B = rng.random(1001)
M = rng.random((7, 5))
ROW = rng.random(5)
IA = rng.integers(-50, 50, 333)


def sum_prod(a, b):
    return np.sum(a * b)


def count_above(a):
    return (a > 0.25).sum()


def count_np(a):
    return np.sum(a > 0.25)


def max_abs_diff(a, b):
    return np.max(np.abs(a - b))


def min_square(a):
    return (a * a).min()


def mean_scaled(a):
    return np.mean(a * 2.0 + 1.0)


def std_shifted(a):
    return np.std(a - 3.0)


def var_shifted(a):
    return (a + 1.0).var()


def argmax_prod(a, b):
    return np.argmax(a * b)


def argmin_where(a, b):
    return np.argmin(np.where(a > 0.0, a, b))


def prod_ratio(a):
    return np.prod(a / a)


def int_sum(ia):
    return np.sum(ia * 3 - 1)


def int_max(ia):
    return (ia * ia).max()


@pytest.mark.parametrize("fn,args", [
    (sum_prod, (A, B)),
    (sum_prod, (M, ROW)),            # broadcasting
    (sum_prod, (M.T, M.T)),          # strided leaves
    (count_above, (A,)),
    (count_np, (A,)),
    (max_abs_diff, (A, B)),
    (min_square, (A,)),
    (mean_scaled, (A,)),
    (std_shifted, (A,)),
    (var_shifted, (M,)),
    (argmax_prod, (A, B)),
    (argmin_where, (A, B)),
    (prod_ratio, (B,)),
    (int_sum, (IA,)),
    (int_max, (IA,)),
])
def test_fused_reduction_matches_numpy(fn, args):
    check(jit(fn), *args, rtol=1e-12)


def test_fused_reduction_nan_and_empty():
    with_nan = A.copy()
    with_nan[17] = np.nan
    check(jit(max_abs_diff), with_nan, B)
    check(jit(min_square), with_nan)
    check(jit(argmax_prod), with_nan, B)
    f = jit(min_square)
    with pytest.raises(ValueError, match="zero-size array"):
        f(np.zeros(0))


def whole_max(a):
    return a.max()


def whole_min(a):
    return np.min(a)


@pytest.mark.parametrize("data", [
    A, A.astype(np.float32), M, M[:, 2], M.T, IA, np.array([2.5]),
    np.array([1.0, np.nan, 3.0, np.nan]), np.array([np.nan] + [1.0] * 40),
    np.array([1.0] * 40 + [np.nan]), np.array([-np.inf] * 33), np.full(50, 7.0),
])
def test_array_extremes(data):
    check(jit(whole_max), data)
    check(jit(whole_min), data)


def test_extreme_of_zeros_keeps_the_first():
    # Of equal zeros the first is returned, as Numba's loop does (NumPy's SIMD loops differ).
    f = jit(whole_max)
    assert np.signbit(f(np.array([-0.0, 0.0])))
    assert not np.signbit(f(np.array([0.0] + [-0.0] * 40)))
