"""Starting on a brand-new database, signing in, changing a reset password, the language."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QWidget

from counter_app.db.engine import Database
from counter_app.domain.codes import Role
from counter_app.gui import i18n
from counter_app.gui.app import Launcher
from counter_app.gui.first_run import FirstRunDialog
from counter_app.gui.login_dialog import ChangePasswordDialog, LoginDialog
from counter_app.gui.main_window import MainWindow
from counter_app.services.ledger import count_accounts
from counter_app.services.users import add_user, authenticate, get_user
from tests.gui.conftest import PASSWORD, Branch, answer_modal, open_window, settle, type_in


@pytest.fixture
def fresh_db(sqlite_url: str):  # type: ignore[no-untyped-def]
    db = Database(sqlite_url)
    yield db
    db.dispose()


def test_first_run_creates_the_administrator_and_demo_data(qtbot, fresh_db: Database) -> None:
    launcher = Launcher(fresh_db)
    stopped: list[int] = []
    launcher.stopped.connect(stopped.append)
    launcher.start()
    settle(qtbot)
    first = launcher.dialog
    assert isinstance(first, FirstRunDialog)
    qtbot.addWidget(first)
    type_in(qtbot, first.username, "boss")
    type_in(qtbot, first.display_name, "王经理")
    type_in(qtbot, first.password, "short")
    type_in(qtbot, first.password2, "short")
    qtbot.mouseClick(first.create_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert first.message.text() == "the password must have at least 8 characters"
    for field in (first.password, first.password2):
        field.clear()
        type_in(qtbot, field, "manager-pass-1")
    first.all_posts.setChecked(True)
    first.demo.setChecked(True)
    first.demo_accounts.setValue(120)
    qtbot.mouseClick(first.create_button, Qt.MouseButton.LeftButton)
    settle(qtbot, timeout=60_000)
    boss = get_user(fresh_db, "boss")
    assert boss.roles == frozenset(Role)
    with fresh_db.read() as session:
        assert count_accounts(session) == 120

    login = launcher.dialog
    assert isinstance(login, LoginDialog)
    qtbot.addWidget(login)
    assert login.username.text() == "boss"
    type_in(qtbot, login.password, "wrong-pass-1", enter=True)
    settle(qtbot)
    assert login.message.text() == "wrong username or password"
    assert login.isVisible()
    with qtbot.waitSignal(launcher.main_window_shown) as shown_signal:
        type_in(qtbot, login.password, "manager-pass-1", enter=True)
    window = shown_signal.args[0]
    assert isinstance(window, MainWindow)  # the launcher owns it: it deletes it on sign-out
    assert [p.key for p in window.pages] == [
        "find",
        "DATA_FILLING",
        "SIGNING",
        "AUDIT",
        "BANK_POSTING",
        "accounts",
        "stats",
        "import",
        "users",
    ]
    assert window.user_label.text() == "User: 王经理 (boss)"
    assert window.db_label.text().startswith("Database: local file (SQLite ")
    qtbot.waitUntil(lambda: "database OK" in window.health_label.text())

    # signing out brings the sign-in back; closing it ends the application
    window.sign_out()
    settle(qtbot)
    again = launcher.dialog
    assert isinstance(again, LoginDialog) and again.isVisible()
    qtbot.addWidget(again)
    again.reject()
    assert stopped == [0]


def test_a_reset_password_must_be_changed_at_sign_in(qtbot, branch: Branch) -> None:
    newcomer = add_user(branch.db, branch.admin, "newcomer", "新人", PASSWORD, [Role.SIGNING])
    assert newcomer.must_change_password
    login = LoginDialog(branch.db, username="newcomer")
    qtbot.addWidget(login)
    login.show()

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, ChangePasswordDialog)
        type_in(qtbot, dialog.new, "my-own-pass-2")
        type_in(qtbot, dialog.again, "my-own-pass-2")
        dialog.buttons.accepted.emit()

    answer_modal(choose)
    with qtbot.waitSignal(login.signed_in, timeout=20_000) as signed:
        type_in(qtbot, login.password, PASSWORD, enter=True)
    assert signed.args[0].username == "newcomer"
    assert not signed.args[0].must_change_password
    assert authenticate(branch.db, "newcomer", "my-own-pass-2").username == "newcomer"


def test_switching_to_chinese_and_back_keeps_the_screen(qtbot, branch: Branch) -> None:
    window = open_window(qtbot, branch.db, branch.clerk)
    type_in(qtbot, window.search, "30000001", enter=True)
    settle(qtbot)
    assert window.find_page is not None
    assert window.language_actions[i18n.ZH].isChecked() is False
    window.language_actions[i18n.ZH].trigger()
    QCoreApplication.processEvents()
    settle(qtbot)
    assert i18n.current() == i18n.ZH
    assert window.nav.item(0).text().startswith("分流")
    assert window.find_page.open_button.text().startswith("开立案件")
    assert "联系电话无效" in window.find_page.details.toPlainText()
    assert window.find_page.model.headerData(0, Qt.Orientation.Horizontal) == "资金账号"
    assert window.search.text() == "30000001"  # the work on screen stays
    window.language_actions[i18n.EN].trigger()
    QCoreApplication.processEvents()
    settle(qtbot)
    assert window.nav.item(0).text().startswith("Diversion")
    assert "Phone number not valid" in window.find_page.details.toPlainText()


def test_main_window_is_usable_quickly(qtbot, branch: Branch) -> None:
    start = time.perf_counter()
    window = open_window(qtbot, branch.db, branch.clerk)
    assert time.perf_counter() - start < 2.0
    assert window.isVisible()
