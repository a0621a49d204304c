"""Screening import: a counter-system export into the database, all or nothing.

The whole import is one write transaction. Rows are parsed, screened and written
in chunks as the file streams (memory stays flat), and if any row turns out to be
unreadable the transaction is rolled back and every bad row is reported: nothing
of a refused file, nor of an import killed mid-way, is ever left in the database.

Reasons that need the whole table (``DUPLICATE_ID``) are settled set-based after
the last row, so the per-row path stays a few microseconds.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Index, Table, bindparam, delete, func, inspect, select, text, update
from sqlalchemy.orm import Session

from counter_app.db.bulk import insert_rows
from counter_app.db.engine import Database
from counter_app.db.models import (
    Bank,
    CapitalAccount,
    Classification,
    Customer,
    ImportBatch,
    SecuritiesAccount,
)
from counter_app.domain.codes import AccountClass, DepositoryStatus, Reason
from counter_app.domain.screening import ScreeningPolicy, reasons_from_text, reasons_to_text
from counter_app.errors import UserError
from counter_app.importing.parse import RowError
from counter_app.importing.reader import RawRow
from counter_app.services.audit import AuditLog
from counter_app.services.classification import (
    active_manual_reasons,
    judge,
    open_history_period,
    refresh_duplicates,
    screening_policy,
)
from counter_app.services.import_prepare import (
    ACCOUNT_DATA_COLUMNS,
    CUSTOMER_COLUMNS,
    SECURITIES_COLUMNS,
    FileOutcome,
    PreparedChunk,
    PreparedRow,
    Preparer,
    prepare_file_in_worker,
)
from counter_app.services.settings import BASE_DATE, get_base_date, set_setting

# Bulk paths use Core tables and driver-level executemany: the ORM's bookkeeping
# would cost more than the SQL.
_CUSTOMERS = cast(Table, Customer.__table__)
_ACCOUNTS = cast(Table, CapitalAccount.__table__)
_SECURITIES = cast(Table, SecuritiesAccount.__table__)
_CUSTOMER_INSERT = ("id", *CUSTOMER_COLUMNS, "updated_at", "version")
_ACCOUNT_INSERT = (
    "id",
    "account_no",
    "customer_id",
    *ACCOUNT_DATA_COLUMNS,
    "account_class",
    "reasons",
    "last_import_id",
    "updated_at",
    "version",
)
_SECURITIES_INSERT = ("capital_account_id", *SECURITIES_COLUMNS)
ProgressCallback = Callable[[int, float | None], None]
"""Called with (rows done, fraction done or None when unknown)."""


class ImportRefused(UserError):
    """The file has unreadable rows; nothing was written."""

    def __init__(self, errors: list[RowError], rows_read: int) -> None:
        self.errors = errors
        self.rows_read = rows_read
        super().__init__(
            f"the file was refused: {len(errors)} problem(s) in {rows_read} row(s); "
            "nothing was imported"
        )


@dataclass
class ImportSummary:
    source_name: str
    base_date: date
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    per_class: Counter[str] = field(default_factory=Counter)
    unknown_columns: list[str] = field(default_factory=list)
    batch_id: int | None = None
    first_import: bool = False

    @property
    def changed_nothing(self) -> bool:
        return self.new == 0 and self.updated == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source_name,
            "base_date": self.base_date.isoformat(),
            "rows_read": self.rows_read,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "per_class": {cls.value: self.per_class.get(cls.value, 0) for cls in AccountClass},
            "unknown_columns": self.unknown_columns,
            "changed_nothing": self.changed_nothing,
        }


def bank_spellings(session: Session) -> tuple[dict[str, str], list[str]]:
    """How the export may name each bank (code, short or full Chinese name, English
    name; upper-cased) mapped to its code, and the list of codes."""
    spellings: dict[str, str] = {}
    for bank in session.execute(select(Bank)).scalars():
        for spelling in (bank.code, bank.name_zh, bank.short_zh, bank.name_en):
            spellings[spelling.strip().upper()] = bank.code
    return spellings, sorted(set(spellings.values()))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_file(
    db: Database,
    path: Path,
    *,
    base_date: date | None = None,
    operator: str = "system",
    progress: ProgressCallback | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    """Import a counter-export file (``FileRefused`` or ``ImportRefused`` when unreadable).

    The file is read, parsed and screened in a second process while this one writes.
    """
    try:
        digest = file_sha256(path)
    except OSError as err:
        raise UserError(
            f"cannot read {path}: {err.strerror or err}",
            zh=f"无法读取 {path}：{err.strerror or err}",
        ) from err
    now = now or datetime.now()
    outcome = FileOutcome()

    def chunks(preparer: Preparer) -> Iterator[PreparedChunk]:
        # The reading process parses and checks; this one screens and writes: about
        # an even share of the work each.
        preparer.screen_here = False
        for chunk in prepare_file_in_worker(path, preparer, outcome):
            if progress is not None and chunk.bytes_total:
                progress_state["fraction"] = min(1.0, chunk.bytes_done / chunk.bytes_total)
            chunk.rows = [preparer.screen(row) for row in chunk.rows]
            yield chunk

    progress_state: dict[str, float] = {}

    def report(done: int) -> None:
        if progress is not None:
            progress(done, progress_state.get("fraction"))

    summary = _run_import(
        db,
        chunks,
        source_name=path.name,
        source_sha256=digest,
        base_date=base_date,
        operator=operator,
        progress=report,
        now=now,
    )
    summary.unknown_columns = list(outcome.unknown_columns)
    return summary


def import_rows(
    db: Database,
    rows: Iterable[RawRow],
    *,
    source_name: str,
    source_sha256: str,
    base_date: date | None = None,
    operator: str = "system",
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    """Import rows already split into columns (generated demo data), in this process."""
    return _run_import(
        db,
        lambda preparer: preparer.chunks(rows),
        source_name=source_name,
        source_sha256=source_sha256,
        base_date=base_date,
        operator=operator,
        progress=progress,
        now=now or datetime.now(),
    )


def _run_import(
    db: Database,
    chunks: Callable[[Preparer], Iterable[PreparedChunk]],
    *,
    source_name: str,
    source_sha256: str,
    base_date: date | None,
    operator: str,
    progress: Callable[[int], None] | None,
    now: datetime,
) -> ImportSummary:
    # What preparing needs is read first, outside the write transaction: the reading
    # process starts (forks) before this one holds any lock or open transaction.
    with db.read() as session:
        stored_base = get_base_date(session)
        chosen_base = _choose_base_date(stored_base, base_date, now)
        policy = screening_policy(session, chosen_base)
        spellings, known = bank_spellings(session)
    preparer = Preparer(policy, spellings, known)
    with db.write() as session:
        if get_base_date(session) != stored_base:
            raise UserError(
                "another import set the base date meanwhile: import again",
                zh="另一次导入刚刚设定了基准日：请重新导入",
            )
        if db.is_sqlite:
            # a large import touches index pages all over: give it 256 MiB of page cache
            session.execute(text(f"PRAGMA cache_size=-{256 * 1024}"))
        run = _ImportRun(
            session,
            source_name,
            source_sha256,
            chosen_base,
            stored_base is None,
            policy,
            operator,
            now,
        )
        try:
            run.execute(chunks(preparer), progress)
        finally:
            if db.is_sqlite:
                # back to the usual cache; never let this hide the import's own error
                with contextlib.suppress(Exception):
                    session.execute(text(f"PRAGMA cache_size=-{64 * 1024}"))
        return run.summary


def _choose_base_date(stored: date | None, asked: date | None, now: datetime) -> date:
    if stored is not None and asked is not None and asked != stored:
        raise UserError(
            f"the base date is already {stored.isoformat()} (set by the first import); "
            f"it cannot be changed to {asked.isoformat()}",
            zh=f"基准日已设为 {stored.isoformat()}（由首次导入设定），不能改为 {asked.isoformat()}",
        )
    chosen = stored or asked or now.date()
    if stored is None and chosen > now.date():
        raise UserError(
            f"the base date {chosen.isoformat()} is in the future",
            zh=f"基准日 {chosen.isoformat()} 晚于今天",
        )
    return chosen


class _ImportRun:
    """The writing half of one import, inside its one write transaction."""

    def __init__(
        self,
        session: Session,
        source_name: str,
        source_sha256: str,
        base_date: date,
        first: bool,
        policy: ScreeningPolicy,
        operator: str,
        now: datetime,
    ) -> None:
        self.session = session
        self.operator = operator
        self.now = now
        self.base_date = base_date
        # The first screening is the base picture: it takes effect at the start of the
        # base date, so "as of the base date" shows it and any later change is after it.
        self.effective_at = datetime.combine(base_date, time.min) if first else now
        self.policy = policy
        self.summary = ImportSummary(
            source_name=source_name, base_date=base_date, first_import=first
        )
        self.errors: list[RowError] = []
        self.accounts_in_file: set[int] = set()
        self.started_empty = session.execute(select(Customer.id).limit(1)).first() is None
        # SQLite only: on a shared server the workstations' role does not own the
        # tables (docs/shared-database.md), so it may not drop their indexes
        sqlite = session.get_bind().dialect.name == "sqlite"
        self.deferred_indexes = _defer_indexes(session) if self.started_empty and sqlite else []
        self.audit = AuditLog(session)
        batch = ImportBatch(
            source_name=source_name[:512],
            source_sha256=source_sha256,
            imported_at=now,
            effective_at=self.effective_at,
            operator=operator,
        )
        session.add(batch)
        session.flush()
        self.batch = batch
        if first:
            set_setting(session, BASE_DATE, base_date.isoformat())

    def execute(
        self, chunks: Iterable[PreparedChunk], progress: Callable[[int], None] | None
    ) -> None:
        for chunk in chunks:
            self.errors.extend(chunk.errors)
            self.summary.rows_read += chunk.rows_read
            if not self.errors:
                self._write_chunk(chunk.rows)
            if progress is not None:
                progress(self.summary.rows_read)
        if self.errors:  # the write transaction rolls back as the error leaves it
            raise ImportRefused(self.errors, self.summary.rows_read)
        connection = self.session.connection()
        for index in self.deferred_indexes:
            index.create(connection)
        self._settle_duplicates()
        self._finish()

    def _write_chunk(self, prepared: list[PreparedRow]) -> None:
        if not prepared:
            return
        if self.started_empty:
            # nothing to compare with: every account is new, and no securities account
            # can belong to an account outside the file (the file's own are checked)
            self._insert_new(prepared)
            return
        existing = {
            row.account_no: row
            for row in self.session.execute(
                select(
                    CapitalAccount.id,
                    CapitalAccount.account_no,
                    CapitalAccount.customer_id,
                    CapitalAccount.source_fingerprint,
                    CapitalAccount.account_class,
                    CapitalAccount.reasons,
                    CapitalAccount.version,
                ).where(CapitalAccount.account_no.in_(bindparam("numbers", expanding=True))),
                {"numbers": [p.capital_account for p in prepared]},
            )
        }
        fresh = []
        changed = []
        for p in prepared:
            old = existing.get(p.capital_account)
            if old is None:
                fresh.append(p)
            elif old.source_fingerprint == p.fingerprint:
                self.summary.unchanged += 1
                self.summary.per_class[old.account_class] += 1
                self.accounts_in_file.add(int(p.capital_account))
            else:
                changed.append((p, old))
        self._check_securities_owners(fresh, changed)
        if self.errors:
            return
        if fresh:
            self._insert_new(fresh)
        if changed:
            self._update_changed(changed)

    def _check_securities_owners(self, fresh: list[PreparedRow], changed: list[Any]) -> None:
        """A securities account may not be taken from an account the file leaves alone."""
        wanted = {s[1]: p for p in [*fresh, *(pair[0] for pair in changed)] for s in p.securities}
        if not wanted:
            return
        moving_ids = {old.id for _, old in changed}
        stmt = (
            select(SecuritiesAccount.account_no, CapitalAccount.account_no)
            .join(CapitalAccount, CapitalAccount.id == SecuritiesAccount.capital_account_id)
            .where(SecuritiesAccount.account_no.in_(bindparam("numbers", expanding=True)))
        )
        if moving_ids:
            stmt = stmt.where(SecuritiesAccount.capital_account_id.not_in(moving_ids))
        for sec_no, owner in self.session.execute(stmt, {"numbers": list(wanted)}):
            p = wanted[sec_no]
            if owner == p.capital_account:
                continue
            self.errors.append(
                RowError(
                    p.line_no,
                    "sh_account" if sec_no.startswith("A") else "sz_account",
                    sec_no,
                    f"this securities account is linked to capital account {owner} in the "
                    "database; import that account's new data first or together",
                    f"该证券账户在数据库中属于资金账号 {owner}；请先导入或同时导入该账户的新资料",
                )
            )

    def _insert_new(self, fresh: list[PreparedRow]) -> None:
        customer_ids = reserve_ids(self.session, _CUSTOMERS, len(fresh))
        account_ids = reserve_ids(self.session, _ACCOUNTS, len(fresh))
        now, batch_id = self.now, self.batch.id
        customers: list[tuple[Any, ...]] = []
        accounts: list[tuple[Any, ...]] = []
        securities: list[tuple[Any, ...]] = []
        history: list[tuple[int, str, str, int]] = []
        per_class = self.summary.per_class
        for p, customer_id, account_id in zip(fresh, customer_ids, account_ids, strict=True):
            customers.append((customer_id, *p.customer, now, 1))
            # a new account has no flags, and its duplicates are settled after the last row
            accounts.append(
                (
                    account_id,
                    p.capital_account,
                    customer_id,
                    *p.account,
                    p.own_class,
                    p.own_reasons,
                    batch_id,
                    now,
                    1,
                )
            )
            securities.extend((account_id, *sec) for sec in p.securities)
            history.append((account_id, p.own_class, p.own_reasons, len(p.securities)))
            per_class[p.own_class] += 1
            self.accounts_in_file.add(int(p.capital_account))
        insert_rows(self.session, _CUSTOMERS, _CUSTOMER_INSERT, customers)
        insert_rows(self.session, _ACCOUNTS, _ACCOUNT_INSERT, accounts)
        insert_rows(self.session, _SECURITIES, _SECURITIES_INSERT, securities)
        open_history_period(
            self.session, history, at=self.effective_at, cause="import", close_previous=False
        )
        self.summary.new += len(fresh)

    def _update_changed(self, changed: list[tuple[PreparedRow, Any]]) -> None:
        account_ids = [old.id for _, old in changed]
        manual = active_manual_reasons(self.session, account_ids)
        before_rows = _snapshot(self.session, account_ids)
        self.session.execute(
            delete(SecuritiesAccount).where(SecuritiesAccount.capital_account_id.in_(account_ids))
        )
        history: list[tuple[int, str, str, int]] = []
        securities: list[tuple[Any, ...]] = []
        customer_updates = []
        account_updates = []
        for p, old in changed:
            verdict = judge(
                reasons_from_text(p.own_reasons),
                # settled for real after the last row; keeping the old value meanwhile
                # avoids a period that only lasts until then
                duplicate=Reason.DUPLICATE_ID.value in old.reasons.split(";"),
                manual=manual.get(old.id, set()),
                depository=DepositoryStatus(p.depository_status),
            )
            reasons = reasons_to_text(verdict.reasons)
            customer_updates.append(
                {
                    "id": old.customer_id,
                    **dict(zip(CUSTOMER_COLUMNS, p.customer, strict=True)),
                    "updated_at": self.now,
                }
            )
            account_updates.append(
                {
                    "id": old.id,
                    **dict(zip(ACCOUNT_DATA_COLUMNS, p.account, strict=True)),
                    "account_class": verdict.account_class.value,
                    "reasons": reasons,
                    "last_import_id": self.batch.id,
                    "updated_at": self.now,
                    "version": old.version + 1,
                }
            )
            securities.extend((old.id, *sec) for sec in p.securities)
            if verdict.account_class.value != old.account_class or reasons != old.reasons:
                history.append((old.id, verdict.account_class.value, reasons, len(p.securities)))
            self.summary.per_class[verdict.account_class.value] += 1
            self.accounts_in_file.add(int(p.capital_account))
        versions = {
            customer_id: version
            for customer_id, version in self.session.execute(
                select(Customer.id, Customer.version).where(
                    Customer.id.in_([c["id"] for c in customer_updates])
                )
            )
        }
        for values in customer_updates:
            values["version"] = versions[values["id"]] + 1
        _update_by_id(self.session, _CUSTOMERS, customer_updates)
        _update_by_id(self.session, _ACCOUNTS, account_updates)
        insert_rows(self.session, _SECURITIES, _SECURITIES_INSERT, securities)
        open_history_period(self.session, history, at=self.effective_at, cause="import")
        after_rows = _snapshot(self.session, account_ids)
        for account_id in account_ids:
            before, after = before_rows[account_id], after_rows[account_id]
            changes = {k: v for k, v in after.items() if before.get(k) != v}
            self.audit.record(
                actor=self.operator,
                action="account.import_update",
                entity="capital_account",
                entity_key=before["account_no"],
                before={k: before.get(k) for k in changes},
                after=changes | {"import_batch": self.batch.id},
                at=self.now,
            )
        self.summary.updated += len(changed)

    def _settle_duplicates(self) -> None:
        self.session.flush()
        for account, before, after in refresh_duplicates(
            self.session, at=self.effective_at, cause="import"
        ):
            if int(account.account_no) in self.accounts_in_file:
                self.summary.per_class[before.account_class.value] -= 1
                self.summary.per_class[after.account_class.value] += 1
            self.audit.record(
                actor=self.operator,
                action="account.reclassify",
                entity="capital_account",
                entity_key=account.account_no,
                before={
                    "class": before.account_class.value,
                    "reasons": reasons_to_text(before.reasons),
                },
                after={
                    "class": after.account_class.value,
                    "reasons": reasons_to_text(after.reasons),
                    "import_batch": self.batch.id,
                },
                at=self.now,
            )

    def _finish(self) -> None:
        s = self.summary
        self.batch.rows_read = s.rows_read
        self.batch.rows_new = s.new
        self.batch.rows_updated = s.updated
        self.batch.rows_unchanged = s.unchanged
        s.batch_id = self.batch.id
        # New accounts are recorded by this one entry (the batch and its file's hash);
        # each account carries last_import_id, so its origin stays traceable.
        self.audit.record(
            actor=self.operator,
            action="import",
            entity="import_batch",
            entity_key=self.batch.id,
            after=s.as_dict() | {"sha256": self.batch.source_sha256},
            at=self.now,
        )
        self.audit.flush()


# Secondary indexes whose keys arrive in random order. Into empty SQLite tables (the first
# screening) it is much cheaper to build them once, sorted, after the last row than to
# keep them up to date row by row; the DDL is part of the import's transaction, so a
# refused or killed import leaves them as they were.
_DEFERRABLE_INDEXES = (
    "ix_customers_id_norm",
    "ix_customers_phone_norm",
    "ix_customers_name_norm",
    "ix_capital_accounts_account_class",
    "ix_classifications_stats",
)


def _defer_indexes(session: Session) -> list[Index]:
    connection = session.connection()
    if (
        connection.dialect.name == "postgresql"
        and not connection.execute(
            # only the tables' owner may drop their indexes; the workstations' role may not
            # (docs/shared-database.md), and then imports with the indexes in place
            text(
                "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class "
                "WHERE oid IN ('customers'::regclass, 'capital_accounts'::regclass, "
                "'classifications'::regclass)"
            )
        ).scalar()
    ):
        return []
    deferred = []
    inspector = inspect(connection)
    for table in (_CUSTOMERS, _ACCOUNTS, cast(Table, Classification.__table__)):
        present = {found["name"] for found in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name in _DEFERRABLE_INDEXES and index.name in present:
                index.drop(connection)
                deferred.append(index)
    return deferred


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """Primary keys for ``count`` new rows, known before the insert.

    Inserting with RETURNING would give them too, but SQLite then inserts one row per
    statement to keep their order; knowing the keys first keeps executemany fast.
    PostgreSQL hands them out from the table's sequence (safe with other writers);
    on SQLite this transaction holds the write lock (BEGIN IMMEDIATE), so nobody else
    can take the numbers after the current maximum.
    """
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"table": table.name, "count": count},
        )
        return [row[0] for row in rows]
    start = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(start + 1, start + 1 + count))


def _update_by_id(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany UPDATE ... WHERE id = ? (Core: no per-object ORM bookkeeping)."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    stmt = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam("v_" + name) for name in columns})
    )
    session.execute(stmt, [{"row_id": r["id"], **{"v_" + c: r[c] for c in columns}} for r in rows])


def _snapshot(session: Session, account_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The importable fields of accounts, for the audit log's before and after."""
    rows = session.execute(
        select(
            CapitalAccount.id,
            CapitalAccount.account_no,
            Customer.name,
            Customer.customer_type,
            Customer.id_type,
            Customer.id_number,
            Customer.phone,
            Customer.address,
            Customer.has_paper_file,
            CapitalAccount.opened_on,
            CapitalAccount.balance_cents,
            CapitalAccount.holdings_cents,
            CapitalAccount.last_trade_on,
            CapitalAccount.bank_code,
            CapitalAccount.bank_account,
            CapitalAccount.depository_status,
            CapitalAccount.account_class,
            CapitalAccount.reasons,
        )
        .join(Customer, Customer.id == CapitalAccount.customer_id)
        .where(CapitalAccount.id.in_(account_ids))
    ).mappings()
    snapshot: dict[int, dict[str, Any]] = {}
    for row in rows:
        values = dict(row)
        values["securities"] = []
        snapshot[values.pop("id")] = values
    secs = session.execute(
        select(
            SecuritiesAccount.capital_account_id,
            SecuritiesAccount.account_no,
            SecuritiesAccount.holder_name,
            SecuritiesAccount.holder_id_number,
        )
        .where(SecuritiesAccount.capital_account_id.in_(account_ids))
        .order_by(SecuritiesAccount.account_no)
    )
    for account_id, *sec in secs:
        snapshot[account_id]["securities"].append(sec)
    return snapshot
