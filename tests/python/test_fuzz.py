"""Compiler fuzzing through the Python API: generated programs (progen.py) with random token
edits — an operator, name, number or dtype replaced, a token deleted or repeated — that are
still valid Python, compiled by ``@jit`` for their argument types. Each must compile or fail
with a user error (TypingError, UnsupportedError); an InternalError or any other exception (a
contained panic) is a compiler bug. The mutants are not run: an edit can remove the guard that
keeps an index in bounds.

The Rust side (frontend/tests/fuzz.rs, tests/fuzz_compile.rs) fuzzes raw and character-level
mutated text; these edits keep the text parseable, so they reach type inference, lowering and
code generation far more often.

``FERROJIT_FUZZ_CASES`` (default 400) scales it; the seed is test_generated's.
"""

import ast
import io
import os
import random
import tokenize
import warnings

import numpy as np
import pytest

import progen
from ferrojit.errors import CompileError, InternalError
from test_generated import SEED, build

CASES = int(os.environ.get("FERROJIT_FUZZ_CASES", "400"))
BATCH = 100

OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "<", "<=", ">",
             ">=", "==", "!="]
NAMES = ["abs", "min", "max", "len", "round", "int", "float", "complex", "bool", "range", "np",
         "math", "True", "None", "x"] + [f"np.{d}" for d in progen.DTYPES]
STRUCTURE = (tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
NUMBERS = ["0", "-1", "1", "2", "1e308", "-0.0", "1j", "18446744073709551616", "0.5", "7"]


def mutate(rng, source):
    """`source` with 1-3 random token edits, or None if no edit kept it valid Python."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    names = sorted({t.string for t in tokens if t.type == tokenize.NAME}) + NAMES
    for _ in range(10):
        edited = [list(t[:2]) for t in tokens]
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(edited))
            kind, text = edited[i]
            r = rng.random()
            if kind == tokenize.OP and text in OPERATORS and r < 0.5:
                edited[i][1] = rng.choice(OPERATORS)
            elif kind == tokenize.NAME and r < 0.6:
                edited[i][1] = rng.choice(names)
            elif kind == tokenize.NUMBER:
                edited[i][1] = rng.choice(NUMBERS)
            elif kind in STRUCTURE:
                continue
            elif r < 0.8:
                edited[i][1] = ""
            else:
                j = rng.randrange(len(edited))
                edited.insert(j, list(edited[i]))
        try:
            text = tokenize.untokenize([tuple(t) for t in edited])
            tree = ast.parse(text)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)
                compile(tree, "<mutant>", "exec")  # CPython's own checks (duplicate arguments)
        except (SyntaxError, ValueError, IndexError):
            continue
        if len(tree.body) == 1 and isinstance(tree.body[0], ast.FunctionDef):
            return text
    return None


def signature(args):
    def one(a):
        if isinstance(a, np.ndarray):
            return a.dtype.name + "[" + ", ".join(":" for _ in a.shape) + "]"
        return a.dtype.name

    return "(" + ", ".join(one(a) for a in args) + ")"


class Mutant:
    """A mutated program: what `build` needs (name and source)."""

    def __init__(self, name, source):
        self.name = name
        self.source = source


def fuzz_cases(indices):
    crashes = []
    for index in indices:
        rng = random.Random(SEED * 7_000_003 + index)
        prog = progen.generate(rng, f"fuzz{index}")
        text = mutate(rng, prog.source)
        if text is None:
            continue
        function = ast.parse(text).body[0]
        params = function.args.args
        args = prog.args[: len(params)] + [np.float64(1.0)] * (len(params) - len(prog.args))
        sig = signature(args)
        progen.STATS["fuzz_cases"] += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)
                [fn] = build([Mutant(function.name, text)], f"fuzz seed={SEED} {index}")
            fn.compile(sig)
        except InternalError as exc:
            crashes.append((index, text, sig, exc))
        except CompileError:
            pass
        except Exception as exc:  # noqa: BLE001 - anything else escaped the compiler
            crashes.append((index, text, sig, exc))
    progen.STATS["fuzz_crashes"] += len(crashes)
    return crashes


@pytest.mark.parametrize(
    "start", range(0, CASES, BATCH), ids=lambda s: f"{s}-{min(s + BATCH, CASES) - 1}"
)
def test_mutated_programs_compile_or_report(start):
    crashes = fuzz_cases(list(range(start, min(start + BATCH, CASES))))
    assert not crashes, "\n".join(
        f"--- fuzz case {i} (FERROJIT_GEN_SEED={SEED}), signature {sig} ---\n{src}\n{exc!r}"
        for i, src, sig, exc in crashes
    )
