"""The "Database connection" dialog and the launcher around it: typed in by keyboard, tested
against the real local PostgreSQL and a closed port, saved without the password, and the
application reconnecting by itself (also when the server comes back)."""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from counter_app.db import server_settings
from counter_app.db.engine import Database, default_sqlite_path
from counter_app.db.schema import init_db, upgrade
from counter_app.db.server_settings import ServerSettings
from counter_app.gui import i18n
from counter_app.gui.app import Launcher
from counter_app.gui.connection_dialog import ConnectionDialog
from counter_app.gui.first_run import FirstRunDialog
from counter_app.gui.login_dialog import LoginDialog
from counter_app.services.users import create_first_admin
from tests.conftest import PG_ADMIN_URL
from tests.gui.conftest import PASSWORD, Shown, settle
from tests.helpers_db import free_port

pytestmark = pytest.mark.postgres

NOT_SAVED = "typed-pw-Omega-7#"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv(server_settings.CONFIG_DIR_ENV_VAR, str(folder))
    return folder


@pytest.fixture
def scratch_pg(pg_template: str) -> Iterator[str]:
    """An empty database (no schema) on the local server; its name."""
    name = f"ca_conn_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def local_launcher(qtbot, sqlite_url: str, *, with_user: bool = True) -> Launcher:  # type: ignore[no-untyped-def]
    db = Database(sqlite_url)
    if with_user:
        create_first_admin(db, "admin", "管理员", PASSWORD)
    launcher = Launcher(db)
    launcher.start()
    settle(qtbot)
    assert launcher.dialog is not None
    qtbot.addWidget(launcher.dialog)
    activate(qtbot, launcher.dialog)
    return launcher


def open_connection_dialog(qtbot, launcher: Launcher) -> ConnectionDialog:  # type: ignore[no-untyped-def]
    assert launcher.dialog is not None
    button = launcher.dialog.database_button  # type: ignore[attr-defined]
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)  # the keyboard presses "Database…"
    dialog = launcher.connection_dialog
    assert isinstance(dialog, ConnectionDialog) and dialog.isVisible()
    activate(qtbot, dialog)
    return dialog


def activate(qtbot, window: QWidget) -> None:  # type: ignore[no-untyped-def]
    """Keyboard focus goes to the active window only."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def type_server(qtbot, dialog: ConnectionDialog, host: str, port: int, database: str) -> None:  # type: ignore[no-untyped-def]
    """Choose "shared server" and fill the fields, moving from one to the next with Tab."""
    dialog.server_choice.setFocus()
    qtbot.keyClick(dialog.server_choice, Qt.Key.Key_Space)
    assert dialog.on_server and dialog.server_box.isEnabled()
    fields = (dialog.host, dialog.port, dialog.database, dialog.user)
    values = (host, str(port), database, "postgres")
    dialog.host.setFocus()
    for field, value in zip(fields, values, strict=True):
        assert field.hasFocus(), f"Tab did not reach {field.objectName()}"
        field.selectAll()
        qtbot.keyClicks(field, value)
        qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert dialog.password.hasFocus()


def press_test(qtbot, dialog: ConnectionDialog) -> str:  # type: ignore[no-untyped-def]
    dialog.test_button.setFocus()
    qtbot.keyClick(dialog.test_button, Qt.Key.Key_Space)
    settle(qtbot)
    return dialog.message.text()


def test_typed_in_tested_saved_and_reconnected(
    qtbot, sqlite_url: str, pg_url: str, config: Path, shown: Shown
) -> None:
    launcher = local_launcher(qtbot, sqlite_url)
    assert isinstance(launcher.dialog, LoginDialog)
    old = launcher.db
    dialog = open_connection_dialog(qtbot, launcher)
    assert dialog.local_choice.isChecked() and not dialog.server_box.isEnabled()
    target = make_url(pg_url)
    assert target.database is not None

    # a closed port: the plain message, no traceback, nothing saved
    closed = free_port()
    type_server(qtbot, dialog, "127.0.0.1", closed, target.database)
    message = press_test(qtbot, dialog)
    assert message.startswith("cannot reach the database server"), message
    assert "Connection refused" in message or "connection refused" in message.lower()
    assert not (config / "server.json").exists()

    # the right port: OK
    dialog.port.setFocus()
    dialog.port.selectAll()
    qtbot.keyClicks(dialog.port, str(target.port or 5432))
    message = press_test(qtbot, dialog)
    assert message == "Connection OK: the database is ready for this program."

    # a password typed in (the trust server ignores it), then Enter saves and connects
    qtbot.keyClicks(dialog.password, NOT_SAVED)
    with qtbot.waitSignal(launcher.reconnected, timeout=10_000) as reconnected:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    settle(qtbot)
    new = reconnected.args[0]
    assert new is launcher.db and new is not old and new.is_postgres
    assert (new.url.host, new.url.port, new.url.database) == (
        "127.0.0.1",
        target.port or 5432,
        target.database,
    )
    assert new.url.password == NOT_SAVED  # kept in memory for this run...
    raw = (config / "server.json").read_bytes()
    assert NOT_SAVED.encode("utf-8") not in raw and b"password" not in raw  # ...never on disk
    assert server_settings.load() == ServerSettings(
        "127.0.0.1", target.database, "postgres", target.port or 5432
    )
    # the scratch database has no users yet: the first-run page, on the server
    assert isinstance(launcher.dialog, FirstRunDialog)
    qtbot.addWidget(launcher.dialog)
    assert launcher.dialog.database.text() == new.display_name
    assert NOT_SAVED not in new.display_name
    assert shown.texts() == []


def test_choosing_the_local_file_forgets_the_server(
    qtbot, pg_url: str, config: Path, shown: Shown
) -> None:
    target = make_url(pg_url)
    assert target.database is not None
    server_settings.save(
        ServerSettings("127.0.0.1", target.database, "postgres", target.port or 5432)
    )
    db = Database()  # from the saved settings
    assert db.is_postgres and db.url.database == target.database
    create_first_admin(db, "admin", "管理员", PASSWORD)
    launcher = Launcher(db)
    launcher.start()
    settle(qtbot)
    assert isinstance(launcher.dialog, LoginDialog)
    qtbot.addWidget(launcher.dialog)
    assert launcher.dialog.problem == ""
    dialog = open_connection_dialog(qtbot, launcher)
    # opened on what is in use
    assert dialog.server_choice.isChecked()
    assert (dialog.host.text(), dialog.port.text(), dialog.database.text(), dialog.user.text()) == (
        "127.0.0.1",
        str(target.port or 5432),
        target.database,
        "postgres",
    )
    dialog.local_choice.setFocus()
    qtbot.keyClick(dialog.local_choice, Qt.Key.Key_Space)
    assert not dialog.server_box.isEnabled() and not dialog.test_button.isEnabled()
    with qtbot.waitSignal(launcher.reconnected, timeout=10_000):
        qtbot.keyClick(dialog.local_choice, Qt.Key.Key_Return)
    settle(qtbot)
    assert not (config / "server.json").exists()
    assert launcher.db.is_sqlite and launcher.db.sqlite_path == default_sqlite_path()
    assert isinstance(launcher.dialog, FirstRunDialog)  # a new local file: no users yet
    qtbot.addWidget(launcher.dialog)
    assert shown.texts() == []


def test_the_dialog_refuses_what_cannot_work(qtbot, config: Path) -> None:
    dialog = ConnectionDialog(on_server=True)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    assert dialog.host.hasFocus()
    qtbot.keyClick(dialog.host, Qt.Key.Key_Return)  # Enter = save: nothing typed yet
    assert dialog.message.text().startswith("enter the database server's address")
    assert dialog.host.hasFocus() and dialog.isVisible()
    qtbot.keyClicks(dialog.host, "db.hall")
    dialog.port.setFocus()
    dialog.port.selectAll()
    qtbot.keyClicks(dialog.port, "99999")
    qtbot.keyClick(dialog.port, Qt.Key.Key_Return)
    assert dialog.message.text().startswith("the port must be a number from 1 to 65535")
    assert dialog.port.hasFocus()
    dialog.port.selectAll()
    qtbot.keyClicks(dialog.port, "5432")
    qtbot.keyClick(dialog.port, Qt.Key.Key_Return)
    assert dialog.message.text().startswith("enter the name of the database")
    assert dialog.database.hasFocus()
    assert not (config / "server.json").exists()


def test_a_server_without_the_schema_says_ask_it_and_recovers(
    qtbot, scratch_pg: str, config: Path, shown: Shown
) -> None:
    url = make_url(PG_ADMIN_URL).set(database=scratch_pg)
    dialog = ConnectionDialog(server_settings.from_url(url), on_server=True)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    assert press_test(qtbot, dialog) == (
        "The database has no counter_app tables yet: ask IT to run counter-app init-db."
    )
    db = Database(url.render_as_string(hide_password=False))
    upgrade(db, "0001")
    assert press_test(qtbot, dialog) == (
        "The database is at an older schema: ask IT to run counter-app init-db."
    )

    # the application started on it: the sign-in says so, and retries by itself
    launcher = Launcher(db)
    launcher.retry_timer.setInterval(150)
    launcher.start()
    settle(qtbot)
    login = launcher.dialog
    assert isinstance(login, LoginDialog)
    qtbot.addWidget(login)
    assert login.message.text().startswith("The database is at an older schema")
    assert not login.sign_in_button.isEnabled() and login.database_button.isDefault()
    # IT upgrades it and adds the first user (retries held back meanwhile: a retry
    # between the two would rightly open the first-run page instead)
    launcher.retry_timer.setInterval(60_000)
    settle(qtbot)
    init_db(db)
    create_first_admin(db, "admin", "管理员", PASSWORD)
    assert launcher.problem  # not noticed yet
    launcher.retry_timer.start(150)
    qtbot.waitUntil(lambda: not launcher.problem, timeout=10_000)
    settle(qtbot)
    assert launcher.dialog is login and login.message.text() == ""
    assert login.sign_in_button.isEnabled() and login.sign_in_button.isDefault()
    assert not launcher.retry_timer.isActive()
    assert shown.texts() == []
    db.dispose()


class Proxy:
    """A TCP relay to the real server on a port of our choice: the "server" comes back."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.listener = listener
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        assert self.listener is not None
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.close()
        for s in self.sockets:
            s.close()


def test_an_unreachable_saved_server_is_told_and_the_app_recovers(
    qtbot, pg_url: str, config: Path, shown: Shown
) -> None:
    target = make_url(pg_url)
    assert target.database is not None
    real = Database(pg_url)
    create_first_admin(real, "admin", "管理员", PASSWORD)
    real.dispose()
    port = free_port()
    server_settings.save(ServerSettings("127.0.0.1", target.database, "postgres", port))
    launcher = Launcher(Database())
    launcher.retry_timer.setInterval(150)
    launcher.start()
    settle(qtbot)
    login = launcher.dialog
    assert isinstance(login, LoginDialog)
    qtbot.addWidget(login)
    assert login.message.text().startswith("cannot reach the database server")
    assert "Traceback" not in login.message.text()
    assert not login.sign_in_button.isEnabled()
    assert login.database_button.hasFocus() and login.database_button.isDefault()
    assert shown.texts() == []  # told on the sign-in, not in a box

    proxy = Proxy(port, (target.host or "127.0.0.1", target.port or 5432))
    proxy.start()  # the server comes back
    try:
        qtbot.waitUntil(lambda: not launcher.problem, timeout=10_000)
        settle(qtbot)
        assert launcher.dialog is login and login.message.text() == ""
        assert login.sign_in_button.isEnabled()
        with qtbot.waitSignal(login.signed_in, timeout=10_000):
            qtbot.keyClicks(login.username, "admin")
            qtbot.keyClicks(login.password, PASSWORD)
            qtbot.keyClick(login.password, Qt.Key.Key_Return)
        window = launcher.window
        assert window is not None
        qtbot.addWidget(window)
        settle(qtbot)
        window.close()
        settle(qtbot)
    finally:
        launcher.db.dispose()
        proxy.stop()


def test_a_server_asking_for_a_password_opens_the_dialog(qtbot, config: Path, shown: Shown) -> None:
    settings = ServerSettings("db.hall.invalid", "counter", "counter_app_user")
    launcher = Launcher(Database(settings.url_string()))
    asked = OperationalError(
        "SELECT 1",
        {},
        psycopg.OperationalError(
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
            "fe_sendauth: no password supplied"
        ),
    )
    launcher._failed_to_open(asked)
    login = launcher.dialog
    assert isinstance(login, LoginDialog)
    qtbot.addWidget(login)
    dialog = launcher.connection_dialog
    assert isinstance(dialog, ConnectionDialog) and dialog.isVisible()
    assert dialog.message.text().startswith("The server asks for this workstation's database")
    assert dialog.server_choice.isChecked() and dialog.host.text() == "db.hall.invalid"
    activate(qtbot, dialog)
    assert dialog.password.hasFocus()
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    assert not launcher.retry_timer.isActive()  # retrying without a password cannot help
    dialog.reject()
    QCoreApplication.processEvents()
    assert launcher.connection_dialog is None
    assert shown.texts() == []
    launcher.db.dispose()


def test_the_dialog_in_chinese(qtbot, config: Path, tmp_path: Path) -> None:
    i18n.set_language(i18n.ZH, remember=False)
    dialog = ConnectionDialog(
        ServerSettings("192.168.10.5", "counter", "counter_app_user"), on_server=True
    )
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "数据库连接"
    assert dialog.server_choice.text().startswith("共享服务器")
    assert dialog.password_note.text().startswith("密码不会保存")
    assert dialog.test_button.text().startswith("测试连接")
    QApplication.processEvents()
    assert dialog.grab().save(str(tmp_path / "connection_zh.png"))


def test_the_first_run_page_reaches_the_dialog_too(
    qtbot, sqlite_url: str, pg_url: str, config: Path, shown: Shown
) -> None:
    launcher = local_launcher(qtbot, sqlite_url, with_user=False)
    first = launcher.dialog
    assert isinstance(first, FirstRunDialog)
    dialog = open_connection_dialog(qtbot, launcher)
    target = make_url(pg_url)
    assert target.database is not None
    type_server(qtbot, dialog, "127.0.0.1", target.port or 5432, target.database)
    with qtbot.waitSignal(launcher.reconnected, timeout=10_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    settle(qtbot)
    assert launcher.db.is_postgres and launcher.db.url.database == target.database
    again = launcher.dialog
    assert isinstance(again, FirstRunDialog) and again is not first and again.isVisible()
    qtbot.addWidget(again)
    assert not first.isVisible() and launcher.connection_dialog is None
    assert shown.texts() == []
    launcher.db.dispose()


def test_the_main_window_signs_out_to_choose_the_database(
    qtbot, sqlite_url: str, config: Path, shown: Shown
) -> None:
    # the IT person moves a signed-in workstation: Session → "Sign out and choose the
    # database…" leaves the window and opens the Database dialog on the sign-in
    from counter_app.gui.main_window import MainWindow
    from tests.gui.conftest import type_in

    launcher = local_launcher(qtbot, sqlite_url)
    login = launcher.dialog
    assert isinstance(login, LoginDialog)
    type_in(qtbot, login.username, "admin")
    with qtbot.waitSignal(launcher.main_window_shown) as signed_in:
        type_in(qtbot, login.password, PASSWORD, enter=True)
    window = signed_in.args[0]
    assert isinstance(window, MainWindow)
    assert window.database_action in window.session_menu.actions()
    window.database_action.trigger()
    settle(qtbot)
    assert launcher.window is None  # the launcher let the window go (deleted)
    again = launcher.dialog
    assert isinstance(again, LoginDialog) and again.isVisible()
    qtbot.addWidget(again)
    dialog = launcher.connection_dialog
    assert isinstance(dialog, ConnectionDialog) and dialog.isVisible()
    assert dialog.local_choice.isChecked()  # it shows where the workstation is now
    dialog.reject()
    settle(qtbot)
    assert launcher.connection_dialog is None and again.isVisible()
    assert shown.texts() == []
    launcher.db.dispose()
