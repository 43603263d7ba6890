"""GPU ufuncs launched on a real device, compared with the CPU backend (needs a CUDA GPU).

Every kernel is run on the GPU (``ferrojit.cuda.vectorize``) and on the CPU (``ferrojit.jit``
with the same signature and ``error_model='numpy'``, element by element) on the same inputs:

- arithmetic, comparisons, integer and float floor division and modulo must agree bit for bit
  (NaNs agree as NaNs: x86 and NVIDIA GPUs produce different NaN payloads);
- math functions must agree within ``cuda.math_max_ulp(name) + 1`` ULPs: the GPU runs
  ``ir::mathlib`` (within ``max_ulp`` of the correctly rounded result), the CPU the platform
  libm (itself up to about 1 ULP off); ``float32`` kernels within 2 ULPs of ``float32``;
- device arrays round-trip exactly, and calls on device arrays make no host copies.

Without a device every test here skips with the reason; with ``FERROJIT_GPU_TESTS=1`` a missing
device is a failure instead (for GPU CI machines).
"""

import math
import os

import numpy as np
import pytest

import ferrojit
from ferrojit import cuda
from ferrojit._ferrojit import parse_signature


@pytest.fixture(autouse=True)
def require_gpu():
    if not cuda.is_available():
        reason = f"no CUDA device: {cuda.unavailable_reason()}"
        if os.environ.get("FERROJIT_GPU_TESTS") == "1":
            pytest.fail(reason + " (FERROJIT_GPU_TESTS=1)")
        pytest.skip(reason)


N = 3001  # not a multiple of the block size: the grid-stride loop's tail runs too
RNG_SEED = 20240605

INT_TYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOAT_TYPES = ["float32", "float64"]


# --- helpers -----------------------------------------------------------------------------------


def cpu_reference(func, signature, *columns):
    """``func`` compiled for the CPU with ``signature``, applied element by element."""
    cpu = ferrojit.jit(signature, error_model="numpy")(func)
    n = max((len(c) for c in columns if isinstance(c, np.ndarray)), default=1)
    expanded = [c if isinstance(c, np.ndarray) else [c] * n for c in columns]
    out_dtype = np.dtype(parse_signature(signature).split("(")[0])
    return np.array([cpu(*values) for values in zip(*expanded)], dtype=out_dtype)


def assert_bitwise_equal(gpu, cpu, label):
    assert gpu.dtype == cpu.dtype and gpu.shape == cpu.shape, label
    if gpu.dtype.kind == "f":
        both_nan = np.isnan(gpu) & np.isnan(cpu)
        same = (gpu.view(f"u{gpu.itemsize}") == cpu.view(f"u{cpu.itemsize}")) | both_nan
    else:
        same = gpu == cpu
    if not same.all():
        i = int(np.argmin(same))
        raise AssertionError(
            f"{label}: {int((~same).sum())} of {same.size} results differ; first at {i}: "
            f"GPU {gpu[i]!r}, CPU {cpu[i]!r}"
        )


def ulp_distance(a, b):
    """ULPs between floats of the same dtype (NaN vs NaN: 0; NaN vs a number: huge)."""
    bits = a.itemsize * 8
    itype, utype = np.dtype(f"i{a.itemsize}"), np.dtype(f"u{a.itemsize}")

    def ordered(x):
        i = x.view(itype).astype(np.int64)
        return np.where(i < 0, np.int64(-(2 ** (bits - 1))) - i, i)

    oa, ob = ordered(a), ordered(b)
    forward = oa.view(np.uint64) - ob.view(np.uint64)  # wraps: |oa - ob| is the smaller one
    distance = np.minimum(forward, np.uint64(0) - forward)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    distance = np.where(nan_a & nan_b, np.uint64(0), distance)
    return np.where(nan_a ^ nan_b, np.uint64(2**62), distance)


def int_inputs(rng, dtype, nonzero=False, small=False):
    info = np.iinfo(dtype)
    if small:
        values = rng.integers(0, min(8, info.bits), N, dtype=dtype)
    else:
        values = rng.integers(info.min, info.max, N, dtype=dtype, endpoint=True)
        values[:6] = [info.min, info.max, 0, 1, info.min + 1, info.max - 1]
    if nonzero:
        values[values == 0] = 1
    return values


SPECIAL_FLOATS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, 1e-310, -5e-324, 1e308]


def float_inputs(rng, dtype, lo=-1e3, hi=1e3):
    values = rng.uniform(lo, hi, N).astype(dtype)
    with np.errstate(over="ignore"):
        values[: len(SPECIAL_FLOATS)] = np.array(SPECIAL_FLOATS).astype(dtype)
    return values


# --- kernels -------------------------------------------------------------------------------------


def arith(a, b):
    return a * b + a - b


def floordiv(a, b):
    return a // b


def modulo(a, b):
    return a % b


def bits(a, b):
    return (a & b) | (a ^ b) | (a >> b) | (a << b)


def choose(a, b):
    return a if a > b else b


def true_div(a, b):
    return a / b


def minmax_abs(a, b):
    return max(a, b) - min(a, b) + abs(a)


def logic(a, b):
    return (a or b) and not (a and b)


def greater_equal(a, b):
    return a >= b


sig = 'uint8(uint32, f4, f4, f4, f4, uint32, uint32, uint32)'


def mandel_kernel(tid, min_x, max_x, min_y, max_y, width, height, iters):
    pixel_size_x = (max_x - min_x) / width
    pixel_size_y = (max_y - min_y) / height
    x = tid % width
    y = tid / width
    real = min_x + x * pixel_size_x
    imag = min_y + y * pixel_size_y
    c = complex(real, imag)
    z = 0.0j
    for i in range(iters):
        z = z * z + c
        if (z.real * z.real + z.imag * z.imag) >= 4:
            return i
    return 255


# --- arithmetic, bit for bit ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", INT_TYPES)
def test_integer_kernels_match_the_cpu(dtype):
    rng = np.random.default_rng(RNG_SEED)
    same = f"{dtype}({dtype}, {dtype})"
    a = int_inputs(rng, dtype)
    cases = [
        (arith, same, a, int_inputs(rng, dtype)),
        (floordiv, same, a, int_inputs(rng, dtype, nonzero=True)),
        (modulo, same, a, int_inputs(rng, dtype, nonzero=True)),
        (bits, same, a, int_inputs(rng, dtype, small=True)),
        (choose, same, a, int_inputs(rng, dtype)),
        (minmax_abs, same, a, int_inputs(rng, dtype)),
        (true_div, f"float64({dtype}, {dtype})", a, int_inputs(rng, dtype, nonzero=True)),
        (greater_equal, f"bool({dtype}, {dtype})", a, int_inputs(rng, dtype)),
    ]
    for func, signature, x, y in cases:
        gpu_ufunc = cuda.vectorize([signature])(func)
        expected = cpu_reference(func, signature, x, y)
        assert_bitwise_equal(gpu_ufunc(x, y), expected, f"{func.__name__} {signature}")
        # The same kernel with a broadcast scalar input.
        scalar = y[7]
        expected = cpu_reference(func, signature, x, scalar)
        assert_bitwise_equal(gpu_ufunc(x, scalar), expected, f"{func.__name__} (scalar b)")


@pytest.mark.parametrize("dtype", FLOAT_TYPES)
def test_float_kernels_match_the_cpu(dtype):
    rng = np.random.default_rng(RNG_SEED)
    same = f"{dtype}({dtype}, {dtype})"
    a, b = float_inputs(rng, dtype), float_inputs(rng, dtype)[::-1].copy()
    for func in (arith, floordiv, modulo, choose, true_div, minmax_abs):
        gpu_ufunc = cuda.vectorize([same])(func)
        with np.errstate(all="ignore"):
            expected = cpu_reference(func, same, a, b)
        assert_bitwise_equal(gpu_ufunc(a, b), expected, f"{func.__name__} {same}")
    compare = cuda.vectorize([f"bool({dtype}, {dtype})"])(greater_equal)
    assert_bitwise_equal(
        compare(a, b), cpu_reference(greater_equal, f"bool({dtype}, {dtype})", a, b), "a >= b"
    )


def test_bool_kernels_match_the_cpu():
    rng = np.random.default_rng(RNG_SEED)
    a, b = rng.integers(0, 2, N).astype(bool), rng.integers(0, 2, N).astype(bool)
    gpu_ufunc = cuda.vectorize(["bool(bool, bool)"])(logic)
    assert_bitwise_equal(gpu_ufunc(a, b), cpu_reference(logic, "bool(bool, bool)", a, b), "logic")
    assert_bitwise_equal(gpu_ufunc(a, True), cpu_reference(logic, "bool(bool, bool)", a, True),
                         "logic (scalar)")


def test_mandelbrot_matches_the_cpu():
    width, height, iters = 96, 64, 60
    gpu_mandel = cuda.vectorize([sig], target="gpu")(mandel_kernel)
    tids = np.arange(width * height, dtype=np.uint32)
    args = (np.float32(-2.0), np.float32(1.0), np.float32(-1.0), np.float32(1.0),
            np.uint32(width), np.uint32(height), np.uint32(iters))
    image = gpu_mandel(tids, *args)
    assert image.dtype == np.uint8 and image.shape == (width * height,)
    expected = cpu_reference(mandel_kernel, sig, tids, *args)
    assert_bitwise_equal(image, expected, "mandel")
    assert len(np.unique(image)) > 5  # not a blank picture
    # Python scalars select the same kernel (they fit uint32 / float32).
    image2 = gpu_mandel(tids, -2.0, 1.0, -1.0, 1.0, width, height, iters)
    assert_bitwise_equal(image2, expected, "mandel (Python scalars)")


# --- math functions, within the documented ULPs --------------------------------------------------


def k_sin(x): return math.sin(x)            # noqa: E704
def k_cos(x): return math.cos(x)            # noqa: E704
def k_tan(x): return math.tan(x)            # noqa: E704
def k_asin(x): return math.asin(x)          # noqa: E704
def k_acos(x): return math.acos(x)          # noqa: E704
def k_atan(x): return math.atan(x)          # noqa: E704
def k_sinh(x): return math.sinh(x)          # noqa: E704
def k_cosh(x): return math.cosh(x)          # noqa: E704
def k_tanh(x): return math.tanh(x)          # noqa: E704
def k_asinh(x): return math.asinh(x)        # noqa: E704
def k_acosh(x): return math.acosh(x)        # noqa: E704
def k_atanh(x): return math.atanh(x)        # noqa: E704
def k_exp(x): return math.exp(x)            # noqa: E704
def k_expm1(x): return math.expm1(x)        # noqa: E704
def k_log(x): return math.log(x)            # noqa: E704
def k_log1p(x): return math.log1p(x)        # noqa: E704
def k_log10(x): return math.log10(x)        # noqa: E704
def k_log2(x): return math.log2(x)          # noqa: E704
def k_sqrt(x): return math.sqrt(x)          # noqa: E704
def k_floor(x): return math.floor(x)        # noqa: E704
def k_fabs(x): return math.fabs(x)          # noqa: E704
def k_atan2(y, x): return math.atan2(y, x)  # noqa: E704
def k_pow(x, y): return math.pow(x, y)      # noqa: E704
def k_hypot(x, y): return math.hypot(x, y)  # noqa: E704
def k_fmod(x, y): return math.fmod(x, y)    # noqa: E704


# name: (kernel, domain of each argument, exact?)
MATH = {
    "sin": (k_sin, [(-10, 10)], False),
    "cos": (k_cos, [(-10, 10)], False),
    "tan": (k_tan, [(-10, 10)], False),
    "asin": (k_asin, [(-1, 1)], False),
    "acos": (k_acos, [(-1, 1)], False),
    "atan": (k_atan, [(-100, 100)], False),
    "sinh": (k_sinh, [(-20, 20)], False),
    "cosh": (k_cosh, [(-20, 20)], False),
    "tanh": (k_tanh, [(-20, 20)], False),
    "asinh": (k_asinh, [(-100, 100)], False),
    "acosh": (k_acosh, [(1, 100)], False),
    "atanh": (k_atanh, [(-0.999, 0.999)], False),
    "exp": (k_exp, [(-80, 80)], False),
    "expm1": (k_expm1, [(-5, 5)], False),
    "log": (k_log, [(1e-30, 1e30)], False),
    "log1p": (k_log1p, [(-0.99, 100)], False),
    "log10": (k_log10, [(1e-30, 1e30)], False),
    "log2": (k_log2, [(1e-30, 1e30)], False),
    "sqrt": (k_sqrt, [(0, 1e6)], True),
    "floor": (k_floor, [(-1e6, 1e6)], True),
    "fabs": (k_fabs, [(-1e6, 1e6)], True),
    "atan2": (k_atan2, [(-10, 10), (-10, 10)], False),
    "pow": (k_pow, [(0.01, 100), (-10, 10)], False),
    "hypot": (k_hypot, [(-1e3, 1e3), (-1e3, 1e3)], False),
    "fmod": (k_fmod, [(-100, 100), (0.1, 10)], True),
}


@pytest.mark.parametrize("dtype", FLOAT_TYPES)
@pytest.mark.parametrize("name", sorted(MATH))
def test_math_functions_within_documented_ulps(name, dtype):
    func, domains, exact = MATH[name]
    rng = np.random.default_rng(RNG_SEED)
    inputs = [rng.uniform(lo, hi, N).astype(dtype) for lo, hi in domains]
    if name in ("log", "log10", "log2"):
        inputs = [np.exp(rng.uniform(np.log(1e-30), np.log(1e30), N)).astype(dtype)]
    signature = f"{dtype}({', '.join([dtype] * len(inputs))})"
    gpu = cuda.vectorize([signature])(func)(*inputs)
    with np.errstate(all="ignore"):
        cpu = cpu_reference(func, signature, *inputs)
    if exact:
        assert_bitwise_equal(gpu, cpu, f"{name} {dtype}")
        return
    bound = cuda.math_max_ulp(name) + 1 if dtype == "float64" else 2
    distance = ulp_distance(gpu, cpu)
    worst = int(np.argmax(distance))
    assert distance[worst] <= bound, (
        f"{name} {dtype}: {int(distance[worst])} ULPs (bound {bound}) at "
        f"{[x[worst] for x in inputs]}: GPU {gpu[worst]!r}, CPU {cpu[worst]!r}"
    )


def test_fastmath_float32_is_approximately_right():
    x = np.linspace(-3, 3, N, dtype=np.float32)
    fast = cuda.vectorize(["f4(f4)"], fastmath=True)(k_sin)(x)
    np.testing.assert_allclose(fast, np.sin(x), atol=2e-6)


# --- errors --------------------------------------------------------------------------------------


def test_integer_division_by_zero_raises_like_the_cpu():
    gpu_ufunc = cuda.vectorize(["int64(int64, int64)"])(floordiv)
    a, b = np.arange(N, dtype=np.int64), np.ones(N, dtype=np.int64)
    b[1234] = 0
    with pytest.raises(ZeroDivisionError) as gpu_error:
        gpu_ufunc(a, b)
    cpu = ferrojit.jit("int64(int64, int64)")(floordiv)
    with pytest.raises(ZeroDivisionError) as cpu_error:
        cpu(a[1234], b[1234])
    assert str(gpu_error.value) == str(cpu_error.value)
    # The module stays usable after a raise.
    np.testing.assert_array_equal(gpu_ufunc(a, np.full(N, 2, np.int64)), a // 2)


# --- device arrays -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        np.arange(N, dtype=np.float64),
        np.arange(24, dtype=np.int16).reshape(2, 3, 4),
        np.array([True, False, True]),
        np.zeros(0, np.float32),
        np.float32(2.5) * np.ones(()),
        np.arange(10, dtype=np.complex128),
    ],
    ids=["f8", "i2-3d", "bool", "empty", "0-d", "c16"],
)
def test_device_array_round_trip(host):
    d = cuda.to_device(host)
    assert d.shape == host.shape and d.dtype == host.dtype
    back = d.copy_to_host()
    assert back.dtype == host.dtype
    np.testing.assert_array_equal(back, host)
    out = np.empty_like(host)
    assert d.copy_to_host(out) is out
    np.testing.assert_array_equal(out, host)
    zeros = cuda.device_array(host.shape, host.dtype).copy_to_host()
    np.testing.assert_array_equal(zeros, np.zeros_like(host))


def test_calls_on_device_arrays_make_no_host_copies():
    saxpy = cuda.vectorize(["f8(f8, f8, f8)"])(arith_saxpy)
    x, y = np.arange(N, dtype=np.float64), np.ones(N)
    dx, dy = cuda.to_device(x), cuda.to_device(y)
    saxpy(2.0, dx, dy)  # compile and load first
    cuda.reset_transfer_stats()
    result = saxpy(2.0, dx, dy)
    chained = saxpy(0.5, result, result)
    assert isinstance(chained, cuda.DeviceNDArray)
    assert cuda.transfer_stats() == {"htod": 0, "htod_bytes": 0, "dtoh": 0, "dtoh_bytes": 0}
    np.testing.assert_array_equal(chained.copy_to_host(), 1.5 * (2.0 * x + y))
    stats = cuda.transfer_stats()
    assert stats["dtoh"] == 1 and stats["dtoh_bytes"] == N * 8


def arith_saxpy(a, x, y):
    return a * x + y


def test_host_calls_copy_each_input_once():
    saxpy = cuda.vectorize(["f8(f8, f8, f8)"])(arith_saxpy)
    x, y = np.arange(N, dtype=np.float64), np.ones(N)
    cuda.reset_transfer_stats()
    result = saxpy(2.0, x, y)
    assert cuda.transfer_stats() == {
        "htod": 2, "htod_bytes": 2 * N * 8, "dtoh": 1, "dtoh_bytes": N * 8,
    }
    np.testing.assert_array_equal(result, 2.0 * x + y)


def test_module_is_loaded_at_the_first_launch():
    saxpy = cuda.vectorize(["f8(f8, f8, f8)"])(arith_saxpy)
    program = saxpy._kernels[0].native.program([False, True, True])
    assert not program.loaded
    saxpy(1.0, np.ones(4), np.ones(4))
    assert program.loaded


def test_broadcasting_and_out_on_the_device():
    saxpy = cuda.vectorize(["f8(f8, f8, f8)"])(arith_saxpy)
    x = np.arange(12.0).reshape(3, 4)
    y = np.arange(4.0)
    np.testing.assert_array_equal(saxpy(2.0, x, y), 2.0 * x + y)
    out = cuda.device_array((3, 4))
    dx = cuda.to_device(x)
    assert saxpy(2.0, dx, y, out=out) is out
    np.testing.assert_array_equal(out.copy_to_host(), 2.0 * x + y)
    assert saxpy(1.0, 2.0, 3.0) == 5.0
