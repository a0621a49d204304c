"""Recognising a barcode scanner among the keystrokes, wherever the focus is.

A USB barcode scanner is a keyboard: it "types" the code and presses Enter. What
tells it from a person is speed: it sends its characters a few milliseconds apart
(typically 2–15 ms), while the fastest typists leave 60 ms or more between keys.

The heuristic (``ScannerFilter``):

* Every printable key press (no Ctrl/Alt) delivered to the focused widget is appended
  to a buffer with its arrival time. A gap of more than ``max_gap_ms`` (30 ms) since the
  previous key starts a new buffer: a person's typing never builds one up.
* Enter or Return arriving within ``max_gap_ms`` of the last character, with at least
  ``min_length`` (6) characters in the buffer, is a scan: the Enter is swallowed (it
  would otherwise submit whatever form has the focus) and ``scanned(code)`` is emitted.
* The scanned characters have already reached the focused widget. When that is a line
  edit whose text ends with the code, the code is taken out again, so a scan into a
  form field leaves the field as it was. (Multi-line editors keep them: ``Enter``
  there is part of the text, and they are not where scanning happens.)
* Auto-repeat keys (a key held down) never count as a scan.

Only events whose receiver is the application's focus widget are looked at: a key
event that a child ignores is delivered again to its parents, and must not count twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

MAX_GAP_MS = 30.0
MIN_LENGTH = 6
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_MODIFIERS_THAT_ARE_NOT_TYPING = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


class ScannerFilter(QObject):
    """An application-wide event filter that spots scanner input (see the module doc).

    Signals:
        scanned(str): a code a scanner typed, Enter not included.
    """

    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_gap_ms: float = MAX_GAP_MS,
        min_length: int = MIN_LENGTH,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.max_gap_ms = max_gap_ms
        self.min_length = min_length
        self._clock = clock
        self._buffer: list[str] = []
        self._last = 0.0
        self.enabled = True

    def install(self) -> None:
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not self.enabled:
            return False
        if watched is not QApplication.focusWidget():
            return False
        assert isinstance(event, QKeyEvent)
        return self._key(watched, event)

    def _key(self, watched: QObject, event: QKeyEvent) -> bool:
        now = self._clock() * 1000.0
        gap = now - self._last
        self._last = now
        if event.isAutoRepeat() or event.modifiers() & _MODIFIERS_THAT_ARE_NOT_TYPING:
            self._buffer.clear()
            return False
        if event.key() in _ENTER_KEYS:
            code = "".join(self._buffer)
            self._buffer.clear()
            if gap <= self.max_gap_ms and len(code.strip()) >= self.min_length:
                self._take_back(watched, code)
                self.scanned.emit(code.strip())
                return True
            return False
        text = event.text()
        if not text or not text.isprintable():
            self._buffer.clear()
            return False
        if gap > self.max_gap_ms:
            self._buffer.clear()
        self._buffer.append(text)
        return False

    @staticmethod
    def _take_back(widget: QObject, code: str) -> None:
        """Remove the scanned code from the line edit it was typed into."""
        if isinstance(widget, QLineEdit) and not widget.isReadOnly():
            current = widget.text()
            if current.endswith(code):
                widget.setText(current[: -len(code)])
