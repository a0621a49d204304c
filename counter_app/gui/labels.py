# QT_TRANSLATE_NOOP returns its text unchanged, but PySide6's stubs type it "object":
# the dict entries below are str at run time.
# mypy: disable-error-code="dict-item, arg-type"
"""Names on screen for the workflow's codes (posts, roles, case states, step kinds).

Roles and case states, like the account's own words (reasons, classes, depository
statuses), come from ``domain.reason_text`` in both languages: the services' refusal
messages name them too, and one table keeps the screens and the messages in step. Step
kinds and restrictions are the GUI's words, marked with ``QT_TRANSLATE_NOOP`` for
lupdate and translated by Qt when shown.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from counter_app.domain.codes import CaseState, Restriction, Role, StepKind
from counter_app.domain.reason_text import CASE_STATE_TEXT, ROLE_TEXT
from counter_app.gui import i18n

CONTEXT = "labels"

STEP_NAMES: dict[StepKind, str] = {
    StepKind.OPEN: QT_TRANSLATE_NOOP("labels", "opened"),
    StepKind.SAVE: QT_TRANSLATE_NOOP("labels", "data saved"),
    StepKind.FORWARD: QT_TRANSLATE_NOOP("labels", "forwarded"),
    StepKind.RETURN: QT_TRANSLATE_NOOP("labels", "sent back"),
    StepKind.REJECT: QT_TRANSLATE_NOOP("labels", "rejected"),
    StepKind.BANK_EXPORT: QT_TRANSLATE_NOOP("labels", "sent to the bank"),
    StepKind.BANK_CONFIRM: QT_TRANSLATE_NOOP("labels", "confirmed by the bank"),
    StepKind.BANK_REJECT: QT_TRANSLATE_NOOP("labels", "refused by the bank"),
    StepKind.MANUAL_CONFIRM: QT_TRANSLATE_NOOP("labels", "confirmed by hand"),
    StepKind.CANCEL: QT_TRANSLATE_NOOP("labels", "cancelled"),
}

RESTRICTION_NAMES: dict[Restriction, str] = {
    Restriction.NO_WITHDRAW: QT_TRANSLATE_NOOP("labels", "No withdrawal"),
    Restriction.NO_BUY: QT_TRANSLATE_NOOP("labels", "No buying"),
    Restriction.NO_CANCEL_DESIGNATION: QT_TRANSLATE_NOOP(
        "labels", "No cancelling designated trading"
    ),
    Restriction.NO_TRANSFER_CUSTODY: QT_TRANSLATE_NOOP("labels", "No custody transfer"),
}


def _t(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def role_name(role: Role) -> str:
    return i18n.pick(ROLE_TEXT[role])


def state_name(state: CaseState) -> str:
    return i18n.pick(CASE_STATE_TEXT[state])


def step_name(kind: StepKind) -> str:
    return _t(STEP_NAMES[kind])


def restriction_name(restriction: Restriction) -> str:
    return _t(RESTRICTION_NAMES[restriction])


def yes_no(value: bool) -> str:
    return _t(QT_TRANSLATE_NOOP("labels", "yes") if value else QT_TRANSLATE_NOOP("labels", "no"))
