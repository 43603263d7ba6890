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
