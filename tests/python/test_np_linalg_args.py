"""The remaining arguments of `np.linalg` inside compiled code, against NumPy (see diff.py):
`norm` over a literal tuple of axes (matrix norms over two axes of an array of any rank, in
the order given; a vector norm along a 1-tuple; `keepdims`), numeric tolerances of `lstsq`
(`rcond`), `pinv` (`rcond`, `rtol`) and `matrix_rank` (`tol`, `rtol`), `hermitian=True` of
both (the symmetric matrix of the lower triangle, as NumPy reads it), and
`matrix_power` of integer and bool matrices (exact, wrapping products in the matrix's dtype).
Inputs: float64, float32 and integer arrays, C- and F-ordered, and strided views; NumPy's
errors as the same exception class, or compile errors where the arguments are literals.
"""

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit

inf = np.inf
rng = np.random.default_rng(11)


@jit
def matrix_norms(t):
    return (np.linalg.norm(t, axis=(1, 2)), np.linalg.norm(t, "fro", (1, 2)),
            np.linalg.norm(t, "nuc", axis=(0, 2)), np.linalg.norm(t, 1, axis=(2, 1)),
            np.linalg.norm(t, -1, axis=(-1, 0)), np.linalg.norm(t, 2, axis=(0, 1)),
            np.linalg.norm(t, -2, axis=(1, 0)), np.linalg.norm(t, inf, axis=(1, 2)),
            np.linalg.norm(t, -inf, axis=(2, 0)), np.linalg.norm(t, None, (0, -1)),
            np.linalg.norm(t, axis=(1,)), np.linalg.norm(t, 3, axis=(-1,)),
            np.linalg.norm(t, 1, axis=(0, 2), keepdims=True),
            np.linalg.norm(t, axis=(2,), keepdims=True))


THREE_D = rng.standard_normal((2, 3, 4))


@pytest.mark.parametrize("t", [
    THREE_D,
    np.asfortranarray(THREE_D),
    rng.standard_normal((4, 6, 8))[::2, ::2, 1::2],
    np.moveaxis(rng.standard_normal((4, 2, 3)), 0, -1),
    rng.integers(-5, 5, (2, 3, 4)),
])
def test_matrix_norms_over_two_axes(t):
    check(matrix_norms, t, rtol=1e-12)


def test_matrix_norms_float32_and_complex():
    check(matrix_norms, THREE_D.astype(np.float32), rtol=1e-5)
    check(matrix_norms, THREE_D + 1j * rng.standard_normal((2, 3, 4)), rtol=1e-12)


@jit
def whole_matrix_norms(m):
    return (np.linalg.norm(m, axis=(0, 1)), np.linalg.norm(m, 1, (1, 0)),
            np.linalg.norm(m, 2, (-1, -2)), np.linalg.norm(m, "nuc", (1, 0), keepdims=True),
            np.linalg.norm(m, inf, axis=(0, 1), keepdims=True), np.linalg.norm(m[0], axis=(0,)),
            np.linalg.norm(m[0], 1, axis=(-1,), keepdims=True))


@pytest.mark.parametrize("m", [
    rng.standard_normal((3, 4)),
    np.asfortranarray(rng.standard_normal((4, 3))),
    rng.standard_normal((6, 8))[1::2, ::3],
    rng.integers(-9, 9, (3, 3)).astype(np.int32),
])
def test_norms_of_a_matrix_over_its_axes(m):
    check(whole_matrix_norms, m, rtol=1e-12)


@jit
def four_d_norms(t):
    return np.linalg.norm(t, axis=(3, 1)), np.linalg.norm(t, -2, axis=(0, 2), keepdims=True)


def test_matrix_norms_of_four_dimensions():
    check(four_d_norms, rng.standard_normal((2, 3, 2, 4)), rtol=1e-12)


@jit
def matrix_norm_of_order(t, p):
    return np.linalg.norm(t, p, axis=(0, 2))


def test_invalid_matrix_order_raises_value_error():
    check(matrix_norm_of_order, THREE_D, 1.0, rtol=1e-12)
    check(matrix_norm_of_order, THREE_D, 3)  # NumPy: ValueError, Invalid norm order


def test_literal_axis_errors_are_compile_errors():
    @jit
    def duplicate(t):
        return np.linalg.norm(t, axis=(0, -3))

    with pytest.raises(ferrojit.errors.TypingError, match="Duplicate axes"):
        duplicate(THREE_D)

    @jit
    def three_axes(t):
        return np.linalg.norm(t, axis=(0, 1, 2))

    with pytest.raises(ferrojit.errors.TypingError, match="Improper number of dimensions"):
        three_axes(THREE_D)

    @jit
    def fro_of_vectors(t):
        return np.linalg.norm(t, "fro", axis=(1,))

    with pytest.raises(ferrojit.errors.UnsupportedError, match="'fro'"):
        fro_of_vectors(THREE_D)

    @jit
    def out_of_bounds(m):
        return np.linalg.norm(m, axis=(0, 2))

    with pytest.raises(ferrojit.errors.TypingError, match="out of bounds"):
        out_of_bounds(np.ones((2, 2)))


def spread(shape, values, seed=3):
    """A matrix of `shape` with the singular values `values` (well apart, so that every
    tolerance below decides the same rank in NumPy and here)."""
    r = np.random.default_rng(seed)
    u, _ = np.linalg.qr(r.standard_normal((shape[0], len(values))))
    v, _ = np.linalg.qr(r.standard_normal((shape[1], len(values))))
    return (u * values) @ v.T


@jit
def with_tolerances(a, b, r):
    return (np.linalg.lstsq(a, b, rcond=r), np.linalg.lstsq(a, b, r), np.linalg.pinv(a, rcond=r),
            np.linalg.pinv(a, r, False), np.linalg.pinv(a, rtol=r), np.linalg.pinv(a, rtol=None),
            np.linalg.pinv(a, hermitian=False), np.linalg.matrix_rank(a, r),
            np.linalg.matrix_rank(a, tol=r, hermitian=False), np.linalg.matrix_rank(a, rtol=r),
            np.linalg.matrix_rank(a, None, rtol=None))


TALL = spread((5, 3), [3.0, 0.5, 1e-4])


@pytest.mark.parametrize("r", [1e-2, 1e-5, 0.2, 2.0, -1.0, 0.0, 0.7])
@pytest.mark.parametrize("a", [TALL, np.asfortranarray(TALL), spread((3, 5), [2.0, 1.0, 1e-3]).T.T])
def test_tolerances(a, r):
    check(with_tolerances, a, rng.standard_normal(a.shape[0]), r, rtol=1e-8)
    check(with_tolerances, a, rng.standard_normal((a.shape[0], 2)), r, rtol=1e-8)


def test_tolerances_of_views_float32_and_integers():
    strided = np.zeros((10, 3))
    strided[::2] = TALL
    check(with_tolerances, strided[::2], rng.standard_normal(5), 1e-3, rtol=1e-8)
    check(with_tolerances, TALL.astype(np.float32), rng.standard_normal(5).astype(np.float32),
          1e-2, rtol=2e-4)
    ints = np.array([[1, 2, 3], [2, 4, 6], [1, 0, 1], [0, 1, 1]])
    for r in [1e-6, 5, 0.3]:
        check(integer_tolerances, ints, np.arange(4), r, rtol=1e-8)


@jit
def integer_tolerances(a, b, r):
    # Not `pinv(a, rtol=None)`: NumPy asks for finfo of the integer dtype then (ValueError).
    return (np.linalg.lstsq(a, b, r), np.linalg.pinv(a, r), np.linalg.pinv(a, rtol=r),
            np.linalg.matrix_rank(a, r), np.linalg.matrix_rank(a, rtol=r),
            np.linalg.matrix_rank(a))


def test_tolerance_errors():
    @jit
    def both(a):
        return np.linalg.pinv(a, 0.1, rtol=0.1)

    with pytest.raises(ferrojit.errors.TypingError, match="can't be both set"):
        both(TALL)

    @jit
    def rank_both(a):
        return np.linalg.matrix_rank(a, tol=0.1, rtol=0.1)

    with pytest.raises(ferrojit.errors.TypingError, match="can't be both set"):
        rank_both(TALL)

    @jit
    def hermitian(a, flag):
        return np.linalg.pinv(a, hermitian=flag)

    with pytest.raises(ferrojit.errors.UnsupportedError, match="literal True or False"):
        hermitian(TALL, True)

    @jit
    def array_tolerance(a, r):
        return np.linalg.matrix_rank(a, r)

    with pytest.raises(ferrojit.errors.TypingError, match="tolerance"):
        array_tolerance(TALL, np.ones(1))


@jit
def hermitian_forms(a, r):
    return (np.linalg.pinv(a, hermitian=True), np.linalg.pinv(a, r, True),
            np.linalg.matrix_rank(a, hermitian=True), np.linalg.matrix_rank(a, r, True),
            np.linalg.matrix_rank(a, rtol=r, hermitian=True))


SYMMETRIC = spread((4, 4), [3.0, 1.0, 0.5, 1e-3])
SYMMETRIC = SYMMETRIC + SYMMETRIC.T


@pytest.mark.parametrize("a", [
    SYMMETRIC,
    np.tril(SYMMETRIC) + 5 * np.triu(rng.standard_normal((4, 4)), 1),  # NumPy reads the lower
    np.asfortranarray(SYMMETRIC),
    np.kron(SYMMETRIC, np.ones((2, 2)))[::2, ::2],
    SYMMETRIC.astype(np.float32),
    np.array([[2, 1, 0], [1, 2, 1], [0, 1, 2]]),
])
def test_hermitian_reads_the_lower_triangle(a):
    check(hermitian_forms, a, 1e-2, rtol=1e-4 if a.dtype == np.float32 else 1e-9)


def test_hermitian_of_a_non_square_matrix_raises():
    check(hermitian_forms, TALL, 1e-2)  # LinAlgError, as NumPy's eigh


@jit
def powers(m, n):
    # NumPy returns `m` itself for n == 1: copies keep the comparison to values.
    return (np.linalg.matrix_power(m, n).copy(), np.linalg.matrix_power(m, 0),
            np.linalg.matrix_power(m, 1).copy(), np.linalg.matrix_power(m, 2),
            np.linalg.matrix_power(m, -2))


FIBONACCI = np.array([[1, 1], [1, 0]])


@pytest.mark.parametrize("m", [
    np.array([[2, 1], [1, 1]]),
    np.array([[2, 1], [1, 1]], dtype=np.int32),
    FIBONACCI.astype(np.int8),
    np.asfortranarray(np.array([[3, 1, 0], [1, 2, 1], [0, 1, 1]], dtype=np.uint16)),
    np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]] * 2)[::2],
    np.array([[True, True], [False, True]]),
])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 100])
def test_matrix_power_of_integer_matrices(m, n):
    check(powers, m, n, rtol=1e-12)


def test_matrix_power_wraps_around_as_numpy():
    got = check(powers, FIBONACCI, 200)
    assert got[0].dtype == np.int64


def test_matrix_power_errors():
    check(powers, np.ones((2, 3), dtype=np.int64), 2)  # LinAlgError: not square

    @jit
    def power(m, n):
        return np.linalg.matrix_power(m, n)

    # NumPy's result would be float64 (the inverse's); the type here is the matrix's.
    with pytest.raises(ValueError, match="negative power of an integer matrix"):
        power(FIBONACCI, -1)
