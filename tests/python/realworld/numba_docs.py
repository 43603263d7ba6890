"""Kernels in the style of Numba's own documentation and tutorials: `go_fast` with `np.tanh`,
Monte Carlo pi, Mandelbrot, `sum2d`, bubble sort, `prange` reductions, `@vectorize` with
several signatures, `@guvectorize`, `@stencil`, `objmode`, `literal_unroll`, `typed.List` /
`typed.Dict`, a `@jitclass`, recursion, closures over globals, `np.nditer`-free loops."""

import math
import random

import numpy as np

import ferrojit as numba
from ferrojit import guvectorize, jit, njit, objmode, prange, stencil, vectorize
from ferrojit.experimental import jitclass
from ferrojit.typed import Dict, List
from ferrojit import float32, int32

from . import Case


@jit(nopython=True)
def go_fast(a):
    trace = 0.0
    for i in range(a.shape[0]):
        trace += np.tanh(a[i, i])
    return a + trace


@njit
def monte_carlo_pi(nsamples):
    random.seed(1)
    acc = 0
    for i in range(nsamples):
        x = random.random()
        y = random.random()
        if (x ** 2 + y ** 2) < 1.0:
            acc += 1
    return 4.0 * acc / nsamples


@njit
def mandel(x, y, max_iters):
    i = 0
    c = complex(x, y)
    z = 0.0j
    for i in range(max_iters):
        z = z * z + c
        if (z.real * z.real + z.imag * z.imag) >= 4:
            return i
    return 255


@njit
def create_fractal(min_x, max_x, min_y, max_y, image, iters):
    height = image.shape[0]
    width = image.shape[1]
    pixel_size_x = (max_x - min_x) / width
    pixel_size_y = (max_y - min_y) / height
    for x in range(width):
        real = min_x + x * pixel_size_x
        for y in range(height):
            imag = min_y + y * pixel_size_y
            color = mandel(real, imag, iters)
            image[y, x] = color
    return image


@jit("f8(f8[:, :])", nopython=True)
def sum2d(arr):
    M, N = arr.shape
    result = 0.0
    for i in range(M):
        for j in range(N):
            result += arr[i, j]
    return result


@njit
def bubblesort(X):
    N = len(X)
    for end in range(N, 1, -1):
        for i in range(end - 1):
            cur = X[i]
            if cur > X[i + 1]:
                tmp = X[i]
                X[i] = X[i + 1]
                X[i + 1] = tmp


@njit(parallel=True)
def prange_test(A):
    s = 0
    for i in prange(A.shape[0]):
        s += A[i]
    return s


@njit(parallel=True)
def two_d_array_reduction_prod(n):
    shp = (13, 17)
    result1 = 2 * np.ones(shp, np.int_)
    tmp = 2 * np.ones_like(result1)
    for i in prange(n):
        result1 *= tmp
    return result1


@njit(parallel=True)
def prange_ok_result_whole_arr(x):
    n = x.shape[0]
    y = np.zeros(4)
    for i in prange(n):
        y += x[i]
    return y


@njit(parallel=True)
def logistic_regression(Y, X, w, iterations):
    for i in range(iterations):
        w -= np.dot(((1.0 / (1.0 + np.exp(-Y * np.dot(X, w))) - 1.0) * Y), X)
    return w


@vectorize(["int64(int64, int64)", "float64(float64, float64)"])
def f_vec(x, y):
    return x + y


@guvectorize(["void(float64[:], intp[:], float64[:])"], "(n),()->(n)")
def g_gu(x, y, res):
    for i in range(x.shape[0]):
        res[i] = x[i] + y[0]


@stencil
def kernel1(a):
    return 0.25 * (a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0])


@njit
def apply_kernel1(a):
    return kernel1(a)


@njit
def objmode_sum(x):
    acc = 0.0
    for v in x:
        acc += v
    with objmode(y="float64"):
        y = float(np.sum(x))
    return acc - y


@njit
def unrolled_tuple_sum(tup):
    acc = 0.0
    for v in numba.literal_unroll(tup):
        acc += v
    return acc


@njit
def typed_list_squares(n):
    lst = List()
    for i in range(n):
        lst.append(i * i)
    return lst


@njit
def typed_dict_counts(a):
    d = Dict.empty(key_type=numba.types.int64, value_type=numba.types.float64)
    for v in a:
        d[v] = d.get(v, 0.0) + 1.0
    return d


@njit
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@njit
def ackermann(m, n):
    if m == 0:
        return n + 1
    elif n == 0:
        return ackermann(m - 1, 1)
    else:
        return ackermann(m - 1, ackermann(m, n - 1))


THRESHOLDS = np.array([0.1, 0.5, 0.9])


@njit
def count_above_thresholds(a):
    out = np.zeros(THRESHOLDS.shape[0], dtype=np.int64)
    for v in a:
        for t in range(THRESHOLDS.shape[0]):
            if v > THRESHOLDS[t]:
                out[t] += 1
    return out


@njit
def moving_average(a, window=3):
    ret = np.cumsum(a)
    ret[window:] = ret[window:] - ret[:-window]
    return ret[window - 1:] / window


@njit(error_model="numpy")
def safe_divide(a, b):
    return a / b


@njit
def raise_on_negative(x):
    if x < 0:
        raise ValueError(f"x must be non-negative, got {x}")
    return math.sqrt(x)


@njit(boundscheck=True)
def out_of_bounds(a, i):
    return a[i]


@njit(nogil=True)
def nogil_norm(a):
    return np.sqrt(np.sum(a * a))


@njit
def isprime_list(n):
    primes = [2]
    k = 3
    while len(primes) < n:
        for p in primes:
            if p * p > k:
                primes.append(k)
                break
            if k % p == 0:
                break
        else:
            primes.append(k)
        k += 2
    return primes


spec = [
    ("value", int32),
    ("array", float32[:]),
]


@jitclass(spec)
class Bag(object):
    def __init__(self, value):
        self.value = value
        self.array = np.zeros(value, dtype=np.float32)

    @property
    def size(self):
        return self.array.size

    def increment(self, val):
        for i in range(self.size):
            self.array[i] += val
        return self.array

    @staticmethod
    def add(x, y):
        return x + y


@njit
def bag_usage(n, val):
    mybag = Bag(n)
    mybag.increment(val)
    mybag.increment(val * 2)
    return mybag.array.sum(), mybag.size, mybag.value, Bag.add(n, 2)


_rng = np.random.default_rng(17)
A = np.arange(16.0).reshape(4, 4) / 10
Y = np.sign(_rng.standard_normal(20))
XLR = _rng.standard_normal((20, 3))

CASES = [
    Case(go_fast, A, rtol=1e-15),
    Case(monte_carlo_pi, 2000),
    Case(mandel, -0.5, 0.5, 50),
    Case(create_fractal, -2.0, 1.0, -1.0, 1.0, np.zeros((12, 18), dtype=np.uint8), 20),
    Case(sum2d, A),
    Case(bubblesort, _rng.standard_normal(15)),
    Case(prange_test, np.arange(100)),
    Case(two_d_array_reduction_prod, 3),
    Case(prange_ok_result_whole_arr, np.arange(20.0).reshape(5, 4)),
    Case(logistic_regression, Y, XLR, np.zeros(3), 5, rtol=1e-9),
    Case(f_vec, np.arange(5), np.arange(5)),
    Case(f_vec, np.arange(5.0), 2.5, label="float", reference=np.add),
    Case(g_gu, np.arange(6.0).reshape(2, 3), np.array([1, 2]),
         reference=lambda x, y: x + y[:, None]),
    Case(apply_kernel1, A),
    Case(objmode_sum, np.arange(10.0)),
    Case(unrolled_tuple_sum, (1, 2.5, 3)),
    Case(typed_list_squares, 5),
    Case(typed_dict_counts, np.array([1, 2, 1, 3])),
    Case(fib, 15),
    Case(ackermann, 2, 3),
    Case(count_above_thresholds, _rng.uniform(0, 1, 30)),
    Case(moving_average, np.arange(10.0)),
    Case(moving_average, np.arange(10.0), kwargs={"window": 4}, label="window"),
    Case(safe_divide, np.float64(1.0), np.float64(0.0)),
    Case(raise_on_negative, 4.0),
    Case(raise_on_negative, -4.0, label="raise"),
    Case(out_of_bounds, np.arange(3.0), 5),
    Case(nogil_norm, np.arange(5.0), rtol=1e-15),
    Case(isprime_list, 12),
    Case(bag_usage, 5, 1.5),
]
