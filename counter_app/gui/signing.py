"""Signing (签约): choose the bank, enter the bank account, preview, sign and print.

The agreement is previewed in the window as it will print (numbered DRAFT) as soon as
the bank and a valid bank account are there. "Sign and print" records it (the core
gives it its number, the depository becomes SIGNED and the case goes to audit), then
shows the numbered agreement with the print dialog a click away.

A bank account already on the case (a case sent back to signing) is shown in full,
as the clerk works with it: fetched through ``reveal_full``, so the showing is in the
audit log, once per opening.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from counter_app.domain.bank_account import bank_account_message, clean_bank_account
from counter_app.gui import dialogs, i18n, modal, ops
from counter_app.gui.document_dialog import DocumentDialog
from counter_app.gui.pdf_view import PdfPreview
from counter_app.gui.post_page import CaseEditor
from counter_app.gui.session import AppSession
from counter_app.printing import render_agreement
from counter_app.printing.models import Lang
from counter_app.services.case_core import CaseView
from counter_app.services.cases import return_to_data_filling, sign
from counter_app.services.documents import (
    BankView,
    agreement_data,
    draft_agreement_data,
    list_banks,
)
from counter_app.services.reveal import reveal_full

PREVIEW_DELAY_MS = 400


class SigningEditor(CaseEditor):
    """Bank, bank account, agreement language, preview; sign and print."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.banks: list[BankView] = []
        self.bank = QComboBox()
        self.bank.setObjectName("bankBox")
        self.account = QLineEdit()
        self.account.setObjectName("bankAccount")
        self.account_message = QLabel()
        self.account_message.setObjectName("bankAccountMessage")
        self.account_message.setWordWrap(True)
        self.lang = QComboBox()
        self.lang.setObjectName("agreementLanguage")
        self.lang.addItem("中文", "zh")
        self.lang.addItem("English", "en")
        self.preview = PdfPreview()
        self.preview.setMinimumHeight(320)
        self.preview_button = QPushButton()
        self.preview_button.clicked.connect(self.refresh_preview)
        self.sign_button = QPushButton()
        self.sign_button.setObjectName("signButton")
        self.sign_button.clicked.connect(self.sign_and_print)
        self.back_button = QPushButton()
        self.back_button.setObjectName("returnButton")
        self.back_button.clicked.connect(self.send_back)
        self.labels = [QLabel() for _ in range(3)]
        form = QFormLayout()
        for label, field in zip(self.labels, (self.bank, self.account, self.lang), strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.account_message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.sign_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        self.body.addLayout(form)
        self.body.addWidget(self.preview, 1)
        self.body.addLayout(buttons)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self.account.textEdited.connect(self._changed)
        self.account.returnPressed.connect(self.focusNextChild)
        self.bank.currentIndexChanged.connect(self._changed)
        self.lang.currentIndexChanged.connect(self._changed)
        self._signing = False
        self._preview_key: tuple[str, str, str] | None = None
        self.add_shortcut("Ctrl+Return", self.sign_and_print)
        self.add_shortcut("F9", self.refresh_preview)
        self.retranslate()
        self._update()

    def retranslate(self) -> None:
        super().retranslate()
        for label, text in zip(
            self.labels,
            (self.tr("&Bank:"), self.tr("Bank &account:"), self.tr("Agreement &language:")),
            strict=True,
        ):
            label.setText(text)
        self.preview_button.setText(self.tr("Pre&view (F9)"))
        self.sign_button.setText(self.tr("&Sign and print (Ctrl+Enter)"))
        self.back_button.setText(self.tr("Send back to data filling…"))
        for i, bank in enumerate(self.banks):
            self.bank.setItemText(i, self._bank_text(bank))
        self._update()
        if self.preview.pdf == b"":
            self.preview.show_text(
                self.tr(
                    "The agreement appears here once the bank and the bank account are entered."
                )
            )

    @staticmethod
    def _bank_text(bank: BankView) -> str:
        if i18n.is_chinese():
            return f"{bank.short_zh}（{bank.code}）"
        return f"{bank.name_en} ({bank.code})"

    # -- the case ---------------------------------------------------------------------

    def open_case(self, case: CaseView) -> None:
        super().open_case(case)
        self.account.clear()
        if case.bank_account:
            self._reveal_account(case)
        self.lang.setCurrentIndex(0 if i18n.is_chinese() else 1)
        self._preview_key = None
        self.preview.show_text(
            self.tr("The agreement appears here once the bank and the bank account are entered.")
        )
        if self.banks:
            self._select_bank(case.bank_code)
            self._changed()
        else:
            db = self.session.db
            ops.run_in_background(self, lambda job: list_banks(db), self._banks_loaded)

    def _reveal_account(self, case: CaseView) -> None:
        """Fill in the case's bank account in full, audited (see the module doc)."""
        db, username = self.session.db, self.session.username

        def revealed(number: str) -> None:
            # still the same case, and the clerk has not started typing another number
            if self.case is not None and self.case.id == case.id and not self.account.text():
                self.account.setText(number)

        ops.run_in_background(
            self,
            lambda job: reveal_full(
                db,
                username,
                "capital_account",
                case.capital_account,
                "bank_account",
                case_id=case.id,
            ),
            revealed,
        )

    def _banks_loaded(self, banks: list[BankView]) -> None:
        self.banks = banks
        self.bank.blockSignals(True)
        self.bank.clear()
        for bank in banks:
            self.bank.addItem(self._bank_text(bank), bank.code)
        self.bank.blockSignals(False)
        self._select_bank(self.case.bank_code if self.case else None)
        self._changed()

    def _select_bank(self, code: str | None) -> None:
        index = self.bank.findData(code) if code else -1
        self.bank.setCurrentIndex(index)

    def clear(self) -> None:
        super().clear()
        self.account.clear()
        self._preview_timer.stop()
        self._preview_key = None
        self.preview.show_text("")
        self._update()

    # -- input ------------------------------------------------------------------------

    def bank_code(self) -> str | None:
        code = self.bank.currentData()
        return str(code) if code else None

    def account_problem(self) -> str | None:
        message = bank_account_message(self.account.text())
        return i18n.pick(message) if message is not None else None

    def _changed(self, *_args: object) -> None:
        self._update()
        if self.case is not None and self.bank_code() and self.account_problem() is None:
            self._preview_timer.start()

    def _update(self) -> None:
        problem = self.account_problem() if self.account.text() else None
        if problem:
            self.account_message.setStyleSheet("color: #b00020;")
            self.account_message.setText(problem)
        elif self.account.text():
            self.account_message.setStyleSheet("color: #1b5e20;")
            self.account_message.setText("✓")
        else:
            self.account_message.clear()
        ready = (
            self.case is not None
            and self.bank_code() is not None
            and bool(self.account.text())
            and problem is None
            and not self._signing
        )
        self.sign_button.setEnabled(ready)
        self.preview_button.setEnabled(ready)
        self.back_button.setEnabled(self.case is not None and not self._signing)
        self.release_button.setEnabled(self.case is not None and not self._signing)
        self.cancel_button.setEnabled(self.case is not None and not self._signing)

    # -- preview ----------------------------------------------------------------------

    def refresh_preview(self) -> None:
        case, code = self.case, self.bank_code()
        if case is None or code is None or self.account_problem() is not None:
            return
        lang: Lang = "en" if self.lang.currentData() == "en" else "zh"
        number = clean_bank_account(self.account.text())  # as sign() will store it
        key = (code, number, lang)
        if key == self._preview_key:
            return
        self._preview_key = key
        db = self.session.db

        def work(job: ops.Job) -> bytes:
            return render_agreement(
                draft_agreement_data(db, case.capital_account, code, number, lang)
            )

        def shown(pdf: bytes) -> None:
            if self._preview_key == key and self.case is not None:
                self.preview.show_pdf(pdf)

        ops.run_in_background(self, work, shown)

    # -- signing ----------------------------------------------------------------------

    def sign_and_print(self) -> None:
        case, code = self.case, self.bank_code()
        if case is None or code is None or not self.sign_button.isEnabled():
            return
        lang: Lang = "en" if self.lang.currentData() == "en" else "zh"
        db, actor, number = self.session.db, self.session.actor, self.account.text()

        def work(job: ops.Job) -> tuple[CaseView, str, bytes]:
            moved, agreement_no = sign(db, actor, case.id, code, number, lang)
            return moved, agreement_no, render_agreement(agreement_data(db, agreement_no))

        self._signing = True
        self._update()

        def done() -> None:
            self._signing = False
            self._update()

        ops.run_in_background(self, work, self._signed, on_finally=done)

    def _signed(self, result: tuple[CaseView, str, bytes]) -> None:
        case, agreement_no, pdf = result
        self.preview.show_pdf(pdf)
        dialog = DocumentDialog(
            self, self.tr("Agreement {number}").format(number=agreement_no), pdf
        )
        modal.run_modal(dialog)
        dialog.deleteLater()
        self.moved(case)
        self.message.emit(
            self.tr("Agreement {number} recorded; case {case_no} went to audit.").format(
                number=agreement_no, case_no=case.case_no
            )
        )

    def send_back(self) -> None:
        case = self.case
        if case is None:
            return
        note = dialogs.ask_reason(
            self,
            self.tr("Send back to data filling"),
            self.tr("What must data filling correct?"),
        )
        if note is None:
            return
        db, actor = self.session.db, self.session.actor
        ops.run_in_background(
            self, lambda job: return_to_data_filling(db, actor, case.id, note), self.moved
        )
