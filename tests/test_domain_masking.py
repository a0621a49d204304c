from __future__ import annotations

import pytest

from counter_app.domain.masking import mask_bank_account, mask_id, mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("阿依古丽·买买提", "阿***·***"),
        ("阿依古丽•买买提", "阿***•***"),
        ("𠮷野家", "𠮷**"),
        ("John Smith", "J*** *****"),
        (" 王小明 ", "王**"),
        ("张", "*"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("110105491231002", "110105*****1002"),
        ("E12345678", "E1*****78"),
        ("H1234567890", "H1*******90"),
        ("AB1", "***"),
    ],
)
def test_mask_id(id_number: str, masked: str) -> None:
    assert mask_id(id_number) == masked


@pytest.mark.parametrize(
    ("account", "masked"),
    [
        ("6222021001123456789", "622202*********6789"),
        ("6222 0210 0112 3456", "622202******3456"),
        ("12345678", "****5678"),
        ("1234567", "*******"),
    ],
)
def test_mask_bank_account(account: str, masked: str) -> None:
    assert mask_bank_account(account) == masked


def test_masking_never_shows_more_than_pci_allows() -> None:
    for n in range(0, 25):
        account = "9" * n
        shown = sum(1 for ch in mask_bank_account(account) if ch != "*")
        assert shown <= 10
        assert len(mask_bank_account(account)) == n
