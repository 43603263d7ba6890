"""The legacy `np.random` distributions beyond the basic draws, and `choice(..., p=)`: after the
same seed, compiled code draws exactly what NumPy's legacy `RandomState` draws, so the
differential check runs each function both ways and compares bit for bit.
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit


@jit
def gamma_family(seed):
    np.random.seed(seed)
    return (np.random.standard_gamma(2.5), np.random.standard_gamma(0.4, 5),
            np.random.standard_gamma(1.0, (2, 2)), np.random.gamma(3.0), np.random.gamma(0.7, 2.0, 4),
            np.random.beta(0.5, 0.8, 5), np.random.beta(2.0, 3.0, 5), np.random.chisquare(3.0, 4),
            np.random.chisquare(0.5), np.random.f(3.0, 7.0, 4), np.random.standard_t(5.0, 4),
            np.random.standard_t(0.8), np.random.standard_exponential(3),
            np.random.standard_exponential())


@jit
def transforms(seed):
    np.random.seed(seed)
    return (np.random.lognormal(), np.random.lognormal(1.0, 0.5, 4), np.random.laplace(),
            np.random.laplace(2.0, 3.0, 5), np.random.logistic(1.0, 2.0, 5), np.random.gumbel(),
            np.random.gumbel(0.5, 2.0, 5), np.random.triangular(0.0, 1.0, 4.0, 5),
            np.random.triangular(-1.0, -1.0, 2.0), np.random.weibull(1.5, 4), np.random.weibull(0.0),
            np.random.pareto(3.0, 4), np.random.power(2.0, 3), np.random.rayleigh(),
            np.random.rayleigh(2.0, 4), np.random.standard_cauchy(4), np.random.wald(1.0, 2.0, 4),
            np.random.vonmises(0.5, 2.0, 5), np.random.vonmises(-3.0, 1e-9), np.random.vonmises(1.0, 1e-6, 2))


@jit
def integer_distributions(seed):
    np.random.seed(seed)
    return (np.random.geometric(0.5, 6), np.random.geometric(0.05, 6), np.random.geometric(1.0),
            np.random.negative_binomial(3, 0.4, 5), np.random.negative_binomial(2.5, 0.9),
            np.random.zipf(2.0, 5), np.random.hypergeometric(10, 5, 4, 6),
            np.random.hypergeometric(100, 200, 50, 6), np.random.hypergeometric(5, 20, 12),
            np.random.hypergeometric(3, 3, 1, 2))


@jit
def with_keywords(seed):
    np.random.seed(seed)
    return (np.random.gamma(shape=2.0, scale=0.5, size=3), np.random.beta(a=1.5, b=0.5),
            np.random.laplace(scale=2.0, size=(2, 3)), np.random.geometric(p=0.2, size=2),
            np.random.normal(size=2), np.random.standard_gamma(2.0, size=None))


@pytest.mark.parametrize("seed", [0, 1, 42, 12345])
def test_same_draws_as_numpy(seed):
    check(gamma_family, seed)
    check(transforms, seed)
    check(integer_distributions, seed)
    check(with_keywords, seed)


@jit
def choices(seed, a, p, p32):
    np.random.seed(seed)
    return (np.random.choice(5, p=p), np.random.choice(5, 8, p=p), np.random.choice(a, (2, 3), True, p),
            np.random.choice(5, 3, replace=False, p=p), np.random.choice(a, 4, False, p),
            np.random.choice(5, 2, p=p32), np.random.choice(5, 4, False, p))


@pytest.mark.parametrize("seed", [0, 7, 2024])
def test_choice_with_probabilities(seed):
    p = np.array([0.1, 0.0, 0.3, 0.4, 0.2])
    check(choices, seed, np.arange(10.0, 15.0), p, p.astype(np.float32))


@jit
def choice_p(seed, n, size, replace, p):
    np.random.seed(seed)
    return np.random.choice(n, size, replace, p)


@pytest.mark.parametrize("n, size, replace, p", [
    (3, 2, True, np.array([0.5, 0.5])),          # 'a' and 'p' must have same size
    (2, 2, True, np.array([0.5, np.nan])),       # probabilities contain NaN
    (2, 2, True, np.array([1.5, -0.5])),         # probabilities are not non-negative
    (2, 2, True, np.array([0.5, 0.6])),          # probabilities do not sum to 1
    (2, 3, False, np.array([0.5, 0.5])),         # larger sample than population
    (3, 2, False, np.array([1.0, 0.0, 0.0])),    # fewer non-zero entries in p than size
])
def test_choice_probability_errors(n, size, replace, p):
    check(choice_p, 0, n, size, replace, p)


@jit
def bad_distribution_arguments(kind):
    if kind == 0:
        return np.random.gamma(-1.0)
    elif kind == 1:
        return np.random.beta(0.0, 1.0)
    elif kind == 2:
        return np.random.triangular(2.0, 1.0, 3.0)
    elif kind == 3:
        return np.random.triangular(1.0, 1.0, 1.0)
    elif kind == 4:
        return np.random.geometric(1.5) * 1.0
    elif kind == 5:
        return np.random.negative_binomial(1.0, np.nan) * 1.0
    elif kind == 6:
        return np.random.zipf(1.0) * 1.0
    elif kind == 7:
        return np.random.hypergeometric(2, 2, 5) * 1.0
    elif kind == 8:
        return np.random.hypergeometric(-1, 2, 1) * 1.0
    elif kind == 9:
        return np.random.hypergeometric(2, 2, 0) * 1.0
    elif kind == 10:
        return np.random.laplace(0.0, -0.0)
    return np.random.wald(1.0, 0.0)


@pytest.mark.parametrize("kind", range(12))
def test_argument_errors(kind):
    check(bad_distribution_arguments, kind)


@jit
def large_draws(seed):
    np.random.seed(seed)
    return np.random.gamma(4.0, 2.0, 2000), np.random.hypergeometric(500, 700, 300, 2000)


def test_many_draws_stay_in_step():
    # Long runs through the rejection loops (gamma's, hypergeometric's HRUA) stay in step.
    check(large_draws, 3)


@jit
def binomial_stream(seed):
    np.random.seed(seed)
    # n * min(p, 1 - p) > 30 takes NumPy's legacy BTPE; n == 0 and p == 0 still use a draw.
    return (np.random.binomial(1000, 0.4, 50), np.random.binomial(0, 0.5), np.random.random(),
            np.random.binomial(7, 0.0), np.random.random(), np.random.binomial(500, 0.93, 20),
            np.random.binomial(100, 0.5), np.random.random(3))


@pytest.mark.parametrize("seed", [0, 11, 99])
def test_binomial_is_numpys_stream(seed):
    check(binomial_stream, seed)
