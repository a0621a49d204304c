"""Bank posting: approved cases go to their depository bank in a batch file per bank, and
the bank's response file confirms them or sends them back.

The batch file (written by ``export_bank_batch``): UTF-8 with BOM (Excel opens it
right), comma separated, one header row ``capital_account, customer_name, id_type,
id_number, bank_account, agreement_no`` and one row per case whose agreement is SIGNED
and not yet sent. The accounts become PENDING_BANK (pre-designated at the bank).

The response file (read by ``import_bank_response``): UTF-8 or GB18030, comma or tab
separated, an optional header row, then per line ``capital_account, bank_account,
result, message``. The result is ``OK``/``成功`` or ``FAIL``/``失败`` (also
``SUCCESS``, ``FAILED``, ``Y``, ``N``); the message may be empty. A malformed file
(bad account number, unknown result, a line given twice, too few fields) is refused
whole, naming every bad line; nothing is applied. A well-formed line that matches no
case awaiting the bank (unknown account, not sent, another bank account) is reported
and skipped: the rest of the file applies. OK makes the depository ACTIVE (the account
is re-screened: QUALIFIED_DEPOSITED when nothing else is wrong) and the case DONE;
FAIL puts the depository back to SIGNED and the case back to SIGNING, with the bank's
message as a ``bank_reject`` step.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.engine import Database
from counter_app.db.models import Agreement, CapitalAccount, Case, Customer
from counter_app.domain.codes import CaseState, DepositoryStatus, Role, StepKind
from counter_app.errors import Refused, UserError
from counter_app.importing.encoding import detect_encoding
from counter_app.importing.errors import FileRefused
from counter_app.services.case_core import (
    CaseView,
    account_of,
    audit,
    case_view,
    case_views,
    depository_zh,
    load_case,
    move,
    require_not_held_by_other,
    require_post,
    require_state,
    require_view,
    set_depository,
    writing,
)
from counter_app.services.lookup import get_account
from counter_app.services.users import UserView

BATCH_COLUMNS = (
    "capital_account",
    "customer_name",
    "id_type",
    "id_number",
    "bank_account",
    "agreement_no",
)
_OK = frozenset({"OK", "SUCCESS", "成功", "Y"})
_FAIL = frozenset({"FAIL", "FAILED", "失败", "N"})
_ACCOUNT = re.compile(r"\d{6,20}")
_BANK_ACCOUNT = re.compile(r"\d{1,40}")


@dataclass(frozen=True)
class BankLineProblem:
    line_no: int
    capital_account: str
    problem: str


@dataclass
class BankResponseSummary:
    source_name: str
    lines_read: int = 0
    confirmed: list[str] = field(default_factory=list)  # capital accounts
    failed: list[tuple[str, str]] = field(default_factory=list)  # (capital account, message)
    unknown: list[BankLineProblem] = field(default_factory=list)


class BankFileRefused(UserError):
    """The response file is malformed; nothing of it was applied."""

    def __init__(
        self, message: str, problems: list[BankLineProblem], *, zh: str | None = None
    ) -> None:
        super().__init__(message, zh=zh)
        self.problems = problems


@dataclass(frozen=True)
class _Line:
    line_no: int
    capital_account: str
    bank_account: str
    ok: bool
    message: str


# --- batches ---------------------------------------------------------------------------


def _posting_cases(session: Session, bank_code: str | None = None) -> list[Case]:
    stmt = (
        select(Case)
        .join(CapitalAccount, CapitalAccount.id == Case.capital_account_id)
        .where(Case.state == CaseState.BANK_POSTING.value)
        .order_by(CapitalAccount.bank_code, Case.opened_at, Case.id)
    )
    if bank_code is not None:
        stmt = stmt.where(CapitalAccount.bank_code == bank_code)
    return list(session.execute(stmt).scalars())


def bank_batches(db: Database, actor: UserView) -> dict[str, list[CaseView]]:
    """Approved cases at BANK_POSTING grouped by bank code (both not yet sent, SIGNED,
    and sent and awaiting the answer, PENDING_BANK: see ``depository_status``)."""
    with db.read() as session:
        require_view(session, actor, Role.BANK_POSTING)
        batches: dict[str, list[CaseView]] = {}
        for view in case_views(session, _posting_cases(session)):
            batches.setdefault(view.bank_code or "", []).append(view)
        return batches


def export_bank_batch(
    db: Database,
    actor: UserView,
    bank_code: str,
    path: Path | str,
    *,
    include_pending: bool = False,
    now: datetime | None = None,
) -> int:
    """Write the batch file for one bank and mark its accounts PENDING_BANK.

    Takes the bank's BANK_POSTING cases whose agreement is SIGNED (with
    ``include_pending`` also those already sent, to send again), except cases another
    clerk holds. Returns how many; with none, no file is written. The file appears only
    if the database changes are made (it is written aside and moved in place last).
    """
    now = now or datetime.now()
    path = Path(path)
    code = bank_code.strip().upper()
    wanted = {DepositoryStatus.SIGNED.value}
    if include_pending:
        wanted.add(DepositoryStatus.PENDING_BANK.value)
    with writing(db) as session:
        require_post(session, actor, Role.BANK_POSTING, "exporting a bank batch")
        ids = [
            case.id
            for case in _posting_cases(session, code)
            if case.claimed_by in (None, actor.username)
        ]
        rows: list[tuple[str, ...]] = []
        taken: list[tuple[Case, CapitalAccount]] = []
        for case_id in ids:
            case = load_case(session, case_id, lock=True)
            account = account_of(session, case)
            if case.state != CaseState.BANK_POSTING.value or account.depository_status not in (
                wanted
            ):
                continue
            customer = session.get(Customer, account.customer_id)
            assert customer is not None
            agreement_no = session.execute(
                select(Agreement.agreement_no)
                .where(Agreement.case_id == case.id)
                .order_by(Agreement.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            rows.append(
                (
                    account.account_no,
                    customer.name,
                    customer.id_type,
                    customer.id_number,
                    account.bank_account,
                    agreement_no or "",
                )
            )
            taken.append((case, account))
        if not rows:
            return 0
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(BATCH_COLUMNS)
        writer.writerows(rows)
        data = buffer.getvalue().encode("utf-8-sig")
        for case, account in taken:
            if account.depository_status != DepositoryStatus.PENDING_BANK.value:
                set_depository(
                    session,
                    account,
                    DepositoryStatus.PENDING_BANK,
                    actor=actor,
                    at=now,
                    case_no=case.case_no,
                    note=f"bank batch {path.name}",
                )
            move(
                session,
                case,
                CaseState.BANK_POSTING,
                actor=actor,
                at=now,
                kind=StepKind.BANK_EXPORT,
                note=f"{code} batch file {path.name}",
                release_claim=False,
            )
        audit(
            session,
            actor=actor.username,
            action="bank.export",
            entity="bank",
            key=code,
            after={
                "file": str(path),
                "sha256": hashlib.sha256(data).hexdigest(),
                "count": len(rows),
                "cases": [case.case_no for case, _ in taken],
            },
            at=now,
        )
        session.flush()
        temporary = path.with_name(path.name + ".part")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError as err:
            temporary.unlink(missing_ok=True)
            raise UserError(
                f"cannot write the batch file {path}: {err.strerror or err}",
                zh=f"无法写入批量文件 {path}：{err.strerror or err}",
            ) from err
        return len(rows)


# --- the bank's response ---------------------------------------------------------------


def _decode(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            if not stream.read(1):
                raise BankFileRefused(
                    f"the response file {path.name} is empty",
                    [],
                    zh=f"回盘文件 {path.name} 是空文件",
                )
            encoding = detect_encoding(stream)
            stream.seek(0)
            return stream.read().decode(encoding)
    except FileRefused as err:
        raise BankFileRefused(
            f"the response file cannot be read: {err.message}",
            [],
            zh=f"无法读取回盘文件：{err.text_for('zh')}",
        ) from None
    except OSError as err:
        raise BankFileRefused(
            f"cannot read the response file {path}: {err.strerror or err}",
            [],
            zh=f"无法读取回盘文件 {path}：{err.strerror or err}",
        ) from None


def parse_bank_response(path: Path) -> list[_Line]:
    """Read and check every line; BankFileRefused (listing each bad line) if any is bad."""
    text = _decode(path)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    problems: list[BankLineProblem] = []
    parsed: list[_Line] = []
    seen: dict[str, int] = {}
    # strict: a quote never closed is an error, not a message swallowing the next lines
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header_allowed = True
    try:
        for cells in reader:
            line_no = reader.line_num
            values = [c.strip() for c in cells]
            if not any(values):
                continue
            while values and not values[-1]:
                values.pop()
            account_no = values[0] if values else ""
            if header_allowed and not _ACCOUNT.fullmatch(account_no) and not account_no.isdigit():
                header_allowed = False
                continue  # a header row
            header_allowed = False
            if len(values) < 3:
                problems.append(
                    BankLineProblem(
                        line_no,
                        account_no,
                        "too few fields: need capital "
                        "account, bank account, result (and a message)",
                    )
                )
                continue
            if len(values) > 4:
                problems.append(
                    BankLineProblem(
                        line_no,
                        account_no,
                        f"{len(values)} fields, at most 4 "
                        "(a comma inside the message must be quoted)",
                    )
                )
                continue
            bank_account = "".join(values[1].split())
            result = values[2].upper()
            message = values[3] if len(values) == 4 else ""
            line_problems = []
            if not _ACCOUNT.fullmatch(account_no):
                line_problems.append("the capital account must be 6 to 20 digits")
            if not _BANK_ACCOUNT.fullmatch(bank_account):
                line_problems.append("the bank account must be digits")
            if result not in _OK and result not in _FAIL:
                line_problems.append(f"unknown result {values[2]!r}: OK/成功 or FAIL/失败")
            if account_no in seen:
                line_problems.append(f"the capital account is already on line {seen[account_no]}")
            if line_problems:
                problems.append(BankLineProblem(line_no, account_no, "; ".join(line_problems)))
                continue
            seen[account_no] = line_no
            parsed.append(_Line(line_no, account_no, bank_account, result in _OK, message))
    except csv.Error as err:
        problems.append(BankLineProblem(reader.line_num, "", f"malformed CSV: {err}"))
    if problems:
        raise BankFileRefused(
            f"the response file {path.name} was refused: {len(problems)} bad line(s) "
            f"(first: line {problems[0].line_no}: {problems[0].problem}); nothing was applied",
            problems,
            zh=(
                f"回盘文件 {path.name} 被拒收：有 {len(problems)} 行有误（第一处：第 "
                f"{problems[0].line_no} 行：{problems[0].problem}）；未入账任何内容"
            ),
        )
    if not parsed:
        raise BankFileRefused(
            f"the response file {path.name} holds no result lines",
            [],
            zh=f"回盘文件 {path.name} 中没有结果行",
        )
    return parsed


def import_bank_response(
    db: Database, actor: UserView, path: Path | str, *, now: datetime | None = None
) -> BankResponseSummary:
    """Apply the bank's response file (see the module doc); one transaction."""
    now = now or datetime.now()
    path = Path(path)
    lines = parse_bank_response(path)
    summary = BankResponseSummary(source_name=path.name, lines_read=len(lines))
    with writing(db) as session:
        require_post(session, actor, Role.BANK_POSTING, "importing a bank response")
        for line in lines:
            problem = _apply_line(session, actor, line, now, path.name, summary)
            if problem is not None:
                summary.unknown.append(BankLineProblem(line.line_no, line.capital_account, problem))
        audit(
            session,
            actor=actor.username,
            action="bank.response",
            entity="bank_response",
            key=path.name,
            after={
                "lines": summary.lines_read,
                "confirmed": summary.confirmed,
                "failed": [a for a, _ in summary.failed],
                "unknown": [(p.line_no, p.capital_account, p.problem) for p in summary.unknown],
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            },
            at=now,
        )
    return summary


def _apply_line(
    session: Session,
    actor: UserView,
    line: _Line,
    now: datetime,
    source: str,
    summary: BankResponseSummary,
) -> str | None:
    """Apply one line; the problem text when it matches no case awaiting the bank."""
    account = get_account(session, line.capital_account)
    if account is None:
        return "no such capital account"
    case = session.execute(
        select(Case)
        .where(Case.capital_account_id == account.id, Case.state == CaseState.BANK_POSTING.value)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if case is None:
        return "no case of this account is awaiting the bank's answer"
    if account.depository_status != DepositoryStatus.PENDING_BANK.value:
        return f"not sent to the bank (depository status {account.depository_status})"
    if line.bank_account != account.bank_account:
        return f"the bank account {line.bank_account} is not the one sent ({account.bank_account})"
    note = line.message
    if line.ok:
        set_depository(
            session,
            account,
            DepositoryStatus.ACTIVE,
            actor=actor,
            at=now,
            case_no=case.case_no,
            note=f"bank response {source}",
        )
        move(
            session,
            case,
            CaseState.DONE,
            actor=actor,
            at=now,
            kind=StepKind.BANK_CONFIRM,
            note=note or f"confirmed in {source}",
        )
        summary.confirmed.append(account.account_no)
    else:
        set_depository(
            session,
            account,
            DepositoryStatus.SIGNED,
            actor=actor,
            at=now,
            case_no=case.case_no,
            note=f"bank refused: {note}",
        )
        move(
            session,
            case,
            CaseState.SIGNING,
            actor=actor,
            at=now,
            kind=StepKind.BANK_REJECT,
            reasons=["BANK"],
            note=note or f"refused in {source} without a message",
        )
        summary.failed.append((account.account_no, note))
    audit(
        session,
        actor=actor.username,
        action="case.bank_confirm" if line.ok else "case.bank_reject",
        entity="case",
        key=case.case_no,
        before={"state": CaseState.BANK_POSTING.value},
        after={"state": case.state, "message": note, "file": source},
        at=now,
    )
    return None


def confirm_manually(
    db: Database, actor: UserView, case_id: int, reason: str, *, now: datetime | None = None
) -> CaseView:
    """Confirm a case at BANK_POSTING by hand (the bank confirmed by phone, say): a
    reason is required. Depository ACTIVE, the case DONE."""
    now = now or datetime.now()
    reason = (reason or "").strip()
    if not reason:
        raise UserError("a manual confirmation needs a reason", zh="人工确认须填写原因")
    with writing(db) as session:
        require_post(session, actor, Role.BANK_POSTING, "confirming a case by hand")
        case = load_case(session, case_id, lock=True)
        require_state(case, CaseState.BANK_POSTING)
        require_not_held_by_other(session, case, actor)
        account = account_of(session, case)
        if account.depository_status not in (
            DepositoryStatus.SIGNED.value,
            DepositoryStatus.PENDING_BANK.value,
        ):
            raise Refused(
                f"capital account {account.account_no} is {account.depository_status} on "
                "depository: nothing to confirm",
                zh=(
                    f"资金账户 {account.account_no} "
                    f"的存管状态为{depository_zh(account.depository_status)}：无需确认"
                ),
            )
        set_depository(
            session,
            account,
            DepositoryStatus.ACTIVE,
            actor=actor,
            at=now,
            case_no=case.case_no,
            note=f"confirmed by hand: {reason}",
        )
        move(
            session,
            case,
            CaseState.DONE,
            actor=actor,
            at=now,
            kind=StepKind.MANUAL_CONFIRM,
            note=reason,
        )
        audit(
            session,
            actor=actor.username,
            action="case.manual_confirm",
            entity="case",
            key=case.case_no,
            before={"state": CaseState.BANK_POSTING.value},
            after={"state": CaseState.DONE.value, "reason": reason},
            at=now,
        )
        return case_view(session, case)
