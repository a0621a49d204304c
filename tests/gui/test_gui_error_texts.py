"""Refusals from the core reach a Chinese screen in Chinese (and an English one in English)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from counter_app.domain.codes import CaseState, Role
from counter_app.errors import Refused
from counter_app.gui import errors, i18n
from counter_app.services import cases
from counter_app.services.settings import AUDITOR_NOT_FILLER, set_setting
from counter_app.services.users import add_user
from tests.gui.conftest import PASSWORD, Branch, open_window, settle


def _refusal_of_a_held_case(branch: Branch) -> Refused:
    """What the core says when a second clerk tries to claim a case the clerk holds."""
    other = add_user(branch.db, branch.admin, "lisi", "李四", PASSWORD, [Role.DATA_FILLING])
    case = cases.open_case(branch.db, branch.clerk, "30000001")
    cases.claim(branch.db, branch.clerk, case.id)
    with pytest.raises(Refused) as caught:
        cases.claim(branch.db, other, case.id)
    return caught.value


def test_a_refusal_box_on_a_chinese_screen_is_in_chinese(branch: Branch, shown) -> None:
    refusal = _refusal_of_a_held_case(branch)
    i18n.set_language(i18n.ZH, remember=False)
    errors.show_error(None, refusal)
    [text] = shown.texts(errors.USER)
    clerk = branch.clerk
    assert text.startswith("案件 ") and "已由" in text and text.endswith("领取")
    assert f"{clerk.display_name} ({clerk.username})" in text
    assert "held by" not in text  # no English left in it


def test_the_same_refusal_on_an_english_screen_stays_english(branch: Branch, shown) -> None:
    refusal = _refusal_of_a_held_case(branch)
    errors.show_error(None, refusal)
    assert shown.texts(errors.USER) == [str(refusal)]
    assert " is held by " in str(refusal)


def test_the_audit_page_refuses_in_chinese(qtbot, branch: Branch, shown) -> None:
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

    i18n.set_language(i18n.ZH, remember=False)
    window = open_window(qtbot, db, both)
    window.show_page("AUDIT")
    settle(qtbot)
    audit = window.post_pages[CaseState.AUDIT]
    assert audit.queue.select_case(case.id)
    qtbot.mouseClick(audit.queue.take_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert audit.editor.case is None
    status = audit.status.text()
    assert f"两岗 (both) 办理过案件 {case.case_no} 的资料录入" in status
    assert "审核须由另一人进行" in status and AUDITOR_NOT_FILLER in status
    assert "the auditor must be another person" not in status
