"""The two kinds of failure: the user's problem, and ours.

A ``UserError`` is something a clerk or the IT person can act on (a bad file, a
locked or unreachable database, a refused action); its message is shown as is.
Anything else is a bug and is reported as one.

The message is English (``str(err)``: the command line, logs, tests); the screens are
Chinese by default, so an error may carry its Chinese text too (``zh=``), and
:meth:`UserError.text_for` picks the one for the language on screen.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the person can fix; ``str(err)`` is the (English) message for them.

    Attributes:
        message_zh: the same message in Chinese, or None when there is none.
    """

    exit_code = 2

    def __init__(self, message: str = "", *, zh: str | None = None) -> None:
        super().__init__(message)
        self.message_zh = zh

    def english(self) -> str:
        """The English message (subclasses whose ``str`` holds more override this)."""
        return str(self)

    def text_for(self, lang: str) -> str:
        """The message in ``lang`` ("zh", "zh_CN", … or "en"): Chinese when there is one."""
        if lang.lower().startswith("zh") and self.message_zh:
            return self.message_zh
        return self.english()


class NotFound(UserError):
    """The thing asked for does not exist."""

    exit_code = 3


class Refused(UserError):
    """The rules do not allow this action; the message says why."""

    exit_code = 4


class StaleEdit(UserError):
    """Someone else changed the record since it was read; nothing was written."""

    exit_code = 5
