"""``ferrojit.cuda`` without a GPU: what must work anywhere (CI has no GPU, no CUDA driver).

Decorating, compiling, signature checks, ``inspect_ptx`` and the dump switch work without a
device; every allocation, copy and launch raises ``CudaUnavailable`` with the probe's reason.
The assertions about a missing device skip on a machine that has one (test_gpu_launch.py then
runs the launches).
"""

import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ferrojit
from ferrojit import cuda

needs_no_gpu = pytest.mark.skipif(
    cuda.is_available(), reason="a CUDA device is available: these check its absence"
)


@cuda.vectorize(["f8(f8, f8, f8)", "f4(f4, f4, f4)"])
def saxpy(a, x, y):
    return a * x + y


def add(a, b):
    return a + b


def test_import_stays_cheap():
    code = "import sys, ferrojit; print('ferrojit.cuda' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_module_and_exception_exports():
    assert ferrojit.cuda is cuda
    assert ferrojit.CudaUnavailable is cuda.CudaUnavailable
    assert issubclass(cuda.CudaUnavailable, cuda.CudaError)
    assert issubclass(cuda.CudaError, RuntimeError)
    assert not issubclass(cuda.CudaError, ferrojit.CompileError)


@needs_no_gpu
def test_no_device_here():
    assert cuda.is_available() is False
    reason = cuda.unavailable_reason()
    assert isinstance(reason, str) and reason


@needs_no_gpu
@pytest.mark.parametrize(
    "action",
    [
        lambda: cuda.to_device(np.arange(4.0)),
        lambda: cuda.device_array((2, 3), np.float32),
        lambda: cuda.device_array_like(np.zeros(3)),
        lambda: saxpy(2.0, np.arange(4.0), np.arange(4.0)),
        lambda: saxpy(np.float32(2), np.ones(3, np.float32), np.ones(3, np.float32)),
        lambda: saxpy(1.0, 2.0, 3.0),
    ],
    ids=["to_device", "device_array", "device_array_like", "call", "call_f4", "call_scalars"],
)
def test_device_work_raises_cuda_unavailable(action):
    with pytest.raises(cuda.CudaUnavailable) as info:
        action()
    message = str(info.value)
    assert "no CUDA device available" in message
    assert cuda.unavailable_reason() in message


@needs_no_gpu
def test_nothing_was_copied_without_a_device():
    cuda.reset_transfer_stats()
    with pytest.raises(cuda.CudaUnavailable):
        saxpy(2.0, np.arange(4.0), np.arange(4.0))
    assert cuda.transfer_stats() == {"htod": 0, "htod_bytes": 0, "dtoh": 0, "dtoh_bytes": 0}


def test_ufunc_attributes():
    assert saxpy.nin == 3 and saxpy.nout == 1 and saxpy.nargs == 4
    assert saxpy.ntypes == 2
    assert saxpy.types == ["ddd->d", "fff->f"]
    assert saxpy.signatures == [
        "float64(float64, float64, float64)",
        "float32(float32, float32, float32)",
    ]
    assert saxpy.__name__ == "saxpy"
    assert "saxpy" in repr(saxpy)
    assert saxpy.targetoptions["fastmath"] is False


def test_decorator_forms():
    f = cuda.vectorize("f8(f8, f8)")(add)
    assert f.signatures == ["float64(float64, float64)"]
    g = cuda.vectorize([ferrojit.f4(ferrojit.f4, ferrojit.f4)], target="cuda")(add)
    assert g.signatures == ["float32(float32, float32)"]
    lazy = cuda.vectorize(add)
    assert lazy.ntypes == 0
    lazy2 = cuda.vectorize()(add)
    assert lazy2.ntypes == 0
    # The result type may be inferred.
    h = cuda.vectorize(["(i4, i4)"])(add)
    assert h.signatures[0].endswith("(int32, int32)")


def test_lazy_ufunc_compiles_for_the_call_types():
    lazy = cuda.vectorize(add)
    try:
        lazy(np.arange(3, dtype=np.int32), 2)
    except cuda.CudaUnavailable:
        pass
    assert lazy.signatures == ["int64(int32, int64)"]


def test_bad_options():
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        cuda.vectorize(["f8(f8)"], bogus=1)
    with pytest.raises(ValueError, match="target must be 'gpu' or 'cuda'"):
        cuda.vectorize(["f8(f8)"], target="cpu")
    with pytest.raises(ValueError, match="error_model"):
        cuda.vectorize(["f8(f8)"], error_model="strict")
    with pytest.warns(ferrojit.FerrojitWarning, match="cache"):
        cuda.vectorize(["f8(f8, f8)"], cache=True)(add)


def test_complex_operands_are_unsupported_on_the_gpu():
    with pytest.raises(ferrojit.UnsupportedError, match="complex operands and results"):
        cuda.vectorize(["c16(c16, c16)"])(add)
    with pytest.raises(ferrojit.UnsupportedError, match="complex"):
        cuda.vectorize(["f8(c8, f8)"])(add)


def make_complex(a, b):
    return complex(a, b)


def test_inferred_complex_result_is_unsupported():
    with pytest.raises(ferrojit.UnsupportedError, match="make_complex\\(\\) returns complex128"):
        cuda.vectorize(["(f8, f8)"])(make_complex)


def test_array_operands_are_rejected():
    with pytest.raises(ferrojit.TypingError, match="must be a scalar type"):
        cuda.vectorize(["f8(f8[:], f8)"])(add)


def bad_kernel(a):
    return a + "x"


def test_typing_errors_surface_at_decoration():
    with pytest.raises(ferrojit.TypingError, match="bad_kernel|unsupported operand"):
        cuda.vectorize(["f8(f8)"])(bad_kernel)


def test_bad_signature_text():
    with pytest.raises(ferrojit.SignatureError):
        cuda.vectorize(["f8(f8"])(add)


def test_wrong_argument_count():
    with pytest.raises(TypeError, match="takes 3 inputs but 2 were given"):
        saxpy(1.0, np.ones(3))


def test_no_signature_for_the_input_types():
    with pytest.raises(TypeError, match="no signature for the input types"):
        saxpy(1.0, np.ones(3, dtype=np.complex128), np.ones(3))
    with pytest.raises(TypeError, match="not a number"):
        saxpy(1.0, ["a", "b"], np.ones(2))


def test_math_max_ulp():
    assert cuda.math_max_ulp("sin") == 1.0
    assert cuda.math_max_ulp("tan") == 2.0
    assert cuda.math_max_ulp("sinf") == 1.0
    assert cuda.math_max_ulp("fmod") == 0.0
    assert cuda.math_max_ulp("erf") == float("inf")
    with pytest.raises(ValueError, match="unknown math function"):
        cuda.math_max_ulp("nope")


# --- inspect_ptx ---------------------------------------------------------------------------------


def test_inspect_ptx_by_signature():
    by_index = saxpy.inspect_ptx(1)
    by_text = saxpy.inspect_ptx("f4(f4, f4, f4)")
    canonical = saxpy.inspect_ptx("float32(float32, float32, float32)")
    assert by_index == by_text == canonical
    assert "add.rn.f32" in by_text and ".version 7.0" in by_text
    every = saxpy.inspect_ptx()
    assert set(every) == set(saxpy.signatures)
    assert every["float32(float32, float32, float32)"] == by_text
    with pytest.raises(KeyError, match="has no signature"):
        saxpy.inspect_ptx("i8(i8, i8, i8)")


def test_inspect_ptx_patterns_and_targets():
    arrays = saxpy.inspect_ptx(0)
    scalar_a = saxpy.inspect_ptx(0, scalars=[0])
    assert arrays != scalar_a
    def entry_params(ptx):
        entry = ptx[ptx.index(".visible .entry") :]
        return entry[: entry.index(")")]

    assert ".param .f64" in entry_params(scalar_a)
    assert ".param .f64" not in entry_params(arrays)
    sm90 = saxpy.inspect_ptx(0, target="sm_90")
    assert ".target sm_90" in sm90 and ".version 7.8" in sm90
    with pytest.raises(ValueError, match="scalar positions"):
        saxpy.inspect_ptx(0, scalars=[3])
    with pytest.raises(ferrojit.UnsupportedError, match="sm_60"):
        saxpy.inspect_ptx(0, target="sm_60")


def test_inspect_ir():
    ir = saxpy.inspect_ir(0)
    assert "saxpy" in ir and "fmul" in ir or "mul" in ir


def test_programs_are_cached():
    first = saxpy.inspect_ptx(0, scalars=[0])
    # The same pattern gives the same (cached) program, not a recompilation.
    kernel = saxpy._kernels[0].native
    assert kernel.program([False, True, True]).ptx == first
    assert kernel.program([False, True, True]).kernel_name == "fjk_saxpy__0__saa"


def test_dump_ptx_switch(tmp_path):
    script = tmp_path / "dump_kernel.py"
    script.write_text(
        textwrap.dedent(
            """
            from ferrojit import cuda

            @cuda.vectorize(["f8(f8)"])
            def twice(x):
                return x * 2.0

            twice.inspect_ptx()
            """
        )
    )
    env = dict(os.environ, FERROJIT_DUMP="ptx")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert "--- PTX of twice" in run.stderr and ".visible .entry" in run.stderr


# --- ferrojit.vectorize(target='gpu') -------------------------------------------------------------


def test_vectorize_forwards_gpu_targets():
    for target in ("gpu", "cuda"):
        try:
            ufunc = ferrojit.vectorize(["f8(f8, f8)"], target=target)(add)
        except (ValueError, NotImplementedError) as err:
            pytest.skip(f"ferrojit.vectorize does not forward target={target!r} yet: {err}")
        assert isinstance(ufunc, cuda.GpuUFunc)


def five_args(a, b, c, d, e):
    return a


def test_launch_arguments_are_converted_before_the_device_is_needed():
    ufunc = cuda.vectorize(["u1(u1, f4, b1, i8, u8)"])(five_args)
    program = ufunc._kernels[0].native.program([False] * 5)
    good = [200, 1.5, True, -(2**63), 2**64 - 1]
    # Every value converts; only then is the (missing) output memory noticed.
    with pytest.raises(TypeError, match="out: expected device memory"):
        program.launch(1, good, None)
    bad = [
        (0, 256, OverflowError, "256 out of bounds for uint8"),
        (0, -1, OverflowError, "out of bounds for uint8"),
        (3, 2**63, OverflowError, "out of bounds for int64"),
        (4, -1, OverflowError, "out of bounds for uint64"),
        (4, 2**64, OverflowError, "out of bounds for uint64"),
        (1, "x", TypeError, "input 2: expected a number for a float32 scalar, got str"),
    ]
    for position, value, error, message in bad:
        args = list(good)
        args[position] = value
        with pytest.raises(error, match=message):
            program.launch(1, args, None)
    with pytest.raises(TypeError, match="takes 5 inputs, got 2"):
        program.launch(1, good[:2], None)
    array_program = ufunc._kernels[0].native.program([True] * 5)
    with pytest.raises(TypeError, match="input 1: expected device memory"):
        array_program.launch(1, good, None)


# --- docs/gpu.md ---------------------------------------------------------------------------------

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "gpu.md"


def test_the_gpu_page_examples_run(tmp_path):
    """The ```python blocks of docs/gpu.md run in order as one module; blocks that start with
    ``# needs a GPU`` only where there is one."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 2
    runnable = [b for b in blocks if cuda.is_available() or not b.startswith("# needs a GPU")]
    path = tmp_path / "gpu_doc_example.py"
    path.write_text("\n".join(runnable))
    spec = importlib.util.spec_from_file_location("gpu_doc_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def test_the_gpu_page_accuracy_table_matches_the_mathlib():
    rows = re.findall(r"^\| `(\w+)`(?: \([^)]*\))? \| (\d+) \|$", DOC.read_text(), re.M)
    assert len(rows) >= 20
    for name, ulps in rows:
        assert cuda.math_max_ulp(name) == float(ulps), name
