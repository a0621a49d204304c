"""The import screen: choose a counter-system export, watch it go in, read what it did.

The import runs off the GUI thread with a progress bar and a Cancel button (cancelling
rolls the whole import back: it is one transaction). A refused file lists every bad
row (line, column, value, what is wrong); nothing of it was written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.codes import AccountClass
from counter_app.domain.reason_text import CLASS_TEXT
from counter_app.gui import errors, i18n, ops
from counter_app.gui.rows_model import RowsModel
from counter_app.gui.session import AppSession
from counter_app.importing.columns import COLUMN_BY_NAME
from counter_app.importing.errors import FileRefused
from counter_app.importing.parse import RowError
from counter_app.services.importer import ImportRefused, ImportSummary, import_file
from counter_app.services.settings import get_base_date


class RowErrorModel(RowsModel[RowError]):
    """The rows of a refused file: line, column, value, message."""

    display_roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Line"), self.tr("Column"), self.tr("Value"), self.tr("Problem"))

    def display(self, error: RowError) -> tuple[Any, ...]:
        known = COLUMN_BY_NAME.get(error.column)
        if known is None:
            column = error.column or self.tr("(whole row)")
        else:
            column = known.zh if i18n.is_chinese() else known.name
        message = error.message_zh if (i18n.is_chinese() and error.message_zh) else error.message
        return (str(error.line_no), column, error.value, message)


class ImportPage(QWidget):
    """Choose a file, import it with progress, show the summary or the refused rows.

    Signals:
        imported(object): the ``ImportSummary`` of a successful import.
    """

    imported = Signal(object)

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.task: ops.Task | None = None
        self.stored_base_date: date | None = None

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("importPath")
        self.choose_button = QPushButton()
        self.choose_button.setShortcut(QKeySequence.StandardKey.Open)
        self.choose_button.clicked.connect(self.choose_file)
        self.base_date = QDateEdit()
        self.base_date.setCalendarPopup(True)
        self.base_date.setDisplayFormat("yyyy-MM-dd")
        self.base_date.setDate(QDate.currentDate())
        self.base_date.setMaximumDate(QDate.currentDate())
        self.base_date_note = QLabel()
        self.import_button = QPushButton()
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = QPushButton()
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.status = QLabel()
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_model = RowErrorModel(self)
        self.error_table = QTableView()
        self.error_table.setObjectName("importErrors")
        self.error_table.setModel(self.error_model)
        self.error_table.setAlternatingRowColors(True)
        self.error_table.verticalHeader().setVisible(False)
        self.error_table.horizontalHeader().setStretchLastSection(True)
        self.error_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.error_table.setVisible(False)

        self.file_label = QLabel()
        self.file_label.setBuddy(self.path_edit)
        self.base_label = QLabel()
        self.base_label.setBuddy(self.base_date)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)
        base_row = QHBoxLayout()
        base_row.addWidget(self.base_date)
        base_row.addWidget(self.base_date_note, 1)
        form = QFormLayout()
        form.addRow(self.file_label, file_row)
        form.addRow(self.base_label, base_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.error_table, 1)
        layout.addStretch(0)
        self.path_edit.returnPressed.connect(self.start_import)
        self.retranslate()

    # -- texts ------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(
            self.tr(
                "Import the account list exported from the counter system (.csv, .txt or "
                ".xlsx; Chinese or English headers; UTF-8 or GB18030). Importing the same "
                "accounts again updates them. A file with unreadable rows is refused whole."
            )
        )
        self.file_label.setText(self.tr("&File:"))
        self.base_label.setText(self.tr("&Base date:"))
        self.choose_button.setText(self.tr("&Choose file…"))
        self.import_button.setText(self.tr("&Import"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.path_edit.setPlaceholderText(self.tr("Path of the export file"))
        self._show_base_date_note()
        self.error_model.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_base_date_note(self) -> None:
        if self.stored_base_date is None:
            self.base_date_note.setText(
                self.tr(
                    "The first import sets the base date of the statistics; it cannot "
                    "be changed later."
                )
            )
        else:
            self.base_date_note.setText(self.tr("Set by the first import."))

    # -- loading ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the stored base date (the page is shown)."""
        db = self.session.db

        def read(job: ops.Job) -> date | None:
            with db.read() as session:
                return get_base_date(session)

        ops.run_in_background(self, read, self._base_date_read)

    def _base_date_read(self, stored: date | None) -> None:
        self.stored_base_date = stored
        if stored is not None:
            self.base_date.setDate(QDate(stored.year, stored.month, stored.day))
        self.base_date.setEnabled(stored is None)
        self._show_base_date_note()

    # -- actions ----------------------------------------------------------------------

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose the counter-system export"),
            self.path_edit.text() or str(Path.home()),
            self.tr("Exports (*.csv *.txt *.xlsx);;All files (*)"),
        )
        if path:
            self.path_edit.setText(path)
            self.import_button.setFocus()

    def start_import(self) -> None:
        if self.task is not None:
            return
        text = self.path_edit.text().strip()
        if not text:
            self.status.setText(self.tr("Choose a file first."))
            return
        path = Path(text)
        if not path.is_file():
            self.status.setText(self.tr("There is no file {path}.").format(path=path))
            return
        base = None
        if self.stored_base_date is None:
            qd = self.base_date.date()
            base = date(qd.year(), qd.month(), qd.day())
        db, operator = self.session.db, self.session.username
        self.error_model.set_rows([])
        self.error_table.setVisible(False)
        self.status.setText(self.tr("Importing {name}…").format(name=path.name))
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self._set_running(True)

        def work(job: ops.Job) -> ImportSummary:
            return import_file(db, path, base_date=base, operator=operator, progress=job.progress)

        self.task = ops.run_in_background(
            self,
            work,
            self._done,
            self._failed,
            progress=self._progress,
            on_finally=self._finished,
        )

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText(self.tr("Cancelling… nothing of this file will be kept."))

    def _set_running(self, running: bool) -> None:
        self.import_button.setEnabled(not running)
        self.choose_button.setEnabled(not running)
        self.path_edit.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _progress(self, done: int, fraction: float | None) -> None:
        if fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
        self.status.setText(self.tr("Importing… {rows} rows read").format(rows=f"{done:,}"))

    def _finished(self) -> None:
        cancelled = self.task is not None and self.task.cancelled
        self.task = None
        self._set_running(False)
        self.progress.setRange(0, 1000)
        if cancelled:
            self.progress.setValue(0)
            self.progress.setFormat("")
            self.status.setText(self.tr("Import cancelled: nothing was imported."))

    def _done(self, summary: ImportSummary) -> None:
        self.progress.setValue(1000)
        self.stored_base_date = summary.base_date
        self._base_date_read(summary.base_date)
        self.status.setText(self.summary_text(summary))
        self.imported.emit(summary)

    def summary_text(self, summary: ImportSummary) -> str:
        lines = [
            self.tr(
                "Imported {name}: {rows} rows read; {new} new, {updated} updated, "
                "{unchanged} unchanged."
            ).format(
                name=summary.source_name,
                rows=f"{summary.rows_read:,}",
                new=f"{summary.new:,}",
                updated=f"{summary.updated:,}",
                unchanged=f"{summary.unchanged:,}",
            ),
            self.tr("Base date: {date}").format(date=summary.base_date.isoformat()),
        ]
        for cls in AccountClass:
            count = summary.per_class.get(cls.value, 0)
            lines.append(f"  {i18n.pick(CLASS_TEXT[cls])}: {count:,}")
        if summary.unknown_columns:
            lines.append(
                self.tr("Columns ignored (unknown): {columns}").format(
                    columns=", ".join(summary.unknown_columns)
                )
            )
        return "\n".join(lines)

    def _failed(self, exc: BaseException) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("")
        if isinstance(exc, ImportRefused):
            self.status.setText(
                self.tr(
                    "The file was refused: {count} problem(s) in {rows} row(s). Nothing "
                    "was imported; correct the rows below and import the file again."
                ).format(count=f"{len(exc.errors):,}", rows=f"{exc.rows_read:,}")
            )
            self.error_model.set_rows(exc.errors)
            self.error_table.setVisible(True)
            self.error_table.setFocus()
        elif isinstance(exc, FileRefused):
            self.status.setText(
                self.tr("The file was refused: {why}").format(why=errors.user_message(exc))
            )
        elif errors.is_user_problem(exc):
            self.status.setText(errors.user_message(exc))
        else:
            errors.show_error(self, exc)
