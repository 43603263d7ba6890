"""Every ```python block of docs/language.md (and docs/safety.md) runs: compiled, with each check() comparing the
compiled result against CPython's (see diff.py).

Each block becomes a module file (ferrojit reads function source with inspect, so the code must
live in a file), with a small preamble importing jit, numpy, math and check.
"""

import importlib.util
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "language.md"
DOCS = [DOC, ROOT / "docs" / "safety.md"]
PREAMBLE = (
    "import math\n"
    "import numpy as np\n"
    "from ferrojit import jit\n"
    "from diff import check\n"
)


def blocks(docs=(DOC,)):
    found = []
    for doc in docs:
        text = doc.read_text()
        for match in re.finditer(r"```python\n(.*?)```", text, re.S):
            line = text[: match.start()].count("\n") + 2
            found.append(pytest.param(match.group(1), id=f"{doc.name}:{line}"))
    return found


@pytest.mark.parametrize("code", blocks(DOCS))
def test_language_reference_example(code, tmp_path):
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    try:
        path = tmp_path / "doc_example.py"
        path.write_text(PREAMBLE + code)
        spec = importlib.util.spec_from_file_location(f"doc_example_{abs(hash(code))}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(pathlib.Path(__file__).parent))


def test_the_reference_has_examples():
    assert len(blocks()) >= 8
