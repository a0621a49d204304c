"""The statistics table on screen: each class at the base date and as of a date, and the
change, counted in capital accounts and in securities accounts; exported as CSV or XLSX."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QEvent,
    QModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counter_app.cli.render import write_stats
from counter_app.domain.codes import AccountClass
from counter_app.domain.reason_text import CLASS_TEXT
from counter_app.gui import i18n, ops
from counter_app.gui.qtypes import Index
from counter_app.gui.session import AppSession
from counter_app.services.stats import TOTAL, StatsReport, StatsRow, stats_report


class StatsModel(QAbstractTableModel):
    """Rows: the classes and the total; columns: base, current and change, each counted
    in capital accounts and in securities accounts."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[StatsRow] = []

    def set_report(self, report: StatsReport | None) -> None:
        self.beginResetModel()
        self._rows = list(report.rows) if report is not None else []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def _values(self, row: StatsRow) -> tuple[int, ...]:
        return (
            row.base.capital_accounts,
            row.base.securities_accounts,
            row.current.capital_accounts,
            row.current.securities_accounts,
            row.change.capital_accounts,
            row.change.securities_accounts,
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        value = self._values(row)[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{value:+,}" if index.column() >= 4 and value else f"{value:,}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.account_class == TOTAL:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self._rows):
                return None
            name = self._rows[section].account_class
            if name == TOTAL:
                return self.tr("Total")
            return i18n.pick(CLASS_TEXT[AccountClass(name)])
        headers = (
            self.tr("Base date:\ncapital accounts"),
            self.tr("Base date:\nsecurities accounts"),
            self.tr("As of:\ncapital accounts"),
            self.tr("As of:\nsecurities accounts"),
            self.tr("Change:\ncapital accounts"),
            self.tr("Change:\nsecurities accounts"),
        )
        return headers[section] if 0 <= section < len(headers) else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 5)
        if self._rows:
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, len(self._rows) - 1)


class StatsPage(QWidget):
    """The as-of date, the table, and the export buttons."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.report: StatsReport | None = None
        self.as_of = QDateEdit()
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setDate(QDate.currentDate())
        self.as_of_label = QLabel()
        self.as_of_label.setBuddy(self.as_of)
        self.show_button = QPushButton()
        self.show_button.clicked.connect(self.refresh)
        self.export_csv = QPushButton()
        self.export_csv.clicked.connect(lambda: self.export("csv"))
        self.export_xlsx = QPushButton()
        self.export_xlsx.clicked.connect(lambda: self.export("xlsx"))
        self.summary = QLabel()
        self.summary.setObjectName("statsSummary")
        self.model = StatsModel(self)
        self.table = QTableView()
        self.table.setObjectName("statsTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        top = QHBoxLayout()
        top.addWidget(self.as_of_label)
        top.addWidget(self.as_of)
        top.addWidget(self.show_button)
        top.addStretch(1)
        top.addWidget(self.export_csv)
        top.addWidget(self.export_xlsx)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.as_of.editingFinished.connect(self.refresh)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        self.as_of_label.setText(self.tr("&As of:"))
        self.show_button.setText(self.tr("&Show"))
        self.export_csv.setText(self.tr("Export &CSV…"))
        self.export_xlsx.setText(self.tr("Export &XLSX…"))
        self._show_summary()
        self.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _update_buttons(self) -> None:
        self.export_csv.setEnabled(self.report is not None)
        self.export_xlsx.setEnabled(self.report is not None)

    def _show_summary(self) -> None:
        if self.report is None:
            self.summary.setText(self.tr("No statistics yet."))
            return
        self.summary.setText(
            self.tr("Base date {base}; as of {as_of}.").format(
                base=self.report.base_date.isoformat(), as_of=self.report.as_of.isoformat()
            )
        )

    def _date(self) -> date:
        qd = self.as_of.date()
        return date(qd.year(), qd.month(), qd.day())

    def refresh(self) -> None:
        db, as_of = self.session.db, self._date()

        def work(job: ops.Job) -> StatsReport:
            with db.read() as session:
                return stats_report(session, as_of)

        self.show_button.setEnabled(False)
        ops.run_in_background(
            self,
            work,
            self._shown,
            self._failed,
            on_finally=lambda: self.show_button.setEnabled(True),
        )

    def _shown(self, report: StatsReport) -> None:
        self.report = report
        self.model.set_report(report)
        self._show_summary()
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        from counter_app.gui import errors

        if errors.is_user_problem(exc):
            self.report = None
            self.model.set_report(None)
            self.summary.setText(errors.user_message(exc))
            self._update_buttons()
        else:
            errors.show_error(self, exc)

    def export(self, fmt: str) -> None:
        report = self.report
        if report is None:
            return
        suggested = str(Path.home() / f"stats-{report.as_of.isoformat()}.{fmt}")
        pattern = self.tr("CSV files (*.csv)") if fmt == "csv" else self.tr("Excel files (*.xlsx)")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the statistics"), suggested, pattern
        )
        if path:
            self.export_to(Path(path), fmt)

    def export_to(self, path: Path, fmt: str) -> ops.Task | None:
        report = self.report
        if report is None:
            return None
        lang = i18n.lang_code()

        def work(job: ops.Job) -> Path:
            write_stats(report, fmt, path, lang)
            return path

        return ops.run_in_background(
            self,
            work,
            lambda written: self.summary.setText(
                self.tr("Written to {path}.").format(path=str(written))
            ),
        )
