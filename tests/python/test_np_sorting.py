"""NumPy's sorting and searching inside compiled code, differentially against NumPy (see
diff.py): `np.sort`/`a.sort()`/`np.argsort` (every kind), `np.partition`/`np.argpartition`,
`np.searchsorted`, `np.unique`, `np.digitize`, `np.bincount`, `np.nonzero`/`np.where(c)`,
`np.flatnonzero`, `np.argwhere` and `np.isin`. Results are exact: sort order is NumPy's (NaN
last) and index results break ties by position, as NumPy's stable sort does.
"""

import numpy as np
import pytest

import ferrojit
from diff import assert_same, check
from ferrojit import jit

nan = np.nan
rng = np.random.default_rng(11)

FLOATS = np.array([3.5, -1.0, nan, 2.0, -0.5, 2.0, nan, 7.25, -1.0, 0.0])
INTS = np.array([5, -3, 9, 0, 5, 5, -3, 12, 1], dtype=np.int64)
OPERANDS = [
    FLOATS,
    INTS,
    INTS.astype(np.int32),
    INTS.astype(np.int8),
    np.array([3, 1, 2, 3, 0], dtype=np.uint16),
    np.array([2**63 + 5, 3, 2**64 - 1, 0], dtype=np.uint64),
    FLOATS.astype(np.float32),
    np.array([True, False, True, False]),
    rng.integers(0, 7, 200),
    rng.standard_normal(300),
    np.array([], dtype=np.float64),
]


@jit
def sort_copy(a):
    return np.sort(a)


@jit
def sort_stable(a):
    return np.sort(a, kind="stable")


@jit
def argsort_default(a):
    return np.argsort(a)


@jit
def argsort_kinds(a):
    return np.argsort(a, kind="mergesort"), a.argsort(kind="quicksort")


@jit
def sort_in_place(a):
    a.sort()
    return a.size


@pytest.mark.parametrize("a", OPERANDS, ids=lambda a: f"{a.dtype}-{a.size}")
def test_sort_and_argsort(a):
    check(sort_copy, a)
    check(sort_stable, a)
    check(sort_in_place, a)
    # NumPy's default argsort orders equal keys arbitrarily; ferrojit's is the stable order.
    assert_same(argsort_default(a), np.argsort(a, kind="stable"))
    by_merge, by_quick = argsort_kinds(a)
    assert_same(by_merge, np.argsort(a, kind="mergesort"))
    assert_same(by_quick, np.argsort(a, kind="stable"))
    if not _has_ties(a):
        check(argsort_default, a)


def _has_ties(a):
    return len(np.unique(a)) != a.size


# Past the runtime's radix-sort threshold (2^16 numbers): the sizes where the runtime sorts
# numbers by radix instead of comparisons.
LARGE = 3 * 2**16 + 5


def _large_operand(dtype, spread):
    if np.dtype(dtype).kind != "f":
        return (rng.integers(-2**62, 2**62, LARGE) if spread else rng.integers(-9, 9, LARGE)).astype(dtype)
    a = rng.standard_normal(LARGE) * 1e3 if spread else rng.integers(-4, 4, LARGE).astype(np.float64)
    # Every special value, many times: NaNs (of both signs), zeros of both signs, infinities.
    specials = np.array([nan, -nan, 0.0, -0.0, np.inf, -np.inf, 5e-324])
    picks = rng.integers(0, LARGE, LARGE // 10)
    a[picks] = specials[rng.integers(0, len(specials), len(picks))]
    return a.astype(dtype)


@pytest.mark.parametrize("spread", [False, True], ids=["ties", "spread"])
@pytest.mark.parametrize("dtype", ["f8", "f4", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "?"])
def test_large_sorts_match_numpy(dtype, spread):
    a = _large_operand(dtype, spread)
    check(sort_copy, a)
    # A stable sort is exact to the bit: zeros of both signs and NaNs keep their order.
    bits = np.dtype(f"u{a.itemsize}")
    assert np.array_equal(sort_stable(a).view(bits), np.sort(a, kind="stable").view(bits))
    assert_same(argsort_default(a), np.argsort(a, kind="stable"))
    b = a.copy()
    sort_in_place(b)
    assert_same(b, np.sort(a))


def _bits_multiset(a):
    return np.sort(a.view(f"u{a.itemsize}"))


@pytest.mark.parametrize("dtype", ["f8", "f4", "i8", "i4", "u8", "u4"])
def test_sorts_of_every_length_to_300_match_numpy(dtype):
    # The runtime's AVX-512 quicksort (where the CPU has it) takes these types from 4 numbers
    # on, sorting up to 128 or 256 of them in registers: every length across those sizes, with
    # ties, zeros of both signs, infinities and NaNs. Zeros may come in either order, but every
    # value's bits must survive (a -0.0 must not turn into 0.0).
    specials = np.array([nan, 0.0, -0.0, np.inf, -np.inf, 1.0, -1.0])
    for n in range(300):
        if np.dtype(dtype).kind == "f":
            a = np.where(rng.random(n) < 0.3, specials[rng.integers(0, 7, n)], rng.standard_normal(n))
        else:
            a = rng.integers(-2**31, 2**31 - 1, n) // rng.choice([1, 2**28], n)
        a = a.astype(dtype)
        got = sort_copy(a)
        assert_same(got, np.sort(a), where=f"np.sort of {a!r}")
        assert np.array_equal(_bits_multiset(got), _bits_multiset(a)), f"values changed: {a!r}"


@jit
def sort_axes(a):
    return np.sort(a), np.sort(a, axis=-1), np.sort(a, axis=None), np.argsort(a, axis=None)


@pytest.mark.parametrize(
    "a",
    [rng.standard_normal((4, 5)), rng.integers(-5, 5, (3, 6)), rng.standard_normal((5, 4)).T,
     rng.standard_normal((2, 3, 4)), rng.standard_normal(12)[::3]],
    ids=["c", "int", "f-order", "3d", "strided"],
)
def test_sort_along_the_last_axis_and_flattened(a):
    s, s1, flat, order = sort_axes(a)
    assert_same(s, np.sort(a))
    assert_same(s1, np.sort(a, axis=-1))
    assert_same(flat, np.sort(a, axis=None))
    assert_same(order, np.argsort(a, axis=None, kind="stable"))


@jit
def sort_rows_in_place(a):
    a.sort()


@pytest.mark.parametrize(
    "a", [rng.standard_normal((4, 5)), rng.standard_normal((5, 4)).T, rng.standard_normal(9)[::2]]
)
def test_sort_method_sorts_views_in_place(a):
    check(sort_rows_in_place, a)


@jit
def partition_kth(a, k):
    p = np.partition(a, k)
    i = np.argpartition(a, k)
    return p[k], a[i[k]], p, i


@pytest.mark.parametrize("a", [FLOATS, INTS, rng.standard_normal(101), rng.integers(0, 9, 50)])
@pytest.mark.parametrize("k", [0, 3, -1])
def test_partition_puts_kth_in_place(a, k):
    kth, via_index, p, i = partition_kth(a, k)
    expected = np.partition(a, k)
    assert np.array_equal(kth, expected[k], equal_nan=True)
    assert np.array_equal(via_index, expected[k], equal_nan=True)
    kk = k % a.size
    s = np.sort(a)
    assert np.array_equal(np.sort(p[:kk]), s[:kk], equal_nan=True)
    assert np.array_equal(np.sort(p[kk + 1:]), s[kk + 1:], equal_nan=True)
    assert np.array_equal(np.sort(i), np.arange(a.size))
    assert np.array_equal(a[i], p, equal_nan=True) or np.array_equal(
        np.sort(a[i][:kk]), s[:kk], equal_nan=True
    )


def test_partition_rejects_kth_out_of_bounds():
    check(partition_kth, INTS, 20)


@jit
def searchsorted_both(a, v):
    return np.searchsorted(a, v), np.searchsorted(a, v, side="right"), a.searchsorted(v, "left")


@pytest.mark.parametrize(
    "a, v",
    [
        (np.array([1.0, 2.0, 2.0, 3.0, nan]), 2.0),
        (np.array([1.0, 2.0, 2.0, 3.0, nan]), nan),
        (np.array([1.0, 2.0, 2.0, 3.0, nan]), np.array([0.0, 2.0, 2.5, 3.0, nan, 9.0])),
        (np.array([1, 3, 3, 5, 9]), 3),
        (np.array([1, 3, 3, 5, 9]), np.array([[0, 3], [4, 10]])),
        (np.array([1, 3, 3, 5, 9]), 3.5),
        (np.array([1.5, 2.5]), np.array([1, 2, 3])),
        (np.array([], dtype=np.int64), 5),
        (np.arange(20.0)[::2], np.array([3.0, 4.0])),
    ],
)
def test_searchsorted(a, v):
    check(searchsorted_both, a, v)


@jit
def unique_of(a):
    return np.unique(a)


@pytest.mark.parametrize("a", OPERANDS + [rng.integers(0, 4, (3, 5))], ids=lambda a: str(a.dtype))
def test_unique_is_sorted_and_collapses_nans(a):
    check(unique_of, a)


@jit
def digitize_both(x, bins):
    return np.digitize(x, bins), np.digitize(x, bins, right=True), np.digitize(x, bins, True)


@pytest.mark.parametrize(
    "x, bins",
    [
        (np.array([0.2, 6.4, 3.0, 1.6, 1.0, 10.0, -1.0, nan]), np.array([0.0, 1.0, 2.5, 4.0, 10.0])),
        (np.array([0.2, 6.4, 3.0, 1.6, 1.0, 10.0, -1.0]), np.array([10.0, 4.0, 2.5, 1.0, 0.0])),
        (np.array([1, 2, 3, 4, 5]), np.array([1, 3, 3, 5])),
        (2.5, np.array([0.0, 1.0, 2.5, 4.0])),
        (np.array([1.0, 2.0]), np.array([], dtype=np.float64)),
    ],
)
def test_digitize(x, bins):
    check(digitize_both, x, bins)


def test_digitize_rejects_unordered_bins():
    check(digitize_both, np.array([1.0]), np.array([0.0, 2.0, 1.0]))


@jit
def bincount_plain(x):
    return np.bincount(x)


@jit
def bincount_options(x, w, n):
    return np.bincount(x, w), np.bincount(x, minlength=n), np.bincount(x, weights=w, minlength=n)


@pytest.mark.parametrize(
    "x", [np.array([0, 1, 1, 3, 2, 1, 7]), np.array([], dtype=np.int64),
          np.array([4, 0, 4], dtype=np.uint8), np.array([True, False, True])]
)
def test_bincount(x):
    check(bincount_plain, x)
    if x.size == 0:
        return  # NumPy gives int64 for no elements even with weights; ferrojit float64
    w = np.linspace(0.5, 3.0, x.size)
    check(bincount_options, x, w, 10)
    check(bincount_options, x, w, 0)


def test_bincount_errors():
    check(bincount_plain, np.array([1, -1]))
    check(bincount_options, np.array([1, 2]), np.array([1.0]), 0)
    check(bincount_options, np.array([1, 2]), np.array([1.0, 2.0]), -1)


@jit
def nonzero_all(a):
    return np.nonzero(a), np.where(a), a.nonzero(), np.flatnonzero(a), np.argwhere(a)


@pytest.mark.parametrize(
    "a",
    [np.array([0.0, 1.5, 0.0, nan, -2.0]), np.array([[0, 3, 0], [4, 0, 5]]),
     np.zeros((2, 2, 3), dtype=np.int32), np.array([True, False, True]),
     rng.integers(0, 2, (4, 5)).T, np.array([0j, 1j, 2 + 0j])],
)
def test_nonzero_where_flatnonzero_argwhere(a):
    check(nonzero_all, a)


@jit
def where_of_mask(a, t):
    idx = np.where(a > t)[0]
    total = 0.0
    for i in idx:
        total += a[i]
    return idx, total


def test_where_of_a_comparison():
    check(where_of_mask, np.array([1.0, 5.0, 3.0, 8.0, -2.0]), 2.5)


@jit
def isin_both(e, t):
    return np.isin(e, t), np.isin(e, t, invert=True)


@pytest.mark.parametrize(
    "e, t",
    [
        (np.array([1, 2, 3, 4, 5]), np.array([5, 1, 9])),
        (np.array([[1.0, nan], [2.5, 3.0]]), np.array([3, 1])),
        (np.array([1.0, nan, 2.0]), np.array([nan, 2.0])),
        (np.array([1, 2, 3]), 2),
        (np.array([1, 2, 3]), np.array([], dtype=np.int64)),
        (np.array([7, 8], dtype=np.uint8), np.array([[8, 300]])),
    ],
)
def test_isin(e, t):
    check(isin_both, e, t)


def test_unsupported_forms_are_clear_errors():
    @jit
    def partition_axis0(a):
        return np.partition(a, 1, axis=0)

    with pytest.raises(ferrojit.errors.UnsupportedError, match="last axis"):
        partition_axis0(np.ones((2, 2)))

    @jit
    def bad_kind(a):
        return np.sort(a, kind="bogo")

    with pytest.raises(ferrojit.errors.TypingError, match="quicksort"):
        bad_kind(np.ones(3))

    @jit
    def where_two(a):
        return np.where(a > 0, a)

    with pytest.raises(ferrojit.errors.TypingError, match="one argument or three"):
        where_two(np.ones(3))
