"""Error messages: every compile error names file, line and column and shows the source with a
caret; run-time errors are the built-in exceptions CPython raises, with a note saying where."""

import sys

import numpy as np
import pytest

import ferrojit
from ferrojit import jit

HERE = __file__


def location(marker, snippet=""):
    """(line, column) in this file of `snippet` on the line ending with `# marker`."""
    with open(HERE) as f:
        for number, line in enumerate(f, 1):
            if line.rstrip().endswith(f"# {marker}"):
                return number, line.index(snippet) + 1
    raise LookupError(marker)


def assert_points_at(error, marker, snippet):
    """The message names this file at the snippet's line and column, and underlines it."""
    message = str(error)
    line, col = location(marker, snippet)
    assert f"{HERE}:{line}:{col}" in message, message
    lines = message.splitlines()
    source = next(i for i, text in enumerate(lines) if snippet in text and "#" in text)
    caret = lines[source + 1]
    assert caret.strip() and set(caret.strip()) == {"^"}, message
    # The caret starts under the snippet.
    assert caret.index("^") == lines[source].index(snippet), message


# --- compile-time errors --------------------------------------------------------------------


def test_unsupported_syntax():
    @jit
    def guarded(x):
        try:  # try-stmt
            return x
        except ValueError:
            return 0

    with pytest.raises(ferrojit.UnsupportedError) as info:
        guarded(1)
    assert "try" in str(info.value)
    assert_points_at(info.value, "try-stmt", "try:")


def test_unsupported_expression():
    @jit
    def squares(n):
        return [i * i for i in range(n)]  # list-comp

    with pytest.raises(ferrojit.UnsupportedError) as info:
        squares(3)
    assert_points_at(info.value, "list-comp", "[i * i")


def test_type_error():
    @jit
    def first(x):
        return x[0]  # index-float

    with pytest.raises(ferrojit.TypingError) as info:
        first(1.5)
    assert "float64" in str(info.value)
    assert_points_at(info.value, "index-float", "x[0]")


def test_wrong_argument_type_for_an_operation():
    @jit
    def small(x):
        return x < 1  # compare-complex

    assert small(0.5) is True
    with pytest.raises(ferrojit.TypingError) as info:
        small(1j)
    assert "complex128" in str(info.value)
    assert_points_at(info.value, "compare-complex", "x < 1")


def test_argument_of_unsupported_python_type():
    @jit
    def length(items):  # list-param
        return items

    with pytest.raises(ferrojit.TypingError) as info:
        length([1, 2, 3])
    assert "list" in str(info.value) and "'items'" in str(info.value)
    assert_points_at(info.value, "list-param", "items")


@pytest.mark.parametrize(
    "value, words",
    [
        (np.zeros(3, dtype=object), "dtype object"),
        (np.zeros(3, dtype=">f8"), "byte order"),
        (np.zeros(3, dtype=np.float16), "float16"),
        (2**70, "too large"),
        ("text", "str"),
        ({1: 2}, "dict"),
    ],
)
def test_unpassable_values_are_named(value, words):
    @jit
    def take(x):
        return 0

    with pytest.raises(ferrojit.TypingError, match=words):
        take(value)


def test_wrong_ndim():
    @jit
    def corner(a):
        return a[0, 1]  # two-indices

    assert corner(np.ones((2, 2))) == 1.0
    with pytest.raises(ferrojit.TypingError) as info:
        corner(np.ones(3))
    assert "1d" in str(info.value)
    assert_points_at(info.value, "two-indices", "0, 1")


def test_calling_a_plain_python_function():
    def helper(x):
        return x

    @jit
    def caller(x):
        return helper(x)  # plain-call

    with pytest.raises(ferrojit.TypingError) as info:
        caller(1)
    assert "jit" in str(info.value)
    assert_points_at(info.value, "plain-call", "helper")


@jit
def callee_with_error(x):
    return x[0]  # callee-error


@jit
def calls_callee(x):
    return callee_with_error(x)


def test_error_in_a_callee_points_into_the_callee():
    with pytest.raises(ferrojit.TypingError) as info:
        calls_callee(2.0)
    assert_points_at(info.value, "callee-error", "x[0]")


def test_bad_signature_string():
    with pytest.raises(ferrojit.SignatureError) as info:
        jit("f8(f8[:, :)")(lambda x: x)
    message = str(info.value)
    assert "<signature>:1:11" in message, message
    assert "f8(f8[:, :)" in message and "^" in message


def test_source_unavailable():
    namespace = {}
    exec("def made(x):\n    return x\n", namespace)
    f = jit(namespace["made"])
    with pytest.raises(ferrojit.CompileError, match="source"):
        f(1)


def test_lambda_is_rejected_clearly():
    f = jit(lambda x: x + 1)
    with pytest.raises(ferrojit.UnsupportedError, match="lambda"):
        f(1)


LIST_GLOBAL = [1, 2, 3]


def test_unsupported_global_names_its_type():
    @jit
    def uses_list(i):
        return LIST_GLOBAL[i]  # list-global

    with pytest.raises(ferrojit.CompileError) as info:
        uses_list(0)
    assert "list" in str(info.value)
    assert_points_at(info.value, "list-global", "LIST_GLOBAL")


# --- run-time errors ------------------------------------------------------------------------


def note_of(error):
    if sys.version_info >= (3, 11):
        return " ".join(getattr(error, "__notes__", []))
    return str(error)


@jit
def int_div(a, b):
    return a // b  # int-div


@jit
def float_div(a, b):
    return a / b  # float-div


@jit(boundscheck=True)
def checked_index(a, i):
    return a[i]  # checked-index


@jit
def raises_value_error(x):
    if x > 1:
        raise ValueError("x is too big")  # raise-stmt
    return x


@jit
def asserts(x):
    assert x < 1, "x must be below 1"  # assert-stmt
    return x


@pytest.mark.parametrize(
    "fn, args, exc, words, marker",
    [
        (int_div, (1, 0), ZeroDivisionError, "division", "int-div"),
        (float_div, (1.0, 0.0), ZeroDivisionError, "division by zero", "float-div"),
        (checked_index, (np.zeros(3), 5), IndexError, "out of bounds", "checked-index"),
        (checked_index, (np.zeros(3), -4), IndexError, "out of bounds", "checked-index"),
        (raises_value_error, (5,), ValueError, "x is too big", "raise-stmt"),
        (asserts, (5,), AssertionError, "x must be below 1", "assert-stmt"),
    ],
)
def test_runtime_errors_are_builtin_exceptions(fn, args, exc, words, marker):
    with pytest.raises(exc, match=words) as info:
        fn(*args)
    # CPython raises the same class.
    with pytest.raises(exc):
        fn.py_func(*args)
    line, _ = location(marker)
    assert f"(in function {fn.__name__} at line {line})" in note_of(info.value)


def test_negative_index_error_names_the_index_given():
    # NumPy: "index -4 is out of bounds for axis 0 with size 3".
    with pytest.raises(IndexError, match="index -4 is out of bounds for axis 0 with size 3"):
        checked_index(np.zeros(3), -4)


def test_runtime_error_leaves_the_dispatcher_usable():
    with pytest.raises(ZeroDivisionError):
        int_div(1, 0)
    assert int_div(7, 2) == 3
