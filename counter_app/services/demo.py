"""Loading the demo branch through the same import path a real export takes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from counter_app.db.engine import Database
from counter_app.importing.reader import RawRow
from counter_app.services import demo_data
from counter_app.services.importer import ImportSummary, import_rows

DEMO_BASE_DATE = demo_data.DEFAULT_BASE_DATE


def _raw_rows(accounts: int, seed: int) -> Iterator[RawRow]:
    rows = demo_data.generate_rows(accounts=accounts, seed=seed, base_date=DEMO_BASE_DATE)
    # line numbers as in the file --export would write (header on line 1)
    for line_no, values in enumerate(rows, start=2):
        yield RawRow(line_no=line_no, values=values)


def load_demo(
    db: Database,
    *,
    accounts: int | None = None,
    seed: int | None = None,
    progress: Callable[[int, float | None], None] | None = None,
    operator: str = "demo",
) -> ImportSummary:
    count = accounts or demo_data.DEFAULT_ACCOUNTS
    seed = demo_data.DEFAULT_SEED if seed is None else seed

    def report(done: int) -> None:
        if progress is not None:
            progress(done, done / count)

    return import_rows(
        db,
        _raw_rows(count, seed),
        source_name=f"demo(accounts={count}, seed={seed})",
        source_sha256="",
        base_date=DEMO_BASE_DATE,
        operator=operator,
        progress=report,
        now=datetime.now(),
    )


def write_demo_export(path: Path, *, accounts: int | None = None, seed: int | None = None) -> int:
    count = accounts or demo_data.DEFAULT_ACCOUNTS
    seed = demo_data.DEFAULT_SEED if seed is None else seed
    encoding = "utf-8-sig" if path.suffix.lower() == ".xlsx" else "gb18030"
    rows = demo_data.generate_rows(accounts=count, seed=seed, base_date=DEMO_BASE_DATE)
    return demo_data.write_export(path, rows, encoding=encoding)
