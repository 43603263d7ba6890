"""The three seed kernels, compiled vs CPython: filter2d and Mandelbrot bit for bit, N-body
within floating-point tolerance (its sums may be contracted or reordered)."""

import math

import numpy as np
import pytest

from diff import check
from ferrojit import jit


@jit("void(f8[:,:],f8[:,:],f8[:,:])")
def filter2d(image, filt, output):
    M, N = image.shape
    m, n = filt.shape
    for i in range(m // 2, M - m // 2):
        for j in range(n // 2, N - n // 2):
            result = 0.0
            for k in range(m):
                for l in range(n):
                    result += image[i + k - m // 2, j + l - n // 2] * filt[k, l]
            output[i, j] = result


@jit
def mandel(x, y, max_iters):
    c = complex(x, y)
    z = 0.0j
    for i in range(max_iters):
        z = z * z + c
        if (z.real * z.real + z.imag * z.imag) >= 4:
            return i
    return max_iters


@jit
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


@jit
def nbody(particle, particlev, nSteps, dt):
    nParticles = particle.shape[0]
    for step in range(1, nSteps + 1, 1):
        for i in range(nParticles):
            Fx = 0.0; Fy = 0.0; Fz = 0.0  # noqa: E702 - the seed kernel as written
            for j in range(nParticles):
                if j != i:
                    dx = particle[j, 0] - particle[i, 0]
                    dy = particle[j, 1] - particle[i, 1]
                    dz = particle[j, 2] - particle[i, 2]
                    drSquared = dx * dx + dy * dy + dz * dz
                    drPowerN32 = 1.0 / (drSquared + math.sqrt(drSquared))
                    Fx += dx * drPowerN32
                    Fy += dy * drPowerN32
                    Fz += dz * drPowerN32
            particlev[i, 0] += dt * Fx
            particlev[i, 1] += dt * Fy
            particlev[i, 2] += dt * Fz
        for i in range(nParticles):
            particle[i, 0] += particlev[i, 0] * dt
            particle[i, 1] += particlev[i, 1] * dt
            particle[i, 2] += particlev[i, 2] * dt
    return particle, particlev


@pytest.mark.parametrize("shape, fshape", [((40, 56), (5, 5)), ((17, 9), (3, 3)), ((8, 8), (1, 1))])
def test_filter2d_bit_for_bit(shape, fshape):
    rng = np.random.default_rng(1)
    image = rng.random(shape)
    filt = rng.random(fshape)
    check(filter2d, image, filt, np.zeros(shape))


def test_filter2d_converts_strided_views_to_its_any_layout_signature():
    rng = np.random.default_rng(2)
    image = rng.random((30, 40))
    check(filter2d, image[::2, ::2], rng.random((3, 3)), np.zeros((30, 40))[::2, ::2])
    check(filter2d, np.asfortranarray(image), rng.random((3, 3)), np.zeros((30, 40), order="F"))


def test_filter2d_rejects_other_dtypes():
    with pytest.raises(TypeError, match="No matching definition"):
        filter2d(np.zeros((4, 4), np.float32), np.zeros((3, 3)), np.zeros((4, 4)))


@pytest.mark.parametrize("x, y", [(0.0, 0.0), (-2.0, 1.0), (0.3, 0.5), (-0.75, 0.1), (2.0, 2.0)])
def test_mandel_bit_for_bit(x, y):
    check(mandel, x, y, 50)


def test_create_fractal_bit_for_bit():
    image = np.zeros((96, 128), dtype=np.uint8)
    result = check(create_fractal, -2.0, 1.0, -1.0, 1.0, image, 20)
    assert result.dtype == np.uint8 and result.any()


def test_create_fractal_full_size_returns_the_callers_image():
    image = np.zeros((768, 1024), dtype=np.uint8)
    assert create_fractal(-2.0, 1.0, -1.0, 1.0, image, 20) is image
    # Spot-check a few rows against CPython.
    for row in (0, 200, 384, 767):
        expected = np.array(
            [mandel.py_func(-2.0 + x * 3.0 / 1024, -1.0 + row * 2.0 / 768, 20) for x in range(1024)],
            dtype=np.uint8,
        )
        assert np.array_equal(image[row], expected)


@pytest.mark.parametrize("n, steps", [(2, 1), (30, 3), (64, 2)])
def test_nbody_allclose(n, steps):
    rng = np.random.default_rng(3)
    particles = rng.random((n, 3))
    velocities = rng.random((n, 3)) * 0.01
    result = check(nbody, particles, velocities, steps, 0.01, rtol=1e-12)
    assert isinstance(result, tuple) and len(result) == 2
