"""The agreement template: the branch rewords the terms without touching code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from counter_app.printing import TemplateError, render_agreement
from counter_app.printing.templates import load_agreement_template, parse_template
from counter_app.resources_path import ENV_VAR, resources_dir
from tests.printing_tools import agreement, pdf_text, squash


def test_shipped_templates_parse() -> None:
    for lang in ("zh", "en"):
        template = load_agreement_template(lang)
        headings = [b for b in template.blocks if b.kind == "heading"]
        assert len(headings) >= 8
        title, blocks = template.render(
            {
                "branch_name": "B",
                "branch_address": "A",
                "company": "C",
                "bank_name": "K",
                "customer_name": "N",
                "capital_account": "1",
                "agreement_no": "TA1",
            }
        )
        assert title and all("{" not in b.text for b in blocks)


def test_parse_headings_paragraphs_comments_and_braces() -> None:
    template = parse_template(
        "; comment\n= 标题\n\n前言第一行\n前言第二行\n== 第一条 定义\n{{字面}} {bank_name}\n",
        joiner="",
    )
    assert template.title == "标题"
    assert [(b.kind, b.text) for b in template.blocks] == [
        ("para", "前言第一行前言第二行"),
        ("heading", "第一条 定义"),
        ("para", "{{字面}} {bank_name}"),
    ]
    _, blocks = template.render({"bank_name": "某银行"})
    assert blocks[-1].text == "{字面} 某银行"


@pytest.mark.parametrize(
    "text",
    ["= T\n正文 {bank}\n", "= T\n正文 {bank_name\n", "正文\n", "= T\n"],
)
def test_bad_templates_are_refused(text: str) -> None:
    with pytest.raises(TemplateError):
        parse_template(text, joiner="")


def test_branch_rewording_shows_in_the_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    res = tmp_path / "resources"
    shutil.copytree(resources_dir() / "templates", res / "templates")
    (res / "fonts").symlink_to(resources_dir() / "fonts")
    path = res / "templates" / "agreement_zh.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("== 第五条 利息", "== 第五条 存款利息"),
        encoding="utf-8",
    )
    monkeypatch.setenv(ENV_VAR, str(res))
    pdf = render_agreement(agreement())
    assert "第五条存款利息" in squash(pdf_text(pdf, tmp_path))
