"""The seed-kernel table as a picture: each framework's steady-state time relative to Numba's,
per kernel, as horizontal bars on a log scale (1.0 = Numba; shorter is faster). Written as a
small hand-made SVG, so that ``make demo`` needs nothing beyond Numba.

``write_svg(report, path)`` takes the report ``benches/seed_kernels.py`` builds (``--chart``).
"""

import math
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["write_svg", "render_svg"]

FRAMEWORKS = [("cpython", "CPython*", "#9e9e9e"), ("numpy", "NumPy", "#4c72b0"),
              ("ferrojit", "ferrojit", "#dd5500")]
BAR, GAP, LEFT, RIGHT, TOP = 14, 10, 150, 40, 70


def _ratios(report):
    """[(kernel, [(label, colour, time / reference or None)])] and the reference's name."""
    kernels = report["kernels"]
    reference = "numba"
    if not any("time_s" in k["results"].get("numba", {}) for k in kernels):
        reference = "ferrojit"  # Numba not installed: relative to ferrojit instead
    rows = []
    for k in kernels:
        r = k["results"]
        ref = r.get(reference, {}).get("time_s")
        bars = []
        for name, label, colour in FRAMEWORKS:
            if name == reference:
                continue
            t = r.get(name, {}).get("time_s")
            bars.append((label, colour, t / ref if t and ref else None))
        rows.append((k["kernel"], bars))
    return rows, reference


def render_svg(report):
    rows, reference = _ratios(report)
    values = [v for _, bars in rows for _, _, v in bars if v]
    lo = 10 ** math.floor(math.log10(min(values + [0.5])))
    hi = 10 ** math.ceil(math.log10(max(values + [2.0])))
    width = 760
    plot = width - LEFT - RIGHT
    per_kernel = len(FRAMEWORKS) * BAR + GAP
    height = TOP + len(rows) * per_kernel + 50

    def x(v):
        return LEFT + plot * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    ref_name = "Numba" if reference == "numba" else "ferrojit (Numba not measured)"
    meta = report.get("meta", {})
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">Seed kernels: time relative '
        f"to {escape(ref_name)} (log scale, lower is faster)</text>",
        f'<text x="{LEFT}" y="40" fill="#555">{escape(_subtitle(meta))}</text>',
    ]
    decade = lo
    while decade <= hi * 1.0001:
        gx = x(decade)
        out.append(f'<line x1="{gx:.1f}" y1="{TOP - 8}" x2="{gx:.1f}" y2="{height - 40}" '
                   f'stroke="{"#333" if decade == 1 else "#ddd"}"/>')
        label = f"{decade:g}x"
        out.append(f'<text x="{gx:.1f}" y="{height - 24}" text-anchor="middle">{label}</text>')
        decade *= 10
    for i, (kernel, bars) in enumerate(rows):
        y0 = TOP + i * per_kernel
        out.append(f'<text x="{LEFT - 10}" y="{y0 + len(bars) * BAR / 2 + 4:.1f}" '
                   f'text-anchor="end" font-weight="bold">{escape(kernel)}</text>')
        for j, (label, colour, value) in enumerate(bars):
            y = y0 + j * BAR
            if value is None:
                out.append(f'<text x="{x(1) + 4:.1f}" y="{y + BAR - 3}" fill="#999">'
                           f"{escape(label)}: n/a</text>")
                continue
            x1, x2 = sorted((x(1), x(value)))
            out.append(f'<rect x="{x1:.1f}" y="{y + 1}" width="{max(x2 - x1, 1):.1f}" '
                       f'height="{BAR - 2}" fill="{colour}"><title>{escape(label)} {kernel}: '
                       f"{value:.3g}x</title></rect>")
            tx = x2 + 4 if value >= 1 else x1 - 4
            anchor = "start" if value >= 1 else "end"
            out.append(f'<text x="{tx:.1f}" y="{y + BAR - 3}" text-anchor="{anchor}">'
                       f"{escape(label)} {value:.3g}x</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _subtitle(meta):
    parts = [f"{k} {meta[k]}" for k in ("python", "numpy", "numba", "ferrojit") if k in meta]
    if "cpus" in meta:
        parts.append(f"{meta['cpus']} CPUs")
    if meta.get("quick"):
        parts.append("--quick sizes")
    return ", ".join(parts) + " (CPython* extrapolated from a reduced size)"


def write_svg(report, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_svg(report))
