"""`axis=` of NumPy's reductions, statistics, sorting and shape functions inside compiled code,
differentially against NumPy (see diff.py): `np.std`/`np.var` (`ddof`), `np.argmin`/
`np.argmax`, `np.median`, `np.percentile`/`np.quantile` (one q), the `nan*` functions,
`np.ptp`, `np.roll(a, shift, axis)`, `np.diff(a, n, axis)`, `np.sort`/`np.argsort`/`a.sort()`
along any axis, on 2-D and 3-D arrays in C, Fortran and strided layouts.
"""

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit

nan = np.nan
rng = np.random.default_rng(7)

with_nans = rng.standard_normal((4, 5))
with_nans[1, 2] = nan
with_nans[3, 0] = nan

MATRICES = [
    rng.standard_normal((4, 5)),
    np.asfortranarray(rng.standard_normal((3, 6))),
    rng.standard_normal((6, 8))[::2, 1::3],
    rng.integers(-9, 9, (5, 3)),
    rng.standard_normal((3, 4)).astype(np.float32),
    with_nans,
]


def tolerance(a):
    # Sums run left to right (NumPy's are pairwise): equal to rounding.
    return 1e-5 if a.dtype == np.float32 else 1e-12


@jit
def reductions_2d(a):
    return (np.std(a, axis=0), np.var(a, axis=1), np.std(a, 1, ddof=1), a.var(axis=-2, ddof=1),
            np.argmin(a, axis=0), np.argmax(a, axis=1), a.argmin(axis=-1), a.argmax(0),
            np.ptp(a, axis=0), np.ptp(a, axis=1))


@jit
def statistics_2d(a):
    return (np.median(a, axis=0), np.median(a, axis=-1), np.percentile(a, 25.0, axis=0),
            np.percentile(a, 90, axis=1), np.quantile(a, 0.5, axis=0),
            np.nansum(a, axis=0), np.nanmean(a, axis=1), np.nanstd(a, axis=0),
            np.nanvar(a, axis=1, ddof=1), np.nanmin(a, axis=0), np.nanmax(a, axis=1),
            np.nanargmin(a, axis=1), np.nanargmax(a, axis=0))


@pytest.mark.parametrize("a", MATRICES)
def test_reductions_along_an_axis(a):
    check(reductions_2d, a, rtol=tolerance(a))


@pytest.mark.parametrize("a", MATRICES[:5])
def test_statistics_along_an_axis(a):
    check(statistics_2d, a, rtol=tolerance(a))


@jit
def nan_statistics(a):
    return (np.median(a, axis=0), np.nanmean(a, axis=0), np.nanmin(a, axis=1),
            np.nansum(a, axis=1), np.nanstd(a, axis=0))


def test_statistics_with_nan_along_an_axis():
    check(nan_statistics, with_nans, rtol=1e-12)


@jit
def three_d(a):
    return (np.std(a, axis=1), np.argmax(a, axis=2), np.median(a, axis=0),
            np.nanmean(a, axis=2), np.roll(a, 2, axis=1), np.diff(a, axis=0),
            np.sort(a, axis=1), np.argsort(a, axis=0), np.percentile(a, 40.0, axis=1))


def test_three_dimensional():
    check(three_d, rng.standard_normal((3, 4, 5)), rtol=1e-12)
    check(three_d, np.asfortranarray(rng.standard_normal((2, 3, 4))), rtol=1e-12)


@jit
def one_d_axis(a):
    return np.std(a, axis=0), np.argmax(a, axis=-1), np.median(a, axis=0), np.nanmean(a, 0)


def test_axis_of_a_vector_gives_a_number():
    check(one_d_axis, rng.standard_normal(7), rtol=1e-12)


@jit
def moved(a, shift, n):
    return (np.roll(a, shift, axis=0), np.roll(a, shift, axis=1), np.roll(a, shift, axis=-1),
            np.roll(a, shift), np.roll(a, shift, None), np.diff(a, n, axis=0),
            np.diff(a, n=n, axis=1), np.diff(a, axis=-1))


@pytest.mark.parametrize("a", MATRICES[:5] + [np.zeros((0, 3)), np.arange(4).reshape(1, 4) > 1])
@pytest.mark.parametrize("shift, n", [(1, 1), (-3, 2), (17, 3), (0, 5)])
def test_roll_and_diff_along_an_axis(a, shift, n):
    check(moved, a, shift, n)


@jit
def sorted_along(a):
    return (np.sort(a, axis=0), np.sort(a, axis=1), np.sort(a, axis=-2, kind="stable"),
            np.argsort(a, axis=0, kind="stable"), np.argsort(a, axis=1), np.sort(a, axis=None))


@jit
def sort_columns(a):
    a.sort(axis=0)


@pytest.mark.parametrize("a", MATRICES[:5] + [rng.integers(0, 3, (6, 4))])
def test_sort_along_any_axis(a):
    check(sorted_along, a)
    check(sort_columns, a)


@jit
def several_q(a, q):
    return (np.percentile(a, q, axis=0), np.quantile(a, q / 100.0, axis=1),
            np.percentile(a, q, axis=-1))


@pytest.mark.parametrize("a", [rng.standard_normal((4, 5)), rng.standard_normal((2, 3, 4)),
                               rng.integers(0, 9, (3, 3))])
def test_percentiles_along_an_axis(a):
    check(several_q, a, np.array([10.0, 50.0, 95.0]), rtol=1e-12)
    check(several_q, a, np.array([], dtype=np.float64), rtol=1e-12)


def test_axis_out_of_bounds_is_a_compile_error():
    @jit
    def f(a):
        return np.median(a, axis=2)

    with pytest.raises(ferrojit.TypingError, match="out of bounds"):
        f(np.ones((2, 3)))


@jit
def any_all(a):
    return np.any(a, axis=0), np.all(a, axis=1), a.any(axis=-1), (a > 0).all(axis=0)


@pytest.mark.parametrize("a", [rng.integers(0, 2, (4, 5)), rng.standard_normal((3, 4)),
                               rng.integers(0, 2, (2, 3, 4)).astype(np.bool_)])
def test_any_all_along_an_axis(a):
    check(any_all, a)
