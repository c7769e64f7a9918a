"""The database goes away: PostgreSQL connections terminated (idle and in a storm), the server unreachable,
the connection lost between a commit and its reply; and ``Idempotency-Key`` on the API's changes.

The faults are real: connections are terminated by PostgreSQL itself (``pg_terminate_backend``) or cut at
the network by a TCP proxy in front of the real server (tests/tcp_proxy.py).
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from flask import current_app, has_request_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app import create_app
from app.auth.models import User
from app.extensions import db
from app.organisation.models import Committee
from app.registry.models import Case
from config import BaseConfig
from tests.api_helpers import scalar
from tests.factories import login
from tests.services import PG_BASE_URL, base_overrides, terminate_connections
from tests.tcp_proxy import TcpProxy

on_postgres = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

UNAVAILABLE = "Databasen svarar inte just nu. Vänta en stund och försök igen; inget av det du skickade har sparats."


def body(title: str) -> dict:
    return {
        "committee_id": scalar(select(Committee.id).where(Committee.registry_prefix == "SN")),
        "title": title,
        "classification_code": "181",
        "case_officer_id": scalar(select(User.id).where(User.email == "handlaggare@huddinge.example")),
    }


def cases_titled(title: str) -> int:
    return scalar(select(func.count()).select_from(Case).where(Case.title == title))


def second_app(app, tmp_path, url: str):
    """The same database through another engine (another address or application name), as a second server."""
    overrides = {
        **base_overrides(tmp_path),
        "STORAGE_PATH": app.config["STORAGE_PATH"],
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "connect_args": {"connect_timeout": 3},
        },
        "CELERY": BaseConfig.celery_settings("memory://"),
    }
    return create_app(overrides, environ={"INSTANCE_PATH": str(tmp_path / "second-instance")})


@pytest.fixture
def proxied(app, demo, tmp_path):
    """(app, proxy): a second app on the test database reached through a TCP proxy the test can cut."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    other = second_app(app, tmp_path, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    yield other, proxy
    proxy.close()
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def named(app, demo, tmp_path):
    """(app, terminate): a second app whose connections carry their own application name, and a function that
    has PostgreSQL terminate every one of them."""
    name = f"faults-{uuid.uuid4().hex[:10]}"
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).update_query_dict({"application_name": name})
    other = second_app(app, tmp_path, url.render_as_string(hide_password=False))
    admin = sa.create_engine(PG_BASE_URL)

    def terminate() -> int:
        return terminate_connections(admin, name)

    yield other, terminate
    with other.app_context():
        db.engine.dispose()
    admin.dispose()


# --- PostgreSQL restarts and terminated connections -----------------------------------------------


@on_postgres
def test_connections_terminated_while_idle_cost_nothing(named, demo):
    other, terminate = named
    client = other.test_client()
    headers = {"Authorization": f"Bearer {demo['registrator']['token']}"}
    for _ in range(3):
        assert client.get("/api/v1/cases", headers=headers).status_code == 200
    assert terminate() >= 1  # the pool's idle connections are gone, as after a restart
    statuses = [client.get("/api/v1/cases", headers=headers).status_code for _ in range(10)]
    assert statuses == [200] * 10


@on_postgres
def test_a_request_while_the_database_is_down_gets_a_clean_503_in_swedish(proxied, demo):
    other, proxy = proxied
    api = other.test_client()
    headers = {"Authorization": f"Bearer {demo['registrator']['token']}"}
    page = other.test_client()
    assert login(page, demo["registrator"]["email"], demo["registrator"]["password"]).status_code == 302
    assert page.get("/diarium").status_code == 200

    proxy.refuse()
    reply = api.get("/api/v1/cases", headers=headers)
    assert reply.status_code == 503, reply.get_data(as_text=True)
    assert reply.get_json() == {"error": {"status": 503, "message": UNAVAILABLE}}
    assert reply.headers["Retry-After"] == "5"
    change = api.post("/api/v1/cases", json={"title": "x"}, headers=headers)
    assert change.status_code == 503 and change.is_json
    for path in ("/diarium", "/"):
        html = page.get(path)
        assert html.status_code == 503
        assert html.mimetype == "text/html"
        text = html.get_data(as_text=True)
        assert "Tjänsten är tillfälligt otillgänglig" in text and UNAVAILABLE in text
        assert "Internal Server Error" not in text

    proxy.restore()
    assert api.get("/api/v1/cases", headers=headers).status_code == 200
    assert page.get("/diarium").status_code == 200


@on_postgres
def test_a_change_that_committed_is_reported_as_done_and_a_retry_does_not_repeat_it(proxied, demo):
    other, proxy = proxied
    client = other.test_client()
    headers = {"Authorization": f"Bearer {demo['registrator']['token']}", "Idempotency-Key": str(uuid.uuid4())}
    title = "Registrerat just innan databasen försvann"

    def lose_the_database(session):
        if has_request_context() and current_app._get_current_object() is other and not session.info.get("separate"):
            proxy.refuse()  # the commit went through; building the reply needs the database again

    event.listen(Session, "after_commit", lose_the_database)
    try:
        reply = client.post("/api/v1/cases", json=body(title), headers=headers)
    finally:
        event.remove(Session, "after_commit", lose_the_database)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert reply.get_json()["saved"] is True
    assert "Ändringen är sparad" in reply.get_json()["message"]
    proxy.restore()
    assert cases_titled(title) == 1

    retry = client.post("/api/v1/cases", json=body(title), headers=headers)
    assert retry.status_code == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "redan utförd" in retry.get_json()["message"]
    assert cases_titled(title) == 1


@on_postgres
def test_registrations_in_a_storm_of_terminated_connections_are_never_doubled(named, demo):
    """Each client retries after an error with the same key until it gets an answer that is not 5xx."""
    other, terminate = named
    token = demo["registrator"]["token"]
    prefix = f"Stormärende {uuid.uuid4().hex[:6]}"
    titles = [f"{prefix} {n}" for n in range(24)]
    template = body("")
    stop = threading.Event()
    terminated = []
    answers: dict[str, list] = {t: [] for t in titles}

    def storm():
        while not stop.is_set():
            terminated.append(terminate())
            time.sleep(0.15)

    def register(mine: list[str]):
        client = other.test_client()
        for title in mine:
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
            for attempt in range(60):
                reply = client.post("/api/v1/cases", json={**template, "title": title}, headers=headers)
                answers[title].append((reply.status_code, reply.is_json))
                if reply.status_code < 500:
                    break
                time.sleep(0.05 * min(attempt + 1, 6))

    stormer = threading.Thread(target=storm)
    stormer.start()
    workers = [threading.Thread(target=register, args=(titles[i::3],)) for i in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    stormer.join()

    assert sum(terminated) > 0, "the storm terminated no connection"
    every = [a for replies in answers.values() for a in replies]
    assert all(is_json for _status, is_json in every), every  # never the server's HTML page on the API
    assert {status for status, _ in every} <= {200, 201, 503}, every  # never a 500
    assert {replies[-1][0] for replies in answers.values()} <= {200, 201}, answers
    try:
        counts = dict(
            db.session.execute(
                select(Case.title, func.count()).where(Case.title.like(f"{prefix} %")).group_by(Case.title)
            ).all()
        )
    finally:
        db.session.rollback()
    assert counts == {t: 1 for t in titles}


# --- Idempotency-Key on both databases ---------------------------------------------------------------


def test_a_retry_with_the_same_key_gets_the_same_answer_and_changes_nothing(api_as, demo):
    client, headers = api_as("registrator")
    keyed = {**headers, "Idempotency-Key": "7f0c2a54-registrering-1"}
    title = "Överenskommelse om särskilt boende – åäö §"
    first = client.post("/api/v1/cases", json=body(title), headers=keyed)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = client.post("/api/v1/cases", json=body(title), headers=keyed)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert cases_titled(title) == 1

    other = client.post("/api/v1/cases", json=body(title + " (annan)"), headers=keyed)
    assert other.status_code == 422
    assert other.get_json()["error"]["message"] == (
        "Idempotency-Key har redan använts för en annan begäran. Använd en ny nyckel."
    )
    assert cases_titled(title + " (annan)") == 0

    without = client.post("/api/v1/cases", json=body(title), headers=headers)
    assert without.status_code == 201
    assert cases_titled(title) == 2  # no key: two requests are two registrations


def test_a_refused_request_leaves_its_key_free_and_keys_are_per_user(api_as, demo):
    client, headers = api_as("registrator")
    keyed = {**headers, "Idempotency-Key": "samma-nyckel"}
    refused = client.post("/api/v1/cases", json={**body("Utan rubrik"), "title": ""}, headers=keyed)
    assert refused.status_code in (400, 422)
    done = client.post("/api/v1/cases", json=body("Nu med rubrik"), headers=keyed)
    assert done.status_code == 201 and "Idempotent-Replayed" not in done.headers

    other_client, other_headers = api_as("sekreterare")
    theirs = other_client.post(
        "/api/v1/cases", json=body("Nu med rubrik"), headers={**other_headers, "Idempotency-Key": "samma-nyckel"}
    )
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert cases_titled("Nu med rubrik") == 2


@pytest.mark.parametrize("key", ["", "å-nyckel", "x" * 201, "med mellanslag"])
def test_a_malformed_key_is_refused(api_as, demo, key):
    client, headers = api_as("registrator")
    reply = client.post("/api/v1/cases", json=body("Ogiltig nyckel"), headers={**headers, "Idempotency-Key": key})
    assert reply.status_code == 400
    assert "Idempotency-Key ska vara" in reply.get_json()["error"]["message"]
    assert cases_titled("Ogiltig nyckel") == 0


def test_an_error_outside_the_error_handlers_is_answered_in_swedish():
    """The very last net: JSON under /api/, a page without the layout elsewhere, never the server's own page."""
    from werkzeug.test import Client

    from app.database_faults import LastResort

    def broken(environ, start_response):
        raise RuntimeError("teardown failed")

    client = Client(LastResort(broken))
    api = client.get("/api/v1/cases")
    assert api.status_code == 500
    assert api.get_json()["error"]["message"].startswith("Ett oväntat fel inträffade.")
    page = client.get("/diarium")
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert '<html lang="sv">' in page.get_data(as_text=True) and "Något gick fel" in page.get_data(as_text=True)
