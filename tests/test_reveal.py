"""Full ID numbers and bank accounts: only for the posts that need them, in the case
being worked on, and every reveal in the audit log (counter_app/services/reveal.py)."""

from __future__ import annotations

import pytest

from counter_app.db.engine import Database
from counter_app.domain.codes import Role
from counter_app.errors import NotFound, Refused
from counter_app.services import cases
from counter_app.services.reveal import FULL_VALUE_ROLES, needs_full_values, reveal_full
from tests.cases_support import (
    A_DATA,
    B_CLEAN,
    C_DEPOSITED,
    ID_A,
    Staff,
    at,
    audit_entries,
    card,
    count_audit,
    load_accounts,
    make_staff,
    wrong_check,
)


@pytest.fixture
def staff(db: Database) -> Staff:
    load_accounts(db)
    return make_staff(db)


def test_policy_by_role() -> None:
    for role in Role:
        assert needs_full_values([role]) == (role in FULL_VALUE_ROLES), role
    assert {Role.DATA_FILLING, Role.SIGNING, Role.AUDIT, Role.BANK_POSTING} == FULL_VALUE_ROLES
    assert needs_full_values(["DIVERSION", "SIGNING"])
    assert not needs_full_values([Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DIVERSION])
    assert not needs_full_values([])


def test_reveal_is_audited(db: Database, staff: Staff) -> None:
    before = count_audit(db)
    value = reveal_full(db, "clerk", "capital_account", A_DATA, "id_number", now=at(5))
    assert value == wrong_check(ID_A)
    bank = reveal_full(db, "poster", "capital_account", C_DEPOSITED, "bank_account")
    assert bank == card("621700000000000001")
    assert count_audit(db) == before + 2
    entries = audit_entries(db, "data.reveal")
    assert [(actor, key, after["field"]) for actor, key, after in entries] == [
        ("clerk", A_DATA, "id_number"),
        ("poster", C_DEPOSITED, "bank_account"),
    ]


@pytest.mark.parametrize("who", ["admin", "boss"])
def test_roles_without_the_need_are_refused_and_nothing_is_logged(
    db: Database, staff: Staff, who: str
) -> None:
    before = count_audit(db)
    with pytest.raises(Refused, match="only masked"):
        reveal_full(db, who, "capital_account", C_DEPOSITED, "id_number")
    assert count_audit(db) == before


def test_unknown_things_are_not_found(db: Database, staff: Staff) -> None:
    with pytest.raises(NotFound):
        reveal_full(db, "clerk", "capital_account", "99999999", "id_number")
    with pytest.raises(NotFound):
        reveal_full(db, "clerk", "capital_account", C_DEPOSITED, "password_hash")
    with pytest.raises(Refused):
        reveal_full(db, "nobody", "capital_account", C_DEPOSITED, "id_number")


def test_inside_a_case_only_the_clerk_holding_it(db: Database, staff: Staff) -> None:
    opened = cases.open_case(db, staff.clerk, A_DATA, now=at(1))
    cases.claim(db, staff.clerk, opened.id, now=at(2))
    value = reveal_full(db, "clerk", "capital_account", A_DATA, "id_number", case_id=opened.id)
    assert value == wrong_check(ID_A)
    (entry,) = audit_entries(db, "data.reveal")
    assert entry[2] == {"field": "id_number", "case_id": opened.id}
    with pytest.raises(Refused, match="not claimed by clerk2"):
        reveal_full(db, "clerk2", "capital_account", A_DATA, "id_number", case_id=opened.id)
    with pytest.raises(Refused, match="another account"):
        reveal_full(db, "clerk", "capital_account", B_CLEAN, "id_number", case_id=opened.id)
    assert len(audit_entries(db, "data.reveal")) == 1
