#!/usr/bin/env python3
"""Times GPU ufuncs made by ``ferrojit.cuda.vectorize`` against the CPU backend and Numba's CUDA.

    python benches/gpu_kernels.py [--quick] [--repeat N] [--iters N] [--side N] [--n N]

Needs a CUDA GPU: without one it prints why and exits with status 0 (nothing to measure).

* **mandelbrot**: the seed's GPU ufunc ``mandel(tid, min_x, max_x, min_y, max_y, width, height,
  iters)`` (``'uint8(uint32, f4, f4, f4, f4, uint32, uint32, uint32)'``, ``tid`` an array, the
  rest broadcast scalars) over a 4096x4096 grid at 200 iterations. GPU rows: inputs and output
  in device memory (kernel time), and from/to NumPy arrays (copies included). CPU rows: the
  same kernel as a CPU ufunc (``ferrojit.vectorize``, targets 'cpu' and 'parallel').
* **saxpy**: ``a * x + y`` (``'f8(f8, f8, f8)'``, ``a`` a broadcast scalar) on device arrays of
  100M float64, with its memory bandwidth (3 x 8 bytes an element) against a device-to-device
  copy in the same run: a ferrojit copy ufunc (``x -> x``, 2 x 8 bytes an element) and, when
  Numba's CUDA target works, the driver's ``cuMemcpyDtoD``. CPU rows: ferrojit's CPU ufunc on
  NumPy arrays with ``out=``.

Numba rows (``numba.vectorize(target='cuda')`` on Numba device arrays, and Numba's CPU ufunc)
appear when Numba is importable and its CUDA target finds the device. Times are the best of
``--repeat`` calls after a warm-up call; GPU calls return when the kernel has finished. Ratios
are time / ferrojit GPU time for the same kernel: above 1 means ferrojit's GPU ufunc is faster.
"""

import argparse
import platform
import sys
import time

import numpy as np

MANDEL_SIG = "uint8(uint32, f4, f4, f4, f4, uint32, uint32, uint32)"
SAXPY_SIG = "f8(f8, f8, f8)"
COPY_SIG = "f8(f8)"


def mandel(tid, min_x, max_x, min_y, max_y, width, height, iters):
    pixel_size_x = (max_x - min_x) / width
    pixel_size_y = (max_y - min_y) / height
    x = tid % width
    y = tid / width
    real = min_x + x * pixel_size_x
    imag = min_y + y * pixel_size_y
    c = complex(real, imag)
    z = 0.0j
    for i in range(iters):
        z = z * z + c
        if (z.real * z.real + z.imag * z.imag) >= 4:
            return i
    return 255


def saxpy(a, x, y):
    return a * x + y


def copy(x):
    return x


def best_of(fn, repeat, sync=None):
    fn()
    if sync:
        sync()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        if sync:
            sync()
        best = min(best, time.perf_counter() - t0)
    return best


def numba_cuda():
    """Numba's ``cuda`` module if it is importable and finds a device, else ``None``."""
    try:
        from numba import cuda as ncuda

        return ncuda if ncuda.is_available() else None
    except Exception as err:  # ImportError, or a CUDA setup Numba cannot use
        print(f"numba's CUDA target is not usable ({err}): its rows are skipped", file=sys.stderr)
        return None


def numba_cpu():
    try:
        import numba

        return numba
    except ImportError:
        return None


class Table:
    def __init__(self):
        self.rows = []

    def add(self, kernel, what, seconds, reference=None, gbytes=None):
        self.rows.append((kernel, what, seconds, reference, gbytes))

    def print(self):
        print(f"{'kernel':<12} {'implementation':<44} {'time':>10} {'vs fj GPU':>10} {'GB/s':>8}")
        for kernel, what, seconds, reference, gbytes in self.rows:
            ratio = f"{seconds / reference:.2f}" if reference else "1.00"
            rate = f"{gbytes / seconds:.0f}" if gbytes else ""
            print(f"{kernel:<12} {what:<44} {seconds * 1e3:>8.2f}ms {ratio:>10} {rate:>8}")


def bench_mandelbrot(args, table, cuda, ferrojit, ncuda, numba):
    side, iters = args.side, args.iters
    # NumPy scalars of the signature's types: NumPy's own ufuncs (the CPU rows) do not cast
    # Python ints to uint32.
    bounds = tuple(np.float32(b) for b in (-2.0, 1.0, -1.0, 1.0))
    params = (*bounds, np.uint32(side), np.uint32(side), np.uint32(iters))
    tids = np.arange(side * side, dtype=np.uint32)
    t0 = time.perf_counter()
    gpu = cuda.vectorize([MANDEL_SIG], target="gpu")(mandel)
    image = gpu(tids[:1024], *params)
    print(f"mandelbrot: GPU ufunc compiled, PTX made and loaded in "
          f"{(time.perf_counter() - t0) * 1e3:.0f} ms (first call)")

    d_tids = cuda.to_device(tids)
    d_out = cuda.device_array(side * side, np.uint8)
    reference = best_of(lambda: gpu(d_tids, *params, out=d_out), args.repeat)
    table.add("mandelbrot", "ferrojit GPU, device arrays", reference)
    host = best_of(lambda: gpu(tids, *params), args.repeat)
    table.add("mandelbrot", "ferrojit GPU, NumPy in/out (copies included)", host, reference)
    image = d_out.copy_to_host()

    out = np.empty(side * side, np.uint8)
    for target in ("cpu", "parallel"):
        cpu = ferrojit.vectorize([MANDEL_SIG], target=target)(mandel)
        seconds = best_of(lambda: cpu(tids, *params, out=out), max(1, args.repeat // 5))
        table.add("mandelbrot", f"ferrojit CPU ufunc, target='{target}'", seconds, reference)
        mismatches = int((out != image).sum())
        if mismatches:
            print(f"warning: GPU and CPU ({target}) images differ in {mismatches} pixels")
    if numba:
        nb = numba.vectorize([MANDEL_SIG], target="parallel")(mandel)
        seconds = best_of(lambda: nb(tids, *params, out=out), max(1, args.repeat // 5))
        table.add("mandelbrot", "numba CPU ufunc, target='parallel'", seconds, reference)
    if ncuda:
        nb_gpu = numba.vectorize([MANDEL_SIG], target="cuda")(mandel)
        n_tids = ncuda.to_device(tids)
        n_out = ncuda.device_array(side * side, np.uint8)
        seconds = best_of(lambda: nb_gpu(n_tids, *params, out=n_out), args.repeat,
                          ncuda.synchronize)
        table.add("mandelbrot", "numba CUDA ufunc, device arrays", seconds, reference)


def bench_saxpy(args, table, cuda, ferrojit, ncuda, numba):
    n = args.n
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n)
    y = rng.standard_normal(n)
    gpu = cuda.vectorize([SAXPY_SIG], target="gpu")(saxpy)
    gpu_copy = cuda.vectorize([COPY_SIG], target="gpu")(copy)
    dx, dy = cuda.to_device(x), cuda.to_device(y)
    d_out = cuda.device_array(n)
    saxpy_bytes = 3 * 8 * n / 1e9
    copy_bytes = 2 * 8 * n / 1e9

    reference = best_of(lambda: gpu(2.0, dx, dy, out=d_out), args.repeat)
    table.add("saxpy", "ferrojit GPU, device arrays", reference, gbytes=saxpy_bytes)
    check = d_out.copy_to_host()
    if not np.array_equal(check, 2.0 * x + y):
        print("warning: GPU saxpy differs from NumPy's 2.0 * x + y")
    seconds = best_of(lambda: gpu_copy(dx, out=d_out), args.repeat)
    table.add("saxpy", "device-to-device copy (ferrojit copy ufunc)", seconds, reference,
              gbytes=copy_bytes)
    if ncuda:
        try:
            # Numba reads ferrojit's arrays through __cuda_array_interface__ (same context).
            n_dst, n_src = ncuda.as_cuda_array(d_out), ncuda.as_cuda_array(dx)
            seconds = best_of(lambda: n_dst.copy_to_device(n_src), args.repeat,
                              ncuda.synchronize)
            table.add("saxpy", "device-to-device copy (cuMemcpyDtoD via numba)", seconds,
                      reference, gbytes=copy_bytes)
        except Exception as err:
            print(f"warning: no cuMemcpyDtoD row: numba cannot use ferrojit's arrays ({err})")
        nb_gpu = numba.vectorize([SAXPY_SIG], target="cuda")(saxpy)
        nx, ny = ncuda.to_device(x), ncuda.to_device(y)
        n_out = ncuda.device_array(n)
        seconds = best_of(lambda: nb_gpu(2.0, nx, ny, out=n_out), args.repeat, ncuda.synchronize)
        table.add("saxpy", "numba CUDA ufunc, device arrays", seconds, reference,
                  gbytes=saxpy_bytes)

    out = np.empty(n)
    for target in ("cpu", "parallel"):
        cpu = ferrojit.vectorize([SAXPY_SIG], target=target)(saxpy)
        seconds = best_of(lambda: cpu(2.0, x, y, out=out), args.repeat)
        table.add("saxpy", f"ferrojit CPU ufunc, target='{target}'", seconds, reference,
                  gbytes=saxpy_bytes)
    if numba:
        nb = numba.vectorize([SAXPY_SIG], target="parallel")(saxpy)
        seconds = best_of(lambda: nb(2.0, x, y, out=out), args.repeat)
        table.add("saxpy", "numba CPU ufunc, target='parallel'", seconds, reference,
                  gbytes=saxpy_bytes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1024x1024 grid, 10M elements")
    parser.add_argument("--repeat", type=int, default=10, help="timed calls per row")
    parser.add_argument("--iters", type=int, default=200, help="Mandelbrot iterations")
    parser.add_argument("--side", type=int, help="Mandelbrot grid side (default 4096)")
    parser.add_argument("--n", type=int, help="saxpy elements (default 100M)")
    args = parser.parse_args()
    args.side = args.side or (1024 if args.quick else 4096)
    args.n = args.n or (10_000_000 if args.quick else 100_000_000)

    import ferrojit
    from ferrojit import cuda

    if not cuda.is_available():
        print(f"no CUDA device ({cuda.unavailable_reason()}): the GPU benchmarks need one; "
              "nothing was measured")
        return 0
    ncuda = numba_cuda()
    numba = numba_cpu()
    print(f"ferrojit {ferrojit.__version__}, NumPy {np.__version__}, Python "
          f"{platform.python_version()}, numba {numba.__version__ if numba else 'n/a'}")
    print(f"mandelbrot {args.side}x{args.side} at {args.iters} iterations; saxpy on {args.n:,} "
          f"float64; best of {args.repeat}\n")
    table = Table()
    bench_mandelbrot(args, table, cuda, ferrojit, ncuda, numba)
    bench_saxpy(args, table, cuda, ferrojit, ncuda, numba)
    print()
    table.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
