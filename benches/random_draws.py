#!/usr/bin/env python3
"""Times random draws inside compiled code: ferrojit against Numba (and NumPy's vectorised
call), in one process, interleaved.

    python benches/random_draws.py [--size N] [--repeat R]

Each kernel fills a preallocated array of ``--size`` elements with one draw per element in a
loop (``out[i] = np.random.normal(0.0, 1.0)``, ...), as jitted simulation code does: uniform
(``np.random.random``), normal, ``randint``, ``poisson`` and ``Generator.normal`` (a
``np.random.default_rng`` passed in). The NumPy column is the vectorised call
(``np.random.normal(0.0, 1.0, n)``, ``rng.normal(0.0, 1.0, n)``, ...), which allocates its
result. Every figure is the best of ``--repeat`` rounds after a warm-up call; the rounds run the
frameworks in turn, so that drift on a shared machine hits all of them alike. The ratio column is
ferrojit's time over Numba's (the issue's target: at most 1.0).

Build the release extension first (``make develop-release``); a debug build's runtime is
unoptimised.
"""

import argparse
import time

import numpy as np

import ferrojit


def uniform_fill(out):
    for i in range(out.shape[0]):
        out[i] = np.random.random()


def normal_fill(out):
    for i in range(out.shape[0]):
        out[i] = np.random.normal(0.0, 1.0)


def randint_fill(out):
    for i in range(out.shape[0]):
        out[i] = np.random.randint(0, 100)


def poisson_fill(out):
    for i in range(out.shape[0]):
        out[i] = np.random.poisson(4.0)


def generator_normal_fill(rng, out):
    for i in range(out.shape[0]):
        out[i] = rng.normal(0.0, 1.0)


# (name, kernel, takes a Generator, output dtype, NumPy's vectorised equivalent)
KERNELS = [
    ("uniform", uniform_fill, False, np.float64, lambda rng, n: np.random.random(n)),
    ("normal", normal_fill, False, np.float64, lambda rng, n: np.random.normal(0.0, 1.0, n)),
    ("randint", randint_fill, False, np.int64, lambda rng, n: np.random.randint(0, 100, n)),
    ("poisson", poisson_fill, False, np.int64, lambda rng, n: np.random.poisson(4.0, n)),
    ("Generator.normal", generator_normal_fill, True, np.float64,
     lambda rng, n: rng.normal(0.0, 1.0, n)),
]


def timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    try:
        import numba
    except ImportError:
        numba = None
    n = args.size
    print(f"{n:,} draws per call, best of {args.repeat} interleaved rounds")
    print(f"{'kernel':<18}{'NumPy ms':>10}{'Numba ms':>10}{'ferrojit ms':>13}{'ferrojit/Numba':>16}")
    for name, kernel, with_rng, dtype, vectorised in KERNELS:
        out = np.empty(n, dtype)
        rng = np.random.default_rng(0)
        contenders = {"ferrojit": ferrojit.jit(kernel)}
        if numba is not None:
            contenders["Numba"] = numba.njit(kernel)
        calls = {"NumPy": lambda: vectorised(rng, n)}
        for label, jitted in contenders.items():
            if with_rng:
                calls[label] = lambda jitted=jitted: jitted(rng, out)
            else:
                calls[label] = lambda jitted=jitted: jitted(out)
        best = {}
        for call in calls.values():
            call()  # warm-up: compilation and first-touch page faults
        for _ in range(args.repeat):
            for label, call in calls.items():
                best[label] = min(best.get(label, float("inf")), timed(call))
        numba_t = best.get("Numba", float("nan"))
        print(f"{name:<18}{best['NumPy'] * 1e3:>10.1f}{numba_t * 1e3:>10.1f}"
              f"{best['ferrojit'] * 1e3:>13.1f}{best['ferrojit'] / numba_t:>16.2f}")


if __name__ == "__main__":
    main()
