"""``@export``: a jitted function that also names the signatures it is built for ahead of time.

``python -m ferrojit build module.py`` (see :mod:`ferrojit.build`) compiles every function of
the module decorated with ``@ferrojit.export(...)`` into a C shared library and a CPython
extension module that imports without ferrojit. In the running program the function is
jitted as ``@jit(**options)`` would do it (lazily, for any argument types).
"""

from ._ferrojit import Dispatcher, parse_signature
from .decorators import _signature_texts, jit

__all__ = ["export"]


def export(*signatures, **options):
    """Records ahead-of-time signatures: ``@export('f8(f8[:])', 'f4(f4[:])')``.

    Signatures use Numba's grammar (strings, ferrojit signature objects, or lists of them);
    stacked ``@export`` decorators add to each other. Keywords are ``@jit``'s. The signatures
    are kept, in source order, in the dispatcher's ``__ferrojit_exports__`` list.
    """
    if not signatures or (len(signatures) == 1 and callable(signatures[0]) and hasattr(signatures[0], "__code__")):
        raise TypeError("export() needs at least one signature, e.g. @export('f8(f8[:])')")
    texts = []
    for sig in signatures:
        texts.extend(_signature_texts(sig))
    for text in texts:
        parse_signature(text)  # a malformed signature fails here, pointing at its column

    def decorate(func):
        dispatcher = func if isinstance(func, Dispatcher) else jit(**options)(func)
        dispatcher.__ferrojit_exports__ = texts + list(getattr(dispatcher, "__ferrojit_exports__", []))
        return dispatcher

    return decorate
