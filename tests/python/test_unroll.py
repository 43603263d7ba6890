"""Full unrolling of small constant loops (issue 12): `for di in range(-2, 3)` loops inside a
stencil become straight-line code and the loop around them is vectorized. Results stay bitwise
equal to CPython's: NaN, signed zeros and infinities in the window, float32 and integer
elements, arrays too small for the window, non-contiguous views (the stride check falls back
to the scalar loop), the output overlapping the input (the aliasing check does), counters
used as numbers (weights, negative and non-unit steps), a loop carried value, a `break` in
the small loop (not unrolled) and a counter reassigned in the body."""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, np.nan, np.inf, -np.inf, 3.0, -7.25, 0.5, 1e-310])


def grid(rows, cols, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed + rows * 100 + cols)
    m = rng.standard_normal((rows, cols)) * 3
    flat = m.reshape(-1)
    k = min(flat.size, SPECIAL.size)
    flat[rng.choice(flat.size, k, replace=False)] = SPECIAL[:k]
    return m.astype(dtype)


def same_bits(fn, *args):
    got = check(fn, *args)
    expected = fn.py_func(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    if isinstance(got, np.ndarray):
        assert got.tobytes() == np.asarray(expected).tobytes()
    return got


@jit
def blur_5x5(m, out):
    for i in range(2, m.shape[0] - 2):
        for j in range(2, m.shape[1] - 2):
            s = 0.0
            for di in range(-2, 3):
                for dj in range(-2, 3):
                    s += m[i + di, j + dj]
            out[i, j] = s * 0.04


@jit
def blur_3x3_f32(m, out):
    for i in range(1, m.shape[0] - 1):
        for j in range(1, m.shape[1] - 1):
            s = np.float32(0.0)
            for di in range(-1, 2):
                for dj in range(-1, 2):
                    s += m[i + di, j + dj]
            out[i, j] = s * np.float32(0.5)


@jit
def weighted_3x3(m, w, out):
    for i in range(1, m.shape[0] - 1):
        for j in range(1, m.shape[1] - 1):
            s = m[i, j] * 0.0
            for di in range(3):
                for dj in range(3):
                    s += w[di, dj] * m[i + di - 1, j + dj - 1]
            out[i, j] = s


@jit
def int_window(m, out):
    for i in range(m.shape[0] - 2):
        for j in range(m.shape[1]):
            s = 0
            for d in range(3):
                s += m[i + d, j]
            out[i, j] = s


@jit
def steps(a, out):
    for i in range(a.shape[0] - 6):
        s = 0.0
        for d in range(6, 0, -2):
            s = s * 0.5 + a[i + d] * d
        for d in range(0, 7, 3):
            s -= a[i + d]
        out[i] = s


@jit
def with_break(a, out):
    for i in range(a.shape[0] - 4):
        s = 0.0
        for d in range(4):
            if a[i + d] != a[i + d]:
                break
            s += a[i + d]
        out[i] = s


@jit
def reassigned_counter(a, out):
    for i in range(a.shape[0]):
        s = 0.0
        for d in range(3):
            s += a[i] * d
            d = 10
            s += d
        out[i] = s


@jit
def carried(x):
    total = 0
    for i in range(x):
        for k in range(4):
            total = (total * 3 + k - i) % 1009
    return total


@pytest.mark.parametrize("shape", [(0, 0), (1, 7), (4, 4), (5, 5), (6, 9), (7, 13), (12, 21), (33, 40)])
def test_blur_shapes(shape):
    m = grid(*shape)
    same_bits(blur_5x5, m, np.zeros(shape))
    m32 = m.astype(np.float32)
    same_bits(blur_3x3_f32, m32, np.zeros(shape, np.float32))


def test_blur_views_and_aliasing():
    m = grid(24, 30)
    # Every other column: the stride check sends the rows to the scalar loop.
    same_bits(blur_5x5, m[:, ::2], np.zeros((24, 15)))
    # A transposed (Fortran-order) input and output.
    same_bits(blur_5x5, m.T, np.zeros((24, 30)).T)
    # In place: each row reads elements the previous rows wrote.
    same_bits(blur_5x5, m, m)
    # The output is the input shifted by one column: loads and stores overlap.
    same_bits(blur_5x5, m[:, 1:], m[:, :-1])
    same_bits(blur_5x5, m[:, :-1], m[:, 1:])


def test_weights_counters_and_integers():
    m = grid(17, 19)
    w = np.array([[1.0, -2.0, 0.5], [np.nan, 3.0, -0.0], [0.25, 1.0, -1.0]])
    same_bits(weighted_3x3, m, w, np.zeros_like(m))
    same_bits(weighted_3x3, m, np.ones((3, 3)), np.zeros_like(m))
    rng = np.random.default_rng(3)
    for dtype in (np.int64, np.int32):
        ints = rng.integers(-1000, 1000, (9, 23)).astype(dtype)
        same_bits(int_window, ints, np.zeros_like(ints))
    big = np.full((5, 6), 2**62, dtype=np.int64)  # wraps around
    same_bits(int_window, big, np.zeros_like(big))


@pytest.mark.parametrize("n", [0, 3, 6, 7, 8, 11, 40])
def test_steps_break_and_reassigned(n):
    a = np.resize(SPECIAL, n) + np.arange(n)
    a[: min(n, 3)] = [np.nan, -0.0, 2.0][: min(n, 3)]
    same_bits(steps, a, np.zeros(max(n - 6, 0)))
    same_bits(with_break, a, np.zeros(max(n - 4, 0)))
    same_bits(reassigned_counter, a, np.zeros(n))
    assert check(carried, n) == carried.py_func(n)


@jit
def neg_abs(a, out):
    for i in range(a.shape[0]):
        out[i] = -abs(a[i]) * 2.0 - (-a[i])


@jit
def abs_dev(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += abs(a[i] - 0.5)
    return s


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_vector_neg_abs_sign_masks(dtype):
    """Vector `fneg`/`fabs` use constant sign masks: signed zeros, NaN and infinities."""
    for n in (0, 1, 7, 8, 9, 16, 17, 33, 40):
        a = np.resize(SPECIAL, n).astype(dtype)
        a[::3] *= -1
        same_bits(neg_abs, a, np.zeros(n, dtype))
        assert check(abs_dev, a.astype(np.float64)) is not None


@jit
def deep_nest(a):
    s = 0.0
    for i0 in range(3):
        for i1 in range(3):
            for i2 in range(3):
                for i3 in range(3):
                    for i4 in range(3):
                        for i5 in range(3):
                            for i6 in range(3):
                                s += a[i0 + i1 + i2 + i3 + i4 + i5 + i6] * (i6 - i0)
    return s


def test_deep_nest_stays_within_the_growth_budget():
    """Seven nested constant loops (2187 iterations): the inner ones unroll until the size
    limits stop them; the result is the scalar loop's and compiling stays quick."""
    import time

    a = np.resize(SPECIAL[:4], 15) * np.arange(15.0)
    start = time.perf_counter()
    got = check(deep_nest, a)
    assert time.perf_counter() - start < 20
    assert np.asarray(got).tobytes() == np.float64(deep_nest.py_func(a)).tobytes() or (
        np.isnan(got) and np.isnan(deep_nest.py_func(a))
    )


@jit
def masked_window(m, w, out):
    for j in range(m.shape[0] - 3):
        s = 0.0
        for d in range(3):
            x = m[j + d]
            if x > w:
                s += x
        out[j] = s


@pytest.mark.parametrize("n", [0, 3, 4, 11, 12, 40])
def test_if_inside_small_loop(n):
    """The `if` becomes a select first, then the one-block small loop unrolls and the loop
    over `j` vectorises: NaN never passes `x > w`, -0.0 does not either."""
    m = np.resize(SPECIAL, n) * np.where(np.arange(n) % 2, 1.0, -1.0)
    same_bits(masked_window, m, 0.25, np.zeros(max(n - 3, 0)))
    same_bits(masked_window, m, -np.inf, np.zeros(max(n - 3, 0)))
