"""A first import into empty SQLite tables (the fast path: ids computed in SQL, deferred
indexes, duplicate candidates) stores exactly what the general path stores.

The same export goes (a) into an empty SQLite database, (b) into a SQLite database that
already holds one unrelated account (no base date yet, so the import is still the
first screening, but the tables are not empty: the general path) and (c) into an empty
PostgreSQL database (the general path). Everything is compared by business keys:
customers, accounts, securities accounts, history periods and audit entries per
capital account, and the import summaries; then a changed file is imported into each.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import inspect, select

from counter_app.db.engine import Database
from counter_app.db.models import (
    AuditEntry,
    CapitalAccount,
    Classification,
    Customer,
    ImportBatch,
    SecuritiesAccount,
)
from counter_app.domain.codes import Reason
from counter_app.importing.columns import canonical_column
from counter_app.services import importer
from counter_app.services.audit import verify_chain
from counter_app.services.demo import DEMO_BASE_DATE, write_demo_export
from counter_app.services.importer import ImportRefused, ImportSummary, import_file
from tests.conftest import FORMATS_DIR
from tests.helpers import HEADERS, row, write_csv

# with microseconds: the fast path writes its timestamps as SQL literals
FIRST_AT = datetime(2026, 3, 30, 9, 0, 5, 123456)
LATER_AT = datetime(2026, 4, 15, 16, 30, 0, 1)
OTHER_ACCOUNT = "99999999999"  # the general-path database's one earlier account

# -- the databases ------------------------------------------------------------------


def _seed_other_account(db: Database) -> None:
    """One account written directly: tables not empty, but no import and no base date."""
    with db.write() as session:
        customer = Customer(
            name="预置客户",
            name_norm="预置客户",
            customer_type="INDIVIDUAL",
            id_type="RIC",
            id_number="65010219800101001X",  # no ID of any file here: no duplicate
            id_norm="65010219800101001X",
            phone="13912345678",
            phone_norm="13912345678",
            address="北京市朝阳区建国路88号1栋101室",
            has_paper_file=True,
            updated_at=datetime(2026, 1, 1),
        )
        session.add(customer)
        session.flush()
        session.add(
            CapitalAccount(
                account_no=OTHER_ACCOUNT,
                customer_id=customer.id,
                opened_on=date(2015, 1, 1),
                balance_cents=100_000,
                holdings_cents=0,
                last_trade_on=date(2026, 1, 5),
                bank_account="",
                depository_status="NONE",
                account_class="QUALIFIED_NOT_DEPOSITED",
                reasons="",
                row_reasons="",
                securities_count=0,
                updated_at=datetime(2026, 1, 1),
            )
        )


@pytest.fixture(autouse=True)
def fast_path_used(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The databases the SQL-numbered insert wrote to (the fast path must really run)."""
    used: list[str] = []
    original = importer.SqliteNewRows.insert

    def insert(self: importer.SqliteNewRows, *args: Any) -> None:
        used.append(str(self.session.connection().engine.url))
        original(self, *args)

    monkeypatch.setattr(importer.SqliteNewRows, "insert", insert)
    return used


@pytest.fixture
def fast_db(sqlite_url: str) -> Iterator[Database]:
    database = Database(sqlite_url)
    yield database
    database.dispose()


@pytest.fixture
def general_dbs(
    tmp_path: Path, sqlite_url: str, request: pytest.FixtureRequest
) -> Iterator[list[Database]]:
    """The general path: a SQLite database with one other account, and PostgreSQL."""
    other = tmp_path / "other.sqlite3"
    other.write_bytes(Path(sqlite_url.removeprefix("sqlite:///")).read_bytes())
    databases = [Database(f"sqlite:///{other}")]
    _seed_other_account(databases[0])
    try:
        pg_url = str(request.getfixturevalue("pg_url"))
    except pytest.skip.Exception:
        pg_url = ""
    if pg_url:
        databases.append(Database(pg_url))
    yield databases
    for database in databases:
        database.dispose()


# -- what is compared ----------------------------------------------------------------


def _batch_ordinals(session: Any) -> dict[int, int]:
    ids = session.execute(select(ImportBatch.id).order_by(ImportBatch.id)).scalars()
    return {batch_id: ordinal for ordinal, batch_id in enumerate(ids, start=1)}


def _json(text: str | None, batches: dict[int, int]) -> Any:
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, dict) and "import_batch" in value:
        value["import_batch"] = batches[value["import_batch"]]
    return value


def _state(db: Database) -> dict[str, Any]:
    """Every importable fact of every account of the file, by capital account number."""
    with db.read() as session:
        batches = _batch_ordinals(session)
        accounts: dict[str, Any] = {}
        id_of: dict[int, str] = {}
        for acc, cust in session.execute(
            select(CapitalAccount, Customer).join(
                Customer, Customer.id == CapitalAccount.customer_id
            )
        ).all():
            if acc.account_no == OTHER_ACCOUNT:
                continue
            id_of[acc.id] = acc.account_no
            accounts[acc.account_no] = {
                "customer": (
                    cust.name,
                    cust.name_norm,
                    cust.customer_type,
                    cust.id_type,
                    cust.id_number,
                    cust.id_norm,
                    cust.phone,
                    cust.phone_norm,
                    cust.address,
                    bool(cust.has_paper_file),
                    cust.version,
                    cust.updated_at,
                ),
                "account": (
                    acc.opened_on,
                    acc.balance_cents,
                    acc.holdings_cents,
                    acc.last_trade_on,
                    acc.bank_code,
                    acc.bank_account,
                    acc.depository_status,
                    acc.account_class,
                    acc.reasons,
                    acc.row_reasons,
                    acc.securities_count,
                    None if acc.source_fingerprint is None else bytes(acc.source_fingerprint),
                    batches.get(acc.last_import_id or -1),
                    acc.version,
                    acc.updated_at,
                ),
                "securities": [],
                "history": [],
                "audit": [],
            }
        for sec in session.execute(select(SecuritiesAccount)).scalars():
            if sec.capital_account_id in id_of:
                accounts[id_of[sec.capital_account_id]]["securities"].append(
                    (sec.market, sec.account_no, sec.holder_name, sec.holder_id_number)
                )
        for period in session.execute(select(Classification)).scalars():
            if period.capital_account_id in id_of:
                accounts[id_of[period.capital_account_id]]["history"].append(
                    (
                        period.account_class,
                        period.reasons,
                        period.securities_count,
                        period.valid_from,
                        period.valid_to,
                        period.cause,
                    )
                )
        batch_entries = []
        for entry in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
            recorded = (
                entry.at,
                entry.actor,
                entry.action,
                _json(entry.before, batches),
                _json(entry.after, batches),
            )
            if entry.entity == "capital_account" and entry.entity_key in accounts:
                accounts[entry.entity_key]["audit"].append(recorded)
            elif entry.entity == "import_batch":
                batch_entries.append((batches[int(entry.entity_key)], *recorded))
        for facts in accounts.values():
            for key in ("securities", "history"):
                facts[key].sort(key=repr)
        checked, broken = verify_chain(session)
        assert broken is None and checked > 0
        batch_rows = [
            (
                *(b.source_name, b.source_sha256, b.imported_at, b.effective_at, b.operator),
                *(b.rows_read, b.rows_new, b.rows_updated, b.rows_unchanged),
            )
            for b in session.execute(select(ImportBatch).order_by(ImportBatch.id)).scalars()
        ]
    return {"accounts": accounts, "batch_audit": batch_entries, "batches": batch_rows}


def _assert_same(fast: dict[str, Any], general: dict[str, Any]) -> None:
    assert fast["batches"] == general["batches"]
    assert fast["batch_audit"] == general["batch_audit"]
    assert fast["accounts"].keys() == general["accounts"].keys()
    differing = [
        (number, fast["accounts"][number], general["accounts"][number])
        for number in fast["accounts"]
        if fast["accounts"][number] != general["accounts"][number]
    ]
    assert not differing, f"{len(differing)} accounts differ, first: {differing[0]}"


def _summary(summary: ImportSummary) -> dict[str, Any]:
    values = summary.as_dict()
    values["first_import"] = summary.first_import
    return values


def _import_everywhere(
    fast_used: list[str], fast: Database, general: list[Database], path: Path, **kwargs: Any
) -> list[dict[str, Any]]:
    before = len(fast_used)
    summaries = [_summary(import_file(db, path, **kwargs)) for db in (fast, *general)]
    if summaries[0]["first_import"]:
        assert len(fast_used) > before, "the fast path did not run"
        assert set(fast_used[before:]) == {str(fast.url)}, "fast path ran on a general database"
    else:
        assert len(fast_used) == before
    for other in summaries[1:]:
        assert other == summaries[0]
    states = [_state(db) for db in (fast, *general)]
    for other in states[1:]:
        _assert_same(states[0], other)
    assert _indexes(fast) == _indexes(general[0])  # deferred indexes are back
    return states


def _indexes(db: Database) -> dict[str, list[tuple[str, tuple[str, ...], bool]]]:
    with db.read() as session:
        inspector = inspect(session.connection())
        return {
            table: sorted(
                (i["name"] or "", tuple(c or "" for c in i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            )
            for table in ("customers", "capital_accounts", "classifications")
        }


# -- files ---------------------------------------------------------------------------


def _read_table(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding=encoding, newline="") as handle:
        header, *body = list(csv.reader(handle))
    return header, body


def _write_table(path: Path, header: list[str], body: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(body)
    return path


def _change_rows(header: list[str], body: list[list[str]]) -> list[list[str]]:
    """A later export: phones, names, balances, securities changed on some rows, rows added."""
    at = {canonical_column(name): index for index, name in enumerate(header)}
    changed = [list(cells) for cells in body]
    for index, cells in enumerate(changed):
        if index % 7 == 0:
            cells[at["phone"]] = ""
        elif index % 11 == 0:
            cells[at["balance"]] = "100.00"
            cells[at["holdings_value"]] = ""
            cells[at["last_trade_on"]] = "2019-01-02"
        elif index % 13 == 0:
            cells[at["name"]] = cells[at["name"]] + "改"  # may start or end a duplicate
        elif index % 17 == 0:
            for column in ("sh_account", "sh_name", "sh_id_number"):
                cells[at[column]] = ""
    # a new account sharing an ID of an existing one under another name
    new = list(body[1])
    new[at["capital_account"]] = "88888888"
    new[at["name"]] = "新来客户"
    for column in (
        "sh_account",
        "sh_name",
        "sh_id_number",
        "sz_account",
        "sz_name",
        "sz_id_number",
    ):
        new[at[column]] = ""
    changed.append(new)
    return changed


# -- the tests ------------------------------------------------------------------------


def test_demo_export_fast_path_equals_general_path(
    tmp_path: Path,
    fast_db: Database,
    general_dbs: list[Database],
    fast_path_used: list[str],
) -> None:
    export = tmp_path / "demo.csv"
    write_demo_export(export, accounts=3000, seed=424242)
    states = _import_everywhere(
        fast_path_used, fast_db, general_dbs, export, base_date=DEMO_BASE_DATE, now=FIRST_AT
    )
    accounts = states[0]["accounts"]
    assert len(accounts) == 3000

    # DUPLICATE_ID is on every account of a conflicting ID, on both customers
    by_id: dict[str, list[dict[str, Any]]] = {}
    for facts in accounts.values():
        by_id.setdefault(facts["customer"][5], []).append(facts)
    conflicts = {
        id_norm
        for id_norm, group in by_id.items()
        if id_norm and len({f["customer"][1] for f in group if f["customer"][1]}) > 1
    }
    assert conflicts, "the demo data should hold duplicate IDs"
    for id_norm, group in by_id.items():
        for facts in group:
            has = Reason.DUPLICATE_ID.value in facts["account"][8].split(";")
            assert has == (id_norm in conflicts), facts

    header, body = _read_table(export, "gb18030")
    changed = _write_table(tmp_path / "demo-later.csv", header, _change_rows(header, body))
    later = _import_everywhere(fast_path_used, fast_db, general_dbs, changed, now=LATER_AT)
    assert later[0]["accounts"]["88888888"]["account"][7] == "UNQUALIFIED_IDENTITY"


def test_duplicate_ids_with_different_names(
    tmp_path: Path,
    fast_db: Database,
    general_dbs: list[Database],
    fast_path_used: list[str],
) -> None:
    no_sh = {"sh_account": "", "sh_name": "", "sh_id_number": ""}
    shared_18 = "430102196308314686"
    rows = [
        row(capital_account="30000001", name="史玉", id_number=shared_18, **no_sh),
        row(capital_account="30000002", name="沈红", id_number=shared_18.lower(), **no_sh),
        # same person twice (name differs only in form): no duplicate
        row(
            capital_account="30000003",
            name="阿沛·阿旺晋美",
            id_number="11010519491001123X",
            **no_sh,
        ),
        row(
            capital_account="30000004",
            name="阿沛 • 阿旺晋美",
            id_number="11010519491001123x",
            **no_sh,
        ),
        # a 15-digit ID and its 18-digit upgrade under two names
        row(capital_account="30000005", name="王芳", id_number="110105490101123", **no_sh),
        row(capital_account="30000006", name="李娜", id_number="110105194901011235", **no_sh),
        # a blank name does not make a duplicate
        row(capital_account="30000007", name="", id_number="430102198504018470", **no_sh),
        row(capital_account="30000008", name="周杰", id_number="430102198504018470", **no_sh),
        row(capital_account="30000009", name="吴敏", id_number="", **no_sh),
        row(capital_account="30000010", name="郑强", id_number="", **no_sh),
    ]
    path = write_csv(tmp_path / "dups.csv", rows)
    states = _import_everywhere(
        fast_path_used, fast_db, general_dbs, path, base_date=date(2026, 3, 28), now=FIRST_AT
    )
    accounts = states[0]["accounts"]
    duplicate = {
        number
        for number, facts in accounts.items()
        if Reason.DUPLICATE_ID.value in facts["account"][8].split(";")
    }
    assert duplicate == {"30000001", "30000002", "30000005", "30000006"}
    for number in duplicate:
        assert accounts[number]["account"][7] == "UNQUALIFIED_IDENTITY"
        actions = [entry[2] for entry in accounts[number]["audit"]]
        assert actions == ["account.reclassify"]

    # later: 沈红 corrects her ID, a new account takes 周杰's ID under another name
    rows[1] = row(capital_account="30000002", name="沈红", id_number="430102197001011234", **no_sh)
    rows.append(
        row(capital_account="30000011", name="冯涛", id_number="430102198504018470", **no_sh)
    )
    later = _import_everywhere(
        fast_path_used, fast_db, general_dbs, write_csv(tmp_path / "dups2.csv", rows), now=LATER_AT
    )
    accounts = later[0]["accounts"]
    duplicate = {
        number
        for number, facts in accounts.items()
        if Reason.DUPLICATE_ID.value in facts["account"][8].split(";")
    }
    # the blank-named 30000007 shares the now conflicting ID: conflicting_ids marks every
    # account of a conflicting ID (the reference rule, on both paths)
    assert duplicate == {"30000005", "30000006", "30000007", "30000008", "30000011"}


@pytest.mark.parametrize("sample", ["sample-utf8.csv", "sample-gb18030.csv"])
def test_shared_samples_fast_path_equals_general_path(
    tmp_path: Path,
    fast_db: Database,
    general_dbs: list[Database],
    fast_path_used: list[str],
    sample: str,
) -> None:
    path = FORMATS_DIR / sample
    states = _import_everywhere(
        fast_path_used, fast_db, general_dbs, path, base_date=date(2026, 3, 28), now=FIRST_AT
    )
    assert len(states[0]["accounts"]) == 26
    # the same file again: nothing changes anywhere
    again = _import_everywhere(fast_path_used, fast_db, general_dbs, path, now=LATER_AT)
    assert again[0]["accounts"] == states[0]["accounts"]
    header, body = _read_table(path, "utf-8-sig" if "utf8" in sample else "gb18030")
    assert header[0] in {"资金账号", "capital_account"} or header == HEADERS
    changed = _write_table(tmp_path / "later.csv", header, _change_rows(header, body))
    _import_everywhere(fast_path_used, fast_db, general_dbs, changed, now=LATER_AT.replace(day=30))


def test_shared_sample_as_xlsx_fast_path_equals_general_path(
    tmp_path: Path,
    fast_db: Database,
    general_dbs: list[Database],
    fast_path_used: list[str],
) -> None:
    header, body = _read_table(FORMATS_DIR / "sample-utf8.csv", "utf-8-sig")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for cells in body:
        sheet.append(cells)
    path = tmp_path / "sample.xlsx"
    book.save(path)
    states = _import_everywhere(
        fast_path_used, fast_db, general_dbs, path, base_date=date(2026, 3, 28), now=FIRST_AT
    )
    assert len(states[0]["accounts"]) == 26


def test_refused_first_import_leaves_the_empty_database_and_its_indexes(
    tmp_path: Path, fast_db: Database, fast_path_used: list[str]
) -> None:
    indexes = _indexes(fast_db)
    rows = [row(capital_account=f"4000{n:04d}", sh_account=f"A4{n:08d}") for n in range(2500)]
    rows.append(row(capital_account="40009999", sh_account="", opened_on="2023-02-30"))
    with pytest.raises(ImportRefused):
        import_file(fast_db, write_csv(tmp_path / "bad.csv", rows), base_date=date(2026, 3, 28))
    assert _indexes(fast_db) == indexes
    with fast_db.read() as session:
        assert session.execute(select(Customer.id)).first() is None
        assert session.execute(select(ImportBatch.id)).first() is None
    # and the next first import takes the fast path again, from id 1
    rows.pop()
    import_file(fast_db, write_csv(tmp_path / "good.csv", rows), base_date=date(2026, 3, 28))
    assert fast_path_used and set(fast_path_used) == {str(fast_db.url)}
    with fast_db.read() as session:
        ids = session.execute(select(CapitalAccount.id).order_by(CapitalAccount.id)).scalars()
        assert list(ids) == list(range(1, 2501))
