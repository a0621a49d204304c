"""A printed document shown before it goes to the printer (the data change form)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_app.gui import pdf_view


class DocumentDialog(QDialog):
    """The PDF, a Print button (print dialog) and Close; ``printed`` counts pages sent."""

    def __init__(self, parent: QWidget | None, title: str, pdf: bytes) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 900)
        self.title = title
        self.printed = 0
        self.preview = pdf_view.PdfPreview(self)
        self.preview.show_pdf(pdf)
        self.status = QLabel()
        self.print_button = QPushButton(self.tr("&Print…"))
        self.print_button.setObjectName("printButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_now)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def print_now(self) -> None:
        task = pdf_view.print_pdf(self, self.preview.pdf, self.title, self._printed)
        if task is not None:
            self.print_button.setEnabled(False)
            self.status.setText(self.tr("Printing…"))

    def _printed(self, pages: int) -> None:
        self.printed += pages
        self.print_button.setEnabled(True)
        self.status.setText(self.tr("{n} page(s) sent to the printer.").format(n=pages))
