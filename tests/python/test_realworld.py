"""The real-world corpus (tests/python/realworld/): every kernel run under CPython and
compiled, compared like diff.py's `check` (results and mutated arguments; NaN equals NaN; a
tolerance only where a case declares one). Known gaps are strict xfails carrying the missing
construct, so a fix shows up as an XPASS. The tally (passing / failing / xfail by reason) is
printed at the end of the session (conftest.py)."""

import collections
import importlib.util

import pytest

from ferrojit import config

from diff import _run, assert_same, clone
from realworld import audio, dataframe, dimred, econ, knn, numba_docs, outliers, timeseries

MODULES = [knn, timeseries, audio, econ, outliers, dataframe, dimred, numba_docs]

# Read by conftest.py's terminal summary: outcome -> list of case names (xfail: with reasons).
TALLY = collections.defaultdict(list)


def _pure_python(module):
    """The module executed again with `config.DISABLE_JIT` set: every decorator returns plain
    Python (helpers, `prange`, stencils and ufuncs included), so the reference run is CPython
    all the way down. Its cases line up one for one with the compiled module's."""
    saved = config.DISABLE_JIT
    config.DISABLE_JIT = True
    try:
        spec = importlib.util.find_spec(module.__name__)
        pure = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(pure)
    finally:
        config.DISABLE_JIT = saved
    assert len(pure.CASES) == len(module.CASES)
    return pure


def _params():
    for module in MODULES:
        short = module.__name__.rsplit(".", 1)[-1]
        seen = collections.Counter()
        pure = _pure_python(module)
        for case, reference in zip(module.CASES, pure.CASES):
            if case.reference is None:
                case.reference = reference.fn
            seen[case.name] += 1
            ident = f"{short}.{case.name}" + (f"#{seen[case.name]}" if seen[case.name] > 1 else "")
            marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
            yield pytest.param(case, id=ident, marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_kernel(case, request):
    name = request.node.callspec.id
    outcome = "xfail" if case.xfail else "failed"
    try:
        _compare(case)
    except BaseException:
        TALLY[outcome].append((name, case.xfail))
        raise
    TALLY["xpassed" if case.xfail else "passed"].append((name, None))


def _compare(case):
    py_args = tuple(clone(a) for a in case.args)
    jit_args = tuple(clone(a) for a in case.args)
    py_kwargs = {k: clone(v) for k, v in case.kwargs.items()}
    jit_kwargs = {k: clone(v) for k, v in case.kwargs.items()}
    expected, expected_exc = _run(lambda *a: case.reference(*a, **py_kwargs), py_args)
    got, got_exc = _run(lambda *a: case.fn(*a, **jit_kwargs), jit_args)
    if expected_exc is not None:
        assert got_exc is not None, f"CPython raised {expected_exc!r}, compiled returned {got!r}"
        assert type(got_exc) is type(expected_exc), f"compiled raised {got_exc!r}, CPython {expected_exc!r}"
        return
    if got_exc is not None:
        raise AssertionError(f"compiled raised {got_exc!r}, CPython returned {expected!r}") from got_exc
    assert_same(got, expected, case.rtol)
    for i, (g, e) in enumerate(zip(jit_args, py_args)):
        if not isinstance(g, (int, float, complex, str, bool)):
            assert_same(g, e, case.rtol, f"argument {i} after the call")
