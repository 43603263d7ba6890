"""Differential testing: a jitted function against its own Python source run by CPython.

``check(fn, *args)`` runs ``fn.py_func`` in CPython and ``fn`` compiled, each on its own deep
copy of the arguments (arrays keep their layout, strides included, and arrays that share
memory stay views of one copied buffer), and asserts that both
return the same thing — same kind of value (bool / int / float / complex / None / tuple /
list item by item / array of the same dtype), same value (NaN equals NaN; ``rtol`` for float tolerance, default
exact) — or raise the same exception class, and that both leave the arguments mutated the same
way. It returns the compiled result.
"""

import copy
import ctypes
import math

import numpy as np

__all__ = ["check", "assert_same", "clone", "clone_args"]


def clone(value):
    """A deep copy that keeps NumPy arrays' memory layout, including non-contiguous views."""
    if isinstance(value, np.ndarray):
        return _clone_array(value)
    if isinstance(value, tuple):
        return tuple(clone(v) for v in value)
    if isinstance(value, list) and type(value) is not list:
        # A `ferrojit.typed.List`: keep its class and declared item type.
        out = copy.copy(value)
        out[:] = [clone(v) for v in value]
        return out
    return copy.deepcopy(value)


def clone_args(args):
    """`clone` of each argument, except that arrays sharing memory (views of one buffer, such as
    `a[1:]` and `a[:-1]`) stay views of one copied buffer: a loop whose output overlaps an input
    sees the same overlap in both runs."""
    # Byte ranges of the array arguments, merged while any two overlap.
    groups = []
    for k, a in enumerate(args):
        if isinstance(a, np.ndarray) and a.size:
            lo, hi = np.lib.array_utils.byte_bounds(a)
            groups.append([lo, hi, [k]])
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                (lo1, hi1, ks1), (lo2, hi2, ks2) = groups[i], groups[j]
                if lo1 < hi2 and lo2 < hi1:
                    groups[i] = [min(lo1, lo2), max(hi1, hi2), ks1 + ks2]
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    out = [clone(a) for a in args]
    for lo, hi, ks in groups:
        if len(ks) < 2:
            continue
        raw = np.empty(hi - lo, dtype=np.uint8)
        ctypes.memmove(raw.ctypes.data, lo, hi - lo)
        for k in ks:
            a = args[k]
            start = a.__array_interface__["data"][0]
            out[k] = np.ndarray(a.shape, a.dtype, buffer=raw, offset=start - lo, strides=a.strides)
    return tuple(out)


def _clone_array(a):
    if a.flags.c_contiguous or a.flags.f_contiguous:
        return a.copy(order="K")
    # A strided view: copy the bytes it spans and rebuild the view with the same strides.
    lo, hi = np.lib.array_utils.byte_bounds(a)
    raw = np.empty(hi - lo, dtype=np.uint8)
    ctypes.memmove(raw.ctypes.data, lo, hi - lo)
    start = a.__array_interface__["data"][0]
    return np.ndarray(a.shape, a.dtype, buffer=raw, offset=start - lo, strides=a.strides)


def _kind(value):
    """The Python-level kind of a scalar: NumPy scalars count as the built-in they box."""
    if isinstance(value, (bool, np.bool_)):
        return bool
    if isinstance(value, (int, np.integer)):
        return int
    if isinstance(value, (float, np.floating)):
        return float
    if isinstance(value, (complex, np.complexfloating)):
        return complex
    return type(value)


def _close(x, y, rtol):
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if rtol is None:
        return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)
    return math.isclose(x, y, rel_tol=rtol, abs_tol=rtol)


def assert_same(got, expected, rtol=None, where="result"):
    """Asserts `got` (compiled) matches `expected` (CPython); see the module doc."""
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), f"{where}: expected an array, got {got!r}"
        assert got.dtype == expected.dtype, f"{where}: dtype {got.dtype} != {expected.dtype}"
        assert got.shape == expected.shape, f"{where}: shape {got.shape} != {expected.shape}"
        if rtol is None or expected.dtype.kind not in "fc":
            ok = np.array_equal(got, expected, equal_nan=expected.dtype.kind in "fc")
        else:
            ok = np.allclose(got, expected, rtol=rtol, atol=rtol, equal_nan=True)
        assert ok, f"{where}: arrays differ\ncompiled: {got}\nCPython:  {expected}"
        return
    if isinstance(expected, list):
        assert type(got) is type(expected), f"{where}: expected a {type(expected).__name__}, got {got!r}"
        assert len(got) == len(expected), f"{where}: list length {len(got)} != {len(expected)}\ncompiled: {got}\nCPython:  {expected}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, rtol, f"{where}[{i}]")
        return
    if isinstance(expected, tuple):
        assert isinstance(got, tuple), f"{where}: expected a tuple, got {got!r}"
        assert len(got) == len(expected), f"{where}: tuple length {len(got)} != {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, rtol, f"{where}[{i}]")
        return
    kind = _kind(expected)
    assert _kind(got) is kind, f"{where}: compiled gave {got!r} ({type(got).__name__}), CPython {expected!r} ({type(expected).__name__})"
    if kind is float:
        assert _close(float(got), float(expected), rtol), f"{where}: {got!r} != {expected!r}"
    elif kind is complex:
        g, e = complex(got), complex(expected)
        ok = _close(g.real, e.real, rtol) and _close(g.imag, e.imag, rtol)
        assert ok, f"{where}: {got!r} != {expected!r}"
    else:
        assert got == expected, f"{where}: {got!r} != {expected!r}"


def _run(fn, args):
    try:
        return fn(*args), None
    except Exception as exc:  # noqa: BLE001 - any exception is a result to compare
        return None, exc


def _assert_same_identity(got, expected, py_args, jit_args):
    """An argument array CPython returned must come back as the very same object."""
    if isinstance(expected, tuple):
        for g, e in zip(got, expected):
            _assert_same_identity(g, e, py_args, jit_args)
        return
    for py_arg, jit_arg in zip(py_args, jit_args):
        if isinstance(expected, np.ndarray) and expected is py_arg:
            assert got is jit_arg, "compiled code returned a different array object"


def check(fn, *args, rtol=None):
    """Runs ``fn.py_func`` (CPython) and ``fn`` (compiled) on copies of ``args`` and compares."""
    py_args = clone_args(args)
    jit_args = clone_args(args)
    expected, expected_exc = _run(fn.py_func, py_args)
    got, got_exc = _run(fn, jit_args)
    if expected_exc is not None:
        assert got_exc is not None, f"CPython raised {expected_exc!r}, compiled returned {got!r}"
        assert type(got_exc) is type(expected_exc), f"compiled raised {got_exc!r}, CPython {expected_exc!r}"
    else:
        if got_exc is not None:
            raise AssertionError(f"compiled raised {got_exc!r}, CPython returned {expected!r}") from got_exc
        assert_same(got, expected, rtol)
        _assert_same_identity(got, expected, py_args, jit_args)
    for i, (g, e) in enumerate(zip(jit_args, py_args)):
        if isinstance(e, (np.ndarray, list)):
            assert_same(g, e, rtol, f"argument {i} after the call")
    return got
