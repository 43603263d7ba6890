"""prange benchmark: sqrt-sum of 10M float64 under NumPy, Numba (serial and parallel, when
installed) and ferrojit (serial and parallel), in one run; prints times and parallel efficiency.

    python benches/parallel_kernels.py [--n N] [--repeat R]
"""

import argparse
import math
import os
import sys
import time

import numpy as np


def psum(a):
    s = 0.0
    for i in prange(a.shape[0]):  # noqa: F821 - bound per framework below
        s += math.sqrt(a[i])
    return s


def _bind(fn, prange_obj):
    g = dict(fn.__globals__)
    g["prange"] = prange_obj
    import types

    return types.FunctionType(fn.__code__, g, fn.__name__)


def best(f, *args, repeat=7):
    f(*args)  # warm-up (and compile)
    t_best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f(*args)
        t_best = min(t_best, time.perf_counter() - t)
    return t_best


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    a = np.random.default_rng(0).random(args.n)
    rows = []
    rows.append(("numpy np.sqrt(a).sum()", best(lambda x: np.sqrt(x).sum(), a, repeat=args.repeat)))
    try:
        import numba

        serial = numba.njit(_bind(psum, numba.prange))
        parallel = numba.njit(parallel=True)(_bind(psum, numba.prange))
        rows.append(("numba serial", best(serial, a, repeat=args.repeat)))
        rows.append(("numba parallel", best(parallel, a, repeat=args.repeat)))
    except ImportError:
        print("numba not installed: skipping its rows", file=sys.stderr)
    import ferrojit

    serial = ferrojit.jit(_bind(psum, ferrojit.prange))
    parallel = ferrojit.jit(parallel=True)(_bind(psum, ferrojit.prange))
    assert math.isclose(serial(a), parallel(a), rel_tol=1e-9)
    rows.append(("ferrojit serial", best(serial, a, repeat=args.repeat)))
    rows.append(("ferrojit parallel", best(parallel, a, repeat=args.repeat)))
    times = dict(rows)
    threads = ferrojit.get_num_threads()
    print(f"prange sqrt-sum of {args.n:,} float64, {os.cpu_count()} CPUs, ferrojit threads: {threads}")
    for name, t in rows:
        print(f"  {name:<26} {t * 1e3:8.2f} ms")
    speedup = times["ferrojit serial"] / times["ferrojit parallel"]
    print(f"  ferrojit parallel speed-up {speedup:.2f}x, efficiency {speedup / threads:.0%}")
    if "numba parallel" in times:
        print(f"  ferrojit/numba parallel: {times['ferrojit parallel'] / times['numba parallel']:.2f}")


if __name__ == "__main__":
    main()
