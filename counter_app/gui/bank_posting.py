"""Bank posting (银行登记): approved cases by bank; a batch file per bank; the bank's
response file; a confirmation by hand (with a reason) when the bank confirmed otherwise."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.codes import DepositoryStatus, Role
from counter_app.domain.reason_text import DEPOSITORY_TEXT
from counter_app.gui import dialogs, errors, i18n, ops
from counter_app.gui.queue_model import short_time
from counter_app.gui.rows_model import RowsModel
from counter_app.gui.session import AppSession
from counter_app.services.case_core import CaseView
from counter_app.services.cases import (
    BankFileRefused,
    BankResponseSummary,
    bank_batches,
    cancel,
    confirm_manually,
    export_bank_batch,
    import_bank_response,
)
from counter_app.services.documents import BankView, list_banks


class BankModel(RowsModel[tuple[str, int, int]]):
    """One row per bank with cases at bank posting: to send, and awaiting the answer."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.names: dict[str, BankView] = {}

    def set_batches(self, batches: dict[str, list[CaseView]]) -> None:
        self.set_rows(
            (
                code,
                sum(1 for c in cases if c.depository_status is DepositoryStatus.SIGNED),
                sum(1 for c in cases if c.depository_status is DepositoryStatus.PENDING_BANK),
            )
            for code, cases in sorted(batches.items())
        )

    def bank_name(self, code: str) -> str:
        bank = self.names.get(code)
        if bank is None:
            return code or self.tr("(no bank)")
        return f"{bank.short_zh}（{code}）" if i18n.is_chinese() else f"{bank.name_en} ({code})"

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Bank"), self.tr("To send"), self.tr("Awaiting the bank"))

    def display(self, row: tuple[str, int, int]) -> tuple[Any, ...]:
        code, to_send, waiting = row
        return (self.bank_name(code), str(to_send), str(waiting))

    def other_role(self, row: tuple[str, int, int], column: int, role: int) -> Any:
        return row[0] if role == Qt.ItemDataRole.UserRole else None


class PostingModel(RowsModel[CaseView]):
    """The cases of one bank."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Case"),
            self.tr("Capital account"),
            self.tr("Customer"),
            self.tr("Depository"),
            self.tr("Agreement"),
            self.tr("Held by"),
        )

    def display(self, c: CaseView) -> tuple[Any, ...]:
        return (
            c.case_no,
            c.capital_account,
            c.customer_name,
            i18n.pick(DEPOSITORY_TEXT[c.depository_status]),
            c.agreement_no or "",
            (c.claimed_by_name or c.claimed_by or "")
            + (f" {short_time(c.claimed_at)}" if c.claimed_at else ""),
        )


def _table(model: QAbstractTableModel, name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class BankPostingPage(QWidget):
    """Banks on the left, their cases on the right; export, import, confirm, cancel."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.can_act = session.can(Role.BANK_POSTING)
        self.batches: dict[str, list[CaseView]] = {}
        self.bank_model = BankModel(self)
        self.case_model = PostingModel(self)
        self.banks = _table(self.bank_model, "bankTable")
        self.cases = _table(self.case_model, "postingCases")
        self.include_sent = QCheckBox()
        self.export_button = QPushButton()
        self.export_button.setObjectName("exportBatch")
        self.export_button.clicked.connect(self.export_batch)
        self.import_button = QPushButton()
        self.import_button.setObjectName("importResponse")
        self.import_button.clicked.connect(self.import_response)
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("confirmManually")
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.status = QLabel()
        self.status.setObjectName("postingStatus")
        self.status.setWordWrap(True)
        self.report = QPlainTextEdit()
        self.report.setObjectName("postingReport")
        self.report.setReadOnly(True)
        self.report.setMaximumHeight(140)
        self.report.setVisible(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.banks, 1)
        left_layout.addWidget(self.include_sent)
        left_layout.addWidget(self.export_button)
        left_layout.addWidget(self.import_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.cases, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        right_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.report)
        self.banks.selectionModel().selectionChanged.connect(lambda *_: self._bank_chosen())
        self.cases.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.retranslate()
        self._update()

    def retranslate(self) -> None:
        self.include_sent.setText(self.tr("Include cases already sent (send again)"))
        self.export_button.setText(self.tr("&Export batch file…"))
        self.import_button.setText(self.tr("&Import bank response…"))
        self.confirm_button.setText(self.tr("Confirm by &hand…"))
        self.cancel_button.setText(self.tr("Cancel case…"))
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        self.bank_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)
        self.case_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 5)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def start(self) -> None:
        self.refresh()

    def stop(self) -> None:
        pass

    # -- loading ----------------------------------------------------------------------

    def refresh(self) -> None:
        db, actor = self.session.db, self.session.actor

        def work(job: ops.Job) -> tuple[dict[str, list[CaseView]], list[BankView]]:
            return bank_batches(db, actor), list_banks(db)

        ops.run_in_background(self, work, self._loaded)

    def _loaded(self, loaded: tuple[dict[str, list[CaseView]], list[BankView]]) -> None:
        batches, banks = loaded
        chosen = self.selected_bank()
        self.batches = batches
        self.bank_model.names = {b.code: b for b in banks}
        self.bank_model.set_batches(batches)
        codes = [row[0] for row in self.bank_model.rows]
        if chosen in codes:
            self.banks.selectRow(codes.index(chosen))
        elif codes:
            self.banks.selectRow(0)
        self._bank_chosen()

    def selected_bank(self) -> str | None:
        rows = self.banks.selectionModel().selectedRows()
        return str(self.bank_model.data(rows[0], Qt.ItemDataRole.UserRole)) if rows else None

    def select_bank(self, code: str) -> bool:
        codes = [row[0] for row in self.bank_model.rows]
        if code not in codes:
            return False
        self.banks.selectRow(codes.index(code))
        return True

    def selected_case(self) -> CaseView | None:
        rows = self.cases.selectionModel().selectedRows()
        return self.case_model.row_at(rows[0].row()) if rows else None

    def _bank_chosen(self) -> None:
        code = self.selected_bank()
        self.case_model.set_rows(self.batches.get(code, []) if code is not None else [])
        self._update()

    def _update(self) -> None:
        code, case = self.selected_bank(), self.selected_case()
        self.export_button.setEnabled(self.can_act and bool(code))
        self.import_button.setEnabled(self.can_act)
        self.confirm_button.setEnabled(self.can_act and case is not None)
        self.cancel_button.setEnabled(
            case is not None and (self.can_act or self.session.is_supervisor)
        )

    # -- actions ----------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        if errors.is_user_problem(exc):
            self.status.setText(errors.user_message(exc))
            if isinstance(exc, BankFileRefused):
                self.report.setPlainText(
                    "\n".join(
                        self.tr("line {line}: {account} {problem}").format(
                            line=p.line_no, account=p.capital_account, problem=p.problem
                        )
                        for p in exc.problems
                    )
                )
                self.report.setVisible(True)
        else:
            errors.show_error(self, exc)

    def export_batch(self) -> None:
        code = self.selected_bank()
        if not code:
            return
        suggested = str(Path.home() / f"{code}-{date.today():%Y%m%d}.csv")
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Batch file for {bank}").format(bank=self.bank_model.bank_name(code)),
            suggested,
            self.tr("CSV files (*.csv)"),
        )
        if path:
            self.export_to(code, Path(path))

    def export_to(self, code: str, path: Path) -> ops.Task:
        db, actor, again = self.session.db, self.session.actor, self.include_sent.isChecked()

        def done(count: int) -> None:
            if count:
                self.status.setText(
                    self.tr(
                        "{n} case(s) written to {path}; they now await the bank's answer."
                    ).format(n=count, path=str(path))
                )
            else:
                self.status.setText(self.tr("Nothing to send for this bank: no file written."))
            self.refresh()

        return ops.run_in_background(
            self,
            lambda job: export_bank_batch(db, actor, code, path, include_pending=again),
            done,
            self._failed,
        )

    def import_response(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("The bank's response file"),
            str(Path.home()),
            self.tr("Response files (*.csv *.txt);;All files (*)"),
        )
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> ops.Task:
        db, actor = self.session.db, self.session.actor
        self.report.setVisible(False)
        return ops.run_in_background(
            self, lambda job: import_bank_response(db, actor, path), self._imported, self._failed
        )

    def _imported(self, summary: BankResponseSummary) -> None:
        self.status.setText(
            self.tr(
                "{name}: {lines} line(s); {ok} confirmed, {failed} refused by the bank, "
                "{unknown} not matching any case."
            ).format(
                name=summary.source_name,
                lines=summary.lines_read,
                ok=len(summary.confirmed),
                failed=len(summary.failed),
                unknown=len(summary.unknown),
            )
        )
        details = [
            self.tr("refused: {account} {message}").format(account=a, message=m)
            for a, m in summary.failed
        ]
        details += [
            self.tr("line {line}: {account} {problem}").format(
                line=p.line_no, account=p.capital_account, problem=p.problem
            )
            for p in summary.unknown
        ]
        self.report.setPlainText("\n".join(details))
        self.report.setVisible(bool(details))
        self.refresh()

    def confirm_selected(self) -> None:
        case = self.selected_case()
        if case is None:
            return
        reason = dialogs.ask_reason(
            self,
            self.tr("Confirm case {case_no} by hand").format(case_no=case.case_no),
            self.tr("How did the bank confirm it (who, when)? The reason is kept with the case."),
        )
        if reason is None:
            return
        db, actor = self.session.db, self.session.actor

        def done(moved: CaseView) -> None:
            text = self.tr("Case {case_no} confirmed: the account is on depository.").format(
                case_no=moved.case_no
            )
            if moved.lift_proposed:
                text += " " + self.tr(
                    "Its restrictions can now be lifted: look the account up (Ctrl+F)."
                )
            self.status.setText(text)
            self.refresh()

        ops.run_in_background(
            self, lambda job: confirm_manually(db, actor, case.id, reason), done, self._failed
        )

    def cancel_selected(self) -> None:
        case = self.selected_case()
        if case is None:
            return
        reason = dialogs.ask_reason(
            self,
            self.tr("Cancel case {case_no}").format(case_no=case.case_no),
            self.tr("Why is case {case_no} cancelled? The case and its history are kept.").format(
                case_no=case.case_no
            ),
        )
        if reason is None:
            return
        db, actor = self.session.db, self.session.actor

        def done(moved: CaseView) -> None:
            self.status.setText(self.tr("Case {case_no} cancelled.").format(case_no=moved.case_no))
            self.refresh()

        ops.run_in_background(
            self, lambda job: cancel(db, actor, case.id, reason), done, self._failed
        )
