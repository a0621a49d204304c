"""The workstations' PostgreSQL role: append-only audit log (counter_app/db/grants.py).

Real login roles are created on the test server (unique names, dropped afterwards)
and the setup of docs/shared-database.md is followed step by step: an owner role
owns the database and runs `init-db` and `db grant`; the application role does the
clerks' work, may append to the audit log, and may not change or delete it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from counter_app.cli.main import main
from counter_app.db.engine import Database
from counter_app.db.errors import EXIT_DATABASE, ProblemKind, explain
from counter_app.db.grants import GrantError, apply_grants, grant_statements, role_privileges
from counter_app.services.audit import AuditLog, verify_chain
from tests.helpers_db import PG_ADMIN_URL

pytestmark = pytest.mark.postgres


@dataclass
class Hall:
    """A hall's server set up as the IT document says."""

    database: str
    owner: str
    app: str

    def url(self, role: str) -> str:
        return (
            make_url(PG_ADMIN_URL)
            .set(username=role, database=self.database, password=None)
            .render_as_string(hide_password=False)
        )


@pytest.fixture
def hall(pg_template: str) -> Iterator[Hall]:
    tag = uuid.uuid4().hex[:8]
    h = Hall(database=f"ca_hall_{tag}", owner=f"ca_owner_{tag}", app=f"ca_app_{tag}")
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{h.owner}" LOGIN'))
        conn.execute(text(f'CREATE ROLE "{h.app}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{h.database}" OWNER "{h.owner}"'))
        conn.execute(text(f'REVOKE CONNECT ON DATABASE "{h.database}" FROM PUBLIC'))
    yield h
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{h.database}" WITH (FORCE)'))
        for role in (h.app, h.owner):
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_documented_setup_end_to_end(
    hall: Hall, tmp_path: Path, capsys: pytest.CaptureFixture[str], sample_utf8: Path
) -> None:
    owner_url, app_url = hall.url(hall.owner), hall.url(hall.app)

    # before init-db, a workstation gets a clear message, not a traceback
    code, _, err = _cli(capsys, "find", "x", "--db", app_url)
    assert code != 0 and "Traceback" not in err

    code, out, _ = _cli(capsys, "init-db", "--db", owner_url)
    assert code == 0 and "current" in out
    code, out, err = _cli(capsys, "db", "grant", hall.app, "--db", owner_url, "--operator", "it")
    assert code == 0, err
    assert "audit_log              SELECT INSERT\n" in out
    assert "alembic_version        SELECT\n" in out
    assert "capital_accounts       SELECT INSERT UPDATE DELETE\n" in out

    # a workstation does the clerks' work as the application role
    code, _, err = _cli(capsys, "import", str(sample_utf8), "--db", app_url, "--operator", "w1")
    assert code == 0, err
    code, out, _ = _cli(capsys, "audit", "verify", "--db", app_url)
    assert code == 0 and "intact" in out
    code, _, err = _cli(capsys, "init-db", "--db", app_url)  # current: nothing to do
    assert code == 0, err

    app = Database(app_url)
    try:
        with app.write() as session, AuditLog(session) as audit:  # appending works
            audit.record(actor="w1", action="test.append", entity="test", entity_key="1")
        with app.read() as session:
            last_id = session.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
        for statement in (
            f"UPDATE audit_log SET actor = 'someone else' WHERE id = {last_id}",
            f"DELETE FROM audit_log WHERE id = {last_id}",
            "TRUNCATE audit_log",
            "UPDATE alembic_version SET version_num = 'x'",
            "CREATE TABLE sneaky (id int)",
        ):
            with pytest.raises(ProgrammingError) as caught, app.write() as session:
                session.execute(text(statement))
            problem = explain(caught.value, app.display_name)
            assert problem is not None and problem.kind is ProblemKind.PERMISSION, statement
            assert "permission denied" in problem.detail
        with app.read() as session:
            _, broken = verify_chain(session)
            actor = session.execute(
                text("SELECT actor FROM audit_log WHERE id = :i"), {"i": last_id}
            ).scalar_one()
        assert broken is None and actor == "w1"
    finally:
        app.dispose()

    # the IT person's backup and restore drill keeps the application role's grants
    dump = tmp_path / "hall.dump"
    code, _, err = _cli(capsys, "backup", str(dump), "--db", app_url)  # any role can back up
    assert code == 0, err
    code, _, err = _cli(capsys, "restore", str(dump), "--db", owner_url, "--force")
    assert code == 0, err
    app = Database(app_url)
    try:
        with app.write() as session, AuditLog(session) as audit:
            audit.record(actor="w1", action="test.after_restore", entity="test", entity_key="2")
        with pytest.raises(ProgrammingError), app.write() as session:
            session.execute(text("DELETE FROM audit_log"))
    finally:
        app.dispose()


def test_a_refused_change_is_a_message_in_the_cli(
    hall: Hall, capsys: pytest.CaptureFixture[str], sample_utf8: Path
) -> None:
    owner_url = hall.url(hall.owner)
    assert main(["init-db", "--db", owner_url]) == 0
    assert main(["import", str(sample_utf8), "--db", owner_url]) == 0
    assert main(["db", "grant", hall.app, "--db", owner_url]) == 0
    owner = Database(owner_url)
    with owner.engine.begin() as conn:  # as if a new table had not been granted yet
        conn.execute(text(f'REVOKE INSERT ON manual_flags FROM "{hall.app}"'))
        account = conn.execute(
            text("SELECT account_no FROM capital_accounts ORDER BY id LIMIT 1")
        ).scalar_one()
    owner.dispose()
    capsys.readouterr()
    code, _, err = _cli(
        capsys, "flag", account, "--reason", "OTHER", "--note", "n", "--db", hall.url(hall.app)
    )
    assert code == EXIT_DATABASE
    assert "the database refused this action" in err and "数据库拒绝了此操作" in err
    assert "Traceback" not in err


def test_grant_refusals(hall: Hall, sqlite_url: str) -> None:
    owner = Database(hall.url(hall.owner))
    try:
        with pytest.raises(GrantError, match="init-db first"):
            apply_grants(owner, hall.app)
        assert main(["init-db", "--db", hall.url(hall.owner)]) == 0
        with pytest.raises(GrantError, match="no database role"):
            apply_grants(owner, "no_such_role_" + uuid.uuid4().hex[:6])
        with pytest.raises(GrantError, match="owner role"):
            apply_grants(owner, hall.owner)
        # applying twice is harmless, and a role name is always quoted
        apply_grants(owner, hall.app)
        statements = apply_grants(owner, hall.app)
        assert all(f'"{hall.app}"' in s for s in statements if "{role}" not in s)
        audit = next(p for p in role_privileges(owner, hall.app) if p.table == "audit_log")
        assert (audit.select, audit.insert, audit.update, audit.delete, audit.truncate) == (
            True,
            True,
            False,
            False,
            False,
        )
    finally:
        owner.dispose()
    sqlite = Database(sqlite_url)
    with pytest.raises(GrantError, match="PostgreSQL"):
        apply_grants(sqlite, "x")
    sqlite.dispose()


def test_grants_file_is_plain_sql() -> None:
    statements = grant_statements()
    assert any(
        s.startswith("REVOKE UPDATE, DELETE, TRUNCATE ON TABLE audit_log") for s in statements
    )
    assert all("{role}" in s for s in statements)
