"""Users, their roles, and signing in.

Decisions (see also ``can``):

- Passwords are hashed with argon2id, OWASP's minimum parameters (19 MiB memory,
  2 iterations, 1 lane); a hash made with older parameters is re-made on the next
  successful sign-in (``check_needs_rehash``). There is no built-in password: the
  first run asks for the first administrator (``create_first_admin``).
- ``LOGIN_MAX_FAILURES`` consecutive wrong passwords lock the user for
  ``LOGIN_LOCK_MINUTES`` (settings, default 5 and 15). Attempts while locked are
  refused without looking at the password and do not extend the lock; the count
  starts again after the lock. A wrong password and an unknown username get the same
  message. A locked user is told "locked until HH:MM" (this does say the username
  exists; within a branch the staff's usernames are no secret, and the lock message
  is what lets a clerk know to wait rather than keep trying).
- The actor of an administrator action is re-read from the database, so a role
  taken away (or a user disabled) takes effect at once, whatever the GUI still holds.
- At least one active administrator always remains: the last one cannot lose the
  role or be disabled.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from counter_app.db.engine import Database
from counter_app.db.models import User
from counter_app.domain.codes import Role
from counter_app.errors import NotFound, Refused, UserError
from counter_app.services.audit import AuditLog
from counter_app.services.settings import get_setting

# Settings keys (stored like the ones in services/settings.py; defaults below).
LOGIN_MAX_FAILURES = "login_max_failures"
LOGIN_LOCK_MINUTES = "login_lock_minutes"
DEFAULT_MAX_FAILURES = 5
DEFAULT_LOCK_MINUTES = 15

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
MAX_USERNAME_LENGTH = 64

#: OWASP Password Storage Cheat Sheet, argon2id: m=19456 KiB, t=2, p=1.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

#: Roles that grant a counter post (the others are supervision and administration).
POSTS: frozenset[Role] = frozenset(
    {Role.DIVERSION, Role.DATA_FILLING, Role.SIGNING, Role.AUDIT, Role.BANK_POSTING}
)

_BAD_CREDENTIALS = "wrong username or password"
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = HASHER.hash("counter_app: no such user")


class AuthFailed(UserError):
    """Signing in (or unlocking) failed; the message never says whether the user exists."""


@dataclass(frozen=True)
class UserView:
    """A user as the rest of the application sees them (never the password hash)."""

    id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    active: bool
    locked_until: datetime | None
    must_change_password: bool = False

    @property
    def label(self) -> str:
        """ "张三 (zhangsan)": how a person is named in messages."""
        return f"{self.display_name} ({self.username})"


def can(user: UserView, post: Role) -> bool:
    """May ``user`` *act* at ``post``? Only when they hold that very role.

    ADMINISTRATOR manages users and settings; it does not imply any counter post.
    SUPERVISOR does not act at posts either: it may *look* at every queue and case
    (``can_view``), release a claim another clerk left behind, and cancel any case.
    """
    return user.active and post in user.roles


def can_view(user: UserView, post: Role) -> bool:
    """May ``user`` see the queue of ``post``? The post's own role, or SUPERVISOR."""
    return user.active and (post in user.roles or Role.SUPERVISOR in user.roles)


def view_of_user(user: User) -> UserView:
    return UserView(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=parse_roles(user.roles),
        active=user.active,
        locked_until=user.locked_until,
        must_change_password=user.must_change_password,
    )


def parse_roles(stored: str) -> frozenset[Role]:
    return frozenset(Role(part) for part in stored.split(";") if part)


def _roles_text(roles: Iterable[Role]) -> str:
    return ";".join(sorted(Role(r).value for r in roles))


def normalize_username(username: str) -> str:
    """Usernames compare without case and surrounding spaces."""
    return username.strip().lower()


def _check_username(username: str) -> str:
    name = normalize_username(username)
    if not name:
        raise UserError("a username is required", zh="请填写用户名")
    if len(name) > MAX_USERNAME_LENGTH:
        raise UserError(
            f"a username has at most {MAX_USERNAME_LENGTH} characters",
            zh=f"用户名最多 {MAX_USERNAME_LENGTH} 个字符",
        )
    if any(ch.isspace() for ch in name):
        raise UserError("a username may not contain spaces", zh="用户名不能包含空格")
    return name


def _check_display_name(display_name: str) -> str:
    name = display_name.strip()
    if not name:
        raise UserError(
            "a display name is required (the name shown on cases and reports)",
            zh="请填写显示名称（显示在案件和报表上的姓名）",
        )
    if len(name) > 64:
        raise UserError("a display name has at most 64 characters", zh="显示名称最多 64 个字符")
    return name


def check_password_rules(password: str) -> None:
    """Raise UserError when ``password`` may not be used."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
            zh=f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(
            f"the password may have at most {MAX_PASSWORD_LENGTH} characters",
            zh=f"密码最多 {MAX_PASSWORD_LENGTH} 个字符",
        )
    if not password.strip():
        raise UserError("the password may not be only spaces", zh="密码不能全是空格")


def _hash(password: str) -> str:
    check_password_rules(password)
    return HASHER.hash(password)


def _get(session: Session, username: str, *, lock: bool = False) -> User | None:
    stmt = select(User).where(User.username == normalize_username(username))
    if lock:
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def _int_setting(session: Session, key: str, default: int) -> int:
    value = get_setting(session, key)
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _audit(
    session: Session,
    actor: str,
    action: str,
    key: str,
    *,
    at: datetime,
    before: object = None,
    after: object = None,
) -> None:
    with AuditLog(session) as audit:
        audit.record(
            actor=actor,
            action=action,
            entity="user",
            entity_key=key,
            before=before,
            after=after,
            at=at,
        )


# --- first run -----------------------------------------------------------------------


def has_users(db: Database) -> bool:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(User)).scalar_one() > 0


def create_first_admin(
    db: Database, username: str, display_name: str, password: str, *, now: datetime | None = None
) -> UserView:
    """Create the first user, an ADMINISTRATOR. Refused once any user exists."""
    name = _check_username(username)
    shown = _check_display_name(display_name)
    password_hash = _hash(password)
    now = now or datetime.now()
    with db.write() as session:
        if db.is_postgres:
            # two first runs at once: the second waits here, then sees the first's user
            session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))
        if session.execute(select(func.count()).select_from(User)).scalar_one():
            raise Refused(
                "users already exist: the first administrator was created before",
                zh="已有用户：首位管理员此前已创建",
            )
        user = User(
            username=name,
            display_name=shown,
            password_hash=password_hash,
            roles=_roles_text([Role.ADMINISTRATOR]),
            active=True,
            failed_logins=0,
            created_at=now,
        )
        session.add(user)
        session.flush()
        _audit(
            session,
            name,
            "user.create_first_admin",
            name,
            after={"display_name": shown, "roles": user.roles},
            at=now,
        )
        return view_of_user(user)


# --- signing in ----------------------------------------------------------------------


def authenticate(
    db: Database, username: str, password: str, now: datetime | None = None
) -> UserView:
    """Sign in. Raises AuthFailed (wrong credentials, locked, disabled)."""
    return _check_password(db, username, password, now or datetime.now(), "user.login")


def verify_password(
    db: Database, username: str, password: str, now: datetime | None = None
) -> UserView:
    """Unlock a session locked after idling: the same check and failure counting as
    ``authenticate``, recorded as an unlock."""
    return _check_password(db, username, password, now or datetime.now(), "user.unlock")


def _check_password(
    db: Database, username: str, password: str, now: datetime, action: str
) -> UserView:
    failure: AuthFailed | None = None
    result: UserView | None = None
    # The failure count must be committed even though the caller gets an exception:
    # the transaction ends first, then the exception is raised.
    with db.write() as session:
        user = _get(session, username, lock=True)
        if user is None:
            with contextlib.suppress(VerificationError):
                HASHER.verify(_DUMMY_HASH, password)
            failure = AuthFailed(_BAD_CREDENTIALS)
        elif user.locked_until is not None and user.locked_until > now:
            failure = AuthFailed(
                f"this user is locked after too many wrong passwords, until "
                f"{user.locked_until:%H:%M}; try again then or ask an administrator"
            )
        elif not _password_matches(user, password):
            failure = AuthFailed(_BAD_CREDENTIALS)
            _count_failure(session, user, now)
        elif not user.active:
            failure = AuthFailed("this user is disabled; ask an administrator")
        else:
            if HASHER.check_needs_rehash(user.password_hash):
                user.password_hash = HASHER.hash(password)
            user.failed_logins = 0
            user.locked_until = None
            session.flush()
            _audit(session, user.username, action, user.username, at=now)
            result = view_of_user(user)
    if failure is not None:
        raise failure
    assert result is not None
    return result


def _password_matches(user: User, password: str) -> bool:
    try:
        return HASHER.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _count_failure(session: Session, user: User, now: datetime) -> None:
    limit = _int_setting(session, LOGIN_MAX_FAILURES, DEFAULT_MAX_FAILURES)
    minutes = _int_setting(session, LOGIN_LOCK_MINUTES, DEFAULT_LOCK_MINUTES)
    user.failed_logins = (user.failed_logins or 0) + 1
    after: dict[str, object] = {"failed_logins": user.failed_logins}
    if user.failed_logins >= limit:
        user.locked_until = now + timedelta(minutes=minutes)
        user.failed_logins = 0
        after = {"failed_logins": limit, "locked_until": user.locked_until}
    session.flush()
    _audit(session, user.username, "user.login_failed", user.username, after=after, at=now)


def change_password(
    db: Database,
    actor: UserView,
    old_password: str,
    new_password: str,
    *,
    now: datetime | None = None,
) -> UserView:
    """A user changes their own password (required after an administrator's reset)."""
    now = now or datetime.now()
    new_hash = _hash(new_password)
    with db.write() as session:
        user = session.get(User, actor.id, with_for_update=True)
        if user is None or not user.active:
            raise Refused("this user no longer exists or is disabled", zh="该用户已不存在或已停用")
        if not _password_matches(user, old_password):
            raise AuthFailed("the current password is wrong", zh="当前密码不正确")
        user.password_hash = new_hash
        user.must_change_password = False
        session.flush()
        _audit(session, user.username, "user.change_password", user.username, at=now)
        return view_of_user(user)


# --- administration ------------------------------------------------------------------


def _require_admin(session: Session, actor: UserView) -> User:
    user = session.get(User, actor.id)
    if user is None or not user.active:
        raise Refused(
            f"user {actor.username} no longer exists or is disabled",
            zh=f"用户 {actor.username} 已不存在或已停用",
        )
    if Role.ADMINISTRATOR not in parse_roles(user.roles):
        raise Refused(
            f"{actor.display_name} ({actor.username}) is not an administrator: "
            "only an administrator manages users",
            zh=f"{actor.display_name} ({actor.username}) 不是管理员：只有管理员可以管理用户",
        )
    return user


def _target(session: Session, username: str) -> User:
    user = _get(session, username, lock=True)
    if user is None:
        raise NotFound(
            f"no user {normalize_username(username)}", zh=f"没有用户 {normalize_username(username)}"
        )
    return user


def _active_admins(session: Session) -> int:
    users = session.execute(select(User.roles).where(User.active.is_(True))).scalars()
    return sum(1 for roles in users if Role.ADMINISTRATOR in parse_roles(roles))


def add_user(
    db: Database,
    actor: UserView,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[Role],
    *,
    now: datetime | None = None,
) -> UserView:
    """Add a user (ADMINISTRATOR only). They must change the password at first sign-in."""
    name = _check_username(username)
    shown = _check_display_name(display_name)
    role_set = frozenset(Role(r) for r in roles)
    now = now or datetime.now()
    with db.write() as session:
        _require_admin(session, actor)
        if _get(session, name) is not None:
            raise Refused(f"the username {name} is already taken", zh=f"用户名 {name} 已被占用")
        user = User(
            username=name,
            display_name=shown,
            password_hash=_hash(password),
            roles=_roles_text(role_set),
            active=True,
            failed_logins=0,
            must_change_password=True,
            created_at=now,
        )
        session.add(user)
        session.flush()
        _audit(
            session,
            actor.username,
            "user.add",
            name,
            after={"display_name": shown, "roles": user.roles},
            at=now,
        )
        return view_of_user(user)


def reset_password(
    db: Database,
    actor: UserView,
    username: str,
    new_password: str,
    *,
    now: datetime | None = None,
) -> UserView:
    """Set a new password (ADMINISTRATOR only); also lifts a lock. The user must change it."""
    now = now or datetime.now()
    new_hash = _hash(new_password)
    with db.write() as session:
        _require_admin(session, actor)
        user = _target(session, username)
        user.password_hash = new_hash
        user.failed_logins = 0
        user.locked_until = None
        user.must_change_password = user.id != actor.id
        session.flush()
        _audit(session, actor.username, "user.reset_password", user.username, at=now)
        return view_of_user(user)


def set_roles(
    db: Database,
    actor: UserView,
    username: str,
    roles: Iterable[Role],
    *,
    now: datetime | None = None,
) -> UserView:
    """Replace a user's roles (ADMINISTRATOR only)."""
    now = now or datetime.now()
    role_set = frozenset(Role(r) for r in roles)
    with db.write() as session:
        _require_admin(session, actor)
        user = _target(session, username)
        before = user.roles
        user.roles = _roles_text(role_set)
        session.flush()
        if (
            user.active
            and Role.ADMINISTRATOR in parse_roles(before)
            and not _active_admins(session)
        ):
            raise Refused(
                "the last active administrator cannot lose the ADMINISTRATOR role",
                zh="不能取消最后一位有效管理员的“管理员”角色",
            )
        _audit(
            session,
            actor.username,
            "user.set_roles",
            user.username,
            before={"roles": before},
            after={"roles": user.roles},
            at=now,
        )
        return view_of_user(user)


def set_active(
    db: Database,
    actor: UserView,
    username: str,
    active: bool,
    *,
    now: datetime | None = None,
) -> UserView:
    """Enable or disable a user (ADMINISTRATOR only). Users are never deleted."""
    now = now or datetime.now()
    with db.write() as session:
        _require_admin(session, actor)
        user = _target(session, username)
        before = user.active
        user.active = active
        session.flush()
        if not active and not _active_admins(session):
            raise Refused(
                "the last active administrator cannot be disabled", zh="不能停用最后一位有效管理员"
            )
        _audit(
            session,
            actor.username,
            "user.set_active",
            user.username,
            before={"active": before},
            after={"active": active},
            at=now,
        )
        return view_of_user(user)


def list_users(db: Database) -> list[UserView]:
    with db.read() as session:
        users = session.execute(select(User).order_by(User.username)).scalars()
        return [view_of_user(u) for u in users]


def get_user(db: Database, username: str) -> UserView:
    with db.read() as session:
        user = _get(session, username)
        if user is None:
            raise NotFound(
                f"no user {normalize_username(username)}",
                zh=f"没有用户 {normalize_username(username)}",
            )
        return view_of_user(user)


__all__ = [
    "HASHER",
    "LOGIN_LOCK_MINUTES",
    "LOGIN_MAX_FAILURES",
    "MIN_PASSWORD_LENGTH",
    "POSTS",
    "AuthFailed",
    "UserView",
    "add_user",
    "authenticate",
    "can",
    "can_view",
    "change_password",
    "create_first_admin",
    "get_user",
    "has_users",
    "list_users",
    "reset_password",
    "set_active",
    "set_roles",
    "verify_password",
]
