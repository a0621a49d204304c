"""Claims between clerks, stale saves, and claiming from a queue concurrently."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from counter_app.db.engine import Database
from counter_app.db.models import Case, Customer
from counter_app.domain.codes import CaseState, Role, StepKind
from counter_app.errors import Refused, StaleEdit
from counter_app.services import cases
from counter_app.services.importer import import_rows
from counter_app.services.users import UserView, add_user
from tests.cases_support import (
    A_DATA,
    B_CLEAN,
    BASE,
    CLEAN_EXTRA,
    E_DORMANT,
    PASSWORD,
    Staff,
    at,
    audit_entries,
    base_rows,
    count_audit,
    count_steps,
    load_accounts,
    make_staff,
)


@pytest.fixture
def staff(db: Database) -> Staff:
    load_accounts(db)
    return make_staff(db)


def test_a_case_is_held_by_one_clerk_and_everyone_sees_by_whom(db: Database, staff: Staff) -> None:
    case = cases.open_case(db, staff.clerk, B_CLEAN, now=at(0))
    held = cases.claim(db, staff.clerk, case.id, now=at(3))
    assert (held.claimed_by, held.claimed_by_name, held.claimed_at) == ("clerk", "张三", at(3))
    # claiming again is harmless
    assert cases.claim(db, staff.clerk, case.id, now=at(4)).claimed_at == at(3)

    with pytest.raises(Refused, match=r"held by 张三 \(clerk\) since 2025-07-01 09:03"):
        cases.claim(db, staff.clerk2, case.id)
    with pytest.raises(Refused, match="held by 张三"):
        cases.release(db, staff.clerk2, case.id)
    with pytest.raises(Refused, match="held by 张三"):
        cases.sign(db, staff.clerk2, case.id, "ICBC", "1901000012345678")
    listed = cases.queue(db, staff.supervisor, CaseState.SIGNING)
    assert [(v.id, v.claimed_by_name) for v in listed] == [(case.id, "张三")]
    assert cases.claim_next(db, staff.clerk2, CaseState.SIGNING) is None

    # a supervisor frees a case its clerk left behind (audited as forced)
    freed = cases.release(db, staff.supervisor, case.id, now=at(30))
    assert freed.claimed_by is None
    assert [a for a, _, _ in audit_entries(db, "case.release_forced")] == ["boss"]
    taken = cases.claim_next(db, staff.clerk2, CaseState.SIGNING, now=at(31))
    assert taken is not None and taken.claimed_by == "clerk2"


def test_claim_next_takes_the_oldest_unclaimed(db: Database, staff: Staff) -> None:
    ids = [
        cases.open_case(db, staff.clerk, account_no, now=at(i)).id
        for i, account_no in enumerate(CLEAN_EXTRA)
    ]
    cases.claim(db, staff.clerk, ids[0])
    got = cases.claim_next(db, staff.clerk2, CaseState.SIGNING)
    assert got is not None and got.id == ids[1]
    assert [v.id for v in cases.queue(db, staff.clerk, CaseState.SIGNING)] == ids
    with pytest.raises(Refused, match="not a queue"):
        cases.claim_next(db, staff.clerk, CaseState.DONE)


def _form_case(db: Database, staff: Staff) -> int:
    case = cases.open_case(db, staff.clerk, A_DATA, now=at(0))
    cases.claim(db, staff.clerk, case.id)
    return case.id


def test_a_stale_save_is_reported_and_nothing_is_written(db: Database, staff: Staff) -> None:
    case_id = _form_case(db, staff)
    form, version, _ = cases.form_of(db, staff.clerk, case_id)
    second_window, _, _ = cases.form_of(db, staff.clerk, case_id)

    form.phone = "13907312345"
    form.address = "长沙市天心区中山路1号5栋"
    first = cases.save_data(db, staff.clerk, case_id, form, version, now=at(5))
    assert first.customer_version == version + 1
    cases.release(db, staff.clerk, case_id)
    cases.claim(db, staff.clerk2, case_id)

    before = (count_audit(db), count_steps(db))
    second_window.phone = "18912345678"
    with pytest.raises(StaleEdit) as caught:
        cases.save_data(db, staff.clerk2, case_id, second_window, version, now=at(9))
    err = caught.value
    assert isinstance(err, cases.CustomerChanged)
    assert err.current_version == version + 1
    by_field = {f.field: f for f in err.fields}
    assert set(by_field) == {"phone", "address"}
    assert by_field["phone"].stored == "13907312345"
    assert by_field["phone"].yours == "18912345678"
    assert (by_field["phone"].changed_by, by_field["phone"].changed_by_name) == ("clerk", "张三")
    assert by_field["phone"].changed_at == at(5)
    assert "张三 (clerk)" in str(err) and "13907312345" in str(err)
    # nothing written
    assert (count_audit(db), count_steps(db)) == before
    with db.read() as session:
        customer = session.execute(select(Customer).where(Customer.name == "苏红")).scalar_one()
        assert (customer.phone, customer.version) == ("13907312345", version + 1)

    # the clerk chooses: save again on the version now stored
    second_window.address = form.address
    again = cases.save_data(db, staff.clerk2, case_id, second_window, err.current_version)
    assert [c.field for c in again.changes] == ["phone"]


def test_an_import_meanwhile_makes_the_save_stale(db: Database, staff: Staff) -> None:
    case_id = _form_case(db, staff)
    form, version, _ = cases.form_of(db, staff.clerk, case_id)
    rows = [r for r in base_rows() if r.values["capital_account"] == A_DATA]
    rows[0].values["phone"] = "0731-84445555"
    import_rows(
        db,
        rows,
        source_name="second.csv",
        source_sha256="1" * 64,
        base_date=BASE,
        operator="importer",
        now=at(4),
    )
    form.phone = "13907312345"
    with pytest.raises(cases.CustomerChanged) as caught:
        cases.save_data(db, staff.clerk, case_id, form, version)
    (field,) = caught.value.fields
    assert (field.field, field.stored, field.changed_by) == ("phone", "0731-84445555", "importer")


def test_saving_needs_the_claim_and_the_post(db: Database, staff: Staff) -> None:
    case_id = _form_case(db, staff)
    form, version, _ = cases.form_of(db, staff.clerk, case_id)
    with pytest.raises(Refused, match="held by 张三"):
        cases.save_data(db, staff.clerk2, case_id, form, version)
    with pytest.raises(Refused, match=r"\(DATA_FILLING\) role"):
        cases.save_data(db, staff.auditor, case_id, form, version)
    form.securities[0].account_no = "A999999999"
    with pytest.raises(cases.UserError, match="not linked"):
        cases.save_data(db, staff.clerk, case_id, form, version)


def test_a_save_without_changes_writes_no_step(db: Database, staff: Staff) -> None:
    case_id = _form_case(db, staff)
    form, version, _ = cases.form_of(db, staff.clerk, case_id)
    before = count_steps(db)
    result = cases.save_data(db, staff.clerk, case_id, form, version)
    assert result.changes == [] and result.customer_version == version
    assert count_steps(db) == before
    assert StepKind.SAVE not in [s.kind for s in cases.get_case(db, staff.clerk, case_id).steps]


def _open_many(db: Database, staff: Staff) -> list[int]:
    ids = []
    for i, account_no in enumerate([*CLEAN_EXTRA, B_CLEAN, E_DORMANT]):
        ids.append(cases.open_case(db, staff.clerk, account_no, now=at(i)).id)
    return ids


def test_concurrent_claim_next_never_hands_out_a_case_twice(db: Database, staff: Staff) -> None:
    ids = _open_many(db, staff)
    clerks: list[UserView] = [staff.clerk, staff.clerk2]
    for n in range(4):
        clerks.append(add_user(db, staff.admin, f"extra{n}", f"职员{n}", PASSWORD, [Role.SIGNING]))
    start = threading.Barrier(len(clerks))
    taken: dict[str, list[int]] = {c.username: [] for c in clerks}
    errors: list[BaseException] = []

    def work(user: UserView) -> None:
        try:
            start.wait()
            while True:
                got = cases.claim_next(db, user, CaseState.SIGNING)
                if got is None:
                    return
                taken[user.username].append(got.id)
        except BaseException as err:  # reported below, in the test's thread
            errors.append(err)

    threads = [threading.Thread(target=work, args=(c,)) for c in clerks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    handed_out = [case_id for got in taken.values() for case_id in got]
    assert sorted(handed_out) == sorted(ids)  # each case exactly once
    with db.read() as session:
        holders = dict(
            session.execute(select(Case.id, Case.claimed_by).where(Case.id.in_(ids))).all()
        )
    assert all(holders[i] == user for user, got in taken.items() for i in got)


@pytest.mark.postgres
@pytest.mark.timeout(60)  # waiting on the held row instead of skipping it would hang
def test_claims_skip_a_case_another_clerk_is_taking(pg_url: str) -> None:
    """A transaction holding a case row (another clerk mid-claim) is skipped, not waited on."""
    db = Database(pg_url)
    try:
        load_accounts(db)
        staff = make_staff(db)
        first, second = (
            cases.open_case(db, staff.clerk, a, now=at(i)).id for i, a in enumerate(CLEAN_EXTRA[:2])
        )
        with db.write() as other:
            other.execute(select(Case).where(Case.id == first).with_for_update()).scalar_one()
            got = cases.claim_next(db, staff.clerk2, CaseState.SIGNING)
            assert got is not None and got.id == second
            with pytest.raises(Refused, match="taking this case at this moment"):
                cases.claim(db, staff.clerk, first)
        got = cases.claim_next(db, staff.clerk, CaseState.SIGNING, now=at(10))
        assert got is not None and got.id == first
    finally:
        db.dispose()
