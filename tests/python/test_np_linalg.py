"""Linear algebra inside compiled code, against NumPy's LAPACK (see diff.py): `np.dot`/`@` of
float64 matrices through faer's blocked product, `np.linalg.solve`, `inv`, `det`, `norm`
(ord=None) and `np.trace`, the factorizations (`eigh`, `svd`, `qr`, `lstsq`, `pinv`, ...; their
factors are compared through sign-free quantities such as reconstructions); singular matrices
raise `np.linalg.LinAlgError` as in NumPy.
Floating-point results agree to 1e-10 relative (different summation orders).
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

rng = np.random.default_rng(15)


@jit
def products(a, b):
    return a @ b, np.dot(a, b), np.dot(a.T, a)


@pytest.mark.parametrize(
    "a, b",
    [(rng.standard_normal((5, 7)), rng.standard_normal((7, 3))),
     (rng.standard_normal((40, 33)), rng.standard_normal((33, 50))),
     (np.asfortranarray(rng.standard_normal((6, 6))), rng.standard_normal((6, 6))[::-1]),
     (np.arange(6.0).reshape(2, 3), np.arange(6).reshape(3, 2)),
     (np.zeros((3, 0)), np.zeros((0, 4)))],
)
def test_matrix_products(a, b):
    check(products, a, b, rtol=1e-10)


def test_product_shape_mismatch():
    check(products, np.ones((2, 3)), np.ones((2, 3)))


@jit
def solve_inv_det(a, b):
    return np.linalg.solve(a, b), np.linalg.inv(a), np.linalg.det(a), np.trace(a), a.trace()


@pytest.mark.parametrize(
    "a, b",
    [(rng.standard_normal((4, 4)) + 4 * np.eye(4), rng.standard_normal(4)),
     (rng.standard_normal((6, 6)), rng.standard_normal((6, 2))),
     (np.array([[2, 1], [1, 3]]), np.array([3, 5])),
     (rng.standard_normal((5, 5)).T, rng.standard_normal(5))],
)
def test_solve_inv_det(a, b):
    check(solve_inv_det, a, b, rtol=1e-10)


def test_singular_matrix_raises_linalg_error():
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        solve_inv_det(np.array([[1.0, 2.0], [2.0, 4.0]]), np.ones(2))
    check(solve_inv_det, np.array([[1.0, 2.0], [2.0, 4.0]]), np.ones(2))
    check(solve_inv_det, np.ones((2, 3)), np.ones(2))


@jit
def norms(x):
    return np.linalg.norm(x), np.linalg.norm(x, None)


def test_norm():
    check(norms, rng.standard_normal(10), rtol=1e-12)
    check(norms, rng.standard_normal((3, 4)), rtol=1e-12)
    check(norms, np.arange(5), rtol=1e-12)


@jit
def det_only(a):
    return np.linalg.det(a)


def test_det_of_singular_is_zero():
    check(det_only, np.array([[1.0, 2.0], [2.0, 4.0]]), rtol=1e-12)


@jit
def factorizations(a, spd):
    return (np.linalg.slogdet(a), np.linalg.cholesky(spd), np.linalg.eigvalsh(spd),
            np.linalg.matrix_power(a, 3), np.linalg.matrix_power(a, 0), np.linalg.matrix_power(a, -2))


@pytest.mark.parametrize("n", [1, 3, 6])
def test_factorizations(n):
    a = rng.standard_normal((n, n)) + 2 * np.eye(n)
    check(factorizations, a, a @ a.T + 3.0 * np.eye(n), rtol=1e-8)


def test_factorization_errors():
    @jit
    def chol(a):
        return np.linalg.cholesky(a)

    check(chol, np.array([[1.0, 2.0], [2.0, 1.0]]))
    check(factorizations, np.array([[1.0, 2.0], [2.0, 4.0]]), np.eye(2))


@jit
def slogdet_of(a):
    return np.linalg.slogdet(a)


def test_slogdet_signs():
    check(slogdet_of, np.array([[0.0, 1.0], [1.0, 0.0]]), rtol=1e-12)
    check(slogdet_of, np.array([[1.0, 2.0], [2.0, 4.0]]), rtol=1e-12)
    check(slogdet_of, -np.eye(3) * 2.0, rtol=1e-12)


@jit
def krons(a, b, u, v):
    return np.kron(a, b), np.kron(u, v)


def test_kron():
    check(krons, np.arange(4.0).reshape(2, 2), np.array([[1, -1, 2]]), np.arange(3), np.array([1.0, 10.0]))


@jit
def eigh_reconstructed(a):
    w, v = np.linalg.eigh(a)
    # Eigenvectors are unique up to sign: compare A = V diag(w) V^T and V^T V = I instead.
    return w, (v * w) @ v.T, v.T @ v


@pytest.mark.parametrize("n", [1, 3, 6])
def test_eigh(n):
    m = rng.standard_normal((n, n))
    check(eigh_reconstructed, m + m.T, rtol=1e-8)
    k = np.arange(n * n).reshape(n, n) % 3
    check(eigh_reconstructed, k + k.T, rtol=1e-8)


def test_eigh_errors():
    @jit
    def eigh_of(a):
        return np.linalg.eigh(a)

    check(eigh_of, np.ones((2, 3)))


@jit
def svd_parts(a):
    u, s, vh = np.linalg.svd(a)
    ur, sr, vhr = np.linalg.svd(a, full_matrices=False)
    # Singular vectors are unique up to sign: compare the reconstruction and orthogonality.
    return (s, np.linalg.svd(a, compute_uv=False), u.shape, vh.shape, (ur * sr) @ vhr,
            u.T @ u, vh @ vh.T, ur.T @ ur, np.linalg.matrix_rank(a), np.linalg.pinv(a))


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (5, 3), (3, 6)])
def test_svd_rank_pinv(shape):
    check(svd_parts, rng.standard_normal(shape), rtol=1e-8)


def test_svd_rank_deficient():
    a = np.outer(np.arange(1.0, 5.0), np.array([1.0, -2.0, 0.5]))
    check(svd_parts, a, rtol=1e-8)
    check(svd_parts, np.arange(12).reshape(4, 3), rtol=1e-8)
    check(svd_parts, np.zeros((2, 3)), rtol=1e-8)


def test_float32_factorizations():
    # The results are float32 as NumPy's (computed in float64 and converted).
    m = rng.standard_normal((4, 4)).astype(np.float32)
    check(eigh_reconstructed, m + m.T, rtol=1e-4)
    check(svd_parts, m[:, :3], rtol=1e-4)


def test_svd_compute_uv_must_be_literal():
    import ferrojit

    @jit
    def svd_flag(a, flag):
        return np.linalg.svd(a, compute_uv=flag)

    with pytest.raises(ferrojit.UnsupportedError, match="compute_uv must be the literal"):
        svd_flag(np.eye(2), False)


@jit
def qr_parts(a):
    q, r = np.linalg.qr(a)
    # Q and R are unique up to the signs of R's rows (Q's columns): compare sign-free values.
    return q.shape, r.shape, q @ r, q.T @ q, np.abs(r)


@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (6, 3), (3, 5)])
def test_qr(shape):
    check(qr_parts, rng.standard_normal(shape), rtol=1e-8)
    # Full column (row) rank: a rank-deficient matrix's R is not unique up to signs alone.
    k = np.arange(shape[0] * shape[1]).reshape(shape) % 4 + 5 * np.eye(*shape, dtype=np.int64)
    check(qr_parts, k, rtol=1e-8)


@jit
def least_squares(a, b):
    return np.linalg.lstsq(a, b), np.linalg.lstsq(a, b, rcond=None)


@pytest.mark.parametrize("shape", [(6, 3), (3, 3), (3, 5), (1, 1)])
def test_lstsq(shape):
    a = rng.standard_normal(shape)
    check(least_squares, a, rng.standard_normal(shape[0]), rtol=1e-8)
    check(least_squares, a, rng.standard_normal((shape[0], 2)), rtol=1e-8)


def test_lstsq_rank_deficient_and_errors():
    a = np.outer(np.arange(1.0, 6.0), np.array([1.0, 2.0]))
    check(least_squares, a, np.arange(5.0), rtol=1e-8)
    check(least_squares, np.arange(12).reshape(4, 3), np.arange(4), rtol=1e-8)
    check(least_squares, np.eye(3), np.ones(2))


@jit
def norm_orders(v, m):
    return (np.linalg.norm(v, 1), np.linalg.norm(v, 2), np.linalg.norm(v, np.inf),
            np.linalg.norm(v, -np.inf), np.linalg.norm(v, 3), np.linalg.norm(v, 0),
            np.linalg.norm(m, 'fro'), np.linalg.norm(m, 1), np.linalg.norm(m, -1),
            np.linalg.norm(m, 2), np.linalg.norm(m, -2), np.linalg.norm(m, np.inf),
            np.linalg.norm(m, -np.inf), np.linalg.norm(m, None))


def test_norm_orders():
    check(norm_orders, rng.standard_normal(7), rng.standard_normal((4, 3)), rtol=1e-10)
    check(norm_orders, np.array([0, -3, 4]), np.arange(6).reshape(2, 3), rtol=1e-10)

    @jit
    def matrix_norm(m, p):
        return np.linalg.norm(m, p)

    check(matrix_norm, np.eye(2), 3)
