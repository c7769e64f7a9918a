"""Real Celery worker processes, and the environment they share with the test.

The fixtures ``worker_env``, ``start_worker`` and ``worker`` are offered to every test directory by
``tests/conftest.py``; ``worker_app`` and ``wait_for`` are plain helpers a test imports from here.

Embedded (filesystem broker, SQLite) always runs: it needs no server. Redis with PostgreSQL runs when both
answer (127.0.0.1:6379, 127.0.0.1:5432); a test may also ask for Redis with SQLite.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from tests.services import (
    REDIS_URL,
    postgres_unavailable_reason,
    redis_unavailable_reason,
    restore_postgres_demo,
    truncate_postgres,
)

ROOT = Path(__file__).resolve().parents[1]


def _demo_database(request, backend: str, env: dict) -> None:
    """The demo in the worker's database and storage: a copy of the one the session loaded through the real loader
    for today (``sqlite_demo``, ``postgres_demo`` in conftest), as every database test gets it."""
    if backend == "sqlite":
        path, files = request.getfixturevalue("sqlite_demo")()
        shutil.copy(path, env["DATABASE_URL"].removeprefix("sqlite:///"))
    else:
        shadow, files = request.getfixturevalue("postgres_demo")()
        app = create_app(environ=env)
        with app.app_context():
            restore_postgres_demo(shadow)
            db.engine.dispose()
    if files.exists():
        shutil.copytree(files, env["STORAGE_PATH"], dirs_exist_ok=True)


@pytest.fixture(params=["filesystem-sqlite", "redis-postgresql"])
def worker_env(request, tmp_path, sqlite_template):
    """Environment shared by the test's app and a real worker process: by default the two shapes the product is
    run in, embedded (the filesystem broker, SQLite) and production (Redis, PostgreSQL); a test may ask for another
    (``"redis-sqlite"``) by indirect parametrisation."""
    broker, backend = request.param.split("-")
    if broker == "redis" and (reason := redis_unavailable_reason()):
        pytest.skip(reason)
    env = {
        "APP_ENV": "embedded",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "STORAGE_PATH": str(tmp_path / "files"),
        "SECRET_KEY": "test-secret-key-for-worker-tests-0123456789",
    }
    if backend == "sqlite":
        path = tmp_path / "worker.sqlite"
        shutil.copy(sqlite_template, path)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        if reason := postgres_unavailable_reason():
            pytest.skip(reason)
        env["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    if broker == "redis":
        env["REDIS_URL"] = REDIS_URL
    queue = f"test-{uuid.uuid4().hex[:8]}"
    # the test's own queues, the default and the renders' (config.BaseConfig.celery), for its app and its worker
    env["CELERY_QUEUE"], env["CELERY_RENDER_QUEUE"] = queue, f"{queue}-render"
    _demo_database(request, backend, env)
    yield env, queue
    if backend == "postgresql":
        truncate_postgres(create_app(environ=env))


def worker_app(env: dict, queue: str, **overrides):
    """The test's app on the worker's database and broker, sending to the worker's queue."""
    celery = {**create_app(environ=env).config["CELERY"], "task_default_queue": queue}
    return create_app({"CELERY": celery, **overrides}, environ=env)


@pytest.fixture
def start_worker(worker_env, tmp_path):
    """Start a worker process on the test's queues, with extra environment variables if given; ``pool="prefork"``
    gives it a pool child (``concurrency`` of them) as in production; ``beat=True`` runs Celery beat inside it
    (its schedule in the instance folder), as `make run` does. Each worker is the leader of a process
    group of its own, so a test can kill it whole (``os.killpg``)."""
    env, queue = worker_env
    started = []

    def _start(
        extra_env: dict | None = None, *, pool: str = "solo", concurrency: int = 1, beat: bool = False
    ) -> subprocess.Popen:
        beat_args = []
        if beat:
            instance = Path({**env, **(extra_env or {})}["INSTANCE_PATH"])  # the worker's own, if it is given one
            instance.mkdir(parents=True, exist_ok=True)
            beat_args = ["-B", "-s", str(instance / "celerybeat-schedule")]
        log = open(tmp_path / "worker.log", "a")  # noqa: SIM115 - the worker writes to it until the teardown closes it
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tasks.worker",
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "-Q",
                f"{queue},{queue}-render",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
                *beat_args,
            ],
            cwd=ROOT,
            env={**os.environ, **env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append((proc, log))
        return proc

    yield _start
    for proc, log in started:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


@pytest.fixture
def worker(start_worker):
    return start_worker()


def wait_for(predicate, timeout: float, what: str, log_path: Path):
    """Poll ``predicate`` until it returns something true; fail with the worker's log on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log_path.read_text()[-3000:]}")
