"""Writing an import's rows into the tables: ids, bulk inserts, deferred indexes.

Bulk paths use Core tables and driver-level executemany: the ORM's bookkeeping would
cost more than the SQL. ``services/importer.py`` decides what to write; this module
knows how to write it fast on each database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Index, Table, bindparam, func, inspect, select, text, update
from sqlalchemy.orm import Session

from counter_app.db.bulk import insert_numbered, sql_literal
from counter_app.db.models import CapitalAccount, Classification, Customer, SecuritiesAccount
from counter_app.services.import_prepare import (
    A_CLASS,
    A_FINGERPRINT,
    A_LAST_TRADE_ON,
    A_NUMBER,
    A_OPENED_ON,
    A_REASONS,
    A_SECURITIES_COUNT,
    ACCOUNT_DATA_COLUMNS,
    CUSTOMER_COLUMNS,
    SECURITIES_COLUMNS,
    AccountRow,
    CustomerRow,
    SecuritiesRow,
)

CUSTOMERS = cast(Table, Customer.__table__)
ACCOUNTS = cast(Table, CapitalAccount.__table__)
SECURITIES = cast(Table, SecuritiesAccount.__table__)
HISTORY = cast(Table, Classification.__table__)


def account_data(account: AccountRow) -> tuple[Any, ...]:
    """The ACCOUNT_DATA_COLUMNS values of a prepared account, dates as ``date``."""
    values = list(account[A_OPENED_ON : A_FINGERPRINT + 1])
    values[0] = date.fromisoformat(account[A_OPENED_ON])
    last_trade_on = account[A_LAST_TRADE_ON]
    values[A_LAST_TRADE_ON - A_OPENED_ON] = (
        None if last_trade_on is None else date.fromisoformat(last_trade_on)
    )
    return tuple(values)


class SqliteNewRows:
    """Inserts the accounts of a first import on SQLite straight from the prepared tuples.

    This transaction holds the write lock, so no one else adds rows: a new row's id is
    the table's largest id at the start plus the row's key (1, 2, ...: into empty
    tables, exactly what ``reserve_ids`` gives). The ids are computed in the SQL
    (``?1 + n``), so the tuples go to executemany untouched, with no Python work per row.
    """

    def __init__(
        self, session: Session, *, now: datetime, batch_id: int, effective_at: datetime
    ) -> None:
        customer_base = _max_id(session, CUSTOMERS)
        account_base = _max_id(session, ACCOUNTS)
        now_sql = sql_literal(session, CUSTOMERS, "updated_at", now)
        account_id = ("id", f"?1 + {account_base}")
        self.session = session
        self.customers = [
            ("id", f"?1 + {customer_base}"),
            *((name, f"?{i + 2}") for i, name in enumerate(CUSTOMER_COLUMNS)),
            ("updated_at", now_sql),
            ("version", "1"),
        ]
        # parameters: an AccountRow (key, number, *ACCOUNT_DATA_COLUMNS, class)
        reasons = f"?{A_REASONS + 1}"
        account_class = f"?{A_CLASS + 1}"
        self.accounts = [
            account_id,
            ("account_no", f"?{A_NUMBER + 1}"),
            ("customer_id", f"?1 + {customer_base}"),
            *((name, f"?{i + A_OPENED_ON + 1}") for i, name in enumerate(ACCOUNT_DATA_COLUMNS)),
            ("account_class", account_class),
            ("reasons", reasons),
            ("last_import_id", str(int(batch_id))),
            ("updated_at", now_sql),
            ("version", "1"),
        ]
        self.securities = [
            ("capital_account_id", f"?1 + {account_base}"),
            *((name, f"?{i + 2}") for i, name in enumerate(SECURITIES_COLUMNS)),
        ]
        # the first history period of each new account, from the same AccountRow
        self.history = [
            ("capital_account_id", f"?1 + {account_base}"),
            ("account_class", account_class),
            ("reasons", reasons),
            ("securities_count", f"?{A_SECURITIES_COUNT + 1}"),
            ("valid_from", sql_literal(session, HISTORY, "valid_from", effective_at)),
            ("valid_to", "NULL"),
            ("cause", sql_literal(session, HISTORY, "cause", "import")),
        ]

    def insert(
        self,
        customers: list[CustomerRow],
        accounts: list[AccountRow],
        securities: list[SecuritiesRow],
    ) -> None:
        insert_numbered(self.session, CUSTOMERS, self.customers, customers)
        insert_numbered(self.session, ACCOUNTS, self.accounts, accounts)
        insert_numbered(self.session, SECURITIES, self.securities, securities)
        insert_numbered(self.session, HISTORY, self.history, accounts)


def _max_id(session: Session, table: Table) -> int:
    return int(session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())


# Secondary indexes whose keys arrive in random order. Into empty SQLite tables (the first
# screening) it is much cheaper to build them once, sorted, after the last row than to
# keep them up to date row by row; the DDL is part of the import's transaction, so a
# refused or killed import leaves them as they were. The class indexes are kept up to
# date instead: their few keys take rows at a handful of places (cheap), and the writing
# process has time to spare while the reading one works, whereas a build at the end
# runs alone.
_DEFERRABLE_INDEXES = (
    "ix_customers_id_norm",
    "ix_customers_phone_norm",
    "ix_customers_name_norm",
)


def defer_indexes(session: Session) -> list[Index]:
    connection = session.connection()
    if (
        connection.dialect.name == "postgresql"
        and not connection.execute(
            # only the tables' owner may drop their indexes; the workstations' role may not
            # (docs/shared-database.md), and then imports with the indexes in place
            text(
                "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class "
                "WHERE oid IN ('customers'::regclass, 'capital_accounts'::regclass, "
                "'classifications'::regclass)"
            )
        ).scalar()
    ):
        return []
    deferred = []
    inspector = inspect(connection)
    for table in (CUSTOMERS, ACCOUNTS, cast(Table, Classification.__table__)):
        present = {found["name"] for found in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name in _DEFERRABLE_INDEXES and index.name in present:
                index.drop(connection)
                deferred.append(index)
    return deferred


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """Primary keys for ``count`` new rows, known before the insert.

    Inserting with RETURNING would give them too, but SQLite then inserts one row per
    statement to keep their order; knowing the keys first keeps executemany fast.
    PostgreSQL hands them out from the table's sequence (safe with other writers);
    on SQLite this transaction holds the write lock (BEGIN IMMEDIATE), so nobody else
    can take the numbers after the current maximum.
    """
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"table": table.name, "count": count},
        )
        return [row[0] for row in rows]
    start = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(start + 1, start + 1 + count))


def update_by_id(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany UPDATE ... WHERE id = ? (Core: no per-object ORM bookkeeping)."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    stmt = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam("v_" + name) for name in columns})
    )
    session.execute(stmt, [{"row_id": r["id"], **{"v_" + c: r[c] for c in columns}} for r in rows])


def snapshot(session: Session, account_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The importable fields of accounts, for the audit log's before and after."""
    rows = session.execute(
        select(
            CapitalAccount.id,
            CapitalAccount.account_no,
            Customer.name,
            Customer.customer_type,
            Customer.id_type,
            Customer.id_number,
            Customer.phone,
            Customer.address,
            Customer.has_paper_file,
            CapitalAccount.opened_on,
            CapitalAccount.balance_cents,
            CapitalAccount.holdings_cents,
            CapitalAccount.last_trade_on,
            CapitalAccount.bank_code,
            CapitalAccount.bank_account,
            CapitalAccount.depository_status,
            CapitalAccount.account_class,
            CapitalAccount.reasons,
        )
        .join(Customer, Customer.id == CapitalAccount.customer_id)
        .where(CapitalAccount.id.in_(account_ids))
    ).mappings()
    snapshot: dict[int, dict[str, Any]] = {}
    for row in rows:
        values = dict(row)
        values["securities"] = []
        snapshot[values.pop("id")] = values
    secs = session.execute(
        select(
            SecuritiesAccount.capital_account_id,
            SecuritiesAccount.account_no,
            SecuritiesAccount.holder_name,
            SecuritiesAccount.holder_id_number,
        )
        .where(SecuritiesAccount.capital_account_id.in_(account_ids))
        .order_by(SecuritiesAccount.account_no)
    )
    for account_id, *sec in secs:
        snapshot[account_id]["securities"].append(sec)
    return snapshot
