"""Functions defined interactively: where Python keeps their source (``linecache``: IPython and
Jupyter cells, the 3.13+ REPL, any registered text) ``@jit`` compiles them; where it keeps none
(``python -c``, ``exec`` of a string, the REPL before 3.13) the error says so and what to do."""

import os
import subprocess
import sys
import textwrap

import pytest

JIT_AND_CALL = "from ferrojit import njit\n@njit\ndef f(x):\n    return x + 1\nprint(f(41))\n"


def run(args, stdin=None):
    env = dict(os.environ)
    return subprocess.run(
        [sys.executable, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_python_c_says_where_the_source_went():
    done = run(["-c", JIT_AND_CALL])
    assert done.returncode != 0
    assert "its source code is not available" in done.stderr
    assert "`python -c`" in done.stderr and "linecache" in done.stderr


def test_exec_of_a_string_says_so(tmp_path):
    script = tmp_path / "uses_exec.py"
    script.write_text(f"exec({JIT_AND_CALL!r})\n")
    done = run([str(script)])
    assert "exec()/compile() of a string" in done.stderr


def test_the_old_prompt_says_to_use_313_or_ipython():
    # The prompt needs a blank line to end the `def`.
    done = run(["-i", "-q"], stdin=JIT_AND_CALL.replace("print", "\nprint"))
    if sys.version_info >= (3, 13):
        pytest.skip("piped stdin is not the interactive console")
    assert "interactive prompt" in done.stderr and "3.13" in done.stderr


def test_source_registered_in_linecache_compiles(tmp_path):
    # What IPython and Jupyter do for every cell (and the 3.13 REPL for every input).
    script = tmp_path / "cell_like.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import linecache
            cell = {JIT_AND_CALL!r}
            name = "<ipython-input-7-0123456789ab>"
            linecache.cache[name] = (len(cell), None, cell.splitlines(True), name)
            exec(compile(cell, name, "exec"))
            """
        )
    )
    done = run([str(script)])
    assert done.stdout.strip() == "42", done.stderr


def test_ipython_cells_compile():
    pytest.importorskip("IPython", reason="IPython is not installed (optional)")
    script = "\n".join(
        [
            "from IPython.testing.globalipapp import start_ipython",
            "ip = start_ipython()",
            f"ip.run_cell({JIT_AND_CALL!r}, store_history=True).raise_error()",
        ]
    )
    done = run(["-c", script])
    assert done.stdout.strip().endswith("42"), done.stderr


@pytest.mark.skipif(sys.version_info < (3, 13), reason="Python 3.13's REPL keeps its inputs' source")
def test_python_313_repl_inputs_compile(tmp_path):
    # What _pyrepl.simple_interact does with each input: register it, then run it.
    script = tmp_path / "repl_like.py"
    script.write_text(
        textwrap.dedent(
            """
            import linecache
            from _pyrepl.console import InteractiveColoredConsole
            console = InteractiveColoredConsole({}, filename="<stdin>")
            inputs = ["from ferrojit import njit", "@njit\\ndef f(x):\\n    return x + 1", "print(f(41))"]
            for n, statement in enumerate(inputs):
                name = f"<python-input-{n}>"
                linecache._register_code(name, statement, "<stdin>")
                console.push(statement, filename=name, _symbol="single")
            """
        )
    )
    done = run([str(script)])
    assert done.stdout.strip() == "42", done.stderr
