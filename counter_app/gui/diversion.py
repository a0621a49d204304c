"""Diversion (分流): find the customer, see what is wrong, send them to the right post.

The search (capital account, ID number, securities account, phone, name, agreement
number, or a scanned barcode) lists the accounts found; the one chosen is shown with
its class and every reason in plain words, its depository status, restrictions, flags,
classification history and cases. "Open case" sends it to data filling, or straight to
signing when only the agreement is missing; when the rules do not allow a case, the
reason is shown instead of the button. Users without the diversion role get the same
page as a read-only look-up.

ID numbers and bank accounts are masked here (issue "shared database", 5): always in
the results table, and in the detail until a user whose role needs full values
(``needs_full_values``) presses "Show full number", which goes through
``reveal_full`` so each reveal is in the audit log. Other roles get no button.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QEvent,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.codes import FlagReason, IdType, Role
from counter_app.domain.masking import mask_bank_account, mask_id
from counter_app.domain.reason_text import (
    CLASS_TEXT,
    DEPOSITORY_TEXT,
    FLAG_REASON_TEXT,
    ID_TYPE_TEXT,
    REASON_TEXT,
)
from counter_app.gui import dialogs, errors, i18n, ops
from counter_app.gui.labels import restriction_name, state_name
from counter_app.gui.rows_model import RowsModel
from counter_app.gui.session import AppSession
from counter_app.services.case_core import CaseView
from counter_app.services.cases import (
    AccountOverview,
    FlagView,
    RestrictionView,
    find_customers,
    lift_restriction,
    open_case,
    overview,
)
from counter_app.services.lookup import AccountView
from counter_app.services.reveal import needs_full_values, reveal_full


class ResultsModel(RowsModel[AccountView]):
    """The accounts a search found (at most the core's limit, 50)."""

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Capital account"), self.tr("Name"), self.tr("ID number"), self.tr("Class"))

    def display(self, a: AccountView) -> tuple[Any, ...]:
        # a list: masked for every role, whatever the role (no reveal in a list)
        return (
            a.capital_account,
            a.name,
            mask_id(a.id_number),
            i18n.pick(CLASS_TEXT[a.account_class]),
        )


def _e(text: object) -> str:
    return html.escape(str(text))


def _heading(text: str) -> str:
    return f"<h3>{_e(text)}</h3>"


def _para(text: str) -> str:
    return f"<p>{_e(text)}</p>"


def _items(texts: Iterable[str], *, red: bool = False) -> str:
    style = " style='color:#b00020'" if red else ""
    return "<ul>" + "".join(f"<li><span{style}>{_e(t)}</span></li>" for t in texts) + "</ul>"


def _flag_words(code: str) -> str:
    """A person's flag in words (the stored code itself if it is not one we know)."""
    try:
        return i18n.pick(FLAG_REASON_TEXT[FlagReason(code)])
    except ValueError:
        return code


def _id_type_words(code: str) -> str:
    try:
        return i18n.pick(ID_TYPE_TEXT[IdType(code)])
    except ValueError:
        return code


class DiversionPage(QWidget):
    """Search results, the chosen account's overview, and "Open case".

    Signals:
        case_opened(object): a case was opened (``CaseView``); its post's queue changed.
    """

    case_opened = Signal(object)

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.can_open = session.can(Role.DIVERSION)
        self.query = ""
        self.current: AccountOverview | None = None
        # full values revealed (and audited) for the account shown: field -> value
        self.revealed: dict[str, str] = {}
        self.can_reveal = needs_full_values(session.user.roles)
        self._search_task: ops.Task | None = None
        self.model = ResultsModel(self)
        self.results = QTableView()
        self.results.setObjectName("searchResults")
        self.results.setModel(self.model)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().setVisible(False)
        self.results.setWordWrap(False)
        self.results.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.results.horizontalHeader().setStretchLastSection(True)
        self.results_label = QLabel()
        self.results_label.setObjectName("resultsLabel")
        self.results_label.setWordWrap(True)
        self.details = QTextBrowser()
        self.details.setObjectName("accountDetails")
        self.details.setOpenLinks(False)
        self.route = QLabel()
        self.route.setObjectName("routeLabel")
        self.route.setWordWrap(True)
        self.open_button = QPushButton()
        self.open_button.setObjectName("openCase")
        self.open_button.clicked.connect(self.open_case)
        self.open_button.setVisible(self.can_open)
        # lifting restrictions once the account is standardized (bank posting, supervisor)
        self.can_lift = session.can(Role.BANK_POSTING) or session.is_supervisor
        self.lift_button = QPushButton()
        self.lift_button.setObjectName("liftRestrictions")
        self.lift_button.clicked.connect(self.lift_restrictions)
        self.lift_button.setVisible(False)
        self.reveal_button = QPushButton()
        self.reveal_button.setObjectName("revealFull")
        self.reveal_button.clicked.connect(self.reveal)
        self.reveal_button.setVisible(False)
        self.status = QLabel()
        self.status.setObjectName("diversionStatus")
        self.status.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.results_label)
        left_layout.addWidget(self.results, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.details, 1)
        action_row = QHBoxLayout()
        action_row.addWidget(self.route, 1)
        action_row.addWidget(self.reveal_button)
        action_row.addWidget(self.lift_button)
        action_row.addWidget(self.open_button)
        right_layout.addLayout(action_row)
        right_layout.addWidget(self.status)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.results.selectionModel().selectionChanged.connect(lambda *_: self._chosen())
        self.results.activated.connect(lambda _i: self.open_button.setFocus())
        open_action = QAction(self)
        open_action.setShortcut(QKeySequence("Ctrl+Return"))
        open_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        open_action.triggered.connect(self.open_case)
        self.addAction(open_action)
        self.retranslate()
        self._update()

    # -- texts ------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.open_button.setText(self.tr("&Open case (Ctrl+Enter)"))
        self.lift_button.setText(self.tr("&Lift restrictions…"))
        self.reveal_button.setText(self.tr("Show full number"))
        self.model.retranslate()
        self._show_results_label()
        self._show_overview()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_results_label(self) -> None:
        if not self.query:
            self.results_label.setText(
                self.tr(
                    "Type a capital account, ID number, securities account, phone number, name or "
                    "agreement number in the search field (Ctrl+F), or scan a barcode."
                )
            )
        elif self._search_task is not None:
            self.results_label.setText(self.tr("Searching for “{q}”…").format(q=self.query))
        else:
            self.results_label.setText(
                self.tr("{n} account(s) found for “{q}”.").format(
                    n=len(self.model.rows), q=self.query
                )
            )

    # -- searching --------------------------------------------------------------------

    def search(self, text: str, *, on_found: Any = None) -> None:
        """Look ``text`` up; ``on_found(accounts)`` is called with what was found."""
        text = text.strip()
        if not text:
            return
        if self._search_task is not None:
            self._search_task.cancel()
        self.query = text
        self.status.clear()
        db, actor = self.session.db, self.session.actor

        def found(accounts: list[AccountView]) -> None:
            self._search_task = None
            self.model.set_rows(accounts)
            self._show_results_label()
            if accounts:
                self.results.selectRow(0)
                if len(accounts) > 1:
                    self.results.setFocus()
            else:
                self.current = None
                self._show_overview()
            if on_found is not None:
                on_found(accounts)

        def failed(exc: BaseException) -> None:
            self._search_task = None
            self._show_results_label()
            errors.show_error(self, exc)

        self._search_task = ops.run_in_background(
            self, lambda job: find_customers(db, actor, text), found, failed
        )
        self._show_results_label()

    def selected_account(self) -> AccountView | None:
        rows = self.results.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _chosen(self) -> None:
        account = self.selected_account()
        if account is not None:
            self.show_account(account.capital_account)

    def show_account(self, capital_account: str) -> None:
        db, actor = self.session.db, self.session.actor

        def shown(result: AccountOverview) -> None:
            previous = self.current
            if previous is None or previous.account.capital_account != capital_account:
                self.revealed = {}  # a reveal is for one account, not the next one shown
            self.current = result
            self._show_overview()

        ops.run_in_background(self, lambda job: overview(db, actor, capital_account), shown)

    # -- the overview -----------------------------------------------------------------

    def liftable(self) -> list[RestrictionView]:
        """Active restrictions of a standardized account: proposed for lifting."""
        current = self.current
        if current is None or not current.account.account_class.is_qualified:
            return []
        return [r for r in current.restrictions if r.active]

    def _update(self) -> None:
        current = self.current
        self.open_button.setEnabled(
            self.can_open and current is not None and current.route is not None
        )
        self.lift_button.setVisible(self.can_lift and bool(self.liftable()))
        self.reveal_button.setVisible(
            self.can_reveal and current is not None and "id_number" not in self.revealed
        )

    def _show_overview(self) -> None:
        current = self.current
        self._update()
        if current is None:
            self.details.setHtml("")
            self.route.clear()
            return
        self.details.setHtml(self.overview_html(current))
        if current.route is not None:
            self.route.setStyleSheet("")
            self.route.setText(
                self.tr("A new case goes to: {post}").format(post=state_name(current.route))
            )
        else:
            self.route.setStyleSheet("color: #b00020;")
            self.route.setText(
                self.tr("No case can be opened: {why}").format(why=current.refusal or "")
            )

    def overview_html(self, o: AccountOverview) -> str:
        a = o.account
        # the labels first: lupdate does not look inside f-strings
        labels = {
            "id": self.tr("ID"),
            "phone": self.tr("Phone"),
            "address": self.tr("Address"),
            "class": self.tr("Class"),
            "depository": self.tr("Depository"),
            "balance": self.tr("Balance"),
        }
        id_number = self.revealed.get("id_number") or mask_id(a.id_number)
        bank_account = self.revealed.get("bank_account") or mask_bank_account(a.bank_account)
        bank = f" — {a.bank_code} {bank_account}" if a.bank_code else ""
        values = {
            "id": f"{_id_type_words(a.id_type)} {id_number}",
            "phone": a.phone,
            "address": a.address,
            "class": i18n.pick(CLASS_TEXT[a.account_class]),
            "depository": i18n.pick(DEPOSITORY_TEXT[a.depository_status]) + bank,
            "balance": f"{a.balance_cents / 100:,.2f}",
        }
        parts = [f"<h2>{_e(a.name)} &nbsp; <small>{_e(a.capital_account)}</small></h2>"]
        parts.append("<table cellspacing='4'>")
        for key, label in labels.items():
            value = _e(values[key])
            if key == "class":
                value = f"<b>{value}</b>"
            parts.append(f"<tr><td><b>{_e(label)}</b></td><td>{value}</td></tr>")
        parts.append("</table>")
        if a.securities:
            parts.append(_heading(self.tr("Securities accounts")))
            parts.append(
                _items(
                    f"{s.account_no}: {s.holder_name} {mask_id(s.holder_id_number)}"
                    for s in a.securities
                )
            )
        parts.append(_heading(self.tr("Reasons")))
        if a.reasons:
            parts.append(_items((i18n.pick(REASON_TEXT[r]) for r in a.reasons), red=True))
        else:
            parts.append(_para(self.tr("None: the account is standardized.")))
        parts.append(_heading(self.tr("Restrictions")))
        parts.append(self._restrictions_html(o))
        if o.flags:
            parts.append(_heading(self.tr("Flags set by staff")))
            parts.append(_items(self._flag_text(f) for f in o.flags))
        parts.append(_heading(self.tr("Cases")))
        if o.cases:
            parts.append(_items(self._case_text(c) for c in o.cases))
        else:
            parts.append(_para(self.tr("None.")))
        if o.history:
            parts.append(_heading(self.tr("Classification history")))
            now = self.tr("now")
            rows = []
            for p in o.history:
                until = f"{p.valid_to:%Y-%m-%d %H:%M}" if p.valid_to else now
                words = "; ".join(i18n.pick(REASON_TEXT[r]) for r in p.reasons)
                rows.append(
                    f"<tr><td>{p.valid_from:%Y-%m-%d %H:%M} – {_e(until)}</td>"
                    f"<td>{_e(i18n.pick(CLASS_TEXT[p.account_class]))}</td>"
                    f"<td>{_e(words)}</td></tr>"
                )
            parts.append("<table cellspacing='4'>" + "".join(rows) + "</table>")
        return "".join(parts)

    def _restrictions_html(self, o: AccountOverview) -> str:
        if not o.restrictions:
            return _para(self.tr("None."))
        texts = []
        for r in o.restrictions:
            if r.active:
                state = self.tr("active")
            else:
                state = self.tr("lifted {when} by {who}").format(
                    when=f"{r.lifted_at:%Y-%m-%d}" if r.lifted_at else "", who=r.lifted_by or ""
                )
            texts.append(
                f"{restriction_name(r.restriction)} ({r.batch_no}, "
                f"{r.applied_at:%Y-%m-%d}): {r.apply_reason} — {state}"
            )
        return _items(texts)

    def _flag_text(self, f: FlagView) -> str:
        text = f"{_flag_words(f.reason)} ({f.flagged_at:%Y-%m-%d}, {f.flagged_by}): {f.note}"
        if f.cleared_at is not None:
            text += self.tr(" — cleared {when} by {who}: {note}").format(
                when=f"{f.cleared_at:%Y-%m-%d}", who=f.cleared_by or "", note=f.clear_note or ""
            )
        return text

    def _case_text(self, c: CaseView) -> str:
        text = f"{c.case_no} ({c.opened_at:%Y-%m-%d}): {state_name(c.state)}"
        if c.claimed_by:
            text += self.tr(", held by {who} since {since}").format(
                who=c.claimed_by_name or c.claimed_by,
                since=f"{c.claimed_at:%Y-%m-%d %H:%M}" if c.claimed_at else "",
            )
        if c.cancel_reason:
            text += f" — {c.cancel_reason}"
        return text

    # -- revealing full values ---------------------------------------------------------

    def reveal(self) -> None:
        """Show the full ID number (and bank account, if any): each one audited."""
        current = self.current
        if not self.can_reveal or current is None:
            return
        db, username = self.session.db, self.session.username
        account = current.account.capital_account
        fields = ["id_number"] + (["bank_account"] if current.account.bank_account else [])
        self.reveal_button.setEnabled(False)

        def work(job: ops.Job) -> dict[str, str]:
            return {f: reveal_full(db, username, "capital_account", account, f) for f in fields}

        def revealed(values: dict[str, str]) -> None:
            shown_now = self.current
            if shown_now is None or shown_now.account.capital_account != account:
                return  # another account was chosen meanwhile: do not show this one's values
            self.revealed = values
            self._show_overview()

        def failed(exc: BaseException) -> None:
            errors.show_error(self, exc)

        ops.run_in_background(
            self,
            work,
            revealed,
            failed,
            on_finally=lambda: self.reveal_button.setEnabled(True),
        )

    # -- lifting restrictions ---------------------------------------------------------

    def lift_restrictions(self) -> None:
        current, restrictions = self.current, self.liftable()
        if current is None or not restrictions:
            return
        names = ", ".join(restriction_name(r.restriction) for r in restrictions)
        reason = dialogs.ask_reason(
            self,
            self.tr("Lift restrictions"),
            self.tr(
                "The account is standardized. Lift {names}? Why (e.g. the case that "
                "standardized it)?"
            ).format(names=names),
        )
        if reason is None:
            return
        db, actor = self.session.db, self.session.actor
        account = current.account.capital_account
        ids = [r.id for r in restrictions]

        def work(job: ops.Job) -> int:
            for restriction_id in ids:
                lift_restriction(db, actor, restriction_id, reason)
            return len(ids)

        def lifted(count: int) -> None:
            self.status.setText(self.tr("{n} restriction(s) lifted.").format(n=count))
            self.show_account(account)

        ops.run_in_background(self, work, lifted)

    # -- opening a case ---------------------------------------------------------------

    def open_case(self) -> None:
        current = self.current
        if not self.can_open or current is None or current.route is None:
            return
        db, actor = self.session.db, self.session.actor
        account = current.account.capital_account
        self.open_button.setEnabled(False)

        def opened(case: CaseView) -> None:
            self.status.setText(
                self.tr("Case {case_no} opened and sent to {post}.").format(
                    case_no=case.case_no, post=state_name(case.state)
                )
            )
            self.show_account(account)
            self.case_opened.emit(case)

        ops.run_in_background(
            self, lambda job: open_case(db, actor, account), opened, on_finally=self._update
        )
