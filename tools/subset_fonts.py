"""Build the committed fonts in resources/fonts/ from Debian's font packages.

Run on a Debian machine, as a maintainer, when the fonts must be rebuilt (the app only reads
the results; it never needs fontTools at run time)::

    apt-get install fonts-noto-cjk fonts-hanazono unicode-data
    /work/venv/bin/python tools/subset_fonts.py

Why each step:

* reportlab embeds only TrueType (``glyf``) outlines. Noto Serif CJK ships CFF outlines, so
  its glyphs are converted to quadratic curves (cu2qu, 1 font unit tolerance: invisible).
* The full fonts are 26-30 MB each; the subsets keep what a customer's data and the
  documents can contain (see ``REGULAR_RANGES`` and ``BOLD_RANGES``) and stay small.
* Hanazono Mincho B is the fallback for CJK Extension B-F characters that Noto lacks. The
  whole of Extension B would be 21 MB, so we keep the characters that Unihan says China uses
  in modern sources (``FALLBACK_G_SOURCES``: the Ministry of Public Security's ID-card
  system, place names, the general dictionaries) plus Hong Kong's HKSCS characters.
* LXGW WenKai is the last fallback: the ideographs of U+4E00-U+9FFF and Extension A that
  Noto (Unicode 10) predates (U+9FEB-U+9FFF, U+4DB6-U+4DBF), and the characters of the
  Table of General Standard Chinese Characters beyond the BMP that the others lack.
"""

from __future__ import annotations

import argparse
import bz2
import os
import time
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

NOTO_REGULAR = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
NOTO_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")
NOTO_SC_INDEX = 2  # index of "Noto Serif CJK SC" inside the collections above
HANAZONO_B = Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")
WENKAI = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
UNIHAN_SOURCES = Path("/usr/share/unicode/Unihan_IRGSources.txt.bz2")

OUT_DIR = Path(__file__).resolve().parent.parent / "resources" / "fonts"
OUT_REGULAR = "NotoSerifSC-Regular.subset.ttf"
OUT_BOLD = "NotoSerifSC-Bold.subset.ttf"
OUT_FALLBACK = "HanaMinB.subset.ttf"
# LXGW WenKai reserves its names ("LXGW", "霞鹜"): a subset is a modified version, so neither
# the file nor the font inside may carry them.
OUT_FALLBACK_KAI = "FallbackKai.subset.ttf"


def _r(first: int, last: int) -> range:
    return range(first, last + 1)


# Latin, punctuation and symbols a form needs (checkboxes, circled numbers, fullwidth forms).
COMMON_RANGES = [
    _r(0x0020, 0x007E),  # Basic Latin
    _r(0x00A0, 0x00FF),  # Latin-1 (incl. the middle dot U+00B7 of minority names)
    _r(0x0100, 0x017F),  # Latin Extended-A (pinyin tone marks)
    _r(0x01CD, 0x01DC),  # pinyin with caron
    _r(0x02C6, 0x02DD),  # modifier letters
    _r(0x0391, 0x03C9),  # Greek
    _r(0x0401, 0x0451),  # Cyrillic (GB 2312 has it)
    _r(0x2000, 0x206F),  # General Punctuation (incl. • U+2022, ‧ U+2027)
    _r(0x20AC, 0x20AC),  # euro
    _r(0x2100, 0x218F),  # letterlike, number forms
    _r(0x2190, 0x21FF),  # arrows
    _r(0x2200, 0x22FF),  # math operators
    _r(0x2460, 0x24FF),  # enclosed alphanumerics ①
    _r(0x2500, 0x257F),  # box drawing
    _r(0x25A0, 0x25FF),  # geometric shapes □ ■
    _r(0x2600, 0x26FF),  # misc symbols ☐ ☑
    _r(0x3000, 0x303F),  # CJK symbols and punctuation
    _r(0x3040, 0x30FF),  # kana (incl. ・ U+30FB)
    _r(0x3100, 0x312F),  # bopomofo
    _r(0x3200, 0x33FF),  # enclosed CJK, CJK compatibility
    _r(0xFE10, 0xFE1F),  # vertical forms
    _r(0xFE30, 0xFE6F),  # CJK compatibility forms, small forms
    _r(0xFF00, 0xFFEF),  # halfwidth and fullwidth forms
]
REGULAR_RANGES = [
    *COMMON_RANGES,
    _r(0x2E80, 0x2FDF),  # radicals
    _r(0x3400, 0x4DBF),  # CJK Extension A
    _r(0x4E00, 0x9FFF),  # CJK Unified Ideographs
    _r(0xF900, 0xFAFF),  # compatibility ideographs
    _r(0x20000, 0x3FFFF),  # Extensions B-H: whatever Noto has (about 2,250)
]
FALLBACK_G_SOURCES = {
    "GIDC",  # ID system of the Ministry of Public Security (names on ID cards)
    "GDM",  # place names
    "GFZ",  # Founder Press System
    "GKJ",  # science and technology terms
    "GCH",  # Cihai
    "GCY",  # Ciyuan
    "GHC",  # Hanyu Da Cidian
    "GGH",  # Gudai Hanyu Changyongzi Zidian
    "GXM",
    "GBK",  # Chinese Encyclopedia
    "GCYY",
    "GZH",
    "GU",
    "GXHZ",
    "GWZ",
    "GFC",
    "GXC",
    "GDZ",
    "GRM",
    "GHF",
    "G3",
}
# Ext-B name characters that must print whatever Unihan says (tests use them).
EXTRA_NAME_CHARS = "𠮷"


def gb2312_hanzi() -> list[int]:
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return out


def gbk_chars() -> list[int]:
    """Every character GBK (and so the counter system's GB 18030 export) can encode in two
    bytes: the text a customer record can hold, symbols included."""
    out = []
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                ch = bytes((lead, trail)).decode("gbk")
            except UnicodeDecodeError:
                continue
            if not 0xE000 <= ord(ch) <= 0xF8FF:  # private use: no glyph to give
                out.append(ord(ch))
    return out


def fallback_codepoints() -> set[int]:
    chosen: set[int] = {ord(c) for c in EXTRA_NAME_CHARS}
    with bz2.open(UNIHAN_SOURCES, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            code, field, value = line.rstrip("\n").split("\t")
            cp = int(code[2:], 16)
            if cp < 0x20000:
                continue
            if field == "kIRG_HSource" or (
                field == "kIRG_GSource" and value.split("-")[0] in FALLBACK_G_SOURCES
            ):
                chosen.add(cp)
    return chosen


def _options(font_number: int) -> subset.Options:
    opts = subset.Options()
    opts.layout_features = []  # reportlab does no shaping; GSUB/GPOS would only add weight
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    opts.glyph_names = False
    opts.desubroutinize = True
    opts.font_number = font_number
    return opts


def _cff_to_glyf(font: TTFont) -> None:
    """Replace the CFF table with a glyf table (cubic to quadratic, 1 unit tolerance)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    for name in order:
        glyf.glyphs[name].recalcBounds(glyf)
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font.sfntVersion = "\0\1\0\0"
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}


def _rename(font: TTFont, family: str, style: str) -> None:
    """A modified OFL font should not pass itself off as the original: mark it a subset."""
    full = f"{family} {style}" if style != "Regular" else family
    ps = f"{family.replace(' ', '')}-{style}"
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID == 4:
            record.string = full
        elif record.nameID == 6:
            record.string = ps
        elif record.nameID == 3:
            record.string = f"{ps};counter_app subset"


def build(
    src: Path,
    index: int,
    codepoints: Iterable[int],
    out: Path,
    *,
    convert: bool,
    rename: tuple[str, str] | None,
) -> None:
    started = time.perf_counter()
    opts = _options(index)
    font = subset.load_font(str(src), opts, dontLoadGlyphNames=True)
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=set(codepoints))
    subsetter.subset(font)
    if convert:
        _cff_to_glyf(font)
    if rename:
        _rename(font, *rename)
    font.save(str(out))
    cmap = font.getBestCmap()
    print(
        f"{out.name}: {len(cmap)} characters, {len(font.getGlyphOrder())} glyphs, "
        f"{os.path.getsize(out) / 1e6:.1f} MB, {time.perf_counter() - started:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    gbk = gbk_chars()
    regular = [cp for rng in REGULAR_RANGES for cp in rng] + gbk
    build(
        NOTO_REGULAR,
        NOTO_SC_INDEX,
        regular,
        out / OUT_REGULAR,
        convert=True,
        rename=("Noto Serif SC CounterSubset", "Regular"),
    )
    # Bold only sets titles and headings: GB 2312 is plenty; anything else falls back to
    # the regular weight character by character.
    gbk_symbols = [cp for cp in gbk if not 0x3400 <= cp <= 0x9FFF]
    bold = [cp for rng in COMMON_RANGES for cp in rng] + gb2312_hanzi() + gbk_symbols
    build(
        NOTO_BOLD,
        NOTO_SC_INDEX,
        bold,
        out / OUT_BOLD,
        convert=True,
        rename=("Noto Serif SC CounterSubset", "Bold"),
    )
    noto_cmap = TTFont(str(out / OUT_REGULAR), lazy=True).getBestCmap()
    wanted = sorted(cp for cp in fallback_codepoints() if cp not in noto_cmap)
    build(HANAZONO_B, 0, wanted, out / OUT_FALLBACK, convert=False, rename=None)
    hana_cmap = TTFont(str(out / OUT_FALLBACK), lazy=True).getBestCmap()
    wenkai_cmap = TTFont(str(WENKAI), lazy=True).getBestCmap()
    ideographs = [*_r(0x3400, 0x4DBF), *_r(0x4E00, 0x9FFF), *_r(0x20000, 0x3FFFF), *gbk]
    rest = [
        cp for cp in ideographs if cp in wenkai_cmap and cp not in noto_cmap and cp not in hana_cmap
    ]
    build(
        WENKAI,
        0,
        rest,
        out / OUT_FALLBACK_KAI,
        convert=False,
        rename=("Counter Fallback Kai", "Regular"),
    )


if __name__ == "__main__":
    main()
