"""``@stencil``: neighbourhood kernels with relative indexing, Numba's semantics.

The kernel is written for one element: ``a[0, 1]`` is the right neighbour of the current
element, ``a[-1, 0]`` the one above. ``@stencil`` rewrites its source into a loop function over
the interior of the array (the neighbourhood is inferred from the constant offsets, or given
with ``neighborhood=((-1, 1), (-1, 1))``) and compiles that with ``@njit``. Called on arrays,
it returns a new array of the kernel's result type whose border cells (where the neighbourhood
does not fit) are ``cval`` (default 0); with ``out=`` it writes the interior of ``out`` and
leaves its border as it is.

Every array argument is indexed relatively; other arguments are passed through. Stencils are
called from Python or from ``@jit`` functions: for the latter, ``@stencil`` also compiles a call
function (``_jit_call``, which the compiler calls for ``kernel(a)`` / ``kernel(a, out=o)``) that
makes the output itself: its dtype is the type of the kernel's value at a point (a
``_point`` function typed but never run there), its border ``cval``.
"""

import ast
import functools
import itertools
import textwrap

from . import config

__all__ = ["stencil", "Stencil"]


def _const_offset(node):
    """The integer value of ``3`` or ``-3``, else None."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    return None


class _Relative(ast.NodeTransformer):
    """Rewrites ``a[o0, o1]`` of relatively indexed ``a`` to ``a[__i0 + o0, __i1 + o1]`` and
    records the constant offsets per dimension."""

    def __init__(self, arrays):
        self.arrays = arrays
        self.offsets = {}
        self.ndim = None
        self.variable_offsets = False

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if not (isinstance(node.value, ast.Name) and node.value.id in self.arrays):
            return node
        index = node.slice
        items = list(index.elts) if isinstance(index, ast.Tuple) else [index]
        if self.ndim is None:
            self.ndim = len(items)
        elif self.ndim != len(items):
            raise ValueError(
                f"stencil kernels index every array with {self.ndim} relative indices; "
                f"'{node.value.id}' is indexed with {len(items)}"
            )
        shifted = []
        for dim, item in enumerate(items):
            offset = _const_offset(item)
            if offset is None:
                self.variable_offsets = True
            else:
                lo, hi = self.offsets.get(dim, (0, 0))
                self.offsets[dim] = (min(lo, offset), max(hi, offset))
            loop_var = ast.Name(id=f"__i{dim}", ctx=ast.Load())
            shifted.append(ast.BinOp(left=loop_var, op=ast.Add(), right=item))
        node.slice = ast.Tuple(elts=shifted, ctx=ast.Load()) if len(shifted) > 1 else shifted[0]
        return node


class _ReturnToStore(ast.NodeTransformer):
    """``return x`` in the kernel becomes ``__out[__i0, ...] = x`` (a kernel returns once, at
    its end, or the loop would need a ``continue``: both are handled by the `continue`)."""

    def __init__(self, ndim):
        self.ndim = ndim
        self.loop_depth = 0

    def _loop(self, node):
        self.loop_depth += 1
        self.generic_visit(node)
        self.loop_depth -= 1
        return node

    visit_For = visit_While = _loop

    def visit_Return(self, node):
        if self.loop_depth:
            raise ValueError(
                f"line {node.lineno}: a stencil kernel returns its value outside loops (a "
                "`return` inside a loop of the kernel is not supported: set a variable and break)"
            )
        index = [ast.Name(id=f"__i{d}", ctx=ast.Load()) for d in range(self.ndim)]
        target = ast.Subscript(
            value=ast.Name(id="__out", ctx=ast.Load()),
            slice=ast.Tuple(elts=index, ctx=ast.Load()) if self.ndim > 1 else index[0],
            ctx=ast.Store(),
        )
        return [ast.Assign(targets=[target], value=node.value), ast.Continue()]

    def visit_FunctionDef(self, node):
        return node  # inner functions keep their returns


def _loop_source(func, neighborhood):
    """The source of ``__stencil_<name>(__out, args...)`` and the neighbourhood it uses."""
    import inspect  # not at module level: `import ferrojit` stays cheap

    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    fdef = tree.body[0]
    params = [a.arg for a in fdef.args.args]
    relative = _Relative(set(params))
    body = [relative.visit(stmt) for stmt in fdef.body]
    if relative.ndim is None:
        raise ValueError(f"stencil kernel '{func.__name__}' indexes no argument relatively")
    ndim = relative.ndim
    if neighborhood is None:
        if relative.variable_offsets:
            raise ValueError(
                f"stencil kernel '{func.__name__}' uses non-constant relative indices: give "
                "the neighbourhood, e.g. @stencil(neighborhood=((-2, 2),))"
            )
        neighborhood = tuple(relative.offsets.get(d, (0, 0)) for d in range(ndim))
    if len(neighborhood) != ndim:
        raise ValueError(f"the neighbourhood has {len(neighborhood)} dimensions, the kernel {ndim}")
    store = _ReturnToStore(ndim)
    body = [store.visit(stmt) for stmt in body]
    flat = []
    for stmt in body:
        flat.extend(stmt if isinstance(stmt, list) else [stmt])
    first = params[0]
    loop = flat
    for d in reversed(range(ndim)):
        lo, hi = neighborhood[d]
        shape = ast.parse(f"{first}.shape[{d}]", mode="eval").body
        bounds = [ast.Constant(-lo), ast.BinOp(left=shape, op=ast.Sub(), right=ast.Constant(hi))]
        loop = [
            ast.For(
                target=ast.Name(id=f"__i{d}", ctx=ast.Store()),
                iter=ast.Call(func=ast.Name(id="range", ctx=ast.Load()), args=bounds, keywords=[]),
                body=loop,
                orelse=[],
            )
        ]
    new = ast.FunctionDef(
        name=f"__stencil_{func.__name__}",
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(arg="__out")] + [ast.arg(arg=p) for p in params],
            kwonlyargs=[],
            kw_defaults=[],
            defaults=[],
        ),
        body=loop + [ast.Return(value=ast.Name(id="__out", ctx=ast.Load()))],
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    module = ast.Module(body=[new], type_ignores=[])
    ast.fix_missing_locations(module)
    return ast.unparse(module) + "\n", tuple(neighborhood), params


def _jit_call_source(func, params, neighborhood, cval):
    """The source of the kernel's value at one point, ``__stencil_point_<name>(__i0, ...,
    args...)``, and of ``__stencil_call_<name>(args..., out=None)``, which compiled callers
    call."""
    import inspect

    name = func.__name__
    ndim = len(neighborhood)
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    fdef = tree.body[0]
    body = [_Relative(set(params)).visit(stmt) for stmt in fdef.body]
    point = ast.FunctionDef(
        name=f"__stencil_point_{name}",
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(arg=f"__i{d}") for d in range(ndim)] + [ast.arg(arg=p) for p in params],
            kwonlyargs=[],
            kw_defaults=[],
            defaults=[],
        ),
        body=body,
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    module = ast.Module(body=[point], type_ignores=[])
    ast.fix_missing_locations(module)
    center = ", ".join(str(-lo) for lo, _ in neighborhood)
    args = ", ".join(params)
    # The loop over an empty list is never run: it gives `__v` the type of the kernel's value
    # (a `for` variable after a loop that did not run), hence the output's dtype.
    call = (
        f"def __stencil_call_{name}({args}, out=None):\n"
        f"    if out is None:\n"
        f"        for __v in [__stencil_point_{name}({center}, {args}) for __k in range(0)]:\n"
        f"            pass\n"
        f"        __o = __stencil_np.full({params[0]}.shape, __v)\n"
        f"        __o[...] = {cval!r}\n"
        f"        return __stencil_{name}(__o, {args})\n"
        f"    else:\n"
        f"        return __stencil_{name}(out, {args})\n"
    )
    return ast.unparse(module) + "\n" + call


class Stencil:
    """A compiled ``@stencil`` kernel; call it with the arrays (and other arguments) the kernel
    takes, optionally ``out=``."""

    def __init__(self, func, neighborhood=None, cval=0, **options):
        from .decorators import njit

        self.kernel = func
        self.cval = cval
        source, self.neighborhood, self._params = _loop_source(func, neighborhood)
        source = "import numpy as __stencil_np\n" + source
        source += _jit_call_source(func, self._params, self.neighborhood, cval)
        self.source = source
        # The loop function lives in a file-less module: register its text with linecache so
        # that the compiler (which reads source through inspect) finds it.
        import linecache

        filename = f"<ferrojit stencil {func.__module__}.{func.__qualname__} {id(self):x}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = dict(func.__globals__)
        exec(compile(source, filename, "exec"), namespace)
        name = func.__name__
        for prefix in ("__stencil_", "__stencil_point_", "__stencil_call_"):
            namespace[prefix + name] = njit(**options)(namespace[prefix + name])
        self._loop = namespace[f"__stencil_{name}"]
        # What the compiler calls when a `@jit` function calls this stencil.
        self._jit_call = namespace[f"__stencil_call_{name}"]
        functools.update_wrapper(self, func)

    def _result_dtype(self, args):
        """The kernel's result type: that of the kernel run (in Python) at one interior point."""
        import numpy as np

        first = np.asarray(args[0])
        index = tuple(-lo if -lo < n else 0 for (lo, _), n in zip(self.neighborhood, first.shape))
        views = []
        for a in args:
            if isinstance(a, np.ndarray):
                views.append(_Shifted(a, index))
            else:
                views.append(a)
        try:
            return np.asarray(self.kernel(*views)).dtype
        except IndexError:
            return first.dtype

    def __call__(self, *args, out=None):
        import numpy as np

        if len(args) != len(self._params):
            raise TypeError(f"{self.kernel.__name__}() takes {len(self._params)} arguments")
        if out is None:
            dtype = self._result_dtype(args)
            out = np.full(np.shape(args[0]), self.cval, dtype=dtype)
        return self._loop(out, *args)

    def __repr__(self):
        return f"<ferrojit.Stencil {self.kernel.__name__} neighborhood={self.neighborhood}>"


class _Shifted:
    """An array seen from one element, for running the kernel once in Python."""

    def __init__(self, array, origin):
        self.array = array
        self.origin = origin

    def __getitem__(self, index):
        index = index if isinstance(index, tuple) else (index,)
        return self.array[tuple(o + i for o, i in zip(self.origin, index))]

    def __getattr__(self, name):
        return getattr(self.array, name)


def stencil(func_or_mode=None, **options):
    """``@stencil`` or ``@stencil(neighborhood=..., cval=...)``: see the module doc. Numba's
    ``mode='constant'`` is the only mode (as in Numba); ``standard_indexing`` is not supported."""
    if options.pop("mode", "constant") != "constant":
        raise ValueError("the only stencil mode is 'constant'")
    if options.get("standard_indexing"):
        raise NotImplementedError("stencil(standard_indexing=...) is not supported yet")
    options.pop("standard_indexing", None)
    neighborhood = options.pop("neighborhood", None)
    cval = options.pop("cval", 0)

    def decorate(func):
        if config.DISABLE_JIT:
            return _PythonStencil(func, neighborhood, cval)
        return Stencil(func, neighborhood, cval, **options)

    if callable(func_or_mode):
        return decorate(func_or_mode)
    return decorate


class _PythonStencil:
    """``@stencil`` under ``config.DISABLE_JIT``: the kernel run in Python at every interior
    point."""

    def __init__(self, func, neighborhood, cval):
        self.kernel = func
        self.cval = cval
        _, self.neighborhood, self._params = _loop_source(func, neighborhood)
        functools.update_wrapper(self, func)

    def __call__(self, *args, out=None):
        import numpy as np

        first = np.asarray(args[0])
        ranges = [range(-lo, n - hi) for (lo, hi), n in zip(self.neighborhood, first.shape)]
        results = {}
        for index in itertools.product(*ranges):
            views = [_Shifted(a, index) if isinstance(a, np.ndarray) else a for a in args]
            results[index] = self.kernel(*views)
        if out is None:
            dtype = np.asarray(next(iter(results.values()))).dtype if results else first.dtype
            out = np.full(first.shape, self.cval, dtype=dtype)
        for index, value in results.items():
            out[index] = value
        return out
