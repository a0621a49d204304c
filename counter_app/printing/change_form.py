"""The data change application form (客户资料变更申请表) as a PDF.

One form per change: who the customer is, every changed field with its old and new value,
the screening reasons the change clears, the customer's declaration and the signature block
(customer, clerk, checker, branch seal). The form number is printed and carried by a
Code128 barcode on every page, so the signed paper can be scanned back to its record.
"""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from counter_app.printing import fonts
from counter_app.printing.agreement import format_date
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
from counter_app.printing.models import ChangeFormData

TEXT = {
    "zh": {
        "title": "客户资料变更申请表",
        "form_no": "申请编号：",
        "filed_on": "申请日期：",
        "customer": "客户信息（变更后）",
        "name": "客户姓名",
        "capital_account": "资金账号",
        "id_type": "证件类型",
        "id_number": "证件号码",
        "changes": "变更内容",
        "no": "序号",
        "field": "变更项目",
        "old": "变更前",
        "new": "变更后",
        "empty": "（空）",
        "cleared": "本次变更解决的问题",
        "cleared_none": "无",
        "declaration": (
            "本人申请变更以上资料，并保证所提供的资料及身份证明文件真实、准确、完整。"
            "因资料不实产生的一切后果由本人承担。本人同意证券公司据此更新资金账户及"
            "所关联证券账户的客户资料，并按规定报送存管银行及中国证券登记结算有限责任公司。"
        ),
        "sign_customer": "客户（签字）：",
        "sign_clerk": "经办人：",
        "sign_checker": "复核人：",
        "seal": "营业部（盖章）：",
        "date": "日期：_____年____月____日",
        "page": "第 {page} 页 共 {pages} 页",
        "mark": "营业部留存",
    },
    "en": {
        "title": "Application for Change of Customer Data",
        "form_no": "Form No.: ",
        "filed_on": "Date: ",
        "customer": "Customer (after the change)",
        "name": "Name",
        "capital_account": "Capital account",
        "id_type": "ID type",
        "id_number": "ID number",
        "changes": "Changes",
        "no": "No.",
        "field": "Item",
        "old": "Before",
        "new": "After",
        "empty": "(empty)",
        "cleared": "Problems this change resolves",
        "cleared_none": "None",
        "declaration": (
            "I apply for the changes above and warrant that the data and identity documents I "
            "have provided are true, accurate and complete; I bear all consequences of untrue "
            "data. I agree that the securities company updates the data of my capital account "
            "and its securities accounts accordingly and reports them to the depository bank "
            "and to China Securities Depository and Clearing as required."
        ),
        "sign_customer": "Customer (signature):",
        "sign_clerk": "Clerk:",
        "sign_checker": "Checked by:",
        "seal": "Branch (seal):",
        "date": "Date: ________________",
        "page": "Page {page} of {pages}",
        "mark": "Branch copy",
    },
}


class _Styles:
    def __init__(self, lang: str) -> None:
        zh = lang == "zh"
        self.title = style("c-title", size=17, bold=True, leading=24, align=1)
        self.meta = style("c-meta", size=9.5)
        self.meta_right = style("c-meta-r", size=9.5, align=2)
        self.section = style("c-section", size=10.5, bold=True)
        # labels are our own words: English ones must not break inside a word
        self.label = style("c-label", size=9, leading=13, cjk=zh)
        self.label_width = 24 * mm if zh else 28 * mm
        self.value = style("c-value", size=10, leading=14)
        self.center = style("c-center", size=9, leading=13, align=1)
        self.body = style("c-body", size=10, leading=16, firstLineIndent=20, align=4)
        self.sign = style("c-sign", size=10, leading=15)


def _story(data: ChangeFormData, ctx: PageContext, record: LayoutRecord | None) -> list[Flowable]:
    t = TEXT[data.lang]
    st = _Styles(data.lang)
    c = data.customer

    def label(key: str, pstyle: object = None) -> Flowable:
        return text_paragraph(t[key], st.label)

    def value(text: str, field: str) -> Flowable:
        return FieldParagraph(text, st.value, field=field, record=record)

    meta = Table(
        [
            [
                FieldParagraph(
                    t["form_no"] + data.form_no, st.meta, field="form_no", record=record
                ),
                text_paragraph(
                    t["filed_on"] + format_date(data.filed_on, data.lang), st.meta_right
                ),
            ]
        ],
        colWidths=[BODY_W / 2, BODY_W / 2],
        style=TableStyle(plain_style()),
    )
    lw = st.label_width
    half = (BODY_W - 2 * lw) / 2
    customer = Table(
        [
            [text_paragraph(t["customer"], st.section), "", "", ""],
            [
                label("name"),
                value(c.name, "customer.name"),
                label("capital_account"),
                value(data.capital_account, "capital_account"),
            ],
            [
                label("id_type"),
                value(c.id_type_label, "customer.id_type"),
                label("id_number"),
                value(c.id_number, "customer.id_number"),
            ],
        ],
        colWidths=[lw, half, lw, half],
        style=TableStyle(
            grid_style(
                ("SPAN", (0, 0), (-1, 0)),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("BACKGROUND", (0, 1), (0, -1), LABEL_SHADE),
                ("BACKGROUND", (2, 1), (2, -1), LABEL_SHADE),
            )
        ),
    )
    change_rows: list[list[Flowable | str]] = [
        [text_paragraph(t["changes"], st.section), "", "", ""],
        [text_paragraph(t[k], st.center, bold=True) for k in ("no", "field", "old", "new")],
    ]
    for i, change in enumerate(data.changes, start=1):
        change_rows.append(
            [
                text_paragraph(str(i), st.center),
                value(change.label, f"changes[{i}].label"),
                value(change.old or t["empty"], f"changes[{i}].old"),
                value(change.new or t["empty"], f"changes[{i}].new"),
            ]
        )
    wide = (BODY_W - 40 * mm) / 2
    changes = Table(
        change_rows,
        colWidths=[12 * mm, 28 * mm, wide, wide],
        repeatRows=2,
        style=TableStyle(
            grid_style(
                ("SPAN", (0, 0), (-1, 0)),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("BACKGROUND", (0, 1), (-1, 1), LABEL_SHADE),
            )
        ),
    )
    reasons = [
        value(f"{i}. {reason}", f"cleared_reasons[{i}]")
        for i, reason in enumerate(data.cleared_reasons, start=1)
    ] or [text_paragraph(t["cleared_none"], st.value)]
    cleared = Table(
        [[text_paragraph(t["cleared"], st.section)], [reasons]],
        colWidths=[BODY_W],
        style=TableStyle(grid_style(("BACKGROUND", (0, 0), (-1, 0), SHADE))),
    )

    def sign_cell(*lines: str) -> list[Flowable]:
        return [Spacer(1, 10 * mm) if ln == "" else text_paragraph(ln, st.sign) for ln in lines]

    col = BODY_W / 3
    signatures = Table(
        [
            [
                sign_cell(t["sign_customer"], "", t["date"]),
                sign_cell(t["sign_clerk"], "", t["sign_checker"]),
                sign_cell(t["seal"], "", t["date"]),
            ]
        ],
        colWidths=[col, col, col],
        style=TableStyle(
            grid_style(
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            )
        ),
    )
    return [
        ContextMarker(ctx),
        text_paragraph(t["title"], st.title, bold=True),
        Spacer(1, 3 * mm),
        meta,
        Spacer(1, 1.5 * mm),
        customer,
        Spacer(1, 4 * mm),
        changes,
        Spacer(1, 4 * mm),
        cleared,
        Spacer(1, 5 * mm),
        KeepTogether([text_paragraph(t["declaration"], st.body), Spacer(1, 3 * mm), signatures]),
    ]


def _draw_furniture(data: ChangeFormData, canv: Canvas, copy: int, page: int, pages: int) -> None:
    t = TEXT[data.lang]
    branch = data.branch
    draw_header_footer(
        canv,
        header_left=f"{branch.company}　{branch.name}" if branch.company else branch.name,
        mark=t["mark"],
        barcode=data.form_no,
        footer_center=t["page"].format(page=page, pages=pages),
        footer_right=t["form_no"] + data.form_no,
    )


def render_change_form(
    data: ChangeFormData, path: str | Path | None = None, *, record: LayoutRecord | None = None
) -> bytes:
    """The form as PDF bytes; also written to ``path`` if given.

    Raises:
        MissingGlyph: a character of the data that no embedded font can print.
        ValueError: no change, an empty or non-ASCII form number, or an unknown language.
    """
    if not data.changes:
        raise ValueError("a change form needs at least one change")
    if not data.form_no.strip():
        raise ValueError("a change form needs its number")
    code128_modules(data.form_no)
    if data.lang not in TEXT:
        raise ValueError(f"unknown language {data.lang!r}")
    fonts.register_fonts()
    buf = io.BytesIO()
    doc = make_doc(buf, f"{TEXT[data.lang]['title']} {data.form_no}")
    ctx = PageContext(data.form_no, partial(_draw_furniture, data))
    doc.build(_story(data, ctx, record), canvasmaker=FurnitureCanvas)
    pdf = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(pdf)
    return pdf
