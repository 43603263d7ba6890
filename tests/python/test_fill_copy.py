"""Fill and copy loops (issue 12): `a[i] = x` and `out[i] = a[i]` over contiguous elements
become one call of the runtime's fill or forward copy (`memset`/`memmove` where that is the
loop's result). Results stay bitwise CPython's for every dtype and value (NaN, -0.0, wrapped
integers), every length, starts past the end, rows of 2-d arrays, the index after the loop,
assignments through views made in the function (`a[:] = x`: the view's stride is known again),
strided views (the loop stays), and copies between overlapping views of one buffer, where the
loop's forward order shows (a destination after the source repeats what was already copied)."""

import math

import numpy as np
import pytest

from diff import check
from ferrojit import jit, prange

LENGTHS = [0, 1, 2, 7, 16, 17, 100, 1000]
DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.uint16, np.int32, np.float32, np.int64, np.float64]


def values(dtype, n, seed=0):
    rng = np.random.default_rng(seed + n)
    if dtype == np.bool_:
        return rng.random(n) < 0.5
    if np.issubdtype(dtype, np.floating):
        a = rng.standard_normal(n).astype(dtype)
        a[: min(n, 3)] = np.array([np.nan, -0.0, np.inf], dtype=dtype)[: min(n, 3)]
        return a
    info = np.iinfo(dtype)
    return rng.integers(info.min, int(info.max) + 1, n, dtype=dtype)


@jit
def fill(a, x):
    for i in range(a.shape[0]):
        a[i] = x


@jit
def fill_from(a, start, x):
    for i in range(start, a.shape[0]):
        a[i] = x


@jit
def fill_rows(m, x):
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            m[i, j] = x


@jit
def fill_index_after(a):
    i = -1
    for i in range(a.shape[0]):
        a[i] = 0
    return i


@jit
def zero_then_count(a, counts):
    # The histogram kernel's first loop: counts zeroed, then filled.
    for i in range(counts.shape[0]):
        counts[i] = 0
    for i in range(a.shape[0]):
        counts[a[i] % counts.shape[0]] += 1


@jit
def copy(dst, src):
    for i in range(src.shape[0]):
        dst[i] = src[i]


@jit
def copy_shifted(dst, src, k):
    for i in range(dst.shape[0]):
        dst[i] = src[i + k]


@jit
def copy_rows(dst, src):
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[i, j] = src[i, j]


@jit
def copy_within(buf, to, frm, n):
    # Both views of one buffer: the arrays overlap as `to` and `frm` say.
    for i in range(n):
        buf[to + i] = buf[frm + i]


@pytest.mark.parametrize("dtype", DTYPES)
def test_fills_of_every_dtype(dtype):
    for n in LENGTHS:
        a = values(dtype, n)
        for x in values(dtype, 4, seed=99):
            check(fill, a, x)
        for start in (0, 1, n, n + 5):
            check(fill_from, a, start, values(dtype, 1, seed=7)[0])
    m = values(dtype, 35).reshape(5, 7)
    check(fill_rows, m, values(dtype, 1, seed=3)[0])


def test_python_values_fill_typed_arrays():
    # Python scalars converted to the element type once (the value is the same in every
    # iteration).
    check(fill, np.zeros(20, np.uint8), 200)
    check(fill, np.zeros(20, np.int16), -1)
    check(fill, np.zeros(20, np.float32), 0.1)
    check(fill, np.zeros(20, np.bool_), True)
    check(fill, np.ones(20, np.float64), -0.0)
    check(fill_index_after, np.ones(9, np.int64))
    check(fill_index_after, np.ones(0, np.int64))
    check(zero_then_count, np.arange(100), np.ones(7, np.int64))


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != np.bool_] + [np.bool_])
def test_copies_of_every_dtype(dtype):
    for n in LENGTHS:
        src = values(dtype, n)
        check(copy, np.zeros(n, dtype), src)
        check(copy, np.zeros(n + 3, dtype), src)
        big = values(dtype, n + 4, seed=5)
        for k in (0, 1, 4):
            check(copy_shifted, np.zeros(n, dtype), big, k)
    check(copy_rows, np.zeros((4, 9), dtype), values(dtype, 36).reshape(4, 9))


def test_strided_views_keep_the_loop():
    a = values(np.float64, 40)
    check(fill, a[::2], 2.5)
    check(copy, np.zeros(20), a[::2])
    check(copy, np.zeros(40)[::2], a[:20])
    check(fill_rows, values(np.int32, 48).reshape(6, 8)[:, ::2], 7)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.int64, np.float64])
def test_overlapping_copies_keep_the_forward_order(dtype):
    # Python's own loop on one buffer against the compiled loop on an identical buffer: a
    # destination after the source (inside it) sees elements copied earlier in the loop.
    for to, frm in [(0, 0), (1, 0), (0, 1), (3, 0), (0, 3), (5, 2), (10, 0), (0, 10), (40, 0)]:
        for n in (0, 1, 4, 9, 30):
            base = values(dtype, 80, seed=to * 100 + frm)
            want = base.copy()
            copy_within.py_func(want, to, frm, n)
            got = base.copy()
            copy_within(got, to, frm, n)
            assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), (to, frm, n)
    # Views of one buffer passed as two arrays.
    for shift in (1, 2, 7):
        base = values(dtype, 64, seed=shift)
        want, got = base.copy(), base.copy()
        copy.py_func(want[shift:], want[:-shift])
        copy(got[shift:], got[:-shift])
        assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), shift
        want, got = base.copy(), base.copy()
        copy.py_func(want[:-shift], want[shift:])
        copy(got[:-shift], got[shift:])
        assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), -shift


def test_unaligned_views():
    # 8-byte elements starting at odd byte offsets of one buffer, overlapping by a partial
    # element: the loop's result whatever the alignment.
    raw = np.arange(256, dtype=np.uint8)
    for d, s in [(3, 0), (0, 3), (11, 2)]:
        want_raw, got_raw = raw.copy(), raw.copy()
        views = []
        for buf in (want_raw, got_raw):
            dst = np.ndarray((20,), np.int64, buffer=buf, offset=d)
            src = np.ndarray((20,), np.int64, buffer=buf, offset=s)
            views.append((dst, src))
        copy.py_func(*views[0])
        copy(*views[1])
        assert np.array_equal(got_raw, want_raw), (d, s)


@jit(parallel=True)
def fill_rows_parallel(m, x):
    for i in prange(m.shape[0]):
        for j in range(m.shape[1]):
            m[i, j] = x


@jit(parallel=True)
def copy_parallel(dst, src):
    for i in prange(src.shape[0]):
        dst[i] = src[i]


def test_prange_chunks_fill_and_copy_their_part():
    m = np.zeros((100, 37))
    fill_rows_parallel(m, 2.5)
    assert (m == 2.5).all()
    src = values(np.float64, 10001)
    dst = np.zeros_like(src)
    copy_parallel(dst, src)
    assert np.array_equal(dst.view(np.uint64), src.view(np.uint64))


@jit
def assign_views(a, b, m, x):
    # Views built in the function: their descriptors' fields are the values stored there.
    a[:] = x
    a[2:7] = b[:5]
    a[::2] = -x
    a[::-1] = b
    m[:, :] = x
    m[1, :] = b[: m.shape[1]]
    m[:, 2] = x + 1.0
    m[1:3, 1:] = -1.0


def test_assignments_through_views():
    for n in (8, 9, 31):
        a = values(np.float64, n)
        b = values(np.float64, n, seed=1)
        m = values(np.float64, 4 * n).reshape(4, n)
        check(assign_views, a, b, m, 1.25)
        check(assign_views, a, b, np.asfortranarray(m), -0.0)


def test_the_loops_become_calls():
    @jit
    def fill_f8(a, x):
        for i in range(a.shape[0]):
            a[i] = x

    @jit
    def copy_f8(dst, src):
        for i in range(src.shape[0]):
            dst[i] = src[i]

    fill_f8(np.zeros(8), 1.0)
    copy_f8(np.zeros(8), np.ones(8))
    assert "call_rt.fill_64" in next(iter(fill_f8.inspect_ir().values()))
    assert "call_rt.copy_64" in next(iter(copy_f8.inspect_ir().values()))

    @jit
    def zero_view(a):
        a[:] = 0.0

    zero_view(np.ones(8))
    assert "call_rt.fill_64" in next(iter(zero_view.inspect_ir().values()))


@jit
def sqrt_map(a, out):
    for i in range(a.shape[0]):
        out[i] = np.sqrt(a[i])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", LENGTHS)
def test_square_root_maps(dtype, n):
    # `out[i] = sqrt(a[i])` is one call of the runtime's wide square roots: bitwise the loop's
    # (negative elements and NaN give NaN, -0.0 stays -0.0), in place and between overlapping
    # views (forward order), strided views (the loop stays).
    a = values(dtype, n)
    check(sqrt_map, a, np.zeros(n, dtype))
    check(sqrt_map, a, a)
    # Views of one buffer passed as two arrays (`check` would copy them apart): a destination
    # after the source reads roots the loop stored earlier.
    for shift in (1, 2, 17):
        for src, dst in [(slice(0, n), slice(shift, n + shift)), (slice(shift, n + shift), slice(0, n))]:
            base = np.abs(values(dtype, n + shift, seed=shift)) + dtype(1.5)
            want, got = base.copy(), base.copy()
            sqrt_map.py_func(want[src], want[dst])
            sqrt_map(got[src], got[dst])
            assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), (shift, src, dst)
    check(sqrt_map, np.abs(values(dtype, 2 * n))[::2], np.zeros(n, dtype))


@jit
def axpy(d, x, s):
    for i in range(d.shape[0]):
        d[i] += s * x[i]


@jit
def add_into(d, x):
    for i in range(d.shape[0]):
        d[i] = x[i] + d[i]


@jit
def matmul_ikj(x, y, z):
    n = x.shape[0]
    for i in range(n):
        for j in range(n):
            z[i, j] = 0.0
        for k in range(n):
            xik = x[i, k]
            for j in range(n):
                z[i, j] += xik * y[k, j]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", LENGTHS)
def test_axpy_loops(dtype, n):
    # `d[i] += s * x[i]` and `d[i] = x[i] + d[i]` are one call of the runtime's axpy: each
    # product and sum rounded as in the loop (no fused multiply-add), NaN and infinities kept.
    # (A float32 scale: a Python float would make the product float64, as in Numba.)
    d, x = values(dtype, n), values(dtype, n, seed=3)
    for s in (2.5, -0.0, float("nan"), float("inf")):
        check(axpy, d, x, dtype(s))
    check(add_into, d, x)
    check(axpy, d, d, dtype(0.5))
    check(axpy, values(dtype, 2 * n)[::2], x, dtype(1.5))
    # Views of one buffer passed as two arrays: a destination after the source reads sums the
    # loop stored earlier.
    for shift in (1, 3, 17):
        for src, dst in [(slice(0, n), slice(shift, n + shift)), (slice(shift, n + shift), slice(0, n))]:
            base = values(dtype, n + shift, seed=shift)
            want, got = base.copy(), base.copy()
            axpy.py_func(want[dst], want[src], dtype(0.75))
            axpy(got[dst], got[src], dtype(0.75))
            assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), (shift, src, dst)


def test_matmul_inner_loop_is_an_axpy():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((37, 37)), rng.standard_normal((37, 37))
    check(matmul_ikj, x, y, np.zeros((37, 37)))


@jit
def hypot_expr(a, b):
    return np.sqrt(a * a + b * b)


@jit
def root_of_difference(a, b):
    return np.sqrt(a - b)


@jit
def root_of_ints(ia):
    return np.sqrt(ia * 3)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_square_root_of_array_expressions(dtype):
    # `np.sqrt(expr)`: the operand is stored into the result, then rooted in place (the
    # runtime's square roots): the fused loop's values exactly, NaN for negative operands.
    for shape in [(0,), (1,), (17,), (1000,), (3, 40), (7, 1)]:
        a, b = values(dtype, int(np.prod(shape))).reshape(shape), values(dtype, int(np.prod(shape)), seed=9).reshape(shape)
        check(hypot_expr, a, b)
        check(root_of_difference, a, b)
        check(root_of_difference, a, b[..., :1] if shape[-1] else b)
    check(hypot_expr, values(dtype, 40)[::2], values(dtype, 20))
    check(root_of_ints, np.arange(-5, 50))


@jit
def divide_loop(a, s, out):
    for i in range(a.shape[0]):
        out[i] = a[i] / s


@jit
def standardize(a):
    return (a - a.mean()) / a.std()


@jit
def scaled_difference(a, b, s):
    return (a - b) / s


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", LENGTHS)
def test_division_maps(dtype, n):
    # `out[i] = a[i] / s` is one call of the runtime's wide division: correctly rounded like
    # the loop's, in place and between views that overlap. (A zero `s` raises
    # ZeroDivisionError before the loop, as in Numba; CPython's NumPy scalars give inf.)
    a = values(dtype, n)
    for s in (3.0, -0.5, float("inf"), float("nan")):
        check(divide_loop, a, dtype(s), np.zeros(n, dtype))
    for shift in (1, 5):
        base = values(dtype, n + shift, seed=shift)
        want, got = base.copy(), base.copy()
        divide_loop.py_func(want[:n], dtype(1.5), want[shift:])
        divide_loop(got[:n], dtype(1.5), got[shift:])
        assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), shift


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_division_roots_of_array_expressions(dtype):
    for shape in [(0,), (1,), (17,), (1000,), (3, 40)]:
        size = int(np.prod(shape))
        a, b = values(dtype, size).reshape(shape), values(dtype, size, seed=4).reshape(shape)
        check(scaled_difference, a, b, dtype(3.0))
        check(scaled_difference, a, b, dtype(0.0))
    # (The mean and the standard deviation may differ from NumPy's pairwise sums in the last
    # bits, hence the tolerance.)
    a = np.random.default_rng(1).standard_normal(5000).astype(dtype)
    check(standardize, a, rtol=1e-5 if dtype == np.float32 else 1e-12)


@jit
def hypot_loop(a, b, out):
    for i in range(a.shape[0]):
        out[i] = math.sqrt(a[i] * a[i] + b[i] * b[i])


@jit
def quotient_loop(a, m, s, out):
    for i in range(a.shape[0]):
        out[i] = (a[i] - m) / s


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", LENGTHS)
def test_vector_loops_with_a_root_store(dtype, n):
    # A vector loop whose stored value ends in a square root or a division by a scalar stores
    # the operand and lets the runtime finish the stored range in place: the loop's values
    # exactly, overlapping arrays (the scalar loop) included.
    a, b = values(dtype, n), values(dtype, n, seed=2)
    check(hypot_loop, a, b, np.zeros(n, dtype))
    check(hypot_loop, a, a, a)
    check(quotient_loop, a, dtype(0.25), dtype(3.0), np.zeros(n, dtype))
    for shift in (1, 3):
        base = values(dtype, n + shift, seed=shift)
        check(hypot_loop, base[:n], base[:n], base[shift:])
        check(quotient_loop, base[shift:], dtype(0.5), dtype(-2.0), base[:n])


@jit
def matmul_ikj(x, y, z):
    n = x.shape[0]
    for i in range(n):
        for j in range(z.shape[1]):
            z[i, j] = 0.0
        for k in range(x.shape[1]):
            xik = x[i, k]
            for j in range(z.shape[1]):
                z[i, j] += xik * y[k, j]


@jit
def accumulate_rows(x, y, z):
    # z[i] += x[i, k] * y[k] for every k: the k loop around an axpy, without the fill.
    for i in range(x.shape[0]):
        for k in range(x.shape[1]):
            xik = x[i, k]
            for j in range(z.shape[1]):
                z[i, j] += xik * y[k, j]


@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 4, 5), (5, 5, 5), (4, 9, 7), (6, 13, 33), (2, 64, 70)])
def test_jammed_matrix_products(shape):
    # The k loop runs four rows of y per pass over z's row (axpy4), bitwise the loop's.
    m, kk, n = shape
    rng = np.random.default_rng(m * 100 + kk)
    x = rng.standard_normal((m, kk))
    y = rng.standard_normal((kk, n))
    check(matmul_ikj, x, y, np.zeros((m, n)))
    check(accumulate_rows, x, y, rng.standard_normal((m, n)))


def test_jammed_products_with_overlapping_arrays():
    # z's rows inside y, or x inside z: the runtime runs the four axpys one after the other.
    rng = np.random.default_rng(7)
    buf = rng.standard_normal((12, 12))
    check(accumulate_rows, buf[:3, :9], buf[2:11, :], buf[4:7, :])
    buf2 = rng.standard_normal((10, 10))
    check(accumulate_rows, buf2[:, :8], buf2[1:9, :], buf2)
    sq = rng.standard_normal((9, 9))
    check(accumulate_rows, sq, sq, sq)
