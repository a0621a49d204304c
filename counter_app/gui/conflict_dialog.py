"""When two people changed the same customer: what changed, and the clerk's choice.

Nothing was written by the second save (``cases.CustomerChanged``). The dialog lists
each field that differs: the value stored now, who changed it and when, and the value
on the clerk's form, marking the fields the clerk edited. The clerk chooses:

* **Reload theirs**: throw away the edits, show the stored data;
* **Keep mine on top**: load the stored data and re-apply only the fields this clerk
  edited, then save again against the new version (the other person's changes to
  fields this clerk did not touch are kept, never silently reverted).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.gui import i18n
from counter_app.services.cases import StaleField
from counter_app.services.documents import field_label

RELOAD = "reload"
KEEP_MINE = "keep_mine"


class ConflictDialog(QDialog):
    """Shows the stale fields; ``choice`` is ``RELOAD`` or ``KEEP_MINE`` once accepted."""

    def __init__(self, parent: QWidget | None, fields: list[StaleField], edited: set[str]) -> None:
        super().__init__(parent)
        self.choice = RELOAD
        self.setWindowTitle(self.tr("Someone else changed this customer"))
        self.setMinimumWidth(640)
        intro = QLabel(
            self.tr(
                "Since you opened the form, someone else saved changes to this customer. "
                "Nothing of yours was saved yet. Choose what to keep."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(fields), 4)
        self.table.setObjectName("conflictTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Field"),
                self.tr("Saved by the other person"),
                self.tr("Changed by"),
                self.tr("Yours"),
            ]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        lang = i18n.lang_code()
        for row, f in enumerate(fields):
            who = f.changed_by_name or f.changed_by or "?"
            if f.changed_at is not None:
                who += f" {f.changed_at:%Y-%m-%d %H:%M}"
            yours = f.yours
            if f.field in edited:
                yours = self.tr("{value} (you changed this)").format(value=f.yours)
            for column, text in enumerate((field_label(f.field, lang), f.stored, who, yours)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.reload_button = QPushButton(self.tr("&Reload theirs"))
        self.reload_button.setObjectName("reloadTheirs")
        self.keep_button = QPushButton(self.tr("&Keep mine on top of theirs"))
        self.keep_button.setObjectName("keepMine")
        self.keep_button.setEnabled(bool(edited))
        explain = QLabel(
            self.tr(
                "Keep mine: your edited fields are applied to the data saved now and saved "
                "again; the other changes stay as the other person saved them."
            )
        )
        explain.setWordWrap(True)
        buttons = QDialogButtonBox()
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.reload_button.clicked.connect(lambda: self._choose(RELOAD))
        self.keep_button.clicked.connect(lambda: self._choose(KEEP_MINE))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(explain)
        layout.addWidget(buttons)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def reject(self) -> None:
        # closing the window is the safe choice: reload what is stored
        self.choice = RELOAD
        super().reject()
