"""What every counter use case shares: the plain views handed out, and the checks and
bookkeeping each step does (who may act, the claim, the step row, the audit entry).

The public API is ``services/cases.py``; this module is its engine room.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from counter_app.db.engine import Database
from counter_app.db.models import (
    Agreement,
    CapitalAccount,
    Case,
    CaseStep,
    Customer,
    RestrictionRecord,
    User,
)
from counter_app.domain.codes import (
    DATA_REASONS,
    IDENTITY_REASONS,
    MANUAL_REASONS,
    AccountClass,
    CaseState,
    DepositoryStatus,
    Reason,
    Restriction,
    Role,
    StepKind,
)
from counter_app.domain.reason_text import (
    CLASS_TEXT,
    DEPOSITORY_TEXT,
    REASON_TEXT,
    en_words,
    zh_words,
)
from counter_app.domain.screening import reasons_from_text, reasons_to_text, sort_reasons
from counter_app.errors import NotFound, Refused, StaleEdit
from counter_app.services.audit import AuditLog
from counter_app.services.classification import reclassify
from counter_app.services.users import UserView, parse_roles

#: The post (role) that works on a case in each state.
POST_OF_STATE: dict[CaseState, Role] = {
    CaseState.DIVERSION: Role.DIVERSION,
    CaseState.DATA_FILLING: Role.DATA_FILLING,
    CaseState.SIGNING: Role.SIGNING,
    CaseState.AUDIT: Role.AUDIT,
    CaseState.BANK_POSTING: Role.BANK_POSTING,
}
#: States a case can be claimed in (a queue of a post).
QUEUE_STATES: tuple[CaseState, ...] = (
    CaseState.DATA_FILLING,
    CaseState.SIGNING,
    CaseState.AUDIT,
    CaseState.BANK_POSTING,
)
CLOSED_STATES = frozenset({CaseState.DONE, CaseState.CANCELLED})
OPEN_STATES = frozenset(CaseState) - CLOSED_STATES
#: Reasons that keep an account from signing: they need data filling, or a person.
BLOCKING_REASONS = IDENTITY_REASONS | DATA_REASONS | MANUAL_REASONS


# --- the views handed out ----------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    """One step of a case's history (a ``case_steps`` row)."""

    from_state: CaseState
    to_state: CaseState
    actor: str  # username
    at: datetime
    kind: StepKind
    reasons: list[str]  # rejection reason codes, or the bank's code
    note: str
    actor_name: str = ""  # display name


@dataclass(frozen=True)
class RestrictionView:
    id: int
    restriction: Restriction
    batch_no: str
    applied_by: str
    applied_at: datetime
    apply_reason: str
    lifted_by: str | None = None
    lifted_at: datetime | None = None
    lift_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.lifted_at is None


@dataclass(frozen=True)
class CaseView:
    """A case as every screen shows it (plain data; ``steps`` only from ``get_case``).

    ``reasons``, ``account_class`` and ``depository_status`` are the account's now.
    ``restrictions`` are the account's active restrictions.
    """

    id: int
    case_no: str
    capital_account: str
    customer_name: str
    state: CaseState
    claimed_by: str | None
    claimed_at: datetime | None
    opened_by: str
    opened_at: datetime
    version: int
    account_class: AccountClass
    reasons: list[Reason]
    depository_status: DepositoryStatus
    steps: list[StepView] = field(default_factory=list)
    claimed_by_name: str | None = None
    bank_code: str | None = None
    bank_account: str = ""
    agreement_no: str | None = None  # the latest agreement printed for this case
    closed_at: datetime | None = None
    cancel_reason: str | None = None
    restrictions: list[RestrictionView] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES

    @property
    def restrictions_to_lift(self) -> list[RestrictionView]:
        """After DONE on a qualified account: its active restrictions, proposed for lifting."""
        if self.state is CaseState.DONE and self.account_class.is_qualified:
            return [r for r in self.restrictions if r.active]
        return []

    @property
    def lift_proposed(self) -> bool:
        return bool(self.restrictions_to_lift)

    @property
    def activation_proposed(self) -> bool:
        """A dormant account standardized and on depository: ask CSDC to activate it."""
        return self.state is CaseState.DONE and self.account_class is AccountClass.DORMANT_SMALL


# --- units of work -----------------------------------------------------------------


@contextmanager
def writing(db: Database) -> Iterator[Session]:
    """``db.write()``, with a concurrent change to a versioned row reported as StaleEdit."""
    try:
        with db.write() as session:
            yield session
    except StaleDataError as err:
        raise StaleEdit(
            "someone else changed this record at the same moment; nothing was written. "
            "Reload and try again.",
            zh="其他人同时修改了这条记录，本次未保存任何内容。请重新载入后再试。",
        ) from err


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    key: str | int,
    at: datetime,
    before: Any = None,
    after: Any = None,
) -> None:
    """One audit entry, written now (a fresh AuditLog each time keeps the chain whole when
    other services in the same transaction write entries too)."""
    with AuditLog(session) as log:
        log.record(
            actor=actor,
            action=action,
            entity=entity,
            entity_key=key,
            before=before,
            after=after,
            at=at,
        )


# --- who may act ---------------------------------------------------------------------


# built once: every case step runs these (building a statement costs about as much as
# executing a cached one)
_ROLES_OF = select(User.roles, User.active).where(User.id == bindparam("user_id"))
_CASE = select(Case).where(Case.id == bindparam("case_id"))
_CASE_LOCKED = _CASE.with_for_update().execution_options(populate_existing=True)


def acting_roles(session: Session, actor: UserView) -> frozenset[Role]:
    """The actor's roles as stored now (a role taken away counts at once)."""
    row = session.execute(_ROLES_OF, {"user_id": actor.id}).one_or_none()
    if row is None or not row.active:
        raise Refused(
            f"user {actor.username} no longer exists or is disabled",
            zh=f"用户 {actor.username} 已不存在或已停用",
        )
    return parse_roles(row.roles)


def require_post(session: Session, actor: UserView, post: Role, doing: str) -> frozenset[Role]:
    roles = acting_roles(session, actor)
    if post not in roles:
        raise Refused(
            f"{actor.display_name} ({actor.username}) does not have the {en_words(post)} role, "
            f"which {doing} needs",
            zh=(
                f"{actor.display_name} ({actor.username}) 没有“{zh_words(post)}”角色，"
                "无法办理此项业务"
            ),
        )
    return roles


def require_view(session: Session, actor: UserView, post: Role | None) -> frozenset[Role]:
    """Seeing a queue (``post``) or any case (None): that post's role, any post, or SUPERVISOR."""
    roles = acting_roles(session, actor)
    if Role.SUPERVISOR in roles:
        return roles
    if post is None and roles & set(POST_OF_STATE.values()):
        return roles
    if post is not None and post in roles:
        return roles
    what = f"the {en_words(post)} queue" if post is not None else "cases"
    what_zh = f"“{zh_words(post)}”队列" if post is not None else "案件"
    raise Refused(
        f"{actor.display_name} ({actor.username}) has no role that may see {what}",
        zh=f"{actor.display_name} ({actor.username}) 没有查看{what_zh}的角色",
    )


# --- loading -------------------------------------------------------------------------


def load_case(session: Session, case_id: int, *, lock: bool = False) -> Case:
    """The case; ``lock`` takes its row lock (PostgreSQL) so steps on it queue up."""
    case = session.execute(
        _CASE_LOCKED if lock else _CASE, {"case_id": case_id}
    ).scalar_one_or_none()
    if case is None:
        raise NotFound(f"no case with id {case_id}", zh=f"没有编号为 {case_id} 的案件")
    return case


def account_of(session: Session, case: Case) -> CapitalAccount:
    account = session.get(CapitalAccount, case.capital_account_id)
    assert account is not None, "a case's account is a foreign key"
    return account


def require_state(case: Case, *states: CaseState) -> None:
    if CaseState(case.state) not in states:
        wanted = " or ".join(map(en_words, states))
        wanted_zh = "或".join(f"“{zh_words(s)}”" for s in states)
        now_at = CaseState(case.state)
        raise Refused(
            f"case {case.case_no} is at {en_words(now_at)}, not at {wanted}",
            zh=f"案件 {case.case_no} 当前处于“{zh_words(now_at)}”环节，而不是{wanted_zh}环节",
        )


def claim_text(session: Session, case: Case) -> str:
    name = display_names(session, [case.claimed_by or ""]).get(case.claimed_by or "", "")
    since = f"{case.claimed_at:%Y-%m-%d %H:%M}" if case.claimed_at else "?"
    return f"{name or case.claimed_by} ({case.claimed_by}) since {since}"


def require_claim(session: Session, case: Case, actor: UserView) -> None:
    """The actor must hold the case's claim (claim it from the queue first)."""
    if case.claimed_by == actor.username:
        return
    if case.claimed_by is None:
        raise Refused(
            f"case {case.case_no} is not claimed: claim it from the queue first",
            zh=f"案件 {case.case_no} 尚未领取：请先从队列中领取",
        )
    raise Refused(
        f"case {case.case_no} is held by {claim_text(session, case)}",
        zh=f"案件 {case.case_no} 已由 {claim_text_zh(session, case)}",
    )


def require_not_held_by_other(session: Session, case: Case, actor: UserView) -> None:
    if case.claimed_by is not None and case.claimed_by != actor.username:
        raise Refused(
            f"case {case.case_no} is held by {claim_text(session, case)}",
            zh=f"案件 {case.case_no} 已由 {claim_text_zh(session, case)}",
        )


def blocking_reasons(account: CapitalAccount) -> list[Reason]:
    return sort_reasons(reasons_from_text(account.reasons) & BLOCKING_REASONS)


def claim_text_zh(session: Session, case: Case) -> str:
    """``claim_text`` for Chinese screens: who holds the case and since when."""
    name = display_names(session, [case.claimed_by or ""]).get(case.claimed_by or "", "")
    since = f"{case.claimed_at:%Y-%m-%d %H:%M}" if case.claimed_at else "?"
    return f"{name or case.claimed_by} ({case.claimed_by}) 于 {since} 领取"


def reasons_words(reasons: Iterable[Reason]) -> str:
    return "; ".join(f"{r.value} ({REASON_TEXT[r][1]})" for r in sort_reasons(reasons))


def reasons_words_zh(reasons: Iterable[Reason]) -> str:
    return "；".join(REASON_TEXT[r][0] for r in sort_reasons(reasons))


def depository_zh(status: str) -> str:
    """The Chinese name of a depository status (the code itself when unknown)."""
    try:
        return DEPOSITORY_TEXT[DepositoryStatus(status)][0]
    except ValueError:
        return status


def class_zh(account_class: str) -> str:
    """The Chinese name of an account class (the code itself when unknown)."""
    try:
        return CLASS_TEXT[AccountClass(account_class)][0]
    except ValueError:
        return account_class


# --- changing ------------------------------------------------------------------------


def move(
    session: Session,
    case: Case,
    to_state: CaseState,
    *,
    actor: UserView,
    at: datetime,
    kind: StepKind,
    reasons: Sequence[str] = (),
    note: str = "",
    release_claim: bool = True,
) -> CaseStep:
    """Record a step (a new row, never changed later) and put the case in ``to_state``.

    A case that reaches another post leaves its claim behind: the next post claims it.
    """
    step = CaseStep(
        case_id=case.id,
        from_state=case.state,
        to_state=to_state.value,
        actor=actor.username,
        at=at,
        kind=kind.value,
        reasons=";".join(reasons),
        note=note,
    )
    session.add(step)
    if release_claim:
        case.claimed_by = None
        case.claimed_at = None
    case.state = to_state.value
    if to_state in CLOSED_STATES:
        case.closed_at = at
    session.flush()
    return step


def set_depository(
    session: Session,
    account: CapitalAccount,
    status: DepositoryStatus,
    *,
    actor: UserView,
    at: datetime,
    case_no: str,
    note: str = "",
) -> None:
    """Change the depository status, re-screen (it splits QUALIFIED), audit both."""
    before = {
        "depository_status": account.depository_status,
        "class": account.account_class,
        "reasons": account.reasons,
    }
    account.depository_status = status.value
    account.updated_at = at
    session.flush()
    _, verdict = reclassify(session, account, at=at, cause="depository")
    after = {
        "depository_status": status.value,
        "class": verdict.account_class.value,
        "reasons": reasons_to_text(verdict.reasons),
        "case_no": case_no,
    }
    if note:
        after["note"] = note
    audit(
        session,
        actor=actor.username,
        action="account.depository",
        entity="capital_account",
        key=account.account_no,
        before=before,
        after=after,
        at=at,
    )


# --- building views -------------------------------------------------------------------


def display_names(session: Session, usernames: Collection[str]) -> dict[str, str]:
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    rows = session.execute(
        select(User.username, User.display_name).where(User.username.in_(wanted))
    )
    return {username: name for username, name in rows.all()}


def restrictions_of(
    session: Session, account_id: int, *, active_only: bool = True
) -> list[RestrictionView]:
    stmt = select(RestrictionRecord).where(RestrictionRecord.capital_account_id == account_id)
    if active_only:
        stmt = stmt.where(RestrictionRecord.lifted_at.is_(None))
    rows = session.execute(stmt.order_by(RestrictionRecord.applied_at, RestrictionRecord.id))
    return [restriction_view(r) for r in rows.scalars()]


def restriction_view(r: Any) -> RestrictionView:
    """From a RestrictionRecord, or a row of its columns (``_RESTRICTION_COLUMNS``)."""
    return RestrictionView(
        id=r.id,
        restriction=Restriction(r.restriction),
        batch_no=r.batch_no,
        applied_by=r.applied_by,
        applied_at=r.applied_at,
        apply_reason=r.apply_reason,
        lifted_by=r.lifted_by,
        lifted_at=r.lifted_at,
        lift_reason=r.lift_reason,
    )


_RESTRICTION_COLUMNS = (
    RestrictionRecord.id,
    RestrictionRecord.restriction,
    RestrictionRecord.batch_no,
    RestrictionRecord.applied_by,
    RestrictionRecord.applied_at,
    RestrictionRecord.apply_reason,
    RestrictionRecord.lifted_by,
    RestrictionRecord.lifted_at,
    RestrictionRecord.lift_reason,
)


def steps_of(session: Session, case_id: int) -> list[StepView]:
    # plain columns, not entities: this runs after every case step
    rows = session.execute(
        select(
            CaseStep.from_state,
            CaseStep.to_state,
            CaseStep.actor,
            CaseStep.at,
            CaseStep.kind,
            CaseStep.reasons,
            CaseStep.note,
            User.display_name,
        )
        .outerjoin(User, User.username == CaseStep.actor)
        .where(CaseStep.case_id == case_id)
        .order_by(CaseStep.id)
    ).all()
    return [
        StepView(
            from_state=CaseState(from_state),
            to_state=CaseState(to_state),
            actor=actor,
            at=at,
            kind=StepKind(kind),
            reasons=[part for part in reasons.split(";") if part],
            note=note,
            actor_name=name or "",
        )
        for from_state, to_state, actor, at, kind, reasons, note, name in rows
    ]


def _loaded(session: Session, model: type[Any], ids: Collection[int]) -> dict[int, Any]:
    """Rows by primary key: those this session already holds cost no query (a case step
    has just loaded its account and customer), the rest come in one query."""
    found: dict[int, Any] = {}
    missing = []
    for key in ids:
        row = session.identity_map.get(identity_key(model, key))
        if row is None:
            missing.append(key)
        else:
            found[key] = row
    if missing:
        found.update(
            (row.id, row)
            for row in session.execute(select(model).where(model.id.in_(missing))).scalars()
        )
    return found


def case_views(
    session: Session, cases: Sequence[Case], *, with_steps: bool = False
) -> list[CaseView]:
    """Views of several cases with a fixed number of queries (for queues)."""
    if not cases:
        return []
    account_ids = {c.capital_account_id for c in cases}
    accounts: dict[int, CapitalAccount] = _loaded(session, CapitalAccount, account_ids)
    customers: dict[int, Customer] = _loaded(
        session, Customer, {a.customer_id for a in accounts.values()}
    )
    case_ids = [c.id for c in cases]
    agreements: dict[int, str] = {}
    for case_id, number in session.execute(
        select(Agreement.case_id, Agreement.agreement_no)
        .where(Agreement.case_id.in_(case_ids))
        .order_by(Agreement.id)
    ).all():
        if case_id is not None:
            agreements[case_id] = number  # the last one wins
    restrictions: dict[int, list[RestrictionView]] = {}
    for r in session.execute(
        select(RestrictionRecord.capital_account_id, *_RESTRICTION_COLUMNS)
        .where(
            RestrictionRecord.capital_account_id.in_(account_ids),
            RestrictionRecord.lifted_at.is_(None),
        )
        .order_by(RestrictionRecord.applied_at, RestrictionRecord.id)
    ):
        restrictions.setdefault(r.capital_account_id, []).append(restriction_view(r))
    steps = {case.id: steps_of(session, case.id) for case in cases} if with_steps else {}
    known = {s.actor: s.actor_name for case_steps in steps.values() for s in case_steps}
    names = {c.claimed_by: known[c.claimed_by] for c in cases if c.claimed_by in known}
    names.update(
        display_names(session, [c.claimed_by or "" for c in cases if c.claimed_by not in names])
    )
    views = []
    for case in cases:
        account = accounts[case.capital_account_id]
        customer = customers[account.customer_id]
        views.append(
            CaseView(
                id=case.id,
                case_no=case.case_no,
                capital_account=account.account_no,
                customer_name=customer.name,
                state=CaseState(case.state),
                claimed_by=case.claimed_by,
                claimed_at=case.claimed_at,
                opened_by=case.opened_by,
                opened_at=case.opened_at,
                version=case.version,
                account_class=AccountClass(account.account_class),
                reasons=sort_reasons(reasons_from_text(account.reasons)),
                depository_status=DepositoryStatus(account.depository_status),
                steps=steps.get(case.id, []),
                claimed_by_name=names.get(case.claimed_by or ""),
                bank_code=account.bank_code,
                bank_account=account.bank_account,
                agreement_no=agreements.get(case.id),
                closed_at=case.closed_at,
                cancel_reason=case.cancel_reason,
                restrictions=restrictions.get(account.id, []),
            )
        )
    return views


def case_view(session: Session, case: Case, *, with_steps: bool = True) -> CaseView:
    session.flush()
    return case_views(session, [case], with_steps=with_steps)[0]
