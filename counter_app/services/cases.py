"""The counter workflow as use cases: diversion, data filling, signing, audit, bank
posting (``services/bank_posting.py``, re-exported here), claims and cancelling.

Every function takes the database and the acting user first, checks the actor's role
for the post (``Refused`` naming the role otherwise; roles are re-read from the
database), runs as one write transaction, records each move as a ``case_steps`` row
(never changed or deleted) with an audit entry, and returns plain dataclasses.

Decisions:

- **First post** (``open_case``): an account with data or identity reasons goes to
  DATA_FILLING; one whose only lack is the agreement (no such reasons, depository not
  ACTIVE) goes straight to SIGNING. A small dormant account follows the same rule
  (standardize, go on depository; ``CaseView.activation_proposed`` then says it still
  needs activating through CSDC); a dormant account already clean and on depository is
  refused (it needs activation, not a counter case). QUALIFIED_DEPOSITED is refused
  ("already standardized and on depository"), and so is any account with an active
  manual flag (UNQUALIFIED_OTHER, or a flag hidden behind a data reason): a person must
  clear the flag first, since the case could never finish while it stands. An account
  with an open case is refused, naming the case, its post and who holds it.
- **On depository already** (ACTIVE, but data to fix): data filling forwards straight
  to AUDIT (the agreement is in force) and approval closes the case (nothing to post).
- **Claims**: a case is worked on by the clerk holding its claim; moving it to another
  post releases the claim. Claiming locks the case row with ``FOR UPDATE SKIP LOCKED``
  on PostgreSQL (on SQLite the write transaction is already exclusive), so two clerks
  never both get a case. Every other step locks the case row (``FOR UPDATE``), so
  steps on one case queue up instead of overwriting each other. SUPERVISOR may
  release anyone's claim and cancel any case; queues list oldest opened first.
- **Rejection** (``REJECTION_TARGET``): if any reason is about the data
  (ID_COPY_UNCLEAR, DATA_MISMATCH, OTHER) the case goes back to DATA_FILLING, the
  earliest post that can fix it (from there it passes signing again); otherwise
  (SIGNATURE_MISSING, AGREEMENT_WRONG, BANK_ACCOUNT_WRONG) back to SIGNING. A
  rejection voids the signed agreement: the depository status goes SIGNED -> NONE
  (the agreement record stays). An account already ACTIVE always goes back to
  DATA_FILLING. OTHER needs a note.
- **Auditor is maker** (settings ``auditor_not_filler`` / ``auditor_not_signer``, off by
  default): a filler is whoever saved data in the case or forwarded it from data
  filling; a signer is whoever signed it. When on, such a person cannot claim, approve
  or reject the case, and ``claim_next`` passes over it.
- **Cancel**: by a clerk holding the case's post role (and not held by someone else),
  or a SUPERVISOR; a signed agreement not yet sent to the bank is void (SIGNED ->
  NONE). A case already sent (PENDING_BANK) keeps that status: a later bank response
  for it is reported as not matching any case.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Exists, and_, exists, or_, select
from sqlalchemy.orm import Session

from counter_app.db.engine import Database
from counter_app.db.models import (
    AuditEntry,
    Bank,
    CapitalAccount,
    Case,
    CaseStep,
    Classification,
    Customer,
    ManualFlag,
    RestrictionRecord,
)
from counter_app.domain.bank_account import (
    BankAccountError,
    bank_account_message,
    check_bank_account,
)
from counter_app.domain.codes import (
    DATA_REASONS,
    IDENTITY_REASONS,
    MANUAL_REASONS,
    AccountClass,
    CaseState,
    DepositoryStatus,
    Reason,
    RejectionReason,
    Role,
    StepKind,
)
from counter_app.domain.reason_text import REJECTION_TEXT, en_words, zh_words
from counter_app.domain.screening import reasons_from_text, reasons_to_text, sort_reasons
from counter_app.errors import NotFound, Refused, StaleEdit, UserError
from counter_app.services.agreements import issue_agreement
from counter_app.services.bank_posting import (
    BankFileRefused,
    BankLineProblem,
    BankResponseSummary,
    bank_batches,
    confirm_manually,
    export_bank_batch,
    import_bank_response,
)
from counter_app.services.case_core import (
    CLOSED_STATES,
    OPEN_STATES,
    POST_OF_STATE,
    QUEUE_STATES,
    CaseView,
    RestrictionView,
    StepView,
    account_of,
    acting_roles,
    audit,
    blocking_reasons,
    case_view,
    case_views,
    claim_text,
    claim_text_zh,
    class_zh,
    depository_zh,
    display_names,
    load_case,
    move,
    reasons_words,
    reasons_words_zh,
    require_claim,
    require_not_held_by_other,
    require_post,
    require_state,
    require_view,
    restriction_view,
    restrictions_of,
    set_depository,
    writing,
)
from counter_app.services.classification import reclassify, refresh_duplicates, screening_policy
from counter_app.services.customer_form import (
    FIELD_LABELS,
    CustomerForm,
    FieldChange,
    HolderForm,
    Message,
    apply_changes,
    changes_between,
    form_of_account,
    holder_field,
    stored_values,
    validate_form,
)
from counter_app.services.lookup import AccountView, find_accounts, get_account, view_of
from counter_app.services.settings import AUDITOR_NOT_FILLER, AUDITOR_NOT_SIGNER, get_settings
from counter_app.services.users import UserView

CASE_PREFIX = "C"

#: (code, Chinese, English): what an auditor may reject a case for (words: domain.reason_text).
REJECTION_REASONS: list[tuple[str, str, str]] = [
    (code.value, zh, en) for code, (zh, en) in REJECTION_TEXT.items()
]

#: The post each rejection reason sends a case back to (the earliest one wins).
REJECTION_TARGET: dict[RejectionReason, CaseState] = {
    RejectionReason.ID_COPY_UNCLEAR: CaseState.DATA_FILLING,
    RejectionReason.DATA_MISMATCH: CaseState.DATA_FILLING,
    RejectionReason.SIGNATURE_MISSING: CaseState.SIGNING,
    RejectionReason.AGREEMENT_WRONG: CaseState.SIGNING,
    RejectionReason.BANK_ACCOUNT_WRONG: CaseState.SIGNING,
    RejectionReason.OTHER: CaseState.DATA_FILLING,
}

_TRUE = frozenset({"1", "true", "yes", "on"})


# --- views particular to this module ---------------------------------------------------


@dataclass(frozen=True)
class ClassPeriod:
    """One period of the account's classification history."""

    valid_from: datetime
    valid_to: datetime | None
    account_class: AccountClass
    reasons: list[Reason]
    cause: str


@dataclass(frozen=True)
class FlagView:
    reason: str
    note: str
    flagged_by: str
    flagged_at: datetime
    cleared_by: str | None
    cleared_at: datetime | None
    clear_note: str | None


@dataclass(frozen=True)
class AccountOverview:
    """What diversion shows of an account before opening a case.

    ``route`` is the post ``open_case`` would send it to, or None with ``refusal``
    saying why a case cannot be opened.
    """

    account: AccountView
    restrictions: list[RestrictionView]
    flags: list[FlagView]
    history: list[ClassPeriod]
    cases: list[CaseView]  # newest first, without steps
    open_case: CaseView | None
    route: CaseState | None
    refusal: str | None


@dataclass(frozen=True)
class SaveResult:
    before_reasons: list[Reason]
    after_reasons: list[Reason]
    account_class: AccountClass
    changes: list[FieldChange]
    customer_version: int
    before_class: AccountClass | None = None
    #: other capital accounts whose DUPLICATE_ID changed because of this save
    partners_rejudged: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """No data or identity reason left: the case may go on to signing."""
        return not set(self.after_reasons) & (DATA_REASONS | IDENTITY_REASONS | MANUAL_REASONS)


@dataclass(frozen=True)
class StaleField:
    """A field the save would have overwritten, as stored now, and who changed it last."""

    field: str
    stored: str
    yours: str
    changed_by: str | None
    changed_by_name: str | None
    changed_at: datetime | None


class CustomerChanged(StaleEdit):
    """The customer changed since the form was read; nothing was written.

    Attributes:
        fields: the fields where the stored value differs from the form's.
        current_version: the customer version now (save again with it to overwrite).
    """

    def __init__(
        self,
        message: str,
        fields: list[StaleField],
        current_version: int,
        *,
        zh: str | None = None,
    ) -> None:
        super().__init__(message, zh=zh)
        self.fields = fields
        self.current_version = current_version


@dataclass(frozen=True)
class DataChangeView:
    """One field changed by a save in a case (for the auditor's before/after)."""

    at: datetime
    actor: str
    actor_name: str
    field: str
    old: str
    new: str


# --- small helpers ---------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or datetime.now()


#: the Chinese of ``_required_text``'s ``what`` (keep in step with its callers)
_WHAT_ZH = {
    "a note saying what data filling must fix": "说明，写明资料录入需要整改的内容",
    "a reason for cancelling": "撤销原因",
    "a reason for lifting the restriction": "解除限制的原因",
}
#: the Chinese of ``_check_auditor``'s ``did``
_DID_ZH = {"filled in the data of": "资料录入", "signed": "签约"}


def _required_text(text: str, what: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise UserError(f"{what} is required", zh=f"请填写{_WHAT_ZH.get(what, what)}")
    return cleaned


def _auditor_rules(session: Session) -> tuple[bool, bool]:
    """The auditor-is-maker settings (not filler, not signer), read in one query."""
    values = get_settings(session, (AUDITOR_NOT_FILLER, AUDITOR_NOT_SIGNER))
    return (
        (values[AUDITOR_NOT_FILLER] or "").strip().lower() in _TRUE,
        (values[AUDITOR_NOT_SIGNER] or "").strip().lower() in _TRUE,
    )


def _lock_account(session: Session, capital_account: str) -> CapitalAccount:
    """The account, its row locked (PostgreSQL) so two openings of a case queue up."""
    account_id = session.execute(
        select(CapitalAccount.id)
        .where(CapitalAccount.account_no == capital_account.strip())
        .with_for_update()
    ).scalar_one_or_none()
    if account_id is None:
        raise NotFound(
            f"no capital account {capital_account.strip()}",
            zh=f"没有资金账户 {capital_account.strip()}",
        )
    account = session.get(CapitalAccount, account_id, populate_existing=True)
    assert account is not None
    return account


def _open_case_row(session: Session, account_id: int) -> Case | None:
    return session.execute(
        select(Case)
        .where(
            Case.capital_account_id == account_id,
            Case.state.in_([s.value for s in OPEN_STATES]),
        )
        .order_by(Case.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _route(session: Session, account: CapitalAccount) -> CaseState:
    """The first post of a new case for ``account``, or Refused saying why there is none."""
    existing = _open_case_row(session, account.id)
    if existing is not None:
        held = (
            f"held by {claim_text(session, existing)}"
            if existing.claimed_by
            else "not claimed by anyone"
        )
        held_zh = (
            f"已由 {claim_text_zh(session, existing)}" if existing.claimed_by else "尚无人领取"
        )
        raise Refused(
            f"case {existing.case_no} is already open for capital account "
            f"{account.account_no}: it is at {en_words(CaseState(existing.state))}, {held}",
            zh=(
                f"资金账户 {account.account_no} 已有在办案件 {existing.case_no}：当前处于"
                f"“{zh_words(CaseState(existing.state))}”环节，{held_zh}"
            ),
        )
    reasons = reasons_from_text(account.reasons)
    manual = reasons & MANUAL_REASONS
    if manual:
        raise Refused(
            f"capital account {account.account_no} is flagged unqualified by a person "
            f"({reasons_words(manual)}): a case can be opened only after a person has "
            "checked it and cleared the flag with a note",
            zh=(
                f"资金账户 {account.account_no} 已被人工标记为不合格（{reasons_words_zh(manual)}）"
                "：须经人工核实并填写说明清除标记后，方可开立案件"
            ),
        )
    if DepositoryStatus(account.depository_status) is DepositoryStatus.PENDING_BANK:
        raise Refused(
            f"capital account {account.account_no} has been sent to the bank and waits for "
            "its confirmation: open a case once the bank has answered (a refusal puts it "
            "back to signed, a confirmation puts it on depository)",
            zh=(
                f"资金账户 {account.account_no} 已报送银行，正在等待银行确认："
                "请待银行回复后再开立案件（银行拒绝则退回已签约状态，银行确认则转为已存管）"
            ),
        )
    account_class = AccountClass(account.account_class)
    if account_class is AccountClass.QUALIFIED_DEPOSITED:
        raise Refused(
            f"capital account {account.account_no} is already standardized and on "
            "depository: there is nothing to do at the counter",
            zh=f"资金账户 {account.account_no} 已规范并已存管，柜台无需办理",
        )
    if reasons & (DATA_REASONS | IDENTITY_REASONS):
        return CaseState.DATA_FILLING
    if DepositoryStatus(account.depository_status) is DepositoryStatus.ACTIVE:
        raise Refused(
            f"capital account {account.account_no} is a small dormant account already "
            "standardized and on depository: it needs activating through CSDC, not a "
            "counter case",
            zh=(
                f"资金账户 {account.account_no} 是已规范并已存管的小额休眠账户："
                "需通过中国结算办理激活，不能在柜台开立案件"
            ),
        )
    return CaseState.SIGNING


def _case_number(case_id: int, at: datetime) -> str:
    return f"{CASE_PREFIX}{at:%Y%m%d}{case_id:06d}"


def _filled_by(actor: str) -> Exists:
    return exists().where(
        CaseStep.case_id == Case.id,
        CaseStep.actor == actor,
        or_(
            CaseStep.kind == StepKind.SAVE.value,
            and_(
                CaseStep.from_state == CaseState.DATA_FILLING.value,
                CaseStep.kind == StepKind.FORWARD.value,
            ),
        ),
    )


def _signed_by(actor: str) -> Exists:
    return exists().where(
        CaseStep.case_id == Case.id,
        CaseStep.actor == actor,
        CaseStep.from_state == CaseState.SIGNING.value,
        CaseStep.kind == StepKind.FORWARD.value,
    )


def _check_auditor(session: Session, case: Case, actor: UserView) -> None:
    """The auditor-is-maker rule, when the settings turn it on."""
    checks: list[tuple[Exists, str, str]] = []
    not_filler, not_signer = _auditor_rules(session)
    if not_filler:
        checks.append((_filled_by(actor.username), "filled in the data of", AUDITOR_NOT_FILLER))
    if not_signer:
        checks.append((_signed_by(actor.username), "signed", AUDITOR_NOT_SIGNER))
    for condition, did, key in checks:
        found = session.execute(select(Case.id).where(Case.id == case.id, condition)).first()
        if found:
            raise Refused(
                f"{actor.display_name} ({actor.username}) {did} case {case.case_no}: "
                f"the auditor must be another person (setting {key} is on)",
                zh=(
                    f"{actor.display_name} ({actor.username}) 办理过案件 {case.case_no} "
                    f"的{_DID_ZH.get(did, did)}：审核须由另一人进行（设置 {key} 已开启）"
                ),
            )


# --- diversion -----------------------------------------------------------------------


def screening_base_date(db: Database) -> date:
    """The base date the screening rules (and ``validate_form``) use."""
    with db.read() as session:
        return screening_policy(session).base_date


def find_customers(db: Database, actor: UserView, text: str) -> list[AccountView]:
    """Diversion's one search box: capital account, ID, securities account, phone,
    agreement number or name (``lookup.find_accounts``)."""
    with db.read() as session:
        require_view(session, actor, None)
        return find_accounts(session, text)


def overview(db: Database, actor: UserView, capital_account: str) -> AccountOverview:
    """The account's class and every reason, depository, restrictions, flags, class
    history and cases, and where a new case would go (or why it cannot be opened)."""
    with db.read() as session:
        require_view(session, actor, None)
        account = get_account(session, capital_account)
        if account is None:
            raise NotFound(
                f"no capital account {capital_account.strip()}",
                zh=f"没有资金账户 {capital_account.strip()}",
            )
        route: CaseState | None
        refusal: str | None = None
        try:
            route = _route(session, account)
        except Refused as err:
            route, refusal = None, str(err)
        cases = list(
            session.execute(
                select(Case).where(Case.capital_account_id == account.id).order_by(Case.id.desc())
            ).scalars()
        )
        views = case_views(session, cases)
        history = [
            ClassPeriod(
                valid_from=c.valid_from,
                valid_to=c.valid_to,
                account_class=AccountClass(c.account_class),
                reasons=sort_reasons(reasons_from_text(c.reasons)),
                cause=c.cause,
            )
            for c in session.execute(
                select(Classification)
                .where(Classification.capital_account_id == account.id)
                .order_by(Classification.valid_from, Classification.id)
            ).scalars()
        ]
        flags = [
            FlagView(
                f.reason,
                f.note,
                f.flagged_by,
                f.flagged_at,
                f.cleared_by,
                f.cleared_at,
                f.clear_note,
            )
            for f in session.execute(
                select(ManualFlag)
                .where(ManualFlag.capital_account_id == account.id)
                .order_by(ManualFlag.flagged_at, ManualFlag.id)
            ).scalars()
        ]
        return AccountOverview(
            account=view_of(account),
            restrictions=restrictions_of(session, account.id, active_only=False),
            flags=flags,
            history=history,
            cases=views,
            open_case=next((v for v in views if v.is_open), None),
            route=route,
            refusal=refusal,
        )


def open_case(
    db: Database, actor: UserView, capital_account: str, *, now: datetime | None = None
) -> CaseView:
    """Open a case for the customer at the counter and send it to its first post
    (DATA_FILLING or SIGNING, see the module doc); Refused with the reason otherwise."""
    now = _now(now)
    with writing(db) as session:
        require_post(session, actor, Role.DIVERSION, "opening a case")
        account = _lock_account(session, capital_account)
        first_post = _route(session, account)
        case = Case(
            case_no=f"PENDING-{account.id}-{now.timestamp()}",
            capital_account_id=account.id,
            state=CaseState.DIVERSION.value,
            opened_by=actor.username,
            opened_at=now,
        )
        session.add(case)
        session.flush()
        case.case_no = _case_number(case.id, now)
        why = reasons_words(blocking_reasons(account)) or "only the agreement is missing"
        move(session, case, first_post, actor=actor, at=now, kind=StepKind.OPEN, note=why)
        audit(
            session,
            actor=actor.username,
            action="case.open",
            entity="case",
            key=case.case_no,
            after={
                "capital_account": account.account_no,
                "to": first_post.value,
                "class": account.account_class,
                "reasons": account.reasons,
                "depository_status": account.depository_status,
            },
            at=now,
        )
        return case_view(session, case)


# --- queues and claims -----------------------------------------------------------------


def queue(
    db: Database, actor: UserView, state: CaseState, *, limit: int | None = None
) -> list[CaseView]:
    """The cases at a post (or DONE/CANCELLED), oldest opened first, with their claims.

    Seen by the post's role or a SUPERVISOR (closed states: any post or SUPERVISOR).
    """
    state = CaseState(state)
    with db.read() as session:
        require_view(session, actor, POST_OF_STATE.get(state))
        stmt = select(Case).where(Case.state == state.value).order_by(Case.opened_at, Case.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return case_views(session, list(session.execute(stmt).scalars()))


def claim(db: Database, actor: UserView, case_id: int, *, now: datetime | None = None) -> CaseView:
    """Take a case to work on it. Refused when another clerk holds it (saying who and
    since when) or is taking it at this very moment."""
    now = _now(now)
    with writing(db) as session:
        case = session.execute(
            select(Case)
            .where(Case.id == case_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if case is None:
            if session.get(Case, case_id) is None:
                raise NotFound(f"no case with id {case_id}", zh=f"没有编号为 {case_id} 的案件")
            raise Refused(
                "another clerk is taking this case at this moment: take another one",
                zh="另一位柜员正在领取该案件：请领取其他案件",
            )
        state = CaseState(case.state)
        if state not in QUEUE_STATES:
            raise Refused(
                f"case {case.case_no} is {en_words(state)}: there is nothing to claim",
                zh=f"案件 {case.case_no} 当前状态为“{zh_words(state)}”：无需领取",
            )
        require_post(session, actor, POST_OF_STATE[state], f"working at {en_words(state)}")
        if case.claimed_by == actor.username:
            return case_view(session, case)
        require_not_held_by_other(session, case, actor)
        if state is CaseState.AUDIT:
            _check_auditor(session, case, actor)
        _take(session, case, actor, now)
        return case_view(session, case)


def _take(session: Session, case: Case, actor: UserView, now: datetime) -> None:
    case.claimed_by = actor.username
    case.claimed_at = now
    session.flush()
    audit(
        session,
        actor=actor.username,
        action="case.claim",
        entity="case",
        key=case.case_no,
        after={"state": case.state},
        at=now,
    )


def claim_next(
    db: Database, actor: UserView, state: CaseState, *, now: datetime | None = None
) -> CaseView | None:
    """Take the oldest unclaimed case at a post (None when there is none). Cases another
    clerk is taking at this moment are skipped (``FOR UPDATE SKIP LOCKED``), and so are,
    at AUDIT, cases the auditor-is-maker rule keeps from the actor."""
    state = CaseState(state)
    now = _now(now)
    if state not in QUEUE_STATES:
        raise Refused(
            f"{en_words(state)} is not a queue", zh=f"“{zh_words(state)}”不是一个业务队列"
        )
    with writing(db) as session:
        require_post(session, actor, POST_OF_STATE[state], f"working at {en_words(state)}")
        stmt = select(Case).where(Case.state == state.value, Case.claimed_by.is_(None))
        if state is CaseState.AUDIT:
            not_filler, not_signer = _auditor_rules(session)
            if not_filler:
                stmt = stmt.where(~_filled_by(actor.username))
            if not_signer:
                stmt = stmt.where(~_signed_by(actor.username))
        case = session.execute(
            stmt.order_by(Case.opened_at, Case.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if case is None:
            return None
        _take(session, case, actor, now)
        return case_view(session, case)


def release(
    db: Database, actor: UserView, case_id: int, *, now: datetime | None = None
) -> CaseView:
    """Give a claimed case back to its queue. The holder may; a SUPERVISOR may release
    anyone's claim (a clerk who left), which is audited as forced."""
    now = _now(now)
    with writing(db) as session:
        roles = acting_roles(session, actor)
        case = load_case(session, case_id, lock=True)
        if case.claimed_by is None:
            return case_view(session, case)
        forced = case.claimed_by != actor.username
        if forced and Role.SUPERVISOR not in roles:
            raise Refused(
                f"case {case.case_no} is held by {claim_text(session, case)}",
                zh=f"案件 {case.case_no} 已由 {claim_text_zh(session, case)}",
            )
        before = {"claimed_by": case.claimed_by, "claimed_at": case.claimed_at}
        case.claimed_by = None
        case.claimed_at = None
        session.flush()
        audit(
            session,
            actor=actor.username,
            action="case.release_forced" if forced else "case.release",
            entity="case",
            key=case.case_no,
            before=before,
            at=now,
        )
        return case_view(session, case)


# --- reading cases ---------------------------------------------------------------------


def get_case(db: Database, actor: UserView, case_id: int) -> CaseView:
    """A case with its whole history (steps)."""
    with db.read() as session:
        require_view(session, actor, None)
        return case_view(session, load_case(session, case_id))


def find_open_case(db: Database, capital_account: str) -> CaseView | None:
    """The open case of a capital account, if any (without steps)."""
    with db.read() as session:
        account = get_account(session, capital_account)
        if account is None:
            return None
        case = _open_case_row(session, account.id)
        return case_view(session, case, with_steps=False) if case is not None else None


def find_case_by_no(db: Database, case_no: str) -> CaseView | None:
    """A case by its number (``C20250301000042``), with steps."""
    with db.read() as session:
        case = session.execute(
            select(Case).where(Case.case_no == case_no.strip().upper())
        ).scalar_one_or_none()
        return case_view(session, case) if case is not None else None


def case_changes(db: Database, actor: UserView, case_id: int) -> list[DataChangeView]:
    """Every field saved in the case, oldest first: the auditor's before and after."""
    with db.read() as session:
        require_view(session, actor, None)
        case = load_case(session, case_id)
        account = account_of(session, case)
        entries = session.execute(
            select(AuditEntry)
            .where(
                AuditEntry.entity == "capital_account",
                AuditEntry.entity_key == account.account_no,
                AuditEntry.action == "customer.update",
            )
            .order_by(AuditEntry.id)
        ).scalars()
        found: list[DataChangeView] = []
        names = display_names(session, [case.opened_by])
        for entry in entries:
            after = json.loads(entry.after or "{}")
            before = json.loads(entry.before or "{}")
            if after.get("case_no") != case.case_no:
                continue
            if entry.actor not in names:
                names.update(display_names(session, [entry.actor]))
            for name in after.get("fields", []):
                found.append(
                    DataChangeView(
                        at=entry.at,
                        actor=entry.actor,
                        actor_name=names.get(entry.actor, ""),
                        field=name,
                        old=str(before.get("values", {}).get(name, "")),
                        new=str(after.get("values", {}).get(name, "")),
                    )
                )
        return found


# --- data filling ----------------------------------------------------------------------


def form_of(db: Database, actor: UserView, case_id: int) -> tuple[CustomerForm, int, int]:
    """The case's customer as a form, with the customer's and the account's versions
    (hand the customer version back to ``save_data``)."""
    with db.read() as session:
        require_view(session, actor, None)
        case = load_case(session, case_id)
        account = account_of(session, case)
        return form_of_account(account), account.customer.version, account.version


def _last_changers(
    session: Session, account_no: str, fields: list[str]
) -> dict[str, tuple[str, datetime]]:
    """For each field, who changed it last and when, from the audit log (case saves and
    imports both write there)."""
    wanted = set(fields)
    found: dict[str, tuple[str, datetime]] = {}
    entries = session.execute(
        select(AuditEntry.actor, AuditEntry.at, AuditEntry.after)
        .where(AuditEntry.entity == "capital_account", AuditEntry.entity_key == account_no)
        .order_by(AuditEntry.id.desc())
        .limit(500)
    )
    for actor, at, after_text in entries:
        after = json.loads(after_text or "{}")
        touched = set(after.get("fields", [])) | set(after)
        for name in wanted - set(found):
            # an import records whole securities lists under "securities"
            if name in touched or (name.startswith("securities.") and "securities" in touched):
                found[name] = (actor, at)
        if len(found) == len(wanted):
            break
    return found


def _stale_error(
    session: Session,
    account: CapitalAccount,
    stored: dict[str, str],
    wanted: dict[str, str],
    current_version: int,
) -> CustomerChanged:
    differing = [name for name, value in wanted.items() if stored.get(name, value) != value]
    changers = _last_changers(session, account.account_no, differing)
    names = display_names(session, [who for who, _ in changers.values()])
    fields = [
        StaleField(
            field=name,
            stored=stored[name],
            yours=wanted[name],
            changed_by=changers.get(name, (None, None))[0],
            changed_by_name=names.get(changers.get(name, ("", None))[0] or ""),
            changed_at=changers.get(name, (None, None))[1],
        )
        for name in differing
    ]
    parts = []
    for f in fields:
        who = f"{f.changed_by_name or f.changed_by} ({f.changed_by})" if f.changed_by else "?"
        when = f" at {f.changed_at:%Y-%m-%d %H:%M}" if f.changed_at else ""
        parts.append(
            f"{f.field} is now “{f.stored}” (changed by {who}{when}; you entered “{f.yours}”)"
        )
    detail = "; ".join(parts) if parts else "the stored values already match yours"
    parts_zh = []
    for f in fields:
        who = f"{f.changed_by_name or f.changed_by} ({f.changed_by})" if f.changed_by else "?"
        when = f"于 {f.changed_at:%Y-%m-%d %H:%M} " if f.changed_at else ""
        parts_zh.append(f"{f.field} 现为“{f.stored}”（由 {who} {when}修改；您填写的是“{f.yours}”）")
    detail_zh = "；".join(parts_zh) if parts_zh else "已保存的值与您填写的一致"
    return CustomerChanged(
        f"the data of capital account {account.account_no} were changed by someone else "
        f"since you opened the form: {detail}. Nothing was saved: choose which values to "
        "keep and save again.",
        fields,
        current_version,
        zh=f"您打开表单后，资金账户 {account.account_no} 的资料已被他人修改：{detail_zh}。"
        "本次未保存任何内容：请确定保留哪些值后再保存。",
    )


def save_data(
    db: Database,
    actor: UserView,
    case_id: int,
    form: CustomerForm,
    expected_customer_version: int,
    *,
    now: datetime | None = None,
) -> SaveResult:
    """Save the form and re-screen the account (and its duplicate-ID partners).

    The actor must hold the case at DATA_FILLING. If the customer's stored version is
    not ``expected_customer_version``, ``CustomerChanged`` (a StaleEdit) is raised
    listing the fields that differ, their stored values and who changed them last, and
    nothing is written.
    """
    now = _now(now)
    with writing(db) as session:
        require_post(session, actor, Role.DATA_FILLING, "saving customer data")
        case = load_case(session, case_id, lock=True)
        require_state(case, CaseState.DATA_FILLING)
        require_claim(session, case, actor)
        account = account_of(session, case)
        customer = session.execute(
            select(Customer)
            .where(Customer.id == account.customer_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        stored = stored_values(account)
        wanted = form.values()
        if customer.version != expected_customer_version:
            raise _stale_error(session, account, stored, wanted, customer.version)
        changes = changes_between(stored, wanted)
        before_class = AccountClass(account.account_class)
        before_reasons = sort_reasons(reasons_from_text(account.reasons))
        old_id_norm = customer.id_norm
        old_name_norm = customer.name_norm
        old_version = customer.version
        if changes:
            apply_changes(account, changes)
            customer.updated_at = now  # the version moves even when only holders changed
            session.flush()
        _, verdict = reclassify(session, account, at=now, cause="case")
        partners = []
        if (old_id_norm, old_name_norm) != (customer.id_norm, customer.name_norm):
            # only a changed ID number or name can make or unmake a duplicate elsewhere
            partners = refresh_duplicates(
                session,
                at=now,
                cause="case",
                id_norms=sorted({old_id_norm, customer.id_norm} - {""}),
            )
        partner_accounts = []
        for partner, before, after in partners:
            if partner.id == account.id:
                continue
            partner_accounts.append(partner.account_no)
            audit(
                session,
                actor=actor.username,
                action="account.reclassify",
                entity="capital_account",
                key=partner.account_no,
                before={
                    "class": before.account_class.value,
                    "reasons": reasons_to_text(before.reasons),
                },
                after={
                    "class": after.account_class.value,
                    "reasons": reasons_to_text(after.reasons),
                    "cause": f"duplicate ID re-judged by case {case.case_no}",
                },
                at=now,
            )
        if changes:
            move(
                session,
                case,
                CaseState.DATA_FILLING,
                actor=actor,
                at=now,
                kind=StepKind.SAVE,
                note=", ".join(c.field for c in changes),
                release_claim=False,
            )
            audit(
                session,
                actor=actor.username,
                action="customer.update",
                entity="capital_account",
                key=account.account_no,
                before={
                    "values": {c.field: c.old for c in changes},
                    "class": before_class.value,
                    "reasons": reasons_to_text(before_reasons),
                    "customer_version": old_version,
                },
                after={
                    "fields": [c.field for c in changes],
                    "values": {c.field: c.new for c in changes},
                    "class": verdict.account_class.value,
                    "reasons": reasons_to_text(verdict.reasons),
                    "customer_version": customer.version,
                    "case_no": case.case_no,
                },
                at=now,
            )
        return SaveResult(
            before_reasons=before_reasons,
            after_reasons=sort_reasons(verdict.reasons),
            account_class=verdict.account_class,
            changes=changes,
            customer_version=customer.version,
            before_class=before_class,
            partners_rejudged=partner_accounts,
        )


def forward_to_signing(
    db: Database, actor: UserView, case_id: int, *, now: datetime | None = None
) -> CaseView:
    """Data filling is done: on to SIGNING (or AUDIT when the account is already on
    depository). Refused, listing them, while data or identity reasons remain."""
    now = _now(now)
    with writing(db) as session:
        require_post(session, actor, Role.DATA_FILLING, "forwarding a case to signing")
        case = load_case(session, case_id, lock=True)
        require_state(case, CaseState.DATA_FILLING)
        require_claim(session, case, actor)
        account = account_of(session, case)
        blocking = blocking_reasons(account)
        if blocking:
            raise Refused(
                f"capital account {account.account_no} still has reasons to fix: "
                f"{reasons_words(blocking)}",
                zh=f"资金账户 {account.account_no} 仍有待整改事项：{reasons_words_zh(blocking)}",
            )
        on_depository = account.depository_status == DepositoryStatus.ACTIVE.value
        target = CaseState.AUDIT if on_depository else CaseState.SIGNING
        note = "agreement already in force: signing skipped" if on_depository else ""
        move(session, case, target, actor=actor, at=now, kind=StepKind.FORWARD, note=note)
        audit(
            session,
            actor=actor.username,
            action="case.forward",
            entity="case",
            key=case.case_no,
            before={"state": CaseState.DATA_FILLING.value},
            after={"state": target.value},
            at=now,
        )
        return case_view(session, case)


def return_to_data_filling(
    db: Database, actor: UserView, case_id: int, note: str, *, now: datetime | None = None
) -> CaseView:
    """Signing sends a case back to data filling (the documents do not match, say)."""
    now = _now(now)
    note = _required_text(note, "a note saying what data filling must fix")
    with writing(db) as session:
        require_post(session, actor, Role.SIGNING, "sending a case back to data filling")
        case = load_case(session, case_id, lock=True)
        require_state(case, CaseState.SIGNING)
        require_claim(session, case, actor)
        move(
            session,
            case,
            CaseState.DATA_FILLING,
            actor=actor,
            at=now,
            kind=StepKind.RETURN,
            note=note,
        )
        audit(
            session,
            actor=actor.username,
            action="case.return",
            entity="case",
            key=case.case_no,
            before={"state": CaseState.SIGNING.value},
            after={"state": CaseState.DATA_FILLING.value, "note": note},
            at=now,
        )
        return case_view(session, case)


# --- signing -------------------------------------------------------------------------


def sign(
    db: Database,
    actor: UserView,
    case_id: int,
    bank_code: str,
    bank_account: str,
    lang: str = "zh",
    *,
    now: datetime | None = None,
) -> tuple[CaseView, str]:
    """Record the signed tripartite agreement: the bank and the (checked) bank account
    go on the account, depository becomes SIGNED, the case goes to AUDIT. Returns the
    case and the agreement number (print the agreement with it)."""
    now = _now(now)
    if lang not in ("zh", "en"):
        raise UserError(
            f"unknown agreement language {lang!r}: zh or en",
            zh=f"协议语言 {lang!r} 无效：只能是 zh 或 en",
        )
    try:
        number = check_bank_account(bank_account)
    except BankAccountError as err:
        raise UserError(err.message[1], zh=err.message[0]) from None
    with writing(db) as session:
        require_post(session, actor, Role.SIGNING, "signing an agreement")
        case = load_case(session, case_id, lock=True)
        require_state(case, CaseState.SIGNING)
        require_claim(session, case, actor)
        account = account_of(session, case)
        blocking = blocking_reasons(account)
        if blocking:
            raise Refused(
                f"capital account {account.account_no} has reasons to fix before signing: "
                f"{reasons_words(blocking)}; send the case back to data filling",
                zh=(
                    f"资金账户 {account.account_no} 签约前仍有待整改事项："
                    f"{reasons_words_zh(blocking)}；请将案件退回资料录入"
                ),
            )
        if account.depository_status in (
            DepositoryStatus.ACTIVE.value,
            DepositoryStatus.PENDING_BANK.value,
        ):
            raise Refused(
                f"capital account {account.account_no} is {account.depository_status} on "
                "depository: no new agreement can be signed",
                zh=(
                    f"资金账户 {account.account_no} "
                    f"的存管状态为{depository_zh(account.depository_status)}：不能再签订新协议"
                ),
            )
        code = bank_code.strip().upper()
        bank = session.get(Bank, code)
        if bank is None or not bank.active:
            raise NotFound(
                f"no active depository bank with code {code}",
                zh=f"没有代码为 {code} 的有效存管银行",
            )
        before = {"bank_code": account.bank_code, "bank_account": account.bank_account}
        agreement = issue_agreement(
            session,
            account,
            actor=actor.username,
            lang=lang,
            bank_code=code,
            bank_account=number,
            case_id=case.id,
            now=now,
        )
        account.bank_code = code
        account.bank_account = number
        set_depository(
            session,
            account,
            DepositoryStatus.SIGNED,
            actor=actor,
            at=now,
            case_no=case.case_no,
            note=f"agreement {agreement.agreement_no}",
        )
        move(
            session,
            case,
            CaseState.AUDIT,
            actor=actor,
            at=now,
            kind=StepKind.FORWARD,
            note=f"agreement {agreement.agreement_no}; bank {code} {number}",
        )
        audit(
            session,
            actor=actor.username,
            action="case.sign",
            entity="case",
            key=case.case_no,
            before=before,
            after={
                "bank_code": code,
                "bank_account": number,
                "agreement_no": agreement.agreement_no,
                "state": CaseState.AUDIT.value,
            },
            at=now,
        )
        return case_view(session, case), agreement.agreement_no


# --- audit -----------------------------------------------------------------------------


def approve(
    db: Database, actor: UserView, case_id: int, *, now: datetime | None = None
) -> CaseView:
    """The auditor approves: on to BANK_POSTING (DONE when the agreement was already in
    force)."""
    now = _now(now)
    with writing(db) as session:
        require_post(session, actor, Role.AUDIT, "approving a case")
        case = load_case(session, case_id, lock=True)
        require_state(case, CaseState.AUDIT)
        require_claim(session, case, actor)
        _check_auditor(session, case, actor)
        account = account_of(session, case)
        blocking = blocking_reasons(account)
        if blocking:
            raise Refused(
                f"capital account {account.account_no} has reasons again "
                f"({reasons_words(blocking)}): reject the case to data filling",
                zh=(
                    f"资金账户 {account.account_no} 又出现待整改事项（{reasons_words_zh(blocking)}"
                    "）：请将案件退回资料录入"
                ),
            )
        done = account.depository_status == DepositoryStatus.ACTIVE.value
        target = CaseState.DONE if done else CaseState.BANK_POSTING
        move(
            session,
            case,
            target,
            actor=actor,
            at=now,
            kind=StepKind.FORWARD,
            note="agreement already in force: nothing to post" if done else "",
        )
        audit(
            session,
            actor=actor.username,
            action="case.approve",
            entity="case",
            key=case.case_no,
            before={"state": CaseState.AUDIT.value},
            after={"state": target.value},
            at=now,
        )
        return case_view(session, case)


def rejection_target(reasons: Sequence[RejectionReason], *, on_depository: bool) -> CaseState:
    """Where a rejection sends a case: the earliest post any reason needs."""
    if on_depository or any(REJECTION_TARGET[r] is CaseState.DATA_FILLING for r in reasons):
        return CaseState.DATA_FILLING
    return CaseState.SIGNING


def reject(
    db: Database,
    actor: UserView,
    case_id: int,
    reasons: Sequence[str],
    note: str = "",
    *,
    now: datetime | None = None,
) -> CaseView:
    """The auditor rejects with reasons (codes of ``REJECTION_REASONS``) and a note; the
    case goes back to the post that must fix it (``rejection_target``)."""
    now = _now(now)
    codes: list[RejectionReason] = []
    for code in reasons:
        try:
            parsed = RejectionReason(code.strip().upper())
        except ValueError:
            raise UserError(
                f"unknown rejection reason {code!r}; known: "
                + ", ".join(r.value for r in RejectionReason),
                zh=f"退回原因 {code!r} 无效；可选：" + "、".join(map(zh_words, RejectionReason)),
            ) from None
        if parsed not in codes:
            codes.append(parsed)
    if not codes:
        raise UserError("a rejection needs at least one reason", zh="退回至少需要一条原因")
    note = (note or "").strip()
    if RejectionReason.OTHER in codes and not note:
        raise UserError(
            f'the reason "Other" ({RejectionReason.OTHER.value}) needs a note saying what is wrong',
            zh="选择原因“其他”时，须填写说明，写明问题所在",
        )
    with writing(db) as session:
        require_post(session, actor, Role.AUDIT, "rejecting a case")
        case = load_case(session, case_id, lock=True)
        require_state(case, CaseState.AUDIT)
        require_claim(session, case, actor)
        _check_auditor(session, case, actor)
        account = account_of(session, case)
        depository = DepositoryStatus(account.depository_status)
        target = rejection_target(codes, on_depository=depository is DepositoryStatus.ACTIVE)
        move(
            session,
            case,
            target,
            actor=actor,
            at=now,
            kind=StepKind.REJECT,
            reasons=[c.value for c in codes],
            note=note,
        )
        if depository is DepositoryStatus.SIGNED:
            set_depository(
                session,
                account,
                DepositoryStatus.NONE,
                actor=actor,
                at=now,
                case_no=case.case_no,
                note="agreement rejected by audit",
            )
        audit(
            session,
            actor=actor.username,
            action="case.reject",
            entity="case",
            key=case.case_no,
            before={"state": CaseState.AUDIT.value},
            after={"state": target.value, "reasons": [c.value for c in codes], "note": note},
            at=now,
        )
        return case_view(session, case)


# --- cancelling and restrictions ---------------------------------------------------------


def cancel(
    db: Database, actor: UserView, case_id: int, reason: str, *, now: datetime | None = None
) -> CaseView:
    """Cancel an open case with a reason (the case and its steps stay)."""
    now = _now(now)
    reason = _required_text(reason, "a reason for cancelling")
    with writing(db) as session:
        roles = acting_roles(session, actor)
        case = load_case(session, case_id, lock=True)
        state = CaseState(case.state)
        if state in CLOSED_STATES:
            raise Refused(
                f"case {case.case_no} is already {en_words(state)}",
                zh=f"案件 {case.case_no} {zh_words(state)}",
            )
        supervisor = Role.SUPERVISOR in roles
        if not supervisor:
            post = POST_OF_STATE[state]
            if post not in roles:
                raise Refused(
                    f"{actor.display_name} ({actor.username}) may not cancel a case at "
                    f"{en_words(state)}: that needs the {en_words(post)} role or "
                    f"{en_words(Role.SUPERVISOR)}",
                    zh=(
                        f"{actor.display_name} ({actor.username}) 无权撤销处于“{zh_words(state)}”"
                        f"环节的案件：需要“{zh_words(post)}”角色或“{zh_words(Role.SUPERVISOR)}”角色"
                    ),
                )
            require_not_held_by_other(session, case, actor)
        account = account_of(session, case)
        case.cancel_reason = reason
        if account.depository_status == DepositoryStatus.SIGNED.value:
            set_depository(
                session,
                account,
                DepositoryStatus.NONE,
                actor=actor,
                at=now,
                case_no=case.case_no,
                note="case cancelled: the agreement was not sent",
            )
        move(
            session,
            case,
            CaseState.CANCELLED,
            actor=actor,
            at=now,
            kind=StepKind.CANCEL,
            note=reason,
        )
        audit(
            session,
            actor=actor.username,
            action="case.cancel",
            entity="case",
            key=case.case_no,
            before={"state": state.value},
            after={"state": CaseState.CANCELLED.value, "reason": reason},
            at=now,
        )
        return case_view(session, case)


def lift_restriction(
    db: Database,
    actor: UserView,
    restriction_id: int,
    reason: str,
    *,
    now: datetime | None = None,
) -> RestrictionView:
    """Lift one restriction of a qualified account (BANK_POSTING or SUPERVISOR role).

    The record stays, closed with who, when and why.
    """
    now = _now(now)
    reason = _required_text(reason, "a reason for lifting the restriction")
    with writing(db) as session:
        roles = acting_roles(session, actor)
        if not roles & {Role.BANK_POSTING, Role.SUPERVISOR}:
            raise Refused(
                f"{actor.display_name} ({actor.username}) may not lift restrictions: "
                f"that needs the {en_words(Role.BANK_POSTING)} or {en_words(Role.SUPERVISOR)} role",
                zh=(
                    f"{actor.display_name} ({actor.username}) 无权解除限制：需要"
                    f"“{zh_words(Role.BANK_POSTING)}”或“{zh_words(Role.SUPERVISOR)}”角色"
                ),
            )
        record = session.execute(
            select(RestrictionRecord)
            .where(RestrictionRecord.id == restriction_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if record is None:
            raise NotFound(
                f"no restriction with id {restriction_id}", zh=f"没有编号为 {restriction_id} 的限制"
            )
        if record.lifted_at is not None:
            raise Refused(
                f"restriction {record.restriction} was already lifted by {record.lifted_by} "
                f"at {record.lifted_at:%Y-%m-%d %H:%M}",
                zh=(
                    f"限制 {record.restriction} 已由 {record.lifted_by} 于 "
                    f"{record.lifted_at:%Y-%m-%d %H:%M} 解除"
                ),
            )
        account = session.get(CapitalAccount, record.capital_account_id)
        assert account is not None
        if not AccountClass(account.account_class).is_qualified:
            raise Refused(
                f"capital account {account.account_no} is {account.account_class}: its "
                "restrictions are lifted once it is standardized",
                zh=(
                    f"资金账户 {account.account_no} 为{class_zh(account.account_class)}："
                    "规范后其限制会自动解除"
                ),
            )
        record.lifted_by = actor.username
        record.lifted_at = now
        record.lift_reason = reason
        session.flush()
        audit(
            session,
            actor=actor.username,
            action="restriction.lift",
            entity="capital_account",
            key=account.account_no,
            before={"restriction": record.restriction, "batch_no": record.batch_no},
            after={"lifted": True, "reason": reason, "restriction_id": record.id},
            at=now,
        )
        return restriction_view(record)


__all__ = [
    "FIELD_LABELS",
    "REJECTION_REASONS",
    "REJECTION_TARGET",
    "AccountOverview",
    "BankFileRefused",
    "BankLineProblem",
    "BankResponseSummary",
    "CaseView",
    "ClassPeriod",
    "CustomerChanged",
    "CustomerForm",
    "DataChangeView",
    "FieldChange",
    "FlagView",
    "HolderForm",
    "Message",
    "RestrictionView",
    "SaveResult",
    "StaleField",
    "StepView",
    "approve",
    "bank_account_message",
    "bank_batches",
    "cancel",
    "case_changes",
    "check_bank_account",
    "claim",
    "claim_next",
    "confirm_manually",
    "export_bank_batch",
    "find_case_by_no",
    "find_customers",
    "find_open_case",
    "form_of",
    "forward_to_signing",
    "get_case",
    "holder_field",
    "import_bank_response",
    "lift_restriction",
    "open_case",
    "overview",
    "queue",
    "reject",
    "rejection_target",
    "release",
    "return_to_data_filling",
    "save_data",
    "screening_base_date",
    "sign",
    "validate_form",
]
