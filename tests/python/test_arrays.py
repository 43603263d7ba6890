"""Arrays inside compiled code: creation, views, attributes, array expressions, reductions,
np.dot, and returning new arrays to Python (owned memory, no leak). Differential against
CPython running the same source with NumPy."""

import gc
import math
import resource

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from diff import check

# Reductions and products sum in a different order than NumPy's pairwise/BLAS kernels.
CLOSE = 1e-12


def test_creation_functions():
    @jit
    def make(n):
        a = np.zeros(n)
        b = np.ones((2, n), dtype=np.int32)
        c = np.full(n, 2.5)
        d = np.arange(n)
        e = np.arange(0.0, 1.0, 0.25)
        f = np.linspace(0, 1, 5)
        g = np.full((n, 2), 7, np.uint8)
        h = np.arange(10, 0, -3)
        return a, b, c, d, e, f, g, h, np.linspace(2.0, 3.0, num=4, endpoint=False)

    check(make, 3)
    check(make, 0)


def test_like_functions_and_copies():
    @jit
    def likes(a):
        z = np.zeros_like(a)
        o = np.ones_like(a, dtype=np.float32)
        f = np.full_like(a, 3)
        e = np.empty_like(a)
        c = a.copy()
        c[0, 0] = -1.0
        return z, o, f, e.shape, c, np.copy(a)

    check(likes, np.arange(6.0).reshape(2, 3))


def test_negative_dimension_raises():
    @jit
    def bad(n):
        return np.empty(n)

    with pytest.raises(ValueError, match="negative dimensions"):
        bad(-1)
    assert bad(2).shape == (2,)


def test_returned_arrays_own_their_memory():
    @jit
    def make(n):
        a = np.arange(n) * 2
        return a, a[::-1]

    a, r = make(5)
    assert a.base is not None and r.base is a.base
    del a
    gc.collect()
    assert list(r) == [8, 6, 4, 2, 0]


def test_allocating_kernel_does_not_leak():
    @jit
    def make(n):
        a = np.empty(n)
        for i in range(n):
            a[i] = i * 0.5
        tmp = np.sqrt(a) + 1.0
        return a + tmp.sum()

    for _ in range(1000):
        make(1000)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(100_000):
        make(1000)
    gc.collect()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # 100,000 calls × 16 kB would be 1.6 GB if anything leaked; allow allocator noise.
    assert after - before < 50_000, (before, after)


def test_slicing_views():
    @jit
    def views(a):
        return a[1:-1], a[::-1], a[::2], a[1:3].sum(), a[-3:], a[5:100], a[3:1]

    check(views, np.arange(10.0))
    check(views, np.arange(10.0)[::2])

    @jit
    def rows_and_columns(m):
        m[:, 0] = 5.0
        m[1, :] = m[0, :] * 2
        return m[1], m[:, 1], m.T, m.T.copy(), m[1:, ::2]

    check(rows_and_columns, np.arange(12.0).reshape(3, 4))
    check(rows_and_columns, np.asfortranarray(np.arange(12.0).reshape(3, 4)))


def test_assigning_a_lower_rank_array_into_a_view_broadcasts():
    # Found by the generated programs: `m[:, :] = row` was refused at typing although the
    # store broadcasts (NumPy's rules) like every array expression.
    @jit
    def fill_rows(m, row, col):
        m[:, :] = row
        m.T[1:, :] = col[1:]
        m[1:, 1:] = row[0:1]
        return m

    check(fill_rows, np.zeros((3, 4), np.int32), np.arange(4, dtype=np.int16), np.arange(4.0))
    check(fill_rows, np.zeros((3, 4)), np.arange(4.0), np.full(4, 7, np.int64))


def test_in_place_operator_on_a_name_keeps_the_arrays_dtype():
    # Found by the generated programs: `a *= b` with a wider result dtype (complex64 *=
    # complex128) was typed as rebinding `a` to the wider array, a typing error.
    @jit
    def scale(a, b):
        a *= b
        a += 0.5
        a -= np.ones(len(a))
        return a

    check(scale, np.arange(4, dtype=np.complex64), np.full(4, 0.1 + 1j))
    check(scale, np.arange(4, dtype=np.float32), np.full(4, 1.1))


def test_views_write_through_and_pass_to_other_functions():
    @jit
    def scale(v, k):
        for i in range(v.shape[0]):
            v[i] *= k

    @jit
    def outer(a):
        scale(a[::2], 10.0)
        scale(a[1:2], -1.0)
        return a

    check(outer, np.arange(6.0))


def test_attributes():
    @jit
    def attrs(z, r):
        return z.real, z.imag, z.real.sum(), r.real, r.imag, r.T.shape, r.ndim, r.size

    check(attrs, np.array([1 + 2j, 3 - 4j]), np.arange(6.0).reshape(2, 3))


def test_array_expressions_broadcast():
    @jit
    def exprs(a, row):
        return (
            a + row,
            a * 2.0 - 1,
            a > 2.0,
            np.where(a > 2, a, 0.0),
            -a,
            abs(a - 3),
            np.maximum(a, 2.0),
            np.sqrt(a * a + row * row),
            np.exp(a / 10),
            (a >= 1) & (a < 4),
        )

    check(exprs, np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0]))


def test_array_expression_dtypes_follow_numpy():
    @jit
    def kinds(f, i):
        return f * 2.0, i + 1, i * 2.5, i / 2, f + i, i > 1

    check(kinds, np.arange(4, dtype=np.float32), np.arange(4, dtype=np.int32))


def test_broadcast_mismatch_raises():
    @jit
    def add(a, b):
        return a + b

    with pytest.raises(ValueError, match="broadcast"):
        add(np.ones(3), np.ones(4))


def test_in_place_operators():
    @jit
    def inplace(a, b):
        a += b
        a[1:] *= 2
        a[:2] = a[1:3]
        a[2:] = a[:-2]
        return a

    check(inplace, np.arange(6.0), np.ones(6))


def test_reductions():
    @jit
    def stats(a):
        return (
            a.sum(),
            np.prod(a),
            a.min(),
            a.max(),
            a.mean(),
            a.std(),
            a.var(),
            np.var(a, ddof=1),
            a.argmin(),
            a.argmax(),
            np.cumsum(a),
            a.cumprod(),
        )

    check(stats, np.array([3.0, 1.0, 4.0, 1.5, 9.0, 2.0]), rtol=CLOSE)
    check(stats, np.arange(1.0, 13.0).reshape(3, 4), rtol=CLOSE)
    check(stats, np.array([3, 1, 4, 1, 5], dtype=np.int32), rtol=CLOSE)
    check(stats, np.array([2.0, np.nan, 1.0]))

    @jit
    def empty_min(a):
        return a.min()

    with pytest.raises(ValueError, match="zero-size"):
        empty_min(np.empty(0))


def test_complex_reductions():
    @jit
    def cstats(z):
        return z.sum(), z.mean(), z.var(), np.prod(z)

    check(cstats, np.array([1 + 2j, 3 - 1j, -2 + 0.5j]), rtol=CLOSE)


def test_dot_and_matmul():
    @jit
    def products(a, b, v):
        return np.dot(v, v), a @ v[:3], np.dot(a, b), a.dot(b), v[:2] @ a

    a = np.arange(6.0).reshape(2, 3)
    check(products, a, np.arange(12.0).reshape(3, 4), np.arange(1.0, 4.0), rtol=CLOSE)

    @jit
    def bad(a, b):
        return np.dot(a, b)

    with pytest.raises(ValueError, match="not aligned"):
        bad(np.ones((2, 3)), np.ones(4))


def test_vector_dot_contiguous_and_strided():
    # Contiguous float64 vectors take the runtime's dot (partial sums, as BLAS reassociates);
    # strided, reversed and integer ones the loop. Lengths around the 16 partial sums.
    @jit
    def vdot(x, y):
        return np.dot(x, y), x @ y

    rng = np.random.default_rng(8)
    for n in [0, 1, 15, 16, 17, 33, 1000]:
        a, b = rng.standard_normal(2 * n), rng.standard_normal(2 * n)
        for x, y in [(a[:n], b[:n]), (a[::2], b[::2]), (a[:n], b[::-1][:n]), (a[1 : n + 1], b[:n])]:
            check(vdot, x, y, rtol=CLOSE)
    ints = np.arange(10)
    check(vdot, ints, ints)
    nan = np.array([1.0, np.nan, 2.0] * 7)
    check(vdot, nan, nan)


def test_transposed_matrix_times_vector_is_the_row_sums():
    # `m.T @ x` runs down memory (columns scaled and added), each result still summed in
    # order from zero: bitwise the product of the copied matrix.
    @jit
    def transposed(a, x):
        return a.T @ x, np.dot(a.T, x)

    @jit
    def rows(a, x):
        return a @ x

    rng = np.random.default_rng(14)
    for m, k in [(3, 4), (1, 5), (5, 1), (0, 3), (3, 0), (64, 33)]:
        a, x = rng.standard_normal((k, m)), rng.standard_normal(k)
        got = transposed(a, x)
        want = rows(np.ascontiguousarray(a.T), x)
        assert np.array_equal(got[0], want) and np.array_equal(got[1], want)
        check(transposed, a, x, rtol=CLOSE)
        check(transposed, rng.integers(-5, 5, (k, m)), rng.integers(-5, 5, k))
        check(transposed, a + 1j * a[::-1], x + 0j, rtol=CLOSE)


def test_reshape_ravel_fill():
    @jit
    def shapes(a):
        b = a.reshape(3, 2)
        c = a.ravel()
        d = np.reshape(a, (6,))
        e = np.empty((2, 2))
        e.fill(4.0)
        return b, c, d, e, a.T.ravel()

    check(shapes, np.arange(6.0).reshape(2, 3))


def test_array_creation_in_parallel_loop():
    @jit(parallel=True)
    def rows(n):
        out = np.zeros(n)
        for i in ferrojit.prange(n):
            tmp = np.arange(i + 1) * 1.0
            out[i] = tmp.sum()
        return out

    check(rows, 50)


def test_iterating_a_2d_array_gives_rows():
    @jit
    def row_sums(m):
        out = np.empty(m.shape[0])
        k = 0
        for row in m:
            out[k] = row.sum()
            row[0] = -1.0
            k += 1
        return out, m

    check(row_sums, np.arange(12.0).reshape(3, 4))
    check(row_sums, np.arange(12.0).reshape(4, 3).T)


def test_loop_temporaries_are_freed_each_iteration():
    @jit
    def churn(n, size):
        total = 0.0
        for i in range(n):
            tmp = np.ones(size) * i
            total += tmp.sum()
        k = 0
        while k < n:
            t2 = np.arange(size) + k
            total -= t2.sum()
            k += 1
        return total

    @jit
    def accumulate(n, size):
        acc = np.zeros(size)
        for i in range(n):
            tmp = np.arange(size) * 0.5
            acc += tmp
        return acc

    check(churn, 10, 5)
    check(accumulate, 4, 3)
    accumulate(10, 1000)
    churn(10, 1000)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # 40,000 iterations of 80 kB temporaries: 3.2 GB if they were kept until the call ends.
    churn(10_000, 10_000)
    accumulate(20_000, 10_000)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 100_000, (before, after)


def test_arrays_kept_across_iterations_stay_valid():
    @jit
    def keep(n):
        prev = np.zeros(3)
        acc = np.zeros(3)
        for i in range(n):
            cur = prev + i
            acc += cur
            prev = cur
        return acc, prev

    check(keep, 5)


def test_where_of_numbers():
    @jit
    def pick(c, x, y):
        return np.where(c > 0, x, y)

    # NumPy gives a 0-d array here; ferrojit a number (documented).
    assert pick(1, 2.5, 3) == pick.py_func(1, 2.5, 3) == 2.5
    assert pick(-1, 2.5, 3) == pick.py_func(-1, 2.5, 3) == 3.0


def test_numpy_rounding_sign_square_clip_astype():
    @jit
    def funcs(a, i):
        return (
            np.floor(a),
            np.ceil(a),
            np.trunc(a),
            np.rint(a),
            np.square(a),
            np.sign(a),
            np.clip(a, -1.0, 1.5),
            np.square(i),
            np.sign(i),
            np.clip(i, 0, 2),
            a[:-1].astype(np.int32),  # NaN to int is undefined in NumPy
            i.astype(np.float32),
            np.floor(2.5),
            np.sign(-3),
        )

    a = np.array([-2.5, -0.5, 0.0, 0.5, 1.5, 2.5, np.nan])
    check(funcs, a, np.array([-3, 0, 1, 5], dtype=np.int64))


def test_clip_keeps_signed_zeros_and_nan_as_numpy():
    # NumPy keeps `x` wherever `x >= lo` and `x <= hi` hold (a zero bound leaves a zero of the
    # other sign alone) and gives NaN for a NaN `x` or bound: every pair of special bounds,
    # on an array (the vectorized loop) and on one number.
    @jit
    def clip(a, lo, hi):
        return np.clip(a, lo, hi), np.clip(a[0], lo, hi)

    special = [0.0, -0.0, 1.0, -1.0, np.nan, np.inf, -np.inf]
    a = np.array(special * 5)
    for lo in special:
        for hi in special:
            with np.errstate(invalid="ignore"):
                check(clip, a, lo, hi)
                got, expected = clip(a, lo, hi)[0], clip.py_func(a, lo, hi)[0]
            assert np.array_equal(np.signbit(got), np.signbit(expected)), (lo, hi)


def test_reductions_along_an_axis():
    @jit
    def along(m, c):
        return (
            m.sum(axis=0),
            np.sum(m, axis=1),
            m.mean(axis=0),
            m.min(axis=-1),
            np.max(m, 0),
            np.prod(c, axis=1),
            c.sum(axis=2),
            m.sum(axis=None),
        )

    m = np.array([[3.0, 1.0, np.nan], [2.0, 5.0, 4.0]])
    c = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    check(along, m, c, rtol=CLOSE)
    check(along, np.arange(12.0).reshape(3, 4).T, c, rtol=CLOSE)


def test_axis_out_of_range_is_a_typing_error():
    @jit
    def bad(m):
        return m.sum(axis=2)

    with pytest.raises(ferrojit.errors.TypingError, match="axis 2 is out of bounds"):
        bad(np.ones((2, 2)))


def test_boolean_mask_indexing():
    @jit
    def masked(a, m):
        pos = a[a > 0]
        a[a < 0] = 0.0
        big = m[m > 4]
        m[m % 2 == 0] = -1
        return pos, big, a, m, a[a > 100].size

    check(masked, np.array([1.5, -2.0, 3.0, -0.5]), np.arange(9).reshape(3, 3))

    @jit
    def wrong_shape(a, mask):
        return a[mask]

    with pytest.raises(IndexError, match="boolean index did not match"):
        wrong_shape(np.ones(3), np.ones(4, dtype=np.bool_))


def test_overlapping_arguments_copy_like_numpy():
    @jit
    def shift(dst, src):
        dst[:] = src
        return dst

    @jit
    def accumulate(dst, src):
        dst += src
        return dst

    # `check` copies each argument separately, which would undo the overlap: compare by hand.
    for fn in (shift, accumulate):
        for dst, src in ((slice(1, None), slice(None, -1)), (slice(None, -1), slice(1, None))):
            expected, got = np.arange(8.0), np.arange(8.0)
            fn.py_func(expected[dst], expected[src])
            fn(got[dst], got[src])
            np.testing.assert_array_equal(got, expected)
    check(accumulate, np.arange(4.0), np.ones(4))


def test_any_and_all():
    @jit
    def truth(a, m):
        return np.any(a), np.all(a), (a > 1).any(), (m != 0).all(), np.any(a[:0]), np.all(a[:0])

    check(truth, np.array([0.0, 2.0, np.nan]), np.arange(1, 7).reshape(2, 3))
    check(truth, np.zeros(3), np.zeros((2, 2), dtype=np.int8))


def test_concatenate():
    @jit
    def join(a, b, m):
        return np.concatenate((a, b)), np.concatenate((m, m[::-1], m[:1]), axis=0), np.concatenate((a, b[::2].astype(np.int32)))

    check(join, np.arange(3.0), np.arange(5.0), np.arange(6).reshape(2, 3))

    @jit
    def bad(m, n):
        return np.concatenate((m, n))

    with pytest.raises(ValueError, match="must match exactly"):
        bad(np.ones((2, 3)), np.ones((2, 4)))


def test_creation_errors_match_numpy():
    @jit
    def ar(step):
        return np.arange(0.0, 1.0, step)

    @jit
    def ai(step):
        return np.arange(0, 5, step)

    for fn, step in ((ar, 0.0), (ai, 0)):
        with pytest.raises(ZeroDivisionError):
            fn(step)
    check(ar, 0.25)
    check(ai, -1)

    @jit
    def huge(n):
        return np.empty((n, n, n))

    with pytest.raises(MemoryError):
        huge(10**7)


def test_a_view_kept_from_the_previous_iteration_keeps_its_row():
    @jit
    def diffs(m):
        out = np.zeros(m.shape[0])
        prev = m[0, :]
        for i in range(1, m.shape[0]):
            cur = m[i, :]
            out[i] = (cur - prev).sum()
            prev = cur
        return out, prev

    @jit
    def rows_kept(m):
        first = m[0]
        last = m[0]
        k = 0
        while k < m.shape[0]:
            last = m[k, 1:]
            k += 1
        return first, last

    m = np.arange(12.0).reshape(4, 3) ** 2
    check(diffs, m)
    check(rows_kept, m)


def test_a_view_of_a_read_only_argument_is_read_only():
    @jit
    def tail(a):
        return a[1:]

    a = np.arange(4.0)
    a.flags.writeable = False
    t = tail(a)
    assert list(t) == [1.0, 2.0, 3.0] and not t.flags.writeable and t.base is a


@jit
def numpy_extremes(a, b):
    return np.maximum(a, b), np.minimum(a, b), np.maximum(a, 0.0), np.minimum(2.5, b)


@jit
def numpy_extremes_of_numbers(x, y):
    return np.maximum(x, y), np.minimum(x, y), max(x, y), min(x, y)


EXTREME_VALUES = [np.nan, -0.0, 0.0, 1.0, -1.0, np.inf, -np.inf]


@pytest.mark.parametrize("n", [7, 49])
def test_numpy_minimum_maximum_propagate_nan_and_take_the_second_on_ties(n):
    # NumPy's extremes, unlike `min`/`max`: NaN from either side (`np.maximum(1.0, nan)` is
    # nan), and the second operand on ties (`np.maximum(-0.0, 0.0)` is 0.0); compared as bits.
    a = np.array([x for x in EXTREME_VALUES for _ in EXTREME_VALUES])[:n]
    b = np.array([y for _ in EXTREME_VALUES for y in EXTREME_VALUES])[:n]
    got = numpy_extremes(a, b)
    expected = numpy_extremes.py_func(a, b)
    for g, e in zip(got, expected):
        assert np.array_equal(np.isnan(g), np.isnan(e))
        assert np.array_equal(g[~np.isnan(g)].view(np.uint64), e[~np.isnan(e)].view(np.uint64))
    check(numpy_extremes, np.array([3, -1, 7]), np.array([2, 5, 7]))


@pytest.mark.parametrize("x", EXTREME_VALUES)
def test_numpy_extremes_of_numbers(x):
    for y in EXTREME_VALUES:
        got = numpy_extremes_of_numbers(x, y)
        expected = numpy_extremes_of_numbers.py_func(x, y)
        for g, e in zip(got, expected):
            assert (math.isnan(g) and math.isnan(e)) or (g == e and math.copysign(1, g) == math.copysign(1, e)), (x, y, got, expected)
