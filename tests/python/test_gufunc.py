"""``@guvectorize``: generalized NumPy ufuncs from jitted kernels over core dimensions, checked
against NumPy (``matmul``, broadcasting of the outer dimensions) and CPython."""

import numpy as np
import pytest

import ferrojit
from ferrojit import guvectorize


# Narrowest types first (see test_ufunc.py: NumPy takes the first loop Python scalars cast to).
@guvectorize(["void(i8[:], i8, i8[:])", "void(f8[:], f8, f8[:])"], "(n),()->(n)")
def add_scalar(a, k, out):
    for i in range(a.shape[0]):
        out[i] = a[i] + k


@guvectorize(["void(f8[:,:], f8[:,:], f8[:,:])"], "(m,n),(n,p)->(m,p)")
def matmul(a, b, out):
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            s = 0.0
            for k in range(a.shape[1]):
                s += a[i, k] * b[k, j]
            out[i, j] = s


@guvectorize(["void(f8[:], f8[:])"], "(n)->()")
def total(a, out):
    s = 0.0
    for x in a:
        s += x
    out[0] = s


@guvectorize(["void(i8[:], i8[:], i8[:])"], "(n),(n)->(n)")
def divide(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] // b[i]


def test_a_genuine_generalized_ufunc():
    assert isinstance(add_scalar, np.ufunc)
    assert add_scalar.signature == "(n),()->(n)"
    assert add_scalar.types == ["ll->l", "dd->d"]
    assert (matmul.nin, matmul.nout) == (2, 1)


def test_vector_and_scalar_with_broadcast_outer_dimensions():
    a = np.arange(12.0).reshape(3, 4)
    k = np.array([10.0, 20.0, 30.0]).reshape(3)
    np.testing.assert_array_equal(add_scalar(a, k), a + k[:, None])
    np.testing.assert_array_equal(add_scalar(a, 1.0), a + 1.0)
    got = add_scalar(np.arange(5), 3)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, np.arange(5) + 3)
    # Non-contiguous core dimension and an explicit out.
    out = np.zeros((3, 2))
    add_scalar(a[:, ::2], 0.5, out=out)
    np.testing.assert_array_equal(out, a[:, ::2] + 0.5)


def test_matrix_layout_against_numpy():
    rng = np.random.default_rng(3)
    A, B = rng.random((5, 3, 4)), rng.random((5, 4, 2))
    np.testing.assert_allclose(matmul(A, B), A @ B, rtol=1e-12)
    # Broadcast a single matrix over a stack, and a transposed (F-ordered) view.
    np.testing.assert_allclose(matmul(A, B[0]), A @ B[0], rtol=1e-12)
    Bt = np.asfortranarray(B[1])
    np.testing.assert_allclose(matmul(A[0], Bt), A[0] @ Bt, rtol=1e-12)
    with pytest.raises(ValueError):
        matmul(A, A)  # core dimension mismatch: NumPy's error


def test_scalar_output_declared_as_a_one_element_array():
    data = np.arange(20.0).reshape(4, 5)
    np.testing.assert_array_equal(total(data), data.sum(axis=1))
    assert total(np.arange(4.0)) == 6.0


def test_kernel_errors_raise():
    with pytest.raises(ZeroDivisionError):
        divide(np.array([[1, 2], [3, 4]]), np.array([[1, 1], [1, 0]]))
    np.testing.assert_array_equal(divide(np.array([9, 8]), np.array([2, 4])), [4, 2])


def test_parallel_target_matches_cpu():
    @guvectorize(["void(f8[:,:], f8[:,:], f8[:,:])"], "(m,n),(n,p)->(m,p)", target="parallel")
    def pmatmul(a, b, out):
        for i in range(a.shape[0]):
            for j in range(b.shape[1]):
                s = 0.0
                for k in range(a.shape[1]):
                    s += a[i, k] * b[k, j]
                out[i, j] = s

    @guvectorize(["void(i8[:], i8[:], i8[:])"], "(n),(n)->(n)", target="parallel")
    def pdivide(a, b, out):
        for i in range(a.shape[0]):
            out[i] = a[i] // b[i]

    # Outer dimensions large enough to be split before any cost has been measured.
    rng = np.random.default_rng(5)
    A, B = rng.random((20_000, 6, 5)), rng.random((20_000, 5, 3))
    np.testing.assert_array_equal(pmatmul(A, B), matmul(A, B))
    a = np.arange(80_000).reshape(20_000, 4)
    b = np.ones_like(a)
    np.testing.assert_array_equal(pdivide(a, b), a)
    b[16_613, 2] = 0
    with pytest.raises(ZeroDivisionError):
        pdivide(a, b)


def test_lazy_gufunc_compiles_for_the_operands_given():
    @guvectorize("(n),()->(n)")
    def shift(a, k, out):
        for i in range(a.shape[0]):
            out[i] = a[i] + k

    assert isinstance(shift, ferrojit.GUFunc)
    out = np.empty(4)
    shift(np.arange(4.0), 2.0, out)
    np.testing.assert_array_equal(out, np.arange(4.0) + 2)
    iout = np.empty(3, dtype=np.int64)
    shift(np.arange(3), 1, out=iout)
    np.testing.assert_array_equal(iout, [1, 2, 3])
    assert shift.types == ["ll->l", "dd->d"]
    with pytest.raises(TypeError, match="pass the outputs"):
        shift(np.arange(3.0), 1.0)


def test_signature_and_layout_errors():
    with pytest.raises(ferrojit.TypingError, match="core dimension"):

        @guvectorize(["void(f8[:,:], f8, f8[:])"], "(n),()->(n)")
        def wrong_rank(a, k, out):
            pass

    with pytest.raises(ferrojit.TypingError, match="1-d array"):

        @guvectorize(["void(f8[:], f8)"], "(n)->()")
        def scalar_output(a, out):
            pass

    with pytest.raises(ferrojit.SignatureError, match="->"):

        @guvectorize(["void(f8[:], f8[:])"], "(n)(n)")
        def no_arrow(a, out):
            pass

    with pytest.raises(ferrojit.TypingError, match="void"):

        @guvectorize(["f8(f8[:], f8[:])"], "(n)->(n)")
        def returns_value(a, out):
            return 1.0
