#!/usr/bin/env python3
"""Times NumPy library calls inside compiled code against NumPy's own call (and Numba's, when
importable), in one run: ``np.sort`` and ``np.argsort`` of 10M float64, ``np.median`` of 10M
float64, ``np.dot`` of two 1000x1000 float64 matrices (``--size`` scales the first three).

    python benches/numpy_library.py [--size N] [--repeat R]

Build the release extension first (``make develop-release``): a debug build's runtime is
unoptimised. Each figure is the best of ``--repeat`` calls after a warm-up call; the ratio column
is ferrojit's time over NumPy's (the issue's targets: sort/argsort within 1.2x, median within
1.5x, dot within 1.5x of NumPy's BLAS on the same cores). Timings drift about 10% between runs on shared machines: compare within one run.
"""

import argparse
import time

import numpy as np

import ferrojit


def sort_kernel(a):
    return np.sort(a)


def argsort_kernel(a):
    return np.argsort(a)


def median_kernel(a):
    return np.median(a)


def dot_kernel(m):
    return np.dot(m, m)


KERNELS = [("np.sort", sort_kernel, np.sort), ("np.argsort", argsort_kernel, np.argsort),
           ("np.median", median_kernel, np.median), ("np.dot", dot_kernel, lambda m: np.dot(m, m))]


def best_of(fn, arg, repeat):
    fn(arg)  # warm-up: compilation and first-touch page faults
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        import numba
    except ImportError:
        numba = None
    rng = np.random.default_rng(0)
    vector = rng.standard_normal(args.size)
    matrix = rng.standard_normal((1000, 1000))
    print(f"{'kernel':<12}{'NumPy ms':>10}{'ferrojit ms':>13}{'ratio':>7}{'Numba ms':>10}")
    for name, kernel, reference in KERNELS:
        a = matrix if name == "np.dot" else vector
        numpy_t = best_of(reference, a, args.repeat)
        jitted = ferrojit.jit(kernel)
        assert np.allclose(jitted(a), reference(a), rtol=1e-12, atol=1e-9)
        ferro_t = best_of(jitted, a, args.repeat)
        numba_t = best_of(numba.njit(kernel), a, args.repeat) if numba else float("nan")
        print(f"{name:<12}{numpy_t * 1e3:>10.1f}{ferro_t * 1e3:>13.1f}"
              f"{ferro_t / numpy_t:>7.2f}{numba_t * 1e3:>10.1f}")


if __name__ == "__main__":
    main()
