"""Refusals name states, roles and reasons in words: no raw code on a clerk's screen.

The Chinese text (``zh=``) is what a Chinese screen shows; it never carries a code such as
``DONE`` or ``SUPERVISOR``. The English text names the words and adds the code in
parentheses (the command line takes codes).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from counter_app.db.engine import Database
from counter_app.domain.codes import CaseState, FlagReason, RejectionReason, Role
from counter_app.errors import Refused, UserError
from counter_app.services import cases
from counter_app.services.flags import flag_account
from counter_app.services.users import set_roles
from tests.cases_support import B_CLEAN, D_FLAGGED, Staff, at, load_accounts, make_staff

SERVICES = Path(__file__).resolve().parent.parent / "counter_app" / "services"
ALL_CODES = {code.value for enum in (CaseState, Role, FlagReason, RejectionReason) for code in enum}
CODE_WORD = re.compile(r"[A-Z][A-Z_]{3,}")


@pytest.fixture
def staff(db: Database) -> Staff:
    load_accounts(db)
    return make_staff(db)


def assert_no_code(text: str | None) -> None:
    assert text
    found = set(CODE_WORD.findall(text)) & ALL_CODES
    assert not found, (found, text)


def test_claiming_a_closed_case_says_so_in_words(db: Database, staff: Staff) -> None:
    case = cases.open_case(db, staff.clerk, B_CLEAN, now=at(0))
    cases.cancel(db, staff.clerk, case.id, "客户改日再来", now=at(1))
    with pytest.raises(Refused) as refused:
        cases.claim(db, staff.clerk, case.id)
    assert refused.value.message_zh == f"案件 {case.case_no} 当前状态为“已撤销”：无需领取"
    assert "Cancelled (CANCELLED)" in str(refused.value)
    with pytest.raises(Refused) as again:
        cases.cancel(db, staff.clerk, case.id, "again")
    assert again.value.message_zh == f"案件 {case.case_no} 已撤销"


def test_refusals_name_posts_roles_and_reasons_in_words(db: Database, staff: Staff) -> None:
    case = cases.open_case(db, staff.clerk, B_CLEAN, now=at(0))
    texts: list[str | None] = []
    # claiming at a post without its role
    with pytest.raises(Refused) as no_role:
        cases.claim(db, staff.auditor, case.id)
    assert no_role.value.message_zh is not None and "“签约”角色" in no_role.value.message_zh
    texts.append(no_role.value.message_zh)
    # a step at the wrong post
    cases.claim(db, staff.clerk, case.id)
    with pytest.raises(Refused) as wrong_post:
        cases.forward_to_signing(db, staff.clerk, case.id)
    assert wrong_post.value.message_zh is not None
    assert "“签约”环节" in wrong_post.value.message_zh
    texts.append(wrong_post.value.message_zh)
    # the next case of something that is not a queue
    with pytest.raises(Refused) as not_queue:
        cases.claim_next(db, staff.clerk, CaseState.DONE)
    texts.append(not_queue.value.message_zh)
    # cancelling without the post's role or SUPERVISOR
    set_roles(db, staff.admin, "clerk2", [Role.DIVERSION])
    with pytest.raises(Refused) as cancel:
        cases.cancel(db, staff.clerk2, case.id, "no")
    assert cancel.value.message_zh is not None and "“主管”角色" in cancel.value.message_zh
    texts.append(cancel.value.message_zh)
    # a rejection reason that does not exist, and OTHER without a note
    with pytest.raises(UserError) as unknown:
        cases.reject(db, staff.auditor, case.id, ["NOPE"])
    texts.append(unknown.value.message_zh)
    with pytest.raises(UserError) as other:
        cases.reject(db, staff.auditor, case.id, [RejectionReason.OTHER.value])
    texts.append(other.value.message_zh)
    # flagging twice for the same reason
    with pytest.raises(Refused) as flagged:
        flag_account(db, D_FLAGGED, FlagReason.AGENCY_IMPROPER, "again", "checker")
    assert flagged.value.message_zh == f"账户 {D_FLAGGED} 已标记为“代理关系不规范”"
    assert "(AGENCY_IMPROPER)" in str(flagged.value)
    texts.append(flagged.value.message_zh)
    for text in texts:
        assert_no_code(text)


def test_no_chinese_text_in_the_services_spells_a_code() -> None:
    """A ``zh=`` never interpolates ``.value`` or a raw state, nor writes a code out."""
    bad: list[str] = []
    for path in sorted(SERVICES.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.keyword) and node.arg == "zh"):
                continue
            for part in ast.walk(node.value):
                if (
                    isinstance(part, ast.FormattedValue)
                    and isinstance(part.value, ast.Attribute)
                    and part.value.attr in ("value", "state", "reason", "role")
                ):
                    bad.append(f"{path.name}:{part.lineno}: {{…{part.value.attr}}}")
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found = set(CODE_WORD.findall(part.value)) & ALL_CODES
                    if found:
                        bad.append(f"{path.name}:{part.lineno}: {sorted(found)}")
    assert bad == []
