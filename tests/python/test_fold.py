"""Folds (issue 12): a vector loop whose stored value is a left-to-right chain of element terms
(a stencil, a weighted window, `sqrt(a*a + b*b)`) of three or more operations runs through
the runtime's 512-bit fold, machine code made for the program's steps (blocks of four
registers, then one register at a time, the last masked); short rows take the 128-bit vector
loop, and the last element the scalar loop. Every result is CPython's bit for bit (signed
zeros included: compared as bits), for rows around the fold's threshold (16 `f64`, 32 `f32`
elements), blocks and tails, `float32` and `float64`, weights read from an array in the
loop, and outputs that overlap the inputs (the aliasing check sends those to the scalar
loop)."""

import numpy as np
import pytest

from diff import check
from ferrojit import jit, prange

SIZES = [3, 10, 15, 16, 17, 18, 33, 34, 63, 66, 97, 130, 131, 300]


def bits_equal(got, expected):
    assert got.dtype == expected.dtype and got.shape == expected.shape
    width = {4: np.uint32, 8: np.uint64}[got.dtype.itemsize]
    g, e = got.view(width), expected.view(width)
    nan = np.isnan(expected)
    assert np.array_equal(np.isnan(got), nan)
    assert np.array_equal(g[~nan], e[~nan]), f"bits differ\n{got}\n{expected}"


def data(shape, dtype=np.float64, seed=0, special=True):
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal(shape) * 3).astype(dtype)
    flat = a.reshape(-1)
    if special and flat.size >= 8:
        flat[:: max(1, flat.size // 7)] = -0.0
        flat[1] = np.inf
        flat[3] = np.nan
    return a


@jit
def laplace(m, out):
    for i in range(1, m.shape[0] - 1):
        for j in range(1, m.shape[1] - 1):
            out[i, j] = m[i - 1, j] + m[i + 1, j] + m[i, j - 1] + m[i, j + 1] - 4.0 * m[i, j]


@jit
def blur(m, out):
    for i in range(2, m.shape[0] - 2):
        for j in range(2, m.shape[1] - 2):
            s = 0.0
            for di in range(-2, 3):
                for dj in range(-2, 3):
                    s += m[i + di, j + dj]
            out[i, j] = s * 0.04


@jit
def conv(m, k, out):
    for i in range(1, m.shape[0] - 1):
        for j in range(1, m.shape[1] - 1):
            acc = 0.0
            for di in range(3):
                for dj in range(3):
                    acc += k[di, dj] * m[i + di - 1, j + dj - 1]
            out[i, j] = acc


@jit
def seven_point(c, out):
    for i in range(1, c.shape[0] - 1):
        for j in range(1, c.shape[1] - 1):
            for k in range(1, c.shape[2] - 1):
                out[i, j, k] = (
                    c[i - 1, j, k] + c[i + 1, j, k] + c[i, j - 1, k] + c[i, j + 1, k]
                    + c[i, j, k - 1] + c[i, j, k + 1] - 6.0 * c[i, j, k]
                )


@jit
def hypot_loop(a, b, out):
    for i in range(a.shape[0]):
        out[i] = np.sqrt(a[i] * a[i] + b[i] * b[i])


@jit
def reversed_ops(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] / (1.0 - b[i] * b[i]) - (2.0 - a[i])


@jit
def unary(a, b, out):
    for i in range(a.shape[0]):
        out[i] = -(abs(a[i] - b[i]) * 0.5) + a[i]


@jit
def stencil_1d(a, out):
    for i in range(1, a.shape[0] - 1):
        out[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0


@jit
def sum4(a, out):
    for i in range(1, a.shape[0] - 2):
        out[i] = a[i - 1] + a[i] + a[i + 1] + a[i + 2]


@jit
def hypot_expr(a, b):
    return np.sqrt(a * a + b * b)


@jit
def standardize(a):
    return (a - a.mean()) / a.std()


@jit
def horner(a, out):
    for i in range(a.shape[0]):
        x = a[i]
        out[i] = ((3.0 * x + 2.0) * x - 1.5) * x + 0.25


@jit
def reread(a, b, out):
    # `a` read by four steps (a product with itself, with `b`, alone) and `b` by two.
    for i in range(a.shape[0]):
        out[i] = a[i] * a[i] - a[i] * b[i] + a[i] * 0.5 - b[i] + a[i]


@jit(parallel=True)
def laplace_rows(m, out):
    for i in prange(1, m.shape[0] - 1):
        for j in range(1, m.shape[1] - 1):
            out[i, j] = m[i - 1, j] + m[i + 1, j] + m[i, j - 1] + m[i, j + 1] - 4.0 * m[i, j]


def run_both(fn, *args):
    """`check` (results and mutated arguments as CPython's), then the mutated outputs as bits."""
    py_args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    got = check(fn, *args)
    expected = fn.py_func(*py_args)
    jit_args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    got = fn(*jit_args)
    if isinstance(expected, np.ndarray):
        bits_equal(got, expected)
    for g, e in zip(jit_args, py_args):
        if isinstance(e, np.ndarray) and e.dtype.kind == "f":
            bits_equal(g, e)


# (`float32` only where the kernel has no Python float literal: CPython's NumPy 2 keeps
# `4.0 * x` in `float32`, compiled code (as Numba) in `float64`.)


@pytest.mark.parametrize("width", SIZES)
def test_two_dimensional_stencils(width):
    m = data((6, width), seed=width)
    out = np.zeros_like(m)
    run_both(laplace, m, out)
    run_both(blur, m, out)
    k = data((3, 3), seed=1, special=False)
    run_both(conv, m, k, out)
    run_both(laplace_rows, m, out)


@pytest.mark.parametrize("width", [3, 66, 130])
def test_seven_point_stencil(width):
    c = data((4, 5, width), seed=width)
    run_both(seven_point, c, np.zeros_like(c))


@pytest.mark.parametrize("n", SIZES)
def test_element_folds(n):
    a, b = data(n, seed=n), data(n, seed=n + 1)
    out = np.zeros_like(a)
    for fn in (hypot_loop, reversed_ops, unary, reread):
        run_both(fn, a, b, out)
    # Steps reading the same elements again (the runtime loads them once): also in place.
    run_both(horner, a, out)
    run_both(horner, a, a.copy())
    run_both(reread, a, b, a.copy())
    run_both(stencil_1d, a, out)
    run_both(sum4, a, out)
    run_both(hypot_expr, a, b)
    # (the mean and deviation are NumPy's pairwise sums in CPython: close, not equal)
    check(standardize, data(n, seed=n, special=False), rtol=1e-12)


@pytest.mark.parametrize("n", SIZES + [129, 200, 257])
def test_float32_folds(n):
    a, b = data(n, np.float32, seed=n), data(n, np.float32, seed=n + 1)
    out = np.zeros_like(a)
    run_both(hypot_loop, a, b, out)
    run_both(sum4, a, out)
    run_both(hypot_expr, a, b)


@pytest.mark.parametrize("shift", [0, 1, 2, 40])
def test_overlapping_output_keeps_the_loop_order(shift):
    # The output is a view of the input, `shift` elements later: the aliasing check sends the
    # loop to the scalar code, whose later elements read what earlier ones wrote.
    buf = data(400, seed=shift)
    a = buf[:300]
    out = buf[shift : shift + 300]
    check(stencil_1d, a, out)
    check(hypot_loop, a, a, out)


def test_weights_in_the_output_array():
    # The weights are read from the array written: where the stored range reaches them, the
    # check before the fold fails and the scalar loop keeps re-reading them.
    m = data((5, 200), seed=3, special=False)

    @jit
    def conv_into_self(m):
        for j in range(1, m.shape[1] - 1):
            m[4, j] = m[0, 0] * m[1, j - 1] + m[0, 1] * m[1, j] + m[0, 2] * m[1, j + 1]

    check(conv_into_self, m)
    m2 = m.copy()

    @jit
    def overwrite_weights(m):
        for j in range(0, m.shape[1] - 2):
            m[0, j] = m[0, 0] * m[1, j] + m[0, 1] * m[2, j] + m[0, 2] * m[3, j]

    check(overwrite_weights, m2)


@jit
def five_point(m, out):
    # No float literal: the same in float32 under CPython and compiled.
    for i in range(1, m.shape[0] - 1):
        for j in range(1, m.shape[1] - 1):
            out[i, j] = m[i - 1, j] + m[i + 1, j] + m[i, j - 1] + m[i, j + 1] - m[i, j]


@jit
def from_rows_above(m):
    # Each row from the two above it, in place: the rows' footprints overlap, so the rows
    # run one call each (each row alone is apart from the rows it reads).
    for i in range(2, m.shape[0]):
        for j in range(1, m.shape[1] - 1):
            m[i, j] = m[i - 1, j - 1] + m[i - 1, j + 1] + m[i - 2, j] - 0.5 * m[i - 1, j]


@pytest.mark.parametrize("width", [18, 40, 131])
def test_rows_of_a_loop_nest(width):
    # A folded loop that is all its outer loop does runs every row in one call, where all
    # rows' stores lie apart from all rows' reads; else row by row: bits equal either way.
    m = data((9, width), seed=width)
    run_both(laplace, m, np.zeros_like(m))
    run_both(five_point, m.astype(np.float32), np.zeros_like(m, dtype=np.float32))
    # Rows walking down through memory (negative row strides).
    run_both(laplace, m[::-1], np.zeros_like(m)[::-1])
    run_both(laplace, m, np.zeros_like(m)[::-1])
    # Inner stride not the element size: the scalar loop.
    wide = data((9, 2 * width), seed=width + 1)
    run_both(laplace, wide[:, ::2], np.zeros_like(m))
    # The output is the input two rows down: each row alone is apart from what it reads,
    # but a row reads what an earlier row stored.
    buf = data((11, width), seed=width + 2)
    check(laplace, buf[:9], buf[2:])
    check(laplace, buf[2:], buf[:9])
    run_both(from_rows_above, m.copy())
    c = data((5, 6, width), seed=width + 3)
    run_both(seven_point, c, np.zeros_like(c))
    run_both(seven_point, c[:, ::-1], np.zeros_like(c))


@jit
def relu_shifted(a, b, out):
    for i in range(a.shape[0]):
        out[i] = np.maximum(a[i] - b[i], 0.0)


@jit
def clip_between(a, lo, b, out):
    for i in range(a.shape[0]):
        out[i] = min(max(a[i], lo), b[i])


@jit
def minimum_scaled(a, b, out):
    for i in range(a.shape[0]):
        out[i] = np.minimum(b[i], a[i] * 0.5 + 1.0)


@jit
def clamp_expr(a, b):
    return np.minimum(np.maximum(a - b, -1.0), 1.0)


@pytest.mark.parametrize("n", SIZES)
def test_picks(n):
    # A select between the chain and a term by a comparison of the two (np.maximum,
    # np.minimum, Python's max/min) is a step of the fold: one operand's bits, NaN, -0.0 and
    # ties as CPython and NumPy give them.
    a, b = data(n, seed=n), data(n, seed=n + 1)
    b[::5] = a[::5]  # ties
    out = np.zeros_like(a)
    run_both(relu_shifted, a, b, out)
    run_both(clip_between, a, -0.0, b, out)
    run_both(clip_between, a, 0.0, b, out)
    run_both(minimum_scaled, a, b, out)
    run_both(clamp_expr, a, b)
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    run_both(clip_between, a32, np.float32(0.5), b32, np.zeros_like(a32))


@jit(fastmath=True)
def mean_abs_dev(a, c):
    s = 0.0
    for i in range(a.shape[0]):
        s += abs(a[i] - c)
    return s / a.shape[0]


@jit(fastmath=True)
def sum_of_scaled_squares(a, w):
    s = 0.0
    for i in range(a.shape[0]):
        s += w * a[i] * a[i]
    return s


@jit
def strict_mean_abs_dev(a, c):
    s = 0.0
    for i in range(a.shape[0]):
        s += abs(a[i] - c)
    return s


@pytest.mark.parametrize("n", [1, 15, 16, 17, 33, 100, 1000, 100_003])
def test_fastmath_sums_of_folds(n):
    # Under fastmath the runtime's fold sum adds the terms in its own order: close to
    # CPython's in-order sum; without fastmath the loop keeps the order (exact).
    a = data(n, seed=n, special=False)
    check(mean_abs_dev, a, 0.5, rtol=1e-9)
    check(sum_of_scaled_squares, a, 0.25, rtol=1e-9)
    check(strict_mean_abs_dev, a, 0.5)
    a32 = a.astype(np.float32)
    assert np.isclose(mean_abs_dev(a32, 0.5), mean_abs_dev.py_func(a32.astype(np.float64), 0.5), rtol=1e-4)


def test_fastmath_sum_of_a_fold_with_nan():
    a = data(300, seed=5)
    assert np.isnan(mean_abs_dev(a, 0.5))


@jit
def int_to_float(ia, out):
    for i in range(ia.shape[0]):
        out[i] = float(ia[i]) * 0.5


@jit
def int_affine_float(ia, b, out):
    for i in range(ia.shape[0]):
        out[i] = float(ia[i]) * 0.25 - b[i]


@pytest.mark.parametrize("n", SIZES)
def test_integer_terms(n):
    # int64 elements converted (rounded to nearest like `float(x)`), near and past 2**53.
    rng = np.random.default_rng(n)
    ia = rng.integers(-(2**62), 2**62, n) >> rng.integers(0, 60, n)
    ia[: min(n, 4)] = np.array([2**53 + 1, -(2**63), 2**63 - 1, 0])[: min(n, 4)]
    out = np.zeros(n)
    run_both(int_to_float, ia, out)
    run_both(int_affine_float, ia, data(n, seed=n, special=False), out)


@jit
def stencil_then_index(a, out):
    i = -7
    for i in range(1, a.shape[0] - 2):
        out[i] = a[i - 1] + a[i] + a[i + 1] - 2.0 * a[i + 2]
    return i


@jit
def stencil_then_value(a, out):
    x = 0.0
    for i in range(1, a.shape[0] - 2):
        x = a[i - 1] + a[i] + a[i + 1] - 2.0 * a[i + 2]
        out[i] = x
    return x


@pytest.mark.parametrize("n", [0, 1, 3, 4, 20, 66, 131, 300])
def test_values_after_a_folded_loop(n):
    # The loop's index after it (the fold covers every iteration and the exit gets the last
    # index) and a value computed in it (the scalar loop runs the last iteration).
    a = data(n, seed=n, special=False)
    run_both(stencil_then_index, a, np.zeros_like(a))
    run_both(stencil_then_value, a, np.zeros_like(a))
