"""Every ```python block of docs/numba.md ("Coming from Numba") runs, each as a module file
(ferrojit reads function source with inspect, so the code must live in a file)."""

import importlib.util
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "numba.md"


def blocks():
    text = DOC.read_text()
    found = []
    for match in re.finditer(r"```python\n(.*?)```", text, re.S):
        line = text[: match.start()].count("\n") + 2
        found.append(pytest.param(match.group(1), id=f"numba.md:{line}"))
    return found


@pytest.mark.parametrize("code", blocks())
def test_numba_page_example(code, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).parent))
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "numba_doc_example.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(f"numba_doc_example_{abs(hash(code))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
