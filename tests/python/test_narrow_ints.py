"""Integer loops over narrow arrays that mix elements with literals (computed as int64, stored
narrow) run in the narrow type after the `narrow` pass, and vectorise: results must equal
CPython's, differentially (see diff.py), on edge values of each type.
"""

import numpy as np
import pytest

from diff import check
from ferrojit import jit


def clamp(a, out):
    for i in range(a.shape[0]):
        v = a[i]
        if v < 10:
            v = 10
        elif v > 100:
            v = 100
        out[i] = v


def threshold(a, out):
    for i in range(a.shape[0]):
        out[i] = 255 if a[i] > 127 else 0


def affine(a, out):
    for i in range(a.shape[0]):
        out[i] = (a[i] & 63) * 2 + 1


def count_equal(a, b):
    c = 0
    for i in range(a.shape[0]):
        if a[i] == b[i]:
            c += 1
    return c


def edges(dtype):
    info = np.iinfo(dtype)
    base = np.array([info.min, info.min + 1, -1 if info.min < 0 else 0, 0, 1, 9, 10, 11, 99,
                     100, 101, 127, 128, info.max - 1, info.max], dtype=np.int64)
    base = np.clip(base, info.min, info.max).astype(dtype)
    rng = np.random.default_rng(3)
    noise = rng.integers(info.min, int(info.max) + 1, 200, dtype=np.int64).astype(dtype)
    return np.concatenate([base, noise])


@pytest.mark.parametrize("dtype", [np.int32, np.int16, np.int8, np.uint8, np.uint16, np.uint32])
def test_narrow_loops_match_cpython(dtype):
    a = edges(dtype)
    check(jit(clamp), a, np.zeros_like(a))
    check(jit(affine), a, np.zeros_like(a))
    check(jit(count_equal), a, a[::-1].copy())
    if dtype in (np.int32, np.int16, np.uint8, np.uint16, np.uint32):
        check(jit(threshold), a, np.zeros(a.shape[0], np.int32))


def test_narrow_loop_on_views():
    a = edges(np.int32)
    check(jit(clamp), a[::3], np.zeros_like(a[::3]))
    out = np.zeros_like(a)
    check(jit(clamp), a, out[::-1])
