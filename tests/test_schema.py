"""Schema creation and upgrades: a local file upgrades itself (after a backup), a shared
server database waits for `init-db`, and an upgrade keeps every row."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from counter_app.db.engine import Database
from counter_app.db.schema import SchemaError, ensure_usable, head_revision, init_db, upgrade
from counter_app.services.importer import import_file
from counter_app.services.stats import stats_report
from tests.conftest import PG_ADMIN_URL
from tests.helpers import counts

FIRST_REVISION = "0001"


def _stats(db: Database) -> dict:
    with db.read() as session:
        return stats_report(session, date(2026, 4, 1)).as_dict()


def test_a_new_local_file_is_created_at_the_newest_schema(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "new.sqlite3"))
    state = ensure_usable(db)
    assert state.current == head_revision()
    db.dispose()


def test_a_local_file_at_the_first_revision_is_backed_up_and_upgraded_with_its_data(
    tmp_path: Path, sample_utf8: Path
) -> None:
    path = tmp_path / "branch.sqlite3"
    db = Database(str(path))
    upgrade(db, FIRST_REVISION)
    import_file(db, sample_utf8, base_date=date(2026, 3, 28))
    before_counts, before_stats = counts(db), _stats(db)
    db.dispose()

    db = Database(str(path))
    state = ensure_usable(db)
    assert state.current == head_revision() != FIRST_REVISION
    backups = list(tmp_path.glob("branch.before-*.sqlite3"))
    assert len(backups) == 1
    assert counts(db) == before_counts
    assert _stats(db) == before_stats
    db.dispose()
    # the backup is the database as it was: at the first revision, with the data
    old = Database(str(backups[0]))
    with old.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        assert conn.execute(text("SELECT count(*) FROM capital_accounts")).scalar() == 26
    old.dispose()


def test_a_database_from_a_newer_program_is_refused(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffff'"))
    with pytest.raises(SchemaError, match="newer than this program"):
        ensure_usable(db)
    db.dispose()


@pytest.fixture
def empty_pg_url(pg_template: str) -> Iterator[str]:
    """An empty PostgreSQL database (no schema at all), as IT creates it."""
    name = f"ca_empty_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_a_shared_database_waits_for_init_db_and_keeps_its_data(
    empty_pg_url: str, sample_utf8: Path
) -> None:
    db = Database(empty_pg_url)
    with pytest.raises(SchemaError, match="run `counter-app init-db"):
        ensure_usable(db)
    upgrade(db, FIRST_REVISION)
    import_file(db, sample_utf8, base_date=date(2026, 3, 28))
    before_counts, before_stats = counts(db), _stats(db)
    with pytest.raises(SchemaError, match="older schema"):
        ensure_usable(db)
    assert init_db(db).current == head_revision()
    assert ensure_usable(db).is_current
    assert counts(db) == before_counts
    assert _stats(db) == before_stats
    db.dispose()
