"""Error messages: every compile error names file, line and column and shows the source with a
caret; run-time errors are the built-in exceptions CPython raises, with a note saying where."""

import math
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
        y = x
        del y  # del-stmt
        return x

    with pytest.raises(ferrojit.UnsupportedError) as info:
        guarded(1)
    assert "del" in str(info.value)
    assert_points_at(info.value, "del-stmt", "del y")


def test_unsupported_expression():
    @jit
    def squares(n):
        return sum(i * i for i in range(n))  # generator

    with pytest.raises(ferrojit.UnsupportedError) as info:
        squares(3)
    assert_points_at(info.value, "generator", "i * i for")


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
        length([])
    assert "list" in str(info.value) and "'items'" in str(info.value)
    assert_points_at(info.value, "list-param", "items")


@pytest.mark.parametrize(
    "value, words",
    [
        (np.zeros(3, dtype=object), "dtype object"),
        (np.zeros(3, dtype=">f8"), "byte order"),
        (np.zeros(3, dtype=np.float16), "float16"),
        (2**70, "too large"),
        (set(), "empty set"),
        ({}, "empty dict"),
        (object(), "object"),
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


# --- the ten common mistakes: exact messages --------------------------------------------------


def compile_error(fn, *args, kind=ferrojit.CompileError):
    with pytest.raises(kind) as info:
        fn(*args)
    return info.value


def test_mistake_empty_container():
    @jit
    def uses_dict(n):
        d = {}  # empty-dict
        return len(d) + n

    error = compile_error(uses_dict, 1, kind=ferrojit.TypingError)
    assert str(error).startswith("cannot infer the item type of the empty container 'd'")
    assert "hint: add an item to it in this function" in str(error)
    assert_points_at(error, "empty-dict", "d = {}")


def test_mistake_incompatible_types_across_branches():
    @jit
    def mixed(flag, a):
        if flag:
            x = a  # array-branch
        else:
            x = 1.0  # float-branch
        return x

    error = compile_error(mixed, True, np.ones(3), kind=ferrojit.TypingError)
    message = str(error)
    assert message.startswith(
        "variable 'x' has incompatible types array(float64, 1d, C) and float64"
    ), message
    assert_points_at(error, "float-branch", "x = 1.0")
    line, col = location("array-branch", "x = a")
    assert f"note: 'x' is given type array(float64, 1d, C) here\n  at {HERE}:{line}:{col}" in message


def test_mistake_calling_a_plain_python_function():
    def plain(x):
        return x + 1

    @jit
    def calls_plain(x):
        return plain(x)  # plain-python

    error = compile_error(calls_plain, 1, kind=ferrojit.TypingError)
    assert str(error).startswith("cannot call 'plain': it is a Python function, not a jitted one")
    assert "hint: decorate it with @ferrojit.jit" in str(error)
    assert_points_at(error, "plain-python", "plain(x)")


@jit
def takes_two(a, b):
    return a + b


def test_mistake_wrong_number_of_arguments():
    @jit
    def too_few(x):
        return takes_two(x)  # jit-arity

    @jit
    def builtin_arity(x):
        return abs(x, 1)  # builtin-arity

    error = compile_error(too_few, 1, kind=ferrojit.TypingError)
    assert str(error).startswith("takes_two() missing 1 required positional argument: 'b'"), str(error)
    assert_points_at(error, "jit-arity", "takes_two(x)")
    error = compile_error(builtin_arity, 1.0, kind=ferrojit.TypingError)
    assert str(error).startswith("abs() takes exactly 1 argument (2 given)"), str(error)
    assert_points_at(error, "builtin-arity", "abs(x, 1)")


def test_mistake_unknown_attribute_with_a_suggestion():
    @jit
    def typo(a):
        return a.shap[0]  # attr-typo

    @jit
    def module_typo(x):
        return math.sqr(x)  # module-typo

    error = compile_error(typo, np.ones(2), kind=ferrojit.TypingError)
    assert str(error).startswith("unknown attribute 'shap' of array(float64, 1d, C)")
    assert "hint: did you mean '.shape'?" in str(error)
    assert_points_at(error, "attr-typo", "a.shap")
    error = compile_error(module_typo, 2.0, kind=ferrojit.TypingError)
    assert str(error).startswith("unknown attribute 'sqr' of module 'math'")
    assert "hint: did you mean 'math.sqrt'?" in str(error)


def test_mistake_variable_used_before_assignment():
    @jit
    def one_branch(n):
        if n > 0:
            y = 1
        return y  # maybe-unassigned

    @jit
    def after_loop(n):
        for i in range(n):
            last = i
        return last  # loop-unassigned

    @jit
    def fine(a):
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i]
        if s > 0:
            sign = 1
        else:
            sign = -1
        return s * sign

    error = compile_error(one_branch, 1, kind=ferrojit.TypingError)
    assert str(error).startswith("variable 'y' may be used before it is assigned")
    assert_points_at(error, "maybe-unassigned", "y")
    error = compile_error(after_loop, 3, kind=ferrojit.TypingError)
    assert str(error).startswith("variable 'last' may be used before it is assigned")
    assert_points_at(error, "loop-unassigned", "last")
    assert fine(np.array([1.0, -3.0])) == 2.0


def test_mistake_unsupported_numpy_function():
    @jit
    def spectrum(a):
        return np.fft.fft(a)  # np-fft

    @jit
    def decompose(a):
        return np.linalg.tensorinv(a)  # np-tensorinv

    error = compile_error(spectrum, np.ones(4), kind=ferrojit.UnsupportedError)
    assert str(error).startswith("numpy.fft.fft is not supported by ferrojit")
    assert_points_at(error, "np-fft", "np.fft.fft")
    error = compile_error(decompose, np.ones((2, 2)), kind=ferrojit.UnsupportedError)
    assert str(error).startswith("numpy.linalg.tensorinv is not supported by ferrojit")


def test_mistake_returns_of_different_types():
    @jit
    def two_returns(n, a):
        if n > 0:
            return 1.0  # first-return
        return a  # second-return

    error = compile_error(two_returns, 1, np.ones(2), kind=ferrojit.TypingError)
    message = str(error)
    assert message.startswith("function returns both float64 and array(float64, 1d, C)")
    assert_points_at(error, "second-return", "a  #")
    line, col = location("first-return", "1.0")
    assert f"note: float64 is returned here\n  at {HERE}:{line}:{col}" in message


def test_mistake_float_index():
    @jit
    def at(a, x):
        return a[x]  # float-index

    error = compile_error(at, np.ones(3), 1.0, kind=ferrojit.TypingError)
    assert str(error).startswith("array index must be an integer, got float64")
    assert "hint: convert it with int(...), e.g. a[int(x)]" in str(error)
    assert_points_at(error, "float-index", "x]")


def test_mistake_string_arithmetic():
    @jit
    def concat(n):
        return "a" + n  # str-arith

    error = compile_error(concat, 1, kind=ferrojit.TypingError)
    assert str(error).startswith("unsupported operand type(s) for +: 'str' and 'int64'")
    assert "hint: strings join only with strings: convert numbers with str(x), or use an f-string" in str(error)
    assert_points_at(error, "str-arith", '"a" + n')


def test_failed_compile_leaves_the_dispatcher_usable():
    @jit
    def first_item(x):
        return x[0]

    with pytest.raises(ferrojit.TypingError):
        first_item(1.5)
    assert first_item(np.array([4.0, 5.0])) == 4.0
    with pytest.raises(ferrojit.TypingError):
        first_item(2.5)
    assert first_item(np.array([7, 8])) == 7
