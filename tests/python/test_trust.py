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


# --- crashes ------------------------------------------------------------------------------------


@ferrojit.jit("i8(i8)")
def runaway(n):
    return runaway(n + 1) + 1


@ferrojit.jit
def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


@ferrojit.jit
def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


def test_unbounded_recursion_raises_recursion_error():
    with pytest.raises(RecursionError, match="maximum recursion depth exceeded"):
        runaway(0)
    with pytest.raises(RecursionError):
        is_even(10**9)
    # Recursion that ends still works, and deeper than CPython's default limit.
    assert is_even(5000) is True


def test_unbounded_recursion_in_a_thread_with_a_small_stack():
    import threading

    seen = []

    def run():
        try:
            runaway(0)
        except RecursionError:
            seen.append("RecursionError")

    old = threading.stack_size(512 * 1024)
    try:
        t = threading.Thread(target=run)
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    assert seen == ["RecursionError"]


def _nested(depth):
    t = 1.0
    for _ in range(depth):
        t = (t,)
    return t


@ferrojit.jit
def takes_anything(x):
    return 1


def test_deeply_nested_tuple_is_a_clear_error_not_a_crash():
    deep = _nested(50_000)
    with pytest.raises(ValueError, match="nested more than 32 levels"):
        ferrojit.typeof(deep)
    with pytest.raises(ferrojit.TypingError, match="nested more than 32 levels"):
        takes_anything(deep)
    assert takes_anything(_nested(30)) == 1


def test_built_extension_raises_recursion_error(tmp_path):
    import importlib
    import sys

    source = tmp_path / "trust_rec.py"
    source.write_text("def down(n):\n    if n == 0:\n        return 0\n    return down(n - 1) + 1\n")
    ferrojit.build.build(source, exports=["down:i8(i8)"], out_dir=tmp_path, c_library=False)
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("trust_rec")
    finally:
        sys.path.remove(str(tmp_path))
    assert module.down(1000) == 1000
    with pytest.raises(RecursionError):
        module.down(10**9)


# --- leak ---------------------------------------------------------------------------------------


@ferrojit.jit
def temporaries_then_number(a):
    t1 = a * 2.0
    t2 = t1 + 1.0
    return t2.sum()


@ferrojit.jit
def calls_helper_many_times(a, n):
    s = 0.0
    for i in range(n):
        s += temporaries_then_number(a)
    return s


def test_temporaries_of_a_callee_returning_a_number_are_freed_when_it_returns():
    import resource

    a = np.ones(10_000)  # two 80 KB temporaries per call
    calls_helper_many_times(a, 2)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert calls_helper_many_times(a, 5000) == 5000 * 30_000.0
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, f"peak memory grew by {grown_mb:.0f} MB (all calls' temporaries kept)"
    check(calls_helper_many_times, np.arange(5.0), 3)


# --- smaller wrong results ----------------------------------------------------------------------


@ferrojit.jit(boundscheck=True)
def at_index(a, i):
    return a[i]


def test_boundscheck_with_a_huge_unsigned_index_raises():
    a = np.arange(5.0)
    with pytest.raises(IndexError):
        at_index(a, np.uint64(2**64 - 1))
    with pytest.raises(IndexError):
        at_index(a, np.uint64(5))
    assert at_index(a, np.uint64(4)) == 4.0
    assert at_index(a, -1) == 4.0


@ferrojit.jit
def power(x, y):
    return x**y


@ferrojit.jit(error_model="numpy")
def power_numpy_model(x, y):
    return x**y


def test_zero_to_a_negative_power_raises_zero_division_error():
    check(power, 0.0, -1.0)
    check(power, 0.0, -0.5)
    check(power, -0.0, -2.0)
    check(power, 0.0, 2.0)
    check(power, 2.0, -1.0)
    with pytest.raises(ZeroDivisionError, match="0.0 cannot be raised to a negative power"):
        power(0.0, -1.0)
    assert power_numpy_model(0.0, -1.0) == np.inf


def _make_closure_over_array():
    w = np.array([1.0, 2.0, 3.0])

    @ferrojit.jit
    def weighted(a):
        return (a * w).sum()

    return weighted


def test_pickled_closure_keeps_its_captured_array():
    import pickle

    weighted = _make_closure_over_array()
    a = np.array([1.0, 1.0, 1.0])
    assert weighted(a) == 6.0
    again = pickle.loads(pickle.dumps(weighted))
    assert again(a) == 6.0


def _make_bounds_checked():
    @ferrojit.jit(boundscheck=True, error_model="numpy")
    def get(a, i):
        return a[i] / 0.0

    return get


def test_pickled_dispatcher_keeps_its_options():
    import pickle

    get = _make_bounds_checked()
    again = pickle.loads(pickle.dumps(get))
    assert again.targetoptions["boundscheck"] is True
    assert again.targetoptions["numpy_error_model"] is True
    with pytest.raises(IndexError):
        again(np.arange(3.0), 10)
    assert again(np.arange(3.0), 1) == np.inf


# --- clearer errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [-1, 0, 2**64, 10**6])
def test_set_num_threads_out_of_range_says_what_is_valid(bad):
    with pytest.raises(ValueError, match=r"must be between 1 and \d+"):
        ferrojit.set_num_threads(bad)


def test_set_num_threads_takes_integers_only():
    with pytest.raises(TypeError):
        ferrojit.set_num_threads(1.5)
    n = ferrojit.get_num_threads()
    ferrojit.set_num_threads(1)
    assert ferrojit.get_num_threads() == 1
    ferrojit.set_num_threads(n)


def test_flat_sum_of_2500_terms_compiles(tmp_path):
    import importlib
    import sys

    terms = " + ".join(f"x * {i}.0" for i in range(2500))
    (tmp_path / "trust_bigsum.py").write_text(f"def big(x):\n    return {terms}\n")
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("trust_bigsum")
    finally:
        sys.path.remove(str(tmp_path))
    big = ferrojit.jit(module.big)
    assert big(1.0) == module.big(1.0)


def test_str_argument_to_an_explicit_signature_is_a_type_error():
    @ferrojit.jit("f8(f8)")
    def double(x):
        return 2 * x

    with pytest.raises(TypeError, match="No matching definition for argument type.*str"):
        double("a")
    with pytest.raises(TypeError, match="No matching definition"):
        double(np.arange(3.0))
