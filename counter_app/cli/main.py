"""The `counter-app` command line: every use case of the core, one subcommand each.

With no subcommand it starts the desktop application.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from counter_app import __version__
from counter_app.cli.db_commands import add_db_commands
from counter_app.cli.print_commands import add_print_commands
from counter_app.db.engine import DB_ENV_VAR, Database
from counter_app.db.errors import DATABASE_ERRORS, explain
from counter_app.db.schema import ensure_usable, init_db
from counter_app.db.server_settings import needs_password, with_password
from counter_app.domain.codes import AccountClass, FlagReason
from counter_app.errors import UserError
from counter_app.services.settings import SETTABLE

Handler = Callable[[argparse.Namespace, Database], int]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _account_class(text: str) -> AccountClass:
    try:
        return AccountClass(text.strip().upper())
    except ValueError:
        names = ", ".join(c.value for c in AccountClass)
        raise argparse.ArgumentTypeError(f"unknown class {text!r}; one of: {names}") from None


def _add_common_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    # Given before or after the subcommand; a subcommand's copy must not reset the
    # value given before it, hence SUPPRESS there.
    default = None if defaults else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help=f"database URL (default: ${DB_ENV_VAR}, else the shared server saved in the "
        "application's Database dialog, else the local SQLite file); "
        "e.g. postgresql://user@host/dbname or a path to a .sqlite3 file",
    )
    parser.add_argument(
        "--operator",
        default=default,
        help="who is doing this, for the audit log (default: the login name)",
    )


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _add_common_options(common, defaults=False)
    parser = argparse.ArgumentParser(
        prog="counter-app",
        description="Account standardization and third-party depository counter.",
    )
    _add_common_options(parser, defaults=True)
    parser.add_argument("--version", action="version", version=f"counter-app {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init-db", parents=[common], help="create or upgrade the database schema")
    p.set_defaults(handler=cmd_init_db, needs_schema=False)

    p = sub.add_parser("import", parents=[common], help="screen a counter-system export file")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--base-date", type=_date, help="base date of the first screening (default today)"
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("flag", parents=[common], help="flag an account unqualified (other)")
    p.add_argument("account")
    p.add_argument("--reason", required=True, choices=[r.value for r in FlagReason])
    p.add_argument("--note", required=True)
    p.set_defaults(handler=cmd_flag)

    p = sub.add_parser("unflag", parents=[common], help="clear an account's manual flags")
    p.add_argument("account")
    p.add_argument("--note", required=True)
    p.add_argument("--reason", choices=[r.value for r in FlagReason], help="only this flag")
    p.set_defaults(handler=cmd_unflag)

    report = sub.add_parser("report", parents=[common], help="reports").add_subparsers(
        dest="report", metavar="REPORT", required=True
    )
    p = report.add_parser("stats", parents=[common], help="classes at base date and as of a date")
    p.add_argument("--as-of", type=_date, help="date to report (default today)")
    p.add_argument("--format", choices=["table", "json", "csv", "xlsx"], default="table")
    p.add_argument("--out", type=Path, help="write to this file instead of the screen")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.set_defaults(handler=cmd_report_stats)

    export = sub.add_parser("export", parents=[common], help="exports").add_subparsers(
        dest="export", metavar="WHAT", required=True
    )
    p = export.add_parser("accounts", parents=[common], help="the account list")
    p.add_argument("--class", dest="account_class", type=_account_class)
    p.add_argument("--format", choices=["csv", "xlsx"], required=True)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(handler=cmd_export_accounts)

    p = sub.add_parser("find", parents=[common], help="look an account up by any key")
    p.add_argument("text")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument(
        "--full",
        action="store_true",
        help="show ID numbers and bank accounts in full (written to the audit log); "
        "masked otherwise",
    )
    p.set_defaults(handler=cmd_find)

    p = sub.add_parser("demo", parents=[common], help="load (or export) a realistic demo branch")
    p.add_argument("--accounts", type=int, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--export", type=Path, metavar="FILE", help="write a counter-export file")
    p.set_defaults(handler=cmd_demo)

    audit = sub.add_parser("audit", parents=[common], help="the audit log").add_subparsers(
        dest="audit", metavar="ACTION", required=True
    )
    p = audit.add_parser(
        "verify",
        parents=[common],
        help="check the audit log's hash chain",
        description="Check every entry's hash and link. The chain alone cannot show that its "
        "newest entries were rewritten and re-hashed or removed: keep the anchor this command "
        "(and backup) prints, and pass it back with --anchor.",
    )
    p.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="ID:HASH",
        help="an anchor printed earlier; the entry must still be there with that hash",
    )
    p.set_defaults(handler=cmd_audit_verify)
    settings = sub.add_parser("settings", parents=[common], help="the branch's settings")
    settings_sub = settings.add_subparsers(dest="settings", metavar="ACTION", required=True)
    p = settings_sub.add_parser("show", parents=[common], help="list every setting")
    p.set_defaults(handler=cmd_settings_show)
    p = settings_sub.add_parser("set", parents=[common], help="change one setting")
    p.add_argument("key", choices=sorted(SETTABLE))
    p.add_argument("value")
    p.set_defaults(handler=cmd_settings_set)
    add_db_commands(sub, common)  # backup, restore, db grant
    add_print_commands(sub, common, _account_class)
    return parser


# -- handlers ---------------------------------------------------------------------


def operator_of(args: argparse.Namespace) -> str:
    if args.operator:
        return str(args.operator)
    try:
        return getpass.getuser()
    except Exception:  # no login name in some service environments
        return "unknown"


def cmd_init_db(args: argparse.Namespace, db: Database) -> int:
    state = init_db(db)
    print(f"{db.display_name}: schema at {state.current} (current)")
    return 0


def cmd_import(args: argparse.Namespace, db: Database) -> int:
    from counter_app.cli.output import Progress
    from counter_app.cli.render import print_import_errors, print_import_summary
    from counter_app.services.importer import ImportRefused, import_file

    progress = Progress(f"importing {args.file.name}")
    try:
        summary = import_file(
            db, args.file, base_date=args.base_date, operator=operator_of(args), progress=progress
        )
    except ImportRefused as refused:
        progress.close()
        print_import_errors(refused, args.file)
        return refused.exit_code
    progress.close()
    if args.format == "json":
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_import_summary(summary)
    return 0


def cmd_flag(args: argparse.Namespace, db: Database) -> int:
    from counter_app.services.flags import flag_account

    cls = flag_account(db, args.account, FlagReason(args.reason), args.note, operator_of(args))
    print(f"{args.account}: flagged {args.reason}; class now {cls.value}")
    return 0


def cmd_unflag(args: argparse.Namespace, db: Database) -> int:
    from counter_app.services.flags import unflag_account

    reason = FlagReason(args.reason) if args.reason else None
    cls = unflag_account(db, args.account, args.note, operator_of(args), reason)
    print(f"{args.account}: flag cleared; class now {cls.value}")
    return 0


def cmd_report_stats(args: argparse.Namespace, db: Database) -> int:
    from counter_app.cli.render import write_stats
    from counter_app.services.stats import stats_report

    with db.read() as session:
        report = stats_report(session, args.as_of)
    write_stats(report, args.format, args.out, args.lang)
    return 0


def cmd_export_accounts(args: argparse.Namespace, db: Database) -> int:
    from counter_app.services.account_export import export_accounts

    with db.read() as session:
        count = export_accounts(session, args.out, args.format, args.account_class)
    print(f"{count:,} accounts written to {args.out}", file=sys.stderr)
    return 0


def cmd_find(args: argparse.Namespace, db: Database) -> int:
    from counter_app.cli.render import print_accounts
    from counter_app.services.lookup import find_accounts, masked_view, record_reveal

    with db.read() as session:
        found = find_accounts(session, args.text)
    if args.full:
        record_reveal(db, found, operator_of(args))
    else:
        found = [masked_view(view) for view in found]
    print_accounts(found, args.format)
    return 0 if found else 1


def cmd_demo(args: argparse.Namespace, db: Database | None) -> int:
    from counter_app.services.demo import load_demo, write_demo_export

    if args.export:
        count = write_demo_export(args.export, accounts=args.accounts, seed=args.seed)
        print(f"{count:,} demo accounts written to {args.export}", file=sys.stderr)
        return 0
    assert db is not None
    from counter_app.cli.output import Progress
    from counter_app.cli.render import print_import_summary

    progress = Progress("loading demo branch")
    summary = load_demo(db, accounts=args.accounts, seed=args.seed, progress=progress)
    progress.close()
    print_import_summary(summary)
    return 0


def cmd_settings_show(args: argparse.Namespace, db: Database) -> int:
    from counter_app.services.settings import BASE_DATE, get_setting

    with db.read() as session:
        for key in [BASE_DATE, *sorted(SETTABLE)]:
            print(f"{key} = {get_setting(session, key) or ''}")
    return 0


def cmd_settings_set(args: argparse.Namespace, db: Database) -> int:
    from counter_app.services.settings import change_setting

    change_setting(db, args.key, args.value, operator_of(args))
    print(f"{args.key} = {args.value}")
    return 0


def cmd_audit_verify(args: argparse.Namespace, db: Database) -> int:
    from counter_app.services.audit import ChainAnchor, chain_head, check_anchor, verify_chain

    anchors = [ChainAnchor.parse(value) for value in args.anchor]
    with db.read() as session:
        checked, broken = verify_chain(session)
        before = f"{checked:,} entries before it verified"
        if broken is None:
            before = f"all {checked:,} entries link up, but an anchor does not match"
            broken = next(
                (b for b in (check_anchor(session, a) for a in anchors) if b is not None), None
            )
        head = chain_head(session)
    if broken is None:
        print(f"audit log intact: {checked:,} entries verified", end="")
        print(f", {len(anchors)} anchor(s) matched" if anchors else "")
        if head is not None:
            print(f"anchor (keep it to check against later with --anchor): {head}")
        return 0
    print(
        f"audit log TAMPERED: entry {broken.entry_id} fails ({broken.problem}); {before}",
        file=sys.stderr,
    )
    return 6


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _start_gui(args)
    if args.command == "demo" and args.export:
        return int(cmd_demo(args, None))
    db: Database | None = None
    try:
        db = Database(args.db)
        db = _ask_password_if_needed(db)
        if getattr(args, "needs_schema", True):
            ensure_usable(db)
        return int(args.handler(args, db))
    except UserError as err:
        print(f"counter-app: {err}", file=sys.stderr)
        return err.exit_code
    except DATABASE_ERRORS as err:  # a locked/full/unreachable database is not a bug
        problem = explain(err, db.display_name if db is not None else "")
        if problem is None:
            raise
        print(f"counter-app: {problem}", file=sys.stderr)
        return problem.exit_code
    except KeyboardInterrupt:
        print(
            "counter-app: interrupted; nothing was written by the unfinished step", file=sys.stderr
        )
        return 130
    finally:
        if db is not None:
            db.dispose()


def _ask_password_if_needed(db: Database) -> Database:
    """The same database, with the password asked at the terminal if the server wants one.

    Only when the address has none and libpq found none (``PGPASSWORD``, the pgpass
    file) and the server refused for want of it; the typed password stays in memory.
    Without a terminal (a scheduled job) the refusal stands: its message says to set
    PGPASSWORD or the pgpass file.
    """
    if not db.is_postgres or db.url.password:
        return db
    try:
        with db.engine.connect():
            return db
    except DATABASE_ERRORS as err:
        if not needs_password(err) or not sys.stdin.isatty():
            raise
    password = getpass.getpass(
        f"password of {db.url.username}@{db.url.host}/{db.url.database} (not saved): "
    )
    db.dispose()
    return Database(with_password(db.url, password))


def _start_gui(args: argparse.Namespace) -> int:
    try:
        from counter_app.gui.app import run_gui
    except ImportError as err:  # pragma: no cover - the GUI ships with the package
        print(f"counter-app: the desktop application is not available ({err})", file=sys.stderr)
        return 2
    return run_gui(db_url=args.db)


if __name__ == "__main__":
    sys.exit(main())
