"""Pickling jitted functions, ufuncs and gufuncs: by reference when importable, else by value
(source, signatures, options and the globals the kernel uses), recompiled when unpickled.

Checked in-process and across processes with ``multiprocessing``'s spawn context (a fresh
interpreter that has compiled nothing).
"""

import math
import multiprocessing
import pickle

import numpy as np
import pytest

import ferrojit
from ferrojit import guvectorize, jit, vectorize

SCALE = 2.5


@vectorize(["f8(f8, f8)", "f4(f4, f4)"], identity=0)
def saxpy(x, y):
    return SCALE * x + y


@jit
def scaled(a):
    return a * SCALE


@vectorize
def lazy_mul(a, b):
    return a * b


@guvectorize(["void(f8[:], f8, f8[:])"], "(n),()->(n)")
def shift(a, k, out):
    for i in range(a.shape[0]):
        out[i] = a[i] + k


def make_local_objects(offset):
    """Objects that are not importable (defined in a function): they pickle by value."""

    @jit
    def helper(x):
        return math.sqrt(x) + offset

    @vectorize(["f8(f8, f8)"], identity=0, target="parallel")
    def local_ufunc(x, y):
        return helper(x) * SCALE + y

    @vectorize(["i8(i8, i8)"])
    def local_floordiv(a, b):
        return a // b

    @guvectorize(["void(f8[:], f8[:])"], "(n)->()")
    def local_total(a, out):
        s = 0.0
        for v in a:
            s += v
        out[0] = np.float64(s) * SCALE

    @vectorize
    def local_lazy(a, b):
        return a - b + offset

    return {
        "helper": helper,
        "ufunc": local_ufunc,
        "floordiv": local_floordiv,
        "gufunc": local_total,
        "lazy": local_lazy,
    }


def roundtrip(obj):
    return pickle.loads(pickle.dumps(obj))


@pytest.mark.parametrize("obj", [saxpy, scaled, lazy_mul, shift], ids=lambda o: o.__name__)
def test_importable_objects_pickle_by_reference(obj):
    data = pickle.dumps(obj)
    assert len(data) < 200, "by reference: a module and a name"
    assert b"test_pickle_ufunc" in data
    assert pickle.loads(data) is obj


def test_local_objects_pickle_by_value_and_recompile():
    objs = make_local_objects(1.0)
    x, y = np.arange(5.0), np.ones(5)
    want = (np.sqrt(x) + 1.0) * SCALE + y

    ufunc = roundtrip(objs["ufunc"])
    assert isinstance(ufunc, np.ufunc) and ufunc is not objs["ufunc"]
    assert ufunc.types == ["dd->d"] and ufunc.identity == 0
    np.testing.assert_allclose(ufunc(x, y), want, rtol=1e-15)
    np.testing.assert_allclose(ufunc.reduce(x), objs["ufunc"].reduce(x), rtol=1e-15)

    helper = roundtrip(objs["helper"])
    assert isinstance(helper, ferrojit.Dispatcher) and helper(4.0) == 3.0

    gufunc = roundtrip(objs["gufunc"])
    assert gufunc.signature == "(n)->()"
    np.testing.assert_array_equal(gufunc(np.ones((2, 3))), [3 * SCALE, 3 * SCALE])

    lazy = roundtrip(objs["lazy"])
    assert isinstance(lazy, ferrojit.DUFunc)
    assert lazy(5, 2) == 4.0
    objs["lazy"](np.arange(3), 1)  # compiles 'll->d'; the copy precompiles what was compiled
    assert roundtrip(objs["lazy"]).types == ["ll->d"]


def test_compiled_specializations_are_recompiled_when_unpickled():
    def make():
        @jit
        def weighted(a, k):
            s = 0.0
            for v in a:
                s += v * k
            return s

        @jit
        def fill(a):
            a[0] = SCALE

        return weighted, fill

    weighted, fill = make()
    weighted(np.arange(3.0), 2)
    weighted(np.arange(4.0)[::2], 2.0)
    fill(np.zeros(2))
    for original in (weighted, fill):
        copy = roundtrip(original)
        assert copy is not original and copy.signatures == original.signatures
    assert roundtrip(weighted)(np.arange(3.0), 2) == 6.0


def test_errors_and_source_positions_survive_by_value():
    floordiv = roundtrip(make_local_objects(0.0)["floordiv"])
    with pytest.raises(ZeroDivisionError) as info:
        floordiv(np.array([1, 2]), np.array([1, 0]))
    line = make_local_objects.__code__.co_firstlineno
    notes = " ".join(info.value.__notes__)
    assert "local_floordiv" in notes
    # The note's line number is the original file's.
    assert any(f"line {n}" in notes for n in range(line, line + 30))


def test_unpicklable_source_is_reported():
    namespace = {}
    exec("def f(x):\n    return x\n", namespace)  # noqa: S102 - a function without a file
    dispatcher = jit(namespace["f"])
    with pytest.raises(pickle.PicklingError, match="source is not available"):
        pickle.dumps(dispatcher)


def _apply(obj, args):
    return obj(*args)


def _apply_reduce(ufunc, array):
    return ufunc.reduce(array)


@pytest.fixture(scope="module")
def spawn_pool():
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        yield pool


def test_objects_run_in_a_spawned_process(spawn_pool):
    x, y = np.arange(6.0), np.full(6, 0.5)
    np.testing.assert_array_equal(spawn_pool.apply(_apply, (saxpy, (x, y))), saxpy(x, y))
    assert spawn_pool.apply(_apply, (scaled, (2.0,))) == 5.0
    np.testing.assert_array_equal(
        spawn_pool.apply(_apply, (shift, (x, 1.0))), x + 1.0
    )
    objs = make_local_objects(2.0)
    np.testing.assert_allclose(
        spawn_pool.apply(_apply, (objs["ufunc"], (x, y))), objs["ufunc"](x, y), rtol=1e-15
    )
    assert spawn_pool.apply(_apply_reduce, (objs["ufunc"], x)) == objs["ufunc"].reduce(x)
    np.testing.assert_array_equal(
        spawn_pool.apply(_apply, (objs["gufunc"], (np.ones((2, 2)),))), [2 * SCALE] * 2
    )
    assert spawn_pool.apply(_apply, (objs["lazy"], (3.0, 1.0))) == 4.0
    with pytest.raises(ZeroDivisionError):
        spawn_pool.apply(_apply, (objs["floordiv"], (np.array([1]), np.array([0]))))
