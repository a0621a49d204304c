"""Code128 barcodes drawn as vector bars.

python-barcode encodes (start code, character sets, check symbol, stop); reportlab draws
every bar as a filled rectangle, so the barcode is as sharp as the printer and scans at any
resolution. Bars of adjacent dark modules are merged into one rectangle.
"""

from __future__ import annotations

from dataclasses import dataclass

from barcode import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

QUIET_MODULES = 10  # ISO/IEC 15417 asks for at least ten modules of white on each side


def code128_modules(value: str) -> str:
    """The module pattern ('1' dark, '0' light) of ``value``, without quiet zones."""
    if not value:
        raise ValueError("a barcode needs a value")
    if not value.isascii() or not value.isprintable():
        raise ValueError(f"Code128 carries printable ASCII only, not {value!r}")
    pattern: str = Code128(value).build()[0]
    return pattern


def _bars(pattern: str) -> list[tuple[int, int]]:
    """(first module, width in modules) of each dark bar."""
    bars: list[tuple[int, int]] = []
    start = -1
    for i, bit in enumerate(pattern + "0"):
        if bit == "1" and start < 0:
            start = i
        elif bit == "0" and start >= 0:
            bars.append((start, i - start))
            start = -1
    return bars


@dataclass(frozen=True, slots=True)
class BarcodeBox:
    """Where a barcode was drawn, in PDF points (origin bottom-left), quiet zones included."""

    x: float
    y: float
    width: float
    height: float


def barcode_width(value: str, module: float = 0.33 * mm) -> float:
    """Total width in points, quiet zones included."""
    return (len(code128_modules(value)) + 2 * QUIET_MODULES) * module


def draw_code128(
    canvas: Canvas,
    value: str,
    x: float,
    y: float,
    *,
    height: float = 10 * mm,
    module: float = 0.33 * mm,
    max_width: float | None = None,
) -> BarcodeBox:
    """Draw ``value`` with its lower-left quiet-zone corner at (x, y).

    ``module`` is the narrow bar width (0.33 mm, the usual X dimension for laser printers);
    if ``max_width`` is given and the code would not fit, the module shrinks to fit, never
    below 0.19 mm, the smallest that common scanners read reliably.
    """
    pattern = code128_modules(value)
    total_modules = len(pattern) + 2 * QUIET_MODULES
    if max_width is not None and total_modules * module > max_width:
        module = max_width / total_modules
        if module < 0.19 * mm:
            raise ValueError(f"barcode {value!r} does not fit in {max_width / mm:.1f} mm")
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    left = x + QUIET_MODULES * module
    path = canvas.beginPath()
    for start, width in _bars(pattern):
        path.rect(left + start * module, y, width * module, height)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
    return BarcodeBox(x, y, total_modules * module, height)
