"""Differential testing on generated programs: random well-typed functions (tests/python/progen.py)
run under CPython and compiled, results compared bit for bit.

Environment:
- ``FERROJIT_GEN_SEED``: the seed (default: fixed, so CI runs are reproducible; set it to a
  fresh number, e.g. the date, to explore).
- ``FERROJIT_GEN_CASES``: how many programs (default 2000).
- ``FERROJIT_GEN_ONLY``: run only the program with this index (prints its source).

A mismatch prints the seed and index, the (minimised) source, the arguments and both results;
``FERROJIT_GEN_SEED=<seed> FERROJIT_GEN_ONLY=<index> pytest tests/python/test_generated.py``
reproduces it. See docs/testing.md.
"""

import linecache
import math
import os
import random
import time
import warnings

import numpy as np
import pytest

import progen
from diff import clone
from ferrojit import jit

SEED = int(os.environ.get("FERROJIT_GEN_SEED", "20240601"))
CASES = int(os.environ.get("FERROJIT_GEN_CASES", "2000"))
ONLY = os.environ.get("FERROJIT_GEN_ONLY")
BATCH = 100

# Read by conftest.py's terminal summary.
STATS = progen.STATS


def program(index):
    """Program `index` of this run's seed: every program has its own generator state."""
    return progen.generate(random.Random(SEED * 1_000_003 + index), f"gen{index}")


def build(programs, tag):
    """Defines each program as a jitted function of one module, whose source is in linecache
    (ferrojit reads a function's source through inspect)."""
    header = "import math\nimport numpy as np\nfrom ferrojit import jit\n\n"
    text = header + "".join("@jit\n" + p.source + "\n" for p in programs)
    filename = f"<ferrojit-generated {tag}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = {"__name__": f"generated_{abs(hash(tag))}"}
    exec(compile(text, filename, "exec"), namespace)  # noqa: S102 - generated test code
    return [namespace[p.name] for p in programs]


def _run(fn, args):
    try:
        return fn(*args), None
    except Exception as exc:  # noqa: BLE001 - an exception is a result to compare
        return None, exc


def _dtype_name(value):
    if isinstance(value, np.generic):
        return value.dtype.name
    return {bool: "bool", int: "int64", float: "float64", complex: "complex128"}[type(value)]


def _split_top(text):
    """`text` split at the commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _return_types(signature):
    """The return types of a `ret(args)` signature text: dtype names for scalars, and
    `array(dtype, Nd)` for arrays (the layout left out)."""
    depth = 0
    for at in range(len(signature) - 1, -1, -1):
        depth += signature[at] == ")"
        depth -= signature[at] == "("
        if depth == 0:
            break
    ret = signature[:at]
    types = _split_top(ret[1:-1]) if ret.startswith("(") else [ret]
    return [t.rsplit(",", 1)[0] + ")" if t.startswith("array(") else t for t in types]


def _type_name(value):
    if isinstance(value, np.ndarray):
        return f"array({value.dtype.name}, {value.ndim}d)"
    return _dtype_name(value)


def _ulps(a, b, dtype):
    """Distance in units in the last place between two floats of `dtype`."""
    bits = {"float32": np.int32, "float64": np.int64}[dtype]
    ia, ib = int(np.array(a, dtype).view(bits)), int(np.array(b, dtype).view(bits))
    # Map the sign-magnitude representation onto a monotonic integer line.
    top = 1 << (np.dtype(dtype).itemsize * 8 - 1)
    ia = ia if ia >= 0 else -top - ia
    ib = ib if ib >= 0 else -top - ib
    return abs(ia - ib)


def _same_float(got, expected, dtype, tolerance):
    g, e = np.array(got, dtype)[()], np.array(expected, dtype)[()]
    if math.isnan(e) or math.isnan(g):
        return math.isnan(e) and math.isnan(g)
    if g.tobytes() == e.tobytes():
        return True
    ulps, rel = tolerance
    if not (math.isfinite(e) and math.isfinite(g)):
        return False
    return (ulps > 0 and _ulps(g, e, dtype) <= ulps) or abs(g - e) <= rel * max(1.0, abs(e))


def _same_scalar(got, expected, tolerance=(0, 0.0)):
    dtype = _dtype_name(expected)
    kind = progen.kind(dtype)
    if kind == "f":
        return isinstance(got, float) and _same_float(got, expected, dtype, tolerance)
    if kind == "c":
        part = "float32" if dtype == "complex64" else "float64"
        return isinstance(got, complex) and all(
            _same_float(g, e, part, tolerance)
            for g, e in ((got.real, expected.real), (got.imag, expected.imag))
        )
    if kind == "b":
        return isinstance(got, bool) and got == bool(expected)
    return isinstance(got, int) and not isinstance(got, bool) and got == int(expected)


def _same_array(got, expected):
    if not isinstance(got, np.ndarray):
        return False
    if got.dtype != expected.dtype or got.shape != expected.shape:
        return False
    return all(_same_scalar(g.item(), e) for g, e in zip(got.flat, expected.flat, strict=True))


def compare(fn, prog):
    """None if `fn` (compiled) and its CPython original agree on `prog.args`, else a report."""
    py_args = [clone(a) for a in prog.args]
    jit_args = [clone(a) for a in prog.args]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, expected_exc = _run(fn.py_func, py_args)
    got, got_exc = _run(fn, jit_args)
    if expected_exc is not None or got_exc is not None:
        if type(expected_exc) is type(got_exc):
            return None
        # Indexing an array with more indices than it has dimensions is a type error found
        # when compiling (as in Numba); CPython raises it when the line runs.
        too_many = "too many indices"
        if (
            isinstance(expected_exc, IndexError)
            and type(got_exc).__name__ == "TypingError"
            and too_many in str(expected_exc)
            and too_many in str(got_exc)
        ):
            return None
        return f"CPython: {expected!r} / {expected_exc!r}\ncompiled: {got!r} / {got_exc!r}"
    want = list(expected) if isinstance(expected, tuple) else [expected]
    have = list(got) if isinstance(got, tuple) else [got]
    types = _return_types(fn.signatures[-1])
    problems = []
    if types != [_type_name(v) for v in want]:
        problems.append(f"return types: compiled {types}, CPython {[_type_name(v) for v in want]}")
    elif not all(
        _same_array(g, e) if isinstance(e, np.ndarray) else _same_scalar(g, e, prog.tolerance(i))
        for i, (g, e) in enumerate(zip(have, want, strict=True))
    ):
        problems.append("results differ")
    for i, (g, e) in enumerate(zip(jit_args, py_args, strict=True)):
        if isinstance(e, np.ndarray) and not _same_array(g, e):
            problems.append(f"argument {i} after the call differs:\ncompiled: {g!r}\nCPython:  {e!r}")
    if not problems:
        return None
    return "\n".join(problems) + f"\nCPython:  {expected!r}\ncompiled: {got!r}"


def minimise(prog, tag):
    """Deletes statements one at a time while the mismatch persists (cheap delta debugging)."""
    changed = True
    attempt = 0
    while changed:
        changed = False
        for block, stmt in prog.statements():
            if not stmt.removable:
                continue
            at = block.index(stmt)
            del block[at]
            attempt += 1
            try:
                [fn] = build([prog], f"{tag} minimise {attempt}")
                still = compare(fn, prog) is not None
            except Exception:  # noqa: BLE001 - a deletion that breaks the program is undone
                still = False
            if still:
                changed = True
                break
            block.insert(at, stmt)
    return prog


def report(index, prog, problem):
    tag = f"seed={SEED} index={index}"
    small = minimise(prog, tag)
    [fn] = build([small], f"{tag} minimised")
    problem = compare(fn, small) or problem
    return (
        f"--- generated program mismatch: FERROJIT_GEN_SEED={SEED} FERROJIT_GEN_ONLY={index} ---\n"
        f"{small.source}\nargs = {small.args!r}\n{problem}\n"
    )


def run_cases(indices):
    programs = [program(i) for i in indices]
    tag = f"seed={SEED} cases={indices[0]}..{indices[-1]}"
    fns = build(programs, tag)
    failures = []
    for index, prog, fn in zip(indices, programs, fns, strict=True):
        start = time.perf_counter()
        try:
            problem = compare(fn, prog)
        except Exception as exc:  # noqa: BLE001 - a compile error is a generator or compiler bug
            problem = f"{type(exc).__name__}: {exc}"
        STATS["seconds"] += time.perf_counter() - start
        STATS["cases"] += 1
        if problem is not None:
            STATS["mismatches"] += 1
            failures.append(report(index, program(index), problem))
        if len(failures) >= 3:
            break
    return failures


def batches():
    if ONLY is not None:
        return [[int(ONLY)]]
    return [list(range(start, min(start + BATCH, CASES))) for start in range(0, CASES, BATCH)]


@pytest.mark.parametrize("indices", batches(), ids=lambda b: f"{b[0]}-{b[-1]}")
def test_generated_programs(indices):
    if ONLY is not None:
        print(program(indices[0]).source)
    failures = run_cases(indices)
    assert not failures, "\n".join(failures)
