"""Inspection of dispatchers and ufuncs: inspect_types, inspect_ir, inspect_asm, inspect_cfg,
overloads, stats, parallel_diagnostics — all from the compiler's one dump printer."""

import ctypes
import io
import os
import subprocess
import sys

import numpy as np
import pytest

from ferrojit import float64, guvectorize, int64, njit, prange, vectorize


@njit
def filter2d(image, filt):
    M, N = image.shape
    Mf, Nf = filt.shape
    Mf2 = Mf // 2
    Nf2 = Nf // 2
    result = np.zeros_like(image)
    for i in range(Mf2, M - Mf2):
        for j in range(Nf2, N - Nf2):
            num = 0.0
            for ii in range(Mf):
                for jj in range(Nf):
                    num += filt[Mf - 1 - ii, Nf - 1 - jj] * image[i - Mf2 + ii, j - Nf2 + jj]
            result[i, j] = num
    return result


@njit(parallel=True)
def psum(a, k):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i] * (k * 2.0)
    return s


@njit
def add(a, b):
    return a + b


def test_inspect_types_names_every_variable_of_filter2d():
    filter2d(np.ones((6, 6)), np.ones((3, 3)))
    out = io.StringIO()
    filter2d.inspect_types(file=out)
    text = out.getvalue()
    assert "filter2d (array(float64, 2d, C), array(float64, 2d, C)) -> array(float64, 2d, C)" in text
    for name in ["image", "filt", "M", "N", "Mf", "Nf", "Mf2", "Nf2", "result", "i", "j", "num", "ii", "jj"]:
        assert f"#   {name}: " in text, name
    assert "#   num: float64" in text
    assert "#   result: array(float64, 2d, C)" in text
    # The annotation follows the line it belongs to, with the file's line numbers.
    assert f"# --- LINE {filter2d.py_func.__code__.co_firstlineno + 1} ---\ndef filter2d(image, filt):" in text


def test_inspect_types_pretty_is_html():
    add(1, 2)
    page = add.inspect_types(pretty=True)
    assert page._repr_html_().startswith("<table")
    assert "a: int64" in page


def test_inspect_ir_and_asm_per_signature():
    add(1, 2)
    add(1.0, 2.0)
    ir = add.inspect_ir()
    assert set(ir) == {"int64(int64, int64)", "float64(float64, float64)"}
    assert "function @add" in ir["float64(float64, float64)"]
    assert "fadd" in ir["float64(float64, float64)"]
    one = add.inspect_ir(signature=(float64, float64))
    assert one == ir["float64(float64, float64)"]
    asm = add.inspect_asm((int64, int64))
    assert "ret" in asm
    cfg = add.inspect_cfg((int64, int64))
    assert "digraph" in cfg.dot
    with pytest.raises(KeyError, match="not compiled for"):
        add.inspect_ir((float64, int64))
    with pytest.raises(NotImplementedError, match="Cranelift"):
        add.inspect_llvm()


def test_overloads_and_stats():
    @njit
    def twice(x):
        return 2 * x

    assert twice.overloads == {}
    twice(3)
    twice(4)
    twice(2.5)
    keys = list(twice.overloads)
    assert keys == [(int64,), (float64,)]
    result = twice.overloads[(int64,)]
    assert result.signature == "int64(int64)" and result.entry_point > 0
    stats = twice.stats
    assert set(stats.compilations) == {"int64(int64)", "float64(float64)"}
    assert stats.compile_time > 0
    assert not stats.cache_hits and not stats.cache_misses


def test_parallel_diagnostics_names_the_reduction(capsys):
    psum(np.arange(10.0), 1.0)
    psum.parallel_diagnostics()
    text = capsys.readouterr().out
    assert "loop #0" in text and "prange over 'i'): parallel" in text
    assert "reduction: 's' (+)" in text
    assert "Hoisted" not in text
    psum.parallel_diagnostics(level=3)
    text = capsys.readouterr().out
    assert "shared (read by every iteration): a, k" in text
    # `k * 2.0` does not depend on the iteration: it leaves the chunk's loop.
    assert "Hoisted out of the loops of psum" in text and "fmul" in text
    psum.parallel_diagnostics(level=4)
    assert "function @psum" in capsys.readouterr().out
    with pytest.raises(ValueError, match="parallel=True"):
        add.parallel_diagnostics()


def test_dufunc_and_gufunc_inspection():
    @vectorize
    def vadd(a, b):
        return a + b

    vadd(np.arange(3.0), np.arange(3.0))
    assert "fadd" in vadd.inspect_ir((float64, float64))

    @guvectorize("(n)->()")
    def gsum(a, out):
        s = 0.0
        for x in a:
            s += x
        out[0] = s

    gsum(np.arange(4.0), np.zeros(1))
    out = io.StringIO()
    gsum.inspect_types(file=out)
    assert "#   s: float64" in out.getvalue()


def test_dump_environment_prints_the_same_annotation(tmp_path):
    script = tmp_path / "k.py"
    script.write_text("from ferrojit import njit\n@njit\ndef f(x):\n    y = x + 1\n    return y\nf(1)\n")
    env = dict(os.environ, FERROJIT_DUMP="types")
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True)
    assert "--- types of f ---" in done.stderr
    assert "    y = x + 1\n    #   y: int64\n    #   x: int64" in done.stderr


def test_stats_count_disk_cache_hits_and_misses(tmp_path):
    module = tmp_path / "cached_kernel.py"
    module.write_text(
        "from ferrojit import njit\n"
        "@njit(cache=True)\n"
        "def inc(x):\n"
        "    return x + 1\n"
        "inc(1)\n"
        "s = inc.stats\n"
        "print(dict(s.cache_hits), dict(s.cache_misses))\n"
    )
    env = dict(os.environ, FERROJIT_CACHE_DIR=str(tmp_path / "cache"))
    first = subprocess.run([sys.executable, str(module)], env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, str(module)], env=env, capture_output=True, text=True)
    assert first.stdout.strip() == "{} {'int64(int64)': 1}", first.stderr
    assert second.stdout.strip() == "{'int64(int64)': 1} {}", second.stderr
