"""``cache=True``: compiled code persists in ``__pycache__`` across processes.

Every scenario runs the module in fresh interpreters (subprocesses) and reads back what the
cache did through ``ferrojit._ferrojit._cache_stats()``: a hit, a source change, a change in a
called function or a frozen global, corrupted entries, two processes writing at once, no C
compiler. ``test_hit_is_faster_than_compiling`` prints the time of a first call that compiles
against one served from the cache (run pytest with ``-s`` to see it).
"""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(shutil.which(os.environ.get("CC", "cc")) is None, reason="no C compiler (cc)")

MODULE = """\
import math
from ferrojit import jit

K = {k}


@jit(cache=True)
def helper(x):
    return {helper}


@jit(cache=True)
def kernel(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += {term}
    return s
"""

RUNNER = """\
import json, sys, time, warnings
sys.path.insert(0, {directory!r})
import numpy as np
import ferrojit
import ferrojit._ferrojit as fj
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    {wait}
    import kmod
    a = np.arange(100.0)
    t = time.perf_counter()
    result = kmod.kernel(a)
    first = time.perf_counter() - t
    plain = ferrojit.jit(kmod.kernel.py_func)
    t = time.perf_counter()
    plain(a)
    jit_only = time.perf_counter() - t
print(json.dumps({{
    "result": float(result),
    "first_call": first,
    "jit_compile": jit_only,
    "stats": fj._cache_stats(),
    "warnings": [str(w.message) for w in caught],
}}))
"""


def write_module(directory, k=3.0, helper="math.sin(x) * K", term="helper(a[i])"):
    (directory / "kmod.py").write_text(MODULE.format(k=k, helper=helper, term=term))


def run(directory, env=None, wait=""):
    code = RUNNER.format(directory=str(directory), wait=wait)
    full_env = dict(os.environ, **(env or {}))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def expected(k=3.0, scale=1.0):
    import math

    return sum(math.sin(x) * k * scale for x in [float(i) for i in range(100)])


def cache_files(directory):
    pycache = directory / "__pycache__"
    return sorted(p.name for p in pycache.iterdir()) if pycache.exists() else []


BIG = """\
import math
from ferrojit import jit


@jit(cache={cache})
def smooth(x):
    return 0.5 * (1.0 + math.tanh(x))


@jit(cache={cache})
def step(z, c, limit):
    for n in range(limit):
        if abs(z) > 2.0:
            return n + 1.0 - math.log(math.log(abs(z))) / math.log(2.0)
        z = z * z + c
    return float(limit)


@jit(cache={cache})
def render(image, x0, y0, dx, dy, limit):
    total = 0.0
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            c = complex(x0 + j * dx, y0 + i * dy)
            v = step(0j, c, limit)
            image[i, j] = smooth(v / limit)
            total += image[i, j]
    return total
"""

FIRST_CALL = """\
import sys, time, json
sys.path.insert(0, {directory!r})
import numpy as np
import ferrojit, ferrojit._ferrojit as fj
import ferrojit._source, inspect  # the source lookup's imports, paid by any first call
import {module} as m
image = np.zeros((24, 32))
t = time.perf_counter()
total = m.render(image, -2.0, -1.0, 0.1, 0.1, 50)
print(json.dumps({{"seconds": time.perf_counter() - t, "total": total, "stats": fj._cache_stats()}}))
"""


def first_call(directory, module):
    code = FIRST_CALL.format(directory=str(directory), module=module)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_hit_is_faster_than_compiling(tmp_path):
    (tmp_path / "cached.py").write_text(BIG.format(cache=True))
    (tmp_path / "uncached.py").write_text(BIG.format(cache=False))
    jit = [first_call(tmp_path, "uncached") for _ in range(3)]
    miss = first_call(tmp_path, "cached")
    assert miss["stats"] == {"hits": 0, "compiled": 1}
    hits = [first_call(tmp_path, "cached") for _ in range(3)]
    for hit in hits:
        assert hit["stats"] == {"hits": 1, "compiled": 0}
        assert hit["total"] == jit[0]["total"] == miss["total"]
    best_jit = min(r["seconds"] for r in jit)
    best_hit = min(r["seconds"] for r in hits)
    print(
        f"\nfirst call of render() in a fresh process: JIT compile {best_jit * 1e3:.2f} ms, "
        f"cache miss (compile + cc + store) {miss['seconds'] * 1e3:.1f} ms, "
        f"cache hit {best_hit * 1e3:.2f} ms"
    )
    assert best_hit < miss["seconds"]


def test_repeated_runs_hit_and_keep_the_entry(tmp_path):
    write_module(tmp_path)
    miss = run(tmp_path)
    assert miss["stats"] == {"hits": 0, "compiled": 1}
    assert miss["result"] == pytest.approx(expected(), rel=1e-14)
    files = cache_files(tmp_path)
    assert any(f.endswith(".fjc") for f in files) and any(f.endswith(".so") for f in files)
    for _ in range(2):
        hit = run(tmp_path)
        assert hit["stats"] == {"hits": 1, "compiled": 0}
        assert hit["result"] == miss["result"]
        assert hit["warnings"] == []
    assert cache_files(tmp_path) == files


def test_changed_source_recompiles(tmp_path):
    write_module(tmp_path)
    first = run(tmp_path)
    write_module(tmp_path, term="2.0 * helper(a[i])")
    second = run(tmp_path)
    assert second["stats"] == {"hits": 0, "compiled": 1}
    assert second["result"] == pytest.approx(2 * first["result"], rel=1e-14)


def test_changed_callee_recompiles(tmp_path):
    write_module(tmp_path)
    first = run(tmp_path)
    write_module(tmp_path, helper="math.sin(x) * K * 3.0")
    second = run(tmp_path)
    assert second["stats"] == {"hits": 0, "compiled": 1}
    assert second["result"] == pytest.approx(3 * first["result"], rel=1e-14)
    assert run(tmp_path)["stats"] == {"hits": 1, "compiled": 0}


def test_changed_global_recompiles(tmp_path):
    write_module(tmp_path, k=3.0)
    run(tmp_path)
    write_module(tmp_path, k=4.0)
    second = run(tmp_path)
    assert second["stats"] == {"hits": 0, "compiled": 1}
    assert second["result"] == pytest.approx(expected(k=4.0), rel=1e-14)


@pytest.mark.parametrize("victim", [".so", ".fjc"])
def test_corrupted_entry_warns_and_is_rebuilt(tmp_path, victim):
    write_module(tmp_path)
    good = run(tmp_path)
    (path,) = [p for p in (tmp_path / "__pycache__").iterdir() if p.name.endswith(victim)]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    rebuilt = run(tmp_path)
    assert rebuilt["stats"] == {"hits": 0, "compiled": 1}
    assert rebuilt["result"] == good["result"]
    assert len(rebuilt["warnings"]) == 1
    assert "ignoring the cache entry" in rebuilt["warnings"][0]
    assert ("truncated or corrupted" if victim == ".so" else "malformed") in rebuilt["warnings"][0]
    again = run(tmp_path)
    assert again["stats"] == {"hits": 1, "compiled": 0} and again["warnings"] == []


def test_concurrent_writers_do_not_corrupt_the_entry(tmp_path):
    write_module(tmp_path)
    go = tmp_path / "go"
    wait = f"import os, time\n    while not os.path.exists({str(go)!r}): time.sleep(0.001)"
    code = RUNNER.format(directory=str(tmp_path), wait=wait)
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    time.sleep(0.5)  # both interpreters started and waiting
    go.write_text("")
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, out + err
    results = [json.loads(out) for out, _ in outputs]
    assert all(r["result"] == pytest.approx(expected(), rel=1e-14) for r in results)
    assert all(r["warnings"] == [] for r in results)
    assert not [f for f in cache_files(tmp_path) if f.endswith(".tmp") or f.startswith(".")]
    after = run(tmp_path)
    assert after["stats"] == {"hits": 1, "compiled": 0}
    assert after["warnings"] == []


def test_without_a_c_compiler_it_warns_once_and_jits(tmp_path):
    write_module(tmp_path)
    report = run(tmp_path, env={"CC": str(tmp_path / "no-such-cc")})
    assert report["result"] == pytest.approx(expected(), rel=1e-14)
    assert len(report["warnings"]) == 1 and "needs a C compiler" in report["warnings"][0]
    assert cache_files(tmp_path) == []


def test_cache_dir_from_the_environment(tmp_path):
    write_module(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    run(tmp_path, env={"FERROJIT_CACHE_DIR": str(elsewhere)})
    assert cache_files(tmp_path) == []
    assert any(p.name.endswith(".fjc") for p in elsewhere.iterdir())
    assert run(tmp_path, env={"FERROJIT_CACHE_DIR": str(elsewhere)})["stats"]["hits"] == 1


def test_parallel_kernels_are_cached_and_run_on_the_thread_pool(tmp_path):
    (tmp_path / "pmod.py").write_text(
        "from ferrojit import jit, prange\n\n\n"
        "@jit(cache=True, parallel=True)\n"
        "def psum(a):\n    s = 0.0\n    for i in prange(a.shape[0]):\n        s += a[i]\n    return s\n"
    )
    code = (
        f"import sys, json; sys.path.insert(0, {str(tmp_path)!r})\n"
        "import numpy as np, pmod, ferrojit._ferrojit as fj\n"
        "print(json.dumps([pmod.psum(np.arange(100000.0)), fj._cache_stats()]))\n"
    )
    runs = []
    for _ in range(2):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert result.returncode == 0 and result.stderr == "", result.stdout + result.stderr
        runs.append(json.loads(result.stdout))
    assert runs[0] == [4999950000.0, {"hits": 0, "compiled": 1}]
    assert runs[1] == [4999950000.0, {"hits": 1, "compiled": 0}]


def test_kernels_that_create_arrays_are_cached(tmp_path):
    (tmp_path / "amod.py").write_text(
        "import numpy as np\nfrom ferrojit import jit\n\n\n"
        "@jit(cache=True)\n"
        "def make(n):\n"
        "    a = np.arange(n) * 2.0\n"
        "    for i in range(3):\n"
        "        t = a + i\n"
        "        a[0] += t.sum()\n"
        "    return a, a[::-1]\n"
    )
    code = (
        f"import sys, json; sys.path.insert(0, {str(tmp_path)!r})\n"
        "import amod, ferrojit._ferrojit as fj\n"
        "a, r = amod.make(4)\n"
        "print(json.dumps([a.tolist(), r.tolist(), r.base is a.base, fj._cache_stats()]))\n"
    )
    runs = []
    for _ in range(2):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert result.returncode == 0 and result.stderr == "", result.stdout + result.stderr
        runs.append(json.loads(result.stdout))
    values = [[100.0, 2.0, 4.0, 6.0], [6.0, 4.0, 2.0, 100.0], True]
    assert runs[0] == values + [{"hits": 0, "compiled": 1}]
    assert runs[1] == values + [{"hits": 1, "compiled": 0}]
