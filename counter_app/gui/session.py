"""Who is signed in, to which database: handed explicitly to the widgets that need it.

There is no global registry: a widget gets the ``AppSession`` in its constructor,
so a test builds one with any user and database it likes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from counter_app.db.engine import Database
from counter_app.domain.codes import Role
from counter_app.services.users import UserView, can, can_view


@dataclass(frozen=True)
class AppSession:
    db: Database
    user: UserView

    @property
    def actor(self) -> UserView:
        """The user as the core's use cases take them."""
        return self.user

    @property
    def username(self) -> str:
        return self.user.username

    def can(self, post: Role) -> bool:
        """May the user act at ``post`` (claim, move cases)?"""
        return can(self.user, post)

    def can_view(self, post: Role) -> bool:
        """May the user see the queue of ``post``?"""
        return can_view(self.user, post)

    def has_role(self, role: Role) -> bool:
        return self.user.active and role in self.user.roles

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)

    @property
    def is_supervisor(self) -> bool:
        return self.has_role(Role.SUPERVISOR)

    def with_user(self, user: UserView) -> AppSession:
        return replace(self, user=user)

    @property
    def database_kind(self) -> str:
        """``"local"`` (a SQLite file on this machine) or ``"shared"`` (the server)."""
        return "local" if self.db.is_sqlite else "shared"
