"""ID numbers and bank accounts on screen: masked in lists and details, full only on
purpose (audited) or inside the case being worked on (issue "shared database", 5)."""

from __future__ import annotations

import json

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from counter_app.db.engine import Database
from counter_app.db.models import AuditEntry
from counter_app.domain.codes import CaseState, Role
from counter_app.gui import i18n
from counter_app.gui.data_filling import DataFillingEditor
from counter_app.gui.diversion import DiversionPage
from counter_app.gui.main_window import MainWindow
from counter_app.gui.signing import SigningEditor
from counter_app.services import cases
from counter_app.services.users import add_user
from tests.gui.conftest import CARD, Branch, case_at_audit, ctrl, open_window, settle

FULL_ID = "110105194706121551"  # 30000001, 张三
MASKED_ID = "110105********1551"


def reveals(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        entries = list(
            session.execute(
                select(AuditEntry).where(AuditEntry.action == "data.reveal").order_by(AuditEntry.id)
            ).scalars()
        )
        session.expunge_all()  # read after the session is gone
        return entries


def find(qtbot: QtBot, window: MainWindow, query: str) -> DiversionPage:
    window.search.setFocus()
    qtbot.keyClicks(window.search, query)
    qtbot.wait(40)
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    settle(qtbot)
    page = window.find_page
    assert page is not None
    return page


def test_diversion_table_and_detail_show_masked_id(qtbot, branch: Branch) -> None:
    window = open_window(qtbot, branch.db, branch.clerk)
    page = find(qtbot, window, "30000001")
    assert page.model.data(page.model.index(0, 2)) == MASKED_ID
    details = page.details.toPlainText()
    assert MASKED_ID in details
    assert FULL_ID not in details
    assert page.reveal_button.isVisible()
    assert page.reveal_button.text() == "Show full number"
    assert reveals(branch.db) == []  # looking is not revealing


def test_reveal_shows_full_id_and_writes_one_audit_entry(qtbot, branch: Branch) -> None:
    window = open_window(qtbot, branch.db, branch.clerk)
    page = find(qtbot, window, "30000001")
    qtbot.mouseClick(page.reveal_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert FULL_ID in page.details.toPlainText()
    assert not page.reveal_button.isVisible()  # nothing more to reveal for this account
    assert page.model.data(page.model.index(0, 2)) == MASKED_ID  # the list stays masked
    entries = reveals(branch.db)
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor, entry.entity, entry.entity_key) == ("clerk", "capital_account", "30000001")
    assert json.loads(entry.after or "{}") == {"field": "id_number", "case_id": None}


def test_a_role_without_the_right_gets_no_button(qtbot, branch: Branch) -> None:
    diverter = add_user(
        branch.db, branch.admin, "diverter", "分流员", "counter-pass-1", [Role.DIVERSION]
    )
    window = open_window(qtbot, branch.db, diverter)
    page = find(qtbot, window, "30000001")
    assert MASKED_ID in page.details.toPlainText()
    assert page.reveal_button.isHidden()
    assert FULL_ID not in page.details.toPlainText()


def _cells(model: QAbstractItemModel) -> list[str]:
    return [
        str(model.data(model.index(r, c)) or "")
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    ]


def test_queue_table_shows_no_full_id(qtbot, branch: Branch) -> None:
    case = cases.open_case(branch.db, branch.clerk, "30000001")
    window = open_window(qtbot, branch.db, branch.clerk)
    ctrl(qtbot, window.search, Qt.Key.Key_2)
    settle(qtbot)
    filling = window.post_pages[CaseState.DATA_FILLING]
    cells = _cells(filling.queue.model)
    assert case.case_no in cells and "30000001" in cells  # the row is there
    assert not any(FULL_ID in cell for cell in cells)  # the ID is not, in full


def test_data_filling_form_shows_full_id_audited_once(qtbot, branch: Branch) -> None:
    case = cases.open_case(branch.db, branch.clerk, "30000001")
    window = open_window(qtbot, branch.db, branch.clerk)
    ctrl(qtbot, window.search, Qt.Key.Key_2)
    settle(qtbot)
    filling = window.post_pages[CaseState.DATA_FILLING]
    ctrl(qtbot, filling.queue.table, Qt.Key.Key_N)
    settle(qtbot)
    editor = filling.editor
    assert isinstance(editor, DataFillingEditor)
    assert editor.case is not None and editor.case.id == case.id
    id_editor = editor.fields["id_number"].editor
    assert isinstance(id_editor, QLineEdit)
    assert id_editor.text() == FULL_ID
    entries = reveals(branch.db)
    assert len(entries) == 1
    assert json.loads(entries[0].after or "{}") == {"field": "id_number", "case_id": case.id}
    editor.load_form()  # a reload within the same opening is not a new reveal
    settle(qtbot)
    assert len(reveals(branch.db)) == 1


def test_auditor_opening_a_case_audits_the_agreement_bank_account(
    qtbot: QtBot, branch: Branch
) -> None:
    case = case_at_audit(branch)
    assert case.agreement_no is not None
    window = open_window(qtbot, branch.db, branch.auditor)
    window.show_page("AUDIT")
    settle(qtbot)
    audit = window.post_pages[CaseState.AUDIT]
    qtbot.mouseClick(audit.queue.next_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert audit.editor.case is not None and audit.editor.case.id == case.id
    entries = [e for e in reveals(branch.db) if e.actor == "auditor"]
    assert [(e.entity, e.entity_key) for e in entries] == [("agreement", case.agreement_no)]
    assert json.loads(entries[0].after or "{}") == {"field": "bank_account", "case_id": case.id}


def test_bank_batches_table_shows_no_full_bank_account(qtbot: QtBot, branch: Branch) -> None:
    case = case_at_audit(branch)
    cases.claim(branch.db, branch.auditor, case.id)
    cases.approve(branch.db, branch.auditor, case.id)
    window = open_window(qtbot, branch.db, branch.clerk)
    ctrl(qtbot, window.search, Qt.Key.Key_4)
    settle(qtbot)
    posting = window.bank_page
    assert posting is not None
    cells = _cells(posting.case_model)
    assert case.case_no in cells
    assert not any(CARD in cell for cell in cells)


def test_signing_a_case_sent_back_shows_its_bank_account_audited(
    qtbot: QtBot, branch: Branch
) -> None:
    case = case_at_audit(branch)
    cases.claim(branch.db, branch.auditor, case.id)
    back = cases.reject(branch.db, branch.auditor, case.id, ["SIGNATURE_MISSING"], "no signature")
    assert back.state is CaseState.SIGNING
    window = open_window(qtbot, branch.db, branch.clerk)
    ctrl(qtbot, window.search, Qt.Key.Key_3)
    settle(qtbot)
    signing = window.post_pages[CaseState.SIGNING]
    ctrl(qtbot, signing.queue.table, Qt.Key.Key_N)
    settle(qtbot)
    editor = signing.editor
    assert isinstance(editor, SigningEditor)
    assert editor.account.text() == CARD
    entries = [e for e in reveals(branch.db) if e.actor == "clerk"]
    assert [(e.entity, e.entity_key) for e in entries] == [("capital_account", "30000002")]
    assert json.loads(entries[0].after or "{}") == {"field": "bank_account", "case_id": case.id}


def test_screenshot_diversion_masked_zh_cn(qtbot, branch: Branch) -> None:
    """Kept for the documentation: the diversion screen in Chinese with a masked ID."""
    i18n.set_language(i18n.ZH, remember=False)
    window = open_window(qtbot, branch.db, branch.clerk)
    window.resize(1280, 800)
    page = find(qtbot, window, "30000001")
    assert MASKED_ID in page.details.toPlainText()
    assert page.reveal_button.text() == "显示完整号码"
    settle(qtbot)
    shot = branch.tmp / "gui_diversion_masked_zh_CN.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 0
