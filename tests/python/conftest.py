"""pytest configuration for ferrojit's Python tests.

Nothing is added to ``sys.path``: the tests import the ``ferrojit`` package installed in the
virtualenv by ``maturin develop`` (see pybridge/README.md), and ``diff.py`` beside this file
(pytest's rootdir-relative import puts this directory on the path for test modules).
"""


def pytest_terminal_summary(terminalreporter):
    """How many generated programs and fuzz inputs ran (test_generated.py, test_fuzz.py)."""
    import sys

    progen = sys.modules.get("progen")
    if progen is None:
        return
    stats = progen.STATS
    if stats["cases"]:
        terminalreporter.write_line(
            f"ferrojit generated programs: {stats['cases']} cases, {stats['mismatches']} "
            f"mismatches, {stats['seconds']:.1f} s compiling and running"
        )
    if stats["fuzz_cases"]:
        terminalreporter.write_line(
            f"ferrojit compiler fuzzing: {stats['fuzz_cases']} inputs, {stats['fuzz_crashes']} crashes"
        )
