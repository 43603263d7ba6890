"""String methods real kernels use (issue 10, item 5): startswith/endswith, find/rfind/index/
count, split (a list of str), join, strip/lstrip/rstrip, lower/upper/capitalize/title, replace,
zfill, the is... tests, and the conversions int(s), float(s), ord(c), chr(n), with Python's
errors. Compared with CPython (``check``)."""

import pytest

from ferrojit import jit

from diff import check


@jit
def searches(s, t):
    return (s.startswith(t), s.endswith("!"), s.find(t), s.rfind("o"), s.count("o"),
            s.find("zz"), "aaaa".count("aa"), s.index("l"))


@jit
def transforms(s):
    return (s.strip(), s.lstrip(), s.rstrip(" !"), s.strip(" !h"), s.lower(), s.upper(),
            s.replace("o", "0"), s.replace("l", ""), s.title(), s.strip().capitalize(),
            "42".zfill(5), "-7".zfill(4), "abc".zfill(2))


@jit
def splitting(s):
    parts = s.split(",")
    words = s.split()
    total = 0
    for w in words:
        total += len(w)
    return parts, words, "-".join(parts), "".join(words), total, len(s.split("o"))


@jit
def char_classes(s):
    return s.isdigit(), s.isalpha(), s.isspace(), s.isalnum(), s.isupper(), s.islower()


@jit
def conversions(s, f, c):
    return int(s) + 1, float(f) * 2, ord(c), chr(ord(c) + 1), [ord(ch) for ch in c + "xy"]


@jit
def formatted(n, x, s):
    return "{} items of {}: {}".format(n, s, x), "{1}-{0}-{1} {{ok}}".format(n, s)


@jit
def parse_int(s):
    return int(s)


@jit
def parse_float(s):
    return float(s)


@jit
def missing_index(s):
    return s.index("zz")


@jit
def csv_sum(line):
    total = 0.0
    for field in line.split(","):
        field = field.strip()
        if field.isdigit():
            total += int(field)
        elif field != "":
            total += float(field)
    return total


def test_searches():
    check(searches, " hello, world! ", "hel")
    check(searches, "hello", "he")
    check(missing_index, "abc")  # ValueError in both


def test_transforms():
    check(transforms, " hello, world! ")
    check(transforms, "")


def test_split_and_join():
    check(splitting, " hello, big  world ")
    check(splitting, "")


def test_character_class_tests():
    for s in ["123", "abc", "  ", "a1", "ABC", "abc", "", "Ab"]:
        check(char_classes, s)


def test_conversions():
    check(conversions, " 41 ", "1.25", "a")
    check(conversions, "-1_000", "-inf", "Z")
    for bad in ["x1", "", "1.5"]:
        check(parse_int, bad)  # ValueError in both
    check(parse_float, "nan")
    check(parse_float, "1e3")
    check(parse_float, "abc")  # ValueError in both
    with pytest.raises(ValueError, match="invalid literal for int"):
        parse_int("x")


def test_format_of_a_literal_template():
    check(formatted, 3, 2.5, "ab")
    check(formatted, -1, 1e20, "")


def test_a_small_parser():
    check(csv_sum, "1, 2.5, , 40")
