from __future__ import annotations

from PySide6.QtCore import Qt

from counter_app.gui.main_window import MainWindow
from counter_app.gui.session import AppSession
from tests.gui.conftest import Branch, settle


def test_diversion_search(qtbot, branch: Branch) -> None:
    window = MainWindow(AppSession(branch.db, branch.clerk))
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    window.search.setFocus()
    qtbot.keyClicks(window.search, "30000001")
    qtbot.wait(40)
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    settle(qtbot)
    page = window.find_page
    assert page is not None
    assert "Phone number not valid" in page.details.toPlainText()
    assert page.open_button.isEnabled()
