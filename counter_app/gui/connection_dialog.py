"""Choosing the database: this computer's local file, or the hall's shared server.

The dialog edits the workstation's saved server settings (``counter_app.db.server_settings``):
host, port, database, user and the TLS mode. The password field is never saved: what
is typed there goes only into the in-memory address of this run; left empty, libpq
uses ``PGPASSWORD`` or the pgpass file. "Test connection" connects off the GUI thread
and says in plain words what it found. "Save and connect" writes the settings (or
removes them when the local file is chosen) and hands the new address to the
launcher (``chosen``), which reconnects.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.db import server_settings
from counter_app.db.engine import default_sqlite_path
from counter_app.db.schema import SchemaState
from counter_app.db.server_settings import SSL_MODES, ServerSettings, SettingsError
from counter_app.gui import errors, ops

_ERROR_STYLE = "color: #b00020;"
_OK_STYLE = "color: #1b5e20;"


def schema_message(state: SchemaState) -> str | None:
    """What a clerk is told about a server database this program cannot use yet (None: usable)."""
    if state.is_current:
        return None
    if not state.is_known:
        return QCoreApplication.translate(
            "ConnectionDialog",
            "The database is at a newer schema than this program: "
            "install the newer counter_app on this workstation.",
        )
    if state.is_empty:
        return QCoreApplication.translate(
            "ConnectionDialog",
            "The database has no counter_app tables yet: ask IT to run counter-app init-db.",
        )
    return QCoreApplication.translate(
        "ConnectionDialog",
        "The database is at an older schema: ask IT to run counter-app init-db.",
    )


def failure_message(exc: BaseException) -> str:
    """The plain sentence for a connection that failed (a user problem, not a bug)."""
    text = errors.user_message(exc)
    if server_settings.needs_password(exc):
        return QCoreApplication.translate(
            "ConnectionDialog",
            "The server asks for this workstation's database password: type it in the "
            "Password field (it is not saved).",
        ) + ("\n" + text)
    return text


class ConnectionDialog(QDialog):
    """ "Database connection": local file or shared server, tested and saved.

    Signals:
        chosen(str): the address to connect to now (it may hold a typed password:
            keep it in memory only).
    """

    chosen = Signal(str)

    def __init__(
        self,
        settings: ServerSettings | None = None,
        *,
        on_server: bool = False,
        password: str = "",
        message: str = "",
        address_given: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connectionDialog")
        self.task: ops.Task | None = None
        self.setMinimumWidth(500)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.local_choice = QRadioButton()
        self.local_choice.setObjectName("localChoice")
        self.server_choice = QRadioButton()
        self.server_choice.setObjectName("serverChoice")
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.local_choice)
        self.choice.addButton(self.server_choice)
        self.local_path = QLabel(str(default_sqlite_path()))
        self.local_path.setWordWrap(True)
        self.local_path.setIndent(24)

        self.host = QLineEdit(settings.host if settings else "")
        self.host.setObjectName("host")
        self.port = QLineEdit(str(settings.port if settings else server_settings.DEFAULT_PORT))
        self.port.setObjectName("port")
        self.port.setMaxLength(5)
        self.database = QLineEdit(settings.database if settings else "")
        self.database.setObjectName("database")
        self.user = QLineEdit(settings.user if settings else "")
        self.user.setObjectName("user")
        self.password = QLineEdit(password)
        self.password.setObjectName("serverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_note = QLabel()
        self.password_note.setWordWrap(True)
        self.sslmode = QComboBox()
        self.sslmode.setObjectName("sslmode")
        self.sslmode.addItem("", "")
        for mode in SSL_MODES:
            self.sslmode.addItem(mode, mode)
        if settings and settings.sslmode:
            self.sslmode.setCurrentIndex(max(0, self.sslmode.findData(settings.sslmode)))
        self.server_box = QGroupBox()
        self.labels = [QLabel() for _ in range(6)]
        box_layout = QVBoxLayout(self.server_box)
        form = QFormLayout()
        for label, field in zip(
            self.labels,
            (self.host, self.port, self.database, self.user, self.password, self.sslmode),
            strict=True,
        ):
            label.setBuddy(field)
            form.addRow(label, field)
        box_layout.addLayout(form)
        # below the form, not in a row of it: a wrapped label in a form row gets clipped
        box_layout.addWidget(self.password_note)

        self.given_note = QLabel()
        self.given_note.setWordWrap(True)
        self.given_note.setVisible(address_given)
        self.message = QLabel()
        self.message.setObjectName("connectionMessage")
        self.message.setWordWrap(True)
        self.test_button = QPushButton()
        self.test_button.setObjectName("testButton")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton()
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.local_choice)
        layout.addWidget(self.local_path)
        layout.addWidget(self.server_choice)
        layout.addWidget(self.server_box)
        layout.addWidget(self.given_note)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.server_choice.toggled.connect(self._choice_changed)
        (self.server_choice if on_server else self.local_choice).setChecked(True)
        self._choice_changed(on_server)
        self.retranslate()
        if message:
            self.show_message(message, error=True)
        self._focus_first_empty()

    # -- texts -------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Database connection"))
        self.intro.setText(
            self.tr(
                "Where this workstation keeps its data: a file on this computer (one "
                "workstation working alone), or the hall's shared PostgreSQL server."
            )
        )
        self.local_choice.setText(self.tr("This &computer (local file)"))
        self.server_choice.setText(self.tr("Shared &server"))
        self.server_box.setTitle(self.tr("Shared server"))
        for label, text in zip(
            self.labels,
            (
                self.tr("&Host:"),
                self.tr("P&ort:"),
                self.tr("&Database:"),
                self.tr("&User:"),
                self.tr("Pass&word:"),
                self.tr("TLS (ssl&mode):"),
            ),
            strict=True,
        ):
            label.setText(text)
        self.password_note.setText(
            self.tr(
                "The password is not saved: it is kept only while the program runs. Leave "
                "it empty to use PGPASSWORD or the pgpass file."
            )
        )
        self.sslmode.setItemText(0, self.tr("server default"))
        self.given_note.setText(
            self.tr(
                "This run uses the address given with --db or COUNTER_APP_DB; what you "
                "save here applies when neither is given."
            )
        )
        self.test_button.setText(self.tr("&Test connection"))
        self.save_button.setText(self.tr("Save and co&nnect"))
        self.cancel_button.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_message(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet(_ERROR_STYLE if error else _OK_STYLE)
        self.message.setText(text)

    # -- behaviour ---------------------------------------------------------------------

    @property
    def on_server(self) -> bool:
        return self.server_choice.isChecked()

    def _choice_changed(self, on_server: bool) -> None:
        self.server_box.setEnabled(on_server)
        self.test_button.setEnabled(on_server and self.task is None)
        self.local_path.setEnabled(not on_server)
        self.message.clear()

    def _focus_first_empty(self) -> None:
        if not self.on_server:
            self.local_choice.setFocus()
            return
        for field in (self.host, self.database, self.user):
            if not field.text().strip():
                field.setFocus()
                return
        self.password.setFocus()

    def settings(self) -> ServerSettings:
        """The server settings typed in, validated (``SettingsError`` if not usable)."""
        return server_settings.validate(
            self.host.text(),
            self.port.text(),
            self.database.text(),
            self.user.text(),
            str(self.sslmode.currentData() or ""),
        )

    def _validated(self) -> ServerSettings | None:
        try:
            return self.settings()
        except SettingsError as err:
            self.show_message(errors.user_message(err), error=True)
            self._focus_wrong_field()
            return None

    def _focus_wrong_field(self) -> None:
        for field, ok in (
            (self.host, bool(self.host.text().strip())),
            (self.port, self._port_ok()),
            (self.database, bool(self.database.text().strip())),
            (self.user, bool(self.user.text().strip())),
        ):
            if not ok:
                field.setFocus()
                field.selectAll()
                return

    def _port_ok(self) -> bool:
        try:
            server_settings.validate("h", self.port.text(), "d", "u")
        except SettingsError:
            return False
        return True

    def url(self, settings: ServerSettings) -> str:
        return settings.url_string(self.password.text() or None)

    def test_connection(self) -> None:
        if self.task is not None or not self.on_server:
            return
        settings = self._validated()
        if settings is None:
            return
        url = self.url(settings)
        self.test_button.setEnabled(False)
        self.show_message(
            self.tr("Connecting to {server}…").format(server=settings.describe()), error=False
        )
        self.task = ops.run_in_background(
            self,
            lambda job: server_settings.check(url),
            self._tested,
            self._test_failed,
            on_finally=self._test_ended,
        )

    def _test_ended(self) -> None:
        self.task = None
        self.test_button.setEnabled(self.on_server)

    def _tested(self, state: SchemaState) -> None:
        problem = schema_message(state)
        if problem is not None:
            self.show_message(problem, error=True)
            return
        self.show_message(
            self.tr("Connection OK: the database is ready for this program."), error=False
        )

    def _test_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ops.Cancelled):
            return
        if not errors.is_user_problem(exc):
            self.message.clear()
            errors.show_error(self, exc)
            return
        self.show_message(failure_message(exc), error=True)
        if server_settings.needs_password(exc):
            self.password.setFocus()
            self.password.selectAll()

    def save(self) -> None:
        """Save the choice and hand over the address to connect to."""
        if not self.on_server:
            try:
                server_settings.clear()
            except OSError as err:
                self.show_message(str(err), error=True)
                return
            self.chosen.emit(f"sqlite:///{default_sqlite_path()}")
            self.accept()
            return
        settings = self._validated()
        if settings is None:
            return
        try:
            server_settings.save(settings)
        except SettingsError as err:
            self.show_message(errors.user_message(err), error=True)
            return
        self.chosen.emit(self.url(settings))
        self.accept()

    def reject(self) -> None:
        if self.task is not None:
            self.task.cancel()  # a test under way: its answer is no longer wanted
        super().reject()
