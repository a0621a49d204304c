"""The append-only, hash-chained audit log.

Every change goes through ``AuditLog.record`` inside the same transaction as the
change itself, so the log and the data never disagree. Entries form one chain:
each hash covers the previous hash and the entry's canonical content. Writers are
serialized (SQLite: the write lock of ``BEGIN IMMEDIATE``; PostgreSQL: a
transaction-scoped advisory lock), so the chain has one order.

The chain is the one thing every writer shares, so it is linked as late and as
briefly as possible: ``record`` only queues the entry on the session; just before the
transaction commits (or earlier, when a bulk path has queued ``buffer_size`` of them)
the application hashes each queued entry's content, and the link itself,
SHA-256(previous hash + content digest), is made under the lock. On PostgreSQL a server
function (db/sql/audit_append_postgresql.sql) takes the lock, reads the tail, links and
inserts in one round trip, so the lock is held for that call and the commit, never
while a workstation's program runs (bench/bench_shared_db.py: with twenty clerks, a
lock held across client round trips made most of them queue for it).
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, event, select, text
from sqlalchemy.orm import Session

from counter_app.db.bulk import insert_dicts
from counter_app.db.models import AuditEntry
from counter_app.errors import UserError

GENESIS_HASH = "0" * 64
# the chain's advisory lock; the same constant is in db/sql/audit_append_postgresql.sql
_PG_LOCK_KEY = 0x636F756E746572


def _canonical(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def content_digest(
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    before: str | None,
    after: str | None,
) -> str:
    """The hex SHA-256 of an entry's canonical content (computed outside the chain lock)."""
    content = json.dumps(
        [at.isoformat(timespec="microseconds"), actor, action, entity, entity_key, before, after],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, digest: str) -> str:
    """The chain link: SHA-256 over the previous hash and the content digest (the
    PostgreSQL function counter_app_audit_append computes the very same)."""
    return hashlib.sha256((prev_hash + digest).encode("ascii")).hexdigest()


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
    return link_hash(
        prev_hash, content_digest(at, actor, action, entity, entity_key, before, after)
    )


def legacy_entry_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    before: str | None,
    after: str | None,
) -> str:
    """The first releases' link (one SHA-256 over the previous hash and the content):
    entries written by them still verify."""
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
    for entry in state.pending:
        entry["digest"] = content_digest(
            entry["at"],
            entry["actor"],
            entry["action"],
            entry["entity"],
            entry["entity_key"],
            entry["before"],
            entry["after"],
        )
    if _server_appends(session):
        _append_on_server(session, state.pending)
    else:
        _append_here(session, state)
    state.pending = []


_SERVER_APPEND: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _server_appends(session: Session) -> bool:
    """Whether this database links entries itself: PostgreSQL from schema 0004 on (an
    older shared schema is refused at start; the migration tests still write to one)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    engine = bind if isinstance(bind, Engine) else bind.engine
    known = _SERVER_APPEND.get(engine)
    if known is None:
        known = _SERVER_APPEND[engine] = bool(
            session.execute(
                text("SELECT to_regproc('counter_app_audit_append') IS NOT NULL")
            ).scalar_one()
        )
    return known


def _append_on_server(session: Session, entries: list[dict[str, Any]]) -> None:
    """PostgreSQL: lock, read the tail, link and insert in one call (db/sql/
    audit_append_postgresql.sql), so the lock is held for that call and the commit."""
    session.execute(
        _APPEND_CALL,
        {column: [entry[column] for entry in entries] for column in _APPEND_COLUMNS},
    )


def _append_here(session: Session, state: _ChainState) -> None:
    """SQLite: the transaction already holds the database's write lock (BEGIN
    IMMEDIATE), so the tail read here stays the tail until commit. (A PostgreSQL schema
    older than 0004 takes the chain's advisory lock first.)"""
    if state.last_hash is None:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        last = session.execute(
            select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
        ).scalar_one_or_none()
        state.last_hash = last or GENESIS_HASH
    prev = state.last_hash
    rows = []
    for entry in state.pending:
        linked = link_hash(prev, entry["digest"])
        rows.append(
            {column: entry[column] for column in _APPEND_COLUMNS if column != "digest"}
            | {"prev_hash": prev, "entry_hash": linked}
        )
        prev = linked
    insert_dicts(session, cast(Table, AuditEntry.__table__), rows)
    state.last_hash = prev


_APPEND_COLUMNS = ("at", "actor", "action", "entity", "entity_key", "before", "after", "digest")
_APPEND_CALL = text(
    "SELECT counter_app_audit_append(CAST(:at AS timestamp without time zone[]), "
    "CAST(:actor AS text[]), CAST(:action AS text[]), CAST(:entity AS text[]), "
    "CAST(:entity_key AS text[]), CAST(:before AS text[]), CAST(:after AS text[]), "
    "CAST(:digest AS text[]))"
)


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
        if expected != row.entry_hash and row.entry_hash != legacy_entry_hash(
            row.prev_hash,
            row.at,
            row.actor,
            row.action,
            row.entity,
            row.entity_key,
            row.before,
            row.after,
        ):
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


@dataclass(frozen=True)
class ChainAnchor:
    """An entry's id and hash, written down outside the database (printed by `audit
    verify` and `backup`): the chain alone cannot show that its newest entries were
    rewritten and re-hashed, or removed, but a recorded anchor can."""

    entry_id: int
    entry_hash: str

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.entry_hash}"

    @classmethod
    def parse(cls, text_value: str) -> ChainAnchor:
        entry_id, _, digest = text_value.strip().partition(":")
        digest = digest.strip().lower()
        if not entry_id.strip().isdigit() or len(digest) != 64 or set(digest) - set(_HEX):
            raise UserError(
                f"{text_value!r} is not an audit anchor: write ENTRY_ID:HASH as "
                "`audit verify` printed it",
                zh=f"“{text_value}”不是审计锚点：请按 `audit verify` 输出的 条目号:哈希 格式填写",
            )
        return cls(int(entry_id), digest)


_HEX = "0123456789abcdef"


def chain_head(session: Session) -> ChainAnchor | None:
    """The newest entry, as an anchor to write down (None for an empty log)."""
    row = session.execute(
        select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).one_or_none()
    return None if row is None else ChainAnchor(row.id, row.entry_hash)


def check_anchor(session: Session, anchor: ChainAnchor) -> ChainBreak | None:
    """Whether the log still holds the anchored entry with the anchored hash."""
    stored = session.execute(
        select(AuditEntry.entry_hash).where(AuditEntry.id == anchor.entry_id)
    ).scalar_one_or_none()
    if stored is None:
        return ChainBreak(anchor.entry_id, "the anchored entry is gone (entries were removed)")
    if stored != anchor.entry_hash:
        return ChainBreak(
            anchor.entry_id, "its hash differs from the anchor recorded earlier (rewritten)"
        )
    return None
