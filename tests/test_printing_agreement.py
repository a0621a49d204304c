"""The tripartite depository agreement PDF: content, copies, page numbers, barcode, layout."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4

from counter_app.printing import LayoutRecord, render_agreement, render_agreements
from counter_app.printing.layout import BODY_W, MARGIN_X
from counter_app.printing.models import SecuritiesAccountLine
from tests.printing_tools import (
    ADDRESS_60,
    agreement,
    customer,
    decode_barcodes,
    page_count,
    pdf_text,
    pdf_words,
    squash,
)


@pytest.fixture(scope="module")
def zh_pdf() -> bytes:
    return render_agreement(agreement())


def test_text_has_customer_accounts_and_agreement_number(zh_pdf: bytes, tmp_path: Path) -> None:
    text = squash(pdf_text(zh_pdf, tmp_path))
    for expected in (
        "欧阳𠮷喆",
        "11010519491231002X",
        "310000123456",
        "TA202611250001",
        "A123456789",
        "0123456789",
        "中国工商银行股份有限公司",
        "6222021001123456789",
        "上海浦东新区世纪大道证券营业部",
        "上海市浦东新区世纪大道1198号世纪汇广场一座28楼",
        "2026年11月25日",
        "客户交易结算资金第三方存管协议",
        "甲方（投资者）",
        "乙方（证券公司）",
        "丙方（存管银行）",
    ):
        assert expected in text, expected
    # the placeholders of the template were filled in
    assert "{" not in text and "示例证券股份有限公司" in text


def test_three_copies_each_numbered_on_its_own(zh_pdf: bytes, tmp_path: Path) -> None:
    pages = page_count(zh_pdf)
    assert pages % 3 == 0
    per_copy = pages // 3
    assert 1 <= per_copy <= 3
    marks = ["第一联客户留存", "第二联证券公司留存", "第三联存管银行留存"]
    for page in range(1, pages + 1):
        text = squash(pdf_text(zh_pdf, tmp_path, first=page, last=page))
        copy, number = divmod(page - 1, per_copy)
        assert marks[copy] in text
        assert [m for m in marks if m in text] == [marks[copy]]
        assert f"第{number + 1}页共{per_copy}页" in text
        # every copy is complete: title on its first page, signatures on its last
        if number == 0:
            assert "客户交易结算资金第三方存管协议" in text
        if number == per_copy - 1:
            assert "甲方（签字）" in text and "丙方（盖章）" in text


def test_barcode_decodes_to_agreement_number_on_every_page(zh_pdf: bytes, tmp_path: Path) -> None:
    for page in range(1, page_count(zh_pdf) + 1):
        assert decode_barcodes(zh_pdf, tmp_path, page) == ["TA202611250001"]


def test_barcode_carries_any_number_format(tmp_path: Path) -> None:
    pdf = render_agreement(agreement("AGR-2026/000017"))
    assert decode_barcodes(pdf, tmp_path, 1) == ["AGR-2026/000017"]


def test_english_version(tmp_path: Path) -> None:
    data = agreement(
        lang="en",
        securities_accounts=(SecuritiesAccountLine("Shanghai A", "A123456789"),),
    )
    pdf = render_agreement(data)
    text = pdf_text(pdf, tmp_path)
    flat = squash(text)
    for expected in ("欧阳𠮷喆", "11010519491231002X", "310000123456", "TA202611250001"):
        assert expected in flat
    assert "Tripartite Agreement" in text and "Party C (Depository bank)" in text
    assert "Copy 1 · Customer" in text and "Copy 3 · Depository bank" in text
    per_copy = page_count(pdf) // 3
    assert f"Page 1 of {per_copy}" in text
    assert decode_barcodes(pdf, tmp_path, page_count(pdf)) == ["TA202611250001"]


def test_address_of_60_characters_stays_inside_its_box(tmp_path: Path) -> None:
    assert len(ADDRESS_60) == 60
    record = LayoutRecord()
    pdf = render_agreement(agreement(customer=customer(address=ADDRESS_60)), record=record)
    (box,) = record.find("customer.address")
    # it wraps (one line would be far wider than the box) and no line is wider than the box
    assert box.lines >= 2
    assert 0 < box.used_width <= box.width + 0.01
    # the box lies within the page body
    assert box.x >= MARGIN_X - 0.01 and box.x + box.width <= MARGIN_X + BODY_W + 0.01
    # what poppler reads off the page: every piece of the address inside the box
    page_h = A4[1]
    words = [
        w for w in pdf_words(pdf, tmp_path, box.page) if len(w.text) >= 4 and w.text in ADDRESS_60
    ]
    assert "".join(w.text for w in words) == ADDRESS_60
    for w in words:
        assert box.x - 0.5 <= w.x0 and w.x1 <= box.x + box.width + 0.5, w
        assert box.y - 2 <= page_h - w.y1 and page_h - w.y0 <= box.y + box.height + 2, w
    # and the row below (capital account) starts below the address: nothing overlaps
    (below,) = record.find("capital_account")
    assert below.y + below.height < box.y


def test_long_institution_names_wrap_inside_their_boxes() -> None:
    long_bank = "中国工商银行股份有限公司上海市浦东新区分行陆家嘴金融贸易区支行营业部第二网点"
    record = LayoutRecord()
    branch = dataclasses.replace(
        agreement().branch,
        name="示例证券股份有限公司上海浦东新区世纪大道第二证券营业部（原张杨路营业部）",
    )
    render_agreement(agreement(bank_name=long_bank, branch=branch), record=record)
    for field in ("bank_name", "branch.name"):
        (box,) = record.find(field)
        assert box.lines >= 2 and box.used_width <= box.width + 0.01, field


def test_name_with_rare_characters_and_middle_dot(tmp_path: Path) -> None:
    name = "𠮷·阿依古丽·买买提"
    pdf = render_agreement(agreement(customer=customer(name=name)))
    assert name in squash(pdf_text(pdf, tmp_path, first=1, last=1))


def test_batch_is_one_pdf_in_order(tmp_path: Path) -> None:
    numbers = [f"TA2026112500{i:02d}" for i in range(1, 4)]
    out = tmp_path / "batch.pdf"
    pdf = render_agreements([agreement(n) for n in numbers], out)
    assert out.read_bytes() == pdf
    single = page_count(render_agreement(agreement(numbers[0])))
    assert page_count(pdf) == 3 * single
    text = squash(pdf_text(pdf, tmp_path))
    positions = [text.index(n) for n in numbers]
    assert positions == sorted(positions)
    # page numbers restart with each copy of each agreement
    assert text.count(f"第1页共{single // 3}页") == 9
    assert decode_barcodes(pdf, tmp_path, page_count(pdf)) == [numbers[-1]]


def test_same_input_same_bytes() -> None:
    assert render_agreement(agreement()) == render_agreement(agreement())


def test_refuses_what_it_cannot_print() -> None:
    with pytest.raises(ValueError):
        render_agreement(agreement(""))
    with pytest.raises(ValueError):
        render_agreement(agreement("协议001"))
    with pytest.raises(ValueError):
        render_agreements([])


def test_one_agreement_is_fast() -> None:
    render_agreement(agreement())  # fonts and template loaded once per process
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        render_agreement(agreement())
        timings.append(time.perf_counter() - started)
    # the target is 100 ms (bench/README.md); a loaded CI machine gets some slack here
    assert sorted(timings)[2] < 0.3
