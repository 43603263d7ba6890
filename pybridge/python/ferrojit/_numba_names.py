"""Numba names that scripts use besides the decorators: ``literal_unroll``, ``objmode``,
``from_dtype`` (re-exported by ``ferrojit``, so that ``import ferrojit as numba`` runs them)."""

from .extending import register_jitable
from .types import BY_TEXT

__all__ = ["literal_unroll", "objmode", "from_dtype"]


@register_jitable
def literal_unroll(container):
    """Numba's marker for a loop over a heterogeneous tuple. ferrojit loops over any tuple
    without it (each iteration's value converted to one common type), so it is the identity,
    in Python and in compiled code."""
    return container


class objmode:
    """``with objmode(x='float64'):`` runs a block in the interpreter inside a Numba function.
    In compiled code the compiler recognises the ``with`` statement and runs the block's body
    through the interpreter (see ``pybridge/src/objmode.rs``); in Python (``DISABLE_JIT``, or the
    function's ``py_func``) this context manager is what runs, and the block just runs."""

    def __init__(self, *args, **annotations):
        self.annotations = annotations

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def from_dtype(dtype):
    """The ferrojit scalar type of a NumPy dtype (``from_dtype(np.float32)`` is ``float32``)."""
    import numpy as np

    dt = np.dtype(dtype)
    name = "bool" if dt.kind == "b" else dt.name
    found = BY_TEXT.get(name)
    if found is None or not dt.isnative:
        raise NotImplementedError(f"no ferrojit type for dtype {dt!r}")
    return found


