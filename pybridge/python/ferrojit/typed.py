"""Typed containers with Numba's API: ``List`` (``numba.typed.List``).

A ``List`` is a Python ``list`` whose items share one type, which compiled code needs to know
even when the list is empty: ``List.empty_list(float64)`` fixes it up front; otherwise it is
the type of the first item. Compiled code receives the items (copied into a typed buffer) and
the changes it makes are written back into the same ``List`` when the call returns, as with an
ordinary list argument; a ``List`` made in compiled code comes back as a ``List``.
"""

__all__ = ["List"]


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
