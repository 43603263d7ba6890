"""Ahead-of-time builds from Python: ``python -m ferrojit build`` and :func:`build`.

Both run the same code as the ``ferrojit`` command-line tool (inside the extension module):
the module file is scanned without being imported, its exported functions are compiled to
machine code and linked with the system C compiler into ``lib<name>.so`` plus ``<name>.h``
(a C API) and ``<name><EXT_SUFFIX>``, an extension module that needs only NumPy at run time.
Extension modules are built for the running interpreter unless ``--python`` says otherwise.
Run ``python -m ferrojit build --help`` for the options.
"""

import os
import sys

from . import _ferrojit
from .errors import CompileError

__all__ = ["build", "main"]


def main(argv=None):
    """Runs ``ferrojit <argv...>`` (for example ``['build', 'kernels.py']``); returns the exit
    status. Messages go to the process's standard output and error."""
    argv = list(sys.argv[1:] if argv is None else argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # The wheel carries the runtime archive that built libraries link next to this file.
    return _ferrojit._main(argv, sys.executable, os.path.dirname(os.path.abspath(__file__)))


def build(module, exports=(), out_dir=".", name=None, cpu="generic", c_library=True,
          python_extension=True, boundscheck=False, python=None):
    """Builds ``module`` (a path). ``exports`` are ``'name:signature'`` strings added to the
    module's ``@export`` decorators. Raises :class:`ferrojit.CompileError` if the build fails
    (the reason is printed on standard error)."""
    if not (c_library or python_extension):
        raise ValueError("nothing to build: c_library and python_extension are both false")
    argv = ["build", str(module), "--out-dir", str(out_dir), "--cpu", cpu]
    for export in exports:
        argv += ["--export", export]
    if name is not None:
        argv += ["--name", name]
    if not c_library:
        argv.append("--python-only")
    if not python_extension:
        argv.append("--c-only")
    if boundscheck:
        argv.append("--boundscheck")
    if python is not None:
        argv += ["--python", python]
    status = main(argv)
    if status != 0:
        raise CompileError(f"ferrojit build {module} failed (exit status {status}); see above")
