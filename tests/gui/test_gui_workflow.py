"""A case driven through all five posts by a clerk and an auditor, as they would."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QWidget
from sqlalchemy import select

from counter_app.db.engine import Database
from counter_app.db.models import CapitalAccount, RestrictionRecord
from counter_app.domain.codes import AccountClass, CaseState, DepositoryStatus
from counter_app.gui import pdf_view
from counter_app.gui.document_dialog import DocumentDialog
from counter_app.services.cases import find_case_by_no, find_open_case
from counter_app.services.lookup import find_accounts
from tests.gui.conftest import (
    CARD,
    Branch,
    answer_modal,
    ctrl,
    open_window,
    scan,
    settle,
    type_in,
)


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path]:
    """The print dialog answered with "print to a PDF file"; the files printed."""
    files: list[Path] = []

    def ask_printer(parent: QWidget | None, title: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        path = tmp_path / f"printed-{len(files)}.pdf"
        printer.setOutputFileName(str(path))
        files.append(path)
        return printer

    monkeypatch.setattr(pdf_view, "ask_printer", ask_printer)
    return files


def print_and_close(qtbot, title: str, pages: int):  # type: ignore[no-untyped-def]
    """Answer the document's window: wait for the preview, Print, then Close."""

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, DocumentDialog)
        assert dialog.windowTitle().startswith(title)
        qtbot.waitUntil(lambda: dialog.preview.page_count() >= pages)
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.printed >= pages, timeout=30_000)
        dialog.accept()

    return act


def account_class(db: Database, capital_account: str) -> AccountClass:
    with db.read() as session:
        return find_accounts(session, capital_account)[0].account_class


def test_case_through_all_five_posts(
    qtbot, branch: Branch, printed: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = branch.db
    with db.write() as session:  # an earlier batch restricted this unqualified account
        account_id = session.execute(
            select(CapitalAccount.id).where(CapitalAccount.account_no == "30000001")
        ).scalar_one()
        session.add(
            RestrictionRecord(
                capital_account_id=account_id,
                restriction="NO_BUY",
                batch_no="R2026-01",
                applied_by="admin",
                applied_at=datetime(2026, 4, 1, 9, 0),
                apply_reason="资料不合格，限制买入",
            )
        )
    window = open_window(qtbot, db, branch.clerk)

    # -- diversion: the clerk types the capital account and opens a case -------------------
    type_in(qtbot, window.search, "30000001", enter=True)
    settle(qtbot)
    find = window.find_page
    assert find is not None
    details = find.details.toPlainText()
    assert "Unqualified: data incomplete or wrong" in details
    assert "Phone number not valid" in details
    assert "Not signed" in details
    assert "No buying (R2026-01, 2026-04-01): 资料不合格，限制买入 — active" in details
    assert not find.lift_button.isVisible()  # not while the account is unqualified
    assert find.route.text() == "A new case goes to: Data filling"
    qtbot.mouseClick(find.open_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    opened = find_open_case(db, "30000001")
    assert opened is not None and opened.state is CaseState.DATA_FILLING
    assert f"Case {opened.case_no} opened and sent to Data filling." == find.status.text()

    # -- data filling: Ctrl+2, Ctrl+N, fix the phone, Ctrl+S, Ctrl+Enter -------------------
    ctrl(qtbot, window.search, Qt.Key.Key_2)
    settle(qtbot)
    filling = window.post_pages[CaseState.DATA_FILLING]
    assert window.stack.currentWidget() is filling
    assert filling.queue.model.rowCount() == 1
    ctrl(qtbot, filling.queue.table, Qt.Key.Key_N)
    settle(qtbot)
    editor = filling.editor
    assert editor.case is not None and editor.case.id == opened.id
    phone = editor.fields["phone"]
    assert phone.old.text() == "12345"
    assert "not a valid mainland number" in phone.message.text()
    phone.editor.setFocus()
    phone.editor.selectAll()
    qtbot.keyClicks(phone.editor, "139 1234 5678")
    assert phone.message.text() == "✓"
    assert not editor.forward_button.isEnabled()  # unsaved changes
    ctrl(qtbot, phone.editor, Qt.Key.Key_S)
    settle(qtbot)
    assert "Cleared: Phone number not valid" in editor.result.text()
    assert editor.forward_button.isEnabled()
    answer_modal(print_and_close(qtbot, "Data change form", pages=1))
    ctrl(qtbot, phone.editor, Qt.Key.Key_P)  # the data change form, for the customer to sign
    settle(qtbot)
    assert len(printed) == 1 and printed[0].stat().st_size > 5_000
    ctrl(qtbot, phone.editor, Qt.Key.Key_Return)
    settle(qtbot)
    case = find_case_by_no(db, opened.case_no)
    assert case is not None and case.state is CaseState.SIGNING
    assert case.account_class is AccountClass.QUALIFIED_NOT_DEPOSITED
    assert editor.case is None  # let go of it: it is at another post now

    # -- signing: the case number is scanned anywhere; it opens at signing, claimed -------
    scan(qtbot, filling.queue.table, opened.case_no)
    settle(qtbot)
    signing = window.post_pages[CaseState.SIGNING]
    assert window.stack.currentWidget() is signing
    assert signing.editor.case is not None and signing.editor.case.id == opened.id
    assert window.search.text() == opened.case_no
    claimed = find_case_by_no(db, opened.case_no)
    assert claimed is not None and claimed.claimed_by == "clerk"
    sign_editor = signing.editor
    sign_editor.bank.setCurrentIndex(sign_editor.bank.findData("ICBC"))
    type_in(qtbot, sign_editor.account, "6222 0212 3456 7890 127")  # a mistyped last digit
    assert "check digit is wrong" in sign_editor.account_message.text()
    assert not sign_editor.sign_button.isEnabled()
    qtbot.keyClick(sign_editor.account, Qt.Key.Key_Backspace)
    type_in(qtbot, sign_editor.account, "8")
    assert sign_editor.account_message.text() == "✓"
    qtbot.waitUntil(lambda: sign_editor.preview.page_count() >= 3, timeout=15_000)
    answer_modal(print_and_close(qtbot, "Agreement TA", pages=3))  # three copies
    qtbot.mouseClick(sign_editor.sign_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert len(printed) == 2 and printed[1].stat().st_size > 10_000
    case = find_case_by_no(db, opened.case_no)
    assert case is not None and case.state is CaseState.AUDIT
    assert case.depository_status is DepositoryStatus.SIGNED
    assert case.bank_code == "ICBC" and case.bank_account == CARD
    assert case.agreement_no is not None
    assert signing.status.text() == (
        f"Agreement {case.agreement_no} recorded; case {case.case_no} went to audit."
    )
    window.close()

    # -- audit: another person checks and approves ------------------------------------------
    audit_window = open_window(qtbot, db, branch.auditor)
    assert [p.key for p in audit_window.pages] == ["find", "AUDIT"]
    audit_window.show_page("AUDIT")
    settle(qtbot)
    audit = audit_window.post_pages[CaseState.AUDIT]
    qtbot.mouseClick(audit.queue.next_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    audit_editor = audit.editor
    assert audit_editor.case is not None and audit_editor.case.id == opened.id
    changes = audit_editor.changes
    assert changes.rowCount() == 1
    assert audit_editor.tabs.tabText(0) == "Data before and after (1)"
    assert audit_editor.tabs.currentIndex() == 0
    assert [changes.item(0, c).text() for c in range(3)] == ["Phone", "12345", "139 1234 5678"]
    assert audit_editor.history.rowCount() == 4  # opened, saved, forwarded, signed
    assert audit_editor.agreement.page_count() >= 3
    qtbot.mouseClick(audit_editor.approve_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    case = find_case_by_no(db, opened.case_no)
    assert case is not None and case.state is CaseState.BANK_POSTING
    audit_window.close()

    # -- bank posting: export the ICBC batch, import the bank's answer --------------------
    window = open_window(qtbot, db, branch.clerk)
    assert [p.key for p in window.pages] == ["find", "DATA_FILLING", "SIGNING", "BANK_POSTING"]
    ctrl(qtbot, window.search, Qt.Key.Key_4)
    settle(qtbot)
    posting = window.bank_page
    assert posting is not None and window.stack.currentWidget() is posting
    assert posting.selected_bank() == "ICBC"
    assert posting.bank_model.rows == [("ICBC", 1, 0)]
    batch = branch.tmp / "ICBC-batch.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(batch), ""))
    qtbot.mouseClick(posting.export_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert "30000001" in batch.read_text(encoding="utf-8-sig")
    assert posting.bank_model.rows == [("ICBC", 0, 1)]
    response = branch.tmp / "ICBC-response.csv"
    response.write_text(f"30000001,{CARD},OK,\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(response), ""))
    qtbot.mouseClick(posting.import_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert "1 confirmed" in posting.status.text()
    case = find_case_by_no(db, opened.case_no)
    assert case is not None and case.state is CaseState.DONE
    assert case.depository_status is DepositoryStatus.ACTIVE
    assert account_class(db, "30000001") is AccountClass.QUALIFIED_DEPOSITED
    assert posting.bank_model.rows == []

    # -- the account is standardized: its restriction is lifted, with a reason -----------
    type_in(qtbot, window.search, "30000001", enter=True)
    settle(qtbot)
    find = window.find_page
    assert find is not None
    assert find.lift_button.isVisible()

    def give_reason(dialog: QWidget) -> None:
        type_in(qtbot, dialog.text, "案件已办结，账户已规范")  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    answer_modal(give_reason)
    qtbot.mouseClick(find.lift_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert find.status.text() == "1 restriction(s) lifted."
    assert "lifted" in find.details.toPlainText()
    assert not find.lift_button.isVisible()
    with db.read() as session:
        record = session.execute(select(RestrictionRecord)).scalar_one()
        assert record.lifted_by == "clerk" and record.lift_reason == "案件已办结，账户已规范"
