"""Redis down: log-in keeps working, its rate limit counted in memory meanwhile (and the log says so).

A Redis server of the test's own is stopped (killed, as in a crash) and started again.
"""

from __future__ import annotations

import logging
import time

import pytest
import redis

from app import create_app
from app.extensions import db, limiter
from config import BaseConfig
from tests.factories import login
from tests.services import base_overrides


@pytest.fixture
def redis_limited_app(app, demo, own_redis, tmp_path):
    """The test's app on the demo database, counting log-in attempts in the test's own Redis."""
    application = create_app(
        {
            **base_overrides(tmp_path),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "CELERY": BaseConfig.celery_settings("memory://"),
            "RATELIMIT_STORAGE_URI": own_redis.url,
            "LOGIN_RATE_LIMIT": "5 per minute",
        },
        environ={"INSTANCE_PATH": str(tmp_path / "instance")},
    )
    yield application  # (no app context pushed around its requests: each has its own, as in a server)
    with application.app_context():
        db.engine.dispose()
    limiter._storage_dead = False  # the limiter object is shared by every app of the test process


def test_log_in_works_while_redis_is_down_and_the_limit_is_kept_in_memory(
    redis_limited_app, demo, own_redis, caplog, monkeypatch
):
    # the test session's migrations (alembic's fileConfig) disabled the loggers that existed then
    monkeypatch.setattr(logging.getLogger("flask-limiter"), "disabled", False)
    secretary = demo["sekreterare"]
    client = redis_limited_app.test_client()
    assert login(client, secretary["email"], "fel-lösenord").status_code == 401
    assert redis.Redis.from_url(own_redis.url).keys("LIMITS*"), "the attempt is counted in Redis while it runs"

    own_redis.stop()
    caplog.set_level(logging.WARNING, logger="flask-limiter")
    started = time.monotonic()
    response = login(redis_limited_app.test_client(), secretary["email"], secretary["password"])
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    assert time.monotonic() - started < 5
    assert "falling back to in-memory storage" in caplog.text

    # the limit still holds, counted in this process's memory: five failed attempts, then 429 in Swedish
    client = redis_limited_app.test_client()
    statuses = [login(client, "okand@huddinge.example", "fel").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429

    own_redis.start()
    caplog.set_level(logging.INFO, logger="flask-limiter")
    deadline = time.monotonic() + 20
    while "Rate limit storage recovered" not in caplog.text and time.monotonic() < deadline:
        login(redis_limited_app.test_client(), secretary["email"], secretary["password"])
        time.sleep(0.5)
    assert "Rate limit storage recovered" in caplog.text
    assert login(redis_limited_app.test_client(), secretary["email"], secretary["password"]).status_code == 302
