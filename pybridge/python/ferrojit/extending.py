"""The extension API, Numba's ``numba.extending``: teach compiled code your own functions.

``@register_jitable`` makes a plain Python function callable from compiled code (compiled with
the caller, for the caller's argument types) while it stays an ordinary function in Python.

``@overload(func)`` gives ``func`` — any Python function, including one from a third-party
module that ferrojit cannot compile — typed implementations for compiled code. The decorated
*typing function* receives the argument types of a call (ferrojit type objects such as
``float64`` or ``array(float64, 1d, C)``) and returns the implementation for them, a Python
function with the same parameters that ferrojit compiles, or ``None`` when it does not apply;
typing functions are tried in registration order. Python callers keep calling ``func`` itself.

``@overload_method(types.Array, 'name')`` does the same for a method of arrays: the typing
function receives the receiver's type first.

Calls must name the function directly (``from scipy.special import erf`` then ``erf(x)``);
attribute calls ``module.func(x)`` resolve only for ``math``, ``numpy`` and ``ferrojit``.
"""

from ._ferrojit import Dispatcher
from .errors import TypingError

__all__ = ["register_jitable", "overload", "overload_method"]

_JIT_ATTR = "__ferrojit_jit__"
# id(overloaded function) → its _Overload (which keeps the function alive, so ids stay valid).
_OVERLOADS = {}


def _dispatcher_options(options):
    from .decorators import _check_options

    checked = _check_options(dict(options))
    checked.pop("cache", None)
    return checked


def register_jitable(*args, **options):
    """``@register_jitable`` or ``@register_jitable(**jit_options)``: see the module doc."""

    def wrap(func):
        if not hasattr(func, "__code__"):
            raise TypeError(f"register_jitable takes a Python function, got {type(func).__name__}")
        setattr(func, _JIT_ATTR, Dispatcher(func, [], **_dispatcher_options(options)))
        return func

    if len(args) == 1 and callable(args[0]) and not options:
        return wrap(args[0])
    if args:
        raise TypeError("register_jitable takes the function, or keyword options only")
    return wrap


class _Overload:
    """The typing functions registered for one function, and the implementations chosen."""

    def __init__(self, func):
        self.func = func
        self.typers = []
        # (typing function, argument type texts) → dispatcher of the implementation.
        self.chosen = {}

    @property
    def name(self):
        return getattr(self.func, "__qualname__", getattr(self.func, "__name__", repr(self.func)))

    def __call__(self, type_texts):
        """The dispatcher of the implementation for these argument types (called by the
        compiler); raises TypingError when no typing function returns one."""
        from ._inspection import _type_object

        types = [_type_object(t) for t in type_texts]
        for typer, options in self.typers:
            key = (typer, tuple(type_texts))
            if key in self.chosen:
                return self.chosen[key]
            impl = typer(*types)
            if impl is None:
                continue
            if not hasattr(impl, "__code__"):
                raise TypingError(
                    f"the @overload typing function {typer.__qualname__} of {self.name}() must "
                    f"return a Python function (the implementation) or None, got {impl!r}"
                )
            dispatcher = Dispatcher(impl, [], **_dispatcher_options(options))
            self.chosen[key] = dispatcher
            return dispatcher
        raise TypingError(
            f"no implementation of {self.name}() for argument types ({', '.join(type_texts)}): "
            f"every @overload typing function returned None"
        )


def overload(func, jit_options=None, strict=True, inline="never", prefer_literal=False, **kwargs):
    """``@overload(func)`` decorates a typing function: see the module doc. ``jit_options``
    are ``@jit`` keywords for the implementations (``fastmath``, ``boundscheck``, ...)."""
    if inline != "never":
        raise NotImplementedError("overload(inline=...) is not supported: ferrojit inlines small callees itself")
    options = dict(jit_options or {})

    def decorate(typer):
        entry = _OVERLOADS.get(id(func))
        if entry is None or entry.func is not func:
            entry = _OVERLOADS[id(func)] = _Overload(func)
        entry.typers.append((typer, options))
        return typer

    return decorate


# (receiver kind, method name) → its _Overload.
_METHODS = {}


def _receiver_kind(typ):
    """``types.Array`` (or the text ``'array'``) stands for every array type; a concrete type
    object (``float64[:]``, ``typeof(a)``) for arrays of its dtype and rank."""
    from . import types

    array_class = getattr(types, "Array", None)
    if typ is array_class or (isinstance(typ, str) and typ.lower() == "array"):
        return "array"
    text = str(typ)
    if text.startswith("array("):
        return text.rsplit(",", 1)[0]  # 'array(float64, 2d' — any layout
    if "[" in text:
        dtype, axes = text.split("[", 1)
        return f"array({dtype.strip()}, {axes.count(':')}d"
    raise TypeError(f"overload_method takes types.Array or an array type, got {typ!r}")


def overload_method(typ, attr, jit_options=None, **kwargs):
    """``@overload_method(types.Array, 'name')`` decorates a typing function for the method
    ``a.name(...)`` of arrays: it receives the receiver's type then the arguments' types and
    returns an implementation whose first parameter is the receiver (or None). Built-in array
    methods (``sum``, ``reshape``, ...) keep their meaning."""
    kind = _receiver_kind(typ)
    options = dict(jit_options or {})

    def decorate(typer):
        entry = _METHODS.get((kind, attr))
        if entry is None:
            entry = _METHODS[(kind, attr)] = _Overload(_MethodName(kind, attr))
        entry.typers.append((typer, options))
        return typer

    return decorate


class _MethodName:
    """Names an overloaded method in messages."""

    def __init__(self, kind, attr):
        self.__qualname__ = f"{kind}{')' if kind != 'array' else ''}.{attr}"


def _registered_method(receiver_text, name):
    """The ``_Overload`` of method ``name`` for a receiver of type ``receiver_text``, or None."""
    specific = _METHODS.get((receiver_text.rsplit(",", 1)[0], name))
    return specific if specific is not None else _METHODS.get(("array", name))


def _registered(obj):
    """What the compiler should call for global ``obj``: the jitted twin of a
    ``register_jitable`` function, the ``_Overload`` of an overloaded one, a ``@stencil``'s call
    function, or None."""
    twin = getattr(obj, "__dict__", {}).get(_JIT_ATTR) if hasattr(obj, "__code__") else None
    if isinstance(twin, Dispatcher):
        return twin
    from ._stencil import Stencil

    if isinstance(obj, Stencil):
        return obj._jit_call
    entry = _OVERLOADS.get(id(obj))
    if entry is not None and entry.func is obj:
        return entry
    return None
