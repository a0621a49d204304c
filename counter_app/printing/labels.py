"""Sheets of barcode labels for the paper customer files.

Each label shows the customer's masked name, a Code128 barcode (the capital account unless
the label says otherwise) and its number in plain digits, so a file is checked out or in
with one scan. The grid is a standard A4 label sheet; see ``LAYOUTS``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from counter_app.printing import fonts
from counter_app.printing.barcodes import QUIET_MODULES, code128_modules, draw_code128
from counter_app.printing.layout import GREY_TEXT, draw_text, fit_size
from counter_app.printing.models import LabelData


@dataclass(frozen=True, slots=True)
class LabelLayout:
    """An A4 label sheet: all lengths in millimetres from the sheet's top-left corner."""

    name: str
    columns: int
    rows: int
    width: float
    height: float
    left: float  # margin to the first column
    top: float  # margin to the first row
    pitch_x: float  # from one column's left edge to the next
    pitch_y: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def origin(self, index: int) -> tuple[float, float]:
        """Bottom-left corner, in points, of label ``index`` (0-based, row by row)."""
        row, col = divmod(index % self.per_sheet, self.columns)
        x = (self.left + col * self.pitch_x) * mm
        y = A4[1] - (self.top + row * self.pitch_y + self.height) * mm
        return x, y


# Avery L7160 (and its many compatibles, e.g. 21 per sheet "63.5 x 38.1"): the default, with
# margins every office printer can print into.
AVERY_L7160 = LabelLayout("L7160", 3, 7, 63.5, 38.1, 7.2, 15.1, 66.0, 38.1)
# 24 per sheet, 70 x 37 mm, edge to edge (Avery 3474 and compatibles): 8 x 37 = 296 mm
# leaves 0.5 mm top and bottom; the 3 mm padding keeps the print off the unprintable edge.
AVERY_3474 = LabelLayout("3474", 3, 8, 70.0, 37.0, 0.0, 0.5, 70.0, 37.0)
LAYOUTS = {layout.name: layout for layout in (AVERY_L7160, AVERY_3474)}

PADDING = 3.0 * mm
MODULE = 0.30 * mm  # narrow bar; within what laser printers and hand scanners handle well


def _draw_label(canv: Canvas, label: LabelData, x: float, y: float, layout: LabelLayout) -> None:
    w, h = layout.width * mm, layout.height * mm
    inner = w - 2 * PADDING
    top = y + h - PADDING
    if label.caption:
        canv.setFillColor(GREY_TEXT)
        size = fit_size(label.caption, 7, inner)
        draw_text(canv, x + PADDING, top - 6.5, label.caption, size, field="label.caption")
        top -= 9
    canv.setFillColor(colors.black)
    size = fit_size(label.masked_name, 12, inner, bold=True)
    draw_text(canv, x + PADDING, top - 11, label.masked_name, size, bold=True, field="label.name")
    value = label.barcode_value
    bar_h = min(12 * mm, top - 15 - (y + PADDING + 4.2 * mm))
    bar_y = y + PADDING + 4.2 * mm
    total = (len(code128_modules(value)) + 2 * QUIET_MODULES) * MODULE
    box = draw_code128(
        canv, value, x + (w - min(total, w)) / 2, bar_y, height=bar_h, module=MODULE, max_width=w
    )
    draw_text(canv, box.x + box.width / 2, y + PADDING, value, 10, align="center")


def render_labels(
    labels: Sequence[LabelData],
    path: str | Path | None = None,
    *,
    layout: LabelLayout = AVERY_L7160,
    skip: int = 0,
    outline: bool = False,
) -> bytes:
    """Sheets of file labels as PDF bytes; also written to ``path`` if given.

    Args:
        skip: positions to leave empty at the start of the first sheet (a sheet already
            partly used).
        outline: draw each label's edge, for plain paper or a preview.

    Raises:
        MissingGlyph: a character of a name that no embedded font can print.
        ValueError: no label, or a barcode value Code128 cannot carry.
    """
    if not labels:
        raise ValueError("no label to print")
    fonts.register_fonts()
    for label in labels:
        code128_modules(label.barcode_value)
    buf = io.BytesIO()
    canv = Canvas(
        buf, pagesize=A4, invariant=True, initialFontName=fonts.REGULAR, pageCompression=1
    )
    canv.setTitle(f"File labels ({layout.name})")
    canv.setCreator("counter_app")
    position = skip % layout.per_sheet
    for label in labels:
        if position == layout.per_sheet:
            canv.showPage()
            position = 0
        x, y = layout.origin(position)
        if outline:
            canv.saveState()
            canv.setStrokeColor(colors.Color(0.7, 0.7, 0.7))
            canv.setLineWidth(0.3)
            canv.roundRect(x, y, layout.width * mm, layout.height * mm, 2 * mm)
            canv.restoreState()
        _draw_label(canv, label, x, y, layout)
        position += 1
    canv.showPage()
    canv.save()
    pdf = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(pdf)
    return pdf
