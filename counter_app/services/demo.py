"""Loading the demo branch through the same import path a real export takes."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from counter_app.db.engine import Database
from counter_app.db.models import CapitalAccount
from counter_app.domain.codes import AccountClass, FlagReason
from counter_app.importing.reader import RawRow
from counter_app.services import demo_data
from counter_app.services.flags import flag_account
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

    summary = import_rows(
        db,
        _raw_rows(count, seed),
        source_name=f"demo(accounts={count}, seed={seed})",
        source_sha256="",
        base_date=DEMO_BASE_DATE,
        operator=operator,
        progress=report,
        now=datetime.now(),
    )
    _flag_some(db, count, seed, operator, summary)
    return summary


# No export carries a person's judgement, so the demo adds a few flags itself: the
# branch then shows every class, UNQUALIFIED_OTHER included.
_DEMO_FLAGS = (
    (FlagReason.AGENCY_IMPROPER, "代理人未出示授权委托书（演示数据）"),
    (FlagReason.IDENTITY_FALSE, "身份证件疑似伪造，待核实（演示数据）"),
    (FlagReason.OTHER, "客户长期失联（演示数据）"),
)


def _flag_some(db: Database, count: int, seed: int, operator: str, summary: ImportSummary) -> None:
    wanted = max(len(_DEMO_FLAGS), count // 500)
    with db.read() as session:
        qualified = sorted(
            session.execute(
                select(CapitalAccount.account_no).where(
                    CapitalAccount.account_class.in_(
                        [
                            AccountClass.QUALIFIED_DEPOSITED.value,
                            AccountClass.QUALIFIED_NOT_DEPOSITED.value,
                        ]
                    )
                )
            ).scalars()
        )
    chosen = random.Random(seed).sample(qualified, min(wanted, len(qualified)))
    for index, account_no in enumerate(chosen):
        reason, note = _DEMO_FLAGS[index % len(_DEMO_FLAGS)]
        before = _class_of(db, account_no)
        after = flag_account(db, account_no, reason, note, operator)
        summary.per_class[before] -= 1
        summary.per_class[after.value] += 1


def _class_of(db: Database, account_no: str) -> str:
    with db.read() as session:
        return session.execute(
            select(CapitalAccount.account_class).where(CapitalAccount.account_no == account_no)
        ).scalar_one()


def write_demo_export(path: Path, *, accounts: int | None = None, seed: int | None = None) -> int:
    count = accounts or demo_data.DEFAULT_ACCOUNTS
    seed = demo_data.DEFAULT_SEED if seed is None else seed
    encoding = "utf-8-sig" if path.suffix.lower() == ".xlsx" else "gb18030"
    rows = demo_data.generate_rows(accounts=count, seed=seed, base_date=DEMO_BASE_DATE)
    return demo_data.write_export(path, rows, encoding=encoding)
