"""Ahead-of-time libraries link the Rust runtime (its static archive), not a C copy of it: what
that makes possible, shown from the Python extension (in an interpreter without ferrojit) and
from a C program:

- exported functions that create and return arrays (owned by the caller: a NumPy array with
  its own base in Python; memory held by the error slot until ``<module>_release`` in C);
- ``parallel=True`` functions whose ``prange`` loops run on the runtime's thread pool;
- the NumPy library (``np.sort``, ``np.median``, ``np.linalg.solve``, ``np.random``);
- errors raised in compiled code: exceptions in Python, a code and a message in C;
- the call's other memory is freed when the call returns (no growth over many calls).

Needs a C compiler (``cc``); without one the tests are skipped with the reason printed.
"""

import inspect
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from diff import assert_same
from test_aot import run_isolated

CC = os.environ.get("CC", "cc")
pytestmark = pytest.mark.skipif(shutil.which(CC.split()[0] if CC else "cc") is None, reason="no C compiler (cc)")

MODULE = '''\
import numpy as np
from ferrojit import export, prange


@export('f8[:](i8, f8)')
def ramp(n, step):
    out = np.empty(n)
    for i in range(n):
        out[i] = i * step
    return out


@export('Tuple((f8[:, :], f8[:, :]))(f8[:, :])')
def twice_and_tail(m):
    d = m * 2.0
    return d, d[1:]


@export('f8(f8[:])', parallel=True)
def psum(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += np.sqrt(a[i])
    return s


@export('f8(f8[:])')
def med(a):
    return np.median(a)


@export('f8[:](f8[:])')
def sorted_copy(a):
    return np.sort(a)


@export('f8[:](f8[:, :], f8[:])')
def solve(m, b):
    return np.linalg.solve(m, b)


@export('f8[:](i8, i8)')
def draws(seed, n):
    np.random.seed(seed)
    return np.random.random(n)


@export('i8(i8, i8)')
def quot(a, b):
    return a // b


@export('f8(f8[:], i8)', boundscheck=True)
def pick(a, i):
    return a[i]


@export('f8(i8)')
def temporaries(n):
    t = np.ones(n) * 2.0
    return t.sum()


@export('b1(b1)', 'i1(i1)', 'u2(u2)', 'i8(i8)', 'u8(u8)', 'f4(f4)', 'c8(c8)')
def same(x):
    return x


@export('b1(b1)')
def same_b1(x):
    return x


@export('i1(i1)')
def same_i1(x):
    return x


@export('u2(u2)')
def same_u2(x):
    return x


@export('i8(i8)')
def same_i8(x):
    return x


@export('u8(u8)')
def same_u8(x):
    return x


@export('f4(f4)')
def same_f4(x):
    return x


@export('c8(c8)')
def same_c8(x):
    return x


@export('Tuple(i2, f8)(Tuple(i2, f8))')
def same_pair(p):
    return p
'''

CHILD = r'''
import json, os, sys
import numpy as np
import kernels

def threads():
    return len(os.listdir("/proc/self/task"))

out = {}
r = kernels.ramp(5, 0.5)
out["ramp"] = r.tolist()
out["ramp_owns_its_memory"] = r.base is not None and type(r.base).__name__ == "PyCapsule"
out["ramp_writeable"] = bool(r.flags.writeable)
d, tail = kernels.twice_and_tail(np.arange(6.0).reshape(3, 2))
out["twice"] = d.tolist()
out["tail"] = tail.tolist()
out["tail_shares_memory"] = bool(np.shares_memory(d, tail))
del d
out["tail_after_del"] = tail.tolist()
out["solve"] = kernels.solve(np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([3.0, 5.0])).tolist()
out["median"] = kernels.med(np.array([5.0, 1.0, 4.0, 2.0, 3.0]))
out["sorted"] = kernels.sorted_copy(np.array([5.0, 1.0, 4.0, 2.0, 3.0])).tolist()
out["draws"] = kernels.draws(42, 4).tolist()
a = np.arange(200000.0)
before = threads()
out["psum"] = kernels.psum(a)
out["threads_before"], out["threads_after"] = before, threads()
for name, call in [("quot", lambda: kernels.quot(7, 0)), ("pick", lambda: kernels.pick(np.arange(3.0), 7))]:
    try:
        call()
        out[name] = None
    except Exception as e:
        out[name] = [type(e).__name__, str(e), getattr(e, "__notes__", [])]
# Memory of calls is released: 300 calls making two 800 KB temporaries each.
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
kernels.temporaries(100000)
start = rss()
for _ in range(300):
    kernels.temporaries(100000)
    kernels.ramp(100000, 1.0)
out["rss_growth"] = rss() - start
out["ferrojit_loaded"] = [m for m in sys.modules if m.startswith("ferrojit")]
print(json.dumps(out))
'''

PROGRAM = r'''
#include <dirent.h>
#include <stdio.h>
#include "kernels.h"

static int threads(void) {
    int n = 0;
    struct dirent *e;
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    while ((e = readdir(d))) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void error(const char *what, int32_t code, const ferrojit_error_slot *err,
                  const ferrojit_error_info *info) {
    char text[512];
    kernels_format_error(info, err, text, sizeof text);
    printf("%s %d %s\n", what, code, text);
}

static const double *data(const ferrojit_array1 *a) { return (const double *)a->data; }

int main(void) {
    ferrojit_error_slot err = {0};
    const ferrojit_array1 *r = NULL;
    const ferrojit_array2 *d = NULL, *tail = NULL;
    double x = 0;
    int64_t q = 0;
    int32_t code;

    if (kernels_ramp_f8a_i8_f8(5, 0.5, &r, &err) != 0) return 10;
    printf("ramp %lld %lld %g %g\n", (long long)r->shape[0], (long long)r->strides[0],
           data(r)[1], data(r)[4]);
    printf("ramp_without_slot %d\n", kernels_ramp_f8a_i8_f8(5, 0.5, &r, NULL));

    double m_data[6] = {0, 1, 2, 3, 4, 5};
    ferrojit_array2 m = {m_data, NULL, {3, 2}, {2 * sizeof(double), sizeof(double)}};
    if (kernels_twice_and_tail_t_f8a2_f8a2__f8a2(&m, &d, &tail, &err) != 0) return 11;
    printf("tail %lld %lld %g\n", (long long)tail->shape[0], (long long)tail->shape[1],
           ((const double *)tail->data)[0]);

    double s_data[4] = {2.0, 1.0, 1.0, 3.0}, b_data[2] = {3.0, 5.0};
    ferrojit_array2 s = {s_data, NULL, {2, 2}, {2 * sizeof(double), sizeof(double)}};
    ferrojit_array1 b = {b_data, NULL, {2}, {sizeof(double)}};
    if (kernels_solve_f8a_f8a2_f8a(&s, &b, &r, &err) != 0) return 12;
    printf("solve %.17g %.17g\n", data(r)[0], data(r)[1]);

    double v_data[5] = {5.0, 1.0, 4.0, 2.0, 3.0};
    ferrojit_array1 v = {v_data, NULL, {5}, {sizeof(double)}};
    if (kernels_med_f8_f8a(&v, &x, &err) != 0) return 13;
    printf("median %.17g\n", x);
    if (kernels_sorted_copy_f8a_f8a(&v, &r, &err) != 0) return 14;
    printf("sorted %g %g %g %g %g\n", data(r)[0], data(r)[1], data(r)[2], data(r)[3], data(r)[4]);
    if (kernels_draws_f8a_i8_i8(42, 4, &r, &err) != 0) return 15;
    printf("draws %.17g %.17g %.17g %.17g\n", data(r)[0], data(r)[1], data(r)[2], data(r)[3]);
    kernels_release(&err);
    printf("released %d\n", err.arena == NULL);

    static double big[200000];
    for (int i = 0; i < 200000; i++) big[i] = (double)i;
    ferrojit_array1 a = {big, NULL, {200000}, {sizeof(double)}};
    int before = threads();
    if (kernels_psum_f8_f8a(&a, &x, NULL) != 0) return 16;
    printf("psum %.17g %d %d\n", x, before, threads());

    code = kernels_quot_i8_i8_i8(7, 0, &q, &err);
    error("quot", code, &err, kernels_quot_i8_i8_i8_error_info((uint32_t)code));
    code = kernels_pick_f8_f8a_i8(&v, 9, &x, &err);
    error("pick", code, &err, kernels_pick_f8_f8a_i8_error_info((uint32_t)code));
    kernels_release(&err);
    return 0;
}
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Builds the module once (C library, header and extension): (module file, out dir)."""
    root = tmp_path_factory.mktemp("aot_runtime")
    source = root / "kernels.py"
    source.write_text(MODULE)
    out = root / "out"
    result = subprocess.run(
        [sys.executable, "-m", "ferrojit", "build", str(source), "--out-dir", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return source, out


def expected():
    np.random.seed(42)
    draws = np.random.random(4)
    m = np.arange(6.0).reshape(3, 2) * 2.0
    return {
        "ramp": np.arange(5) * 0.5,
        "twice": m,
        "tail": m[1:],
        "solve": np.linalg.solve(np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([3.0, 5.0])),
        "median": 3.0,
        "sorted": np.array([1.0, 2.0, 3.0, 4.0, 5.0]),
        "draws": draws,
    }


def test_extension_returns_arrays_runs_prange_and_the_numpy_library(built):
    _, out = built
    env_threads = os.environ.get("FERROJIT_NUM_THREADS")
    os.environ["FERROJIT_NUM_THREADS"] = "2"
    try:
        got = json.loads(run_isolated(out, CHILD))
    finally:
        if env_threads is None:
            del os.environ["FERROJIT_NUM_THREADS"]
        else:
            os.environ["FERROJIT_NUM_THREADS"] = env_threads
    assert got["ferrojit_loaded"] == []
    for key, value in expected().items():
        # faer's solve may differ from LAPACK's in the last bits (as in the JIT).
        rtol = 1e-12 if key == "solve" else None
        assert_same(np.asarray(got[key]), np.asarray(value), rtol=rtol, where=key)
    assert got["ramp_owns_its_memory"] and got["ramp_writeable"]
    assert got["tail_shares_memory"] and got["tail_after_del"] == got["tail"]
    assert got["psum"] == pytest.approx(np.sqrt(np.arange(200000.0)).sum(), rel=1e-12)
    # The runtime's pool started its worker threads for the prange loop.
    assert got["threads_after"] > got["threads_before"], got
    assert got["quot"][:2] == ["ZeroDivisionError", "integer division or modulo by zero"]
    assert got["quot"][2][0].startswith("(in function quot at line")
    assert got["pick"][:2] == ["IndexError", "index 7 is out of bounds for axis 0 with size 3"]
    # 300 calls creating ~2.4 MB each: what a call allocates does not outlive it.
    assert got["rss_growth"] < 64 * 2**20, got["rss_growth"]


def test_c_program_gets_arrays_threads_library_and_error_messages(built):
    source, out = built
    program = out.parent / "main.c"
    program.write_text(PROGRAM)
    exe = out.parent / "main"
    compiled = subprocess.run(
        CC.split() + ["-I", str(out), str(program), "-L", str(out), "-lkernels", "-o", str(exe)],
        capture_output=True,
        text=True,
    )
    assert compiled.returncode == 0, compiled.stderr
    env = dict(os.environ, LD_LIBRARY_PATH=str(out), FERROJIT_NUM_THREADS="2")
    ran = subprocess.run([str(exe)], capture_output=True, text=True, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = {line.split()[0]: line.split(None, 1)[1] for line in ran.stdout.splitlines()}
    want = expected()
    assert lines["ramp"] == "5 8 0.5 2"
    assert lines["ramp_without_slot"] == "-1"
    assert lines["tail"] == "2 2 4"
    assert [float(x) for x in lines["solve"].split()] == pytest.approx(want["solve"].tolist(), rel=1e-12)
    assert float(lines["median"]) == want["median"]
    assert [float(x) for x in lines["sorted"].split()] == want["sorted"].tolist()
    assert [float(x) for x in lines["draws"].split()] == want["draws"].tolist()
    assert lines["released"] == "1"
    total, before, after = lines["psum"].split()
    assert float(total) == pytest.approx(np.sqrt(np.arange(200000.0)).sum(), rel=1e-12)
    assert int(after) > int(before)
    line = MODULE.splitlines().index("    return a // b") + 1
    assert lines["quot"] == (
        f"1 ZeroDivisionError: integer division or modulo by zero "
        f"(in function quot at line {line} of {source})"
    )
    assert lines["pick"].startswith("1 IndexError: index 9 is out of bounds for axis 0 with size 5")


# Values whose conversion to a parameter type is the question: each is given to `same` (the
# extension and the JIT's dispatcher pick among its signatures by the one table of
# conversions) and to each `same_<type>` alone (converted, then encoded in its slot).
CONVERSION_VALUES = (
    "[True, 0, 5, 300, -129, 2**63, -(2**63), 2.7, -1e30, 1e40, 0.1, 1+2j, "
    "np.int16(1000), np.uint8(200), np.float32(1.5), np.bool_(True), np.complex64(3j)]"
)
SIGNATURES = ["b1(b1)", "i1(i1)", "u2(u2)", "i8(i8)", "u8(u8)", "f4(f4)", "c8(c8)"]


def conversion_results(functions, np_module):
    values = eval(CONVERSION_VALUES, {"np": np_module})
    out = []
    for value in values:
        row = []
        for f in functions:
            try:
                r = f(value)
                row.append([type(r).__name__, repr(r)])
            except Exception as e:
                row.append([type(e).__name__])
        out.append(row)
    return out


def test_extension_converts_arguments_as_the_dispatcher(built):
    import ferrojit

    _, out = built
    code = (
        "import json, numpy as np, kernels\n"
        + f"SIGNATURES = {SIGNATURES!r}\nCONVERSION_VALUES = {CONVERSION_VALUES!r}\n"
        + inspect.getsource(conversion_results)
        + "fs = [kernels.same] + [getattr(kernels, 'same_' + s.split('(')[0]) for s in SIGNATURES]\n"
        + "print(json.dumps([conversion_results(fs, np),"
        + " [[type(r).__name__, repr(r)] for r in [kernels.same_pair((300, 2)), kernels.same_pair((np.int8(-3), np.float32(0.5)))]]]))\n"
    )
    got_same, got_pair = json.loads(run_isolated(out, code))

    def same(x):
        return x

    def same_pair(p):
        return p

    jit_same = ferrojit.jit(SIGNATURES)(same)
    jit_pair = ferrojit.jit(["Tuple(i2, f8)(Tuple(i2, f8))"])(same_pair)
    singles = [ferrojit.jit([signature])(same) for signature in SIGNATURES]
    assert got_same == conversion_results([jit_same] + singles, np)
    assert got_pair == [[type(r).__name__, repr(r)] for r in [jit_pair((300, 2)), jit_pair((np.int8(-3), np.float32(0.5)))]]


def test_only_the_library_api_is_exported(built):
    _, out = built
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("no nm")
    symbols = subprocess.run([nm, "-D", "--defined-only", str(out / "libkernels.so")], capture_output=True, text=True).stdout
    names = [line.split()[-1] for line in symbols.splitlines() if line.strip()]
    # The library's API (and the compiled entries); none of the runtime's symbols.
    assert names and all(n.startswith(("kernels_", "__ferrojit_kernels_")) for n in names), names
