"""What the decorators return under ``config.DISABLE_JIT``: the user's Python, vectorized by
NumPy where a ufunc was asked for, so that it runs (slowly) exactly as written."""

import functools

__all__ = ["PyUFunc", "PyGUFunc", "output_dtype"]


def output_dtype(signature_texts, index_from_end=0):
    """The NumPy dtype of the first signature's return (``'f8(f8, f8)'`` → float64), or None."""
    if not signature_texts:
        return None
    import numpy as np

    from . import types as fj_types

    text = signature_texts[0]
    name = text.split("(", 1)[0].strip()
    scalar = getattr(fj_types, name, None) or fj_types.BY_TEXT.get(name)
    if scalar is None or scalar._numpy_name is None:
        return None
    return np.dtype(scalar._numpy_name)


class PyUFunc:
    """``@vectorize`` with the JIT disabled: ``numpy.vectorize`` of the kernel."""

    def __init__(self, py_func, signature_texts, identity=None):
        import numpy as np

        dtype = output_dtype(signature_texts)
        self.py_func = py_func
        self.identity = identity
        self._vectorized = np.vectorize(py_func, otypes=[dtype] if dtype is not None else None)
        functools.update_wrapper(self, py_func)

    def __call__(self, *args, **kwargs):
        out = kwargs.pop("out", None)
        result = self._vectorized(*args, **kwargs)
        if out is not None:
            out[...] = result
            return out
        if getattr(result, "ndim", None) == 0:
            return result[()]
        return result

    def reduce(self, array, axis=0):
        import numpy as np

        array = np.moveaxis(np.asarray(array), axis, 0)
        acc = array[0]
        for item in array[1:]:
            acc = self(acc, item)
        return acc

    def __repr__(self):
        return f"<ferrojit vectorize (JIT disabled) {self.py_func.__name__}>"


def _parse_layout(layout):
    """``'(n),()->(n)'`` → ``([('n',), ()], [('n',)])``."""
    import re

    ins, outs = layout.replace(" ", "").split("->")

    def dims(part):
        return [tuple(d for d in group.split(",") if d) for group in re.findall(r"\(([^)]*)\)", part)]

    return dims(ins), dims(outs)


class PyGUFunc:
    """``@guvectorize`` with the JIT disabled: the kernel called in a Python loop over the
    broadcast outer dimensions, on views of the core dimensions, outputs allocated when absent."""

    def __init__(self, py_func, signature_texts, layout):
        self.py_func = py_func
        self.layout = layout
        self._ins, self._outs = _parse_layout(layout)
        self._signature_texts = signature_texts
        functools.update_wrapper(self, py_func)

    def _out_dtype(self, arrays):
        import numpy as np

        if self._signature_texts:
            # 'void(f8[:], f8, f8[:])': the last argument's scalar type.
            text = self._signature_texts[0]
            last = text.rsplit(",", 1)[-1].strip().rstrip(")").split("[")[0].strip()
            from . import types as fj_types

            scalar = getattr(fj_types, last, None)
            if scalar is not None and scalar._numpy_name is not None:
                return np.dtype(scalar._numpy_name)
        return np.result_type(*arrays)

    def __call__(self, *args):
        import numpy as np

        nin, nout = len(self._ins), len(self._outs)
        if len(args) not in (nin, nin + nout):
            raise TypeError(f"{self.py_func.__name__}() takes {nin} or {nin + nout} arguments")
        ins = [np.asarray(a) for a in args[:nin]]
        sizes = {}
        loop_shapes = []
        for arr, core in zip(ins, self._ins):
            split = arr.ndim - len(core)
            if split < 0:
                raise ValueError(f"input has too few dimensions for core signature {core}")
            for dim, size in zip(core, arr.shape[split:]):
                if sizes.setdefault(dim, size) != size:
                    raise ValueError(f"core dimension {dim!r} has sizes {sizes[dim]} and {size}")
            loop_shapes.append(arr.shape[:split])
        loop = np.broadcast_shapes(*loop_shapes) if loop_shapes else ()
        if len(args) == nin + nout:
            outs = list(args[nin:])
        else:
            dtype = self._out_dtype(ins)
            outs = [np.zeros(loop + tuple(sizes[d] for d in core), dtype) for core in self._outs]
        ins = [np.broadcast_to(a, loop + a.shape[a.ndim - len(core):]) for a, core in zip(ins, self._ins)]
        for index in np.ndindex(*loop):
            views = [a[index] for a in ins]
            # A scalar core input is passed as a number, a scalar output as a 1-element view.
            views = [v[()] if not core else v for v, core in zip(views, self._ins)]
            out_views = [
                o[index] if core else o[index + (np.newaxis,)] if o.ndim else o.reshape(1)
                for o, core in zip(outs, self._outs)
            ]
            self.py_func(*views, *out_views)
        if len(args) == nin + nout:
            return None
        return outs[0] if nout == 1 else tuple(outs)

    def __repr__(self):
        return f"<ferrojit guvectorize (JIT disabled) {self.py_func.__name__} {self.layout}>"
