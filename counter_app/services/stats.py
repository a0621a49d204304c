"""The statistics table: each class at the base date and as of any date, and the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from counter_app.db.models import Classification, ImportBatch
from counter_app.domain.codes import AccountClass
from counter_app.errors import UserError
from counter_app.services.settings import get_base_date

TOTAL = "TOTAL"
ROW_ORDER: tuple[str, ...] = (*(c.value for c in AccountClass), TOTAL)


@dataclass(frozen=True, slots=True)
class Counts:
    capital_accounts: int
    securities_accounts: int

    def __sub__(self, other: Counts) -> Counts:
        return Counts(
            self.capital_accounts - other.capital_accounts,
            self.securities_accounts - other.securities_accounts,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "capital_accounts": self.capital_accounts,
            "securities_accounts": self.securities_accounts,
        }


@dataclass(frozen=True, slots=True)
class StatsRow:
    account_class: str
    base: Counts
    current: Counts

    @property
    def change(self) -> Counts:
        return self.current - self.base


@dataclass(frozen=True)
class StatsReport:
    base_date: date
    as_of: date
    rows: list[StatsRow]

    def as_dict(self) -> dict[str, Any]:
        return {
            "base_date": self.base_date.isoformat(),
            "as_of": self.as_of.isoformat(),
            "rows": [
                {
                    "class": row.account_class,
                    "base": row.base.as_dict(),
                    "current": row.current.as_dict(),
                    "change": row.change.as_dict(),
                }
                for row in self.rows
            ],
        }


def base_instant(session: Session, base_date: date) -> datetime:
    """When the base picture was taken: the first import's effective time."""
    first = session.execute(select(func.min(ImportBatch.effective_at))).scalar_one_or_none()
    return first or datetime.combine(base_date, time.min)


def stats_report(session: Session, as_of: date | None = None) -> StatsReport:
    base_date = get_base_date(session)
    if base_date is None:
        raise UserError(
            "nothing has been screened yet: import the counter export first",
            zh="尚未做过任何筛查：请先导入柜台导出文件",
        )
    as_of = as_of or date.today()
    if as_of < base_date:
        raise UserError(
            f"{as_of.isoformat()} is before the base date {base_date.isoformat()}: "
            "there is nothing to report for it",
            zh=f"{as_of.isoformat()} 早于基准日 {base_date.isoformat()}：该日期没有可统计的内容",
        )
    t0 = base_instant(session, base_date)
    # "as of a date" means at the end of that day
    t1 = datetime.combine(as_of + timedelta(days=1), time.min)
    c = Classification
    at_base = and_(c.valid_from <= t0, or_(c.valid_to.is_(None), c.valid_to > t0))
    at_date = and_(c.valid_from < t1, or_(c.valid_to.is_(None), c.valid_to >= t1))
    rows = session.execute(
        select(
            c.account_class,
            func.sum(case((at_base, 1), else_=0)),
            func.sum(case((at_base, c.securities_count), else_=0)),
            func.sum(case((at_date, 1), else_=0)),
            func.sum(case((at_date, c.securities_count), else_=0)),
        )
        .where(c.valid_from < t1, or_(c.valid_to.is_(None), c.valid_to > t0))
        .group_by(c.account_class)
    ).all()
    found = {
        cls: (Counts(int(bc or 0), int(bs or 0)), Counts(int(cc or 0), int(cs or 0)))
        for cls, bc, bs, cc, cs in rows
    }
    zero = Counts(0, 0)
    report_rows = [StatsRow(cls.value, *found.get(cls.value, (zero, zero))) for cls in AccountClass]
    total = StatsRow(
        TOTAL,
        Counts(
            sum(r.base.capital_accounts for r in report_rows),
            sum(r.base.securities_accounts for r in report_rows),
        ),
        Counts(
            sum(r.current.capital_accounts for r in report_rows),
            sum(r.current.securities_accounts for r in report_rows),
        ),
    )
    return StatsReport(base_date=base_date, as_of=as_of, rows=[*report_rows, total])
