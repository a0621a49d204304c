"""`counter-app print ...`: agreements, file labels and data change forms as PDF files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import select

from counter_app.db.engine import Database
from counter_app.db.models import CapitalAccount, Customer
from counter_app.domain.codes import AccountClass, Role
from counter_app.domain.masking import mask_name
from counter_app.errors import NotFound, UserError


def add_print_commands(
    sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    account_class: object,
) -> None:
    printing = sub.add_parser(
        "print", parents=[common], help="print documents as PDF"
    ).add_subparsers(dest="document", metavar="DOCUMENT", required=True)
    p = printing.add_parser(
        "agreement", parents=[common], help="issue and print a tripartite depository agreement"
    )
    p.add_argument("account", help="capital account")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--bank", help="bank code (default: the bank on record)")
    p.add_argument("--bank-account", help="bank account (default: the one on record)")
    p.set_defaults(handler=cmd_print_agreement)

    p = printing.add_parser("labels", parents=[common], help="barcode labels for paper files")
    p.add_argument("accounts", nargs="*", metavar="ACCOUNT")
    p.add_argument("--class", dest="account_class", type=account_class)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--skip", type=int, default=0, help="label positions already used on the sheet")
    p.set_defaults(handler=cmd_print_labels)

    p = printing.add_parser(
        "change-form", parents=[common], help="the data change application form of a case"
    )
    p.add_argument("case_no", help="case number (as on the case, e.g. C20261125000001)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.set_defaults(handler=cmd_print_change_form)


def _write_pdf(path: Path, pdf: bytes) -> None:
    # never leave half a file under the name asked for
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(pdf)
    partial.replace(path)


def cmd_print_agreement(args: argparse.Namespace, db: Database) -> int:
    from counter_app.cli.main import operator_of
    from counter_app.printing import render_agreement
    from counter_app.services.agreements import issue_agreement
    from counter_app.services.documents import agreement_data_for
    from counter_app.services.lookup import get_account

    # One unit of work: if the PDF cannot be made, no agreement number is recorded.
    with db.write() as session:
        account = get_account(session, args.account)
        if account is None:
            raise NotFound(f"no capital account {args.account}")
        agreement = issue_agreement(
            session,
            account,
            actor=operator_of(args),
            lang=args.lang,
            bank_code=args.bank.strip().upper() if args.bank else None,
            bank_account=args.bank_account,
        )
        pdf = render_agreement(agreement_data_for(session, agreement))
        _write_pdf(args.out, pdf)
        number = agreement.agreement_no
    print(f"agreement {number} for {args.account} written to {args.out}")
    return 0


def cmd_print_labels(args: argparse.Namespace, db: Database) -> int:
    from counter_app.printing import LabelData, render_labels

    if bool(args.accounts) == bool(args.account_class):
        raise UserError("give either account numbers or --class CLASS")
    stmt = (
        select(CapitalAccount.account_no, Customer.name)
        .join(Customer, Customer.id == CapitalAccount.customer_id)
        .order_by(CapitalAccount.account_no)
    )
    if args.account_class:
        stmt = stmt.where(CapitalAccount.account_class == AccountClass(args.account_class).value)
    else:
        stmt = stmt.where(CapitalAccount.account_no.in_(args.accounts))
    with db.read() as session:
        rows = session.execute(stmt).all()
    missing = sorted(set(args.accounts) - {no for no, _ in rows})
    if missing:
        raise NotFound("no capital account " + ", ".join(missing))
    if not rows:
        raise NotFound("no account in that class")
    labels = [LabelData(capital_account=no, masked_name=mask_name(name)) for no, name in rows]
    _write_pdf(args.out, render_labels(labels, skip=args.skip))
    print(f"{len(labels):,} labels written to {args.out}", file=sys.stderr)
    return 0


def cmd_print_change_form(args: argparse.Namespace, db: Database) -> int:
    from counter_app.cli.main import operator_of
    from counter_app.printing import render_change_form
    from counter_app.services.cases import find_case_by_no
    from counter_app.services.documents import change_form_data
    from counter_app.services.users import UserView

    case = find_case_by_no(db, args.case_no)
    if case is None:
        raise NotFound(f"no case {args.case_no}")
    # The command line acts with the database's own authority (whoever can reach the
    # database can do this); the operator's name still goes on record.
    actor = UserView(
        id=0,
        username=operator_of(args),
        display_name=operator_of(args),
        roles=frozenset({Role.SUPERVISOR}),
        active=True,
        locked_until=None,
    )
    data = change_form_data(db, actor, case.id, args.lang)
    if not data.changes:
        raise UserError(f"case {args.case_no} has no saved data changes to print")
    _write_pdf(args.out, render_change_form(data))
    print(f"change form of {args.case_no} written to {args.out}")
    return 0
