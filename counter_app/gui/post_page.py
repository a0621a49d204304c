"""A counter post's page: its queue beside the editor of the case the clerk holds.

``CaseEditor`` is what every post's editor shares: the case header (number, customer,
class and reasons in plain words) and the Release and Cancel buttons. Each post
(data filling, signing, audit) subclasses it with its own work area.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.codes import CaseState, Reason, StepKind
from counter_app.domain.reason_text import CLASS_TEXT, DEPOSITORY_TEXT, REASON_TEXT
from counter_app.gui import i18n
from counter_app.gui.labels import state_name
from counter_app.gui.post_queue import PostQueue
from counter_app.gui.session import AppSession
from counter_app.services.case_core import CaseView, StepView
from counter_app.services.cases import REJECTION_REASONS

REJECTION_WORDS = {code: (zh, en) for code, zh, en in REJECTION_REASONS}


def step_words(step: StepView) -> str:
    """A step's rejection reasons in plain words, and its note."""
    words = [i18n.pick(REJECTION_WORDS[r]) if r in REJECTION_WORDS else r for r in step.reasons]
    return "; ".join([*words, step.note] if step.note else words)


def reasons_html(reasons: list[Reason]) -> str:
    if not reasons:
        return ""
    items = "".join(f"<li>{i18n.pick(REASON_TEXT[r])}</li>" for r in reasons)
    return f"<ul style='margin:0'>{items}</ul>"


class CaseEditor(QWidget):
    """The work area of one post for the case the clerk holds.

    Signals:
        left_post(object): the case moved on (or back) to another post: ``CaseView``.
        message(str): a line for the page's status.
        release_requested(int): give this case back to the queue.
        cancel_requested(int, str): cancel this case (id, number), asking the reason.
    """

    left_post = Signal(object)
    message = Signal(str)
    release_requested = Signal(int)
    cancel_requested = Signal(int, str)

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case: CaseView | None = None
        self.header = QLabel()
        self.header.setObjectName("caseHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.release_button = QPushButton()
        self.release_button.clicked.connect(self._release)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self._cancel)
        self.body = QVBoxLayout()
        self.actions_row = QHBoxLayout()
        self.actions_row.addStretch(1)
        self.actions_row.addWidget(self.release_button)
        self.actions_row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(self.body, 1)
        layout.addLayout(self.actions_row)

    def add_shortcut(self, keys: str | QKeySequence.StandardKey, slot: object) -> QAction:
        """A shortcut that works while the focus is anywhere in this editor."""
        action = QAction(self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def retranslate(self) -> None:
        self.release_button.setText(self.tr("Give &back to the queue"))
        self.cancel_button.setText(self.tr("Cancel case…"))
        self.show_header()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_header(self) -> None:
        case = self.case
        if case is None:
            self.header.clear()
            return
        text = self.tr(
            "<b>Case {case_no}</b> — {state}<br>Capital account <b>{account}</b>, "
            "<b>{name}</b><br>Class: {cls}; depository: {dep}"
        ).format(
            case_no=case.case_no,
            state=state_name(case.state),
            account=case.capital_account,
            name=case.customer_name,
            cls=i18n.pick(CLASS_TEXT[case.account_class]),
            dep=i18n.pick(DEPOSITORY_TEXT[case.depository_status]),
        )
        if case.reasons:
            text += "<br>" + self.tr("Reasons:") + reasons_html(case.reasons)
        back = case.steps[-1] if case.steps else None
        if back is not None and back.kind in (
            StepKind.REJECT,
            StepKind.RETURN,
            StepKind.BANK_REJECT,
        ):
            text += (
                "<br><span style='color:#b00020'>"
                + html.escape(
                    self.tr("Sent back by {who} ({when}): {why}").format(
                        who=back.actor_name or back.actor,
                        when=f"{back.at:%Y-%m-%d %H:%M}",
                        why=step_words(back),
                    )
                )
                + "</span>"
            )
        self.header.setText(text)

    def open_case(self, case: CaseView) -> None:
        """Show ``case`` (held by the signed-in user); subclasses load their data."""
        self.case = case
        self.show_header()

    def clear(self) -> None:
        self.case = None
        self.show_header()

    def _release(self) -> None:
        if self.case is not None:
            self.release_requested.emit(self.case.id)

    def _cancel(self) -> None:
        if self.case is not None:
            self.cancel_requested.emit(self.case.id, self.case.case_no)

    def moved(self, case: CaseView) -> None:
        """The core moved the case on: tell the page, and let go of it."""
        self.message.emit(
            self.tr("Case {case_no} went to {state}.").format(
                case_no=case.case_no, state=state_name(case.state)
            )
        )
        self.clear()
        self.left_post.emit(case)


class PostPage(QWidget):
    """Queue on the left, the held case's editor on the right, a status line below."""

    def __init__(
        self,
        session: AppSession,
        state: CaseState,
        editor: CaseEditor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.state = state
        self.queue = PostQueue(session, state)
        self.editor = editor
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.work = QStackedWidget()
        self.work.addWidget(self.placeholder)
        self.work.addWidget(editor)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.queue)
        splitter.addWidget(self.work)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([480, 720])  # the held case gets the room; the queue scrolls
        self.status = QLabel()
        self.status.setObjectName("postStatus")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        # the queue's shortcuts (Ctrl+N, F5) work anywhere on the page
        for action in self.queue.actions():
            self.addAction(action)
        self.queue.taken.connect(self.open_case)
        self.queue.released.connect(self._released)
        self.queue.message.connect(self.status.setText)
        editor.message.connect(self.status.setText)
        editor.left_post.connect(self._left)
        editor.release_requested.connect(self.queue.release_case)
        editor.cancel_requested.connect(self.queue.cancel_case)
        self.retranslate()

    def retranslate(self) -> None:
        if self.queue.can_act:
            self.placeholder.setText(
                self.tr(
                    "Take a case from the queue: Ctrl+N takes the next one, Enter the selected one."
                )
            )
        else:
            self.placeholder.setText(
                self.tr("You may look at this queue; working at this post needs its role.")
            )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def start(self) -> None:
        self.queue.start()

    def stop(self) -> None:
        self.queue.stop()

    def open_case(self, case: CaseView) -> None:
        self.editor.open_case(case)
        self.work.setCurrentWidget(self.editor)
        self.editor.setFocus()
        first = self.editor.nextInFocusChain()
        if first is not None and self.editor.isAncestorOf(first):
            first.setFocus()

    def take(self, case_id: int) -> None:
        """Claim a case and open it here (a scan or a search led to it)."""
        self.queue.select_case(case_id)
        self.queue.take(case_id)

    def _left(self, case: CaseView) -> None:
        self.work.setCurrentWidget(self.placeholder)
        self.queue.refresh()

    def _released(self, case_id: int) -> None:
        if self.editor.case is not None and self.editor.case.id == case_id:
            self.editor.clear()
            self.work.setCurrentWidget(self.placeholder)

    def holding(self) -> CaseView | None:
        return self.editor.case
