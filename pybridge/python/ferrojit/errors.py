"""Exceptions and warnings raised by ferrojit.

Compile-time failures derive from :class:`CompileError`; their message names the file, line and
column, shows the source line and puts a caret under the offending code. Errors raised *by
compiled code at run time* are the built-in Python exceptions (``ZeroDivisionError``,
``IndexError``, ...) that CPython would raise, with a note naming the function and line.
"""


class CompileError(Exception):
    """A function could not be compiled (base class of every ferrojit compile error)."""


class TypingError(CompileError):
    """The code is ill-typed for the given argument types (Numba's ``TypingError``)."""


class UnsupportedError(CompileError):
    """Valid Python that ferrojit does not compile (yet)."""


class SignatureError(CompileError, ValueError):
    """A malformed signature such as ``'f8(f8[:'``; the message points at the column."""


class InternalError(CompileError):
    """A failure inside ferrojit itself: please report it with the function that caused it."""


class FerrojitWarning(UserWarning):
    """An option has no effect here, or the on-disk cache (``cache=True``) had trouble."""


class FerrojitPerformanceWarning(FerrojitWarning):
    """Code compiles but will run slowly (Numba's ``NumbaPerformanceWarning``)."""


class FerrojitDeprecationWarning(FerrojitWarning, DeprecationWarning):
    """A feature will go away (Numba's ``NumbaDeprecationWarning``)."""


# Numba's names, for `from numba.core.errors import ...`-style code run with ferrojit.
NumbaError = CompileError
LoweringError = InternalError
UnsupportedFeatureError = UnsupportedError
NumbaWarning = FerrojitWarning
NumbaPerformanceWarning = FerrojitPerformanceWarning
NumbaDeprecationWarning = FerrojitDeprecationWarning


__all__ = [
    "CompileError",
    "TypingError",
    "UnsupportedError",
    "SignatureError",
    "InternalError",
    "FerrojitWarning",
    "FerrojitPerformanceWarning",
    "FerrojitDeprecationWarning",
    "NumbaError",
    "LoweringError",
    "UnsupportedFeatureError",
    "NumbaWarning",
    "NumbaPerformanceWarning",
    "NumbaDeprecationWarning",
]
