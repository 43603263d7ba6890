"""Clamped byte and 16-bit arithmetic (issue 12): `255 if v > 255 else v` after `v = int(x) + k`,
`min(int(x) + k, 65535)`, `max(int(x) - k, 0)` on uint8/uint16 arrays run as saturating vector
arithmetic (`paddusb`, `psubusw`, ...). Results stay bitwise CPython's for every constant,
every way of writing the bound, every element value, and lengths around the vector width."""

import numpy as np
import pytest

from diff import check
from ferrojit import jit

LENGTHS = [0, 1, 15, 16, 17, 63, 64, 65, 130, 256, 300]


def u8(n):
    # Every byte value, then random ones.
    a = np.random.default_rng(n).integers(0, 256, n).astype(np.uint8)
    a[: min(n, 256)] = np.arange(min(n, 256), dtype=np.uint8)
    return a


def u16(n):
    a = np.random.default_rng(n).integers(0, 65536, n).astype(np.uint16)
    edges = np.array([0, 1, 999, 1000, 64535, 64536, 64537, 65534, 65535], dtype=np.uint16)
    a[: min(n, edges.size)] = edges[: min(n, edges.size)]
    return a


@jit
def brighten(img, k, out):
    for i in range(img.shape[0]):
        v = int(img[i]) + k
        out[i] = 255 if v > 255 else v


@jit
def brighten_40(img, out):
    for i in range(img.shape[0]):
        v = int(img[i]) + 40
        out[i] = 255 if v >= 255 else v


@jit
def brighten_min(img, out):
    for i in range(img.shape[0]):
        out[i] = min(int(img[i]) + 7, 255)


@jit
def darken_max(img, out):
    for i in range(img.shape[0]):
        out[i] = max(int(img[i]) - 40, 0)


@jit
def darken_if(img, out):
    for i in range(img.shape[0]):
        v = int(img[i]) - 200
        out[i] = v if v > 0 else 0


@jit
def darken_below(img, out):
    for i in range(img.shape[0]):
        v = int(img[i]) - 1
        out[i] = 0 if v < 0 else v


@jit
def louder_u16(pcm, out):
    for i in range(pcm.shape[0]):
        out[i] = min(int(pcm[i]) + 1000, 65535)


@jit
def quieter_u16(pcm, out):
    for i in range(pcm.shape[0]):
        out[i] = max(int(pcm[i]) - 1000, 0)


@pytest.mark.parametrize("n", LENGTHS)
def test_uint8_clamps(n):
    img = u8(n)
    for k in (1, 40, 128, 254, 255):
        check(brighten, img, k, np.zeros(n, np.uint8))
    for f in (brighten_40, brighten_min, darken_max, darken_if, darken_below):
        check(f, img, np.zeros(n, np.uint8))


@pytest.mark.parametrize("n", LENGTHS)
def test_uint16_clamps(n):
    pcm = u16(n)
    check(louder_u16, pcm, np.zeros(n, np.uint16))
    check(quieter_u16, pcm, np.zeros(n, np.uint16))


def test_the_clamps_are_saturating_vector_arithmetic():
    n = 256
    brighten_40(u8(n), np.zeros(n, np.uint8))
    darken_max(u8(n), np.zeros(n, np.uint8))
    louder_u16(u16(n), np.zeros(n, np.uint16))
    assert "uadd_sat" in next(iter(brighten_40.inspect_ir().values()))
    assert "usub_sat" in next(iter(darken_max.inspect_ir().values()))
    assert "uadd_sat" in next(iter(louder_u16.inspect_ir().values()))
