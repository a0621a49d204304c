"""Connecting to the database: one local SQLite file, or the hall's PostgreSQL server.

A ``Database`` hands out sessions as units of work: ``write()`` commits or rolls
back as a whole, and on SQLite takes the write lock up front (``BEGIN
IMMEDIATE``) so two writers queue on the busy timeout instead of failing
half-way with "database is locked" when a read transaction tries to upgrade.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from counter_app.db import server_settings
from counter_app.errors import UserError

APP_DIR_NAME = "counter_app"
DB_ENV_VAR = "COUNTER_APP_DB"
SQLITE_BUSY_TIMEOUT_S = 30.0


def default_sqlite_path() -> Path:
    return Path(user_data_dir(APP_DIR_NAME, appauthor=False)) / "counter_app.sqlite3"


def resolve_url(url: str | None) -> str:
    """The URL to use: the one given (``--db``), else $COUNTER_APP_DB, else the shared
    server saved on this workstation (``server_settings``), else the local default file.

    A URL without a password leaves it to libpq: ``$PGPASSWORD`` or the pgpass file.
    """
    if url:
        return normalize_url(url)
    from_env = os.environ.get(DB_ENV_VAR)
    if from_env:
        return normalize_url(from_env)
    saved = server_settings.saved_url()
    if saved:
        return saved
    return f"sqlite:///{default_sqlite_path()}"


def normalize_url(url: str) -> str:
    """Accept the short spellings people type and pick our drivers."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:  # a bare path means a SQLite file
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's own is unreliable).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # 64 MiB of page cache (default 2 MiB): bulk imports touch many index pages
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    cur.close()


def _on_sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The application's database, whatever its kind."""

    def __init__(self, url: str | None = None, *, echo: bool = False) -> None:
        wanted = resolve_url(url)
        try:
            self.url: URL = make_url(wanted)
        except (ArgumentError, ValueError):
            raise UserError(
                f"{wanted!r} is not a database address: use a file path as "
                "sqlite:////path/to/file.db or postgresql+psycopg://user@host:5432/database",
                zh=f"“{wanted}”不是有效的数据库地址：本机文件请写 sqlite:////路径/文件.db，"
                "共享服务器请写 postgresql+psycopg://用户@主机:5432/数据库",
            ) from None
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        self.engine: Engine = self._create_engine(echo)
        writer = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.is_sqlite
            else self.engine
        )
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(writer, expire_on_commit=False)

    def _create_engine(self, echo: bool) -> Engine:
        if self.is_sqlite:
            path = self.sqlite_path
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    why = err.strerror or str(err)
                    raise UserError(
                        f"cannot create the folder {path.parent} for the database file "
                        f"({why}): choose another place with --db or COUNTER_APP_DB",
                        zh=f"无法创建数据库文件所在的文件夹 {path.parent}（{why}）："
                        "请用 --db 或 COUNTER_APP_DB 指定其他位置",
                    ) from err
            engine = create_engine(
                self.url,
                echo=echo,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
            )
            event.listen(engine, "connect", _on_sqlite_connect)
            event.listen(engine, "begin", _on_sqlite_begin)
            return engine
        if not self.is_postgres:
            raise UserError(
                f"counter_app works on a SQLite file or a PostgreSQL server, not on "
                f"{self.url.get_backend_name()!r}",
                zh=f"counter_app 只支持本机 SQLite 文件或 PostgreSQL 服务器，"
                f"不支持“{self.url.get_backend_name()}”",
            )
        return create_engine(
            self.url,
            echo=echo,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 5, "application_name": "counter_app"},
        )

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    @property
    def display_name(self) -> str:
        """Where the data lives, for people (no password)."""
        if self.is_sqlite:
            return f"SQLite {self.sqlite_path}"
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that changes data: committed whole, or rolled back whole."""
        with self._write_sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (rolled back at the end)."""
        with self._read_sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
