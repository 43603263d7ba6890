# Hand-written: statements and expressions the generator does not produce (a seed for
# tests/fuzz_compile.rs).
# signature: (float64[:, :], float64[:, :], float64[:, :], int64, complex128, float64[:])
def kernels(image, filt, output, n, c, w):
    M, N = image.shape
    m, k = filt.shape
    for i in range(m // 2, M - m // 2):
        for j in range(k // 2, N - k // 2):
            result = 0.0
            for u in range(m):
                for v in range(k):
                    result += image[i + u - m // 2, j + v - k // 2] * filt[u, v]
            output[i, j] = result
    z = 0.0j
    steps = 0
    while steps < n:
        z = z * z + c
        if (z.real * z.real + z.imag * z.imag) >= 4:
            break
        steps += 1
    total = 0
    for x in w:
        total += int(x) if x == x else -1
    a, b = n, 1
    while b:
        a, b = b, a % b
    assert a >= 0, "gcd is not negative"
    if a > 100:
        raise ValueError("too large")
    r = math.hypot(abs(z), 1.0)
    return steps, total, a, round(r, 2), min(M, N, n), -n ** 2, 0 <= n < 10
