"""Screening import: a counter-system export into the database, all or nothing.

The whole import is one write transaction. Rows are parsed, screened and written
in chunks as the file streams (memory stays flat), and if any row turns out to be
unreadable the transaction is rolled back and every bad row is reported: nothing
of a refused file, nor of an import killed mid-way, is ever left in the database.

Reasons that need the whole table (``DUPLICATE_ID``) are settled set-based after
the last row, so the per-row path stays a few microseconds.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, text, update
from sqlalchemy.orm import Session

from counter_app.db.bulk import insert_dicts
from counter_app.db.engine import Database
from counter_app.db.models import (
    Bank,
    CapitalAccount,
    Customer,
    ImportBatch,
    SecuritiesAccount,
)
from counter_app.domain.codes import AccountClass, Reason
from counter_app.domain.normalize import is_blank_or_placeholder, normalize_id, normalize_name
from counter_app.domain.phone import normalize_phone
from counter_app.domain.screening import (
    AccountFacts,
    ScreeningPolicy,
    SecuritiesFacts,
    reasons_from_text,
    reasons_to_text,
    row_reasons,
)
from counter_app.errors import UserError
from counter_app.importing.parse import DuplicateTracker, ParsedRow, RowError, parse_row
from counter_app.importing.reader import ExportReader, RawRow
from counter_app.services.audit import AuditLog
from counter_app.services.classification import (
    active_manual_reasons,
    judge,
    open_history_period,
    refresh_duplicates,
    screening_policy,
)
from counter_app.services.settings import BASE_DATE, get_base_date, set_setting

CHUNK_ROWS = 2000
# Bulk paths use Core tables: the ORM's bulk insert bookkeeping costs more than the SQL.
_CUSTOMERS = cast(Table, Customer.__table__)
_ACCOUNTS = cast(Table, CapitalAccount.__table__)
_SECURITIES = cast(Table, SecuritiesAccount.__table__)
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


class BankResolver:
    """Maps a bank as the export writes it (code, short or full Chinese name) to its code."""

    def __init__(self, session: Session) -> None:
        self._by_text: dict[str, str] = {}
        for bank in session.execute(select(Bank)).scalars():
            for spelling in (bank.code, bank.name_zh, bank.short_zh, bank.name_en):
                self._by_text[spelling.strip().upper()] = bank.code
        self.known = sorted({b for b in self._by_text.values()})

    def resolve(self, text: str) -> str | None:
        return self._by_text.get(text.strip().upper())


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
    """Import a counter-export file (``FileRefused`` or ``ImportRefused`` when unreadable)."""
    try:
        digest = file_sha256(path)
    except OSError as err:
        raise UserError(f"cannot read {path}: {err.strerror or err}") from err
    with ExportReader.open(path) as reader:

        def report(done: int) -> None:
            if progress is not None:
                total = reader.bytes_total
                fraction = min(1.0, reader.bytes_done / total) if total else None
                progress(done, fraction)

        summary = import_rows(
            db,
            iter(reader),
            source_name=path.name,
            source_sha256=digest,
            base_date=base_date,
            operator=operator,
            progress=report,
            now=now,
        )
        summary.unknown_columns = list(reader.unknown_columns)
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
    """Import rows already split into columns (from a file, or generated demo data)."""
    now = now or datetime.now()
    with db.write() as session:
        run = _ImportRun(session, source_name, source_sha256, base_date, operator, now)
        run.execute(rows, progress)
        return run.summary


@dataclass(slots=True)
class _Prepared:
    row: ParsedRow
    fingerprint: bytes
    bank_code: str | None
    own_reasons: frozenset[Reason]
    name_norm: str
    id_norm: str
    phone_norm: str


class _ImportRun:
    def __init__(
        self,
        session: Session,
        source_name: str,
        source_sha256: str,
        base_date: date | None,
        operator: str,
        now: datetime,
    ) -> None:
        self.session = session
        self.operator = operator
        self.now = now
        stored_base = get_base_date(session)
        if stored_base is not None and base_date is not None and base_date != stored_base:
            raise UserError(
                f"the base date is already {stored_base.isoformat()} (set by the first import); "
                f"it cannot be changed to {base_date.isoformat()}"
            )
        first = stored_base is None
        self.base_date = stored_base or base_date or now.date()
        if first and self.base_date > now.date():
            raise UserError(f"the base date {self.base_date.isoformat()} is in the future")
        # The first screening is the base picture: it takes effect at the start of the
        # base date, so "as of the base date" shows it and any later change is after it.
        self.effective_at = datetime.combine(self.base_date, time.min) if first else now
        self.policy: ScreeningPolicy = screening_policy(session, self.base_date)
        self.banks = BankResolver(session)
        self.summary = ImportSummary(
            source_name=source_name, base_date=self.base_date, first_import=first
        )
        self.errors: list[RowError] = []
        self.accounts_seen = DuplicateTracker()
        self.securities_seen: dict[str, int] = {}
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
            set_setting(session, BASE_DATE, self.base_date.isoformat())

    # -- the run --------------------------------------------------------------

    def execute(self, rows: Iterable[RawRow], progress: Callable[[int], None] | None) -> None:
        for chunk in _chunks(rows, CHUNK_ROWS):
            prepared = [p for p in map(self._prepare, chunk) if p is not None]
            self.summary.rows_read += len(chunk)
            if not self.errors:
                self._write_chunk(prepared)
            if progress is not None:
                progress(self.summary.rows_read)
        if self.errors:
            self.session.rollback()
            raise ImportRefused(self.errors, self.summary.rows_read)
        self._settle_duplicates()
        self._finish()

    def _prepare(self, raw: RawRow) -> _Prepared | None:
        parsed = parse_row(raw)
        if isinstance(parsed, list):
            self.errors.extend(parsed)
            return None
        row_errors: list[RowError] = []
        duplicate = self.accounts_seen.see(parsed.capital_account, parsed.line_no)
        if duplicate is not None:
            row_errors.append(duplicate)
        for sec in parsed.securities:
            column = "sh_account" if sec.market.value == "SH" else "sz_account"
            first_line = self.securities_seen.setdefault(sec.account_no, parsed.line_no)
            if first_line != parsed.line_no:
                row_errors.append(
                    RowError(
                        parsed.line_no,
                        column,
                        sec.account_no,
                        f"securities account already given on line {first_line}",
                    )
                )
        bank_code = None
        if parsed.bank:
            bank_code = self.banks.resolve(parsed.bank)
            if bank_code is None:
                row_errors.append(
                    RowError(
                        parsed.line_no,
                        "bank",
                        parsed.bank,
                        "unknown bank; known: " + ", ".join(self.banks.known),
                    )
                )
        if row_errors:
            self.errors.extend(row_errors)
            return None
        if self.errors:  # the file is refused anyway: only look for more errors
            return None
        facts = AccountFacts(
            name=parsed.name,
            customer_type=parsed.customer_type,
            id_type=parsed.id_type,
            id_number=parsed.id_number,
            phone=parsed.phone,
            address=parsed.address,
            has_paper_file=parsed.has_paper_file,
            opened_on=parsed.opened_on,
            balance_cents=parsed.balance_cents,
            holdings_cents=parsed.holdings_cents,
            last_trade_on=parsed.last_trade_on,
            securities=tuple(
                SecuritiesFacts(s.market, s.account_no, s.holder_name, s.holder_id_number)
                for s in parsed.securities
            ),
        )
        return _Prepared(
            row=parsed,
            fingerprint=parsed.fingerprint(),
            bank_code=bank_code,
            own_reasons=row_reasons(facts, self.policy),
            name_norm="" if is_blank_or_placeholder(parsed.name) else normalize_name(parsed.name),
            id_norm=normalize_id(parsed.id_number),
            phone_norm=normalize_phone(parsed.phone) or "",
        )

    def _write_chunk(self, prepared: list[_Prepared]) -> None:
        if not prepared:
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
                {"numbers": [p.row.capital_account for p in prepared]},
            )
        }
        fresh = [p for p in prepared if p.row.capital_account not in existing]
        changed = []
        for p in prepared:
            old = existing.get(p.row.capital_account)
            if old is None:
                continue
            if old.source_fingerprint == p.fingerprint:
                self.summary.unchanged += 1
                self.summary.per_class[old.account_class] += 1
            else:
                changed.append((p, old))
        self._check_securities_owners(fresh, changed)
        if self.errors:
            return
        if fresh:
            self._insert_new(fresh)
        if changed:
            self._update_changed(changed)

    def _check_securities_owners(self, fresh: list[_Prepared], changed: list[Any]) -> None:
        """A securities account may not be taken from an account the file leaves alone."""
        wanted = {
            s.account_no: p
            for p in [*fresh, *(pair[0] for pair in changed)]
            for s in p.row.securities
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
        owners = self.session.execute(stmt, {"numbers": list(wanted)})
        for sec_no, owner in owners:
            p = wanted[sec_no]
            if owner == p.row.capital_account:
                continue
            column = "sh_account" if sec_no.startswith("A") else "sz_account"
            self.errors.append(
                RowError(
                    p.row.line_no,
                    column,
                    sec_no,
                    f"this securities account is linked to capital account {owner} in the "
                    "database; import that account's new data first or together",
                )
            )

    def _customer_values(self, p: _Prepared) -> dict[str, Any]:
        r = p.row
        return {
            "name": r.name,
            "name_norm": p.name_norm,
            "customer_type": r.customer_type.value,
            "id_type": r.id_type.value,
            "id_number": r.id_number,
            "id_norm": p.id_norm,
            "phone": r.phone,
            "phone_norm": p.phone_norm,
            "address": r.address,
            "has_paper_file": r.has_paper_file,
            "updated_at": self.now,
        }

    def _account_values(self, p: _Prepared, verdict_class: str, reasons: str) -> dict[str, Any]:
        r = p.row
        return {
            "opened_on": r.opened_on,
            "balance_cents": r.balance_cents,
            "holdings_cents": r.holdings_cents,
            "last_trade_on": r.last_trade_on,
            "bank_code": p.bank_code,
            "bank_account": r.bank_account,
            "depository_status": r.depository_status.value,
            "account_class": verdict_class,
            "reasons": reasons,
            "row_reasons": reasons_to_text(p.own_reasons),
            "securities_count": len(r.securities),
            "source_fingerprint": p.fingerprint,
            "last_import_id": self.batch.id,
            "updated_at": self.now,
        }

    def _insert_new(self, fresh: list[_Prepared]) -> None:
        customer_ids = reserve_ids(self.session, _CUSTOMERS, len(fresh))
        insert_dicts(
            self.session,
            _CUSTOMERS,
            [
                {**self._customer_values(p), "id": customer_id, "version": 1}
                for p, customer_id in zip(fresh, customer_ids, strict=True)
            ],
        )
        account_ids = reserve_ids(self.session, _ACCOUNTS, len(fresh))
        account_rows = []
        history = []
        for p, customer_id, account_id in zip(fresh, customer_ids, account_ids, strict=True):
            verdict = judge(
                p.own_reasons, duplicate=False, manual=(), depository=p.row.depository_status
            )
            values = self._account_values(
                p, verdict.account_class.value, reasons_to_text(verdict.reasons)
            )
            account_rows.append(
                {
                    **values,
                    "id": account_id,
                    "account_no": p.row.capital_account,
                    "customer_id": customer_id,
                    "version": 1,
                }
            )
            self.summary.per_class[verdict.account_class.value] += 1
        insert_dicts(self.session, _ACCOUNTS, account_rows)
        securities = []
        for p, account_id, values in zip(fresh, account_ids, account_rows, strict=True):
            history.append(
                (account_id, values["account_class"], values["reasons"], len(p.row.securities))
            )
            securities.extend(_securities_values(p, account_id))
        insert_dicts(self.session, _SECURITIES, securities)
        open_history_period(
            self.session, history, at=self.effective_at, cause="import", close_previous=False
        )
        self.summary.new += len(fresh)

    def _update_changed(self, changed: list[tuple[_Prepared, Any]]) -> None:
        account_ids = [old.id for _, old in changed]
        manual = active_manual_reasons(self.session, account_ids)
        before_rows = _snapshot(self.session, account_ids)
        self.session.execute(
            delete(SecuritiesAccount).where(SecuritiesAccount.capital_account_id.in_(account_ids))
        )
        history = []
        securities = []
        customer_updates = []
        account_updates = []
        for p, old in changed:
            old_reasons = reasons_from_text(old.reasons)
            verdict = judge(
                p.own_reasons,
                # settled for real after the last row; keeping the old value meanwhile
                # avoids a period that only lasts until then
                duplicate=Reason.DUPLICATE_ID in old_reasons,
                manual=manual.get(old.id, set()),
                depository=p.row.depository_status,
            )
            reasons = reasons_to_text(verdict.reasons)
            customer_updates.append({"id": old.customer_id, **self._customer_values(p)})
            account_updates.append(
                {
                    "id": old.id,
                    **self._account_values(p, verdict.account_class.value, reasons),
                    "version": old.version + 1,
                }
            )
            securities.extend(_securities_values(p, old.id))
            if verdict.account_class.value != old.account_class or reasons != old.reasons:
                history.append(
                    (old.id, verdict.account_class.value, reasons, len(p.row.securities))
                )
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
        _update_by_id(self.session, _CUSTOMERS, customer_updates)
        _update_by_id(self.session, _ACCOUNTS, account_updates)
        insert_dicts(self.session, _SECURITIES, securities)
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
            if account.account_no in self.accounts_seen:
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


def _securities_values(p: _Prepared, account_id: int) -> list[dict[str, Any]]:
    return [
        {
            "capital_account_id": account_id,
            "market": s.market.value,
            "account_no": s.account_no,
            "holder_name": s.holder_name,
            "holder_id_number": s.holder_id_number,
        }
        for s in p.row.securities
    ]


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


def _chunks(rows: Iterable[RawRow], size: int) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
