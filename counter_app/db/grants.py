"""Granting the workstations' PostgreSQL role what it needs, and no more.

The statements live in ``sql/grants_postgresql.sql`` (readable by the IT person, and
usable by hand); this module fills in the role and database names as quoted
identifiers and runs them in one transaction, as the owner role.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from psycopg import sql
from sqlalchemy import text

from counter_app.db.engine import Database
from counter_app.errors import UserError

GRANTS_SQL = Path(__file__).with_name("sql") / "grants_postgresql.sql"


class GrantError(UserError):
    """The grants could not be applied; nothing was changed."""


@dataclass(frozen=True)
class RolePrivileges:
    """What a role may do on one table (as PostgreSQL reports it)."""

    table: str
    select: bool
    insert: bool
    update: bool
    delete: bool
    truncate: bool


def grant_statements() -> list[str]:
    """The statements of the grants file, comments removed, with ``{role}`` placeholders."""
    lines = [
        line
        for line in GRANTS_SQL.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("--")
    ]
    return [stmt.strip() for stmt in "\n".join(lines).split(";") if stmt.strip()]


def apply_grants(db: Database, role: str) -> list[str]:
    """Apply the grants to ``role``; returns the statements as run."""
    if not db.is_postgres:
        raise GrantError("database roles and grants exist only on a PostgreSQL server")
    role = role.strip()
    if not role:
        raise GrantError("name the database role to grant to")
    with db.engine.begin() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).first()
        if exists is None:
            raise GrantError(
                f"there is no database role {role!r} on the server: create it first "
                f"(CREATE ROLE {role} LOGIN PASSWORD '...'), see docs/shared-database.md"
            )
        me = conn.execute(text("SELECT current_user")).scalar_one()
        if me == role:
            raise GrantError(
                f"connected as {role!r} itself: run this as the owner role that ran init-db"
            )
        tables = conn.execute(
            text("SELECT to_regclass('public.audit_log') IS NOT NULL")
        ).scalar_one()
        if not tables:
            raise GrantError("the database has no counter_app schema yet: run init-db first")
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        raw = conn.connection.driver_connection
        done = []
        for template in grant_statements():
            statement = (
                sql.SQL(template)  # our own file; only the names come from outside
                .format(role=sql.Identifier(role), database=sql.Identifier(database))
                .as_string(raw)
            )
            conn.exec_driver_sql(statement)
            done.append(statement)
    return done


def role_privileges(db: Database, role: str) -> list[RolePrivileges]:
    """The role's privileges on each counter_app table (for checks and for the IT person)."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                """
                SELECT c.relname,
                       has_table_privilege(:r, c.oid, 'SELECT'),
                       has_table_privilege(:r, c.oid, 'INSERT'),
                       has_table_privilege(:r, c.oid, 'UPDATE'),
                       has_table_privilege(:r, c.oid, 'DELETE'),
                       has_table_privilege(:r, c.oid, 'TRUNCATE')
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r'
                ORDER BY c.relname
                """
            ),
            {"r": role},
        ).all()
    return [RolePrivileges(*row) for row in rows]
