"""`@stencil` kernels called from inside `@jit` functions (issue 10, item 13): `kernel(a)`
makes a new array of the kernel's type with a `cval` border, `kernel(a, out=o)` writes the
interior of `o`; kernels with extra arguments, several returns and 2-d neighbourhoods; in
loops. Compared with CPython running the same code with the stencils called from Python
(``check``)."""

import numpy as np

from ferrojit import jit, stencil

from diff import check


@stencil
def smooth(a):
    return 0.25 * (a[-1] + 2 * a[0] + a[1])


@stencil(cval=-1)
def laplace(a, k):
    return k * (a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0] - 4 * a[0, 0])


@stencil
def step_up(a):
    if a[0] > a[-1]:
        return a[0] - a[-1]
    return 0


@stencil(neighborhood=((-2, 0),))
def trailing_max(a):
    best = a[-2]
    for j in range(-1, 1):
        if a[j] > best:
            best = a[j]
    return best


@jit
def diffuse(x, n):
    for _ in range(n):
        x = smooth(x)
    return x


@jit
def laplace_both_ways(a):
    o = np.zeros_like(a)
    laplace(a, 2.0, out=o)
    return o, laplace(a, 1.0)


@jit
def int_kernels(a):
    return step_up(a), trailing_max(a)


def test_stencils_called_from_jit():
    check(diffuse, np.arange(8.0) ** 2, 3)
    check(laplace_both_ways, np.arange(16.0).reshape(4, 4) ** 2)
    check(int_kernels, np.array([1, 3, 2, 5, 4]))
    check(int_kernels, np.array([1.0, 3.0]))  # shorter than the neighbourhood: all border
