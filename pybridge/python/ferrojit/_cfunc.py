"""``@cfunc(sig)``: a compiled function with a C calling convention, Numba's ``cfunc``.

``f.address`` is the C function's address, ``f.ctypes`` a ``ctypes`` function object for it (what
``scipy.LowLevelCallable(f.ctypes)`` takes), ``f.native_name`` its symbol name, and
``f.cffi``-free calls from Python go through ``ctypes`` (``f(x)``). Parameters and the result
are numbers, bools or C pointers (``CPointer(float64)``, ``voidptr``: ``p[i]`` loads and
``p[i] = x`` stores, unchecked). An exception raised inside cannot reach a C caller: as in Numba, it is
printed to stderr and the function returns zero; a call from Python (``f(x)``) raises it.
"""

import functools

from . import config
from ._ferrojit import CFuncCode, Dispatcher, compile_cfunc
from .decorators import _one_signature_text

__all__ = ["cfunc", "CFunc"]

# ferrojit type texts → ctypes types.
_CTYPES = {
    "bool": "c_bool",
    "int8": "c_int8",
    "int16": "c_int16",
    "int32": "c_int32",
    "int64": "c_int64",
    "uint8": "c_uint8",
    "uint16": "c_uint16",
    "uint32": "c_uint32",
    "uint64": "c_uint64",
    "float32": "c_float",
    "float64": "c_double",
    "none": None,
}


def _ctype(text):
    import ctypes

    if text == "voidptr":
        return ctypes.c_void_p
    if text.startswith("CPointer(") and text.endswith(")"):
        return ctypes.POINTER(_ctype(text[len("CPointer(") : -1]))
    name = _CTYPES[text]
    return None if name is None else getattr(ctypes, name)


class CFunc:
    """A ``@cfunc``: call it from C through :attr:`address` / :attr:`ctypes`."""

    def __init__(self, py_func, signature, **options):
        self._pyfunc = py_func
        self._dispatcher = Dispatcher(py_func, [], **options)
        self._code = compile_cfunc(self._dispatcher, signature)
        args, ret = self._code.types
        self._arg_texts, self._ret_text = args, ret
        self._signature = signature
        self._ctypes = None
        functools.update_wrapper(self, py_func)

    @property
    def address(self):
        """The address of the C function."""
        return self._code.address

    @property
    def native_name(self):
        """The symbol of the C function (it lives in JIT memory, not in a shared library)."""
        return f"cfunc.{self._pyfunc.__module__}.{self._pyfunc.__qualname__}"

    @property
    def ctypes(self):
        """A ``ctypes`` function for the C function (``CFUNCTYPE(restype, *argtypes)``)."""
        if self._ctypes is None:
            import ctypes

            proto = ctypes.CFUNCTYPE(_ctype(self._ret_text), *(_ctype(a) for a in self._arg_texts))
            self._ctypes = proto(self.address)
        return self._ctypes

    @property
    def c_signature(self):
        """``(return type, argument types)`` as ferrojit type texts."""
        return self._ret_text, tuple(self._arg_texts)

    def __call__(self, *args):
        result = self.ctypes(*args)
        CFuncCode.raise_pending()
        return result

    @property
    def py_func(self):
        return self._pyfunc

    def inspect_types(self, *args, **kwargs):
        self._ensure_inspectable()
        return self._dispatcher.inspect_types(*args, **kwargs)

    def inspect_ir(self, *args, **kwargs):
        self._ensure_inspectable()
        return self._dispatcher.inspect_ir(*args, **kwargs)

    def inspect_asm(self, *args, **kwargs):
        self._ensure_inspectable()
        return self._dispatcher.inspect_asm(*args, **kwargs)

    def _ensure_inspectable(self):
        self._dispatcher.compile(self._signature)

    def __repr__(self):
        return f"<ferrojit.CFunc {self._pyfunc.__name__} {self._ret_text}({', '.join(self._arg_texts)})>"


def cfunc(sig, **options):
    """Compiles the decorated function now, for ``sig`` (``'f8(f8)'``, ``float64(float64, int32)``),
    as a C callback; keywords as for ``@jit`` (``boundscheck``, ``fastmath``, ``error_model``,
    ``cache`` is accepted and ignored). With ``config.DISABLE_JIT`` it returns the function."""
    text = _one_signature_text(sig)
    from .decorators import _check_options

    options.pop("cache", None)
    checked = _check_options(options)
    checked.pop("cache", None)

    def decorate(func):
        if config.DISABLE_JIT:
            return func
        return CFunc(func, text, **checked)

    return decorate
