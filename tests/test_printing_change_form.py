"""The data change application form (客户资料变更申请表)."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.printing import LayoutRecord, render_change_form
from counter_app.printing.models import FieldChange
from tests.printing_tools import (
    ADDRESS_60,
    change_form,
    decode_barcodes,
    page_count,
    pdf_text,
    squash,
)


@pytest.fixture(scope="module")
def record_and_pdf() -> tuple[LayoutRecord, bytes]:
    record = LayoutRecord()
    return record, render_change_form(change_form(), record=record)


def test_text_has_customer_changes_and_reasons(
    record_and_pdf: tuple[LayoutRecord, bytes], tmp_path: Path
) -> None:
    _, pdf = record_and_pdf
    text = squash(pdf_text(pdf, tmp_path))
    for expected in (
        "客户资料变更申请表",
        "阿依古丽·买买提",
        "65010219850312002X",
        "310000654321",
        "CF202611250017",
        "650102850312002",  # old value
        "乌市天山区",
        ADDRESS_60,
        "（空）",  # an empty old value is shown as empty, not left blank
        "身份证号码为15位旧号码，需升级为18位",
        "联系电话缺失",
        "客户（签字）",
        "复核人",
        "营业部（盖章）",
        "第1页共1页",
    ):
        assert expected in text, expected
    # old before new, in the order of the changes
    assert text.index("650102850312002") < text.index("乌市天山区") < text.index(ADDRESS_60)


def test_barcode_decodes_to_form_number(
    record_and_pdf: tuple[LayoutRecord, bytes], tmp_path: Path
) -> None:
    _, pdf = record_and_pdf
    assert decode_barcodes(pdf, tmp_path, 1) == ["CF202611250017"]


def test_long_values_wrap_inside_their_cells(record_and_pdf: tuple[LayoutRecord, bytes]) -> None:
    record, _ = record_and_pdf
    (new_address,) = record.find("changes[3].new")
    assert new_address.lines >= 2
    assert new_address.used_width <= new_address.width + 0.01
    (old_address,) = record.find("changes[3].old")
    # old and new sit side by side in the same row, without overlapping
    assert old_address.x + old_address.width < new_address.x


def test_many_changes_run_onto_a_second_page(tmp_path: Path) -> None:
    changes = tuple(FieldChange(f"项目{i}", f"旧值{i}", ADDRESS_60) for i in range(1, 25))
    pdf = render_change_form(change_form(changes=changes))
    pages = page_count(pdf)
    assert pages >= 2
    last = squash(pdf_text(pdf, tmp_path, first=pages, last=pages))
    assert f"第{pages}页共{pages}页" in last and "客户（签字）" in last
    assert decode_barcodes(pdf, tmp_path, pages) == ["CF202611250017"]


def test_a_form_without_changes_is_refused() -> None:
    with pytest.raises(ValueError):
        render_change_form(change_form(changes=()))
