"""A corpus of real-world-style Numba kernels, grouped by domain (see docs/testing.md).

Each module is written the way the projects it imitates write their kernels (pynndescent/UMAP,
tslearn/stumpy, librosa, QuantEcon, PyOD, pandas' numba engine, Numba's own documentation):
`import ferrojit as numba` or `from ferrojit import njit, prange`, `cache=True`,
`fastmath=True`, explicit signatures, defaults and keyword calls, helpers calling each other.
Each module ends with `CASES`: the calls `tests/python/test_realworld.py` runs under CPython and
compiled. A case that ferrojit cannot run yet carries `xfail=` with the exact missing construct.
"""


class Case:
    """One call of a kernel: positional and keyword arguments, an optional float tolerance
    (only where the order of floating-point operations legitimately differs, e.g. fastmath or
    parallel reductions) and, for a known gap, the reason it fails."""

    def __init__(self, fn, *args, kwargs=None, rtol=None, xfail=None, label="", reference=None):
        self.fn = fn
        # What CPython runs instead of the module's own Python (test_realworld.py runs the
        # module with DISABLE_JIT): only where Numba documents a different result than plain
        # Python (an explicit signature's integer wrap-around) or DISABLE_JIT's stand-in is
        # not faithful (multi-signature ufuncs, gufunc scalars).
        self.reference = reference
        self.args = args
        self.kwargs = kwargs or {}
        self.rtol = rtol
        self.xfail = xfail
        self.label = label

    @property
    def name(self):
        base = getattr(self.fn, "__name__", None) or self.fn.py_func.__name__
        return base + (f"[{self.label}]" if self.label else "")
