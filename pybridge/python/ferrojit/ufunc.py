"""``@vectorize`` and ``@guvectorize``: NumPy ufuncs from jitted kernels, Numba-style.

``@vectorize(['f8(f8, f8)', 'f4(f4, f4)'])`` compiles the scalar kernel once per signature into
an inner loop and returns a genuine ``numpy.ufunc``: broadcasting, ``out=``, dtype selection and
casting, ``reduce``/``accumulate`` (with ``identity=``) are NumPy's own. Without signatures it
returns a :class:`DUFunc`, which compiles a loop for each new combination of input dtypes (the
output type inferred) and calls the ufunc it rebuilds with all its loops.

``@guvectorize(['void(f8[:], f8, f8[:])'], '(n),()->(n)')`` makes a generalized ufunc: the
kernel receives array views of the core dimensions and writes its outputs, which NumPy allocates
when they are not passed. Without signatures it returns a :class:`GUFunc`, which compiles for
the dtypes of the arguments at each call (outputs must then be passed).

``target='parallel'`` splits each inner loop over the runtime's threads (``FERROJIT_NUM_THREADS``,
``set_num_threads``) when its elements are independent; reductions stay serial. Kernels default
to ``error_model='numpy'`` as in Numba (float division by zero gives inf/nan); errors they raise
(``ZeroDivisionError`` from integer division, an explicit ``raise``) propagate as exceptions.

Importing this module does not import NumPy; building the first ufunc does.
"""

import functools
import threading
import warnings

from . import _pickle, config
from ._ferrojit import (
    Dispatcher,
    build_gufunc,
    build_ufunc,
    compile_gufunc_loop,
    compile_ufunc_loop,
)
from .errors import FerrojitWarning
from .types import Signature, Type

__all__ = ["vectorize", "guvectorize", "DUFunc", "GUFunc"]

_KNOWN_OPTIONS = frozenset(
    [
        "identity",
        "nopython",
        "target",
        "cache",
        "boundscheck",
        "fastmath",
        "error_model",
        "forceobj",
        "nogil",
        "locals",
        "writable_args",
    ]
)

# NumPy's PyUFunc_Zero, _One, _None, _ReorderableNone.
_IDENTITIES = {0: 0, 1: 1, None: -1, "reorderable": -2}


def _check_options(kind, options):
    """Validates decorator keywords; returns the normalised options (picklable, hashable)."""
    unknown = sorted(set(options) - _KNOWN_OPTIONS)
    if unknown:
        raise TypeError(f"{kind}() got an unexpected keyword argument {unknown[0]!r}")
    if options.get("forceobj"):
        raise NotImplementedError("ferrojit has no object mode: forceobj=True is not supported")
    if options.get("nopython") is False:
        warnings.warn(
            "ferrojit always compiles in nopython mode; nopython=False has no effect",
            FerrojitWarning,
            stacklevel=3,
        )
    if options.get("cache"):
        warnings.warn(
            "cache=True is not implemented yet: ufuncs are recompiled in every process",
            FerrojitWarning,
            stacklevel=3,
        )
    target = options.get("target", "cpu")
    if target not in ("cpu", "parallel"):
        if target in ("gpu", "cuda"):
            raise NotImplementedError(f"{kind}(target={target!r}) is not supported yet")
        raise ValueError(f"{kind}() target must be 'cpu' or 'parallel', got {target!r}")
    identity = options.get("identity")
    valid = identity is None or identity == "reorderable" or (
        type(identity) is int and identity in (0, 1)
    )
    if not valid:
        raise ValueError(f"identity must be 0, 1, None or 'reorderable', got {identity!r}")
    error_model = options.get("error_model", "numpy")
    if error_model not in ("python", "numpy"):
        raise ValueError(f"error_model must be 'python' or 'numpy', got {error_model!r}")
    return {
        "target": target,
        "identity": identity,
        "boundscheck": bool(options.get("boundscheck") or False),
        "fastmath": bool(options.get("fastmath") or False),
        "error_model": error_model,
    }


def _kernel_dispatcher(func, options):
    """A lazily-compiling dispatcher whose only use is to parse ``func`` for the loops."""
    if not callable(func) or not hasattr(func, "__code__"):
        raise TypeError(f"a ufunc kernel must be a Python function, got {type(func).__name__}")
    return Dispatcher(
        func,
        [],
        boundscheck=options["boundscheck"],
        fastmath=options["fastmath"],
        numpy_error_model=options["error_model"] == "numpy",
    )


def _signature_texts(sigs):
    if sigs is None:
        return []
    if isinstance(sigs, (str, Signature, Type)):
        sigs = [sigs]
    texts = []
    for sig in sigs:
        if isinstance(sig, (str, Signature, Type)):
            texts.append(str(sig))
        elif isinstance(sig, tuple) and all(isinstance(t, (str, Type)) for t in sig):
            # Numba's `@guvectorize([(float64[:], float64, float64[:])], ...)`: argument
            # types of a kernel that returns nothing.
            texts.append(f"void({', '.join(map(str, sig))})")
        else:
            raise TypeError(
                "ufunc signatures are strings such as 'f8(f8, f8)' or ferrojit signature "
                f"objects such as f8(f8, f8); got {type(sig).__name__}"
            )
    return texts


def _doc(func):
    return func.__doc__ or ""


def _arg_count(func):
    return func.__code__.co_argcount


class _Recipe:
    """What a ufunc was made from, kept inside the ufunc for pickling by value."""

    __slots__ = ("kind", "py_func", "signatures", "options", "layout")

    def __init__(self, kind, py_func, signatures, options, layout=None):
        self.kind = kind
        self.py_func = py_func
        self.signatures = list(signatures)
        self.options = dict(options)
        self.layout = layout

    @property
    def module(self):
        return getattr(self.py_func, "__module__", None)

    @property
    def qualname(self):
        return getattr(self.py_func, "__qualname__", None)

    def state(self):
        """The by-value form: source and globals of the kernel, signatures and options."""
        return {
            "kind": self.kind,
            "function": _pickle.function_state(self.py_func),
            "signatures": self.signatures,
            "options": self.options,
            "layout": self.layout,
        }


def _build(recipe):
    """Compiles every signature of a recipe into a genuine ``numpy.ufunc``."""
    _pickle.install_ufunc_reducer()
    func, options = recipe.py_func, recipe.options
    kernel = _kernel_dispatcher(func, options)
    parallel = options["target"] == "parallel"
    if recipe.kind == "vectorize":
        loops = [compile_ufunc_loop(kernel, sig) for sig in recipe.signatures]
        identity = _IDENTITIES[options["identity"]]
        return build_ufunc(
            func.__name__, _doc(func), _arg_count(func), loops, identity, parallel, recipe
        )
    loops = [compile_gufunc_loop(kernel, sig, recipe.layout) for sig in recipe.signatures]
    return build_gufunc(func.__name__, _doc(func), recipe.layout, loops, parallel, recipe)


def vectorize(ftylist_or_function=(), **options):
    """Turns a scalar kernel into a NumPy ufunc (see the module doc).

    Forms: ``@vectorize``, ``@vectorize()``, ``@vectorize(['f8(f8, f8)', ...])``,
    ``@vectorize('f8(f8)')``, with keywords ``identity`` (0, 1, None or 'reorderable', for
    ``reduce``), ``target`` ('cpu' or 'parallel'), ``nopython``, ``cache``, ``boundscheck``,
    ``fastmath`` and ``error_model`` (default 'numpy'). ``target='gpu'`` (or 'cuda') hands the
    kernel to ``ferrojit.cuda.vectorize``.
    """
    if config.DISABLE_JIT:
        return _disabled_vectorize(ftylist_or_function, options)
    if options.get("target") in ("gpu", "cuda"):
        return _gpu_vectorize(ftylist_or_function, options)
    if callable(ftylist_or_function) and not isinstance(ftylist_or_function, (Type, Signature)):
        checked = _check_options("vectorize", options)
        return DUFunc(ftylist_or_function, **checked)
    signatures = _signature_texts(ftylist_or_function)
    checked = _check_options("vectorize", options)

    def decorate(func):
        if not signatures:
            return DUFunc(func, **checked)
        return _build(_Recipe("vectorize", func, signatures, checked))

    return decorate


def _disabled_vectorize(ftylist_or_function, options):
    """``@vectorize`` under ``config.DISABLE_JIT``: NumPy-vectorized Python."""
    from ._disabled import PyUFunc

    if callable(ftylist_or_function) and not isinstance(ftylist_or_function, (Type, Signature)):
        return PyUFunc(ftylist_or_function, [], options.get("identity"))
    signatures = _signature_texts(ftylist_or_function)
    return lambda func: PyUFunc(func, signatures, options.get("identity"))


def _gpu_vectorize(ftylist_or_function, options):
    try:
        from . import cuda
    except ImportError as exc:  # pragma: no cover - a build without the GPU package
        raise NotImplementedError(
            f"vectorize(target={options['target']!r}) needs ferrojit.cuda ({exc})"
        ) from exc
    return cuda.vectorize(ftylist_or_function, **options)


def guvectorize(*args, **options):
    """Turns a kernel over core dimensions into a generalized NumPy ufunc (see the module doc).

    Forms: ``@guvectorize(['void(f8[:], f8, f8[:])'], '(n),()->(n)')`` (a genuine
    ``numpy.ufunc``) and ``@guvectorize('(n),()->(n)')`` (a lazily compiling :class:`GUFunc`),
    with keywords ``target`` ('cpu' or 'parallel'), ``nopython``, ``cache``, ``boundscheck``,
    ``fastmath`` and ``error_model``.
    """
    if len(args) == 1 and isinstance(args[0], str) and "->" in args[0]:
        signatures, layout = [], args[0]
    elif len(args) == 2:
        signatures, layout = _signature_texts(args[0]), args[1]
    else:
        raise TypeError(
            "guvectorize takes a list of signatures and a layout such as '(n),()->(n)', or the "
            "layout alone"
        )
    if not isinstance(layout, str):
        raise TypeError(f"the gufunc layout must be a string, got {type(layout).__name__}")
    if config.DISABLE_JIT:
        from ._disabled import PyGUFunc

        return lambda func: PyGUFunc(func, signatures, layout)
    checked = _check_options("guvectorize", options)

    def decorate(func):
        if not signatures:
            return GUFunc(func, layout, **checked)
        return _build(_Recipe("guvectorize", func, signatures, checked, layout))

    return decorate


# --- lazy ufuncs -------------------------------------------------------------------------------

_SCALAR_KINDS = {"b": "b", "i": "i", "u": "u", "f": "f", "c": "c"}


def _operand_dtype(np, value):
    """The dtype a lazy ufunc compiles for: Numba's typing of Python scalars, else NumPy's."""
    if isinstance(value, np.ndarray):
        return value.dtype
    if isinstance(value, bool):
        return np.dtype(np.bool_)
    if isinstance(value, int):
        return np.dtype(np.int64) if -(2**63) <= value < 2**63 else np.dtype(np.uint64)
    if isinstance(value, float):
        return np.dtype(np.float64)
    if isinstance(value, complex):
        return np.dtype(np.complex128)
    if isinstance(value, np.generic):
        return value.dtype
    return np.asarray(value).dtype


def _type_text(np, dtype, name):
    """A dtype's short signature name (``f8``); ``TypeError`` for dtypes ferrojit has not."""
    if dtype.kind not in _SCALAR_KINDS or not dtype.isnative:
        raise TypeError(
            f"ufunc '{name}' not supported for the input types: ferrojit compiles bool, integer, "
            f"float and complex dtypes in native byte order, got {dtype}"
        )
    if dtype.kind == "b":
        return "b1"
    if dtype.kind == "f" and dtype.itemsize == 2:
        raise TypeError(f"ufunc '{name}' not supported for the input types: float16")
    return f"{dtype.kind}{dtype.itemsize}"


class _KernelInspection:
    """``inspect_types``, ``inspect_ir``, ``inspect_asm``, ``inspect_cfg`` of a lazy ufunc: those
    of its kernel compiled for each loop signature so far (the loops wrap these kernels)."""

    def _kernel_for_inspection(self):
        for signature in self._kernel_signatures():
            # A signature compiled before is found, not compiled again.
            self._kernel.compile(signature)
        return self._kernel

    def inspect_types(self, *args, **kwargs):
        return self._kernel_for_inspection().inspect_types(*args, **kwargs)

    def inspect_ir(self, *args, **kwargs):
        return self._kernel_for_inspection().inspect_ir(*args, **kwargs)

    def inspect_asm(self, *args, **kwargs):
        return self._kernel_for_inspection().inspect_asm(*args, **kwargs)

    def inspect_cfg(self, *args, **kwargs):
        return self._kernel_for_inspection().inspect_cfg(*args, **kwargs)

    @property
    def stats(self):
        return self._kernel.stats


class DUFunc(_KernelInspection):
    """A ufunc that compiles a loop for each new combination of input dtypes (Numba's DUFunc).

    Calls, ``reduce``, ``accumulate``, ``reduceat``, ``outer`` and ``at`` go to :attr:`ufunc`, a
    genuine ``numpy.ufunc`` rebuilt with every loop compiled so far; :attr:`types` lists them.
    """

    def __init__(self, py_func, *, target="cpu", identity=None, boundscheck=False,
                 fastmath=False, error_model="numpy"):
        self._options = {
            "target": target,
            "identity": identity,
            "boundscheck": boundscheck,
            "fastmath": fastmath,
            "error_model": error_model,
        }
        self.py_func = py_func
        self._kernel = _kernel_dispatcher(py_func, self._options)
        self._nin = _arg_count(py_func)
        self._loops = {}
        self._lock = threading.Lock()
        self._ufunc = None
        functools.update_wrapper(self, py_func)

    # The ufunc and its loops.

    @property
    def ufunc(self):
        """The current ``numpy.ufunc`` (rebuilt whenever a loop is added)."""
        if self._ufunc is None:
            self._rebuild()
        return self._ufunc

    def _rebuild(self):
        _pickle.install_ufunc_reducer()
        # NumPy takes the first loop its inputs cast to safely when none matches exactly (Python
        # scalars): order loops as NumPy orders its own, narrowest types first, so that is the
        # loop compiled for them.
        loops = sorted(self._loops.values(), key=_loop_order)
        recipe = _Recipe("vectorize", self.py_func, [l.signature for l in loops], self._options)
        self._ufunc = build_ufunc(
            self.py_func.__name__,
            _doc(self.py_func),
            self._nin,
            loops,
            _IDENTITIES[self._options["identity"]],
            self._options["target"] == "parallel",
            recipe,
        )

    def add(self, signature):
        """Compiles a loop for ``signature`` (``'f8(f8, f8)'``, or argument types ``'(f8, f8)'``)."""
        with self._lock:
            loop = compile_ufunc_loop(self._kernel, str(signature))
            key = tuple(loop.input_dtypes)
            if key not in self._loops:
                self._loops[key] = loop
                self._rebuild()
        return loop

    def _kernel_signatures(self):
        return [loop.signature for loop in self._loops.values()]

    def _ensure(self, type_texts):
        import numpy as np

        key = tuple(np.dtype(_dtype_name(t)).name for t in type_texts)
        if key in self._loops:
            return
        self.add("(" + ", ".join(type_texts) + ("," if len(type_texts) == 1 else "") + ")")

    def _ensure_for_args(self, args, kwargs):
        import numpy as np

        if len(args) < self._nin:
            raise TypeError(
                f"{self.__name__}() takes {self._nin} input(s) but {len(args)} were given"
            )
        forced = kwargs.get("dtype")
        if forced is not None:
            dtypes = [np.dtype(forced)] * self._nin
        else:
            dtypes = [_operand_dtype(np, a) for a in args[: self._nin]]
        self._ensure([_type_text(np, d, self.__name__) for d in dtypes])

    def __call__(self, *args, **kwargs):
        self._ensure_for_args(args, kwargs)
        return self.ufunc(*args, **kwargs)

    def _ensure_binary(self, array, dtype):
        import numpy as np

        if self._nin != 2:
            raise ValueError("reduce/accumulate only supported for binary functions")
        dt = np.dtype(dtype) if dtype is not None else _operand_dtype(np, array)
        text = _type_text(np, dt, self.__name__)
        self._ensure([text, text])

    def reduce(self, array, axis=0, dtype=None, out=None, **kwargs):
        self._ensure_binary(array, dtype)
        return self.ufunc.reduce(array, axis=axis, dtype=dtype, out=out, **kwargs)

    def accumulate(self, array, axis=0, dtype=None, out=None):
        self._ensure_binary(array, dtype)
        return self.ufunc.accumulate(array, axis=axis, dtype=dtype, out=out)

    def reduceat(self, array, indices, axis=0, dtype=None, out=None):
        self._ensure_binary(array, dtype)
        return self.ufunc.reduceat(array, indices, axis=axis, dtype=dtype, out=out)

    def outer(self, a, b, **kwargs):
        self._ensure_for_args((a, b), kwargs)
        return self.ufunc.outer(a, b, **kwargs)

    def at(self, a, indices, b=None):
        import numpy as np

        operands = (a,) if b is None else (a, b)
        self._ensure([_type_text(np, _operand_dtype(np, x), self.__name__) for x in operands])
        return self.ufunc.at(a, indices) if b is None else self.ufunc.at(a, indices, b)

    # NumPy's ufunc attributes.

    @property
    def types(self):
        return self.ufunc.types

    @property
    def ntypes(self):
        return self.ufunc.ntypes

    @property
    def nin(self):
        return self._nin

    @property
    def nout(self):
        return 1

    @property
    def nargs(self):
        return self._nin + 1

    @property
    def identity(self):
        return self.ufunc.identity

    @property
    def signature(self):
        return None

    @property
    def targetoptions(self):
        return dict(self._options)

    def __repr__(self):
        return f"<ferrojit.DUFunc '{self.__name__}'>"

    def __reduce__(self):
        return _pickle.reduce_lazy(self, _rebuild_dufunc, self._state)

    def _state(self):
        return {
            "function": _pickle.function_state(self.py_func),
            "options": self._options,
            "signatures": [l.signature for l in self._loops.values()],
        }


def _loop_order(loop):
    """Sort key putting loops in NumPy's order: by the type numbers of their operands."""
    import numpy as np

    return [np.dtype(c).num for c in loop.types.replace("->", "")]


def _dtype_name(short):
    """``'f8'`` → ``'float64'`` (for loop keys)."""
    return {"b1": "bool"}.get(short, short)


def _rebuild_dufunc(state):
    func = _pickle.rebuild_function(state["function"])
    dufunc = DUFunc(func, **state["options"])
    for sig in state["signatures"]:
        dufunc.add(sig)
    return dufunc


class GUFunc(_KernelInspection):
    """A generalized ufunc that compiles a loop for the dtypes and ranks of each new call.

    Every operand, outputs included, must be passed (the output dtypes choose the loop).
    :attr:`ufunc` is the genuine generalized ``numpy.ufunc`` with every loop so far.
    """

    def __init__(self, py_func, layout, *, target="cpu", identity=None, boundscheck=False,
                 fastmath=False, error_model="numpy"):
        self._options = {
            "target": target,
            "identity": identity,
            "boundscheck": boundscheck,
            "fastmath": fastmath,
            "error_model": error_model,
        }
        self.py_func = py_func
        self.layout = layout
        self._kernel = _kernel_dispatcher(py_func, self._options)
        self._core = _parse_layout(layout)
        self._loops = {}
        self._lock = threading.Lock()
        self._ufunc = None
        functools.update_wrapper(self, py_func)

    @property
    def ufunc(self):
        if self._ufunc is None:
            raise TypeError(
                f"gufunc '{self.__name__}' has no loops yet: call it (with its outputs) or add() "
                "a signature first"
            )
        return self._ufunc

    def add(self, signature):
        """Compiles a loop for ``signature`` (``'void(f8[:], f8, f8[:])'``)."""
        with self._lock:
            loop = compile_gufunc_loop(self._kernel, str(signature), self.layout)
            key = tuple(loop.dtypes)
            if key not in self._loops:
                self._loops[key] = (str(signature), loop)
                self._rebuild()
        return loop

    def _kernel_signatures(self):
        return [signature for signature, _ in self._loops.values()]

    def _rebuild(self):
        _pickle.install_ufunc_reducer()
        entries = sorted(self._loops.values(), key=lambda e: _loop_order(e[1]))
        recipe = _Recipe("guvectorize", self.py_func, [s for s, _ in entries], self._options,
                         self.layout)
        self._ufunc = build_gufunc(
            self.py_func.__name__,
            _doc(self.py_func),
            self.layout,
            [loop for _, loop in entries],
            self._options["target"] == "parallel",
            recipe,
        )

    def __call__(self, *args, **kwargs):
        import numpy as np

        count = len(self._core)
        operands = list(args)
        if "out" in kwargs:
            out = kwargs["out"]
            operands += list(out) if isinstance(out, tuple) else [out]
        if len(operands) != count:
            raise TypeError(
                f"gufunc '{self.__name__}' compiles for the dtypes of all its {count} operands: "
                f"pass the outputs too (got {len(operands)} operands)"
            )
        texts = []
        nin = self._nin
        for k, (value, core) in enumerate(zip(operands, self._core)):
            dtype = _operand_dtype(np, value)
            scalar = _type_text(np, dtype, self.__name__)
            if not core and k < nin:
                texts.append(scalar)
            else:
                texts.append(scalar + "[" + ", ".join([":"] * max(len(core), 1)) + "]")
        key = tuple(np.dtype(_dtype_name(t.split("[")[0])).name for t in texts)
        if key not in self._loops:
            self.add("void(" + ", ".join(texts) + ")")
        return self._ufunc(*args, **kwargs)

    @property
    def _nin(self):
        return self.layout.replace(" ", "").split("->")[0].count("(")

    @property
    def types(self):
        return [] if self._ufunc is None else self._ufunc.types

    @property
    def signature(self):
        return self.layout

    def __repr__(self):
        return f"<ferrojit.GUFunc '{self.__name__}' {self.layout}>"

    def __reduce__(self):
        return _pickle.reduce_lazy(self, _rebuild_gufunc, self._state)

    def _state(self):
        return {
            "function": _pickle.function_state(self.py_func),
            "layout": self.layout,
            "options": self._options,
            "signatures": [s for s, _ in self._loops.values()],
        }


def _parse_layout(layout):
    """Core dimension names per operand: ``'(n),()->(n)'`` → ``[['n'], [], ['n']]``."""
    compact = layout.replace(" ", "")
    if "->" not in compact:
        raise ValueError(f"gufunc layout {layout!r} has no '->' (expected e.g. '(n),()->(n)')")
    operands = []
    for side in compact.split("->"):
        for group in side.split(")")[:-1]:
            group = group.lstrip(",").lstrip("(")
            operands.append([d for d in group.split(",") if d])
    return operands


def _rebuild_gufunc(state):
    func = _pickle.rebuild_function(state["function"])
    gufunc = GUFunc(func, state["layout"], **state["options"])
    for sig in state["signatures"]:
        gufunc.add(sig)
    return gufunc


def _rebuild_ufunc(state):
    """Unpickles a ufunc made by ``vectorize``/``guvectorize`` by value: recompiles it."""
    func = _pickle.rebuild_function(state["function"])
    return _build(
        _Recipe(state["kind"], func, state["signatures"], state["options"], state["layout"])
    )
