"""Users: the first administrator, signing in and lockout, administration, roles."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from counter_app.db.engine import Database
from counter_app.db.models import User
from counter_app.domain.codes import Role
from counter_app.errors import NotFound, Refused, UserError
from counter_app.services import users
from counter_app.services.settings import set_setting
from counter_app.services.users import AuthFailed, UserView

T0 = datetime(2025, 7, 1, 9, 0)
PASSWORD = "correct horse 1"


@pytest.fixture
def admin(db: Database) -> UserView:
    assert not users.has_users(db)
    created = users.create_first_admin(db, " Admin ", "管理员", PASSWORD, now=T0)
    assert users.has_users(db)
    return created


def _stored(db: Database, username: str) -> User:
    with db.read() as session:
        return session.execute(select(User).where(User.username == username)).scalar_one()


def test_first_run_creates_the_first_administrator_once(db: Database, admin: UserView) -> None:
    assert (admin.username, admin.display_name, admin.roles) == (
        "admin",
        "管理员",
        frozenset({Role.ADMINISTRATOR}),
    )
    stored = _stored(db, "admin")
    assert stored.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored.password_hash
    with pytest.raises(Refused, match="already exist"):
        users.create_first_admin(db, "second", "第二", PASSWORD)
    assert [u.username for u in users.list_users(db)] == ["admin"]


def test_password_rules(db: Database) -> None:
    with pytest.raises(UserError, match="at least 8"):
        users.create_first_admin(db, "admin", "管理员", "short1")
    with pytest.raises(UserError, match="username"):
        users.create_first_admin(db, "  ", "管理员", PASSWORD)
    assert not users.has_users(db)


def test_sign_in_and_the_same_message_for_unknown_users(db: Database, admin: UserView) -> None:
    signed_in = users.authenticate(db, "ADMIN", PASSWORD, now=T0)
    assert signed_in.id == admin.id
    with pytest.raises(AuthFailed) as wrong:
        users.authenticate(db, "admin", "wrong password", now=T0)
    with pytest.raises(AuthFailed) as unknown:
        users.authenticate(db, "nobody", "wrong password", now=T0)
    assert str(wrong.value) == str(unknown.value) == "wrong username or password"
    assert _stored(db, "admin").failed_logins == 1
    users.authenticate(db, "admin", PASSWORD, now=T0)
    assert _stored(db, "admin").failed_logins == 0


def test_five_failures_lock_the_user_for_fifteen_minutes(db: Database, admin: UserView) -> None:
    for attempt in range(5):
        with pytest.raises(AuthFailed, match="wrong username or password"):
            users.authenticate(db, "admin", f"bad {attempt}", now=T0 + timedelta(minutes=attempt))
    locked_at = T0 + timedelta(minutes=4)
    assert _stored(db, "admin").locked_until == locked_at + timedelta(minutes=15)
    # locked: even the right password is refused, and the lock does not grow
    with pytest.raises(AuthFailed, match="until 09:19"):
        users.authenticate(db, "admin", PASSWORD, now=locked_at + timedelta(minutes=14))
    with pytest.raises(AuthFailed, match="until 09:19"):
        users.verify_password(db, "admin", "bad", now=locked_at + timedelta(minutes=14))
    assert _stored(db, "admin").locked_until == locked_at + timedelta(minutes=15)
    # after the period the right password works again and clears the count
    view = users.authenticate(
        db, "admin", PASSWORD, now=locked_at + timedelta(minutes=15, seconds=1)
    )
    assert view.locked_until is None
    stored = _stored(db, "admin")
    assert (stored.failed_logins, stored.locked_until) == (0, None)
    actions = _audit_actions(db)
    assert actions.count("user.login_failed") == 5
    assert actions[-1] == "user.login"


def test_lockout_limits_are_settings(db: Database, admin: UserView) -> None:
    with db.write() as session:
        set_setting(session, users.LOGIN_MAX_FAILURES, "2")
        set_setting(session, users.LOGIN_LOCK_MINUTES, "1")
    for _ in range(2):
        with pytest.raises(AuthFailed):
            users.authenticate(db, "admin", "bad password", now=T0)
    with pytest.raises(AuthFailed, match="locked"):
        users.authenticate(db, "admin", PASSWORD, now=T0 + timedelta(seconds=30))
    users.authenticate(db, "admin", PASSWORD, now=T0 + timedelta(minutes=2))


def test_unlocking_an_idle_session_counts_failures_too(db: Database, admin: UserView) -> None:
    for _ in range(4):
        with pytest.raises(AuthFailed):
            users.verify_password(db, "admin", "bad password", now=T0)
    with pytest.raises(AuthFailed):
        users.authenticate(db, "admin", "bad password", now=T0)
    with pytest.raises(AuthFailed, match="locked"):
        users.verify_password(db, "admin", PASSWORD, now=T0)
    assert users.verify_password(db, "admin", PASSWORD, now=T0 + timedelta(hours=1)).id == admin.id
    assert _audit_actions(db)[-1] == "user.unlock"


def test_old_hash_parameters_are_upgraded_on_sign_in(db: Database, admin: UserView) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with db.write() as session:
        session.execute(select(User).where(User.id == admin.id)).scalar_one().password_hash = weak
    users.authenticate(db, "admin", PASSWORD, now=T0)
    assert _stored(db, "admin").password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_administration(db: Database, admin: UserView) -> None:
    clerk = users.add_user(
        db, admin, "Clerk", "张三", PASSWORD, [Role.DIVERSION, Role.DATA_FILLING], now=T0
    )
    assert clerk.username == "clerk"
    assert clerk.must_change_password
    assert clerk.roles == frozenset({Role.DIVERSION, Role.DATA_FILLING})
    with pytest.raises(Refused, match="already taken"):
        users.add_user(db, admin, "clerk", "重名", PASSWORD, [])
    # only an administrator manages users
    with pytest.raises(Refused, match="not an administrator"):
        users.add_user(db, clerk, "x", "x", PASSWORD, [Role.AUDIT])
    with pytest.raises(Refused, match="not an administrator"):
        users.reset_password(db, clerk, "admin", "new password 1")
    with pytest.raises(Refused, match="not an administrator"):
        users.set_roles(db, clerk, "clerk", [Role.ADMINISTRATOR])
    with pytest.raises(NotFound):
        users.set_active(db, admin, "ghost", False)

    changed = users.set_roles(db, admin, "clerk", [Role.AUDIT])
    assert changed.roles == frozenset({Role.AUDIT})

    # reset: the old password stops working, a lock is lifted, a change is required
    for _ in range(5):
        with pytest.raises(AuthFailed):
            users.authenticate(db, "clerk", "bad password", now=T0)
    users.reset_password(db, admin, "clerk", "temporary 123")
    with pytest.raises(AuthFailed):
        users.authenticate(db, "clerk", PASSWORD, now=T0)
    signed_in = users.authenticate(db, "clerk", "temporary 123", now=T0)
    assert signed_in.must_change_password
    with pytest.raises(AuthFailed, match="current password"):
        users.change_password(db, signed_in, "wrong one", "my own password")
    assert not users.change_password(
        db, signed_in, "temporary 123", "my own password"
    ).must_change_password
    users.authenticate(db, "clerk", "my own password", now=T0)

    # disabled users cannot sign in, whatever the password
    users.set_active(db, admin, "clerk", False)
    with pytest.raises(AuthFailed, match="disabled"):
        users.authenticate(db, "clerk", "my own password", now=T0)
    with pytest.raises(AuthFailed, match="wrong username or password"):
        users.authenticate(db, "clerk", "bad password", now=T0)
    assert [(u.username, u.active) for u in users.list_users(db)] == [
        ("admin", True),
        ("clerk", False),
    ]
    actions = _audit_actions(db)
    for action in (
        "user.add",
        "user.set_roles",
        "user.reset_password",
        "user.set_active",
        "user.change_password",
    ):
        assert action in actions


def test_the_last_administrator_stays(db: Database, admin: UserView) -> None:
    with pytest.raises(Refused, match="last active administrator"):
        users.set_roles(db, admin, "admin", [Role.SUPERVISOR])
    with pytest.raises(Refused, match="last active administrator"):
        users.set_active(db, admin, "admin", False)
    second = users.add_user(db, admin, "it", "IT", PASSWORD, [Role.ADMINISTRATOR])
    users.set_roles(db, admin, "admin", [Role.SUPERVISOR])
    # the first admin's GUI session no longer administers
    with pytest.raises(Refused, match="not an administrator"):
        users.add_user(db, admin, "y", "y", PASSWORD, [])
    assert users.get_user(db, "it").id == second.id


def test_can_is_exactly_the_role() -> None:
    def view(*roles: Role, active: bool = True) -> UserView:
        return UserView(1, "u", "U", frozenset(roles), active, None)

    posts = sorted(users.POSTS)
    for post in posts:
        assert users.can(view(post), post)
        assert not users.can(view(Role.ADMINISTRATOR), post)
        assert not users.can(view(Role.SUPERVISOR), post)
        assert users.can_view(view(Role.SUPERVISOR), post)
        assert not users.can_view(view(Role.ADMINISTRATOR), post)
        assert not users.can(view(post, active=False), post)
        for other in posts:
            assert users.can(view(other), post) == (other is post)


def _audit_actions(db: Database) -> list[str]:
    from counter_app.db.models import AuditEntry

    with db.read() as session:
        return list(
            session.execute(
                select(AuditEntry.action).where(AuditEntry.entity == "user").order_by(AuditEntry.id)
            ).scalars()
        )
