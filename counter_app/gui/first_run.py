"""The first run of a brand-new database: create the first administrator, and if wanted
load the demo branch. There is no built-in account or password."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.db.engine import Database
from counter_app.domain.codes import Role
from counter_app.gui import errors, i18n, ops
from counter_app.services.demo import load_demo
from counter_app.services.demo_data import DEFAULT_ACCOUNTS
from counter_app.services.importer import ImportSummary
from counter_app.services.users import (
    MIN_PASSWORD_LENGTH,
    UserView,
    create_first_admin,
    set_roles,
)

ALL_POSTS = frozenset(
    {
        Role.DIVERSION,
        Role.DATA_FILLING,
        Role.SIGNING,
        Role.AUDIT,
        Role.BANK_POSTING,
        Role.SUPERVISOR,
        Role.ADMINISTRATOR,
    }
)


class FirstRunDialog(QDialog):
    """Creates the first administrator (and demo data).

    Signals:
        done_with(str): the administrator's username; the setup is finished.
        database_requested(): the person wants to choose another database ("Database…").
    """

    done_with = Signal(str)
    database_requested = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.task: ops.Task | None = None
        self.admin: UserView | None = None
        self.setMinimumWidth(520)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.database = QLabel(db.display_name)
        self.database.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("displayName")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setObjectName("password2")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.all_posts = QCheckBox()
        self.all_posts.setObjectName("allPosts")
        self.demo = QCheckBox()
        self.demo.setObjectName("loadDemo")
        self.demo_accounts = QSpinBox()
        self.demo_accounts.setRange(10, 1_000_000)
        self.demo_accounts.setSingleStep(1000)
        self.demo_accounts.setValue(DEFAULT_ACCOUNTS)
        self.demo_accounts.setGroupSeparatorShown(True)
        self.demo_accounts.setEnabled(False)
        self.demo.toggled.connect(self.demo_accounts.setEnabled)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setObjectName("firstRunMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.create_button = QPushButton()
        self.create_button.setObjectName("createButton")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create_administrator)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self._cancel)
        self.database_button = QPushButton()
        self.database_button.setObjectName("databaseButton")
        self.database_button.setAutoDefault(False)
        self.database_button.clicked.connect(self.database_requested)
        self.language = i18n.make_language_box()

        self.labels = [QLabel() for _ in range(6)]
        form = QFormLayout()
        for label, field in zip(
            self.labels,
            (
                self.database,
                self.username,
                self.display_name,
                self.password,
                self.password2,
                self.language,
            ),
            strict=True,
        ):
            label.setBuddy(field)
            form.addRow(label, field)
        demo_row = QHBoxLayout()
        demo_row.addWidget(self.demo)
        demo_row.addWidget(self.demo_accounts)
        demo_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.database_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.all_posts)
        layout.addLayout(demo_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("counter_app: first run"))
        self.intro.setText(
            self.tr(
                "This database has no users yet. Create the first administrator: the person "
                "who adds the other users and gives them their posts. There is no built-in "
                "password; choose one of at least {n} characters."
            ).format(n=MIN_PASSWORD_LENGTH)
        )
        texts = (
            self.tr("Database:"),
            self.tr("&Username:"),
            self.tr("&Name shown:"),
            self.tr("&Password:"),
            self.tr("&Again:"),
            self.tr("&Language:"),
        )
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.all_posts.setText(self.tr("This administrator also works at every counter post"))
        self.demo.setText(self.tr("Load &demo data, accounts:"))
        self.create_button.setText(self.tr("&Create"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.database_button.setText(self.tr("Data&base…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def create_administrator(self) -> None:
        if self.task is not None:
            return
        if self.password.text() != self.password2.text():
            self.message.setText(self.tr("The two passwords differ."))
            self.password2.setFocus()
            return
        db = self.db
        username, name, password = (
            self.username.text(),
            self.display_name.text(),
            self.password.text(),
        )
        all_posts = self.all_posts.isChecked()

        def work(job: ops.Job) -> UserView:
            admin = create_first_admin(db, username, name, password)
            if all_posts:
                admin = set_roles(db, admin, admin.username, ALL_POSTS)
            return admin

        self.message.clear()
        self._set_busy(True)
        self.task = ops.run_in_background(
            self, work, self._created, self._failed, on_finally=self._task_ended
        )

    def _task_ended(self) -> None:
        self.task = None

    def _set_busy(self, busy: bool) -> None:
        for widget in (
            self.username,
            self.display_name,
            self.password,
            self.password2,
            self.all_posts,
            self.demo,
            self.demo_accounts,
            self.create_button,
            self.database_button,
        ):
            widget.setEnabled(not busy)
        if not busy:
            self.demo_accounts.setEnabled(self.demo.isChecked())

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if errors.is_user_problem(exc):
            self.message.setText(errors.user_message(exc))
        else:
            errors.show_error(self, exc)

    def _created(self, admin: UserView) -> None:
        self.admin = admin
        if not self.demo.isChecked():
            self._finish()
            return
        db, count = self.db, self.demo_accounts.value()
        self.progress.setVisible(True)
        self.progress.setValue(0)
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Loading the demo branch…"))

        def work(job: ops.Job) -> ImportSummary:
            return load_demo(db, accounts=count, progress=job.progress, operator=admin.username)

        self.task = ops.run_in_background(
            self,
            work,
            lambda _summary: self._finish(),
            self._demo_failed,
            progress=self._progress,
            on_finally=self._task_ended,
        )

    def _progress(self, done: int, fraction: float | None) -> None:
        self.progress.setValue(int((fraction or 0) * 1000))
        self.message.setText(self.tr("Loading the demo branch… {n} accounts").format(n=f"{done:,}"))

    def _demo_failed(self, exc: BaseException) -> None:
        # the administrator exists; the demo load was rolled back whole
        self.message.setText(self.tr("The demo data was not loaded."))
        if not isinstance(exc, ops.Cancelled):
            errors.show_error(self, exc)
        self._finish()

    def _finish(self) -> None:
        assert self.admin is not None
        self.done_with.emit(self.admin.username)
        self.accept()

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()  # a cancelled demo load still ends in _finish
            return
        self.reject()
