#!/usr/bin/env python3
"""Everyday loops, ferrojit against Numba side by side in one process (issue 12's benchmark).

    python benches/everyday_kernels.py [--quick] [--rounds N] [--kernels a,b] [--json FILE]
                                       [--markdown FILE] [--no-numba] [--set wider]

About fifty small kernels of the kinds people write by hand: element-wise maps with branches
and math, integer and min/max reductions, ``fastmath`` float reductions, stencils and loop
nests, scalar dynamic programming, integer idioms, ``prange`` loops and array expressions.

For each kernel the same Python function is jitted by both frameworks (``prange`` bound to each
framework's own), the results are checked equal (bitwise, except where a kernel is marked
``fastmath``: there both frameworks may reorder a float sum, so a relative tolerance applies),
and the two are timed interleaved: every round times ferrojit then Numba (order alternating),
each sample being enough calls to last a few milliseconds; the best sample of ``--rounds``
rounds counts (before each sample of a ``prange`` kernel the harness sleeps 50 ms, so that the
other framework's idle worker threads have stopped spinning). The table prints ferrojit's time / Numba's time per kernel (below 1.0 ferrojit
is faster), the geometric mean and the worst ratio.

``--set wider`` runs the kernels of benches/wider_kernels.py instead: 110 more, written
later in other styles (containers, strings, masks, library calls, loop nests with boundary
tests) to find weak spots.

``--quick`` uses small inputs and one round and compares ferrojit with CPython running the same
function (and with Numba when it is installed): the CI smoke test
(tests/python/test_everyday_bench.py) runs it for the equality checks only. Exit status 1 when
a kernel fails to compile or disagrees.
"""

import argparse
import json
import math
import sys
import time
import types

import numpy as np


def prange(*args):  # rebound per framework (see _bind); plain range for CPython
    return range(*args)


# --- element-wise maps with branches or math --------------------------------------------------


def clip_loop(a, lo, hi, out):
    for i in range(a.shape[0]):
        out[i] = min(max(a[i], lo), hi)


def where_loop(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] if a[i] > 0.5 else b[i]


def relu_leaky(a, out):
    for i in range(a.shape[0]):
        x = a[i]
        if x > 0.5:
            out[i] = x
        else:
            out[i] = 0.01 * x


def sqrt_loop(a, out):
    for i in range(a.shape[0]):
        out[i] = math.sqrt(a[i])


def abs_loop(a, out):
    for i in range(a.shape[0]):
        out[i] = abs(a[i] - 0.5)


def horner_loop(a, out):
    for i in range(a.shape[0]):
        x = a[i]
        out[i] = ((3.0 * x + 2.0) * x - 1.5) * x + 0.25


def int_affine(ia, out):
    for i in range(ia.shape[0]):
        out[i] = ia[i] * 3 + 7


def f32_scale(a32, out32):
    for i in range(a32.shape[0]):
        out32[i] = a32[i] * np.float32(2.5) + np.float32(1.0)


def int_to_float(ia, out):
    for i in range(ia.shape[0]):
        out[i] = float(ia[i]) * 0.5


def sign_loop(a, out):
    for i in range(a.shape[0]):
        x = a[i] - 0.5
        if x > 0.0:
            out[i] = 1.0
        elif x < 0.0:
            out[i] = -1.0
        else:
            out[i] = 0.0


# --- integer and min/max reductions (exact in any order) -------------------------------------


def sum_i8(ia):
    s = 0
    for i in range(ia.shape[0]):
        s += ia[i]
    return s


def sum_i4(ia32):
    s = 0
    for i in range(ia32.shape[0]):
        s += ia32[i]
    return s


def min_f8(a):
    m = a[0]
    for i in range(1, a.shape[0]):
        m = min(m, a[i])
    return m


def max_f8(a):
    m = a[0]
    for i in range(1, a.shape[0]):
        if a[i] > m:
            m = a[i]
    return m


def min_i8(ia):
    m = ia[0]
    for i in range(1, ia.shape[0]):
        m = min(m, ia[i])
    return m


def argmin_i8(ia):
    best = ia[0]
    k = 0
    for i in range(1, ia.shape[0]):
        if ia[i] < best:
            best = ia[i]
            k = i
    return k


def argmax_f8(a):
    best = a[0]
    k = 0
    for i in range(1, a.shape[0]):
        if a[i] > best:
            best = a[i]
            k = i
    return k


def count_above(a):
    c = 0
    for i in range(a.shape[0]):
        if a[i] > 0.3:
            c += 1
    return c


def minmax_range(a):
    lo = a[0]
    hi = a[0]
    for i in range(a.shape[0]):
        lo = min(lo, a[i])
        hi = max(hi, a[i])
    return hi - lo


# --- float reductions: fastmath ones may reorder, strict ones may not -------------------------


def sum_f8(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


def sum_f4(a32):
    s = np.float32(0.0)
    for i in range(a32.shape[0]):
        s += a32[i]
    return s


def dot_f8(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


def norm_f8(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * a[i]
    return math.sqrt(s)


def mean_abs_dev(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += abs(a[i] - 0.5)
    return s / a.shape[0]


# --- stencils and loop nests ------------------------------------------------------------------


def stencil_1d(a, out):
    for i in range(1, a.shape[0] - 1):
        out[i] = 0.25 * a[i - 1] + 0.5 * a[i] + 0.25 * a[i + 1]


def laplace_2d(m, out2):
    for i in range(1, m.shape[0] - 1):
        for j in range(1, m.shape[1] - 1):
            out2[i, j] = m[i - 1, j] + m[i + 1, j] + m[i, j - 1] + m[i, j + 1] - 4.0 * m[i, j]


def stencil_3d(c, out3):
    for i in range(1, c.shape[0] - 1):
        for j in range(1, c.shape[1] - 1):
            for k in range(1, c.shape[2] - 1):
                out3[i, j, k] = (
                    c[i - 1, j, k] + c[i + 1, j, k] + c[i, j - 1, k] + c[i, j + 1, k]
                    + c[i, j, k - 1] + c[i, j, k + 1] - 6.0 * c[i, j, k]
                )


def matmul_ikj(x, y, z):
    n = x.shape[0]
    for i in range(n):
        for j in range(n):
            z[i, j] = 0.0
        for k in range(n):
            xik = x[i, k]
            for j in range(n):
                z[i, j] += xik * y[k, j]


def sum_axis0(m):
    return m.sum(axis=0)


def sum_axis1(m):
    return m.sum(axis=1)


def col_sums_loop(m, outc):
    for j in range(m.shape[1]):
        outc[j] = 0.0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            outc[j] += m[i, j]


def transpose_copy(m, outt):
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            outt[j, i] = m[i, j]


def row_cumsum(m, out2):
    for i in range(m.shape[0]):
        s = 0.0
        for j in range(m.shape[1]):
            s += m[i, j]
            out2[i, j] = s


def blur_5x5(m, out2):
    for i in range(2, m.shape[0] - 2):
        for j in range(2, m.shape[1] - 2):
            s = 0.0
            for di in range(-2, 3):
                for dj in range(-2, 3):
                    s += m[i + di, j + dj]
            out2[i, j] = s * 0.04


# --- scalar dynamic programming ---------------------------------------------------------------


def dtw(s, t, cost):
    n = s.shape[0]
    m = t.shape[0]
    for i in range(n + 1):
        for j in range(m + 1):
            cost[i, j] = np.inf
    cost[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d = abs(s[i - 1] - t[j - 1])
            cost[i, j] = d + min(cost[i - 1, j], cost[i, j - 1], cost[i - 1, j - 1])
    return cost[n, m]


def floyd_warshall(dist):
    n = dist.shape[0]
    for k in range(n):
        for i in range(n):
            dik = dist[i, k]
            for j in range(n):
                d = dik + dist[k, j]
                if d < dist[i, j]:
                    dist[i, j] = d


def levenshtein(x, y, row):
    n = x.shape[0]
    m = y.shape[0]
    for j in range(m + 1):
        row[j] = j
    for i in range(1, n + 1):
        prev = row[0]
        row[0] = i
        for j in range(1, m + 1):
            cur = row[j]
            c = 0 if x[i - 1] == y[j - 1] else 1
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + c)
            prev = cur
    return row[m]


def lcs_length(x, y, table):
    n = x.shape[0]
    m = y.shape[0]
    for i in range(n + 1):
        table[i, 0] = 0
    for j in range(m + 1):
        table[0, j] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if x[i - 1] == y[j - 1]:
                table[i, j] = table[i - 1, j - 1] + 1
            else:
                table[i, j] = max(table[i - 1, j], table[i, j - 1])
    return table[n, m]


def max_subarray(a):
    best = a[0] - 0.5
    cur = 0.0
    for i in range(a.shape[0]):
        cur = max(cur + a[i] - 0.5, a[i] - 0.5)
        best = max(best, cur)
    return best


# --- integer idioms ---------------------------------------------------------------------------


def bitcount(ia):
    total = 0
    for i in range(ia.shape[0]):
        x = ia[i]
        while x != 0:
            x &= x - 1
            total += 1
    return total


def collatz_steps(n):
    total = 0
    for start in range(1, n):
        x = start
        while x != 1:
            if x % 2 == 0:
                x = x // 2
            else:
                x = 3 * x + 1
            total += 1
    return total


def digit_sum(ia):
    total = 0
    for i in range(ia.shape[0]):
        x = ia[i]
        while x > 0:
            total += x % 10
            x //= 10
    return total


def gcd_sum(ia, ib):
    total = 0
    for i in range(ia.shape[0]):
        x = ia[i]
        y = ib[i]
        while y != 0:
            x, y = y, x % y
        total += x
    return total


def xorshift_hash(n):
    h = 88172645463325252
    acc = 0
    for _ in range(n):
        h ^= (h << 13) & 0xFFFFFFFFFFFF
        h ^= h >> 7
        h ^= (h << 17) & 0xFFFFFFFFFFFF
        acc += h & 1023
    return acc


def histogram_bins(a, counts):
    nb = counts.shape[0]
    for i in range(nb):
        counts[i] = 0
    for i in range(a.shape[0]):
        x = a[i]
        if x >= 0.0:
            b = int(x * nb)
            if b < nb:
                counts[b] += 1


def mod_pow2_sum(ia):
    s = 0
    for i in range(ia.shape[0]):
        s += ia[i] % 8 + ia[i] // 4
    return s


# --- prange -----------------------------------------------------------------------------------


def prange_matmul_rows(x, y, z):
    n = x.shape[0]
    for i in prange(n):
        for j in range(n):
            z[i, j] = 0.0
        for k in range(n):
            xik = x[i, k]
            for j in range(n):
                z[i, j] += xik * y[k, j]


def prange_laplace(m, out2):
    for i in prange(1, m.shape[0] - 1):
        for j in range(1, m.shape[1] - 1):
            out2[i, j] = m[i - 1, j] + m[i + 1, j] + m[i, j - 1] + m[i, j + 1] - 4.0 * m[i, j]


def prange_sqrt_sum(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += math.sqrt(a[i])
    return s


def prange_row_norms(m, outr):
    for i in prange(m.shape[0]):
        acc = 0.0
        for j in range(m.shape[1]):
            acc += m[i, j] * m[i, j]
        outr[i] = math.sqrt(acc)


def prange_reset_acc(m):
    total = 0.0
    for i in prange(m.shape[0]):
        acc = 0.0
        for j in range(m.shape[1]):
            acc += m[i, j]
        total += acc
    return total


# --- array expressions ------------------------------------------------------------------------


def hypot_expr(a, b):
    return np.sqrt(a * a + b * b)


def standardize(a):
    return (a - a.mean()) / a.std()


def where_expr(a, b):
    return np.where(a > 0.5, a, b)


def axpy_expr(a, b):
    return 2.5 * a + b


def relu_expr(a, b):
    return np.maximum(a - b, 0.0)


def fma_expr(a, b):
    return a * b + a


# --- narrow integers: uint8 images, int16 audio, bool masks --------------------------------------


def threshold_u8(img, thr, out8):
    for i in range(img.shape[0]):
        out8[i] = 255 if img[i] > thr else 0


def brighten_clamp_u8(img, out8):
    for i in range(img.shape[0]):
        v = int(img[i]) + 40  # int(): CPython's uint8 scalar would wrap first
        out8[i] = 255 if v > 255 else v


def invert_u8(img, out8):
    for i in range(img.shape[0]):
        out8[i] = 255 - img[i]


def count_eq_u8(img, k8):
    c = 0
    for i in range(img.shape[0]):
        if img[i] == k8:
            c += 1
    return c


def scale_i16(pcm, out16):
    for i in range(pcm.shape[0]):
        out16[i] = int(pcm[i]) * 3 // 4


def fill_bool(flags):
    for i in range(flags.shape[0]):
        flags[i] = True


def mask_above_u8(img, thr, flags):
    for i in range(img.shape[0]):
        flags[i] = img[i] > thr


# --- library reductions, narrow clamps, small convolutions --------------------------------------


def array_max(a):
    return a.max()


def sum_of_products(a, b):
    return np.sum(a * b)


def count_mask(a):
    return np.sum(a > 0.5)


def clamp_i32(ia32, io32):
    for i in range(ia32.shape[0]):
        v = ia32[i]
        if v < -100:
            v = -100
        elif v > 500:
            v = 500
        io32[i] = v


def max_abs_loop(a):
    m = 0.0
    for i in range(a.shape[0]):
        v = abs(a[i] - 0.5)
        if v > m:
            m = v
    return m


def softmax(a, out):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
    s = 0.0
    for i in range(a.shape[0]):
        out[i] = math.exp(a[i] - m)
        s += out[i]
    for i in range(a.shape[0]):
        out[i] /= s


def conv3x3(m, k3, out2):
    for i in range(1, m.shape[0] - 1):
        for j in range(1, m.shape[1] - 1):
            acc = 0.0
            for di in range(3):
                for dj in range(3):
                    acc += k3[di, dj] * m[i + di - 1, j + dj - 1]
            out2[i, j] = acc


# --- the table of kernels ---------------------------------------------------------------------

# name -> (function, argument names, options); options: "fastmath" (tolerance, fastmath=True),
# "parallel" (parallel=True), "reset" (arguments restored before each call), "tol".
KERNELS = [
    ("clip", clip_loop, "a lo hi out", {}),
    ("where", where_loop, "a b out", {}),
    ("relu_leaky", relu_leaky, "a out", {}),
    ("sqrt", sqrt_loop, "a out", {}),
    ("abs", abs_loop, "a out", {}),
    ("horner", horner_loop, "a out", {}),
    ("int_affine", int_affine, "ia iout", {}),
    ("f32_scale", f32_scale, "a32 out32", {}),
    ("int_to_float", int_to_float, "ia out", {}),
    ("sign", sign_loop, "a out", {}),
    ("sum_i8", sum_i8, "ia", {}),
    ("sum_i4", sum_i4, "ia32", {}),
    ("min_f8", min_f8, "a", {}),
    ("max_f8", max_f8, "a", {}),
    ("min_i8", min_i8, "ia", {}),
    ("argmin_i8", argmin_i8, "ia", {}),
    ("argmax_f8", argmax_f8, "a", {}),
    ("count_above", count_above, "a", {}),
    ("minmax_range", minmax_range, "a", {}),
    ("sum_f8_fast", sum_f8, "a", {"fastmath": True}),
    ("sum_f4_fast", sum_f4, "a32", {"fastmath": True, "tol": 1e-4}),
    ("dot_f8_fast", dot_f8, "a b", {"fastmath": True}),
    ("norm_f8_fast", norm_f8, "a", {"fastmath": True}),
    ("mad_fast", mean_abs_dev, "a", {"fastmath": True}),
    ("sum_f8_strict", sum_f8, "a", {}),
    ("dot_f8_strict", dot_f8, "a b", {}),
    ("stencil_1d", stencil_1d, "a out", {}),
    ("laplace_2d", laplace_2d, "m out2", {}),
    ("stencil_3d", stencil_3d, "c out3", {}),
    ("matmul_ikj", matmul_ikj, "x y z", {}),
    ("sum_axis0", sum_axis0, "m", {}),
    ("sum_axis1", sum_axis1, "m", {"py_tol": 1e-12}),  # NumPy sums pairwise in CPython
    ("col_sums_loop", col_sums_loop, "m outc", {}),
    ("transpose_copy", transpose_copy, "m outt", {}),
    ("row_cumsum", row_cumsum, "m out2", {}),
    ("blur_5x5", blur_5x5, "m out2", {}),
    ("dtw", dtw, "s t cost", {}),
    ("floyd_warshall", floyd_warshall, "dist", {"reset": True}),
    ("levenshtein", levenshtein, "sx sy row", {}),
    ("lcs", lcs_length, "sx sy table", {}),
    ("max_subarray", max_subarray, "a", {}),
    ("bitcount", bitcount, "ia", {}),
    ("collatz", collatz_steps, "ncollatz", {}),
    ("digit_sum", digit_sum, "ia", {}),
    ("gcd_sum", gcd_sum, "ia ib", {}),
    ("xorshift", xorshift_hash, "nhash", {}),
    ("histogram", histogram_bins, "a counts", {}),
    ("mod_pow2", mod_pow2_sum, "ias", {}),
    ("prange_matmul", prange_matmul_rows, "x y z", {"parallel": True}),
    ("prange_laplace", prange_laplace, "m out2", {"parallel": True}),
    ("prange_sqrt_sum", prange_sqrt_sum, "a", {"parallel": True, "tol": 1e-12}),
    ("prange_row_norms", prange_row_norms, "m outr", {"parallel": True}),
    ("prange_reset_acc", prange_reset_acc, "m", {"parallel": True, "tol": 1e-12}),
    ("hypot_expr", hypot_expr, "a b", {}),
    ("standardize", standardize, "a", {"tol": 1e-12}),
    ("where_expr", where_expr, "a b", {}),
    ("axpy_expr", axpy_expr, "a b", {}),
    ("relu_expr", relu_expr, "a b", {}),
    ("fma_expr", fma_expr, "a b", {}),
    ("threshold_u8", threshold_u8, "img thr out8", {}),
    ("brighten_clamp_u8", brighten_clamp_u8, "img out8", {}),
    ("invert_u8", invert_u8, "img out8", {}),
    ("count_eq_u8", count_eq_u8, "img k8", {}),
    ("scale_i16", scale_i16, "pcm out16", {}),
    ("fill_bool", fill_bool, "flags", {}),
    ("mask_above_u8", mask_above_u8, "img thr flags", {}),
    ("array_max", array_max, "a", {}),
    ("sum_of_products", sum_of_products, "a b", {"py_tol": 1e-9}),
    ("count_mask", count_mask, "a", {}),
    ("clamp_i32", clamp_i32, "ia32 io32", {}),
    ("max_abs_loop", max_abs_loop, "a", {}),
    ("softmax", softmax, "a out", {"tol": 1e-12}),
    ("conv3x3", conv3x3, "m k3 out2", {}),
]


def make_inputs(quick):
    """Every named argument, shared by the kernels (outputs are reused between calls)."""
    rng = np.random.default_rng(12)
    n = 2_000 if quick else 2_000_000
    side = 24 if quick else 1024
    cube = 10 if quick else 128
    mat = 16 if quick else 256
    series = 40 if quick else 2000
    a = rng.random(n)
    b = rng.random(n)
    ia = rng.integers(-1_000_000, 1_000_000, n)
    args = {
        "a": a,
        "b": b,
        "lo": 0.2,
        "hi": 0.8,
        "out": np.zeros(n),
        "ia": ia,
        "ib": rng.integers(1, 1_000_000, n),
        "ias": ia.copy(),
        "iout": np.zeros(n, dtype=np.int64),
        "ia32": rng.integers(-1000, 1000, n).astype(np.int32),
        "a32": rng.random(n).astype(np.float32),
        "out32": np.zeros(n, dtype=np.float32),
        "m": rng.random((side, side)),
        "out2": np.zeros((side, side)),
        "outc": np.zeros(side),
        "outr": np.zeros(side),
        "outt": np.zeros((side, side)),
        "c": rng.random((cube, cube, cube)),
        "out3": np.zeros((cube, cube, cube)),
        "x": rng.random((mat, mat)),
        "y": rng.random((mat, mat)),
        "z": np.zeros((mat, mat)),
        "s": rng.random(series),
        "t": rng.random(series),
        "cost": np.zeros((series + 1, series + 1)),
        "dist": rng.random((mat, mat)) * 10.0,
        "sx": rng.integers(0, 4, series),
        "sy": rng.integers(0, 4, series),
        "row": np.zeros(series + 1, dtype=np.int64),
        "table": np.zeros((series + 1, series + 1), dtype=np.int64),
        "counts": np.zeros(64, dtype=np.int64),
        "ncollatz": 300 if quick else 100_000,
        "nhash": 1000 if quick else 2_000_000,
    }
    args["img"] = rng.integers(0, 256, n).astype(np.uint8)
    args["out8"] = np.zeros(n, dtype=np.uint8)
    args["thr"] = 127
    args["k8"] = 200
    args["pcm"] = rng.integers(-32768, 32768, n).astype(np.int16)
    args["out16"] = np.zeros(n, dtype=np.int16)
    args["flags"] = np.zeros(n, dtype=np.bool_)
    args["io32"] = np.zeros(n, dtype=np.int32)
    args["k3"] = rng.random((3, 3))
    # popcount wants non-negative words with many bits set
    args["ia"] = np.abs(ia)
    args["ias"] = ia
    return args


def _bind(fn, prange_obj):
    g = dict(fn.__globals__)
    g["prange"] = prange_obj
    bound = types.FunctionType(fn.__code__, g, fn.__name__)
    bound.__module__ = fn.__module__
    return bound


def jit_with(framework, fn, opts):
    kw = {}
    if opts.get("fastmath"):
        kw["fastmath"] = True
    if opts.get("parallel"):
        kw["parallel"] = True
    if framework == "numba":
        import numba

        return numba.njit(**kw)(_bind(fn, numba.prange))
    import ferrojit

    return ferrojit.jit(**kw)(_bind(fn, ferrojit.prange))


def snapshot(value, arg_values):
    """What a call produced: its return value and every array argument (outputs), copied."""
    outs = [np.array(v, copy=True) for v in arg_values if isinstance(v, np.ndarray)]
    ret = np.array(value, copy=True) if value is not None else None
    return ret, outs


def same(x, y, tol):
    x = np.asarray(x)
    y = np.asarray(y)
    if x.shape != y.shape:
        return False
    if tol:
        return bool(np.allclose(x, y, rtol=tol, atol=tol, equal_nan=True))
    if x.dtype.kind == "f" or y.dtype.kind == "f":
        return bool(np.array_equal(x, y, equal_nan=True))
    return bool(np.array_equal(x, y))


def results_equal(r1, r2, tol):
    (ret1, outs1), (ret2, outs2) = r1, r2
    if (ret1 is None) != (ret2 is None):
        return False
    if ret1 is not None and not same(ret1, ret2, tol):
        return False
    return all(same(o1, o2, tol) for o1, o2 in zip(outs1, outs2))


class Case:
    """One kernel bound to its inputs (own copies, so that frameworks do not share outputs)."""

    def __init__(self, fn, argnames, opts, inputs):
        self.fn = fn
        self.opts = opts
        self.pristine = [inputs[n] for n in argnames.split()]
        self.args = [np.array(v, copy=True) if isinstance(v, np.ndarray) else v for v in self.pristine]

    def reset(self):
        for a, p in zip(self.args, self.pristine):
            if isinstance(a, np.ndarray):
                np.copyto(a, p)

    def call(self, f):
        if self.opts.get("reset"):
            self.reset()
        return snapshot(f(*self.args), self.args)

    def sample(self, f, number):
        total = 0.0
        for _ in range(number):
            if self.opts.get("reset"):
                self.reset()
            t0 = time.perf_counter()
            f(*self.args)
            total += time.perf_counter() - t0
        return total / number


def run(args):
    kernels, inputs_of = KERNELS, make_inputs
    if args.set == "wider":
        import wider_kernels

        kernels, inputs_of = wider_kernels.KERNELS, wider_kernels.make_inputs
    inputs = inputs_of(args.quick)
    selected = kernels
    if args.kernels:
        wanted = set(args.kernels.split(","))
        selected = [k for k in kernels if k[0] in wanted]
    try:
        import numba  # noqa: F401

        have_numba = not args.no_numba
    except ImportError:
        have_numba = False
    rows = []
    failures = []
    for name, fn, argnames, opts in selected:
        tol = opts.get("tol", 1e-9 if opts.get("fastmath") else 0)
        row = {"kernel": name}
        try:
            fj = jit_with("ferrojit", fn, opts)
            case_f = Case(fn, argnames, opts, inputs)
            t0 = time.perf_counter()
            res_f = case_f.call(fj)
            row["ferrojit_first_s"] = time.perf_counter() - t0
        except Exception as exc:  # a kernel that does not compile is reported, the run goes on
            row["error"] = f"ferrojit: {type(exc).__name__}: {str(exc).splitlines()[0][:90]}"
            failures.append(name)
            rows.append(row)
            print(f"{name:<18} {row['error']}", flush=True)
            continue
        if args.quick:
            case_py = Case(fn, argnames, opts, inputs)
            res_py = case_py.call(_bind(fn, range))
            ptol = tol or opts.get("py_tol", 1e-9 if opts.get("parallel") else 0)
            if not results_equal(res_f, res_py, ptol):
                row["error"] = "ferrojit differs from CPython"
                failures.append(name)
        if have_numba:
            fn_numba = jit_with("numba", fn, opts)
            case_n = Case(fn, argnames, opts, inputs)
            res_n = case_n.call(fn_numba)
            if not results_equal(res_f, res_n, tol):
                row["error"] = "ferrojit differs from Numba"
                failures.append(name)
            if not args.quick:
                # calls per sample: enough for ~3 ms
                t_one = max(case_n.sample(fn_numba, 1), 1e-7)
                number = max(1, int(0.003 / t_one))
                best_f = best_n = float("inf")
                for r in range(args.rounds):
                    order = [(case_f, fj, "f"), (case_n, fn_numba, "n")]
                    if r % 2:
                        order.reverse()
                    for case, f, tag in order:
                        if opts.get("parallel"):
                            # Both frameworks' worker threads spin for a while after a parallel
                            # loop (Numba's OpenMP ones for milliseconds) and would take the
                            # cores from the other's next sample: let them go idle first.
                            time.sleep(0.05)
                        t = case.sample(f, number)
                        if tag == "f":
                            best_f = min(best_f, t)
                        else:
                            best_n = min(best_n, t)
                row["ferrojit_s"] = best_f
                row["numba_s"] = best_n
                row["ratio"] = best_f / best_n
        rows.append(row)
        if "ratio" in row:
            mark = "  <-- " + row["error"] if "error" in row else ""
            print(f"{name:<18} ferrojit {row['ferrojit_s'] * 1e3:9.3f} ms  numba "
                  f"{row['numba_s'] * 1e3:9.3f} ms  ratio {row['ratio']:6.2f}{mark}", flush=True)
        else:
            print(f"{name:<18} {row.get('error', 'ok')}", flush=True)
    ratios = [r["ratio"] for r in rows if "ratio" in r]
    summary = {}
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        worst = max(rows, key=lambda r: r.get("ratio", 0))
        summary = {"geomean": geo, "worst": worst["ratio"], "worst_kernel": worst["kernel"],
                   "kernels": len(ratios),
                   "over_1_25": [r["kernel"] for r in rows if r.get("ratio", 0) > 1.25]}
        print(f"\n{len(ratios)} kernels: geometric mean ferrojit/numba {geo:.3f}, "
              f"worst {worst['ratio']:.2f} ({worst['kernel']}), "
              f"{len(summary['over_1_25'])} over 1.25: {', '.join(summary['over_1_25'])}")
    if failures:
        print(f"FAILED: {', '.join(sorted(set(failures)))}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"rows": rows, "summary": summary}, fh, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(markdown_table(rows, summary))
    return 1 if failures else 0


def markdown_table(rows, summary):
    """The run as docs/benchmarks.md shows it: one row per kernel, then the summary."""
    lines = ["| kernel | ferrojit (ms) | Numba (ms) | ferrojit/Numba |", "|---|---:|---:|---:|"]
    for r in rows:
        if "ratio" in r:
            note = f" ({r['error']})" if "error" in r else ""
            lines.append(f"| `{r['kernel']}` | {r['ferrojit_s'] * 1e3:.3f} | "
                         f"{r['numba_s'] * 1e3:.3f} | {r['ratio']:.2f}{note} |")
        else:
            lines.append(f"| `{r['kernel']}` | {r.get('error', 'n/a')} | | |")
    if summary:
        lines.append("")
        lines.append(f"{summary['kernels']} kernels: geometric mean **{summary['geomean']:.2f}**, "
                     f"worst **{summary['worst']:.2f}** (`{summary['worst_kernel']}`), "
                     f"{len(summary['over_1_25'])} above 1.25.")
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small inputs, equality checks only")
    p.add_argument("--rounds", type=int, default=9, help="interleaved timing rounds (best counts)")
    p.add_argument("--kernels", default="", help="comma-separated kernel names")
    p.add_argument("--set", choices=["everyday", "wider"], default="everyday",
                   help="the 73 everyday kernels, or the wider probe set (benches/wider_kernels.py)")
    p.add_argument("--no-numba", action="store_true", help="skip Numba even when installed")
    p.add_argument("--json", default="", help="write every number to this file")
    p.add_argument("--markdown", default="", help="write the table as Markdown to this file")
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
