"""The loop vectorizer (issue 12) keeps results bitwise equal to CPython's scalar semantics:
element-wise maps, clip/where with NaN and signed zeros, array expressions, stencils, the i-k-j
matrix product's inner loop, f32 and integer lanes, every trip count around the vector width,
strided views (the run-time stride check falls back to the scalar loop) and arrays that
overlap (the aliasing check does), including in-place updates through shifted views."""

import math

import numpy as np
import pytest

from diff import check
from ferrojit import jit

SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, np.nan, np.inf, -np.inf, 3.0, np.nan, -7.25, 0.5, 2.0, 1e-310])
LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 17, 64, 101]


def data(n, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed + n)
    a = rng.standard_normal(n) * 3
    a[: min(n, SPECIAL.size)] = SPECIAL[: min(n, SPECIAL.size)]
    return a.astype(dtype)


def same_bits(fn, *args):
    """`check`, then the compiled result's bytes against CPython's (signed zeros included),
    NaN where CPython has NaN: which of two NaNs a sum or product keeps is the one freedom
    (docs/language.md: the folds, like C compilers, may order an operation's operands either
    way)."""
    got = check(fn, *args)
    expected = fn.py_func(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    if isinstance(got, np.ndarray):
        expected = np.asarray(expected)
        if got.dtype.kind == "f":
            nan = np.isnan(expected)
            assert np.array_equal(np.isnan(got), nan)
            got, expected = got[~nan], expected[~nan]
        assert got.tobytes() == expected.tobytes()
    return got


@jit
def sqrt_map(a, out):
    for i in range(a.shape[0]):
        out[i] = math.sqrt(abs(a[i]))


@jit
def clip(a, lo, hi, out):
    for i in range(a.shape[0]):
        out[i] = min(max(a[i], lo), hi)


@jit
def where_positive(a):
    return np.where(a > 0.0, a, -0.5 * a)


@jit
def hypot_expr(a, b):
    return np.sqrt(a * a + b * b)


@jit
def np_clip(a):
    return np.clip(a, -0.0, 1.0)


@jit
def conditional(a, out):
    for i in range(a.shape[0]):
        x = a[i]
        out[i] = x * 2.0 if x < 1.0 else x - 3.0


@pytest.mark.parametrize("n", LENGTHS)
def test_float_maps_every_length(n):
    a = data(n)
    same_bits(sqrt_map, a, np.empty(n))
    same_bits(clip, a, -0.0, 1.0, np.empty(n))
    same_bits(clip, a, 0.0, 0.0, np.empty(n))
    same_bits(where_positive, a)
    same_bits(np_clip, a)
    same_bits(hypot_expr, a, data(n, seed=1))
    same_bits(conditional, a, np.empty(n))


@pytest.mark.parametrize("n", [0, 3, 9, 33])
def test_f32_and_int_lanes(n):
    same_bits(sqrt_map, data(n, np.float32), np.empty(n, np.float32))
    same_bits(clip, data(n, np.float32), np.float32(-1.0), np.float32(0.5), np.empty(n, np.float32))
    finite = np.nan_to_num(data(n), posinf=9.0, neginf=-9.0)
    same_bits(int_select, (finite * 1000).astype(np.int32), np.int32(7), np.empty(n, np.int32))
    same_bits(int_add, (finite * 1e6).astype(np.int64), np.empty(n, np.int64))
    wide = (finite * 1e17).astype(np.int64)  # products wrap around
    same_bits(int_multiply, wide, np.empty(n, np.int64))
    check(mod_pow2_sum, wide)
    same_bits(int_to_float, (finite * 1e6).astype(np.int64), np.empty(n))


@jit
def int_select(a, k, out):
    for i in range(a.shape[0]):
        x = a[i]
        out[i] = x + k if x > 0 else x & k


@jit
def int_add(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i] + 3 - (a[i] ^ 5)


@jit
def int_multiply(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i] * 3 + 7 - a[i] * a[i]


@jit
def mod_pow2_sum(a):
    s = 0
    for i in range(a.shape[0]):
        s += a[i] % 8 + a[i] // 4 - (a[i] << 3) + (a[i] >> 60)
    return s


@jit
def int_to_float(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i] * 0.5


@jit
def stencil_1d(a, out):
    for i in range(1, a.shape[0] - 1):
        out[i] = 0.25 * a[i - 1] + 0.5 * a[i] + 0.25 * a[i + 1]


@jit
def laplacian_2d(u, out):
    for i in range(1, u.shape[0] - 1):
        for j in range(1, u.shape[1] - 1):
            out[i, j] = u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1] - 4.0 * u[i, j]


@jit
def matmul_ikj(a, b):
    n, m, p = a.shape[0], a.shape[1], b.shape[1]
    c = np.zeros((n, p))
    for i in range(n):
        for k in range(m):
            for j in range(p):
                c[i, j] += a[i, k] * b[k, j]
    return c


def test_stencils_and_matmul():
    for n in [3, 7, 10, 50]:
        same_bits(stencil_1d, data(n), np.zeros(n))
        u = data(n * 9).reshape(n, 9)
        same_bits(laplacian_2d, u, np.zeros_like(u))
    for n, m, p in [(3, 4, 5), (6, 7, 9), (16, 16, 16)]:
        same_bits(matmul_ikj, data(n * m).reshape(n, m), data(m * p, seed=3).reshape(m, p))


def test_strided_views_take_the_scalar_loop():
    a = data(40)
    same_bits(sqrt_map, a[::2], np.empty(20))
    same_bits(sqrt_map, a[::-1], np.empty(40))
    same_bits(hypot_expr, a[:39:3], a[1::3])
    out = np.zeros(80)
    same_bits(clip, a, -1.0, 1.0, out[::2])


@jit
def shift_in_place(a):
    x = a[:-1]
    y = a[1:]
    for i in range(x.shape[0]):
        y[i] = x[i] + 1.0


@jit
def shift_back_in_place(a):
    x = a[1:]
    y = a[:-1]
    for i in range(x.shape[0]):
        y[i] = x[i] * 2.0


@jit
def scale_in_place(a, k):
    for i in range(a.shape[0]):
        a[i] = a[i] * k


@jit
def axpy_into_own_row(m):
    # The broadcast factor m[0, 0] lies in the row being written: a recurrence through memory.
    for j in range(m.shape[1]):
        m[0, j] = m[0, j] + m[0, 0] * m[1, j]


def test_overlapping_arrays_keep_their_order():
    for n in [2, 5, 9, 33]:
        same_bits(shift_in_place, data(n))
        same_bits(shift_back_in_place, data(n))
        same_bits(scale_in_place, data(n), -1.5)
        same_bits(axpy_into_own_row, data(2 * n).reshape(2, n))


@jit
def count_above(a, t):
    c = 0
    for i in range(a.shape[0]):
        if a[i] > t:
            c += 1
    return c


@jit
def max_i32(a):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
    return m


@jit
def sum_i32_wrapping(a):
    s = np.int32(0)
    for i in range(a.shape[0]):
        s += a[i] * np.int32(3)
    return s


@jit(fastmath=True)
def mean_abs_dev(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += abs(a[i] - 0.5)
    return s / a.shape[0]


@jit(fastmath=True)
def min_fast(a):
    m = a[0]
    for i in range(a.shape[0]):
        m = min(m, a[i])
    return m


@pytest.mark.parametrize("n", [1, 2, 5, 8, 9, 31, 100])
def test_reductions_exact_and_fastmath(n):
    a = data(n)
    check(count_above, a, 0.3)
    check(count_above, a, np.nan)
    ints = (np.nan_to_num(data(n), posinf=9.0, neginf=-9.0) * 1e8).astype(np.int32)
    check(max_i32, ints)
    check(sum_i32_wrapping, ints)
    finite = np.nan_to_num(a, nan=1.0, posinf=5.0, neginf=-5.0)
    check(mean_abs_dev, finite, rtol=1e-12)
    check(min_fast, finite)
