"""Where the shared PostgreSQL server is: the workstation's saved connection settings.

The settings (host, port, database, user and optionally the TLS mode) are saved as a
small JSON file in the user's configuration folder (platformdirs' ``user_config_dir``,
or ``$COUNTER_APP_CONFIG_DIR`` when set). **A password is never written there**: the
dataclass has no field for one, and the password given on a screen or at a prompt only
goes into the in-memory URL (:meth:`ServerSettings.url`). Without one, libpq looks for
it by itself in ``$PGPASSWORD`` or the user's pgpass file (``~/.pgpass``,
``%APPDATA%\\postgresql\\pgpass.conf``).

Which database the program uses (``engine.resolve_url``): ``--db``, else
``$COUNTER_APP_DB``, else these saved settings, else the local SQLite file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_config_dir
from sqlalchemy.engine import URL

from counter_app.db.errors import ProblemKind, explain
from counter_app.errors import UserError

if TYPE_CHECKING:
    from counter_app.db.schema import SchemaState

CONFIG_DIR_ENV_VAR = "COUNTER_APP_CONFIG_DIR"
# the same folder name as engine.APP_DIR_NAME (not imported: engine imports this module)
APP_DIR_NAME = "counter_app"
SETTINGS_FILE_NAME = "server.json"
FORMAT_VERSION = 1
DEFAULT_PORT = 5432
DRIVER = "postgresql+psycopg"
#: libpq's sslmode values; None leaves libpq's default ("prefer")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


class SettingsError(UserError):
    """The connection settings given or saved are not usable; the message says why."""


def config_dir() -> Path:
    """The folder of the workstation's counter_app settings."""
    override = os.environ.get(CONFIG_DIR_ENV_VAR)
    if override:
        return Path(override).expanduser()
    return Path(user_config_dir(APP_DIR_NAME, appauthor=False))


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE_NAME


@dataclass(frozen=True)
class ServerSettings:
    """How to reach the hall's PostgreSQL server. No password, on purpose."""

    host: str
    database: str
    user: str
    port: int = DEFAULT_PORT
    sslmode: str | None = None

    def url(self, password: str | None = None) -> URL:
        """The SQLAlchemy URL; ``password`` (kept in memory only) when one is given."""
        return URL.create(
            DRIVER,
            username=self.user,
            password=password or None,
            host=self.host,
            port=self.port,
            database=self.database,
            query={"sslmode": self.sslmode} if self.sslmode else {},
        )

    def url_string(self, password: str | None = None) -> str:
        """:meth:`url` as text for ``Database(url)`` (the password, if any, is in it)."""
        return self.url(password).render_as_string(hide_password=False)

    def describe(self) -> str:
        """For people: ``user@host:port/database``."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "user": self.user,
            "sslmode": self.sslmode,
        }


def validate(
    host: str,
    port: str | int | None,
    database: str,
    user: str,
    sslmode: str | None = None,
) -> ServerSettings:
    """Settings from what a person typed, or ``SettingsError`` saying what is wrong."""
    host, database, user = host.strip(), database.strip(), user.strip()
    if not host:
        raise SettingsError(
            "enter the database server's address (host name or IP address)",
            zh="请填写数据库服务器地址（主机名或 IP 地址）",
        )
    if any(ch.isspace() for ch in host) or "/" in host:
        raise SettingsError(
            f"{host!r} is not a server address: give a host name or IP address only",
            zh=f"“{host}”不是有效的服务器地址：只需填写主机名或 IP 地址",
        )
    number = _port(port)
    if not database:
        raise SettingsError(
            "enter the name of the database on the server (e.g. counter)",
            zh="请填写服务器上的数据库名称（例如 counter）",
        )
    if not user:
        raise SettingsError(
            "enter the database user name of this workstation (e.g. counter_app_user)",
            zh="请填写本工作站使用的数据库用户名（例如 counter_app_user）",
        )
    mode = (sslmode or "").strip() or None
    if mode is not None and mode not in SSL_MODES:
        raise SettingsError(
            f"unknown sslmode {mode!r}; one of: {', '.join(SSL_MODES)}",
            zh=f"未知的 sslmode“{mode}”；可选：{'、'.join(SSL_MODES)}",
        )
    return ServerSettings(host=host, database=database, user=user, port=number, sslmode=mode)


def _port(port: str | int | None) -> int:
    if port is None or (isinstance(port, str) and not port.strip()):
        return DEFAULT_PORT
    text = str(port).strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise SettingsError(
            f"the port must be a number from 1 to 65535 (PostgreSQL's is {DEFAULT_PORT}), "
            f"not {text!r}",
            zh=f"端口必须是 1 到 65535 之间的数字（PostgreSQL 默认为 {DEFAULT_PORT}），"
            f"而不是“{text}”",
        )
    return int(text)


def from_url(url: URL) -> ServerSettings | None:
    """The settings of a PostgreSQL URL (its password left out), or None for another kind."""
    if url.get_backend_name() != "postgresql":
        return None
    mode = url.query.get("sslmode")
    return ServerSettings(
        host=url.host or "",
        database=url.database or "",
        user=url.username or "",
        port=url.port or DEFAULT_PORT,
        sslmode=mode if isinstance(mode, str) else None,
    )


def load(path: Path | None = None) -> ServerSettings | None:
    """The saved settings, or None when there are none (this workstation works locally).

    A file that exists but cannot be used raises ``SettingsError`` rather than falling
    back to the local file: a hall workstation silently working on its own database
    would be worse than a clear refusal.
    """
    path = path or settings_path()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:
        raise _broken(path, err.strerror or str(err)) from err
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return validate(
            str(data["host"]),
            data.get("port", DEFAULT_PORT),
            str(data["database"]),
            str(data["user"]),
            data.get("sslmode"),
        )
    except (ValueError, KeyError, TypeError, SettingsError) as err:
        raise _broken(path, str(err)) from err


def _broken(path: Path, why: str) -> SettingsError:
    return SettingsError(
        f"the saved database server settings in {path} cannot be used ({why}): choose the "
        "server again in the Database dialog, or delete the file to work on this computer's "
        "local file",
        zh=f"保存的数据库服务器设置 {path} 无法使用（{why}）：请在“数据库”对话框中重新选择"
        "服务器，或删除该文件以使用本机数据库文件",
    )


def save(settings: ServerSettings, path: Path | None = None) -> Path:
    """Write the settings (never a password), replacing any saved before; the file."""
    path = path or settings_path()
    text = json.dumps(settings.to_json(), ensure_ascii=False, indent=2) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".tmp")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)  # whole or not at all: never a half-written file
    except OSError as err:
        why = err.strerror or str(err)
        raise SettingsError(
            f"cannot save the database server settings in {path} ({why})",
            zh=f"无法保存数据库服务器设置到 {path}（{why}）",
        ) from err
    return path


def clear(path: Path | None = None) -> bool:
    """Forget the saved server (back to the local file); True if there was one."""
    path = path or settings_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def saved_url() -> str | None:
    """The saved server's URL (no password: libpq's PGPASSWORD / pgpass apply), or None."""
    settings = load()
    return settings.url_string() if settings is not None else None


def needs_password(exc: BaseException) -> bool:
    """True when the server refused the login for want of the right password.

    That is: it asked for one and none was given ("fe_sendauth: no password supplied"),
    or the one given was wrong ("password authentication failed"). Other refused logins
    (an unknown role, no pg_hba.conf entry) are not, since typing a password cannot fix them.
    """
    problem = explain(exc)
    if problem is None or problem.kind is not ProblemKind.AUTH_FAILED:
        return False
    return "password" in problem.detail.lower()


def with_password(url: URL, password: str) -> str:
    """``url`` with ``password`` in it, as text for ``Database(url)`` (in memory only)."""
    return url.set(password=password).render_as_string(hide_password=False)


def check(url: str) -> SchemaState:
    """Connect to ``url`` and read its schema state, changing nothing ("Test connection").

    Raises what connecting raises (``explain`` turns it into a message); the caller
    judges the state (``SchemaState.is_current``: ready for this program).
    """
    # engine and schema import this module: import them when called, not at load
    from counter_app.db.engine import Database
    from counter_app.db.schema import schema_state

    db = Database(url)
    try:
        return schema_state(db)
    finally:
        db.dispose()
