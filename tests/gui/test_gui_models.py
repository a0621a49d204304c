"""The table models, checked with Qt's model tester; the account list stays lazy."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt

from counter_app.domain.codes import AccountClass, CaseState, DepositoryStatus, Reason, Role
from counter_app.gui.account_table_model import AccountTableModel
from counter_app.gui.bank_posting import BankModel, PostingModel
from counter_app.gui.diversion import ResultsModel
from counter_app.gui.import_page import RowErrorModel
from counter_app.gui.queue_model import QueueModel, SortRole
from counter_app.gui.stats_page import StatsModel
from counter_app.gui.users_page import UsersModel
from counter_app.importing.parse import RowError
from counter_app.services.case_core import CaseView
from counter_app.services.ledger import AccountRow
from counter_app.services.lookup import AccountView
from counter_app.services.stats import Counts, StatsReport, StatsRow
from counter_app.services.users import UserView
from tests.gui.conftest import settle

MILLION = 1_000_000


def case(n: int, claimed_by: str | None = None) -> CaseView:
    return CaseView(
        id=n,
        case_no=f"C20260401{n:06d}",
        capital_account=f"3000{n:04d}",
        customer_name=f"客户{n}",
        state=CaseState.DATA_FILLING,
        claimed_by=claimed_by,
        claimed_at=datetime(2026, 4, 1, 9, n) if claimed_by else None,
        opened_by="clerk",
        opened_at=datetime(2026, 4, 1, 8, 59 - n),
        version=1,
        account_class=AccountClass.UNQUALIFIED_DATA,
        reasons=[Reason.PHONE_MISSING],
        depository_status=DepositoryStatus.SIGNED,
        bank_code="ICBC",
        claimed_by_name="柜员" if claimed_by else None,
    )


def test_queue_model(qtmodeltester) -> None:
    model = QueueModel("me")
    model.set_cases([case(1), case(2, "me"), case(3, "other")])
    qtmodeltester.check(model)
    assert model.index(1, 5).data() == "me"
    assert model.index(0, 5).data() == "(waiting)"
    assert model.index(2, 5).data() == "柜员"
    assert model.index(2, 0).data(Qt.ItemDataRole.ToolTipRole).startswith("Held by 柜员 since")
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    proxy.sort(4)  # opened: the case opened first comes first
    assert [proxy.index(r, 0).data() for r in range(3)] == [
        "C20260401000003",
        "C20260401000002",
        "C20260401000001",
    ]
    qtmodeltester.check(proxy)


def fake_ledger(calls: list[str | None]):  # type: ignore[no-untyped-def]
    """A million accounts that exist only as numbers: rows are made when asked for."""

    def fetch(after: str | None, limit: int) -> list[AccountRow]:
        calls.append(after)
        start = 0 if after is None else int(after) - 10_000_000 + 1
        return [
            AccountRow(
                i,
                str(10_000_000 + i),
                f"客户{i}",
                AccountClass.QUALIFIED_DEPOSITED,
                (),
                DepositoryStatus.ACTIVE,
                1,
                "ICBC",
                100 * i,
            )
            for i in range(start, min(start + limit, MILLION))
        ]

    return fetch


def test_account_list_of_a_million_loads_only_what_is_asked(qtbot, qtmodeltester) -> None:
    calls: list[str | None] = []
    model = AccountTableModel(fake_ledger(calls), page_size=500)
    qtmodeltester.check(model)  # the tester asks for the first page itself
    qtbot.waitUntil(lambda: not model.loading)
    for _ in range(2):
        assert model.canFetchMore(QModelIndex())
        model.fetchMore(QModelIndex())
        assert not model.canFetchMore(QModelIndex())  # one page on its way at a time
        qtbot.waitUntil(lambda: not model.loading)
    settle(qtbot)
    assert model.rowCount() >= 1500
    assert model.rowCount() < 10_000  # far from the million
    assert calls[:3] == [None, "10000499", "10000999"]  # keyset: after the last key held
    assert model.index(1499, 0).data() == "10001499"
    assert model.index(1499, 6).data() == "1,499.00"
    qtmodeltester.check(model)


def test_account_list_reset_drops_a_late_page(qtbot) -> None:
    calls: list[str | None] = []
    model = AccountTableModel(fake_ledger(calls), page_size=100)
    model.fetchMore(QModelIndex())
    model.reset_with()  # e.g. another class chosen while the first page was on its way
    settle(qtbot)
    assert model.rowCount() == 100
    assert [model.row_at(r).capital_account for r in (0, 99)] == ["10000000", "10000099"]


def test_small_models(qtmodeltester) -> None:
    stats = StatsModel()
    rows = [StatsRow(cls.value, Counts(3, 4), Counts(2, 2)) for cls in AccountClass]
    stats.set_report(
        StatsReport(
            date(2026, 3, 28),
            date(2026, 4, 1),
            [*rows, StatsRow("TOTAL", Counts(18, 24), Counts(12, 12))],
        )
    )
    qtmodeltester.check(stats)
    assert stats.index(6, 4).data() == "-6"

    errors = RowErrorModel()
    errors.set_rows(
        [
            RowError(3, "opened_on", "2015-13-45", "not a date", "不是日期"),
            RowError(4, "", "x", "too many values"),
        ]
    )
    qtmodeltester.check(errors)
    assert errors.index(1, 1).data() == "(whole row)"
    assert errors.index(0, 3).data(Qt.ItemDataRole.ToolTipRole) == "not a date"
    assert errors.headerData(3, Qt.Orientation.Horizontal) == "Problem"

    results = ResultsModel()
    results.set_rows(
        [
            AccountView(
                1,
                "30000001",
                "张三",
                "RIC",
                "110105194706121551",
                "",
                "",
                AccountClass.UNQUALIFIED_DATA,
                [Reason.PHONE_MISSING],
                DepositoryStatus.NONE,
                None,
                "",
                0,
                0,
            )
        ]
    )
    qtmodeltester.check(results)

    users = UsersModel()
    users.set_rows(
        [UserView(1, "admin", "管理员", frozenset({Role.ADMINISTRATOR}), True, None, False)]
    )
    qtmodeltester.check(users)
    assert users.index(0, 2).data() == "Administrator"

    banks = BankModel()
    banks.set_batches({"ICBC": [case(1), case(2)], "ABC": [case(3)]})
    qtmodeltester.check(banks)
    assert banks.rows == [("ABC", 1, 0), ("ICBC", 2, 0)]
    assert banks.index(1, 0).data(Qt.ItemDataRole.UserRole) == "ICBC"
    assert banks.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) is None
    posting = PostingModel()
    posting.set_rows([case(1), case(2, "me")])
    qtmodeltester.check(posting)
