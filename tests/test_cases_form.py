"""The data-filling form's live validation and the bank account rule (pure, no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.domain.bank_account import bank_account_message, check_bank_account
from counter_app.domain.codes import (
    DATA_REASONS,
    IDENTITY_REASONS,
    CustomerType,
    IdType,
    Market,
    Reason,
)
from counter_app.domain.screening import (
    AccountFacts,
    ScreeningPolicy,
    SecuritiesFacts,
    row_reasons,
)
from counter_app.services.customer_form import (
    REASON_FIELDS,
    CustomerForm,
    HolderForm,
    validate_form,
)
from tests.cases_support import card, ric, wrong_check

BASE = date(2025, 6, 30)
GOOD_ID = ric("43010219900101123")


def _form(**changes: object) -> CustomerForm:
    values: dict[str, object] = {
        "name": "苏红",
        "id_type": IdType.RIC,
        "id_number": GOOD_ID,
        "phone": "13907312345",
        "address": "长沙市天心区中山路1号",
        "has_paper_file": True,
        "securities": [HolderForm("SH", "A100000001", "苏红", GOOD_ID)],
    }
    values.update(changes)
    return CustomerForm(**values)  # type: ignore[arg-type]


def test_a_clean_form_has_no_message() -> None:
    assert validate_form(_form(), BASE) == {}


@pytest.mark.parametrize(
    ("changes", "field", "english"),
    [
        ({"name": " 无 "}, "name", "the name is required"),
        ({"id_number": ""}, "id_number", "the ID number is required"),
        (
            {"id_number": wrong_check("43010219900101123")},
            "id_number",
            f"the check character of this ID number should be {GOOD_ID[-1]}",
        ),
        ({"id_number": "4301021990"}, "id_number", "the ID number must be 18 characters"),
        ({"id_number": ric("99010219900101123")}, "id_number", "the province code 99"),
        ({"id_number": ric("43010219900231123")}, "id_number", "is not a real date"),
        ({"id_number": ric("43010220300101123")}, "id_number", "is after the base date"),
        ({"id_number": "430102900101123"}, "id_number", "upgrade it to the 18-digit 43010219"),
        ({"id_type": IdType.PASSPORT, "id_number": "///"}, "id_number", "a letter or a digit"),
        ({"phone": ""}, "phone", "the phone number is required"),
        ({"phone": "12345"}, "phone", "not a valid mainland number"),
        ({"phone": "400-800-8888"}, "phone", "not a valid mainland number"),
        ({"address": "n/a"}, "address", "the address is required"),
        ({"address": "长沙 市"}, "address", "at least 5 characters"),
        ({"has_paper_file": False}, "has_paper_file", "no paper customer file"),
        (
            {"securities": [HolderForm("SH", "A100000001", "苏 红红", GOOD_ID)]},
            "securities.A100000001.holder_name",
            "differs from the customer's name",
        ),
        (
            {"securities": [HolderForm("SH", "A100000001", "苏红", "")]},
            "securities.A100000001.holder_id_number",
            "differs from the customer's ID number",
        ),
    ],
)
def test_each_problem_is_shown_next_to_its_field(
    changes: dict[str, object], field: str, english: str
) -> None:
    messages = validate_form(_form(**changes), BASE)
    # a changed customer name or ID also no longer matches the securities holder's
    assert field in messages
    assert {k for k in messages if not k.startswith("securities.")} <= {field}
    zh, en = messages[field]
    assert english in en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)


def test_equivalent_spellings_are_not_mismatches() -> None:
    form = _form(
        name="阿沛·阿旺",
        id_number=GOOD_ID[:-1] + GOOD_ID[-1].lower(),
        securities=[HolderForm("SH", "A100000001", "阿沛•阿旺", GOOD_ID)],
    )
    if GOOD_ID[-1].isdigit():
        form.id_number = " ".join([GOOD_ID[:6], GOOD_ID[6:]])
    assert validate_form(form, BASE) == {}


NAMES = ["苏红", "", "无", "苏 红", "SU Hong", "su hong"]
IDS = [GOOD_ID, wrong_check("43010219900101123"), "", "430102900101123", "X", "ABC123"]
PHONES = ["13907312345", "", "12345", "0731-88886666", "021-95555"]
ADDRESSES = ["长沙市天心区中山路1号", "", "长沙市", "不详", "长沙 市天心"]


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    id_type=st.sampled_from([IdType.RIC, IdType.PASSPORT]),
    id_number=st.sampled_from(IDS),
    phone=st.sampled_from(PHONES),
    address=st.sampled_from(ADDRESSES),
    paper=st.booleans(),
    holder_name=st.sampled_from(NAMES),
    holder_id=st.sampled_from(IDS),
)
def test_live_validation_agrees_with_screening(
    name: str,
    id_type: IdType,
    id_number: str,
    phone: str,
    address: str,
    paper: bool,
    holder_name: str,
    holder_id: str,
) -> None:
    """The fields with a message are exactly the fields screening finds a reason in."""
    form = _form(
        name=name,
        id_type=id_type,
        id_number=id_number,
        phone=phone,
        address=address,
        has_paper_file=paper,
        securities=[HolderForm("SH", "A100000001", holder_name, holder_id)],
    )
    facts = AccountFacts(
        name=name,
        customer_type=CustomerType.INDIVIDUAL,
        id_type=id_type,
        id_number=id_number,
        phone=phone,
        address=address,
        has_paper_file=paper,
        opened_on=date(2020, 1, 1),
        balance_cents=500000,
        holdings_cents=0,
        last_trade_on=date(2025, 5, 1),
        securities=(SecuritiesFacts(Market.SH, "A100000001", holder_name, holder_id),),
    )
    reasons = row_reasons(facts, ScreeningPolicy(base_date=BASE)) & (
        DATA_REASONS | IDENTITY_REASONS
    )
    messages = validate_form(form, BASE)
    fields_with_reasons = {REASON_FIELDS[r].replace("*", "A100000001") for r in reasons}
    assert set(messages) == fields_with_reasons
    assert Reason.DUPLICATE_ID not in reasons


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (card(), card()),
        (" ".join([card()[:4], card()[4:8], card()[8:]]), card()),
        ("1901-0000-1234-5678", "1901000012345678"),
        ("123456789012", "123456789012"),
    ],
)
def test_good_bank_accounts(typed: str, expected: str) -> None:
    assert check_bank_account(typed) == expected
    assert bank_account_message(typed) is None


@pytest.mark.parametrize(
    ("typed", "english"),
    [
        ("", "required"),
        ("6217 abc", "digits only"),
        ("12345678901", "12 to 19 digits"),
        ("12345678901234567890", "12 to 19 digits"),
        (card()[:-1] + str((int(card()[-1]) + 3) % 10), "Luhn"),
    ],
)
def test_bad_bank_accounts(typed: str, english: str) -> None:
    message = bank_account_message(typed)
    assert message is not None and english in message[1]
