"""Locking the screen after idle time, and unlocking it with the same user's password.

``IdleWatcher`` restarts a single-shot timer on every key press, mouse press, wheel
turn and mouse move anywhere in the application; when it fires, ``idle`` is emitted.
The main window then hides its work behind a ``LockPage`` (the work itself is left
untouched, widgets and unsaved input included), and ``WindowShield`` hides every other
window of the application (an open dialog or message box would otherwise stay above the
lock page with the customer's data on it) until the same user unlocks; dialogs run by
``modal.run_modal`` carry on afterwards as if nothing had happened. The signed-in user
unlocks with their password (``services.users.verify_password``: same failure counting
as signing in);
"Sign out" instead gives the workstation to someone else, discarding the open work.

The idle time is the branch's setting ``idle_lock_minutes`` (default 10; 0 turns the
lock off).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from counter_app.gui import modal, ops
from counter_app.gui.session import AppSession
from counter_app.services.users import UserView, verify_password

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` once nobody has touched keyboard or mouse for ``minutes``.

    Signals:
        idle(): the idle time has passed.
    """

    idle = Signal()

    def __init__(self, parent: QObject | None, minutes: float) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.set_minutes(minutes)

    def set_minutes(self, minutes: float) -> None:
        self.minutes = minutes
        self._timer.setInterval(max(1, int(minutes * 60_000)))
        self.restart()

    def start(self) -> None:
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self.restart()

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()

    def pause(self) -> None:
        """Stop counting (while locked) without removing the filter."""
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def restart(self) -> None:
        if self.minutes > 0:
            self._timer.start()
        else:
            self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False


_POPUPS = frozenset({Qt.WindowType.Popup, Qt.WindowType.ToolTip})


class WindowShield(QObject):
    """While the screen is locked: every visible window of the application but ``keep``
    (the main window showing the lock page) and the lock page's own boxes is hidden, and
    so is any window that opens meanwhile; ``lift`` shows them again as they were.

    Popups (menus, open combo boxes, tooltips) are closed, not given back.
    """

    def __init__(self, keep: QWidget, lock_page: QWidget) -> None:
        super().__init__(keep)
        self.keep = keep
        self.lock_page = lock_page
        self.hidden: list[QWidget] = []
        self.engaged = False
        self._allowing = 0
        self._active_before: QWidget | None = None

    def engage(self) -> None:
        if self.engaged:
            return
        self.engaged = True
        modal.lock_engaged()
        active = QApplication.activeWindow()
        self._active_before = active if active is not self.keep else None
        QToolTip.hideText()
        for window in QApplication.topLevelWidgets():
            self._hide(window)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def lift(self) -> None:
        """Show the hidden windows again (the same user unlocked)."""
        if not self.engaged:
            return
        windows = self._release()
        for window in windows:
            if not modal.awaits_lift(window):  # run_modal shows those again, modal
                window.show()
        active = self._active_before
        if (
            active is not None
            and shiboken6.isValid(active)
            and active in windows
            and active.isVisible()
        ):
            active.raise_()
            active.activateWindow()
        modal.lock_lifted()

    def discard(self) -> None:
        """Close the hidden windows for good (someone else takes the workstation)."""
        if not self.engaged:
            return
        for window in self._release():
            modal.mark_discarded(window)
            window.close()
        modal.lock_lifted()

    @contextmanager
    def allowing(self) -> Iterator[None]:
        """Let the main window ask its own questions while locked (signing out)."""
        self._allowing += 1
        try:
            yield
        finally:
            self._allowing -= 1

    def _release(self) -> list[QWidget]:
        self.engaged = False
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        windows = [w for w in self.hidden if shiboken6.isValid(w)]
        self.hidden = []
        return windows

    def _belongs_to_lock(self, window: QWidget) -> bool:
        parent = window.parentWidget()
        while parent is not None:
            if parent is self.lock_page:
                return True
            parent = parent.parentWidget()
        return False

    def _hide(self, window: QWidget) -> None:
        if not shiboken6.isValid(window) or not window.isWindow() or not window.isVisible():
            return
        if window is self.keep or window in self.hidden or self._belongs_to_lock(window):
            return
        if window.windowType() in _POPUPS:
            window.hide()
            return
        # marked before hiding: hiding ends a dialog's exec(), and run_modal must know why
        modal.mark_hidden(window)
        self.hidden.append(window)
        window.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and self.engaged
            and not self._allowing
            and isinstance(watched, QWidget)
            and watched.isWindow()
        ):
            # a window opened while locked (an error box of a background task): hidden
            # as soon as it is shown, and given back with the others
            window = watched
            QTimer.singleShot(0, self, lambda: self._hide_late(window))
        return False

    def _hide_late(self, window: QWidget) -> None:
        if self.engaged and not self._allowing:
            self._hide(window)


class LockPage(QWidget):
    """What the locked screen shows: who holds it, and a password field.

    Signals:
        unlocked(object): the password was right (the fresh ``UserView``).
        sign_out_requested(): someone else wants the workstation.
    """

    unlocked = Signal(object)
    sign_out_requested = Signal()

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.who = QLabel()
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.try_unlock)
        self.password_label = QLabel()
        self.password_label.setBuddy(self.password)
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.unlock_button = QPushButton()
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.sign_out_button = QPushButton()
        self.sign_out_button.clicked.connect(self.sign_out_requested)

        form = QFormLayout()
        form.addRow(self.password_label, self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_out_button)
        buttons.addWidget(self.unlock_button)
        box = QWidget()
        box.setMaximumWidth(460)
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addWidget(self.who)
        inner.addSpacing(12)
        inner.addLayout(form)
        inner.addWidget(self.message)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self._busy = False
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Screen locked"))
        self.who.setText(
            self.tr("Locked after idle time. {user} is signed in; the open work is kept.").format(
                user=self.session.user.label
            )
        )
        self.password_label.setText(self.tr("&Password:"))
        self.unlock_button.setText(self.tr("&Unlock"))
        self.sign_out_button.setText(self.tr("Sign &out"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def prepare(self) -> None:
        """Called each time the screen locks: an empty field with the focus."""
        self.password.clear()
        self.message.clear()
        self.password.setFocus()

    def try_unlock(self) -> None:
        if self._busy:
            return
        password = self.password.text()
        if not password:
            self.message.setText(self.tr("Enter your password."))
            return
        self._busy = True
        self.unlock_button.setEnabled(False)
        db, username = self.session.db, self.session.username

        def check(job: ops.Job) -> UserView:
            return verify_password(db, username, password)

        ops.run_in_background(self, check, self._ok, self._failed, on_finally=self._idle)

    def _idle(self) -> None:
        self._busy = False
        self.unlock_button.setEnabled(True)

    def _ok(self, user: UserView) -> None:
        self.password.clear()
        self.unlocked.emit(user)

    def _failed(self, exc: BaseException) -> None:
        from counter_app.gui import errors

        self.password.clear()
        if errors.is_user_problem(exc):
            self.message.setText(errors.user_message(exc))
        else:
            errors.show_error(self, exc)
