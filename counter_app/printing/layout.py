"""Shared layout machinery: styles, text with font fallback, page furniture, field boxes.

Page furniture (copy mark, barcode, "第 1 页 共 N 页") is drawn when the document is saved:
the canvas keeps each finished page until then, so it knows how many pages every copy has
without laying the document out twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from counter_app.printing import fonts
from counter_app.printing.fonts import BOLD, REGULAR

PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 30 * mm
BODY_W = PAGE_W - 2 * MARGIN_X

GRID = colors.Color(0.25, 0.25, 0.25)
SHADE = colors.Color(0.92, 0.92, 0.92)
LABEL_SHADE = colors.Color(0.97, 0.97, 0.97)
GREY_TEXT = colors.Color(0.35, 0.35, 0.35)


@dataclass(frozen=True, slots=True)
class FieldBox:
    """Where a field's text was laid out, in PDF points (origin bottom-left of the page).

    ``width`` is the width the text was given (its box less padding), ``used_width`` the
    widest line actually set: ``used_width <= width`` means nothing runs out of the box.
    """

    page: int  # 1-based page of the PDF
    field: str
    x: float
    y: float
    width: float
    height: float
    used_width: float
    lines: int


@dataclass(slots=True)
class LayoutRecord:
    """Collects the field boxes of one rendering (tests and previews use it)."""

    boxes: list[FieldBox] = field(default_factory=list)

    def find(self, name: str) -> list[FieldBox]:
        return [b for b in self.boxes if b.field == name]


def style(
    name: str,
    *,
    size: float = 10.5,
    leading: float | None = None,
    bold: bool = False,
    align: int = TA_LEFT,
    cjk: bool = True,
    **extra: Any,
) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=BOLD if bold else REGULAR,
        fontSize=size,
        leading=leading or size * 1.55,
        alignment=align,
        # CJK wrapping breaks between any two ideographs and keeps closing punctuation off
        # a line start; it is what a Chinese reader expects. English text wraps at spaces.
        wordWrap="CJK" if cjk else None,
        **extra,
    )


class FieldParagraph(Paragraph):
    """A paragraph of data (not template text) that records where it was drawn."""

    def __init__(
        self,
        text: str,
        pstyle: ParagraphStyle,
        *,
        field: str,
        record: LayoutRecord | None = None,
        bold: bool = False,
    ) -> None:
        super().__init__(fonts.markup(text, bold=bold, field=field), pstyle)
        self.field_name = field
        self.record = record
        self._avail_width = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._avail_width = availWidth
        return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return,unused-ignore]

    def draw(self) -> None:
        super().draw()
        if self.record is None:
            return
        x, y = self.canv.absolutePosition(0, 0)
        lines = getattr(self.blPara, "lines", [])
        used = max((self._avail_width - _extra_space(line) for line in lines), default=0.0)
        self.record.boxes.append(
            FieldBox(
                page=self.canv.getPageNumber(),
                field=self.field_name,
                x=x,
                y=y,
                width=self._avail_width,
                height=self.height,
                used_width=used,
                lines=len(lines),
            )
        )


def _extra_space(line: Any) -> float:
    # reportlab keeps simple lines as (extraSpace, words) tuples, rich ones as objects
    if isinstance(line, tuple):
        return float(line[0])
    return float(getattr(line, "extraSpace", 0.0))


def text_paragraph(text: str, pstyle: ParagraphStyle, *, bold: bool = False) -> Paragraph:
    """A paragraph of fixed (template or label) text, with font fallback."""
    return Paragraph(fonts.markup(text, bold=bold, field="template"), pstyle)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    return sum(stringWidth(r.text, r.font, size) for r in fonts.split_runs(text, bold=bold))


def draw_text(
    canv: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    align: str = "left",
    field: str = "",
) -> float:
    """Draw one line with per-character font fallback; returns its width."""
    runs = fonts.split_runs(text, bold=bold, field=field)
    width = sum(stringWidth(r.text, r.font, size) for r in runs)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    obj = canv.beginText(x, y)
    for run in runs:
        obj.setFont(run.font, size)
        obj.textOut(run.text)
    canv.drawText(obj)
    return width


def fit_size(text: str, size: float, max_width: float, *, bold: bool = False) -> float:
    """The largest font size <= ``size`` (down to 60 %) at which ``text`` fits one line."""
    width = text_width(text, size, bold=bold)
    if width <= max_width:
        return size
    return max(size * max_width / width, size * 0.6)


@dataclass(frozen=True, slots=True)
class PageContext:
    """What the furniture of a page shows; one object per document in a PDF.

    A document laid out once is emitted ``copies`` times: the pages of each copy share the
    laid-out content and differ only in their furniture. That is what a three-part
    agreement is, and it costs one layout instead of three.
    """

    key: object  # unique per document: pages with the same key are numbered together
    draw: Callable[[Canvas, int, int, int], None]  # (canvas, copy, page in copy, pages)
    copies: int = 1


class ContextMarker(Flowable):
    """Invisible; tells the canvas that the following pages belong to ``ctx``."""

    def __init__(self, ctx: PageContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        self.canv.page_ctx = self.ctx


class FurnitureCanvas(Canvas):
    """Holds finished pages until save(), then emits every document's pages once per copy,
    each page with its furniture drawn now that the page count is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page_ctx: PageContext | None = None
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        held, self._held = self._held, []
        groups: list[list[dict[str, Any]]] = []
        for state in held:
            ctx = state["page_ctx"]
            if groups and groups[-1][0]["page_ctx"] is ctx:
                groups[-1].append(state)
            else:
                groups.append([state])
        for group in groups:
            ctx = group[0]["page_ctx"]
            for copy in range(ctx.copies if ctx else 1):
                for number, state in enumerate(group, start=1):
                    self.__dict__.update(state)
                    self._code = list(state["_code"])  # each copy adds its own furniture
                    if ctx is not None:
                        ctx.draw(self, copy, number, len(group))
                    super().showPage()
        super().save()


def make_doc(target: Any, title: str) -> BaseDocTemplate:
    """An A4 document with one body frame inside the margins the page furniture leaves."""
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        BODY_W,
        PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    return BaseDocTemplate(
        target,
        pagesize=A4,
        title=title,
        author="counter_app",
        creator="counter_app",
        pageTemplates=[PageTemplate(id="page", frames=[frame])],
        initialFontName=fonts.REGULAR,  # else every page names Helvetica, a font not embedded
        invariant=True,  # same input, same bytes: reprints and tests can compare files
    )


def draw_header_footer(
    canv: Canvas,
    *,
    header_left: str,
    mark: str,
    barcode: str,
    footer_center: str,
    footer_right: str,
) -> None:
    """The furniture every document shares: a header rule with the branch on the left and a
    boxed mark on the right; a footer with the barcode (and its number), the page number
    and a reference."""
    from counter_app.printing.barcodes import draw_code128  # barcodes imports nothing of ours

    canv.saveState()
    top = PAGE_H - 14 * mm
    canv.setFillColor(GREY_TEXT)
    size = fit_size(header_left, 8.5, BODY_W - 62 * mm)
    draw_text(canv, MARGIN_X, top, header_left, size, field="branch.name")
    canv.setFillColor(colors.black)
    if mark:
        mark_w = draw_text(
            canv, PAGE_W - MARGIN_X - 3 * mm, top, mark, 10, bold=True, align="right"
        )
        canv.setLineWidth(0.9)
        canv.rect(PAGE_W - MARGIN_X - mark_w - 6 * mm, top - 2.2 * mm, mark_w + 6 * mm, 6.6 * mm)
    canv.setLineWidth(0.5)
    canv.setStrokeColor(GRID)
    canv.line(MARGIN_X, top - 4.5 * mm, PAGE_W - MARGIN_X, top - 4.5 * mm)
    rule = MARGIN_BOTTOM - 6 * mm
    canv.line(MARGIN_X, rule, PAGE_W - MARGIN_X, rule)
    # the quiet zone may reach into the margin; the bars start at the text edge
    box = draw_code128(canv, barcode, MARGIN_X - 3.3 * mm, 11 * mm, height=9 * mm)
    draw_text(canv, box.x + box.width / 2, 7 * mm, barcode, 8, align="center")
    canv.setFillColor(GREY_TEXT)
    draw_text(canv, PAGE_W / 2, 14 * mm, footer_center, 9, align="center")
    draw_text(canv, PAGE_W - MARGIN_X, 14 * mm, footer_right, 8.5, align="right")
    canv.restoreState()


def grid_style(*extra: tuple[object, ...]) -> list[tuple[object, ...]]:
    """Table commands for a bordered form table (our font also in empty cells)."""
    return [
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        *extra,
    ]


def plain_style(*extra: tuple[object, ...]) -> list[tuple[object, ...]]:
    """Table commands for an invisible layout table."""
    return [
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        *extra,
    ]


TITLE = style("title", size=18, bold=True, align=TA_CENTER, leading=26)
CENTER_SMALL = style("center-small", size=9, align=TA_CENTER)
