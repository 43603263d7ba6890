#!/usr/bin/env python3
"""Times ufuncs made by ``ferrojit.vectorize`` against NumPy and ``numba.vectorize``, in one run.

    python benches/ufunc_kernels.py [--quick] [--repeat N]

Two kernels, each as a ufunc with an explicit signature, called with a preallocated ``out=``
(first-touch page faults on these machines would otherwise dominate):

* saxpy, ``a * x + y`` on 10M float64 (``'f8(f8, f8, f8)'``, ``a`` a broadcast scalar). NumPy's
  row is the fastest NumPy spelling without temporaries: ``np.multiply(x, a, out=out)`` then
  ``np.add(out, y, out=out)`` (two passes over memory where a fused ufunc makes one);
* the seed's Mandelbrot ``mandel(x, y, max_iters)`` (benches/kernels.py, unchanged) over a
  1024x768 grid at 200 iterations (``'i8(f8, f8, i8)'``), with ``x`` and ``y`` as full grids
  (NumPy hands the inner loop the whole grid at once: ``mandelbrot``) and broadcast from a row
  and a column (768 inner-loop calls of 1024 elements: ``mandel-bcast``, where the parallel
  target must decide per call whether splitting pays). NumPy has no row for it.

Each framework runs with ``target='cpu'`` and ``target='parallel'`` (Numba only when
importable; never required). Times are the best of ``--repeat`` calls after a warm-up call;
results are checked against ferrojit's cpu ufunc. Ratios are time / ferrojit's time for the
same kernel and target, so above 1 means ferrojit is faster.
"""

import argparse
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

SAXPY_SIG = "f8(f8, f8, f8)"
MANDEL_SIG = "i8(f8, f8, i8)"


def load_seed_kernels():
    spec = importlib.util.spec_from_file_location("_ufunc_seed_kernels", HERE / "kernels.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # inspect.getsource finds the module by name
    spec.loader.exec_module(module)
    return module


def saxpy(a, x, y):
    return a * x + y


def best_of(fn, repeat):
    fn()  # warm-up: compiles nothing here (ufuncs are built eagerly) but touches the pages
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def frameworks():
    """``(name, vectorize)`` for each framework that is importable."""
    import ferrojit

    found = [("ferrojit", ferrojit.vectorize)]
    try:
        import numba

        found.append(("numba", numba.vectorize))
    except ImportError:
        print("numba is not installed: its rows are skipped", file=sys.stderr)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1M elements, 256x192 grid")
    parser.add_argument("--repeat", type=int, default=None, help="timed calls per row")
    args = parser.parse_args()
    n = 1_000_000 if args.quick else 10_000_000
    width, height = (256, 192) if args.quick else (1024, 768)
    iters = 200
    repeat = args.repeat or (5 if args.quick else 10)

    seed = load_seed_kernels()
    rng = np.random.default_rng(0)
    x, y = rng.random(n), rng.random(n)
    a = 2.5
    out = np.empty(n)
    xs = np.linspace(-2.0, 1.0, width, endpoint=False)
    ys = np.linspace(-1.0, 1.0, height, endpoint=False)
    grid_x, grid_y = (np.ascontiguousarray(g) for g in np.meshgrid(xs, ys))
    image = np.empty((height, width), dtype=np.int64)

    rows = []  # (kernel, label, target, seconds)

    def numpy_saxpy():
        np.multiply(x, a, out=out)
        np.add(out, y, out=out)

    rows.append(("saxpy", "NumPy", "-", best_of(numpy_saxpy, repeat)))
    reference = {"saxpy": a * x + y}
    mandel_ref = None
    for name, vectorize in frameworks():
        for target in ("cpu", "parallel"):
            ufunc = vectorize([SAXPY_SIG], target=target)(saxpy)
            rows.append(("saxpy", name, target, best_of(lambda: ufunc(a, x, y, out=out), repeat)))
            np.testing.assert_allclose(out, reference["saxpy"], rtol=1e-15)
            mandel = vectorize([MANDEL_SIG], target=target)(seed.mandel)
            seconds = best_of(lambda: mandel(grid_x, grid_y, iters, out=image), max(repeat // 2, 3))
            rows.append(("mandelbrot", name, target, seconds))
            if mandel_ref is None:
                mandel_ref = image.copy()
            elif not np.array_equal(image, mandel_ref):
                raise SystemExit(f"{name} {target}: Mandelbrot differs from ferrojit's cpu result")
            image[:] = 0
            row, column = xs[None, :], ys[:, None]
            seconds = best_of(lambda: mandel(row, column, iters, out=image), max(repeat // 2, 3))
            rows.append(("mandel-bcast", name, target, seconds))
            if not np.array_equal(image, mandel_ref):
                raise SystemExit(f"{name} {target}: broadcast Mandelbrot differs")

    ours = {(k, t): s for k, label, t, s in rows if label == "ferrojit"}
    print(
        f"ufunc kernels: saxpy on {n:,} float64, Mandelbrot {width}x{height} at {iters} "
        f"iterations; best of {repeat} after warm-up; {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, NumPy {np.__version__}"
    )
    print(f"{'kernel':<12} {'framework':<9} {'target':<9} {'time (ms)':>10} {'/ ferrojit':>11}")
    for kernel, label, target, seconds in rows:
        mine = ours.get((kernel, target if target != "-" else "cpu"))
        ratio = f"{seconds / mine:>10.2f}x" if mine else f"{'-':>11}"
        print(f"{kernel:<12} {label:<9} {target:<9} {seconds * 1e3:>10.2f} {ratio}")


if __name__ == "__main__":
    main()
