"""The seed kernels, as plain Python: the benchmark jits them at run time.

benches/seed_kernels.py imports this file once per framework under different module names
(``importlib``), so that the global ``mandel`` that ``create_fractal`` calls can be rebound to
that framework's jitted ``mandel`` in each copy. Keep the kernels exactly as they are: they are
the comparison with Numba's classic examples.
"""

import math

#: Numba's eager signature for filter2d in the original example.
FILTER2D_SIGNATURE = "void(f8[:,:],f8[:,:],f8[:,:])"


def filter2d(image, filt, output):
    M, N = image.shape
    m, n = filt.shape
    for i in range(m//2, M-m//2):
        for j in range(n//2, N-n//2):
            result = 0.0
            for k in range(m):
                for l in range(n):
                    result += image[i+k-m//2,j+l-n//2]*filt[k, l]
            output[i,j] = result


def mandel(x, y, max_iters):
    c = complex(x, y)
    z = 0.0j
    for i in range(max_iters):
        z = z * z + c
        if (z.real * z.real + z.imag * z.imag) >= 4:
            return i
    return max_iters


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


def nbody(particle, particlev, nSteps, dt):
    nParticles = particle.shape[0]
    for step in range(1, nSteps + 1, 1):
        for i in range(nParticles):
            Fx = 0.0; Fy = 0.0; Fz = 0.0
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


def identity(x):
    """The trivial function whose call time measures the dispatcher's per-call overhead."""
    return x
