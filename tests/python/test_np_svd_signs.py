"""`np.linalg.svd` with LAPACK's singular vectors, signs included: for matrices of at most 25
rows or columns the runtime runs LAPACK's own algorithm (`dgesdd`'s QR/LQ, bidiagonalization
and bidiagonal QR iteration; runtime/src/lapack), so `U` and `Vh` are compared with NumPy's
directly, not through sign-free reconstructions. Above 25 the factors come from faer and may
differ from NumPy's by a sign per singular pair (test_np_linalg.py checks those).
Singular vectors of (numerically) repeated or zero singular values are not unique; those cases
compare the vectors of the distinct nonzero values only.
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

rng = np.random.default_rng(11)


@jit
def svd_both(a):
    u, s, vh = np.linalg.svd(a)
    ur, sr, vhr = np.linalg.svd(a, full_matrices=False)
    return u, s, vh, ur, sr, vhr


# Every path of `dgesdd`: square, a little taller or wider than square (bidiagonalization
# straight away, upper or lower bidiagonal), and much taller or wider (QR or LQ first); the
# crossover is at 11/6 of the smaller side.
SHAPES = [(1, 1), (1, 4), (4, 1), (2, 2), (3, 3), (5, 3), (3, 5), (7, 4), (4, 7), (8, 4), (4, 8),
          (11, 6), (6, 11), (10, 6), (6, 10), (20, 4), (4, 20), (25, 25), (40, 25), (25, 40),
          (100, 5), (5, 100)]


@pytest.mark.parametrize("shape", SHAPES)
def test_random_matrices_match_numpy(shape):
    check(svd_both, rng.standard_normal(shape), rtol=1e-8)


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1.0, 1e150, 1e300])
def test_scaled_matrices_match_numpy(scale):
    check(svd_both, rng.standard_normal((6, 4)) * scale, rtol=1e-8)


@pytest.mark.parametrize(
    "a",
    [np.diag([3.0, -1.0, 2.0, -5.0]), -np.eye(3), np.eye(5, 3), np.eye(4)[[2, 0, 3, 1]],
     np.diag([1.0, 2.0, 3.0]) + np.diag([4.0, 5.0], 1), np.diag([1.0, 2.0, 3.0]) + np.diag([4.0, 5.0], -1),
     np.diag([1e10, 1.0, 1e-10]), np.array([[-2.0]]), np.zeros((4, 3)), np.triu(np.arange(1.0, 26.0).reshape(5, 5))],
    ids=["diag", "minus_eye", "eye53", "permutation", "upper_bidiagonal", "lower_bidiagonal",
         "graded", "scalar", "zeros", "triangular"],
)
def test_structured_matrices_match_numpy(a):
    check(svd_both, a, rtol=1e-8)


@pytest.mark.parametrize("layout", ["fortran", "transposed", "strided"])
def test_layouts_match_numpy(layout):
    a = rng.standard_normal((12, 14))
    view = {"fortran": np.asfortranarray(a[:7, :5]), "transposed": a[:5, :7].T, "strided": a[::2, 1::3]}[layout]
    check(svd_both, view, rtol=1e-8)


@jit
def svd_thin(a):
    return np.linalg.svd(a, full_matrices=False)


@pytest.mark.parametrize(
    "a", [np.ones((4, 5)), np.outer([1.0, 2.0, 3.0, 4.0], [1.0, -1.0, 2.0]), np.arange(12.0).reshape(3, 4)],
    ids=["ones", "rank1", "rank2"],
)
def test_rank_deficient_matrices_match_on_the_range(a):
    u, s, vh = svd_thin(a)
    eu, es, evh = np.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(s, es, rtol=1e-10, atol=1e-12 * es[0])
    rank = int((es > es[0] * 1e-12).sum())
    np.testing.assert_allclose(u[:, :rank], eu[:, :rank], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(vh[:rank], evh[:rank], rtol=1e-10, atol=1e-12)


def test_integer_matrix_matches_numpy():
    check(svd_both, np.array([[4, -2, 1], [3, 6, -4], [2, 1, 8], [-1, 0, 5]]), rtol=1e-8)


def test_nan_raises_like_numpy():
    check(svd_thin, np.array([[np.nan, 1.0], [1.0, 1.0]]))


@jit
def pca(x, k):
    xc = x - x.sum(axis=0) / x.shape[0]
    u, s, vt = np.linalg.svd(xc, full_matrices=False)
    return xc @ vt[:k].T


def test_pca_projection_is_numpys():
    check(pca, rng.standard_normal((200, 8)) @ rng.standard_normal((8, 8)), 3, rtol=1e-8)
