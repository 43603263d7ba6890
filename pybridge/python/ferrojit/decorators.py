"""``@jit`` and ``@njit``: Numba's decorator forms and keywords, mapped onto the Rust dispatcher."""

import warnings

from . import config
from ._ferrojit import Dispatcher
from .errors import FerrojitWarning
from .types import Signature, Type

__all__ = ["jit", "njit"]

# Keywords Numba users pass; anything else is a TypeError naming it.
_KNOWN_OPTIONS = frozenset(
    [
        "nopython",
        "nogil",
        "cache",
        "boundscheck",
        "fastmath",
        "parallel",
        "error_model",
        "forceobj",
        "looplift",
        "locals",
        "inline",
        "debug",
    ]
)


def _signature_texts(sigs):
    """Normalises ``@jit``'s first argument to a list of signature strings."""
    if isinstance(sigs, list):
        return [_one_signature_text(s) for s in sigs]
    return [_one_signature_text(sigs)]


def _one_signature_text(sig):
    if isinstance(sig, str):
        return sig
    if isinstance(sig, (Signature, Type)):
        return str(sig)
    if isinstance(sig, tuple):
        # Argument types only: `@jit((f8, i8))`.
        items = [_one_signature_text(s) for s in sig]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    raise TypeError(
        "a signature must be a string such as 'f8(f8, i8)', a ferrojit signature object such "
        f"as f8(f8, i8), a tuple of argument types, or a list of those; got {type(sig).__name__}"
    )


def _check_options(options):
    unknown = sorted(set(options) - _KNOWN_OPTIONS)
    if unknown:
        raise TypeError(f"jit() got an unexpected keyword argument {unknown[0]!r}")
    if options.get("forceobj"):
        raise NotImplementedError("ferrojit has no object mode: forceobj=True is not supported")
    if options.get("looplift"):
        raise NotImplementedError("ferrojit has no object mode: looplift=True is not supported")
    if options.get("nopython") is False:
        warnings.warn(
            "ferrojit always compiles in nopython mode; nopython=False has no effect",
            FerrojitWarning,
            stacklevel=3,
        )
    error_model = options.get("error_model", "python")
    if error_model not in ("python", "numpy"):
        raise ValueError(f"error_model must be 'python' or 'numpy', got {error_model!r}")
    return {
        "boundscheck": bool(options.get("boundscheck") or False),
        "fastmath": bool(options.get("fastmath") or False),
        "numpy_error_model": error_model == "numpy",
        "nogil": bool(options.get("nogil") or False),
        "parallel": bool(options.get("parallel") or False),
        "cache": bool(options.get("cache") or False),
    }


def _make_dispatcher(func, signatures, options):
    if not callable(func) or not hasattr(func, "__code__"):
        raise TypeError(f"@jit decorates a Python function, got {type(func).__name__}")
    dispatcher = Dispatcher(func, signatures, **options)
    try:
        import functools

        functools.update_wrapper(dispatcher, func)
    except AttributeError:  # pragma: no cover - exotic callables
        pass
    # Numba compiles explicit signatures at decoration time; so do we.
    for index in range(len(signatures)):
        dispatcher._compile_signature(index)
    return dispatcher


def jit(signature_or_function=None, **options):
    """Compiles a numeric Python function to machine code, Numba-style.

    Forms: ``@jit``, ``@jit()``, ``@jit('f8(f8, i8)')``, ``@jit(f8(f8, i8))``,
    ``@jit(['f8(f8)', 'f4(f4)'])``, each with keywords ``nopython``, ``nogil``, ``boundscheck``,
    ``fastmath``, ``error_model`` ('python' or 'numpy'), ``parallel`` (``prange`` loops run on
    all cores) and ``cache`` (compiled code persists in ``__pycache__`` beside the source, or
    in ``$FERROJIT_CACHE_DIR``; needs a C compiler). With signatures, the function is compiled at once and
    calls must match one of them (after safe conversions such as int to float); without, it is
    compiled at the first call for each new combination of argument types.
    """
    checked = _check_options(options)
    if config.DISABLE_JIT:
        # The plain Python function, for pdb, coverage and profilers (Numba's NUMBA_DISABLE_JIT).
        if callable(signature_or_function) and not isinstance(
            signature_or_function, (Type, Signature)
        ):
            return signature_or_function
        return lambda func: func
    if signature_or_function is None:
        signatures = []
    elif callable(signature_or_function) and not isinstance(signature_or_function, (Type, Signature)):
        return _make_dispatcher(signature_or_function, [], checked)
    else:
        signatures = _signature_texts(signature_or_function)

    def decorate(func):
        return _make_dispatcher(func, signatures, checked)

    return decorate


def njit(signature_or_function=None, **options):
    """``jit`` with ``nopython=True`` (ferrojit always compiles in nopython mode)."""
    if "nopython" in options:
        raise TypeError("njit() got an unexpected keyword argument 'nopython'")
    return jit(signature_or_function, nopython=True, **options)
