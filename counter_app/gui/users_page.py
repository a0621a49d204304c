"""The administrator's screen: add users, reset passwords, change roles, disable users.

Every rule (only administrators, the last administrator stays, password rules) is the
core's (``services.users``); this screen shows what it says.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.codes import Role
from counter_app.gui import errors, modal, ops
from counter_app.gui.labels import role_name, yes_no
from counter_app.gui.rows_model import RowsModel
from counter_app.gui.session import AppSession
from counter_app.services.users import (
    MIN_PASSWORD_LENGTH,
    UserView,
    add_user,
    list_users,
    reset_password,
    set_active,
    set_roles,
)


def roles_text(roles: frozenset[Role]) -> str:
    return ", ".join(role_name(r) for r in Role if r in roles)


class UsersModel(RowsModel[UserView]):
    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Username"),
            self.tr("Name"),
            self.tr("Roles"),
            self.tr("Active"),
            self.tr("Notes"),
        )

    def display(self, user: UserView) -> tuple[Any, ...]:
        notes = []
        if user.locked_until is not None:
            notes.append(
                self.tr("locked until {time}").format(time=f"{user.locked_until:%Y-%m-%d %H:%M}")
            )
        if user.must_change_password:
            notes.append(self.tr("must change password"))
        return (
            user.username,
            user.display_name,
            roles_text(user.roles),
            yes_no(user.active),
            "; ".join(notes),
        )


class RoleChecks(QGroupBox):
    """One check box per role."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        self.boxes: dict[Role, QCheckBox] = {}
        for i, role in enumerate(Role):
            box = QCheckBox(role_name(role))
            box.setObjectName(f"role_{role.value}")
            self.boxes[role] = box
            grid.addWidget(box, i // 2, i % 2)
        self.setTitle(self.tr("Roles"))

    def set_roles(self, roles: frozenset[Role]) -> None:
        for role, box in self.boxes.items():
            box.setChecked(role in roles)

    def roles(self) -> frozenset[Role]:
        return frozenset(role for role, box in self.boxes.items() if box.isChecked())


class UserDialog(QDialog):
    """Add a user (``mode="add"``), set a password (``"password"``) or roles (``"roles"``)."""

    def __init__(self, parent: QWidget | None, mode: str, user: UserView | None = None) -> None:
        super().__init__(parent)
        self.mode = mode
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("displayName")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setObjectName("password2")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.roles = RoleChecks()
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        form = QFormLayout()
        if mode == "add":
            self.setWindowTitle(self.tr("Add a user"))
            form.addRow(self.tr("&Username:"), self.username)
            form.addRow(self.tr("&Name shown:"), self.display_name)
        else:
            assert user is not None
            self.username.setText(user.username)
            form.addRow(self.tr("User:"), QLabel(user.label))
        if mode in ("add", "password"):
            if mode == "password":
                self.setWindowTitle(self.tr("Reset the password"))
            form.addRow(self.tr("&Password:"), self.password)
            form.addRow(self.tr("&Again:"), self.password2)
            hint = QLabel(
                self.tr(
                    "At least {n} characters. The user must change it at the next sign-in."
                ).format(n=MIN_PASSWORD_LENGTH)
            )
            hint.setWordWrap(True)
            form.addRow("", hint)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if mode in ("add", "roles"):
            if mode == "roles":
                self.setWindowTitle(self.tr("Change roles"))
                assert user is not None
                self.roles.set_roles(user.roles)
            layout.addWidget(self.roles)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check_and_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _check_and_accept(self) -> None:
        if self.mode in ("add", "password") and self.password.text() != self.password2.text():
            self.message.setText(self.tr("The two passwords differ."))
            self.password2.setFocus()
            return
        self.accept()


class UsersPage(QWidget):
    """The list of users and the administrator's actions on the selected one."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = UsersModel(self)
        self.table = QTableView()
        self.table.setObjectName("usersTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add)
        self.password_button = QPushButton()
        self.password_button.clicked.connect(self.reset_password)
        self.roles_button = QPushButton()
        self.roles_button.clicked.connect(self.change_roles)
        self.active_button = QPushButton()
        self.active_button.clicked.connect(self.toggle_active)
        self.status = QLabel()
        self.status.setObjectName("usersStatus")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.password_button,
            self.roles_button,
            self.active_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        self.add_button.setText(self.tr("&Add user…"))
        self.password_button.setText(self.tr("Reset &password…"))
        self.roles_button.setText(self.tr("Change &roles…"))
        self._update_buttons()
        self.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def selected(self) -> UserView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        user = self.selected()
        for button in (self.password_button, self.roles_button, self.active_button):
            button.setEnabled(user is not None)
        if user is not None and not user.active:
            self.active_button.setText(self.tr("&Enable"))
        else:
            self.active_button.setText(self.tr("&Disable"))

    def refresh(self) -> None:
        db = self.session.db
        ops.run_in_background(self, lambda job: list_users(db), self._listed)

    def _listed(self, users: list[UserView]) -> None:
        chosen = self.selected()
        self.model.set_rows(users)
        if chosen is not None:
            for row, user in enumerate(users):
                if user.username == chosen.username:
                    self.table.selectRow(row)
        self._update_buttons()

    def _run(self, work: Any, done_text: str) -> None:
        def finished(user: UserView) -> None:
            self.status.setText(done_text.format(user=user.label))
            self.refresh()

        def failed(exc: BaseException) -> None:
            if errors.is_user_problem(exc):
                self.status.setText(errors.user_message(exc))
            else:
                errors.show_error(self, exc)

        ops.run_in_background(self, work, finished, failed)

    def add(self) -> None:
        dialog = UserDialog(self, "add")
        if modal.run_modal(dialog) != QDialog.DialogCode.Accepted:
            return
        db, actor = self.session.db, self.session.actor
        username, name = dialog.username.text(), dialog.display_name.text()
        password, roles = dialog.password.text(), dialog.roles.roles()
        self._run(
            lambda job: add_user(db, actor, username, name, password, roles),
            self.tr("Added {user}."),
        )

    def reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = UserDialog(self, "password", user)
        if modal.run_modal(dialog) != QDialog.DialogCode.Accepted:
            return
        db, actor, password = self.session.db, self.session.actor, dialog.password.text()
        self._run(
            lambda job: reset_password(db, actor, user.username, password),
            self.tr("New password set for {user}."),
        )

    def change_roles(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = UserDialog(self, "roles", user)
        if modal.run_modal(dialog) != QDialog.DialogCode.Accepted:
            return
        db, actor, roles = self.session.db, self.session.actor, dialog.roles.roles()
        self._run(
            lambda job: set_roles(db, actor, user.username, roles),
            self.tr("Roles of {user} changed."),
        )

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        db, actor, active = self.session.db, self.session.actor, not user.active
        text = self.tr("{user} enabled.") if active else self.tr("{user} disabled.")
        self._run(lambda job: set_active(db, actor, user.username, active), text)
