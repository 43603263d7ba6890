"""benches/everyday_kernels.py --quick: every everyday kernel compiles and agrees with CPython
(and with Numba when it is installed). No timing assertion: the timings are the benchmark's job.
"""

import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_bench():
    path = ROOT / "benches" / "everyday_kernels.py"
    spec = importlib.util.spec_from_file_location("everyday_kernels", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["everyday_kernels"] = module  # inspect.getsource finds the kernels by module
    spec.loader.exec_module(module)
    return module


def test_everyday_kernels_quick_results_equal(capsys):
    bench = load_bench()
    status = bench.main(["--quick", "--no-numba"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert len(bench.KERNELS) >= 40


def test_wider_kernels_quick_results_equal(capsys):
    bench = load_bench()
    sys.path.insert(0, str(ROOT / "benches"))
    try:
        status = bench.main(["--quick", "--no-numba", "--set", "wider"])
    finally:
        sys.path.remove(str(ROOT / "benches"))
    out = capsys.readouterr().out
    assert status == 0, out
