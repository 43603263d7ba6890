"""`np.random.multinomial` and `np.random.dirichlet` inside compiled code: after the same seed
the rows equal NumPy's legacy `RandomState` exactly (NumPy's algorithms, draw for draw), and
bad parameters raise NumPy's `ValueError`s.
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit


@jit
def multinomial_draws(seed, n, pvals):
    np.random.seed(seed)
    return (np.random.multinomial(n, pvals), np.random.multinomial(n, pvals, 3),
            np.random.multinomial(n, pvals, (2, 2)), np.random.random())


@jit
def dirichlet_draws(seed, alpha):
    np.random.seed(seed)
    return (np.random.dirichlet(alpha), np.random.dirichlet(alpha, 4),
            np.random.dirichlet(alpha, size=(2, 3)), np.random.random())


@pytest.mark.parametrize("seed", [0, 1, 12345])
@pytest.mark.parametrize("n,pvals", [
    (20, [0.2, 0.3, 0.5]),
    (1000, [0.1, 0.6, 0.3]),       # n * p > 30: the BTPE binomial
    (10, [0.0, 0.5, 0.5]),         # a zero probability draws nothing
    (0, [0.5, 0.5]),
    (7, [1.0]),
    (50, np.array([0.25, 0.25, 0.25, 0.25], np.float32)),
    (5, [0.5, 0.6]),               # only pvals[:-1] must sum to at most 1
])
def test_multinomial_matches_numpy(seed, n, pvals):
    check(multinomial_draws, seed, n, np.asarray(pvals))


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("alpha", [[1.0, 2.0, 3.0], [0.1, 0.2], [5.0], [0.5, 30.0, 1.0, 1.0]])
def test_dirichlet_matches_numpy(seed, alpha):
    check(dirichlet_draws, seed, np.asarray(alpha))


@pytest.mark.parametrize("n,pvals", [(-1, [0.5, 0.5]), (5, [-0.1, 1.1]), (5, [np.nan, 1.0]),
                                     (5, [0.7, 0.7, 0.1])])
def test_multinomial_errors(n, pvals):
    check(multinomial_draws, 0, n, np.asarray(pvals))


@pytest.mark.parametrize("alpha", [[1.0, -1.0], [0.0, 1.0]])
def test_dirichlet_errors(alpha):
    check(dirichlet_draws, 0, np.asarray(alpha))


def test_vector_parameters_must_be_arrays():
    @jit
    def bad(n):
        return np.random.multinomial(n, 0.5)

    with pytest.raises(Exception, match="pvals must be a 1-d array"):
        bad(3)


@jit
def mvn(seed, mean, cov, n):
    np.random.seed(seed)
    x = np.random.multivariate_normal(mean, cov, n)
    one = np.random.multivariate_normal(mean, cov)
    grid = np.random.multivariate_normal(mean, cov, (2, 3))
    return x, one, grid, np.random.random()


@pytest.mark.parametrize("variances", [[2.0, 1.0, 0.5], [0.5, 1.0, 2.0], [1.0, 1.0, 3.0]])
def test_multivariate_normal_of_a_diagonal_cov_is_numpys(variances):
    # A diagonal cov's singular vectors are unit vectors, signs and all: NumPy's numbers.
    check(mvn, 3, np.array([1.0, -2.0, 0.5]), np.diag(variances), 50)


@pytest.mark.parametrize("d", [2, 3, 7, 25])
def test_multivariate_normal_of_a_full_cov_is_numpys(d):
    # Up to 25 dimensions the covariance's SVD is LAPACK's algorithm, singular vectors' signs
    # and all: NumPy's numbers, to rounding.
    m = np.random.default_rng(d).standard_normal((d, d))
    check(mvn, 5, np.linspace(-1.0, 1.0, d), m @ m.T + 0.1 * np.eye(d), 20, rtol=1e-9)


def test_multivariate_normal_statistics_and_stream():
    # Above 25 dimensions the singular vectors' signs may differ from LAPACK's: the same
    # distribution, not the same numbers. Either way the stream afterwards is NumPy's (the
    # same number of draws).
    mean = np.array([1.0, -2.0, 0.5])
    cov = np.array([[2.0, 0.6, 0.2], [0.6, 1.0, -0.3], [0.2, -0.3, 0.5]])
    x, one, grid, after = mvn(3, mean, cov, 40000)
    ex, eone, egrid, eafter = mvn.py_func(3, mean, cov, 40000)
    assert x.shape == ex.shape and one.shape == eone.shape and grid.shape == egrid.shape
    assert after == eafter
    assert np.allclose(x.mean(axis=0), mean, atol=0.03)
    assert np.allclose(np.cov(x.T), cov, atol=0.05)


@pytest.mark.parametrize("mean,cov", [(np.zeros(2), np.eye(3)), (np.zeros(2), np.ones((2, 3)))])
def test_multivariate_normal_errors(mean, cov):
    check(mvn, 0, mean, cov, 2)
