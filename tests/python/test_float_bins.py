"""Histogram bins `int(x * n)` after `x >= 0.0` (issue 12): the bin indexes without Python's
negative-index fix-up (a dimension is never negative, the product of non-negative floats is
not below zero or NaN, its truncation is `>= 0`). Results and errors stay CPython's: NaN and
infinity still raise, -0.0 and values too large for an int64 (saturated, then out of range)
land where Python puts them, empty and one-bin histograms."""

import numpy as np
import pytest

from diff import check
from ferrojit import jit


@jit
def histogram(a, counts):
    nb = counts.shape[0]
    for i in range(nb):
        counts[i] = 0
    for i in range(a.shape[0]):
        x = a[i]
        if x >= 0.0:
            b = int(x * nb)
            if b < nb:
                counts[b] += 1


@jit
def histogram_not_negative(a, counts):
    # The same bound written as the false edge of `x < 0.0`.
    nb = counts.shape[0]
    for i in range(a.shape[0]):
        x = a[i]
        if x < 0.0:
            continue
        b = int(x * nb)
        if b < nb:
            counts[b] += 1


@jit
def histogram_2d(a, counts):
    # A dimension of a 2-d array (its second axis).
    nb = counts.shape[1]
    for i in range(a.shape[0]):
        x = a[i]
        if x >= 0.0:
            b = int(x * nb)
            if b < nb:
                counts[0, b] += 1


VALUES = np.array([0.0, -0.0, 0.5, 0.999999, 1.0, 1.5, -0.25, -1.0, 1e300, 2.0**63, 2.0**62, 1e-300])


@pytest.mark.parametrize("bins", [0, 1, 7, 64])
def test_bins_of_edge_values(bins):
    rng = np.random.default_rng(bins)
    a = np.concatenate([VALUES, rng.random(200) * 1.2 - 0.1])
    check(histogram, a, np.ones(bins, np.int64))
    check(histogram_not_negative, a, np.zeros(bins, np.int64))
    check(histogram_2d, a, np.zeros((2, bins), np.int64))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_infinity_still_raise(bad):
    a = np.array([0.5, 0.25, bad, 0.75])
    check(histogram, a, np.zeros(8, np.int64))
    check(histogram_not_negative, a, np.zeros(8, np.int64))
