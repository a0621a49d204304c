"""Data filling (资料补录): correct and complete the customer's data from their documents.

Each field shows the value on record beside the new one and a live message from the
core's ``validate_form`` (the screening rules field by field). Saving re-screens the
account and shows which reasons cleared and which remain; the case goes on to signing
once none remains. Two clerks saving the same customer get the conflict dialog, never
a silent overwrite. The data change form prints from here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QWidget,
)

from counter_app.domain.codes import (
    DATA_REASONS,
    IDENTITY_REASONS,
    MANUAL_REASONS,
    IdType,
    Reason,
)
from counter_app.domain.reason_text import ID_TYPE_TEXT, REASON_TEXT
from counter_app.gui import errors, i18n, modal, ops
from counter_app.gui.conflict_dialog import KEEP_MINE, ConflictDialog
from counter_app.gui.document_dialog import DocumentDialog
from counter_app.gui.post_page import CaseEditor
from counter_app.gui.session import AppSession
from counter_app.printing import render_change_form
from counter_app.services.case_core import CaseView
from counter_app.services.cases import (
    CustomerChanged,
    CustomerForm,
    SaveResult,
    form_of,
    forward_to_signing,
    save_data,
    screening_base_date,
    validate_form,
)
from counter_app.services.customer_form import HOLDER_ID, HOLDER_NAME, holder_field
from counter_app.services.documents import change_form_data, field_label
from counter_app.services.reveal import reveal_full

BLOCKING = DATA_REASONS | IDENTITY_REASONS | MANUAL_REASONS
_ERROR_STYLE = "color: #b00020;"
_OK_STYLE = "color: #1b5e20;"


class _Field:
    """One row of the form: label, value on record, editor, message."""

    def __init__(self, key: str, editor: QWidget) -> None:
        self.key = key
        self.label = QLabel()
        self.label.setWordWrap(True)  # long securities-account labels wrap, not clip
        self.old = QLabel()
        self.old.setObjectName(f"old_{key}")
        self.old.setStyleSheet("color: #555;")
        self.old.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.old.setWordWrap(True)
        self.editor = editor
        editor.setObjectName(f"field_{key}")
        self.message = QLabel()
        self.message.setObjectName(f"message_{key}")
        self.message.setWordWrap(True)
        self.message.setMinimumWidth(120)
        editor.setMinimumWidth(100)
        self.message.setStyleSheet(_ERROR_STYLE)
        self.label.setBuddy(editor)


class DataFillingEditor(CaseEditor):
    """The form of the held case's customer (see the module doc)."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.base_date: date | None = None
        self.loaded: CustomerForm | None = None
        self.customer_version = 0
        self.fields: dict[str, _Field] = {}
        self.reasons_now: list[Reason] = []
        self.last_result: SaveResult | None = None
        self._saving = False
        self._pending_reapply: dict[str, str] | None = None
        # the case whose full ID number was last written to the audit log (once per opening)
        self._audited_case: int | None = None

        self.form_widget = QWidget()
        self.grid = QGridLayout(self.form_widget)
        self.grid.setColumnStretch(1, 2)
        self.grid.setColumnStretch(2, 3)
        self.grid.setColumnStretch(3, 3)
        self.col_heads = [QLabel() for _ in range(4)]
        for column, head in enumerate(self.col_heads):
            font = head.font()
            font.setBold(True)
            head.setFont(font)
            self.grid.addWidget(head, 0, column)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # the columns wrap rather than scroll sideways: every message stays in sight
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.form_widget)
        self.result = QLabel()
        self.result.setObjectName("saveResult")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save)
        self.forward_button = QPushButton()
        self.forward_button.setObjectName("forwardButton")
        self.forward_button.clicked.connect(self.forward)
        self.print_button = QPushButton()
        self.print_button.setObjectName("printChangeForm")
        self.print_button.clicked.connect(self.print_change_form)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.forward_button)
        row.addWidget(self.print_button)
        row.addStretch(1)
        self.body.addWidget(scroll, 1)
        self.body.addWidget(self.result)
        self.body.addLayout(row)
        self.add_shortcut("Ctrl+S", self.save)
        self.add_shortcut("Ctrl+Return", self.forward)
        self.add_shortcut("Ctrl+P", self.print_change_form)
        self.retranslate()
        self._update_buttons()

    # -- texts ------------------------------------------------------------------------

    def retranslate(self) -> None:
        super().retranslate()
        for head, text in zip(
            self.col_heads,
            (self.tr("Field"), self.tr("On record"), self.tr("New value"), self.tr("Check")),
            strict=True,
        ):
            head.setText(text)
        self.save_button.setText(self.tr("&Save (Ctrl+S)"))
        self.forward_button.setText(self.tr("&Forward to signing (Ctrl+Enter)"))
        self.print_button.setText(self.tr("&Print change form (Ctrl+P)"))
        lang = i18n.lang_code()
        for key, f in self.fields.items():
            f.label.setText(field_label(key, lang))
            if isinstance(f.editor, QCheckBox):
                f.editor.setText(self.tr("on record"))
            if isinstance(f.editor, QComboBox):
                for i in range(f.editor.count()):
                    f.editor.setItemText(i, i18n.pick(ID_TYPE_TEXT[IdType(f.editor.itemData(i))]))
        if self.loaded is not None:
            self._show_old_values()
            self.validate()

    # -- building the form ------------------------------------------------------------

    def _clear_fields(self) -> None:
        for f in self.fields.values():
            for widget in (f.label, f.old, f.editor, f.message):
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self.fields.clear()

    def _build_fields(self, form: CustomerForm) -> None:
        self._clear_fields()
        keys: list[tuple[str, QWidget]] = [
            ("name", QLineEdit()),
            ("id_type", self._id_type_box()),
            ("id_number", QLineEdit()),
            ("phone", QLineEdit()),
            ("address", QLineEdit()),
            ("has_paper_file", QCheckBox()),
        ]
        for sec in form.securities:
            keys.append((holder_field(sec.account_no, HOLDER_NAME), QLineEdit()))
            keys.append((holder_field(sec.account_no, HOLDER_ID), QLineEdit()))
        previous: QWidget | None = None
        for row, (key, editor) in enumerate(keys, start=1):
            f = _Field(key, editor)
            self.fields[key] = f
            self.grid.addWidget(f.label, row, 0)
            self.grid.addWidget(f.old, row, 1)
            self.grid.addWidget(editor, row, 2)
            self.grid.addWidget(f.message, row, 3)
            if isinstance(editor, QLineEdit):
                editor.textEdited.connect(self._edited)
                # Enter moves on, like Tab: the form is filled from the keyboard
                editor.returnPressed.connect(self.focusNextChild)
            elif isinstance(editor, QCheckBox):
                editor.toggled.connect(self._edited)
            elif isinstance(editor, QComboBox):
                editor.currentIndexChanged.connect(self._edited)
            if previous is not None:
                QWidget.setTabOrder(previous, editor)
            previous = editor
        if previous is not None:
            QWidget.setTabOrder(previous, self.save_button)
        # rows keep their height; the space left over goes below the last one
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(len(keys) + 1, 1)
        self.retranslate()

    def _id_type_box(self) -> QComboBox:
        box = QComboBox()
        for id_type in IdType:
            box.addItem(i18n.pick(ID_TYPE_TEXT[id_type]), id_type.value)
        return box

    # -- loading ----------------------------------------------------------------------

    def open_case(self, case: CaseView) -> None:
        super().open_case(case)
        self.reasons_now = list(case.reasons)
        self.last_result = None
        self.loaded = None
        self._audited_case = None  # a new opening: its display of the full ID is audited again
        self._clear_fields()
        self.result.clear()
        self.load_form()

    def clear(self) -> None:
        super().clear()
        self.loaded = None
        self._clear_fields()
        self.result.clear()
        self._update_buttons()

    def load_form(self, reapply: dict[str, str] | None = None) -> None:
        """Read the customer as stored; ``reapply`` the clerk's own edits on top."""
        case = self.case
        if case is None:
            return
        db, actor, known_base = self.session.db, self.session.actor, self.base_date
        audit = self._audited_case != case.id

        def work(job: ops.Job) -> tuple[CustomerForm, int, date]:
            if audit:
                # the form shows the full ID number (the clerk works with it): on the record,
                # once per opening, and only for the case this user holds (reveal_full checks)
                reveal_full(
                    db,
                    actor.username,
                    "capital_account",
                    case.capital_account,
                    "id_number",
                    case_id=case.id,
                )
            form, customer_version, _account_version = form_of(db, actor, case.id)
            return form, customer_version, known_base or screening_base_date(db)

        self._pending_reapply = reapply
        ops.run_in_background(self, work, self._loaded)

    def _loaded(self, loaded: tuple[CustomerForm, int, date]) -> None:
        form, version, base = loaded
        if self.case is not None:
            self._audited_case = self.case.id
        self.base_date = base
        self.customer_version = version
        self.loaded = form
        if set(self.fields) != set(form_values(form)):
            self._build_fields(form)  # another case, or its securities accounts changed
        self._fill(form)
        reapply, self._pending_reapply = self._pending_reapply, None
        if reapply:
            self._apply_values(reapply)
            self.validate()
            self.save()
        self._update_buttons()

    def _fill(self, form: CustomerForm) -> None:
        self._apply_values(form_values(form))
        self._show_old_values()
        self.validate()

    def _apply_values(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            f = self.fields.get(key)
            if f is None:
                continue
            editor = f.editor
            editor.blockSignals(True)
            if isinstance(editor, QLineEdit):
                editor.setText(value)
            elif isinstance(editor, QCheckBox):
                editor.setChecked(value == "Y")
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            editor.blockSignals(False)

    def _show_old_values(self) -> None:
        if self.loaded is None:
            return
        for key, value in form_values(self.loaded).items():
            f = self.fields.get(key)
            if f is None:
                continue
            if key == "has_paper_file":
                value = self.tr("yes") if value == "Y" else self.tr("no")
            elif key == "id_type":
                value = i18n.pick(ID_TYPE_TEXT[IdType(value)])
            f.old.setText(value or self.tr("(empty)"))

    # -- the form's values ------------------------------------------------------------

    def current_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for key, f in self.fields.items():
            editor = f.editor
            if isinstance(editor, QLineEdit):
                values[key] = editor.text()
            elif isinstance(editor, QCheckBox):
                values[key] = "Y" if editor.isChecked() else "N"
            elif isinstance(editor, QComboBox):
                values[key] = str(editor.currentData())
        return values

    def current_form(self) -> CustomerForm:
        assert self.loaded is not None
        values = self.current_values()
        return CustomerForm(
            name=values["name"],
            id_type=IdType(values["id_type"]),
            id_number=values["id_number"],
            phone=values["phone"],
            address=values["address"],
            has_paper_file=values["has_paper_file"] == "Y",
            securities=[
                replace(
                    sec,
                    holder_name=values[holder_field(sec.account_no, HOLDER_NAME)],
                    holder_id_number=values[holder_field(sec.account_no, HOLDER_ID)],
                )
                for sec in self.loaded.securities
            ],
        )

    def edited_fields(self) -> dict[str, str]:
        """The fields the clerk changed since the form was loaded, with their values."""
        if self.loaded is None:
            return {}
        original = form_values(self.loaded)
        return {k: v for k, v in self.current_values().items() if original.get(k) != v}

    # -- live validation --------------------------------------------------------------

    def _edited(self, *_args: object) -> None:
        self.validate()
        self._update_buttons()

    def validate(self) -> dict[str, tuple[str, str]]:
        if self.loaded is None or self.base_date is None:
            return {}
        messages = validate_form(self.current_form(), self.base_date)
        for key, f in self.fields.items():
            message = messages.get(key)
            if message is None:
                f.message.setStyleSheet(_OK_STYLE)
                f.message.setText("✓")
            else:
                f.message.setStyleSheet(_ERROR_STYLE)
                f.message.setText(i18n.pick(message))
        return messages

    def _update_buttons(self) -> None:
        loaded = self.loaded is not None and not self._saving
        dirty = bool(self.edited_fields())
        clean = not set(self.reasons_now) & BLOCKING
        self.save_button.setEnabled(loaded)
        self.forward_button.setEnabled(loaded and not dirty and clean)
        self.print_button.setEnabled(loaded and not dirty)
        self.release_button.setEnabled(self.case is not None)
        self.cancel_button.setEnabled(self.case is not None)

    # -- saving -----------------------------------------------------------------------

    def save(self) -> None:
        case = self.case
        if case is None or self.loaded is None or self._saving:
            return
        db, actor, form, version = (
            self.session.db,
            self.session.actor,
            self.current_form(),
            self.customer_version,
        )
        self._saving = True
        self._update_buttons()

        def done() -> None:
            self._saving = False
            self._update_buttons()

        ops.run_in_background(
            self,
            lambda job: save_data(db, actor, case.id, form, version),
            self._saved,
            self._save_failed,
            on_finally=done,
        )

    def _saved(self, result: SaveResult) -> None:
        self.reasons_now = list(result.after_reasons)
        self.last_result = result
        cleared = [r for r in result.before_reasons if r not in result.after_reasons]
        remaining = [r for r in result.after_reasons if r in BLOCKING]
        lines = []
        if not result.changes:
            lines.append(self.tr("Nothing changed; the account was screened again."))
        if cleared:
            lines.append(
                self.tr("Cleared:")
                + " "
                + self.tr("; ").join(i18n.pick(REASON_TEXT[r]) for r in cleared)
            )
        if remaining:
            lines.append(
                "<span style='color:#b00020'>"
                + self.tr("Still to fix:")
                + " "
                + self.tr("; ").join(i18n.pick(REASON_TEXT[r]) for r in remaining)
                + "</span>"
            )
        else:
            lines.append(
                "<span style='color:#1b5e20'>"
                + self.tr("Nothing left to fix: the case can go on to signing (Ctrl+Enter).")
                + "</span>"
            )
        self.result.setText("<br>".join(lines))
        if self.case is not None:
            self.case = replace(
                self.case, reasons=list(result.after_reasons), account_class=result.account_class
            )
            self.show_header()
        self.message.emit(self.tr("Saved."))
        self.load_form()

    def _save_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CustomerChanged):
            self.resolve_conflict(exc)
            return
        errors.show_error(self, exc)

    def resolve_conflict(self, exc: CustomerChanged) -> None:
        mine = self.edited_fields()
        dialog = ConflictDialog(self, exc.fields, set(mine))
        modal.run_modal(dialog)
        choice = dialog.choice
        dialog.deleteLater()
        if choice == KEEP_MINE:
            self.message.emit(self.tr("Your changes are applied on top of the saved data."))
            self.load_form(reapply=mine)
        else:
            self.message.emit(self.tr("The data saved by the other person are shown."))
            self.load_form()

    # -- moving on --------------------------------------------------------------------

    def forward(self) -> None:
        case = self.case
        if case is None or not self.forward_button.isEnabled():
            return
        db, actor = self.session.db, self.session.actor
        ops.run_in_background(self, lambda job: forward_to_signing(db, actor, case.id), self.moved)

    def print_change_form(self) -> None:
        case = self.case
        if case is None or not self.print_button.isEnabled():
            return
        db, actor, lang = self.session.db, self.session.actor, i18n.lang_code()
        before = self.last_result
        cleared = (
            [r for r in before.before_reasons if r not in before.after_reasons]
            if before is not None
            else []
        )

        def work(job: ops.Job) -> bytes | None:
            data = change_form_data(db, actor, case.id, lang, cleared)
            if not data.changes:
                return None
            return render_change_form(data)

        ops.run_in_background(self, work, self._show_change_form)

    def _show_change_form(self, pdf: bytes | None) -> None:
        if pdf is None:
            self.message.emit(
                self.tr("No data were changed in this case yet: there is no change form to print.")
            )
            return
        dialog = DocumentDialog(self, self.tr("Data change form"), pdf)
        modal.run_modal(dialog)
        dialog.deleteLater()


def form_values(form: CustomerForm) -> dict[str, str]:
    """The form as field key -> text, as the editors hold it (not cleaned)."""
    values = {
        "name": form.name,
        "id_type": IdType(form.id_type).value,
        "id_number": form.id_number,
        "phone": form.phone,
        "address": form.address,
        "has_paper_file": "Y" if form.has_paper_file else "N",
    }
    for sec in form.securities:
        values[holder_field(sec.account_no, HOLDER_NAME)] = sec.holder_name
        values[holder_field(sec.account_no, HOLDER_ID)] = sec.holder_id_number
    return values
