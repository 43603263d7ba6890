"""Scalar code-quality rewrites keep Python's semantics exactly (issue 12): floor division and
modulo by constants, branch-free `min`/`max` and float selects with NaN, signed zeros and ties,
and the reduction loops that may be reassociated (integers, min/max; floats only under
fastmath)."""

import math

import numpy as np
import pytest

from diff import check
from ferrojit import jit, prange

SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, np.nan, np.inf, -np.inf, 3.0, np.nan, -7.25, 0.5, 2.0])
INTS = np.array([0, 1, -1, 7, -7, 8, -8, 9, -9, 1023, -1024, 2**62, -(2**62), 2**63 - 1, -(2**63)])


@jit
def divmod_constants(a):
    out = np.zeros((a.shape[0], 10), dtype=np.int64)
    for i in range(a.shape[0]):
        x = a[i]
        out[i, 0] = x // 2
        out[i, 1] = x % 2
        out[i, 2] = x // 8
        out[i, 3] = x % 8
        out[i, 4] = x // 10
        out[i, 5] = x % 10
        out[i, 6] = x // 1
        out[i, 7] = x % 1
        out[i, 8] = x // 7
        out[i, 9] = x % 4611686018427387904
    return out


@jit
def divmod_narrow(a):
    out = np.zeros(a.shape[0] * 4, dtype=np.int32)
    for i in range(a.shape[0]):
        x = np.int32(a[i] % 100000)
        out[4 * i] = x // np.int32(4)
        out[4 * i + 1] = x % np.int32(4)
        out[4 * i + 2] = x // np.int32(3)
        out[4 * i + 3] = x % np.int32(3)
    return out


def test_floor_division_and_modulo_by_constants():
    check(divmod_constants, INTS)
    check(divmod_narrow, INTS)


@jit
def collatz_total(n):
    total = 0
    for start in range(1, n):
        x = start
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            total += 1
    return total


def test_collatz():
    check(collatz_total, 200)


@jit
def pairwise_min_max(a, b):
    lo = np.zeros(a.shape[0])
    hi = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        lo[i] = min(a[i], b[i])
        hi[i] = max(a[i], b[i])
    return lo, hi


@jit
def selects(a, b):
    out = np.zeros((a.shape[0], 6))
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        out[i, 0] = x if x > y else y
        out[i, 1] = x if x >= 0.5 else y
        out[i, 2] = y if x < y else x
        out[i, 3] = x if x != y else 9.0
        out[i, 4] = x if (x > 0.0) == (y > 0.0) else y
        out[i, 5] = np.float32(x) if x <= y else np.float32(y)
    return out


@jit
def reductions(a):
    lo = a[0]
    hi = a[0]
    for i in range(a.shape[0]):
        lo = min(lo, a[i])
        hi = max(hi, a[i])
    return lo, hi


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_min_max_and_selects_keep_nan_and_signed_zero(seed):
    rng = np.random.default_rng(seed)
    a = rng.permutation(SPECIAL)
    b = rng.permutation(SPECIAL)
    check(pairwise_min_max, a, b)
    check(selects, a, b)
    check(reductions, a)
    check(reductions, a[::-1].copy())


@jit(parallel=True)
def row_norms(m):
    out = np.zeros(m.shape[0])
    total = 0.0
    for i in prange(m.shape[0]):
        acc = 0.0
        for j in range(m.shape[1]):
            acc += m[i, j] * m[i, j]
        out[i] = math.sqrt(acc)
        total += acc
    return out, total


@jit(parallel=True)
def reduced_then_assigned(a):
    acc = 0.0
    for i in prange(a.shape[0]):
        acc += a[i]
        acc = 1.0
    return acc


def test_prange_accumulator_reset_per_iteration_is_private():
    m = np.arange(40.0).reshape(8, 5)
    check(row_norms, m, rtol=1e-12)


def test_prange_reduced_before_assigned_is_still_refused():
    with pytest.raises(Exception, match="both reduced and assigned"):
        reduced_then_assigned(np.arange(4.0))


@jit
def column_sums(m):
    return m.sum(axis=0), m.min(axis=0), m.max(axis=1), m.mean(axis=0), m.prod(axis=0)


@jit
def cube_sums(c):
    return c.sum(axis=0), c.sum(axis=1), c.max(axis=1), c.min(axis=0)


def test_axis_reductions_in_memory_order():
    m = np.random.default_rng(3).random((7, 5))
    m[2, 3] = np.nan
    check(column_sums, m)
    check(column_sums, np.asfortranarray(m))
    check(column_sums, m[::2, ::-1])
    c = np.arange(60, dtype=np.int64).reshape(3, 4, 5) - 30
    check(cube_sums, c)


@jit
def int_sums(a, b):
    s = 0
    for i in range(a.shape[0]):
        s += a[i]
    t = 0
    for i in range(2, b.shape[0]):
        t += b[i]
    return s, t


@jit(fastmath=True)
def fast_sums(x, y, x32):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
    q = 0.0
    for i in range(x.shape[0]):
        q += x[i] * x[i]
    d = 0.0
    for i in range(x.shape[0]):
        d += x[i] * y[i]
    h = np.float32(0.0)
    for i in range(x32.shape[0]):
        h += x32[i]
    return s, q, d, h


@jit
def strict_sum(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
    return s


def test_reduction_loops():
    rng = np.random.default_rng(5)
    big = np.array([2**62, 2**62, 2**62, -5, 7] * 7, dtype=np.int64)  # wraps like the loop
    check(int_sums, big, rng.integers(-1000, 1000, 101).astype(np.int32))
    check(int_sums, big[::2], rng.integers(-9, 9, 3).astype(np.int32)[::-1])
    check(int_sums, big[:0], np.zeros(0, dtype=np.int32))
    x = rng.random(1001)
    check(fast_sums, x, rng.random(1001), x.astype(np.float32), rtol=1e-5)
    check(fast_sums, x[:3], x[3:6], x[:0].astype(np.float32), rtol=1e-12)
    check(strict_sum, x)  # no fastmath: Python's order, bitwise


@jit
def narrow_sums(img, b8, w16, u16):
    # `np.int64(0)`: under NumPy 2, CPython's `0 + np.uint8(x)` stays uint8 and wraps.
    rows = np.zeros(img.shape[0], dtype=np.int64)
    for i in range(img.shape[0]):
        s = np.int64(0)
        for j in range(img.shape[1]):
            s += img[i, j]
        rows[i] = s
    t8 = np.int64(0)
    for i in range(b8.shape[0]):
        t8 += b8[i]
    t16 = np.int64(0)
    for i in range(w16.shape[0]):
        t16 += w16[i]
    tu = np.int64(0)
    for i in range(u16.shape[0]):
        tu += u16[i]
    return rows, t8, t16, tu


def test_narrow_integer_sums():
    # The runtime's widening sums (past a 2^15-element chunk), rows of an image, extremes,
    # and strided or empty arrays (the loop).
    rng = np.random.default_rng(6)
    img = rng.integers(0, 256, (3, 40_000)).astype(np.uint8)
    img[:, ::3] = 255
    b8 = rng.integers(-128, 128, 70_001).astype(np.int8)
    w16 = rng.integers(-32768, 32768, 70_001).astype(np.int16)
    w16[::5] = -32768
    u16 = rng.integers(0, 65536, 70_001).astype(np.uint16)
    check(narrow_sums, img, b8, w16, u16)
    check(narrow_sums, img[:, ::2], b8[::-3], w16[1:], u16[:0])


@jit
def bitcount(a):
    total = 0
    for i in range(a.shape[0]):
        x = a[i]
        while x != 0:
            x &= x - 1
            total += 1
    return total


@jit
def bits_and_rest(x):
    n = 0
    while x != 0:
        x &= x - 1
        n += 1
    return n, x


def test_population_count_loop():
    check(bitcount, INTS)
    for v in [0, 1, 255, 2**63 - 1, 12345678901]:  # CPython ints never reach 0 from below
        check(bits_and_rest, v)


@jit
def branchy(a, out):
    c = 0
    for i in range(a.shape[0]):
        x = a[i]
        if x > 0.5:
            out[i] = x
        else:
            out[i] = 0.01 * x
        if x < 0.25:
            c += 1
    return c


def test_if_converted_branches():
    check(branchy, np.concatenate([SPECIAL, np.random.default_rng(2).random(50)]), np.zeros(62))


@jit
def int_extremes(a):
    lo = a[0]
    hi = a[0]
    for i in range(1, a.shape[0]):
        lo = min(lo, a[i])
    for i in range(a.shape[0]):
        hi = max(a[i], hi)
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] < m:
            m = a[i]
    return lo, hi, m


def test_integer_min_max_loops():
    check(int_extremes, INTS)
    check(int_extremes, INTS[::-1].copy())
    check(int_extremes, INTS[:1].copy())
    check(int_extremes, INTS[::3])


@jit
def insertion_sort(a):
    b = a.copy()
    for i in range(1, b.shape[0]):
        k = b[i]
        j = i - 1
        while j >= 0 and b[j] > k:
            b[j + 1] = b[j]
            j -= 1
        b[j + 1] = k
    return b


@jit
def scan_back(a, start):
    # `j` may start negative (Python's wraparound indexing applies to it), and the loop leaves
    # with `j == -1` or wherever the test failed.
    j = start
    hits = 0
    while j >= -3 and a[j] != 0.0:
        hits += 1
        a[j + 1] = a[j] * 0.5
        j -= 1
    return j, hits


def test_while_and_loops_keep_wraparound_where_not_proven():
    # Branch threading of `while x and y:` and the index bounds proven from its tests.
    rng = np.random.default_rng(3)
    for n in [0, 1, 2, 7, 64]:
        a = rng.standard_normal(n)
        a[::5] = -0.0
        check(insertion_sort, a)
        assert np.array_equal(insertion_sort(a), np.sort(a))
    for start in [-4, -2, 0, 3, 8]:
        check(scan_back, np.arange(1.0, 11.0), start)


@jit
def divide_by_powers_of_two(a):
    out = np.empty((a.shape[0], 5))
    for i in range(a.shape[0]):
        out[i, 0] = a[i] / 16.0
        out[i, 1] = a[i] / -0.5
        out[i, 2] = a[i] / 2.0**1023
        out[i, 3] = a[i] / 3.0
        out[i, 4] = np.float32(a[i]) / np.float32(0.25)
    return out


@jit
def eighths(a):
    return a / 8.0  # an array expression: the vectorized loop


def test_float_division_by_powers_of_two_is_bitwise_division():
    tiny = np.array([5e-324, 1e-310, 2.2250738585072014e-308, 1e308, 1.7976931348623157e308])
    a = np.concatenate([SPECIAL, tiny, -tiny, np.random.default_rng(4).standard_normal(50)])
    check(divide_by_powers_of_two, a)
    check(eighths, a)


@jit
def multiples(a):
    counts = np.zeros(5, dtype=np.int64)
    for i in range(a.shape[0]):
        x = a[i]
        if x % 3 == 0:
            counts[0] += 1
        if x % 10 != 0:
            counts[1] += 1
        if x % 6 == 0:
            counts[2] += 1
        if x % 1000000007 == 0:
            counts[3] += 1
        if np.uint64(x) % np.uint64(12) == 0:
            counts[4] += 1
    return counts


@jit
def count_multiples(a, out):
    c = 0
    for i in range(a.shape[0]):
        if a[i] % 3 == 0:
            c += 1
    for i in range(a.shape[0]):
        out[i] = a[i] % 10 != 0
    return c


def test_divisibility_tests():
    # `x % c == 0` without the remainder: negative values, MIN and MAX, multiples and their
    # neighbours.
    near = np.array([k * c + d for c in (3, 6, 10, 12, 1000000007) for k in (-3, -1, 0, 2, 7)
                     for d in (-1, 0, 1)], dtype=np.int64)
    check(multiples, np.concatenate([INTS, near]))
    # The vectorized loops (the test is made before the vectorizer runs).
    values = np.concatenate([INTS, near, np.random.default_rng(18).integers(-10**6, 10**6, 999)])
    check(count_multiples, values, np.zeros(values.shape[0], dtype=np.bool_))


@jit
def walk(start, stop, step):
    n = 0
    last = -1
    evens = 0
    for i in range(start, stop, step):
        n += 1
        last = i
        if i > 10**18:
            break
        if i % 2:
            continue
        evens += 1
    return n, last, evens


def test_ranges_with_a_run_time_step():
    # The iteration count is computed up front (unsigned distance over the step's size):
    # either sign, empty ranges, the ends of int64 and steps of +-2^62 and -2^63.
    top, bottom = 2**63 - 1, -(2**63)
    cases = [(0, 10, 3), (10, 0, -3), (0, 0, 5), (5, 0, 2), (0, 5, -1), (bottom, bottom + 10, 4),
             (top - 10, top, 3), (top, bottom, -(2**62)), (bottom, top, 2**62), (top, bottom, bottom),
             (0, 1, top), (3, -7, -1), (-5, 5, 7), (0, 100, 200)]
    for case in cases:
        check(walk, *case)
    with pytest.raises(ValueError, match="must not be zero"):
        walk(0, 10, 0)


@jit
def squares(a, x):
    return a**2, (a - 1.0) ** 2.0, x**2, np.float32(x) ** 2


def test_float_square_is_the_product():
    # `x ** 2` is `x * x` (NumPy's square loop; Numba's LLVM): bitwise the correctly rounded
    # square, NaN, infinities and signed zeros included.
    a = np.concatenate([SPECIAL, np.random.default_rng(9).standard_normal(40) * 1e3])
    with np.errstate(over="ignore"):
        check(squares, a, 1.1)
        check(squares, a, -3.5e-160)


@jit
def f32_compares(a32, out):
    for i in range(a32.shape[0]):
        v = a32[i]
        out[i, 0] = v < 0
        out[i, 1] = v >= 0.5
        out[i, 2] = v == 16777216
        out[i, 3] = -0.25 < v
        out[i, 4] = v <= 1e30  # not a float32: compared in float64
        out[i, 5] = v != 3


def test_float32_compared_with_exact_constants():
    # Compared in float32 where the constant is a float32 (same answers as widening both).
    # (Constants that are not, such as 0.1, compare in float64 as in Numba; CPython's NumPy 2
    # rounds them to float32 first: docs/numba.md.)
    values = np.array([0.0, -0.0, 0.5, np.nextafter(0.5, 0), 16777216, 16777218, 0.1, 3, np.nan,
                       -np.inf, np.inf, -1e-45], dtype=np.float32)
    check(f32_compares, values, np.zeros((values.shape[0], 6), dtype=np.bool_))


@jit
def whole_reductions(m):
    return (m.argmax(), m.argmin(), m.sum(), m.min(), m.max(), m.mean(), m.var(), np.cumsum(m),
            m.prod())


def test_whole_array_reductions_of_c_arrays_read_flat():
    # A C-contiguous array's reductions run as one loop over its memory; Fortran-order and
    # strided ones over their axes. Ties and NaN keep the first index.
    rng = np.random.default_rng(12)
    m = rng.standard_normal((7, 9))
    m[3, 4] = m.max() + 1.0
    m[5, 1] = m[3, 4]
    for a in [m, np.asfortranarray(m), m[::2, 1::3], m.reshape(3, 3, 7)]:
        check(whole_reductions, a, rtol=1e-12)
    m[2, 2] = np.nan
    check(whole_reductions, m, rtol=1e-12)
    ints = rng.integers(-50, 50, (4, 6))
    check(whole_reductions, ints, rtol=1e-12)


@jit
def any_all(a, m, b):
    return (np.any(a > 0.5), np.all(a > 0.5), a.any(), a.all(), np.any(m), np.all(m), m.any(),
            np.any(b), np.all(b), np.any(a[::2] < 0), np.all(m.T > -1), np.any(np.sqrt(a) > 10))


def test_any_all_stop_early_and_fuse_their_expression():
    rng = np.random.default_rng(13)
    for n in [0, 1, 5, 100]:
        for a in [rng.random(n), np.zeros(n), np.ones(n), np.full(n, np.nan), -rng.random(n)]:
            m = rng.random((3, 4)) - 0.5 if n else np.zeros((0, 3))
            with np.errstate(invalid="ignore"):
                check(any_all, a, m, rng.random(n) > 0.7)


@jit
def in_box(a, lo, hi, n):
    counts = np.zeros(6, dtype=np.int64)
    for i in range(a.shape[0]):
        x = a[i]
        k = int(x * 4.0) if x == x and abs(x) < 1e9 else -1
        if lo <= x < hi:
            counts[0] += 1
        if 0 <= k < n and 0 <= k - 1 < n:
            counts[1] += k + int(a[k] > 0)  # a[k]: proven non-negative by the `and`
        if x < lo or x >= hi:
            counts[2] += 1
        if not (x > lo) and x != x:
            counts[3] += 1
        if lo < x <= hi == 0.5:
            counts[4] += 1
        if k > 2 or k < -1 or x > hi:
            counts[5] += 1
    return counts


def test_branch_free_and_or_and_chained_comparisons():
    # Computed whole where every part is a cheap comparison of numbers; the index proven
    # non-negative by an `and` drops its wraparound. NaN, infinities and both signs.
    a = np.concatenate([SPECIAL, np.random.default_rng(15).standard_normal(30)])
    for lo, hi, n in [(0.0, 0.5, 4), (-1.0, 1.0, 12), (np.nan, 1.0, 40)]:
        check(in_box, a, lo, hi, n)


@jit
def temporaries_then_float_results(n):
    c = np.ones(n) * 0.5
    total = 0.0
    for i in range(n):
        total += c[i]
    z = complex(total, -total)
    return total, c.sum(), z, np.float32(total)


def test_float_results_returned_after_freeing_temporaries():
    # The float results cross the call that frees the function's temporaries at its return
    # (saved in a stack slot around it): values intact, complex and float32 too.
    for n in [0, 1, 7, 1000]:
        check(temporaries_then_float_results, n)


@jit
def loop_results_then_allocation(a, flag):
    s = 0.0
    m = -np.inf
    for i in range(a.shape[0]):
        s += a[i]
        m = max(m, a[i])
    out = np.zeros(3)  # a call between the loop and the uses of `s` and `m`
    out[0] = s
    if flag:
        extra = np.ones(2)  # a second call on one branch only
        out[1] = m + extra[0] + s
    else:
        out[1] = m
    out[2] = s * 2.0  # after the branches merge
    return out, s, m


def test_float_values_live_across_calls():
    # Saved around each call outside loops and reloaded where the call dominates the use;
    # uses after a merge read the value itself.
    a = np.random.default_rng(16).standard_normal(1000)
    for flag in [True, False]:
        check(loop_results_then_allocation, a, flag)
        check(loop_results_then_allocation, a[:0], flag)


@jit
def scaled_sums(a8, a64, k):
    s = 0
    t = 0
    for i in range(a8.shape[0]):
        s += a8[i] * 2
    for i in range(a64.shape[0]):
        t += a64[i] * k
    return s, t


def test_sums_of_scaled_terms():
    # `s += a[i] * k` summed by the runtime and multiplied once: the same wrapping sum.
    rng = np.random.default_rng(17)
    a8 = rng.integers(-128, 128, 70_001).astype(np.int8)
    big = np.array([2**62, 3, -(2**61), 7] * 9, dtype=np.int64)
    for k in [0, 3, -5, 2**40]:
        got = scaled_sums(a8, big, k)
        want = (int(a8.astype(np.int64).sum()) * 2, int((big * np.int64(k)).sum()))
        assert got == want
