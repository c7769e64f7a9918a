"""/healthz and /readyz: open to anyone, JSON, never cached, no secret in them; /readyz says what is down."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from config import BaseConfig
from tasks.rendering.pdf import unavailable_reason
from tests.services import base_overrides


@pytest.fixture
def app_with_everything_down(tmp_path):
    """An app whose database and broker are closed ports (with passwords in their URLs) and whose storage
    directory cannot be made (a file stands in its way)."""
    blocked = tmp_path / "a-file"
    blocked.write_text("where the storage directory should be")
    app = create_app(
        {
            **base_overrides(tmp_path),
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://admin:hemligt-lösenord@127.0.0.1:1/x",
            "CELERY": BaseConfig.celery_settings("redis://:hemligt-lösenord@127.0.0.1:1/0"),
            "STORAGE_PATH": str(blocked / "files"),
        },
        environ={"INSTANCE_PATH": str(tmp_path / "instance")},
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_healthz_answers_without_a_login_or_the_database(app_with_everything_down):
    response = app_with_everything_down.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_checks_database_broker_storage_and_converter(app, client):
    response = client.get("/readyz")
    body = response.get_json()
    assert set(body["checks"]) == {"database", "broker", "storage", "converter"}
    for name in ("database", "broker", "storage"):
        assert body["checks"][name] == {"ok": True, "reason": None}
    converter_ok = unavailable_reason() is None
    assert body["checks"]["converter"]["ok"] is converter_ok
    assert response.status_code == (200 if converter_ok else 503)
    assert body["status"] == ("ok" if converter_ok else "fel")
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_says_what_is_down_in_swedish_and_nothing_secret(app_with_everything_down, tmp_path):
    response = app_with_everything_down.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "fel"
    assert body["checks"]["database"] == {"ok": False, "reason": "Databasen svarar inte."}
    assert body["checks"]["broker"] == {"ok": False, "reason": "Kön för bakgrundsjobb (broker) svarar inte."}
    assert body["checks"]["storage"] == {"ok": False, "reason": "Fillagringen kan inte skrivas."}
    text = response.get_data(as_text=True)
    assert "hemligt" not in text and "127.0.0.1" not in text and str(tmp_path) not in text


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_endpoints_are_not_rate_limited(app, client, path):
    statuses = {client.get(path).status_code for _ in range(30)}
    assert 429 not in statuses
