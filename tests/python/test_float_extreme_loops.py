"""A float maximum or minimum carried without fastmath (`if v > m: m = v`) runs as a vector
loop with a hidden position, so that of two equal zeros the scalar loop's one is kept: results
must be CPython's bit for bit (diff.py compares -0.0 and 0.0 apart), NaN never replacing.
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit


def max_abs(a):
    m = 0.0
    for i in range(a.shape[0]):
        v = abs(a[i] - 0.5)
        if v > m:
            m = v
    return m


def running_max(a):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
    return m


def running_min(a):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] < m:
            m = a[i]
    return m


def max_and_index(a):
    m = a[0]
    k = 0
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
            k = i
    return m, k


rng = np.random.default_rng(8)
CASES = [
    rng.random(1001),
    rng.random(1001) - 0.5,
    np.array([0.0, -0.0] * 40),
    np.array([-0.0, 0.0] * 40),
    np.array([-1.0] * 33 + [-0.0, 0.0, -0.0] + [-2.0] * 20),
    np.array([-1.0] * 20 + [0.0] + [-0.0] * 20),
    np.array([np.nan] + list(rng.random(50))),
    np.array(list(rng.random(50)) + [np.nan] + list(rng.random(50))),
    np.array([np.inf, -np.inf] * 20),
    np.array([3.0]),
    rng.random(1001)[::3],
]


@pytest.mark.parametrize("fn", [max_abs, running_max, running_min, max_and_index])
@pytest.mark.parametrize("k", range(len(CASES)))
def test_float_extreme_loops_match_cpython(fn, k):
    a = CASES[k]
    got = check(jit(fn), a)
    want = fn(a)
    # Bit for bit, zeros included.
    g = got[0] if isinstance(got, tuple) else got
    w = want[0] if isinstance(want, tuple) else want
    assert np.signbit(g) == np.signbit(w) or (np.isnan(g) and np.isnan(w))
