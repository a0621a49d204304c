"""Plain-text tables that line up with Chinese text in a terminal, and progress lines."""

from __future__ import annotations

import sys
import time
import unicodedata
from collections.abc import Sequence
from typing import TextIO


def display_width(text: str) -> int:
    """Columns a terminal uses: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, align: str = "<") -> str:
    gap = max(0, width - display_width(text))
    return text + " " * gap if align == "<" else " " * gap + text


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str] | None = None
) -> str:
    align = align or ["<"] * len(headers)
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    rule = "  ".join("-" * w for w in widths)
    lines = ["  ".join(pad(h, w, a) for h, w, a in zip(headers, widths, align, strict=True))]
    lines.append(rule)
    for row in rows:
        lines.append("  ".join(pad(c, w, a) for c, w, a in zip(row, widths, align, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


class Progress:
    """Progress on stderr: a live line on a terminal, a line every few seconds otherwise."""

    def __init__(self, label: str, stream: TextIO | None = None, every_s: float = 2.0) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.every_s = 0.2 if self.tty else every_s
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, fraction: float | None) -> None:
        now = time.monotonic()
        if now - self._last < self.every_s:
            return
        self._last = now
        percent = f" ({fraction:.0%})" if fraction is not None else ""
        text = f"{self.label}: {done:,} rows{percent}"
        if self.tty:
            self.stream.write("\r" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()
