"""Finding a function's source text for the compiler (called from Rust at first compile).

``inspect`` is imported here, lazily, so that ``import ferrojit`` stays fast.
"""


def function_source(func):
    """Returns ``(filename, text, line_offset, col_offset)`` for ``func``.

    ``text`` is the function's source with its decorators (the compiler ignores them), dedented
    by exactly the indentation of its first line; ``line_offset`` is the file line of the first
    line of ``text`` minus one, ``col_offset`` the number of columns removed. Raises
    ``OSError``/``TypeError`` when the source is unavailable (functions typed at the REPL,
    built with ``exec``, or lambdas).
    """
    import inspect

    if getattr(func, "__name__", "") == "<lambda>":
        from .errors import UnsupportedError

        raise UnsupportedError("lambda functions cannot be compiled; define the function with `def`")
    try:
        lines, first_line = inspect.getsourcelines(func)
    except (OSError, TypeError) as exc:
        raise OSError(_no_source_advice(func, exc)) from exc
    filename = inspect.getsourcefile(func) or getattr(func.__code__, "co_filename", "<unknown>")
    first = lines[0]
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    out = []
    for line in lines:
        if line.startswith(indent):
            out.append(line[len(indent) :])
        else:
            # A blank line, or a continuation of a multi-line string: leave it as it is.
            out.append(line.lstrip(" \t") if not line.strip() else line)
    text = "".join(out)
    return filename, text, max(first_line - 1, 0), len(indent)


def _no_source_advice(func, exc):
    """Why the source of ``func`` is missing, and what to do: Python keeps the source of files,
    IPython/Jupyter cells and (from 3.13) the REPL's inputs in ``linecache``; not that of
    ``python -c``, ``exec`` of a string, or the REPL before 3.13."""
    import sys

    filename = getattr(getattr(func, "__code__", None), "co_filename", "")
    if filename == "<string>":
        where = (
            "it was defined by `python -c` or by exec()/compile() of a string, which keep no "
            "source; put it in a .py file and import it, or register the text with linecache "
            "under the filename given to compile() (linecache.cache[filename] = (len(text), "
            "None, text.splitlines(True), filename))"
        )
    elif filename == "<stdin>":
        where = (
            "it was typed at the interactive prompt, which keeps no source before Python 3.13 "
            f"(this is {sys.version_info.major}.{sys.version_info.minor}); use Python 3.13+, "
            "IPython or Jupyter, or put it in a .py file and import it"
        )
    else:
        where = (
            f"Python has no source for {filename or 'it'} ({exc}); ferrojit compiles functions "
            "whose source Python keeps: files, IPython/Jupyter cells, the Python 3.13+ REPL"
        )
    return f"its source code is not available: {where}"
