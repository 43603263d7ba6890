"""Inspection of compiled functions, Numba's dispatcher API: ``inspect_types``, ``inspect_ir``,
``inspect_asm``, ``inspect_cfg``, ``parallel_diagnostics``, ``overloads`` and ``stats``.

Every text comes from the compiler's one dump printer (the same as ``FERROJIT_DUMP``): the
dispatcher compiles a specialization again with the dumps captured (``Dispatcher._dumps``) the
first time it is inspected, and keeps the result.
"""

import collections
import html
import re
import sys
import types as _pytypes

__all__ = [
    "inspect_types",
    "inspect_ir",
    "inspect_asm",
    "inspect_cfg",
    "inspect_llvm",
    "parallel_diagnostics",
    "overloads",
    "stats",
]


def _signature_key(args):
    return "(" + ", ".join(args) + ")"


def _wanted_indices(dispatcher, signature):
    """Indices of the compiled specializations ``signature`` selects (all when None)."""
    info = dispatcher._overload_info()
    if signature is None:
        return list(range(len(info)))
    if isinstance(signature, str):
        text = signature.replace(" ", "")
        matches = [
            i
            for i, (args, ret, _) in enumerate(info)
            if text in (_signature_key(args).replace(" ", ""), (ret + _signature_key(args)).replace(" ", ""))
        ]
    else:
        if hasattr(signature, "args"):  # a ferrojit Signature
            signature = signature.args
        wanted = [str(t) for t in signature]
        matches = [i for i, (args, _, _) in enumerate(info) if list(args) == wanted]
    if not matches:
        known = ", ".join(_signature_key(a) for a, _, _ in info) or "none"
        raise KeyError(f"{dispatcher.__name__} was not compiled for {signature!r} (compiled: {known})")
    return matches


def _sections(dispatcher, index):
    cache = dispatcher.__dict__.setdefault("_ferrojit_dumps", {})
    if index not in cache:
        cache[index] = dispatcher._dumps(index)
    return cache[index]


def _texts(dispatcher, signature, stage):
    """``{signature text: concatenated sections of stage}``."""
    info = dispatcher._overload_info()
    out = {}
    for index in _wanted_indices(dispatcher, signature):
        args, ret, _ = info[index]
        parts = [f"; {title}\n{text}" for st, _, title, text in _sections(dispatcher, index) if st == stage]
        out[f"{ret}{_signature_key(args)}"] = "\n".join(parts)
    return out


def _one_or_all(texts, signature):
    if signature is not None and len(texts) == 1:
        return next(iter(texts.values()))
    return texts


class AnnotatedSource(str):
    """HTML that Jupyter displays as such (``inspect_types(pretty=True)``)."""

    def _repr_html_(self):
        return str(self)


def _types_text(dispatcher, index):
    name = dispatcher.py_func.__name__
    found = [text for st, fn, _, text in _sections(dispatcher, index) if st == "types" and fn == name]
    return found[-1] if found else ""


def _types_html(texts):
    rows = []
    for text in texts:
        rows.append("<table class='ferrojit-types'>")
        for line in text.splitlines():
            stripped = line.strip()
            style = ""
            if stripped.startswith("#   "):
                style = " style='color:#666'"
            elif stripped.startswith("# ---") or set(stripped) <= {"-", "="}:
                continue
            rows.append(f"<tr><td{style}><pre>{html.escape(line)}</pre></td></tr>")
        rows.append("</table>")
    return AnnotatedSource("\n".join(rows))


def inspect_types(dispatcher, file=None, signature=None, pretty=False, style="default", **kwargs):
    """Prints the source of each compiled specialization with the type of every variable beside
    the lines that use it; ``pretty=True`` returns HTML instead (displayed by Jupyter)."""
    if kwargs:
        raise TypeError(f"inspect_types() got an unexpected keyword argument {next(iter(kwargs))!r}")
    texts = [_types_text(dispatcher, i) for i in _wanted_indices(dispatcher, signature)]
    if pretty:
        return _types_html(texts)
    out = file if file is not None else sys.stdout
    for text in texts:
        print(text, file=out)
    return None


def inspect_ir(dispatcher, signature=None):
    """The optimised IR the backend received, for each signature (a dict) or for ``signature``
    (a string): the function, the functions it calls and its ``prange`` chunk functions."""
    return _one_or_all(_texts(dispatcher, signature, "ir"), signature)


def inspect_asm(dispatcher, signature=None):
    """The machine code (Cranelift's disassembly), per signature like :func:`inspect_ir`."""
    return _one_or_all(_texts(dispatcher, signature, "asm"), signature)


def inspect_llvm(dispatcher, signature=None):
    raise NotImplementedError(
        "ferrojit generates code with Cranelift, not LLVM: use inspect_ir() for its IR, "
        "inspect_asm() for the machine code"
    )


_BLOCK = re.compile(r"^(block\d+)")
_TARGET = re.compile(r"\b(block\d+)")


class ControlFlowGraph:
    """The blocks of each compiled IR function and the jumps between them; ``dot`` is Graphviz
    text, ``display()`` renders it when the ``graphviz`` package is installed."""

    def __init__(self, ir_text):
        self.functions = {}
        current = None
        block = None
        for line in ir_text.splitlines():
            if line.startswith("function @"):
                current = line.split("@", 1)[1].split("(", 1)[0]
                self.functions[current] = {}
                block = None
            elif current is not None and _BLOCK.match(line):
                block = _BLOCK.match(line).group(1)
                self.functions[current][block] = []
            elif current is not None and block is not None and line.startswith("    "):
                op = line.strip().split(" ", 1)[0]
                if op in ("jump", "brif", "br_table"):
                    self.functions[current][block].extend(_TARGET.findall(line))

    @property
    def dot(self):
        lines = ["digraph cfg {", "  node [shape=box, fontname=monospace];"]
        for fn, blocks in self.functions.items():
            lines.append(f'  subgraph "cluster_{fn}" {{ label="{fn}";')
            for block, targets in blocks.items():
                lines.append(f'    "{fn}.{block}" [label="{block}"];')
                for t in targets:
                    lines.append(f'    "{fn}.{block}" -> "{fn}.{t}";')
            lines.append("  }")
        lines.append("}")
        return "\n".join(lines)

    def display(self, filename=None, format="svg", view=False):
        try:
            import graphviz
        except ImportError:
            return self.dot
        return graphviz.Source(self.dot, filename=filename, format=format)

    def __str__(self):
        return self.dot


def inspect_cfg(dispatcher, signature=None, show_wrapper=None, **kwargs):
    """The control-flow graph of the optimised IR (see :class:`ControlFlowGraph`)."""
    texts = _texts(dispatcher, signature, "ir")
    graphs = {sig: ControlFlowGraph(text) for sig, text in texts.items()}
    return _one_or_all(graphs, signature)


def parallel_diagnostics(dispatcher, signature=None, level=1):
    """Prints what ``parallel=True`` did: level 1 the parallel ``prange`` loops and the
    reductions found, 2 also the variables every iteration reads, 3 also what was hoisted out
    of the loops, 4 also the IR of the chunk functions the threads run."""
    if level not in (1, 2, 3, 4):
        raise ValueError(f"level must be 1, 2, 3 or 4, got {level!r}")
    for index in _wanted_indices(dispatcher, signature):
        sections = _sections(dispatcher, index)
        parallel = [(fn, title, text) for st, fn, title, text in sections if st == "parallel"]
        if not parallel:
            raise ValueError(
                f"{dispatcher.__name__} was not compiled with parallel=True: "
                "parallel_diagnostics() describes @jit(parallel=True) functions"
            )
        print("=" * 80)
        print(f" Parallel diagnostics for {dispatcher.__name__} (level {level})")
        print("=" * 80)
        for fn, title, text in parallel:
            hoisting = title.startswith("hoisting in ")
            if hoisting and level < 3:
                continue
            for line in text.splitlines():
                if line.strip().startswith("shared") and level < 2:
                    continue
                print(line)
        if level >= 4:
            for st, fn, title, text in sections:
                if st == "ir" and "__prange" in fn:
                    print(f"--- {title} ---")
                    print(text)
        print("-" * 80)


class CompileResult:
    """One compiled specialization: its signature and the address of its entry point (which
    takes ferrojit's flattened-argument ABI; use ``@cfunc`` for a C-callable function)."""

    __slots__ = ("signature", "argtypes", "return_type", "entry_point")

    def __init__(self, argtypes, return_type, entry_point):
        self.argtypes = argtypes
        self.return_type = return_type
        self.signature = f"{return_type}({', '.join(map(str, argtypes))})"
        self.entry_point = entry_point

    def __repr__(self):
        return f"<CompileResult {self.signature}>"


def _type_object(text):
    from . import types

    return types.BY_TEXT.get(text) or types.Type(text)


def overloads(dispatcher):
    """``{argument types: CompileResult}`` for every compiled specialization."""
    result = {}
    for args, ret, address in dispatcher._overload_info():
        key = tuple(_type_object(a) for a in args)
        result[key] = CompileResult(key, _type_object(ret), address)
    return result


def stats(dispatcher):
    """``cache_hits``/``cache_misses`` (signature → count, for ``cache=True``), ``compilations``
    (signature → seconds), ``compile_time`` (total seconds)."""
    hits, misses = collections.Counter(), collections.Counter()
    times = {}
    for signature, seconds, disk_hit in dispatcher._compile_log():
        times[signature] = times.get(signature, 0.0) + seconds
        if disk_hit is True:
            hits[signature] += 1
        elif disk_hit is False:
            misses[signature] += 1
    return _pytypes.SimpleNamespace(
        cache_hits=hits,
        cache_misses=misses,
        compilations=times,
        compile_time=sum(times.values()),
    )
