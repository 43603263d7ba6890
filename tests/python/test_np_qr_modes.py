"""`np.linalg.qr(a, mode=...)` inside compiled code: `'reduced'` (the default), `'complete'`
and `'r'`, compared with NumPy's LAPACK. Q and R are unique up to the signs of R's rows (and,
for `'complete'`, Q's extra columns are any orthonormal basis of the rest), so the checks
compare shapes, dtypes, `Q @ R`, `Q.T @ Q` and `|R|`.
"""

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit

rng = np.random.default_rng(4)


@jit
def qr_modes(a):
    q1, r1 = np.linalg.qr(a, mode="reduced")
    q2, r2 = np.linalg.qr(a, "complete")
    r3 = np.linalg.qr(a, mode="r")
    return (q1.shape, r1.shape, q1 @ r1, q1.T @ q1, np.abs(r1),
            q2.shape, r2.shape, q2 @ r2, q2.T @ q2, np.abs(r2),
            r3.shape, np.abs(r3))


@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (6, 3), (3, 5), (5, 1), (0, 3), (3, 0)])
def test_qr_modes_match_numpy(shape):
    check(qr_modes, rng.standard_normal(shape), rtol=1e-8)


def test_qr_modes_of_float32():
    check(qr_modes, rng.standard_normal((5, 3)).astype(np.float32), rtol=1e-4)


def test_qr_raw_mode_is_a_compile_error():
    @jit
    def raw(a):
        return np.linalg.qr(a, mode="raw")

    with pytest.raises(ferrojit.TypingError, match="'reduced', 'complete', 'r'"):
        raw(np.eye(2))


@jit
def qr_factors(a):
    q1, r1 = np.linalg.qr(a)
    q2, r2 = np.linalg.qr(a, "complete")
    return q1, r1, q2, r2


@pytest.mark.parametrize(
    "a",
    [rng.standard_normal((6, 3)), rng.standard_normal((3, 5)), rng.standard_normal((40, 30)),
     np.triu(rng.standard_normal((4, 4))), -np.eye(3), np.array([[4, -2, 1], [3, 6, -4], [2, 1, 8], [-1, 0, 5]])],
    ids=["tall", "wide", "larger", "triangular", "minus_eye", "integers"],
)
def test_qr_factors_are_numpys(a):
    # Both follow Householder's sign rule (`dlarfg`: R's diagonal has the opposite sign of the
    # column's leading entry; an already-zero column keeps its entry), so the factors
    # themselves agree with LAPACK's, signs and the complete basis included. (Not for a
    # rank-deficient matrix: there a column of Q is decided by rounding noise.)
    check(qr_factors, a, rtol=1e-8)
