"""GUI tests: offscreen Qt, a fresh SQLite database per test, dialogs answered by the test.

Every test here:
- runs with ``QT_QPA_PLATFORM=offscreen`` (set before Qt is imported);
- sees what the clerk would have been told: ``errors.present`` is replaced and records
  each box in ``shown``; a bug report fails the test unless the test clears it; yes/no
  questions (``dialogs.confirm``) are recorded and answered with ``shown.answer``;
- leaves no worker thread behind (the pool is waited for at teardown) and no running
  timer on a window it created.
"""

from __future__ import annotations

import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from counter_app.db.engine import Database
from counter_app.domain.codes import CaseState, Role
from counter_app.gui import dialogs, errors, i18n, ops
from counter_app.gui.app import load_fonts
from counter_app.gui.main_window import MainWindow
from counter_app.gui.session import AppSession
from counter_app.services.case_core import CaseView
from counter_app.services.importer import import_file
from counter_app.services.users import UserView, add_user, create_first_admin
from tests.helpers import row, write_csv

PASSWORD = "counter-pass-1"


@pytest.fixture(scope="session", autouse=True)
def gui_app(qapp: QApplication) -> QApplication:
    QCoreApplication.setOrganizationName("counter_app_tests")
    QCoreApplication.setApplicationName("counter_app_tests")
    load_fonts()
    i18n.set_language(i18n.EN, remember=False)
    return qapp


@dataclass
class Shown:
    """The message boxes the clerk would have seen."""

    boxes: list[tuple[str, str]] = field(default_factory=list)
    checked: bool = False
    questions: list[str] = field(default_factory=list)
    answer: bool = True  # what the person answers to yes/no questions

    def texts(self, kind: str | None = None) -> list[str]:
        self.checked = True
        return [text for k, text in self.boxes if kind is None or k == kind]


@pytest.fixture(autouse=True)
def _gui_guard(
    gui_app: QApplication, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Shown]:
    shown = Shown()

    def present(parent: QWidget | None, kind: str, text: str, details: str) -> None:
        shown.boxes.append((kind, text + ("\n" + details if details else "")))

    def confirm(parent: QWidget | None, title: str, text: str) -> bool:
        shown.questions.append(text)
        return shown.answer

    monkeypatch.setattr(errors, "present", present)
    monkeypatch.setattr(dialogs, "confirm", confirm)
    i18n.set_language(i18n.EN, remember=False)
    yield shown
    assert ops.wait_for_all(15_000, cancel=True), "a background task did not finish"
    QCoreApplication.processEvents()
    i18n.set_language(i18n.EN, remember=False)
    QCoreApplication.processEvents()
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()
        running = [t for t in widget.findChildren(QTimer) if t.isActive()]
        assert not running or not widget.isVisible(), f"timers left running on {widget}"
    bugs = [text for kind, text in shown.boxes if kind == errors.BUG]
    assert not bugs, "bug dialogs were shown:\n" + "\n".join(bugs)


@pytest.fixture
def shown(_gui_guard: Shown) -> Shown:
    return _gui_guard


# -- waiting ----------------------------------------------------------------------------


def settle(qtbot, timeout: int = 15_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until no background task is running or waiting for delivery."""

    def quiet() -> bool:
        QCoreApplication.processEvents()
        return not ops.running_tasks()

    qtbot.waitUntil(quiet, timeout=timeout)
    qtbot.wait(5)
    qtbot.waitUntil(quiet, timeout=timeout)


def answer_modal(action: Callable[[QWidget], None], tries: int = 400) -> None:
    """Run ``action(dialog)`` on the next modal dialog as soon as it is open."""

    def poll(left: int) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None and dialog.isVisible():
            action(dialog)
        elif left > 0:
            QTimer.singleShot(25, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(tries))


def type_in(qtbot, widget: QWidget, text: str, *, enter: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Type like a person: ASCII as key presses, Chinese as an input method commits it;
    the pause before Enter tells a person from a barcode scanner."""
    widget.setFocus()
    for run in re.findall(r"[ -~]+|[^ -~]+", text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)
    if enter:
        qtbot.wait(60)
        qtbot.keyClick(widget, Qt.Key.Key_Return)


def scan(qtbot, widget: QWidget, code: str) -> None:  # type: ignore[no-untyped-def]
    """A barcode scanner: the characters and Enter, a few milliseconds apart."""
    widget.setFocus()
    qtbot.keyClicks(widget, code)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def ctrl(qtbot, widget: QWidget, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    """A shortcut pressed while ``widget`` has the focus (its window active again, as after
    a dialog closed)."""
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    widget.setFocus()
    assert widget.hasFocus()
    qtbot.keyClick(widget, key, Qt.KeyboardModifier.ControlModifier)


# -- data -------------------------------------------------------------------------------


@dataclass
class Branch:
    db: Database
    admin: UserView
    clerk: UserView
    auditor: UserView
    tmp: Path


@pytest.fixture
def branch(sqlite_url: str, tmp_path: Path) -> Iterator[Branch]:
    """A branch database with a few accounts, an administrator, a clerk (every post but
    audit) and an auditor."""
    db = Database(sqlite_url)
    csv = write_csv(
        tmp_path / "export.csv",
        [
            # a wrong phone: data filling first
            row(
                capital_account="30000001",
                name="张三",
                phone="12345",
                sh_account="A300000001",
                sh_name="张三",
                id_number="110105194706121551",
                sh_id_number="110105194706121551",
                bank="",
                bank_account="",
                depository_status="未签约",
            ),
            # clean but not on depository: straight to signing
            row(
                capital_account="30000002",
                name="李四",
                id_number="11010519491231002X",
                sh_account="A300000002",
                sh_name="李四",
                sh_id_number="11010519491231002X",
                bank="",
                bank_account="",
                depository_status="未签约",
            ),
            # no address: for the conflict test
            row(
                capital_account="30000003",
                name="王五",
                address="",
                id_number="110101199003074477",
                sh_account="A300000003",
                sh_name="王五",
                sh_id_number="110101199003074477",
                bank="",
                bank_account="",
                depository_status="未签约",
            ),
            # already standardized and on depository: nothing to do
            row(
                capital_account="30000004",
                name="赵六",
                id_number="110101198001010010",
                sh_account="A300000004",
                sh_name="赵六",
                sh_id_number="110101198001010010",
            ),
        ],
    )
    import_file(db, csv, base_date=date.today(), operator="setup")
    admin = create_first_admin(db, "admin", "管理员", PASSWORD)
    clerk = add_user(
        db,
        admin,
        "clerk",
        "柜员甲",
        PASSWORD,
        [Role.DIVERSION, Role.DATA_FILLING, Role.SIGNING, Role.BANK_POSTING],
    )
    auditor = add_user(db, admin, "auditor", "复核员乙", PASSWORD, [Role.AUDIT])
    yield Branch(db, admin, clerk, auditor, tmp_path)
    db.dispose()


CARD = "6222021234567890128"  # a UnionPay card number with a valid Luhn digit


def case_at_audit(branch: Branch, capital_account: str = "30000002") -> CaseView:
    """Open a case for a clean account and sign it through the services (clerk)."""
    from counter_app.services import cases

    db, clerk = branch.db, branch.clerk
    case = cases.open_case(db, clerk, capital_account)
    if case.state is CaseState.DATA_FILLING:
        cases.claim(db, clerk, case.id)
        form, version, _ = cases.form_of(db, clerk, case.id)
        cases.save_data(db, clerk, case.id, form, version)
        cases.forward_to_signing(db, clerk, case.id)
    cases.claim(db, clerk, case.id)
    moved, _number = cases.sign(db, clerk, case.id, "ICBC", CARD)
    assert moved.state is CaseState.AUDIT
    return moved


def open_window(qtbot, db: Database, user: UserView) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(AppSession(db, user))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    settle(qtbot)
    return window
