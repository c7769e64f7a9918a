"""Where the test databases and servers are, and why a test needing one is skipped: plain helpers.

``tests/conftest.py`` and the worker fixtures (``tests/workers.py``) build on these; a test module
that needs one (the browser tests, the numbering race) imports it from here, not from a conftest.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db

PG_BASE_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
FAST_HASH = "pbkdf2:sha256:1000"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_unavailable_reason() -> str | None:
    url = sa.engine.make_url(PG_BASE_URL)
    if not _port_open(url.host or "127.0.0.1", url.port or 5432):
        return f"PostgreSQL does not answer at {url.host}:{url.port}"
    try:
        engine = sa.create_engine(PG_BASE_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: skip with the reason
        return f"PostgreSQL at {url.host}:{url.port} refused the connection: {exc.__class__.__name__}: {exc}"
    return None


def redis_unavailable_reason() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis does not answer at {REDIS_URL}: {exc}"
    return None


def base_overrides(tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "STORAGE_PATH": str(tmp_path / "files"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
    }


def truncate_postgres(app) -> None:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
