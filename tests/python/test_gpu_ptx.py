"""GPU ufuncs compile to PTX that ``ptxas`` accepts, with no GPU and no CUDA driver.

Every kernel here is compiled through ``ferrojit.cuda.vectorize`` (the same front end and IR as
``@jit``), turned into PTX by ``inspect_ptx`` for each target, and assembled by ``ptxas
--gpu-name sm_70|sm_80|sm_90``: every scalar type the GPU takes, integer and float division and
modulo with Python's semantics, comparisons and selects, every math function the GPU has (with
and without ``fastmath``), and the seed's Mandelbrot kernel with its scalar inputs broadcast.

``ptxas`` comes from the ``nvidia-cuda-nvcc-cu12`` wheel (``$FERROJIT_PTXAS`` overrides it); when
it is missing these tests skip, unless ``FERROJIT_REQUIRE_PTXAS=1`` (CI), which makes them fail.
"""

import math
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest

import ferrojit
from ferrojit import cuda

TARGETS = ["sm_70", "sm_80", "sm_90"]

INT_TYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOAT_TYPES = ["float32", "float64"]


# --- ptxas ---------------------------------------------------------------------------------------


def _find_ptxas():
    path = os.environ.get("FERROJIT_PTXAS")
    if path:
        return path if os.path.isfile(path) else None
    try:
        import nvidia.cuda_nvcc as nvcc
    except ImportError:
        return None
    candidate = os.path.join(list(nvcc.__path__)[0], "bin", "ptxas")
    return candidate if os.path.isfile(candidate) else None


PTXAS = _find_ptxas()


@pytest.fixture(scope="module")
def ptxas():
    if PTXAS is None:
        message = (
            "ptxas not found: install nvidia-cuda-nvcc-cu12 into the venv or set FERROJIT_PTXAS"
        )
        if os.environ.get("FERROJIT_REQUIRE_PTXAS") == "1":
            pytest.fail(message + " (FERROJIT_REQUIRE_PTXAS=1)")
        pytest.skip(message)
    return PTXAS


def _numbered(text):
    return "".join(f"{i + 1:5} | {line}\n" for i, line in enumerate(text.splitlines()))


def _assemble(ptxas, label, ptx, target):
    """``None`` if ptxas accepts ``ptx`` for ``target``, else its message and the PTX."""
    with tempfile.NamedTemporaryFile("w", suffix=".ptx", delete=False) as f:
        f.write(ptx)
        path = f.name
    try:
        run = subprocess.run(
            [ptxas, "--gpu-name", target, "-o", os.devnull, path],
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(path)
    if run.returncode == 0:
        return None
    message = f"{run.stdout}{run.stderr}"
    return f"ptxas --gpu-name {target} rejected {label}:\n{message}\n{_numbered(ptx)}"


def assemble_all(ptxas, jobs):
    """Assembles ``(label, ptx, target)`` jobs (concurrently); fails listing every rejection."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [f for f in pool.map(lambda j: _assemble(ptxas, *j), jobs) if f]
    assert not failures, f"{len(failures)} of {len(jobs)} kernels rejected:\n" + "\n".join(
        failures[:3]
    )


def ptx_jobs(ufunc, label, scalars=(), targets=TARGETS):
    return [(f"{label} for {t}", ufunc.inspect_ptx(scalars=scalars, target=t), t) for t in targets]


# --- kernels -------------------------------------------------------------------------------------


def arith(a, b):
    return a * b + a - b


def int_floordiv(a, b):
    return a // b


def int_mod(a, b):
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


def mixed(a, b):
    # Mixed widths and kinds: promotion and conversions.
    return a * 2 + b * 0.5


def float_floordiv_mod(a, b):
    return a // b + a % b


def math_unary(x):
    return (
        math.sin(x) + math.cos(x) + math.tan(x) + math.asin(x) + math.acos(x) + math.atan(x)
        + math.sinh(x) + math.cosh(x) + math.tanh(x) + math.asinh(x) + math.acosh(x)
        + math.atanh(x) + math.exp(x) + math.expm1(x) + math.log(x) + math.log1p(x)
        + math.log10(x) + math.log2(x) + math.sqrt(x) + math.floor(x) + math.ceil(x)
        + math.trunc(x) + math.fabs(x) + math.degrees(x) + math.radians(x)
    )


def math_binary(x, y):
    return (
        math.atan2(x, y) + math.pow(x, y) + math.hypot(x, y) + math.fmod(x, y)
        + math.copysign(x, y) + x ** y
    )


def math_int_power(x, n):
    return x ** n + n ** 3


def uses_erf(x):
    return math.erf(x)


# The seed's Mandelbrot GPU ufunc, verbatim.
sig = 'uint8(uint32, f4, f4, f4, f4, uint32, uint32, uint32)'


@cuda.vectorize([sig], target='gpu')
def mandel(tid, min_x, max_x, min_y, max_y, width, height, iters):
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


# --- tests ---------------------------------------------------------------------------------------


def test_mandelbrot_seed_assembles(ptxas):
    jobs = ptx_jobs(mandel, "mandel (tid array, the rest scalars)", scalars=range(1, 8))
    jobs += ptx_jobs(mandel, "mandel (all arrays)")
    assemble_all(ptxas, jobs)


def test_mandelbrot_ptx_shape():
    ptx = mandel.inspect_ptx(scalars=range(1, 8))
    assert ".target sm_70" in ptx
    entry = ptx[ptx.index(".visible .entry") :]
    header = entry[: entry.index(")")]
    # n, the tid array, 4 f32 scalars, 3 u32 scalars, out, err.
    assert header.count(".param .u64") == 4, header
    assert header.count(".param .f32") == 4, header
    assert header.count(".param .u32") == 3, header
    # Complex arithmetic inside the kernel is flattened to float pairs: no complex anywhere.
    assert "st.global.u8" in ptx or "st.global.b8" in ptx


@pytest.mark.parametrize("dtype", INT_TYPES)
def test_integer_kernels_assemble(ptxas, dtype):
    same = f"{dtype}({dtype}, {dtype})"
    ufuncs = {
        "arith": cuda.vectorize([same])(arith),
        "floordiv": cuda.vectorize([same])(int_floordiv),
        "mod": cuda.vectorize([same])(int_mod),
        "bits": cuda.vectorize([same])(bits),
        "choose": cuda.vectorize([same])(choose),
        "minmax_abs": cuda.vectorize([same])(minmax_abs),
        "true_div": cuda.vectorize([f"float64({dtype}, {dtype})"])(true_div),
        "mixed": cuda.vectorize([f"float64({dtype}, float32)"])(mixed),
    }
    jobs = []
    for label, ufunc in ufuncs.items():
        jobs += ptx_jobs(ufunc, f"{label} {dtype}")
        jobs += ptx_jobs(ufunc, f"{label} {dtype} (scalar b)", scalars=[1], targets=["sm_80"])
    assemble_all(ptxas, jobs)


@pytest.mark.parametrize("dtype", FLOAT_TYPES)
def test_float_kernels_assemble(ptxas, dtype):
    same = f"{dtype}({dtype}, {dtype})"
    ufuncs = {
        "arith": cuda.vectorize([same])(arith),
        "floordiv_mod": cuda.vectorize([same])(float_floordiv_mod),
        "choose": cuda.vectorize([same])(choose),
        "true_div": cuda.vectorize([same])(true_div),
        "strict_div": cuda.vectorize([same], error_model="python")(true_div),
        "minmax_abs": cuda.vectorize([same])(minmax_abs),
    }
    jobs = []
    for label, ufunc in ufuncs.items():
        jobs += ptx_jobs(ufunc, f"{label} {dtype}")
        jobs += ptx_jobs(ufunc, f"{label} {dtype} (scalar a)", scalars=[0], targets=["sm_90"])
    assemble_all(ptxas, jobs)


def test_bool_kernels_assemble(ptxas):
    jobs = []
    jobs += ptx_jobs(cuda.vectorize(["bool(bool, bool)"])(logic), "logic")
    jobs += ptx_jobs(cuda.vectorize(["bool(float64, float64)"])(lambda_free_greater), "compare")
    jobs += ptx_jobs(cuda.vectorize(["int64(bool, int64)"])(arith), "bool arith")
    jobs += ptx_jobs(cuda.vectorize(["bool(bool, bool)"])(logic), "logic (scalar)", scalars=[1])
    assemble_all(ptxas, jobs)


def lambda_free_greater(a, b):
    return a > b


@pytest.mark.parametrize("fastmath", [False, True], ids=["exact", "fastmath"])
@pytest.mark.parametrize("dtype", FLOAT_TYPES)
def test_math_functions_assemble(ptxas, dtype, fastmath):
    unary = cuda.vectorize([f"{dtype}({dtype})"], fastmath=fastmath)(math_unary)
    binary = cuda.vectorize([f"{dtype}({dtype}, {dtype})"], fastmath=fastmath)(math_binary)
    power = cuda.vectorize([f"{dtype}({dtype}, int64)"], fastmath=fastmath)(math_int_power)
    jobs = ptx_jobs(unary, f"math_unary {dtype}") + ptx_jobs(binary, f"math_binary {dtype}")
    jobs += ptx_jobs(power, f"math_int_power {dtype}")
    assemble_all(ptxas, jobs)


def test_fastmath_uses_approximate_instructions():
    exact = cuda.vectorize(["f4(f4)"])(sin_exp32)
    fast = cuda.vectorize(["f4(f4)"], fastmath=True)(sin_exp32)
    assert "sin.approx.f32" not in exact.inspect_ptx()
    assert "sin.approx.f32" in fast.inspect_ptx()
    assert "ex2.approx" in fast.inspect_ptx()


def sin_exp32(x):
    return math.sin(x) + math.exp(x)


def test_exact_arithmetic_is_never_contracted():
    ptx = cuda.vectorize(["f8(f8, f8)"])(arith).inspect_ptx()
    assert "mul.rn.f64" in ptx and "fma" not in ptx
    assert ".ftz" not in ptx


def test_unsupported_math_function_is_reported():
    ufunc = cuda.vectorize(["f8(f8)"])(uses_erf)
    with pytest.raises(ferrojit.UnsupportedError, match="erf"):
        ufunc.inspect_ptx()
