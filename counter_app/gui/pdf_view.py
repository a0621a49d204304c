"""Showing a PDF in the window (QtPdf) and printing it (QPrinter and the print dialog).

The core renders documents to PDF bytes; this module only displays and prints them, so
what is previewed is exactly what is printed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QLabel, QStackedLayout, QWidget

from counter_app.gui import ops

PRINT_DPI = 300


class PdfPreview(QWidget):
    """A PDF shown page after page, fitted to the width; a text when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("pdfView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self._layout = QStackedLayout(self)
        self._layout.addWidget(self.placeholder)
        self._layout.addWidget(self.view)
        self._buffer: QBuffer | None = None
        self._bytes = b""

    @property
    def pdf(self) -> bytes:
        return self._bytes

    def show_pdf(self, pdf: bytes) -> None:
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer  # QPdfDocument reads from it for as long as it is shown
        self._bytes = pdf
        self._layout.setCurrentWidget(self.view)

    def show_text(self, text: str) -> None:
        self.document.close()
        self._bytes = b""
        self.placeholder.setText(text)
        self._layout.setCurrentWidget(self.placeholder)

    def page_count(self) -> int:
        return int(self.document.pageCount())


def ask_printer(parent: QWidget | None, title: str) -> QPrinter | None:
    """The print dialog; the chosen printer, or None when the person cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return printer


def print_document(pdf: bytes, printer: QPrinter, job: ops.Job | None = None) -> int:
    """Print every page of ``pdf`` on ``printer``; returns the pages printed.

    Runs on a worker thread (QPainter may paint on a QPrinter there): each page is
    rasterized at ``PRINT_DPI`` at most, which keeps text crisp without the gigabyte
    images a 1200 dpi printer resolution would need, and fitted to the printable area.
    """
    with tempfile.TemporaryDirectory(prefix="counter_app_print_") as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        document = QPdfDocument()
        if document.load(str(path)) != QPdfDocument.Error.None_:
            return 0
        try:
            return _paint(document, printer, job)
        finally:
            document.close()


def _paint(document: QPdfDocument, printer: QPrinter, job: ops.Job | None) -> int:
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    printed = 0
    try:
        dpi = min(printer.resolution(), PRINT_DPI)
        area = QRectF(printer.pageLayout().paintRectPixels(printer.resolution()))
        area.moveTo(0, 0)
        for page in range(document.pageCount()):
            if job is not None:
                job.progress(page, page / max(1, document.pageCount()))
            if page:
                printer.newPage()
            points = document.pagePointSize(page)
            size = QSize(int(points.width() / 72 * dpi), int(points.height() / 72 * dpi))
            image: QImage = document.render(page, size)
            target = QSizeF(image.size()).scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRectF(area.topLeft(), target), image)
            printed += 1
    finally:
        painter.end()
    return printed


def print_pdf(
    parent: QWidget, pdf: bytes, title: str, on_done: Callable[[int], None]
) -> ops.Task | None:
    """Ask for a printer, then print ``pdf`` off the GUI thread; ``on_done(pages)``.

    None when the person cancelled the print dialog (or there is nothing to print).
    """
    if not pdf:
        return None
    printer = ask_printer(parent, title)
    if printer is None:
        return None
    return ops.run_in_background(parent, lambda job: print_document(pdf, printer, job), on_done)
