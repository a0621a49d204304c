"""The account list (台账): every account, or one class, scrolled a page at a time, with
export to CSV or XLSX. Double-click (or Enter) shows the account in diversion."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.codes import AccountClass
from counter_app.domain.reason_text import CLASS_TEXT
from counter_app.gui import errors, i18n, ops
from counter_app.gui.account_table_model import AccountTableModel, PageFetcher
from counter_app.gui.session import AppSession
from counter_app.services.account_export import export_accounts
from counter_app.services.ledger import AccountRow, count_accounts, page_accounts


def ledger_fetcher(session: AppSession, account_class: AccountClass | None) -> PageFetcher:
    db = session.db

    def fetch(after: str | None, limit: int) -> list[AccountRow]:
        with db.read() as s:
            return page_accounts(s, after, limit, account_class)

    return fetch


class AccountsPage(QWidget):
    """Signals:
    show_account(str): the capital account to show in diversion.
    """

    show_account = Signal(str)

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.class_box = QComboBox()
        self.class_box.setObjectName("classFilter")
        self.class_box.addItem("", None)
        for cls in AccountClass:
            self.class_box.addItem("", cls.value)
        self.class_label = QLabel()
        self.class_label.setBuddy(self.class_box)
        self.count = QLabel()
        self.count.setObjectName("accountsCount")
        self.export_csv = QPushButton()
        self.export_csv.clicked.connect(lambda: self.export("csv"))
        self.export_xlsx = QPushButton()
        self.export_xlsx.clicked.connect(lambda: self.export("xlsx"))
        self.model = AccountTableModel(ledger_fetcher(session, None), parent=self)
        self.table = QTableView()
        self.table.setObjectName("accountsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        # fixed row heights and column widths: the view never measures a million rows
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((150, 120, 150, 360, 110, 90, 120)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._activated)
        self.model.page_loaded.connect(lambda _n: self._show_count())
        self.model.failed.connect(lambda exc: errors.show_error(self, exc))
        self.total: int | None = None
        top = QHBoxLayout()
        top.addWidget(self.class_label)
        top.addWidget(self.class_box)
        top.addWidget(self.count, 1)
        top.addWidget(self.export_csv)
        top.addWidget(self.export_xlsx)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.class_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.retranslate()

    def retranslate(self) -> None:
        self.class_label.setText(self.tr("&Class:"))
        self.class_box.setItemText(0, self.tr("All accounts"))
        for i, cls in enumerate(AccountClass, start=1):
            self.class_box.setItemText(i, i18n.pick(CLASS_TEXT[cls]))
        self.export_csv.setText(self.tr("Export &CSV…"))
        self.export_xlsx.setText(self.tr("Export &XLSX…"))
        self.model.retranslate()
        self._show_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def account_class(self) -> AccountClass | None:
        value = self.class_box.currentData()
        return AccountClass(value) if value else None

    def start(self) -> None:
        if self.model.rowCount() == 0 and not self.model.loading:
            self.reload()

    def stop(self) -> None:
        pass

    def reload(self) -> None:
        cls = self.account_class()
        self.total = None
        self.model.reset_with(ledger_fetcher(self.session, cls))
        db = self.session.db

        def counted(total: int) -> None:
            if cls == self.account_class():
                self.total = total
                self._show_count()

        def work(job: ops.Job) -> int:
            with db.read() as s:
                return count_accounts(s, cls)

        ops.run_in_background(self, work, counted)

    def _show_count(self) -> None:
        shown = self.model.rowCount()
        if self.total is None:
            self.count.setText(self.tr("{shown} shown").format(shown=f"{shown:,}"))
        else:
            self.count.setText(
                self.tr("{shown} of {total} shown (more load as you scroll)").format(
                    shown=f"{shown:,}", total=f"{self.total:,}"
                )
            )

    def _activated(self, index: QModelIndex) -> None:
        self.show_account.emit(self.model.row_at(index.row()).capital_account)

    def export(self, fmt: str) -> None:
        pattern = self.tr("CSV files (*.csv)") if fmt == "csv" else self.tr("Excel files (*.xlsx)")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the account list"), str(Path.home() / f"accounts.{fmt}"), pattern
        )
        if path:
            self.export_to(Path(path), fmt)

    def export_to(self, path: Path, fmt: str) -> ops.Task:
        db, cls = self.session.db, self.account_class()

        def work(job: ops.Job) -> int:
            with db.read() as s:
                return export_accounts(s, path, fmt, cls)

        return ops.run_with_progress(
            self,
            self.tr("Exporting the account list…"),
            work,
            lambda n: self.count.setText(
                self.tr("{n} accounts written to {path}.").format(n=f"{n:,}", path=str(path))
            ),
            cancellable=False,
        )
