"""`counter-app demo`: the demo branch loads through the importer with every class and reason."""

from __future__ import annotations

from sqlalchemy import select

from counter_app.db.models import CapitalAccount
from counter_app.domain.codes import AccountClass, Reason
from counter_app.domain.screening import reasons_from_text
from counter_app.services.demo import load_demo
from counter_app.services.stats import stats_report


def test_demo_branch_has_every_class_and_every_reason(db):
    summary = load_demo(db, accounts=800, seed=11)
    assert summary.new == 800
    with db.read() as session:
        rows = session.execute(select(CapitalAccount.account_class, CapitalAccount.reasons)).all()
        report = stats_report(session)
    classes = {cls for cls, _ in rows}
    assert classes == {c.value for c in AccountClass}
    reasons = set().union(*(reasons_from_text(text) for _, text in rows))
    assert reasons == set(Reason)
    assert {k: v for k, v in summary.per_class.items() if v} == {
        cls: sum(1 for c, _ in rows if c == cls) for cls in classes
    }
    total = report.rows[-1]
    assert total.current.capital_accounts == 800


def test_demo_is_reproducible_by_seed(tmp_path):
    from counter_app.db.engine import Database

    def load(name: str, seed: int) -> list:
        db = Database(str(tmp_path / name))
        from counter_app.db.schema import init_db

        init_db(db)
        load_demo(db, accounts=300, seed=seed)
        with db.read() as session:
            snapshot = session.execute(
                select(
                    CapitalAccount.account_no,
                    CapitalAccount.account_class,
                    CapitalAccount.reasons,
                ).order_by(CapitalAccount.account_no)
            ).all()
        db.dispose()
        return [tuple(r) for r in snapshot]

    first = load("a.sqlite3", 5)
    assert len(first) == 300
    assert load("b.sqlite3", 5) == first
    assert load("c.sqlite3", 6) != first
