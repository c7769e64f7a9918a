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


def restore_postgres_demo(shadow: str) -> None:
    """Copy the demo's rows back from the shadow schema into the (empty) tables, and move the sequences on: one
    round trip."""
    statements = [f'INSERT INTO "{t.name}" SELECT * FROM "{shadow}"."{t.name}"' for t in db.metadata.sorted_tables]
    for table in db.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and isinstance(column.type, sa.Integer)):
                statements.append(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}'), "
                    f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'
                )
    with db.engine.begin() as conn:
        conn.exec_driver_sql("; ".join(statements))


#: every sequence of the schema back to 1 (what TRUNCATE … RESTART IDENTITY does)
_RESTART_SEQUENCES = """
DO $$
DECLARE s record;
BEGIN
  FOR s IN SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema() LOOP
    EXECUTE 'ALTER SEQUENCE ' || quote_ident(s.sequence_name) || ' RESTART';
  END LOOP;
END $$
"""


def truncate_postgres(app) -> None:
    """Empty every table of the app's schema and restart its ids, in one round trip.

    DELETE with the triggers off (``session_replication_role = replica``: the foreign keys' and the audit log's
    append-only trigger; every row goes, so nothing is left dangling) rather than TRUNCATE: a test leaves a few
    rows, and TRUNCATE makes new files for each of the 56 tables and their indexes (about 0.2 s a test)."""
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        deletes = "; ".join(f'DELETE FROM "{t}"' for t in reversed(tables))
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"SET LOCAL session_replication_role = replica; {deletes}; {_RESTART_SEQUENCES}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class RedisServer:
    """A Redis server of the test's own (Debian's redis-server on a free port), to stop and start again."""

    def __init__(self, folder: Path):
        import shutil

        self.binary = shutil.which("redis-server")
        self.folder = folder
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import subprocess
        import time

        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _port_open("127.0.0.1", self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # as a crash would: no goodbye to the clients
            self.process.wait(timeout=10)
            self.process = None


def terminate_connections(admin: sa.Engine, application_name: str) -> int:
    """Have PostgreSQL terminate every connection that carries ``application_name``; return how many."""
    with admin.begin() as conn:
        return len(
            conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n"),
                {"n": application_name},
            ).all()
        )
