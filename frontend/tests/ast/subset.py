# Leading comments and blank lines are fine; decorators are ignored.

@jit
@other.decorator(fastmath=True)
def subset(a, b, /, n):
    """Docstrings are dropped."""
    x: float = -1.5e3
    p = q = 0
    n, (m, k) = a.shape, (1, 2)
    a[1:-1, ::2] = a[:, n]
    a[i] -= ~n << 2 | 3 ^ 4 & 5 >> 1
    while not (p is None) and q is not None or p < q <= 10:
        if p:
            continue
        elif q == 2:
            break
        else:
            pass
        p = 1 if q else 2 ** -q
    assert p != q, "message"
    s = 'single' "concat"
    z = 2j + 3.0 @ b % 7 // 2
    print(a, b, sep=' ', end="\n")
    if n > 0:
        raise ValueError("negative")
    raise StopIteration

    def helper(u):
        """Inner docstring."""
        return u + n

    return helper(True), False, None
