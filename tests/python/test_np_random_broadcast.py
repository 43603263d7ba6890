"""`np.random` distributions (and `randint`) with array parameters inside compiled code: one
draw per element of the parameters' broadcast shape (or of `size=`) in C order, so after the
same seed the arrays equal NumPy's legacy `RandomState` draws exactly; bad parameters raise
NumPy's `ValueError`.
"""

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit


@jit
def array_parameters(seed, mu, sigma, lam, m):
    np.random.seed(seed)
    return (np.random.normal(mu, 1.0), np.random.normal(0.0, sigma), np.random.normal(mu, sigma),
            np.random.normal(m, sigma), np.random.uniform(mu, mu + 1.0),
            np.random.exponential(sigma), np.random.poisson(lam), np.random.binomial(10, sigma / 4.0),
            np.random.gamma(sigma), np.random.beta(sigma, 2.0), np.random.laplace(m, 1.0),
            np.random.normal(loc=m), np.random.random())


@pytest.mark.parametrize("seed", [0, 17])
def test_array_parameters_match_numpy(seed):
    mu = np.array([0.0, 10.0, -5.0])
    sigma = np.array([1.0, 0.5, 2.0])
    lam = np.array([[1.0, 20.0, 4.0], [0.5, 3.0, 12.0]])
    m = np.arange(6.0).reshape(2, 3)
    check(array_parameters, seed, mu, sigma, lam, m)
    check(array_parameters, seed, mu.astype(np.float32), sigma, lam[::-1], m[:, ::-1])


@jit
def bad_scale(sigma):
    np.random.seed(0)
    return np.random.normal(0.0, sigma)


def test_bad_array_parameter_raises():
    check(bad_scale, np.array([1.0, -1.0]))


@jit
def sized(seed, mu, sigma, m):
    np.random.seed(seed)
    return (np.random.normal(mu, 1.0, 3), np.random.normal(mu, sigma, (4, 3)),
            np.random.normal(m, sigma, size=(2, 2, 3)), np.random.poisson(np.abs(mu), (2, 3)),
            np.random.gamma(sigma, 2.0, size=(1, 3)), np.random.uniform(m, 10.0, (2, 3)),
            np.random.normal(m[:, :1], 1.0, (2, 4)), np.random.random())


@pytest.mark.parametrize("seed", [0, 5])
def test_size_with_array_parameters_matches_numpy(seed):
    # `size` is the shape; the parameters broadcast to it, drawn in its C order.
    check(sized, seed, np.array([0.0, 10.0, -5.0]), np.array([1.0, 0.5, 2.0]),
          np.arange(6.0).reshape(2, 3))


@jit
def sized_mismatch(mu, n):
    np.random.seed(0)
    return np.random.normal(mu, 1.0, n)


def test_size_the_parameters_do_not_broadcast_to_raises():
    check(sized_mismatch, np.zeros(3), 2)
    check(sized_mismatch, np.zeros(3), 0)


def test_size_of_lower_rank_than_the_parameters_is_a_compile_error():
    @jit
    def lower(m):
        return np.random.normal(m, 1.0, 3)

    with pytest.raises(ferrojit.TypingError, match="fewer than the parameters"):
        lower(np.zeros((2, 3)))


@jit
def randint_arrays(seed, low, high, h2):
    np.random.seed(seed)
    return (np.random.randint(low, high), np.random.randint(high), np.random.randint(low, 50),
            np.random.randint(-3, h2), np.random.randint(low, h2, size=(3, 2, 4)),
            np.random.randint(high=high, low=low), np.random.randint(0, 2))


@pytest.mark.parametrize("seed", [0, 11])
def test_randint_with_array_bounds_matches_numpy(seed):
    low = np.array([0, 5, -3, 10])
    high = np.array([3, 2**40, 2**33, 11])
    h2 = np.array([[1], [2**31]]).astype(np.int32)
    check(randint_arrays, seed, low, high, h2)


@jit
def bad_randint(low, high):
    np.random.seed(0)
    return np.random.randint(low, high)


@pytest.mark.parametrize("low,high", [(np.array([0, 0]), np.array([2, 0])),
                                      (np.array([3, 1]), np.array([4, 1])),
                                      (np.array([3, 1]), np.array([4, 5, 6]))])
def test_randint_with_bad_array_bounds_raises(low, high):
    check(bad_randint, low, high)
