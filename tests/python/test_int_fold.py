"""Integer folds (issue 12): a vector loop whose stored value, or whose integer sum, is a chain
of integer operations on `int64`/`int32` elements (`x * 3 + 7`, `x % 8 + x // 4` as masks and
shifts, clamps) runs through the runtime's AVX-512 integer fold. Integer arithmetic wraps as
the compiled loop's does, so every result is CPython's (with NumPy's fixed-width integers)
exactly, sums included, for lengths around the fold's block (32 `int64`, 64 `int32`
elements), extreme values, strided views and outputs overlapping the input."""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

SIZES = [0, 1, 31, 32, 33, 63, 64, 65, 100, 129, 257, 1000]


def ints(n, dtype, seed):
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    a = rng.integers(info.min // 2, info.max // 2, n, dtype=dtype)
    special = np.array([0, -1, 1, info.min, info.max, 7, -8], dtype=dtype)
    a[: min(n, special.size)] = special[: min(n, special.size)]
    return a


@jit
def mod_pow2_sum(a):
    s = 0
    for i in range(a.shape[0]):
        s += a[i] % 8 + a[i] // 4
    return s


@jit
def affine(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i] * 3 + 7


@jit
def masked_shift(a, out):
    for i in range(a.shape[0]):
        out[i] = ((a[i] & 0xFFFF) << 3) ^ (a[i] >> 5)


@jit
def clamp(a, lo, hi, out):
    for i in range(a.shape[0]):
        out[i] = min(max(a[i], lo), hi)


@jit
def weighted_sum(a, w):
    s = 0
    for i in range(a.shape[0]):
        s += a[i] * w - 3
    return s


@jit
def sum32(a, w):
    # (A typed zero keeps the sum in int32, as NumPy does; `s = 0` makes ferrojit's one
    # variable type int64: docs/language.md.)
    s = np.int32(0)
    for i in range(a.shape[0]):
        s += (a[i] & 1023) * w + (a[i] >> 4)
    return s


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_integer_folds_match_cpython(n, dtype):
    a = ints(n, dtype, n)
    out = np.zeros(n, dtype=dtype)
    check(affine, a, out)
    check(masked_shift, a, out)
    check(clamp, a, dtype(-1000), dtype(1000), out)
    if dtype == np.int64:
        check(mod_pow2_sum, a)
        check(weighted_sum, a, dtype(5))
    else:
        check(sum32, a, dtype(5))


def test_views_and_overlaps():
    a = ints(400, np.int64, 3)
    check(affine, a[::2], np.zeros(200, dtype=np.int64))
    check(affine, a[::-1], np.zeros(400, dtype=np.int64))
    check(mod_pow2_sum, a[::3])
    # The output is the input one element on: the loop's order decides.
    buf = ints(401, np.int64, 4)
    check(affine, buf[:400], buf[1:])
    check(affine, buf[1:], buf[:400])


@jit
def scale16(pcm, out16):
    for i in range(pcm.shape[0]):
        out16[i] = int(pcm[i]) * 3 // 4


@pytest.mark.parametrize("n", SIZES + [2000])
def test_int16_samples_in_int32_lanes(n):
    # An int32 chain over int16 elements stored back truncated to int16 (a narrow fold:
    # vpmovsxwd loads, vpmovdw stores), CPython's values exactly (`int(x) * 3 // 4` fits int16),
    # reversed and overlapping views included.
    pcm = ints(n, np.int16, n)
    out = np.zeros(n, dtype=np.int16)
    check(scale16, pcm, out)
    check(scale16, pcm[::-1], out)
    check(scale16, pcm[1:], out[:-1] if n else out)
