"""The idle lock hides every window (dialogs included) and gives them back untouched;
leaving (closing, signing out) gives back the cases claimed in the window."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMessageBox, QVBoxLayout

from counter_app.db.errors import DatabaseProblem, ProblemKind
from counter_app.domain.codes import CaseState
from counter_app.gui import dialogs, main_window, modal
from counter_app.gui.dialogs import ReasonDialog
from counter_app.gui.main_window import MainWindow
from counter_app.services import cases
from tests.cases_support import audit_actions
from tests.gui.conftest import PASSWORD, Branch, open_window, settle, type_in


def when(condition: Callable[[], bool], action: Callable[[], None], tries: int = 600) -> None:
    """Run ``action`` as soon as ``condition`` holds, from the event loop running then
    (a dialog's own loop, or the one the lock keeps waiting in)."""

    def poll(left: int) -> None:
        try:
            if condition():
                action()
            elif left > 0:
                QTimer.singleShot(20, lambda: poll(left - 1))
            else:
                raise AssertionError(f"the screen never got there: {action}")
        except BaseException:
            give_up()  # let the blocked dialog call return, so the test ends and fails
            raise

    QTimer.singleShot(0, lambda: poll(tries))


def give_up() -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.shield.discard()
        elif isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()


def lock_now(window: MainWindow) -> None:
    """The idle timer firing (120 ms without a key press), once."""
    window.idle.set_minutes(0.002)
    window.idle.idle.connect(lambda: window.idle.set_minutes(10))


def unlock(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    type_in(qtbot, window.lock_page.password, PASSWORD, enter=True)


def save_screen(path: str) -> None:
    """What the whole (offscreen) screen shows: every window, stacked as they are."""
    screen = QApplication.primaryScreen()
    assert screen.grabWindow(0).save(path)


def test_the_lock_hides_a_modal_dialog_and_gives_it_back_as_it_was(
    qtbot, branch: Branch, tmp_path
) -> None:
    window = open_window(qtbot, branch.db, branch.clerk)
    steps: list[str] = []

    def dialog() -> ReasonDialog | None:
        found = QApplication.activeModalWidget()
        return found if isinstance(found, ReasonDialog) else None

    def typed_then_idle() -> None:
        box = dialog()
        assert box is not None
        type_in(qtbot, box.text, "客户资料 张三 110105194706121551")
        steps.append("typed")
        lock_now(window)
        # the idle lock engages while the dialog's own exec() is running
        when(lambda: window.locked, locked)

    def locked() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ReasonDialog))
        assert not box.isVisible()  # the customer's data are not on the unattended screen
        assert window.central.currentWidget() is window.lock_page
        assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [window]
        save_screen(str(tmp_path / "locked.png"))  # the whole screen, for a person to look at
        steps.append("hidden")
        unlock(qtbot, window)
        when(lambda: not window.locked and dialog() is not None, back)

    def back() -> None:
        box = dialog()
        assert box is not None and box.isVisible()
        assert box.text.toPlainText() == "客户资料 张三 110105194706121551"
        assert box.isModal()  # still the modal question it was
        steps.append("back")
        ok = box.buttons.button(box.buttons.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    when(lambda: dialog() is not None, typed_then_idle)
    answer = dialogs.ask_reason(window, "Cancel case", "Why?")
    # the caller gets the clerk's own answer, not a "cancel" made up by the lock
    assert answer == "客户资料 张三 110105194706121551"
    assert steps == ["typed", "hidden", "back"]
    assert not window.locked


def test_the_lock_hides_a_message_box_and_a_window_shown_meanwhile(
    qtbot, branch: Branch, shown
) -> None:
    window = open_window(qtbot, branch.db, branch.clerk)
    # a non-modal window of the application with typed text
    loose = QDialog(window)
    field = QLineEdit(loose)
    QVBoxLayout(loose).addWidget(field)
    loose.show()
    qtbot.waitExposed(loose)
    type_in(qtbot, field, "13800138000")
    seen: list[str] = []

    def keys_box() -> QMessageBox | None:
        found = QApplication.activeModalWidget()
        return found if isinstance(found, QMessageBox) else None

    def box_open() -> None:
        window.lock()
        when(lambda: not keys_box(), locked)

    def locked() -> None:
        assert not loose.isVisible()
        assert not any(
            isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()
        )
        # a window that opens while locked (a background task's message) is hidden too
        late = QDialog(window)
        late.setObjectName("lateWindow")
        late.show()
        when(lambda: not late.isVisible(), lambda: hidden_late(late))

    def hidden_late(late: QDialog) -> None:
        seen.append("late hidden")
        unlock(qtbot, window)
        when(lambda: keys_box() is not None, lambda: back(late))

    def back(late: QDialog) -> None:
        assert loose.isVisible() and field.text() == "13800138000"
        assert late.isVisible()
        seen.append("back")
        box = keys_box()
        assert box is not None
        box.accept()

    when(lambda: keys_box() is not None, box_open)
    window.show_keys()
    assert seen == ["late hidden", "back"]
    assert not window.locked


def test_signing_out_from_the_lock_discards_the_hidden_dialogs(qtbot, branch: Branch) -> None:
    window = open_window(qtbot, branch.db, branch.clerk)
    signed_out: list[bool] = []
    window.signed_out.connect(lambda: signed_out.append(True))

    def dialog_open() -> None:
        window.lock()
        when(lambda: window.locked, lambda: window.lock_page.sign_out_button.click())

    when(lambda: isinstance(QApplication.activeModalWidget(), ReasonDialog), dialog_open)
    # the next user never sees the dialog; its caller is told "cancelled"
    assert dialogs.ask_reason(window, "Cancel case", "Why?") is None
    assert signed_out == [True]
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets())
    assert not modal.is_locked()


# -- leaving gives back the claims -------------------------------------------------------


def held_by(branch: Branch, case_id: int) -> str | None:
    return cases.get_case(branch.db, branch.clerk, case_id).claimed_by


def claim_in_window(qtbot, window: MainWindow, case_id: int) -> None:  # type: ignore[no-untyped-def]
    window.show_page("DATA_FILLING")
    settle(qtbot)
    window.post_pages[CaseState.DATA_FILLING].take(case_id)
    settle(qtbot)


def test_closing_the_window_gives_back_the_cases_claimed_in_it(qtbot, branch: Branch) -> None:
    db, clerk = branch.db, branch.clerk
    earlier = cases.open_case(db, clerk, "30000003")
    cases.claim(db, clerk, earlier.id)  # held since before this window: not its to give back
    case = cases.open_case(db, clerk, "30000001")
    window = open_window(qtbot, db, clerk)
    claim_in_window(qtbot, window, case.id)
    assert held_by(branch, case.id) == "clerk"
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))

    window.close()

    assert closed == [True]
    assert held_by(branch, case.id) is None
    assert audit_actions(db, "case", case.case_no)[-2:] == ["case.claim", "case.release"]
    assert held_by(branch, earlier.id) == "clerk"
    assert audit_actions(db, "case", earlier.case_no)[-1] == "case.claim"


def test_signing_out_gives_back_the_claims_after_the_question(qtbot, branch: Branch, shown) -> None:
    db, clerk = branch.db, branch.clerk
    case = cases.open_case(db, clerk, "30000001")
    window = open_window(qtbot, db, clerk)
    claim_in_window(qtbot, window, case.id)
    editor = window.post_pages[CaseState.DATA_FILLING].editor
    type_in(qtbot, editor.fields["phone"].editor, "9")  # an unsaved edit: the question

    shown.answer = False  # "stay": nothing is given back
    window.sign_out()
    assert len(shown.questions) == 1
    assert held_by(branch, case.id) == "clerk"

    shown.answer = True
    window.sign_out()
    assert held_by(branch, case.id) is None
    assert audit_actions(db, "case", case.case_no)[-1] == "case.release"


def test_a_case_moved_on_or_taken_again_elsewhere_is_left_alone(qtbot, branch: Branch) -> None:
    db, clerk = branch.db, branch.clerk
    case = cases.open_case(db, clerk, "30000001")
    window = open_window(qtbot, db, clerk)
    claim_in_window(qtbot, window, case.id)
    # given back and taken again elsewhere (a second workstation of the same clerk)
    cases.release(db, clerk, case.id)
    cases.claim(db, clerk, case.id)
    window.close()
    assert held_by(branch, case.id) == "clerk"


def test_an_unreachable_database_does_not_keep_the_window_open(
    qtbot, branch: Branch, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    db, clerk = branch.db, branch.clerk
    case = cases.open_case(db, clerk, "30000001")
    window = open_window(qtbot, db, clerk)
    claim_in_window(qtbot, window, case.id)
    calls: list[int] = []

    def unreachable(*args: object) -> None:
        calls.append(1)
        raise DatabaseProblem(ProblemKind.UNREACHABLE, "cannot reach the server", "无法连接")

    monkeypatch.setattr(main_window, "get_case", unreachable)
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    with caplog.at_level(logging.WARNING, logger="counter_app.gui.main_window"):
        window.close()
    assert closed == [True] and not window.isVisible()
    assert calls == [1]
    assert "a supervisor can release them" in caplog.text
    assert held_by(branch, case.id) == "clerk"  # left for a supervisor
