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
    lines, first_line = inspect.getsourcelines(func)
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
