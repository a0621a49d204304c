"""A post's queue as a table model: the cases waiting, who holds which, since when.

Queues are short (the customers in the hall today), so the model holds the whole
list the core returns and is refreshed as a whole; sorting goes through a
``QSortFilterProxyModel`` on ``SortRole`` (times and numbers sort as such).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from counter_app.domain.reason_text import CLASS_TEXT
from counter_app.gui import i18n
from counter_app.gui.qtypes import Index
from counter_app.services.case_core import CaseView

SortRole = Qt.ItemDataRole.UserRole + 1
CaseIdRole = Qt.ItemDataRole.UserRole

COL_CASE, COL_ACCOUNT, COL_NAME, COL_CLASS, COL_OPENED, COL_HELD_BY, COL_HELD_SINCE = range(7)
_MINE = QColor(214, 234, 248)


def short_time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.date() == datetime.now().date():
        return f"{value:%H:%M}"
    return f"{value:%Y-%m-%d %H:%M}"


class QueueModel(QAbstractTableModel):
    """The cases of one queue; rows held by the signed-in user are tinted."""

    def __init__(self, me: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.me = me
        self._cases: list[CaseView] = []

    def set_cases(self, cases: list[CaseView]) -> None:
        self.beginResetModel()
        self._cases = list(cases)
        self.endResetModel()

    def cases(self) -> list[CaseView]:
        return list(self._cases)

    def case_at(self, row: int) -> CaseView:
        return self._cases[row]

    def row_of(self, case_id: int) -> int | None:
        for row, case in enumerate(self._cases):
            if case.id == case_id:
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cases)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cases):
            return None
        case = self._cases[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(case, column)
        if role == SortRole:
            return self._sort_key(case, column)
        if role == CaseIdRole:
            return case.id
        if role == Qt.ItemDataRole.BackgroundRole and case.claimed_by == self.me:
            return QBrush(_MINE)
        if role == Qt.ItemDataRole.ToolTipRole and case.claimed_by:
            return self.tr("Held by {who} since {since}").format(
                who=case.claimed_by_name or case.claimed_by,
                since=short_time(case.claimed_at),
            )
        return None

    def _display(self, case: CaseView, column: int) -> str:
        if column == COL_CASE:
            return case.case_no
        if column == COL_ACCOUNT:
            return case.capital_account
        if column == COL_NAME:
            return case.customer_name
        if column == COL_CLASS:
            return i18n.pick(CLASS_TEXT[case.account_class])
        if column == COL_OPENED:
            return short_time(case.opened_at)
        if column == COL_HELD_BY:
            if case.claimed_by is None:
                return self.tr("(waiting)")
            if case.claimed_by == self.me:
                return self.tr("me")
            return case.claimed_by_name or case.claimed_by
        if column == COL_HELD_SINCE:
            return short_time(case.claimed_at)
        return ""

    @staticmethod
    def _sort_key(case: CaseView, column: int) -> Any:
        if column == COL_OPENED:
            return case.opened_at.isoformat()
        if column == COL_HELD_SINCE:
            return case.claimed_at.isoformat() if case.claimed_at else ""
        if column == COL_HELD_BY:
            return case.claimed_by or ""
        return QueueModel._display_plain(case, column)

    @staticmethod
    def _display_plain(case: CaseView, column: int) -> str:
        return {
            COL_CASE: case.case_no,
            COL_ACCOUNT: case.capital_account,
            COL_NAME: case.customer_name,
            COL_CLASS: case.account_class.value,
        }.get(column, "")

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        headers = (
            self.tr("Case"),
            self.tr("Capital account"),
            self.tr("Customer"),
            self.tr("Class"),
            self.tr("Opened"),
            self.tr("Held by"),
            self.tr("Since"),
        )
        return headers[section] if 0 <= section < len(headers) else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 6)
        if self._cases:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._cases) - 1, 6))
