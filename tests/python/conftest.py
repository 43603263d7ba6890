"""pytest configuration for ferrojit's Python tests.

Nothing is added to ``sys.path``: the tests import the ``ferrojit`` package installed in the
virtualenv by ``maturin develop`` (see pybridge/README.md), and ``diff.py`` beside this file
(pytest's rootdir-relative import puts this directory on the path for test modules).
"""
