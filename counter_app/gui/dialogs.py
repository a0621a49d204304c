"""Small modal questions: a yes/no confirmation and a required reason."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from counter_app.gui import modal


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask a yes/no question; No is the default (Enter does not confirm by accident)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return modal.run_modal(box) == QMessageBox.StandardButton.Yes


class ReasonDialog(QDialog):
    """Asks for a reason that may not be empty (cancelling a case, a manual confirmation).

    ``reason()`` is the trimmed text once accepted.
    """

    def __init__(self, parent: QWidget | None, title: str, prompt: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        layout.addWidget(self.prompt)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setMinimumSize(380, 90)
        self.prompt.setBuddy(self.text)
        layout.addWidget(self.text)
        self.hint = QLabel()
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._update)
        self.retranslate()
        self._update()

    def retranslate(self) -> None:
        self.hint.setText(self.tr("A reason is required; it is kept with the case."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason()))

    def reason(self) -> str:
        return self.text.toPlainText().strip()


def ask_reason(parent: QWidget | None, title: str, prompt: str) -> str | None:
    """The reason typed, or None when the person cancelled."""
    dialog = ReasonDialog(parent, title, prompt)
    try:
        if modal.run_modal(dialog) == QDialog.DialogCode.Accepted and dialog.reason():
            return dialog.reason()
        return None
    finally:
        dialog.deleteLater()
