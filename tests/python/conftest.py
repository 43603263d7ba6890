"""pytest configuration for ferrojit's Python tests.

Nothing is added to ``sys.path``: the tests import the ``ferrojit`` package installed in the
virtualenv by ``maturin develop`` (see pybridge/README.md), and ``diff.py`` beside this file
(pytest's rootdir-relative import puts this directory on the path for test modules).
"""


def pytest_terminal_summary(terminalreporter):
    """How many generated programs and fuzz inputs ran (test_generated.py, test_fuzz.py), and
    the real-world corpus tally (test_realworld.py)."""
    import sys

    realworld = sys.modules.get("test_realworld")
    if realworld is not None and any(realworld.TALLY.values()):
        _realworld_tally(terminalreporter, realworld.TALLY)
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


def _realworld_tally(terminalreporter, tally):
    """Passing / failing / known-gap counts of the corpus, the gaps grouped by reason."""
    import collections

    counts = ", ".join(f"{len(tally[k])} {k}" for k in ("passed", "failed", "xfail", "xpassed") if tally[k])
    terminalreporter.write_line(f"ferrojit real-world corpus: {counts}")
    reasons = collections.defaultdict(list)
    for name, reason in tally["xfail"]:
        reasons[reason].append(name)
    for reason, names in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        terminalreporter.write_line(f"  {len(names)} x {reason}: {', '.join(names)}")
