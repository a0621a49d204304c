"""One post's queue: the cases waiting, who holds which; claim, release, cancel.

A case is worked on by the one clerk holding its claim; everybody sees the holder and
since when. Every action is the core's (``services.cases``): this widget only asks and
shows the answer, off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.codes import CaseState
from counter_app.gui import dialogs, errors, ops
from counter_app.gui.labels import role_name
from counter_app.gui.queue_model import CaseIdRole, QueueModel, SortRole
from counter_app.gui.session import AppSession
from counter_app.services.case_core import POST_OF_STATE, CaseView
from counter_app.services.cases import cancel, claim, claim_next, queue, release

#: queues refresh themselves this often, so everybody sees new claims
AUTO_REFRESH_MS = 20_000


class PostQueue(QWidget):
    """The queue table and its buttons.

    Signals:
        taken(object): the signed-in user now holds this ``CaseView`` (claimed, or
            already held and opened again).
        released(int): the case with this id went back to the queue (or was cancelled).
        message(str): a line for the page's status.
    """

    taken = Signal(object)
    released = Signal(int)
    message = Signal(str)

    def __init__(self, session: AppSession, state: CaseState, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.state = state
        self.post = POST_OF_STATE[state]
        self.can_act = session.can(self.post)
        self.model = QueueModel(session.username, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = QTableView()
        self.table.setObjectName(f"queue_{state.value}")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(lambda _index: self.take_selected())
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.count = QLabel()
        self.count.setObjectName("queueCount")
        self.next_button = QPushButton()
        self.next_button.setObjectName("claimNext")
        self.next_button.clicked.connect(self.take_next)
        self.take_button = QPushButton()
        self.take_button.setObjectName("claimSelected")
        self.take_button.clicked.connect(self.take_selected)
        self.release_button = QPushButton()
        self.release_button.setObjectName("releaseCase")
        self.release_button.clicked.connect(self.release_selected)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelCase")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)

        self.next_action = self._action(QKeySequence("Ctrl+N"), self.take_next)
        self.refresh_action = self._action(
            QKeySequence(QKeySequence.StandardKey.Refresh), self.refresh
        )

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.count)
        buttons = QHBoxLayout()
        for button in (
            self.next_button,
            self.take_button,
            self.release_button,
            self.cancel_button,
            self.refresh_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._loading = False
        self.timer = QTimer(self)
        self.timer.setInterval(AUTO_REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.retranslate()
        self._update_buttons()

    def _action(self, keys: QKeySequence, slot: object) -> QAction:
        action = QAction(self)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        # the page that holds this queue adds the action so its shortcut works there too
        self.addAction(action)
        return action

    def retranslate(self) -> None:
        self.title.setText(self.tr("Queue: {post}").format(post=role_name(self.post)))
        self.next_button.setText(self.tr("Take &next (Ctrl+N)"))
        self.take_button.setText(self.tr("&Take selected"))
        self.release_button.setText(self.tr("&Release"))
        self.cancel_button.setText(self.tr("Cancel case…"))
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        self._show_count()
        self.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_count(self) -> None:
        cases = self.model.cases()
        waiting = sum(1 for c in cases if c.claimed_by is None)
        self.count.setText(self.tr("{n} case(s), {w} waiting").format(n=len(cases), w=waiting))

    # -- selection --------------------------------------------------------------------

    def selected_case(self) -> CaseView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        case_id = self.proxy.data(rows[0], CaseIdRole)
        row = self.model.row_of(int(case_id))
        return self.model.case_at(row) if row is not None else None

    def select_case(self, case_id: int) -> bool:
        row = self.model.row_of(case_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _update_buttons(self) -> None:
        case = self.selected_case()
        me = self.session.username
        self.next_button.setEnabled(self.can_act)
        self.take_button.setEnabled(
            self.can_act and case is not None and case.claimed_by in (None, me)
        )
        may_release = (
            case is not None
            and case.claimed_by is not None
            and (case.claimed_by == me or self.session.is_supervisor)
        )
        self.release_button.setEnabled(may_release)
        self.cancel_button.setEnabled(
            case is not None
            and (self.session.is_supervisor or (self.can_act and case.claimed_by in (None, me)))
        )

    # -- loading ----------------------------------------------------------------------

    def start(self) -> None:
        """Load now and keep the queue fresh while the page lives."""
        self.refresh()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        db, actor, state = self.session.db, self.session.actor, self.state

        def done() -> None:
            self._loading = False

        ops.run_in_background(
            self, lambda job: queue(db, actor, state), self._listed, self._failed, on_finally=done
        )

    def _listed(self, cases: list[CaseView]) -> None:
        chosen = self.selected_case()
        self.model.set_cases(cases)
        if chosen is not None:
            self.select_case(chosen.id)
        self._show_count()
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        if errors.is_user_problem(exc):
            self.message.emit(errors.user_message(exc))
        else:
            errors.show_error(self, exc)

    # -- actions ----------------------------------------------------------------------

    def take_next(self) -> None:
        """Open a case this clerk already holds here (left from before), else claim the
        oldest waiting one."""
        if not self.can_act:
            return
        mine = [c for c in self.model.cases() if c.claimed_by == self.session.username]
        if mine:
            self.take(mine[0].id)
            return
        db, actor, state = self.session.db, self.session.actor, self.state
        ops.run_in_background(
            self, lambda job: claim_next(db, actor, state), self._next_taken, self._failed
        )

    def _next_taken(self, case: CaseView | None) -> None:
        if case is None:
            self.message.emit(self.tr("Nobody is waiting at this post."))
            self.refresh()
            return
        self._taken(case)

    def take_selected(self) -> None:
        case = self.selected_case()
        if case is not None:
            self.take(case.id)

    def take(self, case_id: int) -> None:
        """Claim the case (or open it again if it is already mine)."""
        if not self.can_act:
            self.message.emit(self.tr("You may look at this queue but not work at this post."))
            return
        db, actor = self.session.db, self.session.actor
        ops.run_in_background(
            self, lambda job: claim(db, actor, case_id), self._taken, self._failed
        )

    def _taken(self, case: CaseView) -> None:
        self.message.emit(
            self.tr("You hold case {case_no} ({name}).").format(
                case_no=case.case_no, name=case.customer_name
            )
        )
        self.refresh()
        self.select_case(case.id)
        self.taken.emit(case)

    def release_case(self, case_id: int) -> None:
        db, actor = self.session.db, self.session.actor
        ops.run_in_background(
            self, lambda job: release(db, actor, case_id), self._released, self._failed
        )

    def release_selected(self) -> None:
        case = self.selected_case()
        if case is not None:
            self.release_case(case.id)

    def _released(self, case: CaseView) -> None:
        self.message.emit(
            self.tr("Case {case_no} is back in the queue.").format(case_no=case.case_no)
        )
        self.refresh()
        self.released.emit(case.id)

    def cancel_case(self, case_id: int, case_no: str) -> None:
        reason = dialogs.ask_reason(
            self,
            self.tr("Cancel case {case_no}").format(case_no=case_no),
            self.tr("Why is case {case_no} cancelled? The case and its history are kept.").format(
                case_no=case_no
            ),
        )
        if reason is None:
            return
        db, actor = self.session.db, self.session.actor
        ops.run_in_background(
            self, lambda job: cancel(db, actor, case_id, reason), self._cancelled, self._failed
        )

    def cancel_selected(self) -> None:
        case = self.selected_case()
        if case is not None:
            self.cancel_case(case.id, case.case_no)

    def _cancelled(self, case: CaseView) -> None:
        self.message.emit(self.tr("Case {case_no} cancelled.").format(case_no=case.case_no))
        self.refresh()
        self.released.emit(case.id)
