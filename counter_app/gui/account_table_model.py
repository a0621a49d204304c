"""The account list as a lazy table model: pages arrive as the view scrolls.

``canFetchMore``/``fetchMore`` ask for the next keyset page (``services.ledger``) off the
GUI thread; the rows are appended when it arrives. Scrolling a million accounts never
loads them all, and the window never waits for the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    Qt,
    Signal,
)

from counter_app.domain.reason_text import CLASS_TEXT, DEPOSITORY_TEXT, REASON_TEXT
from counter_app.gui import i18n, ops
from counter_app.gui.qtypes import Index
from counter_app.services.ledger import AccountRow

PageFetcher = Callable[[str | None, int], list[AccountRow]]
"""(after_key, limit) -> the next rows; runs on a worker thread."""


COL_ACCOUNT, COL_NAME, COL_CLASS, COL_REASONS, COL_DEPOSITORY, COL_SECURITIES, COL_BALANCE = range(
    7
)


def yuan(cents: int) -> str:
    return f"{cents / 100:,.2f}"


class AccountTableModel(QAbstractTableModel):
    """Accounts in capital-account order, fetched a page at a time.

    Signals:
        loading_changed(bool): a page is (no longer) on its way.
        page_loaded(int): rows now held, after a page arrived.
        failed(object): fetching a page raised this exception.
    """

    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    failed = Signal(object)

    def __init__(self, fetch_page: PageFetcher, page_size: int = 500, parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch_page = fetch_page
        self.page_size = page_size
        self._rows: list[AccountRow] = []
        self._exhausted = False
        self._loading = False
        self._generation = 0
        self._task: ops.Task | None = None

    # -- data -------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def row_at(self, row: int) -> AccountRow:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_REASONS:
            return "\n".join(i18n.pick(REASON_TEXT[r]) for r in row.reasons) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_SECURITIES, COL_BALANCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.capital_account
        return None

    def _display(self, row: AccountRow, column: int) -> str | None:
        if column == COL_ACCOUNT:
            return row.capital_account
        if column == COL_NAME:
            return row.name
        if column == COL_CLASS:
            return i18n.pick(CLASS_TEXT[row.account_class])
        if column == COL_REASONS:
            return self.tr("; ").join(i18n.pick(REASON_TEXT[r]) for r in row.reasons)
        if column == COL_DEPOSITORY:
            return i18n.pick(DEPOSITORY_TEXT[row.depository_status])
        if column == COL_SECURITIES:
            return str(row.securities_count)
        if column == COL_BALANCE:
            return yuan(row.balance_cents)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        headers = (
            self.tr("Capital account"),
            self.tr("Name"),
            self.tr("Class"),
            self.tr("Reasons"),
            self.tr("Depository"),
            self.tr("Securities accounts"),
            self.tr("Balance (yuan)"),
        )
        return headers[section] if 0 <= section < len(headers) else None

    def retranslate(self) -> None:
        """Headers and words follow the language just switched to."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1)
            )

    # -- fetching ---------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or self._exhausted or self._loading:
            return
        after = self._rows[-1].capital_account if self._rows else None
        generation = self._generation
        fetch, size = self._fetch_page, self.page_size
        self._set_loading(True)
        self._task = ops.run_in_background(
            self,
            lambda job: fetch(after, size),
            lambda rows: self._arrived(generation, rows),
            lambda exc: self._fetch_failed(generation, exc),
        )

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        self.loading_changed.emit(loading)

    def _arrived(self, generation: int, rows: list[AccountRow]) -> None:
        if generation != self._generation:
            return  # a reset came in between: these belong to the old list
        self._task = None
        if len(rows) < self.page_size:
            self._exhausted = True
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._set_loading(False)
        self.page_loaded.emit(len(self._rows))

    def _fetch_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._task = None
        self._set_loading(False)
        self.failed.emit(exc)

    def reset_with(self, fetch_page: PageFetcher | None = None) -> None:
        """Start again from the first page (another filter), dropping what is held."""
        self._generation += 1
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.beginResetModel()
        if fetch_page is not None:
            self._fetch_page = fetch_page
        self._rows = []
        self._exhausted = False
        self._loading = False
        self.endResetModel()
        self.fetchMore(QModelIndex())
