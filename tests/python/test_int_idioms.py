"""Integer idioms keep Python's semantics exactly (issue 12): floor division and modulo by any
constant (negative divisors, MIN, MAX, narrow and unsigned types) written without a hardware
division, the sign facts that drop the negative-dividend fix-up inside `while x > 0:` and range
loops, and multiplications by 3, 5 and 9 as shift-and-add, with wrap-around."""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

I64_MIN = -(2**63)
I64_MAX = 2**63 - 1
EDGES = np.array(
    [0, 1, -1, 2, -2, 7, -7, 9, -9, 10, -10, 99, -101, 2**62, -(2**62), I64_MAX, I64_MIN,
     I64_MAX - 1, I64_MIN + 1, 1000000007, -1000000007],
    dtype=np.int64,
)


def hostile_ints(seed, n=2000):
    rng = np.random.default_rng(seed)
    wide = rng.integers(I64_MIN, I64_MAX, n, endpoint=True, dtype=np.int64)
    small = rng.integers(-1000, 1000, n, dtype=np.int64)
    return np.concatenate([EDGES, wide, small])


@jit
def divmod_any_constant(a):
    out = np.zeros((a.shape[0], 16), dtype=np.int64)
    for i in range(a.shape[0]):
        x = a[i]
        out[i, 0] = x // 3
        out[i, 1] = x % 3
        out[i, 2] = x // -3
        out[i, 3] = x % -3
        out[i, 4] = x // -8
        out[i, 5] = x % -8
        out[i, 6] = x // -1
        out[i, 7] = x % -1
        out[i, 8] = x // 9223372036854775807
        out[i, 9] = x % 9223372036854775807
        out[i, 10] = x // -9223372036854775807
        out[i, 11] = x % -9223372036854775807
        out[i, 12] = x // 1000000007
        out[i, 13] = x % -1000000007
        out[i, 14] = x // 641
        out[i, 15] = x % 641
    return out


@jit
def divmod_by_min(a):
    out = np.zeros((a.shape[0], 2), dtype=np.int64)
    d = -9223372036854775807 - 1
    for i in range(a.shape[0]):
        out[i, 0] = a[i] // d
        out[i, 1] = a[i] % d
    return out


@jit
def mod_by_variable(a, b):
    out = np.zeros(a.shape[0], dtype=np.int64)
    for i in range(a.shape[0]):
        out[i] = a[i] % b[i]
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_floor_division_by_any_constant(seed):
    a = hostile_ints(seed)
    check(divmod_any_constant, a)
    check(divmod_by_min, a)
    # A variable divisor, -1 (`MIN % -1` is 0) and MIN among them: the remainder by -1 is
    # taken as the remainder by 1, with no select after it.
    b = np.random.default_rng(seed).permutation(a)
    b[b == 0] = -1
    check(mod_by_variable, a, b)
    check(mod_by_variable, a, np.full_like(a, -1))


@jit
def digit_sum(ia):
    total = 0
    for i in range(ia.shape[0]):
        x = ia[i]
        while x > 0:
            total += x % 10
            x //= 10
    return total


@jit
def digits_while_nonnegative(ia):
    # `x >= 0` guards the loop: 0 // 7 and 0 % 7 are still taken once.
    total = 0
    for i in range(ia.shape[0]):
        x = ia[i]
        steps = 0
        while x >= 0 and steps < 3:
            total += x % 7 - x // 7
            x = x // 7 - 1
            steps += 1
    return total


@jit
def range_counter_modulo(n):
    # The range counter is known non-negative; `j` is not.
    total = 0
    for i in range(n):
        j = i - 50
        total += (i % 10) * 1000 + (i // 10) + j % 10 + j // 10
    return total


@jit
def guarded_by_negative_test(ia):
    total = 0
    for i in range(ia.shape[0]):
        x = ia[i]
        if x < 0:
            total += x // 10
        else:
            total += x % 10 + 100 * (x // 1000)
    return total


def test_sign_facts_keep_results():
    a = hostile_ints(3)
    check(digit_sum, a)
    check(digits_while_nonnegative, a)
    check(range_counter_modulo, 1000)
    check(range_counter_modulo, 0)
    check(guarded_by_negative_test, a)
    check(digit_sum, np.zeros(0, dtype=np.int64))


@jit
def narrow_divmod(a8, a16, a32, u8, u16, u32, u64):
    out = np.zeros((a8.shape[0], 14), dtype=np.int64)
    for i in range(a8.shape[0]):
        out[i, 0] = a8[i] // np.int8(7)
        out[i, 1] = a8[i] % np.int8(-7)
        out[i, 2] = a16[i] // np.int16(10)
        out[i, 3] = a16[i] % np.int16(-10)
        out[i, 4] = a32[i] // np.int32(-1000)
        out[i, 5] = a32[i] % np.int32(1000)
        out[i, 6] = u8[i] // np.uint8(10)
        out[i, 7] = u8[i] % np.uint8(10)
        out[i, 8] = u16[i] // np.uint16(7)
        out[i, 9] = u16[i] % np.uint16(7)
        out[i, 10] = u32[i] // np.uint32(10)
        out[i, 11] = u32[i] % np.uint32(10)
        out[i, 12] = np.int64(u64[i] // np.uint64(7) % np.uint64(1000))
        out[i, 13] = np.int64(u64[i] % np.uint64(10))
    return out


def test_narrow_and_unsigned_types():
    rng = np.random.default_rng(5)
    n = 500
    raw = rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    raw[:4] = [0, 2**64 - 1, 2**63, 2**63 - 1]
    check(
        narrow_divmod,
        raw.astype(np.int8),
        raw.astype(np.int16),
        raw.astype(np.int32),
        raw.astype(np.uint8),
        raw.astype(np.uint16),
        raw.astype(np.uint32),
        raw,
    )


@jit
def small_multiples(a):
    s = 0
    for i in range(a.shape[0]):
        x = a[i]
        s += x * 3 + 5 * x + x * 9 + x * -3
    return s


@jit
def collatz_steps(n):
    total = 0
    for start in range(1, n):
        x = start
        while x != 1:
            if x % 2 == 0:
                x = x // 2
            else:
                x = 3 * x + 1
            total += 1
    return total


def test_multiplications_by_small_constants_wrap():
    check(small_multiples, hostile_ints(4))
    check(collatz_steps, 3000)


@jit
def bitcount(ia):
    total = 0
    for i in range(ia.shape[0]):
        x = ia[i]
        while x != 0:
            x &= x - 1
            total += 1
    return total


@jit
def bitcount_with_index(ia):
    # The index is read after the loop: the count of the remaining iterations must match.
    total = 0
    i = 0
    for i in range(ia.shape[0]):
        x = ia[i]
        while x != 0:
            x &= x - 1
            total += 1
    return total, i


def test_bit_count_sums():
    a = hostile_ints(6)
    check(bitcount, a)
    check(bitcount, a[::3])
    check(bitcount, a[:0])
    check(bitcount, a[:1])
    check(bitcount_with_index, a)
    # Non-negative: a negative int32 widens to int64 like Numba (64 bits), not like NumPy.
    check(bitcount, np.abs(a.astype(np.int32)).astype(np.int32) & 0x7FFFFFFF)


@jit
def histogram_bins(a, counts):
    nb = counts.shape[0]
    for i in range(nb):
        counts[i] = 0
    for i in range(a.shape[0]):
        x = a[i]
        if x >= 0.0:
            b = int(x * nb)
            if b < nb:
                counts[b] += 1


@jit
def to_int(x):
    return int(x)


@jit
def to_int_caught(x):
    try:
        return int(x)
    except ValueError:
        return -1
    except OverflowError:
        return -2


def test_int_of_float_errors_out_of_line():
    rng = np.random.default_rng(7)
    a = rng.random(3000) * 1.2 - 0.1
    a[::97] = -0.0
    check(histogram_bins, a, np.zeros(16, dtype=np.int64))
    check(histogram_bins, a[::2], np.zeros(7, dtype=np.int64))
    check(histogram_bins, a, np.zeros(0, dtype=np.int64))
    for bad in (np.nan, np.inf):
        b = a.copy()
        b[5] = bad
        check(histogram_bins, b, np.zeros(16, dtype=np.int64))
    for x in (0.0, -0.0, 2.5, -2.5, -1e18, 5e-324, np.nan, np.inf, -np.inf):
        check(to_int, x)
        check(to_int_caught, x)
    check(to_int, np.float32(np.nan))
    check(to_int, np.float32(-np.inf))


@jit
def clamp_low_first(a, out):
    for i in range(a.shape[0]):
        v = a[i]
        if v < -100:
            v = -100
        elif v > 500:
            v = 500
        out[i] = v


@jit
def clamp_high_first(a, out):
    for i in range(a.shape[0]):
        v = a[i]
        if v >= 500:
            v = 500
        elif v <= -100:
            v = -100
        out[i] = v


@jit
def clamp_crossed(a, out):
    # Bounds the wrong way round: values between them take the first test's bound.
    for i in range(a.shape[0]):
        v = a[i]
        if v < 500:
            v = 500
        elif v > -100:
            v = -100
        out[i] = v


@jit
def clamp_min_then_test(a, out):
    for i in range(a.shape[0]):
        v = min(a[i], 7)
        out[i] = -3 if a[i] <= -3 else v


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8])
def test_clamps_as_min_and_max(dtype):
    # `select(v < lo, lo, select(v > hi, hi, v))` is `max(min(v, hi), lo)` (issue 12: two
    # instructions per vector in `clamp_i32`); other orders and crossed bounds keep theirs.
    info = np.iinfo(dtype)
    a = hostile_ints(3, 500).astype(dtype)
    a[:6] = [info.min, info.max, -100, 500, -101, 501] if info.max > 500 else a[:6]
    for fn in (clamp_low_first, clamp_high_first, clamp_crossed, clamp_min_then_test):
        check(fn, a, np.zeros(a.shape[0], np.int64))
        if info.max > 500:
            check(fn, a, np.zeros(a.shape[0], dtype))
