"""The screening import end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from counter_app.db.models import AuditEntry, Classification, SecuritiesAccount
from counter_app.domain.codes import AccountClass, Reason
from counter_app.errors import UserError
from counter_app.importing.errors import FileRefused
from counter_app.services.audit import verify_chain
from counter_app.services.importer import ImportRefused, import_file
from tests.helpers import HEADERS, account, counts, row, write_csv

BASE = date(2026, 3, 28)
NO_SH = {"sh_account": "", "sh_name": "", "sh_id_number": ""}


def test_samples_in_both_encodings_give_the_same_accounts(db, sample_utf8, sample_gb18030):
    first = import_file(db, sample_utf8, base_date=BASE)
    assert first.first_import
    assert (first.rows_read, first.new, first.updated, first.unchanged) == (26, 26, 0, 0)
    assert sum(first.per_class.values()) == 26
    again = import_file(db, sample_gb18030)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 26)
    assert again.changed_nothing
    assert again.per_class == first.per_class


def test_sample_accounts_get_the_reasons_the_rules_give(db, sample_utf8):
    import_file(db, sample_utf8, base_date=BASE)
    # 1999-02-30 is not a date
    assert Reason.ID_INVALID.value in account(db, "10000341").reasons.split(";")
    # "12345" is no phone number
    assert Reason.PHONE_INVALID.value in account(db, "10000337").reasons.split(";")
    # the SH holder's ID differs from the customer's
    assert account(db, "10000369").account_class == AccountClass.UNQUALIFIED_IDENTITY.value
    # 史玉 and 沈红 share 430102196308314686
    for no in ("10000407", "10000411"):
        acc = account(db, no)
        assert Reason.DUPLICATE_ID.value in acc.reasons.split(";")
        assert acc.account_class == AccountClass.UNQUALIFIED_IDENTITY.value
    # 35.20 yuan, never traded, opened 2015 -> dormant at the 2026-03-28 base date
    assert account(db, "10000353").account_class == AccountClass.DORMANT_SMALL.value
    assert account(db, "10000371").account_class == AccountClass.QUALIFIED_DEPOSITED.value


def test_same_file_twice_changes_nothing_at_all(db, tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [row(), row(capital_account="20000002", sh_account="A200000002")]
    )
    import_file(db, path, base_date=BASE)
    before = counts(db)
    summary = import_file(db, path)
    assert summary.changed_nothing and summary.unchanged == 2
    after = counts(db)
    # only the import batch and its one audit entry are new
    assert after["import_batches"] == before["import_batches"] + 1
    assert after["audit_log"] == before["audit_log"] + 1
    for table in ("customers", "capital_accounts", "securities_accounts", "classifications"):
        assert after[table] == before[table]


def test_reimport_updates_by_capital_account_with_history_and_audit(db, tmp_path):
    import_file(
        db,
        write_csv(tmp_path / "a.csv", [row(phone="")]),
        base_date=BASE,
        now=datetime(2026, 3, 28, 9),
    )
    assert account(db, "20000001").account_class == AccountClass.UNQUALIFIED_DATA.value
    later = datetime(2026, 5, 2, 10, 30)
    summary = import_file(db, write_csv(tmp_path / "b.csv", [row()]), now=later)
    assert (summary.new, summary.updated) == (0, 1)
    acc = account(db, "20000001")
    assert acc.account_class == AccountClass.QUALIFIED_DEPOSITED.value
    assert acc.version == 2
    with db.read() as session:
        periods = session.execute(
            select(Classification.account_class, Classification.valid_from, Classification.valid_to)
            .where(Classification.capital_account_id == acc.id)
            .order_by(Classification.valid_from)
        ).all()
        assert periods == [
            (AccountClass.UNQUALIFIED_DATA.value, datetime(2026, 3, 28), later),
            (AccountClass.QUALIFIED_DEPOSITED.value, later, None),
        ]
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "account.import_update")
        ).scalar_one()
        assert entry.entity_key == "20000001"
        assert '"phone":""' in (entry.before or "")
        assert '"phone":"13912345678"' in (entry.after or "")
        assert verify_chain(session)[1] is None


def test_unreadable_rows_refuse_the_whole_file_and_write_nothing(db, tmp_path):
    import_file(db, write_csv(tmp_path / "ok.csv", [row()]), base_date=BASE)
    before = counts(db)
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            row(capital_account="30000001", sh_account="A300000001"),
            row(capital_account="abc", **NO_SH),
            row(capital_account="30000003", opened_on="2020-13-01", **NO_SH),
            row(capital_account="30000004", balance="12,34x", **NO_SH),
            row(capital_account="30000001", **NO_SH),
            row(capital_account="30000006", sh_account="B123"),
            row(capital_account="30000007", **NO_SH, bank="火星银行"),
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        import_file(db, bad)
    problems = {(e.line_no, e.column) for e in refused.value.errors}
    assert problems == {
        (3, "capital_account"),
        (4, "opened_on"),
        (5, "balance"),
        (6, "capital_account"),
        (7, "sh_account"),
        (8, "bank"),
    }
    dup = next(e for e in refused.value.errors if e.line_no == 6)
    assert "line 2" in dup.message
    assert counts(db) == before


def test_missing_required_column_refuses_the_file(db, tmp_path):
    headers = [h for h in HEADERS if h != "opened_on"]
    path = write_csv(tmp_path / "a.csv", [row()], headers=headers)
    with pytest.raises(FileRefused, match="opened_on"):
        import_file(db, path, base_date=BASE)
    assert counts(db)["capital_accounts"] == 0


def test_tab_separated_gb18030_with_chinese_headers(db, tmp_path):
    zh = [
        "资金账号",
        "客户姓名",
        "证件号码",
        "开户日期",
        "资金余额",
        "联系电话",
        "联系地址",
        "沪A股东账号",
        "沪A账户姓名",
        "沪A账户证件号码",
        "存管银行",
        "银行账号",
        "存管状态",
        "备注",
    ]
    path = tmp_path / "a.txt"
    values = [
        "20000009",
        "𠮷田堃",
        "110105194706121551",
        "2015/04/25",
        "1,000.5",
        "0731-84445566",
        "长沙市芙蓉区五一大道100号",
        "A200000009",
        "𠮷田堃",
        "110105194706121551",
        "ICBC",
        "6222021234567890123",
        "ACTIVE",
        "x",
    ]
    path.write_bytes(("\t".join(zh) + "\r\n" + "\t".join(values) + "\r\n").encode("gb18030"))
    summary = import_file(db, path, base_date=BASE)
    assert summary.unknown_columns == ["备注"]
    acc = account(db, "20000009")
    assert acc.balance_cents == 100050
    assert acc.bank_code == "ICBC"
    assert acc.customer.name == "𠮷田堃"
    assert acc.account_class == AccountClass.QUALIFIED_DEPOSITED.value


def test_xlsx_with_date_number_and_text_cells(db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "资金账号",
            "客户姓名",
            "证件号码",
            "开户日期",
            "资金余额",
            "持仓市值",
            "最近交易日期",
            "联系电话",
            "联系地址",
        ]
    )
    sheet.append(
        [
            20000010,
            "李娜",
            "110105194706121551",
            datetime(2015, 4, 25),
            35.2,
            0,
            None,
            "13912345678",
            "北京市朝阳区建国路88号",
        ]
    )
    path = tmp_path / "a.xlsx"
    book.save(path)
    import_file(db, path, base_date=BASE)
    acc = account(db, "20000010")
    assert acc.opened_on == date(2015, 4, 25)
    assert acc.balance_cents == 3520
    assert acc.last_trade_on is None
    # 35.20 yuan, no holdings, no trade since 2015: dormant
    assert acc.account_class == AccountClass.DORMANT_SMALL.value


def test_duplicate_id_appears_and_clears_with_later_imports(db, tmp_path):
    a = row()
    b = row(capital_account="20000002", name="李四", sh_account="A200000002", sh_name="李四")
    import_file(db, write_csv(tmp_path / "1.csv", [a, b]), base_date=BASE)
    for no in ("20000001", "20000002"):
        assert Reason.DUPLICATE_ID.value in account(db, no).reasons
    # the second customer's ID is corrected: both lose DUPLICATE_ID
    fixed = row(
        capital_account="20000002",
        name="李四",
        id_number="110105195306091458",
        sh_account="A200000002",
        sh_name="李四",
        sh_id_number="110105195306091458",
    )
    summary = import_file(db, write_csv(tmp_path / "2.csv", [fixed]))
    assert summary.updated == 1
    for no in ("20000001", "20000002"):
        acc = account(db, no)
        assert Reason.DUPLICATE_ID.value not in acc.reasons
        assert acc.account_class == AccountClass.QUALIFIED_DEPOSITED.value


def test_fifteen_digit_id_matches_its_eighteen_digit_upgrade(db, tmp_path):
    # same person: 15-digit on the capital account, 18-digit on the securities account
    legacy = row(id_number="110105470612155", sh_id_number="110105194706121551")
    import_file(db, write_csv(tmp_path / "a.csv", [legacy]), base_date=BASE)
    reasons = account(db, "20000001").reasons.split(";")
    assert reasons == [Reason.ID_LEGACY_15.value]


def test_securities_account_taken_from_another_capital_account_is_refused(db, tmp_path):
    import_file(db, write_csv(tmp_path / "a.csv", [row()]), base_date=BASE)
    thief = row(capital_account="20000002", name="李四", sh_name="李四")
    with pytest.raises(ImportRefused) as refused:
        import_file(db, write_csv(tmp_path / "b.csv", [thief]))
    [error] = refused.value.errors
    assert (error.line_no, error.column, error.value) == (2, "sh_account", "A200000001")
    assert "20000001" in error.message


def test_securities_accounts_are_replaced_on_update(db, tmp_path):
    import_file(db, write_csv(tmp_path / "a.csv", [row()]), base_date=BASE)
    moved = row(**NO_SH, sz_account="0200000001", sz_name="张伟", sz_id_number="110105194706121551")
    import_file(db, write_csv(tmp_path / "b.csv", [moved]))
    with db.read() as session:
        numbers = session.execute(select(SecuritiesAccount.account_no)).scalars().all()
    assert numbers == ["0200000001"]


def test_base_date_is_set_once(db, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row()])
    import_file(db, path, base_date=BASE)
    with pytest.raises(UserError, match="already 2026-03-28"):
        import_file(db, path, base_date=date(2026, 4, 1))
    import_file(db, path, base_date=BASE)  # the same date is fine


def test_future_base_date_is_refused(db, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row()])
    with pytest.raises(UserError, match="future"):
        import_file(db, path, base_date=date(2099, 1, 1))
    assert counts(db)["capital_accounts"] == 0


def test_progress_is_reported(db, tmp_path):
    rows = [row(capital_account=f"2{i:07d}", sh_account=f"A2{i:08d}") for i in range(5000)]
    seen: list[tuple[int, float | None]] = []
    import_file(
        db,
        write_csv(tmp_path / "a.csv", rows),
        base_date=BASE,
        progress=lambda done, fraction: seen.append((done, fraction)),
    )
    assert seen[-1][0] == 5000
    assert seen[-1][1] == pytest.approx(1.0)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_refused_file_keeps_every_error_even_many(db, tmp_path: Path):
    rows = [row(capital_account=f"2{i:07d}", opened_on="someday", **NO_SH) for i in range(3000)]
    with pytest.raises(ImportRefused) as refused:
        import_file(db, write_csv(tmp_path / "a.csv", rows), base_date=BASE)
    assert len(refused.value.errors) == 3000
    assert refused.value.errors[-1].line_no == 3001


def test_a_refused_file_keeps_its_chinese_text_across_the_reading_process(db, tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\x00\x01\x02 not an export \xff\xfe")
    with pytest.raises(FileRefused) as refused:
        import_file(db, path, base_date=BASE)
    assert refused.value.message_zh
    assert refused.value.text_for("zh_CN") == refused.value.message_zh
    assert refused.value.text_for("en") == str(refused.value)
