"""Running a modal dialog so that the screen lock can hide it and give it back.

The idle lock hides every window of the application (``idle_lock.WindowShield``), but
Qt ends ``QDialog.exec()`` as soon as its dialog is hidden: the caller would carry on as
if the clerk had pressed Cancel (a conflict dialog would throw the clerk's edits away).
``run_modal`` is ``exec()`` that knows about the lock: when the lock hid the dialog it
waits until the lock is lifted and runs the same dialog again, untouched (typed text,
choices, focus), so its caller only ever sees the clerk's own answer. When the lock is
given up instead (someone else signs in), the dialog counts as cancelled.

Every modal dialog of counter_app goes through ``run_modal``.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEventLoop, QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

#: the dynamic properties: the lock hid this window; ``run_modal`` waits to run it again
#: (the lock must not show it itself: a dialog shown outside exec() is not modal); the
#: lock was given up and this window with it
HIDDEN_BY_LOCK = "counterAppHiddenByLock"
AWAITING_LIFT = "counterAppAwaitingLift"
DISCARDED = "counterAppDiscarded"


class _LockState(QObject):
    """How many screen locks are on now; ``lifted`` when one goes off."""

    lifted = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.count = 0


_state: _LockState | None = None


def _lock_state() -> _LockState:
    # created on first use: a QObject made at import time would outlive the QApplication
    global _state
    if _state is None:
        _state = _LockState()
    return _state


def lock_engaged() -> None:
    """A screen lock went on (called by the lock)."""
    _lock_state().count += 1


def lock_lifted() -> None:
    """A screen lock went off, its windows shown again or discarded (called by the lock)."""
    state = _lock_state()
    state.count = max(0, state.count - 1)
    state.lifted.emit()


def is_locked() -> bool:
    return _lock_state().count > 0


def mark_hidden(window: QWidget) -> None:
    window.setProperty(HIDDEN_BY_LOCK, True)


def mark_discarded(window: QWidget) -> None:
    window.setProperty(DISCARDED, True)


def awaits_lift(window: QWidget) -> bool:
    """True when ``run_modal`` will show this dialog again itself once the lock is lifted."""
    return bool(window.property(AWAITING_LIFT))


def _hidden_by_lock(dialog: QWidget) -> bool:
    return shiboken6.isValid(dialog) and bool(dialog.property(HIDDEN_BY_LOCK))


def _wait_for_lift() -> None:
    state = _lock_state()
    while state.count > 0:
        loop = QEventLoop()
        state.lifted.connect(loop.quit)
        try:
            loop.exec()
        finally:
            state.lifted.disconnect(loop.quit)


def run_modal(dialog: QDialog) -> int:
    """``dialog.exec()``, carried on across a screen lock; returns exec's result."""
    while True:
        dialog.setProperty(HIDDEN_BY_LOCK, False)
        dialog.setProperty(DISCARDED, False)
        result = dialog.exec()
        if not _hidden_by_lock(dialog):
            return result
        if is_locked():
            dialog.setProperty(AWAITING_LIFT, True)
            try:
                _wait_for_lift()
            finally:
                if shiboken6.isValid(dialog):
                    dialog.setProperty(AWAITING_LIFT, False)
        if not shiboken6.isValid(dialog) or dialog.property(DISCARDED):
            # the lock was given up (signed out): the open work is discarded
            return int(QDialog.DialogCode.Rejected)
        if dialog.isVisible():
            # shown again by the lift while an inner dialog held the screen: shown
            # outside exec() it is not modal, so exec() shows it again, modal
            dialog.hide()
