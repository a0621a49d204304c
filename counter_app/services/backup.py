"""Backing up and restoring the whole database (`counter-app backup` / `restore`).

SQLite: SQLite's online backup API copies a consistent snapshot while clerks keep
working (in WAL mode a reader never blocks the writers); the copy is written beside
the target under a temporary name, checked with ``PRAGMA integrity_check`` and only
then renamed, so a failed backup never leaves a half file under the real name.

PostgreSQL: the documented route, ``pg_dump --format=custom``, reading the snapshot
of one of our transactions (``pg_export_snapshot``) so the row counts recorded with
the dump are exactly the dump's; restore is ``pg_restore --clean --if-exists
--single-transaction --exit-on-error``, all or nothing.

Every backup gets a JSON sidecar ``FILE.json`` (schema revision, time, row counts,
SHA-256) for the IT person and for restore; restore also reads the revision from the
backup itself, so a backup without its sidecar can still be restored.

Restore refuses a backup made by a newer counter_app, refuses to overwrite a database
holding data unless forced, always takes a safety backup of what it replaces, and
upgrades an older backup to this program's schema afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection

from counter_app import __version__
from counter_app.db.engine import Database
from counter_app.db.models import Base
from counter_app.db.schema import SchemaState, current_revision, head_revision, init_db
from counter_app.errors import Refused, UserError
from counter_app.services.audit import AuditLog, ChainBreak, verify_chain

BACKUP_FORMAT = "counter_app-backup/1"
SIDECAR_SUFFIX = ".json"
PG_BIN_ENV = "COUNTER_APP_PG_BIN"
#: reference data the schema itself ships: its rows do not make a database "in use"
_REFERENCE_TABLES = frozenset({"banks", "alembic_version"})
_TABLES = tuple(sorted(Base.metadata.tables))


class BackupError(UserError):
    """A backup or restore could not be done; nothing was changed."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds: the sidecar's content."""

    path: Path
    backend: str  # "sqlite" or "postgresql"
    schema_revision: str | None
    created_at: datetime
    program_version: str
    source: str  # where it was taken from (no password)
    counts: dict[str, int]
    sha256: str
    size_bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": BACKUP_FORMAT,
            "file": self.path.name,
            "backend": self.backend,
            "schema_revision": self.schema_revision,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "program_version": self.program_version,
            "source": self.source,
            "counts": self.counts,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
        }

    @classmethod
    def from_dict(cls, path: Path, data: Mapping[str, Any]) -> BackupInfo:
        return cls(
            path=path,
            backend=str(data["backend"]),
            schema_revision=data.get("schema_revision"),
            created_at=datetime.fromisoformat(str(data["created_at"])),
            program_version=str(data.get("program_version", "")),
            source=str(data.get("source", "")),
            counts={str(k): int(v) for k, v in dict(data.get("counts", {})).items()},
            sha256=str(data.get("sha256", "")),
            size_bytes=int(data.get("size_bytes", 0)),
        )


@dataclass(frozen=True)
class RestoreResult:
    backup: Path
    target: str
    safety_backup: Path | None
    restored_revision: str | None
    revision: str | None  # after the upgrade, if one was needed
    upgraded: bool
    counts: dict[str, int] = field(default_factory=dict)
    audit_checked: int = 0
    audit_break: ChainBreak | None = None


# -- shared helpers ------------------------------------------------------------------


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_backup_info(path: Path) -> BackupInfo | None:
    """The sidecar of a backup, or None when there is none (or it is unreadable)."""
    side = sidecar_path(path)
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
        if data.get("format") != BACKUP_FORMAT:
            return None
        return BackupInfo.from_dict(path, data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_sidecar(info: BackupInfo) -> None:
    side = sidecar_path(info.path)
    partial = side.with_name(side.name + ".partial")
    partial.write_text(
        json.dumps(info.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    os.replace(partial, side)


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def _unused(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``... when it is taken."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _target_file(target: Path, db: Database, now: datetime, overwrite: bool) -> Path:
    """The backup's file name: ``target``, or a dated name inside it when it is a folder."""
    if target.is_dir():
        if db.is_sqlite:
            name = f"counter_app-{_stamp(now)}.sqlite3"
        else:
            name = f"{db.url.database or 'counter'}-{_stamp(now)}.dump"
        target = target / name
    if target.exists() and not overwrite:
        raise Refused(
            f"{target} already exists; choose another name or pass --overwrite",
            zh=f"{target} 已存在；请换一个名称，或加 --overwrite 覆盖",
        )
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    return target


def _count_rows(conn: Connection) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    return {
        name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
        for name in _TABLES
        if name in present
    }


def has_data(db: Database) -> bool:
    """True when the database holds anything beyond an empty schema."""
    with db.engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        for name in _TABLES:
            if name in present and name not in _REFERENCE_TABLES:
                row = conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first()
                if row is not None:
                    return True
    return False


def _check_revision(revision: str | None, what: str) -> None:
    state = SchemaState(current=revision, head=head_revision())
    if revision is None:
        raise BackupError(f"{what} holds no counter_app schema; it is not a counter_app backup")
    if not state.is_known:
        raise BackupError(
            f"{what} was made by a newer counter_app (schema {revision}; this program knows "
            f"up to {state.head}); install the newer counter_app to restore it"
        )


def _check_sidecar(path: Path, backend: str) -> BackupInfo | None:
    info = read_backup_info(path)
    if info is None:
        return None
    if info.backend != backend:
        raise BackupError(f"{path} is a {info.backend} backup; this database is {backend}")
    if info.sha256 and file_sha256(path) != info.sha256:
        raise BackupError(
            f"{path} does not match the checksum recorded when it was made "
            f"({sidecar_path(path).name}): the file is damaged or was changed"
        )
    return info


# -- public API ----------------------------------------------------------------------


def backup_database(
    db: Database, target: Path, *, overwrite: bool = False, now: datetime | None = None
) -> BackupInfo:
    """Back the database up to ``target`` (a file, or a folder for a dated name)."""
    now = (now or datetime.now()).replace(microsecond=0)
    path = _target_file(target.expanduser(), db, now, overwrite)
    partial = path.with_name(path.name + ".partial")
    try:
        if db.is_sqlite:
            revision, counts = _sqlite_backup(db, partial)
        elif db.is_postgres:
            revision, counts = _pg_backup(db, partial)
        else:
            raise BackupError(f"cannot back up a {db.url.get_backend_name()} database")
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    info = BackupInfo(
        path=path,
        backend="sqlite" if db.is_sqlite else "postgresql",
        schema_revision=revision,
        created_at=now,
        program_version=__version__,
        source=db.display_name,
        counts=counts,
        sha256=file_sha256(path),
        size_bytes=path.stat().st_size,
    )
    _write_sidecar(info)
    return info


def restore_database(
    db: Database,
    source: Path,
    *,
    force: bool = False,
    operator: str = "system",
    now: datetime | None = None,
) -> RestoreResult:
    """Replace the database's content with the backup ``source``."""
    now = now or datetime.now()
    source = source.expanduser()
    if not source.is_file():
        raise BackupError(f"no backup file {source}")
    if db.is_sqlite:
        restored_revision, safety = _sqlite_restore(db, source, force, now)
    elif db.is_postgres:
        restored_revision, safety = _pg_restore(db, source, force, now)
    else:
        raise BackupError(f"cannot restore into a {db.url.get_backend_name()} database")
    db.engine.dispose()  # connections opened before the restore saw the old file
    upgraded = current_revision(db) != head_revision()
    if upgraded:
        init_db(db)
    with db.write() as session, AuditLog(session) as audit:
        audit.record(
            actor=operator,
            action="db.restore",
            entity="database",
            entity_key=db.display_name[:64],
            after={
                "backup": source.name,
                "sha256": file_sha256(source),
                "restored_revision": restored_revision,
                "upgraded_to": head_revision() if upgraded else None,
                "safety_backup": str(safety) if safety else None,
            },
            at=now,
        )
    with db.read() as session:
        checked, broken = verify_chain(session)
    with db.engine.connect() as conn:
        counts = _count_rows(conn)
    return RestoreResult(
        backup=source,
        target=db.display_name,
        safety_backup=safety,
        restored_revision=restored_revision,
        revision=current_revision(db),
        upgraded=upgraded,
        counts=counts,
        audit_checked=checked,
        audit_break=broken,
    )


# -- SQLite --------------------------------------------------------------------------


def _sqlite_connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            # a WAL-mode copy cannot be opened read-only without its -shm file; we only
            # read it, so a normal connection changes nothing
            pass
        except sqlite3.DatabaseError as err:
            raise BackupError(f"{path} is not a readable SQLite database ({err})") from err
    return sqlite3.connect(path, timeout=30, isolation_level=None)


def _sqlite_facts(conn: sqlite3.Connection, what: str) -> tuple[str | None, dict[str, int]]:
    """Integrity check, schema revision and row counts of an open SQLite database."""
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as err:
        raise BackupError(f"{what} is not a readable SQLite database ({err})") from err
    if problems != ["ok"]:
        raise BackupError(f"{what} failed SQLite's integrity check: {'; '.join(problems[:5])}")
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revision = None
    if "alembic_version" in present:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    counts = {
        name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
        for name in _TABLES
        if name in present
    }
    return revision, counts


def _sqlite_backup(db: Database, partial: Path) -> tuple[str | None, dict[str, int]]:
    path = db.sqlite_path
    if path is None or not path.exists():
        raise BackupError(f"there is no database file to back up ({db.display_name})")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    source = _sqlite_connect(path)
    try:
        dest = sqlite3.connect(partial, isolation_level=None)
        try:
            # pages=-1: one step, one consistent snapshot; in WAL mode this read does
            # not hold up the clerks' writes, and a stepwise copy would restart on each
            source.backup(dest, pages=-1)
            dest.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
            return _sqlite_facts(dest, "the backup copy")
        finally:
            dest.close()
    finally:
        source.close()


def _sqlite_restore(
    db: Database, source: Path, force: bool, now: datetime
) -> tuple[str | None, Path | None]:
    _check_sidecar(source, "sqlite")
    backup = _sqlite_connect(source, read_only=True)
    try:
        revision, _ = _sqlite_facts(backup, f"the backup {source}")
        _check_revision(revision, f"the backup {source}")
        target = db.sqlite_path
        if target is None:
            raise BackupError("restore needs a database file, not an in-memory database")
        safety: Path | None = None
        if target.exists() and target.stat().st_size > 0:
            if has_data(db) and not force:
                raise Refused(
                    f"{db.display_name} already holds data; restoring would replace all of it. "
                    "Pass --force to restore anyway (a safety backup is taken first)",
                    zh=(
                        f"{db.display_name} 中已有数据；恢复将替换全部数据。如仍要恢复，请加 "
                        "--force（恢复前会先做一次安全备份）"
                    ),
                )
            safety = _unused(
                target.with_name(f"{target.stem}.before-restore-{_stamp(now)}{target.suffix}")
            )
            db.engine.dispose()
            backup_database(db, safety, now=now)
        db.engine.dispose()
        dest = _sqlite_connect(target)
        try:
            # the backup API writes into the live file under SQLite's own locks, so
            # other connections see the restored content, never a torn file
            backup.backup(dest, pages=-1)
            dest.execute("PRAGMA journal_mode=WAL")
            _sqlite_facts(dest, f"the restored database {target}")
        finally:
            dest.close()
        return revision, safety
    finally:
        backup.close()


# -- PostgreSQL ----------------------------------------------------------------------


def find_pg_tool(name: str) -> Path:
    """``pg_dump``/``pg_restore``: from $COUNTER_APP_PG_BIN, PATH, or the usual folders."""
    exe = name + (".exe" if os.name == "nt" else "")
    folder = os.environ.get(PG_BIN_ENV)
    if folder and (Path(folder) / exe).is_file():
        return Path(folder) / exe
    found = shutil.which(name)
    if found:
        return Path(found)
    patterns = [
        "/usr/lib/postgresql/*/bin",
        "/usr/pgsql-*/bin",
        "/opt/homebrew/opt/postgresql@*/bin",
        "C:/Program Files/PostgreSQL/*/bin",
    ]
    candidates = [
        Path(d) / exe for p in patterns for d in glob.glob(p) if (Path(d) / exe).is_file()
    ]
    if candidates:
        return max(candidates, key=lambda c: _version_key(str(c)))
    raise BackupError(
        f"{name} was not found: install the PostgreSQL client tools (the server's major "
        f"version or newer) and put their folder on PATH, or set {PG_BIN_ENV} to it"
    )


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)


_LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def _libpq_env(url: URL) -> dict[str, str]:
    """The connection as libpq environment variables (a password never goes on argv)."""
    env = dict(os.environ)
    pairs = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password if isinstance(url.password, str) else None,
        "PGDATABASE": url.database,
    }
    for key, value in pairs.items():
        if value:
            env[key] = value
    for key, option in url.query.items():  # e.g. ?sslmode=require
        if key in _LIBPQ_ENV and isinstance(option, str):
            env[_LIBPQ_ENV[key]] = option
    return env


def _run_tool(args: list[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except OSError as err:
        raise BackupError(f"{what}: could not start {args[0]} ({err})") from err
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        tail = "; ".join(lines[-5:]) or f"exit code {done.returncode}"
        raise BackupError(f"{what} failed: {tail}")
    return done.stdout


@contextlib.contextmanager
def _exported_snapshot(db: Database) -> Iterator[tuple[str, dict[str, int]]]:
    """A REPEATABLE READ transaction held open: its snapshot id and its row counts."""
    repeatable = db.engine.execution_options(isolation_level="REPEATABLE READ")
    with repeatable.connect() as conn, conn.begin():
        snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
        counts = _count_rows(conn)
        yield snapshot, counts


def _pg_backup(db: Database, partial: Path) -> tuple[str | None, dict[str, int]]:
    pg_dump = find_pg_tool("pg_dump")
    env = _libpq_env(db.url)
    with _exported_snapshot(db) as (snapshot, counts):
        _run_tool(
            [str(pg_dump), "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"],
            env,
            "pg_dump",
        )
    revision = _pg_dump_revision(partial, env)
    return revision, counts


def _pg_dump_revision(path: Path, env: dict[str, str]) -> str | None:
    """The alembic revision stored in a custom-format dump (read without restoring)."""
    pg_restore = find_pg_tool("pg_restore")
    script = _run_tool(
        [str(pg_restore), "--data-only", "--table=alembic_version", "--file=-", str(path)],
        env,
        f"reading {path}",
    )
    lines = script.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line:
            value = lines[i + 1].strip() if i + 1 < len(lines) else ""
            return None if value in ("", "\\.") else value
    return None


def _pg_dump_tables(path: Path, env: dict[str, str]) -> set[str]:
    pg_restore = find_pg_tool("pg_restore")
    listing = _run_tool([str(pg_restore), "--list", str(path)], env, f"reading {path}")
    tables = set()
    for line in listing.splitlines():
        parts = line.split()
        # "214; 1259 18993 TABLE public alembic_version owner"
        if len(parts) >= 6 and not line.startswith(";") and parts[3] == "TABLE":
            tables.add(parts[5])
    return tables


def _pg_restore(
    db: Database, source: Path, force: bool, now: datetime
) -> tuple[str | None, Path | None]:
    _check_sidecar(source, "postgresql")
    env = _libpq_env(db.url)
    pg_restore = find_pg_tool("pg_restore")
    if not db.url.database:
        raise BackupError("the database address names no database")
    revision = _pg_dump_revision(source, env)
    _check_revision(revision, f"the backup {source}")
    dumped = _pg_dump_tables(source, env)
    with db.engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
    safety: Path | None = None
    if present:
        if has_data(db) and not force:
            raise Refused(
                f"{db.display_name} already holds data; restoring would replace all of it. "
                "Pass --force to restore anyway (a safety backup is taken first)",
                zh=(
                    f"{db.display_name} 中已有数据；恢复将替换全部数据。如仍要恢复，请加 --force（"
                    "恢复前会先做一次安全备份）"
                ),
            )
        safety = _unused(
            source.resolve().with_name(
                f"{db.url.database or 'counter'}.before-restore-{_stamp(now)}.dump"
            )
        )
        backup_database(db, safety, now=now)
    # Tables the backup does not have (a newer schema's): --clean would leave them, and
    # their foreign keys would stop it dropping ours. The safety backup keeps them.
    extra = present - dumped
    if extra:
        _drop_tables(db, extra)
    try:
        _run_tool(
            [
                str(pg_restore),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",  # objects belong to whoever restores: the owner role
                f"--dbname={env.get('PGDATABASE', '')}",
                str(source),
            ],
            env,
            "pg_restore",
        )
    except BackupError:
        if extra and safety is not None:  # put back what was dropped
            _drop_tables(db, present | dumped)
            _run_tool(
                [
                    str(pg_restore),
                    "--single-transaction",
                    "--exit-on-error",
                    "--no-owner",
                    f"--dbname={env.get('PGDATABASE', '')}",
                    str(safety),
                ],
                env,
                "putting the database back from the safety backup",
            )
        raise
    return revision, safety


def _drop_tables(db: Database, names: set[str]) -> None:
    with db.engine.begin() as conn:
        present = set(inspect(conn).get_table_names())
        for name in sorted(names & present):
            conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
