"""Rejections, the auditor-is-maker rule, conflicts between two clerks, cancelling, locking."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

from counter_app.domain.codes import CaseState, DepositoryStatus, Role, StepKind
from counter_app.gui.audit import RejectDialog
from counter_app.gui.conflict_dialog import ConflictDialog
from counter_app.gui.dialogs import ReasonDialog
from counter_app.services import cases
from counter_app.services.importer import import_file
from counter_app.services.settings import AUDITOR_NOT_FILLER, set_setting
from counter_app.services.users import add_user
from tests.gui.conftest import (
    PASSWORD,
    Branch,
    answer_modal,
    case_at_audit,
    ctrl,
    open_window,
    scan,
    settle,
    type_in,
)
from tests.helpers import row, write_csv


def test_rejection_goes_back_to_data_filling_and_returns(qtbot, branch: Branch) -> None:
    case = case_at_audit(branch)
    window = open_window(qtbot, branch.db, branch.auditor)
    window.show_page("AUDIT")
    settle(qtbot)
    audit = window.post_pages[CaseState.AUDIT]
    ctrl(qtbot, audit.queue.table, Qt.Key.Key_N)
    settle(qtbot)
    assert audit.editor.case is not None and audit.editor.case.id == case.id

    def reject_with_reasons(dialog: QWidget) -> None:
        assert isinstance(dialog, RejectDialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()  # no reason yet
        dialog.set_checked("OTHER")
        assert not ok.isEnabled()  # "Other" needs a note
        dialog.set_checked("DATA_MISMATCH")
        type_in(qtbot, dialog.note, "地址与身份证不一致")
        assert ok.isEnabled()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    answer_modal(reject_with_reasons)
    qtbot.mouseClick(audit.editor.reject_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    after = cases.find_case_by_no(branch.db, case.case_no)
    assert after is not None and after.state is CaseState.DATA_FILLING
    assert after.depository_status is DepositoryStatus.NONE  # the signed agreement is void
    rejection = after.steps[-1]
    assert rejection.kind is StepKind.REJECT
    assert rejection.reasons == ["DATA_MISMATCH", "OTHER"]
    assert rejection.note == "地址与身份证不一致"
    assert audit.editor.case is None
    window.close()

    # the clerk finds it back in the data filling queue, with the auditor's words
    window = open_window(qtbot, branch.db, branch.clerk)
    window.show_page("DATA_FILLING")
    settle(qtbot)
    filling = window.post_pages[CaseState.DATA_FILLING]
    assert [c.case_no for c in filling.queue.model.cases()] == [case.case_no]
    filling.queue.table.selectRow(0)
    filling.queue.table.setFocus()
    qtbot.keyClick(filling.queue.table, Qt.Key.Key_Return)  # Enter takes the selected case
    settle(qtbot)
    header = filling.editor.header.text()
    assert "Sent back by 复核员乙" in header
    assert "Data do not match the documents" in header and "地址与身份证不一致" in header
    qtbot.mouseClick(filling.editor.forward_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    again = cases.find_case_by_no(branch.db, case.case_no)
    assert again is not None and again.state is CaseState.SIGNING


def test_auditor_who_filled_the_data_is_refused(qtbot, branch: Branch, shown) -> None:
    db = branch.db
    with db.write() as session:
        set_setting(session, AUDITOR_NOT_FILLER, "1")
    both = add_user(
        db,
        branch.admin,
        "both",
        "两岗",
        PASSWORD,
        [Role.DIVERSION, Role.DATA_FILLING, Role.SIGNING, Role.AUDIT],
    )
    case = cases.open_case(db, both, "30000001")
    cases.claim(db, both, case.id)
    form, version, _ = cases.form_of(db, both, case.id)
    form.phone = "13912345678"
    cases.save_data(db, both, case.id, form, version)
    cases.forward_to_signing(db, both, case.id)
    cases.claim(db, branch.clerk, case.id)
    cases.sign(db, branch.clerk, case.id, "ICBC", "6222021234567890128")

    window = open_window(qtbot, db, both)
    window.show_page("AUDIT")
    settle(qtbot)
    audit = window.post_pages[CaseState.AUDIT]
    # "take next" passes over the case this auditor filled
    qtbot.mouseClick(audit.queue.next_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert audit.editor.case is None
    assert audit.status.text() == "Nobody is waiting at this post."
    # taking it on purpose is refused, with the rule's reason
    assert audit.queue.select_case(case.id)
    qtbot.mouseClick(audit.queue.take_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert audit.editor.case is None
    assert "the auditor must be another person" in audit.status.text()
    assert "auditor_not_filler" in audit.status.text()
    stored = cases.find_case_by_no(db, case.case_no)
    assert stored is not None and stored.claimed_by is None and stored.state is CaseState.AUDIT


def test_stale_edit_shows_the_conflict_dialog_and_keeps_both(
    qtbot, branch: Branch, tmp_path: Path
) -> None:
    db = branch.db
    window = open_window(qtbot, db, branch.clerk)
    type_in(qtbot, window.search, "30000003", enter=True)
    settle(qtbot)
    assert window.find_page is not None
    qtbot.mouseClick(window.find_page.open_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    window.show_page("DATA_FILLING")
    settle(qtbot)
    filling = window.post_pages[CaseState.DATA_FILLING]
    qtbot.mouseClick(filling.queue.next_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    editor = filling.editor
    address = editor.fields["address"]
    assert address.message.text() == "the address is required"

    # meanwhile the counter export is imported again: someone else changed the phone
    update = write_csv(
        tmp_path / "update.csv",
        [
            row(
                capital_account="30000003",
                name="王五",
                address="",
                phone="13800001111",
                id_number="110101199003074477",
                sh_account="A300000003",
                sh_name="王五",
                sh_id_number="110101199003074477",
                bank="",
                bank_account="",
                depository_status="未签约",
            ),
        ],
    )
    import_file(db, update, operator="importer")

    type_in(qtbot, address.editor, "北京市东城区东长安街1号")
    seen: list[list[str]] = []

    def keep_mine(dialog: QWidget) -> None:
        assert isinstance(dialog, ConflictDialog)
        table = dialog.table
        seen.extend([table.item(r, c).text() for c in range(4)] for r in range(table.rowCount()))
        qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)

    answer_modal(keep_mine)
    ctrl(qtbot, address.editor, Qt.Key.Key_S)
    settle(qtbot)
    by_field = {r[0]: r for r in seen}
    assert by_field["Phone"][1] == "13800001111"  # what the other person saved
    assert by_field["Phone"][3] == "13912345678"  # my form's old value, not edited by me
    assert by_field["Address"][3].endswith("(you changed this)")
    form, _version, _ = cases.form_of(db, branch.clerk, editor.case.id)  # type: ignore[union-attr]
    assert form.address == "北京市东城区东长安街1号"  # mine, saved on top
    assert form.phone == "13800001111"  # theirs, kept
    assert editor.fields["phone"].old.text() == "13800001111"
    assert "Cleared: Address missing" in editor.result.text()


def test_cancel_a_case_with_a_reason(qtbot, branch: Branch) -> None:
    window = open_window(qtbot, branch.db, branch.clerk)
    case = cases.open_case(branch.db, branch.clerk, "30000002")
    window.show_page("SIGNING")
    settle(qtbot)
    signing = window.post_pages[CaseState.SIGNING]
    assert signing.queue.select_case(case.id)

    def give_reason(dialog: QWidget) -> None:
        assert isinstance(dialog, ReasonDialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()
        type_in(qtbot, dialog.text, "客户改日再来")
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    answer_modal(give_reason)
    qtbot.mouseClick(signing.queue.cancel_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    after = cases.find_case_by_no(branch.db, case.case_no)
    assert after is not None and after.state is CaseState.CANCELLED
    assert after.cancel_reason == "客户改日再来"
    assert signing.queue.model.rowCount() == 0
    assert signing.status.text() == f"Case {case.case_no} cancelled."


def test_idle_lock_keeps_the_work(qtbot, branch: Branch, shown) -> None:
    window = open_window(qtbot, branch.db, branch.clerk)
    case = cases.open_case(branch.db, branch.clerk, "30000001")
    window.show_page("DATA_FILLING")
    settle(qtbot)
    filling = window.post_pages[CaseState.DATA_FILLING]
    filling.take(case.id)
    settle(qtbot)
    phone = filling.editor.fields["phone"].editor
    type_in(qtbot, phone, "9")
    unsaved = phone.text()
    window.idle.set_minutes(0.002)  # 120 ms of idleness
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    assert window.central.currentWidget() is window.lock_page
    assert not window.toolbar.isEnabled()
    lock = window.lock_page
    assert QApplication.focusWidget() is lock.password
    type_in(qtbot, lock.password, "wrong password", enter=True)
    settle(qtbot)
    assert window.locked
    assert lock.message.text() == "wrong username or password"
    type_in(qtbot, lock.password, PASSWORD, enter=True)
    settle(qtbot)
    assert not window.locked
    assert window.central.currentWidget() is window.work
    assert window.stack.currentWidget() is filling
    assert phone.text() == unsaved  # the unsaved input is still there
    assert filling.editor.case is not None and filling.editor.case.id == case.id
    assert QApplication.focusWidget() is phone

    # signing out with the unsaved edit asks first; "No" keeps everything
    shown.answer = False
    window.sign_out()
    assert shown.questions == [
        f"The changes to case {case.case_no} are not saved and will be lost. Leave anyway?"
    ]
    assert window.isVisible() and phone.text() == unsaved
    shown.answer = True  # and the window may close at the end of the test


def test_take_next_first_reopens_a_case_the_clerk_already_holds(qtbot, branch: Branch) -> None:
    db, clerk = branch.db, branch.clerk
    older = cases.open_case(db, clerk, "30000003")
    held = cases.open_case(db, clerk, "30000001")
    cases.claim(db, clerk, held.id)  # e.g. taken before the application was restarted
    window = open_window(qtbot, db, clerk)
    window.show_page("DATA_FILLING")
    settle(qtbot)
    filling = window.post_pages[CaseState.DATA_FILLING]
    assert filling.queue.model.index(1, 5).data() == "me"
    assert filling.queue.count.text() == "2 case(s), 1 waiting"
    ctrl(qtbot, filling.queue.table, Qt.Key.Key_N)
    settle(qtbot)
    assert filling.editor.case is not None and filling.editor.case.id == held.id
    stored = cases.find_case_by_no(db, older.case_no)
    assert stored is not None and stored.claimed_by is None  # the waiting one stays waiting


def test_a_manual_bank_confirmation_needs_a_reason(qtbot, branch: Branch) -> None:
    db = branch.db
    case = case_at_audit(branch)
    cases.claim(db, branch.auditor, case.id)
    cases.approve(db, branch.auditor, case.id)
    window = open_window(qtbot, db, branch.clerk)
    window.show_page("BANK_POSTING")
    settle(qtbot)
    posting = window.bank_page
    assert posting is not None
    posting.cases.selectRow(0)
    assert posting.confirm_button.isEnabled()

    def cancel_first(dialog: QWidget) -> None:
        assert isinstance(dialog, ReasonDialog)
        dialog.reject()

    answer_modal(cancel_first)
    qtbot.mouseClick(posting.confirm_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    still = cases.find_case_by_no(db, case.case_no)
    assert still is not None and still.state is CaseState.BANK_POSTING  # no reason, no change

    def give_reason(dialog: QWidget) -> None:
        assert isinstance(dialog, ReasonDialog)
        type_in(qtbot, dialog.text, "银行柜台电话确认，经办人王某")
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )

    answer_modal(give_reason)
    qtbot.mouseClick(posting.confirm_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    done = cases.find_case_by_no(db, case.case_no)
    assert done is not None and done.state is CaseState.DONE
    assert done.depository_status is DepositoryStatus.ACTIVE
    assert done.steps[-1].kind is StepKind.MANUAL_CONFIRM
    assert done.steps[-1].note == "银行柜台电话确认，经办人王某"
    assert posting.status.text() == f"Case {case.case_no} confirmed: the account is on depository."


def test_scanning_a_file_barcode_opens_the_customers_case_at_my_post(qtbot, branch: Branch) -> None:
    case = cases.open_case(branch.db, branch.clerk, "30000001")  # at data filling
    window = open_window(qtbot, branch.db, branch.clerk)
    window.show_page("SIGNING")
    settle(qtbot)
    table = window.post_pages[CaseState.SIGNING].queue.table
    scan(qtbot, table, "30000001")  # the paper file's label carries the capital account
    settle(qtbot)
    filling = window.post_pages[CaseState.DATA_FILLING]
    assert window.stack.currentWidget() is filling
    assert filling.editor.case is not None and filling.editor.case.id == case.id
    # a scanned account with no open case stays in diversion, shown
    scan(qtbot, filling.queue.table, "30000004")
    settle(qtbot)
    assert window.stack.currentWidget() is window.find_page
    assert window.find_page is not None and window.find_page.current is not None
    assert window.find_page.current.account.capital_account == "30000004"
    assert "already standardized and on depository" in window.find_page.route.text()
