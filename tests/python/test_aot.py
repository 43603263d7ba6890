"""Ahead-of-time builds: ``python -m ferrojit build`` turns a module with several exports into a
CPython extension that a fresh interpreter imports *without ferrojit on its path* (only NumPy),
and its results match the module's functions run by CPython.

Needs a C compiler (``cc``); without one the tests are skipped with the reason printed.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ferrojit
import ferrojit.build
from diff import assert_same

pytestmark = pytest.mark.skipif(shutil.which(os.environ.get("CC", "cc")) is None, reason="no C compiler (cc)")

MODULE = '''\
"""Kernels for the ahead-of-time test."""
import math
import numpy as np
import ferrojit
from ferrojit import export, jit

SCALE = 2.5
OFFSET = SCALE * math.pi
LIMITS = (1, 10)


@jit
def helper(x):
    return x * SCALE + 1.0


@export('f8(f8[:])', 'i8(i8[:])', 'f4(f4[:])')
def total(a):
    s = a[0] - a[0]
    for i in range(a.shape[0]):
        s += a[i]
    return s


@ferrojit.export('f8(f8, f8)')
def combine(x, y):
    return helper(x) + y / 3.0 + OFFSET


@export('void(f8[:, :], f8)')
def fill(m, v):
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            m[i, j] = v * i - j


@export('f8(f8[:], i8)')
def pick(a, i):
    return a[i]


@export('i8(i8, i8)')
def floordiv(a, b):
    return a // b


@export('UniTuple(f8, 2)(c16, f8)')
def polar(z, k):
    return abs(z) * k, math.atan2(z.imag, z.real)


@export('f8(f8, i8)', 'c16(c16, i8)')
def power(z, n):
    r = z - z + 1
    for _ in range(n):
        r = r * z
    return r


@export('f8(UniTuple(f8, 2), f8)')
def weighted(pair, k):
    return (pair[0] + 2.0 * pair[1]) * k


@export('b1(i8)')
def in_limits(x):
    return LIMITS[0] <= x and x <= LIMITS[1]


@export('f8[:](f8[:])')
def normalise(a):
    n = 0.0
    for i in range(a.shape[0]):
        n += a[i] * a[i]
    n = math.sqrt(n)
    for i in range(a.shape[0]):
        a[i] /= n
    return a
'''

# Run in the fresh interpreter: calls every export and prints what it got, as JSON.
CHILD = '''\
import json, sys
sys.modules["ferrojit"] = None  # importing ferrojit would now fail: make sure nothing does
import numpy as np
import kernels

def enc(v):
    if isinstance(v, tuple):
        return {"tuple": [enc(x) for x in v]}
    if isinstance(v, complex):
        return {"complex": [v.real, v.imag]}
    if isinstance(v, np.ndarray):
        return {"array": v.tolist(), "dtype": str(v.dtype)}
    if isinstance(v, bool):
        return {"bool": v}
    return {type(v).__name__: v}

def attempt(f, *args, **kwargs):
    try:
        return enc(f(*args, **kwargs))
    except Exception as e:
        return {"error": type(e).__name__, "message": str(e), "notes": getattr(e, "__notes__", [])}

a = np.linspace(0.5, 3.5, 7)
m = np.zeros((3, 4))
results = {
    "total_f8": attempt(kernels.total, a),
    "total_strided": attempt(kernels.total, a[::2]),
    "total_i8": attempt(kernels.total, np.arange(10)),
    "total_f4": attempt(kernels.total, np.arange(4, dtype=np.float32)),
    "total_bad_dtype": attempt(kernels.total, np.arange(3, dtype=np.int16)),
    "total_bad_type": attempt(kernels.total, [1.0, 2.0]),
    "combine": attempt(kernels.combine, 1.5, 2),
    "combine_kw": attempt(kernels.combine, y=2.0, x=1.5),
    "combine_missing": attempt(kernels.combine, 1.0),
    "fill": attempt(kernels.fill, m, 2.0),
    "fill_result": enc(m),
    "pick": attempt(kernels.pick, a, 3),
    "pick_negative": attempt(kernels.pick, a, -1),
    "floordiv": attempt(kernels.floordiv, -7, 2),
    "floordiv_zero": attempt(kernels.floordiv, 1, 0),
    "polar": attempt(kernels.polar, 3 + 4j, 2.0),
    "power_c": attempt(kernels.power, 1 + 1j, 3),
    "power_f": attempt(kernels.power, 1.5, 3),
    "power_int_converts": attempt(kernels.power, 2, 10),
    "in_limits": attempt(kernels.in_limits, 5),
    "weighted": attempt(kernels.weighted, (1.0, 2), 3.0),
    "weighted_bad_tuple": attempt(kernels.weighted, (1.0, 2.0, 3.0), 3.0),
    "out_of_limits": attempt(kernels.in_limits, 11),
    "normalise_same_object": attempt(lambda b: kernels.normalise(b) is b, np.array([3.0, 4.0])),
    "numpy_scalar": attempt(kernels.floordiv, np.int32(9), np.int64(4)),
}
print(json.dumps({
    "results": results,
    "ferrojit_loaded": [name for name in sys.modules if name.startswith("ferrojit") and sys.modules[name] is not None],
    "signatures": kernels.__ferrojit_signatures__,
}))
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Builds the module once: (module file, output directory)."""
    root = tmp_path_factory.mktemp("aot")
    source = root / "kernels.py"
    source.write_text(MODULE)
    out = root / "out"
    result = subprocess.run(
        [sys.executable, "-m", "ferrojit", "build", str(source), "--out-dir", str(out), "--boundscheck"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return source, out


def numpy_only_site(root):
    """A directory holding only NumPy (symlinked), to put on a fresh interpreter's path."""
    site = root / "numpy-only"
    site.mkdir(exist_ok=True)
    numpy_dir = os.path.dirname(np.__file__)
    for name in ("numpy", "numpy.libs"):
        target = os.path.join(os.path.dirname(numpy_dir), name)
        if os.path.exists(target) and not (site / name).exists():
            os.symlink(target, site / name)
    return site


def run_isolated(out, code):
    """Runs `code` in `python -I -S` with sys.path = [out, numpy-only site] and nothing else."""
    site = numpy_only_site(out.parent)
    prelude = f"import sys; sys.path[:] = [{str(out)!r}, {str(site)!r}] + [p for p in sys.path if 'site-packages' not in p and 'pybridge' not in p]\n"
    result = subprocess.run([sys.executable, "-I", "-S", "-c", prelude + code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def decode(v):
    if "array" in v:
        return np.array(v["array"], dtype=v["dtype"])
    (kind, value), = v.items()
    if kind == "tuple":
        return tuple(decode(x) for x in value)
    if kind == "complex":
        return complex(*value)
    return value


def python_results(source):
    """The same calls made on the module's functions run by CPython (their ``py_func``)."""
    namespace = {"__name__": "kernels_py", "__file__": str(source)}
    exec(compile(source.read_text(), str(source), "exec"), namespace)
    py = {name: getattr(f, "py_func", f) for name, f in namespace.items() if callable(f)}
    a = np.linspace(0.5, 3.5, 7)
    m = np.zeros((3, 4))
    py["fill"](m, 2.0)
    return {
        "total_f8": py["total"](a),
        "total_strided": py["total"](a[::2]),
        "total_i8": int(py["total"](np.arange(10))),
        "total_f4": float(py["total"](np.arange(4, dtype=np.float32))),
        "combine": py["combine"](1.5, 2),
        "combine_kw": py["combine"](y=2.0, x=1.5),
        "fill_result": m,
        "pick": py["pick"](a, 3),
        "pick_negative": py["pick"](a, -1),
        "floordiv": py["floordiv"](-7, 2),
        "polar": py["polar"](3 + 4j, 2.0),
        "power_c": py["power"](1 + 1j, 3),
        "power_f": py["power"](1.5, 3),
        "power_int_converts": float(py["power"](2.0, 10)),
        "in_limits": py["in_limits"](5),
        "weighted": py["weighted"]((1.0, 2), 3.0),
        "out_of_limits": py["in_limits"](11),
        "numpy_scalar": int(py["floordiv"](9, 4)),
    }


def test_extension_runs_without_ferrojit_and_matches_cpython(built):
    source, out = built
    names = sorted(os.listdir(out))
    assert any(n.startswith("kernels.") and n.endswith(".so") for n in names), names
    assert "libkernels.so" in names and "kernels.h" in names
    report = json.loads(run_isolated(out, CHILD))
    assert report["ferrojit_loaded"] == []
    got = report["results"]
    expected = python_results(source)
    for key, value in expected.items():
        assert_same(decode(got[key]), value, rtol=1e-15 if key == "polar" else None, where=key)
    assert got["fill"] == {"NoneType": None}
    assert got["normalise_same_object"] == {"bool": True}
    assert report["signatures"]["total"] == [
        "float64(array(float64, 1d, A))",
        "int64(array(int64, 1d, A))",
        "float32(array(float32, 1d, A))",
    ]


def test_errors_are_python_exceptions_pointing_at_the_source(built):
    source, out = built
    got = json.loads(run_isolated(out, CHILD))["results"]
    zero = got["floordiv_zero"]
    assert zero["error"] == "ZeroDivisionError"
    line = MODULE.splitlines().index("    return a // b") + 1
    assert zero["notes"] == [f"(in function floordiv at line {line})"]
    assert got["pick"] != got["pick_negative"]
    assert decode(got["pick_negative"]) == 3.5
    assert got["total_bad_dtype"]["error"] == "TypeError"
    assert "array(int16, 1d, C)" in got["total_bad_dtype"]["message"]
    assert "compiled signatures: float64(array(float64, 1d, A))" in got["total_bad_dtype"]["message"]
    assert got["total_bad_type"]["error"] == "TypeError"
    assert got["weighted_bad_tuple"]["error"] == "TypeError"
    assert "(float64, float64, float64), float64" in got["weighted_bad_tuple"]["message"]
    assert got["combine_missing"] == {
        "error": "TypeError",
        "message": "combine() missing required argument 'y'",
        "notes": [],
    }


def test_index_errors_with_boundscheck(built):
    _, out = built
    code = CHILD.split("a = np.linspace")[0] + textwrap.dedent(
        """
        a = np.arange(4.0)
        try:
            kernels.pick(a, 9)
        except IndexError as e:
            print(str(e), e.__notes__)
        """
    )
    text = run_isolated(out, code)
    assert "index 9 is out of bounds for axis 0 with size 4" in text
    assert "(in function pick at line" in text


def test_compile_errors_name_the_file_and_line(tmp_path):
    source = tmp_path / "broken.py"
    source.write_text("from ferrojit import export\n\n@export('f8(f8)')\ndef f(x):\n    return x + 'a'\n")
    result = subprocess.run(
        [sys.executable, "-m", "ferrojit", "build", str(source), "--out-dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert f"{source}:5:" in result.stderr, result.stderr
    assert "return x + 'a'" in result.stderr


def test_build_function_and_export_decorator(tmp_path):
    source = tmp_path / "small.py"
    source.write_text("def twice(x):\n    return 2 * x\n")
    ferrojit.build.build(source, exports=["twice:i8(i8)", "twice:f8(f8)"], out_dir=tmp_path, c_library=False)
    text = run_isolated(tmp_path, "import small; print(small.twice(21), small.twice(1.5))")
    assert text.split() == ["42", "3.0"]

    @ferrojit.export("f8(f8)")
    @ferrojit.export("i8(i8)")
    def inc(x):
        return x + 1

    assert inc.__ferrojit_exports__ == ["f8(f8)", "i8(i8)"]
    assert inc(1) == 2 and inc(0.5) == 1.5
    with pytest.raises(ferrojit.SignatureError):
        ferrojit.export("f8(f8")
    with pytest.raises(TypeError):
        ferrojit.export(inc)


def test_cli_help_and_usage_errors():
    result = subprocess.run([sys.executable, "-m", "ferrojit", "build", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--export NAME[:SIGNATURE]" in result.stdout
    result = subprocess.run([sys.executable, "-m", "ferrojit", "build"], capture_output=True, text=True)
    assert result.returncode == 2 and "missing the module file" in result.stderr
