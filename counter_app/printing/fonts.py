"""The embedded fonts and the per-character fallback between them.

reportlab embeds TrueType fonts and subsets them per document, so a PDF looks the same on
every machine. No single redistributable font has every character a customer's name can
hold, so each text run is split character by character over a chain of fonts: the first
font that has a glyph sets it. A character that no font has raises :class:`MissingGlyph`
instead of printing an empty box. See ``resources/fonts/README.md`` for the files.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from counter_app.resources_path import resources_dir

REGULAR = "CounterSerif"
BOLD = "CounterSerif-Bold"
FALLBACK = "CounterFallback"  # Ming style, like the primary: CJK Extension B-F
FALLBACK_KAI = "CounterFallbackKai"  # Kai style: the newest ideographs the others predate

FONT_FILES = {
    REGULAR: "NotoSerifSC-Regular.subset.ttf",
    BOLD: "NotoSerifSC-Bold.subset.ttf",
    FALLBACK: "HanaMinB.subset.ttf",
    FALLBACK_KAI: "FallbackKai.subset.ttf",
}
REGULAR_CHAIN = (REGULAR, FALLBACK, FALLBACK_KAI)
BOLD_CHAIN = (BOLD, REGULAR, FALLBACK, FALLBACK_KAI)

# Characters that need no glyph: layout whitespace the renderer consumes itself.
_NO_GLYPH_NEEDED = frozenset("\n\r\t")

_lock = threading.Lock()
_registered = False
_cmaps: dict[str, frozenset[int]] = {}


class MissingGlyph(ValueError):
    """A character of a document's text that none of the embedded fonts can print."""

    def __init__(self, char: str, field: str = "") -> None:
        self.char = char
        self.field = field
        where = f" in {field}" if field else ""
        super().__init__(
            f"no embedded font can print {char!r} (U+{ord(char):04X}){where}; "
            "correct the data or add the character to the fallback font"
        )


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def font_paths() -> dict[str, Path]:
    return {name: fonts_dir() / file for name, file in FONT_FILES.items()}


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, fixed for characters beyond the BMP.

    reportlab writes ``<20BB7>`` for U+20BB7, which is not UTF-16BE: text extraction and
    search then lose 𠮷 and the rare name characters that live in the CJK extensions.
    Here those are written as surrogate pairs, as the PDF specification wants.
    """

    def utf16(cp: int) -> str:
        if cp <= 0xFFFF:
            return f"{cp:04X}"
        cp -= 0x10000
        return f"{0xD800 + (cp >> 10):04X}{0xDC00 + (cp & 0x3FF):04X}"

    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


def register_fonts() -> None:
    """Register the embedded fonts with reportlab (once per process; thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        for name, path in font_paths().items():
            if not path.is_file():
                raise FileNotFoundError(f"font file missing: {path}")
            font = TTFont(name, str(path))
            pdfmetrics.registerFont(font)
            _cmaps[name] = frozenset(font.face.charToGlyph)
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)
        _registered = True


def font_for_char(ch: str, bold: bool = False) -> str | None:
    """The first font of the chain that has a glyph for ``ch``, or None."""
    register_fonts()
    code = ord(ch)
    for name in BOLD_CHAIN if bold else REGULAR_CHAIN:
        if code in _cmaps[name]:
            return name
    return None


def has_glyph(text: str) -> list[str]:
    """The characters of ``text`` that no embedded font can print (empty: all printable)."""
    missing: list[str] = []
    for ch in text:
        if ch in _NO_GLYPH_NEEDED or ch in missing:
            continue
        if font_for_char(ch) is None:
            missing.append(ch)
    return missing


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text set in one font."""

    font: str
    text: str


def split_runs(text: str, *, bold: bool = False, field: str = "") -> list[Run]:
    """Split ``text`` into runs, each in the first font of the chain that has its glyphs.

    Raises:
        MissingGlyph: a character no font has; ``field`` names where it came from.
    """
    register_fonts()
    chain = BOLD_CHAIN if bold else REGULAR_CHAIN
    runs: list[Run] = []
    current: str | None = None
    buf: list[str] = []
    for ch in text:
        if ch in _NO_GLYPH_NEEDED or ch == " ":
            name = current or chain[0]  # whitespace stays in the current run
        else:
            code = ord(ch)
            name = next((n for n in chain if code in _cmaps[n]), "")
            if not name:
                raise MissingGlyph(ch, field)
        if name != current and buf:
            runs.append(Run(current or chain[0], "".join(buf)))
            buf = []
        current = name
        buf.append(ch)
    if buf:
        runs.append(Run(current or chain[0], "".join(buf)))
    return runs


@lru_cache(maxsize=8192)
def markup(text: str, *, bold: bool = False, field: str = "") -> str:
    """``text`` as reportlab paragraph markup: escaped, fallback runs wrapped in <font>.

    The paragraph's own font is the first of the chain; only runs in another font get a
    tag, which keeps the markup (and the layout work) small for ordinary text. Cached:
    the terms of the agreement are the same text for every customer.
    """
    chain_head = BOLD if bold else REGULAR
    parts = []
    for run in split_runs(text, bold=bold, field=field):
        body = escape(run.text).replace("\n", "<br/>")
        if run.font == chain_head:
            parts.append(body)
        else:
            parts.append(f'<font face="{run.font}">{body}</font>')
    return "".join(parts)
