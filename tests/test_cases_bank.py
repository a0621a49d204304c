"""Bank posting: batch files per bank, the bank's response (OK, FAIL, unknown, malformed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.db.engine import Database
from counter_app.domain.codes import AccountClass, CaseState, DepositoryStatus, Role, StepKind
from counter_app.errors import Refused, UserError
from counter_app.services import cases
from counter_app.services.users import add_user
from tests.cases_support import (
    B_CLEAN,
    C_DEPOSITED,
    K_CLEAN,
    L_CLEAN,
    M_CLEAN,
    PASSWORD,
    Staff,
    account,
    at,
    audit_entries,
    card,
    count_audit,
    count_steps,
    load_accounts,
    make_staff,
)


@pytest.fixture
def staff(db: Database) -> Staff:
    load_accounts(db)
    return make_staff(db)


def _approved(db: Database, staff: Staff, account_no: str, bank: str, number: str) -> int:
    case = cases.open_case(db, staff.clerk, account_no, now=at(0))
    cases.claim(db, staff.clerk, case.id)
    cases.sign(db, staff.clerk, case.id, bank, number, now=at(1))
    cases.claim(db, staff.auditor, case.id)
    cases.approve(db, staff.auditor, case.id, now=at(2))
    return case.id


@pytest.fixture
def posted(db: Database, staff: Staff, tmp_path: Path) -> dict[str, tuple[int, str]]:
    """Three approved cases: two at ICBC (exported), one at CCB (not exported)."""
    numbers = {
        B_CLEAN: ("ICBC", card("621700000000000101")),
        K_CLEAN: ("ICBC", card("621700000000000102")),
        L_CLEAN: ("CCB", card("621700000000000103")),
    }
    found = {
        acc: (_approved(db, staff, acc, bank, number), number)
        for acc, (bank, number) in numbers.items()
    }
    batches = cases.bank_batches(db, staff.poster)
    assert {code: len(views) for code, views in batches.items()} == {"CCB": 1, "ICBC": 2}
    assert cases.export_bank_batch(db, staff.poster, "ICBC", tmp_path / "icbc.csv") == 2
    return found


def test_response_with_ok_fail_and_unknown_lines(
    db: Database, staff: Staff, posted: dict[str, tuple[int, str]], tmp_path: Path
) -> None:
    ok_case, ok_number = posted[B_CLEAN]
    fail_case, fail_number = posted[K_CLEAN]
    _, ccb_number = posted[L_CLEAN]
    response = tmp_path / "response.txt"
    response.write_text(
        "资金账号\t银行账号\t结果\t说明\n"
        f"{B_CLEAN}\t{ok_number}\t成功\t\n"
        f"{K_CLEAN}\t{fail_number}\t失败\t户名与证件不符\n"
        f"99999999\t{fail_number}\tOK\t\n"
        f"{L_CLEAN}\t{ccb_number}\tOK\t\n"
        f"{C_DEPOSITED}\t6217000000000000011\tFAIL\tx\n",
        encoding="gb18030",
    )
    summary = cases.import_bank_response(db, staff.poster, response, now=at(90))
    assert summary.lines_read == 5
    assert summary.confirmed == [B_CLEAN]
    assert summary.failed == [(K_CLEAN, "户名与证件不符")]
    assert [(p.line_no, p.capital_account) for p in summary.unknown] == [
        (4, "99999999"),
        (5, L_CLEAN),
        (6, C_DEPOSITED),
    ]
    assert "no such capital account" in summary.unknown[0].problem
    assert "not sent to the bank" in summary.unknown[1].problem
    assert "awaiting" in summary.unknown[2].problem

    ok = cases.get_case(db, staff.poster, ok_case)
    assert ok.state is CaseState.DONE
    assert ok.depository_status is DepositoryStatus.ACTIVE
    assert ok.account_class is AccountClass.QUALIFIED_DEPOSITED
    assert ok.steps[-1].kind is StepKind.BANK_CONFIRM

    failed = cases.get_case(db, staff.poster, fail_case)
    assert failed.state is CaseState.SIGNING
    assert failed.depository_status is DepositoryStatus.SIGNED
    assert failed.account_class is AccountClass.QUALIFIED_NOT_DEPOSITED
    last = failed.steps[-1]
    assert (last.kind, last.from_state, last.note) == (
        StepKind.BANK_REJECT,
        CaseState.BANK_POSTING,
        "户名与证件不符",
    )
    # the CCB case was not touched
    assert account(db, L_CLEAN).depository_status == DepositoryStatus.SIGNED.value
    ((actor, key, after),) = audit_entries(db, "bank.response")
    assert (actor, key, after["confirmed"], after["failed"]) == (
        "poster",
        "response.txt",
        [B_CLEAN],
        [K_CLEAN],
    )

    # the bank-rejected case is signed again and goes round once more
    cases.claim(db, staff.clerk, fail_case)
    view, _ = cases.sign(db, staff.clerk, fail_case, "ICBC", card("621700000000000999"))
    assert view.state is CaseState.AUDIT


def test_a_wrong_bank_account_is_reported_not_applied(
    db: Database, staff: Staff, posted: dict[str, tuple[int, str]], tmp_path: Path
) -> None:
    response = tmp_path / "r.csv"
    response.write_text(f"{B_CLEAN},6217000000000000000,OK,\n", encoding="utf-8")
    summary = cases.import_bank_response(db, staff.poster, response)
    assert summary.confirmed == []
    assert "is not the one sent" in summary.unknown[0].problem
    assert account(db, B_CLEAN).depository_status == DepositoryStatus.PENDING_BANK.value


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{ok},{okn},MAYBE,\n", "unknown result"),
        ("{ok},{okn}\n", "too few fields"),
        ("{ok},{okn},OK,a,b\n", "at most 4"),
        ("12AB,{okn},OK,\n{ok},{okn},OK,\n", "6 to 20 digits"),
        ("{ok},{okn},OK,\n{ok},{okn},OK,\n", "already on line 2"),
        ("{ok},12-34,OK,\n", "must be digits"),
        ('{ok},{okn},OK,"never closed\n', "malformed CSV"),
    ],
)
def test_a_malformed_file_is_refused_whole(
    db: Database,
    staff: Staff,
    posted: dict[str, tuple[int, str]],
    tmp_path: Path,
    content: str,
    problem: str,
) -> None:
    _, ok_number = posted[B_CLEAN]
    _, fail_number = posted[K_CLEAN]
    response = tmp_path / "bad.csv"
    good_line = f"{K_CLEAN},{fail_number},FAIL,no\n"
    response.write_text(good_line + content.format(ok=B_CLEAN, okn=ok_number), encoding="utf-8")
    before = (count_audit(db), count_steps(db))
    with pytest.raises(cases.BankFileRefused) as caught:
        cases.import_bank_response(db, staff.poster, response)
    assert "nothing was applied" in str(caught.value)
    assert any(problem in p.problem for p in caught.value.problems), caught.value.problems
    assert (count_audit(db), count_steps(db)) == before
    assert account(db, K_CLEAN).depository_status == DepositoryStatus.PENDING_BANK.value


def test_unreadable_and_empty_files(db: Database, staff: Staff, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(cases.BankFileRefused, match="empty"):
        cases.import_bank_response(db, staff.poster, empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("capital_account,bank_account,result,message\n", encoding="utf-8")
    with pytest.raises(cases.BankFileRefused, match="no result lines"):
        cases.import_bank_response(db, staff.poster, header_only)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\x00\x01\x02PK")
    with pytest.raises(cases.BankFileRefused, match="cannot be read"):
        cases.import_bank_response(db, staff.poster, binary)


def test_manual_confirmation_needs_a_reason(
    db: Database, staff: Staff, posted: dict[str, tuple[int, str]]
) -> None:
    ccb_case, _ = posted[L_CLEAN]
    with pytest.raises(UserError, match="needs a reason"):
        cases.confirm_manually(db, staff.poster, ccb_case, "  ")
    with pytest.raises(Refused, match=r"\(BANK_POSTING\) role"):
        cases.confirm_manually(db, staff.auditor, ccb_case, "phoned")
    done = cases.confirm_manually(db, staff.poster, ccb_case, "bank confirmed by fax", now=at(50))
    assert done.state is CaseState.DONE
    assert done.account_class is AccountClass.QUALIFIED_DEPOSITED
    with pytest.raises(Refused, match=r"not at Bank posting \(BANK_POSTING\)"):
        cases.confirm_manually(db, staff.poster, ccb_case, "again")


def test_export_resend_and_held_cases(
    db: Database, staff: Staff, posted: dict[str, tuple[int, str]], tmp_path: Path
) -> None:
    assert cases.export_bank_batch(db, staff.poster, "ICBC", tmp_path / "none.csv") == 0
    again = tmp_path / "resend.csv"
    assert cases.export_bank_batch(db, staff.poster, "icbc", again, include_pending=True) == 2
    assert len(again.read_text(encoding="utf-8-sig").splitlines()) == 3
    m_case = _approved(db, staff, M_CLEAN, "CCB", card("621700000000000104"))
    poster2 = add_user(db, staff.admin, "poster2", "周九", PASSWORD, [Role.BANK_POSTING])
    cases.claim(db, poster2, m_case)
    # a case another clerk holds stays out of the batch
    ccb = tmp_path / "ccb.csv"
    assert cases.export_bank_batch(db, staff.poster, "CCB", ccb) == 1
    assert M_CLEAN not in ccb.read_text(encoding="utf-8-sig")
    assert account(db, M_CLEAN).depository_status == DepositoryStatus.SIGNED.value
