"""``@jitclass``: Numba's compiled classes (``numba.experimental.jitclass``).

A decorated class becomes a Python class whose instances are boxes around a reference-counted
native object with typed fields (see ``runtime/src/object.rs``). ``__init__``, the methods,
``@property`` getters and setters and ``@staticmethod`` functions are compiled; so are small
accessors made here for each field, which is how Python reads and writes fields. Instances are
passed to and returned from jitted functions, which read, write and call them natively.

>>> from ferrojit.experimental import jitclass
>>> from ferrojit import float64
>>> @jitclass([("x", float64), ("y", float64)])
... class Point:
...     def __init__(self, x, y):
...         self.x = x
...         self.y = y
...     def norm2(self):
...         return self.x * self.x + self.y * self.y
>>> Point(3.0, 4.0).norm2()
25.0
"""

import linecache

__all__ = ["jitclass", "deferred_type"]

_DUNDER_ALLOWED = {"__init__", "__len__", "__getitem__", "__setitem__"}
_IGNORED = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__annotations__"}


def jitclass(cls_or_spec=None, spec=None):
    """``@jitclass(spec)``, ``@jitclass`` (fields from annotations) or ``jitclass(cls, spec)``.

    ``spec`` lists the fields as ``(name, type)`` pairs or a dict of them; a type is a ferrojit
    type (``float64``, ``int64[:]``, ``types.float64[:, :]``), its text, or another jitclass's
    ``Class.class_type.instance_type``. Annotated class attributes (``x: float64``) are fields
    too, as in Numba 0.5x+.
    """
    if cls_or_spec is None:
        return lambda cls: _build(cls, spec)
    if isinstance(cls_or_spec, type):
        return _build(cls_or_spec, spec)
    spec = cls_or_spec
    return lambda cls: _build(cls, spec)


class InstanceType:
    """The type of a jitclass's instances (``Class.class_type.instance_type``), usable in
    another class's spec."""

    def __init__(self, class_id, name):
        self._class_id = class_id
        self._name = name

    def __repr__(self):
        return f"instance.jitclass.{self._name}"

    def __str__(self):
        # The id makes `types.Optional(instance_type)` (a type's text) name this class.
        return f"instance.jitclass.{self._name}#{self._class_id}"


class DeferredType:
    """Numba's ``deferred_type()``: a field type given before its class exists, for a class
    whose instances refer to others of the same class (``optional(node_type)``); ``define``
    it with the class's ``class_type.instance_type`` after decorating the class."""

    def __init__(self):
        self._defined = None
        self._assumed_by = None  # the class that took it to mean itself
        _DEFERRED[id(self)] = self

    def define(self, instance_type):
        if not isinstance(instance_type, InstanceType):
            raise TypeError(f"deferred_type.define() takes a jitclass instance type, got {instance_type!r}")
        if self._assumed_by is not None and self._assumed_by._class_id != instance_type._class_id:
            raise TypeError(
                f"this deferred_type was used in the spec of {self._assumed_by._name}, so it must "
                f"be that class's instance type, not {instance_type!r} (a deferred type may only "
                "refer to the class whose spec uses it)"
            )
        self._defined = instance_type

    def __str__(self):
        return f"deferred#{id(self)}"

    __repr__ = __str__


_DEFERRED = {}


def deferred_type():
    """A field type defined later (see ``DeferredType``)."""
    return DeferredType()


class ClassType:
    """``Class.class_type``: the class as a type; its ``instance_type`` types instances."""

    def __init__(self, instance_type):
        self.instance_type = instance_type

    def __repr__(self):
        return f"jitclass.{self.instance_type._name}"


def _where(obj):
    """``file:line`` of a function or class, for errors raised at decoration."""
    import inspect

    code = getattr(obj, "__code__", None)
    if code is not None:
        return f"{code.co_filename}:{code.co_firstlineno}"
    try:
        return f"{inspect.getsourcefile(obj)}:{inspect.getsourcelines(obj)[1]}"
    except (OSError, TypeError):
        return getattr(obj, "__qualname__", "?")


def _unsupported(what, where):
    from .errors import UnsupportedError

    return UnsupportedError(f"{where}: {what} is not supported in a @jitclass")


def _field_list(cls, spec):
    if spec is None:
        fields = []
    elif isinstance(spec, dict):
        fields = list(spec.items())
    else:
        fields = [tuple(item) for item in spec]
    named = {name for name, _ in fields}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if name not in named:
            fields.append((name, annotation))
    return fields


def _field_type(ty, pending):
    """What the registration takes: a type's text, ``(class id, name[, True])`` for instances
    (or None), ``("self", optional)`` for a deferred type not defined yet (taken to be the
    class being decorated; ``pending`` collects them to check when they are defined)."""
    import re

    text = str(ty)
    optional = re.fullmatch(r"Optional\((.*)\)", text)
    inner = optional.group(1) if optional else text
    deferred = re.fullmatch(r"deferred#(\d+)", inner)
    if deferred:
        target = _DEFERRED[int(deferred.group(1))]
        if target._defined is None:
            pending.append(target)
            return ("self", bool(optional))
        ty, inner = target._defined, str(target._defined)
    instance = re.fullmatch(r"instance\.jitclass\.(\w+)#(\d+)", inner)
    if instance:
        return (int(instance.group(2)), instance.group(1)) + ((True,) if optional else ())
    if isinstance(ty, InstanceType):
        return (ty._class_id, ty._name)
    if isinstance(ty, type) and hasattr(ty, "_ferrojit_class_id"):
        return (ty._ferrojit_class_id, ty.__name__)
    if isinstance(ty, type):
        import numpy

        if issubclass(ty, numpy.generic):
            return numpy.dtype(ty).name
        if ty is float:
            return "float64"
        if ty is int:
            return "int64"
        if ty is bool:
            return "bool"
        if ty is complex:
            return "complex128"
    return str(ty)


def _compile_source(text, filename, namespace, name):
    """Defines function ``name`` from ``text``, keeping the text where ``inspect`` finds it."""
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    exec(compile(text, filename, "exec"), namespace)
    return namespace[name]


def _constructor_source(cls, init):
    """``def Name(<__init__'s parameters after self>)``: allocate, run ``__init__``, return."""
    import inspect

    if init is None:
        return f"def {cls.__name__}():\n    return _fj_alloc()\n", {}
    params = list(inspect.signature(init).parameters.values())[1:]
    header, call, defaults = [], ["self"], {}
    keyword_only = False
    for i, p in enumerate(params):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise _unsupported(f"`{p}` in __init__", _where(init))
        if p.kind is p.KEYWORD_ONLY and not keyword_only:
            header.append("*")
            keyword_only = True
        text = p.name
        if p.default is not p.empty:
            if isinstance(p.default, (bool, int, float, complex, str)) or p.default is None:
                text += f"={p.default!r}"
            else:
                defaults[f"_fj_default_{i}"] = p.default
                text += f"=_fj_default_{i}"
        header.append(text)
        call.append(f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else p.name)
    text = (
        f"def {cls.__name__}({', '.join(header)}):\n"
        f"    self = _fj_alloc()\n"
        f"    _fj_init({', '.join(call)})\n"
        f"    return self\n"
    )
    return text, defaults


def _build(cls, spec):
    from . import config
    from ._ferrojit import JitClassInstance, register_jitclass, set_jitclass_constructor
    from .decorators import jit
    import inspect

    if config.DISABLE_JIT:
        # The plain class; `class_type` still answers, so specs and `deferred_type().define`
        # written for compiled classes run unchanged.
        cls.class_type = ClassType(InstanceType(0, cls.__name__))
        return cls
    if cls.__bases__ != (object,):
        raise _unsupported(f"inheritance (class {cls.__name__} derives from "
                           f"{', '.join(b.__name__ for b in cls.__bases__)})", _where(cls))
    pending = []
    fields = [(name, _field_type(ty, pending)) for name, ty in _field_list(cls, spec)]
    init = None
    methods, properties, statics = {}, {}, {}
    for name, member in cls.__dict__.items():
        if name in _IGNORED:
            continue
        if name in {f for f, _ in fields} and not callable(member):
            continue  # an annotated field with a class-level default value
        if isinstance(member, staticmethod):
            statics[name] = jit(member.__func__)
        elif isinstance(member, classmethod):
            raise _unsupported(f"the classmethod '{name}'", _where(member.__func__))
        elif isinstance(member, property):
            if member.fdel is not None:
                raise _unsupported(f"a deleter of property '{name}'", _where(member.fdel))
            getter = jit(member.fget)
            setter = jit(member.fset) if member.fset is not None else None
            properties[name] = (getter, setter)
        elif inspect.isfunction(member):
            if name.startswith("__") and name.endswith("__") and name not in _DUNDER_ALLOWED:
                raise _unsupported(f"the special method '{name}'", _where(member))
            if name == "__init__":
                init = jit(member)
            else:
                methods[name] = jit(member)
        else:
            raise _unsupported(
                f"the class attribute '{name}' ({type(member).__name__})", _where(cls)
            )

    def __new__(klass, *args, **kwargs):
        return constructor(*args, **kwargs)

    def __init__(self, *args, **kwargs):
        pass  # the constructor already ran the class's __init__

    namespace = {
        "__slots__": (),
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        "__new__": __new__,
        "__init__": __init__,
    }
    for name, dispatcher in methods.items():
        namespace[name] = dispatcher
    for name, dispatcher in statics.items():
        namespace[name] = staticmethod(dispatcher)
    for name, (getter, setter) in properties.items():
        namespace[name] = property(getter, setter, doc=getattr(getter, "__doc__", None))
    accessors = {}
    for name, _ in fields:
        filename = f"<jitclass {cls.__qualname__}.{name}>"
        text = (
            f"def get_{name}(self):\n    return self.{name}\n\n\n"
            f"def set_{name}(self, value):\n    self.{name} = value\n"
        )
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        scope = {}
        exec(compile(text, filename, "exec"), scope)
        getter, setter = jit(scope[f"get_{name}"]), jit(scope[f"set_{name}"])
        accessors[name] = (getter, setter)
        namespace[name] = property(getter, setter)
    new = type(cls.__name__, (JitClassInstance,), namespace)
    try:
        class_id, allocator = register_jitclass(
            new, cls.__name__, fields, methods, properties, statics
        )
    except TypeError as exc:
        raise TypeError(f"{_where(cls)}: {exc}") from None
    new._ferrojit_class_id = class_id
    new.class_type = ClassType(InstanceType(class_id, cls.__name__))
    for deferred in pending:
        deferred._assumed_by = new.class_type.instance_type
    text, scope = _constructor_source(cls, cls.__dict__.get("__init__"))
    scope.update({"_fj_alloc": allocator, "_fj_init": init})
    filename = f"<jitclass {cls.__qualname__} constructor>"
    constructor = jit(_compile_source(text, filename, scope, cls.__name__))
    set_jitclass_constructor(class_id, constructor)
    return new
