"""Loops whose branch only waits for a conditional load (issue 12's `where` loop) run a copy in
which the load comes first, behind a check before the loop that every index is in range
(`speculate_loads`); the loop as written runs otherwise. Results stay CPython's for every
length, NaN, views with any stride, aliasing, a shifted index, and an array shorter than the
loop that the program never reads past its end: such an array ends right before a page that
cannot be read, so a load the program would not do crashes the test."""

import ctypes
import mmap

import numpy as np
import pytest

from diff import check
from ferrojit import jit

LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 100]
SPECIAL = np.array([0.7, np.nan, -0.0, 0.5, np.inf, -np.inf, 0.2, 2.0, np.nan, 0.51])


@jit
def where_loop(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] if a[i] > 0.5 else b[i]


@jit
def where_stmt(a, b, out):
    for i in range(a.shape[0]):
        if a[i] > 0.5:
            out[i] = a[i]
        else:
            out[i] = b[i]


@jit
def shifted_count(a, b):
    total = 0
    for i in range(1, a.shape[0]):
        total += b[i - 1] if a[i] > 0 else 0
    return total


@jit
def where_ahead(a, b, out):
    for i in range(a.shape[0] - 1):
        out[i] = a[i] if a[i] < 0.5 else b[i + 1]


def data(n, seed=0):
    rng = np.random.default_rng(seed + n)
    a = rng.random(n)
    a[: min(n, SPECIAL.size)] = SPECIAL[: min(n, SPECIAL.size)]
    return a


@pytest.mark.parametrize("n", LENGTHS)
def test_where_every_length_with_nan(n):
    a, b = data(n), data(n, seed=7) - 0.5
    b[::3] = np.nan
    for fn in (where_loop, where_stmt):
        got = check(fn, a, b, np.zeros(n))
        assert got is None


def test_where_views_and_aliasing():
    big_a, big_b = data(64), data(64, seed=3)
    for a, b in [
        (big_a[::2], big_b[::2]),
        (big_a[::-1], big_b[::-1]),
        (big_a[:32], big_b[::-2]),
    ]:
        check(where_loop, a, b, np.zeros(a.shape[0]))
    # The output is one of the inputs, or overlaps them shifted by one element.
    check(where_loop, big_a, big_b, big_b)
    check(where_loop, big_a, big_b, big_a)
    both = data(65, seed=5)
    check(where_loop, both[1:], both[:-1], both[:-1])
    check(where_loop, both[:-1], both[1:], both[:-1])


def test_where_dtypes():
    a = data(50)
    finite = np.nan_to_num(a, posinf=3.0, neginf=-3.0)
    for dtype in (np.float32, np.int64, np.int32, np.int8, np.uint16):
        x = (a if dtype == np.float32 else finite * 4).astype(dtype)
        y = (a * -9 if dtype == np.float32 else finite * -9).astype(dtype)
        check(where_loop, x, y, np.zeros(50, dtype=dtype))
    ints = np.arange(40, dtype=np.int64) % 7 - 3
    for n in (0, 1, 2, 5, 40):
        check(shifted_count, ints[:n], ints[::-1][:n].copy())
        check(shifted_count, ints[:n], ints[: max(n - 1, 0)].copy())
    check(where_ahead, a, data(50, seed=9), np.zeros(50))


def guarded(values):
    """`values` copied into memory that ends right where the next page, which cannot be read or
    written, begins: one element past the end faults."""
    page = mmap.PAGESIZE
    region = mmap.mmap(-1, 2 * page, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    base = ctypes.addressof(ctypes.c_char.from_buffer(region))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    prot_none = 0  # PROT_NONE (the mmap module does not name it)
    assert libc.mprotect(base + page, page, prot_none) == 0
    nbytes = values.nbytes
    arr = np.frombuffer(region, dtype=values.dtype, count=values.size, offset=page - nbytes)
    arr[:] = values
    return arr, region


@pytest.mark.parametrize("short", [1, 2, 3, 8])
def test_shorter_array_never_read_past_its_end(short):
    n = 40
    a = data(n)
    a[n - short :] = 0.9  # the program takes a[i] there, and never reads b[i]
    b, region = guarded(data(n - short, seed=11))
    out = np.zeros(n)
    expected = np.zeros(n)
    where_loop.py_func(a, b, expected)
    where_loop(a, b, out)
    assert out.tobytes() == expected.tobytes()
    where_stmt(a, b, out)
    assert out.tobytes() == expected.tobytes()
    # The full-length case, also ending at the guard page, runs the copy without faulting.
    full, region2 = guarded(data(n, seed=12))
    where_loop(a, full, out)
    where_loop.py_func(a, full, expected)
    assert out.tobytes() == expected.tobytes()
    del b, full
    region.close()
    region2.close()


def test_empty_other_array():
    a = np.full(5, 0.75)
    b, region = guarded(np.zeros(0))
    out = np.zeros(5)
    where_loop(a, b, out)
    assert (out == 0.75).all()
    del b
    region.close()


def test_the_copy_is_vectorized():
    n = 16
    where_loop(data(n), data(n), np.zeros(n))
    ir = next(iter(where_loop.inspect_ir().values()))
    assert "load.f64x2" in ir and "select" in ir


@jit
def where_2d(a, b, out):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] if a[i, j] > 0.5 else b[i, j]


@jit
def lcs_length(x, y, table):
    n = x.shape[0]
    m = y.shape[0]
    for i in range(n + 1):
        table[i, 0] = 0
    for j in range(m + 1):
        table[0, j] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if x[i - 1] == y[j - 1]:
                table[i, j] = table[i - 1, j - 1] + 1
            else:
                table[i, j] = max(table[i - 1, j], table[i, j - 1])
    return table[n, m]


def test_two_dimensional_loads():
    rng = np.random.default_rng(1)
    a, b = rng.random((9, 11)), rng.random((9, 11)) - 0.5
    a[2, 3] = np.nan
    check(where_2d, a, b, np.zeros((9, 11)))
    wide = rng.random((18, 12))
    check(where_2d, a[::-1, ::2], wide[::2, ::-2], np.zeros((9, 6)))
    check(where_2d, np.asfortranarray(a), b, np.zeros((9, 11)))
    check(where_2d, a, b, b)
    for n, m in [(0, 0), (1, 3), (7, 5), (20, 31)]:
        x, y = rng.integers(0, 3, n), rng.integers(0, 3, m)
        check(lcs_length, x, y, np.zeros((n + 1, m + 1), dtype=np.int64))
        check(lcs_length, x, y, np.zeros((m + 2, n + 3), dtype=np.int64).T)


def test_two_dimensional_shorter_rows_never_read():
    rows, cols = 6, 9
    a = np.random.default_rng(2).random((rows, cols))
    a[:, cols - 2 :] = 0.9  # b's missing columns are never read
    b, region = guarded(np.arange(rows * (cols - 2), dtype=np.float64))
    b = b.reshape(rows, cols - 2)
    out, expected = np.zeros((rows, cols)), np.zeros((rows, cols))
    where_2d(a, b, out)
    where_2d.py_func(a, b, expected)
    assert out.tobytes() == expected.tobytes()
    del b
    region.close()


def test_the_two_dimensional_copy_is_vectorized():
    a = np.random.default_rng(3).random((4, 8))
    where_2d(a, a, a.copy())
    ir = next(iter(where_2d.inspect_ir().values()))
    assert "load.f64x2" in ir and "select" in ir
