"""Strings in compiled code: str arguments and constants, ==/!=/</in, len, indexing, slicing,
iteration, +, str(x) of numbers, f-strings, dtype.kind tests, string-valued branches, lists of
strings, returning a str. Differential against CPython with check()."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit
from diff import check

METRIC = "euclidean"


def test_comparisons_and_branches():
    @jit
    def f(s, metric):
        if metric == "euclidean":
            code = 1
        elif metric != "manhattan":
            code = 2
        else:
            code = 3
        name = "long" if len(s) > 3 else "short"
        return code, name, s == metric, s < metric, s >= "b", METRIC == metric

    for metric in ("euclidean", "manhattan", "cosine", ""):
        check(f, "abc", metric)
        check(f, "hello", metric)


def test_len_indexing_slicing_iteration_in():
    @jit
    def f(s, i):
        chars = []
        for c in s:
            chars.append(c)
        return len(s), s[i], s[-1], s[1:3], s[::-1], s[::2], "ll" in s, "z" not in s, chars

    check(f, "hello", 1)
    check(f, "héllo wörld", -3)
    check(f, "ab", 5)


def test_building_strings():
    @jit
    def f(n, x, s):
        parts = s + "-" + str(n) + "/" + str(x) + str(n > 0) + str(np.float32(0.1))
        message = f"n={n}, x={x}, s={s}, ok={n > 1}"
        names = [s + str(i) for i in range(3)]
        return parts, message, names, str(), f"{s}"

    check(f, 3, 2.5, "ab")
    check(f, -7, 1e16, "")


def test_dtype_kind_tests():
    @jit
    def describe(a):
        if a.dtype.kind == "f":
            return "float " + a.dtype.name
        elif a.dtype.kind in ("i", "u"):
            return "integer " + str(a.dtype.itemsize)
        return "other"

    for a in (np.zeros(2), np.zeros(2, np.float32), np.arange(3), np.zeros(2, np.uint8),
              np.zeros(2, bool)):
        check(describe, a)


def test_string_lists_and_search():
    @jit
    def f(words, w):
        found = w in words
        out = []
        for x in words:
            if x != w:
                out.append(x)
        return found, out, words.count(w)

    check(f, ["a", "bb", "a", "ccc"], "a")
    check(f, ["a", "bb"], "zz")


def test_unsupported_string_operations_are_clear():
    @jit
    def fmt(x):
        return f"{x:.3f}"

    with pytest.raises(ferrojit.UnsupportedError, match="format specifications"):
        fmt(1.0)

    @jit
    def mixed(s):
        return s + 1

    with pytest.raises(ferrojit.TypingError, match="str"):
        mixed("a")


def test_character_loops_and_optional_strings_in_loops():
    # One-character strings of code points below 256 come from a table made once (no lock or
    # allocation per character); others are interned as before. String comparisons inside a
    # loop may be hoisted, but never above the guard of an optional string.
    @jit
    def count(text):
        c = 0
        for ch in text:
            if ch == "a" or ch == "é" or ch == "\u4e2d":
                c += 1
        return c

    @jit
    def guarded(flag, n):
        s = None
        if flag:
            s = "abc"
        c = 0
        for i in range(n):
            if s is not None:
                if s == "abc":
                    c += 1
                if s[1] == "b":
                    c += 10
        return c

    for text in ["", "a", "abaé\u4e2dxa" * 3, "\u00ff\u0100a"]:
        check(count, text)
    for flag in [True, False]:
        check(guarded, flag, 5)
