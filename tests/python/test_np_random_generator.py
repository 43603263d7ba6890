"""`np.random.Generator` arguments: compiled code draws from the Generator's own PCG64 state and
writes it back, so it gives the numbers NumPy's Generator gives and leaves the Python object
exactly where NumPy would (checked by running the same function compiled and in CPython on two
generators seeded alike, then comparing results and states).
"""

import numpy as np
import pytest

from diff import assert_same, clone
from ferrojit import jit
from ferrojit.errors import UnsupportedError


def check_generator(fn, seed, *args):
    """`fn(rng, *args)` compiled and in CPython on equal generators: same results, same states."""
    compiled_rng, python_rng = np.random.default_rng(seed), np.random.default_rng(seed)
    got = fn(compiled_rng, *(clone(a) for a in args))
    expected = fn.py_func(python_rng, *(clone(a) for a in args))
    assert_same(got, expected, None)
    assert compiled_rng.bit_generator.state == python_rng.bit_generator.state
    return got


@jit
def every_method(rng, n):
    return (rng.random(), rng.random(n), rng.random((2, 3)), rng.standard_normal(),
            rng.standard_normal(n), rng.normal(), rng.normal(1.5, 2.0, n), rng.normal(scale=0.5),
            rng.standard_exponential(n), rng.exponential(), rng.exponential(3.0, (2, 2)),
            rng.uniform(), rng.uniform(-2.0, 5.0, n), rng.integers(10), rng.integers(-5, 5, n),
            rng.integers(0, 2**40, 3), rng.integers(3, 9, (2, 2), endpoint=True),
            rng.integers(-2**62, 2**62, 4), rng.integers(0, 2**32, 3), rng.integers(7, 8),
            rng.random(size=None, dtype=np.float64), rng.integers(0, 5, dtype=np.int64))


@pytest.mark.parametrize("seed", [0, 1, 42, 2**64 + 7])
def test_same_draws_and_state_as_numpy(seed):
    check_generator(every_method, seed, 6)


@jit
def odd_integer_draws(rng, k):
    total = 0
    for _ in range(k):
        total += rng.integers(0, 1000)
    return total


def test_half_word_buffer_carries_across_calls_and_python():
    # 32-bit draws use half of a 64-bit one and keep the other half in the state.
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    first = odd_integer_draws(a, 3)
    assert first == sum(int(b.integers(0, 1000)) for _ in range(3))
    assert a.integers(0, 1000) == b.integers(0, 1000)      # NumPy goes on from the state we left
    assert odd_integer_draws(a, 5) == sum(int(b.integers(0, 1000)) for _ in range(5))
    assert a.bit_generator.state == b.bit_generator.state


@jit
def many(rng, n):
    return rng.standard_normal(n), rng.standard_exponential(n), rng.normal(0.0, 1.0, n)


def test_ziggurat_tails_and_rejections_match():
    # 100k draws each reach the ziggurats' tail and wedge rejections many times.
    check_generator(many, 2024, 100_000)


@jit
def scalar_draws_in_a_loop(rng, n):
    # One draw of each kind per iteration, as simulation code draws: the inline PCG64 step and
    # ziggurats interleaved with the runtime's 32-bit integer draws (the buffered half word).
    out = np.empty((n, 7))
    for i in range(n):
        out[i, 0] = rng.normal(1.0, 2.0)
        out[i, 1] = rng.standard_exponential()
        out[i, 2] = rng.random()
        out[i, 3] = rng.integers(0, 10)
        out[i, 4] = rng.exponential(0.5)
        out[i, 5] = rng.uniform(-1.0, 3.0)
        out[i, 6] = rng.standard_normal()
    return out


@pytest.mark.parametrize("seed", [0, 2**70 + 3])
def test_long_sequence_of_scalar_draws(seed):
    # 140k draws: every ziggurat layer, the tails and wedge rejections many times over.
    check_generator(scalar_draws_in_a_loop, seed, 20_000)


@jit
def long_fills(rng, n):
    normal = np.empty(n)
    for i in range(n):
        normal[i] = rng.normal(0.0, 1.0)
    exponential = np.empty(n)
    for i in range(n):
        exponential[i] = rng.standard_exponential()
    return normal, exponential, rng.standard_normal(n), rng.random(n)


def test_long_sequences_match_numpys_vectorised_draws():
    # 4M draws against NumPy's own array calls on an equal generator (bitwise).
    n = 1_000_000
    a, b = np.random.default_rng(123), np.random.default_rng(123)
    got = long_fills(a, n)
    expected = (b.normal(0.0, 1.0, n), b.standard_exponential(n), b.standard_normal(n),
                b.random(n))
    for g, e in zip(got, expected):
        assert np.array_equal(g.view(np.uint64), e.view(np.uint64))
    assert a.bit_generator.state == b.bit_generator.state


@jit
def shuffles(rng, a, m):
    rng.shuffle(a)
    rng.shuffle(m)
    return rng.permutation(10), rng.permutation(a), rng.permutation(m), a, m


@pytest.mark.parametrize("seed", [0, 3])
def test_permutation_and_shuffle(seed):
    check_generator(shuffles, seed, np.arange(12.0), np.arange(15).reshape(5, 3))


@jit
def choices(rng, a, n):
    return (rng.choice(n), rng.choice(n, 5), rng.choice(a), rng.choice(a, (2, 3)),
            rng.choice(a, 4, replace=True), rng.choice(a.astype(np.float32), 3, True, None),
            rng.choice(2**40, 3))


@pytest.mark.parametrize("seed", [0, 8])
def test_choice_with_replacement(seed):
    check_generator(choices, seed, np.arange(10, 20), 7)


@jit
def choices_without_replacement(rng, a, n, k):
    return (rng.choice(n, k, replace=False), rng.choice(a, 3, False), rng.choice(n, replace=False),
            rng.choice(a, (2, 2), replace=False), rng.choice(n, 0, replace=False))


@pytest.mark.parametrize("seed", [0, 5])
@pytest.mark.parametrize("n,k", [(7, 4), (12, 12), (20_000, 5), (20_000, 1000), (20_000, 20_000)])
def test_choice_without_replacement(seed, n, k):
    # Floyd's algorithm, and (a sample over n // 50 of n > 10000) the partial shuffle.
    check_generator(choices_without_replacement, seed, np.arange(10, 20), n, k)


@jit
def choices_with_p(rng, a, p, replace):
    return (rng.choice(a, 6, p=p), rng.choice(a.shape[0], p=p), rng.choice(a, 3, replace, p),
            rng.choice(a, (2, 2), replace=replace, p=p))


@pytest.mark.parametrize("seed", [0, 9])
@pytest.mark.parametrize("p", [[0.1, 0.2, 0.3, 0.4, 0.0], [0.2] * 5, [0.5, 0.5, 0.0, 0.0, 0.0]])
@pytest.mark.parametrize("replace", [True, False])
def test_choice_with_p(seed, p, replace):
    a = np.arange(5) * 1.5
    p = np.array(p)
    if not replace and np.count_nonzero(p) < 4:
        with pytest.raises(ValueError, match="Fewer non-zero entries"):
            choices_with_p(np.random.default_rng(seed), a, p, replace)
        return
    check_generator(choices_with_p, seed, a, p, replace)
    check_generator(choices_with_p, seed, a, p.astype(np.float32), replace)


@jit
def bad_choice(rng, kind):
    if kind == 0:
        return rng.choice(3, 4, replace=False)
    elif kind == 1:
        return rng.choice(3, 2, p=np.array([0.5, 0.5]))
    elif kind == 2:
        return rng.choice(2, 2, p=np.array([np.nan, 1.0]))
    elif kind == 3:
        return rng.choice(2, 2, p=np.array([-0.5, 1.5]))
    return rng.choice(2, 2, p=np.array([0.3, 0.3]))


@pytest.mark.parametrize("kind", range(5))
def test_choice_errors(kind):
    with pytest.raises(ValueError) as expected:
        bad_choice.py_func(np.random.default_rng(0), kind)
    with pytest.raises(ValueError) as got:
        bad_choice(np.random.default_rng(0), kind)
    assert str(got.value) == str(expected.value)


@jit
def bad_arguments(rng, kind):
    if kind == 0:
        return rng.integers(5, 5) * 1.0
    elif kind == 1:
        return rng.integers(0) * 1.0
    elif kind == 2:
        return rng.integers(4, 2, endpoint=True) * 1.0
    elif kind == 3:
        return rng.normal(0.0, -1.0)
    elif kind == 4:
        return rng.exponential(-2.0)
    elif kind == 5:
        return rng.uniform(2.0, 1.0)
    elif kind == 6:
        return rng.choice(0) * 1.0
    elif kind == 7:
        return rng.choice(np.empty(0), 2)[0]
    return rng.uniform(-1e308, 1e308)


@pytest.mark.parametrize("kind", range(9))
def test_argument_errors(kind):
    a, b = np.random.default_rng(0), np.random.default_rng(0)
    with pytest.raises(Exception) as expected:
        bad_arguments.py_func(b, kind)
    with pytest.raises(type(expected.value), match=str(expected.value)):
        bad_arguments(a, kind)


@jit
def unsupported_method(rng):
    return rng.gamma(2.0)


def test_unsupported_method_is_a_compile_error():
    with pytest.raises(UnsupportedError, match="Generator.gamma"):
        unsupported_method(np.random.default_rng(0))


@jit
def one_draw(rng):
    return rng.random()


def test_other_bit_generators_are_refused():
    with pytest.raises(TypeError, match="PCG64"):
        one_draw(np.random.Generator(np.random.MT19937(0)))


def test_same_generator_twice_shares_one_state():
    @jit
    def two(r1, r2):
        return r1.random(), r2.random()

    a, b = np.random.default_rng(9), np.random.default_rng(9)
    x, y = two(a, a)
    assert (x, y) == (b.random(), b.random())
    assert a.bit_generator.state == b.bit_generator.state
