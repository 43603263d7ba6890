"""A variable given values of different types one after the other in straight-line code
(`hist = hist.astype(np.float64)`): each assignment starts a new version, as Numba's SSA form
does (src/versioning.rs). Where the values could meet (a loop, a branch), it stays an error."""

import io

import numpy as np
import pytest

import ferrojit
from diff import check


@ferrojit.jit
def histogram_density(a):
    hist, edges = np.histogram(a, bins=5)
    hist = hist.astype(np.float64)
    hist /= hist.sum()
    return hist, edges


@ferrojit.jit
def parameter_retyped(x, n):
    x = np.asarray(x, dtype=np.float64)
    total = 0.0
    for i in range(n):
        total += x[i % x.shape[0]]
    x = total
    return x


@ferrojit.jit
def three_versions(a):
    v = a.shape[0]
    v = a * 2.0
    w = v.sum()
    v = (w, v.shape[0])
    return v


@ferrojit.jit
def read_in_a_loop_after_retyping(a):
    s = 0
    s = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        if a[i] > 0:
            s[i] = a[i]
    return s


@ferrojit.jit
def tuple_unpacking_retypes(a):
    lo, hi = a.min(), a.max()
    lo, hi = str(lo), str(hi)
    return lo + ".." + hi


@ferrojit.jit
def per_column_scores(X, bins):
    scores = np.zeros(X.shape[0])
    for j in range(X.shape[1]):
        hist, edges = np.histogram(X[:, j], bins=bins)
        hist = hist.astype(np.float64) + 1e-12     # retyped inside the loop body
        hist = hist / np.max(hist)
        idx = np.digitize(X[:, j], edges) - 1
        for i in range(X.shape[0]):
            b = min(max(idx[i], 0), bins - 1)
            scores[i] += -np.log(hist[b])
    return scores


@ferrojit.jit
def retyped_in_a_branch_body(a, flag):
    out = 0.0
    if flag:
        t = a.shape[0]
        t = a * float(t)
        out = t.sum()
    return out


def test_straight_line_retyping_compiles_and_matches_python():
    a = np.array([0.5, 1.5, 1.7, 3.2, 4.9, 2.2, 0.1])
    check(histogram_density, a)
    check(parameter_retyped, np.arange(4), 10)
    check(three_versions, np.ones(3))
    check(read_in_a_loop_after_retyping, np.array([-1.0, 2.0, 3.0]))
    check(tuple_unpacking_retypes, np.array([3, 1, 2]))


def test_retyping_inside_a_loop_or_branch_body():
    X = np.random.default_rng(0).standard_normal((40, 3))
    check(per_column_scores, X, 6, rtol=1e-12)
    check(retyped_in_a_branch_body, np.ones(3), True)
    check(retyped_in_a_branch_body, np.ones(3), False)


def test_names_in_the_typed_dump_follow_numba():
    histogram_density(np.arange(10.0))
    out = io.StringIO()
    histogram_density.inspect_types(file=out)
    text = out.getvalue()
    assert "#   hist: array(int64, 1d, C)" in text
    assert "#   hist.1: array(float64, 1d, C)" in text


def test_values_that_meet_in_a_branch_are_still_an_error():
    @ferrojit.jit
    def branchy(a, flag):
        x = a.shape[0]
        if flag:
            x = a * 2.0
        return x

    with pytest.raises(ferrojit.TypingError, match="incompatible types"):
        branchy(np.ones(2), True)


def test_a_value_carried_to_the_next_iteration_is_still_an_error():
    @ferrojit.jit
    def carried(a):
        total = 0.0
        for i in range(3):
            x = a.shape[0] if i == 0 else x     # reads last iteration's x
            total += x
            x = a * 2.0
        return total

    with pytest.raises(ferrojit.TypingError, match="incompatible types"):
        carried(np.ones(2))


def test_values_that_meet_in_a_loop_are_still_an_error():
    @ferrojit.jit
    def loopy(a):
        x = 0
        for i in range(3):
            x = a * float(i)
        return x

    with pytest.raises(ferrojit.TypingError, match="incompatible types"):
        loopy(np.ones(2))
