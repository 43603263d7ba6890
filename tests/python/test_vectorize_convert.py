"""Vector loops that convert `int64` to `float64` (a packed conversion built from exponent
tricks, since Cranelift has no `vcvtqq2pd`) give CPython's `float(int)` bit for bit — extremes,
values that need rounding (above 2**53, ties to even) and the boundaries of the two 32-bit
halves — and counting loops (`if a[i] > t: c += 1`, counted by subtracting lane masks) give
CPython's counts, with NaN, for every length around the vector width and for views. Also the
`fastmath` sums of squares and of `float32` elements the runtime's wide routines compute."""

import numpy as np

from diff import check
from ferrojit import jit

I64 = np.iinfo(np.int64)
EDGES = [0, 1, -1, I64.min, I64.max, I64.min + 1, I64.max - 1, 2**53, 2**53 + 1, -(2**53) - 1,
         2**63 - 1025, 2**63 - 1024, 2**63 - 513, 2**62 + 1, -(2**62) - 3, 2**32, 2**32 - 1,
         -(2**32), 2**31, -(2**31) - 1, 2**54 + 2, 2**54 + 6, 3 * 2**52 + 1]


@jit
def to_float(ia, out):
    for i in range(ia.shape[0]):
        out[i] = float(ia[i])


@jit
def to_float_scaled(ia, out):
    for i in range(ia.shape[0]):
        out[i] = float(ia[i]) * 0.5 + 1.0


@jit
def count_above(a, t):
    c = 0
    for i in range(a.shape[0]):
        if a[i] > t:
            c += 1
    return c


@jit
def count_int32(a):
    c = 0
    for i in range(a.shape[0]):
        if a[i] < 7:
            c += 1
    return c


@jit(fastmath=True)
def norm2(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * a[i]
    return s


@jit(fastmath=True)
def sum_f32(a):
    s = np.float32(0.0)
    for i in range(a.shape[0]):
        s += a[i]
    return s


def int_inputs():
    rng = np.random.default_rng(11)
    yield np.array(EDGES, dtype=np.int64)
    yield rng.integers(I64.min, I64.max, 4099, dtype=np.int64)
    big = rng.integers(0, 2**20, 4099) << rng.integers(0, 43, 4099)
    yield big * rng.choice([-1, 1], 4099) + rng.integers(-3, 4, 4099)
    for n in range(0, 19):
        yield rng.integers(-(2**62), 2**62, n)


def test_int_to_float_matches_cpython_bitwise():
    for ia in int_inputs():
        for fn in (to_float, to_float_scaled):
            out = np.zeros(ia.shape[0])
            fn(ia, out)
            want = np.zeros(ia.shape[0])
            fn.py_func(ia, want)
            assert out.tobytes() == want.tobytes()
            check(fn, ia[::2], np.zeros((ia.shape[0] + 1) // 2))


def test_counts_match_cpython():
    rng = np.random.default_rng(12)
    for n in [0, 1, 2, 7, 8, 9, 16, 17, 33, 1001]:
        a = rng.random(n)
        a[::5] = np.nan
        for t in (0.3, -1.0, np.nan, np.inf):
            check(count_above, a, t)
            check(count_above, a[::3], t)
        check(count_int32, rng.integers(0, 14, n).astype(np.int32))


def test_fastmath_sums_of_squares_and_f32_sums():
    rng = np.random.default_rng(13)
    for n in [0, 1, 7, 31, 32, 33, 63, 64, 65, 100, 10_001]:
        a = rng.standard_normal(n)
        check(norm2, a, rtol=1e-12)
        check(norm2, a[::2], rtol=1e-12)
        a32 = rng.random(n).astype(np.float32)
        assert abs(sum_f32(a32) - a32.astype(np.float64).sum()) <= 1e-5 * max(1.0, n)
    spiked = rng.standard_normal(100)
    spiked[40] = np.inf
    assert norm2(spiked) == np.inf
    spiked[70] = np.nan
    assert np.isnan(norm2(spiked))
