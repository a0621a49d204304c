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


def sql_literal(session: Session, table: Table, column: str, value: Any) -> str:
    """``value`` written as a SQL literal for ``table.column`` (after the type's conversion).

    For the few constants of a bulk statement (a timestamp, a batch id); only None,
    int and str values are accepted.
    """
    dialect = session.connection().dialect
    processor = table.c[column].type._cached_bind_processor(dialect)
    stored = processor(value) if processor is not None else value
    if stored is None:
        return "NULL"
    if isinstance(stored, bool) or not isinstance(stored, int | str):
        raise TypeError(f"no literal for {type(stored).__name__} in {table.name}.{column}")
    if isinstance(stored, int):
        return str(stored)
    return "'" + stored.replace("'", "''") + "'"


def insert_numbered(
    session: Session, table: Table, values: Sequence[tuple[str, str]], rows: Sequence[Any]
) -> None:
    """SQLite: one executemany whose VALUES are SQL over each row's numbered parameters.

    ``values`` pairs each column with its SQL, e.g. ``("id", "?1 + 1000")``,
    ``("name", "?2")`` or a ``sql_literal``: rows go to the driver exactly as given (no
    per-row conversion in Python), so they must already hold what SQLite stores.
    A parameter may be used twice or not at all.
    """
    if not rows:
        return
    connection = session.connection()
    assert connection.dialect.name == "sqlite", "numbered parameters are SQLite's"
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c, _ in values)}) "
        f"VALUES ({', '.join(expression for _, expression in values)})"
    )
    connection.exec_driver_sql(sql, rows if isinstance(rows, list) else list(rows))
