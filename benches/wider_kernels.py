"""A wider set of everyday kernels than `everyday_kernels.py`'s, written later to probe for
weak spots (kernels of other styles: containers, strings, masks, library calls, loop nests
with boundary tests). Run through the same harness:

    .venv/bin/python benches/everyday_kernels.py --set wider [--quick] [--kernels a,b]

Each kernel is plain Python, timed side by side with Numba and checked equal to it (and to
CPython with `--quick`). docs/benchmarks.md shows the table and what is still slower.
"""

import math

import numpy as np

prange = range  # rebound per framework by the harness (unused here)

def matvec(A, x, y):
    for i in range(A.shape[0]):
        s = 0.0
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        y[i] = s

def cosine_sim(a, b):
    ab = 0.0; aa = 0.0; bb = 0.0
    for i in range(a.shape[0]):
        ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]
    return ab / math.sqrt(aa * bb)

def moving_average(a, out):
    w = 16
    s = 0.0
    for i in range(w):
        s += a[i]
    out[w - 1] = s / w
    for i in range(w, a.shape[0]):
        s += a[i] - a[i - w]
        out[i] = s / w

def insertion_sort(a):
    b = a.copy()
    for i in range(1, b.shape[0]):
        k = b[i]
        j = i - 1
        while j >= 0 and b[j] > k:
            b[j + 1] = b[j]
            j -= 1
        b[j + 1] = k
    return b

def bsearch_many(sorted_a, q, out):
    n = sorted_a.shape[0]
    for t in range(q.shape[0]):
        lo = 0; hi = n
        x = q[t]
        while lo < hi:
            mid = (lo + hi) // 2
            if sorted_a[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        out[t] = lo

def logistic_map(n):
    x = 0.5
    r = 3.7
    acc = 0.0
    for i in range(n):
        x = r * x * (1.0 - x)
        acc += x
    return acc

def bincount_loop(ia, counts):
    counts[:] = 0
    for i in range(ia.shape[0]):
        counts[ia[i] & 255] += 1

def masked_sum(a):
    return np.sum(a[a > 0.5])

def gauss_expr(a):
    return np.exp(-a * a).sum()

def np_cumsum(a):
    return np.cumsum(a)

def np_sort(a):
    return np.sort(a)

def any_neg(a):
    for i in range(a.shape[0]):
        if a[i] < 0.0:
            return True
    return False

def reverse_copy(a, out):
    n = a.shape[0]
    for i in range(n):
        out[i] = a[n - 1 - i]

def interp_linear(xq, xp, fp, out):
    j = 0
    n = xp.shape[0]
    for i in range(xq.shape[0]):
        x = xq[i]
        while j < n - 2 and xp[j + 1] < x:
            j += 1
        t = (x - xp[j]) / (xp[j + 1] - xp[j])
        out[i] = fp[j] + t * (fp[j + 1] - fp[j])

def gauss_seidel(m):
    for it in range(2):
        for i in range(1, m.shape[0] - 1):
            for j in range(1, m.shape[1] - 1):
                m[i, j] = 0.25 * (m[i - 1, j] + m[i + 1, j] + m[i, j - 1] + m[i, j + 1])

def complex_abs_sum(z):
    s = 0.0
    for i in range(z.shape[0]):
        s += abs(z[i])
    return s

def int_dot(ia, ib):
    s = 0
    for i in range(ia.shape[0]):
        s += ia[i] * ib[i]
    return s

def rgb_gray(img3, outg):
    for i in range(img3.shape[0]):
        for j in range(img3.shape[1]):
            outg[i, j] = 0.299 * img3[i, j, 0] + 0.587 * img3[i, j, 1] + 0.114 * img3[i, j, 2]

def welford(a):
    mean = 0.0; m2 = 0.0
    for i in range(a.shape[0]):
        d = a[i] - mean
        mean += d / (i + 1)
        m2 += d * (a[i] - mean)
    return m2 / a.shape[0]

def sieve(n):
    flags = np.ones(n, dtype=np.bool_)
    flags[0] = False; flags[1] = False
    i = 2
    while i * i < n:
        if flags[i]:
            for j in range(i * i, n, i):
                flags[j] = False
        i += 1
    return flags.sum()

def kmeans_assign(X, C, labels):
    for i in range(X.shape[0]):
        best = np.inf; bi = 0
        for c in range(C.shape[0]):
            d = 0.0
            for k in range(X.shape[1]):
                t = X[i, k] - C[c, k]
                d += t * t
            if d < best:
                best = d; bi = c
        labels[i] = bi

def trapz(y, x):
    s = 0.0
    for i in range(1, y.shape[0]):
        s += (x[i] - x[i - 1]) * (y[i] + y[i - 1])
    return 0.5 * s

def mean_axis0(m):
    return m.sum(axis=0) / m.shape[0]

def strided_sum(a):
    s = 0.0
    for i in range(0, a.shape[0], 2):
        s += a[i]
    return s

def np_clip_expr(a):
    return np.clip(a, 0.2, 0.8)

def np_dot_small(x, y):
    return np.dot(x, y)

def monte_carlo_pi(n):
    np.random.seed(1)
    c = 0
    for i in range(n):
        x = np.random.random(); y = np.random.random()
        if x * x + y * y < 1.0:
            c += 1
    return 4.0 * c / n

def var_np(a):
    return np.var(a) + np.std(a) + np.mean(a)

def argsort_np(a):
    return np.argsort(a)

def outer_add(a, b, out2):
    for i in range(out2.shape[0]):
        for j in range(out2.shape[1]):
            out2[i, j] = a[i] + b[j]

def tri_lower_sum(m):
    s = 0.0
    for i in range(m.shape[0]):
        for j in range(i + 1):
            s += m[i, j]
    return s

def f32_poly(a32, out32):
    for i in range(a32.shape[0]):
        x = a32[i]
        out32[i] = ((np.float32(0.5) * x + np.float32(1.5)) * x - np.float32(2.0)) * x + np.float32(1.0)

def u8_sum(img):
    s = np.int64(0)  # NumPy 2 keeps `0 + uint8` a wrapping uint8 in CPython; Numba, int64
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            s += img[i, j]
    return s

def diff_abs(a, b, out):
    for i in range(a.shape[0]):
        out[i] = abs(a[i] - b[i])

def exp_decay(a, out):
    for i in range(a.shape[0]):
        out[i] = math.exp(-a[i]) * math.cos(a[i])

def count_nonzero_i8(ia):
    c = 0
    for i in range(ia.shape[0]):
        if ia[i] % 3 == 0:
            c += 1
    return c

def tanh_map(a, out):
    for i in range(a.shape[0]):
        out[i] = math.tanh(a[i])

def list_accum(n):
    xs = []
    for i in range(n):
        if i % 3 == 0:
            xs.append(i * 0.5)
    s = 0.0
    for v in xs:
        s += v
    return s

def dict_count(ia):
    d = {-1: 0}
    for i in range(ia.shape[0]):
        k = ia[i] & 1023
        d[k] = d.get(k, 0) + 1
    return len(d)

def pairwise_l1(Xp, D):
    n = Xp.shape[0]
    for i in range(n):
        for j in range(n):
            s = 0.0
            for k in range(Xp.shape[1]):
                s += abs(Xp[i, k] - Xp[j, k])
            D[i, j] = s

def running_max(a, out):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
        out[i] = m

def ewma(a, out):
    alpha = 0.1
    s = a[0]
    for i in range(a.shape[0]):
        s = alpha * a[i] + (1.0 - alpha) * s
        out[i] = s

def finite_diff(u, out2):
    h = 0.01
    for i in range(1, u.shape[0] - 1):
        for j in range(1, u.shape[1] - 1):
            out2[i, j] = (u[i + 1, j] - u[i - 1, j]) / (2 * h) + (u[i, j + 1] - u[i, j - 1]) / (2 * h)

def count_in_range(a):
    c = 0
    for i in range(a.shape[0]):
        if 0.25 <= a[i] < 0.75:
            c += 1
    return c

def newton_sqrt_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        x = a[i] + 1.0
        g = x
        for _ in range(6):
            g = 0.5 * (g + x / g)
        s += g
    return s

def hist2d(x, y, H):
    H[:, :] = 0
    for i in range(x.shape[0]):
        bx = int(x[i] * 32)
        by = int(y[i] * 32)
        if 0 <= bx < 32 and 0 <= by < 32:
            H[bx, by] += 1

def np_cumprod(a):
    return np.cumprod(a * 0.5 + 0.75)

def argmax_2d(m):
    return m.argmax()

def where_expr2(a):
    return np.where(a > 0.5, a, 0.0)

def sum_sq_diff(a, b):
    return ((a - b) ** 2).sum()

def bincount_np(ia):
    return np.bincount(ia & 1023)

def at_x(A, x):
    return A.T @ x

def mandel_pts(w):
    out = np.zeros((w, w), dtype=np.int64)
    for i in range(w):
        for j in range(w):
            c = complex(-2.0 + 2.5 * j / w, -1.25 + 2.5 * i / w)
            z = 0j
            n = 0
            while n < 50 and abs(z) <= 2.0:
                z = z * z + c
                n += 1
            out[i, j] = n
    return out

def minmax_tuple(a):
    lo = a[0]; hi = a[0]
    for x in a:
        if x < lo: lo = x
        if x > hi: hi = x
    return lo, hi

def norm_np(a):
    return np.linalg.norm(a)

def diff_np(a):
    return np.diff(a)

def expr_temps(a, b):
    return np.exp(-a) * b + 1.0

def enumerate_zip(a, b):
    s = 0.0
    for i, (x, y) in enumerate(zip(a, b)):
        if i % 2 == 0:
            s += x * y
    return s

def bisect_roots(a):
    s = 0.0
    for i in range(a.shape[0]):
        lo = 0.0; hi = 2.0; t = a[i] + 1.0
        while hi - lo > 1e-9:
            mid = 0.5 * (lo + hi)
            if mid * mid < t:
                lo = mid
            else:
                hi = mid
        s += lo
    return s

def any_big(a):
    return np.any(a > 0.9999)

def life_step(g, out8):
    n = g.shape[0]
    for i in range(n):
        for j in range(n):
            c = 0
            for di in range(-1, 2):
                for dj in range(-1, 2):
                    if di == 0 and dj == 0:
                        continue
                    ii = i + di; jj = j + dj
                    if 0 <= ii < n and 0 <= jj < n:
                        c += g[ii, jj]
            if g[i, j] == 1 and (c == 2 or c == 3):
                out8[i, j] = 1
            elif g[i, j] == 0 and c == 3:
                out8[i, j] = 1
            else:
                out8[i, j] = 0

def random_walk(n):
    np.random.seed(0)
    x = 0.0
    for i in range(n):
        x += np.random.normal()
    return x

def string_count(n):
    s = "abracadabraabracadabraabracadabraabracadabraabracadabra"
    c = 0
    for k in range(n):
        for ch in s:
            if ch == "a":
                c += 1
    return c

def clamp_loop_f4(a32, out32):
    for i in range(a32.shape[0]):
        v = a32[i] * np.float32(2.0) - np.float32(0.5)
        if v < 0:
            v = np.float32(0.0)
        elif v > 1:
            v = np.float32(1.0)
        out32[i] = v

def sum_2d_loop(m):
    s = 0.0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            s += m[i, j]
    return s

def sum_2d_fast(m):
    s = 0.0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            s += m[i, j]
    return s

def scale_rows(m, v, out2):
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            out2[i, j] = m[i, j] * v[j]

def pi_series(n):
    s = 0.0
    for k in range(n):
        s += (-1.0) ** k / (2 * k + 1)
    return 4 * s

def int_pow_loop(ia):
    s = 0
    for i in range(ia.shape[0]):
        x = ia[i] & 1023
        s += x * x * x
    return s

def np_std(a):
    return a.std()

def np_median(a):
    return np.median(a)

def np_percentile(a):
    return np.percentile(a, 90.0)

def np_unique_count(ia):
    return np.unique(ia & 255).shape[0]

def np_searchsorted(s, q):
    return np.searchsorted(s, q)

def np_concat(a, b):
    return np.concatenate((a, b)).sum()

def np_outer(x, y):
    return np.outer(x, y)

def np_arange_expr(n):
    x = np.arange(n) * 0.5
    return (x * x).sum()

def np_linspace_sin(n):
    x = np.linspace(0.0, 10.0, n)
    return np.sin(x).sum()

def np_zeros_fill(n):
    z = np.zeros((n, 8))
    for i in range(n):
        z[i, i % 8] = 1.0
    return z.sum()

def np_copy_slice(a):
    b = a[100:-100].copy()
    return b[0] + b[-1]

def np_reverse(a):
    return a[::-1].copy()

def np_abs_max(a, b):
    return np.max(np.abs(a - b))

def np_where_count(a):
    return np.where(a > 0.5)[0].shape[0]

def np_argsort_big(a):
    return np.argsort(a)[0]

def np_sort_f32(a32):
    return np.sort(a32)[10]

def np_cumsum_2d(m):
    return np.cumsum(m, axis=1)[:, -1].sum()

def np_isnan_count(a):
    return np.sum(np.isnan(a))

def np_round(a):
    return np.round(a, 2)

def np_floor_int(a):
    return np.floor(a * 10).astype(np.int64).sum()

def np_exp_log(a):
    return np.log1p(np.exp(-a)).sum()

def np_matmul_small(A, B):
    return A @ B

def np_inv(S):
    return np.linalg.inv(S)[0, 0]

def np_solve(S, v):
    return np.linalg.solve(S, v)

def np_random_uniform(n):
    np.random.seed(3)
    return np.random.random(n).sum()

def np_random_normal_arr(n):
    np.random.seed(4)
    return np.random.normal(0.0, 1.0, n).sum()

def loop_2d_transpose_sum(m):
    s = 0.0
    for j in range(m.shape[1]):
        for i in range(m.shape[0]):
            s += m[i, j]
    return s

def tuple_swap_loop(a):
    x, y = 0.0, 1.0
    for i in range(a.shape[0]):
        x, y = y, x + a[i]
    return x + y

def while_converge(a):
    total = 0
    for i in range(a.shape[0]):
        x = a[i] * 100.0
        k = 0
        while x > 1.0:
            x = x * 0.5
            k += 1
        total += k
    return total

def bool_array_loop(flags):
    c = 0
    for i in range(flags.shape[0]):
        if flags[i]:
            c += 1
    return c

def int8_loop(i8a):
    s = 0
    for i in range(i8a.shape[0]):
        s += np.int64(i8a[i]) * 2  # NumPy 2's int8 * 2 would wrap in CPython
    return s

def float_to_int_cast(a):
    s = 0
    for i in range(a.shape[0]):
        s += int(a[i] * 1000.0)
    return s

def complex_loop(z):
    s = 0j
    for i in range(z.shape[0]):
        s += z[i] * z[i].conjugate()
    return s.real

def max_reduce_2d_loop(m):
    best = -np.inf
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if m[i, j] > best:
                best = m[i, j]
    return best

def lerp_loop(a, b, out):
    t = 0.3
    for i in range(a.shape[0]):
        out[i] = a[i] + t * (b[i] - a[i])

def exp_neg_sq(a, out):
    for i in range(a.shape[0]):
        out[i] = math.exp(-a[i] * a[i])

def sigmoid(a, out):
    for i in range(a.shape[0]):
        out[i] = 1.0 / (1.0 + math.exp(-a[i]))

def power_loop(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i] ** 3

def log_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += math.log(a[i] + 1.0)
    return s

def atan2_loop(a, b, out):
    for i in range(a.shape[0]):
        out[i] = math.atan2(a[i], b[i])

def int_minmax_pair(ia):
    lo = ia[0]; hi = ia[0]
    for i in range(ia.shape[0]):
        v = ia[i]
        lo = min(lo, v)
        hi = max(hi, v)
    return hi - lo


# name -> (function, argument names, options), as in everyday_kernels.py.
KERNELS = [
    ("matvec", matvec, "A x y", {}),
    ("cosine_sim", cosine_sim, "a b", {}),
    ("moving_average", moving_average, "a out", {}),
    ("insertion_sort", insertion_sort, "small", {}),
    ("bsearch_many", bsearch_many, "sorted q iout", {}),
    ("logistic_map", logistic_map, "nlog", {}),
    ("bincount_loop", bincount_loop, "ia counts", {}),
    ("masked_sum", masked_sum, "a", {"py_tol": 1e-12}),  # NumPy sums pairwise in CPython
    ("gauss_expr", gauss_expr, "a", {"tol": 1e-12}),
    ("np_cumsum", np_cumsum, "a", {}),
    ("np_sort", np_sort, "a", {}),
    ("any_neg", any_neg, "a", {}),
    ("reverse_copy", reverse_copy, "a out", {}),
    ("interp_linear", interp_linear, "xq xp fp out", {}),
    ("gauss_seidel", gauss_seidel, "m", {"reset": True}),
    ("complex_abs_sum", complex_abs_sum, "z", {}),
    ("int_dot", int_dot, "ia ib", {}),
    ("rgb_gray", rgb_gray, "img3 outg", {}),
    ("welford", welford, "a", {}),
    ("sieve", sieve, "nsieve", {}),
    ("kmeans_assign", kmeans_assign, "X C labels", {}),
    ("trapz", trapz, "a b", {}),
    ("mean_axis0", mean_axis0, "m", {"tol": 1e-12}),
    ("strided_sum", strided_sum, "a", {}),
    ("np_clip_expr", np_clip_expr, "a", {}),
    ("np_dot_small", np_dot_small, "a b", {"tol": 1e-9}),
    ("monte_carlo_pi", monte_carlo_pi, "nmc", {}),
    ("var_np", var_np, "a", {"tol": 1e-12}),
    ("argsort_np", argsort_np, "small", {}),
    ("outer_add", outer_add, "x y m2", {}),
    ("tri_lower_sum", tri_lower_sum, "m", {}),
    ("f32_poly", f32_poly, "a32 out32", {}),
    ("u8_sum", u8_sum, "img", {}),
    ("diff_abs", diff_abs, "a b out", {}),
    ("exp_decay", exp_decay, "a out", {}),
    ("count_mod3", count_nonzero_i8, "ia", {}),
    ("tanh_map", tanh_map, "a out", {}),
    ("list_accum", list_accum, "nlist", {}),
    ("dict_count", dict_count, "ia", {}),

    ("pairwise_l1", pairwise_l1, "Xp D", {}),
    ("running_max", running_max, "a out", {}),
    ("ewma", ewma, "a out", {}),
    ("finite_diff", finite_diff, "m out2", {}),
    ("count_in_range", count_in_range, "a", {}),
    ("newton_sqrt", newton_sqrt_sum, "a", {}),
    ("hist2d", hist2d, "a b H", {}),
    ("np_cumprod", np_cumprod, "small2", {}),
    ("argmax_2d", argmax_2d, "m", {}),
    ("where_expr2", where_expr2, "a", {}),
    ("sum_sq_diff", sum_sq_diff, "a b", {"tol": 1e-12}),
    ("bincount_np", bincount_np, "ia", {}),
    ("at_x", at_x, "m v", {"tol": 1e-9}),
    ("mandel_pts", mandel_pts, "wm", {}),

    ("minmax_tuple", minmax_tuple, "a", {}),
    ("norm_np", norm_np, "a", {"tol": 1e-12}),
    ("diff_np", diff_np, "a", {}),
    ("expr_temps", expr_temps, "a b", {"tol": 1e-15}),
    ("enumerate_zip", enumerate_zip, "a b", {}),
    ("bisect_roots", bisect_roots, "small2", {}),
    ("any_big", any_big, "a", {}),
    ("life_step", life_step, "g out8", {}),
    ("random_walk", random_walk, "nwalk", {"tol": 1e-9}),
    ("string_count", string_count, "nstr", {}),
    ("clamp_loop_f4", clamp_loop_f4, "a32 out32", {}),
    ("sum_2d_loop", sum_2d_loop, "m", {}),
    ("sum_2d_fast", sum_2d_fast, "m", {"fastmath": True, "tol": 1e-9}),
    ("scale_rows", scale_rows, "m v out2", {}),
    ("pi_series", pi_series, "nlog", {}),
    ("int_pow_loop", int_pow_loop, "ia", {}),

    ("np_std", np_std, "a", {"tol": 1e-12}),
    ("np_median", np_median, "a", {}),
    ("np_percentile", np_percentile, "a", {"tol": 1e-12}),
    ("np_unique_count", np_unique_count, "ia", {}),
    ("np_searchsorted", np_searchsorted, "sorted q1k", {}),
    ("np_concat", np_concat, "a b", {"tol": 1e-9}),
    ("np_outer", np_outer, "x y", {}),
    ("np_arange_expr", np_arange_expr, "nlog", {"tol": 1e-12}),
    ("np_linspace_sin", np_linspace_sin, "nlog", {"tol": 1e-9}),
    ("np_zeros_fill", np_zeros_fill, "nz", {}),
    ("np_copy_slice", np_copy_slice, "a", {}),
    ("np_reverse", np_reverse, "a", {}),
    ("np_abs_max", np_abs_max, "a b", {}),
    ("np_where_count", np_where_count, "a", {}),
    ("np_argsort_big", np_argsort_big, "a", {}),
    ("np_sort_f32", np_sort_f32, "a32", {}),
    ("np_cumsum_2d", np_cumsum_2d, "m", {"tol": 1e-9}),
    ("np_isnan_count", np_isnan_count, "a", {}),
    ("np_round", np_round, "a", {}),
    ("np_floor_int", np_floor_int, "a", {}),
    ("np_exp_log", np_exp_log, "a", {"tol": 1e-9}),
    ("np_matmul_small", np_matmul_small, "S S", {"tol": 1e-9}),
    ("np_inv", np_inv, "S", {"tol": 1e-6}),
    ("np_solve", np_solve, "S v64", {"tol": 1e-6}),
    ("np_random_uniform", np_random_uniform, "nlog", {"tol": 1e-9}),
    ("np_random_normal_arr", np_random_normal_arr, "nlog", {"tol": 1e-9}),
    ("loop_2d_transpose_sum", loop_2d_transpose_sum, "m", {}),
    ("tuple_swap_loop", tuple_swap_loop, "a", {}),
    ("while_converge", while_converge, "a", {}),
    ("bool_array_loop", bool_array_loop, "flags", {}),
    ("int8_loop", int8_loop, "i8a", {}),
    ("float_to_int_cast", float_to_int_cast, "a", {}),
    ("complex_loop", complex_loop, "z10", {"tol": 1e-9}),
    ("max_reduce_2d_loop", max_reduce_2d_loop, "m", {}),
    ("lerp_loop", lerp_loop, "a b out", {}),
    ("exp_neg_sq", exp_neg_sq, "a out", {}),
    ("sigmoid", sigmoid, "a out", {}),
    ("power_loop", power_loop, "a out", {"tol": 1e-15}),
    ("log_sum", log_sum, "a", {}),
    ("atan2_loop", atan2_loop, "a b out", {}),
    ("int_minmax_pair", int_minmax_pair, "ia", {}),
]


def make_inputs(quick):
    """Every named argument, shared by the kernels."""
    rng = np.random.default_rng(5)
    n = 2000 if quick else 1_000_000
    s = 16 if quick else 512
    return dict(
        A=rng.random((s, s)), x=rng.random(s), y=rng.random(s), a=rng.random(n), b=rng.random(n),
        out=np.zeros(n), small=rng.random(200 if quick else 3000),
        small2=rng.random(200 if quick else 20000), sorted=np.sort(rng.random(n)),
        q=rng.random(n // 4), iout=np.zeros(n // 4, dtype=np.int64),
        nlog=10_000 if quick else 1_000_000, ia=rng.integers(0, 1 << 40, n),
        ib=rng.integers(0, 1 << 20, n), counts=np.zeros(256, dtype=np.int64),
        xq=np.sort(rng.random(n)), xp=np.linspace(0, 1, 1000), fp=rng.random(1000),
        m=rng.random((s, s)), z=rng.random(n) + 1j * rng.random(n), img3=rng.random((s, s, 3)),
        outg=np.zeros((s, s)), nsieve=100_000 if quick else 5_000_000,
        X=rng.random((n // 100, 8)), C=rng.random((16, 8)),
        labels=np.zeros(n // 100, dtype=np.int64), nmc=10_000 if quick else 1_000_000,
        m2=np.zeros((s, s)), a32=rng.random(n).astype(np.float32),
        out32=np.zeros(n, dtype=np.float32),
        img=rng.integers(0, 256, (s * 2, s * 2)).astype(np.uint8),
        nlist=10_000 if quick else 1_000_000, Xp=rng.random((40 if quick else 300, 8)),
        D=np.zeros((40 if quick else 300,) * 2), out2=np.zeros((s, s)),
        H=np.zeros((32, 32), dtype=np.int64), v=rng.random(s), wm=20 if quick else 200,
        g=(rng.random((s, s)) < 0.3).astype(np.int64), out8=np.zeros((s, s), dtype=np.int64),
        nwalk=1000 if quick else 200_000, nstr=10 if quick else 500,
        q1k=rng.random(1000), nz=1000 if quick else 100_000,
        S=rng.random((64, 64)) + 64 * np.eye(64), v64=rng.random(64),
        flags=rng.random(n) > 0.5, i8a=rng.integers(-100, 100, n).astype(np.int8),
        z10=rng.random(n // 10) + 1j * rng.random(n // 10),
    )
