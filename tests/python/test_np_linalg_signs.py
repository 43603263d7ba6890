"""`np.linalg.eigh` eigenvectors compared DIRECTLY with NumPy's, signs included, for orders up to
25, where ferrojit runs LAPACK's own `dsyevd` path (runtime/src/lapack/tridiagonal.rs).

An eigenvector is unique only up to its sign; LAPACK's choice is an artifact of its algorithm,
and code ported from Numba (PCA by `eigh`, projections on `v[:, 0]`) prints it. Each case runs the
compiled function and NumPy on the same matrix and compares `w` and `v` elementwise to 1e-10
relative to the largest eigenvalue (vectors have unit norm). Matrices with repeated eigenvalues
have no unique vectors: there the test compares reconstructions (they come out equal too, as
the same algorithm runs, but nothing promises it). Above order 25 ferrojit uses `faer`, whose
signs may differ: those orders are checked through reconstructions.
"""

import numpy as np
import pytest

from ferrojit import jit

SMALL = 25
rng = np.random.default_rng(2026)


@jit
def eigh(a):
    return np.linalg.eigh(a)


def assert_same_eigh(a):
    w, v = eigh(a)
    w0, v0 = np.linalg.eigh(a)
    assert w.dtype == w0.dtype and v.dtype == v0.dtype and v.shape == v0.shape
    scale = max(np.abs(w0).max(), np.finfo(float).tiny)
    assert np.abs(w - w0).max() <= 1e-10 * scale, f"eigenvalues differ\n{w}\n{w0}"
    flipped = np.flatnonzero(np.sum(v * v0, axis=0) < 0)
    assert np.abs(v - v0).max() <= 1e-10, f"eigenvectors differ (sign flipped in columns {flipped})"


def assert_same_reconstruction(a):
    w, v = eigh(a)
    w0, _ = np.linalg.eigh(a)
    scale = max(np.abs(w0).max(), 1.0)
    assert np.abs(w - w0).max() <= 1e-10 * scale
    lower = np.tril(a) + np.tril(a, -1).T
    assert np.abs((v * w) @ v.T - lower).max() <= 1e-10 * scale
    assert np.abs(v.T @ v - np.eye(len(a))).max() <= 1e-10


def symmetric(n, draw=None):
    m = rng.standard_normal((n, n)) if draw is None else draw((n, n)).astype(float)
    return m + m.T


ORDERS = list(range(1, SMALL + 1))


@pytest.mark.parametrize("n", ORDERS)
def test_random(n):
    for _ in range(4):
        assert_same_eigh(symmetric(n))


@pytest.mark.parametrize("n", ORDERS)
def test_integer(n):
    # Small integers cancel exactly: whether a Householder vector is zero or rounding noise
    # decides a reflection, so these check that the BLAS arithmetic is NumPy's.
    for high in (1, 2, 9):
        for _ in range(3):
            assert_same_eigh(symmetric(n, lambda shape: rng.integers(-high, high + 1, shape)))


@pytest.mark.parametrize("n", ORDERS)
def test_structured(n):
    assert_same_eigh(np.diag(rng.standard_normal(n)))
    off = rng.standard_normal(n - 1)
    assert_same_eigh(np.diag(rng.standard_normal(n)) + np.diag(off, 1) + np.diag(off, -1))
    m = rng.standard_normal((n, n))
    assert_same_eigh(-(m @ m.T) - np.eye(n))  # all eigenvalues negative


@pytest.mark.parametrize("n", ORDERS)
def test_extreme_scales(n):
    # dsyevd scales matrices whose largest element is below ~1e-146 or above ~1e146.
    a = symmetric(n)
    assert_same_eigh(a * 1e-150)
    assert_same_eigh(a * 1e150)
    assert_same_eigh(a * 1e-300)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 17, 24, 25])
def test_layouts(n):
    a = symmetric(n)
    assert_same_eigh(np.asfortranarray(a))
    big = symmetric(2 * n + 1)
    assert_same_eigh(big[::2, ::2][:n, :n])  # a strided view of a symmetric matrix
    assert_same_eigh(big[1::2, ::2][:n, :n])  # not symmetric: its lower triangle counts
    # Only the lower triangle is read, as NumPy's UPLO='L' default.
    assert_same_eigh(np.tril(a) + np.triu(rng.standard_normal((n, n)), 1))


@pytest.mark.parametrize("n", ORDERS + [26, 40])
def test_repeated_eigenvalues(n):
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    values = rng.integers(-2, 3, n).astype(float)
    for a in (np.eye(n), np.ones((n, n)), np.zeros((n, n)), 3 * np.eye(n) - 1, (q * values) @ q.T):
        assert_same_reconstruction(a)


@pytest.mark.parametrize("n", [26, 31, 40])
def test_larger_orders_reconstruct(n):
    assert_same_reconstruction(symmetric(n))


def test_errors_and_non_finite():
    a = symmetric(3)
    a[1, 0] = np.nan
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.eigh(a)
    with pytest.raises(np.linalg.LinAlgError):
        eigh(a)
    a[1, 0] = np.inf
    w, v = eigh(a)
    w0, v0 = np.linalg.eigh(a)
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_array_equal(v, v0)
