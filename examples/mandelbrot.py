"""The Mandelbrot seed kernel with ferrojit, drawn as text in the terminal.

    .venv/bin/python examples/mandelbrot.py [width] [height]

`create_fractal` calls `mandel`: both are jitted, and the call between them is compiled as a
direct call (the global `mandel` refers to the jitted function when `create_fractal` compiles).
"""

import sys

import numpy as np

import ferrojit


@ferrojit.jit
def mandel(x, y, max_iters):
    c = complex(x, y)
    z = 0.0j
    for i in range(max_iters):
        z = z * z + c
        if (z.real * z.real + z.imag * z.imag) >= 4:
            return i
    return max_iters


@ferrojit.jit
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


def main():
    width = int(sys.argv[1]) if len(sys.argv) > 1 else 78
    height = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    iters = 50
    image = np.zeros((height, width), dtype=np.uint8)
    create_fractal(-2.0, 1.0, -1.0, 1.0, image, iters)
    shades = " .:-=+*#%@"
    for row in image:
        print("".join(shades[min(int(v) * len(shades) // iters, len(shades) - 1)] for v in row))


if __name__ == "__main__":
    main()
