"""ferrojit: a JIT compiler for numeric Python, with Numba's decorators.

>>> from ferrojit import jit
>>> @jit
... def add(a, b):
...     return a + b

The compiler is written in Rust (`ferrojit._ferrojit`); this package holds the decorators, the
type objects for signatures and the exception classes. Importing it must stay cheap: nothing
here imports ``inspect`` or other heavy modules until the first compilation.
"""

from . import config, errors, extending, types
from ._ferrojit import Dispatcher, __version__
from ._ferrojit import typeof as _typeof_text
from ._cfunc import CFunc, cfunc
from .decorators import jit, njit
from .export import export
from .errors import (
    CompileError,
    FerrojitWarning,
    InternalError,
    NumbaError,
    NumbaWarning,
    SignatureError,
    TypingError,
    UnsupportedError,
)
from .types import *  # noqa: F401,F403  (f8, int32, void, ...)
from .types import Signature, Type
from .ufunc import DUFunc, GUFunc, guvectorize, vectorize
from ._stencil import Stencil, stencil
from ._numba_names import from_dtype, literal_unroll, objmode
from .experimental import deferred_type, jitclass
from . import _heapq  # noqa: F401  (registers heapq for compiled code)
from .types import Optional as optional
from ._ferrojit import get_num_threads, set_num_threads


def get_thread_id():
    """The index of the calling thread in the pool (Numba's ``get_thread_id``); 0 outside a
    parallel region, which is everywhere Python code runs."""
    return 0


class prange:
    """``range`` whose iterations may run in parallel: under ``@jit(parallel=True)`` the loop is
    split over the runtime's threads (see docs/parallel.md); in Python it is just ``range``."""

    def __new__(cls, *args):
        return range(*args)


def __getattr__(name):
    # `ferrojit.cuda` (GPU ufuncs, device arrays) is imported at first use: CPU code never
    # pays for it.
    if name in ("cuda", "CudaUnavailable"):
        import importlib

        cuda = importlib.import_module(__name__ + ".cuda")
        return cuda if name == "cuda" else cuda.CudaUnavailable
    # `numba.typed.List` / `numba.extending.overload` spelled as attributes, as Numba scripts
    # do after `import ferrojit as numba`; imported at first use like `cuda`.
    if name in ("typed", "extending", "experimental"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'ferrojit' has no attribute {name!r}")


def typeof(value):
    """The ferrojit type of a value as the dispatcher sees it, e.g. ``array(float64, 2d, C)``."""
    text = _typeof_text(value)
    return types.BY_TEXT.get(text) or Type(text)


__all__ = [
    "export",
    "jit",
    "njit",
    "cfunc",
    "CFunc",
    "stencil",
    "Stencil",
    "literal_unroll",
    "objmode",
    "jitclass",
    "deferred_type",
    "optional",
    "from_dtype",
    "vectorize",
    "guvectorize",
    "DUFunc",
    "GUFunc",
    "prange",
    "cuda",
    "CudaUnavailable",
    "set_num_threads",
    "get_thread_id",
    "config",
    "get_num_threads",
    "typeof",
    "Dispatcher",
    "Type",
    "Signature",
    "errors",
    "extending",
    "types",
    "CompileError",
    "TypingError",
    "UnsupportedError",
    "SignatureError",
    "InternalError",
    "FerrojitWarning",
    "NumbaError",
    "NumbaWarning",
    "__version__",
] + types.__all__
