"""Subcommands that look after the database itself: backup, restore, grants.

Registered on the main parser by ``add_db_commands``; each handler takes
``(args, db)`` like every other handler in ``counter_app.cli.main``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from counter_app.db.engine import Database


def add_db_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "backup",
        parents=[common],
        help="back the database up to FILE (safe while clerks work)",
        description="SQLite: an online copy, checked with integrity_check. PostgreSQL: "
        "pg_dump --format=custom. A FILE.json beside it records schema, time and row counts. "
        "FILE may be a folder: the backup then gets a dated name inside it.",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    p.set_defaults(handler=cmd_backup, needs_schema=False)

    p = sub.add_parser(
        "restore",
        parents=[common],
        help="replace the database's content with a backup",
        description="Refuses a database that holds data unless --force; always takes a "
        "safety backup of what it replaces first, and upgrades an older backup's schema.",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    p.set_defaults(handler=cmd_restore, needs_schema=False)

    dbcmd = sub.add_parser("db", parents=[common], help="the shared server database")
    actions = dbcmd.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    p = actions.add_parser(
        "grant",
        parents=[common],
        help="give the workstations' PostgreSQL role its privileges",
        description="Run as the owner role after `counter-app init-db` (and again after "
        "every upgrade). The role may read and write the business tables, only read and "
        "append the audit log, and only read the schema version. The statements are in "
        "counter_app/db/sql/grants_postgresql.sql.",
    )
    p.add_argument("role", metavar="ROLE", help="e.g. counter_app_user")
    p.set_defaults(handler=cmd_db_grant)


def _operator(args: argparse.Namespace) -> str:
    if getattr(args, "operator", None):
        return str(args.operator)
    try:
        return getpass.getuser()
    except Exception:  # no login name in some service environments
        return "unknown"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def cmd_backup(args: argparse.Namespace, db: Database) -> int:
    from counter_app.db.schema import schema_state
    from counter_app.services.audit import chain_head
    from counter_app.services.backup import backup_database, sidecar_path

    head = None
    if not schema_state(db).is_empty:
        with db.read() as session:
            head = chain_head(session)  # read first: the backup surely holds this entry
    info = backup_database(db, args.file, overwrite=args.overwrite)
    rows = sum(info.counts.values())
    print(
        f"backup written: {info.path} ({_size(info.size_bytes)}, schema {info.schema_revision}, "
        f"{rows:,} rows, {info.counts.get('audit_log', 0):,} audit entries)"
    )
    print(f"details: {sidecar_path(info.path)}", file=sys.stderr)
    if head is not None:
        print(f"audit anchor (keep it with the backup; `audit verify --anchor`): {head}")
    return 0


def cmd_restore(args: argparse.Namespace, db: Database) -> int:
    from counter_app.services.backup import restore_database

    result = restore_database(db, args.file, force=args.force, operator=_operator(args))
    if result.safety_backup is not None:
        print(f"safety backup of the replaced data: {result.safety_backup}", file=sys.stderr)
    upgraded = f", upgraded from schema {result.restored_revision}" if result.upgraded else ""
    print(
        f"restored {result.backup} into {result.target}{upgraded}: schema {result.revision}, "
        f"{result.counts.get('capital_accounts', 0):,} accounts, "
        f"{result.counts.get('audit_log', 0):,} audit entries"
    )
    if result.audit_break is not None:
        print(
            f"warning: the restored audit log fails at entry {result.audit_break.entry_id} "
            f"({result.audit_break.problem})",
            file=sys.stderr,
        )
        return 6
    return 0


def cmd_db_grant(args: argparse.Namespace, db: Database) -> int:
    from counter_app.db.grants import apply_grants, role_privileges
    from counter_app.services.audit import AuditLog

    apply_grants(db, args.role)
    with db.write() as session, AuditLog(session) as audit:
        audit.record(
            actor=_operator(args),
            action="db.grant",
            entity="database_role",
            entity_key=args.role[:64],
            after={"grants": "grants_postgresql.sql"},
        )
    rows = role_privileges(db, args.role)
    for row in rows:
        rights = [
            name
            for name, ok in (
                ("SELECT", row.select),
                ("INSERT", row.insert),
                ("UPDATE", row.update),
                ("DELETE", row.delete),
            )
            if ok
        ]
        print(f"{row.table:<22} {' '.join(rights) or '-'}")
    print(f"granted to {args.role} on {db.display_name}", file=sys.stderr)
    return 0
