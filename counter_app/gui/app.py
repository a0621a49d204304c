"""Starting the desktop application: fonts, language, database, first run, sign-in.

``run_gui(db_url)`` is what ``counter-app`` with no subcommand calls. The order:

1. the ``QApplication``, the shipped fonts, the language (saved choice or system);
2. the database is opened and made usable off the GUI thread (a local file is created
   or upgraded; a shared server that is behind, unreachable or refusing the login is
   told on the sign-in dialog, which offers the "Database…" dialog, and is retried
   until it works);
3. a database without users opens the first-run page (the first administrator, and
   demo data if wanted);
4. the sign-in dialog, then (if an administrator reset the password) a new password;
5. the main window. Signing out comes back to step 4.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QDialog

from counter_app.db.engine import DB_ENV_VAR, Database
from counter_app.errors import UserError
from counter_app.gui import errors, i18n, ops
from counter_app.resources_path import resources_dir

if TYPE_CHECKING:
    from counter_app.db.schema import SchemaState
    from counter_app.gui.connection_dialog import ConnectionDialog
    from counter_app.gui.login_dialog import LoginDialog
    from counter_app.gui.main_window import MainWindow

APP_NAME = "counter_app"
ORG_NAME = "counter_app"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


def load_fonts(folder: Path | None = None) -> list[str]:
    """Register every font in ``resources/fonts`` with Qt; returns their families.

    When the system has no font for Simplified Chinese, the shipped ones are added
    behind the default family, so CJK text never shows as boxes. Where the system
    has one (Microsoft YaHei on Windows, Noto CJK on Linux), Qt's own fallback keeps
    using it: it is made for screens, the shipped serif for print.
    """
    folder = folder or resources_dir() / "fonts"
    families: list[str] = []
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in FONT_SUFFIXES:
                font_id = QFontDatabase.addApplicationFont(str(path))
                if font_id >= 0:
                    for family in QFontDatabase.applicationFontFamilies(font_id):
                        if family not in families:
                            families.append(family)
    if families and not _system_has_chinese_font(set(families)):
        font = QGuiApplication.font()
        font.setFamilies([font.family(), *families])
        QGuiApplication.setFont(font)
    return families


def _system_has_chinese_font(ours: set[str]) -> bool:
    chinese = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    return any(family not in ours for family in chinese)


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with our names, icon, fonts, language and error reporting."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv))
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QGuiApplication.setApplicationDisplayName("counter_app")
    icon = resources_dir() / "icons" / "counter_app.svg"
    if icon.exists():
        QGuiApplication.setWindowIcon(QIcon(str(icon)))
    load_fonts()
    i18n.install_startup_language()
    errors.install_excepthook()
    return app


class Launcher(QObject):
    """Walks through opening the database, the first run, sign-in and the main window.

    A database that cannot be used at start (the server unreachable, the login refused,
    the schema behind) is not the end: the sign-in dialog says why and offers the
    "Database…" dialog, and the launcher tries again (``retry_timer``, every
    ``RETRY_INTERVAL_MS``) until it works. A server that asks for a password opens the
    Database dialog at once. Choosing another database there replaces ``db`` and starts again.

    Signals:
        main_window_shown(object): the ``MainWindow`` just shown (tests wait for it).
        stopped(int): the launcher gave up (the exit code): an unexpected failure
            (a bug), or the person closed the sign-in dialog.
        reconnected(object): the new ``Database`` after a choice in the Database dialog.
        opened(): the database was found usable (at start, or when a retry worked).
    """

    main_window_shown = Signal(object)
    stopped = Signal(int)
    reconnected = Signal(object)
    opened = Signal()

    RETRY_INTERVAL_MS = 5_000

    def __init__(self, db: Database, *, address_given: bool = False) -> None:
        super().__init__()
        self.db = db
        #: --db or $COUNTER_APP_DB chose the database: the saved choice is not used now
        self.address_given = address_given
        self.window: MainWindow | None = None
        self.dialog: QDialog | None = None
        self.connection_dialog: ConnectionDialog | None = None
        self.problem = ""  # why the database cannot be used now ("" when it can)
        self._generation = 0  # answers about a database replaced meanwhile are dropped
        self._opening = False
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.setInterval(self.RETRY_INTERVAL_MS)
        self.retry_timer.timeout.connect(self._retry)

    def start(self) -> None:
        self._open()

    def _open(self) -> None:
        from counter_app.db.schema import SchemaError, ensure_usable, schema_state
        from counter_app.services.users import has_users

        db, generation = self.db, self._generation

        def open_database(job: ops.Job) -> tuple[SchemaState, bool]:
            try:
                state = ensure_usable(db)
            except SchemaError:  # a server database behind or ahead: say which, in words
                return schema_state(db), False
            return state, has_users(db)

        def done(result: tuple[SchemaState, bool]) -> None:
            if generation == self._generation:
                self._opened(*result)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._failed_to_open(exc)

        def ended() -> None:
            if generation == self._generation:
                self._opening = False

        self._opening = True
        ops.run_in_background(self, open_database, done, failed, on_finally=ended)

    def _failed_to_open(self, exc: BaseException) -> None:
        from counter_app.db.server_settings import needs_password
        from counter_app.gui.connection_dialog import failure_message

        if not errors.is_user_problem(exc):
            errors.show_error(None, exc)
            self.stopped.emit(2)
            return
        asks_password = self.db.is_postgres and needs_password(exc)
        self._unavailable(failure_message(exc), retry=not asks_password)
        if asks_password and self.connection_dialog is None:
            self.choose_database(self.problem)

    def _opened(self, state: SchemaState, has_users: bool) -> None:
        from counter_app.gui.connection_dialog import schema_message

        problem = schema_message(state)
        if problem is not None:
            self._unavailable(problem, retry=True)
            return
        self.problem = ""
        self.opened.emit()
        login = self._login()
        if has_users and login is not None:
            login.clear_problem()  # the sign-in on screen works (again)
        elif has_users:
            self.sign_in()
        else:
            self.first_run()

    def _login(self) -> LoginDialog | None:
        from counter_app.gui.login_dialog import LoginDialog

        return self.dialog if isinstance(self.dialog, LoginDialog) else None

    def _unavailable(self, message: str, *, retry: bool) -> None:
        """Show why the database cannot be used, on the sign-in; retry when it may pass."""
        self.problem = message
        login = self._login()
        if login is None:
            self.sign_in()
            login = self._login()
        assert login is not None
        login.show_problem(message)
        if retry and self.connection_dialog is None:
            self.retry_timer.start()

    def _retry(self) -> None:
        if self.problem and not self._opening and self.connection_dialog is None:
            self._open()

    def _replace_dialog(self, dialog: QDialog | None) -> None:
        old, self.dialog = self.dialog, dialog
        if old is not None:  # no longer self.dialog: closing it does not stop the launcher
            old.close()

    def _dialog_rejected(self, dialog: QDialog) -> None:
        if dialog is self.dialog:
            self.retry_timer.stop()
            self.stopped.emit(0)

    def first_run(self) -> None:
        from counter_app.gui.first_run import FirstRunDialog

        dialog = FirstRunDialog(self.db)
        self._replace_dialog(dialog)
        dialog.done_with.connect(self._first_run_done)
        dialog.rejected.connect(lambda: self._dialog_rejected(dialog))
        dialog.database_requested.connect(self.choose_database)
        dialog.show()

    def _first_run_done(self, username: str) -> None:
        self.sign_in(username)

    def sign_in(self, username: str = "") -> None:
        from counter_app.gui.login_dialog import LoginDialog

        dialog = LoginDialog(self.db, username=username)
        self._replace_dialog(dialog)
        dialog.signed_in.connect(self._signed_in)
        dialog.rejected.connect(lambda: self._dialog_rejected(dialog))
        dialog.database_requested.connect(self.choose_database)
        dialog.show()

    def choose_database(self, message: str = "") -> None:
        """Open the Database dialog (from the sign-in, the first-run page, or the main
        window's Session menu, which signs out first)."""
        from counter_app.db import server_settings
        from counter_app.gui.connection_dialog import ConnectionDialog

        if self.connection_dialog is not None:
            self.connection_dialog.raise_()
            self.connection_dialog.activateWindow()
            return
        self.retry_timer.stop()
        settings = server_settings.from_url(self.db.url)
        if settings is None:
            try:
                settings = server_settings.load()
            except server_settings.SettingsError as err:
                message = message or errors.user_message(err)
        dialog = ConnectionDialog(
            settings,
            on_server=self.db.is_postgres,
            password=(self.db.url.password or "") if self.db.is_postgres else "",
            message=message,
            address_given=self.address_given,
            parent=self.dialog,
        )
        self.connection_dialog = dialog
        dialog.chosen.connect(self._reconnect)
        dialog.finished.connect(lambda _result: self._connection_dialog_closed(dialog))
        dialog.open()

    def _connection_dialog_closed(self, dialog: QDialog) -> None:
        if dialog is not self.connection_dialog:
            return
        self.connection_dialog = None
        dialog.deleteLater()
        if self.problem and not self._opening:
            self.retry_timer.start()

    def _reconnect(self, url: str) -> None:
        """Use the database just chosen: the old one is let go, and the start begins again."""
        try:
            new = Database(url)
        except UserError as err:
            errors.show_error(self.dialog, err)
            return
        self.retry_timer.stop()
        self._generation += 1
        self._opening = False
        self.problem = ""
        old, self.db = self.db, new
        old.dispose()
        login = self._login()
        if login is not None:  # keep the sign-in on screen while the new one opens
            login.db = new
            login.set_database_name(new.display_name)
        else:
            self._replace_dialog(None)
        self.reconnected.emit(new)
        self._open()

    def _signed_in(self, user: object) -> None:
        from counter_app.gui.main_window import MainWindow
        from counter_app.gui.session import AppSession
        from counter_app.services.users import UserView

        assert isinstance(user, UserView)
        self.retry_timer.stop()
        self.dialog = None
        window = MainWindow(AppSession(self.db, user))
        window.signed_out.connect(self._signed_out)
        window.database_requested.connect(self.choose_database)
        window.closed.connect(lambda: self.stopped.emit(0))
        self.window = window
        window.show()
        self.main_window_shown.emit(window)

    def _signed_out(self) -> None:
        window = self.window
        self.window = None
        if window is not None:
            window.deleteLater()
        self.sign_in()


def run_gui(db_url: str | None = None, argv: Sequence[str] | None = None) -> int:
    """Run the desktop application until its last window closes; the exit code."""
    app = create_application(argv)
    try:
        db = Database(db_url)
    except UserError as err:  # a bad address or a folder that cannot be made
        errors.show_error(None, err)
        return err.exit_code
    launcher = Launcher(db, address_given=bool(db_url or os.environ.get(DB_ENV_VAR)))
    code = 0

    def stop(exit_code: int) -> None:
        nonlocal code
        code = exit_code
        app.quit()

    # dialogs come and go between windows: quit when the launcher says so, not when
    # the sign-in dialog closes before the main window opens
    app.setQuitOnLastWindowClosed(False)
    launcher.stopped.connect(stop)
    launcher.start()
    try:
        result = app.exec()
    finally:
        ops.wait_for_all(10_000, cancel=True)
        launcher.db.dispose()  # the Database dialog may have replaced the first one
    return code or int(result)


__all__ = ["Launcher", "create_application", "load_fonts", "run_gui"]
