"""A case from diversion to DONE, and the direct-to-signing, dormant and on-depository routes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from counter_app.db.engine import Database
from counter_app.db.models import Agreement, CapitalAccount, RestrictionRecord
from counter_app.domain.codes import (
    AccountClass,
    CaseState,
    DepositoryStatus,
    Reason,
    Restriction,
    StepKind,
)
from counter_app.services import cases
from counter_app.services.audit import verify_chain
from tests.cases_support import (
    A_DATA,
    B_CLEAN,
    E_DORMANT,
    F_DORMANT_DATA,
    G_DUP,
    H_DUP,
    ID_A,
    ID_NEW,
    J_ACTIVE_DATA,
    Staff,
    account,
    at,
    audit_actions,
    audit_entries,
    card,
    load_accounts,
    make_staff,
    ric,
    wrong_check,
)


@pytest.fixture
def staff(db: Database) -> Staff:
    load_accounts(db)
    return make_staff(db)


def _restrict(db: Database, account_no: str) -> int:
    with db.write() as session:
        acc = session.execute(
            select(CapitalAccount).where(CapitalAccount.account_no == account_no)
        ).scalar_one()
        record = RestrictionRecord(
            capital_account_id=acc.id,
            restriction=Restriction.NO_BUY.value,
            batch_no="R2025-01",
            applied_by="backoffice",
            applied_at=at(-600),
            apply_reason="unqualified at the base date",
        )
        session.add(record)
        session.flush()
        return record.id


def test_case_from_diversion_to_done(db: Database, staff: Staff, tmp_path: Path) -> None:
    clerk, auditor, poster = staff.clerk, staff.auditor, staff.poster
    restriction_id = _restrict(db, A_DATA)

    # diversion: the overview shows what is wrong and where the case will go
    seen = cases.overview(db, clerk, A_DATA)
    assert seen.account.account_class is AccountClass.UNQUALIFIED_DATA
    assert seen.account.reasons == [Reason.ID_INVALID, Reason.PHONE_MISSING]
    assert seen.route is CaseState.DATA_FILLING and seen.refusal is None
    assert [r.id for r in seen.restrictions] == [restriction_id]
    assert seen.open_case is None

    case = cases.open_case(db, clerk, A_DATA, now=at(0))
    assert re.fullmatch(r"C20250701\d{6}", case.case_no)
    assert case.state is CaseState.DATA_FILLING
    assert case.claimed_by is None
    assert [(s.from_state, s.to_state, s.kind) for s in case.steps] == [
        (CaseState.DIVERSION, CaseState.DATA_FILLING, StepKind.OPEN)
    ]
    assert "ID_INVALID" in case.steps[0].note
    assert audit_actions(db, "case", case.case_no) == ["case.open"]
    assert cases.find_open_case(db, A_DATA) is not None
    assert cases.find_case_by_no(db, case.case_no.lower()) is not None

    # data filling
    claimed = cases.claim(db, clerk, case.id, now=at(1))
    assert claimed.claimed_by == "clerk" and claimed.claimed_by_name == "张三"
    form, customer_version, _account_version = cases.form_of(db, clerk, case.id)
    messages = cases.validate_form(form, cases.screening_base_date(db))
    expected_char = ric(ID_A)[-1]
    assert messages["id_number"][1] == (
        f"the check character of this ID number should be {expected_char}"
    )
    assert messages["id_number"][0] == f"该身份证号码的校验码应为 {expected_char}"
    assert set(messages) == {"id_number", "phone"}

    form.id_number = ric(ID_A).lower()  # clerks type a lower-case x too
    form.phone = "139 0731 2345"
    holder_id = "securities.A100000001.holder_id_number"
    # the securities account still carries the old number: live validation says so
    assert set(cases.validate_form(form, cases.screening_base_date(db))) == {holder_id}
    form.securities[0].holder_id_number = ric(ID_A)
    assert cases.validate_form(form, cases.screening_base_date(db)) == {}
    result = cases.save_data(db, clerk, case.id, form, customer_version, now=at(5))
    assert result.before_reasons == [Reason.ID_INVALID, Reason.PHONE_MISSING]
    assert result.after_reasons == []
    assert result.account_class is AccountClass.QUALIFIED_NOT_DEPOSITED
    assert result.clean
    assert result.changes == [
        cases.FieldChange("id_number", wrong_check(ID_A), ric(ID_A)),
        cases.FieldChange("phone", "", "139 0731 2345"),
        cases.FieldChange(holder_id, wrong_check(ID_A), ric(ID_A)),
    ]
    assert result.customer_version == customer_version + 1
    acc = account(db, A_DATA)
    assert acc.customer.id_number == ric(ID_A)
    assert acc.customer.phone_norm == "13907312345"
    assert acc.securities[0].holder_id_number == ric(ID_A)
    assert acc.account_class == AccountClass.QUALIFIED_NOT_DEPOSITED.value
    ((_, key, entry),) = audit_entries(db, "customer.update")
    assert key == A_DATA and entry["case_no"] == case.case_no
    assert entry["class"] == "QUALIFIED_NOT_DEPOSITED"

    forwarded = cases.forward_to_signing(db, clerk, case.id, now=at(6))
    assert forwarded.state is CaseState.SIGNING
    assert forwarded.claimed_by is None  # the next post claims it

    # signing
    cases.claim(db, clerk, case.id, now=at(7))
    bank_account = card()
    signed, agreement_no = cases.sign(db, clerk, case.id, "icbc", bank_account, now=at(8))
    assert signed.state is CaseState.AUDIT
    assert signed.depository_status is DepositoryStatus.SIGNED
    assert signed.agreement_no == agreement_no
    assert re.fullmatch(r"TA20250701\d{6}", agreement_no)
    acc = account(db, A_DATA)
    assert (acc.bank_code, acc.bank_account) == ("ICBC", bank_account)
    with db.read() as session:
        agreement = session.execute(select(Agreement)).scalar_one()
        assert (agreement.case_id, agreement.printed_by) == (case.id, "clerk")

    # audit
    audited = cases.claim_next(db, auditor, CaseState.AUDIT, now=at(10))
    assert audited is not None and audited.id == case.id
    approved = cases.approve(db, auditor, case.id, now=at(11))
    assert approved.state is CaseState.BANK_POSTING

    # bank posting
    batches = cases.bank_batches(db, poster)
    assert list(batches) == ["ICBC"]
    assert [v.case_no for v in batches["ICBC"]] == [case.case_no]
    batch_file = tmp_path / "icbc.csv"
    assert cases.export_bank_batch(db, poster, "ICBC", batch_file, now=at(20)) == 1
    lines = batch_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "capital_account,customer_name,id_type,id_number,bank_account,agreement_no"
    assert lines[1] == f"{A_DATA},苏红,RIC,{ric(ID_A)},{bank_account},{agreement_no}"
    assert account(db, A_DATA).depository_status == DepositoryStatus.PENDING_BANK.value
    assert cases.export_bank_batch(db, poster, "ICBC", tmp_path / "again.csv") == 0
    assert not (tmp_path / "again.csv").exists()

    response = tmp_path / "icbc-response.csv"
    response.write_text(f"{A_DATA},{bank_account},OK,\n", encoding="utf-8")
    summary = cases.import_bank_response(db, poster, response, now=at(60))
    assert summary.confirmed == [A_DATA] and summary.failed == [] and summary.unknown == []

    done = cases.get_case(db, poster, case.id)
    assert done.state is CaseState.DONE
    assert done.closed_at == at(60)
    assert done.account_class is AccountClass.QUALIFIED_DEPOSITED
    assert done.depository_status is DepositoryStatus.ACTIVE
    assert [s.kind for s in done.steps] == [
        StepKind.OPEN,
        StepKind.SAVE,
        StepKind.FORWARD,
        StepKind.FORWARD,
        StepKind.FORWARD,
        StepKind.BANK_EXPORT,
        StepKind.BANK_CONFIRM,
    ]
    assert [s.actor for s in done.steps] == [
        "clerk",
        "clerk",
        "clerk",
        "clerk",
        "auditor",
        "poster",
        "poster",
    ]
    assert done.steps[-1].to_state is CaseState.DONE
    assert audit_actions(db, "case", case.case_no) == [
        "case.open",
        "case.claim",
        "case.forward",
        "case.claim",
        "case.sign",
        "case.claim",
        "case.approve",
        "case.bank_confirm",
    ]
    assert audit_actions(db, "capital_account", A_DATA) == [
        "customer.update",
        "agreement.print",
        "account.depository",
        "account.depository",
        "account.depository",
    ]
    depository_moves = [
        e["depository_status"] for _, k, e in audit_entries(db, "account.depository") if k == A_DATA
    ]
    assert depository_moves == ["SIGNED", "PENDING_BANK", "ACTIVE"]

    # lifting its restrictions is proposed
    assert done.lift_proposed
    assert [r.id for r in done.restrictions_to_lift] == [restriction_id]
    lifted = cases.lift_restriction(db, poster, restriction_id, "standardized", now=at(61))
    assert not lifted.active and lifted.lifted_by == "poster"
    assert not cases.get_case(db, poster, case.id).lift_proposed

    with db.read() as session:
        checked, broken = verify_chain(session)
    assert broken is None and checked > 20


def test_straight_to_signing_when_only_the_agreement_is_missing(db: Database, staff: Staff) -> None:
    seen = cases.overview(db, staff.clerk, B_CLEAN)
    assert seen.route is CaseState.SIGNING
    case = cases.open_case(db, staff.clerk, B_CLEAN, now=at(0))
    assert case.state is CaseState.SIGNING
    assert case.steps[0].note == "only the agreement is missing"
    assert cases.queue(db, staff.clerk, CaseState.SIGNING)[0].id == case.id
    assert cases.queue(db, staff.clerk, CaseState.DATA_FILLING) == []


def test_dormant_accounts_are_standardized_then_flagged_for_activation(
    db: Database, staff: Staff, tmp_path: Path
) -> None:
    clean = cases.open_case(db, staff.clerk, E_DORMANT, now=at(0))
    assert clean.account_class is AccountClass.DORMANT_SMALL
    assert clean.state is CaseState.SIGNING
    with_data = cases.open_case(db, staff.clerk, F_DORMANT_DATA, now=at(0))
    assert with_data.state is CaseState.DATA_FILLING

    cases.claim(db, staff.clerk, clean.id)
    cases.sign(db, staff.clerk, clean.id, "BOC", card("621700000000000055"))
    cases.claim(db, staff.auditor, clean.id)
    cases.approve(db, staff.auditor, clean.id)
    done = cases.confirm_manually(db, staff.poster, clean.id, "bank confirmed by phone")
    assert done.state is CaseState.DONE
    assert done.depository_status is DepositoryStatus.ACTIVE
    # dormant stays dormant until activated through CSDC: the view says so
    assert done.account_class is AccountClass.DORMANT_SMALL
    assert done.activation_proposed
    assert done.steps[-1].kind is StepKind.MANUAL_CONFIRM
    assert done.steps[-1].note == "bank confirmed by phone"
    with pytest.raises(cases.Refused, match="activating through CSDC"):
        cases.open_case(db, staff.clerk, E_DORMANT)


def test_account_already_on_depository_skips_signing_and_posting(
    db: Database, staff: Staff
) -> None:
    case = cases.open_case(db, staff.clerk, J_ACTIVE_DATA, now=at(0))
    assert case.state is CaseState.DATA_FILLING
    cases.claim(db, staff.clerk, case.id)
    form, version, _ = cases.form_of(db, staff.clerk, case.id)
    form.phone = "0731-88886666"
    result = cases.save_data(db, staff.clerk, case.id, form, version)
    assert result.account_class is AccountClass.QUALIFIED_DEPOSITED
    moved = cases.forward_to_signing(db, staff.clerk, case.id)
    assert moved.state is CaseState.AUDIT
    assert moved.steps[-1].note == "agreement already in force: signing skipped"
    cases.claim(db, staff.auditor, case.id)
    done = cases.approve(db, staff.auditor, case.id)
    assert done.state is CaseState.DONE
    assert done.depository_status is DepositoryStatus.ACTIVE


def test_changing_the_id_rejudges_the_duplicate_partner(db: Database, staff: Staff) -> None:
    assert Reason.DUPLICATE_ID.value in account(db, H_DUP).reasons
    case = cases.open_case(db, staff.clerk, G_DUP, now=at(0))
    assert case.state is CaseState.DATA_FILLING
    assert case.reasons == [Reason.DUPLICATE_ID]
    cases.claim(db, staff.clerk, case.id)
    form, version, _ = cases.form_of(db, staff.clerk, case.id)
    form.id_number = ric(ID_NEW)
    result = cases.save_data(db, staff.clerk, case.id, form, version, now=at(3))
    assert result.after_reasons == []
    assert result.partners_rejudged == [H_DUP]
    partner = account(db, H_DUP)
    assert partner.reasons == ""
    assert partner.account_class == AccountClass.QUALIFIED_NOT_DEPOSITED.value
    ((actor, key, after),) = audit_entries(db, "account.reclassify")[-1:]
    assert (actor, key, after["class"]) == ("clerk", H_DUP, "QUALIFIED_NOT_DEPOSITED")


def test_case_changes_show_before_and_after(db: Database, staff: Staff) -> None:
    case = cases.open_case(db, staff.clerk, A_DATA, now=at(0))
    cases.claim(db, staff.clerk, case.id)
    form, version, _ = cases.form_of(db, staff.clerk, case.id)
    form.phone = "13907312345"
    cases.save_data(db, staff.clerk, case.id, form, version, now=at(2))
    changes = cases.case_changes(db, staff.auditor, case.id)
    assert [(c.field, c.old, c.new, c.actor, c.actor_name) for c in changes] == [
        ("phone", "", "13907312345", "clerk", "张三")
    ]
