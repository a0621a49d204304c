"""Faults in the middle of work leave nothing half-written (issue: shared database, 3).

- `counter-app import BIG.csv` killed with SIGKILL while its transaction is visibly
  writing (SQLite: it reports 10,000 rows written and holds the write lock;
  PostgreSQL: the tables grow on disk and the backend holds a transaction id);
- the server ending the import's connection (pg_terminate_backend) mid-import;
- the server ending a clerk's connection between two statements of one step
  (flag_account), through the CLI;

then the data is checked: no row of the failed step anywhere, the database opens,
the audit chain verifies, and doing the step again succeeds.
"""

from __future__ import annotations

import csv
import re
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, func, select, text

from counter_app.cli.main import main
from counter_app.db.engine import Database
from counter_app.db.errors import EXIT_TRY_AGAIN
from counter_app.db.models import Base, CapitalAccount, ManualFlag
from counter_app.services import demo_data
from counter_app.services.audit import verify_chain
from tests.helpers_db import PYTHON, cli_env, terminate_backend

BIG_ROWS = 200_000
LOST = "the connection to the database was lost"
LOST_THEN = "; nothing of this step was saved; try again"
LOST_ZH = "与数据库的连接已断开"

_HEADERS = [
    "capital_account", "name", "id_number", "phone", "address", "opened_on", "balance",
    "sh_account", "sh_name", "sh_id_number", "sz_account", "sz_name", "sz_id_number",
    "bank", "bank_account", "depository_status",
]  # fmt: skip


def _write_big_export(path: Path, rows: int, first_account: int = 50_000_000) -> Path:
    """Plain valid rows in the export format, fast (about a second per 100k rows)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_HEADERS)
        for i in range(rows):
            account = first_account + i
            name = f"客户{i:06d}"
            id_number = f"1101051980{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}X"
            writer.writerow(
                [
                    account, name, id_number, f"139{i % 100_000_000:08d}",
                    f"北京市朝阳区建国路{i % 999}号", "2010-01-01", f"{i % 100_000}.00",
                    f"A{account % 10**9:09d}", name, id_number,
                    f"0{account % 10**9:09d}", name, id_number,
                    "工商银行", f"62220{account:014d}", "已确认",
                ]
            )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_big_export(tmp_path_factory.mktemp("big") / "BIG.csv", BIG_ROWS)


@pytest.fixture(scope="module")
def small_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.csv"
    demo_data.write_export(path, demo_data.generate_rows(accounts=200, seed=21))
    return path


def _all_counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in sorted(Base.metadata.tables.items())
        }


def _chain(db: Database) -> tuple[int, Any]:
    with db.read() as session:
        return verify_chain(session)


def _start_import(url: str, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "-m", "counter_app.cli.main", "import", str(path), "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )


def _wait_for(
    what: str, condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"the import ended (rc={proc.returncode}) before {what}: {err[-2000:]}")
        if condition():
            return
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"timed out waiting for {what}")


def _prepare(db: Database, small_export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Some earlier work, so 'nothing changed' is checked against real data."""
    url = db.url.render_as_string(hide_password=False)
    assert main(["import", str(small_export), "--db", url, "--operator", "earlier"]) == 0
    capsys.readouterr()


def _second_import_succeeds(db: Database, path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = db.url.render_as_string(hide_password=False)
    before = _all_counts(db)
    assert main(["import", str(path), "--db", url, "--format", "json"]) == 0
    capsys.readouterr()
    after = _all_counts(db)
    assert after["import_batches"] == before["import_batches"] + 1
    assert after["capital_accounts"] >= before["capital_accounts"]
    assert _chain(db)[1] is None


# -- SIGKILL mid-import ----------------------------------------------------------------


@pytest.mark.slow
def test_sqlite_import_killed_mid_write_leaves_nothing(
    sqlite_url: str, big_export: Path, small_export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(sqlite_url)
    _prepare(db, small_export, capsys)
    before = _all_counts(db)
    entries, _ = _chain(db)
    db.dispose()
    assert db.sqlite_path is not None
    wal = db.sqlite_path.with_name(db.sqlite_path.name + "-wal")

    proc = _start_import(sqlite_url, big_export)
    progress = _ProgressWatcher(proc)
    _wait_for(
        "the import to report 10,000 rows written inside its write transaction",
        lambda: progress.rows >= 10_000 and _sqlite_write_locked(db.sqlite_path),
        proc,
    )
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    assert wal.exists()  # the killed transaction's journal is left behind, to be recovered

    db = Database(sqlite_url)  # opens, recovers, and shows nothing of the killed import
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert _all_counts(db) == before
        assert _chain(db) == (entries, None)
        with db.read() as session:
            killed = session.execute(
                select(func.count()).where(CapitalAccount.account_no.like("5000%"))
            ).scalar_one()
        assert killed == 0
        _second_import_succeeds(db, small_export.with_name("small.csv"), capsys)
    finally:
        db.dispose()


class _ProgressWatcher:
    """Follows an import's progress lines ("importing BIG.csv: 12,000 rows (6%)")."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.rows = 0
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            found = re.search(r": ([\d,]+) rows", line)
            if found:
                self.rows = int(found.group(1).replace(",", ""))


def _sqlite_write_locked(path: Path | None) -> bool:
    """True while another connection holds the file's write transaction."""
    assert path is not None
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _pg_monitor(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _pg_writer_pids(monitor: Engine) -> list[int]:
    """Backends of this database (not ours) inside a transaction that has written."""
    with monitor.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
                )
            ).scalars()
        )


def _pg_import_is_writing(monitor: Engine) -> bool:
    with monitor.connect() as conn:
        size = conn.execute(text("SELECT pg_relation_size('customers')")).scalar_one()
    return size > 4 << 20 and bool(_pg_writer_pids(monitor))


def _pg_wait_until_gone(monitor: Engine, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while _pg_writer_pids(monitor):
        assert time.monotonic() < deadline, "the killed client's transaction never ended"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_import_killed_mid_write_leaves_nothing(
    pg_url: str, big_export: Path, small_export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(pg_url)
    _prepare(db, small_export, capsys)
    before = _all_counts(db)
    entries, _ = _chain(db)
    monitor = _pg_monitor(pg_url)
    try:
        proc = _start_import(pg_url, big_export)
        _wait_for(
            "the import writes inside its transaction", lambda: _pg_import_is_writing(monitor), proc
        )
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        assert proc.returncode == -signal.SIGKILL
        _pg_wait_until_gone(monitor)  # the server notices and rolls back

        assert _all_counts(db) == before
        assert _chain(db) == (entries, None)
        _second_import_succeeds(db, small_export, capsys)
    finally:
        monitor.dispose()
        db.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_connection_ended_mid_import_is_explained(
    pg_url: str, big_export: Path, small_export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(pg_url)
    _prepare(db, small_export, capsys)
    before = _all_counts(db)
    monitor = _pg_monitor(pg_url)
    try:
        proc = _start_import(pg_url, big_export)
        _wait_for(
            "the import writes inside its transaction", lambda: _pg_import_is_writing(monitor), proc
        )
        (pid,) = _pg_writer_pids(monitor)
        terminate_backend(pid)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == EXIT_TRY_AGAIN, err[-2000:]
        assert LOST in err and LOST_THEN in err and LOST_ZH in err, err
        assert "Traceback" not in err
        assert _all_counts(db) == before
        assert _chain(db)[1] is None
        _second_import_succeeds(db, small_export, capsys)
    finally:
        monitor.dispose()
        db.dispose()


# -- the connection ended between two statements of one step --------------------------


@pytest.mark.postgres
def test_connection_ended_inside_a_step_rolls_it_back(
    pg_url: str, small_export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(pg_url)
    _prepare(db, small_export, capsys)
    with db.read() as session:
        account = session.execute(
            select(CapitalAccount.account_no).order_by(CapitalAccount.id).limit(1)
        ).scalar_one()
    before = _all_counts(db)
    entries, _ = _chain(db)
    flag = ["flag", account, "--reason", "OTHER", "--note", "not reached", "--db", pg_url]
    fired: list[str] = []

    def end_connection_after_flag_insert(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # the manual flag row is written; the reclassification and the audit entry
        # are still to come in the same transaction
        if statement.lstrip().upper().startswith("INSERT INTO MANUAL_FLAGS") and not fired:
            fired.append(statement)
            terminate_backend(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())

    event.listen(Engine, "after_cursor_execute", end_connection_after_flag_insert)
    try:
        code = main(flag)
    finally:
        event.remove(Engine, "after_cursor_execute", end_connection_after_flag_insert)
    err = capsys.readouterr().err
    assert fired, "the step never reached its flag insert"
    assert code == EXIT_TRY_AGAIN
    assert LOST in err and LOST_THEN in err and LOST_ZH in err and "Traceback" not in err
    assert _all_counts(db) == before  # no flag row, no history period, no audit entry
    assert _chain(db) == (entries, None)
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(ManualFlag)).scalar_one() == 0

    assert main(flag) == 0  # the clerk tries again
    capsys.readouterr()
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(ManualFlag)).scalar_one() == 1
        reasons = session.execute(
            select(CapitalAccount.reasons).where(CapitalAccount.account_no == account)
        ).scalar_one()
    assert "MANUAL_OTHER" in reasons
    assert _chain(db) == (entries + 1, None)
    db.dispose()
