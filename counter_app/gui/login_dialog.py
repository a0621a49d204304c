"""Signing in, and choosing a new password when an administrator has reset it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.db.engine import Database
from counter_app.gui import errors, i18n, ops
from counter_app.services.users import UserView, authenticate, change_password


class LoginDialog(QDialog):
    """Username and password; the language can be switched before signing in.

    Signals:
        signed_in(object): the ``UserView`` of who signed in (password already changed
            if it had to be).
        database_requested(): the person wants to choose the database ("Database…").

    While the database cannot be used (:meth:`show_problem`), signing in is off and the
    message says why; the launcher keeps retrying and calls :meth:`clear_problem`.
    """

    signed_in = Signal(object)
    database_requested = Signal()

    def __init__(self, db: Database, username: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.task: ops.Task | None = None
        self.setMinimumWidth(420)
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.database = QLabel(db.display_name)
        self.database.setObjectName("databaseLabel")
        self.database.setWordWrap(True)
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.language = i18n.make_language_box()
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.sign_in_button = QPushButton()
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.quit_button = QPushButton()
        self.quit_button.clicked.connect(self.reject)
        self.database_button = QPushButton()
        self.database_button.setObjectName("databaseButton")
        self.database_button.setAutoDefault(False)
        self.database_button.clicked.connect(self.database_requested)
        self.problem = ""
        buttons = QDialogButtonBox()
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.database_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.labels = [QLabel() for _ in range(4)]
        form = QFormLayout()
        for label, field in zip(
            self.labels,
            (self.database, self.username, self.password, self.language),
            strict=True,
        ):
            label.setBuddy(field)
            form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.retranslate()
        (self.password if username else self.username).setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("counter_app: sign in"))
        self.heading.setText(self.tr("Third-party depository counter"))
        for label, text in zip(
            self.labels,
            (
                self.tr("Database:"),
                self.tr("&Username:"),
                self.tr("&Password:"),
                self.tr("&Language:"),
            ),
            strict=True,
        ):
            label.setText(text)
        self.sign_in_button.setText(self.tr("&Sign in"))
        self.quit_button.setText(self.tr("&Quit"))
        self.database_button.setText(self.tr("&Database…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_problem(self, text: str) -> None:
        """The database cannot be used now: say why, and offer the Database button."""
        self.problem = text
        self.message.setText(text)
        self.sign_in_button.setEnabled(False)
        self.database_button.setDefault(True)
        if not self.username.hasFocus() and not self.password.hasFocus():
            self.database_button.setFocus()

    def clear_problem(self) -> None:
        """The database is usable again."""
        if not self.problem:
            return
        self.problem = ""
        self.message.clear()
        self.database_button.setDefault(False)
        self.sign_in_button.setEnabled(self.task is None)
        self.sign_in_button.setDefault(True)
        (self.password if self.username.text() else self.username).setFocus()

    def set_database_name(self, name: str) -> None:
        self.database.setText(name)

    def sign_in(self) -> None:
        if self.task is not None or self.problem:
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.message.setText(self.tr("Enter your username and password."))
            (self.username if not username else self.password).setFocus()
            return
        db = self.db
        self.sign_in_button.setEnabled(False)
        self.message.setText("")
        self.task = ops.run_in_background(
            self,
            lambda job: authenticate(db, username, password),
            self._authenticated,
            self._failed,
            on_finally=self._ended,
        )

    def _ended(self) -> None:
        self.task = None
        self.sign_in_button.setEnabled(not self.problem)

    def _failed(self, exc: BaseException) -> None:
        self.password.clear()
        self.password.setFocus()
        if errors.is_user_problem(exc):
            self.message.setText(errors.user_message(exc))
        else:
            errors.show_error(self, exc)

    def _authenticated(self, user: UserView) -> None:
        if user.must_change_password:
            dialog = ChangePasswordDialog(self.db, user, self.password.text(), self)
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.user is None:
                self.message.setText(self.tr("You must choose a new password to continue."))
                self.password.clear()
                return
            user = dialog.user
        self.password.clear()
        self.signed_in.emit(user)
        self.accept()


class ChangePasswordDialog(QDialog):
    """A new password, required after an administrator set one."""

    def __init__(
        self, db: Database, user: UserView, old_password: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.user: UserView | None = None
        self._target = user
        self._old = old_password
        self.setWindowTitle(self.tr("Choose a new password"))
        self.intro = QLabel(
            self.tr("{user}: an administrator set your password. Choose your own now.").format(
                user=user.label
            )
        )
        self.intro.setWordWrap(True)
        self.new = QLineEdit()
        self.new.setObjectName("newPassword")
        self.new.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("newPassword2")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow(self.tr("&New password:"), self.new)
        form.addRow(self.tr("&Again:"), self.again)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        if self.new.text() != self.again.text():
            self.message.setText(self.tr("The two passwords differ."))
            return
        db, user, old, new = self.db, self._target, self._old, self.new.text()
        self.buttons.setEnabled(False)
        ops.run_in_background(
            self,
            lambda job: change_password(db, user, old, new),
            self._saved,
            self._failed,
            on_finally=lambda: self.buttons.setEnabled(True),
        )

    def _saved(self, user: UserView) -> None:
        self.user = user
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if errors.is_user_problem(exc):
            self.message.setText(errors.user_message(exc))
        else:
            errors.show_error(self, exc)
