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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.orm import Session

from counter_app.db.bulk import insert_rows
from counter_app.db.engine import Database
from counter_app.db.models import (
    Bank,
    CapitalAccount,
    Customer,
    ImportBatch,
    SecuritiesAccount,
)
from counter_app.domain.codes import AccountClass, DepositoryStatus, Reason
from counter_app.domain.screening import ScreeningPolicy, reasons_from_text, reasons_to_text
from counter_app.errors import UserError
from counter_app.importing.parse import RowError
from counter_app.importing.reader import RawRow, value_row
from counter_app.services.audit import AuditLog
from counter_app.services.classification import (
    active_manual_reasons,
    judge,
    open_history_period,
    refresh_duplicates,
    screening_policy,
)
from counter_app.services.import_prepare import (
    A_CLASS,
    A_DEPOSITORY,
    A_FINGERPRINT,
    A_NUMBER,
    A_REASONS,
    A_SECURITIES_COUNT,
    ACCOUNT_DATA_COLUMNS,
    CUSTOMER_COLUMNS,
    SECURITIES_COLUMNS,
    AccountRow,
    CustomerRow,
    FileOutcome,
    FileWorker,
    PreparedChunk,
    Preparer,
    SecuritiesRow,
)
from counter_app.services.import_tables import (
    ACCOUNTS,
    CUSTOMERS,
    SECURITIES,
    SqliteNewRows,
    account_data,
    defer_indexes,
    reserve_ids,
    snapshot,
    update_by_id,
)
from counter_app.services.settings import BASE_DATE, get_base_date, set_setting

# Bulk paths use Core tables and driver-level executemany (services/import_tables.py).
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
_CLASSES = itemgetter(A_CLASS)
# More candidate IDs than this and duplicates are settled over the whole table (an IN
# list that long is no help, and SQLite takes at most 32,766 parameters).
_MAX_DUPLICATE_CANDIDATES = 20_000
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
    now = now or datetime.now()
    setup = _read_setup(db, base_date, now)
    outcome = FileOutcome()
    # Started before the write transaction (no lock is held across the fork), and
    # before hashing the file: the worker checks its encoding meanwhile.
    worker = FileWorker(path, Preparer(setup.policy, setup.banks, setup.known_banks))
    try:
        try:
            digest = file_sha256(path)
        except OSError as err:
            raise UserError(
                f"cannot read {path}: {err.strerror or err}",
                zh=f"无法读取 {path}：{err.strerror or err}",
            ) from err
        progress_state: dict[str, float] = {}

        def chunks() -> Iterator[PreparedChunk]:
            for chunk in worker.chunks(outcome):
                if progress is not None and chunk.bytes_total:
                    progress_state["fraction"] = min(1.0, chunk.bytes_done / chunk.bytes_total)
                yield chunk

        def report(done: int) -> None:
            if progress is not None:
                progress(done, progress_state.get("fraction"))

        summary = _run_import(
            db,
            setup,
            chunks(),
            source_name=path.name,
            source_sha256=digest,
            operator=operator,
            progress=report,
            now=now,
        )
    finally:
        worker.close()
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
    now = now or datetime.now()
    setup = _read_setup(db, base_date, now)
    preparer = Preparer(setup.policy, setup.banks, setup.known_banks)
    return _run_import(
        db,
        setup,
        preparer.chunks(map(value_row, rows)),
        source_name=source_name,
        source_sha256=source_sha256,
        operator=operator,
        progress=progress,
        now=now,
    )


@dataclass(frozen=True)
class _Setup:
    """What preparing needs, read before the write transaction."""

    stored_base: date | None
    base_date: date
    policy: ScreeningPolicy
    banks: dict[str, str]
    known_banks: list[str]


def _read_setup(db: Database, base_date: date | None, now: datetime) -> _Setup:
    with db.read() as session:
        stored_base = get_base_date(session)
        chosen_base = _choose_base_date(stored_base, base_date, now)
        policy = screening_policy(session, chosen_base)
        spellings, known = bank_spellings(session)
    return _Setup(stored_base, chosen_base, policy, spellings, known)


def _run_import(
    db: Database,
    setup: _Setup,
    chunks: Iterable[PreparedChunk],
    *,
    source_name: str,
    source_sha256: str,
    operator: str,
    progress: Callable[[int], None] | None,
    now: datetime,
) -> ImportSummary:
    with db.write() as session:
        if get_base_date(session) != setup.stored_base:
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
            setup.base_date,
            setup.stored_base is None,
            setup.policy,
            operator,
            now,
        )
        try:
            run.execute(chunks, progress)
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


class _Incoming(NamedTuple):
    """One prepared row of a chunk, for the paths that compare with stored accounts."""

    line_no: int
    customer: CustomerRow
    account: AccountRow
    securities: list[SecuritiesRow]


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
        self.started_empty = session.execute(select(Customer.id).limit(1)).first() is None
        # Into empty tables every account of the file is new, and every stored account
        # is one of the file's: no need to remember them.
        self.accounts_in_file: set[int] | None = None if self.started_empty else set()
        # SQLite only: on a shared server the workstations' role does not own the
        # tables (docs/shared-database.md), so it may not drop their indexes
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.deferred_indexes = defer_indexes(session) if self.started_empty and self.sqlite else []
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
        # Into empty SQLite tables new rows go in straight from the prepared tuples;
        # otherwise their ids are handed out as before (no gaps where rows are updated)
        self.new_rows = (
            SqliteNewRows(
                session, now=self.now, batch_id=self.batch.id, effective_at=self.effective_at
            )
            if self.sqlite and self.started_empty
            else None
        )

    def execute(
        self, chunks: Iterable[PreparedChunk], progress: Callable[[int], None] | None
    ) -> None:
        for chunk in chunks:
            self.errors.extend(chunk.errors)
            self.summary.rows_read += chunk.rows_read
            if not self.errors:
                self._write_chunk(chunk)
            if progress is not None:
                progress(self.summary.rows_read)
        if self.errors:  # the write transaction rolls back as the error leaves it
            raise ImportRefused(self.errors, self.summary.rows_read)
        candidates = self._duplicate_candidates()
        connection = self.session.connection()
        for index in self.deferred_indexes:
            index.create(connection)
        self._settle_duplicates(candidates)
        self._finish()

    def _write_chunk(self, chunk: PreparedChunk) -> None:
        if not chunk.accounts:
            return
        if self.accounts_in_file is None:
            # nothing to compare with: every account is new, and no securities account
            # can belong to an account outside the file (the file's own are checked)
            self._insert_new(chunk.customers, chunk.accounts, chunk.securities)
            return
        accounts = chunk.accounts
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
                {"numbers": [a[A_NUMBER] for a in accounts]},
            )
        }
        securities_of: defaultdict[int, list[SecuritiesRow]] = defaultdict(list)
        for sec in chunk.securities:
            securities_of[sec[0]].append(sec)
        fresh: list[_Incoming] = []
        changed: list[tuple[_Incoming, Any]] = []
        for index, account in enumerate(accounts):
            self.accounts_in_file.add(int(account[A_NUMBER]))
            old = existing.get(account[A_NUMBER])
            if old is not None and old.source_fingerprint == account[A_FINGERPRINT]:
                self.summary.unchanged += 1
                self.summary.per_class[old.account_class] += 1
                continue
            row = _Incoming(
                chunk.line_nos[index],
                chunk.customers[index],
                account,
                securities_of.get(account[0], []),
            )
            if old is None:
                fresh.append(row)
            else:
                changed.append((row, old))
        self._check_securities_owners(fresh, changed)
        if self.errors:
            return
        if fresh:
            self._insert_new(
                [r.customer for r in fresh],
                [r.account for r in fresh],
                [sec for r in fresh for sec in r.securities],
            )
        if changed:
            self._update_changed(changed)

    def _check_securities_owners(
        self, fresh: list[_Incoming], changed: list[tuple[_Incoming, Any]]
    ) -> None:
        """A securities account may not be taken from an account the file leaves alone."""
        wanted = {
            sec[2]: row
            for row in [*fresh, *(pair[0] for pair in changed)]
            for sec in row.securities
        }
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
            row = wanted[sec_no]
            if owner == row.account[A_NUMBER]:
                continue
            self.errors.append(
                RowError(
                    row.line_no,
                    "sh_account" if sec_no.startswith("A") else "sz_account",
                    sec_no,
                    f"this securities account is linked to capital account {owner} in the "
                    "database; import that account's new data first or together",
                    f"该证券账户在数据库中属于资金账号 {owner}；请先导入或同时导入该账户的新资料",
                )
            )

    def _insert_new(
        self,
        customers: list[CustomerRow],
        accounts: list[AccountRow],
        securities: list[SecuritiesRow],
    ) -> None:
        # a new account has no flags, and its duplicates are settled after the last row:
        # its class and reasons are those of its own row
        if self.new_rows is not None:
            self.new_rows.insert(customers, accounts, securities)
        else:
            self._insert_new_with_ids(customers, accounts, securities)
        self.summary.per_class.update(map(_CLASSES, accounts))
        self.summary.new += len(accounts)

    def _insert_new_with_ids(
        self,
        customers: list[CustomerRow],
        accounts: list[AccountRow],
        securities: list[SecuritiesRow],
    ) -> None:
        """Ids reserved first (``reserve_ids``), the rows rebuilt around them."""
        customer_ids = reserve_ids(self.session, CUSTOMERS, len(accounts))
        account_ids = reserve_ids(self.session, ACCOUNTS, len(accounts))
        now, batch_id = self.now, self.batch.id
        customer_rows: list[tuple[Any, ...]] = []
        account_rows: list[tuple[Any, ...]] = []
        history: list[tuple[int, str, str, int]] = []
        account_of_key: dict[int, int] = {}
        for c, a, customer_id, account_id in zip(
            customers, accounts, customer_ids, account_ids, strict=True
        ):
            account_of_key[a[0]] = account_id
            customer_rows.append((customer_id, *c[1:], now, 1))
            verdict = (a[A_CLASS], a[A_REASONS], batch_id, now, 1)
            account_rows.append((account_id, a[A_NUMBER], customer_id, *account_data(a), *verdict))
            history.append((account_id, a[A_CLASS], a[A_REASONS], a[A_SECURITIES_COUNT]))
        insert_rows(self.session, CUSTOMERS, _CUSTOMER_INSERT, customer_rows)
        insert_rows(self.session, ACCOUNTS, _ACCOUNT_INSERT, account_rows)
        insert_rows(
            self.session,
            SECURITIES,
            _SECURITIES_INSERT,
            [(account_of_key[sec[0]], *sec[1:]) for sec in securities],
        )
        open_history_period(
            self.session, history, at=self.effective_at, cause="import", close_previous=False
        )

    def _update_changed(self, changed: list[tuple[_Incoming, Any]]) -> None:
        account_ids = [old.id for _, old in changed]
        manual = active_manual_reasons(self.session, account_ids)
        before_rows = snapshot(self.session, account_ids)
        self.session.execute(
            delete(SecuritiesAccount).where(SecuritiesAccount.capital_account_id.in_(account_ids))
        )
        history: list[tuple[int, str, str, int]] = []
        securities: list[tuple[Any, ...]] = []
        customer_updates = []
        account_updates = []
        for row, old in changed:
            account = row.account
            verdict = judge(
                reasons_from_text(account[A_REASONS]),
                # settled for real after the last row; keeping the old value meanwhile
                # avoids a period that only lasts until then
                duplicate=Reason.DUPLICATE_ID.value in old.reasons.split(";"),
                manual=manual.get(old.id, set()),
                depository=DepositoryStatus(account[A_DEPOSITORY]),
            )
            reasons = reasons_to_text(verdict.reasons)
            customer_updates.append(
                {
                    "id": old.customer_id,
                    **dict(zip(CUSTOMER_COLUMNS, row.customer[1:], strict=True)),
                    "updated_at": self.now,
                }
            )
            account_updates.append(
                {
                    "id": old.id,
                    **dict(zip(ACCOUNT_DATA_COLUMNS, account_data(account), strict=True)),
                    "account_class": verdict.account_class.value,
                    "reasons": reasons,
                    "last_import_id": self.batch.id,
                    "updated_at": self.now,
                    "version": old.version + 1,
                }
            )
            securities.extend((old.id, *sec[1:]) for sec in row.securities)
            if verdict.account_class.value != old.account_class or reasons != old.reasons:
                history.append((old.id, verdict.account_class.value, reasons, len(row.securities)))
            self.summary.per_class[verdict.account_class.value] += 1
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
        update_by_id(self.session, CUSTOMERS, customer_updates)
        update_by_id(self.session, ACCOUNTS, account_updates)
        insert_rows(self.session, SECURITIES, _SECURITIES_INSERT, securities)
        open_history_period(self.session, history, at=self.effective_at, cause="import")
        after_rows = snapshot(self.session, account_ids)
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

    def _duplicate_candidates(self) -> set[str] | None:
        """The ID numbers that may be duplicates, when only this import's rows can be.

        Into empty SQLite tables (the write lock keeps everyone else out) the accounts
        that need DUPLICATE_ID are all among those of these IDs, and none has it yet:
        settling just them gives what settling the whole table gives, without the
        table-wide lookups. None: settle the whole table.
        """
        if not (self.sqlite and self.started_empty):
            return None
        self.session.flush()
        # NOT INDEXED: one pass over the table and a sort beat a table lookup per entry
        # of the ID index (the rule itself is conflicting_ids'; this only narrows it)
        found = set(
            self.session.execute(
                text(
                    "SELECT id_norm FROM customers NOT INDEXED "
                    "WHERE id_norm != '' AND name_norm != '' GROUP BY id_norm "
                    "HAVING min(name_norm) != max(name_norm)"
                )
            ).scalars()
        )
        return found if len(found) <= _MAX_DUPLICATE_CANDIDATES else None

    def _settle_duplicates(self, candidates: set[str] | None) -> None:
        self.session.flush()
        for account, before, after in refresh_duplicates(
            self.session, at=self.effective_at, cause="import", id_norms=candidates
        ):
            if self.accounts_in_file is None or int(account.account_no) in self.accounts_in_file:
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
