"""Helpers shared by the shared-database tests (not a test module)."""

from __future__ import annotations

import os
import socket
import sys

from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get(
    "COUNTER_APP_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PYTHON = sys.executable


def terminate_backend(pid: int) -> None:
    """pg_terminate_backend(pid) from an administrator connection."""
    admin = create_engine(PG_ADMIN_URL)
    try:
        with admin.begin() as conn:
            ok = conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
        assert ok, f"backend {pid} was not terminated"
    finally:
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli_env() -> dict[str, str]:
    """The environment for a `counter-app` subprocess: unbuffered, no default database."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("COUNTER_APP_DB", None)
    return env
