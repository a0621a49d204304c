"""Simulated counter clerks working one shared database at once.

Used by the load test (tests/test_load_cases.py) and the benchmark
(bench/bench_shared_db.py). Each clerk is a separate process with its own
connection(s), like a workstation. Every clerk holds every post's role and loops:

1. open the next case of its share of the accounts (diversion);
2. take the oldest unclaimed case from the furthest post it can (bank posting,
   audit, signing, data filling: ``claim_next``, FOR UPDATE SKIP LOCKED on
   PostgreSQL) and do that post's work: data filling saves the missing phone number
   and forwards, signing signs with a bank card, audit approves, bank posting
   confirms by hand, and the case is DONE;
3. stop when every case of the run is DONE.

Each step is one call of the service layer (one transaction). A step that meets a
retryable database problem (busy, conflict, connection lost) is tried again and
counted; any other exception is recorded and ends that clerk. Every step is logged
with its case and duration so the caller can check that no case was worked twice or
lost, and measure latency.
"""

from __future__ import annotations

import multiprocessing as mp
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select
from stdnum import luhn

from counter_app.db.engine import Database
from counter_app.db.errors import explain
from counter_app.db.models import Case, User
from counter_app.domain.codes import CaseState, Role
from counter_app.importing.reader import RawRow
from counter_app.services.importer import import_rows
from counter_app.services.users import UserView, add_user, create_first_admin, view_of_user

T = TypeVar("T")
BASE_DATE = date(2025, 6, 30)
PASSWORD = "load test password 1"
ALL_POSTS = [Role.DIVERSION, Role.DATA_FILLING, Role.SIGNING, Role.AUDIT, Role.BANK_POSTING]
#: furthest post first, so cases flow out instead of piling up at the first post
WORK_ORDER = (CaseState.BANK_POSTING, CaseState.AUDIT, CaseState.SIGNING, CaseState.DATA_FILLING)
FIRST_ACCOUNT = 60_000_000
MAX_RETRIES = 5


def account_numbers(count: int) -> list[str]:
    return [str(FIRST_ACCOUNT + i) for i in range(count)]


def _ric(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def card_for(account: str) -> str:
    body = f"6217{int(account):014d}"
    return body + luhn.calc_check_digit(body)


def _rows(count: int) -> list[RawRow]:
    """Clean customers whose only fault is a missing phone: DATA_FILLING first."""
    rows = []
    for i, account in enumerate(account_numbers(count)):
        born = date(1950, 1, 1) + timedelta(days=i // 1000)  # unique: no DUPLICATE_ID
        id_number = _ric(f"430102{born:%Y%m%d}{i % 1000:03d}")
        name = f"客户{i:05d}"
        rows.append(
            RawRow(
                line_no=i + 2,
                values={
                    "capital_account": account,
                    "name": name,
                    "id_number": id_number,
                    "phone": "",
                    "address": "长沙市天心区中山路1号",
                    "opened_on": "2015-01-01",
                    "balance": "5000.00",
                    "last_trade_on": "2025-05-01",
                    "sh_account": f"A6{i:08d}",
                    "sh_name": name,
                    "sh_id_number": id_number,
                },
            )
        )
    return rows


#: steps a case needs at each post (claims included): a hall seats its clerks in proportion
_POST_WEIGHTS = {
    Role.DIVERSION: 1,  # open
    Role.DATA_FILLING: 3,  # claim, save, forward
    Role.SIGNING: 2,  # claim, sign
    Role.AUDIT: 2,  # claim, approve
    Role.BANK_POSTING: 2,  # claim, confirm
}


def hall_posts(clerks: int) -> list[Role]:
    """Seat ``clerks`` clerks at the five posts in proportion to each post's work (at
    least one each; largest remainder): 20 clerks give 2, 6, 4, 4, 4."""
    if clerks < len(_POST_WEIGHTS):
        raise ValueError(f"a hall needs at least {len(_POST_WEIGHTS)} clerks, one per post")
    total = sum(_POST_WEIGHTS.values())
    spare = clerks - len(_POST_WEIGHTS)
    shares = {post: spare * weight / total for post, weight in _POST_WEIGHTS.items()}
    seats = {post: 1 + int(share) for post, share in shares.items()}
    by_remainder = sorted(
        shares, key=lambda p: (shares[p] - int(shares[p]), _POST_WEIGHTS[p]), reverse=True
    )
    for post in by_remainder[: clerks - sum(seats.values())]:
        seats[post] += 1
    return [post for post in _POST_WEIGHTS for _ in range(seats[post])]


def prepare_branch(db: Database, cases: int, clerks: int, accounts: int = 0) -> list[str]:
    """Accounts for ``cases`` cases (and up to ``accounts`` in all, so the tables have
    a real branch's size) and ``clerks`` users; returns the usernames."""
    import_rows(
        db,
        _rows(max(cases, accounts)),
        source_name="load-test.csv",
        source_sha256="0" * 64,
        base_date=BASE_DATE,
        operator="loader",
        now=datetime.combine(BASE_DATE, datetime.min.time()) + timedelta(days=1),
    )
    admin = create_first_admin(db, "admin", "管理员", PASSWORD)
    names = []
    for n in range(clerks):
        name = f"clerk{n:02d}"
        add_user(db, admin, name, f"柜员{n:02d}", PASSWORD, ALL_POSTS)
        names.append(name)
    return names


@dataclass
class ClerkReport:
    """What one clerk process did."""

    clerk: str
    steps: list[tuple[int, str, float]] = field(default_factory=list)  # (case id, step, s)
    retries: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    empty_claims: int = 0  # claim_next calls that found the queue empty (not steps)
    wall_s: float = 0.0
    cpu_s: float = 0.0  # the clerk process's own CPU time over the same span


class _Clerk:
    def __init__(
        self,
        db: Database,
        user: UserView,
        report: ClerkReport,
        until: CaseState,
        think_s: float = 0.0,
        post: CaseState | None = None,
    ) -> None:
        self.db = db
        self.think_s = think_s
        self.user = user
        self.report = report
        # the posts to work at: those before the state the run ends in, or the one post
        # this clerk sits at
        self.posts: tuple[CaseState, ...] = (
            (post,)
            if post is not None
            else WORK_ORDER[WORK_ORDER.index(until) + 1 :]
            if until in WORK_ORDER
            else WORK_ORDER
        )

    def step(self, case_id: int, name: str, action: Callable[[], T]) -> T:
        for attempt in range(MAX_RETRIES + 1):
            started = time.perf_counter()
            try:
                result = action()
            except Exception as err:
                problem = explain(err)
                if problem is None or not problem.retryable or attempt == MAX_RETRIES:
                    raise
                self.report.retries[problem.kind.value] += 1
                time.sleep(0.01 * (attempt + 1))
                continue
            self.report.steps.append((case_id, name, time.perf_counter() - started))
            if self.think_s:
                time.sleep(self.think_s)  # the clerk reads the screen and types the next step
            return result
        raise AssertionError("unreachable")

    def work_one(self) -> bool:
        """Claim a case at the furthest post that has one and do that post's work."""
        from counter_app.services import cases

        # a clerk at one post just asks for the next case (its queue screen polls on its
        # own); a clerk at every post first looks which queues have cases
        waiting = self._waiting() if len(self.posts) > 1 else {self.posts[0].value: 1}
        for state in self.posts:
            if not waiting.get(state.value):
                continue
            case = self.step(
                0, f"claim:{state.value}", lambda s=state: cases.claim_next(self.db, self.user, s)
            )
            if case is None:
                self.report.steps.pop()  # nothing to claim is not a step of any case
                self.report.empty_claims += 1
                continue
            self.report.steps[-1] = (case.id, *self.report.steps[-1][1:])
            self._do(state, case.id, case.capital_account)
            return True
        return False

    def _waiting(self) -> dict[str, int]:
        """Unclaimed cases per post: what the clerk's queue screens show (one light read,
        so a clerk does not open a write transaction at every empty post)."""
        with self.db.read() as session:
            rows = session.execute(
                select(Case.state, func.count())
                .where(Case.claimed_by.is_(None), Case.state.in_([p.value for p in self.posts]))
                .group_by(Case.state)
            ).all()
        return {state: int(count) for state, count in rows}

    def _do(self, state: CaseState, cid: int, account: str) -> None:
        from counter_app.services import cases

        db, me = self.db, self.user
        if state is CaseState.DATA_FILLING:
            form, version, _ = cases.form_of(db, me, cid)
            form.phone = "13800138000"
            self.step(cid, "save", lambda: cases.save_data(db, me, cid, form, version))
            self.step(cid, "forward", lambda: cases.forward_to_signing(db, me, cid))
        elif state is CaseState.SIGNING:
            card = card_for(account)
            self.step(cid, "sign", lambda: cases.sign(db, me, cid, "ICBC", card))
        elif state is CaseState.AUDIT:
            self.step(cid, "approve", lambda: cases.approve(db, me, cid))
        else:
            self.step(cid, "confirm", lambda: cases.confirm_manually(db, me, cid, "bank confirmed"))


def _remaining(db: Database, total: int, until: CaseState) -> int:
    with db.read() as session:
        opened = session.execute(select(func.count()).select_from(Case)).scalar_one()
        done = session.execute(select(func.count()).where(Case.state == until.value)).scalar_one()
    return total - int(done) if opened >= total else total


def run_clerk(
    url: str,
    clerk: str,
    to_open: list[str],
    total: int,
    until: CaseState,
    time_limit_s: float,
    out: Any,
    start_together: Any = None,
    think_s: float = 0.0,
    post: Role | None = None,
) -> None:
    """One clerk's process: work until all ``total`` cases are in state ``until``
    (DONE, or BANK_POSTING for a run that stops after audit), or time runs out.
    With ``post`` the clerk sits at that one post (DIVERSION: opens ``to_open``),
    else it works at every post.

    ``start_together`` (a barrier) holds the clerk, signed in and connected, until
    every clerk is: the run measures the hall at work, not interpreters starting."""
    from counter_app.services import cases

    report = ClerkReport(clerk)
    started = time.perf_counter()
    cpu_started = time.process_time()
    db = Database(url)
    try:
        with db.read() as session:
            user = view_of_user(
                session.execute(select(User).where(User.username == clerk)).scalar_one()
            )
        me = _Clerk(
            db,
            user,
            report,
            until,
            think_s,
            None if post in (None, Role.DIVERSION) else CaseState(post.value),
        )
        if start_together is not None:
            start_together.wait(timeout=300)
            started = time.perf_counter()
        cpu_started = time.process_time()
        pending = list(to_open)
        while time.perf_counter() - started < time_limit_s:
            if pending:
                account = pending.pop(0)
                case = me.step(0, "open", lambda a=account: cases.open_case(db, user, a))
                report.steps[-1] = (case.id, *report.steps[-1][1:])
            worked = post is not Role.DIVERSION and me.work_one()
            if worked or pending:
                continue
            if _remaining(db, total, until) == 0:
                break
            time.sleep(0.05)  # others hold the cases: look again shortly (a queue screen polls)
        else:
            report.errors.append(f"time limit of {time_limit_s:.0f} s reached")
    except Exception:
        report.errors.append(traceback.format_exc())
    finally:
        report.wall_s = time.perf_counter() - started
        report.cpu_s = time.process_time() - cpu_started
        db.dispose()
        out.put(report)


def run_clerks(
    url: str,
    clerks: list[str],
    accounts: list[str],
    *,
    until: CaseState = CaseState.DONE,
    time_limit_s: float = 600,
    think_s: float = 0.0,
    posts: list[Role] | None = None,
) -> list[ClerkReport]:
    """Start one process per clerk (spawned: a fresh interpreter, like a workstation),
    share the accounts to open among them, let them start work together once all are
    signed in, and collect their reports (``wall_s`` counts from that start).

    ``posts`` seats clerk i at ``posts[i]`` (a hall: see ``hall_posts``); the accounts
    are then opened by the DIVERSION clerks. Without it every clerk works everywhere."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start_together = ctx.Barrier(len(clerks))
    openers = (
        [c for c, p in zip(clerks, posts, strict=True) if p is Role.DIVERSION]
        if posts is not None
        else clerks
    )
    if not openers:
        raise ValueError("a hall needs at least one DIVERSION clerk to open the cases")
    procs = [
        ctx.Process(
            target=run_clerk,
            args=(
                url,
                clerk,
                accounts[openers.index(clerk) :: len(openers)] if clerk in openers else [],
                len(accounts),
                until,
                time_limit_s,
                out,
                start_together,
                think_s,
                posts[i] if posts is not None else None,
            ),
        )
        for i, clerk in enumerate(clerks)
    ]
    for proc in procs:
        proc.start()
    reports = [out.get(timeout=time_limit_s + 120) for _ in procs]
    for proc in procs:
        proc.join(60)
    return reports
