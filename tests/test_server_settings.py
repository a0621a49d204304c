"""The shared server's saved connection settings: saved without a password, found in the
right order, refused clearly when wrong; and telling a missing password from other failures."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from counter_app.db import server_settings
from counter_app.db.engine import DB_ENV_VAR, Database, default_sqlite_path, resolve_url
from counter_app.db.server_settings import ServerSettings, SettingsError
from counter_app.errors import UserError
from tests.conftest import PG_ADMIN_URL
from tests.helpers_db import free_port

SECRET = "Tr0ub4dor&3-密码:@/?"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv(server_settings.CONFIG_DIR_ENV_VAR, str(folder))
    return folder


HALL = ServerSettings(host="db.hall.local", database="counter", user="counter_app_user")


def test_round_trip_keeps_every_field(config: Path) -> None:
    wanted = ServerSettings(
        host="192.168.10.5", database="柜台", user="counter_app_user", port=6432, sslmode="require"
    )
    path = server_settings.save(wanted)
    assert path == config / "server.json"
    assert server_settings.load() == wanted
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "format": 1,
        "host": "192.168.10.5",
        "port": 6432,
        "database": "柜台",
        "user": "counter_app_user",
        "sslmode": "require",
    }
    assert server_settings.clear() is True
    assert server_settings.load() is None
    assert server_settings.clear() is False


def test_the_password_never_reaches_the_disk(config: Path) -> None:
    url_with_password = HALL.url_string(SECRET)
    assert make_url(url_with_password).password == SECRET  # it is in memory...
    server_settings.save(HALL)
    # ...and the settings come back from the saved URL of a typed-in connection too
    server_settings.save(server_settings.from_url(make_url(url_with_password)) or HALL)
    files = list(config.rglob("*"))
    assert [p.name for p in files] == ["server.json"]  # no temporary file left behind
    raw = files[0].read_bytes()
    for form in (SECRET, SECRET.encode("utf-8").decode("latin-1"), "Tr0ub4dor", "password"):
        assert form.encode("utf-8") not in raw
    assert make_url(resolve_url(None)).password is None


def test_the_default_folder_is_the_user_config_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    # conftest points XDG_CONFIG_HOME at a temporary folder
    monkeypatch.delenv(server_settings.CONFIG_DIR_ENV_VAR, raising=False)
    import os

    assert server_settings.settings_path() == (
        Path(os.environ["XDG_CONFIG_HOME"]) / "counter_app" / "server.json"
    )


def test_the_url_built_from_the_settings() -> None:
    url = ServerSettings("h", "d", "u", 5433, "verify-full").url()
    assert url.render_as_string(hide_password=False) == (
        "postgresql+psycopg://u@h:5433/d?sslmode=verify-full"
    )
    with_pw = make_url(HALL.url_string(SECRET))
    assert (with_pw.username, with_pw.password, with_pw.host, with_pw.port, with_pw.database) == (
        "counter_app_user",
        SECRET,
        "db.hall.local",
        5432,
        "counter",
    )
    assert server_settings.with_password(HALL.url(), "x") == (
        "postgresql+psycopg://counter_app_user:x@db.hall.local:5432/counter"
    )
    assert HALL.describe() == "counter_app_user@db.hall.local:5432/counter"
    assert server_settings.from_url(make_url("sqlite:///x.db")) is None


def test_where_the_database_comes_from(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = f"sqlite:///{default_sqlite_path()}"
    assert resolve_url(None) == local  # nothing saved, nothing given
    server_settings.save(HALL)
    saved = "postgresql+psycopg://counter_app_user@db.hall.local:5432/counter"
    assert resolve_url(None) == saved
    monkeypatch.setenv(DB_ENV_VAR, "postgresql://env_user@envhost/envdb")
    assert resolve_url(None) == "postgresql+psycopg://env_user@envhost/envdb"
    assert resolve_url("postgres://arg@arghost/argdb") == "postgresql+psycopg://arg@arghost/argdb"
    monkeypatch.delenv(DB_ENV_VAR)
    assert resolve_url("") == saved
    server_settings.clear()
    assert resolve_url(None) == local


@pytest.mark.parametrize(
    ("host", "port", "database", "user", "english", "chinese"),
    [
        (
            "",
            "5432",
            "counter",
            "u",
            "enter the database server's address",
            "请填写数据库服务器地址",
        ),
        (
            "  ",
            5432,
            "counter",
            "u",
            "enter the database server's address",
            "请填写数据库服务器地址",
        ),
        ("a host", "5432", "counter", "u", "is not a server address", "不是有效的服务器地址"),
        ("h", "abc", "counter", "u", "the port must be a number from 1 to 65535", "端口必须是"),
        ("h", "0", "counter", "u", "the port must be a number from 1 to 65535", "端口必须是"),
        ("h", 70000, "counter", "u", "the port must be a number from 1 to 65535", "端口必须是"),
        ("h", "-5", "counter", "u", "the port must be a number from 1 to 65535", "端口必须是"),
        ("h", "5432", "", "u", "enter the name of the database", "请填写服务器上的数据库名称"),
        (
            "h",
            "5432",
            "counter",
            "",
            "enter the database user name",
            "请填写本工作站使用的数据库用户名",
        ),
    ],
)
def test_validation_says_what_is_wrong(
    host: str, port: str | int, database: str, user: str, english: str, chinese: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        server_settings.validate(host, port, database, user)
    assert english in str(caught.value)
    assert caught.value.message_zh is not None and chinese in caught.value.message_zh
    assert caught.value.exit_code == 2


def test_validation_trims_and_defaults_the_port() -> None:
    got = server_settings.validate(" db1 ", "", " counter ", " clerk ", "")
    assert got == ServerSettings("db1", "counter", "clerk", 5432, None)
    with pytest.raises(SettingsError, match="unknown sslmode 'maybe'"):
        server_settings.validate("h", 1, "d", "u", "maybe")


def test_a_broken_settings_file_is_refused_clearly(config: Path) -> None:
    config.mkdir()
    path = config / "server.json"
    for content in (
        "{not json",
        '{"host": "h", "database": "d"}',
        '{"host": "h", "port": "x", "database": "d", "user": "u"}',
        "[]",
    ):
        path.write_text(content, encoding="utf-8")
        with pytest.raises(SettingsError) as caught:
            server_settings.load()
        assert str(caught.value).startswith(f"the saved database server settings in {path}")
        assert caught.value.message_zh and "无法使用" in caught.value.message_zh
    # and the program says so instead of quietly using the local file
    with pytest.raises(UserError, match="cannot be used"):
        Database()


def _sqlalchemy_error(message: str) -> OperationalError:
    return OperationalError("SELECT 1", {}, psycopg.OperationalError(message))


def test_needs_password_tells_a_missing_or_wrong_password_apart() -> None:
    asked = (
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
        "fe_sendauth: no password supplied"
    )
    wrong = (
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
        'FATAL:  password authentication failed for user "counter_app_user"'
    )
    assert server_settings.needs_password(_sqlalchemy_error(asked))
    assert server_settings.needs_password(_sqlalchemy_error(wrong))
    assert server_settings.needs_password(psycopg.OperationalError(wrong))
    for other in (
        'connection failed: FATAL:  role "nobody" does not exist',
        'connection failed: FATAL:  no pg_hba.conf entry for host "10.0.0.9", user "u"',
        'connection failed: FATAL:  database "nowhere" does not exist',
        "connection failed: Connection refused",
    ):
        assert not server_settings.needs_password(_sqlalchemy_error(other)), other
    assert not server_settings.needs_password(ValueError("password"))


def test_needs_password_is_false_for_a_real_closed_port_and_unknown_role() -> None:
    closed = create_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres",
        connect_args={"connect_timeout": 3},
    )
    with pytest.raises(OperationalError) as caught:
        closed.connect()
    closed.dispose()
    assert not server_settings.needs_password(caught.value)
    unknown = make_url(PG_ADMIN_URL).set(username=f"nobody_{uuid.uuid4().hex[:8]}")
    engine = create_engine(unknown, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pytest.skip("this server lets an unknown role in")
    except OperationalError as err:
        if "does not exist" not in str(err):
            pytest.skip(f"PostgreSQL unreachable: {str(err).splitlines()[0]}")
        assert not server_settings.needs_password(err)
    finally:
        engine.dispose()


def test_the_command_line_asks_for_a_wanted_password_only_at_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from counter_app.cli import main as cli

    asked: list[str] = []
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: asked.append(prompt) or "typed")
    monkeypatch.setattr(cli, "needs_password", lambda exc: True)  # as if the server said so
    db = Database(f"postgresql://clerk@127.0.0.1:{free_port()}/counter")

    monkeypatch.setattr(cli.sys.stdin, "isatty", lambda: False)  # a scheduled job: no prompt
    with pytest.raises(OperationalError):
        cli._ask_password_if_needed(db)
    assert asked == []

    monkeypatch.setattr(cli.sys.stdin, "isatty", lambda: True)
    again = cli._ask_password_if_needed(db)
    assert asked == ["password of clerk@127.0.0.1/counter (not saved): "]
    assert again is not db and again.url.password == "typed"
    assert "typed" not in again.display_name
    again.dispose()

    # a refusal a password cannot fix is not met with a prompt
    monkeypatch.setattr(cli, "needs_password", server_settings.needs_password)
    with pytest.raises(OperationalError):
        cli._ask_password_if_needed(db)
    assert len(asked) == 1
    db.dispose()
    sqlite = Database("sqlite:///:memory:")
    assert cli._ask_password_if_needed(sqlite) is sqlite
