"""Audit (复核): the second person checks the case, then approves or rejects it.

The auditor sees the data before and after every change the case made, the agreement
as printed, and the case's whole history; approves (on to bank posting), or rejects
with reasons from the list and a note (back to the post that must fix it). Whether an
auditor may check a case they filled or signed is the core's rule (settings
``auditor_not_filler`` / ``auditor_not_signer``); its refusal is shown as it comes.

The before/after and the agreement show ID numbers and bank accounts in full (checking
them is the auditor's work): each opening of a case writes one reveal per full value
shown to the audit log (``reveal_full``), before anything is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.gui import i18n, modal, ops
from counter_app.gui.labels import state_name, step_name
from counter_app.gui.pdf_view import PdfPreview
from counter_app.gui.post_page import CaseEditor, step_words
from counter_app.gui.session import AppSession
from counter_app.printing import render_agreement
from counter_app.services.case_core import CaseView
from counter_app.services.cases import (
    REJECTION_REASONS,
    DataChangeView,
    approve,
    case_changes,
    get_case,
    reject,
)
from counter_app.services.customer_form import HOLDER_ID
from counter_app.services.documents import agreement_data, field_label
from counter_app.services.reveal import reveal_full

OTHER = "OTHER"


def _table(headers: int) -> QTableWidget:
    table = QTableWidget(0, headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(True)
    return table


def _fill(table: QTableWidget, rows: Sequence[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)  # the whole text, where the column cuts it
            table.setItem(r, c, item)


def full_values_shown(
    case: CaseView, changes: Sequence[DataChangeView]
) -> list[tuple[str, str, str]]:
    """The full values the auditor's view of ``case`` shows: (entity, key, field) each,
    as ``reveal_full`` takes them. The agreement shows its bank account; the
    before/after shows the ID numbers that changed."""
    shown: list[tuple[str, str, str]] = []
    for change in changes:
        if change.field == "id_number":
            item = ("capital_account", case.capital_account, "id_number")
        elif change.field.startswith("securities.") and change.field.endswith("." + HOLDER_ID):
            item = ("securities_account", change.field.split(".")[1], HOLDER_ID)
        else:
            continue
        if item not in shown:
            shown.append(item)
    if case.agreement_no:
        shown.append(("agreement", case.agreement_no, "bank_account"))
    return shown


class RejectDialog(QDialog):
    """Reasons from the list (at least one) and a note (required with "Other")."""

    def __init__(self, parent: QWidget | None, case_no: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reject case {case_no}").format(case_no=case_no))
        self.reasons = QListWidget()
        self.reasons.setObjectName("rejectReasons")
        for code, zh, en in REJECTION_REASONS:
            item = QListWidgetItem(zh if i18n.is_chinese() else en)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.reasons.addItem(item)
        self.note = QPlainTextEdit()
        self.note.setObjectName("rejectNote")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(90)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Reasons (check at least one):")))
        layout.addWidget(self.reasons)
        layout.addWidget(QLabel(self.tr("Note:")))
        layout.addWidget(self.note)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.reasons.itemChanged.connect(lambda _item: self._update())
        self.note.textChanged.connect(self._update)
        self._update()

    def codes(self) -> list[str]:
        return [
            str(self.reasons.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.reasons.count())
            if self.reasons.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, code: str, checked: bool = True) -> None:
        for i in range(self.reasons.count()):
            item = self.reasons.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _update(self) -> None:
        codes = self.codes()
        need_note = OTHER in codes and not self.note.toPlainText().strip()
        ok = bool(codes) and not need_note
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if not codes:
            self.hint.setText(self.tr("Check at least one reason."))
        elif need_note:
            self.hint.setText(self.tr('"Other" needs a note saying what is wrong.'))
        else:
            self.hint.clear()


class AuditEditor(CaseEditor):
    """Before/after data, the agreement, the history; approve or reject."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.tabs = QTabWidget()
        self.changes = _table(5)
        self.changes.setObjectName("auditChanges")
        self.agreement = PdfPreview()
        self.history = _table(5)
        self.history.setObjectName("auditHistory")
        self.tabs.addTab(self.changes, "")
        self.tabs.addTab(self.agreement, "")
        self.tabs.addTab(self.history, "")
        self.approve_button = QPushButton()
        self.approve_button.setObjectName("approveButton")
        self.approve_button.clicked.connect(self.approve)
        self.reject_button = QPushButton()
        self.reject_button.setObjectName("rejectButton")
        self.reject_button.clicked.connect(self.reject_case)
        row = QHBoxLayout()
        row.addWidget(self.approve_button)
        row.addWidget(self.reject_button)
        row.addStretch(1)
        self.body.addWidget(self.tabs, 1)
        self.body.addLayout(row)
        self.add_shortcut("Ctrl+Return", self.approve)
        self._busy = False
        self._changes: list[DataChangeView] = []
        self.retranslate()
        self._update()

    def retranslate(self) -> None:
        super().retranslate()
        self.tabs.setTabText(0, self.tr("Data before and after ({n})").format(n=len(self._changes)))
        self.tabs.setTabText(1, self.tr("Agreement"))
        self.tabs.setTabText(2, self.tr("History"))
        self.changes.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("Before"), self.tr("After"), self.tr("By"), self.tr("When")]
        )
        self.history.setHorizontalHeaderLabels(
            [
                self.tr("When"),
                self.tr("Step"),
                self.tr("From → to"),
                self.tr("By"),
                self.tr("Reasons and note"),
            ]
        )
        self.approve_button.setText(self.tr("&Approve (Ctrl+Enter)"))
        self.reject_button.setText(self.tr("&Reject…"))
        if self.case is not None:
            self._show_changes()
            self._show_history(self.case)

    def _update(self) -> None:
        held = self.case is not None and not self._busy
        self.approve_button.setEnabled(held)
        self.reject_button.setEnabled(held)
        self.release_button.setEnabled(held)
        self.cancel_button.setEnabled(held)

    # -- loading ----------------------------------------------------------------------

    def open_case(self, case: CaseView) -> None:
        super().open_case(case)
        self._changes = []
        _fill(self.changes, [])
        _fill(self.history, [])
        self.agreement.show_text(self.tr("Loading…"))
        db, actor = self.session.db, self.session.actor

        def work(job: ops.Job) -> tuple[CaseView, list[DataChangeView], bytes | None]:
            full = get_case(db, actor, case.id)
            changes = case_changes(db, actor, case.id)
            for entity, key, name in full_values_shown(full, changes):
                reveal_full(db, actor.username, entity, key, name, case_id=case.id)
            pdf = (
                render_agreement(agreement_data(db, full.agreement_no))
                if full.agreement_no
                else None
            )
            return full, changes, pdf

        ops.run_in_background(self, work, self._loaded)
        self._update()

    def _loaded(self, loaded: tuple[CaseView, list[DataChangeView], bytes | None]) -> None:
        full, changes, pdf = loaded
        if self.case is None or self.case.id != full.id:
            return
        self.case = full
        self.show_header()
        self._changes = changes
        self._show_changes()
        self._show_history(full)
        # nothing changed (only the agreement was missing): the agreement is what to check
        self.tabs.setCurrentIndex(0 if changes else 1)
        if pdf is not None:
            self.agreement.show_pdf(pdf)
        else:
            self.agreement.show_text(
                self.tr(
                    "No agreement was signed in this case (the account was already on depository)."
                )
            )

    def _show_changes(self) -> None:
        self.tabs.setTabText(0, self.tr("Data before and after ({n})").format(n=len(self._changes)))
        lang = i18n.lang_code()
        _fill(
            self.changes,
            [
                (
                    field_label(c.field, lang),
                    c.old or self.tr("(empty)"),
                    c.new or self.tr("(empty)"),
                    c.actor_name or c.actor,
                    f"{c.at:%Y-%m-%d %H:%M}",
                )
                for c in self._changes
            ],
        )

    def _show_history(self, case: CaseView) -> None:
        rows = []
        for step in case.steps:
            rows.append(
                (
                    f"{step.at:%Y-%m-%d %H:%M}",
                    step_name(step.kind),
                    f"{state_name(step.from_state)} → {state_name(step.to_state)}",
                    step.actor_name or step.actor,
                    step_words(step),
                )
            )
        _fill(self.history, rows)

    def clear(self) -> None:
        super().clear()
        _fill(self.changes, [])
        _fill(self.history, [])
        self.agreement.show_text("")
        self._update()

    # -- deciding ---------------------------------------------------------------------

    def _run(self, work: object) -> None:
        self._busy = True
        self._update()

        def done() -> None:
            self._busy = False
            self._update()

        ops.run_in_background(self, work, self.moved, on_finally=done)  # type: ignore[arg-type]

    def approve(self) -> None:
        case = self.case
        if case is None or self._busy:
            return
        db, actor = self.session.db, self.session.actor
        self._run(lambda job: approve(db, actor, case.id))

    def reject_case(self) -> None:
        case = self.case
        if case is None or self._busy:
            return
        dialog = RejectDialog(self, case.case_no)
        accepted = modal.run_modal(dialog) == QDialog.DialogCode.Accepted
        codes, note = dialog.codes(), dialog.note.toPlainText().strip()
        dialog.deleteLater()
        if not accepted:
            return
        db, actor = self.session.db, self.session.actor
        self._run(lambda job: reject(db, actor, case.id, codes, note))
