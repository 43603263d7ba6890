"""More of `np.linalg` inside compiled code, against NumPy (see diff.py): `norm` with
`ord='nuc'` and with `axis=` (vector norms along an axis, any `ord` number), `eig`/`eigvals`
of general real matrices (complex results; checked through `a @ v == v * w`, unit columns and
the sorted eigenvalues, since the order and the eigenvectors' phases are LAPACK's choice).
"""

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit

inf = np.inf
rng = np.random.default_rng(5)


@jit
def norms(m, v):
    return (np.linalg.norm(m, "nuc"), np.linalg.norm(m, axis=0), np.linalg.norm(m, axis=1),
            np.linalg.norm(m, 1, axis=0), np.linalg.norm(m, inf, axis=1),
            np.linalg.norm(m, -inf, 1), np.linalg.norm(m, 0, axis=1),
            np.linalg.norm(m, 3.5, axis=0), np.linalg.norm(v, axis=0),
            np.linalg.norm(m, ord=None, axis=-1), np.linalg.norm(m, "fro"))


@pytest.mark.parametrize("m", [
    rng.standard_normal((4, 3)),
    np.asfortranarray(rng.standard_normal((3, 5))),
    rng.standard_normal((6, 6))[::2, 1::2],
    rng.integers(-5, 5, (3, 3)),
])
def test_norms(m):
    check(norms, m, m[0], rtol=1e-12)


def test_norms_float32():
    m = rng.standard_normal((4, 3)).astype(np.float32)
    check(norms, m, m[0], rtol=1e-5)


@jit
def norm_3d(a):
    return np.linalg.norm(a, axis=1), np.linalg.norm(a, 1, axis=-1)


def test_norm_along_an_axis_of_three_dimensions():
    check(norm_3d, rng.standard_normal((2, 3, 4)), rtol=1e-12)


@jit
def kept_norms(m, v, z):
    return (np.linalg.norm(m, axis=0, keepdims=True), np.linalg.norm(m, 1, 1, keepdims=True),
            np.linalg.norm(m, keepdims=True), np.linalg.norm(m, "nuc", keepdims=True),
            np.linalg.norm(v, keepdims=True), np.linalg.norm(v, np.inf, 0, keepdims=True),
            np.linalg.norm(z, axis=-1, keepdims=True), np.linalg.norm(z, 2, keepdims=True),
            np.linalg.norm(m, axis=1, keepdims=False))


def test_norm_keepdims_matches_numpy():
    rng = np.random.default_rng(4)
    m = rng.standard_normal((3, 4))
    z = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))
    check(kept_norms, m, rng.standard_normal(5), z, rtol=1e-12)


def test_nuc_of_a_vector_is_a_compile_error():
    @jit
    def f(v):
        return np.linalg.norm(v, "nuc")

    with pytest.raises(ferrojit.UnsupportedError, match="nuc"):
        f(np.ones(3))


@jit
def eigen(a):
    w, v = np.linalg.eig(a)
    return w, v, np.linalg.eigvals(a)


def result_dtype(a):
    """Numba's rule: real results for real input, complex for complex input."""
    if a.dtype.kind == "c":
        return a.dtype
    return np.float32 if a.dtype == np.float32 else np.float64


def check_eigen(a, tol):
    w, v, values = eigen(a)
    assert w.dtype == v.dtype == values.dtype == result_dtype(a)
    expected = np.linalg.eigvals(a.astype(np.complex128))
    scale = max(1.0, np.abs(expected).max()) if expected.size else 1.0
    key = lambda z: (np.round(z.real, 6), np.round(z.imag, 6))
    for got in (w, values):
        assert np.allclose(sorted(got, key=key), sorted(expected, key=key), atol=tol * scale)
    # Each column is a unit eigenvector with its largest component real.
    assert np.allclose(a.astype(np.complex128) @ v, v * w, atol=tol * scale)
    assert np.allclose(np.linalg.norm(v, axis=0), 1.0, atol=tol)
    if v.size:
        largest = np.abs(v).argmax(axis=0)
        assert np.allclose(v[largest, np.arange(v.shape[1])].imag, 0.0, atol=tol)


symmetric = rng.standard_normal((6, 6))
symmetric = symmetric + symmetric.T


@pytest.mark.parametrize("a", [
    np.array([[0.0, 1.0], [-2.0, -3.0]]),          # real eigenvalues
    symmetric,
    np.asfortranarray(np.triu(rng.standard_normal((5, 5)))),
    np.diag([3.0, 1.0, 2.0]),
    np.array([[2, 1], [1, 2]]),                    # integers
    np.zeros((0, 0)),
])
def test_eig_of_real_matrices_is_real(a):
    check_eigen(a, 1e-9)


@pytest.mark.parametrize("a", [
    np.array([[0.0, -1.0], [1.0, 0.0]]),           # a rotation: +-i
    rng.standard_normal((6, 6)),                   # almost surely a complex pair
])
def test_eig_of_real_matrices_with_complex_eigenvalues_raises(a):
    assert np.iscomplexobj(np.linalg.eigvals(a))
    with pytest.raises(ValueError, match="domain change"):
        eigen(a)
    check_eigen(a.astype(np.complex128), 1e-9)     # as complex input it works


def test_eig_float32():
    check_eigen(symmetric[:4, :4].astype(np.float32), 1e-4)


@pytest.mark.parametrize("a", [
    rng.standard_normal((5, 5)) + 1j * rng.standard_normal((5, 5)),
    np.array([[1j, 2.0], [0.0, -1j]]),
    np.asfortranarray(rng.standard_normal((3, 3)) + 0.5j),
])
def test_eig_of_complex_matrices(a):
    check_eigen(a, 1e-9)
    check_eigen(a.astype(np.complex64), 1e-4)


def test_eig_errors():
    with pytest.raises(np.linalg.LinAlgError, match="infs or NaNs"):
        eigen(np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(np.linalg.LinAlgError):
        eigen(np.ones((2, 3)))


@jit
def complex_systems(a, b):
    return np.linalg.solve(a, b), np.linalg.inv(a), np.linalg.det(a), a @ b, np.dot(a, a)


def complex_matrix(n, dtype=np.complex128):
    return (rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n)) + 3 * np.eye(n)).astype(dtype)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_complex_solve_inv_det(n):
    a = complex_matrix(n)
    check(complex_systems, a, rng.standard_normal(n) + 1j, rtol=1e-10)
    check(complex_systems, a, complex_matrix(n)[:, :2] if n >= 2 else a, rtol=1e-10)
    check(complex_systems, np.asfortranarray(a), a.T.copy(), rtol=1e-10)


@jit
def mixed(a, b):
    return np.linalg.solve(a, b)


def test_real_matrix_complex_right_hand_side():
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    check(mixed, a, rng.standard_normal(3) + 2j, rtol=1e-10)


def test_complex64_stays_complex64():
    a = complex_matrix(3, np.complex64)
    check(complex_systems, a, a[:, 0].copy(), rtol=1e-4)


def test_singular_complex_matrix_raises():
    a = np.array([[1 + 1j, 2 + 2j], [1 + 1j, 2 + 2j]])
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        complex_systems(a, a)


@jit
def complex_products(a, b, r):
    return a @ b, np.dot(a, r), r @ a, a @ a.T


def test_complex_matrix_products():
    a, b = complex_matrix(7), complex_matrix(7)[:, :3]
    check(complex_products, a, b, rng.standard_normal((7, 7)), rtol=1e-12)
    check(complex_products, np.asfortranarray(a), b, rng.standard_normal((7, 7)), rtol=1e-12)
    check(complex_products, np.zeros((0, 0), complex), np.zeros((0, 2), complex), np.zeros((0, 0)))


@jit
def complex_order(z):
    s = z.copy()
    s.sort()
    return np.sort(z), np.argsort(z, kind="stable"), s, np.sort(z.reshape(2, -1), axis=0)


def test_complex_numbers_sort_lexicographically():
    z = np.array([1 + 2j, 1 - 1j, -3 + 0j, 1 + 2j, 0.5j, -3 - 5j])
    check(complex_order, z)
    check(complex_order, z.astype(np.complex64))


@jit
def sorted_spectrum(a):
    w = np.linalg.eigvals(a)
    return w[np.argsort(w)]


def test_eigenvalues_in_numpy_order():
    a = rng.standard_normal((5, 5)) + 0j
    got = sorted_spectrum(a)
    expected = np.sort(np.linalg.eigvals(a))
    assert np.allclose(got, expected, atol=1e-10)
