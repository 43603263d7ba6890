"""`np.random` distributions with array parameters inside compiled code: one draw per element
of the parameters' broadcast shape in C order, so after the same seed the arrays equal NumPy's
legacy `RandomState` draws exactly; bad parameters raise NumPy's `ValueError`.
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


def test_size_with_array_parameters_is_a_compile_error():
    @jit
    def sized(mu):
        return np.random.normal(mu, 1.0, 3)

    with pytest.raises(ferrojit.UnsupportedError, match="size= with array parameters"):
        sized(np.zeros(3))
