"""A generator of random, well-typed numeric functions for differential testing.

``generate(rng, name)`` returns a :class:`Program`: the source text of one function (typed
parameters of every scalar dtype, 1-D and 2-D arrays, locals, operators, conditional
expressions, ``if``/``elif``/``else``, ``for``/``while`` loops with ``break``/``continue``,
array reads and writes, ``math`` functions, scalar or tuple returns) and arguments to call it
with. ``tests/python/test_generated.py`` runs each program under CPython and compiled, and
compares the results bit for bit.

The programs are written so that CPython computes exactly what ferrojit's documented semantics
say (docs/language.md), which needs care because the two differ in deliberate ways:

- Every value in the CPython run is a NumPy scalar of the dtype ferrojit infers for it:
  literals are spelled ``np.int16(3)``; results CPython would give as Python ``int``/``float``
  (loop variables, ``len``, ``math`` functions, ``math.floor``) are wrapped in ``np.int64(...)``
  or ``np.float64(...)``. So NumPy's promotion and wrap-around apply in CPython, and
  ferrojit's literals-are-not-weak rule never matters.
- Complex division is not generated: ferrojit divides as CPython does (Smith's method, as
  ``_Py_c_quot``), NumPy's scalars multiply by a reciprocal and differ in the last bits.
- Operations whose typing differs from NumPy's are not generated: arithmetic on two bools
  (Python's ``True + True == 2``), ``~``/``-`` of a bool, ``int ** int`` other than on
  ``int64``, ``float32 ** int``, ``math`` functions of ``float32`` (ferrojit keeps ``float32``,
  CPython computes in ``float64``: the argument is converted first), ``min``/``max`` of
  different types (CPython returns an operand unconverted: the result is converted).
- Operations where NumPy scalars and CPython/ferrojit disagree about errors are guarded:
  divisors are replaced by one when zero (NumPy returns 0 or inf, ferrojit raises
  ``ZeroDivisionError``), a float raised to a negative integer has a positive base (``0.0 **
  -1`` is inf for NumPy, ``ZeroDivisionError`` for Python and ferrojit), float-to-integer conversions only see values inside the target's
  range (NumPy's out-of-range casts are undefined; ferrojit saturates), ``math`` functions only
  see arguments inside their domain (CPython raises ``ValueError``/``OverflowError``, ferrojit
  returns NaN or inf, as Numba), shift counts are below the operand's width, integer powers
  have small non-negative exponents.

Everything is drawn from one ``random.Random``, so a (seed, index) pair reproduces a program.
"""

from __future__ import annotations

import math
import random
import warnings
from dataclasses import dataclass, field

import numpy as np

INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOATS = ["float32", "float64"]
COMPLEXES = ["complex64", "complex128"]
REALS = ["bool"] + INTS + FLOATS
DTYPES = REALS + COMPLEXES

ARITH = ["+", "-", "*"]
DIVISION = ["/", "//", "%"]
BITWISE = ["&", "|", "^"]
COMPARE = ["<", "<=", ">", ">=", "==", "!="]

# math functions of one float64, with the open interval their argument is kept in (None: any
# value, NaN and infinities included). CPython raises outside it where ferrojit returns NaN/inf.
MATH1 = {
    "sqrt": (0.0, None),
    "exp": (-700.0, 700.0),
    "expm1": (-700.0, 700.0),
    "log": (0.0, None),
    "log1p": (-1.0, None),
    "log10": (0.0, None),
    "log2": (0.0, None),
    "sin": (-1e6, 1e6),
    "cos": (-1e6, 1e6),
    "tan": (-1e6, 1e6),
    "asin": (-1.0, 1.0),
    "acos": (-1.0, 1.0),
    "atan": (None, None),
    "sinh": (-700.0, 700.0),
    "cosh": (-700.0, 700.0),
    "tanh": (None, None),
    "asinh": (None, None),
    "acosh": (1.0, None),
    "atanh": (-1.0, 1.0),
    "fabs": (None, None),
    "degrees": (None, None),
    "radians": (None, None),
    "erf": (None, None),
    "erfc": (None, None),
}
MATH2 = ["atan2", "copysign", "fmod"]

# Functions where ferrojit (the C library) and CPython (its own implementations) differ in the
# last bits, with the documented tolerance: (ULPs, relative error with an absolute floor of the
# same size). A program uses them only as a whole returned value, so that a difference cannot
# grow through later operations (a floor, a comparison) into an arbitrary one.
MATH_INEXACT = {
    "hypot": (1, 0.0),  # CPython 3.11 computes a correctly rounded norm, glibc within 1 ULP
    "gamma": (8, 0.0),  # CPython: its own Lanczos approximation
    "lgamma": (0, 1e-15),  # CPython: Lanczos; hundreds of ULPs apart near the zeros at 1 and 2
}
INEXACT_DOMAIN = {"hypot": (None, None), "gamma": (0.5, 30.0), "lgamma": (0.5, 1e6)}


def kind(dtype: str) -> str:
    if dtype == "bool":
        return "b"
    return np.dtype(dtype).kind  # i, u, f, c


def _sample(dtype: str):
    return np.dtype(dtype).type(1)


def _result_dtype(op: str, a: str, b: str) -> str | None:
    """The dtype NumPy gives `a op b` on scalars, or None when NumPy refuses the operation."""
    x, y = _sample(a), _sample(b)
    try:
        with np.errstate(all="ignore"):
            r = eval(f"x {op} y", {}, {"x": x, "y": y})  # noqa: S307 - fixed operator text
    except TypeError:
        return None
    return np.asarray(r).dtype.name


def _binop_table():
    """{op: {result dtype: [(lhs dtype, rhs dtype)]}} for the operand pairs generated."""
    table = {}
    for op in ARITH + DIVISION + BITWISE:
        by_result = {}
        for a in DTYPES:
            for b in DTYPES:
                if a == "bool" and b == "bool" and op not in BITWISE:
                    continue  # ferrojit follows Python (True + True == 2), NumPy stays bool
                if op in DIVISION and b == "bool":
                    continue  # a bool divisor is zero half of the time
                r = _result_dtype(op, a, b)
                if op == "/" and r is not None and kind(r) == "c":
                    continue  # NumPy's complex division is not CPython's (ferrojit's) algorithm
                if r is not None:
                    by_result.setdefault(r, []).append((a, b))
        table[op] = by_result
    return table


BINOPS = _binop_table()

# Operands that a guard repeats (`x if x != 0 else 1`) are kept shallow, so that the source
# stays linear in the expression depth.
GUARDED_DEPTH = 1

# Counts for the test session's summary (conftest.py prints them).
STATS = {"cases": 0, "mismatches": 0, "seconds": 0.0, "fuzz_cases": 0, "fuzz_crashes": 0}


def literal(dtype: str, value) -> str:
    """Source of a constant of exactly `dtype` (NumPy scalar in CPython, the same type compiled)."""
    if dtype == "bool":
        return f"np.bool_({bool(value)})"
    k = kind(dtype)
    if k in "iu":
        return f"np.{dtype}({int(value)})"
    if k == "f":
        return f"np.{dtype}({_float_text(float(value))})"
    c = complex(value)
    return f"np.{dtype}(complex({_float_text(c.real)}, {_float_text(c.imag)}))"


def _float_text(v: float) -> str:
    if math.isfinite(v):
        return repr(v)
    return {"inf": "math.inf", "-inf": "-math.inf", "nan": "math.nan"}[repr(v)]


def random_value(rng: random.Random, dtype: str):
    """An argument value of `dtype`: small numbers mostly, extremes and specials sometimes."""
    k = kind(dtype)
    if k == "b":
        return np.bool_(rng.random() < 0.5)
    if k in "iu":
        info = np.iinfo(dtype)
        r = rng.random()
        if r < 0.6:
            v = rng.randint(max(info.min, -20), min(info.max, 20))
        elif r < 0.85:
            v = rng.randint(info.min, info.max)
        else:
            v = rng.choice([info.min, info.max, 0, 1, info.max // 2 + 1])
        return np.dtype(dtype).type(v)
    if k == "f":
        r = rng.random()
        if r < 0.5:
            v = rng.uniform(-10, 10)
        elif r < 0.7:
            v = float(rng.randint(-8, 8))
        elif r < 0.85:
            v = rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30)
        else:
            v = rng.choice([0.0, -0.0, math.inf, -math.inf, math.nan, 0.5, 1e30, -1e-30])
        return np.dtype(dtype).type(v)
    part = "float32" if dtype == "complex64" else "float64"
    return np.dtype(dtype).type(
        complex(float(random_value(rng, part)), float(random_value(rng, part)))
    )


def random_array(rng: random.Random, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """An array of `dtype` and `shape`: C order, Fortran order (2-D) or a strided view."""
    n = int(np.prod(shape))
    flat = [random_value(rng, dtype) for _ in range(n)]
    a = np.array(flat, dtype=dtype).reshape(shape)
    layout = rng.random()
    if len(shape) == 2 and layout < 0.25:
        return np.asfortranarray(a)
    if layout < 0.45:
        # A view with a stride of two elements along the first axis.
        big = np.zeros((shape[0] * 2,) + shape[1:], dtype=dtype)
        big[::2] = a
        return big[::2]
    return a


@dataclass
class Var:
    name: str
    dtype: str
    # Loop variables are Python ints in CPython: they are read as np.int64(name).
    python_int: bool = False

    def read(self) -> str:
        return f"np.int64({self.name})" if self.python_int else self.name


@dataclass
class Array:
    name: str
    dtype: str
    shape: tuple[int, ...]


@dataclass
class Stmt:
    """A statement: `text` alone, or a block header with `body` (and `orelse` for if/else)."""

    text: str
    body: list[Stmt] | None = None
    orelse: list[Stmt] | None = None
    removable: bool = True

    def lines(self, indent: str) -> list[str]:
        if self.body is None:
            return [indent + self.text]
        out = [indent + self.text]
        out += _block_lines(self.body, indent + "    ")
        if self.orelse is not None:
            if len(self.orelse) == 1 and self.orelse[0].text.startswith("if ") and self.orelse[0].orelse is not None:
                # Keep `elif` chains readable.
                inner = self.orelse[0].lines(indent)
                inner[0] = indent + "el" + inner[0].lstrip()
                out += inner
            else:
                out.append(indent + "else:")
                out += _block_lines(self.orelse, indent + "    ")
        return out


def _block_lines(stmts: list[Stmt], indent: str) -> list[str]:
    out = []
    for s in stmts:
        out += s.lines(indent)
    return out or [indent + "pass"]


@dataclass
class Program:
    name: str
    params: list[str]
    body: list[Stmt]
    args: list = field(default_factory=list)
    return_dtypes: list[str] = field(default_factory=list)
    # Per returned value: the MATH_INEXACT function computing it, or None (compared exactly).
    inexact: list[str | None] = field(default_factory=list)
    # Jitted helper functions the body calls, whole sources with their `@jit` line.
    helpers: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """The function (first, undecorated: callers add `@jit`), then its jitted helpers."""
        lines = [f"def {self.name}({', '.join(self.params)}):"]
        lines += _block_lines(self.body, "    ")
        return "\n".join(lines) + "\n" + "".join("\n" + h for h in self.helpers)

    def statements(self):
        """Every statement, nested ones too, with the list that holds it (for minimising)."""

        def walk(block):
            for s in block:
                yield block, s
                for sub in (s.body, s.orelse):
                    if sub is not None:
                        yield from walk(sub)

        return list(walk(self.body))

    def tolerance(self, i: int) -> tuple[int, float]:
        """(ULPs, relative tolerance) for returned value `i`."""
        fn = self.inexact[i] if i < len(self.inexact) else None
        return MATH_INEXACT[fn] if fn else (0, 0.0)


class Generator:
    """Builds one function; `scope` is what an expression may read at the current point."""

    def __init__(self, rng: random.Random, name: str, size: int = 10):
        self.rng = rng
        self.name = name
        self.size = size
        self.vars: list[Var] = []
        self.arrays: list[Array] = []
        self.locals: list[Var] = []
        self.counter = 0
        self.loop_depth = 0
        # Loop variables ranging over an array's first axis: (variable, array) pairs.
        self.axis_vars: list[tuple[str, Array]] = []
        # Jitted helpers with default values and a keyword-only parameter: (name, dtype of
        # `w` and `alt`, which is what the helper returns), and their sources.
        self.pickers: list[tuple[str, str]] = []
        self.helpers: list[str] = []

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # --- expressions ------------------------------------------------------------------------

    def expr(self, dtype: str, depth: int = 3) -> str:
        """Source of an expression whose value has exactly `dtype`, in CPython and compiled."""
        rng = self.rng
        if depth <= 0 or rng.random() < 0.25:
            return self.leaf(dtype)
        k = kind(dtype)
        choices = [self.binop_expr, self.cast_expr, self.ifexp_expr, self.leaf]
        if k != "b":
            choices.append(self.unary_expr)
        if k == "b":
            choices += [self.compare_expr, self.compare_expr, self.logic_expr, self.predicate_expr]
        if k in "biu" or k == "f":
            choices.append(self.andor_expr)
        if dtype == "float64":
            choices += [self.math_expr, self.math_expr, self.math2_expr]
        if dtype == "int64":
            choices += [self.int_from_float_expr, self.power_expr, self.len_expr, self.str_expr]
        if dtype == "bool":
            choices.append(self.str_expr)
        if k in "iu":
            choices.append(self.shift_expr)
        if k == "f":
            choices += [self.complex_part_expr, self.minmax_expr]
            if dtype == "float64":
                choices.append(self.float_power_expr)
        if k in "iu":
            choices.append(self.minmax_expr)
        return rng.choice(choices)(dtype, depth)

    def leaf(self, dtype: str, depth: int = 0) -> str:
        rng = self.rng
        options = [v for v in self.vars if v.dtype == dtype]
        options += [a for a in self.arrays if a.dtype == dtype]
        if options and rng.random() < 0.75:
            chosen = rng.choice(options)
            return chosen.read() if isinstance(chosen, Var) else self.array_read(chosen, depth)
        return literal(dtype, random_value(rng, dtype))

    def index(self, length: int, depth: int) -> str:
        """An in-bounds index for an axis of `length`, negative half of the time."""
        rng = self.rng
        r = rng.random()
        if r < 0.3 or depth <= 0:
            return str(rng.randint(-length, length - 1))
        if r < 0.5:
            for v in self.vars:
                if v.python_int and rng.random() < 0.5:
                    base = v.name
                    break
            else:
                base = self.expr("int64", depth - 1)
        else:
            int_dtype = rng.choice(INTS)
            base = self.expr(int_dtype, depth - 1)
            if int_dtype != "int64":
                base = f"np.int64({base})"
        if rng.random() < 0.5:
            return f"({base}) % {length}"
        return f"({base}) % {length} - {length}"

    def array_read(self, a: Array, depth: int) -> str:
        for var, arr in self.axis_vars:
            if arr is a and self.rng.random() < 0.5:
                if len(a.shape) == 1:
                    return f"{a.name}[{var}]"
                return f"{a.name}[{var}, {self.index(a.shape[1], depth)}]"
        idx = ", ".join(self.index(n, depth) for n in a.shape)
        return f"{a.name}[{idx}]"

    def binop_expr(self, dtype: str, depth: int) -> str:
        rng = self.rng
        ops = [op for op in BINOPS if dtype in BINOPS[op]]
        if not ops:
            return self.cast_expr(dtype, depth)
        op = rng.choice(ops)
        pairs = BINOPS[op][dtype]
        have = set(self.available())
        near = [(a, b) for a, b in pairs if a in have or b in have]
        a, b = rng.choice(near if near and rng.random() < 0.8 else pairs)
        lhs = self.expr(a, depth - 1)
        if op in DIVISION:
            rhs = self.expr(b, GUARDED_DEPTH)
            zero = literal(b, 0)
            rhs = f"({rhs} if {rhs} != {zero} else {literal(b, 1)})"
        else:
            rhs = self.expr(b, depth - 1)
        return f"({lhs} {op} {rhs})"

    def unary_expr(self, dtype: str, depth: int) -> str:
        ops = ["-", "+"] if kind(dtype) == "c" else ["-", "+", "abs"]
        if kind(dtype) in "iu":
            ops.append("~")
        op = self.rng.choice(ops)
        inner = self.expr(dtype, depth - 1)
        if op == "abs":
            return f"abs({inner})"
        return f"({op}{inner})"

    def available(self) -> list[str]:
        """The dtypes some variable or array has: expressions of these read the inputs."""
        return [v.dtype for v in self.vars] + [a.dtype for a in self.arrays]

    def cast_expr(self, dtype: str, depth: int) -> str:
        rng = self.rng
        k = kind(dtype)
        sources = REALS if k != "c" else DTYPES
        near = [d for d in self.available() if d in sources]
        src = rng.choice(near if near and rng.random() < 0.7 else sources)
        guard = kind(src) == "f" and k in "iu"
        inner = self.expr(src, GUARDED_DEPTH if guard else depth - 1)
        if guard:
            lo, hi = (-100, 100) if k == "i" else (0, 200)
            inner = f"({inner} if {lo} < {inner} < {hi} else {literal(src, 7)})"
        if dtype == "bool":
            return f"bool({inner})"
        return f"np.{dtype}({inner})"

    def ifexp_expr(self, dtype: str, depth: int) -> str:
        cond = self.expr("bool", depth - 1)
        return f"({self.expr(dtype, depth - 1)} if {cond} else {self.expr(dtype, depth - 1)})"

    def compare_expr(self, dtype: str, depth: int) -> str:
        rng = self.rng
        a = rng.choice(DTYPES)
        b = rng.choice(DTYPES) if rng.random() < 0.5 else a
        complex_involved = kind(a) == "c" or kind(b) == "c"
        ops = ["==", "!="] if complex_involved else COMPARE
        first = self.expr(a, depth - 1)
        text = f"{first} {rng.choice(ops)} {self.expr(b, depth - 1)}"
        if not complex_involved and rng.random() < 0.2:
            text += f" {rng.choice(COMPARE)} {self.expr(rng.choice(REALS), depth - 1)}"
        return f"({text})"

    def logic_expr(self, dtype: str, depth: int) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            return f"(not {self.expr(rng.choice(DTYPES), depth - 1)})"
        op = rng.choice(["and", "or", "&", "|", "^"])
        return f"({self.expr('bool', depth - 1)} {op} {self.expr('bool', depth - 1)})"

    def predicate_expr(self, dtype: str, depth: int) -> str:
        fn = self.rng.choice(["isnan", "isinf", "isfinite"])
        return f"math.{fn}({self.expr('float64', depth - 1)})"

    def andor_expr(self, dtype: str, depth: int) -> str:
        op = self.rng.choice(["and", "or"])
        return f"({self.expr(dtype, depth - 1)} {op} {self.expr(dtype, depth - 1)})"

    def bounded(self, text: str, lo, hi, default: float) -> str:
        """`text` (a float64 expression) if inside (lo, hi), else `default`: NaN goes too."""
        if lo is None and hi is None:
            return text
        if hi is None:
            cond = f"{text} > {lo!r}"
        elif lo is None:
            cond = f"{text} < {hi!r}"
        else:
            cond = f"{lo!r} < {text} < {hi!r}"
        return f"({text} if {cond} else {literal('float64', default)})"

    def float64_arg(self, depth: int) -> str:
        """A float64 expression, made from any real dtype (converted in both runs)."""
        src = self.rng.choice(REALS)
        inner = self.expr(src, depth - 1)
        return inner if src == "float64" else f"np.float64({inner})"

    def math_expr(self, dtype: str, depth: int) -> str:
        fn = self.rng.choice(list(MATH1))
        lo, hi = MATH1[fn]
        default = 1.5 if fn == "acosh" else 0.5
        arg = self.float64_arg(depth if lo is None and hi is None else GUARDED_DEPTH + 1)
        arg = self.bounded(arg, lo, hi, default)
        return f"np.float64(math.{fn}({arg}))"

    def math2_expr(self, dtype: str, depth: int) -> str:
        fn = self.rng.choice(MATH2)
        guard = fn == "fmod"
        x = self.float64_arg(GUARDED_DEPTH + 1 if guard else depth)
        y = self.float64_arg(GUARDED_DEPTH + 1 if guard else depth)
        if guard:
            x = self.bounded(x, -1e300, 1e300, 2.5)
            y = f"({y} if {y} != 0.0 else {literal('float64', 1.0)})"
        return f"np.float64(math.{fn}({x}, {y}))"

    def int_from_float_expr(self, dtype: str, depth: int) -> str:
        fn = self.rng.choice(["floor", "ceil", "trunc", "round", "int"])
        arg = self.bounded(self.float64_arg(GUARDED_DEPTH + 1), -1e15, 1e15, 3.0)
        if fn in ("round", "int"):
            return f"np.int64({fn}({arg}))"
        return f"np.int64(math.{fn}({arg}))"

    def power_expr(self, dtype: str, depth: int) -> str:
        return f"({self.expr('int64', depth - 1)} ** {literal('int64', self.rng.randint(0, 4))})"

    def float_power_expr(self, dtype: str, depth: int) -> str:
        base = self.expr("float64", depth - 1)
        if self.rng.random() < 0.5:
            k = self.rng.randint(-3, 4)
            if k < 0:
                # `0.0 ** -k`: NumPy scalars give inf, Python (and ferrojit) raise
                # ZeroDivisionError; a positive base keeps the draws (and later programs) the same.
                base = f"(abs({base}) + {literal('float64', 0.5)})"
            return f"({base} ** {literal('int64', k)})"
        base = f"(abs({base}) + {literal('float64', 0.5)})"
        exp = self.bounded(self.expr("float64", GUARDED_DEPTH), -20.0, 20.0, 2.0)
        return f"({base} ** {exp})"

    def len_expr(self, dtype: str, depth: int) -> str:
        if not self.arrays:
            return self.leaf(dtype)
        a = self.rng.choice(self.arrays)
        if self.rng.random() < 0.5:
            return f"np.int64(len({a.name}))"
        return f"np.int64({a.name}.shape[{self.rng.randrange(len(a.shape))}])"

    def str_expr(self, dtype: str, depth: int) -> str:
        """String methods on `str(i)` of an int64 (formatted alike by CPython and compiled
        code): an int64 count / position / round trip, or a bool test."""
        text = f"str({self.expr('int64', depth - 1)})"
        if dtype == "int64":
            return self.rng.choice(
                [
                    f"np.int64(len({text}.zfill(6)))",
                    f"np.int64({text}.count('1'))",
                    f"np.int64(int({text}.strip()))",
                    f"np.int64({text}.find('2'))",
                    f"np.int64(len({text}.split('0')))",
                ]
            )
        test = self.rng.choice(
            [f"{text}.startswith('-')", f"{text}.isdigit()", f"'3' in {text}", f"{text}.endswith('7')"]
        )
        return f"({test})"

    def shift_expr(self, dtype: str, depth: int) -> str:
        bits = np.dtype(dtype).itemsize * 8
        op = self.rng.choice(["<<", ">>"])
        count = literal(dtype, self.rng.randrange(bits))
        return f"({self.expr(dtype, depth - 1)} {op} {count})"

    def complex_part_expr(self, dtype: str, depth: int) -> str:
        src = "complex64" if dtype == "float32" else "complex128"
        inner = self.expr(src, depth - 1)
        r = self.rng.random()
        if r < 0.4:
            return f"{inner}.real"
        if r < 0.8:
            return f"{inner}.imag"
        return f"abs({inner})"

    def minmax_expr(self, dtype: str, depth: int) -> str:
        fn = self.rng.choice(["min", "max"])
        n = self.rng.randint(2, 3)
        args = ", ".join(self.expr(dtype, depth - 1) for _ in range(n))
        return f"{fn}({args})"

    # --- statements -------------------------------------------------------------------------

    def block(self, budget: int, depth: int) -> list[Stmt]:
        out = []
        while budget > 0:
            stmt, cost = self.statement(depth)
            out.append(stmt)
            budget -= cost
        return out

    def statement(self, depth: int) -> tuple[Stmt, int]:
        rng = self.rng
        if self.pickers and self.locals and rng.random() < 0.2:
            return self.picker_call(), 1
        r = rng.random()
        nested = depth < 2
        if r < 0.3 and self.locals:
            v = rng.choice(self.locals)
            return Stmt(f"{v.name} = {self.expr(v.dtype)}"), 1
        if r < 0.42 and self.locals:
            v = rng.choice(self.locals)
            ops = [op for op in ARITH + BITWISE if (v.dtype, v.dtype) in BINOPS[op].get(v.dtype, [])]
            if not ops:
                return Stmt(f"{v.name} = {self.expr(v.dtype)}"), 1
            return Stmt(f"{v.name} {rng.choice(ops)}= {self.expr(v.dtype, 2)}"), 1
        if r < 0.55 and self.arrays:
            a = rng.choice(self.arrays)
            target = self.array_read(a, 2)
            if rng.random() < 0.3:
                ops = [op for op in ARITH + BITWISE if (a.dtype, a.dtype) in BINOPS[op].get(a.dtype, [])]
                if ops:
                    return Stmt(f"{target} {rng.choice(ops)}= {self.expr(a.dtype, 2)}"), 1
            return Stmt(f"{target} = {self.expr(a.dtype)}"), 1
        if r < 0.7 and nested:
            return self.if_stmt(depth), 3
        if r < 0.85 and nested:
            return self.for_stmt(depth), 4
        if r < 0.92 and nested:
            return self.while_stmt(depth), 4
        if self.locals and rng.random() < 0.3:
            return self.container_stmt(), 2
        if self.loop_depth and rng.random() < 0.5:
            word = rng.choice(["break", "continue"])
            return Stmt(f"if {self.expr('bool', 2)}:", [Stmt(word)]), 1
        if self.locals:
            v = rng.choice(self.locals)
            return Stmt(f"{v.name} = {self.expr(v.dtype)}"), 1
        return Stmt("pass"), 1

    def container_stmt(self) -> Stmt:
        """A list, dict or string built from expressions of a local's dtype and read back into
        that local (`v = lst[-1]`, `v = d.get(k, e)`, or `len(s)` for an int64 local): lists,
        dicts and strings in compiled code against CPython's own."""
        rng = self.rng
        v = rng.choice(self.locals)
        dtype = v.dtype
        name = self.fresh("c")
        items = [self.expr(dtype, 2) for _ in range(rng.randint(1, 3))]
        r = rng.random()
        if r < 0.4:
            body = [
                Stmt(f"{name} = [{', '.join(items)}]", removable=False),
                Stmt(f"{name}.append({self.expr(dtype, 2)})", removable=False),
                Stmt(f"{v.name} = {name}[{rng.choice([0, -1, -2])}]", removable=False),
            ]
        elif r < 0.75:
            pairs = ", ".join(f"np.int64({k}): {e}" for k, e in enumerate(items))
            key = rng.randint(0, len(items) + 1)
            body = [
                Stmt(f"{name} = {{{pairs}}}", removable=False),
                Stmt(f"{v.name} = {name}.get(np.int64({key}), {self.expr(dtype, 2)})", removable=False),
            ]
        elif dtype == "int64":
            parts = " + ".join(f"str({e})" for e in items)
            body = [
                Stmt(f"{name} = {parts} + \"x\"", removable=False),
                Stmt(f"{v.name} = np.int64(len({name}))", removable=False),
            ]
        else:
            body = [
                Stmt(f"{name} = [{items[0]} for {name}_i in range(2)]", removable=False),
                Stmt(f"{v.name} = {name}[-1]", removable=False),
            ]
        return Stmt("if True:", body)

    def add_picker(self):
        """A jitted helper `pick(x, w=<default>, *, alt=<default>)` returning `w if x else alt`
        (so its type is the defaults' dtype): calls to it exercise default values, keyword
        arguments and keyword-only parameters between jitted functions."""
        dtype = self.rng.choice(DTYPES)
        name = self.fresh(f"{self.name}_pick")
        w = literal(dtype, random_value(self.rng, dtype))
        alt = literal(dtype, random_value(self.rng, dtype))
        self.pickers.append((name, dtype))
        self.helpers.append(
            f"@jit\ndef {name}(x, w={w}, *, alt={alt}):\n    return w if x else alt\n"
        )

    def picker_call(self) -> Stmt:
        """`v = pick(...)` for a local `v` of the picker's dtype, in one of the call forms."""
        rng = self.rng
        name, dtype = rng.choice(self.pickers)
        targets = [v for v in self.locals if v.dtype == dtype]
        if not targets:
            v = rng.choice(self.locals)
            return Stmt(f"{v.name} = {self.expr(v.dtype)}")
        v = rng.choice(targets)
        x = self.expr(rng.choice(DTYPES), 2)
        w = self.expr(dtype, 2)
        alt = self.expr(dtype, 2)
        call = rng.choice(
            [
                f"{name}({x})",
                f"{name}({x}, {w})",
                f"{name}({x}, alt={alt})",
                f"{name}(w={w}, x={x})",
                f"{name}({x}, {w}, alt={alt})",
                f"{name}(alt={alt}, x={x})",
            ]
        )
        # CPython calls the dispatcher, which returns a Python number: convert it back.
        cast = "np.bool_" if dtype == "bool" else f"np.{dtype}"
        return Stmt(f"{v.name} = {cast}({call})")

    def if_stmt(self, depth: int) -> Stmt:
        rng = self.rng
        cond = self.expr("bool") if rng.random() < 0.8 else self.expr(rng.choice(DTYPES), 2)
        body = self.block(rng.randint(1, 3), depth + 1)
        if rng.random() < 0.15:
            body.append(Stmt(f"return {self.return_expr()}"))
        r = rng.random()
        orelse = None
        if r < 0.3:
            orelse = [self.if_stmt(depth)]
        elif r < 0.7:
            orelse = self.block(rng.randint(1, 2), depth + 1)
        return Stmt(f"if {cond}:", body, orelse)

    def for_stmt(self, depth: int) -> Stmt:
        rng = self.rng
        var = self.fresh("i")
        r = rng.random()
        axis_array = None
        if r < 0.4 and self.arrays:
            axis_array = rng.choice(self.arrays)
            header = (
                f"for {var} in range(len({axis_array.name})):"
                if rng.random() < 0.5
                else f"for {var} in range({axis_array.name}.shape[0]):"
            )
        elif r < 0.55 and any(len(a.shape) == 1 for a in self.arrays):
            a = rng.choice([a for a in self.arrays if len(a.shape) == 1])
            elem = Var(var, a.dtype)
            self.vars.append(elem)
            self.loop_depth += 1
            body = self.block(rng.randint(1, 4), depth + 1)
            self.loop_depth -= 1
            self.vars.remove(elem)
            return Stmt(f"for {var} in {a.name}:", body)
        else:
            start = rng.randint(-3, 3)
            stop = start + rng.randint(0, 7)
            step = rng.choice([1, 1, 2, 3, -1, -2])
            if step < 0:
                start, stop = stop, start
            if step == 1 and start == 0 and rng.random() < 0.5:
                header = f"for {var} in range({stop}):"
            else:
                header = f"for {var} in range({start}, {stop}, {step}):"
        loop_var = Var(var, "int64", python_int=True)
        self.vars.append(loop_var)
        if axis_array is not None:
            self.axis_vars.append((var, axis_array))
        self.loop_depth += 1
        body = self.block(rng.randint(1, 4), depth + 1)
        self.loop_depth -= 1
        if axis_array is not None:
            self.axis_vars.pop()
        self.vars.remove(loop_var)
        return Stmt(header, body)

    def while_stmt(self, depth: int) -> Stmt:
        rng = self.rng
        count = self.fresh("w")
        limit = rng.randint(1, 6)
        cond = f"{count} < {limit}"
        if rng.random() < 0.4:
            cond += f" and {self.expr('bool', 2)}"
        self.loop_depth += 1
        body = [Stmt(f"{count} += 1", removable=False)] + self.block(rng.randint(1, 4), depth + 1)
        self.loop_depth -= 1
        # A statement pair: the counter, then the loop (the counter is not an expression leaf).
        return Stmt("if True:", [Stmt(f"{count} = 0", removable=False), Stmt(f"while {cond}:", body)])

    def inexact_expr(self, fn: str) -> str:
        if fn == "hypot":
            args = f"{self.float64_arg(2)}, {self.float64_arg(2)}"
        else:
            lo, hi = INEXACT_DOMAIN[fn]
            args = self.bounded(self.float64_arg(GUARDED_DEPTH + 1), lo, hi, 1.5)
        return f"np.float64(math.{fn}({args}))"

    def return_expr(self) -> str:
        parts = [
            self.inexact_expr(fn) if fn else self.expr(d)
            for d, fn in zip(self.return_dtypes, self.inexact, strict=True)
        ]
        if len(parts) == 1:
            return parts[0]
        return "(" + ", ".join(parts) + ")"

    # --- the function -----------------------------------------------------------------------

    def program(self) -> Program:
        rng = self.rng
        params, args = [], []
        for _ in range(rng.randint(1, 5)):
            dtype = rng.choice(DTYPES)
            name = self.fresh("p")
            params.append(name)
            args.append(random_value(rng, dtype))
            self.vars.append(Var(name, dtype))
        for _ in range(rng.choice([0, 1, 1, 2])):
            dtype = rng.choice(DTYPES)
            shape = (rng.randint(1, 6),) if rng.random() < 0.6 else (rng.randint(1, 4), rng.randint(1, 4))
            name = self.fresh("a")
            params.append(name)
            args.append(random_array(rng, dtype, shape))
            self.arrays.append(Array(name, dtype, shape))
        body = []
        for _ in range(rng.randint(0, 3)):
            dtype = rng.choice(DTYPES)
            name = self.fresh("v")
            body.append(Stmt(f"{name} = {self.expr(dtype)}", removable=False))
            v = Var(name, dtype)
            self.vars.append(v)
            self.locals.append(v)
        self.return_dtypes = [rng.choice(DTYPES) for _ in range(rng.choice([1, 1, 2, 3]))]
        self.inexact = [
            rng.choice(list(MATH_INEXACT)) if d == "float64" and rng.random() < 0.3 else None
            for d in self.return_dtypes
        ]
        for _ in range(rng.choice([0, 0, 1, 2])):
            self.add_picker()
        body += self.block(self.size, 0)
        body.append(Stmt(f"return {self.return_expr()}", removable=False))
        return Program(
            self.name, params, body, args, self.return_dtypes, self.inexact, self.helpers
        )


# --- array programs ---------------------------------------------------------------------------
#
# A share of the programs (ARRAY_SHARE) create arrays, take slicing views, compute element-wise
# expressions, assign into views, update in place, reduce and return arrays. The generator
# knows every array's shape and dtype: it evaluates each expression's text on sample arrays
# (`np.ones` of the right shape) with NumPy, so the types need no model of their own. The rules
# that keep CPython's result equal to ferrojit's documented one:
#
# - Scalar operands of array expressions are Python literals (weak in NumPy 2 and in ferrojit;
#   ints in 0..100, so they fit every integer dtype), or NumPy scalars whose dtype does not
#   change NumPy's promotion (the array's own dtype or a narrower one of the same kind, or a
#   higher kind): NumPy scalars are strong, ferrojit treats every scalar operand as weak.
# - No arithmetic on two bool arrays, no `-`/`abs` of bool arrays (NumPy keeps bool, ferrojit
#   follows Python's bool arithmetic); no integer `//`/`%` of arrays (ferrojit raises
#   ZeroDivisionError on a zero divisor, NumPy gives 0); no complex division; `np.sqrt` only of
#   float arrays (NumPy gives float16 for small integers); no `np.abs` of complex64 arrays
#   (NumPy's SIMD loop is not correctly rounded, ferrojit's hypot is).
# - Floating-point sums and products are not generated (ferrojit sums left to right, NumPy
#   pairwise): `sum`/`prod`/`cumsum` reduce integer and bool arrays, `min`/`max`/`argmin`/
#   `argmax` any real non-empty array.
# - Assignments into arrays convert only within a kind or to a higher kind (float-to-int
#   conversions of NaN are undefined); in-place operators only where NumPy's `same_kind`
#   casting allows (it refuses the rest).

ARRAY_SHARE = 0.28
REAL_ARRAY_DTYPES = ["bool"] + INTS + FLOATS
ARRAY_DTYPES = REAL_ARRAY_DTYPES + COMPLEXES


def _kind_rank(dtype: str) -> int:
    """NumPy's kinds as ferrojit orders them for weak scalars: signed and unsigned integers
    are one kind."""
    return {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}[kind(dtype)]


def _scalar_ok(scalar: str, array: str) -> bool:
    """True if NumPy (strong scalar) and ferrojit (weak scalar) agree on `array op scalar`."""
    if _kind_rank(scalar) > _kind_rank(array):
        return True
    return np.promote_types(scalar, array) == np.dtype(array)


class ArrayGenerator(Generator):
    """Builds a function whose body works on whole arrays (see the rules above)."""

    def __init__(self, rng: random.Random, name: str, size: int = 6):
        super().__init__(rng, name, size)
        # Name -> sample array (np.ones of the array's shape and dtype) or NumPy scalar.
        self.samples: dict[str, object] = {}
        self.array_locals: list[str] = []

    def evaluate(self, text: str):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return eval(text, {"np": np, "math": math}, dict(self.samples))  # noqa: S307

    def shape_of(self, name: str) -> tuple[int, ...]:
        return self.samples[name].shape

    def dtype_of(self, name: str) -> str:
        return self.samples[name].dtype.name

    def all_arrays(self) -> list[str]:
        return [n for n, v in self.samples.items() if isinstance(v, np.ndarray)]

    def add_array(self, name: str, text: str):
        self.samples[name] = np.ones(self.evaluate(text).shape, self.evaluate(text).dtype)
        self.array_locals.append(name)

    # --- array-valued expressions ---------------------------------------------------------

    def shape_text(self, shape: tuple[int, ...]) -> str:
        """Source of `shape`: a constant, or read from an array of that shape."""
        rng = self.rng
        same = [n for n in self.all_arrays() if self.shape_of(n) == shape]
        if same and rng.random() < 0.5:
            n = rng.choice(same)
            return f"{n}.shape" if len(shape) > 1 or rng.random() < 0.5 else f"len({n})"
        if len(shape) == 1 and rng.random() < 0.5:
            return str(shape[0])
        return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"

    def creation(self, shape: tuple[int, ...], dtype: str) -> str:
        rng = self.rng
        r = rng.random()
        same = [n for n in self.all_arrays() if self.shape_of(n) == shape and self.dtype_of(n) == dtype]
        if r < 0.15 and same:
            n = rng.choice(same)
            return rng.choice([f"np.zeros_like({n})", f"np.ones_like({n})", f"{n}.copy()", f"np.copy({n})"])
        if r < 0.3 and len(shape) == 1 and kind(dtype) in "iuf":
            n = shape[0]
            if kind(dtype) == "f" and dtype == "float64" and rng.random() < 0.5:
                lo = rng.choice([0.0, -1.0, 0.1, 2.5])
                hi = lo + rng.choice([1.0, 3.7, -2.25, 10.0])
                return f"np.linspace({lo!r}, {hi!r}, {n})"
            start = rng.randint(-3, 3)
            return f"np.arange({start}, {start + n}, dtype=np.{dtype})" if kind(dtype) != "u" or start >= 0 else f"np.arange({n}, dtype=np.{dtype})"
        fn = rng.choice(["zeros", "ones", "full"])
        shape_src = self.shape_text(shape)
        if fn == "full":
            value = rng.choice(["3", "0", "1"]) if kind(dtype) in "biu" else rng.choice(["2.5", "-1.0", "0.125"])
            if dtype == "bool":
                value = rng.choice(["True", "False"])
            return f"np.full({shape_src}, {value}, dtype=np.{dtype})"
        return f"np.{fn}({shape_src}, dtype=np.{dtype})"

    def slice_text(self, length: int) -> str:
        """A random slice, bounds possibly out of range, negative or reversed."""
        rng = self.rng
        parts = []
        for _ in range(2):
            parts.append("" if rng.random() < 0.35 else str(rng.randint(-length - 2, length + 2)))
        step = rng.choice(["", "", "2", "-1", "-2", "3"])
        text = f"{parts[0]}:{parts[1]}"
        return text + (f":{step}" if step else "")

    def view_text(self, name: str) -> str:
        rng = self.rng
        shape = self.shape_of(name)
        if len(shape) == 1:
            return f"{name}[{self.slice_text(shape[0])}]"
        r = rng.random()
        if 0 in shape:
            r = 1.0
        if r < 0.2:
            return f"{name}.T"
        if r < 0.4:
            return f"{name}[{rng.randint(-shape[0], shape[0] - 1)}, :]"
        if r < 0.6:
            return f"{name}[:, {rng.randint(-shape[1], shape[1] - 1)}]"
        return f"{name}[{self.slice_text(shape[0])}, {self.slice_text(shape[1])}]"

    def operand(self, shape: tuple[int, ...], want: str | None) -> str:
        """An array (or view) broadcastable to `shape`, or a scalar; of kind `want` if given."""
        rng = self.rng
        cands = []
        for n in self.all_arrays():
            s = self.shape_of(n)
            if s == shape or (len(shape) == 2 and s == shape[1:]):
                cands.append(n)
            elif len(s) == 2 and len(shape) == 2 and s[::-1] == shape:
                cands.append(f"{n}.T")
            elif len(s) == 2 and len(shape) == 1 and s[0] > 0 and s[1] == shape[0] and rng.random() < 0.3:
                cands.append(f"{n}[{rng.randint(-s[0], s[0] - 1)}, :]")
            elif len(s) == 2 and len(shape) == 1 and s[1] > 0 and s[0] == shape[0] and rng.random() < 0.3:
                cands.append(f"{n}[:, {rng.randint(-s[1], s[1] - 1)}]")
            elif len(s) == 1 and len(shape) == 1 and s[0] > shape[0] and rng.random() < 0.5:
                extra = s[0] - shape[0]
                k = rng.randint(0, extra)
                cands.append(f"{n}[{k}:{k + shape[0]}]" if rng.random() < 0.5 else f"{n}[{s[0] - 1 - k}:{s[0] - 1 - k - shape[0] if s[0] - 1 - k - shape[0] >= 0 else ''}:-1]")
        if want is not None:
            cands = [c for c in cands if kind(self.evaluate(c).dtype.name) in want]
        if cands and rng.random() < 0.8:
            return rng.choice(cands)
        return None

    def scalar_operand(self, array_dtype: str) -> str:
        rng = self.rng
        ok = [v for v in self.vars if v.dtype in DTYPES and _scalar_ok(v.dtype, array_dtype)]
        if ok and rng.random() < 0.4:
            return rng.choice(ok).read()
        k = kind(array_dtype)
        if k in "bi" or (k == "u" and rng.random() < 0.7):
            return str(rng.randint(0, 100))
        return rng.choice(["0.5", "2.0", "1.5", "-3.25", "0.1", "1e30"])

    def arr_expr(self, shape: tuple[int, ...], depth: int, want: str | None = None) -> str:
        """Source of an element-wise array expression of broadcast shape `shape`."""
        rng = self.rng
        if depth <= 0 or rng.random() < 0.25:
            op = self.operand(shape, want)
            if op is not None:
                return op
            return self.creation(shape, rng.choice({"b": ["bool"], "iu": INTS, "f": FLOATS}.get(want, REAL_ARRAY_DTYPES if want else ARRAY_DTYPES)))
        r = rng.random()
        if r < 0.45:
            lhs = self.arr_expr(shape, depth - 1, want)
            ldt = self.evaluate(lhs).dtype.name
            lk = kind(ldt)
            ops = {"b": ["&", "|", "^"], "i": ARITH + ["&", "|", "^"], "u": ARITH + ["&", "|", "^"], "f": ARITH + ["/"], "c": ARITH}[lk]
            op = rng.choice(ops)
            if rng.random() < 0.3:
                rhs = self.scalar_operand(ldt)
                if lk == "b" or (op in "&|^" and "." in rhs) or (op in "&|^" and not rhs.isdigit() and kind(self.dtype_of_scalar(rhs)) not in "biu"):
                    rhs = self.arr_expr(shape, depth - 1, lk if lk != "c" else None)
            else:
                rhs_want = {"b": "b", "i": "iu", "u": "iu"}.get(lk) if op in "&|^" else ("iufc" if lk != "b" else "b")
                rhs = self.arr_expr(shape, depth - 1, rhs_want)
            text = f"({lhs} {op} {rhs})"
            if not self.valid(text, op):
                return lhs
            return text
        if r < 0.55:
            return f"({rng.choice(self.compare_ops(shape, depth))})"
        if r < 0.65:
            inner = self.arr_expr(shape, depth - 1, want)
            k = kind(self.evaluate(inner).dtype.name)
            if k == "b":
                return inner
            if k == "f" and rng.random() < 0.4:
                return f"np.sqrt({inner})"
            if self.evaluate(inner).dtype == np.complex64:
                return f"(-{inner})"  # NumPy's SIMD abs of complex64 is not correctly rounded
            return f"(-{inner})" if rng.random() < 0.5 and k != "u" else f"np.abs({inner})"
        if r < 0.8:
            fn = rng.choice(["np.minimum", "np.maximum"])
            a = self.arr_expr(shape, depth - 1, "iuf" if want is None else want)
            b = self.arr_expr(shape, depth - 1, "iuf" if want is None else want)
            text = f"{fn}({a}, {b})"
            return text if self.valid(text, "minmax", (a, b)) else self.creation(shape, "int32")
        cond = self.compare_ops(shape, depth)[0]
        a = self.arr_expr(shape, depth - 1, want)
        dt = self.evaluate(a).dtype.name
        b = self.scalar_operand(dt) if rng.random() < 0.4 and kind(dt) != "b" else self.arr_expr(shape, depth - 1, want)
        text = f"np.where({cond}, {a}, {b})"
        return text if self.valid(text, "where") else a

    def dtype_of_scalar(self, text: str) -> str:
        return np.asarray(self.evaluate(text)).dtype.name

    def compare_ops(self, shape, depth) -> list[str]:
        a = self.arr_expr(shape, depth - 1, "iuf")
        dt = self.evaluate(a).dtype.name
        b = self.scalar_operand(dt) if self.rng.random() < 0.5 else self.arr_expr(shape, depth - 1, "iuf")
        text = f"{a} {self.rng.choice(COMPARE)} {b}"
        if not self.valid(text, "cmp", (a, b)):
            text = f"{self.creation(shape, 'int16')} > 3"
        return [text]

    def valid(self, text: str, op: str, operands: tuple[str, ...] = ()) -> bool:
        """False for the operations whose semantics differ (see the rules above); `operands`
        are ordered (compared, min/max), so none may be complex."""
        try:
            value = self.evaluate(text)
            kinds = [np.asarray(self.evaluate(o)).dtype.kind for o in operands]
        except Exception:  # noqa: BLE001 - NumPy refuses it: not generated
            return False
        if not isinstance(value, np.ndarray) or "c" in kinds:
            return False
        return kind(value.dtype.name) != "c" or op != "/"

    # --- statements -----------------------------------------------------------------------

    def array_statement(self, in_loop: bool = False) -> list[Stmt]:
        rng = self.rng
        arrays = self.all_arrays()
        r = rng.random()
        if r < 0.2 or not arrays:
            shape = rng.choice([self.shape_of(n) for n in arrays] + [(rng.randint(1, 5),), (2, 3)])
            name = self.fresh("c")
            text = self.creation(shape, rng.choice(ARRAY_DTYPES))
            self.add_array(name, text)
            return [Stmt(f"{name} = {text}", removable=False)]
        if r < 0.35:
            name = self.fresh("s")
            text = self.view_text(rng.choice(arrays))
            self.add_array(name, text)
            return [Stmt(f"{name} = {text}", removable=False)]
        if r < 0.55:
            shape = self.shape_of(rng.choice(arrays))
            name = self.fresh("e")
            text = self.arr_expr(shape, 2)
            self.add_array(name, text)
            return [Stmt(f"{name} = {text}", removable=False)]
        if r < 0.75:
            return [self.store_stmt(rng.choice(arrays))]
        if r < 0.85:
            return [self.reduce_stmt(rng.choice(arrays))]
        if r < 0.93:
            return [self.library_stmt(rng.choice(arrays))]
        return [self.loop_stmt()]

    def store_stmt(self, name: str) -> Stmt:
        rng = self.rng
        target = name if rng.random() < 0.3 else self.view_text(name)
        tv = self.evaluate(target)
        tdt = tv.dtype.name
        if tv.size == 0 and rng.random() < 0.5:
            return Stmt("pass")
        augment = rng.random() < 0.5
        if rng.random() < 0.3:
            value = self.scalar_operand(tdt)
        else:
            value = self.arr_expr(tv.shape, 2)
        if augment:
            ops = {"b": ["&", "|"], "i": ARITH + ["&"], "u": ARITH + ["|"], "f": ARITH, "c": ARITH}[kind(tdt)]
            op = rng.choice(ops)
            try:
                res = self.evaluate(f"({target}) {op} ({value})")
            except Exception:  # noqa: BLE001
                return Stmt("pass")
            if not isinstance(res, np.ndarray) or not np.can_cast(res.dtype, tdt, "same_kind") or res.shape != tv.shape:
                return Stmt("pass")
            if not target.endswith("]") and target != name:
                target += "[:]" if len(tv.shape) == 1 else "[:, :]"
            return Stmt(f"{target} {op}= {value}")
        vd = np.asarray(self.evaluate(value)).dtype.name
        if not self.assignable(vd, tdt):
            return Stmt("pass")
        if not target.endswith("]"):
            target += "[:]" if len(tv.shape) == 1 else "[:, :]"
        return Stmt(f"{target} = {value}")

    @staticmethod
    def assignable(src: str, dst: str) -> bool:
        return _kind_rank(src) <= _kind_rank(dst) and not (kind(src) == "c" and kind(dst) != "c")

    def reduce_stmt(self, name: str) -> Stmt:
        rng = self.rng
        view = name if rng.random() < 0.6 else self.view_text(name)
        value = self.evaluate(view)
        k = kind(value.dtype.name)
        fns = []
        if k in "biu":
            fns += ["sum", "prod"]
        if k in "biuf" and value.size > 0:
            fns += ["min", "max", "argmin", "argmax"]
        if not fns:
            return Stmt("pass")
        fn = rng.choice(fns)
        text = f"np.{fn}({view})" if rng.random() < 0.5 else f"{view}.{fn}()"
        if "." not in view.split("[")[0] and "[" in view and text.startswith(view):
            text = f"({view}).{fn}()"
        result = self.evaluate(text)
        vname = self.fresh("r")
        v = Var(vname, result.dtype.name)
        self.vars.append(v)
        self.samples[vname] = result
        return Stmt(f"{vname} = {text}", removable=False)

    def library_stmt(self, name: str) -> Stmt:
        """A call of a common NumPy library function (issue 11's): sorting, searching,
        statistics, cumulative sums, differences. Arrays come out only where their shape does
        not depend on the values (the samples are ones); the rest are reduced to a number.
        Sorts are stable (NumPy's default sort orders equal values, such as 0.0 and -0.0, as
        its algorithm happens to); float statistics are exact selections or one average of two
        middle values."""
        rng = self.rng
        view = name if rng.random() < 0.6 else self.view_text(name)
        value = self.evaluate(view)
        k = kind(value.dtype.name)
        if k == "c":
            return Stmt("pass")
        arrays = ["np.sort({v}, kind='stable')", "np.argsort({v}, kind='stable')",
                  "np.roll({v}, {s})", "np.searchsorted(np.sort({v}.ravel()), {v}.ravel())"]
        numbers = ["len(np.unique({v}))", "np.flatnonzero({v}).sum()"]
        if k in "iu":
            arrays += ["np.cumsum({v})", "np.diff({v})"]
        if k in "iuf" and value.size > 0:
            numbers += ["np.median({v})", "np.ptp({v})"]
        if k == "f" and value.size > 0:
            numbers += ["np.nanmax({v})", "np.nanmin({v})", "np.nanargmax({v})"]
        template = rng.choice(arrays + numbers)
        text = template.format(v=view, s=rng.randint(-3, 3))
        try:
            result = self.evaluate(text)
        except Exception:  # noqa: BLE001 - NumPy refuses it: not generated
            return Stmt("pass")
        if isinstance(result, np.ndarray):
            vname = self.fresh("l")
            self.add_array(vname, text)
            return Stmt(f"{vname} = {text}", removable=False)
        result = np.asarray(result)[()]
        vname = self.fresh("r")
        self.vars.append(Var(vname, np.asarray(result).dtype.name))
        self.samples[vname] = result
        return Stmt(f"{vname} = {text}", removable=False)

    def loop_stmt(self) -> Stmt:
        """A loop whose body allocates temporaries and folds them into an accumulator."""
        rng = self.rng
        arrays = self.all_arrays()
        rows = [n for n in arrays if len(self.shape_of(n)) == 2]
        acc = rng.choice(arrays)
        shape = self.shape_of(acc)
        dt = self.dtype_of(acc)
        saved = dict(self.samples)
        var = self.fresh("i")
        if rows and rng.random() < 0.4:
            m = rng.choice(rows)
            header = f"for {var} in {m}:"
            self.samples[var] = np.ones(self.shape_of(m)[1:], self.dtype_of(m))
        else:
            header = f"for {var} in range({rng.randint(0, 4)}):"
        tmp = self.fresh("t")
        text = self.arr_expr(shape, 2)
        body = [Stmt(f"{tmp} = {text}", removable=False)]
        self.samples[tmp] = np.ones(shape, self.evaluate(text).dtype)
        store = self.store_stmt(acc)
        body.append(store)
        self.samples = saved
        return Stmt(header, body)

    def program(self) -> Program:
        rng = self.rng
        params, args = [], []
        for _ in range(rng.randint(0, 2)):
            dtype = rng.choice(DTYPES)
            name = self.fresh("p")
            params.append(name)
            args.append(random_value(rng, dtype))
            self.vars.append(Var(name, dtype))
            self.samples[name] = _sample(dtype)
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            dtype = rng.choice(ARRAY_DTYPES)
            shape = (rng.randint(1, 6),) if rng.random() < 0.6 else (rng.randint(1, 4), rng.randint(1, 4))
            name = self.fresh("a")
            params.append(name)
            args.append(random_array(rng, dtype, shape))
            self.samples[name] = np.ones(shape, dtype)
        body = []
        for _ in range(rng.randint(2, self.size - 1)):
            body += self.array_statement()
        # Return arrays (new ones or views) and scalars.
        rets = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            if self.vars and rng.random() < 0.3:
                v = rng.choice(self.vars)
                rets.append(v.read())
                continue
            name = rng.choice(self.all_arrays())
            rets.append(name if rng.random() < 0.6 else self.view_text(name))
        text = rets[0] if len(rets) == 1 else "(" + ", ".join(rets) + ")"
        body.append(Stmt(f"return {text}", removable=False))
        return Program(self.name, params, body, args, [], [])


def generate(rng: random.Random, name: str, size: int = 6) -> Program:
    """A random well-typed function named `name` with arguments to call it with: a scalar
    program, or (ARRAY_SHARE of them) an array program."""
    if rng.random() < ARRAY_SHARE:
        return ArrayGenerator(rng, name, size).program()
    return Generator(rng, name, size).program()
