"""Small builders shared by the core tests: export rows and files, table counts."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from counter_app.db.engine import Database
from counter_app.db.models import (
    AuditEntry,
    CapitalAccount,
    Classification,
    Customer,
    ImportBatch,
    SecuritiesAccount,
)

HEADERS = [
    "capital_account",
    "name",
    "customer_type",
    "id_type",
    "id_number",
    "phone",
    "address",
    "opened_on",
    "balance",
    "holdings_value",
    "last_trade_on",
    "sh_account",
    "sh_name",
    "sh_id_number",
    "sz_account",
    "sz_name",
    "sz_id_number",
    "bank",
    "bank_account",
    "depository_status",
    "paper_file",
]

# A clean, qualified, depository-active customer; tests override what they need.
BASE_ROW: dict[str, str] = {
    "capital_account": "20000001",
    "name": "张伟",
    "customer_type": "个人",
    "id_type": "身份证",
    "id_number": "110105194706121551",
    "phone": "13912345678",
    "address": "北京市朝阳区建国路88号1栋101室",
    "opened_on": "2015-04-25",
    "balance": "52000.00",
    "holdings_value": "10000.00",
    "last_trade_on": "2026-01-05",
    "sh_account": "A200000001",
    "sh_name": "张伟",
    "sh_id_number": "110105194706121551",
    "sz_account": "",
    "sz_name": "",
    "sz_id_number": "",
    "bank": "工商银行",
    "bank_account": "6222021234567890123",
    "depository_status": "已确认",
    "paper_file": "有",
}


def row(**overrides: str) -> dict[str, str]:
    values = dict(BASE_ROW)
    values.update(overrides)
    return values


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    headers: list[str] | None = None,
) -> Path:
    headers = headers or HEADERS
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        for values in rows:
            writer.writerow([values.get(h, "") for h in headers])
    return path


def counts(db: Database) -> dict[str, int]:
    """Rows per table: what 'nothing was written' is checked against."""
    with db.read() as session:
        return {
            model.__tablename__: session.execute(
                select(func.count()).select_from(model)
            ).scalar_one()
            for model in (
                Customer,
                CapitalAccount,
                SecuritiesAccount,
                Classification,
                ImportBatch,
                AuditEntry,
            )
        }


def account(db: Database, account_no: str) -> Any:
    with db.read() as session:
        return session.execute(
            select(CapitalAccount).where(CapitalAccount.account_no == account_no)
        ).scalar_one()
