"""``ferrojit.cuda``: NumPy-style ufuncs on NVIDIA GPUs, and arrays in device memory.

>>> from ferrojit import cuda
>>> @cuda.vectorize(['f8(f8, f8, f8)'])          # also ferrojit.vectorize(..., target='gpu')
... def saxpy(a, x, y):
...     return a * x + y
>>> saxpy(2.0, x, y)                              # NumPy arrays in: a NumPy array out
>>> dx, dy = cuda.to_device(x), cuda.to_device(y)
>>> saxpy(2.0, dx, dy).copy_to_host()             # device arrays in: a device array out

Each signature's scalar kernel is compiled like any ``@jit`` specialization (the same front end,
type inference and optimised IR) and translated to PTX by ferrojit's own backend (no CUDA
toolkit needed; see docs/gpu.md). PTX is made once per signature and *pattern* — which inputs
are arrays and which are broadcast scalars — at the first call (or ``inspect_ptx``), and loaded
on the device at the first launch; later calls only launch.

Calls broadcast like NumPy: scalars are passed to the kernel as values; host arrays of
different shapes are broadcast on the host and copied in once; the result has the signature's
output dtype and the broadcast shape. Device arrays are used in place (no host copies) and give
a device array back; they must already have the broadcast shape and the signature's dtype.

Without a CUDA driver or device, :func:`is_available` is false and every allocation, copy and
launch raises :class:`CudaUnavailable` with the reason; compiling and :meth:`GpuUFunc.
inspect_ptx` still work. Importing this module is cheap: NumPy is imported at first use.
"""

import functools
import math
import operator
import threading
import warnings

from ._ferrojit import DeviceMemory as _DeviceMemory
from ._ferrojit import Dispatcher as _Dispatcher
from ._ferrojit import compile_gpu_kernel as _compile_gpu_kernel
from ._ferrojit import gpu_is_available as _gpu_is_available
from ._ferrojit import gpu_math_max_ulp as _gpu_math_max_ulp
from ._ferrojit import gpu_unavailable_reason as _gpu_unavailable_reason
from ._ferrojit import parse_signature as _parse_signature
from ._ferrojit import reset_transfer_stats, transfer_stats
from .errors import FerrojitWarning
from .types import Signature, Type

__all__ = [
    "vectorize",
    "GpuUFunc",
    "DeviceNDArray",
    "to_device",
    "device_array",
    "device_array_like",
    "is_available",
    "unavailable_reason",
    "math_max_ulp",
    "transfer_stats",
    "reset_transfer_stats",
    "CudaError",
    "CudaUnavailable",
]


class CudaError(RuntimeError):
    """The CUDA driver failed (loading PTX, allocating, copying, launching)."""


class CudaUnavailable(CudaError):
    """No CUDA driver or no device: the message says which (``unavailable_reason()``)."""


def is_available():
    """True if a CUDA driver and device 0 are usable (probed once per process)."""
    return _gpu_is_available()


def unavailable_reason():
    """Why no CUDA device is usable (``None`` if one is)."""
    return _gpu_unavailable_reason()


def _require_device():
    reason = _gpu_unavailable_reason()
    if reason is not None:
        raise CudaUnavailable(f"no CUDA device available: {reason}")


def math_max_ulp(name):
    """The documented error bound, in ULPs of the result, of GPU math function ``name``
    (``'sin'``, ``'atan2'``, ``'sinf'``, ...): ``ir::mathlib::max_ulp``. 0 means exact; ``inf``
    means the GPU does not implement it."""
    bound = _gpu_math_max_ulp(name)
    if bound is None:
        raise ValueError(f"unknown math function {name!r}")
    return bound


def _np():
    import numpy

    return numpy


# --- device arrays ------------------------------------------------------------------------------


def _shape_tuple(shape):
    if isinstance(shape, (tuple, list)):
        dims = tuple(operator.index(d) for d in shape)
    else:
        dims = (operator.index(shape),)
    if any(d < 0 for d in dims):
        raise ValueError(f"negative dimensions are not allowed: {dims}")
    return dims


def _storage_dtype(np, dtype):
    """``dtype`` as a native-order numeric dtype, which device arrays hold."""
    dt = np.dtype(dtype)
    if dt.kind not in "biufc":
        raise TypeError(f"device arrays hold bool, integer, float or complex numbers, not {dt}")
    return dt.newbyteorder("=") if not dt.isnative else dt


class DeviceNDArray:
    """A C-contiguous array in GPU memory (Numba's ``DeviceNDArray``, the basic part).

    Made by :func:`to_device`, :func:`device_array` or a GPU ufunc; ``copy_to_host()`` brings it
    back. It has ``shape``, ``dtype``, ``size``, ``ndim``, ``nbytes``, ``strides``, ``len()``,
    ``reshape`` and ``__cuda_array_interface__`` (so Numba, CuPy or PyTorch can read it).
    """

    __slots__ = ("_memory", "_shape", "_dtype", "__weakref__")

    def __init__(self, shape, dtype, memory=None):
        np = _np()
        self._shape = _shape_tuple(shape)
        self._dtype = _storage_dtype(np, dtype)
        nbytes = math.prod(self._shape) * self._dtype.itemsize
        if memory is None:
            memory = _DeviceMemory.alloc(nbytes)
        elif memory.nbytes != nbytes:
            raise ValueError(
                f"device memory of {memory.nbytes} bytes cannot hold {self._shape} {self._dtype}"
            )
        self._memory = memory

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def size(self):
        return math.prod(self._shape)

    @property
    def itemsize(self):
        return self._dtype.itemsize

    @property
    def nbytes(self):
        return self.size * self._dtype.itemsize

    @property
    def strides(self):
        """C-order strides in bytes."""
        strides, step = [], self._dtype.itemsize
        for d in reversed(self._shape):
            strides.append(step)
            step *= max(d, 1)
        return tuple(reversed(strides))

    def __len__(self):
        if not self._shape:
            raise TypeError("len() of unsized object")
        return self._shape[0]

    def is_c_contiguous(self):
        return True

    def is_f_contiguous(self):
        return sum(d > 1 for d in self._shape) <= 1

    def copy_to_host(self, ary=None, stream=0):
        """The array as a NumPy array: a new one, or ``ary`` (same size and dtype) filled."""
        np = _np()
        if ary is None:
            host = np.empty(self._shape, self._dtype)
            self._memory.copy_to_host(host)
            return host
        if not isinstance(ary, np.ndarray):
            raise TypeError(f"ary must be a NumPy array, got {type(ary).__name__}")
        if ary.dtype != self._dtype or ary.size != self.size:
            raise ValueError(
                f"cannot copy a device array of {self._shape} {self._dtype} into a host array "
                f"of {ary.shape} {ary.dtype}"
            )
        if ary.flags.c_contiguous and ary.flags.writeable:
            self._memory.copy_to_host(ary)
        else:
            host = np.empty(self._shape, self._dtype)
            self._memory.copy_to_host(host)
            ary[...] = host.reshape(ary.shape)
        return ary

    def reshape(self, *shape, order="C"):
        """The same memory with another shape (``order='C'`` only)."""
        if order != "C":
            raise NotImplementedError("device arrays are C-contiguous: reshape(order='C') only")
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        dims = list(shape)
        if dims.count(-1) > 1:
            raise ValueError("can only specify one unknown dimension")
        if -1 in dims:
            known = math.prod(d for d in dims if d != -1)
            dims[dims.index(-1)] = self.size // known if known else 0
        dims = _shape_tuple(dims)
        if math.prod(dims) != self.size:
            raise ValueError(f"cannot reshape a device array of size {self.size} into {dims}")
        return DeviceNDArray(dims, self._dtype, self._memory)

    def ravel(self, order="C"):
        return self.reshape(self.size, order=order)

    @property
    def __cuda_array_interface__(self):
        return {
            "shape": self._shape,
            "strides": None,
            "data": (self._memory.address if self.size else 0, False),
            "typestr": self._dtype.str,
            "version": 3,
        }

    def __repr__(self):
        return f"<ferrojit.cuda.DeviceNDArray shape={self._shape} dtype={self._dtype}>"


def to_device(obj, stream=0, copy=True):
    """A device array with a copy of ``obj`` (a NumPy array or anything ``numpy.asarray``
    takes); a :class:`DeviceNDArray` is returned as it is."""
    if isinstance(obj, DeviceNDArray):
        return obj
    np = _np()
    host = np.asarray(obj)
    dtype = _storage_dtype(np, host.dtype)
    host = np.asarray(host, dtype=dtype, order="C")
    return DeviceNDArray(host.shape, dtype, _DeviceMemory.from_host(host))


def device_array(shape, dtype=float, order="C", stream=0):
    """A new device array of ``shape`` and ``dtype``, zero-filled."""
    dims = _shape_tuple(shape)
    if order not in ("C", "F"):
        raise ValueError(f"order must be 'C' or 'F', got {order!r}")
    if order == "F" and sum(d > 1 for d in dims) > 1:
        raise NotImplementedError("device arrays are C-contiguous: order='F' is not supported")
    return DeviceNDArray(dims, dtype)


def device_array_like(ary, stream=0):
    """A new zero-filled device array with the shape and dtype of ``ary``."""
    return device_array(ary.shape, ary.dtype)


# --- GPU ufuncs ---------------------------------------------------------------------------------

_KNOWN_OPTIONS = frozenset(
    [
        "target",
        "identity",
        "nopython",
        "cache",
        "fastmath",
        "error_model",
        "boundscheck",
        "debug",
        "lineinfo",
        "opt",
    ]
)


def _check_options(options):
    unknown = sorted(set(options) - _KNOWN_OPTIONS)
    if unknown:
        raise TypeError(f"vectorize() got an unexpected keyword argument {unknown[0]!r}")
    target = options.get("target", "gpu")
    if target not in ("gpu", "cuda"):
        raise ValueError(
            f"ferrojit.cuda.vectorize() target must be 'gpu' or 'cuda', got {target!r}"
        )
    if options.get("nopython") is False:
        warnings.warn(
            "ferrojit always compiles in nopython mode; nopython=False has no effect",
            FerrojitWarning,
            stacklevel=3,
        )
    if options.get("cache"):
        warnings.warn(
            "cache=True is not implemented for GPU ufuncs: they are recompiled in every process",
            FerrojitWarning,
            stacklevel=3,
        )
    error_model = options.get("error_model", "numpy")
    if error_model not in ("python", "numpy"):
        raise ValueError(f"error_model must be 'python' or 'numpy', got {error_model!r}")
    return {
        "fastmath": bool(options.get("fastmath") or False),
        "error_model": error_model,
        "boundscheck": bool(options.get("boundscheck") or False),
        "identity": options.get("identity"),
    }


def _signature_texts(sigs):
    if sigs is None:
        return []
    if isinstance(sigs, (str, Signature, Type)):
        sigs = [sigs]
    texts = []
    for sig in sigs:
        if not isinstance(sig, (str, Signature, Type)):
            raise TypeError(
                "ufunc signatures are strings such as 'f8(f8, f8)' or ferrojit signature objects "
                f"such as f8(f8, f8); got {type(sig).__name__}"
            )
        texts.append(str(sig))
    return texts


def vectorize(ftylist_or_function=(), **options):
    """Turns a scalar kernel into a ufunc that runs on the GPU (see the module doc).

    Forms: ``@vectorize(['f4(f4, f4)', 'f8(f8, f8)'])`` (compiled at once, one kernel per
    signature) and ``@vectorize`` / ``@vectorize()`` (compiled for the dtypes of each new call),
    with keywords ``target`` ('gpu' or 'cuda'), ``fastmath`` (approximate ``float32`` sin, cos,
    tan, exp and log), ``error_model`` ('numpy', the default, or 'python': float division by
    zero raises), ``nopython``, ``cache``, ``boundscheck``; ``identity``, ``debug``,
    ``lineinfo`` and ``opt`` are accepted for Numba compatibility and have no effect.
    """
    if callable(ftylist_or_function) and not isinstance(ftylist_or_function, (Type, Signature)):
        return GpuUFunc(ftylist_or_function, [], **_check_options(options))
    signatures = _signature_texts(ftylist_or_function)
    checked = _check_options(options)

    def decorate(func):
        return GpuUFunc(func, signatures, **checked)

    return decorate


class _Operand:
    """One input of a call: ``kind`` is 'device' (a DeviceNDArray), 'host' (a NumPy array of at
    least one dimension), 'scalar' (a NumPy scalar or 0-d array: its dtype counts) or 'weak' (a
    Python bool, int or float: any dtype of its kind it fits, as in NumPy 2)."""

    __slots__ = ("kind", "value", "dtype")

    def __init__(self, kind, value, dtype):
        self.kind, self.value, self.dtype = kind, value, dtype

    @property
    def is_array(self):
        return self.kind in ("device", "host")


def _operand(np, value, name, position):
    if isinstance(value, DeviceNDArray):
        return _Operand("device", value, value.dtype)
    if type(value) is bool:
        return _Operand("weak", value, np.dtype(np.bool_))
    if type(value) is int:
        wide = np.int64 if -(2**63) <= value < 2**63 else np.uint64
        return _Operand("weak", value, np.dtype(wide))
    if type(value) is float:
        return _Operand("weak", value, np.dtype(np.float64))
    if isinstance(value, np.generic):
        return _Operand("scalar", value.item(), value.dtype)
    if hasattr(value, "__cuda_array_interface__") and not isinstance(value, np.ndarray):
        raise TypeError(
            f"input {position + 1} of GPU ufunc '{name}' is a foreign device array "
            f"({type(value).__name__}): only ferrojit.cuda device arrays are accepted yet"
        )
    array = value if isinstance(value, np.ndarray) else np.asarray(value)
    if array.dtype.kind not in "biufc":
        raise TypeError(
            f"input {position + 1} of GPU ufunc '{name}' is a {type(value).__name__}, not a number "
            "or an array of numbers"
        )
    if array.ndim == 0:
        return _Operand("scalar", array.item(), array.dtype)
    return _Operand("host", array, array.dtype)


def _weak_fits(np, value, dtype):
    """Whether a Python number converts to ``dtype`` as NumPy 2 converts weak scalars."""
    if type(value) is bool:
        return dtype.kind in "biuf"
    if type(value) is int:
        if dtype.kind == "f":
            return True
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            return info.min <= value <= info.max
        return False
    return dtype.kind == "f"


class _Kernel:
    """One signature: the native kernel and its NumPy dtypes."""

    __slots__ = ("native", "inputs", "output", "texts")

    def __init__(self, np, native, text):
        self.native = native
        self.inputs = tuple(np.dtype(d) for d in native.input_dtypes)
        self.output = np.dtype(native.output_dtype)
        self.texts = {text, native.signature}


def _launch(program, kernel, n, args, memory):
    """Runs ``program`` over ``0..n`` (``kernel``, its ``_Kernel``, is for tests that replace
    this function to emulate the device on the CPU: test_gpu_emulated.py)."""
    program.launch(n, args, memory)


class GpuUFunc:
    """A ufunc whose loops are GPU kernels, one per signature (made by :func:`vectorize`).

    Call it like a NumPy ufunc (with ``out=`` a device or host array); :meth:`inspect_ptx`
    gives the PTX, :meth:`add` compiles another signature.
    """

    def __init__(self, py_func, signatures, *, fastmath=False, error_model="numpy",
                 boundscheck=False, identity=None):
        if not callable(py_func) or not hasattr(py_func, "__code__"):
            raise TypeError(
                f"a ufunc kernel must be a Python function, got {type(py_func).__name__}"
            )
        self.py_func = py_func
        self._options = {
            "target": "gpu",
            "fastmath": fastmath,
            "error_model": error_model,
            "boundscheck": boundscheck,
            "identity": identity,
        }
        self._dispatcher = _Dispatcher(
            py_func,
            [],
            boundscheck=boundscheck,
            fastmath=fastmath,
            numpy_error_model=error_model == "numpy",
        )
        self._nin = py_func.__code__.co_argcount
        self._lazy = not signatures
        self._kernels = []
        self._lock = threading.Lock()
        functools.update_wrapper(self, py_func)
        for sig in signatures:
            self.add(sig)

    def add(self, signature):
        """Compiles the kernel for ``signature`` (``'f8(f8, f8)'``, or argument types only,
        ``'(f8, f8)'``, to infer the output type); PTX is made at the first call."""
        np = _np()
        text = str(signature)
        with self._lock:
            native = _compile_gpu_kernel(self._dispatcher, text, self._options["fastmath"])
            kernel = _Kernel(np, native, text)
            for known in self._kernels:
                if known.inputs == kernel.inputs:
                    known.texts.add(text)
                    return known.native
            self._kernels.append(kernel)
        return native

    # NumPy's ufunc attributes.

    @property
    def nin(self):
        return self._nin

    @property
    def nout(self):
        return 1

    @property
    def nargs(self):
        return self._nin + 1

    @property
    def ntypes(self):
        return len(self._kernels)

    @property
    def types(self):
        """NumPy's type codes of each loop, ``'ff->f'``."""
        return [
            "".join(d.char for d in k.inputs) + "->" + k.output.char for k in self._kernels
        ]

    @property
    def signatures(self):
        """The compiled signatures, ``'float32(float32, float32)'``."""
        return [k.native.signature for k in self._kernels]

    @property
    def identity(self):
        return self._options["identity"]

    @property
    def targetoptions(self):
        return dict(self._options)

    def __repr__(self):
        return f"<ferrojit.cuda.GpuUFunc '{self.__name__}'>"

    def reduce(self, *args, **kwargs):
        raise NotImplementedError("reduce is not supported by GPU ufuncs yet")

    # Inspection.

    def _kernel_for(self, signature):
        if not self._kernels:
            raise ValueError(f"GPU ufunc '{self.__name__}' has no compiled signature yet")
        if signature is None:
            return self._kernels[0]
        if isinstance(signature, int):
            return self._kernels[signature]
        text = str(signature)
        candidates = {text}
        try:
            candidates.add(_parse_signature(text))
        except Exception:
            pass
        for kernel in self._kernels:
            if kernel.texts & candidates:
                return kernel
        raise KeyError(
            f"GPU ufunc '{self.__name__}' has no signature {text!r}; it has: "
            + ", ".join(self.signatures)
        )

    def inspect_ptx(self, signature=None, *, scalars=(), target=None):
        """The PTX of a signature (its text, its index, or ``None``: the only one; with several
        signatures ``None`` gives a dict from signature to PTX). ``scalars`` lists the input
        positions passed as scalars (default: every input an array); ``target`` is an
        ``'sm_XY'`` to generate for (default: the launch target, sm_70). No GPU is needed."""
        if signature is None and len(self._kernels) > 1:
            return {
                k.native.signature: self._program(k, scalars, target).ptx for k in self._kernels
            }
        return self._program(self._kernel_for(signature), scalars, target).ptx

    def inspect_ir(self, signature=None):
        """The optimised IR the PTX of a signature is generated from."""
        return self._kernel_for(signature).native.inspect_ir()

    def _program(self, kernel, scalars, target=None):
        scalars = set(scalars)
        bad = [p for p in scalars if not 0 <= p < self._nin]
        if bad:
            raise ValueError(f"scalar positions must be in 0..{self._nin - 1}, got {bad[0]}")
        pattern = [p not in scalars for p in range(self._nin)]
        return kernel.native.program(pattern, target)

    # Calls.

    def _select(self, np, operands):
        strong = any(op.kind != "weak" for op in operands)

        def fits(op, dtype, exact, weak_by_value):
            if op.kind == "device":
                return op.dtype == dtype  # device arrays are never cast
            if op.kind == "weak" and weak_by_value:
                return _weak_fits(np, op.value, dtype)
            return op.dtype == dtype if exact else np.can_cast(op.dtype, dtype, "safe")

        # Exact dtypes first, then safe casts; Python scalars fit any dtype of their kind that
        # holds them, as in NumPy 2 (when every input is one, their default dtypes come first).
        passes = [(True, strong), (False, strong)] + ([] if strong else [(False, True)])
        for exact, weak_by_value in passes:
            for kernel in self._kernels:
                pairs = zip(operands, kernel.inputs)
                if all(fits(op, dt, exact, weak_by_value) for op, dt in pairs):
                    return kernel
        return None

    def _no_match(self, operands):
        given = ", ".join(
            f"{op.dtype} device array" if op.kind == "device" else str(op.dtype)
            for op in operands
        )
        hint = ""
        if any(op.kind == "device" for op in operands):
            hint = " (device arrays must have a signature's dtype exactly: they are not cast)"
        return TypeError(
            f"GPU ufunc '{self.__name__}' has no signature for the input types ({given}){hint}; "
            f"compiled signatures: {'; '.join(self.signatures) or 'none'}"
        )

    def __call__(self, *args, out=None, stream=0):
        np = _np()
        name = self.__name__
        if len(args) != self._nin:
            raise TypeError(f"{name}() takes {self._nin} inputs but {len(args)} were given")
        operands = [_operand(np, a, name, k) for k, a in enumerate(args)]
        kernel = self._select(np, operands)
        if kernel is None and self._lazy:
            # Numba's typing of the arguments: Python int → int64, float → float64.
            texts = [str(op.dtype) for op in operands]
            self.add("(" + ", ".join(texts) + ("," if len(texts) == 1 else "") + ")")
            kernel = self._select(np, operands)
        if kernel is None:
            raise self._no_match(operands)
        _require_device()

        shapes = [op.value.shape for op in operands if op.is_array]
        try:
            shape = np.broadcast_shapes(*shapes)
        except ValueError:
            raise ValueError(
                f"{name}(): operands could not be broadcast together with shapes "
                + " ".join(map(str, shapes))
            ) from None
        if out is not None:
            if not isinstance(out, (DeviceNDArray, np.ndarray)):
                raise TypeError(
                    f"out must be a device array or a NumPy array, got {type(out).__name__}"
                )
            try:
                fits = np.broadcast_shapes(shape, out.shape) == out.shape
            except ValueError:
                fits = False
            if not fits:
                raise ValueError(
                    f"{name}(): the inputs' shape {shape} does not broadcast to out's {out.shape}"
                )
            shape = out.shape
        n = math.prod(shape)
        program = kernel.native.program([op.is_array for op in operands], None)

        launch_args = []
        for k, (op, dtype) in enumerate(zip(operands, kernel.inputs)):
            if op.kind == "device":
                if op.value.shape != shape:
                    raise ValueError(
                        f"{name}(): input {k + 1} is a device array of shape {op.value.shape}, "
                        f"which would have to be broadcast to {shape}: broadcasting happens on "
                        "the host, so pass a device array of the full shape (or a host array)"
                    )
                launch_args.append(op.value._memory)
            elif op.kind == "host":
                host = op.value if op.value.shape == shape else np.broadcast_to(op.value, shape)
                host = np.asarray(host, dtype=dtype, order="C")
                launch_args.append(_DeviceMemory.from_host(host))
            else:
                launch_args.append(op.value)

        on_device = isinstance(out, DeviceNDArray) or any(op.kind == "device" for op in operands)
        if isinstance(out, DeviceNDArray):
            if out.dtype != kernel.output:
                raise TypeError(
                    f"{name}(): out is a device array of {out.dtype}, the signature "
                    f"{kernel.native.signature} gives {kernel.output}"
                )
            result = out
        else:
            result = DeviceNDArray(shape, kernel.output)
        _launch(program, kernel, n, launch_args, result._memory)

        if isinstance(out, np.ndarray):
            if out.dtype == kernel.output:
                return result.copy_to_host(out)
            np.copyto(out, result.copy_to_host(), casting="same_kind")
            return out
        if on_device:
            return result
        host = result.copy_to_host()
        return host if shape else host[()]
