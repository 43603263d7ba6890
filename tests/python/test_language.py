"""Python language features of issue 10: a declared signature as the contract at jitted call
sites, callee errors surfacing, default parameter values, keyword arguments, keyword-only
parameters, `*args`, and `for ... else` / `while ... else`. Results are compared with CPython
running the same source (``check``)."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit

from diff import assert_same, check

# --- a declared signature is the contract at every call site ---------------------------------


@jit("i4(i8)")
def to_i4(v):
    return v


@jit
def calls_to_i4(v):
    return to_i4(v)


@jit("f4(f8)")
def to_f4(v):
    return v


@jit
def calls_to_f4(v):
    return to_f4(v)


@jit("u1(i8)")
def to_u1(v):
    return v


@jit
def calls_to_u1(v):
    return to_u1(v)


@jit("b1(i8)")
def to_b1(v):
    return v


@jit
def calls_to_b1(v):
    return to_b1(v)


@jit("f8(f8)")
def takes_f8(v):
    return v * 0.5


@jit
def calls_takes_f8_with_int(v):
    # The int argument converts to the declared float64 parameter.
    return takes_f8(v)


def test_declared_return_type_applies_in_jitted_callers():
    assert calls_to_i4(2450055554) == to_i4(2450055554) == -1844911742
    assert calls_to_f4(0.1) == to_f4(0.1) == float(np.float32(0.1))
    assert calls_to_u1(300) == to_u1(300) == 44
    got = calls_to_b1(2)
    assert got is True or got == np.True_
    assert calls_takes_f8_with_int(3) == 1.5


# --- a callee's own compile error is what the caller reports --------------------------------


@jit
def failing_helper(a):
    t = a[0]
    if a[0] > 0:
        t = (1, 2)  # a typing error: the caller must report this one
    return a


@jit
def uses_failing_helper_in_loop(a, n):
    total = 0.0
    for i in range(n):
        s = failing_helper(a)
        total += s[0]
    return total


def test_callee_error_is_not_masked_as_recursion():
    with pytest.raises(ferrojit.CompileError) as info:
        uses_failing_helper_in_loop(np.ones(3), 2)
    text = str(info.value)
    assert "recursive" not in text
    assert "incompatible types" in text
    assert "t = (1, 2)" in text


# --- default parameter values and keyword arguments ------------------------------------------

SCALE = 3.0


@jit
def dist(x, y, p=2.0, eps=1e-8):
    return (abs(x - y) ** p + eps) ** (1.0 / p)


@jit
def scaled(x, factor=SCALE, shift=-1):
    return x * factor + shift


@jit
def defaults_caller(x, y):
    a = dist(x, y)
    b = dist(x, y, 1.0)
    c = dist(x, y, eps=0.5)
    d = dist(y=x, x=y, p=3.0)
    e = scaled(x)
    f = scaled(x, shift=2)
    return a + b + c + d + e + f


def test_defaults_and_keywords_between_jitted_functions():
    check(defaults_caller, 1.5, -2.0)
    check(defaults_caller, 4, 7)


def test_defaults_and_keywords_from_python():
    assert_same(dist(1.0, 4.0), dist.py_func(1.0, 4.0))
    assert_same(dist(1.0, 4.0, p=1.0), dist.py_func(1.0, 4.0, p=1.0))
    assert_same(dist(y=1.0, x=4.0, eps=0.0), dist.py_func(y=1.0, x=4.0, eps=0.0))
    assert_same(scaled(2), scaled.py_func(2))


@jit("f8(f8, f8)")
def weighted(x, w=2.0):
    return x * w


@jit("i4(i8, i8)")
def wrapped_sum(x, y=2450055554):
    return x + y


@jit
def calls_signature_with_default(x):
    return weighted(x), wrapped_sum(x), wrapped_sum(y=1, x=x)


def test_keywords_to_a_function_with_an_explicit_signature():
    assert weighted(x=1.5, w=3.0) == 4.5
    assert weighted(1.5) == 3.0
    # The declared return type applies with the default omitted, from Python and jitted code.
    assert calls_signature_with_default(1) == (2.0, wrapped_sum(1), 2) == (2.0, -1844911741, 2)


@jit
def kwonly(a, *, axis=0, scale=1.0):
    return a * scale + axis


@jit
def calls_kwonly(a):
    return kwonly(a) + kwonly(a, axis=2) + kwonly(a, scale=0.5, axis=1)


def test_keyword_only_parameters():
    check(calls_kwonly, 3.0)
    assert_same(kwonly(2.0, axis=3), kwonly.py_func(2.0, axis=3))
    with pytest.raises(TypeError):
        kwonly(2.0, 3)


@jit
def total(first, *rest):
    s = first
    for v in rest:
        s += v
    return s, len(rest)


@jit
def calls_total(a, b):
    return total(a), total(a, b), total(a, b, a * b, 1.5)


def test_star_args_is_a_tuple():
    check(calls_total, 2, 3)
    assert_same(total(1, 2, 3), total.py_func(1, 2, 3))
    assert_same(total(1.5), total.py_func(1.5))


@jit
def wrong_keyword(x):
    return dist(x, x, q=1.0)


@jit
def missing_argument(x):
    return dist(x)


def test_binding_errors_read_like_python():
    with pytest.raises(ferrojit.CompileError, match="unexpected keyword argument 'q'"):
        wrong_keyword(1.0)
    with pytest.raises(ferrojit.CompileError, match="missing 1 required positional argument: 'y'"):
        missing_argument(1.0)


# --- for ... else / while ... else -----------------------------------------------------------


@jit
def find_first(a, value):
    for i in range(a.shape[0]):
        if a[i] == value:
            break
    else:
        return -1
    return i


@jit
def is_prime(n):
    k = 2
    while k * k <= n:
        if n % k == 0:
            break
        k += 1
    else:
        return n >= 2
    return False


@jit
def nested_break(n):
    hits = 0
    for i in range(n):
        for j in range(n):
            if j == i:
                break  # the inner loop's break does not skip the outer else
        else:
            hits += 100
        hits += 1
    else:
        hits += 1000
    return hits


def test_loop_else():
    a = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    check(find_first, a, 4.0)
    check(find_first, a, 9.0)
    for n in [0, 1, 2, 9, 15, 97]:
        check(is_prime, n)
    check(nested_break, 4)
    check(nested_break, 0)


# --- ferrojit.types: Numba's type objects in signatures -------------------------------------

from ferrojit import types  # noqa: E402


@jit(types.float64(types.Array(types.float64, 1, "C"), types.UniTuple(types.int64, 2)))
def typed_pair_sum(a, t):
    return a[t[0]] + a[t[1]]


@jit(types.Tuple((types.float64, types.int32))(types.float32[:, ::1]))
def typed_corner(a):
    return a[0, 0] * 2.0, np.int32(a.shape[1])


@jit("f8(Tuple((f8, i8)), UniTuple(i4, 2))")
def tuple_signature_text(t, u):
    return t[0] + t[1] + u[0] * u[1]


@ferrojit.guvectorize([(types.float64[:], types.float64, types.float64[:])], "(n),()->(n)")
def scaled_rows(a, s, out):
    for i in range(a.shape[0]):
        out[i] = a[i] * s


def test_type_objects_in_signatures():
    assert str(types.Array(types.float64, 2, "C")) == "float64[:, ::1]"
    assert str(types.Array(types.int32, 2, "F")) == "int32[::1, :]"
    assert str(types.Array(types.float32, 3)) == "float32[:, :, :]"
    assert str(types.UniTuple(types.int64, 2)) == "UniTuple(int64, 2)"
    assert types.intp == types.int64 and types.boolean == types.b1
    assert typed_pair_sum(np.arange(4.0), (1, 3)) == 4.0
    assert typed_corner(np.ones((2, 3), np.float32)) == (2.0, 3)
    assert tuple_signature_text((1.5, 2), (3, 4)) == 15.5
    np.testing.assert_array_equal(scaled_rows(np.arange(3.0), 2.0), [0.0, 2.0, 4.0])
    with pytest.raises(ferrojit.CompileError):
        jit(types.float64(types.Optional(types.float64)))(lambda x: x)


# --- unpacking arrays, storing tuples into slices, `in` on tuples ----------------------------


@jit
def unpack_array(arr):
    a, b, c = arr
    return a + b * c


@jit
def unpack_rows(m):
    top, bottom = m
    return top.sum() - bottom.sum()


@jit
def store_pair(out, x, y):
    out[0:2] = (x, y)
    out[-2:] = (y, 1)
    return out


@jit
def store_wrong_length(out, x):
    out[0:3] = (x, x)
    return out


@jit
def membership(x, t):
    return x in (1, 2.5, 3), x not in t, (x, 1) in ((0, 1), (x, 1)), x in ((1, 2), 3.0)


def test_unpack_an_array():
    check(unpack_array, np.array([1.0, 2.0, 3.0]))
    check(unpack_array, np.arange(3, dtype=np.int32))
    check(unpack_array, np.arange(4.0))  # ValueError: too many values
    check(unpack_array, np.arange(2.0))  # ValueError: not enough values
    check(unpack_rows, np.arange(6.0).reshape(2, 3))


def test_store_a_tuple_into_a_slice():
    check(store_pair, np.zeros(5), 1.5, -2.0)
    check(store_pair, np.zeros(4, dtype=np.int64), 3, 4)
    check(store_wrong_length, np.zeros(5), 1.0)


def test_in_on_tuples():
    for x in [0, 1, 2.5, 3.0, 7]:
        check(membership, x, (7, 8))


# --- attributes of imported modules ----------------------------------------------------------

import lang_config as config  # noqa: E402


@jit
def module_attributes(x):
    hi = config.LIMITS[1]
    w = config.WEIGHTS[0] + config.WEIGHTS.sum()
    return x > config.THRESHOLD, min(x, hi), w, config.clamp(x - 5.0), np.float32(config.THRESHOLD)


@jit
def missing_module_attribute(x):
    return config.NOT_THERE + x


def test_module_attributes_are_frozen_globals():
    check(module_attributes, 3.0)
    check(module_attributes, 12)
    with pytest.raises(ferrojit.CompileError, match="has no attribute 'NOT_THERE'"):
        missing_module_attribute(1.0)


# --- exceptions: f-string messages, user-defined classes ------------------------------------


class LocalError(Exception):
    pass


@jit
def raise_formatted(n, x, flag):
    if n < 0:
        raise ValueError(f"bad n={n}, x={x}, flag={flag}")
    if n == 0:
        raise config.ShapeError(f"shape {x:.3f} does not fit")
    if n == 1:
        raise LocalError("local")
    assert n < 100, f"n too large: {n}"
    return n


def test_fstring_messages_and_user_exception_classes():
    with pytest.raises(ValueError, match=r"^bad n=-3, x=0.1, flag=True\n"):
        raise_formatted(-3, 0.1, True)
    with pytest.raises(ValueError, match=r"bad n=-1, x=1e\+20, flag=False"):
        raise_formatted(-1, 1e20, False)
    with pytest.raises(config.ShapeError, match=r"^shape 2.500 does not fit\n"):
        raise_formatted(0, 2.5, True)
    with pytest.raises(LocalError, match="^local\n"):
        raise_formatted(1, 2.5, True)
    with pytest.raises(AssertionError, match="n too large: 150"):
        raise_formatted(150, 2.5, True)
    check(raise_formatted, 5, 1.5, False)
    check(raise_formatted, -7, np.float32(0.25), False)


# --- first-class functions and types as values -----------------------------------------------


@jit
def square(x):
    return x * x - 2.0


@jit
def square_prime(x):
    return 2.0 * x


@jit
def cube(x):
    return x * x * x


@jit
def newton(f, fprime, x0, tol=1e-12, maxiter=50):
    x = x0
    for _ in range(maxiter):
        step = f(x) / fprime(x)
        x -= step
        if abs(step) < tol:
            break
    return x


@jit
def apply_all(fs, x):
    return fs[0](x) + fs[1](x)


@jit
def root_of_square(x0):
    # A global jitted function passed on as a value.
    return newton(square, square_prime, x0)


def test_functions_as_arguments():
    check(newton, square, square_prime, 1.0)
    check(root_of_square, 3.0)
    check(apply_all, (square, cube), 1.5)
    check(apply_all, (cube, cube), 2)


@jit
def zeros_of(n, dtype):
    out = np.zeros(n, dtype=dtype)
    out[0] = dtype(3.7) if n > 0 else 0
    return out


@jit
def ones_of(n, dtype):
    return np.ones(n, dtype=dtype)


@jit
def make_typed(n):
    return zeros_of(n, np.int32), zeros_of(n, np.float32)


def test_dtypes_as_arguments():
    check(zeros_of, 3, np.float32)
    check(zeros_of, 2, np.int16)
    check(ones_of, 2, np.dtype("float64"))
    check(ones_of, 2, np.dtype("i4"))
    check(make_typed, 2)


# --- None arguments: `if out is None:` decided when compiling --------------------------------


@jit
def scaled_copy(x, factor=2.0, out=None):
    if out is None:
        out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = x[i] * factor
    return out


@jit
def maybe_offset(x, offset=None):
    if offset is not None:
        return x + offset
    return x * 1.0


@jit
def calls_with_and_without_out(x):
    a = scaled_copy(x)
    b = scaled_copy(x, 3.0, np.zeros(x.shape[0]))
    return a.sum() + b.sum() + maybe_offset(1.5) + maybe_offset(1.5, 2)


def test_none_defaults_and_is_none():
    x = np.arange(4.0)
    check(scaled_copy, x)
    check(scaled_copy, x, 0.5, np.ones(4))
    check(scaled_copy, x, 0.5, None)
    check(maybe_offset, 2.0)
    check(maybe_offset, 2.0, 1)
    check(calls_with_and_without_out, x)


# --- Ellipsis indexing ------------------------------------------------------------------------


@jit
def last_column_sum(a, i):
    return a[..., i].sum()


@jit
def ellipsis_forms(a, v):
    b = a[...]
    b[..., 0] = v
    c = a[0, ...]
    return a[..., 1], c.sum(), b.shape[0]


@jit
def ellipsis_1d(x, i):
    x[..., i] = 7.0
    return x[..., i] + x[...].sum()


def test_ellipsis_indexing():
    check(last_column_sum, np.arange(12.0).reshape(3, 4), 2)
    check(last_column_sum, np.arange(24.0).reshape(2, 3, 4), -1)
    check(ellipsis_forms, np.arange(6.0).reshape(2, 3), -1.0)
    check(ellipsis_forms, np.asfortranarray(np.arange(6.0).reshape(3, 2)), 5.0)
    check(ellipsis_1d, np.arange(4.0), 1)


@jit
def ellipsis_as_value(x):
    y = ...
    return x


def test_ellipsis_outside_an_index_is_a_clear_error():
    with pytest.raises(ferrojit.UnsupportedError, match="only supported in an array index"):
        ellipsis_as_value(1.0)


# --- try / except / else / finally -----------------------------------------------------------


@jit(boundscheck=True)
def safe_get(a, i):
    try:
        v = a[i]
    except IndexError:
        v = -1.0
    return v


@jit
def safe_ratio(x, y):
    log = 0
    try:
        r = x // y
        log += 1
    except ZeroDivisionError:
        r = 0
        log += 10
    else:
        log += 100
    finally:
        log += 1000
    return r, log


@jit
def classify(n):
    try:
        if n < 0:
            raise ValueError("negative")
        if n == 0:
            raise config.ShapeError(f"zero {n}")
        if n > 100:
            raise OverflowError("big")
        out = n
    except config.ShapeError:
        out = -2
    except ValueError:
        out = -1
    except ArithmeticError:
        out = -3
    return out


@jit
def nested(n):
    total = 0
    try:
        try:
            if n > 1:
                raise IndexError("inner")
            total += 1
        finally:
            total += 10
    except Exception:
        total += 100
    try:
        assert n < 5, "too big"
    except:  # noqa: E722
        total += 1000
    return total


@jit
def uncaught_runs_finally(n, out):
    try:
        if n > 0:
            raise ValueError("escapes")
    except IndexError:
        out[0] = 1.0
    finally:
        out[1] = 2.0
    return out


def test_try_except():
    check(safe_get, np.arange(3.0), 1)
    check(safe_get, np.arange(3.0), 7)
    for x, y in [(7, 2), (7, 0)]:
        check(safe_ratio, x, y)
    for n in [-5, 0, 5, 500]:
        check(classify, n)
    for n in [0, 3, 9]:
        check(nested, n)
    check(uncaught_runs_finally, 1, np.zeros(2))
    check(uncaught_runs_finally, 0, np.zeros(2))


@jit
def try_around_call(x):
    try:
        y = square(x)
    except Exception:
        y = 0.0
    return y


def test_try_around_a_jitted_call_catches_its_exceptions():
    # (More in test_try_calls.py.)
    check(try_around_call, 1.0)


@jit(boundscheck=True)
def count_valid(a, idx):
    hits = 0
    for k in range(idx.shape[0]):
        try:
            v = a[idx[k]]
            if v < 0:
                raise ValueError("negative")
        except IndexError:
            continue
        except ValueError:
            break
        hits += 1
    return hits


def test_try_inside_loops():
    check(count_valid, np.array([1.0, 2.0, -1.0]), np.array([0, 5, 1, 2, 0]))
    check(count_valid, np.array([1.0, 2.0]), np.array([9, 9]))
