"""NumPy's statistics inside compiled code, differentially against NumPy (see diff.py):
`np.median`, `np.percentile`/`np.quantile` (linear), the NaN-ignoring reductions, `np.ptp`,
`np.average` (weights), `np.std`/`np.var` with `ddof`, `np.cov`/`np.corrcoef` and
`np.histogram`. Order statistics and counts are exact; sums run left to right (NumPy's are
pairwise), so those compare within 1e-12 relative.
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

nan = np.nan
rng = np.random.default_rng(12)

DATA = [
    np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]),
    np.array([3.0, 1.0, 4.0, 1.0, 5.0]),
    np.array([7, -2, 5, 5, 0, 13], dtype=np.int64),
    np.array([7, 2, 5], dtype=np.uint8),
    rng.standard_normal((6, 7)),
    rng.standard_normal(40)[::3],
    np.array([1.0, nan, 3.0]),
    np.array([2.5]),
]


@jit
def order_statistics(a):
    return (np.median(a), np.percentile(a, 30.0), np.quantile(a, 0.75), np.percentile(a, 100),
            np.quantile(a, 0), np.percentile(a, 50))


@jit
def quantile_array(a, q):
    return np.quantile(a, q), np.percentile(a, q * 100)


@pytest.mark.parametrize("a", DATA, ids=lambda a: f"{a.dtype}-{a.shape}")
def test_median_percentile_quantile(a):
    check(order_statistics, a)
    check(quantile_array, a, np.array([0.0, 0.1, 0.5, 0.99, 1.0]), rtol=1e-15)


def test_float32_and_errors():
    check(order_statistics, np.array([1.0, 2.0, 3.5, 4.0], dtype=np.float32), rtol=1e-6)
    check(quantile_array, np.arange(5.0), np.array([0.5, 1.5]))
    check(quantile_array, np.arange(5.0), np.array([-0.1]))


@jit
def nan_reductions(a):
    return (np.nansum(a), np.nanmean(a), np.nanvar(a), np.nanstd(a), np.nanstd(a, ddof=1),
            np.nanmin(a), np.nanmax(a), np.nanargmin(a), np.nanargmax(a), np.ptp(a))


@pytest.mark.parametrize(
    "a",
    [np.array([1.0, nan, 3.0, -2.0, nan]), np.array([[nan, 2.0], [5.0, -1.0]]),
     np.array([4, 1, 9, 1], dtype=np.int32), rng.standard_normal(50),
     np.array([1.5, 2.5], dtype=np.float32)],
)
def test_nan_reductions(a):
    check(nan_reductions, a, rtol=1e-6 if a.dtype == np.float32 else 1e-12)


@jit
def nan_min_only(a):
    return np.nanmin(a), np.nanmax(a), np.nanmean(a), np.nanvar(a, ddof=1)


@jit
def nan_argmin_only(a):
    return np.nanargmin(a)


def test_all_nan_and_empty():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        check(nan_min_only, np.array([nan, nan]))
        check(nan_min_only, np.array([nan, 1.0]))
    check(nan_argmin_only, np.array([nan, nan]))
    check(nan_argmin_only, np.array([], dtype=np.float64))
    check(nan_min_only, np.array([], dtype=np.float64))


@jit
def ptp_wraps(a):
    return np.ptp(a)


def test_ptp_of_small_integers_wraps_like_numpy():
    check(ptp_wraps, np.array([-100, 100], dtype=np.int8))


@jit
def averages(a, w):
    return np.average(a), np.average(a, weights=w), np.average(a, None, w)


@pytest.mark.parametrize(
    "a, w",
    [(np.array([1.0, 2.0, 4.0]), np.array([3.0, 1.0, 0.5])),
     (np.array([1, 2, 4]), np.array([1, 1, 2])),
     (rng.standard_normal((3, 4)), rng.random((3, 4))),
     (np.array([1.0, 2.0], dtype=np.float32), np.array([1.0, 3.0], dtype=np.float32))],
)
def test_average(a, w):
    check(averages, a, w, rtol=1e-6 if a.dtype == np.float32 else 1e-12)


def test_average_errors():
    check(averages, np.array([1.0, 2.0]), np.array([1.0, -1.0]))
    check(averages, np.array([1.0, 2.0]), np.array([1.0, 1.0, 1.0]))


@jit
def std_var_ddof(a):
    return np.std(a, ddof=1), np.var(a, ddof=1), a.std(ddof=0), a.var(ddof=2)


def test_std_var_ddof():
    check(std_var_ddof, rng.standard_normal(30), rtol=1e-12)
    check(std_var_ddof, np.arange(7), rtol=1e-12)


@jit
def covariance(m):
    return np.cov(m), np.corrcoef(m), np.cov(m, ddof=0)


@jit
def covariance_pair(x, y):
    return np.cov(x, y), np.corrcoef(x, y)


def test_cov_corrcoef():
    check(covariance, rng.standard_normal((3, 20)), rtol=1e-12)
    check(covariance, np.array([[1, 2, 3, 4], [2, 4, 7, 8]]), rtol=1e-12)
    check(covariance_pair, rng.standard_normal(15), rng.standard_normal(15), rtol=1e-12)
    check(covariance_pair, np.arange(5.0), np.arange(5.0) * -2.0 + 1.0, rtol=1e-12)


@jit
def histograms(a):
    return np.histogram(a), np.histogram(a, 4), np.histogram(a, bins=3, range=(0.0, 2.0))


@jit
def histogram_edges(a, edges):
    return np.histogram(a, edges)


@pytest.mark.parametrize(
    "a",
    [rng.standard_normal(200), rng.integers(0, 10, 50), np.array([1.0, 1.0, 1.0]),
     np.linspace(0, 1, 11), np.array([], dtype=np.float64), rng.random((4, 5))],
    ids=["normal", "ints", "constant", "edges", "empty", "2d"],
)
def test_histogram(a):
    check(histograms, a, rtol=1e-15)
    check(histogram_edges, a, np.array([-1.0, 0.0, 0.5, 2.0, 2.0, 9.0]))


def test_histogram_errors():
    check(histograms, np.array([1.0, nan]))
    check(histogram_edges, np.array([1.0]), np.array([0.0, 2.0, 1.0]))
