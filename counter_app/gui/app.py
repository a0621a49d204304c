"""Starting the desktop application: fonts, language, database, first run, sign-in.

``run_gui(db_url)`` is what ``counter-app`` with no subcommand calls. The order:

1. the ``QApplication``, the shipped fonts, the language (saved choice or system);
2. the database is opened and made usable off the GUI thread (a local file is created
   or upgraded; a shared server that is behind is refused with its message);
3. a database without users opens the first-run page (the first administrator, and
   demo data if wanted);
4. the sign-in dialog, then (if an administrator reset the password) a new password;
5. the main window. Signing out comes back to step 4.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QDialog

from counter_app.db.engine import Database
from counter_app.gui import errors, i18n, ops
from counter_app.resources_path import resources_dir

if TYPE_CHECKING:
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

    Signals:
        main_window_shown(object): the ``MainWindow`` just shown (tests wait for it).
        stopped(int): the launcher gave up (the exit code): the database is unusable,
            or the person closed the sign-in dialog.
    """

    main_window_shown = Signal(object)
    stopped = Signal(int)

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.window: MainWindow | None = None
        self.dialog: QDialog | None = None

    def start(self) -> None:
        from counter_app.db.schema import ensure_usable
        from counter_app.services.users import has_users

        def open_database(job: ops.Job) -> bool:
            ensure_usable(self.db)
            return has_users(self.db)

        ops.run_in_background(self, open_database, self._opened, self._failed_to_open)

    def _failed_to_open(self, exc: BaseException) -> None:
        errors.show_error(None, exc)
        self.stopped.emit(2)

    def _opened(self, has_users: bool) -> None:
        if has_users:
            self.sign_in()
        else:
            self.first_run()

    def first_run(self) -> None:
        from counter_app.gui.first_run import FirstRunDialog

        dialog = FirstRunDialog(self.db)
        self.dialog = dialog
        dialog.done_with.connect(self._first_run_done)
        dialog.rejected.connect(lambda: self.stopped.emit(0))
        dialog.show()

    def _first_run_done(self, username: str) -> None:
        self.sign_in(username)

    def sign_in(self, username: str = "") -> None:
        from counter_app.gui.login_dialog import LoginDialog

        dialog = LoginDialog(self.db, username=username)
        self.dialog = dialog
        dialog.signed_in.connect(self._signed_in)
        dialog.rejected.connect(lambda: self.stopped.emit(0))
        dialog.show()

    def _signed_in(self, user: object) -> None:
        from counter_app.gui.main_window import MainWindow
        from counter_app.gui.session import AppSession
        from counter_app.services.users import UserView

        assert isinstance(user, UserView)
        self.dialog = None
        window = MainWindow(AppSession(self.db, user))
        window.signed_out.connect(self._signed_out)
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
    db = Database(db_url)
    launcher = Launcher(db)
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
        db.dispose()
    return code or int(result)


__all__ = ["Launcher", "create_application", "load_fonts", "run_gui"]
