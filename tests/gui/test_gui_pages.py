"""The import, statistics, accounts and users screens."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from counter_app.domain.codes import AccountClass, Role
from counter_app.domain.reason_text import CLASS_TEXT
from counter_app.gui.accounts_page import AccountsPage
from counter_app.gui.import_page import ImportPage
from counter_app.gui.session import AppSession
from counter_app.gui.stats_page import StatsPage
from counter_app.gui.users_page import UserDialog, UsersPage
from counter_app.services.users import authenticate, get_user
from tests.gui.conftest import PASSWORD, Branch, answer_modal, settle, type_in
from tests.helpers import counts, row, write_csv

NO_SH = {"sh_account": "", "sh_name": "", "sh_id_number": ""}


def test_refused_import_lists_every_bad_row_and_writes_nothing(
    qtbot, branch: Branch, tmp_path: Path
) -> None:
    before = counts(branch.db)
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            row(capital_account="30000010", **NO_SH),
            row(capital_account="30000011", **NO_SH, opened_on="2015-13-45"),
            row(capital_account="30000012", **NO_SH, balance="12,34x"),
            row(capital_account="30000010", **NO_SH),  # twice in the file
        ],
    )
    page = ImportPage(AppSession(branch.db, branch.admin))
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    settle(qtbot)
    assert not page.base_date.isEnabled()  # set by the first import
    type_in(qtbot, page.path_edit, str(bad))
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert page.error_table.isVisible()
    model = page.error_model
    rows = [[model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())]
    assert [(r[0], r[1]) for r in rows] == [
        ("3", "opened_on"),
        ("4", "balance"),
        ("5", "capital_account"),
    ]
    assert rows[0][2] == "2015-13-45"
    assert "3 problem(s) in 4 row(s)" in page.status.text()
    assert "Nothing was imported" in page.status.text()
    assert counts(branch.db) == before


def test_import_with_progress_and_summary(qtbot, branch: Branch, tmp_path: Path) -> None:
    rows = [
        row(capital_account=f"4{i:07d}", sh_account=f"A4{i:08d}", phone="") for i in range(3000)
    ]
    good = write_csv(tmp_path / "good.csv", rows)
    page = ImportPage(AppSession(branch.db, branch.admin))
    qtbot.addWidget(page)
    page.show()
    settle(qtbot)
    seen: list[int] = []
    page.progress.valueChanged.connect(seen.append)
    page.path_edit.setText(str(good))
    with qtbot.waitSignal(page.imported, timeout=30_000) as signal:
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    summary = signal.args[0]
    assert summary.new == 3000
    assert page.progress.value() == 1000
    assert "3,000 new" in page.status.text()
    for cls, (_zh, en) in CLASS_TEXT.items():
        assert f"  {en}: {summary.per_class.get(cls.value, 0):,}" in page.status.text()
    assert page.import_button.isEnabled() and not page.cancel_button.isEnabled()


def test_cancelled_import_keeps_nothing(qtbot, branch: Branch, tmp_path: Path) -> None:
    before = counts(branch.db)
    rows = [row(capital_account=f"5{i:07d}", sh_account=f"A5{i:08d}") for i in range(6000)]
    big = write_csv(tmp_path / "big.csv", rows)
    page = ImportPage(AppSession(branch.db, branch.admin))
    qtbot.addWidget(page)
    page.show()
    settle(qtbot)
    page.path_edit.setText(str(big))
    page.progress.valueChanged.connect(lambda _v: page.cancel_button.click())
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert page.status.text() == "Import cancelled: nothing was imported."
    assert counts(branch.db) == before


def test_statistics_table_and_export(qtbot, branch: Branch, tmp_path: Path) -> None:
    page = StatsPage(AppSession(branch.db, branch.admin))
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    settle(qtbot)
    model = page.model
    labels = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    assert labels[-1] == "Total"
    assert labels[3] == "Unqualified: data incomplete or wrong"
    total = [model.index(model.rowCount() - 1, c).data() for c in range(6)]
    assert total == ["4", "4", "4", "4", "0", "0"]
    out = tmp_path / "stats.csv"
    page.export_to(out, "csv")
    settle(qtbot)
    lines = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0][0] == "class"
    assert ["TOTAL", "4", "4", "4", "4", "0", "0"] in lines
    assert page.summary.text() == f"Written to {out}."


def test_accounts_list_pages_and_filters(qtbot, branch: Branch) -> None:
    page = AccountsPage(AppSession(branch.db, branch.admin))
    page.model.page_size = 2
    qtbot.addWidget(page)
    page.show()
    page.start()
    # the view asks for pages of two until its viewport is full or the list ends
    qtbot.waitUntil(lambda: page.model.exhausted)
    settle(qtbot)
    assert not page.model.canFetchMore(QModelIndex())
    assert [page.model.row_at(r).capital_account for r in range(4)] == [
        "30000001",
        "30000002",
        "30000003",
        "30000004",
    ]
    assert page.count.text() == "4 of 4 shown (more load as you scroll)"
    assert page.model.index(0, 3).data().startswith("Phone number not valid")
    page.class_box.setCurrentIndex(page.class_box.findData(AccountClass.QUALIFIED_DEPOSITED.value))
    settle(qtbot)
    assert page.model.rowCount() == 1
    assert page.model.row_at(0).capital_account == "30000004"
    assert page.count.text() == "1 of 1 shown (more load as you scroll)"


def test_administrator_adds_a_user_and_resets_a_password(qtbot, branch: Branch) -> None:
    page = UsersPage(AppSession(branch.db, branch.admin))
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    settle(qtbot)
    assert page.model.rowCount() == 3

    def fill_new_user(dialog: QWidget) -> None:
        assert isinstance(dialog, UserDialog)
        type_in(qtbot, dialog.username, "newclerk")
        type_in(qtbot, dialog.display_name, "新柜员")
        type_in(qtbot, dialog.password, "first-pass-9")
        type_in(qtbot, dialog.password2, "first-pass-9")
        dialog.roles.boxes[Role.SIGNING].setChecked(True)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    answer_modal(fill_new_user)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert page.status.text() == "Added 新柜员 (newclerk)."
    added = get_user(branch.db, "newclerk")
    assert added.roles == {Role.SIGNING} and added.must_change_password

    page.table.selectRow(
        [page.model.row_at(r).username for r in range(page.model.rowCount())].index("clerk")
    )

    def new_password(dialog: QWidget) -> None:
        assert isinstance(dialog, UserDialog)
        type_in(qtbot, dialog.password, "reset-pass-77")
        type_in(qtbot, dialog.password2, "reset-pass-77")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    answer_modal(new_password)
    qtbot.mouseClick(page.password_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert page.status.text() == "New password set for 柜员甲 (clerk)."
    assert authenticate(branch.db, "clerk", "reset-pass-77").must_change_password

    # the last administrator cannot be disabled: the core says so, the page shows it
    page.table.selectRow(
        [page.model.row_at(r).username for r in range(page.model.rowCount())].index("admin")
    )
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert page.status.text() == "the last active administrator cannot be disabled"
    assert authenticate(branch.db, "admin", PASSWORD).active
