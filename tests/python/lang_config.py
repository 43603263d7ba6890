"""A module whose attributes test_language.py's kernels read (`config.THRESHOLD`)."""

import numpy as np

from ferrojit import jit

THRESHOLD = 2.5
LIMITS = (1, 10)
WEIGHTS = np.array([0.5, 0.25, 0.25])


@jit
def clamp(x, lo=0.0):
    return max(x, lo)


class ShapeError(ValueError):
    """A user-defined exception class, raised from compiled code by test_language.py."""
