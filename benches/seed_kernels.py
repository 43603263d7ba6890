#!/usr/bin/env python3
"""Times ferrojit on the three seed kernels against CPython, NumPy and Numba, in one run.

    python benches/seed_kernels.py [--quick] [--json FILE] [--strict]

For each kernel (filter2d, Mandelbrot ``create_fractal``, N-body; see benches/kernels.py) it
measures:

* steady state: the best of ``--repeat`` calls after a warm-up call, for NumPy (a vectorised
  rewrite), Numba (when importable; never required) and ferrojit. Buffers are allocated once
  and reused, because first-touch page faults on these machines cost as much as the kernels;
* CPython on a reduced problem (about 1/16 of the work), scaled linearly to the full size and
  labelled "extrapolated": the full sizes take minutes in CPython;
* the first call (decorate + compile + first run) in a fresh subprocess, for Numba and ferrojit;
* correctness: ferrojit's result against CPython's on the reduced size and against Numba's on
  the full size.

It also measures ``import numpy/numba/ferrojit`` (fresh subprocesses) and the per-call overhead
of a jitted ``identity(x)`` against the plain Python function. A kernel that a framework fails
to compile shows the error in its table row; the run goes on. docs/benchmarks.md explains how to
read the table.
"""

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import timeit
import traceback
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
KERNELS_PATH = HERE / "kernels.py"
JIT_FRAMEWORKS = ("numba", "ferrojit")
MISSING = "not installed"


# --- loading and jitting the kernels -------------------------------------------------------


def load_kernels(tag):
    """A fresh module object from benches/kernels.py, so that each framework has its own
    globals (``create_fractal`` must call that framework's jitted ``mandel``)."""
    name = f"_seed_kernels_{tag}"
    spec = importlib.util.spec_from_file_location(name, KERNELS_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # inspect.getsource looks modules up by name
    spec.loader.exec_module(module)
    return module


def import_framework(name):
    if name == "numba":
        import numba

        return numba
    if name == "ferrojit":
        import ferrojit

        return ferrojit
    raise ValueError(name)


class JitBuilder:
    """Jits kernels of one fresh copy of kernels.py with one framework, one kernel at a time,
    so that a kernel that fails to compile does not take the others with it."""

    def __init__(self, framework):
        self.framework = framework
        self.module_api = import_framework(framework)
        self.jit = self.module_api.njit if framework == "numba" else self.module_api.jit
        self.mod = load_kernels(framework)
        self._mandel_done = False

    def build(self, kernel_name):
        mod, jit = self.mod, self.jit
        if kernel_name == "filter2d":
            return jit(mod.FILTER2D_SIGNATURE)(mod.filter2d)  # eager, as in Numba's example
        if kernel_name == "mandelbrot":
            if not self._mandel_done:
                mod.mandel = jit(mod.mandel)
                self._mandel_done = True
            return jit(mod.create_fractal)
        if kernel_name == "nbody":
            return jit(mod.nbody)
        if kernel_name == "identity":
            return jit(mod.identity)
        raise ValueError(kernel_name)


# --- the kernels: inputs, sizes, NumPy versions, comparisons --------------------------------


def _full_touched(shape, dtype=np.float64):
    # np.zeros maps untouched pages; write them now so that no timed call pays the first touch.
    out = np.empty(shape, dtype=dtype)
    out.fill(0)
    return out


def filter2d_numpy(image, filt, output):
    """Sliding-window sum: one shifted slice of the image per filter tap, summed in the same
    (k, l) order as the loop kernel, so the result is bitwise the same."""
    M, N = image.shape
    m, n = filt.shape
    acc = np.zeros((M - 2 * (m // 2), N - 2 * (n // 2)))
    for k in range(m):
        for l in range(n):  # noqa: E741
            acc += image[k : k + acc.shape[0], l : l + acc.shape[1]] * filt[k, l]
    output[m // 2 : M - m // 2, n // 2 : N - n // 2] = acc


def create_fractal_numpy(min_x, max_x, min_y, max_y, image, iters):
    """Vectorised escape-time iteration over the pixels still inside, compacted as they leave."""
    height, width = image.shape
    real = min_x + np.arange(width) * ((max_x - min_x) / width)
    imag = min_y + np.arange(height) * ((max_y - min_y) / height)
    c = np.empty((height, width), dtype=np.complex128)
    c.real = real[None, :]
    c.imag = imag[:, None]
    counts = np.full(height * width, iters, dtype=np.int64)
    c = c.ravel()
    z = np.zeros_like(c)
    alive = np.arange(c.size)
    for i in range(iters):
        z = z * z + c
        escaped = (z.real * z.real + z.imag * z.imag) >= 4
        if escaped.any():
            counts[alive[escaped]] = i
            keep = ~escaped
            z, c, alive = z[keep], c[keep], alive[keep]
            if alive.size == 0:
                break
    image[...] = counts.reshape(height, width)
    return image


def nbody_numpy(particle, particlev, nSteps, dt):
    """All pairwise forces at once by broadcasting (N×N temporaries); sums in another order
    than the loop kernel, so it agrees to rounding only."""
    for _ in range(nSteps):
        dx = particle[None, :, 0] - particle[:, None, 0]
        dy = particle[None, :, 1] - particle[:, None, 1]
        dz = particle[None, :, 2] - particle[:, None, 2]
        dr_squared = dx * dx + dy * dy + dz * dz
        with np.errstate(divide="ignore", invalid="ignore"):
            dr_power = 1.0 / (dr_squared + np.sqrt(dr_squared))
        np.fill_diagonal(dr_power, 0.0)
        particlev[:, 0] += dt * (dx * dr_power).sum(axis=1)
        particlev[:, 1] += dt * (dy * dr_power).sum(axis=1)
        particlev[:, 2] += dt * (dz * dr_power).sum(axis=1)
        particle += particlev * dt
    return particle, particlev


class Kernel:
    """One seed kernel: how to make its inputs at a size, and how to run and compare it."""

    name = ""
    mutates_inputs = False

    def __init__(self, quick):
        self.quick = quick

    def label(self, size):
        raise NotImplementedError

    def inputs(self, size):
        raise NotImplementedError

    def work(self, size):
        """Inner-loop iterations (the unit for scaling CPython's time)."""
        raise NotImplementedError

    def result(self, returned, args):
        """The values to compare, copied."""
        raise NotImplementedError

    def reset(self, args, pristine):
        """Restores mutated inputs in place (reused pages, not fresh ones)."""
        for a, p in zip(args, pristine):
            if isinstance(a, np.ndarray):
                np.copyto(a, p)


class Filter2D(Kernel):
    name = "filter2d"

    def __init__(self, quick):
        super().__init__(quick)
        self.full, self.reduced = (256, 64) if quick else (1024, 256)

    def label(self, size):
        return f"{size}x{size} f8, 5x5 filter"

    def inputs(self, size):
        rng = np.random.default_rng(1)
        image = rng.random((size, size))
        filt = rng.random((5, 5))
        filt /= filt.sum()
        return (image, filt, _full_touched((size, size)))

    def work(self, size):
        return (size - 4) ** 2 * 25

    def result(self, returned, args):
        return (args[2].copy(),)

    numpy_impl = staticmethod(filter2d_numpy)
    kernel_attr = "filter2d"


class Mandelbrot(Kernel):
    name = "mandelbrot"
    ITERS = 200

    def __init__(self, quick):
        super().__init__(quick)
        self.full, self.reduced = ((256, 192), (64, 48)) if quick else ((1024, 768), (256, 192))

    def label(self, size):
        return f"{size[0]}x{size[1]} u1, {self.ITERS} iters"

    def inputs(self, size):
        width, height = size
        return (-2.0, 1.0, -1.0, 1.0, _full_touched((height, width), np.uint8), self.ITERS)

    def work(self, size):
        # Pixels of the same region at another resolution: the iterations per pixel average
        # out, so the work scales with the pixel count (approximately).
        return size[0] * size[1]

    def result(self, returned, args):
        return (args[4].copy(),)

    numpy_impl = staticmethod(create_fractal_numpy)
    kernel_attr = "create_fractal"


class NBody(Kernel):
    name = "nbody"
    mutates_inputs = True
    STEPS = 3

    def __init__(self, quick):
        super().__init__(quick)
        self.full, self.reduced = (200, 50) if quick else (1000, 250)

    def label(self, size):
        return f"N={size}, {self.STEPS} steps"

    def inputs(self, size):
        rng = np.random.default_rng(2)
        particle = rng.random((size, 3))
        particlev = rng.random((size, 3)) * 0.01
        return (particle, particlev, self.STEPS, 0.01)

    def work(self, size):
        return size * (size - 1) * self.STEPS

    def result(self, returned, args):
        return (args[0].copy(), args[1].copy())

    numpy_impl = staticmethod(nbody_numpy)
    kernel_attr = "nbody"


KERNEL_CLASSES = {k.name: k for k in (Filter2D, Mandelbrot, NBody)}


def compare(got, want):
    """'exact', 'close (max rel err …)' or 'MISMATCH …' for two result tuples."""
    worst = 0.0
    for g, w in zip(got, want):
        g, w = np.asarray(g), np.asarray(w)
        if g.shape != w.shape:
            return f"MISMATCH: shape {g.shape} vs {w.shape}"
        if np.array_equal(g, w):
            continue
        if g.dtype.kind in "iub" or w.dtype.kind in "iub":
            return f"MISMATCH: {int(np.count_nonzero(g != w))} of {g.size} differ"
        if not np.allclose(g, w, rtol=1e-9, atol=1e-12):
            return f"MISMATCH: max abs err {float(np.max(np.abs(g - w))):.3g}"
        scale = np.maximum(np.abs(w), 1e-300)
        worst = max(worst, float(np.max(np.abs(g - w) / scale)))
    return "exact" if worst == 0.0 else f"close (rel err {worst:.1e})"


def is_ok(check):
    return check is not None and not check.startswith("MISMATCH")


# --- measuring ------------------------------------------------------------------------------


def best_time(fn, args, kernel, pristine, repeat, warmup):
    """Best of `repeat` timed calls after `warmup` untimed ones; inputs restored in place
    between calls. Returns (seconds, result of a call from pristine inputs)."""
    for _ in range(warmup):
        kernel.reset(args, pristine)
        fn(*args)
    best = float("inf")
    for _ in range(repeat):
        kernel.reset(args, pristine)
        t0 = time.perf_counter()
        returned = fn(*args)
        best = min(best, time.perf_counter() - t0)
    if kernel.mutates_inputs or warmup + repeat == 0:
        kernel.reset(args, pristine)
        returned = fn(*args)
    return best, kernel.result(returned, args)


def short_error(exc):
    text = f"{type(exc).__name__}: {exc}".strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first


def run_framework(kernel, fn, size, repeat, warmup):
    args = kernel.inputs(size)
    pristine = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    return best_time(fn, args, kernel, pristine, repeat, warmup)


def first_call_child(framework, kernel_name, quick):
    """Runs in a fresh interpreter: decorate + compile + first call, then a second call."""
    import_framework(framework)  # import time is measured separately
    kernel = KERNEL_CLASSES[kernel_name](quick)
    args = kernel.inputs(kernel.full)
    pristine = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    builder = JitBuilder(framework)
    t0 = time.perf_counter()
    fn = builder.build(kernel_name)
    fn(*args)
    first = time.perf_counter() - t0
    kernel.reset(args, pristine)
    t0 = time.perf_counter()
    fn(*args)
    second = time.perf_counter() - t0
    print(json.dumps({"first_call_s": first, "second_call_s": second}))


def measure_first_call(framework, kernel_name, quick, timeout):
    cmd = [sys.executable, str(Path(__file__).resolve()), "--first-call", framework, kernel_name]
    if quick:
        cmd.append("--quick")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"first call timed out after {timeout} s"}
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return {"error": lines[-1] if lines else f"exit status {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_import(module, runs=3):
    """Best of `runs` fresh interpreters (the first also warms the OS file cache)."""
    code = (
        "import time; t = time.perf_counter(); "
        f"import {module}; print(time.perf_counter() - t)"
    )
    best = None
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines()
            return {"error": lines[-1] if lines else f"exit status {proc.returncode}"}
        t = float(proc.stdout.strip().splitlines()[-1])
        best = t if best is None else min(best, t)
    return {"import_s": best}


def measure_call_overhead(fn, arg, number):
    fn(arg)  # compile (lazy jit) and warm up
    timer = timeit.Timer("f(x)", globals={"f": fn, "x": arg})
    return min(timer.repeat(repeat=5, number=number)) / number


# --- the run --------------------------------------------------------------------------------


def available_frameworks(wanted):
    found = {}
    for name in JIT_FRAMEWORKS:
        if name not in wanted:
            continue
        try:
            found[name] = JitBuilder(name)
        except ImportError as exc:
            found[name] = MISSING + f" ({short_error(exc)})"
        except Exception as exc:  # a broken install should not stop the other columns
            found[name] = short_error(exc)
    return found


def bench_kernel(kernel, builders, args):
    row = {"kernel": kernel.name, "size": kernel.label(kernel.full), "results": {}, "checks": {}}
    res = row["results"]
    reduced_results = {}

    if "cpython" in args.frameworks:
        plain = load_kernels("cpython")
        fn = getattr(plain, kernel.kernel_attr)
        try:
            t, out = run_framework(kernel, fn, kernel.reduced, args.cpython_repeat, 0)
            scale = kernel.work(kernel.full) / kernel.work(kernel.reduced)
            res["cpython"] = {
                "time_s": t * scale,
                "extrapolated_from": kernel.label(kernel.reduced),
                "reduced_time_s": t,
                "scale": scale,
            }
            reduced_results["cpython"] = out
        except Exception as exc:
            res["cpython"] = {"error": short_error(exc)}

    if "numpy" in args.frameworks:
        try:
            t, out = run_framework(kernel, kernel.numpy_impl, kernel.full, args.repeat, 1)
            res["numpy"] = {"time_s": t}
            if "cpython" in reduced_results:
                _, small = run_framework(kernel, kernel.numpy_impl, kernel.reduced, 0, 0)
                row["checks"]["numpy_vs_cpython"] = compare(small, reduced_results["cpython"])
        except Exception as exc:
            res["numpy"] = {"error": short_error(exc)}

    full_results = {}
    for name, builder in builders.items():
        if isinstance(builder, str):
            res[name] = {"error": builder}
            continue
        entry = res.setdefault(name, {})
        try:
            fn = builder.build(kernel.name)
            t, out = run_framework(kernel, fn, kernel.full, args.repeat, 1)
            entry["time_s"] = t
            full_results[name] = out
            if "cpython" in reduced_results:
                _, small = run_framework(kernel, fn, kernel.reduced, 0, 0)
                row["checks"][f"{name}_vs_cpython"] = compare(small, reduced_results["cpython"])
        except Exception as exc:
            entry["error"] = short_error(exc)
            entry["traceback"] = traceback.format_exc()
        if not args.no_first_call:
            first = measure_first_call(name, kernel.name, args.quick, args.timeout)
            for key, value in first.items():
                entry[key if key != "error" else "first_call_error"] = value
    if "ferrojit" in full_results and "numba" in full_results:
        row["checks"]["ferrojit_vs_numba"] = compare(full_results["ferrojit"], full_results["numba"])
    return row


def run(args):
    report = {
        "meta": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "numpy": np.__version__,
            "quick": args.quick,
            "repeat": args.repeat,
            "time": time.strftime("%Y-%m-%d %H:%M:%S"),
        },
        "kernels": [],
    }
    wanted_jit = [f for f in JIT_FRAMEWORKS if f in args.frameworks]
    builders = available_frameworks(wanted_jit)
    for name, builder in builders.items():
        if not isinstance(builder, str):
            report["meta"][name] = getattr(builder.module_api, "__version__", "?")

    for kernel_name in args.kernels:
        kernel = KERNEL_CLASSES[kernel_name](args.quick)
        print(f"... {kernel.name} ({kernel.label(kernel.full)})", file=sys.stderr, flush=True)
        report["kernels"].append(bench_kernel(kernel, builders, args))

    print("... imports and call overhead", file=sys.stderr, flush=True)
    report["imports"] = {"numpy": measure_import("numpy")}
    for name in wanted_jit:
        report["imports"][name] = measure_import(name)
    plain = load_kernels("overhead").identity
    overhead = {"python": {}}
    probes = {"float": 1.0, "array": np.zeros(8)}
    for label, value in probes.items():
        overhead["python"][label] = measure_call_overhead(plain, value, args.overhead_calls)
    for name, builder in builders.items():
        overhead[name] = {}
        if isinstance(builder, str):
            overhead[name]["error"] = builder
            continue
        try:
            fn = builder.build("identity")
            for label, value in probes.items():
                overhead[name][label] = measure_call_overhead(fn, value, args.overhead_calls)
        except Exception as exc:
            overhead[name]["error"] = short_error(exc)
    report["call_overhead_s"] = overhead
    return report


# --- the table ------------------------------------------------------------------------------


def fmt_time(seconds):
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e9:.0f} ns"


def cell(entry, key="time_s"):
    if not entry:
        return "-"
    if key in entry:
        return fmt_time(entry[key])
    if entry.get("error", "").startswith(MISSING):
        return "n/a"
    return "error" if entry.get("error" if key == "time_s" else "first_call_error") else "-"


def ratio(a, b, suffix=""):
    if a is None or b is None or b == 0:
        return "-"
    r = a / b
    return (f"{r:.2f}" if r < 10 else f"{r:.0f}") + suffix


def render_table(headers, rows):
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


def format_report(report):
    out = []
    meta = report["meta"]
    versions = ", ".join(
        f"{k} {meta[k]}" for k in ("python", "numpy", "numba", "ferrojit") if k in meta
    )
    out.append(f"Seed kernels{' (--quick sizes)' if meta['quick'] else ''}: {versions}; "
               f"{meta['cpus']} CPUs, {meta['processor']}")
    out.append("")
    out.append(f"Steady state: best of {meta['repeat']} calls after a warm-up (lower is better)")
    headers = ["kernel", "size", "CPython*", "NumPy", "Numba", "ferrojit",
               "ferrojit speed-up vs CPython", "ferrojit/Numba", "notes"]
    rows, errors = [], []
    for k in report["kernels"]:
        r = k["results"]
        cp, fj, nb = (r.get(x, {}).get("time_s") for x in ("cpython", "ferrojit", "numba"))
        notes = []
        for name in ("ferrojit", "numba", "numpy", "cpython"):
            err = r.get(name, {}).get("error")
            if err and not err.startswith(MISSING):
                notes.append(f"{name}: {err[:110]}")
                errors.append((k["kernel"], name, r[name].get("traceback") or err))
        for check, verdict in k["checks"].items():
            if not verdict.startswith("exact") or check.startswith("ferrojit"):
                notes.append(f"{check.replace('_vs_', ' vs ')}: {verdict}")
        rows.append([k["kernel"], k["size"], cell(r.get("cpython")), cell(r.get("numpy")),
                     cell(r.get("numba")), cell(r.get("ferrojit")), ratio(cp, fj, "x"),
                     ratio(fj, nb), "; ".join(notes)])
    out.append(render_table(headers, rows))
    extrapolations = [
        f"{k['kernel']} from {k['results']['cpython']['extrapolated_from']} "
        f"({fmt_time(k['results']['cpython']['reduced_time_s'])} x {k['results']['cpython']['scale']:.1f})"
        for k in report["kernels"] if "time_s" in k["results"].get("cpython", {})
    ]
    if extrapolations:
        out.append("* CPython extrapolated linearly from a reduced size: " + "; ".join(extrapolations))
    out.append("")

    out.append("First call in a fresh process: decorate + compile + first run (compile ~ first - second)")
    headers = ["kernel", "Numba first", "Numba second", "ferrojit first", "ferrojit second",
               "ferrojit/Numba first", "notes"]
    rows = []
    for k in report["kernels"]:
        r = k["results"]
        nb, fj = r.get("numba", {}), r.get("ferrojit", {})
        notes = [f"{n}: {r[n]['first_call_error'][:110]}" for n in ("ferrojit", "numba")
                 if "first_call_error" in r.get(n, {})]
        rows.append([k["kernel"], cell(nb, "first_call_s"), cell(nb, "second_call_s"),
                     cell(fj, "first_call_s"), cell(fj, "second_call_s"),
                     ratio(fj.get("first_call_s"), nb.get("first_call_s")), "; ".join(notes)])
    out.append(render_table(headers, rows))
    out.append("")

    imports = report.get("imports", {})
    parts = []
    for name, res in imports.items():
        parts.append(f"import {name}: " + (fmt_time(res["import_s"]) if "import_s" in res
                                           else f"error ({res['error'][:80]})"))
    out.append("Fresh-process import times (best of 3): " + "; ".join(parts))
    overhead = report.get("call_overhead_s", {})
    rows = []
    for name, res in overhead.items():
        if "error" in res:
            rows.append([name, "n/a" if res["error"].startswith(MISSING) else "error", "",
                         res["error"][:110]])
            continue
        rows.append([name, fmt_time(res.get("float")), fmt_time(res.get("array")), ""])
    out.append("Per-call overhead of identity(x) (timeit, best of 5):")
    out.append(render_table(["function", "x = 1.0", "x = 8-element f8 array", "notes"], rows))

    if errors:
        out.append("")
        out.append("Errors in full:")
        for kernel, name, text in errors:
            out.append(f"--- {name}, {kernel}:")
            out.append(text.rstrip())
    return "\n".join(out)


def strict_failures(report):
    """What --strict fails on: ferrojit errors and ferrojit results that disagree."""
    failures = []
    for k in report["kernels"]:
        fj = k["results"].get("ferrojit", {})
        for key in ("error", "first_call_error"):
            if key in fj:
                failures.append(f"{k['kernel']}: ferrojit {key.replace('_', ' ')}: {fj[key]}")
        for check, verdict in k["checks"].items():
            if check.startswith("ferrojit") and not is_ok(verdict):
                failures.append(f"{k['kernel']}: {check}: {verdict}")
    if "error" in report.get("call_overhead_s", {}).get("ferrojit", {}):
        failures.append(f"identity: {report['call_overhead_s']['ferrojit']['error']}")
    return failures


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="small sizes (seconds in all; for CI smoke tests)")
    p.add_argument("--json", metavar="FILE", help="also write every measurement to FILE")
    p.add_argument("--chart", metavar="FILE",
                   help="also draw the steady-state times relative to Numba as an SVG chart")
    p.add_argument("--repeat", type=int, default=None,
                   help="timed calls per steady-state measurement (default 5; 3 with --quick)")
    p.add_argument("--cpython-repeat", type=int, default=1,
                   help="timed CPython calls on the reduced size (default 1)")
    p.add_argument("--kernels", default=",".join(KERNEL_CLASSES),
                   help="comma-separated subset of: " + ", ".join(KERNEL_CLASSES))
    p.add_argument("--frameworks", default="cpython,numpy,numba,ferrojit",
                   help="comma-separated subset of: cpython, numpy, numba, ferrojit")
    p.add_argument("--no-first-call", action="store_true",
                   help="skip the fresh-process first-call measurements")
    p.add_argument("--overhead-calls", type=int, default=200_000,
                   help="calls per timeit run for the call-overhead probe")
    p.add_argument("--timeout", type=int, default=600,
                   help="seconds allowed for each first-call subprocess")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 if ferrojit fails on a kernel or disagrees with CPython/Numba")
    p.add_argument("--first-call", nargs=2, metavar=("FRAMEWORK", "KERNEL"),
                   help=argparse.SUPPRESS)  # internal: the fresh-process child
    args = p.parse_args(argv)
    args.kernels = [k.strip() for k in args.kernels.split(",") if k.strip()]
    args.frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    unknown = [k for k in args.kernels if k not in KERNEL_CLASSES]
    unknown += [f for f in args.frameworks if f not in ("cpython", "numpy", *JIT_FRAMEWORKS)]
    if unknown:
        p.error(f"unknown kernel or framework: {', '.join(unknown)}")
    if args.repeat is None:
        args.repeat = 3 if args.quick else 5
    if args.quick:
        args.overhead_calls = min(args.overhead_calls, 20_000)
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.first_call:
        first_call_child(*args.first_call, args.quick)
        return 0
    report = run(args)
    print(format_report(report))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"\n(wrote {args.json})")
    if args.chart:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from chart import write_svg

        write_svg(report, args.chart)
        print(f"\n(wrote {args.chart})")
    if args.strict:
        failures = strict_failures(report)
        if "ferrojit" not in args.frameworks:
            failures.append("--strict needs ferrojit among --frameworks")
        elif isinstance(report["call_overhead_s"].get("ferrojit"), dict) and str(
            report["call_overhead_s"]["ferrojit"].get("error", "")
        ).startswith(MISSING):
            failures.append("ferrojit is not importable")
        if failures:
            print("\n--strict: " + str(len(failures)) + " failure(s):\n  " + "\n  ".join(failures),
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
