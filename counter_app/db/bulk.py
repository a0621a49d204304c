"""Fast executemany for the bulk paths (import): straight to the driver.

SQLAlchemy's Core executemany spends several microseconds per row and statement
processing parameters; at a million accounts times four tables that is most of an
import. Here the statement is compiled once and rows go to the DBAPI cursor as
tuples. Only for plain column values (no SQL expressions), which is all bulk
inserts need.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT ``rows`` (tuples in ``columns`` order) into ``table`` with one executemany."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    processors = [
        (index, processor)
        for index, name in enumerate(columns)
        if (processor := table.c[name].type._cached_bind_processor(dialect)) is not None
    ]
    if processors:
        # Values repeat a lot (dates, the import's timestamp, flags): convert each
        # distinct value once.
        memos: list[dict[Any, Any]] = [{} for _ in processors]
        converted: list[tuple[Any, ...]] = []
        for row in rows:
            values = list(row)
            for (index, processor), memo in zip(processors, memos, strict=True):
                value = values[index]
                try:
                    values[index] = memo[value]
                except KeyError:
                    values[index] = memo[value] = processor(value)
            converted.append(tuple(values))
        rows = converted
    connection.exec_driver_sql(sql, list(rows))


def insert_dicts(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``insert_rows`` for rows given as dicts that all have the same keys."""
    if not rows:
        return
    columns = list(rows[0])
    insert_rows(session, table, columns, [tuple(row[c] for c in columns) for row in rows])
