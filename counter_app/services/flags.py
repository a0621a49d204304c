"""Manual flags: a person's judgement that an account is unqualified for a reason of their own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from counter_app.db.engine import Database
from counter_app.db.models import ManualFlag
from counter_app.domain.codes import AccountClass, FlagReason
from counter_app.domain.reason_text import en_words, zh_words
from counter_app.domain.screening import reasons_to_text
from counter_app.errors import NotFound, Refused, UserError
from counter_app.services.audit import AuditLog
from counter_app.services.classification import Verdict, reclassify
from counter_app.services.lookup import get_account


def _require_note(note: str) -> str:
    note = note.strip()
    if not note:
        raise UserError(
            "a note is required: say what was found and by whom",
            zh="必须填写说明：写明发现了什么问题、由谁发现",
        )
    return note


def _verdict_dict(verdict: Verdict) -> dict[str, str]:
    return {"class": verdict.account_class.value, "reasons": reasons_to_text(verdict.reasons)}


def flag_account(
    db: Database,
    capital_account: str,
    reason: FlagReason,
    note: str,
    operator: str,
    now: datetime | None = None,
) -> AccountClass:
    """Flag an account UNQUALIFIED_OTHER; returns its class afterwards."""
    note = _require_note(note)
    now = now or datetime.now()
    with db.write() as session:
        account = get_account(session, capital_account)
        if account is None:
            raise NotFound(
                f"no capital account {capital_account}", zh=f"没有资金账户 {capital_account}"
            )
        already = session.execute(
            select(ManualFlag.id).where(
                ManualFlag.capital_account_id == account.id,
                ManualFlag.reason == reason.value,
                ManualFlag.cleared_at.is_(None),
            )
        ).first()
        if already:
            raise Refused(
                f"account {capital_account} is already flagged {en_words(reason)}",
                zh=f"账户 {capital_account} 已标记为“{zh_words(reason)}”",
            )
        flag = ManualFlag(
            capital_account_id=account.id,
            reason=reason.value,
            note=note,
            flagged_by=operator,
            flagged_at=now,
        )
        session.add(flag)
        session.flush()
        before, after = reclassify(session, account, at=now, cause="flag")
        with AuditLog(session) as audit:
            audit.record(
                actor=operator,
                action="account.flag",
                entity="capital_account",
                entity_key=capital_account,
                before=_verdict_dict(before),
                after=_verdict_dict(after) | {"flag": reason.value, "note": note},
                at=now,
            )
        return after.account_class


def unflag_account(
    db: Database,
    capital_account: str,
    note: str,
    operator: str,
    reason: FlagReason | None = None,
    now: datetime | None = None,
) -> AccountClass:
    """Clear the account's manual flags (or only ``reason``); the flag rows stay, closed."""
    note = _require_note(note)
    now = now or datetime.now()
    with db.write() as session:
        account = get_account(session, capital_account)
        if account is None:
            raise NotFound(
                f"no capital account {capital_account}", zh=f"没有资金账户 {capital_account}"
            )
        stmt = select(ManualFlag).where(
            ManualFlag.capital_account_id == account.id, ManualFlag.cleared_at.is_(None)
        )
        if reason is not None:
            stmt = stmt.where(ManualFlag.reason == reason.value)
        flags = list(session.execute(stmt).scalars())
        if not flags:
            raise Refused(
                f"account {capital_account} has no manual flag to clear",
                zh=f"账户 {capital_account} 没有可清除的人工标记",
            )
        for flag in flags:
            flag.cleared_at = now
            flag.cleared_by = operator
            flag.clear_note = note
        session.flush()
        before, after = reclassify(session, account, at=now, cause="unflag")
        with AuditLog(session) as audit:
            audit.record(
                actor=operator,
                action="account.unflag",
                entity="capital_account",
                entity_key=capital_account,
                before=_verdict_dict(before) | {"flags": sorted(f.reason for f in flags)},
                after=_verdict_dict(after) | {"note": note},
                at=now,
            )
        return after.account_class
