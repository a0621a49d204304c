"""The append-only, hash-chained audit log.

Every change goes through ``AuditLog.record`` inside the same transaction as the
change itself, so the log and the data never disagree. Entries form one chain:
each hash covers the previous hash and the entry's canonical content. Writers are
serialized (SQLite: the write lock of ``BEGIN IMMEDIATE``; PostgreSQL: a
transaction-scoped advisory lock), so the chain has one order.

The chain is the one thing every writer shares, so it is linked as late as possible:
``record`` only queues the entry on the session; the queued entries of a transaction
are hashed onto the chain and inserted just before it commits (or earlier, when a
bulk path has queued ``buffer_size`` of them). On PostgreSQL the advisory lock is
therefore held for that insert and the commit only, not for the whole step: with
many clerks, steps queue for milliseconds instead of for each other's entire
transactions (bench/bench_shared_db.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, event, select, text
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


_STATE_KEY = "counter_app.audit"


@dataclass
class _ChainState:
    """A transaction's queued entries, and the chain's tail once it holds the lock."""

    pending: list[dict[str, Any]]
    last_hash: str | None = None


def _state(session: Session) -> _ChainState:
    state = session.info.get(_STATE_KEY)
    if state is None:
        state = session.info[_STATE_KEY] = _ChainState([])
    return cast(_ChainState, state)


def _write_pending(session: Session) -> None:
    """Link the queued entries onto the chain and insert them (takes the chain lock)."""
    state = session.info.get(_STATE_KEY)
    if state is None or not state.pending:
        return
    if state.last_hash is None:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK_KEY})
        last = session.execute(
            select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
        ).scalar_one_or_none()
        state.last_hash = last or GENESIS_HASH
    prev = state.last_hash
    for entry in state.pending:
        entry["prev_hash"] = prev
        prev = entry["entry_hash"] = entry_hash(
            prev,
            entry["at"],
            entry["actor"],
            entry["action"],
            entry["entity"],
            entry["entity_key"],
            entry["before"],
            entry["after"],
        )
    insert_dicts(session, cast(Table, AuditEntry.__table__), state.pending)
    state.pending = []
    state.last_hash = prev


@event.listens_for(Session, "before_commit")
def _link_before_commit(session: Session) -> None:
    _write_pending(session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    # the lock ends with the transaction, and a rolled-back entry never happened
    session.info.pop(_STATE_KEY, None)


class AuditLog:
    """Appends entries to the chain within one session's transaction.

    ``record`` queues an entry on the session; the transaction's entries are linked
    and written when it commits (any number of ``AuditLog`` objects on one session
    share the queue, in order). ``flush()`` writes them at once; ``record`` does so
    itself every ``buffer_size`` entries, so a bulk path such as an import writes
    thousands of entries in a few statements with flat memory.
    """

    def __init__(self, session: Session, *, buffer_size: int = 2000) -> None:
        self._session = session
        self._buffer_size = buffer_size

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
        state = _state(self._session)
        state.pending.append(
            {
                "at": at or datetime.now(),
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_key": str(entity_key),
                "before": _canonical(before),
                "after": _canonical(after),
            }
        )
        if len(state.pending) >= self._buffer_size:
            self.flush()

    def flush(self) -> None:
        """Write the queued entries now (otherwise they are written at commit)."""
        _write_pending(self._session)

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        """Nothing to do: the entries are written when the transaction commits."""


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
