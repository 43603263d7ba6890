"""Quick start: compile a loop with @ferrojit.jit and time it against plain Python.

    .venv/bin/python examples/quickstart.py
    FERROJIT_DUMP=types,ir .venv/bin/python examples/quickstart.py   # see what the compiler does
"""

import time

import numpy as np

import ferrojit


def sum_of_squares(a):
    total = 0.0
    for i in range(a.shape[0]):
        total += a[i] * a[i]
    return total


fast_sum_of_squares = ferrojit.jit(sum_of_squares)


def best_of(fn, *args, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main():
    a = np.random.default_rng(0).random(1_000_000)

    t0 = time.perf_counter()
    fast_sum_of_squares(a)
    first = time.perf_counter() - t0
    compiled, result = best_of(fast_sum_of_squares, a)
    interpreted, expected = best_of(sum_of_squares, a, repeat=1)

    assert abs(result - expected) <= 1e-9 * abs(expected), (result, expected)
    print(f"sum of squares of {a.size:,} floats = {result:.6f}")
    print(f"  CPython:  {interpreted * 1e3:8.2f} ms")
    print(f"  ferrojit: {compiled * 1e3:8.2f} ms  ({interpreted / compiled:.0f}x faster; "
          f"first call with compilation {first * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
