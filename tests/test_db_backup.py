"""`counter-app backup` and `restore` on both backends (counter_app/services/backup.py).

PostgreSQL tests use the machine's real pg_dump/pg_restore against the real server.
A newer and an older schema are made for real: the migrations folder is copied and
given one more revision, so restore's "refuse newer" and "upgrade older" paths run
through Alembic as they will when the next migration ships.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text, update
from sqlalchemy.engine import make_url

import counter_app.db.schema as schema
import counter_app.services.backup as backup_module
from counter_app.cli.main import main
from counter_app.db.engine import Database
from counter_app.db.models import CapitalAccount, Setting
from counter_app.db.schema import current_revision, head_revision
from counter_app.errors import Refused
from counter_app.services.audit import verify_chain
from counter_app.services.backup import (
    BackupError,
    backup_database,
    has_data,
    read_backup_info,
    restore_database,
    sidecar_path,
)
from counter_app.services.demo import load_demo
from tests.helpers_db import PG_ADMIN_URL

FUTURE_REVISION = "9001"


def _load(db: Database, accounts: int = 300) -> None:
    load_demo(db, accounts=accounts, seed=11)


def _balances(db: Database) -> dict[str, int]:
    with db.read() as session:
        return dict(
            session.execute(select(CapitalAccount.account_no, CapitalAccount.balance_cents)).all()
        )


def _first_account(db: Database) -> str:
    with db.read() as session:
        return session.execute(
            select(CapitalAccount.account_no).order_by(CapitalAccount.id).limit(1)
        ).scalar_one()


def _zero_balance(db: Database, account_no: str) -> None:
    with db.write() as session:
        session.execute(
            update(CapitalAccount)
            .where(CapitalAccount.account_no == account_no)
            .values(balance_cents=0)
        )


@pytest.fixture
def future_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A copy of the migrations with one more revision (a new table), made head."""
    down = head_revision()
    folder = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / f"{FUTURE_REVISION}_test_future.py").write_text(
        f'''"""a revision from the future (test only)"""
from alembic import op
import sqlalchemy as sa

revision = "{FUTURE_REVISION}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "zz_future",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("capital_accounts.id")),
    )


def downgrade():
    op.drop_table("zz_future")
''',
        encoding="utf-8",
    )
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", folder)
    return FUTURE_REVISION


# -- both backends ---------------------------------------------------------------------


def test_backup_and_restore_round_trip(db: Database, tmp_path: Path) -> None:
    _load(db)
    before = _balances(db)
    target = tmp_path / ("backup.sqlite3" if db.is_sqlite else "backup.dump")
    info = backup_database(db, target)
    assert target.is_file() and info.path == target
    assert not list(tmp_path.glob("*.partial"))
    assert info.schema_revision == head_revision()
    assert info.counts["capital_accounts"] == 300
    assert info.counts["audit_log"] >= 1
    side = json.loads(sidecar_path(target).read_text(encoding="utf-8"))
    assert side["sha256"] == info.sha256 and side["counts"] == info.counts
    assert read_backup_info(target) == info

    # a clerk's change after the backup, then the restore drill
    changed = _first_account(db)
    _zero_balance(db, changed)
    with pytest.raises(Refused):
        restore_database(db, target)
    assert _balances(db)[changed] == 0  # refused: nothing touched

    result = restore_database(db, target, force=True, operator="it_admin")
    assert _balances(db) == before
    assert result.safety_backup is not None and result.safety_backup.is_file()
    assert not result.upgraded and result.revision == head_revision()
    assert result.audit_break is None
    assert result.audit_checked == info.counts["audit_log"] + 1  # + the restore entry
    safety = read_backup_info(result.safety_backup)
    assert safety is not None and safety.counts["capital_accounts"] == 300
    with db.read() as session:
        checked, broken = verify_chain(session)
        last = session.execute(text("SELECT actor, action FROM audit_log ORDER BY id DESC")).first()
    assert broken is None and checked == result.audit_checked
    assert tuple(last) == ("it_admin", "db.restore")

    # the safety backup holds the state the restore replaced
    restore_database(db, result.safety_backup, force=True)
    assert _balances(db)[changed] == 0


def test_restore_refuses_a_newer_backup_and_upgrades_an_older_one(
    db: Database, tmp_path: Path, future_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    suffix = ".sqlite3" if db.is_sqlite else ".dump"
    _load(db, 50)
    old = backup_database(db, tmp_path / f"old{suffix}")
    assert old.schema_revision != future_schema

    # this program is "newer": the old backup comes back upgraded, data intact
    result = restore_database(db, old.path, force=True)
    assert result.upgraded and result.restored_revision == old.schema_revision
    assert current_revision(db) == future_schema
    with db.engine.connect() as conn:
        assert "zz_future" in inspect(conn).get_table_names()
    assert result.counts["capital_accounts"] == 50

    # the database is now at the newer schema (with its extra table): the old backup
    # still replaces it whole and comes back upgraded
    with db.write() as session:
        session.execute(text("INSERT INTO zz_future (id) VALUES (1)"))
    result = restore_database(db, old.path, force=True)
    assert result.upgraded and current_revision(db) == future_schema
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM zz_future")).scalar_one() == 0
        assert verify_chain(session)[1] is None

    new = backup_database(db, tmp_path / f"new{suffix}")
    assert new.schema_revision == future_schema
    # back to the real program, which does not know revision 9001
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", Path(schema.__file__).with_name("migrations"))
    db.engine.dispose()
    with pytest.raises(BackupError, match="newer counter_app"):
        restore_database(db, new.path, force=True)
    assert current_revision(db) == future_schema  # refused before touching anything


def test_restore_into_a_fresh_database_needs_no_force(db: Database, tmp_path: Path) -> None:
    _load(db, 40)
    info = backup_database(db, tmp_path / "b.bak")
    fresh_url, cleanup = _fresh_database(db, tmp_path)
    fresh = Database(fresh_url)
    try:
        result = restore_database(fresh, info.path)
        assert result.safety_backup is None
        assert _balances(fresh) == _balances(db)
        assert has_data(fresh)
    finally:
        fresh.dispose()
        cleanup()


def _fresh_database(db: Database, tmp_path: Path) -> tuple[str, object]:
    """An empty database of the same kind (no schema at all)."""
    if db.is_sqlite:
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}", lambda: None
    name = f"ca_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def cleanup() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False), cleanup


def test_a_damaged_backup_is_refused(db: Database, tmp_path: Path) -> None:
    _load(db, 20)
    info = backup_database(db, tmp_path / "b.bak")
    data = bytearray(info.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    info.path.write_bytes(bytes(data))
    before = _balances(db)
    with pytest.raises(BackupError, match="does not match the checksum"):
        restore_database(db, info.path, force=True)
    assert _balances(db) == before


def test_backup_refuses_to_overwrite_and_names_files_in_a_folder(
    db: Database, tmp_path: Path
) -> None:
    first = backup_database(db, tmp_path)  # a folder: a dated name inside it
    assert first.path.parent == tmp_path and first.path.name.startswith(
        "counter_app-" if db.is_sqlite else "ca_test_"
    )
    with pytest.raises(Refused, match="already exists"):
        backup_database(db, first.path)
    again = backup_database(db, first.path, overwrite=True)
    assert again.path == first.path


def test_cli_backup_and_restore(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(db_url)
    _load(db, 30)
    target = tmp_path / "cli.bak"
    assert main(["backup", str(target), "--db", db_url]) == 0
    out = capsys.readouterr()
    assert "backup written" in out.out and "30 accounts" not in out.err
    assert main(["restore", str(target), "--db", db_url]) == Refused.exit_code
    assert "--force" in capsys.readouterr().err
    assert main(["restore", str(target), "--db", db_url, "--force", "--operator", "it"]) == 0
    out = capsys.readouterr()
    assert "restored" in out.out and "30 accounts" in out.out
    assert "safety backup" in out.err
    db.dispose()


def test_cli_backup_prints_an_audit_anchor_the_restored_log_holds(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(db_url)
    _load(db, 10)
    with db.read() as session:
        last = session.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    target = tmp_path / "anchored.bak"
    assert main(["backup", str(target), "--db", db_url]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "audit anchor" in x)
    anchor = line.rsplit(" ", 1)[1]
    assert anchor.startswith(f"{last}:") and len(anchor.split(":")[1]) == 64
    assert main(["restore", str(target), "--db", db_url, "--force", "--operator", "it"]) == 0
    capsys.readouterr()
    assert main(["audit", "verify", "--anchor", anchor, "--db", db_url]) == 0
    db.dispose()


# -- SQLite ----------------------------------------------------------------------------


def _writer(url: str, stop: threading.Event, errors: list[BaseException], done: list[int]) -> None:
    db = Database(url)
    try:
        i = 0
        while not stop.is_set():
            with db.write() as session:
                session.add(Setting(key=f"w{i}", value="x" * 500))
            i += 1
        done.append(i)
    except BaseException as err:  # reported by the test
        errors.append(err)
    finally:
        db.dispose()


@pytest.fixture
def busy_writer(db_url: str) -> Iterator[tuple[list[BaseException], list[int]]]:
    stop = threading.Event()
    errors: list[BaseException] = []
    done: list[int] = []
    thread = threading.Thread(target=_writer, args=(db_url, stop, errors, done))
    thread.start()
    yield errors, done
    stop.set()
    thread.join(30)


def test_backup_while_a_clerk_writes(
    db: Database, tmp_path: Path, busy_writer: tuple[list[BaseException], list[int]]
) -> None:
    errors, _ = busy_writer
    _load(db, 300)  # writes alongside the busy writer
    info = backup_database(db, tmp_path / "live.bak")
    assert not errors
    # the counts recorded are those of the snapshot the backup holds, exactly
    fresh_url, cleanup = _fresh_database(db, tmp_path)
    fresh = Database(fresh_url)
    try:
        restore_database(fresh, info.path)
        with fresh.read() as session:
            settings = session.execute(text("SELECT count(*) FROM settings")).scalar_one()
            checked, broken = verify_chain(session)
        assert settings == info.counts["settings"]
        assert broken is None and checked == info.counts["audit_log"] + 1
    finally:
        fresh.dispose()
        cleanup()
    assert not errors


def test_sqlite_backup_is_one_checked_file(sqlite_url: str, tmp_path: Path) -> None:
    db = Database(sqlite_url)
    _load(db, 20)
    info = backup_database(db, tmp_path / "copy.sqlite3")
    db.dispose()
    conn = sqlite3.connect(info.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert not Path(str(info.path) + "-wal").exists()


def test_sqlite_restore_refuses_what_is_not_a_database(sqlite_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 500)
    db = Database(sqlite_url)
    with pytest.raises(BackupError, match="not a readable SQLite database"):
        restore_database(db, junk, force=True)
    db.dispose()


# -- PostgreSQL ------------------------------------------------------------------------


@pytest.mark.postgres
def test_missing_pg_dump_is_a_clear_message(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(backup_module.PG_BIN_ENV, raising=False)
    monkeypatch.setattr(backup_module.shutil, "which", lambda _name: None)
    monkeypatch.setattr(backup_module.glob, "glob", lambda _pattern: [])
    code = main(["backup", str(tmp_path / "x.dump"), "--db", pg_url])
    err = capsys.readouterr().err
    assert code == BackupError.exit_code
    assert "pg_dump was not found" in err and "PATH" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


@pytest.mark.postgres
def test_pg_tools_found_through_the_env_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = shutil.which("pg_dump")
    assert real is not None, "pg_dump must be installed for the PostgreSQL tests"
    monkeypatch.setenv(backup_module.PG_BIN_ENV, str(Path(real).parent))
    assert backup_module.find_pg_tool("pg_dump") == Path(real).parent / "pg_dump"


@pytest.mark.postgres
def test_pg_restore_failure_leaves_the_data(pg_url: str, tmp_path: Path) -> None:
    db = Database(pg_url)
    _load(db, 20)
    bogus = tmp_path / "bogus.dump"
    bogus.write_bytes(b"PGDMP" + b"\x00" * 100)
    before = _balances(db)
    with pytest.raises(BackupError):
        restore_database(db, bogus, force=True)
    assert _balances(db) == before
    db.dispose()
