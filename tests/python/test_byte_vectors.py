"""Loops over 1- and 2-byte elements (issue 12): uint8 images, int8, int16 audio and bool arrays
run 16 or 8 lanes per vector; results stay bitwise equal to CPython's: uint8/int16 wrap-around on
store, int8 negatives, unsigned byte comparisons, bool arrays stored as 0/1, every trip count
around the vector width (64 and 16 elements per vector iteration), strided views (scalar
fallback) and overlapping arrays (the aliasing check)."""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

# CPython's NumPy scalars warn when uint8/int16 arithmetic wraps (the compiled code wraps too).
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")

LENGTHS = [0, 1, 15, 16, 17, 31, 33, 47, 64, 65, 66, 100, 127, 128, 129, 257]


def u8(n, seed=0):
    a = np.random.default_rng(seed + n).integers(0, 256, n).astype(np.uint8)
    a[: min(n, 4)] = np.array([0, 255, 128, 127], dtype=np.uint8)[: min(n, 4)]
    return a


def i8(n, seed=0):
    a = np.random.default_rng(seed + n).integers(-128, 128, n).astype(np.int8)
    a[: min(n, 4)] = np.array([-128, 127, -1, 0], dtype=np.int8)[: min(n, 4)]
    return a


def i16(n, seed=0):
    a = np.random.default_rng(seed + n).integers(-32768, 32768, n).astype(np.int16)
    a[: min(n, 4)] = np.array([-32768, 32767, -1, 0], dtype=np.int16)[: min(n, 4)]
    return a


@jit
def threshold_u8(img, t, out):
    for i in range(img.shape[0]):
        out[i] = 255 if img[i] > t else 0


@jit
def brighten_clamp_u8(img, out):
    for i in range(img.shape[0]):
        v = int(img[i]) + 40  # int(): CPython's NumPy scalar would wrap at 256 first
        out[i] = 255 if v > 255 else v


@jit
def brighten_wrap_u8(img, out):
    for i in range(img.shape[0]):
        out[i] = img[i] + 100


@jit
def invert_u8(img, out):
    for i in range(img.shape[0]):
        out[i] = 255 - img[i]


@jit
def count_eq_u8(img, k):
    c = 0
    for i in range(img.shape[0]):
        if img[i] == k:
            c += 1
    return c


@jit
def negate_i8(a, out):
    for i in range(a.shape[0]):
        out[i] = -a[i]


@jit
def relu_i8(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i] if a[i] > 0 else 0


@jit
def scale_i16(pcm, out):
    for i in range(pcm.shape[0]):
        out[i] = int(pcm[i]) * 3 // 4


@jit
def gain_i16(pcm, out):
    for i in range(pcm.shape[0]):
        out[i] = pcm[i] * 3


@jit
def fill_bool(flags):
    for i in range(flags.shape[0]):
        flags[i] = True


@jit
def mask_above_u8(img, t, flags):
    for i in range(img.shape[0]):
        flags[i] = img[i] > t


@jit
def and_not_bool(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] and not b[i]


@jit
def equal_u8(img, k, out):
    for i in range(img.shape[0]):
        out[i] = 255 if img[i] == k else 0


@jit
def differs_u8(img, k, flags):
    for i in range(img.shape[0]):
        flags[i] = img[i] != k


@jit
def at_least_i8(a, t, out):
    for i in range(a.shape[0]):
        out[i] = 1 if a[i] >= t else 0


@jit
def below_i16(a, t, out):
    for i in range(a.shape[0]):
        out[i] = a[i] if a[i] < t else 0


@jit
def add_u8_inplace(a, b):
    for i in range(a.shape[0]):
        a[i] = a[i] + b[i]


@jit
def widen_u8_to_i32(img, out32):
    for i in range(img.shape[0]):
        out32[i] = int(img[i]) * 1000 - 5


@jit
def count_i16_in_range(pcm, lo, hi):
    c = 0
    for i in range(pcm.shape[0]):
        c += int(lo <= pcm[i] and pcm[i] < hi)
    return c


@jit
def sum_u8_as_int(img):
    s = 0
    for i in range(img.shape[0]):
        s += int(img[i]) * 3 - 100
    return s


@jit
def i64_compare_to_bool(img, ia, flags):
    for i in range(img.shape[0]):
        flags[i] = img[i] * ia[i] > 5000


@jit
def i32_scaled_to_i64(a32, out64):
    for i in range(a32.shape[0]):
        out64[i] = int(a32[i]) * 3 + (int(a32[i]) >> 2)


@jit
def flags_as_i16(pcm, t, out16, img, out8):
    for i in range(pcm.shape[0]):
        out16[i] = pcm[i] > t
        out8[i] = img[i] == 3


@pytest.mark.parametrize("n", LENGTHS)
def test_mixed_widths(n):
    # A loop that mixes widths: each vector iteration covers the narrowest elements, the wide
    # values take several vectors (widened / packed between them).
    img, pcm = u8(n), i16(n)
    check(widen_u8_to_i32, img, np.zeros(n, np.int32))
    check(count_i16_in_range, pcm, -100, 20000)
    check(sum_u8_as_int, img)
    ia = np.random.default_rng(n).integers(-100, 100, n)
    check(i64_compare_to_bool, img, ia, np.zeros(n, np.bool_))
    a32 = np.random.default_rng(n + 1).integers(-(2**31), 2**31, n).astype(np.int32)
    check(i32_scaled_to_i64, a32, np.zeros(n, np.int64))
    # Masks as 0/1 integers of their own width (`uext` of m16x8 and m8x16).
    check(flags_as_i16, pcm, 100, np.zeros(n, np.int16), img, np.zeros(n, np.uint8))


def test_long_counts():
    # Counts of byte (16-bit) tests keep per-lane counters of 8 (16) bits, emptied into the
    # total every 255 (65,535) vector iterations: every element counted, or about half of them,
    # past several emptyings.
    for n in (16_319, 16_320, 16_321, 100_000):
        same = np.full(n, 9, np.uint8)
        assert count_eq_u8(same, 9) == n
        img = u8(n)
        assert count_eq_u8(img, 77) == int(np.sum(img == 77))
    n = 2_200_000
    pcm = np.full(n, 5, np.int16)
    assert count_i16_in_range(pcm, 0, 10) == n
    pcm = i16(n)
    assert count_i16_in_range(pcm, -100, 20000) == int(np.sum((pcm >= -100) & (pcm < 20000)))


@pytest.mark.parametrize("n", LENGTHS)
def test_uint8_maps(n):
    img = u8(n)
    for t in (0, 127, 200, 255):
        check(threshold_u8, img, t, np.zeros(n, np.uint8))
    check(brighten_clamp_u8, img, np.zeros(n, np.uint8))
    check(brighten_wrap_u8, img, np.zeros(n, np.uint8))
    check(invert_u8, img, np.zeros(n, np.uint8))
    for k in (0, 128, 255):
        check(count_eq_u8, img, k)


@pytest.mark.parametrize("n", LENGTHS)
def test_compares_with_any_int(n):
    # Bounds inside, at the edges of and outside the element's range: clamped before the loop.
    img, a, pcm = u8(n), i8(n), i16(n)
    for k in (-1, 0, 7, 128, 255, 256, -(2**63), 2**63 - 1):
        check(equal_u8, img, k, np.zeros(n, np.uint8))
        check(differs_u8, img, k, np.zeros(n, np.bool_))
        check(threshold_u8, img, k, np.zeros(n, np.uint8))
    for t in (-129, -128, -5, 0, 127, 128, -(2**63), 2**63 - 1):
        check(at_least_i8, a, t, np.zeros(n, np.int8))
    for t in (-32769, -32768, -1, 0, 100, 32767, 32768):
        check(below_i16, pcm, t, np.zeros(n, np.int16))


@pytest.mark.parametrize("n", LENGTHS)
def test_int8_and_int16(n):
    check(negate_i8, i8(n), np.zeros(n, np.int8))
    check(relu_i8, i8(n), np.zeros(n, np.int8))
    check(scale_i16, i16(n), np.zeros(n, np.int16))
    check(gain_i16, i16(n), np.zeros(n, np.int16))


@jit
def scale_i16_inplace(pcm):
    for i in range(pcm.shape[0]):
        pcm[i] = int(pcm[i]) * 3 // 4


@jit
def scale_u16(a, out):
    # 0..49151 fits i32 lanes but not signed 16-bit ones: packed by truncation.
    for i in range(a.shape[0]):
        out[i] = int(a[i]) * 3 // 4


@jit
def scale_u8_to_i8(img, out):
    # 0..127: fits int8, the pack of i16 lanes saturates (`packsswb`) with the same bytes.
    for i in range(img.shape[0]):
        out[i] = int(img[i]) // 2


@pytest.mark.parametrize("n", LENGTHS)
def test_packs_that_fit_or_wrap(n):
    # Lanes computed wider are packed back saturating only where every value fits as a signed
    # narrow value (issue 12: `packssdw` for `int(x) * 3 // 4`), truncating otherwise (uint16
    # results above 32767; `gain_i16` wraps); the widened halves of a load are
    # loaded again from memory (`pmovsxwd`), also when the loop stores into the same array.
    pcm = i16(n)
    check(scale_i16_inplace, pcm.copy())
    u16 = np.random.default_rng(n).integers(0, 65536, n).astype(np.uint16)
    u16[: min(n, 2)] = np.array([65535, 32768], np.uint16)[: min(n, 2)]
    check(scale_u16, u16, np.zeros(n, np.uint16))
    check(scale_u8_to_i8, u8(n), np.zeros(n, np.int8))


@pytest.mark.parametrize("n", LENGTHS)
def test_bool_arrays(n):
    check(fill_bool, np.zeros(n, np.bool_))
    img = u8(n)
    check(mask_above_u8, img, 127, np.ones(n, np.bool_))
    rng = np.random.default_rng(n)
    a = rng.random(n) < 0.5
    b = rng.random(n) < 0.5
    out = np.zeros(n, np.bool_)
    check(and_not_bool, a, b, out)
    and_not_bool(a, b, out)
    # Stored bools are exactly 0/1 bytes.
    assert set(out.view(np.uint8).tolist()) <= {0, 1}
    assert np.array_equal(out, a & ~b)


def test_views_and_aliasing():
    img = u8(300)
    # Strided views: the run-time stride check takes the scalar loop.
    check(invert_u8, img[::2], np.zeros(150, np.uint8))
    check(threshold_u8, img, 100, np.zeros(600, np.uint8)[::2])
    check(mask_above_u8, img[::3], 50, np.zeros(100, np.bool_))
    check(scale_i16, i16(200)[::2], np.zeros(100, np.int16))
    # Overlapping arrays: in place, and shifted by one element either way.
    check(invert_u8, img, img)
    check(invert_u8, img[1:], img[:-1])
    check(invert_u8, img[:-1], img[1:])
    check(add_u8_inplace, img[1:], img[:-1])
    check(add_u8_inplace, img[:-1], img[1:])
    pcm = i16(300)
    check(gain_i16, pcm[1:], pcm[:-1])
    check(gain_i16, pcm[:-1], pcm[1:])
    check(scale_i16_inplace, i16(300)[1:])
    check(scale_i16, pcm[1:], pcm[:-1])
    check(scale_i16, pcm[:-1], pcm[1:])
    flags = np.zeros(300, np.bool_)
    check(and_not_bool, flags[1:], flags[:-1], flags[1:])
