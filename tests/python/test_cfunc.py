"""``@cfunc``: C-callable compiled functions, called from a C loop (a helper built with cc),
through ctypes, and by SciPy's ``quad`` through ``LowLevelCallable`` where SciPy is installed."""

import ctypes
import math
import shutil
import subprocess

import numpy as np
import pytest

from ferrojit import cfunc, config, float64, int32, int64
from ferrojit.errors import TypingError

C_LOOP = r"""
double midpoint(double (*f)(double), double a, double b, int n) {
    double h = (b - a) / n, s = 0.0;
    for (int i = 0; i < n; i++) s += f(a + (i + 0.5) * h);
    return s * h;
}
long long count_if(int (*pred)(long long, double), long long n, double t) {
    long long c = 0;
    for (long long i = 0; i < n; i++) c += pred(i, t) != 0;
    return c;
}
"""


@cfunc("f8(f8)")
def bump(x):
    return math.exp(-x * x) * math.cos(3.0 * x)


@cfunc(int32(int64, float64))
def below(i, t):
    return 1 if math.sqrt(i) < t else 0


@pytest.fixture(scope="module")
def c_loop(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    d = tmp_path_factory.mktemp("cloop")
    (d / "loop.c").write_text(C_LOOP)
    subprocess.run([cc, "-O1", "-shared", "-fPIC", "-o", str(d / "loop.so"), str(d / "loop.c")], check=True)
    lib = ctypes.CDLL(str(d / "loop.so"))
    lib.midpoint.restype = ctypes.c_double
    lib.midpoint.argtypes = [ctypes.c_void_p, ctypes.c_double, ctypes.c_double, ctypes.c_int]
    lib.count_if.restype = ctypes.c_longlong
    lib.count_if.argtypes = [ctypes.c_void_p, ctypes.c_longlong, ctypes.c_double]
    return lib


def python_midpoint(f, a, b, n):
    h = (b - a) / n
    s = 0.0
    for i in range(n):
        s += f(a + (i + 0.5) * h)
    return s * h


def test_a_c_loop_calls_the_cfunc(c_loop):
    got = c_loop.midpoint(bump.address, -2.0, 3.0, 1000)
    assert got == python_midpoint(bump.py_func, -2.0, 3.0, 1000)
    assert c_loop.count_if(below.address, 1000, 7.5) == sum(below.py_func(i, 7.5) for i in range(1000))


def test_ctypes_and_python_calls():
    for x in [0.0, 0.5, -1.25, 3.0]:
        assert bump.ctypes(x) == bump.py_func(x)
        assert bump(x) == bump.py_func(x)
    assert below(49, 7.5) == 1 and below(64, 7.5) == 0
    assert bump.c_signature == ("float64", ("float64",))
    assert bump.native_name.endswith("bump")
    assert isinstance(bump.ctypes, ctypes._CFuncPtr)


def test_exceptions_are_printed_for_c_and_raised_for_python(capfd):
    @cfunc("i8(i8, i8)")
    def div(a, b):
        return a // b

    assert div(7, 2) == 3
    assert div.ctypes(1, 0) == 0
    assert "ZeroDivisionError" in capfd.readouterr().err
    with pytest.raises(ZeroDivisionError):
        div(1, 0)


def test_signatures_must_be_c_types():
    def f(a):
        return a[0]

    with pytest.raises(TypingError, match="number or bool"):
        cfunc("f8(f8[:])")(f)
    with pytest.raises(TypingError, match="number or bool"):
        cfunc("c16(f8)")(f)


def test_disabled_jit_returns_the_function():
    saved = config.DISABLE_JIT
    config.DISABLE_JIT = True
    try:
        def f(x):
            return x

        assert cfunc("f8(f8)")(f) is f
    finally:
        config.DISABLE_JIT = saved


def test_scipy_quad_through_low_level_callable():
    scipy = pytest.importorskip("scipy", reason="SciPy is not installed (optional)")
    from scipy import LowLevelCallable, integrate

    fast, _ = integrate.quad(LowLevelCallable(bump.ctypes), -2.0, 3.0)
    slow, _ = integrate.quad(bump.py_func, -2.0, 3.0)
    assert fast == pytest.approx(slow, rel=1e-12)
