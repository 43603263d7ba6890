"""`make demo`'s chart (benches/chart.py): times relative to Numba, log scale, as SVG."""

import importlib.util
import pathlib
import xml.dom.minidom

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_chart():
    spec = importlib.util.spec_from_file_location("bench_chart", ROOT / "benches" / "chart.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(with_numba=True):
    def kernel(name, cpython, numpy, numba, ferrojit):
        results = {"cpython": {"time_s": cpython}, "numpy": {"time_s": numpy},
                   "ferrojit": {"time_s": ferrojit}}
        results["numba"] = {"time_s": numba} if with_numba else {"error": "numba is not installed"}
        return {"kernel": name, "results": results}

    return {"meta": {"python": "3.11", "numba": "0.68.1", "cpus": 2, "quick": False},
            "kernels": [kernel("filter2d", 5.0, 0.05, 0.018, 0.02),
                        kernel("nbody", 2.0, 0.1, 0.0117, 0.006)]}


def test_bars_are_ratios_to_numba_on_a_log_scale(tmp_path):
    chart = load_chart()
    path = tmp_path / "img" / "chart.svg"
    chart.write_svg(report(), path)
    svg = path.read_text()
    xml.dom.minidom.parseString(svg)  # well-formed
    assert "relative to Numba" in svg
    assert "ferrojit filter2d: 1.11x" in svg and "ferrojit nbody: 0.513x" in svg
    assert "CPython* filter2d: 278x" in svg
    for tick in ("0.1x", "1x", "10x", "100x", "1000x"):
        assert f">{tick}</text>" in svg


def test_without_numba_the_reference_is_ferrojit():
    svg = load_chart().render_svg(report(with_numba=False))
    assert "relative to ferrojit (Numba not measured)" in svg
    assert "NumPy nbody: 16.7x" in svg
