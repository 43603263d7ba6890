"""NumPy's ziggurat tables for compiled `np.random.Generator` draws.

NumPy ships its random-number C library as a static archive
(`numpy/random/lib/libnpyrandom.a`, for `numpy.random.c_distributions`); its object files keep
the tables `ki_double`, `wi_double`, `fi_double` (normal) and `ke_double`, `we_double`,
`fe_double` (exponential) as symbols. Reading them from there gives compiled code the very
numbers NumPy's `standard_normal` and `standard_exponential` use, whatever NumPy version is
installed. Where the archive is missing or not an ELF one, `numpy_tables()` returns None and the
runtime uses tables it builds itself (the same distributions, not NumPy's bits).
"""

import os
import struct

_NAMES = ("ki_double", "wi_double", "fi_double", "ke_double", "we_double", "fe_double")
_TABLE_BYTES = 256 * 8


def numpy_tables():
    """The six tables as lists (integers for `k*`, floats otherwise), or None."""
    try:
        import numpy.random

        path = os.path.join(os.path.dirname(numpy.random.__file__), "lib", "libnpyrandom.a")
        with open(path, "rb") as f:
            data = f.read()
        tables = _archive_tables(data)
    except (OSError, ValueError, struct.error, IndexError):
        return None
    if tables is None or not _plausible(tables):
        return None
    return tables


def _archive_tables(data):
    """Walks the members of a Unix `ar` archive for the object file holding the tables."""
    if not data.startswith(b"!<arch>\n"):
        return None
    pos = 8
    while pos + 60 <= len(data):
        size = int(data[pos + 48:pos + 58].decode("ascii").strip())
        tables = _elf_tables(data[pos + 60:pos + 60 + size])
        if tables is not None:
            return tables
        pos += 60 + size + (size & 1)
    return None


def _elf_tables(obj):
    """The tables from a 64-bit little-endian ELF object's symbol table, or None."""
    if obj[:4] != b"\x7fELF" or obj[4] != 2 or obj[5] != 1:
        return None
    (shoff,) = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", obj, 0x3A)
    # Each section: name, type, flags, addr, offset, size, link, info, addralign, entsize.
    sections = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + i * shentsize) for i in range(shnum)]
    for section in sections:
        if section[1] != 2:  # SHT_SYMTAB
            continue
        strings = sections[section[6]][4]
        found = {}
        for k in range(section[5] // 24):
            name_at, _info, _other, shndx, value, size = struct.unpack_from(
                "<IBBHQQ", obj, section[4] + 24 * k)
            start = strings + name_at
            name = obj[start:obj.index(b"\0", start)].decode("ascii", "replace")
            if name not in _NAMES or size != _TABLE_BYTES or shndx >= len(sections):
                continue
            holder = sections[shndx]
            if holder[1] == 8:  # SHT_NOBITS: no contents in the file
                return None
            at = holder[4] + value
            fmt = "<256Q" if name.startswith("k") else "<256d"
            found[name] = list(struct.unpack(fmt, obj[at:at + _TABLE_BYTES]))
        if len(found) == len(_NAMES):
            return tuple(found[n] for n in _NAMES)
    return None


def _plausible(tables):
    """The layout NumPy's sampler expects: outermost layers at the ziggurats' radii."""
    ki, wi, fi, ke, we, fe = tables
    return (ki[1] == 0 and ke[1] == 0 and fi[0] == 1.0 and fe[0] == 1.0
            and abs(wi[255] * 2.0**52 - 3.6541528853610088) < 1e-9
            and abs(we[255] * 2.0**53 - 7.6971174701310497) < 1e-9)
