"""The extension API, Numba's ``numba.extending``: teach compiled code your own functions.

``@register_jitable`` makes a plain Python function callable from compiled code (compiled with
the caller, for the caller's argument types) while it stays an ordinary function in Python.

``@overload(func)`` gives ``func`` — any Python function, including one from a third-party
module that ferrojit cannot compile — typed implementations for compiled code. The decorated
*typing function* receives the argument types of a call (ferrojit type objects such as
``float64`` or ``array(float64, 1d, C)``) and returns the implementation for them, a Python
function with the same parameters that ferrojit compiles, or ``None`` when it does not apply;
typing functions are tried in registration order. Python callers keep calling ``func`` itself.

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


def overload_method(typ, attr, **kwargs):
    """Numba's ``@overload_method(types.Array, 'name')``: methods on ferrojit types are not
    extensible yet (a method call needs the compiler's method table); raises at once, so that
    a script says where it stops rather than failing later inside a compilation."""
    raise NotImplementedError(
        f"overload_method({typ!r}, {attr!r}) is not supported yet: write a function taking the "
        "object as its first argument and give it @overload or @register_jitable"
    )


def _registered(obj):
    """What the compiler should call for global ``obj``: the jitted twin of a
    ``register_jitable`` function, the ``_Overload`` of an overloaded one, or None."""
    twin = getattr(obj, "__dict__", {}).get(_JIT_ATTR) if hasattr(obj, "__code__") else None
    if isinstance(twin, Dispatcher):
        return twin
    entry = _OVERLOADS.get(id(obj))
    if entry is not None and entry.func is obj:
        return entry
    return None
