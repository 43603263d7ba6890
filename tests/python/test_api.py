"""The public API: decorator forms, keywords, type objects, signatures, exceptions, import cost."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

import ferrojit
from ferrojit import (
    b1,
    c8,
    c16,
    f4,
    f8,
    float64,
    i1,
    i4,
    i8,
    int32,
    intp,
    jit,
    njit,
    u1,
    void,
)


def add(a, b):
    """Adds two numbers."""
    return a + b


# --- decorator forms ------------------------------------------------------------------------


def test_bare_decorator():
    f = jit(add)
    assert f(1, 2) == 3
    assert f.py_func is add


def test_decorator_with_empty_call_and_keywords():
    assert jit()(add)(1.5, 2) == 3.5
    assert jit(nopython=True)(add)(1, 2) == 3
    assert njit(add)(2, 3) == 5
    assert njit()(add)(2, 3) == 5
    assert njit(nogil=True, boundscheck=True, fastmath=True)(add)(2, 3) == 5


def test_signature_string_compiles_eagerly():
    f = jit("f8(f8, f8)")(add)
    assert f.signatures == ["float64(float64, float64)"]
    assert f(1, 2) == 3.0 and isinstance(f(1, 2), float)


def test_signature_objects_and_lists():
    f = jit(f8(f8, f8))(add)
    assert f.signatures == ["float64(float64, float64)"]
    g = jit(["i8(i8, i8)", f8(f8, f8)])(add)
    assert g.signatures == ["int64(int64, int64)", "float64(float64, float64)"]
    assert g(1, 2) == 3 and isinstance(g(1, 2), int)
    assert g(1.0, 2) == 3.0 and isinstance(g(1.0, 2), float)


def test_argument_tuple_signature():
    f = jit((i8, i8))(add)
    assert f.signatures == ["int64(int64, int64)"]


def test_void_array_signature_as_in_numba():
    @jit("void(f8[:,:],f8[:,:],f8[:,:])")
    def copy_add(a, b, out):
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                out[i, j] = a[i, j] + b[i, j]

    a = np.ones((2, 3))
    out = np.zeros((2, 3))
    assert copy_add(a, a, out) is None
    assert (out == 2).all()


def test_wrapper_metadata():
    f = jit(add)
    assert f.__name__ == "add"
    assert f.__doc__ == "Adds two numbers."
    assert f.__wrapped__ is add
    assert f.__module__ == __name__
    assert "add" in repr(f)


def test_explicit_compile_method():
    f = jit(add)
    f.compile("f4(f4, f4)")
    assert f.signatures == ["float32(float32, float32)"]


def test_jitted_function_as_method():
    class Box:
        total = jit(add)

    # Looked up on the class, it is the plain function; on an instance, it binds `self` (which
    # compiled code cannot take, so only the class form is called here).
    assert Box.total(1, 2) == 3
    assert Box().total.__self__ is not None


# --- keywords -------------------------------------------------------------------------------


def test_unknown_keyword_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="nopythn"):
        jit(nopythn=True)
    with pytest.raises(TypeError, match="bogus"):
        njit(add, bogus=1)


# cache=True and parallel=True are implemented (test_cache.py, test_parallel.py): no warning.
@pytest.mark.parametrize("keyword", ["parallel", "cache"])
def test_implemented_keywords_do_not_warn(keyword):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = jit(**{keyword: True})(add)
    assert f(1, 2) == 3


@pytest.mark.parametrize("keyword", ["forceobj", "looplift"])
def test_object_mode_keywords_are_rejected(keyword):
    with pytest.raises(NotImplementedError, match=keyword):
        jit(**{keyword: True})(add)


def test_false_object_mode_keywords_are_accepted():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jit(forceobj=False, looplift=False)(add)(1, 2) == 3


def test_error_model_values():
    assert jit(error_model="numpy")(add)(1, 2) == 3
    assert jit(error_model="python")(add)(1, 2) == 3
    with pytest.raises(ValueError, match="error_model"):
        jit(error_model="c")


def test_error_model_numpy_gives_inf_for_float_division_by_zero():
    def div(a, b):
        return a / b

    assert jit(error_model="numpy")(div)(1.0, 0.0) == float("inf")
    with pytest.raises(ZeroDivisionError):
        jit(div)(1.0, 0.0)


def test_decorating_a_non_function_is_a_type_error():
    with pytest.raises(TypeError):
        jit(42)


# --- type objects ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "obj, text",
    [
        (f8, "float64"),
        (float64, "float64"),
        (f4, "float32"),
        (i1, "int8"),
        (i4, "int32"),
        (int32, "int32"),
        (intp, "int64"),
        (u1, "uint8"),
        (b1, "bool"),
        (c8, "complex64"),
        (c16, "complex128"),
        (f8[:], "float64[:]"),
        (f8[:, :], "float64[:, :]"),
        (f8[::1], "float64[::1]"),
        (f8[:, ::1], "float64[:, ::1]"),
        (f8[::1, :], "float64[::1, :]"),
        (f8(f8, i8), "float64(float64, int64)"),
        (void(f8[:, :], i8), "void(float64[:, :], int64)"),
    ],
)
def test_type_object_text(obj, text):
    assert str(obj) == text
    # Every text is a valid signature or type for the compiler.
    ferrojit._ferrojit.parse_signature(text if "(" in text else f"({text},)")


def test_all_type_names_exist():
    names = (
        "f8 f4 i1 i2 i4 i8 u1 u2 u4 u8 b1 c8 c16 float32 float64 int8 int16 int32 int64 uint8 "
        "uint16 uint32 uint64 complex64 complex128 boolean void intp"
    ).split()
    for name in names:
        assert isinstance(getattr(ferrojit, name), ferrojit.Type), name


def test_scalar_type_called_on_a_value_casts_like_numpy():
    assert f4(1.5) == np.float32(1.5) and type(f4(1.5)) is np.float32
    assert type(i8(3)) is np.int64


def test_bad_array_axes():
    with pytest.raises(TypeError):
        f8[1:2]
    with pytest.raises(TypeError):
        f8[:][:]


def test_typeof():
    assert str(ferrojit.typeof(1)) == "int64"
    assert str(ferrojit.typeof(1.0)) == "float64"
    assert str(ferrojit.typeof(True)) == "bool"
    assert str(ferrojit.typeof(1j)) == "complex128"
    assert str(ferrojit.typeof(np.float32(1))) == "float32"
    assert str(ferrojit.typeof(np.zeros((2, 3)))) == "array(float64, 2d, C)"
    assert str(ferrojit.typeof(np.zeros((2, 3)).T)) == "array(float64, 2d, F)"
    assert str(ferrojit.typeof(np.zeros((2, 3))[:, ::2])) == "array(float64, 2d, A)"
    assert str(ferrojit.typeof(np.zeros(3, np.int32))) == "array(int32, 1d, C)"
    assert str(ferrojit.typeof((1, 2.0))) == "(int64, float64)"
    assert ferrojit.typeof(1.0) is f8
    assert str(ferrojit.typeof("text")) == "str"
    assert str(ferrojit.typeof([1, 2.5])) == "list(float64)"
    assert str(ferrojit.typeof({"a": 1})) == "dict(str, int64)"
    with pytest.raises(ValueError, match="object"):
        ferrojit.typeof(object())


# --- signatures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, column",
    [
        ("f8(f8[:", 8),
        ("f9(f8)", 1),
        ("f8(f8, i8", 10),
        ("f8(void)", 4),
        ("f8[::2](f8)", 6),
    ],
)
def test_bad_signature_string_points_at_the_column(text, column):
    with pytest.raises(ferrojit.SignatureError) as info:
        jit(text)(add)
    message = str(info.value)
    assert f"<signature>:1:{column}" in message, message
    assert text in message and "^" in message, message
    # A SignatureError is also a ValueError, like Numba's.
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ferrojit.CompileError)


def test_signature_of_wrong_kind_is_a_type_error():
    with pytest.raises(TypeError, match="signature"):
        jit(3.5)(add)


# --- misc -----------------------------------------------------------------------------------


def test_prange_is_range_in_python():
    assert ferrojit.prange(2, 7, 2) == range(2, 7, 2)

    @jit(parallel=False)
    def total(n):
        s = 0
        for i in ferrojit.prange(n):
            s += i
        return s

    assert total(10) == 45


def test_exception_hierarchy():
    for cls in (ferrojit.TypingError, ferrojit.UnsupportedError, ferrojit.SignatureError,
                ferrojit.InternalError):
        assert issubclass(cls, ferrojit.CompileError)
    assert issubclass(ferrojit.CompileError, Exception)


def test_import_is_fast_and_lazy():
    code = (
        "import sys, time; t = time.perf_counter(); import ferrojit; "
        "dt = time.perf_counter() - t; "
        "print(dt, 'inspect' in sys.modules or 'numpy' in sys.modules)"
    )
    # The best of three runs: the machine may be busy.
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            for _ in range(3)]
    seconds = min(float(r.stdout.split()[0]) for r in runs)
    # NumPy is imported at the first call that needs it, `inspect` at the first compilation.
    assert all(r.stdout.split()[1] == "False" for r in runs), "import ferrojit imported inspect or numpy"
    assert seconds < 0.1, f"import ferrojit took {seconds * 1e3:.0f} ms"
