"""Many clerks at once: every case ends exactly once in the right state.

8 clerk processes move 1,000 cases through diversion, data filling, signing and audit
against PostgreSQL (claim_next with FOR UPDATE SKIP LOCKED), and 4 processes move 200
cases to DONE on one SQLite file (BEGIN IMMEDIATE write transactions). Afterwards:
each case went through each post once (its steps, the clerks' own logs and the audit
log agree), no case is lost or doubled, every account is where the run leaves it
(signed, or on depository), the audit chain verifies, and on SQLite no "database is
locked" reached a clerk.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from bench.clerk_sim import ClerkReport, account_numbers, hall_posts, prepare_branch, run_clerks
from counter_app.db.engine import Database
from counter_app.db.models import AuditEntry, CapitalAccount, Case, CaseStep
from counter_app.domain.codes import AccountClass, CaseState, DepositoryStatus, Role, StepKind
from counter_app.services.audit import verify_chain

_ALL_STEPS = [
    (StepKind.OPEN, CaseState.DIVERSION, CaseState.DATA_FILLING),
    (StepKind.SAVE, CaseState.DATA_FILLING, CaseState.DATA_FILLING),
    (StepKind.FORWARD, CaseState.DATA_FILLING, CaseState.SIGNING),
    (StepKind.FORWARD, CaseState.SIGNING, CaseState.AUDIT),
    (StepKind.FORWARD, CaseState.AUDIT, CaseState.BANK_POSTING),
    (StepKind.MANUAL_CONFIRM, CaseState.BANK_POSTING, CaseState.DONE),
]
_WORK = ["open", "save", "forward", "sign", "approve", "confirm"]
_CLAIMS = ["claim:DATA_FILLING", "claim:SIGNING", "claim:AUDIT", "claim:BANK_POSTING"]
# Where each run ends, and what the account then is.
_OUTCOME = {
    CaseState.DONE: (AccountClass.QUALIFIED_DEPOSITED, DepositoryStatus.ACTIVE),
    CaseState.BANK_POSTING: (AccountClass.QUALIFIED_NOT_DEPOSITED, DepositoryStatus.SIGNED),
}


def _check(db: Database, reports: list[ClerkReport], total: int, until: CaseState) -> Counter[str]:
    expected_steps = _ALL_STEPS[: 5 if until is CaseState.BANK_POSTING else 6]
    work = _WORK[: 5 if until is CaseState.BANK_POSTING else 6]
    claims = _CLAIMS[: 3 if until is CaseState.BANK_POSTING else 4]
    errors = [e for r in reports for e in r.errors]
    assert errors == [], errors[0]
    retries: Counter[str] = Counter()
    for r in reports:
        retries.update(r.retries)

    # the clerks' own logs: each step of each case done exactly once, by someone
    done: Counter[tuple[int, str]] = Counter(
        (case_id, step) for r in reports for case_id, step, _ in r.steps
    )
    twice = [key for key, n in done.items() if n != 1]
    assert twice == [], f"steps done more than once: {twice[:10]}"
    case_ids = {case_id for case_id, _ in done}
    assert len(case_ids) == total and 0 not in case_ids
    for case_id in case_ids:
        assert all((case_id, step) in done for step in work + claims), case_id
    assert len(done) == total * (len(work) + len(claims))

    with db.read() as session:
        cases = session.execute(select(Case.id, Case.state, Case.claimed_by)).all()
        assert len(cases) == total
        assert {c.state for c in cases} == {until.value}
        assert {c.claimed_by for c in cases} == {None}
        assert {c.id for c in cases} == case_ids
        per_account = session.execute(
            select(Case.capital_account_id, func.count()).group_by(Case.capital_account_id)
        ).all()
        assert len(per_account) == total and {n for _, n in per_account} == {1}

        steps: dict[int, list[tuple[str, str, str]]] = {}
        for case_id, kind, src, dst in session.execute(
            select(
                CaseStep.case_id, CaseStep.kind, CaseStep.from_state, CaseStep.to_state
            ).order_by(CaseStep.id)
        ):
            steps.setdefault(case_id, []).append((kind, src, dst))
        expected = [(k.value, a.value, b.value) for k, a, b in expected_steps]
        wrong = [cid for cid, seq in steps.items() if seq != expected]
        assert wrong == [], f"case {wrong[0]} went {steps[wrong[0]]}"

        accounts = session.execute(
            select(CapitalAccount.account_class, CapitalAccount.depository_status, func.count())
            .where(CapitalAccount.account_no.in_(account_numbers(total)))
            .group_by(CapitalAccount.account_class, CapitalAccount.depository_status)
        ).all()
        cls, depository = _OUTCOME[until]
        assert [tuple(a) for a in accounts] == [(cls.value, depository.value, total)]
        claim_entries = session.execute(
            select(func.count()).where(AuditEntry.action == "case.claim")
        ).scalar_one()
        assert claim_entries == len(claims) * total
        checked, broken = verify_chain(session)
    assert broken is None, broken
    assert checked > 10 * total
    return retries


@pytest.mark.slow
@pytest.mark.postgres
def test_eight_clerks_move_a_thousand_cases_on_postgresql(pg_url: str) -> None:
    total = 1000
    db = Database(pg_url)
    clerks = prepare_branch(db, total, 8)
    # open, then claim -> save -> forward -> claim -> sign -> claim -> approve -> claim
    # -> confirm: every post, clerks competing at each, to the end of the workflow
    until = CaseState.DONE
    reports = run_clerks(pg_url, clerks, account_numbers(total), until=until, time_limit_s=300)
    retries = _check(db, reports, total, until)
    # every clerk took part, and the conflicts the server resolved were only retried
    assert all(sum(1 for s in r.steps if s[1] != "open") > 0 for r in reports)
    assert set(retries) <= {"conflict", "busy"}, retries
    db.dispose()


@pytest.mark.slow
def test_four_clerks_share_one_sqlite_file(sqlite_url: str) -> None:
    total = 200
    db = Database(sqlite_url)
    clerks = prepare_branch(db, total, 4)
    reports = run_clerks(sqlite_url, clerks, account_numbers(total), time_limit_s=300)
    retries = _check(db, reports, total, CaseState.DONE)
    assert retries == Counter(), f"'database is locked' reached a clerk: {retries}"
    db.dispose()


def test_a_hall_seats_clerks_in_proportion_to_each_posts_work() -> None:
    assert Counter(hall_posts(20)) == {
        Role.DIVERSION: 2,
        Role.DATA_FILLING: 6,
        Role.SIGNING: 4,
        Role.AUDIT: 4,
        Role.BANK_POSTING: 4,
    }
    assert Counter(hall_posts(5)) == dict.fromkeys(
        (Role.DIVERSION, Role.DATA_FILLING, Role.SIGNING, Role.AUDIT, Role.BANK_POSTING), 1
    )
    assert all(len(hall_posts(n)) == n for n in range(5, 40))
    with pytest.raises(ValueError):
        hall_posts(4)
