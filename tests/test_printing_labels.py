"""Sheets of file labels: grid geometry, barcodes, masked names."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from counter_app.domain.masking import mask_name
from counter_app.printing import AVERY_3474, AVERY_L7160, LabelData, render_labels
from counter_app.printing.fonts import MissingGlyph
from tests.printing_tools import decode_barcodes, page_count, pdf_text, squash

NAMES = ["张三", "欧阳娜娜", "阿依古丽·买买提", "吉𠮷", "王喆", "李堃", "赵昇", "朱镕基"]


def labels(n: int) -> list[LabelData]:
    return [
        LabelData(
            capital_account=f"3100001234{i:02d}", masked_name=mask_name(NAMES[i % len(NAMES)])
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("layout", [AVERY_L7160, AVERY_3474])
def test_grid_lies_on_the_sheet(layout) -> None:  # type: ignore[no-untyped-def]
    width, height = A4
    for i in range(layout.per_sheet):
        x, y = layout.origin(i)
        assert x >= -0.01 and x + layout.width * mm <= width + 0.01
        assert y >= -0.01 and y + layout.height * mm <= height + 0.01
    # neighbours do not overlap
    x0, _ = layout.origin(0)
    x1, _ = layout.origin(1)
    assert x1 - x0 >= layout.width * mm - 0.01
    _, y0 = layout.origin(0)
    _, y_next_row = layout.origin(layout.columns)
    assert y0 - y_next_row >= layout.height * mm - 0.01


def test_l7160_is_21_per_sheet_and_3474_is_24() -> None:
    assert AVERY_L7160.per_sheet == 21
    assert AVERY_3474.per_sheet == 24


def test_every_barcode_on_a_sheet_decodes(tmp_path: Path) -> None:
    data = labels(21)
    pdf = render_labels(data)
    assert page_count(pdf) == 1
    assert sorted(decode_barcodes(pdf, tmp_path, 1)) == sorted(d.capital_account for d in data)
    text = squash(pdf_text(pdf, tmp_path))
    for expected in ("张*", "欧***", "阿***·***", "吉*", "朱**", "310000123400"):
        assert expected in text
    # masked: no full name on a label
    assert "张三" not in text and "朱镕基" not in text


def test_overflow_starts_a_new_sheet_and_skip_leaves_positions_free(tmp_path: Path) -> None:
    assert page_count(render_labels(labels(22))) == 2
    assert page_count(render_labels(labels(24), layout=AVERY_3474)) == 1
    assert page_count(render_labels(labels(23), layout=AVERY_3474, skip=2)) == 2


def test_barcode_value_can_differ_from_the_account(tmp_path: Path) -> None:
    pdf = render_labels([LabelData("310000123456", "张*", barcode="F-000017")])
    assert decode_barcodes(pdf, tmp_path, 1) == ["F-000017"]


def test_refused() -> None:
    with pytest.raises(ValueError):
        render_labels([])
    with pytest.raises(MissingGlyph):
        render_labels([LabelData("310000123456", "张\ue000")])
