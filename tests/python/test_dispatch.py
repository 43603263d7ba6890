"""The dispatcher: specialization by argument types, conversions, layouts, results, threads."""

import threading
import time

import numpy as np
import pytest

import ferrojit
from diff import check
from ferrojit import jit


@jit
def identity(x):
    return x


@jit
def add(a, b):
    return a + b


@jit
def total(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


@jit
def total2d(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j] * (i + 1) + j
    return s


@jit
def fill(a, value):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            a[i, j] = value * i + j


# --- specialization -------------------------------------------------------------------------


def test_one_specialization_per_argument_types():
    @jit
    def double(x):
        return x + x

    assert double(2) == 4
    assert double(2.5) == 5.0
    assert double(2) == 4
    assert double(np.float32(1.5)) == 3.0
    assert double.signatures == [
        "int64(int64)",
        "float64(float64)",
        "float32(float32)",
    ]


@pytest.mark.parametrize(
    "value",
    [0, -7, 2**62, 2**63, 1.5, -0.0, float("inf"), float("nan"), True, False, 1 + 2j, None],
)
def test_scalars_round_trip(value):
    check(identity, value)


@pytest.mark.parametrize(
    "value",
    [
        np.int8(-3),
        np.int16(300),
        np.int32(-70000),
        np.int64(5),
        np.uint8(200),
        np.uint16(60000),
        np.uint32(4000000000),
        np.uint64(2**64 - 1),
        np.float32(1.25),
        np.float64(2.5),
        np.complex64(1 - 2j),
        np.complex128(3 + 4j),
        np.bool_(True),
    ],
)
def test_numpy_scalars_are_typed_by_dtype(value):
    assert str(ferrojit.typeof(value)) == np.dtype(type(value)).name
    check(identity, value)


def test_tuples_round_trip():
    check(identity, (1, 2.5, (True, 3j), None))


def test_tuple_complex_and_bool_results():
    @jit
    def several(a, b):
        return a + b, a * 1j, a > b, None

    check(several, 1, 2.5)
    check(several, 3, -1)


def test_complex_arithmetic():
    check(add, 1 + 2j, 3.5)
    check(add, 1j, 1j)


# --- explicit signatures --------------------------------------------------------------------


def test_eager_signature_converts_safely():
    @jit("f8(f8)")
    def half(x):
        return x / 2

    assert half(3) == 1.5  # int -> float
    assert half(True) == 0.5
    assert half.signatures == ["float64(float64)"]


def test_eager_signature_picks_the_exact_match_first():
    @jit(["i8(i8)", "f8(f8)"])
    def twice(x):
        return x * 2

    assert twice(3) == 6 and type(twice(3)) is int
    assert twice(2.5) == 5.0
    assert twice(np.int32(4)) == 8  # int32 -> int64 promotion beats int32 -> float64


def test_eager_signature_mismatch_is_a_type_error():
    @jit("f8(f8[:])")
    def first(a):
        return a[0]

    with pytest.raises(TypeError, match=r"No matching definition for argument type\(s\) complex128"):
        first(1j)
    with pytest.raises(TypeError, match=r"array\(int64, 1d, C\)"):
        first(np.zeros(3, dtype=np.int64))
    assert first(np.ones(3)) == 1.0  # still usable


def test_eager_any_layout_signature_takes_every_layout():
    @jit("f8(f8[:, :])")
    def corner(a):
        return a[1, 0]

    a = np.arange(12.0).reshape(3, 4)
    assert corner(a) == 4.0
    assert corner(np.asfortranarray(a)) == 4.0
    assert corner(a[::2, ::3]) == 8.0


def test_eager_contiguous_signature_rejects_strided_arrays():
    @jit("f8(f8[::1])")
    def first(a):
        return a[0]

    assert first(np.ones(3)) == 1.0
    with pytest.raises(TypeError, match="No matching definition"):
        first(np.ones(6)[::2])


def test_self_recursion_under_an_explicit_signature():
    # Compiled at decoration, before the name `fib` is bound: the dispatcher resolves a
    # function's own name to itself.
    @jit("i8(i8)")
    def fib(n):
        if n < 2:
            return n
        return fib(n - 1) + fib(n - 2)

    assert fib(20) == 6765


# --- calls ----------------------------------------------------------------------------------


def test_wrong_number_of_arguments():
    with pytest.raises(TypeError, match=r"add\(\) takes 2 positional arguments but 3 were given"):
        add(1, 2, 3)
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'b'"):
        add(1)


def test_keyword_arguments():
    assert add(1, b=2) == 3
    assert add(b=2, a=5) == 7
    with pytest.raises(TypeError, match="unexpected keyword argument 'c'"):
        add(1, c=2)
    with pytest.raises(TypeError, match="multiple values for argument 'a'"):
        add(1, a=2)


def test_failed_compile_leaves_the_dispatcher_usable():
    @jit
    def first(a):
        return a[0]

    with pytest.raises(ferrojit.TypingError):
        first(1.5)
    assert first(np.array([4.0, 5.0])) == 4.0
    with pytest.raises(ferrojit.TypingError):
        first(2)
    assert first.signatures == ["float64(array(float64, 1d, C))"]


def test_unsupported_argument_type_leaves_the_dispatcher_usable():
    with pytest.raises(ferrojit.TypingError, match="list"):
        identity([])
    assert identity(3) == 3


# --- arrays ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a,
        lambda a: np.asfortranarray(a),
        lambda a: a[::2, ::3],
        lambda a: a[::-1, :],
        lambda a: a.T,
        lambda a: a[1:, 2:],
    ],
    ids=["C", "F", "strided", "reversed", "transposed", "offset"],
)
def test_array_layouts(make):
    a = make(np.arange(48.0).reshape(6, 8))
    check(total2d, a)
    check(fill, a, 3.0)


def test_layout_is_part_of_the_specialization():
    a = np.arange(6.0).reshape(2, 3)
    total2d(a)
    total2d(np.asfortranarray(a))
    total2d(a[:, ::2])
    layouts = [s.split(", ")[-1] for s in total2d.signatures if "2d" in s]
    assert {"C))", "F))", "A))"} <= set(layouts), total2d.signatures


def test_writes_are_visible_to_the_caller():
    a = np.zeros((3, 4))
    fill(a, 10.0)
    assert a[2, 3] == 23.0
    f = np.zeros((3, 4), order="F")
    fill(f, 10.0)
    assert (f == a).all()
    base = np.zeros((6, 8))
    fill(base[::2, ::2], 10.0)
    assert base[4, 6] == 23.0 and base[1, 1] == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.uint8,
                                   np.int16, np.complex128, np.bool_])
def test_array_dtypes(dtype):
    @jit
    def first_and_last(a):
        return a[0], a[a.shape[0] - 1]

    check(first_and_last, np.arange(1, 6).astype(dtype))


def test_returned_arrays_are_the_callers_objects():
    @jit
    def scale(a, b, k):
        for i in range(a.shape[0]):
            a[i] *= k
            b[i] += k
        return a, b

    a, b = np.ones(3), np.zeros(3)
    ra, rb = scale(a, b, 2.0)
    assert ra is a and rb is b
    check(scale, np.ones(4), np.arange(4.0), 3.0)


def test_zero_size_and_single_element_arrays():
    check(total, np.zeros(0))
    check(total, np.ones(1))


def test_read_only_array_can_be_read():
    a = np.arange(5.0)
    a.flags.writeable = False
    assert total(a) == 10.0


# --- threads --------------------------------------------------------------------------------


@jit
def spin_array(a, n):
    x = a[0]
    for i in range(n):
        x = x * 1.0000001 + 1e-9
    a[0] = x
    return x


@jit(nogil=True)
def spin_nogil(x, n):
    for i in range(n):
        x = x * 1.0000001 + 1e-9
    return x


def _runs_concurrently(call):
    """Whether a Python thread makes progress while `call()` runs compiled code."""
    stamps = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0.001)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        start = time.perf_counter()
        call()
        end = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    assert end - start > 0.1, "the kernel finished too fast to tell"
    # Ignore the edges, where the ticker may run while the caller still holds the GIL.
    inside = [t for t in stamps if start + 0.02 < t < end - 0.02]
    return len(inside) > 5


def _iterations_for(fn, *args, seconds=0.25):
    n = 1_000_000
    while True:
        start = time.perf_counter()
        fn(*args, n)
        if time.perf_counter() - start > seconds / 4 or n > 10**10:
            return n * 4
        n *= 4


def test_gil_is_released_around_array_kernels():
    a = np.ones(1)
    n = _iterations_for(spin_array, a)
    assert _runs_concurrently(lambda: spin_array(a, n))


def test_gil_is_released_with_nogil():
    n = _iterations_for(spin_nogil, 1.0)
    assert _runs_concurrently(lambda: spin_nogil(1.0, n))


def test_two_threads_call_the_same_dispatcher():
    @jit
    def work(a, k):
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i] * k
        return s

    a = np.arange(1000.0)
    results = {}

    def run(k):
        results[k] = [work(a, float(k)) for _ in range(200)]

    threads = [threading.Thread(target=run, args=(k,)) for k in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in (1, 2, 3):
        assert results[k] == [work.py_func(a, float(k))] * 200
    assert work.signatures == ["float64(array(float64, 1d, C), float64)"]


def test_garbage_collection_while_creating_dispatchers_does_not_crash():
    """The collector may traverse a dispatcher between its allocation and its initialisation
    (while its instance dict is built); that once read an uninitialised field."""
    import gc

    from ferrojit import Dispatcher

    def f(x):
        return x

    old = gc.get_threshold()
    gc.set_threshold(1, 1, 1)
    try:
        for _ in range(200):
            _garbage = [{} for _ in range(100)]
            Dispatcher(f, [])
    finally:
        gc.set_threshold(*old)
