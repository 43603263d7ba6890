"""Type objects for signatures, Numba-style: ``f8``, ``int32``, ``f8[:, ::1]``, ``f8(f8, i8)``.

They are thin: every object is just the text of a type or signature in the grammar the compiler
parses (``str(f8[:, ::1]) == 'float64[:, ::1]'``), so ``@jit(f8(f8[:]))`` and
``@jit('f8(f8[:])')`` mean the same thing. Calling a scalar type on a value casts it like NumPy
(``f4(1.5)`` is ``numpy.float32(1.5)``), so kernels that use ``f8(x)`` also run uncompiled.
"""

__all__ = ["Type", "Signature"]


def _axis_text(key):
    if not isinstance(key, slice):
        raise TypeError(f"array axes are written ':' or '::1', got {key!r}")
    if key.start is not None or key.stop is not None or key.step not in (None, 1):
        raise TypeError(f"array axes are written ':' or '::1', got {key!r}")
    return "::1" if key.step == 1 else ":"


class Type:
    """A ferrojit type; ``str()`` gives its signature text."""

    __slots__ = ("_text", "_numpy_name")

    def __init__(self, text, numpy_name=None):
        self._text = text
        # Set for scalar types only: the NumPy dtype name (also used by the global resolver).
        self._numpy_name = numpy_name

    def __str__(self):
        return self._text

    def __repr__(self):
        return self._text

    def __eq__(self, other):
        return isinstance(other, Type) and other._text == self._text

    def __hash__(self):
        return hash(self._text)

    def __getitem__(self, axes):
        """``f8[:]``, ``f8[:, :]``, ``f8[::1]`` (C order), ``f8[::1, :]`` (F order)."""
        if self._numpy_name is None:
            raise TypeError(f"{self._text} is not a scalar type; only scalars make arrays")
        if not isinstance(axes, tuple):
            axes = (axes,)
        return Type(f"{self._text}[{', '.join(_axis_text(a) for a in axes)}]")

    def __call__(self, *args):
        """With types: a signature returning this type. With one value: a NumPy cast."""
        if all(isinstance(a, Type) for a in args):
            return Signature(self, args)
        if len(args) == 1 and self._numpy_name is not None:
            import numpy

            return numpy.dtype(self._numpy_name).type(args[0])
        raise TypeError(f"{self._text}(...) takes types (to make a signature) or one value")


class Signature:
    """``ret(args...)``; ``str()`` gives the signature text."""

    __slots__ = ("return_type", "args")

    def __init__(self, return_type, args):
        self.return_type = return_type
        self.args = tuple(args)

    def __str__(self):
        return f"{self.return_type}({', '.join(map(str, self.args))})"

    __repr__ = __str__

    def __eq__(self, other):
        return isinstance(other, Signature) and str(other) == str(self)

    def __hash__(self):
        return hash(str(self))


def _scalar(numpy_name):
    return Type(numpy_name, numpy_name)


boolean = bool_ = b1 = _scalar("bool")
int8 = i1 = byte = _scalar("int8")
int16 = i2 = _scalar("int16")
int32 = i4 = intc = _scalar("int32")
int64 = i8 = intp = int_ = _scalar("int64")
uint8 = u1 = _scalar("uint8")
uint16 = u2 = _scalar("uint16")
uint32 = u4 = uintc = _scalar("uint32")
uint64 = u8 = uintp = _scalar("uint64")
float32 = f4 = _scalar("float32")
float64 = f8 = double = _scalar("float64")
complex64 = c8 = _scalar("complex64")
complex128 = c16 = _scalar("complex128")
void = none = Type("void")

#: The scalar type objects by their text (``'float64'`` → ``float64``).
BY_TEXT = {t._text: t for t in (b1, i1, i2, i4, i8, u1, u2, u4, u8, f4, f8, c8, c16)}

SCALAR_NAMES = (
    "b1 boolean bool_ i1 i2 i4 i8 int8 int16 int32 int64 intp intc int_ byte u1 u2 u4 u8 uint8 "
    "uint16 uint32 uint64 uintp uintc f4 f8 float32 float64 double c8 c16 complex64 complex128"
).split()

__all__ += SCALAR_NAMES + ["void", "none"]


# --- type constructors with numba.types' names -----------------------------------------------


def Array(dtype, ndim, layout="A", readonly=False):
    """``Array(float64, 2, 'C')``: the same type as ``float64[:, ::1]``."""
    if not isinstance(dtype, Type) or dtype._numpy_name is None:
        raise TypeError(f"Array() takes a scalar type, got {dtype!r}")
    if not isinstance(ndim, int) or ndim < 1:
        raise TypeError(f"Array() takes a positive number of dimensions, got {ndim!r}")
    axes = [":"] * ndim
    if layout == "C":
        axes[-1] = "::1"
    elif layout == "F":
        axes[0] = "::1"
    elif layout != "A":
        raise TypeError(f"Array() layout is 'C', 'F' or 'A', got {layout!r}")
    return Type(f"{dtype}[{', '.join(axes)}]")


def UniTuple(dtype, count):
    """``UniTuple(int64, 2)``: a tuple of ``count`` items of one type."""
    return Type(f"UniTuple({dtype}, {int(count)})")


def Tuple(types):
    """``Tuple((float64, int64))``: a tuple of items of these types."""
    return Type(f"Tuple({', '.join(map(str, types))})")


def Optional(typ):
    """``Optional(float64)``: the type or None. Its text is accepted where the compiler supports
    optional values and rejected with a clear error elsewhere."""
    return Type(f"Optional({typ})")


# Names of container types (their meaning belongs to the typed containers).
unicode_type = Type("unicode_type")


def ListType(item):
    return Type(f"ListType({item})")


def DictType(key, value):
    return Type(f"DictType({key}, {value})")


#: Numba's lower-case spelling (``numba.optional(f8)``).
optional = Optional

__all__ += ["Array", "UniTuple", "Tuple", "Optional", "optional", "unicode_type", "ListType", "DictType"]


# --- C pointers (``@cfunc`` parameters) -------------------------------------------------------

#: An untyped C pointer (``void *``): it can be passed on but not indexed.
voidptr = Type("voidptr")


def CPointer(dtype):
    """``CPointer(float64)``: a C pointer to ``dtype`` elements (``double *``), a ``@cfunc``
    parameter type; ``p[i]`` loads and ``p[i] = x`` stores without a bounds check."""
    if not isinstance(dtype, Type) or dtype._numpy_name is None:
        raise TypeError(f"CPointer() takes a scalar type, got {dtype!r}")
    return Type(f"CPointer({dtype})")


__all__ += ["voidptr", "CPointer"]
