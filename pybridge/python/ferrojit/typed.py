"""Typed containers with Numba's API: ``List`` (``numba.typed.List``).

A ``List`` is a Python ``list`` whose items share one type, which compiled code needs to know
even when the list is empty: ``List.empty_list(float64)`` fixes it up front; otherwise it is
the type of the first item. Compiled code receives the items (copied into a typed buffer) and
the changes it makes are written back into the same ``List`` when the call returns, as with an
ordinary list argument; a ``List`` made in compiled code comes back as a ``List``.
"""

__all__ = ["List", "Dict"]


def _item_type_name(item_type):
    """The NumPy name of a number type given as ``float64`` (ferrojit), ``np.float64``,
    ``np.dtype('f8')``, ``float`` or ``int``."""
    name = getattr(item_type, "_numpy_name", None)
    if name is not None:
        return name
    if item_type is float:
        return "float64"
    if item_type is int:
        return "int64"
    if item_type is bool:
        return "bool"
    if item_type is complex:
        return "complex128"
    import numpy

    try:
        return numpy.dtype(item_type).name
    except TypeError:
        raise TypeError(
            f"List.empty_list() takes a number type (float64, np.int32, ...), got {item_type!r}"
        ) from None


class List(list):
    """A list with one item type (Numba's ``numba.typed.List``)."""

    __slots__ = ("_item_type",)

    def __init__(self, iterable=()):
        super().__init__(iterable)
        self._item_type = None

    @classmethod
    def empty_list(cls, item_type, allocated=0):
        """An empty list whose items will be of ``item_type``."""
        lst = cls()
        lst._item_type = _item_type_name(item_type)
        return lst

    def copy(self):
        out = List(self)
        out._item_type = self._item_type
        return out

    def __repr__(self):
        return f"ListType[{self._item_type or 'undefined'}]({list.__repr__(self)})"


class Dict(dict):
    """A dict with one key type and one value type (Numba's ``numba.typed.Dict``).

    ``Dict.empty(key_type=int64, value_type=float64)`` makes one; in compiled code it is built
    with ``Dict.empty(...)`` or ``Dict()`` and comes back to Python as a ``Dict``.
    """

    __slots__ = ("_key_type", "_value_type")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._key_type = None
        self._value_type = None

    @classmethod
    def empty(cls, key_type, value_type, n_keys=0):
        """An empty dict whose keys and values will be of these types."""
        d = cls()
        d._key_type = key_type if key_type is str else _item_type_name(key_type)
        d._value_type = value_type if value_type is str else _item_type_name(value_type)
        return d

    def __repr__(self):
        return f"DictType[{self._key_type},{self._value_type}]({dict.__repr__(self)})"
