"""The tripartite depository agreement (客户交易结算资金第三方存管协议) as a PDF.

Each agreement is printed in three copies (customer, broker, bank); every copy is a complete
agreement with its own page numbers ("第 1 页 共 N 页"), its copy mark at the top right and
a Code128 barcode of the agreement number in the footer of every page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from functools import partial
from pathlib import Path

from reportlab.lib.enums import TA_JUSTIFY, TA_RIGHT
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from counter_app.printing import fonts
from counter_app.printing.barcodes import code128_modules
from counter_app.printing.layout import (
    BODY_W,
    LABEL_SHADE,
    SHADE,
    ContextMarker,
    FieldParagraph,
    FurnitureCanvas,
    LayoutRecord,
    PageContext,
    draw_header_footer,
    grid_style,
    make_doc,
    plain_style,
    style,
    text_paragraph,
)
from counter_app.printing.models import AgreementData, Lang
from counter_app.printing.templates import load_agreement_template

COPY_MARKS = {
    "zh": ("第一联 客户留存", "第二联 证券公司留存", "第三联 存管银行留存"),
    "en": ("Copy 1 · Customer", "Copy 2 · Securities company", "Copy 3 · Depository bank"),
}

TEXT = {
    "zh": {
        "agreement_no": "协议编号：",
        "signed_on": "签署日期：",
        "party_a": "甲方（投资者）",
        "party_b": "乙方（证券公司）",
        "party_c": "丙方（存管银行）",
        "name": "姓名",
        "id_type": "证件类型",
        "id_number": "证件号码",
        "phone": "联系电话",
        "address": "联系地址",
        "capital_account": "资金账号",
        "securities_accounts": "证券账户",
        "company": "名称",
        "branch": "营业部",
        "branch_address": "营业地址",
        "bank_name": "存管银行",
        "bank_branch": "开户网点",
        "bank_account": "银行结算账户",
        "none": "—",
        "sign_a": "甲方（签字）：",
        "sign_b": "乙方（盖章）：",
        "sign_c": "丙方（盖章）：",
        "agent": "经办人（签字）：",
        "date": "日期：",
        "blank_date": "日期：_____年____月____日",
        "page": "第 {page} 页 共 {pages} 页",
    },
    "en": {
        "agreement_no": "Agreement No.: ",
        "signed_on": "Date: ",
        "party_a": "Party A (Investor)",
        "party_b": "Party B (Securities company)",
        "party_c": "Party C (Depository bank)",
        "name": "Name",
        "id_type": "ID type",
        "id_number": "ID number",
        "phone": "Telephone",
        "address": "Address",
        "capital_account": "Capital account",
        "securities_accounts": "Securities accounts",
        "company": "Company",
        "branch": "Branch",
        "branch_address": "Address",
        "bank_name": "Bank",
        "bank_branch": "Bank outlet",
        "bank_account": "Bank account",
        "none": "—",
        "sign_a": "Party A (signature):",
        "sign_b": "Party B (seal):",
        "sign_c": "Party C (seal):",
        "agent": "Authorised officer:",
        "date": "Date: ",
        "blank_date": "Date: ________________",
        "page": "Page {page} of {pages}",
    },
}


def format_date(value: date, lang: Lang) -> str:
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {value.strftime('%B')} {value.year}"


class _Styles:
    def __init__(self, lang: Lang) -> None:
        # CJK wrapping for English too: it still breaks English at spaces, and Chinese names
        # inside English clauses break between characters instead of stretching the line.
        cjk = True
        indent = lang == "zh"
        self.title = style("a-title", size=17, bold=True, leading=24, align=1, cjk=cjk)
        self.meta = style("a-meta", size=9.5, cjk=cjk)
        self.meta_right = style("a-meta-r", size=9.5, align=TA_RIGHT, cjk=cjk)
        self.section = style("a-section", size=10.5, bold=True, cjk=cjk)
        # labels are our own words: English ones must not break inside a word
        self.label = style("a-label", size=9, leading=13, cjk=indent)
        self.label_width = 24 * mm if indent else 28 * mm
        self.value = style("a-value", size=10, leading=14, cjk=cjk)
        self.heading = style(
            "a-heading", size=10.5, bold=True, spaceBefore=5, spaceAfter=1, cjk=cjk
        )
        self.body = style(
            "a-body",
            size=10,
            leading=16,
            align=TA_JUSTIFY,
            firstLineIndent=20 if indent else 0,
            spaceAfter=0 if indent else 3,
            cjk=cjk,
        )
        self.sign = style("a-sign", size=10, leading=15, cjk=cjk)


def _parties_table(
    data: AgreementData, t: dict[str, str], st: _Styles, record: LayoutRecord | None
) -> Table:
    c = data.customer

    def label(key: str) -> Flowable:
        return text_paragraph(t[key], st.label)

    def value(text: str, field: str) -> Flowable:
        return FieldParagraph(text or t["none"], st.value, field=field, record=record)

    def section(key: str) -> list[Flowable | str]:
        return [text_paragraph(t[key], st.section), "", "", ""]

    securities = "\n".join(
        f"{line.market_label}　{line.account_no}" for line in data.securities_accounts
    )
    rows: list[list[Flowable | str]] = [
        section("party_a"),
        [
            label("name"),
            value(c.name, "customer.name"),
            label("id_type"),
            value(c.id_type_label, "customer.id_type"),
        ],
        [
            label("id_number"),
            value(c.id_number, "customer.id_number"),
            label("phone"),
            value(c.phone, "customer.phone"),
        ],
        [label("address"), value(c.address, "customer.address"), "", ""],
        [
            label("capital_account"),
            value(data.capital_account, "capital_account"),
            label("securities_accounts"),
            value(securities, "securities_accounts"),
        ],
        section("party_b"),
    ]
    if data.branch.company:
        rows.append([label("company"), value(data.branch.company, "branch.company"), "", ""])
    rows += [
        [
            label("branch"),
            value(data.branch.name, "branch.name"),
            label("phone"),
            value(data.branch.phone, "branch.phone"),
        ],
        [label("branch_address"), value(data.branch.address, "branch.address"), "", ""],
        section("party_c"),
        [
            label("bank_name"),
            value(data.bank_name, "bank_name"),
            label("bank_branch"),
            value(data.bank_branch, "bank_branch"),
        ],
        [label("bank_account"), value(data.bank_account, "bank_account"), "", ""],
    ]
    lw = st.label_width
    widths = [lw, 85 * mm - lw, lw, BODY_W - 85 * mm - lw]
    cmds = grid_style()
    for i, row in enumerate(rows):
        if row[1] == "":  # a section row
            cmds += [("SPAN", (0, i), (-1, i)), ("BACKGROUND", (0, i), (-1, i), SHADE)]
        else:
            cmds += [("BACKGROUND", (0, i), (0, i), LABEL_SHADE)]
            if row[2] == "":
                cmds.append(("SPAN", (1, i), (-1, i)))
            else:
                cmds.append(("BACKGROUND", (2, i), (2, i), LABEL_SHADE))
    table = Table(rows, colWidths=widths, style=TableStyle(cmds))
    return table


def _signature_table(data: AgreementData, t: dict[str, str], st: _Styles) -> Table:
    signed = t["date"] + format_date(data.signed_on, data.lang)

    def cell(*lines: str) -> list[Flowable]:
        out: list[Flowable] = []
        for line in lines:
            out.append(Spacer(1, 11 * mm) if line == "" else text_paragraph(line, st.sign))
        return out

    heads = [text_paragraph(t[k], st.section) for k in ("party_a", "party_b", "party_c")]
    body = [
        cell(t["sign_a"], "", "", signed),
        cell(t["sign_b"], "", t["agent"], signed),
        cell(t["sign_c"], "", t["agent"], t["blank_date"]),
    ]
    col = BODY_W / 3
    return Table(
        [heads, body],
        colWidths=[col, col, col],
        style=TableStyle(
            grid_style(
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 1), (-1, 1), 6),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 8),
            )
        ),
    )


def _agreement_story(
    data: AgreementData, ctx: PageContext, record: LayoutRecord | None
) -> list[Flowable]:
    t = TEXT[data.lang]
    st = _Styles(data.lang)
    values = {
        "branch_name": data.branch.name,
        "branch_address": data.branch.address,
        "company": data.branch.company or data.branch.name,
        "bank_name": data.bank_name,
        "customer_name": data.customer.name,
        "capital_account": data.capital_account,
        "agreement_no": data.agreement_no,
    }
    title, blocks = load_agreement_template(data.lang).render(values)
    meta = Table(
        [
            [
                FieldParagraph(
                    t["agreement_no"] + data.agreement_no,
                    st.meta,
                    field="agreement_no",
                    record=record,
                ),
                text_paragraph(
                    t["signed_on"] + format_date(data.signed_on, data.lang), st.meta_right
                ),
            ]
        ],
        colWidths=[BODY_W / 2, BODY_W / 2],
        style=TableStyle(plain_style()),
    )
    story: list[Flowable] = [
        ContextMarker(ctx),
        text_paragraph(title, st.title, bold=True),
        Spacer(1, 3 * mm),
        meta,
        Spacer(1, 1.5 * mm),
        _parties_table(data, t, st, record),
        Spacer(1, 4 * mm),
    ]
    for block in blocks:
        if block.kind == "heading":
            story.append(text_paragraph(block.text, st.heading, bold=True))
        else:
            story.append(text_paragraph(block.text, st.body))
    story += [Spacer(1, 5 * mm), KeepTogether([_signature_table(data, t, st)])]
    return story


def _draw_furniture(
    data: AgreementData, canv: Canvas, copy_index: int, page: int, pages: int
) -> None:
    t = TEXT[data.lang]
    branch = data.branch
    draw_header_footer(
        canv,
        header_left=f"{branch.company}　{branch.name}" if branch.company else branch.name,
        mark=COPY_MARKS[data.lang][copy_index],
        barcode=data.agreement_no,
        footer_center=t["page"].format(page=page, pages=pages),
        footer_right=t["agreement_no"] + data.agreement_no,
    )


def _validate(data: AgreementData) -> None:
    if not data.agreement_no.strip():
        raise ValueError("an agreement needs its number")
    code128_modules(data.agreement_no)  # raises for a value the barcode cannot carry
    if data.lang not in TEXT:
        raise ValueError(f"unknown language {data.lang!r}")


def _story(items: Sequence[AgreementData], record: LayoutRecord | None) -> list[Flowable]:
    story: list[Flowable] = []
    for n, data in enumerate(items):
        _validate(data)
        ctx = PageContext(n, partial(_draw_furniture, data), copies=len(COPY_MARKS[data.lang]))
        if story:
            story.append(PageBreak())
        story += _agreement_story(data, ctx, record)
    return story


def render_agreements(
    items: Sequence[AgreementData],
    path: str | Path | None = None,
    *,
    record: LayoutRecord | None = None,
) -> bytes:
    """One PDF with three copies of every agreement, in order; also written to ``path``.

    Raises:
        MissingGlyph: a character of the data that no embedded font can print.
        ValueError: an empty or non-ASCII agreement number, or an unknown language.
        TemplateError: the agreement template is malformed.
    """
    if not items:
        raise ValueError("no agreement to print")
    fonts.register_fonts()
    buf = io.BytesIO()
    title = "客户交易结算资金第三方存管协议" if items[0].lang == "zh" else "Depository agreement"
    doc = make_doc(buf, title if len(items) > 1 else f"{title} {items[0].agreement_no}")
    doc.build(_story(items, record), canvasmaker=FurnitureCanvas)
    pdf = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(pdf)
    return pdf


def render_agreement(data: AgreementData, *, record: LayoutRecord | None = None) -> bytes:
    """The agreement in three copies as PDF bytes (see :func:`render_agreements`)."""
    return render_agreements([data], record=record)
