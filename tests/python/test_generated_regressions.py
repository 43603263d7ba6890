"""Regression tests for compiler bugs found by the program generator (test_generated.py), each
reduced to a small differential check against CPython."""

import math

import numpy as np

from diff import check
from ferrojit import jit


@jit
def complex_of_complex(z):
    return np.complex128(z), np.complex64(z), complex(z)


def test_complex_conversion_keeps_the_imaginary_part():
    # Converting a complex to another complex type used to drop the imaginary part.
    check(complex_of_complex, np.complex64(1 + 2j))
    check(complex_of_complex, 3.5 - 0.25j)
    check(complex_of_complex, np.complex128(complex(1e30, math.inf)))


@jit
def degrees(x):
    return math.degrees(x), math.radians(x)


def test_degrees_is_one_multiplication_like_cpython():
    # CPython multiplies by 180/pi; dividing by pi/180 differs in the last bit.
    for x in [63916.0, -1620.0, 1.0, 0.1, 1e300, -0.0]:
        check(degrees, x)


@jit
def inverse_hyperbolic(x, y, z):
    return math.asinh(x), math.acosh(y), math.atanh(z)


def test_inverse_hyperbolic_functions_match_cpython_bit_for_bit():
    # Rust's own asinh/acosh/atanh are other formulas than the C library's that CPython calls.
    check(inverse_hyperbolic, 1e10, 1.4977642135332946e19, 0.999)
    check(inverse_hyperbolic, -3.7, 1.0000001, -0.5)
    check(inverse_hyperbolic, 1e-300, 1e300, 1e-9)


@jit
def compare_all(x, y):
    return x == y, x != y, x < y, x <= y, x > y, x >= y


def test_uint64_and_signed_compare_exactly():
    # u64 with a signed integer promotes to f8, which rounded both operands before comparing.
    pairs = [
        (np.uint64(2**63), np.int64(2**63 - 1)),
        (np.uint64(2**64 - 1), np.int64(-1)),
        (np.uint64(2**63 + 1), np.int64(2**63 - 1)),
        (np.uint64(0), np.int8(-1)),
        (np.uint64(5), np.int32(5)),
        (np.uint64(2**53 + 1), np.int64(2**53)),
    ]
    for x, y in pairs:
        check(compare_all, x, y)
        check(compare_all, y, x)


@jit
def bare_names(a):
    np
    bool
    math.sqrt
    return a + 1


def test_a_bare_module_or_function_name_is_a_statement_without_effect():
    # Found by test_fuzz.py: lowering asked for the type of `np` as if it were a variable.
    check(bare_names, 41)


@jit
def complex_array_arithmetic(a, b, s):
    return a * b, a / b, a * s, np.square(a), np.abs(a), abs(b), a[::2] * b[::2]


@jit
def complex_scalar_arithmetic(x, y):
    return x * y, x / y, abs(x), np.abs(x)


@jit
def complex_in_place(a, s):
    a *= s
    a /= s + 1.0


def _complex_samples(dtype, n, seed):
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.integers(-4, 4, n)
    a = (rng.standard_normal(n) * scale + 1j * rng.standard_normal(n)).astype(dtype)
    b = (rng.standard_normal(n) + 1j * rng.standard_normal(n) / scale).astype(dtype)
    specials = [complex(math.inf, 1), complex(math.nan, 0), 0j, complex(1, -math.inf),
                1e300 + 1e300j, complex(-0.0, -0.0), 3e-310 + 1e-310j, complex(math.inf, math.nan)]
    a[: min(n, len(specials))] = specials[:n]
    b[3:6] = [0j, complex(0, -0.0), complex(math.inf, 2)][: max(0, n - 3)]
    return a, b


def test_complex_arrays_compute_as_numpy_bit_for_bit():
    # NumPy's array loops multiply complex numbers with fused multiply-adds, divide by
    # Smith's method with a reciprocal, and take the modulus as larger*sqrt(1 + r*r): the
    # compiled array expressions do the same (about half the products differed in the last
    # bit before); numbers keep CPython's formulas (`abs` is `hypot`).
    for dtype in (np.complex128, np.complex64):
        for n in (2, 7, 64, 1001):
            a, b = _complex_samples(dtype, n, n)
            with np.errstate(all="ignore"):
                check(complex_array_arithmetic, a, b, b[-1])
                check(complex_in_place, a.copy(), b[-1])
    for x, y in [(-6.97405221 - 5.29519555j, 2 + 3j), (1e300 + 1e-300j, 3e-310 - 2j), (1.5 - 0.5j, 0j + 1e-30)]:
        check(complex_scalar_arithmetic, x, y)
        check(complex_scalar_arithmetic, np.complex64(x), np.complex64(y))
