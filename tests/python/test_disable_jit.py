"""``ferrojit.config.DISABLE_JIT`` / ``FERROJIT_DISABLE_JIT=1``: decorators give plain Python."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ferrojit
from ferrojit import config, guvectorize, jit, njit, prange, vectorize


@pytest.fixture
def disabled():
    saved = config.DISABLE_JIT
    config.DISABLE_JIT = True
    try:
        yield
    finally:
        config.DISABLE_JIT = saved


def test_jit_returns_the_python_function(disabled):
    def f(x):
        return x + 1

    assert jit(f) is f
    assert njit(f) is f
    assert jit("i8(i8)")(f) is f
    assert njit(parallel=True)(f) is f
    assert jit(f)(1) == 2


def test_disabled_functions_run_code_the_compiler_rejects(disabled):
    @njit
    def uses_python_objects(n):
        out = {}
        for i in prange(n):
            out[str(i)] = i
        return out

    assert uses_python_objects(3) == {"0": 0, "1": 1, "2": 2}
    assert prange(3) == range(3)


def test_vectorize_is_numpy_vectorize(disabled):
    @vectorize(["f8(f8, f8)"])
    def add(a, b):
        return a + b

    got = add(np.arange(3.0), 1)
    assert got.dtype == np.float64 and list(got) == [1.0, 2.0, 3.0]
    assert add(1.0, 2.0) == 3.0
    out = np.zeros(3)
    add(np.arange(3.0), np.ones(3), out=out)
    assert list(out) == [1.0, 2.0, 3.0]

    @vectorize
    def twice(a):
        return 2 * a

    assert list(twice(np.arange(3))) == [0, 2, 4]


def test_guvectorize_loops_in_python(disabled):
    @guvectorize(["void(f8[:], f8, f8[:])"], "(n),()->(n)")
    def shift(a, s, out):
        for i in range(a.shape[0]):
            out[i] = a[i] + s

    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(shift(a, 10.0), a + 10)
    out = np.empty_like(a)
    shift(a, np.array([1.0, 2.0]), out)
    np.testing.assert_array_equal(out, a + [[1.0], [2.0]])

    @guvectorize(["void(f8[:], f8[:])"], "(n)->()")
    def total(a, res):
        acc = 0.0
        for x in a:
            acc += x
        res[0] = acc

    np.testing.assert_array_equal(total(a), a.sum(axis=1))


def test_enabled_again_compiles():
    def f(x):
        return x + 1

    assert type(jit(f)) is ferrojit.Dispatcher


def test_environment_variable_disables_the_jit(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            """
            import ferrojit
            from ferrojit import njit

            @njit
            def f(x):
                return x * 2

            print(ferrojit.config.DISABLE_JIT, type(f).__name__, f(21))
            """
        )
    )
    for var in ("FERROJIT_DISABLE_JIT", "NUMBA_DISABLE_JIT"):
        env = dict(os.environ, **{var: "1"})
        out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True)
        assert out.stdout.split() == ["True", "function", "42"], out.stderr


def test_thread_count_from_the_environment(tmp_path):
    code = "import ferrojit; print(ferrojit.config.NUMBA_NUM_THREADS, ferrojit.get_num_threads())"
    env = dict(os.environ, FERROJIT_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["1", "1"], out.stderr
    env = {k: v for k, v in os.environ.items() if k != "FERROJIT_NUM_THREADS"}
    env["NUMBA_NUM_THREADS"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["1", "1"], out.stderr
