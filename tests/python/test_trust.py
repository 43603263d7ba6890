"""Issue 13, "never wrong, never stuck, never crashed": one regression test per defect found by a
hostile user (read-only arrays written, hangs, crashes, leaks, smaller wrong results, unclear
errors). Each test failed before its fix. What happens on each input is documented in
docs/safety.md."""

import numpy as np
import pytest

import ferrojit
import ferrojit.build
from diff import check

# --- read-only arrays ---------------------------------------------------------------------------


@ferrojit.jit
def store_first(a):
    a[0] = 42.0
    return a[0]


@ferrojit.jit
def read_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


@ferrojit.jit
def fill_view(a):
    b = a[1:]
    b.fill(7.0)


@ferrojit.jit
def inplace_add(a):
    a += 1.0


@ferrojit.jit
def scale_helper(a, k):
    for i in range(a.shape[0]):
        a[i] = a[i] * k


@ferrojit.jit
def calls_writer(a):
    scale_helper(a, 2.0)


@ferrojit.jit
def flatten_then_write(a):
    b = a.flatten()
    b[0] = 99.0
    return b


def _readonly(values):
    a = np.array(values, dtype=np.float64)
    a.flags.writeable = False
    return a


def test_store_into_readonly_array_is_a_compile_error():
    a = _readonly([1.0, 2.0, 3.0])
    with pytest.raises(ferrojit.TypingError, match="read-only array") as info:
        store_first(a)
    assert "a[0] = 42.0" in str(info.value)
    assert a[0] == 1.0
    # The same function still compiles and writes for a writeable array.
    w = np.array([1.0, 2.0, 3.0])
    assert store_first(w) == 42.0 and w[0] == 42.0


def test_readonly_array_may_be_read():
    a = _readonly([1.0, 2.0, 3.0])
    assert read_sum(a) == 6.0
    assert read_sum(np.broadcast_to(np.array([1.0]), (10,))) == 10.0


def test_broadcast_view_is_readonly():
    base = np.array([5.0])
    view = np.broadcast_to(base, (10,))
    with pytest.raises(ferrojit.TypingError, match="read-only array"):
        store_first(view)
    assert base[0] == 5.0


@pytest.mark.parametrize("fn", [fill_view, inplace_add, calls_writer])
def test_writes_through_views_methods_and_callees_are_refused(fn):
    a = _readonly([1.0, 2.0, 3.0])
    with pytest.raises(ferrojit.TypingError, match="read-only array"):
        fn(a)
    assert list(a) == [1.0, 2.0, 3.0]


def test_flatten_is_a_copy():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    check(flatten_then_write, a)
    # A copy of a read-only array is writeable.
    r = _readonly([1.0, 2.0])
    assert list(flatten_then_write(r)) == [99.0, 2.0]
    assert r[0] == 1.0


def test_readonly_array_does_not_match_a_writeable_explicit_signature():
    @ferrojit.jit("f8(f8[:])")
    def first(a):
        return a[0]

    with pytest.raises(TypeError, match="No matching definition.*readonly array"):
        first(_readonly([1.0]))


def test_returned_view_of_readonly_argument_stays_readonly():
    @ferrojit.jit
    def tail(a):
        return a[1:]

    out = tail(_readonly([1.0, 2.0, 3.0]))
    assert not out.flags.writeable


def test_built_extension_refuses_readonly_array_where_the_function_writes(tmp_path):
    import importlib
    import sys

    source = tmp_path / "trust_ro.py"
    source.write_text(
        "def scale(a, k):\n"
        "    for i in range(a.shape[0]):\n"
        "        a[i] = a[i] * k\n"
        "\n"
        "def total(a):\n"
        "    s = 0.0\n"
        "    for i in range(a.shape[0]):\n"
        "        s += a[i]\n"
        "    return s\n"
    )
    ferrojit.build.build(
        source, exports=["scale:void(f8[:], f8)", "total:f8(f8[:])"], out_dir=tmp_path, c_library=False
    )
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("trust_ro")
    finally:
        sys.path.remove(str(tmp_path))
    a = _readonly([1.0, 2.0])
    with pytest.raises(TypeError, match="readonly array"):
        module.scale(a, 3.0)
    assert list(a) == [1.0, 2.0]
    assert module.total(a) == 3.0
    assert module.total(np.broadcast_to(np.array([2.0]), (4,))) == 8.0
    w = np.array([1.0, 2.0])
    module.scale(w, 3.0)
    assert list(w) == [3.0, 6.0]


# --- hangs --------------------------------------------------------------------------------------


@ferrojit.jit
def count_range(start, stop, step):
    c = 0
    last = 0
    for i in range(start, stop, step):
        c += 1
        last = i
    return c, last


@pytest.mark.parametrize(
    "start, stop, step",
    [
        (2**63 - 10, 2**63 - 1, 5),
        (0, 2**63 - 1, 2**62),
        (-(2**63), 2**63 - 1, 2**62),
        (-(2**63) + 10, -(2**63), -3),
        (2**63 - 1, -(2**63), -(2**63)),
        (2**63 - 2, 2**63 - 1, 1),
        (-(2**63) + 1, -(2**63), -1),
        (0, 10, 3),
    ],
)
def test_range_near_int64_limits_ends(start, stop, step):
    check(count_range, start, stop, step)


def test_range_with_literal_bounds_near_the_limit():
    @ferrojit.jit
    def literal():
        c = 0
        for i in range(2**63 - 10, 2**63 - 1, 5):
            c += 1
        return c

    assert literal() == 2


@ferrojit.jit
def grow(x, n):
    if n == 0:
        return 0
    return grow((x, x), n - 1)


def test_argument_types_growing_with_recursion_are_a_clear_compile_error():
    with pytest.raises(ferrojit.TypingError, match="maximum recursion depth exceeded while specializing grow"):
        grow(1.0, 3)


FORK_CHILD = """
import os, sys
import numpy as np
import ferrojit
import ferrojit.build

@ferrojit.jit(parallel=True)
def psum(a):
    s = 0.0
    for i in ferrojit.prange(a.shape[0]):
        s += a[i]
    return s

a = np.arange(100000.0)
assert psum(a) == a.sum()
pid = os.fork()
if pid == 0:
    os._exit(0 if psum(a) == a.sum() else 3)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_parallel_function_runs_in_a_forked_child(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "fork_child.py"
    script.write_text(FORK_CHILD)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
