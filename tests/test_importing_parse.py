"""parse_row, RowError, fingerprints and DuplicateTracker."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from pathlib import Path

import pytest

from counter_app.domain.codes import CustomerType, DepositoryStatus, IdType, Market
from counter_app.importing.parse import (
    DuplicateTracker,
    ParsedRow,
    ParsedSecurities,
    RowError,
    parse_row,
)
from counter_app.importing.reader import ExportReader, RawRow

DATA = Path(__file__).parent / "data" / "importing"

GOOD = {
    "capital_account": "10000371",
    "name": "苏红",
    "id_number": "430102199512274910",
    "opened_on": "2023-04-17",
    "balance": "853612.98",
}


def _ok(**values: str) -> ParsedRow:
    parsed = parse_row(RawRow(7, {**GOOD, **values}))
    assert isinstance(parsed, ParsedRow), parsed
    return parsed


def _errors(**values: str) -> list[tuple[int, str, str, str]]:
    parsed = parse_row(RawRow(7, {**GOOD, **values}))
    assert isinstance(parsed, list), parsed
    return [(e.line_no, e.column, e.value, e.message) for e in parsed]


def _parse_file(path: Path) -> list[ParsedRow | list[RowError]]:
    with ExportReader.open(path) as reader:
        return [parse_row(raw) for raw in reader]


def test_both_samples_parse_to_the_same_rows() -> None:
    utf8 = _parse_file(DATA / "sample-utf8.csv")
    gb = _parse_file(DATA / "sample-gb18030.csv")
    assert utf8 == gb
    assert len(utf8) == 26 and all(isinstance(p, ParsedRow) for p in utf8)
    first = utf8[0]
    assert first == ParsedRow(
        line_no=2,
        capital_account="10000371",
        name="苏红",
        customer_type=CustomerType.INDIVIDUAL,
        id_type=IdType.RIC,
        id_number="430102199512274910",
        phone="18695494971",
        address="长沙市天心区中山路456号6栋1878室",
        opened_on=date(2023, 4, 17),
        balance_cents=85361298,
        holdings_cents=178518815,
        last_trade_on=date(2025, 10, 2),
        securities=(ParsedSecurities(Market.SH, "A100000034", "苏红", "430102199512274910"),),
        bank="招商银行",
        bank_account="6222521470859389950",
        depository_status=DepositoryStatus.ACTIVE,
        has_paper_file=True,
    )
    by_account = {p.capital_account: p for p in utf8 if isinstance(p, ParsedRow)}
    assert by_account["10000361"].balance_cents == 41876109  # "418,761.09"
    assert by_account["10000396"].balance_cents == 1250  # "12.5"
    assert by_account["10000353"].last_trade_on is None
    assert by_account["10000367"].depository_status is DepositoryStatus.PENDING_BANK
    assert [s.market for s in by_account["10000393"].securities] == [Market.SH, Market.SZ]
    assert [s.market for s in by_account["10000358"].securities] == [Market.SZ]
    # readable but wrong data is kept as written: screening judges it
    assert by_account["10000337"].phone == "12345"
    assert by_account["10000341"].id_number == "11010519990230776X"


def test_defaults_when_optional_columns_are_absent_or_empty() -> None:
    row = _ok()
    assert row.customer_type is CustomerType.INDIVIDUAL
    assert row.id_type is IdType.RIC
    assert row.depository_status is DepositoryStatus.NONE
    assert row.has_paper_file is True
    assert (row.holdings_cents, row.last_trade_on, row.securities) == (0, None, ())
    assert (row.phone, row.address, row.bank, row.bank_account) == ("", "", "", "")
    assert _ok(name="", id_number="").name == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-04-07", date(2023, 4, 7)),
        ("2023/04/07", date(2023, 4, 7)),
        ("20230407", date(2023, 4, 7)),
        ("2023/4/7", date(2023, 4, 7)),
        ("2023-4-17", date(2023, 4, 17)),
        ("2023/4/7 0:00", date(2023, 4, 7)),
        ("2024-02-29 00:00:00", date(2024, 2, 29)),
    ],
)
def test_accepted_dates(text: str, expected: date) -> None:
    assert _ok(opened_on=text).opened_on == expected
    assert _ok(last_trade_on=text).last_trade_on == expected


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("0", 0),
        ("0.00", 0),
        ("12.5", 1250),
        ("35.20", 3520),
        ("418,761.09", 41876109),
        ("1,000,000", 100000000),
        ("35.200", 3520),  # zeros beyond the second decimal are exact
        ("-12.50", -1250),
        ("+3", 300),
        ("99999999999999.99", 9999999999999999),  # no float on the way
    ],
)
def test_accepted_amounts(text: str, cents: int) -> None:
    assert _ok(balance=text).balance_cents == cents
    assert _ok(holdings_value=text).holdings_cents == cents


NOT_A_DATE = "not a date: expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD"
NOT_AN_AMOUNT = "not an amount: expected yuan with up to 2 decimals, like 1234.56 or 1,234.56"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("capital_account", "", "missing: the capital account number is required"),
        ("capital_account", "12345", "not a capital account number: expected 6 to 20 digits"),
        ("capital_account", "1" * 21, "not a capital account number: expected 6 to 20 digits"),
        ("capital_account", "1000037A", "not a capital account number: expected 6 to 20 digits"),
        (
            "capital_account",
            "１０００００３７",
            "not a capital account number: expected 6 to 20 digits",
        ),
        ("opened_on", "", "missing: the opening date is required"),
        ("opened_on", "2023.04.17", NOT_A_DATE),
        ("opened_on", "17/04/2023", NOT_A_DATE),
        ("opened_on", "45033", NOT_A_DATE),
        ("opened_on", "2023-02-30", "not a real date (no such day in the calendar)"),
        ("opened_on", "2023-4/17", NOT_A_DATE),
        ("opened_on", "0202-04-17", "not a plausible date: the year must be 1900–2099"),
        ("last_trade_on", "yesterday", NOT_A_DATE),
        ("balance", "", "missing: the balance is required"),
        ("balance", "abc", NOT_AN_AMOUNT),
        ("balance", "41,8761.09", NOT_AN_AMOUNT),
        ("balance", "1.", NOT_AN_AMOUNT),
        ("balance", "¥12", NOT_AN_AMOUNT),
        ("balance", "1e5", NOT_AN_AMOUNT),
        ("balance", "9" * 41, NOT_AN_AMOUNT),
        ("balance", "1,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000", NOT_AN_AMOUNT),
        (
            "balance",
            "12.345",
            "more than 2 decimals: amounts are in yuan with at most 2 decimals (fen)",
        ),
        ("holdings_value", "n/a", NOT_AN_AMOUNT),
        (
            "sh_account",
            "B123456789",
            "not a Shanghai A-share account number: expected A followed by 9 digits",
        ),
        (
            "sh_account",
            "A12345678",
            "not a Shanghai A-share account number: expected A followed by 9 digits",
        ),
        (
            "sz_account",
            "1010000078",
            "not a Shenzhen A-share account number: expected 10 digits starting with 0",
        ),
        (
            "sz_account",
            "10000078",
            "not a Shenzhen A-share account number: expected 10 digits starting with 0 "
            "(leading zeros lost? format the column as text in the spreadsheet)",
        ),
        (
            "bank_account",
            "6222-5214",
            "not a bank account number: expected digits (spaces are allowed)",
        ),
    ],
)
def test_each_bad_value_is_an_error_naming_line_column_and_value(
    column: str, value: str, message: str
) -> None:
    assert _errors(**{column: value}) == [(7, column, value, message)]


@pytest.mark.parametrize(
    ("column", "value", "accepted"),
    [
        ("customer_type", "公司", "个人/individual, 机构/institution"),
        (
            "id_type",
            "军官证",
            "身份证/RIC, 护照/PASSPORT, 港澳通行证/HKMO, 台胞证/TW, "
            "营业执照/BIZ_LICENSE, 其他/OTHER",
        ),
        (
            "depository_status",
            "signed?",
            "未签约/NONE, 已签约/SIGNED, 待银行确认/PENDING_BANK, 已确认/ACTIVE",
        ),
        ("paper_file", "是", "有/Y, 无/N"),
    ],
)
def test_unknown_vocabulary_values_list_the_accepted_ones(
    column: str, value: str, accepted: str
) -> None:
    message = f"unknown value: accepted are {accepted} (empty means the default)"
    assert _errors(**{column: value}) == [(7, column, value, message)]


@pytest.mark.parametrize(
    ("column", "text", "attribute", "expected"),
    [
        ("customer_type", "机构", "customer_type", CustomerType.INSTITUTION),
        ("customer_type", "Institution", "customer_type", CustomerType.INSTITUTION),
        ("customer_type", "individual", "customer_type", CustomerType.INDIVIDUAL),
        ("id_type", "护照", "id_type", IdType.PASSPORT),
        ("id_type", "biz_license", "id_type", IdType.BIZ_LICENSE),
        ("id_type", "hkmo", "id_type", IdType.HKMO),
        ("id_type", "台胞证", "id_type", IdType.TW),
        ("id_type", "其他", "id_type", IdType.OTHER),
        ("depository_status", "已签约", "depository_status", DepositoryStatus.SIGNED),
        ("depository_status", "pending_bank", "depository_status", DepositoryStatus.PENDING_BANK),
        ("depository_status", "Active", "depository_status", DepositoryStatus.ACTIVE),
        ("paper_file", "无", "has_paper_file", False),
        ("paper_file", "n", "has_paper_file", False),
        ("paper_file", "Y", "has_paper_file", True),
    ],
)
def test_vocabulary_spellings(column: str, text: str, attribute: str, expected: object) -> None:
    assert getattr(_ok(**{column: text}), attribute) == expected


def test_holder_data_without_account_number() -> None:
    assert _errors(sh_name="苏红") == [
        (
            7,
            "sh_account",
            "",
            "Shanghai holder name or ID number given without a Shanghai account number",
        )
    ]
    assert _errors(sz_id_number="X") == [
        (
            7,
            "sz_account",
            "",
            "Shenzhen holder name or ID number given without a Shenzhen account number",
        )
    ]


def test_securities_in_market_order_and_bank_account_spaces() -> None:
    row = _ok(
        sz_account="0010000078",
        sz_name="苏 红",
        sh_account="a100000034",
        sh_id_number="x",
        bank_account=" 6222 5214 7085\u3000938 ",
    )
    assert row.securities == (
        ParsedSecurities(Market.SH, "A100000034", "", "x"),
        ParsedSecurities(Market.SZ, "0010000078", "苏 红", ""),
    )
    assert row.bank_account == "622252147085938"


def test_all_errors_of_a_row_are_reported_in_column_order() -> None:
    raw = RawRow(
        12,
        {
            "capital_account": "abc",
            "name": "",
            "id_number": "",
            "opened_on": "2023-13-01",
            "balance": "1.234",
            "holdings_value": "x",
            "sz_account": "123",
            "paper_file": "maybe",
        },
        extra=("761.09",),
    )
    parsed = parse_row(raw)
    assert isinstance(parsed, list)
    assert [(e.line_no, e.column, e.value) for e in parsed] == [
        (12, "capital_account", "abc"),
        (12, "opened_on", "2023-13-01"),
        (12, "balance", "1.234"),
        (12, "holdings_value", "x"),
        (12, "sz_account", "123"),
        (12, "paper_file", "maybe"),
        (12, "", "761.09"),
    ]
    assert all(e.message and e.message_zh for e in parsed)
    assert "beyond the last column of the header" in parsed[-1].message
    assert str(parsed[0]) == (
        "line 12, capital_account (资金账号): not a capital account number: expected 6 to 20 "
        "digits (value “abc”)"
    )


def test_huge_values_are_cut_in_errors() -> None:
    ((_, _, value, _),) = _errors(opened_on="9" * 1000)
    assert len(value) == 201 and value.endswith("…")
    ((_, _, _, message),) = _errors(balance="9" * 5000)  # no int() of 5000 digits
    assert message == NOT_AN_AMOUNT


def test_errors_carry_true_file_line_numbers(tmp_path: Path) -> None:
    text = (
        "资金账号,客户姓名,证件号码,开户日期,资金余额,联系地址\n"
        "10000001,a,X,2023-04-17,1.00,one\n"
        "\n"
        '10000002,b,X,2023-04-17,1.00,"two\nlines"\n'
        "10000003,c,X,2023-04-31,1.00,x\n"
        "\n"
        '10000004,d,X,2023-04-17,"418,761.09",x\n'
        "10000005,e,X,2023-04-17,418,761.09,x\n"
    )
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("gb18030"))
    results = _parse_file(path)
    assert [r.line_no for r in results if isinstance(r, ParsedRow)] == [2, 4, 8]
    errors = [e for r in results if isinstance(r, list) for e in r]
    assert [(e.line_no, e.column, e.value) for e in errors] == [
        (6, "opened_on", "2023-04-31"),
        (9, "", "x"),
    ]


def test_fingerprint_ignores_line_number_and_sees_every_field() -> None:
    row = _ok(
        sh_account="A100000034",
        sh_name="苏红",
        sh_id_number="X",
        sz_account="0010000078",
        sz_name="苏红",
        sz_id_number="X",
        bank="招商银行",
        bank_account="6222",
        last_trade_on="2025-01-02",
        phone="1",
        address="a",
    )
    digest = row.fingerprint()
    assert len(digest) == 16
    assert dataclasses.replace(row, line_no=99).fingerprint() == digest
    changes = {
        "capital_account": "10000372",
        "name": "苏",
        "customer_type": CustomerType.INSTITUTION,
        "id_type": IdType.OTHER,
        "id_number": "Y",
        "phone": "2",
        "address": "b",
        "opened_on": date(2023, 4, 18),
        "balance_cents": row.balance_cents + 1,
        "holdings_cents": 1,
        "last_trade_on": None,
        "securities": row.securities[:1],
        "bank": "工商银行",
        "bank_account": "6223",
        "depository_status": DepositoryStatus.ACTIVE,
        "has_paper_file": False,
    }
    assert set(changes) | {"line_no"} == {f.name for f in dataclasses.fields(ParsedRow)}
    seen = {digest}
    for field, value in changes.items():
        changed = dataclasses.replace(row, **{field: value}).fingerprint()  # type: ignore[arg-type]
        assert changed not in seen, field
        seen.add(changed)
    # a value moving between adjacent fields is a different row
    moved = dataclasses.replace(row, phone="1a", address="")
    assert moved.fingerprint() != digest
    holder = dataclasses.replace(
        row, securities=(ParsedSecurities(Market.SH, "A100000034", "苏红X", ""), row.securities[1])
    )
    assert holder.fingerprint() != digest


def test_fingerprint_is_stable() -> None:
    # A stored digest must match the next run's: the format is pinned here.
    parts = [
        "10000371",
        "苏红",
        "INDIVIDUAL",
        "RIC",
        "430102199512274910",
        "",
        "",
        "2023-04-17",
        "85361298",
        "0",
        "",
        "0",
        "",
        "",
        "NONE",
        "1",
    ]
    text = "\x00".join(parts)
    expected = hashlib.blake2b(text.encode(), digest_size=16, person=b"counter-row-v2").digest()
    assert _ok().fingerprint() == expected
    assert expected.hex() == "4bdc34b1b568f9bf92c22df4b38c0e9a"


def test_duplicate_tracker() -> None:
    tracker = DuplicateTracker()
    assert tracker.see("10000371", 2) is None
    assert tracker.see("0010000371", 3) is None  # leading zeros are a different account
    assert tracker.see("010000371", 4) is None
    assert tracker.see("", 5) is None
    assert tracker.see("", 6) is None
    assert tracker.see("abc", 7) is None
    error = tracker.see("10000371", 9)
    assert error == RowError(
        9,
        "capital_account",
        "10000371",
        "duplicate capital account: already on line 2",
        "资金账号重复：第 2 行已有",
    )
    again = tracker.see("010000371", 12)
    assert again is not None and again.message.endswith("line 4")
    assert tracker.see("abc", 13) is not None
    assert tracker.see("9" * 5000, 14) is None  # no int() of a huge digit string
    assert tracker.see("9" * 5000, 15) is not None
    assert len(tracker) == 5
