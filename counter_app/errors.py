"""The two kinds of failure: the user's problem, and ours.

A ``UserError`` is something a clerk or the IT person can act on (a bad file, a
locked or unreachable database, a refused action); its message is shown as is.
Anything else is a bug and is reported as one.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the person can fix; ``str(err)`` is the message for them."""

    exit_code = 2


class NotFound(UserError):
    """The thing asked for does not exist."""

    exit_code = 3


class Refused(UserError):
    """The rules do not allow this action; the message says why."""

    exit_code = 4


class StaleEdit(UserError):
    """Someone else changed the record since it was read; nothing was written."""

    exit_code = 5
