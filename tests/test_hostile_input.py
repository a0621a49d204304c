"""Hostile text never crashes the core and never touches other rows (hypothesis).

Search boxes and imports treat every input as data: SQL fragments, LIKE wildcards,
NUL and other control characters, characters beyond the Basic Multilingual Plane,
100 kB strings. The search returns a list whose every hit really matches by the key
it names; validators return a verdict; the importer either stores the values exactly
as read or refuses the file cleanly, and leaves the rows of other accounts as they
were (compared by a checksum of the tables).
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from counter_app.db.engine import Database
from counter_app.db.models import Base, CapitalAccount, Customer, SecuritiesAccount
from counter_app.domain.idcard import check_other_id, check_resident_id
from counter_app.domain.normalize import (
    clean_id,
    is_blank_or_placeholder,
    normalize_id,
    normalize_name,
)
from counter_app.domain.phone import check_phone, normalize_phone
from counter_app.errors import UserError
from counter_app.importing.columns import COLUMNS
from counter_app.importing.parse import ParsedRow, RowError, parse_row
from counter_app.importing.reader import ExportReader, RawRow
from counter_app.services.demo import load_demo
from counter_app.services.importer import ImportRefused, import_file
from counter_app.services.lookup import AccountView, find_accounts

SQL_FRAGMENTS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "'; DROP TABLE capital_accounts; --",
    "Robert'); DROP TABLE customers;--",
    "1; DELETE FROM audit_log",
    "' UNION SELECT id_number FROM customers --",
    "%",
    "_",
    "%%",
    "%_%",
    "\\",
    "\\%",
    "*",
    "?",
    ":name",
    "$1",
    "%s",
    "{0}",
    "NULL",
    "张%",
    "A%",
    "1000%",
    "ab\x00c",
    "\x00",
    "\x1b[31m红\x1b[0m",
    "\u202e反转",
    "\ufeff",
    "\r\n",
    "\t",
    "\x7f\x85\x9f",
    "😀",
    "𠀀𠀁𪚥",  # CJK Extension B ideographs (astral)
    "\U0010ffff",
    "王\u0301",
    "Ａ１２３４５６７８９",
]

_ASTRAL = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, exclude_categories=["Cs"])
_CONTROL = st.characters(max_codepoint=0x9F, categories=["Cc"])
_BIG = st.sampled_from(["x", "9", "张", "𠀀", "'", "%", "\x00", " "]).flatmap(
    lambda ch: st.integers(100, 100_000).map(lambda n: ch * n)
)
hostile_text = st.one_of(
    st.sampled_from(SQL_FRAGMENTS),
    st.text(max_size=40),
    st.text(alphabet=st.one_of(_ASTRAL, _CONTROL, st.sampled_from("'\"%_;-\\ 0A张")), max_size=30),
    st.tuples(st.sampled_from(SQL_FRAGMENTS), st.text(max_size=10)).map("".join),
    _BIG,
)

PROPERTY = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def table_checksum(db: Database) -> str:
    """SHA-256 over every row of every table, in primary-key order."""
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for name, table in sorted(Base.metadata.tables.items()):
            order = list(table.primary_key.columns)
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(name.encode())
                digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _matches(view: AccountView, query: str) -> bool:
    """The hit really has the key it says it was found by (control characters count
    as separators, as a scanner's tab or newline does)."""
    cleaned = unicodedata.normalize("NFKC", _CONTROLS.sub(" ", query)).strip()
    compact = "".join(cleaned.split()).upper()
    match view.matched_by:
        case "capital_account":
            return view.capital_account == compact
        case "id_number":
            return normalize_id(view.id_number) == normalize_id(compact) != ""
        case "securities_account":
            return any(s.account_no == compact for s in view.securities)
        case "phone":
            return normalize_phone(view.phone) == normalize_phone(cleaned) is not None
        case "name":
            return normalize_name(view.name) == normalize_name(cleaned) != ""
        case "name_prefix":
            name = normalize_name(cleaned)
            return name != "" and normalize_name(view.name).startswith(name)
        case "agreement_no":
            return True
    return False


@pytest.fixture
def branch(db: Database) -> Database:
    load_demo(db, accounts=120, seed=8)
    return db


def test_search_finds_real_keys(branch: Database) -> None:
    # the oracle below is only meaningful if ordinary searches do find things
    with branch.read() as session:
        account = session.execute(select(CapitalAccount).limit(1)).scalar_one()
        hits = find_accounts(session, account.account_no)
        assert [h.capital_account for h in hits] == [account.account_no]
        assert find_accounts(session, "' OR 1=1 --") == []
        assert find_accounts(session, "%") == []
        assert find_accounts(session, "_") == []


@PROPERTY
@given(query=hostile_text)
def test_search_with_hostile_text(branch: Database, query: str) -> None:
    before = getattr(branch, "_checksum", None) or table_checksum(branch)
    branch._checksum = before  # type: ignore[attr-defined]  # computed once per test
    with branch.read() as session:
        hits = find_accounts(session, query)
    assert isinstance(hits, list) and len(hits) <= 50
    for hit in hits:
        assert isinstance(hit, AccountView)
        assert _matches(hit, query), (query, hit.matched_by, hit.capital_account)
    if query.strip() in ("' OR 1=1 --", "%", "_", "%%", "%_%"):
        assert hits == []
    assert table_checksum(branch) == before


@PROPERTY
@given(query=st.sampled_from(SQL_FRAGMENTS), padding=st.sampled_from(["", " ", "\t", "\x00"]))
def test_search_with_hostile_text_around_a_real_account(
    branch: Database, query: str, padding: str
) -> None:
    with branch.read() as session:
        account = session.execute(
            select(CapitalAccount.account_no).order_by(CapitalAccount.id).limit(1)
        ).scalar_one()
        hits = find_accounts(session, account + padding + query)
    assert all(_matches(hit, account + padding + query) for hit in hits)


# -- validators and the row parser -----------------------------------------------------

_BASE = date(2026, 1, 1)


@PROPERTY
@given(value=st.one_of(hostile_text, st.none()))
def test_validators_never_crash(value: str | None) -> None:
    verdict = check_resident_id(value, _BASE)
    assert verdict.check is not None
    assert check_other_id(value).check is not None
    assert check_phone(value) is not None
    phone = normalize_phone(value)
    assert phone is None or (phone.isascii() and phone.isdigit())
    assert isinstance(normalize_name(value), str)
    assert isinstance(normalize_id(value), str)
    assert isinstance(clean_id(value), str)
    assert isinstance(is_blank_or_placeholder(value), bool)
    # normalization is idempotent, even on hostile text
    assert normalize_name(normalize_name(value)) == normalize_name(value)
    assert normalize_id(normalize_id(value)) == normalize_id(value)


_COLUMN_NAMES = [c.name for c in COLUMNS]


@PROPERTY
@given(
    values=st.fixed_dictionaries(
        {},
        optional={name: st.one_of(hostile_text, st.just("")) for name in _COLUMN_NAMES},
    ),
    extra=st.lists(hostile_text, max_size=2),
)
def test_parse_row_never_crashes(values: dict[str, str], extra: list[str]) -> None:
    result = parse_row(RawRow(line_no=7, values=values, extra=tuple(extra)))
    if isinstance(result, ParsedRow):
        assert result.capital_account == values["capital_account"]
        assert result.name == values.get("name", "")
        assert result.address == values.get("address", "")
        assert len(result.fingerprint()) == 16
    else:
        assert result and all(isinstance(e, RowError) and e.line_no == 7 for e in result)
        assert all(len(e.value) <= 201 for e in result)
        assert all(str(e) for e in result)


# -- the importer ----------------------------------------------------------------------

_FREE_TEXT = ["name", "id_number", "phone", "address", "sh_name", "sh_id_number", "bank"]


HOSTILE_PREFIX = "888"  # capital accounts of this test's rows; the demo's never start so


def _row(account: str, overrides: dict[str, str]) -> dict[str, str]:
    values = {
        "capital_account": account,
        "name": "王芳",
        "id_number": f"H{account}",  # unique: no DUPLICATE_ID with anyone else's
        "phone": "13912345678",
        "address": "北京市朝阳区建国路88号",
        "opened_on": "2015-04-25",
        "balance": "100.00",
        "bank": "工商银行",
        "bank_account": "6222021234567890123",
    }
    values.update(overrides)
    return values


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    headers = [c.name for c in COLUMNS]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for values in rows:
            writer.writerow([values.get(h, "") for h in headers])


def _read_back(db: Database, account: str) -> dict[str, Any]:
    with db.read() as session:
        found = session.execute(
            select(CapitalAccount, Customer)
            .join(Customer, Customer.id == CapitalAccount.customer_id)
            .where(CapitalAccount.account_no == account)
        ).one_or_none()
        if found is None:
            return {}
        acct, customer = found
        secs = session.execute(
            select(SecuritiesAccount.holder_name, SecuritiesAccount.holder_id_number).where(
                SecuritiesAccount.capital_account_id == acct.id
            )
        ).all()
        return {
            "name": customer.name,
            "id_number": customer.id_number,
            "phone": customer.phone,
            "address": customer.address,
            "sh_name": secs[0][0] if secs else "",
            "sh_id_number": secs[0][1] if secs else "",
            "bank": acct.bank_code,
        }


def _others_checksum(db: Database) -> str:
    """The demo branch's accounts and customers (every account not made by this test)."""
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.account_no, a.account_class, a.reasons, a.version, c.name, "
                "c.id_number, c.phone, c.address, c.version FROM capital_accounts a "
                "JOIN customers c ON c.id = a.customer_id ORDER BY a.account_no"
            )
        )
        for row in rows:
            if not row[0].startswith(HOSTILE_PREFIX):
                digest.update(repr(tuple(row)).encode("utf-8"))
    return digest.hexdigest()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cells=st.lists(
        st.tuples(st.sampled_from(_FREE_TEXT), hostile_text.filter(lambda t: len(t) < 5000)),
        min_size=1,
        max_size=4,
    ),
    data=st.data(),
)
def test_import_of_hostile_cells(
    branch: Database,
    tmp_path_factory: pytest.TempPathFactory,
    cells: list[tuple[str, str]],
    data: st.DataObject,
) -> None:
    serial = data.draw(st.integers(0, 99_999_999), label="account")
    account = f"{HOSTILE_PREFIX}{serial:09d}"
    overrides = dict(cells)
    if "sh_name" in overrides or "sh_id_number" in overrides:
        overrides["sh_account"] = f"A9{serial:08d}"
    path = tmp_path_factory.mktemp("hostile") / "hostile.csv"
    _write(path, [_row(account, overrides)])
    before_others = _others_checksum(branch)
    before_all = table_checksum(branch)
    try:
        # what the reader hands over is what must be stored: read it back the same way
        with ExportReader.open(path) as reader:
            (raw,) = list(reader)
        import_file(branch, path, operator="hostile")
    except UserError:
        assert table_checksum(branch) == before_all  # refused: nothing at all changed
        return
    stored = _read_back(branch, account)
    assert stored, "imported, yet the account is not there"
    for column in ("name", "id_number", "phone", "address", "sh_name", "sh_id_number"):
        assert stored[column] == raw.values.get(column, ""), column
    assert _others_checksum(branch) == before_others


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("name", "名" * 201),
        ("name", "\ufdfa" * 14),  # 14 characters, 210 once NFKC expands them
        ("address", "路" * 401),
        ("id_number", "1" * 65),
        ("phone", "1" * 65),
        ("sh_name", "𠀀" * 201),
    ],
)
def test_too_long_values_are_row_errors(
    branch: Database, tmp_path: Path, column: str, value: str
) -> None:
    account = f"{HOSTILE_PREFIX}777777777"
    overrides = {column: value}
    if column.startswith("sh_"):
        overrides["sh_account"] = "A977777777"
    path = tmp_path / "long.csv"
    _write(path, [_row(account, overrides)])
    before = table_checksum(branch)
    with pytest.raises(ImportRefused) as refused:
        import_file(branch, path)
    (error,) = refused.value.errors
    assert error.line_no == 2 and error.column == column
    assert error.message.startswith("too long") and "内容过长" in error.message_zh
    assert table_checksum(branch) == before
