"""``import ferrojit as numba``: the names common Numba scripts use, ``@stencil`` and the
``objmode``/``literal_unroll`` markers."""

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import ferrojit as numba
from ferrojit import config, errors, literal_unroll
from diff import check

NUMBA_SCRIPT = '''
import numpy as np
import ferrojit as numba
from ferrojit import njit, prange, vectorize, guvectorize, cfunc, stencil, types

@numba.jit(nopython=True, cache=False)
def mean_abs(a):
    s = 0.0
    for x in a:
        s += abs(x)
    return s / a.shape[0]

@njit(parallel=True)
def row_sums(m):
    out = np.empty(m.shape[0])
    for i in prange(m.shape[0]):
        out[i] = m[i].sum()
    return out

@vectorize([types.float64(types.float64, types.float64)])
def hypot2(x, y):
    return x * x + y * y

@guvectorize([(types.float64[:], types.float64[:])], "(n)->(n)")
def cumsum(a, out):
    acc = 0.0
    for i in range(a.shape[0]):
        acc += a[i]
        out[i] = acc

@stencil
def laplace(a):
    return a[-1, 0] + a[1, 0] + a[0, -1] + a[0, 1] - 4 * a[0, 0]

@cfunc(types.float64(types.float64))
def half(x):
    return x / 2

m = np.arange(12.0).reshape(3, 4)
numba.set_num_threads(numba.get_num_threads())
assert numba.get_thread_id() == 0
assert mean_abs(np.array([-1.0, 3.0])) == 2.0
assert list(row_sums(m)) == [6.0, 22.0, 38.0]
assert hypot2(3.0, 4.0) == 25.0
assert list(cumsum(np.arange(4.0))) == [0.0, 1.0, 3.0, 6.0]
assert laplace(m)[1, 1] == 0.0 and laplace(m)[0, 0] == 0.0
assert half.ctypes(3.0) == 1.5
assert numba.typeof(m) == numba.typeof(np.zeros((2, 2)))
assert numba.from_dtype(np.dtype("int32")) is types.int32
assert issubclass(numba.errors.TypingError, numba.errors.NumbaError)
assert issubclass(numba.errors.NumbaPerformanceWarning, numba.errors.NumbaWarning)
assert numba.config.DISABLE_JIT in (False, True)
print("ok")
'''


def test_a_numba_script_runs(tmp_path):
    script = tmp_path / "numba_script.py"
    script.write_text(NUMBA_SCRIPT)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_the_same_script_runs_with_the_jit_disabled(tmp_path):
    script = tmp_path / "numba_script.py"
    script.write_text(NUMBA_SCRIPT.replace("half.ctypes(3.0)", "half(3.0)"))
    env = {"FERROJIT_DISABLE_JIT": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "ok", done.stderr


@numba.stencil
def smooth(a):
    return 0.25 * (a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0])


@numba.stencil(cval=-1)
def forward(a, k):
    d = a[1] - a[-2]
    return d * k


@numba.stencil(neighborhood=((-2, 0),))
def window(a):
    s = 0
    for j in range(-2, 1):
        s += a[j]
    return s


def smooth_by_hand(a):
    out = np.zeros(a.shape)
    for i in range(1, a.shape[0] - 1):
        for j in range(1, a.shape[1] - 1):
            out[i, j] = 0.25 * (a[i, j + 1] + a[i + 1, j] + a[i, j - 1] + a[i - 1, j])
    return out


def test_stencils_follow_numba_semantics():
    a = np.random.default_rng(1).random((6, 7))
    np.testing.assert_array_equal(smooth(a), smooth_by_hand(a))
    assert smooth.neighborhood == ((-1, 1), (-1, 1))
    got = forward(np.arange(8), 3)
    assert got.dtype == np.int64
    assert list(got) == [-1, -1, 9, 9, 9, 9, 9, -1]
    assert forward.neighborhood == ((-2, 1),)
    assert list(window(np.arange(6))) == [0, 0, 3, 6, 9, 12]
    out = np.full((6, 7), 5.0)
    smooth(a, out=out)
    assert out[0, 0] == 5.0 and out[2, 3] == smooth_by_hand(a)[2, 3]
    # The result type is the kernel's: float results of an int array.
    assert smooth(np.ones((3, 3), dtype=np.int64)).dtype == np.float64


def test_stencils_with_the_jit_disabled_agree():
    saved = config.DISABLE_JIT
    config.DISABLE_JIT = True
    try:
        @numba.stencil
        def smooth_py(a):
            return 0.25 * (a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0])
    finally:
        config.DISABLE_JIT = saved
    a = np.arange(20.0).reshape(4, 5)
    np.testing.assert_array_equal(smooth_py(a), smooth(a))


def test_stencil_errors():
    with pytest.raises(ValueError, match="neighbourhood"):
        @numba.stencil
        def variable(a, k):
            return a[k]

    with pytest.raises(ValueError, match="inside a loop"):
        @numba.stencil(neighborhood=((-2, 0),))
        def early(a):
            for j in range(-2, 1):
                if a[j] > 0:
                    return a[j]
            return 0


@numba.stencil
def branchy(a):
    if a[0] > a[-1]:
        return a[0] - a[-1]
    return 0.0


def test_stencil_with_several_returns():
    a = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    assert list(branchy(a)) == [0.0, 2.0, 0.0, 3.0, 0.0]


@numba.njit
def unrolled(t):
    s = 0.0
    for v in literal_unroll(t):
        s += v
    return s


@numba.njit
def unrolled_by_attribute(t):
    s = 0
    for v in numba.literal_unroll(t):
        s += v
    return s


def test_literal_unroll_is_the_identity():
    check(unrolled, (1, 2.5, 3))
    check(unrolled_by_attribute, (1, 2, 3))
    assert numba.literal_unroll((1, "a")) == (1, "a")


@numba.njit
def uses_objmode(x):
    with numba.objmode(y="float64"):
        y = x * 2.0
    return y


def test_objmode_runs_its_block_in_the_interpreter():
    assert uses_objmode(1.0) == 2.0
    assert uses_objmode.py_func(1.0) == 2.0


def test_warning_names():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("slow", numba.errors.NumbaPerformanceWarning)
    assert issubclass(caught[0].category, numba.FerrojitWarning)


def test_typed_and_extending_are_attributes_of_the_package():
    # Numba scripts write `numba.typed.List()` after `import numba`, without importing the
    # submodule themselves.
    import ferrojit as numba

    items = numba.typed.List()
    items.append(1.5)
    assert len(items) == 1 and items[0] == 1.5
    table = numba.typed.Dict.empty(key_type=numba.types.int64, value_type=numba.types.float64)
    table[3] = 2.5
    assert dict(table) == {3: 2.5}
    assert callable(numba.extending.register_jitable)
