"""reason_text: every code has plain words in Chinese and English."""

from __future__ import annotations

from enum import Enum

import pytest

from counter_app.domain.codes import (
    AccountClass,
    CaseState,
    DepositoryStatus,
    FlagReason,
    IdType,
    Market,
    Reason,
    RejectionReason,
    Role,
)
from counter_app.domain.reason_text import (
    CASE_STATE_TEXT,
    CLASS_TEXT,
    DEPOSITORY_TEXT,
    FLAG_REASON_TEXT,
    ID_TYPE_TEXT,
    MARKET_TEXT,
    REASON_TEXT,
    REJECTION_TEXT,
    ROLE_TEXT,
    en_words,
    words,
    zh_words,
)


@pytest.mark.parametrize(
    ("table", "enum"),
    [
        (REASON_TEXT, Reason),
        (CLASS_TEXT, AccountClass),
        (DEPOSITORY_TEXT, DepositoryStatus),
        (CASE_STATE_TEXT, CaseState),
        (ROLE_TEXT, Role),
        (FLAG_REASON_TEXT, FlagReason),
        (ID_TYPE_TEXT, IdType),
        (MARKET_TEXT, Market),
        (REJECTION_TEXT, RejectionReason),
    ],
)
def test_every_code_has_both_texts(table: dict[object, tuple[str, str]], enum: type[Enum]) -> None:
    assert set(table) == set(enum)
    for chinese, english in table.values():
        assert chinese.strip() and english.strip()
        assert any("\u4e00" <= char <= "\u9fff" for char in chinese)
        assert english.isascii()
    # Distinct words, or a clerk cannot tell two codes apart.
    assert len({text[0] for text in table.values()}) == len(table)
    assert len({text[1] for text in table.values()}) == len(table)


def test_domain_words() -> None:
    assert REASON_TEXT[Reason.ID_LEGACY_15] == (
        "身份证为15位旧号码，需升级为18位",
        "Old 15-digit ID card number; must be upgraded to 18 digits",
    )
    assert [CLASS_TEXT[c][0] for c in AccountClass] == [
        "合格已存管",
        "合格未存管",
        "身份不对应",
        "资料不合格",
        "其他不合格",
        "小额休眠",
    ]
    assert CLASS_TEXT[AccountClass.QUALIFIED_DEPOSITED][1] == "Qualified, on depository"
    assert [DEPOSITORY_TEXT[s][0] for s in DepositoryStatus] == [
        "未签约",
        "已签约",
        "待银行确认",
        "已确认",
    ]


@pytest.mark.parametrize(
    "enum", [CaseState, Role, FlagReason, RejectionReason, Reason, AccountClass, DepositoryStatus]
)
def test_words_of_a_code_never_show_the_code(enum: type[Enum]) -> None:
    for code in enum:
        assert code.value not in zh_words(code)  # type: ignore[arg-type]
        assert en_words(code).endswith(f"({code.value})")  # type: ignore[arg-type]


def test_words_go_by_the_enum_not_the_equal_string() -> None:
    # CaseState.AUDIT == Role.AUDIT == "AUDIT" and FlagReason.OTHER == RejectionReason.OTHER
    assert words(FlagReason.OTHER) == ("其他不合格（人工标记）", "Other reason (flagged by staff)")
    assert words(RejectionReason.OTHER) == ("其他（见备注）", "Other (see the note)")
    assert zh_words(CaseState.DONE) == "已办结"
    assert zh_words(Role.SUPERVISOR) == "主管"
    assert en_words(CaseState.DATA_FILLING) == "Data filling (DATA_FILLING)"
    assert (
        FLAG_REASON_TEXT[FlagReason.AGENCY_IMPROPER] == REASON_TEXT[Reason.MANUAL_AGENCY_IMPROPER]
    )
