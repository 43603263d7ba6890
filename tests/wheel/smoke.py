"""Runs inside a clean virtualenv where only the ferrojit wheel (and NumPy) were installed,
from a directory outside the source tree: the package imports, and a first @jit call, a
ufunc, a cfunc and the inspection API work, and `python -m ferrojit build` makes an extension
that returns an array."""

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

import ferrojit
from ferrojit import cfunc, njit, prange, vectorize

here = os.path.dirname(os.path.abspath(ferrojit.__file__))
assert "site-packages" in here, f"ferrojit imported from {here}, not from the installed wheel"


@njit
def dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@njit(parallel=True)
def total(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
    return s


@vectorize(["f8(f8, f8)"])
def axpy(x, y):
    return 2.0 * x + y


@cfunc("f8(f8)")
def square(x):
    return x * x


a = np.arange(1000.0)
assert dot(a, a) == float(a @ a)
assert total(a) == a.sum()
assert np.array_equal(axpy(a, a), 3.0 * a)
assert ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double)(square.address)(3.0) == 9.0
assert "fmul" in next(iter(dot.inspect_ir().values()))
# `python -m ferrojit build` links the runtime archive the wheel carries (needs a C compiler).
if shutil.which(os.environ.get("CC", "cc")):
    work = tempfile.mkdtemp()
    with open(os.path.join(work, "kern.py"), "w") as f:
        f.write(
            "import numpy as np\nfrom ferrojit import export\n\n"
            "@export('f8[:](i8)')\ndef ramp(n):\n    return np.arange(n) * 0.5\n"
        )
    status = subprocess.run(
        [sys.executable, "-m", "ferrojit", "build", "kern.py", "--python-only"], cwd=work
    ).returncode
    assert status == 0, "python -m ferrojit build failed"
    check = "import kern, numpy as np; assert np.array_equal(kern.ramp(4), np.arange(4) * 0.5)"
    assert subprocess.run([sys.executable, "-c", check], cwd=work).returncode == 0
    shutil.rmtree(work)
else:
    print("wheel smoke: no C compiler, `ferrojit build` not tried")
print(f"ferrojit {ferrojit.__version__} wheel works on Python {sys.version.split()[0]} ({here})")
