"""`np.linalg.eig`/`eigvals` of real matrices with LAPACK's own algorithm (`dgeev`: balancing,
Hessenberg reduction, the double-shift QR iteration, triangular eigenvectors; in
runtime/src/lapack/hessenberg.rs), so the eigenvalues come in NumPy's order and the
eigenvectors with NumPy's signs; compared with NumPy directly, not through sorted values.

For larger or nearly defective matrices LAPACK's order and signs turn on the last bits of
its arithmetic, which NumPy's OpenBLAS does differently on different CPUs (its own results
change with `OPENBLAS_CORETYPE`); these tests use small, well-separated cases, where every
kernel agrees.
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

rng = np.random.default_rng(21)


@jit
def eigen(a):
    w, v = np.linalg.eig(a)
    return w, v, np.linalg.eigvals(a)


def with_real_eigenvalues(n):
    b = rng.standard_normal((n, n))
    return b @ np.diag(rng.uniform(0.5, 3.0, n) * rng.choice([-1.0, 1.0], n)) @ np.linalg.inv(b)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("seed", range(4))
def test_random_matrices_match_numpy(n, seed):
    check(eigen, with_real_eigenvalues(n), rtol=1e-8)


@pytest.mark.parametrize(
    "a",
    [np.triu(rng.standard_normal((5, 5))), np.tril(rng.standard_normal((5, 5))), np.diag([3.0, -1.0, 2.0, 5.0]),
     np.array([[2.0, 1.0, 0.0], [0.0, 2.0, 1.0], [0.0, 0.0, 2.0]]),
     np.array([[1.0, 1e6, 0.0], [1e-6, 2.0, 1e3], [0.0, 1e-3, 3.0]]),
     np.array([[1.0, 2, 0, 0], [0, 3, 0, 0], [4, 5, 6, 7], [0, 0, 0, 8]]),
     np.ones((3, 3)), np.zeros((3, 3)), np.array([[-4.0]]),
     np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7]]),
     np.array([[4, 1, 2], [0, 3, 1], [1, 0, 2]]),
     (np.diag([1.0, 2.0, 3.0]) + np.triu(np.ones((3, 3)), 1)) * 1e-300],
    ids=["upper", "lower", "diagonal", "jordan", "badly_scaled", "isolated_by_permutation", "ones",
         "zeros", "scalar", "markov", "integers", "tiny"],
)
def test_structured_matrices_match_numpy(a):
    # Triangular and permutable matrices exercise balancing's permutations, the scaled one
    # its scaling, the Jordan block the perturbed triangular solve.
    check(eigen, a, rtol=1e-8)


@pytest.mark.parametrize("layout", ["fortran", "transposed", "strided"])
def test_layouts_match_numpy(layout):
    a = with_real_eigenvalues(4)
    big = np.zeros((8, 8))
    big[::2, ::2] = a
    view = {"fortran": np.asfortranarray(a), "transposed": np.ascontiguousarray(a.T).T, "strided": big[::2, ::2]}[layout]
    check(eigen, view, rtol=1e-8)


@jit
def stationary(p):
    # A Markov chain's stationary distribution: the left eigenvector of eigenvalue 1.
    w, v = np.linalg.eig(p.T)
    k = np.argmin(np.abs(w - 1.0))
    return v[:, k] / v[:, k].sum(), w


def test_markov_stationary_distribution():
    check(stationary, np.array([[0.5, 0.3, 0.2], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5]]), rtol=1e-9)
