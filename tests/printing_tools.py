"""Helpers for the printing tests: poppler and zbar tools, sample documents.

The tools come from Debian: ``apt-get install poppler-utils zbar-tools``. Outside CI a test
that needs a missing tool is skipped; in CI (``CI=true``) it fails, so a CI machine without
them cannot pass by skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from counter_app.printing.models import (
    AgreementData,
    BranchInfo,
    ChangeFormData,
    FieldChange,
    PartyCustomer,
    SecuritiesAccountLine,
)

APT_PACKAGE = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "zbarimg": "zbar-tools"}

# 60 characters, no spaces: the worst case for wrapping (asserted in the tests)
ADDRESS_60 = (
    "新疆维吾尔自治区乌鲁木齐市天山区解放南路人民广场东侧"
    "金融大厦商住楼三单元十七层一七零二室北向靠电梯间左手第二户门牌号码为"
)


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} not installed (apt-get install {APT_PACKAGE.get(name, name)})"
    if os.environ.get("CI") == "true":
        pytest.fail(message + ": CI must have it")
    pytest.skip(message)


def pdf_text(
    pdf: bytes, tmp_path: Path, *, first: int | None = None, last: int | None = None
) -> str:
    tool = require_tool("pdftotext")
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf)
    args = [tool, "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    out = subprocess.run([*args, str(src), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def squash(text: str) -> str:
    """pdftotext breaks lines and drops narrow spaces: compare without whitespace."""
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float  # PDF points from the top of the page (poppler's convention)
    x1: float
    y1: float


def pdf_words(pdf: bytes, tmp_path: Path, page: int) -> list[Word]:
    tool = require_tool("pdftotext")
    src = tmp_path / "words.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(
        [tool, "-bbox", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(src), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    )
    return [
        Word(m.group(5), float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)))
        for m in pattern.finditer(out)
    ]


def decode_barcodes(pdf: bytes, tmp_path: Path, page: int, dpi: int = 300) -> list[str]:
    """Render one page at ``dpi`` with pdftoppm and read every barcode on it with zbarimg."""
    pdftoppm = require_tool("pdftoppm")
    zbarimg = require_tool("zbarimg")
    src = tmp_path / "scan.pdf"
    src.write_bytes(pdf)
    prefix = tmp_path / f"scan-{page}"
    subprocess.run(
        [
            pdftoppm,
            "-r",
            str(dpi),
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(src),
            str(prefix),
        ],
        check=True,
    )
    result = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sdisable", "-Scode128.enable", str(prefix) + ".png"],
        capture_output=True,
    )
    return result.stdout.decode("utf-8").split()


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


BRANCH = BranchInfo(
    name="上海浦东新区世纪大道证券营业部",
    address="上海市浦东新区世纪大道1198号世纪汇广场一座28楼",
    phone="021-58881234",
    company="示例证券股份有限公司",
)


def customer(name: str = "欧阳𠮷喆", address: str = "上海市浦东新区张杨路500号") -> PartyCustomer:
    return PartyCustomer(
        name=name,
        id_type_label="居民身份证",
        id_number="11010519491231002X",
        phone="13812345678",
        address=address,
    )


def agreement(
    agreement_no: str = "TA202611250001", *, lang: str = "zh", **changes: object
) -> AgreementData:
    values: dict[str, object] = {
        "agreement_no": agreement_no,
        "branch": BRANCH,
        "customer": customer(),
        "capital_account": "310000123456",
        "securities_accounts": (
            SecuritiesAccountLine("上海A股", "A123456789"),
            SecuritiesAccountLine("深圳A股", "0123456789"),
        ),
        "bank_name": "中国工商银行股份有限公司",
        "bank_account": "6222021001123456789",
        "bank_branch": "上海浦东分行营业部",
        "signed_on": date(2026, 11, 25),
        "lang": lang,
    }
    values.update(changes)
    return AgreementData(**values)  # type: ignore[arg-type]


def change_form(**changes: object) -> ChangeFormData:
    values: dict[str, object] = {
        "form_no": "CF202611250017",
        "branch": BRANCH,
        "customer": customer("阿依古丽·买买提", ADDRESS_60),
        "capital_account": "310000654321",
        "changes": (
            FieldChange("证件号码", "650102850312002", "65010219850312002X"),
            FieldChange("联系电话", "", "13912345678"),
            FieldChange("联系地址", "乌市天山区", ADDRESS_60),
        ),
        "cleared_reasons": (
            "身份证号码为15位旧号码，需升级为18位",
            "联系电话缺失",
            "联系地址不完整",
        ),
        "filed_on": date(2026, 11, 25),
    }
    values.update(changes)
    return ChangeFormData(**values)  # type: ignore[arg-type]
