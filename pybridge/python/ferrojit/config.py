"""Run-time configuration, read from the environment at import, Numba's ``numba.config``.

``DISABLE_JIT`` (``FERROJIT_DISABLE_JIT=1``, or ``NUMBA_DISABLE_JIT=1`` for scripts written for
Numba): every decorator returns plain Python (``@jit`` the function itself, ``@vectorize`` and
``@guvectorize`` NumPy-vectorized Python, ``prange`` is ``range``), so that pdb, coverage and
profilers see the original code. Decorators read it when they are applied: set
``ferrojit.config.DISABLE_JIT = True`` before the decorated functions are defined.

``NUMBA_NUM_THREADS`` (``FERROJIT_NUM_THREADS``): the size of the thread pool behind
``prange`` and ``target='parallel'`` (default: the number of CPUs). The pool is created at first
use, so the variable must be set before that; ``set_num_threads`` then limits it further.

``DUMP`` (``FERROJIT_DUMP``): the compiler stages printed to stderr while compiling.
"""

import os

__all__ = ["DISABLE_JIT", "NUMBA_NUM_THREADS", "NUM_THREADS", "DUMP", "BOUNDSCHECK", "reload_config"]


def _flag(*names):
    for name in names:
        value = os.environ.get(name)
        if value is not None:
            return value.strip().lower() not in ("", "0", "false", "no", "off")
    return False


def _threads():
    value = os.environ.get("FERROJIT_NUM_THREADS") or os.environ.get("NUMBA_NUM_THREADS")
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            pass
    return os.cpu_count() or 1


def reload_config():
    """Reads the environment again (Numba's ``numba.core.config.reload_config``)."""
    global DISABLE_JIT, NUMBA_NUM_THREADS, NUM_THREADS, DUMP, BOUNDSCHECK
    DISABLE_JIT = _flag("FERROJIT_DISABLE_JIT", "NUMBA_DISABLE_JIT")
    # The runtime reads FERROJIT_NUM_THREADS when it creates its pool: a Numba script that sets
    # NUMBA_NUM_THREADS gets the same pool size.
    if "FERROJIT_NUM_THREADS" not in os.environ and os.environ.get("NUMBA_NUM_THREADS"):
        os.environ["FERROJIT_NUM_THREADS"] = os.environ["NUMBA_NUM_THREADS"]
    NUMBA_NUM_THREADS = NUM_THREADS = _threads()
    DUMP = os.environ.get("FERROJIT_DUMP", "")
    BOUNDSCHECK = _flag("FERROJIT_BOUNDSCHECK")


DISABLE_JIT = False
NUMBA_NUM_THREADS = NUM_THREADS = 1
DUMP = ""
BOUNDSCHECK = False
reload_config()
