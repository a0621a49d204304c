"""A read-only table over a short list of rows (search results, users, a bank's cases…).

The long lists (queues, the ledger) have their own lazy models; the short ones only
differ in their headers and in what each row shows, so they say just that:
``headers()`` (translated anew each time) and ``display(row)`` (one value per column).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from counter_app.gui.qtypes import Index

T = TypeVar("T")


class RowsModel(QAbstractTableModel, Generic[T]):
    """Rows of ``T``; subclasses give ``headers`` and ``display`` (and ``other_role``
    for roles beyond ``display_roles``)."""

    display_roles: tuple[Qt.ItemDataRole, ...] = (Qt.ItemDataRole.DisplayRole,)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[T] = []

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def display(self, row: T) -> tuple[Any, ...]:
        raise NotImplementedError

    def other_role(self, row: T, column: int, role: int) -> Any:
        return None

    def set_rows(self, rows: Iterable[T]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> T:
        return self.rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in self.display_roles:
            return self.display(row)[index.column()]
        return self.other_role(row, index.column(), role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return self.headers()[section]

    def retranslate(self) -> None:
        """The language changed: headers and texts are asked for again."""
        last = len(self.headers()) - 1
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, last)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, last))
