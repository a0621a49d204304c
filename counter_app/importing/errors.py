"""The one exception of the importing package (re-exported by reader.py)."""

from __future__ import annotations

from counter_app.errors import UserError


class FileRefused(UserError):
    """The whole file cannot be read; nothing of it may be imported.

    A ``UserError``: the person can act on it (the command line shows the message,
    exit code 2, instead of a traceback).

    Attributes:
        message: what is wrong, for people, in English (``str(exc)`` is the same).
        reason_code: a short stable code for programs and translations: ``unreadable``,
            ``empty``, ``file_type``, ``encoding``, ``binary``, ``no_header``,
            ``missing_columns``, ``duplicate_column``, ``malformed_csv``, ``bad_xlsx``.
    """

    def __init__(self, message: str, reason_code: str, *, zh: str | None = None) -> None:
        super().__init__(message, zh=zh)
        self.message = message
        self.reason_code = reason_code
