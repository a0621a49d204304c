"""The append-only, hash-chained audit log.

Every change goes through ``AuditLog.record`` inside the same transaction as the
change itself, so the log and the data never disagree. Entries form one chain:
each hash covers the previous hash and the entry's canonical content. Writers are
serialized (SQLite: the write lock of ``BEGIN IMMEDIATE``; PostgreSQL: a
transaction-scoped advisory lock), so the chain has one order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from counter_app.db.bulk import insert_dicts
from counter_app.db.models import AuditEntry

GENESIS_HASH = "0" * 64
# any constant works; it only has to be the same for every counter_app writer
_PG_AUDIT_LOCK_KEY = 0x636F756E746572


def _canonical(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    before: str | None,
    after: str | None,
) -> str:
    content = json.dumps(
        [
            prev_hash,
            at.isoformat(timespec="microseconds"),
            actor,
            action,
            entity,
            entity_key,
            before,
            after,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


class AuditLog:
    """Appends entries to the chain within one session's transaction.

    Entries are buffered and written by ``flush()`` (called automatically by
    ``record`` when the buffer is large, and required before commit): bulk paths
    such as an import write thousands of entries in a few statements.
    """

    def __init__(self, session: Session, *, buffer_size: int = 2000) -> None:
        self._session = session
        self._buffer: list[dict[str, Any]] = []
        self._buffer_size = buffer_size
        self._last_hash: str | None = None

    def _lock_and_load_tail(self) -> str:
        if self._last_hash is None:
            bind = self._session.get_bind()
            if bind.dialect.name == "postgresql":
                self._session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK_KEY}
                )
            last = self._session.execute(
                select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
            ).scalar_one_or_none()
            self._last_hash = last or GENESIS_HASH
        return self._last_hash

    def record(
        self,
        *,
        actor: str,
        action: str,
        entity: str,
        entity_key: str | int,
        before: Any = None,
        after: Any = None,
        at: datetime | None = None,
    ) -> None:
        prev = self._lock_and_load_tail()
        when = at or datetime.now()
        before_text = _canonical(before)
        after_text = _canonical(after)
        key = str(entity_key)
        digest = entry_hash(prev, when, actor, action, entity, key, before_text, after_text)
        self._buffer.append(
            {
                "at": when,
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_key": key,
                "before": before_text,
                "after": after_text,
                "prev_hash": prev,
                "entry_hash": digest,
            }
        )
        self._last_hash = digest
        if len(self._buffer) >= self._buffer_size:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            insert_dicts(self._session, cast(Table, AuditEntry.__table__), self._buffer)
            self._buffer.clear()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.flush()


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    problem: str


def verify_chain(session: Session, *, batch: int = 5000) -> tuple[int, ChainBreak | None]:
    """Check the whole chain; return (entries checked, first break or None)."""
    prev = GENESIS_HASH
    checked = 0
    for row in _iter_entries(session, batch):
        if row.prev_hash != prev:
            return checked, ChainBreak(row.id, "its link to the previous entry does not match")
        expected = entry_hash(
            row.prev_hash,
            row.at,
            row.actor,
            row.action,
            row.entity,
            row.entity_key,
            row.before,
            row.after,
        )
        if expected != row.entry_hash:
            return checked, ChainBreak(row.id, "its content does not match its hash")
        prev = row.entry_hash
        checked += 1
    return checked, None


def _iter_entries(session: Session, batch: int) -> Iterator[Any]:
    last_id = 0
    while True:
        rows = session.execute(
            select(
                AuditEntry.id,
                AuditEntry.at,
                AuditEntry.actor,
                AuditEntry.action,
                AuditEntry.entity,
                AuditEntry.entity_key,
                AuditEntry.before,
                AuditEntry.after,
                AuditEntry.prev_hash,
                AuditEntry.entry_hash,
            )
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
