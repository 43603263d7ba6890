"""Computational economics in the style of QuantEcon: root finders and optimisers that take a
jitted function as an argument (bisection, Newton, Brent-style golden section), Markov chain
simulation by `searchsorted` on cumulative rows, Tauchen discretisation, value function
iteration, a Lucas-tree fixed point and results returned as tuples."""

import math

import numpy as np

from ferrojit import njit, prange
import ferrojit as numba

from . import Case

_ECONOMIC_EPS = 1e-10


@njit
def bisect(f, a, b, args=(), xtol=2e-12, rtol=4 * np.finfo(float).eps, maxiter=100):
    fa = f(a, *args)
    fb = f(b, *args)
    if fa * fb > 0:
        raise ValueError("f(a) and f(b) must have different signs")
    if fa == 0:
        return a, 0, True
    if fb == 0:
        return b, 0, True
    dm = b - a
    for i in range(maxiter):
        dm *= 0.5
        xm = a + dm
        fm = f(xm, *args)
        if fm * fa >= 0:
            a = xm
        if fm == 0 or abs(dm) < xtol + rtol * abs(xm):
            return xm, i + 1, True
    return a + dm, maxiter, False


@njit
def newton(func, x0, fprime, args=(), tol=1.48e-8, maxiter=50):
    p0 = x0
    for itr in range(maxiter):
        fval = func(p0, *args)
        fder = fprime(p0, *args)
        if fder == 0:
            return p0, itr, False
        p = p0 - fval / fder
        if abs(p - p0) < tol:
            return p, itr + 1, True
        p0 = p
    return p0, maxiter, False


@njit
def golden_section_max(f, a, b, args=(), tol=1e-10, maxiter=500):
    invphi = (math.sqrt(5) - 1) / 2
    invphi2 = (3 - math.sqrt(5)) / 2
    h = b - a
    c = a + invphi2 * h
    d = a + invphi * h
    f_c = f(c, *args)
    f_d = f(d, *args)
    num_iter = 0
    while abs(c - d) > tol and num_iter < maxiter:
        num_iter += 1
        h *= invphi
        if f_c >= f_d:
            b = d
            d = c
            f_d = f_c
            c = a + invphi2 * h
            f_c = f(c, *args)
        else:
            a = c
            c = d
            f_c = f_d
            d = a + invphi * h
            f_d = f(d, *args)
    if f_c >= f_d:
        return c, f_c, num_iter
    return d, f_d, num_iter


@njit
def cubic(x, shift):
    return x ** 3 - shift


@njit
def cubic_prime(x, shift):
    return 3 * x ** 2


@njit
def concave(x):
    return -(x - 0.3) ** 2 + math.log(1 + x)


@njit
def solve_cubic(shift):
    r1 = bisect(cubic, 0.0, 5.0, args=(shift,))
    r2 = newton(cubic, 2.0, cubic_prime, args=(shift,))
    return r1[0], r2[0], r2[2]


@njit
def maximise_concave():
    return golden_section_max(concave, 0.0, 2.0)


@njit(cache=True)
def _generate_sample_paths(P_cdfs, init_states, random_values, out):
    num_reps, ts_length = out.shape
    for i in range(num_reps):
        out[i, 0] = init_states[i]
        for t in range(ts_length - 1):
            out[i, t + 1] = np.searchsorted(P_cdfs[out[i, t]], random_values[i, t])


@njit
def simulate_markov(P, init, ts_length, seed=1234):
    np.random.seed(seed)
    P_cdfs = np.empty_like(P)
    for i in range(P.shape[0]):
        P_cdfs[i] = np.cumsum(P[i])
    k = init.shape[0]
    random_values = np.random.random((k, ts_length - 1))
    out = np.empty((k, ts_length), dtype=np.int64)
    _generate_sample_paths(P_cdfs, init, random_values, out)
    return out


@njit
def std_norm_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


@njit
def tauchen(n, rho, sigma, mu=0.0, n_std=3):
    a_bar = n_std * math.sqrt(sigma ** 2 / (1 - rho ** 2))
    y = np.linspace(-a_bar, a_bar, n)
    d = y[1] - y[0]
    P = np.empty((n, n))
    for row in range(n):
        P[row, 0] = std_norm_cdf((y[0] - rho * y[row] + d / 2) / sigma)
        P[row, n - 1] = 1 - std_norm_cdf((y[n - 1] - rho * y[row] - d / 2) / sigma)
        for col in range(1, n - 1):
            z = y[col] - rho * y[row]
            P[row, col] = std_norm_cdf((z + d / 2) / sigma) - std_norm_cdf((z - d / 2) / sigma)
    y = y + mu / (1 - rho)
    return y, P


@njit
def stationary_distribution(P, tol=1e-12, max_iter=10000):
    n = P.shape[0]
    psi = np.ones(n) / n
    for it in range(max_iter):
        new = psi @ P
        if np.max(np.abs(new - psi)) < tol:
            return new, it
        psi = new
    return psi, max_iter


@njit(parallel=True)
def bellman_operator(v, grid, beta, out, policy):
    n = grid.shape[0]
    for i in prange(n):
        best = -np.inf
        best_j = 0
        for j in range(n):
            c = grid[i] - grid[j] / 2.0
            if c <= 0:
                continue
            val = math.log(c) + beta * v[j]
            if val > best:
                best = val
                best_j = j
        out[i] = best
        policy[i] = best_j


@njit
def value_function_iteration(grid, beta=0.9, tol=1e-6, max_iter=500):
    v = np.zeros(grid.shape[0])
    new_v = np.empty_like(v)
    policy = np.empty(grid.shape[0], dtype=np.int64)
    error = tol + 1
    it = 0
    while it < max_iter and error > tol:
        bellman_operator(v, grid, beta, new_v, policy)
        error = np.max(np.abs(new_v - v))
        v[:] = new_v
        it += 1
    return v, policy, it


@njit
def lucas_tree_price(grid, beta, gamma, shocks):
    n = grid.shape[0]
    f = np.ones(n)
    Tf = np.empty(n)
    for it in range(200):
        for i in range(n):
            y = grid[i]
            acc = 0.0
            for s in shocks:
                y_next = y ** 0.9 * s
                acc += y_next ** (1 - gamma) * np.interp(y_next, grid, f)
            Tf[i] = 1.0 + beta * acc / shocks.shape[0] / y ** (-gamma) * y ** (-gamma)
        if np.max(np.abs(Tf - f)) < 1e-8:
            break
        f[:] = Tf
    return f


@njit
def gini_coefficient(y):
    n = len(y)
    i_sum = np.zeros(n)
    for i in prange(n):
        for j in range(n):
            i_sum[i] += abs(y[i] - y[j])
    return np.sum(i_sum) / (2 * n * np.sum(y))


@njit
def lorenz_curve(y):
    n = len(y)
    y = np.sort(y)
    s = np.zeros(n + 1)
    s[1:] = np.cumsum(y)
    cum_people = np.zeros(n + 1)
    cum_income = np.zeros(n + 1)
    for i in range(1, n + 1):
        cum_people[i] = i / n
        cum_income[i] = s[i] / s[n]
    return cum_people, cum_income


@numba.njit("Tuple((f8, f8))(f8[:], f8[:])")
def ols_slope_intercept(x, y):
    X = np.empty((x.shape[0], 2))
    X[:, 0] = 1.0
    X[:, 1] = x
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    return beta[0], beta[1]


@njit
def draw_mixture(n, seed):
    np.random.seed(seed)
    out = np.empty(n)
    for i in range(n):
        if np.random.uniform(0, 1) < 0.3:
            out[i] = np.random.normal(-2.0, 0.5)
        else:
            out[i] = np.random.normal(1.0, 1.0)
    return out


@njit
def cartesian_2(a, b):
    out = np.empty((a.shape[0] * b.shape[0], 2))
    k = 0
    for i in range(a.shape[0]):
        for j in range(b.shape[0]):
            out[k, 0] = a[i]
            out[k, 1] = b[j]
            k += 1
    return out


_rng = np.random.default_rng(13)
P3 = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5]])
GRID = np.linspace(0.1, 4.0, 30)
INCOME = _rng.lognormal(0.0, 1.0, 25)

CASES = [
    Case(bisect, cubic, 0.0, 3.0, kwargs={"args": (2.0,)}),
    Case(newton, cubic, 1.0, cubic_prime, kwargs={"args": (2.0,)}),
    Case(solve_cubic, 3.0),
    Case(maximise_concave),
    Case(simulate_markov, P3, np.array([0, 1, 2]), 12),
    Case(tauchen, 5, 0.9, 0.1, rtol=1e-12),
    Case(tauchen, 4, 0.5, 0.2, kwargs={"mu": 1.0, "n_std": 2}, rtol=1e-12, label="kw"),
    Case(stationary_distribution, P3, rtol=1e-9),
    Case(value_function_iteration, GRID),
    Case(lucas_tree_price, GRID[:10], 0.9, 2.0, np.array([0.9, 1.0, 1.1]), rtol=1e-9),
    Case(gini_coefficient, INCOME, rtol=1e-12),
    Case(lorenz_curve, INCOME, rtol=1e-12),
    Case(ols_slope_intercept, GRID, 2 * GRID + 1 + _rng.standard_normal(30) * 0.1, rtol=1e-9),
    Case(draw_mixture, 20, 7),
    Case(cartesian_2, np.arange(3.0), np.arange(2.0)),
]
