"""Functions: calls between jitted functions with every kind of value, self and mutual
recursion (inferred from the non-recursive returns, or from a signature), inner functions and
named lambdas with read-only capture, and module-level arrays frozen at compile time. Results
are compared with CPython running the same source (``check``)."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import ferrojit
from ferrojit import jit

from diff import check

# --- recursion ------------------------------------------------------------------------------


@jit
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@jit
def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


@jit
def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


@jit
def halving(n):
    # The base case gives int64; the recursive path widens the return type to float64.
    if n < 1:
        return 1
    return halving(n - 1) * 0.5


@jit("int64(int64)")
def factorial(n):
    if n <= 1:
        return 1
    return n * factorial(n - 1)


@jit
def array_sum(a, lo, hi):
    # Divide and conquer over an array: recursion with an array argument.
    if hi - lo == 1:
        return a[lo]
    mid = (lo + hi) // 2
    return array_sum(a, lo, mid) + array_sum(a, mid, hi)


@jit
def gcd(a, b):
    if b == 0:
        return a
    return gcd(b, a % b)


@jit
def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


@pytest.mark.parametrize("n", [0, 1, 2, 10, 20])
def test_self_recursion_infers_the_return_type(n):
    check(fib, n)


@pytest.mark.parametrize("n", [0, 1, 7, 10])
def test_mutual_recursion(n):
    check(is_even, n)
    check(is_odd, n)


def test_recursion_widens_the_assumed_return_type():
    check(halving, 4)
    # Returns unify to one type (as in Numba): the base case's 1 comes back as 1.0.
    assert halving(0) == 1.0 and isinstance(halving(0), float)


def test_recursion_with_an_explicit_signature():
    check(factorial, 10)
    assert factorial.signatures  # compiled eagerly, while the decorator ran


def test_recursion_with_arrays_and_several_arguments():
    check(array_sum, np.arange(37.0), 0, 37)
    check(gcd, 1071, 462)
    check(ackermann, 2, 3)


def test_recursion_without_a_base_case_asks_for_a_signature():
    @jit
    def forever(n):
        return forever(n - 1)

    with pytest.raises(ferrojit.TypingError) as info:
        forever(3)
    message = str(info.value)
    assert "cannot infer the return type of the recursive call of forever()" in message
    assert "explicit signature" in message


def test_recursion_without_a_base_case_compiles_with_a_signature():
    @jit("int64(int64)")
    def countdown(n):
        if n > 0:
            return countdown(n - 1)
        return n

    assert countdown(5) == 0


# --- inner functions and lambdas ------------------------------------------------------------


@jit
def with_inner(x, scale):
    def scaled_square(y):
        return y * y * scale

    total = 0.0
    for i in range(3):
        total += scaled_square(x + i)
    return total


@jit
def with_lambda(a):
    twice = lambda v: 2 * v  # noqa: E731
    clip = lambda v, lo, hi: min(max(v, lo), hi)  # noqa: E731
    out = 0.0
    for i in range(a.shape[0]):
        out += clip(twice(a[i]), -1.0, 3.0)
    return out


@jit
def inner_sees_current_values(n):
    k = 1

    def add_k(v):
        return v + k

    first = add_k(0)
    k = 10
    return first, add_k(0), n


@jit
def inner_calls_sibling(x):
    def square(y):
        return y * y

    def quad(y):
        return square(square(y))

    return quad(x)


def test_inner_function_reads_enclosing_variables():
    check(with_inner, 1.5, 2.0)


def test_named_lambdas():
    check(with_lambda, np.array([-3.0, 0.25, 1.0, 2.5]))


def test_capture_is_by_value_at_the_call():
    check(inner_sees_current_values, 4)


def test_inner_function_calls_a_sibling():
    check(inner_calls_sibling, 3)
    check(inner_calls_sibling, 1.5)


# --- module-level arrays --------------------------------------------------------------------

WEIGHTS = np.array([0.5, 1.5, -2.0, 4.0])
TABLE = np.arange(12, dtype=np.int32).reshape(3, 4)
FLAGS = np.array([True, False, True])
STRIDED = np.arange(20.0)[::3]


@jit
def weighted(a):
    s = 0.0
    for i in range(WEIGHTS.shape[0]):
        s += WEIGHTS[i] * a[i]
    return s


@jit
def table_lookup(i, j):
    return TABLE[i, j] + TABLE.shape[0] * 100 + FLAGS[i % 3]


@jit
def strided_sum():
    s = 0.0
    for v in STRIDED:
        s += v
    return s


def test_global_arrays_are_read():
    check(weighted, np.ones(4))
    check(table_lookup, 2, 3)
    check(strided_sum)


def test_global_array_passed_to_a_reading_callee():
    @jit
    def total(a):
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i]
        return s

    @jit
    def caller():
        return total(WEIGHTS)

    check(caller)


def test_global_arrays_are_frozen_at_compile_time():
    frozen = np.array([1.0, 2.0])
    globals()["FROZEN"] = frozen

    @jit
    def read_frozen():
        return FROZEN[0]

    assert read_frozen() == 1.0
    frozen[0] = 99.0  # the compiled code keeps its copy
    assert read_frozen() == 1.0


def test_writing_a_global_array_is_an_error():
    @jit
    def write():
        WEIGHTS[0] = 1.0  # global-write

    with pytest.raises(ferrojit.TypingError, match="read-only array"):
        write()
    assert WEIGHTS[0] == 0.5


def test_writing_a_global_array_through_a_callee_is_an_error():
    @jit
    def fill(a):
        a[0] = 0.0

    @jit
    def passes_global():
        fill(WEIGHTS)

    with pytest.raises(ferrojit.TypingError) as info:
        passes_global()
    assert "read-only array" in str(info.value)
    assert "a[0] = 0.0" in str(info.value)


CACHE_MODULE = """\
import numpy as np
from ferrojit import jit

TABLE = np.array({values})


@jit(cache=True)
def total():
    s = 0.0
    for i in range(TABLE.shape[0]):
        s += TABLE[i]
    return s
"""

CACHE_RUNNER = """\
import json, sys
sys.path.insert(0, {directory!r})
import ferrojit._ferrojit as fj
import gmod
print(json.dumps({{"total": gmod.total(), "stats": fj._cache_stats()}}))
"""


@pytest.mark.skipif(shutil.which(os.environ.get("CC", "cc")) is None, reason="no C compiler")
def test_cache_does_not_store_functions_that_freeze_arrays(tmp_path):
    def run(values):
        (tmp_path / "gmod.py").write_text(CACHE_MODULE.format(values=values))
        code = CACHE_RUNNER.format(directory=str(tmp_path))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    first = run([1.0, 2.0])
    assert first["total"] == 3.0 and first["stats"]["hits"] == 0
    # Same source, other contents: never served a stale entry.
    second = run([1.0, 5.0])
    assert second["total"] == 6.0 and second["stats"]["hits"] == 0


# --- calls with every kind of value ---------------------------------------------------------


@jit
def identity(x):
    return x


@jit
def call_identity(x):
    return identity(x)


@jit
def swap_and_scale(pair, k):
    return pair[1] * k, pair[0] * k


@jit
def call_swap(a, b, k):
    return swap_and_scale((a, b), k)


@jit
def complex_rotate(z, turns):
    for _ in range(turns):
        z = z * 1j
    return z


@jit
def call_complex(z):
    return complex_rotate(z, 3) + complex_rotate(z, 1)


@jit
def first_row_sum(m):
    s = m[0, 0] * 0
    for j in range(m.shape[1]):
        s += m[0, j]
    return s


@jit
def call_with_array(m):
    return first_row_sum(m) + first_row_sum(m)


@jit
def increment_all(a):
    for i in range(a.shape[0]):
        a[i] += 1


@jit
def call_mutating(a):
    increment_all(a)
    increment_all(a)
    return a[0]


SCALARS = [
    True,
    7,
    -3,
    2.5,
    1.5 - 2j,
    np.int8(-5),
    np.int16(300),
    np.int32(-70000),
    np.int64(2**40),
    np.uint8(200),
    np.uint16(60000),
    np.uint32(4000000000),
    np.uint64(2**63 + 5),
    np.float32(1.25),
    np.float64(-0.5),
    np.complex64(1 + 2j),
    np.complex128(-3 + 0.5j),
]


@pytest.mark.parametrize("value", SCALARS, ids=lambda v: type(v).__name__)
def test_calls_pass_and_return_every_scalar_type(value):
    check(call_identity, value)


def test_calls_pass_and_return_tuples():
    check(call_identity, (1, 2.5, (3j, True)))
    check(call_swap, 1.5, 2, 3)
    check(call_swap, np.float32(1.5), np.int8(2), True)


def test_calls_pass_and_return_complex():
    check(call_complex, 1 + 2j)
    check(call_complex, np.complex64(0.5 - 1j))


@pytest.mark.parametrize(
    "m",
    [
        np.arange(6.0).reshape(2, 3),
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.arange(12.0).reshape(3, 4)[:, ::2],
        np.ones((2, 2), dtype=np.complex128),
    ],
)
def test_calls_pass_arrays(m):
    check(call_with_array, m)


def test_callee_mutates_the_callers_array():
    check(call_mutating, np.zeros(3))
    check(call_mutating, np.zeros(3, dtype=np.int16))


@jit
def inner_recursion_with_capture(n, step):
    def count(m):
        if m <= 0:
            return 0
        return count(m - step) + 1

    return count(n)


@jit
def sibling_with_capture(x, k):
    def shift(y):
        return y + k

    def twice_shifted(y):
        return shift(shift(y))

    return twice_shifted(x)


def test_inner_recursion_and_siblings_pass_captures_on():
    check(inner_recursion_with_capture, 10, 3)
    check(sibling_with_capture, 1.5, 2)


def test_global_arrays_in_array_expressions_and_returning_one():
    @jit
    def scaled(k):
        return WEIGHTS * k, WEIGHTS.sum(), WEIGHTS[1:].copy()

    check(scaled, 2.0)

    @jit
    def leak_global():
        return WEIGHTS[::2]

    with pytest.raises(TypeError, match="module-level array"):
        leak_global()
