"""NumPy construction and element-wise library functions inside compiled code, differentially
against NumPy (see diff.py): `np.array`/`np.asarray` of lists (built at run time, nested for
2-D), `np.eye`/`np.identity`, `np.round`/`np.around`/`a.round` (`decimals=`, NumPy's
multiply-rint-divide algorithm, bit for bit) and `np.isclose` (`rtol`, `atol`, `equal_nan`).
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

# Rounding 1e300 to 12 decimals overflows in NumPy as in compiled code (both give inf/nan).
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

nan, inf = np.nan, np.inf
rng = np.random.default_rng(11)


@jit
def arrays_from_lists(x, n):
    grown = []
    for i in range(n):
        grown.append(i * x)
    rows = [[1.0, x], [3.0, 4.0]]
    return (np.array([1.0, x, 3.0]), np.array(grown), np.asarray(grown), np.array(rows),
            np.array([[1, 2, 3], [4, 5, n]]), np.array([x, 2], dtype=np.float32),
            np.array([(1, 2), (3, 4)]))


@jit
def array_from_comprehension(n):
    return np.array([[i, i * i] for i in range(n)])


@pytest.mark.parametrize("n", [0, 1, 4])
def test_array_from_lists(n):
    check(arrays_from_lists, 1.5, n)
    if n:
        check(array_from_comprehension, n)
    else:
        # The item type is known at compile time: int64, every extent 0 (NumPy: float64, (0,)).
        empty = array_from_comprehension(0)
        assert empty.dtype == np.int64 and empty.shape == (0, 0)


@jit
def array_of_list_of_arrays(a, b):
    return np.array([a, b, a * 2.0]), np.array([a])


def test_array_from_list_of_arrays():
    check(array_of_list_of_arrays, np.arange(3.0), np.ones(3))
    with pytest.raises(ValueError, match="inhomogeneous"):
        array_of_list_of_arrays(np.arange(3.0), np.ones(4))


@jit
def ragged(n):
    rows = [[1.0, 2.0], [3.0]]
    for i in range(n):
        rows.append([float(i)])
    return np.array(rows)


def test_ragged_list_raises():
    with pytest.raises(ValueError, match="inhomogeneous"):
        ragged(0)


@jit
def eyes(n, m, k):
    return (np.eye(n), np.eye(n, m), np.eye(n, m, k), np.eye(n, k=k, dtype=np.int32),
            np.eye(n, None, -k), np.identity(n), np.identity(n, dtype=np.bool_))


@pytest.mark.parametrize("n, m, k", [(3, 4, 1), (4, 2, -1), (0, 3, 0), (3, 3, 5), (2, 5, -3)])
def test_eye(n, m, k):
    check(eyes, n, m, k)


@jit
def rounded(a, d):
    return np.round(a), np.round(a, d), np.around(a, decimals=d), a.round(d), np.round(a, -d)


@pytest.mark.parametrize("a", [
    rng.standard_normal(20) * 1000,
    np.array([0.5, 1.5, 2.5, -0.5, -2.5, 0.125, 0.375, 1.005, 2.675, 1e300, -1e-300, nan, inf]),
    (rng.standard_normal((3, 4)) * 100).astype(np.float32),
    np.arange(-25, 30, 5),
    np.array([15, 25, 35, -15], dtype=np.int16),
    rng.standard_normal(5) * 10 + 1j * rng.standard_normal(5) * 10,
    rng.standard_normal((4, 3)).T * 7,
])
@pytest.mark.parametrize("d", [0, 1, 2, 3, 12])
def test_round_arrays(a, d):
    check(rounded, a, d)


@jit
def round_number(x, d):
    return np.round(x, d), np.around(x)


@pytest.mark.parametrize("x", [2.675, -0.5, 1234.5678, 7, np.float32(3.14159)])
@pytest.mark.parametrize("d", [-2, 0, 2])
def test_round_numbers(x, d):
    check(round_number, x, d)


@jit
def closeness(a, b):
    return (np.isclose(a, b), np.isclose(a, b, rtol=1e-3), np.isclose(a, b, atol=0.1),
            np.isclose(a, b, equal_nan=True), np.isclose(a, 1.0), np.isclose(2.0, b))


@pytest.mark.parametrize("a, b", [
    (np.array([1.0, 1.0 + 1e-9, 1e10, nan, inf, -inf, 0.0, 1.0]),
     np.array([1.0, 1.0, 1.0001e10, nan, inf, inf, 1e-9, 1.01])),
    (rng.standard_normal((3, 4)), rng.standard_normal(4)),
    (np.array([[1.0], [2.0]]), np.array([1.0, 2.0, 2.0000001])),
    (np.arange(5), np.array([0.0, 1.0, 2.1, 3.0, nan])),
    (np.array([1.0, 2.0], dtype=np.float32), np.array([1.00001, 2.1], dtype=np.float32)),
])
def test_isclose(a, b):
    check(closeness, a, b)


@jit
def isclose_numbers(x, y):
    return np.isclose(x, y), np.isclose(x, y, 0.0, 0.5)


def test_isclose_numbers():
    check(isclose_numbers, 1.0, 1.0 + 1e-6)
    check(isclose_numbers, 1.0, 1.4)
    check(isclose_numbers, nan, nan)


def test_isclose_of_complex():
    # More in test_np_complex_close.py.
    @jit
    def f(a):
        return np.isclose(a, a)

    check(f, np.ones(2, dtype=np.complex128))
