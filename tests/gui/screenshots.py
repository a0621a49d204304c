"""Screenshots of every screen, to look at them and to refresh docs/screenshots/.

Not a test: a script that builds a demo branch, walks through the screens as the
people at the counter would see them, and saves one PNG per screen and language::

    xvfb-run -a -s "-screen 0 1366x860x24" env QT_QPA_PLATFORM=xcb \\
        /work/venv/bin/python -m tests.gui.screenshots /tmp/shots --accounts 3000

With ``FONTCONFIG_FILE`` pointing at a configuration without CJK fonts, the shots show
whether the shipped fonts (resources/fonts) carry the Chinese text alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="shots-config-"))

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from counter_app.db.engine import Database
from counter_app.db.schema import init_db
from counter_app.db.server_settings import ServerSettings
from counter_app.domain.codes import AccountClass, CaseState, Reason, Role
from counter_app.errors import Refused
from counter_app.gui import dialogs, errors, i18n, ops
from counter_app.gui.app import create_application
from counter_app.gui.connection_dialog import ConnectionDialog
from counter_app.gui.first_run import FirstRunDialog
from counter_app.gui.login_dialog import LoginDialog
from counter_app.gui.main_window import MainWindow
from counter_app.gui.session import AppSession
from counter_app.services import cases
from counter_app.services.demo import load_demo
from counter_app.services.ledger import page_accounts
from counter_app.services.users import UserView, add_user, create_first_admin, set_roles

PASSWORD = "demo-pass-1"
CARD = "6222021234567890128"


def wait(ms: int) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.005)


def settle(max_ms: int = 30_000) -> None:
    end = time.monotonic() + max_ms / 1000
    quiet = 0
    while time.monotonic() < end and quiet < 3:
        QCoreApplication.processEvents()
        quiet = quiet + 1 if not ops.running_tasks() else 0
        time.sleep(0.02)
    wait(150)


def until(condition: Callable[[], bool], max_ms: int = 30_000) -> None:
    end = time.monotonic() + max_ms / 1000
    while time.monotonic() < end and not condition():
        QCoreApplication.processEvents()
        time.sleep(0.01)
    settle()


class Shooter:
    def __init__(self, out: Path) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)

    def save(self, widget: QWidget, name: str) -> None:
        path = self.out / f"{name}_{i18n.current()}.png"
        wait(250)  # let the window repaint what just changed before reading the screen
        screen = widget.screen()
        if QApplication.platformName() == "xcb" and screen is not None:
            # the real window with its frame, and any dialog over it
            frame = widget.window().frameGeometry()
            image = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
        else:
            image = widget.window().grab()
        image.save(str(path))
        print("saved", path)

    def dialog(
        self,
        name: str,
        opener: Callable[[], None],
        prepare: Callable[[QWidget], None] | None = None,
    ) -> None:
        """Open a modal dialog with ``opener``, shoot it, close it."""

        def shoot(left: int = 200) -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None or not dialog.isVisible():
                if left:
                    QTimer.singleShot(30, lambda: shoot(left - 1))
                return
            if prepare is not None:
                prepare(dialog)
            wait(400)
            self.save(dialog, name)
            dialog.close()

        QTimer.singleShot(50, shoot)
        opener()
        settle()


def accounts_of(db: Database, cls: AccountClass, count: int) -> list[str]:
    with db.read() as session:
        return [r.capital_account for r in page_accounts(session, None, count * 4, cls)]


def build_branch(db: Database, accounts: int) -> tuple[UserView, UserView]:
    init_db(db)
    load_demo(db, accounts=accounts)
    admin = create_first_admin(db, "zhou", "周主管", PASSWORD)
    admin = set_roles(db, admin, "zhou", set(Role))
    auditor = add_user(db, admin, "liu", "刘复核", PASSWORD, [Role.AUDIT])
    clerk = add_user(
        db,
        admin,
        "chen",
        "陈柜员",
        PASSWORD,
        [Role.DIVERSION, Role.DATA_FILLING, Role.SIGNING, Role.BANK_POSTING],
    )
    data = accounts_of(db, AccountClass.UNQUALIFIED_DATA, 12)
    clean = accounts_of(db, AccountClass.QUALIFIED_NOT_DEPOSITED, 12)
    opened = []
    for account in data[:6] + clean[:6]:
        try:
            opened.append(cases.open_case(db, clerk, account))
        except Exception:
            continue
    signing = [c for c in opened if c.state is CaseState.SIGNING]
    for case in signing[:2]:  # the rest stay at signing for its screen
        cases.claim(db, clerk, case.id)
        try:
            cases.sign(db, clerk, case.id, "ICBC", CARD)
        except Refused:  # e.g. already sent to the bank: leave it at signing
            cases.release(db, clerk, case.id)
    audit = cases.queue(db, auditor, CaseState.AUDIT)
    if audit:  # one approved: bank posting has a batch to send
        cases.claim(db, auditor, audit[0].id)
        cases.approve(db, auditor, audit[0].id)
    filling = [c for c in opened if c.state is CaseState.DATA_FILLING]
    if len(filling) > 1:
        cases.claim(db, clerk, filling[1].id)  # someone else holds one: the queue shows it
    # one customer whose only fault was a missing phone: filled, signed, waiting for audit
    with db.read() as session:
        rows = page_accounts(session, None, 2000, AccountClass.UNQUALIFIED_DATA)
    only_phone = next(
        r
        for r in rows
        if list(r.reasons) == [Reason.PHONE_MISSING] and r.capital_account not in data[:6]
    )
    case = cases.open_case(db, clerk, only_phone.capital_account)
    cases.claim(db, clerk, case.id)
    form, version, _ = cases.form_of(db, clerk, case.id)
    form.phone = "139 0731 2468"
    cases.save_data(db, clerk, case.id, form, version)
    cases.forward_to_signing(db, clerk, case.id)
    cases.claim(db, clerk, case.id)
    cases.sign(db, clerk, case.id, "BOC", CARD)
    return admin, auditor


def shoot_language(shots: Shooter, db: Database, admin: UserView, auditor: UserView) -> None:
    login = LoginDialog(db, username="zhou")
    login.show()
    wait(300)
    shots.save(login, "gui_login")
    login.close()

    window = MainWindow(AppSession(db, admin))
    window.resize(1340, 800)
    window.show()
    settle()
    unqualified = accounts_of(db, AccountClass.UNQUALIFIED_IDENTITY, 1)[0]
    window.search.setText(unqualified)
    window.open_code(unqualified, scanned=False)
    settle()
    shots.save(window, "gui_diversion")

    window.show_page("DATA_FILLING")
    settle()
    page = window.post_pages[CaseState.DATA_FILLING]
    page.queue.take_next()
    settle()
    editor = page.editor
    until(lambda: editor.loaded is not None)
    phone = editor.fields["phone"].editor
    phone.setText("1391234567")  # one digit short: the check beside it says so
    editor._edited()
    shots.save(window, "gui_data_filling")

    window.show_page("SIGNING")
    settle()
    signing = window.post_pages[CaseState.SIGNING]
    until(lambda: signing.queue.model.rowCount() > 0)
    unsigned = [
        c for c in signing.queue.model.cases() if c.depository_status.value != "PENDING_BANK"
    ]
    signing.queue.take(unsigned[0].id)
    settle()
    signing.editor.bank.setCurrentIndex(signing.editor.bank.findData("CCB"))
    signing.editor.account.setText("6217 0012 3456 7890 122")
    signing.editor._changed()
    until(lambda: signing.editor.preview.page_count() > 0)
    wait(500)
    shots.save(window, "gui_signing")

    window.show_page("BANK_POSTING")
    settle()
    shots.save(window, "gui_bank_posting")
    for key, name in (
        ("accounts", "gui_accounts"),
        ("stats", "gui_statistics"),
        ("users", "gui_users"),
    ):
        window.show_page(key)
        settle()
        shots.save(window, name)

    window.show_page("import")
    settle()
    bad = Path(tempfile.mkdtemp()) / "counter-export.csv"
    bad.write_text(
        "资金账号,客户姓名,证件号码,开户日期,资金余额\n"
        "20990001,张伟,110105194706121551,2015-04-25,52000.00\n"
        "20990002,李娜,110105194706121551,2015-13-45,1000.00\n"
        "20990003,王芳,,2016-02-30,12,34x\n"
        "20990001,赵强,,2017-01-01,10.00\n",
        encoding="utf-8",
    )
    importer = window.page("import")
    importer.path_edit.setText(str(bad))  # type: ignore[union-attr]
    importer.start_import()  # type: ignore[union-attr]
    settle()
    shots.save(window, "gui_import_refused")

    window.lock()
    wait(200)
    shots.save(window, "gui_locked")
    window.close()
    settle()

    audit_window = MainWindow(AppSession(db, auditor))
    audit_window.resize(1340, 800)
    audit_window.show()
    audit_window.show_page("AUDIT")
    settle()
    audit_page = audit_window.post_pages[CaseState.AUDIT]
    audit_page.queue.take(audit_page.queue.model.cases()[-1].id)
    settle()
    wait(600)
    shots.save(audit_window, "gui_audit")
    audit_page.editor.tabs.setCurrentIndex(2)
    wait(200)
    shots.save(audit_window, "gui_audit_history")
    audit_window.close()
    settle()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--lang", choices=["zh_CN", "en", "both"], default="both")
    args = parser.parse_args(argv)
    create_application(["screenshots"])
    errors.present = lambda parent, kind, text, details: print(kind, text, details)  # type: ignore[assignment]
    dialogs.confirm = lambda parent, title, text: True  # type: ignore[assignment]
    shots = Shooter(args.out)
    folder = Path(tempfile.mkdtemp(prefix="shots-db-"))
    db = Database(str(folder / "branch.sqlite3"))
    languages = ["zh_CN", "en"] if args.lang == "both" else [args.lang]

    init_db(db)
    for lang in languages:
        i18n.set_language(lang, remember=False)
        first = FirstRunDialog(db)
        first.show()
        wait(300)
        shots.save(first, "gui_first_run")
        first.close()
        connection = ConnectionDialog(
            ServerSettings(host="192.168.10.5", database="counter", user="counter_app_user"),
            on_server=True,
        )
        connection.show()
        wait(300)
        shots.save(connection, "gui_connection")
        connection.close()
    admin, auditor = build_branch(db, args.accounts)
    for lang in languages:
        i18n.set_language(lang, remember=False)
        wait(100)
        shoot_language(shots, db, admin, auditor)
    ops.wait_for_all()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
