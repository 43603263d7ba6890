"""Property-based differential tests: small arithmetic kernels on random inputs, compiled vs
CPython (through ``diff.check``). Integers stay within a range where int64 cannot overflow."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from diff import check
from ferrojit import jit

small_ints = st.integers(min_value=-(2**31), max_value=2**31)
floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e150, max_value=1e150)


@jit
def arith(a, b):
    return a + b, a - b, a * b


@jit
def true_div(a, b):
    return a / b


@jit
def floor_div_mod(a, b):
    return a // b, a % b


@jit
def compare(a, b):
    return a < b, a <= b, a == b, a != b, a > b, a >= b


@jit
def mixed(a, b, c):
    return (a * 2 + b) * c - abs(a) + max(a, b) - min(b, c)


@jit
def sqrt_hypot(a, b):
    return math.sqrt(abs(a)), math.hypot(a, b)


@settings(max_examples=200, deadline=None)
@given(small_ints, small_ints)
def test_int_arithmetic(a, b):
    check(arith, a, b)
    check(compare, a, b)
    check(true_div, a, b)
    check(floor_div_mod, a, b)


@settings(max_examples=200, deadline=None)
@given(floats, floats)
def test_float_arithmetic(a, b):
    check(arith, a, b)
    check(compare, a, b)
    check(true_div, a, b)


@settings(max_examples=200, deadline=None)
@given(finite, finite)
def test_float_floor_div_mod(a, b):
    check(floor_div_mod, a, b)


@settings(max_examples=200, deadline=None)
@given(small_ints, finite, small_ints)
def test_mixed_int_float(a, b, c):
    check(mixed, a, b, c)
    check(arith, a, b)


@settings(max_examples=100, deadline=None)
@given(finite, finite)
def test_math_functions(a, b):
    # The C library's hypot may differ from CPython's correctly rounded one in the last bit.
    check(sqrt_hypot, a, b, rtol=1e-15)
