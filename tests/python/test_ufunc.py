"""``@vectorize``: genuine NumPy ufuncs from jitted kernels, checked against NumPy and CPython.

Every result is compared with the kernel run by CPython element by element (``expected``), with
the dtype NumPy's loop selection gives; broadcasting, ``out=``, casting, ``reduce`` and
``accumulate`` are NumPy's own machinery driving our inner loops.
"""

import math

import numpy as np
import pytest

import ferrojit
from ferrojit import vectorize


def py_saxpy(a, x, y):
    return a * x + y


@vectorize(["f8(f8, f8, f8)", "f4(f4, f4, f4)"])
def saxpy(a, x, y):
    return a * x + y


# Narrowest types first, as NumPy orders its own loops: where no loop matches the operands
# exactly (Python scalars), NumPy takes the first one they cast to safely.
@vectorize(["i8(i8, i8)", "f8(f8, f8)", "c16(c16, c16)"], identity=0)
def add(a, b):
    return a + b


@vectorize(["i8(i8, i8)", "f8(f8, f8)"], identity=1)
def mul(a, b):
    return a * b


@vectorize(["i8(i8, i8)"])
def floordiv(a, b):
    return a // b


@vectorize(["f8(f8, f8)"], error_model="python")
def strict_div(a, b):
    return a / b


@vectorize(["f8(f8, f8)"])
def numpy_div(a, b):
    return a / b


@vectorize(["f8(f8)"])
def checked_sqrt(x):
    if x < 0.0:
        raise ValueError("negative input")
    return math.sqrt(x)


@vectorize(["b1(f8, f8)"])
def close(a, b):
    return abs(a - b) < 0.5


def expected(py_func, *args, dtype):
    """The kernel run by CPython over the broadcast arguments, as an array of ``dtype``."""
    arrays = np.broadcast_arrays(*[np.asarray(a) for a in args])
    flat = [a.ravel().tolist() for a in arrays]
    values = [py_func(*items) for items in zip(*flat)]
    return np.array(values, dtype=dtype).reshape(arrays[0].shape)


def assert_same(got, want):
    assert isinstance(got, np.ndarray), got
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_array_equal(got, want)


def test_vectorize_with_signatures_returns_a_genuine_ufunc():
    assert isinstance(saxpy, np.ufunc)
    assert saxpy.__name__ == "saxpy"
    assert (saxpy.nin, saxpy.nout) == (3, 1)
    assert saxpy.types == ["ddd->d", "fff->f"]
    assert add.identity == 0 and mul.identity == 1 and saxpy.identity is None


def test_arrays_scalars_and_dtype_selection():
    rng = np.random.default_rng(1)
    x, y = rng.random(1000), rng.random(1000)
    assert_same(saxpy(2.5, x, y), expected(py_saxpy, 2.5, x, y, dtype=np.float64))
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    got = saxpy(np.float32(2.5), x32, y32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, np.float32(2.5) * x32 + y32, rtol=1e-6)
    # A 0-d call returns a NumPy scalar, as for NumPy's own ufuncs.
    assert saxpy(2.0, 3.0, 1.0) == 7.0 and isinstance(saxpy(2.0, 3.0, 1.0), np.float64)


def test_broadcasting():
    col = np.arange(3.0).reshape(3, 1)
    row = np.arange(4.0) * 10
    assert_same(add(col, row), expected(lambda a, b: a + b, col, row, dtype=np.float64))
    assert add(col, row).shape == (3, 4)
    # Scalar + array, and non-contiguous views.
    grid = np.arange(24.0).reshape(4, 6)
    view = grid[::2, ::-3]
    assert_same(mul(view, 2.0), view * 2.0)
    assert_same(add(5, np.arange(6).reshape(2, 3)), np.arange(6).reshape(2, 3) + 5)


def test_out_argument():
    x = np.arange(10.0)
    out = np.full(10, -1.0)
    result = add(x, 1.0, out=out)
    assert result is out
    assert_same(out, x + 1.0)
    # In place, and into a strided view.
    add(x, x, out=x)
    assert_same(x, np.arange(10.0) * 2)
    big = np.zeros(20)
    add(np.arange(10.0), 1.0, out=big[::2])
    assert_same(big[::2], np.arange(10.0) + 1)
    assert not big[1::2].any()


def test_reduce_and_accumulate_with_identity():
    x = np.arange(1.0, 11.0)
    assert add.reduce(x) == x.sum()
    assert mul.reduce(x) == np.prod(x)
    assert_same(add.accumulate(x), np.cumsum(x))
    assert_same(mul.accumulate(x), np.cumprod(x))
    m = np.arange(12).reshape(3, 4)
    assert_same(add.reduce(m, axis=0), m.sum(axis=0))
    assert_same(add.reduce(m, axis=1), m.sum(axis=1))
    total = add.reduce(m, axis=None)
    assert total == m.sum() and total.dtype == np.int64
    # The identity makes empty reductions defined; without one they are an error.
    assert add.reduce(np.array([], dtype=np.float64)) == 0.0
    assert mul.reduce(np.array([], dtype=np.int64)) == 1
    with pytest.raises(ValueError):
        saxpy.reduce(np.array([]))
    assert_same(add.reduceat(np.arange(8.0), [0, 4]), np.add.reduceat(np.arange(8.0), [0, 4]))
    assert_same(add.outer(np.arange(3.0), np.arange(2.0)), np.add.outer(np.arange(3.0), np.arange(2.0)))


def test_integer_inputs_cast_to_a_float_loop():
    ints = np.arange(5, dtype=np.int32)
    got = strict_div(ints, 2)
    assert got.dtype == np.float64
    assert_same(got, np.arange(5) / 2)
    assert numpy_div(np.int16(3), np.uint8(4)) == 0.75


def test_unsupported_dtype_combination_is_numpys_type_error():
    with pytest.raises(TypeError, match="not supported for the input types"):
        strict_div(np.array([1j]), 1.0)
    with pytest.raises(TypeError):
        strict_div(np.array(["a"]), 1.0)
    # Unsafe casting (float to the int-only loop) is refused unless asked for.
    with pytest.raises(TypeError):
        floordiv(np.array([1.5]), 1)
    assert_same(floordiv(np.array([7.5]), 2, signature="ll->l", casting="unsafe"), np.array([3]))


def test_bool_and_complex_loops():
    a = np.array([0.0, 1.0, 2.0])
    assert_same(close(a, 0.2), np.array([True, False, False]))
    z = np.array([1 + 2j, -3j])
    assert_same(add(z, 1j), z + 1j)


def test_kernel_errors_raise():
    with pytest.raises(ZeroDivisionError) as info:
        floordiv(np.array([4, 5, 6]), np.array([2, 0, 1]))
    assert any("floordiv" in note for note in info.value.__notes__)
    with pytest.raises(ZeroDivisionError):
        strict_div(np.ones(3), np.array([1.0, 0.0, 2.0]))
    with pytest.raises(ValueError, match="negative input"):
        checked_sqrt(np.array([4.0, -1.0]))
    # The default error model is NumPy's, as in Numba: float division by zero gives inf.
    with np.errstate(divide="ignore"):
        assert numpy_div(1.0, 0.0) == math.inf
    # The ufunc stays usable after an error.
    assert_same(floordiv(np.array([9]), np.array([2])), np.array([4]))


def test_parallel_target_matches_cpu():
    @vectorize(["f8(f8, f8, f8)"], target="parallel")
    def psaxpy(a, x, y):
        return a * x + y

    @vectorize(["i8(i8, i8)"], target="parallel", identity=0)
    def padd(a, b):
        return a + b

    @vectorize(["i8(i8, i8)"], target="parallel")
    def pfloordiv(a, b):
        return a // b

    rng = np.random.default_rng(7)
    x, y = rng.random(200_001), rng.random(200_001)
    assert_same(psaxpy(1.5, x, y), saxpy(1.5, x, y))
    # Strided and broadcast operands, out=.
    out = np.empty((2, 100_000))
    psaxpy(2.0, x[:200_000].reshape(2, -1), y[::2][:100_000], out=out)
    assert_same(out, saxpy(2.0, x[:200_000].reshape(2, -1), y[::2][:100_000]))
    # Reductions and accumulations through aliased operands stay correct (run serially).
    n = np.arange(100_000, dtype=np.int64)
    assert padd.reduce(n) == n.sum()
    assert_same(padd.accumulate(n), np.cumsum(n))
    # An error in one chunk is raised once.
    b = np.ones(100_000, dtype=np.int64)
    b[77_777] = 0
    with pytest.raises(ZeroDivisionError):
        pfloordiv(n, b)


def test_dufunc_compiles_per_input_types():
    @vectorize
    def scale(a, b):
        return a * b + 1

    assert isinstance(scale, ferrojit.DUFunc)
    assert scale.nin == 2 and scale.nout == 1
    assert_same(scale(np.arange(4.0), 2.0), np.arange(4.0) * 2.0 + 1)
    assert scale.types == ["dd->d"]
    assert_same(scale(np.arange(4), 3), np.arange(4) * 3 + 1)
    assert scale(2, 3) == 7 and isinstance(scale(2, 3), np.int64)
    # float32 * float32 + int is float64, as Numba types it.
    assert scale(np.float32(2), np.float32(3)).dtype == np.float64
    assert sorted(scale.types) == sorted(["ll->l", "dd->d", "ff->d"])
    assert isinstance(scale.ufunc, np.ufunc)
    assert scale.ufunc.ntypes == 3 == scale.ntypes
    with pytest.raises(TypeError, match="not supported"):
        scale(np.array(["x"]), 1)


def test_dufunc_reduce_accumulate_and_identity():
    @vectorize(identity="reorderable")
    def biggest(a, b):
        return a if a > b else b

    data = np.array([3, 9, 2, 7])
    assert biggest.reduce(data) == 9
    assert_same(biggest.accumulate(data), np.maximum.accumulate(data))
    m = np.arange(12.0).reshape(3, 4)[::-1]
    assert_same(biggest.reduce(m, axis=1), m.max(axis=1))
    assert biggest.reduce(m, axis=None) == 11.0
    assert biggest.identity is None  # ReorderableNone shows as None, as in NumPy
    assert "ll->l" in biggest.types and "dd->d" in biggest.types


def test_dufunc_output_type_is_inferred():
    @vectorize
    def halve(a):
        return a / 2

    assert halve(np.arange(3)).dtype == np.float64
    assert halve.types == ["l->d"]
    loop = halve.add("f4(f4)")
    assert loop.types == "f->f"
    assert halve(np.ones(2, dtype=np.float32)).dtype == np.float32


def test_compile_errors_surface_at_decoration():
    with pytest.raises(ferrojit.TypingError):

        @vectorize(["f8(f8[:])"])
        def takes_array(a):
            return a[0]

    with pytest.raises(ferrojit.SignatureError):

        @vectorize(["f8(f8"])
        def bad_signature(a):
            return a

    with pytest.raises(ValueError, match="identity"):
        vectorize(identity=2)
    with pytest.raises(ValueError, match="target"):
        vectorize(target="tpu")
    with pytest.raises(TypeError, match="unexpected keyword"):
        vectorize(spam=True)
    with pytest.warns(ferrojit.FerrojitWarning):
        vectorize(["f8(f8)"], cache=True)


def test_ufuncs_can_call_jitted_functions_and_use_globals():
    assert_same(uses_helper(np.arange(3.0)), np.arange(3.0) ** 2 + OFFSET)


OFFSET = 0.25


@ferrojit.njit
def square(x):
    return x * x


@vectorize(["f8(f8)"])
def uses_helper(x):
    return square(x) + OFFSET
