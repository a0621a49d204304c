"""Showing failures: the person's problem as a message, a bug as a bug report.

* ``UserError`` (and the importer's ``FileRefused``) is something the clerk or the IT
  person can act on: its text is shown as it is, in a warning box.
* A database that cannot be reached, is locked, full or damaged is also the person's
  problem: ``counter_app.db.errors.explain`` turns it into a clear sentence.
* Anything else is a bug in counter_app: a dialog says so, with the traceback ready
  to copy for the report.

Every box goes through :func:`present`, which tests replace to read what the clerk
would have seen instead of leaving a modal box open.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app import __version__
from counter_app.db.errors import explain
from counter_app.errors import UserError
from counter_app.gui import i18n, modal
from counter_app.gui.ops import Cancelled
from counter_app.importing.errors import FileRefused

USER = "user"
BUG = "bug"


def explained(exc: BaseException) -> BaseException:
    """A database exception with a known cause as the core's ``DatabaseProblem``."""
    return explain(exc) or exc


def is_user_problem(exc: BaseException) -> bool:
    return isinstance(explained(exc), UserError | FileRefused)


def user_message(exc: BaseException) -> str:
    """The sentence a person reads for a problem they can act on, in the screen's language.

    The core's messages are English; a ``UserError`` carrying its Chinese text too
    (``zh=``, ``message_zh``) shows that on Chinese screens (``UserError.text_for``).
    """
    exc = explained(exc)
    if isinstance(exc, UserError):
        return exc.text_for(i18n.current())
    zh = getattr(exc, "message_zh", "")
    if zh and i18n.is_chinese():
        return str(zh)
    return str(exc)


def details_of(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return f"counter_app {__version__}, Python {sys.version.split()[0]}\n\n" + "".join(lines)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Show ``exc`` the right way for what it is (a cancellation needs no words)."""
    if isinstance(exc, Cancelled):
        return
    if is_user_problem(exc):
        present(parent, USER, user_message(exc), "")
    else:
        present(
            parent,
            BUG,
            QCoreApplication.translate("errors", "This is a bug in counter_app: {error}").format(
                error=f"{type(exc).__name__}: {exc}"
            ),
            details_of(exc),
        )


def present(parent: QWidget | None, kind: str, text: str, details: str) -> None:
    """Open the modal box (replaced by tests)."""
    if kind == USER:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            QCoreApplication.translate("errors", "counter_app"),
            text,
            QMessageBox.StandardButton.Ok,
            parent,
        )
        modal.run_modal(box)
        return
    modal.run_modal(BugDialog(parent, text, details))


class BugDialog(QDialog):
    """Says plainly that this is our bug, and hands over the details to report."""

    def __init__(self, parent: QWidget | None, text: str, details: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("counter_app: unexpected error"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Something went wrong that is not your fault: this is a bug in counter_app. "
                "Your last action may not have been saved. Please copy the details below "
                "and send them to the person who looks after counter_app."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        summary = QLabel(text)
        summary.setWordWrap(True)
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(summary)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMinimumSize(560, 220)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(self.tr("Copy details"))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


def install_excepthook() -> None:
    """Uncaught exceptions in slots become bug dialogs instead of a silent stderr line."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if QCoreApplication.instance() is None or issubclass(kind, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        exc.__traceback__ = tb
        previous(kind, exc, tb)  # keep it in the terminal / log too
        show_error(None, exc)

    sys.excepthook = hook
