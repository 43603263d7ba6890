"""Pickling ferrojit's compiled objects: jitted dispatchers, ufuncs and gufuncs, lazy ufuncs.

Like plain functions, an object pickles *by reference* (its module and qualified name) when that
name leads back to it, so the receiving process imports the module and gets the same object.
Otherwise -- objects defined inside functions, in ``__main__`` (whose module a Dask worker
does not have), or in modules registered with ``cloudpickle.register_pickle_by_value`` -- it
pickles *by value*: the kernel's source text, its signatures and options, and the module-level
globals and closure variables it uses that the compiler can use (numbers and tuples of them,
NumPy arrays of numbers, modules by name, other jitted functions and ufuncs, NumPy types and
functions). Unpickling re-creates the Python
function from its source (registered with ``linecache`` so that error messages still show the
code and its original line numbers) and compiles it again.

``Dispatcher`` and ``numpy.ufunc`` are C types, so their reducers are registered with
``copyreg``; the ufunc reducer wraps NumPy's own and changes nothing for other ufuncs.
"""

import copyreg
import sys

from ._ferrojit import Dispatcher, ufunc_recipe

__all__ = ["lookup", "function_state", "rebuild_function", "reduce_lazy"]


def lookup(module, qualname):
    """The object named ``qualname`` in ``module`` (unpickling by reference)."""
    import importlib

    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _pickled_by_value(module):
    """``cloudpickle.register_pickle_by_value(module)`` was called for ``module``."""
    cloudpickle = sys.modules.get("cloudpickle")
    mod = sys.modules.get(module)
    if cloudpickle is None or mod is None:
        return False
    try:
        return bool(cloudpickle.cloudpickle._is_registered_pickle_by_value(mod))
    except AttributeError:  # pragma: no cover - an older or newer cloudpickle
        return False


def importable(obj, module, qualname):
    """True if ``obj`` can be pickled by reference as ``module.qualname``."""
    if not module or not qualname or "<locals>" in qualname or module == "__main__":
        return False
    if _pickled_by_value(module):
        return False
    try:
        return lookup(module, qualname) is obj
    except Exception:  # noqa: BLE001 - any failure means "not by reference"
        return False


def reduce_lazy(obj, rebuild, state):
    """``__reduce__`` for objects with ``__module__``/``__qualname__``: by name if importable,
    else ``rebuild(state())``."""
    if importable(obj, getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)):
        return obj.__qualname__
    return rebuild, (state(),)


# --- functions by value ------------------------------------------------------------------------


def _code_names(code, names):
    names.update(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            _code_names(const, names)


def _capturable(value):
    """Whether a global's value is something the compiler resolves and pickle can carry."""
    import types as pytypes

    if isinstance(value, (bool, int, float, complex)):
        return True
    if isinstance(value, tuple):
        return all(_capturable(v) for v in value)
    from .types import Signature, Type
    from .ufunc import DUFunc, GUFunc

    if isinstance(value, (Dispatcher, DUFunc, GUFunc, Type, Signature)):
        return True
    if isinstance(value, pytypes.BuiltinFunctionType):
        return True  # math.sqrt and friends pickle by name
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        # A global or captured array (frozen into the compiled code); pickles with its data.
        return value.dtype.kind in "biufc"
    if isinstance(value, type):
        # Exception classes and NumPy scalar types, by name.
        bases = (BaseException,) if numpy is None else (BaseException, numpy.generic)
        return issubclass(value, bases)
    return numpy is not None and isinstance(value, (numpy.generic, numpy.ufunc))


def _captured_globals(func):
    """``(values, modules)``: the globals and closure variables of ``func`` worth carrying."""
    import types as pytypes

    names = set()
    _code_names(func.__code__, names)
    scope = {}
    for name in names:
        if name in func.__globals__:
            scope[name] = func.__globals__[name]
    for name, cell in zip(func.__code__.co_freevars, func.__closure__ or ()):
        try:
            scope[name] = cell.cell_contents
        except ValueError:  # an empty cell: the name is not bound yet
            pass
    values, modules = {}, {}
    for name, value in scope.items():
        if name == func.__name__:
            continue  # itself: recursion resolves to the rebuilt function
        if isinstance(value, pytypes.ModuleType):
            modules[name] = value.__name__
        elif _capturable(value):
            values[name] = value
    return values, modules


def function_state(func):
    """What :func:`rebuild_function` needs to re-create ``func`` in another process."""
    import pickle

    from ._source import function_source

    try:
        filename, text, line_offset, _ = function_source(func)
    except (OSError, TypeError) as exc:
        raise pickle.PicklingError(
            f"cannot pickle ferrojit function {func.__qualname__!r} by value: its source is "
            f"not available ({exc})"
        ) from exc
    values, modules = _captured_globals(func)
    defaults = func.__defaults__
    if defaults is not None and not _capturable(defaults):
        defaults = None
    return {
        "name": func.__name__,
        "qualname": func.__qualname__,
        "module": func.__module__,
        "doc": func.__doc__,
        "filename": filename,
        "text": text,
        "line_offset": line_offset,
        "globals": values,
        "modules": modules,
        "defaults": defaults,
    }


def _strip_decorators(text):
    """Blanks the decorator lines of the function in ``text`` (keeping line numbers)."""
    import ast

    node = ast.parse(text).body[0]
    if not node.decorator_list:
        return text
    lines = text.splitlines(True)
    first = min(d.lineno for d in node.decorator_list) - 1
    for i in range(first, node.lineno - 1):
        lines[i] = "\n"
    return "".join(lines)


def rebuild_function(state):
    """Re-creates a function saved by :func:`function_state`."""
    import builtins
    import hashlib
    import importlib
    import linecache

    text = "\n" * state["line_offset"] + _strip_decorators(state["text"])
    digest = hashlib.sha1(text.encode()).hexdigest()[:10]
    filename = f"<ferrojit pickled {state['qualname']} from {state['filename']} {digest}>"
    # Registered without a modification time, so that linecache.checkcache keeps it.
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = {"__name__": state["module"], "__builtins__": builtins}
    namespace.update(state["globals"])
    for alias, module in state["modules"].items():
        namespace[alias] = importlib.import_module(module)
    exec(compile(text, filename, "exec"), namespace)  # noqa: S102 - our own pickled source
    func = namespace[state["name"]]
    func.__qualname__ = state["qualname"]
    func.__doc__ = state["doc"]
    func.__defaults__ = state["defaults"]
    return func


# --- dispatchers and ufuncs --------------------------------------------------------------------


def _reduce_dispatcher(dispatcher):
    module = getattr(dispatcher, "__module__", None)
    qualname = getattr(dispatcher, "__qualname__", None)
    if importable(dispatcher, module, qualname):
        return qualname
    state = {
        "function": function_state(dispatcher.py_func),
        "signatures": list(dispatcher.signatures),
        "options": dict(dispatcher.targetoptions),
    }
    return _rebuild_dispatcher, (state,)


def _rebuild_dispatcher(state):
    from .decorators import _make_dispatcher

    # The same options as the pickled dispatcher (boundscheck, parallel, error model, ...);
    # the signatures compiled there are warm-ups here, not a closed set.
    # (`cache` is left off: the rebuilt function has no source file to cache beside.)
    options = dict(state.get("options", {}), cache=False)
    dispatcher = _make_dispatcher(rebuild_function(state["function"]), [], options)
    for signature in state["signatures"]:
        if signature.startswith("none("):
            # `Dispatcher.signatures` prints a None result as `none`; the grammar says `void`.
            signature = "void" + signature[len("none") :]
        # Warm-up only: a signature that does not compile here is compiled at the first call
        # that needs it (or reports its error then).
        try:
            dispatcher.compile(signature)
        except Exception:  # noqa: BLE001
            pass
    return dispatcher


copyreg.pickle(Dispatcher, _reduce_dispatcher)

_ufunc_reducer_installed = False


def install_ufunc_reducer():
    """Lets ``numpy.ufunc`` objects built by ferrojit pickle (called when one is built)."""
    global _ufunc_reducer_installed
    if _ufunc_reducer_installed:
        return
    import numpy

    numpy_reduce = copyreg.dispatch_table.get(numpy.ufunc)

    def reduce_ufunc(ufunc):
        recipe = ufunc_recipe(ufunc)
        if recipe is None:
            return numpy_reduce(ufunc) if numpy_reduce is not None else ufunc.__name__
        if importable(ufunc, recipe.module, recipe.qualname):
            return lookup, (recipe.module, recipe.qualname)
        from .ufunc import _rebuild_ufunc

        return _rebuild_ufunc, (recipe.state(),)

    copyreg.pickle(numpy.ufunc, reduce_ufunc)
    _ufunc_reducer_installed = True
