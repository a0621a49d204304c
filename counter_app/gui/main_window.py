"""The main window: the posts the user's roles allow, the search field, the status bar.

Keyboard first:

* ``Ctrl+F`` / ``F3``: the search field (Enter searches; the result opens in diversion);
* ``Ctrl+1`` … ``Ctrl+9``: the posts, in the order of the list on the left;
* on a post: ``Ctrl+N`` takes the next case, ``F5`` refreshes, ``Ctrl+Enter`` does the
  post's main step, ``Ctrl+S`` saves (data filling), ``Ctrl+P`` prints;
* ``Ctrl+L`` locks the screen; a barcode scanner works anywhere (``scanner.py``).

The status bar shows who is signed in, the post on screen, the database (a local file
on this machine or the shared server) and its health, checked every 30 seconds off the
GUI thread.

Closing the window or signing out gives back the cases the user claimed in this window
(after the "unsaved changes" question), so they do not stay held by a clerk who left.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from counter_app.db.errors import DatabaseProblem
from counter_app.db.schema import schema_state
from counter_app.domain.codes import CaseState, Role
from counter_app.gui import dialogs, errors, i18n, modal, ops
from counter_app.gui.accounts_page import AccountsPage
from counter_app.gui.audit import AuditEditor
from counter_app.gui.bank_posting import BankPostingPage
from counter_app.gui.data_filling import DataFillingEditor
from counter_app.gui.diversion import DiversionPage
from counter_app.gui.idle_lock import IdleWatcher, LockPage, WindowShield
from counter_app.gui.import_page import ImportPage
from counter_app.gui.labels import role_name
from counter_app.gui.post_page import PostPage
from counter_app.gui.scanner import ScannerFilter
from counter_app.gui.session import AppSession
from counter_app.gui.signing import SigningEditor
from counter_app.gui.stats_page import StatsPage
from counter_app.gui.users_page import UsersPage
from counter_app.services.case_core import POST_OF_STATE, CaseView
from counter_app.services.cases import find_case_by_no, find_open_case, get_case, release
from counter_app.services.lookup import AccountView
from counter_app.services.settings import IDLE_LOCK_MINUTES, get_setting
from counter_app.services.users import UserView

log = logging.getLogger(__name__)

HEALTH_INTERVAL_MS = 30_000
CASE_NO = re.compile(r"C\d{14}")

FIND = "find"
ACCOUNTS = "accounts"
STATS = "stats"
IMPORT = "import"
USERS = "users"


@dataclass
class Page:
    key: str
    widget: QWidget
    title: Callable[[], str]


class MainWindow(QMainWindow):
    """Signals:
    signed_out(): the user signed out (the launcher shows the sign-in again).
    database_requested(): the user signed out to choose another database (the launcher
        shows the sign-in with the Database dialog on it).
    closed(): the window was closed (the application ends).
    """

    signed_out = Signal()
    database_requested = Signal()
    closed = Signal()

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.pages: list[Page] = []
        #: cases claimed in this window: id -> the claim's time (given back on leaving)
        self.claims: dict[int, datetime] = {}
        self._started_at = datetime.now()
        self.setMinimumSize(1000, 640)
        self.resize(1280, 800)

        self.nav = QListWidget()
        self.nav.setObjectName("postList")
        self.nav.setMinimumWidth(150)
        self.stack = QStackedWidget()
        self._build_pages()
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([170, 1110])
        self.work = splitter
        self.lock_page = LockPage(session)
        self.lock_page.unlocked.connect(self.unlock)
        self.lock_page.sign_out_requested.connect(self.sign_out)
        self.shield = WindowShield(self, self.lock_page)
        self.central = QStackedWidget()
        self.central.addWidget(self.work)
        self.central.addWidget(self.lock_page)
        self.setCentralWidget(self.central)

        self.search = QLineEdit()
        self.search.setObjectName("searchField")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(360)
        self.search.returnPressed.connect(self._search_entered)
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.search_label = QLabel()
        self.toolbar.addWidget(self.search_label)
        self.toolbar.addWidget(self.search)
        self.addToolBar(self.toolbar)
        self._build_menus()

        self.user_label = QLabel()
        self.post_label = QLabel()
        self.db_label = QLabel()
        self.db_label.setObjectName("databaseStatus")
        self.health_label = QLabel()
        self.health_label.setObjectName("healthStatus")
        for label in (self.user_label, self.post_label, self.db_label):
            self.statusBar().addWidget(label)
        self.statusBar().addPermanentWidget(self.health_label)

        self.nav.currentRowChanged.connect(self._page_chosen)
        self.scanner = ScannerFilter(self)
        self.scanner.scanned.connect(self.open_code)
        self.scanner.install()
        self.idle = IdleWatcher(self, 10)
        self.idle.idle.connect(self.lock)
        self.health_timer = QTimer(self)
        self.health_timer.setInterval(HEALTH_INTERVAL_MS)
        self.health_timer.timeout.connect(self.check_health)
        self.locked = False
        self._focus_before_lock: QWidget | None = None
        self._health: tuple[bool, float] | None = None
        self.retranslate()
        if self.pages:
            self.nav.setCurrentRow(0)
        self.idle.start()
        self.health_timer.start()
        self.check_health()
        self._read_settings()

    # -- building ---------------------------------------------------------------------

    def _build_pages(self) -> None:
        s = self.session
        any_post = any(
            s.can_view(p)
            for p in (
                Role.DIVERSION,
                Role.DATA_FILLING,
                Role.SIGNING,
                Role.AUDIT,
                Role.BANK_POSTING,
            )
        )
        if any_post:
            self.find_page: DiversionPage | None = DiversionPage(s)
            self.find_page.case_opened.connect(self._case_opened)
            self._add(
                FIND,
                self.find_page,
                lambda: role_name(Role.DIVERSION) if s.can(Role.DIVERSION) else self.tr("Look up"),
            )
        else:
            self.find_page = None
        self.post_pages: dict[CaseState, PostPage] = {}
        editors = {
            CaseState.DATA_FILLING: DataFillingEditor,
            CaseState.SIGNING: SigningEditor,
            CaseState.AUDIT: AuditEditor,
        }
        for state, editor_class in editors.items():
            post = POST_OF_STATE[state]
            if s.can_view(post):
                page = PostPage(s, state, editor_class(s))
                page.queue.taken.connect(self._note_claim)
                page.queue.released.connect(self._forget_claim)
                self.post_pages[state] = page
                self._add(state.value, page, lambda p=post: role_name(p))  # type: ignore[misc]
        self.bank_page: BankPostingPage | None = None
        if s.can_view(Role.BANK_POSTING):
            self.bank_page = BankPostingPage(s)
            self._add(
                CaseState.BANK_POSTING.value, self.bank_page, lambda: role_name(Role.BANK_POSTING)
            )
        overseer = s.is_supervisor or s.is_admin
        if overseer:
            accounts = AccountsPage(s)
            accounts.show_account.connect(self.show_account)
            self._add(ACCOUNTS, accounts, lambda: self.tr("Accounts"))
            self._add(STATS, StatsPage(s), lambda: self.tr("Statistics"))
            self._add(IMPORT, ImportPage(s), lambda: self.tr("Import"))
        if s.is_admin:
            self._add(USERS, UsersPage(s), lambda: self.tr("Users"))

    def _add(self, key: str, widget: QWidget, title: Callable[[], str]) -> None:
        self.pages.append(Page(key, widget, title))
        self.stack.addWidget(widget)
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.addItem(item)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.session_menu = bar.addMenu("")
        self.find_action = QAction(self)
        self.find_action.setShortcuts([QKeySequence("Ctrl+F"), QKeySequence("F3")])
        self.find_action.triggered.connect(self.focus_search)
        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.sign_out_action = QAction(self)
        self.sign_out_action.triggered.connect(self.sign_out)
        self.database_action = QAction(self)
        self.database_action.triggered.connect(self.change_database)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        for action in (
            self.find_action,
            self.lock_action,
            self.sign_out_action,
            self.database_action,
        ):
            self.session_menu.addAction(action)
        self.session_menu.addSeparator()
        self.session_menu.addAction(self.quit_action)
        self.view_menu = bar.addMenu("")
        self.page_actions: list[QAction] = []
        for number, page in enumerate(self.pages[:9], start=1):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _c=False, k=page.key: self.show_page(k))
            self.view_menu.addAction(action)
            self.page_actions.append(action)
        self.view_menu.addSeparator()
        self.language_menu = self.view_menu.addMenu("")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, name in i18n.language_names():
            action = QAction(name, self, checkable=True)
            action.setChecked(code == i18n.current())
            action.triggered.connect(lambda _c=False, c=code: i18n.set_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action
        self.help_menu = bar.addMenu("")
        self.keys_action = QAction(self)
        self.keys_action.triggered.connect(self.show_keys)
        self.help_menu.addAction(self.keys_action)

    # -- texts ------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("counter_app — third-party depository counter"))
        self.search_label.setText(self.tr(" Search: "))
        self.search.setPlaceholderText(
            self.tr("capital account, ID, securities account, phone, name, case… (Ctrl+F)")
        )
        for row, page in enumerate(self.pages):
            item = self.nav.item(row)
            shortcut = f"  Ctrl+{row + 1}" if row < 9 else ""
            item.setText(page.title() + shortcut)
        self.session_menu.setTitle(self.tr("&Session"))
        self.find_action.setText(self.tr("&Search"))
        self.lock_action.setText(self.tr("&Lock screen"))
        self.sign_out_action.setText(self.tr("Sign &out"))
        self.database_action.setText(self.tr("Sign out and choose the &database…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        for action, page in zip(self.page_actions, self.pages, strict=False):
            action.setText(page.title())
        self.language_menu.setTitle(self.tr("&Language"))
        for code, action in self.language_actions.items():
            action.setChecked(code == i18n.current())
        self.help_menu.setTitle(self.tr("&Help"))
        self.keys_action.setText(self.tr("&Keyboard shortcuts"))
        user = self.session.user
        self.user_label.setText(self.tr("User: {user}").format(user=user.label))
        kind = (
            self.tr("local file")
            if self.session.database_kind == "local"
            else self.tr("shared server")
        )
        self.db_label.setText(
            self.tr("Database: {kind} ({where})").format(
                kind=kind, where=self.session.db.display_name
            )
        )
        self._show_post()
        self._show_health()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_keys(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Keyboard shortcuts"),
            self.tr(
                "Ctrl+F or F3: search (Enter to find)\n"
                "Ctrl+1 … Ctrl+9: the posts\n"
                "Ctrl+N: take the next case\n"
                "Enter on a queue row: take that case\n"
                "F5: refresh the queue\n"
                "Ctrl+Enter: the post's main step (open, forward, sign, approve)\n"
                "Ctrl+S: save the form · Ctrl+P: print\n"
                "Enter or Tab: next field\n"
                "Ctrl+L: lock the screen\n"
                "A barcode scanner works anywhere: the case or account it names opens."
            ),
            QMessageBox.StandardButton.Ok,
            self,
        )
        modal.run_modal(box)
        box.deleteLater()

    # -- pages ------------------------------------------------------------------------

    def page(self, key: str) -> QWidget | None:
        for page in self.pages:
            if page.key == key:
                return page.widget
        return None

    def current_key(self) -> str | None:
        row = self.nav.currentRow()
        return self.pages[row].key if 0 <= row < len(self.pages) else None

    def show_page(self, key: str) -> bool:
        for row, page in enumerate(self.pages):
            if page.key == key:
                self.nav.setCurrentRow(row)
                return True
        return False

    def _page_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.pages):
            return
        widget = self.pages[row].widget
        self.stack.setCurrentWidget(widget)
        for name in ("start", "refresh"):
            method = getattr(widget, name, None)
            if callable(method):
                method()
                break
        self._show_post()

    def _show_post(self) -> None:
        row = self.nav.currentRow()
        title = self.pages[row].title() if 0 <= row < len(self.pages) else ""
        self.post_label.setText(self.tr("Post: {post}").format(post=title))

    # -- search and scanning ----------------------------------------------------------

    def focus_search(self) -> None:
        if self.locked:
            return
        self.search.setFocus()
        self.search.selectAll()

    def _search_entered(self) -> None:
        text = self.search.text().strip()
        if text:
            self.open_code(text, scanned=False)

    def open_code(self, code: str, scanned: bool = True) -> None:
        """A code typed in the search field or scanned anywhere: a case number opens
        the case at its post (claiming it), anything else is looked up; a single account
        with an open case at one of the user's posts opens that case there."""
        if self.locked:
            return
        code = code.strip()
        if scanned:
            self.search.setText(code)
        upper = code.upper()
        if CASE_NO.fullmatch(upper):
            db = self.session.db
            ops.run_in_background(
                self,
                lambda job: find_case_by_no(db, upper),
                lambda case: self._case_found(case, upper),
            )
            return
        self.show_search(code, follow_case=scanned)

    def show_search(self, text: str, *, follow_case: bool = False) -> None:
        if self.find_page is None:
            self.statusBar().showMessage(
                self.tr("Looking customers up needs a counter role."), 5000
            )
            return
        self.show_page(FIND)
        on_found = self._follow_single_account if follow_case else None
        self.find_page.search(text, on_found=on_found)

    def _follow_single_account(self, accounts: list[AccountView]) -> None:
        if len(accounts) != 1:
            return
        db, account = self.session.db, accounts[0].capital_account
        ops.run_in_background(
            self, lambda job: find_open_case(db, account), self._open_case_if_mine
        )

    def _open_case_if_mine(self, case: CaseView | None) -> None:
        if case is None:
            return
        if self._post_page_for(case) is not None:
            self.go_to_case(case)

    def _case_found(self, case: CaseView | None, code: str) -> None:
        if case is None:
            self.statusBar().showMessage(self.tr("No case {code}.").format(code=code), 5000)
            return
        if not self.go_to_case(case):
            self.show_search(case.capital_account)

    def _post_page_for(self, case: CaseView) -> QWidget | None:
        if not case.is_open or case.state not in POST_OF_STATE:
            return None
        if not self.session.can(POST_OF_STATE[case.state]):
            return None
        if case.state is CaseState.BANK_POSTING:
            return self.bank_page
        return self.post_pages.get(case.state)

    def go_to_case(self, case: CaseView) -> bool:
        """Show the case at its post and take it, if the user works there."""
        page = self._post_page_for(case)
        if page is None:
            return False
        self.show_page(case.state.value)
        if isinstance(page, PostPage):
            page.take(case.id)
        elif isinstance(page, BankPostingPage) and case.bank_code:
            page.select_bank(case.bank_code)
        return True

    def show_account(self, capital_account: str) -> None:
        self.search.setText(capital_account)
        self.show_search(capital_account)

    def _case_opened(self, case: CaseView) -> None:
        page = self.post_pages.get(case.state)
        if page is not None:
            page.queue.refresh()

    # -- health -----------------------------------------------------------------------

    def check_health(self) -> None:
        db = self.session.db

        def ping(job: ops.Job) -> tuple[bool, float]:
            start = time.perf_counter()
            state = schema_state(db)
            return state.is_current, (time.perf_counter() - start) * 1000

        def failed(exc: BaseException) -> None:
            self._health = None
            self._show_health(
                error=errors.user_message(exc) if errors.is_user_problem(exc) else str(exc)
            )

        def done(result: tuple[bool, float]) -> None:
            self._health = result
            self._show_health()

        ops.run_in_background(self, ping, done, failed)

    def _show_health(self, error: str | None = None) -> None:
        if error is not None:
            self.health_label.setStyleSheet("color: #b00020;")
            self.health_label.setText(self.tr("● database unreachable"))
            self.health_label.setToolTip(error)
            return
        if self._health is None:
            self.health_label.setText(self.tr("● checking…"))
            return
        current, ms = self._health
        if current:
            self.health_label.setStyleSheet("color: #1b5e20;")
            self.health_label.setText(self.tr("● database OK ({ms} ms)").format(ms=f"{ms:.0f}"))
        else:
            self.health_label.setStyleSheet("color: #b00020;")
            self.health_label.setText(self.tr("● database schema changed: restart counter_app"))
        self.health_label.setToolTip("")

    # -- idle lock --------------------------------------------------------------------

    def _read_settings(self) -> None:
        db = self.session.db

        def work(job: ops.Job) -> float:
            with db.read() as s:
                value = get_setting(s, IDLE_LOCK_MINUTES) or "10"
            try:
                return float(value)
            except ValueError:
                return 10.0

        ops.run_in_background(self, work, self.idle.set_minutes)

    def lock(self) -> None:
        """Hide the work behind the lock page; nothing of it is touched."""
        if self.locked:
            return
        self.locked = True
        self._focus_before_lock = self.focusWidget()
        self.idle.pause()
        self.scanner.enabled = False
        self.toolbar.setEnabled(False)
        self.menuBar().setEnabled(False)
        self.central.setCurrentWidget(self.lock_page)
        # after the lock page is up: hiding a dialog hands the screen back to this window
        self.shield.engage()
        self.lock_page.prepare()

    def unlock(self, user: UserView) -> None:
        self.locked = False
        self.session = self.session.with_user(user)
        self.central.setCurrentWidget(self.work)
        self.toolbar.setEnabled(True)
        self.menuBar().setEnabled(True)
        self.scanner.enabled = True
        self.idle.restart()
        if self._focus_before_lock is not None:
            self._focus_before_lock.setFocus()
        self.shield.lift()

    def unsaved_work(self) -> list[str]:
        """Case numbers with edits not saved yet (data filling forms)."""
        found = []
        for page in self.post_pages.values():
            editor = page.editor
            if isinstance(editor, DataFillingEditor) and editor.case and editor.edited_fields():
                found.append(editor.case.case_no)
        return found

    def _may_leave(self) -> bool:
        unsaved = self.unsaved_work()
        if not unsaved:
            return True
        return dialogs.confirm(
            self,
            self.tr("Unsaved changes"),
            self.tr(
                "The changes to case {cases} are not saved and will be lost. Leave anyway?"
            ).format(cases=", ".join(unsaved)),
        )

    def sign_out(self) -> bool:
        """Leave (after asking about unsaved changes); False if the user stayed."""
        with self.shield.allowing():
            if not self._may_leave():
                return False
        self.shield.discard()
        self.release_claims()
        self.shutdown()
        self.hide()
        self.signed_out.emit()
        return True

    def change_database(self) -> None:
        """The IT person moves a workstation to another database: sign out first (the
        claims go back to the queues of the database they belong to)."""
        if self.sign_out():
            self.database_requested.emit()

    # -- claims -----------------------------------------------------------------------

    def _note_claim(self, case: CaseView) -> None:
        """A case the user holds now; remembered if the claim was made in this window
        (a case still held from an earlier day is not this window's to give back)."""
        at = case.claimed_at
        if case.claimed_by == self.session.username and at is not None and at >= self._started_at:
            self.claims[case.id] = at

    def _forget_claim(self, case_id: int) -> None:
        self.claims.pop(case_id, None)

    def release_claims(self) -> list[str]:
        """Give back the cases claimed in this window and still held by the same claim;
        returns their numbers. Never raises: a database that cannot be reached leaves the
        claims for a supervisor to release, and the window closes all the same."""
        claims, self.claims = self.claims, {}
        db, actor = self.session.db, self.session.actor
        released: list[str] = []
        left = list(claims)
        while left:
            case_id = left[0]
            try:
                case = get_case(db, actor, case_id)
                # the same claim still: not moved on, released, or taken again meanwhile
                if (
                    case.is_open
                    and case.claimed_by == actor.username
                    and case.claimed_at == claims[case_id]
                ):
                    release(db, actor, case_id)
                    released.append(case.case_no)
            except DatabaseProblem as exc:
                # unreachable or failing: do not wait on it once more per case
                log.warning(
                    "leaving without giving back the claims on case ids %s "
                    "(a supervisor can release them): %s",
                    left,
                    exc,
                )
                break
            except Exception:
                # a refusal for this one case (or a bug): never keep the window from closing
                log.warning("leaving: could not give back case id %s", case_id, exc_info=True)
            left.pop(0)
        return released

    # -- closing ----------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop timers and filters (the window may stay alive a moment longer)."""
        self.idle.stop()
        self.health_timer.stop()
        self.scanner.uninstall()
        for page in self.pages:
            stop = getattr(page.widget, "stop", None)
            if callable(stop):
                stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.isVisible():
            with self.shield.allowing():
                if not self._may_leave():
                    event.ignore()
                    return
        self.shield.discard()
        self.release_claims()
        self.shutdown()
        super().closeEvent(event)
        self.closed.emit()
