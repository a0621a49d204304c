"""What the counter refuses, rejections and their return, the auditor-is-maker rule,
and every role against every post."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.db.engine import Database
from counter_app.domain.codes import CaseState, DepositoryStatus, Role, StepKind
from counter_app.errors import NotFound, Refused, UserError
from counter_app.services import cases
from counter_app.services.settings import AUDITOR_NOT_FILLER, AUDITOR_NOT_SIGNER, set_setting
from counter_app.services.users import UserView, add_user, can, can_view, set_roles
from tests.cases_support import (
    A_DATA,
    B_CLEAN,
    C_DEPOSITED,
    D_FLAGGED,
    ID_A,
    K_CLEAN,
    L_CLEAN,
    M_CLEAN,
    PASSWORD,
    Staff,
    account,
    at,
    card,
    count_audit,
    count_steps,
    load_accounts,
    make_staff,
    ric,
)


@pytest.fixture
def staff(db: Database) -> Staff:
    load_accounts(db)
    return make_staff(db)


def _to_audit(db: Database, staff: Staff, account_no: str, signer: UserView | None = None) -> int:
    signer = signer or staff.clerk
    case = cases.open_case(db, signer, account_no, now=at(0))
    assert case.state is CaseState.SIGNING
    cases.claim(db, signer, case.id)
    cases.sign(db, signer, case.id, "CCB", card(), now=at(2))
    return case.id


# --- opening --------------------------------------------------------------------------


def test_open_refusals_say_why(db: Database, staff: Staff) -> None:
    clerk = staff.clerk
    with pytest.raises(Refused, match="already standardized and on depository"):
        cases.open_case(db, clerk, C_DEPOSITED)
    with pytest.raises(Refused, match=r"flagged unqualified by a person \(MANUAL_AGENCY_IMPROPER"):
        cases.open_case(db, clerk, D_FLAGGED)
    seen = cases.overview(db, clerk, D_FLAGGED)
    assert seen.route is None and seen.refusal is not None and "clear" in seen.refusal
    assert seen.flags[0].reason == "AGENCY_IMPROPER"
    with pytest.raises(NotFound):
        cases.open_case(db, clerk, "99999999")

    first = cases.open_case(db, clerk, B_CLEAN, now=at(0))
    with pytest.raises(
        Refused, match=rf"case {first.case_no} is already open .* \(SIGNING\), not claimed"
    ):
        cases.open_case(db, staff.clerk2, B_CLEAN)
    cases.claim(db, clerk, first.id, now=at(1))
    with pytest.raises(Refused, match=r"held by 张三 \(clerk\) since 2025-07-01 09:01"):
        cases.open_case(db, staff.clerk2, B_CLEAN)
    # once cancelled, a new case may be opened
    cases.cancel(db, clerk, first.id, "customer left")
    assert cases.open_case(db, staff.clerk2, B_CLEAN).state is CaseState.SIGNING


def test_refusals_write_nothing(db: Database, staff: Staff) -> None:
    before = (count_audit(db), count_steps(db))
    for attempt in (
        lambda: cases.open_case(db, staff.clerk, C_DEPOSITED),
        lambda: cases.open_case(db, staff.auditor, B_CLEAN),
    ):
        with pytest.raises(Refused):
            attempt()
    assert (count_audit(db), count_steps(db)) == before


def test_forward_refused_while_reasons_remain(db: Database, staff: Staff) -> None:
    case = cases.open_case(db, staff.clerk, A_DATA, now=at(0))
    with pytest.raises(Refused, match="claim it from the queue first"):
        cases.forward_to_signing(db, staff.clerk, case.id)
    cases.claim(db, staff.clerk, case.id)
    with pytest.raises(Refused, match=r"still has reasons to fix: ID_INVALID .*PHONE_MISSING"):
        cases.forward_to_signing(db, staff.clerk, case.id)
    form, version, _ = cases.form_of(db, staff.clerk, case.id)
    form.phone = "13907312345"  # the ID is still wrong
    result = cases.save_data(db, staff.clerk, case.id, form, version)
    assert not result.clean
    with pytest.raises(Refused, match="ID_INVALID"):
        cases.forward_to_signing(db, staff.clerk, case.id)
    # signing needs the case at SIGNING
    with pytest.raises(Refused, match=r"at Data filling \(DATA_FILLING\), not at Signing \("):
        cases.sign(db, staff.clerk, case.id, "ICBC", card())


def test_sign_checks_the_bank_account_and_bank(db: Database, staff: Staff) -> None:
    case = cases.open_case(db, staff.clerk, B_CLEAN, now=at(0))
    cases.claim(db, staff.clerk, case.id)
    bad_luhn = card()[:-1] + str((int(card()[-1]) + 1) % 10)
    with pytest.raises(UserError, match="Luhn"):
        cases.sign(db, staff.clerk, case.id, "ICBC", bad_luhn)
    with pytest.raises(UserError, match="12 to 19 digits"):
        cases.sign(db, staff.clerk, case.id, "ICBC", "12345")
    with pytest.raises(NotFound, match="NOBANK"):
        cases.sign(db, staff.clerk, case.id, "nobank", card())
    assert account(db, B_CLEAN).depository_status == DepositoryStatus.NONE.value
    # a passbook-style account number (not a 62 card) is only checked for digits/length
    view, _ = cases.sign(db, staff.clerk, case.id, "ICBC", "1901 0000 1234 5678")
    assert view.bank_account == "1901000012345678"


def test_signing_can_send_back_to_data_filling(db: Database, staff: Staff) -> None:
    case = cases.open_case(db, staff.clerk, B_CLEAN, now=at(0))
    cases.claim(db, staff.clerk, case.id)
    with pytest.raises(UserError, match="note"):
        cases.return_to_data_filling(db, staff.clerk, case.id, " ")
    back = cases.return_to_data_filling(db, staff.clerk, case.id, "address proof differs")
    assert back.state is CaseState.DATA_FILLING
    assert back.steps[-1].kind is StepKind.RETURN


# --- audit: rejection and the maker rule -----------------------------------------------


def test_rejection_goes_back_to_the_post_that_must_fix_it(db: Database, staff: Staff) -> None:
    case_id = _to_audit(db, staff, B_CLEAN)
    auditor = staff.auditor
    cases.claim(db, auditor, case_id)
    with pytest.raises(UserError, match="unknown rejection reason"):
        cases.reject(db, auditor, case_id, ["NOPE"])
    with pytest.raises(UserError, match=r"\(OTHER\) needs a note"):
        cases.reject(db, auditor, case_id, ["OTHER"])
    with pytest.raises(UserError, match="at least one reason"):
        cases.reject(db, auditor, case_id, [])

    back = cases.reject(db, auditor, case_id, ["BANK_ACCOUNT_WRONG"], "digit missing", now=at(5))
    assert back.state is CaseState.SIGNING
    assert back.claimed_by is None
    assert back.depository_status is DepositoryStatus.NONE  # the agreement is void
    step = back.steps[-1]
    assert (step.kind, step.reasons, step.note, step.actor) == (
        StepKind.REJECT,
        ["BANK_ACCOUNT_WRONG"],
        "digit missing",
        "auditor",
    )

    # re-signed, rejected again, this time for the data: back to data filling
    cases.claim(db, staff.clerk, case_id)
    _, second_agreement = cases.sign(db, staff.clerk, case_id, "CCB", card("621700000000000077"))
    cases.claim(db, auditor, case_id)
    again = cases.reject(db, auditor, case_id, ["SIGNATURE_MISSING", "DATA_MISMATCH"], "")
    assert again.state is CaseState.DATA_FILLING
    assert again.agreement_no == second_agreement
    kinds = [s.kind for s in again.steps]
    # nothing is deleted: both rejections stay in the history
    assert kinds.count(StepKind.REJECT) == 2
    assert kinds == [
        StepKind.OPEN,
        StepKind.FORWARD,
        StepKind.REJECT,
        StepKind.FORWARD,
        StepKind.REJECT,
    ]
    assert (
        cases.rejection_target([cases.RejectionReason.SIGNATURE_MISSING], on_depository=True)
        is CaseState.DATA_FILLING
    )


@pytest.mark.parametrize(
    ("setting", "did"),
    [(AUDITOR_NOT_SIGNER, "signed"), (AUDITOR_NOT_FILLER, "filled in the data of")],
)
def test_auditor_may_not_be_the_maker_when_the_setting_is_on(
    db: Database, staff: Staff, setting: str, did: str
) -> None:
    both = add_user(
        db,
        staff.admin,
        "both",
        "孙八",
        PASSWORD,
        [Role.DIVERSION, Role.DATA_FILLING, Role.SIGNING, Role.AUDIT],
    )
    case = cases.open_case(db, both, A_DATA, now=at(0))
    cases.claim(db, both, case.id)
    form, version, _ = cases.form_of(db, both, case.id)
    form.phone = "13907312345"
    form.id_number = ric(ID_A)
    form.securities[0].holder_id_number = ric(ID_A)
    cases.save_data(db, both, case.id, form, version)
    cases.forward_to_signing(db, both, case.id)
    cases.claim(db, both, case.id)
    cases.sign(db, both, case.id, "ICBC", card())

    # off by default: the maker may audit
    cases.claim(db, both, case.id)
    cases.release(db, both, case.id)

    with db.write() as session:
        set_setting(session, setting, "1")
    with pytest.raises(Refused, match=rf"孙八 \(both\) {did} case {case.case_no}.*{setting}"):
        cases.claim(db, both, case.id)
    assert cases.claim_next(db, both, CaseState.AUDIT) is None
    # another auditor is fine; and the maker cannot approve even when holding it somehow
    assert cases.claim_next(db, staff.auditor, CaseState.AUDIT) is not None
    cases.release(db, staff.auditor, case.id)
    with db.write() as session:
        set_setting(session, setting, "0")
    cases.claim(db, both, case.id)
    with db.write() as session:
        set_setting(session, setting, "1")
    with pytest.raises(Refused, match=did):
        cases.approve(db, both, case.id)
    with pytest.raises(Refused, match=did):
        cases.reject(db, both, case.id, ["DATA_MISMATCH"])
    assert cases.get_case(db, both, case.id).state is CaseState.AUDIT


# --- cancelling -------------------------------------------------------------------------


def test_cancel_needs_a_reason_and_the_right_person(db: Database, staff: Staff) -> None:
    case_id = _to_audit(db, staff, B_CLEAN)
    assert account(db, B_CLEAN).depository_status == DepositoryStatus.SIGNED.value
    with pytest.raises(UserError, match="reason"):
        cases.cancel(db, staff.auditor, case_id, "  ")
    with pytest.raises(Refused, match=r"\(AUDIT\) role or Supervisor \(SUPERVISOR\)"):
        cases.cancel(db, staff.clerk, case_id, "wrong customer")
    cases.claim(db, staff.auditor, case_id)
    cancelled = cases.cancel(db, staff.supervisor, case_id, "customer withdrew", now=at(9))
    assert cancelled.state is CaseState.CANCELLED
    assert cancelled.cancel_reason == "customer withdrew"
    assert cancelled.closed_at == at(9)
    assert cancelled.depository_status is DepositoryStatus.NONE
    assert cancelled.steps[-1].kind is StepKind.CANCEL
    with pytest.raises(Refused, match=r"already Cancelled \(CANCELLED\)"):
        cases.cancel(db, staff.supervisor, case_id, "again")


def test_lifting_a_restriction_needs_a_qualified_account(db: Database, staff: Staff) -> None:
    from tests.test_cases_workflow import _restrict

    restriction_id = _restrict(db, A_DATA)
    with pytest.raises(Refused, match="UNQUALIFIED_DATA"):
        cases.lift_restriction(db, staff.supervisor, restriction_id, "asked")
    with pytest.raises(Refused, match=r"\(BANK_POSTING\) or Supervisor \(SUPERVISOR\)"):
        cases.lift_restriction(db, staff.clerk, restriction_id, "asked")


# --- permissions -------------------------------------------------------------------------


def test_each_role_against_each_post(db: Database, staff: Staff, tmp_path: Path) -> None:
    users = {
        role: add_user(db, staff.admin, f"only_{role.value.lower()}", role.value, PASSWORD, [role])
        for role in Role
    }
    at_post = {
        CaseState.DATA_FILLING: cases.open_case(db, staff.clerk, A_DATA).id,
        CaseState.SIGNING: cases.open_case(db, staff.clerk, K_CLEAN).id,
        CaseState.AUDIT: _to_audit(db, staff, L_CLEAN),
        CaseState.BANK_POSTING: _to_audit(db, staff, M_CLEAN),
    }
    cases.claim(db, staff.auditor, at_post[CaseState.BANK_POSTING])
    cases.approve(db, staff.auditor, at_post[CaseState.BANK_POSTING])

    outcomes: dict[tuple[Role, Role], bool] = {}
    for role, user in users.items():
        try:
            cases.open_case(db, user, B_CLEAN)
            outcomes[(role, Role.DIVERSION)] = True
        except Refused as err:
            assert "role" in str(err)
            outcomes[(role, Role.DIVERSION)] = False
        for state, case_id in at_post.items():
            post = Role(state.value)
            try:
                cases.claim(db, user, case_id)
                cases.release(db, user, case_id)
                outcomes[(role, post)] = True
            except Refused as err:
                assert f"({post.value}) role" in str(err)
                outcomes[(role, post)] = False
        for state in (CaseState.DATA_FILLING, CaseState.SIGNING, CaseState.AUDIT):
            try:
                cases.queue(db, user, state)
                seen = True
            except Refused:
                seen = False
            assert seen == (role in (Role(state.value), Role.SUPERVISOR)), (role, state)
            assert can_view(user, Role(state.value)) == seen
    expected = {
        (role, post): role is post
        for role in Role
        for post in (Role.DIVERSION, Role.DATA_FILLING, Role.SIGNING, Role.AUDIT, Role.BANK_POSTING)
    }
    assert outcomes == expected
    assert all(can(users[r], p) == ok for (r, p), ok in expected.items())

    # bank posting's own actions
    with pytest.raises(Refused, match=r"\(BANK_POSTING\) role"):
        cases.export_bank_batch(db, users[Role.SUPERVISOR], "CCB", tmp_path / "x.csv")
    assert cases.bank_batches(db, users[Role.SUPERVISOR])  # supervisors may look
    with pytest.raises(Refused):
        cases.bank_batches(db, users[Role.ADMINISTRATOR])
    assert cases.export_bank_batch(db, users[Role.BANK_POSTING], "CCB", tmp_path / "x.csv") == 1


def test_a_role_taken_away_counts_at_once(db: Database, staff: Staff) -> None:
    case = cases.open_case(db, staff.clerk, A_DATA)
    cases.claim(db, staff.clerk, case.id)
    form, version, _ = cases.form_of(db, staff.clerk, case.id)
    set_roles(db, staff.admin, "clerk", [Role.DIVERSION])
    # the GUI still holds the old UserView with DATA_FILLING in it
    assert Role.DATA_FILLING in staff.clerk.roles
    with pytest.raises(Refused, match=r"\(DATA_FILLING\) role"):
        cases.save_data(db, staff.clerk, case.id, form, version)


def test_an_account_waiting_for_the_bank_gets_no_new_case(db: Database, staff: Staff) -> None:
    from sqlalchemy import update

    from counter_app.db.models import CapitalAccount

    # as a counter export states it: sent to the bank by the counter system, no case here
    with db.write() as session:
        session.execute(
            update(CapitalAccount)
            .where(CapitalAccount.account_no == B_CLEAN)
            .values(depository_status=DepositoryStatus.PENDING_BANK.value)
        )
    with pytest.raises(Refused, match="waits for its confirmation"):
        cases.open_case(db, staff.clerk, B_CLEAN)
    assert cases.find_open_case(db, B_CLEAN) is None
