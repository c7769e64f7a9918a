"""Structured logs: one line per request with its request id, echoed in X-Request-ID; JSON or key=value."""

from __future__ import annotations

import json
import logging

import pytest

from app import logs
from app.auth.models import User
from app.extensions import db
from config import ConfigError, load_config


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "app.requests"]


def test_each_request_logs_one_line_with_its_id_status_duration_and_user(app, api_as, caplog):
    client, headers = api_as("registrator")
    caplog.set_level(logging.INFO, logger="app.requests")
    response = client.get("/api/v1/committees", headers={**headers, "X-Request-ID": "abc-123.de"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "abc-123.de"
    (line,) = _request_lines(caplog)
    user = db.session.query(User).filter_by(email="registrator@huddinge.example").one_or_none()
    assert line.request_id == "abc-123.de" and line.method == "GET" and line.path == "/api/v1/committees"
    assert line.status == 200 and line.duration_ms >= 0
    assert line.user_id is not None and (user is None or line.user_id == user.id)


def test_an_insane_request_id_is_replaced_and_an_anonymous_request_has_no_user(app, caplog):
    caplog.set_level(logging.INFO, logger="app.requests")
    client = app.test_client()
    response = client.get("/healthz", headers={"X-Request-ID": "x" * 200})
    generated = response.headers["X-Request-ID"]
    assert generated != "x" * 200 and len(generated) == 32
    response = client.get("/finns-inte", headers={"X-Request-ID": "bad id with spaces"})
    assert response.status_code == 404 and " " not in response.headers["X-Request-ID"]
    first, second = _request_lines(caplog)
    assert first.request_id == generated and first.user_id is None and first.status == 200
    assert second.status == 404 and second.request_id == response.headers["X-Request-ID"]


def test_a_request_refused_by_csrf_is_logged_too(app, login_as, caplog):
    client = login_as("registrator")
    caplog.set_level(logging.INFO, logger="app.requests")
    response = client.post("/logga-ut", data={})
    assert response.status_code == 400
    (line,) = _request_lines(caplog)
    assert line.status == 400 and line.request_id == response.headers["X-Request-ID"]


def test_json_and_text_formats_carry_the_fields():
    record = logging.LogRecord("app.requests", logging.INFO, __file__, 1, "GET %s", ("/a b",), None)
    record.request_id, record.status, record.path = "r1", 200, "/a b"
    as_json = json.loads(logs.JSONFormatter().format(record))
    assert as_json["message"] == "GET /a b" and as_json["request_id"] == "r1" and as_json["status"] == 200
    assert as_json["level"] == "INFO" and as_json["logger"] == "app.requests"
    text = logs.TextFormatter().format(record)
    assert text.endswith('GET /a b request_id=r1 status=200 path="/a b"')


def test_log_format_comes_from_the_environment(tmp_path):
    assert load_config({"LOG_FORMAT": "json"}, tmp_path)["LOG_FORMAT"] == "json"
    assert load_config({}, tmp_path)["LOG_FORMAT"] == "text"
    with pytest.raises(ConfigError):
        load_config({"LOG_FORMAT": "xml"}, tmp_path)
