"""Complex `np.isclose`/`np.allclose` and `np.linalg.norm` of complex arrays inside compiled
code, against NumPy: the modulus of the difference (not each part alone), finiteness and NaN
of either part, and the norms of the moduli (the singular values for matrix 2-norms), also
along an axis.
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit


@jit
def closeness(a, b):
    return (np.isclose(a, b), np.isclose(a, b, rtol=1e-3), np.isclose(a, b, equal_nan=True),
            np.allclose(a, b), np.allclose(a, b, 1e-3, 1e-6, True), np.isclose(a[0], b[0]),
            np.isclose(a, 1.0 + 1.0j), np.isclose(a.real, b), np.allclose(a, a.real))


CASES = [
    np.array([1.0 + 1.0j, 2.0 - 1.0j, np.nan + 0j, complex(np.inf, 1.0), 3.0 + 0j, 1e-9j]),
    np.array([1.0 + 1.00001j, 2.0 - 1.01j, complex(0.0, np.nan), complex(np.inf, 1.0),
              3.0 + 0j, 0j]),
]


def test_complex_isclose_matches_numpy():
    a, b = CASES
    check(closeness, a, b)
    check(closeness, a.astype(np.complex64), b.astype(np.complex64))
    check(closeness, a, a.copy())
    # x and y differ by 7e-6 in each part: each part is within atol + rtol*|part| of
    # NumPy's bound on its own only for the modulus of the whole (the test that matters).
    x = np.array([1.0 + 1.0j, -2.0 + 0.5j]) * 1e-3
    check(closeness, x, x + (7e-9 + 7e-9j))


@jit
def norms(v, m):
    return (np.linalg.norm(v), np.linalg.norm(v, 1), np.linalg.norm(v, np.inf),
            np.linalg.norm(v, -np.inf), np.linalg.norm(v, 3), np.linalg.norm(v, 0),
            np.linalg.norm(m), np.linalg.norm(m, "fro"), np.linalg.norm(m, 1),
            np.linalg.norm(m, -1), np.linalg.norm(m, np.inf), np.linalg.norm(m, 2),
            np.linalg.norm(m, -2), np.linalg.norm(m, "nuc"))


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 5)])
def test_complex_norms_match_numpy(shape):
    rng = np.random.default_rng(sum(shape))
    v = rng.standard_normal(7) + 1j * rng.standard_normal(7)
    m = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    check(norms, v, m, rtol=1e-10)
    check(norms, v.astype(np.complex64), m.astype(np.complex64), rtol=1e-5)


@jit
def norms_along(m, t):
    return (np.linalg.norm(m, axis=0), np.linalg.norm(m, axis=1), np.linalg.norm(m, 1, axis=0),
            np.linalg.norm(m, np.inf, axis=-1), np.linalg.norm(m, 3.0, 0),
            np.linalg.norm(m, 0, axis=1), np.linalg.norm(t, axis=2), np.linalg.norm(t, 2, 0),
            np.linalg.norm(m[0], axis=0), np.linalg.norm(m, None, None))


@pytest.mark.parametrize("shape", [(3, 3), (4, 2)])
def test_complex_norms_along_an_axis_match_numpy(shape):
    rng = np.random.default_rng(7 + sum(shape))
    m = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    t = rng.standard_normal((2, 3, 4)) + 1j * rng.standard_normal((2, 3, 4))
    check(norms_along, m, t, rtol=1e-10)
    check(norms_along, m.astype(np.complex64), t.astype(np.complex64), rtol=1e-5)
