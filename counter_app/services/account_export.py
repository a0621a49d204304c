"""Exporting the account list (one row per capital account) as CSV or XLSX."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.models import CapitalAccount, Customer, SecuritiesAccount
from counter_app.domain.codes import AccountClass

EXPORT_COLUMNS = (
    "capital_account",
    "name",
    "class",
    "reasons",
    "depository_status",
    "securities_accounts",
    "bank",
    "opened_on",
    "balance",
)


def _yuan(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def iter_account_rows(
    session: Session, account_class: AccountClass | None = None, batch: int = 5000
) -> Iterator[list[str]]:
    """Rows in capital-account order, read in keyset pages (flat memory at any size)."""
    last = ""
    while True:
        stmt = (
            select(
                CapitalAccount.id,
                CapitalAccount.account_no,
                Customer.name,
                CapitalAccount.account_class,
                CapitalAccount.reasons,
                CapitalAccount.depository_status,
                CapitalAccount.bank_code,
                CapitalAccount.opened_on,
                CapitalAccount.balance_cents,
            )
            .join(Customer, Customer.id == CapitalAccount.customer_id)
            .where(CapitalAccount.account_no > last)
            .order_by(CapitalAccount.account_no)
            .limit(batch)
        )
        if account_class is not None:
            stmt = stmt.where(CapitalAccount.account_class == account_class.value)
        page = session.execute(stmt).all()
        if not page:
            return
        securities: dict[int, list[str]] = {}
        for account_id, sec_no in session.execute(
            select(SecuritiesAccount.capital_account_id, SecuritiesAccount.account_no)
            .where(SecuritiesAccount.capital_account_id.in_([r.id for r in page]))
            .order_by(SecuritiesAccount.account_no)
        ):
            securities.setdefault(account_id, []).append(sec_no)
        for r in page:
            yield [
                r.account_no,
                r.name,
                r.account_class,
                r.reasons,
                r.depository_status,
                ";".join(securities.get(r.id, [])),
                r.bank_code or "",
                r.opened_on.isoformat(),
                _yuan(r.balance_cents),
            ]
        last = page[-1].account_no


def export_accounts(
    session: Session, out: Path, fmt: str, account_class: AccountClass | None = None
) -> int:
    """Write the list to ``out``; returns the number of accounts written."""
    rows = iter_account_rows(session, account_class)
    count = 0
    tmp = out.with_name(out.name + ".part")
    if fmt == "csv":
        # UTF-8 with BOM: spreadsheet programs then open the Chinese text correctly
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for row in rows:
                writer.writerow(row)
                count += 1
    elif fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet("accounts")
        sheet.append(list(EXPORT_COLUMNS))
        for row in rows:
            sheet.append(row)
            count += 1
        book.save(tmp)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    # never leave a half-written file under the name the user asked for
    tmp.replace(out)
    return count
