"""Creating and upgrading the schema with Alembic, from code.

The rule (issue #2): a local SQLite file that is behind is backed up and upgraded
on start; a shared database that is behind is refused until someone runs
``counter-app init-db`` on purpose, because upgrading it under a hall of clerks
still running the old version is a decision for the IT person, not a side effect.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from counter_app.db.engine import Database
from counter_app.errors import UserError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class SchemaError(UserError):
    """The database's schema is not one this version can use."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def is_empty(self) -> bool:
        return self.current is None

    @property
    def is_current(self) -> bool:
        return self.current == self.head

    @property
    def is_known(self) -> bool:
        """False when the database was made by a newer version of counter_app."""
        if self.current is None:
            return True
        script = ScriptDirectory.from_config(_config())
        return any(rev.revision == self.current for rev in script.walk_revisions())


def schema_state(db: Database) -> SchemaState:
    return SchemaState(current=current_revision(db), head=head_revision())


def upgrade(db: Database, revision: str = "head") -> None:
    config = _config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def backup_sqlite(db: Database, suffix: str) -> Path | None:
    """Copy a SQLite file with SQLite's online backup (safe while others read it)."""
    path = db.sqlite_path
    if path is None or not path.exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.{suffix}-{stamp}{path.suffix}")
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def init_db(db: Database) -> SchemaState:
    """Create the schema in an empty database, or upgrade an older one (``init-db``)."""
    state = schema_state(db)
    if not state.is_known:
        raise SchemaError(
            f"the database is at schema {state.current}, newer than this program "
            f"({state.head}): install the newer counter_app"
        )
    if not state.is_current:
        if db.is_sqlite and not state.is_empty:
            backup_sqlite(db, f"before-{state.head}")
        upgrade(db)
    return schema_state(db)


def ensure_usable(db: Database, *, create_local: bool = True) -> SchemaState:
    """Make sure the schema is current before any other command runs.

    A local SQLite file is created or upgraded (after a backup copy); a shared
    server database that is empty or behind raises ``SchemaError``.
    """
    state = schema_state(db)
    if state.is_current:
        return state
    if not state.is_known:
        raise SchemaError(
            f"the database is at schema {state.current}, newer than this program "
            f"({state.head}): install the newer counter_app"
        )
    if db.is_sqlite and create_local:
        return init_db(db)
    if state.is_empty:
        raise SchemaError(
            f"the database {db.display_name} has no counter_app schema yet: "
            "run `counter-app init-db --db URL` once to prepare it"
        )
    raise SchemaError(
        f"the database {db.display_name} is at an older schema ({state.current}, this "
        f"program needs {state.head}): back it up, then run `counter-app init-db --db URL`"
    )
