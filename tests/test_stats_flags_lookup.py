"""Statistics as of past dates, manual flags, lookup and the account export."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from counter_app.db.models import ManualFlag
from counter_app.domain.codes import AccountClass, FlagReason, Reason
from counter_app.errors import NotFound, Refused, UserError
from counter_app.services.account_export import export_accounts
from counter_app.services.flags import flag_account, unflag_account
from counter_app.services.importer import import_file
from counter_app.services.lookup import find_accounts
from counter_app.services.stats import ROW_ORDER, stats_report
from tests.helpers import account, row, write_csv

BASE = date(2026, 3, 28)


@pytest.fixture
def two_accounts(db, tmp_path):
    rows = [
        row(),  # qualified, depository active, one SH account
        row(
            capital_account="20000002",
            name="李四",
            id_number="110105195306091458",
            phone="",
            sh_account="A200000002",
            sh_name="李四",
            sh_id_number="110105195306091458",
            sz_account="0200000002",
            sz_name="李四",
            sz_id_number="110105195306091458",
        ),  # PHONE_MISSING, two securities accounts
    ]
    import_file(
        db, write_csv(tmp_path / "a.csv", rows), base_date=BASE, now=datetime(2026, 3, 28, 9)
    )
    return db


def _row(report, cls):
    return next(r for r in report.rows if r.account_class == cls)


def test_stats_rows_in_order_with_base_current_and_change(two_accounts):
    db = two_accounts
    flag_account(
        db,
        "20000001",
        FlagReason.AGENCY_IMPROPER,
        "代理人无授权书",
        "wang",
        now=datetime(2026, 4, 10, 15),
    )
    with db.read() as session:
        before_flag = stats_report(session, date(2026, 4, 9))
        after_flag = stats_report(session, date(2026, 4, 10))
    assert [r.account_class for r in after_flag.rows] == list(ROW_ORDER)
    dep = AccountClass.QUALIFIED_DEPOSITED.value
    other = AccountClass.UNQUALIFIED_OTHER.value
    data = AccountClass.UNQUALIFIED_DATA.value
    assert _row(before_flag, dep).current.capital_accounts == 1
    assert _row(before_flag, other).current.capital_accounts == 0
    assert _row(after_flag, dep).current.capital_accounts == 0
    assert _row(after_flag, other).current.capital_accounts == 1
    assert _row(after_flag, other).change.capital_accounts == 1
    assert _row(after_flag, dep).change.securities_accounts == -1
    assert _row(after_flag, data).base.securities_accounts == 2
    total = _row(after_flag, "TOTAL")
    assert (total.base.capital_accounts, total.base.securities_accounts) == (2, 3)
    assert total.change.capital_accounts == 0
    doc = after_flag.as_dict()
    assert doc["base_date"] == "2026-03-28" and doc["as_of"] == "2026-04-10"
    assert doc["rows"][0] == {
        "class": "QUALIFIED_DEPOSITED",
        "base": {"capital_accounts": 1, "securities_accounts": 1},
        "current": {"capital_accounts": 0, "securities_accounts": 0},
        "change": {"capital_accounts": -1, "securities_accounts": -1},
    }


def test_stats_before_base_date_or_before_any_import_is_refused(db, two_accounts):
    with db.read() as session, pytest.raises(UserError, match="before the base date"):
        stats_report(session, date(2026, 3, 1))


def test_stats_without_data(db):
    with db.read() as session, pytest.raises(UserError, match="import"):
        stats_report(session)


def test_flag_and_unflag_are_recorded_and_never_deleted(two_accounts):
    db = two_accounts
    assert flag_account(db, "20000001", FlagReason.IDENTITY_FALSE, "证件存疑", "wang") == (
        AccountClass.UNQUALIFIED_OTHER
    )
    assert Reason.MANUAL_IDENTITY_FALSE.value in account(db, "20000001").reasons
    with pytest.raises(Refused, match="already flagged"):
        flag_account(db, "20000001", FlagReason.IDENTITY_FALSE, "again", "wang")
    # a data reason outranks a manual flag in the class order
    assert flag_account(db, "20000002", FlagReason.OTHER, "客户失联", "li") == (
        AccountClass.UNQUALIFIED_DATA
    )
    assert unflag_account(db, "20000001", "核实为本人", "zhao") == AccountClass.QUALIFIED_DEPOSITED
    with db.read() as session:
        flags = session.execute(select(ManualFlag).order_by(ManualFlag.id)).scalars().all()
    assert len(flags) == 2
    assert flags[0].cleared_by == "zhao" and flags[0].clear_note == "核实为本人"
    with pytest.raises(Refused, match="no manual flag"):
        unflag_account(db, "20000001", "x", "zhao")
    with pytest.raises(UserError, match="note"):
        flag_account(db, "20000001", FlagReason.OTHER, "  ", "wang")
    with pytest.raises(NotFound):
        flag_account(db, "99999999", FlagReason.OTHER, "x", "wang")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20000001", {"20000001"}),
        ("110105194706121551", {"20000001"}),
        ("110105470612155", {"20000001"}),  # the 15-digit form of the same ID
        ("A200000002", {"20000002"}),
        ("0200000002", {"20000002"}),
        ("139-1234-5678", {"20000001"}),
        ("+86 139 1234 5678", {"20000001"}),
        ("李四", {"20000002"}),
        ("张", {"20000001"}),
        ("王", set()),
        ("' OR 1=1 --", set()),
        ("", set()),
    ],
)
def test_find_by_every_key(two_accounts, text, expected):
    with two_accounts.read() as session:
        found = find_accounts(session, text)
    assert {v.capital_account for v in found} == expected


def test_find_result_carries_reasons_and_securities(two_accounts):
    with two_accounts.read() as session:
        [view] = find_accounts(session, "李四")
    assert view.reasons == [Reason.PHONE_MISSING]
    assert view.account_class == AccountClass.UNQUALIFIED_DATA
    assert [s.account_no for s in view.securities] == ["A200000002", "0200000002"]
    assert view.matched_by == "name"


def test_export_csv_has_bom_and_columns(two_accounts, tmp_path):
    out = tmp_path / "accounts.csv"
    with two_accounts.read() as session:
        assert export_accounts(session, out, "csv") == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["capital_account"] for r in rows] == ["20000001", "20000002"]
    second = rows[1]
    assert second["name"] == "李四"
    assert second["class"] == "UNQUALIFIED_DATA"
    assert second["reasons"] == "PHONE_MISSING"
    assert second["depository_status"] == "ACTIVE"
    assert second["securities_accounts"] == "0200000002;A200000002"


def test_export_xlsx_filtered_by_class(two_accounts, tmp_path):
    out = tmp_path / "accounts.xlsx"
    with two_accounts.read() as session:
        count = export_accounts(session, out, "xlsx", AccountClass.QUALIFIED_DEPOSITED)
    assert count == 1
    sheet = load_workbook(out, read_only=True).active
    values = list(sheet.values)
    assert values[0][:6] == (
        "capital_account",
        "name",
        "class",
        "reasons",
        "depository_status",
        "securities_accounts",
    )
    assert values[1][0] == "20000001"
    assert len(values) == 2
