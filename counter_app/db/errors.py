"""Database failures a clerk can act on, told apart from bugs.

``explain(exc)`` looks at an exception raised by SQLAlchemy or by a driver
(sqlite3, psycopg) and returns a :class:`DatabaseProblem` with a message in English
and in Chinese when the cause is the situation, not the program: a locked, read-only,
full or damaged SQLite file; a PostgreSQL server that is unreachable, refuses the
login, lacks the database, or dropped the connection mid-step; a conflict with
another clerk that only needs a retry. Anything else returns ``None`` and stays a
bug report (the traceback is what the developer needs).

Every message says what happened to the step: all our writes are one transaction
(``Database.write``), so a failed step never leaves half of itself behind.

Detection prefers machine-readable codes (SQLite's ``sqlite_errorcode``, PostgreSQL's
SQLSTATE). libpq gives no SQLSTATE for a failed connection attempt, so those are
recognised by libpq's (English) message text, with a generic "cannot connect" as the
fallback for any connection-time failure.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

import psycopg
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from counter_app.errors import StaleEdit, UserError

#: What ``counter_app.cli`` catches and hands to :func:`explain`.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, sqlite3.Error, psycopg.Error)

EXIT_DATABASE = 7
#: sysexits.h EX_TEMPFAIL: "try again later" (busy, conflict, connection lost)
EXIT_TRY_AGAIN = 75


class ProblemKind(StrEnum):
    BUSY = "busy"  # SQLite locked beyond the busy timeout; PostgreSQL lock/statement timeout
    READ_ONLY = "read_only"
    DISK_FULL = "disk_full"
    DISK_ERROR = "disk_error"
    CORRUPT = "corrupt"  # not a database, or damaged
    CANNOT_OPEN = "cannot_open"
    UNREACHABLE = "unreachable"
    SERVER_BUSY = "server_busy"  # too many connections, starting up, shutting down
    AUTH_FAILED = "auth_failed"
    NO_DATABASE = "no_database"
    PERMISSION = "permission"  # the database role may not do this
    CONNECTION_LOST = "connection_lost"
    # lost while COMMIT was on its way: the server may or may not have applied it
    COMMIT_UNKNOWN = "commit_unknown"
    CONFLICT = "conflict"  # serialization failure or deadlock: retry
    STALE = "stale"  # someone else changed the record since it was read


_RETRYABLE = frozenset(
    {
        ProblemKind.BUSY,
        ProblemKind.SERVER_BUSY,
        ProblemKind.CONNECTION_LOST,
        ProblemKind.CONFLICT,
        ProblemKind.UNREACHABLE,
    }
)


class DatabaseProblem(UserError):
    """A database failure explained for people.

    Attributes:
        kind: what went wrong (:class:`ProblemKind`).
        message: the English message; ``message_zh``: the same in Chinese.
        detail: the driver's own first line, for the IT person (may be empty).
        retryable: trying the same step again may well succeed.

    ``str(problem)`` is the English line, then the Chinese line.
    """

    def __init__(self, kind: ProblemKind, message: str, message_zh: str, detail: str = "") -> None:
        self.kind = kind
        self.message = message
        self.message_zh = message_zh
        self.detail = detail
        self.retryable = kind in _RETRYABLE
        self.exit_code = EXIT_TRY_AGAIN if self.retryable else EXIT_DATABASE
        super().__init__(f"{message}\n{message_zh}", zh=message_zh)

    def english(self) -> str:
        return self.message


class StaleRecord(StaleEdit, DatabaseProblem):
    """A versioned row changed under us (SQLAlchemy's StaleDataError); exit code 5."""

    def __init__(self, kind: ProblemKind, message: str, message_zh: str, detail: str = "") -> None:
        super().__init__(kind, message, message_zh, detail)
        self.exit_code = StaleEdit.exit_code


# -- the messages -------------------------------------------------------------------

# {at}: " (where)" or ""; {why}: ": detail" or ""; {nothing}: what happened to the step.
_NOTHING = "nothing of this step was saved"
_NOTHING_ZH = "本步骤的内容均未保存"
_MESSAGES: dict[ProblemKind, tuple[str, str]] = {
    ProblemKind.BUSY: (
        "the database is busy{at}: another clerk's step or another program has held it too "
        "long; {nothing}; try again in a moment",
        "数据库正忙{at}：其他柜员的操作或其他程序占用时间过长；{nothing}，请稍后重试",
    ),
    ProblemKind.READ_ONLY: (
        "the database cannot be written{at}: the file or its folder is read-only, or the "
        "server accepts only reading; {nothing}; ask IT for write access",
        "数据库无法写入{at}：文件或所在文件夹为只读，或服务器只允许读取；"
        "{nothing}，请联系IT开通写入权限",
    ),
    ProblemKind.DISK_FULL: (
        "the disk holding the database is full{at}; {nothing}; free some space (or ask IT), "
        "then try again",
        "数据库所在磁盘已满{at}；{nothing}，请清理磁盘空间（或联系IT）后重试",
    ),
    ProblemKind.DISK_ERROR: (
        "reading or writing the database file failed{at} (a disk error, or a drive that went "
        "away){why}; {nothing}; ask IT to check the disk",
        "读写数据库文件失败{at}（磁盘故障或磁盘已断开）{why}；{nothing}，请联系IT检查磁盘",
    ),
    ProblemKind.CORRUPT: (
        "this is not a counter_app database, or it is damaged{at}{why}; nothing was changed; "
        "restore the latest backup (`counter-app restore FILE`) or ask IT",
        "这不是 counter_app 数据库，或数据库已损坏{at}{why}；未做任何更改；"
        "请恢复最近的备份（counter-app restore 文件）或联系IT",
    ),
    ProblemKind.CANNOT_OPEN: (
        "the database file cannot be opened{at}: it or its folder is missing, read-only or not "
        "accessible to this user; nothing was changed; ask IT",
        "无法打开数据库文件{at}：文件或所在文件夹不存在、为只读或当前用户无权访问；"
        "未做任何更改，请联系IT",
    ),
    ProblemKind.UNREACHABLE: (
        "cannot reach the database server{at}{why}; check that the server is running and this "
        "workstation is on the network; nothing was changed; try again",
        "无法连接数据库服务器{at}{why}；请确认服务器已启动、本机网络正常；未做任何更改，请重试",
    ),
    ProblemKind.SERVER_BUSY: (
        "the database server is not accepting connections right now{at} (too many connections, "
        "or it is starting or stopping){why}; nothing was changed; try again in a moment",
        "数据库服务器暂时不接受连接{at}（连接数已满，或正在启动/关闭）{why}；"
        "未做任何更改，请稍后重试",
    ),
    ProblemKind.AUTH_FAILED: (
        "the database server refused the login{at}{why}; check the user name in the database "
        "address and the password in PGPASSWORD or the pgpass file",
        "数据库服务器拒绝登录{at}{why}；"
        "请检查数据库地址中的用户名，以及 PGPASSWORD 或 pgpass 文件中的密码",
    ),
    ProblemKind.NO_DATABASE: (
        "that database does not exist on the server{at}{why}; check the address, or ask IT to "
        "create it and run `counter-app init-db`",
        "服务器上没有该数据库{at}{why}；请检查地址，或请IT创建数据库并运行 counter-app init-db",
    ),
    ProblemKind.PERMISSION: (
        "the database refused this action{at}: the database role of this workstation is not "
        "allowed to do it{why}; {nothing}; ask IT",
        "数据库拒绝了此操作{at}：本工作站使用的数据库角色无此权限{why}；{nothing}，请联系IT",
    ),
    ProblemKind.CONNECTION_LOST: (
        "the connection to the database was lost{at}; {nothing}; try again",
        "与数据库的连接已断开{at}；{nothing}；请重试",
    ),
    ProblemKind.COMMIT_UNKNOWN: (
        "the connection to the database was lost while this step was being saved{at}: it may "
        "or may not have been saved; look at the record before doing it again",
        "保存本步骤时与数据库的连接断开{at}：无法确定是否已保存；请先查看该记录，再决定是否重做",
    ),
    ProblemKind.CONFLICT: (
        "another clerk changed the same data at the same moment{at}; {nothing}; try again",
        "其他柜员同时修改了相同的数据{at}；{nothing}；请重试",
    ),
    ProblemKind.STALE: (
        "someone else changed this record after you opened it; {nothing}; reload it and make "
        "your change again",
        "您打开此记录后，其他人修改了它；{nothing}；请重新载入后再修改",
    ),
}


def _problem(kind: ProblemKind, where: str, detail: str) -> DatabaseProblem:
    en, zh = _MESSAGES[kind]
    message = en.format(
        at=f" ({where})" if where else "", why=f": {detail}" if detail else "", nothing=_NOTHING
    )
    message_zh = zh.format(
        at=f"（{where}）" if where else "", why=f"：{detail}" if detail else "", nothing=_NOTHING_ZH
    )
    cls = StaleRecord if kind is ProblemKind.STALE else DatabaseProblem
    return cls(kind, message, message_zh, detail)


# -- recognising the cause ------------------------------------------------------------

_SQLITE_KINDS = {
    3: ProblemKind.READ_ONLY,  # SQLITE_PERM
    5: ProblemKind.BUSY,  # SQLITE_BUSY
    6: ProblemKind.BUSY,  # SQLITE_LOCKED
    8: ProblemKind.READ_ONLY,  # SQLITE_READONLY (and its extended codes)
    10: ProblemKind.DISK_ERROR,  # SQLITE_IOERR
    11: ProblemKind.CORRUPT,  # SQLITE_CORRUPT
    13: ProblemKind.DISK_FULL,  # SQLITE_FULL
    14: ProblemKind.CANNOT_OPEN,  # SQLITE_CANTOPEN
    26: ProblemKind.CORRUPT,  # SQLITE_NOTADB
}

_PG_SQLSTATE_KINDS = {
    "57P01": ProblemKind.CONNECTION_LOST,  # admin_shutdown (pg_terminate_backend)
    "57P02": ProblemKind.CONNECTION_LOST,  # crash_shutdown
    "57P03": ProblemKind.SERVER_BUSY,  # cannot_connect_now
    "53300": ProblemKind.SERVER_BUSY,  # too_many_connections
    "53100": ProblemKind.DISK_FULL,  # disk_full
    "40001": ProblemKind.CONFLICT,  # serialization_failure
    "40P01": ProblemKind.CONFLICT,  # deadlock_detected
    "55P03": ProblemKind.BUSY,  # lock_not_available (lock_timeout)
    "57014": ProblemKind.BUSY,  # query_canceled (statement_timeout)
    "25006": ProblemKind.READ_ONLY,  # read_only_sql_transaction (standby)
    "28000": ProblemKind.AUTH_FAILED,  # invalid_authorization_specification
    "28P01": ProblemKind.AUTH_FAILED,  # invalid_password
    "3D000": ProblemKind.NO_DATABASE,  # invalid_catalog_name
    "42501": ProblemKind.PERMISSION,  # insufficient_privilege
    "XX001": ProblemKind.CORRUPT,  # data_corrupted
    "XX002": ProblemKind.CORRUPT,  # index_corrupted
}

# libpq's texts for a connection that failed before any SQLSTATE (lower case)
_PG_CONNECT_TEXTS: tuple[tuple[str, ProblemKind], ...] = (
    ("password authentication failed", ProblemKind.AUTH_FAILED),
    ("authentication failed", ProblemKind.AUTH_FAILED),
    ("no password supplied", ProblemKind.AUTH_FAILED),
    ("fe_sendauth", ProblemKind.AUTH_FAILED),
    ("no pg_hba.conf entry", ProblemKind.AUTH_FAILED),
    ('role "', ProblemKind.AUTH_FAILED),  # FATAL: role "x" does not exist
    ('database "', ProblemKind.NO_DATABASE),  # FATAL: database "x" does not exist
    ("too many clients", ProblemKind.SERVER_BUSY),
    ("remaining connection slots", ProblemKind.SERVER_BUSY),
    ("the database system is", ProblemKind.SERVER_BUSY),  # starting up / shutting down
    ("terminating connection", ProblemKind.CONNECTION_LOST),
    ("server closed the connection", ProblemKind.CONNECTION_LOST),
    ("consuming input failed", ProblemKind.CONNECTION_LOST),
    ("connection is closed", ProblemKind.CONNECTION_LOST),
    ("connection is lost", ProblemKind.CONNECTION_LOST),
    ("ssl syscall error", ProblemKind.CONNECTION_LOST),
    ("could not receive data", ProblemKind.CONNECTION_LOST),
    ("could not send data", ProblemKind.CONNECTION_LOST),
    ("connection refused", ProblemKind.UNREACHABLE),
    ("timeout expired", ProblemKind.UNREACHABLE),
    ("timed out", ProblemKind.UNREACHABLE),
    ("could not translate host name", ProblemKind.UNREACHABLE),
    ("failed to resolve host", ProblemKind.UNREACHABLE),
    ("name or service not known", ProblemKind.UNREACHABLE),
    ("no route to host", ProblemKind.UNREACHABLE),
    ("network is unreachable", ProblemKind.UNREACHABLE),
    ("could not connect to server", ProblemKind.UNREACHABLE),
    ("connection failed", ProblemKind.UNREACHABLE),
)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    line = text.splitlines()[0] if text else ""
    # libpq prefixes server messages of a failed connect with its attempt
    for marker in ("failed: FATAL:", "FATAL:"):
        if marker in line:
            line = line.split(marker, 1)[1]
            break
    return " ".join(line.split())[:300]


def _sqlite_kind(err: sqlite3.Error) -> ProblemKind | None:
    code = getattr(err, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_KINDS.get(code & 0xFF)
    text = str(err).lower()  # very old Python/SQLite: no error code on the exception
    for needle, kind in (
        ("database is locked", ProblemKind.BUSY),
        ("readonly database", ProblemKind.READ_ONLY),
        ("disk is full", ProblemKind.DISK_FULL),
        ("not a database", ProblemKind.CORRUPT),
        ("malformed", ProblemKind.CORRUPT),
        ("unable to open database", ProblemKind.CANNOT_OPEN),
        ("disk i/o error", ProblemKind.DISK_ERROR),
    ):
        if needle in text:
            return kind
    return None


def _psycopg_kind(err: psycopg.Error, invalidated: bool) -> ProblemKind | None:
    state = getattr(err, "sqlstate", None)
    if state in _PG_SQLSTATE_KINDS:
        return _PG_SQLSTATE_KINDS[state]
    if state and state.startswith("08"):  # connection_exception class
        return ProblemKind.CONNECTION_LOST if invalidated else ProblemKind.UNREACHABLE
    if state is None and isinstance(err, psycopg.OperationalError):
        text = str(err).lower()
        for needle, kind in _PG_CONNECT_TEXTS:
            if needle in text:
                return kind
        if invalidated:
            return ProblemKind.CONNECTION_LOST
    return None


def _driver_error(exc: BaseException) -> tuple[BaseException, bool, bool] | None:
    """The driver exception inside ``exc`` (following its chain), whether SQLAlchemy
    judged the connection dead, and whether it failed outside any statement (on
    COMMIT, ROLLBACK or connecting)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.orig is not None:
            return current.orig, bool(current.connection_invalidated), current.statement is None
        if isinstance(current, sqlite3.Error | psycopg.Error):
            return current, False, False
        current = current.__cause__ or current.__context__
    return None


def explain(exc: BaseException, where: str = "") -> DatabaseProblem | None:
    """The user-facing problem behind a database exception, or None for a bug.

    Args:
        exc: anything raised while using the database.
        where: where the data lives, for the message (``Database.display_name``).
    """
    if isinstance(exc, DatabaseProblem):
        return exc
    if isinstance(exc, StaleDataError):
        return _problem(ProblemKind.STALE, where, "")
    found = _driver_error(exc)
    if found is None:
        return None
    orig, invalidated, outside_statement = found
    kind: ProblemKind | None = None
    if isinstance(orig, sqlite3.Error):
        kind = _sqlite_kind(orig)
    elif isinstance(orig, psycopg.Error):
        kind = _psycopg_kind(orig, invalidated)
        if kind is ProblemKind.CONNECTION_LOST and outside_statement:
            # Connecting fails as "unreachable", never like this; so this was COMMIT
            # (or ROLLBACK, which is harmless but indistinguishable here).
            kind = ProblemKind.COMMIT_UNKNOWN
    if kind is None:
        return None
    return _problem(kind, where, _first_line(orig))


def is_retryable(exc: BaseException) -> bool:
    """True when the same step may simply be tried again (busy, conflict, lost connection)."""
    problem = explain(exc)
    return problem is not None and problem.retryable


@contextmanager
def explained(where: str = "") -> Iterator[None]:
    """Turn database exceptions with a known cause into :class:`DatabaseProblem`.

    For callers that show ``UserError`` messages (the GUI's worker, the CLI); unknown
    failures pass through untouched.
    """
    try:
        yield
    except DATABASE_ERRORS as err:
        problem = explain(err, where)
        if problem is None:
            raise
        raise problem from err
