"""The embedded fonts: files and licences present, glyph coverage, fallback, no empty boxes."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.printing import fonts
from counter_app.printing.agreement import render_agreement
from counter_app.printing.fonts import MissingGlyph, font_for_char, has_glyph, split_runs
from counter_app.resources_path import ENV_VAR, resources_dir
from tests.printing_tools import agreement, customer, pdf_text, squash

RARE_NAME_CHARS = "𠮷喆堃昇镕"
MIDDLE_DOTS = "·•‧・"


def test_font_files_and_licences_are_shipped() -> None:
    folder = resources_dir() / "fonts"
    for path in fonts.font_paths().values():
        assert path.is_file(), path
        assert path.read_bytes()[:4] == b"\0\1\0\0", f"{path.name} must have TrueType outlines"
    assert (folder / "README.md").is_file()
    assert "SIL OPEN FONT LICENSE" in (folder / "OFL-1.1.txt").read_text(encoding="utf-8")
    assert "Hanazono Font License" in (folder / "LICENSE-Hanazono.txt").read_text(encoding="utf-8")
    total = sum(p.stat().st_size for p in folder.glob("*.ttf"))
    assert total < 25_000_000


def test_rare_name_characters_and_middle_dots_have_glyphs() -> None:
    assert has_glyph(RARE_NAME_CHARS + MIDDLE_DOTS + "阿依古丽·买买提") == []
    for ch in RARE_NAME_CHARS + MIDDLE_DOTS:
        assert font_for_char(ch) is not None, ch


def test_coverage_checked_against_the_font_files() -> None:
    """Read the cmaps with fontTools, independently of reportlab's parser."""
    ttlib = pytest.importorskip("fontTools.ttLib")
    cmaps = {
        name: set(ttlib.TTFont(str(path), lazy=True).getBestCmap())
        for name, path in fonts.font_paths().items()
    }
    chain = [cmaps[name] for name in fonts.REGULAR_CHAIN]
    for ch in RARE_NAME_CHARS + MIDDLE_DOTS:
        assert any(ord(ch) in cmap for cmap in chain), ch
    # every CJK Unified Ideograph and every Extension A character prints
    ideographs = [*range(0x4E00, 0xA000), *range(0x3400, 0x4DC0)]
    uncovered = [hex(cp) for cp in ideographs if not any(cp in cmap for cmap in chain)]
    assert uncovered == []
    # and reportlab agrees with fontTools on the primary font
    assert all(font_for_char(chr(cp)) for cp in (0x4E00, 0x9FA5, 0x9FFF, 0x3400, 0x4DBF))


def test_all_of_gbk_prints() -> None:
    missing = []
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                ch = bytes((lead, trail)).decode("gbk")
            except UnicodeDecodeError:
                continue
            if ch.isprintable() and not ("\ue000" <= ch <= "\uf8ff") and font_for_char(ch) is None:
                missing.append(ch)
    assert missing == []


def test_fallback_is_used_per_character() -> None:
    fallback_only = "𠃓"  # Extension B, not in Noto: set by Hanazono
    newest = "\u9fff"  # Unicode 14: only the Kai fallback has it
    assert font_for_char("喆") == fonts.REGULAR
    assert font_for_char(fallback_only) == fonts.FALLBACK
    assert font_for_char(newest) == fonts.FALLBACK_KAI
    runs = split_runs(f"张{fallback_only}三{newest}")
    assert [(r.font, r.text) for r in runs] == [
        (fonts.REGULAR, "张"),
        (fonts.FALLBACK, fallback_only),
        (fonts.REGULAR, "三"),
        (fonts.FALLBACK_KAI, newest),
    ]
    # bold falls back to regular for a character outside its GB 2312 subset
    assert font_for_char("喆", bold=True) == fonts.REGULAR
    assert font_for_char("协", bold=True) == fonts.BOLD


def test_a_character_no_font_has_raises_with_the_field() -> None:
    assert has_glyph("张\ue000三") == ["\ue000"]
    with pytest.raises(MissingGlyph) as caught:
        split_runs("张\ue000三", field="customer.name")
    assert caught.value.char == "\ue000"
    assert caught.value.field == "customer.name"
    assert "U+E000" in str(caught.value) and "customer.name" in str(caught.value)


def test_missing_glyph_in_an_agreement_names_the_field() -> None:
    data = agreement(customer=customer(address="上海市\ue000路"))
    with pytest.raises(MissingGlyph) as caught:
        render_agreement(data)
    assert caught.value.field == "customer.address"


def test_rare_characters_are_extracted_from_the_pdf(tmp_path: Path) -> None:
    """The ToUnicode map carries characters beyond the BMP: 𠮷 is searchable and copyable."""
    name = "吉𠮷𠃓·阿依古丽\u9fff"
    pdf = render_agreement(agreement(customer=customer(name=name)))
    assert name in squash(pdf_text(pdf, tmp_path, first=1, last=1))


def test_markup_characters_in_data_are_printed_as_text(tmp_path: Path) -> None:
    address = "北京市<朝阳区> A&B 大厦 1号"
    pdf = render_agreement(agreement(customer=customer(address=address)))
    assert squash(address) in squash(pdf_text(pdf, tmp_path, first=1, last=1))


def test_resources_are_found_from_source_bundle_or_override(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys

    monkeypatch.delenv(ENV_VAR, raising=False)
    assert (resources_dir() / "fonts" / fonts.FONT_FILES[fonts.REGULAR]).is_file()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere"))
    assert resources_dir() == tmp_path / "elsewhere"
