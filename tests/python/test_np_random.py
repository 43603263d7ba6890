"""Random numbers inside compiled code. Compiled code has its own generator per thread
(Numba's semantics), seeded by a compiled `np.random.seed(n)` / `random.seed(n)`; after the same
seed the draws equal NumPy's legacy `RandomState` (and CPython's `random`) exactly, so the
differential check runs the same function in both and compares.
"""

import random

import numpy as np
import pytest

from diff import check
from ferrojit import jit


@jit
def basic_draws(seed):
    np.random.seed(seed)
    return (np.random.random(), np.random.rand(3), np.random.rand(2, 3), np.random.randint(0, 10),
            np.random.randint(-5, 5, 6), np.random.randint(7), np.random.randint(0, 2**40, (2, 2)),
            np.random.uniform(), np.random.uniform(1.0, 4.0, 3), np.random.random_sample((2, 2)),
            np.random.random(4))


@jit
def normal_draws(seed):
    np.random.seed(seed)
    return (np.random.normal(), np.random.normal(2.0, 0.5, 5), np.random.randn(), np.random.randn(3),
            np.random.standard_normal((2, 3)), np.random.standard_normal())


@jit
def other_distributions(seed):
    np.random.seed(seed)
    return (np.random.exponential(), np.random.exponential(2.0, 4), np.random.poisson(3.5, 5),
            np.random.poisson(120.0, 5), np.random.poisson(), np.random.binomial(10, 0.3, 5),
            np.random.binomial(20, 0.9, 3), np.random.binomial(0, 0.5))


@jit
def shuffles(seed, a, m):
    np.random.seed(seed)
    np.random.shuffle(a)
    np.random.shuffle(m)
    return (np.random.permutation(7), np.random.permutation(a), np.random.choice(10),
            np.random.choice(10, 4), np.random.choice(a, (2, 2)), np.random.choice(8, 3, False),
            np.random.choice(a, replace=False))


@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1])
def test_same_draws_as_numpy(seed):
    check(basic_draws, seed)
    check(normal_draws, seed)
    check(other_distributions, seed)
    check(shuffles, seed, np.arange(10.0), np.arange(12).reshape(4, 3))


@jit
def randint_loop(seed, lo, hi, n):
    # Scalar draws in a loop (the inline generator path) across several refills of the
    # 624-word key, mixed with other draws from the same stream.
    np.random.seed(seed)
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = np.random.randint(lo, hi)
        if i % 500 == 0:
            out[i] += int(np.random.random() * 1000)
    return out, np.random.randint(lo, hi, 7)


@pytest.mark.parametrize("lo,hi", [(0, 100), (-3, -2), (5, 6), (0, 2**32), (0, 2**32 - 1),
                                   (-2**40, 2**40), (0, 2), (0, 2**31 + 5)])
def test_randint_in_loops_matches_numpy(lo, hi):
    check(randint_loop, 7, lo, hi, 2000)


@jit
def python_draws(seed):
    random.seed(seed)
    return (random.random(), random.randint(1, 6), random.randint(-10**12, 10**12),
            random.uniform(2.0, 3.0), random.gauss(0.0, 1.0), random.gauss(1.0, 2.0), random.gauss())


@pytest.mark.parametrize("seed", [0, 5, 123456789, -3])
def test_same_draws_as_python_random(seed):
    check(python_draws, seed)


@jit
def unseeded():
    return np.random.random(), random.random()


def test_streams_are_separate_from_python_and_each_other():
    np.random.seed(0)
    expected = np.random.random()
    basic_draws(0)
    np.random.seed(0)
    assert np.random.random() == expected  # compiled seeding left NumPy's own state alone
    a, b = unseeded()
    assert 0.0 <= a < 1.0 and 0.0 <= b < 1.0


@jit
def large_binomial(seed, n):
    np.random.seed(seed)
    return np.random.binomial(n, 0.4, 20000).mean()


def test_large_binomial_has_the_right_mean():
    # n * p > 30: NumPy's BTPE stream is not reproduced; the distribution is.
    assert abs(large_binomial(3, 1000) - 400.0) < 1.0


@jit
def bad_arguments(kind):
    if kind == 0:
        np.random.seed(-1)
    elif kind == 1:
        np.random.randint(5, 5)
    elif kind == 2:
        np.random.normal(0.0, -1.0)
    elif kind == 3:
        np.random.binomial(3, 1.5)
    elif kind == 4:
        np.random.choice(3, 5, False)
    elif kind == 5:
        np.random.randint(0)
    else:
        random.randint(3, 1)


@pytest.mark.parametrize("kind", range(7))
def test_argument_errors(kind):
    check(bad_arguments, kind)
    # NumPy's messages too (`high <= 0` for the one-argument form).
    if kind in (1, 5):
        with pytest.raises(ValueError) as expected:
            bad_arguments.py_func(kind)
        with pytest.raises(ValueError, match=str(expected.value)):
            bad_arguments(kind)
