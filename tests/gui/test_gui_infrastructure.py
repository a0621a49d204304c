"""The scanner heuristic, the background helper and the error dialogs."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from counter_app.db.errors import DatabaseProblem, ProblemKind
from counter_app.errors import Refused
from counter_app.gui import errors, i18n, ops
from counter_app.gui.scanner import ScannerFilter
from counter_app.importing.errors import FileRefused
from tests.gui.conftest import settle

# -- the scanner ------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def press(
    widget: QWidget,
    scanner: ScannerFilter,
    clock: Clock,
    text: str,
    gap_ms: float,
    *,
    enter_gap_ms: float | None = None,
) -> None:
    """Key presses through the filter, ``gap_ms`` apart, as the application delivers them."""
    for ch in text:
        clock.now += gap_ms / 1000
        event = QKeyEvent(
            QEvent.Type.KeyPress, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch
        )
        if not scanner.eventFilter(widget, event):
            QApplication.sendEvent(widget, event)
    clock.now += (gap_ms if enter_gap_ms is None else enter_gap_ms) / 1000
    enter = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
    if not scanner.eventFilter(widget, enter):
        QApplication.sendEvent(widget, enter)


@pytest.fixture
def field(qtbot):  # type: ignore[no-untyped-def]
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    edit.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is edit)
    edit.setFocus()
    return edit


def test_a_fast_burst_ending_in_enter_is_a_scan(field: QLineEdit) -> None:
    clock = Clock()
    scanner = ScannerFilter(clock=clock)
    codes: list[str] = []
    scanner.scanned.connect(codes.append)
    field.setText("地址：")
    press(field, scanner, clock, "C20260401000001", gap_ms=8)
    assert codes == ["C20260401000001"]
    assert field.text() == "地址："  # the code is taken out of the field it landed in


def test_a_person_typing_is_not_a_scan(field: QLineEdit) -> None:
    clock = Clock()
    scanner = ScannerFilter(clock=clock)
    codes: list[str] = []
    scanner.scanned.connect(codes.append)
    press(field, scanner, clock, "30000001", gap_ms=90)
    press(field, scanner, clock, "30000001", gap_ms=8, enter_gap_ms=400)  # paused before Enter
    press(field, scanner, clock, "12345", gap_ms=8)  # too short for a code
    assert codes == []
    assert field.text() == "300000013000000112345"


def test_only_the_focus_widget_counts(field: QLineEdit) -> None:
    clock = Clock()
    scanner = ScannerFilter(clock=clock)
    codes: list[str] = []
    scanner.scanned.connect(codes.append)
    parent = field.parentWidget() or QWidget()
    event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "A")
    assert scanner.eventFilter(parent, event) is False
    assert scanner._buffer == []


# -- the background helper --------------------------------------------------------------


def test_results_and_errors_arrive_on_the_gui_thread(qtbot) -> None:
    gui_thread = threading.current_thread()
    seen: list[tuple[str, object, bool]] = []
    owner = QObject()
    ops.run_in_background(
        owner,
        lambda job: threading.current_thread() is not gui_thread,
        lambda r: seen.append(("done", r, threading.current_thread() is gui_thread)),
    )

    def boom(job: ops.Job) -> None:
        raise Refused("not allowed")

    ops.run_in_background(
        owner,
        boom,
        None,
        lambda e: seen.append(("error", str(e), threading.current_thread() is gui_thread)),
    )
    settle(qtbot)
    assert sorted(seen) == [("done", True, True), ("error", "not allowed", True)]


def test_cancelling_stops_the_work_at_its_next_progress_report(qtbot) -> None:
    started = threading.Event()
    reached: list[int] = []
    errors_seen: list[BaseException] = []

    def work(job: ops.Job) -> None:
        started.set()
        for i in range(1000):
            job.progress(i, i / 1000)
            reached.append(i)
            threading.Event().wait(0.005)

    task = ops.run_in_background(None, work, lambda _r: None, errors_seen.append)
    assert started.wait(5)
    task.cancel()
    settle(qtbot)
    assert len(reached) < 1000
    assert len(errors_seen) == 1 and isinstance(errors_seen[0], ops.Cancelled)


def test_nothing_is_delivered_to_a_deleted_owner(qtbot) -> None:
    delivered: list[object] = []
    gate = threading.Event()
    owner = QObject()
    ops.run_in_background(owner, lambda job: gate.wait(5), delivered.append)
    owner.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gate.set()
    settle(qtbot)
    assert delivered == []


# -- errors -----------------------------------------------------------------------------


def test_user_problems_are_messages_and_bugs_are_bug_reports(shown) -> None:
    errors.show_error(None, Refused("case C1 is held by 张三 (zhangsan) since 09:12"))
    errors.show_error(None, FileRefused("the file is empty", "empty"))
    errors.show_error(None, ops.Cancelled())
    try:
        _ = 1 / 0
    except ZeroDivisionError as bug:
        errors.show_error(None, bug)
    kinds = [kind for kind, _text in shown.boxes]
    assert kinds == [errors.USER, errors.USER, errors.BUG]
    assert shown.boxes[0][1] == "case C1 is held by 张三 (zhangsan) since 09:12"
    assert shown.boxes[2][1].startswith("This is a bug in counter_app: ZeroDivisionError")
    assert "Traceback" in shown.boxes[2][1] and "_ = 1 / 0" in shown.boxes[2][1]
    shown.boxes.clear()  # the bug report was expected here


def test_database_problems_speak_the_screen_language(qtbot) -> None:
    problem = DatabaseProblem(ProblemKind.BUSY, "the database is busy", "数据库正忙")
    assert errors.user_message(problem) == "the database is busy"
    i18n.set_language(i18n.ZH, remember=False)
    assert errors.user_message(problem) == "数据库正忙"


def test_the_bug_dialog_copies_its_details(qtbot) -> None:
    dialog = errors.BugDialog(None, "This is a bug", "Traceback: line 1")
    qtbot.addWidget(dialog)
    dialog.copy_details()
    assert QApplication.clipboard().text() == "Traceback: line 1"
