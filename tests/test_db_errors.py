"""Database failures become messages a clerk understands (counter_app/db/errors.py).

Each condition is produced for real where this machine allows it: a SQLite write lock
held by another connection, a read-only connection and a read-only mounted folder, a
database filled to its limit and a tiny full filesystem, a file that is no database,
a closed port, a silent server, a missing database or role, pg_terminate_backend in
the middle of a transaction, a real deadlock and a real serialization failure. Only a
wrong password cannot be produced (the test server trusts every local login), so that
one is checked with psycopg's own exception classes and libpq's text.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

import counter_app.db.engine as engine_module
from counter_app.cli.main import main
from counter_app.db.engine import Database
from counter_app.db.errors import (
    EXIT_DATABASE,
    EXIT_TRY_AGAIN,
    DatabaseProblem,
    ProblemKind,
    StaleRecord,
    explain,
    explained,
    is_retryable,
)
from counter_app.db.models import Setting, User
from counter_app.errors import StaleEdit, UserError
from tests.helpers_db import PYTHON, cli_env, free_port, terminate_backend


def _problem(exc: BaseException, where: str = "") -> DatabaseProblem:
    problem = explain(exc, where)
    assert problem is not None, f"not explained: {exc!r}"
    return problem


def _run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err


# -- SQLite ----------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    assert database
    return Path(database)


def test_sqlite_locked_beyond_busy_timeout(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(_sqlite_path(sqlite_url), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another workstation's write transaction
    try:
        db = Database(sqlite_url)
        started = time.monotonic()
        with pytest.raises(OperationalError) as caught, db.write() as session:
            session.add(Setting(key="k", value="v"))
            session.flush()
        assert time.monotonic() - started < 5
        db.dispose()
        problem = _problem(caught.value, db.display_name)
        assert problem.kind is ProblemKind.BUSY
        assert problem.retryable and problem.exit_code == EXIT_TRY_AGAIN
        assert "busy" in problem.message and "nothing of this step was saved" in problem.message
        assert "正忙" in problem.message_zh
        assert str(problem) == f"{problem.message}\n{problem.message_zh}"

        code, err = _run_cli(
            capsys, "flag", "100001", "--reason", "OTHER", "--note", "n", "--db", sqlite_url
        )
        assert code == EXIT_TRY_AGAIN
        assert "database is busy" in err and "Traceback" not in err
    finally:
        holder.rollback()
        holder.close()


def _readonly_engine(path: Path) -> Any:
    engine = create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    )
    return engine


def test_sqlite_read_only_connection(sqlite_url: str) -> None:
    engine = _readonly_engine(_sqlite_path(sqlite_url))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM banks")).scalar_one() > 0  # reading works
        with pytest.raises(OperationalError) as caught:
            conn.execute(text("INSERT INTO settings (key, value) VALUES ('k', 'v')"))
    engine.dispose()
    problem = _problem(caught.value)
    assert problem.kind is ProblemKind.READ_ONLY
    assert not problem.retryable and problem.exit_code == EXIT_DATABASE
    assert "read-only" in problem.message and "只读" in problem.message_zh


def test_sqlite_disk_full_at_page_limit(sqlite_url: str) -> None:
    # max_page_count makes SQLite itself answer SQLITE_FULL, as a full disk does
    db = Database(sqlite_url)

    @event.listens_for(db.engine, "connect")
    def _cap(dbapi_conn: Any, _record: Any) -> None:
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    with pytest.raises(OperationalError) as caught, db.write() as session:
        for i in range(5000):
            session.add(Setting(key=f"k{i}", value="x" * 2000))
        session.flush()
    db.dispose()
    problem = _problem(caught.value)
    assert problem.kind is ProblemKind.DISK_FULL
    assert "full" in problem.message and "磁盘已满" in problem.message_zh
    check = Database(sqlite_url)
    with check.read() as session:  # nothing of the failed step is there
        assert session.execute(select(Setting).where(Setting.key == "k0")).first() is None
    check.dispose()


def test_not_a_database_and_cannot_open(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is a spreadsheet, not a database " * 200)
    code, err = _run_cli(capsys, "find", "100001", "--db", str(junk))
    assert code == EXIT_DATABASE
    assert "not a counter_app database, or it is damaged" in err
    assert "已损坏" in err and "Traceback" not in err

    folder = tmp_path / "a_folder.sqlite3"
    folder.mkdir()
    code, err = _run_cli(capsys, "find", "100001", "--db", str(folder))
    assert code == EXIT_DATABASE
    assert "cannot be opened" in err and "无法打开" in err


def _can_mount() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(
    not _can_mount(), reason="needs root and mount namespaces (unshare -m) for a real filesystem"
)


def _in_private_mounts(script: str) -> subprocess.CompletedProcess[str]:
    """Run a shell script in its own mount namespace: its mounts vanish with it."""
    return subprocess.run(
        ["unshare", "-m", "bash", "-euc", script],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=120,
        check=False,
    )


def _cli(*args: str) -> str:
    return " ".join([PYTHON, "-m", "counter_app.cli.main", *args])


@needs_mount
def test_sqlite_on_a_full_filesystem_cli(sqlite_url: str, tmp_path: Path) -> None:
    from counter_app.services import demo_data

    source = _sqlite_path(sqlite_url)
    export = tmp_path / "export.csv"
    demo_data.write_export(export, demo_data.generate_rows(accounts=3000, seed=3))
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    size_kb = source.stat().st_size // 1024 + 160  # room to open, not to import
    result = _in_private_mounts(
        f"""
        mount -t tmpfs -o size={size_kb}k tmpfs {mnt}
        cp {source} {mnt}/db.sqlite3
        set +e
        {_cli("import", str(export), "--db", f"{mnt}/db.sqlite3")}
        echo "rc=$?"
        {_cli("find", "x", "--db", f"{mnt}/db.sqlite3")} >/dev/null
        {PYTHON} -c "import sqlite3; c = sqlite3.connect('{mnt}/db.sqlite3'); \
print('batches', c.execute('select count(*) from import_batches').fetchone()[0]); \
print('accounts', c.execute('select count(*) from capital_accounts').fetchone()[0])"
        """
    )
    assert f"rc={EXIT_DATABASE}" in result.stdout, result.stdout + result.stderr
    assert "the disk holding the database is full" in result.stderr
    assert "磁盘已满" in result.stderr
    assert "Traceback" not in result.stderr
    assert "batches 0" in result.stdout and "accounts 0" in result.stdout


@needs_mount
def test_sqlite_in_a_read_only_folder_cli(sqlite_url: str, tmp_path: Path) -> None:
    source = _sqlite_path(sqlite_url)
    share = tmp_path / "share"
    share.mkdir()
    shutil.copyfile(source, share / "db.sqlite3")
    view = tmp_path / "ro"
    view.mkdir()
    result = _in_private_mounts(
        f"""
        mount --bind {share} {view}
        mount -o remount,bind,ro {view}
        set +e
        {_cli("flag", "100001", "--reason", "OTHER", "--note", "n", "--db", f"{view}/db.sqlite3")}
        echo "rc=$?"
        """
    )
    assert f"rc={EXIT_DATABASE}" in result.stdout, result.stdout + result.stderr
    # a WAL database in a read-only folder cannot even be opened (no -shm file there)
    assert "cannot be opened" in result.stderr and "read-only" in result.stderr
    assert "Traceback" not in result.stderr


# -- PostgreSQL ------------------------------------------------------------------------


@pytest.mark.postgres
def test_server_unreachable_refused_unresolved_timeout(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    code, err = _run_cli(capsys, "find", "x", "--db", f"postgresql://postgres@127.0.0.1:{port}/x")
    assert code == EXIT_TRY_AGAIN
    assert "cannot reach the database server" in err and "Connection refused" in err
    assert "无法连接数据库服务器" in err and "Traceback" not in err

    code, err = _run_cli(
        capsys, "find", "x", "--db", "postgresql://postgres@no-such-host.invalid/x"
    )
    assert code == EXIT_TRY_AGAIN and "cannot reach the database server" in err

    # a server that accepts TCP but never answers: libpq's connect timeout
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        with pytest.raises(psycopg.OperationalError) as caught:
            psycopg.connect(
                host="127.0.0.1", port=silent.getsockname()[1], user="x", connect_timeout=1
            )
    assert _problem(caught.value).kind is ProblemKind.UNREACHABLE


@pytest.mark.postgres
def test_missing_database_and_unknown_role(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = make_url(pg_url)
    missing = url.set(database="no_such_counter_db").render_as_string(hide_password=False)
    code, err = _run_cli(capsys, "find", "x", "--db", missing)
    assert code == EXIT_DATABASE
    assert "does not exist on the server" in err and "no_such_counter_db" in err

    stranger = url.set(username="no_such_clerk_role").render_as_string(hide_password=False)
    code, err = _run_cli(capsys, "find", "x", "--db", stranger)
    assert code == EXIT_DATABASE
    assert "refused the login" in err and "拒绝登录" in err


def test_wrong_password_messages() -> None:
    # psycopg's class for SQLSTATE 28P01, and libpq's text for a failed connect
    assert _problem(psycopg.errors.InvalidPassword("bad")).kind is ProblemKind.AUTH_FAILED
    libpq = psycopg.OperationalError(
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  '
        'password authentication failed for user "counter_app_user"'
    )
    problem = _problem(libpq, "postgresql://counter_app_user@hall/counter")
    assert problem.kind is ProblemKind.AUTH_FAILED
    assert 'password authentication failed for user "counter_app_user"' in problem.detail
    assert "PGPASSWORD" in problem.message


@pytest.fixture
def pg_table(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    with db.write() as session:
        session.execute(text("CREATE TABLE probe (id int PRIMARY KEY, v int NOT NULL)"))
        session.execute(text("INSERT INTO probe VALUES (1, 0), (2, 0)"))
    yield db
    db.dispose()


@pytest.mark.postgres
def test_connection_lost_mid_transaction(pg_table: Database) -> None:
    db = pg_table
    with pytest.raises(OperationalError) as caught, db.write() as session:
        session.execute(text("UPDATE probe SET v = 1 WHERE id = 1"))
        terminate_backend(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
        session.execute(text("UPDATE probe SET v = 1 WHERE id = 2"))
    problem = _problem(caught.value, db.display_name)
    assert problem.kind is ProblemKind.CONNECTION_LOST and problem.retryable
    assert problem.message.startswith("the connection to the database was lost")
    assert "nothing of this step was saved; try again" in problem.message
    assert "连接已断开" in problem.message_zh
    with db.read() as session:  # the first update was rolled back with the connection
        assert session.execute(text("SELECT v FROM probe ORDER BY id")).scalars().all() == [0, 0]
    with db.write() as session:  # and the step can simply be done again
        session.execute(text("UPDATE probe SET v = 1"))
    with db.read() as session:
        assert session.execute(text("SELECT v FROM probe ORDER BY id")).scalars().all() == [1, 1]


@pytest.mark.postgres
def test_connection_lost_during_commit_is_not_called_unsaved(pg_table: Database) -> None:
    db = pg_table

    def kill_on_commit(conn: Any) -> None:
        terminate_backend(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())

    event.listen(db.engine, "commit", kill_on_commit)
    try:
        with pytest.raises(OperationalError) as caught, db.write() as session:
            session.execute(text("UPDATE probe SET v = 5 WHERE id = 1"))
    finally:
        event.remove(db.engine, "commit", kill_on_commit)
    problem = _problem(caught.value)
    assert problem.kind is ProblemKind.COMMIT_UNKNOWN and not problem.retryable
    assert "may or may not have been saved" in problem.message


@pytest.mark.postgres
def test_real_deadlock_is_a_conflict_to_retry(pg_table: Database) -> None:
    db = pg_table
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def worker(first: int, second: int) -> None:
        try:
            with db.write() as session:
                session.execute(text("UPDATE probe SET v = v + 1 WHERE id = :i"), {"i": first})
                barrier.wait()
                session.execute(text("UPDATE probe SET v = v + 1 WHERE id = :i"), {"i": second})
        except BaseException as err:  # collected for the assertion below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(errors) == 1
    problem = _problem(errors[0])
    assert problem.kind is ProblemKind.CONFLICT and is_retryable(errors[0])
    assert "try again" in problem.message and "请重试" in problem.message_zh


@pytest.mark.postgres
def test_real_serialization_failure_is_a_conflict(pg_table: Database) -> None:
    db = pg_table
    rr = db.engine.execution_options(isolation_level="REPEATABLE READ")
    with rr.connect() as first, pytest.raises(OperationalError) as caught, first.begin():
        first.execute(text("SELECT v FROM probe WHERE id = 1")).scalar_one()
        with db.write() as other:  # another clerk commits in between
            other.execute(text("UPDATE probe SET v = 9 WHERE id = 1"))
        first.execute(text("UPDATE probe SET v = v + 1 WHERE id = 1"))
    assert _problem(caught.value).kind is ProblemKind.CONFLICT


# -- both backends ---------------------------------------------------------------------


def _user(name: str) -> User:
    from datetime import datetime

    return User(
        username=name, display_name=name, password_hash="x", roles="", created_at=datetime.now()
    )


def test_stale_write_is_a_stale_edit(db: Database) -> None:
    with db.write() as session:
        session.add(_user("clerk_a"))
    with db.read() as session:
        mine = session.execute(select(User).where(User.username == "clerk_a")).scalar_one()
    with db.write() as session:  # another clerk saves first
        theirs = session.get(User, mine.id)
        assert theirs is not None
        theirs.display_name = "theirs"
    with pytest.raises(StaleDataError) as caught, db.write() as session:
        stale = session.merge(mine, load=False)
        stale.display_name = "mine"
    problem = _problem(caught.value)
    assert isinstance(problem, StaleRecord) and isinstance(problem, StaleEdit)
    assert problem.exit_code == StaleEdit.exit_code
    assert "someone else changed this record" in problem.message
    with db.read() as session:
        assert session.get(User, mine.id).display_name == "theirs"  # type: ignore[union-attr]


def test_bugs_are_not_explained(db: Database) -> None:
    with db.write() as session:
        session.add(_user("twin"))
    with pytest.raises(IntegrityError) as caught, db.write() as session:
        session.add(_user("twin"))
    assert explain(caught.value) is None
    with pytest.raises(Exception) as caught_sql, db.read() as session:
        session.execute(text("SELEC nonsense"))
    assert explain(caught_sql.value) is None
    assert explain(ValueError("x")) is None
    with pytest.raises(IntegrityError), explained(), db.write() as session:
        session.add(_user("twin"))


def test_explained_context_manager_raises_the_problem(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"\x00garbage" * 1000)
    db = Database(str(junk))
    with pytest.raises(DatabaseProblem) as caught, explained(db.display_name), db.read() as s:
        s.execute(text("SELECT 1"))
    db.dispose()
    assert caught.value.kind is ProblemKind.CORRUPT
    assert str(junk) in caught.value.message
    assert isinstance(caught.value.__cause__, Exception)


def test_a_database_folder_that_cannot_be_made_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("x")
    url = f"sqlite:///{blocker / 'branch' / 'counter.db'}"
    with pytest.raises(UserError) as raised:
        Database(url)
    assert "cannot create the folder" in str(raised.value)
    assert raised.value.message_zh is not None and "无法创建" in raised.value.message_zh
    assert main(["report", "stats", "--db", url]) == 2
    err = capsys.readouterr().err
    assert "cannot create the folder" in err and "Traceback" not in err


@pytest.mark.parametrize("url", ["mysql://clerk@server/branch", "postgresql+psycopg://[::1"])
def test_an_address_counter_app_cannot_use_is_a_message(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "stats", "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("counter-app: ") and "Traceback" not in err
