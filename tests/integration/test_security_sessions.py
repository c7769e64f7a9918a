"""Sessions end for real: a copied session cookie stops working after log-out, a new password or
an admin's "log out everywhere"; the production cookie and HSTS."""

from __future__ import annotations

from sqlalchemy import select

from app import create_app
from app.audit import AuditEntry
from app.auth.models import User
from app.extensions import db
from config import BaseConfig
from tests.factories import csrf_token, login
from tests.services import base_overrides

COOKIE = "namndflode_session"
NEW_PASSWORD = "ett-helt-nytt-lösenord-7"


def stolen_copy(app, client):
    """A second browser holding a copy of ``client``'s session cookie (e.g. copied off a shared computer)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def logged_in(client) -> bool:
    response = client.get("/profil")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def api_answers(client) -> int:
    return client.get("/api/v1/committees").status_code


def user_id(email: str) -> int:
    db.session.remove()
    return db.session.scalar(select(User.id).where(User.email == email))


def test_a_copied_cookie_works_only_until_log_out(app, login_as):
    client = login_as("ledamot")
    thief = stolen_copy(app, client)
    assert logged_in(thief) and api_answers(thief) == 200  # the copy is as good as the original

    assert client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/profil")}).status_code == 302

    response = thief.get("/profil")
    assert response.status_code == 302 and response.headers["Location"].startswith("/logga-in")
    assert api_answers(thief) == 401
    assert not logged_in(client)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.logged_out"))
    assert entry.summary == "Ali Karimi loggade ut."


def test_logging_in_again_after_log_out_works(app, login_as, demo):
    client = login_as("ledamot")
    client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/profil")})
    assert login(client, demo["ledamot"]["email"], demo["ledamot"]["password"]).status_code == 302
    assert logged_in(client)


def test_a_new_password_ends_every_other_session_but_this_one(app, login_as, demo):
    client = login_as("ledamot")
    elsewhere = login_as("ledamot")  # the same person on another device
    thief = stolen_copy(app, client)
    response = client.post(
        "/profil/losenord",
        data={
            "pw-current_password": demo["ledamot"]["password"],
            "pw-new_password": NEW_PASSWORD,
            "pw-repeat_password": NEW_PASSWORD,
            "csrf_token": csrf_token(client, "/profil"),
        },
    )
    assert response.status_code == 302

    assert logged_in(client)  # whoever changed the password stays logged in
    assert not logged_in(thief) and api_answers(thief) == 401
    assert not logged_in(elsewhere)


def test_an_admin_logs_a_user_out_everywhere(app, login_as, demo):
    victim = login_as("registrator")
    thief = stolen_copy(app, victim)
    admin = login_as("admin")
    karin = user_id(demo["registrator"]["email"])
    page = admin.get(f"/admin/anvandare/{karin}").get_data(as_text=True)
    assert "Logga ut från alla enheter" in page

    response = admin.post(f"/admin/anvandare/{karin}/logga-ut", data={"csrf_token": csrf_token(admin, "/profil")})
    assert response.status_code == 302
    assert "Karin Berg är utloggad från alla enheter." in admin.get(response.headers["Location"]).get_data(as_text=True)

    assert not logged_in(victim) and not logged_in(thief) and api_answers(thief) == 401
    assert logged_in(admin)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.sessions_ended"))
    assert (entry.object_id, entry.user_id) == (karin, user_id(demo["admin"]["email"]))
    assert entry.summary == "Nils Nord loggade ut Karin Berg från alla enheter."
    # The API token is a credential of its own and keeps working until it is revoked.
    assert (
        app.test_client()
        .get("/api/v1/committees", headers={"Authorization": f"Bearer {demo['registrator']['token']}"})
        .status_code
        == 200
    )


def test_an_admin_ending_their_own_sessions_stays_logged_in_here(app, login_as, demo):
    admin = login_as("admin")
    elsewhere = login_as("admin")
    nils = user_id(demo["admin"]["email"])
    response = admin.post(f"/admin/anvandare/{nils}/logga-ut", data={"csrf_token": csrf_token(admin, "/profil")})
    assert response.status_code == 302
    assert logged_in(admin) and not logged_in(elsewhere)


def test_ending_sessions_needs_csrf_and_an_admin(app, login_as, demo):
    victim = login_as("registrator")
    karin = user_id(demo["registrator"]["email"])
    admin = login_as("admin")
    assert admin.post(f"/admin/anvandare/{karin}/logga-ut", data={"csrf_token": "forged"}).status_code == 400
    member = login_as("ledamot")
    refused = member.post(f"/admin/anvandare/{karin}/logga-ut", data={"csrf_token": csrf_token(member, "/profil")})
    assert refused.status_code == 403
    assert logged_in(victim)


def test_an_admins_new_password_for_a_user_ends_their_sessions(app, login_as, demo):
    victim = login_as("registrator")
    admin = login_as("admin")
    karin = user_id(demo["registrator"]["email"])
    response = admin.post(
        f"/admin/anvandare/{karin}/losenord",
        data={"password": NEW_PASSWORD, "csrf_token": csrf_token(admin, "/profil")},
    )
    assert response.status_code == 302
    assert not logged_in(victim)


def test_a_session_from_before_session_versions_is_not_accepted(app, demo):
    """A cookie that names only the user id (as before migration 0008) logs nobody in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id(demo["registrator"]["email"]))
        session["_fresh"] = True
    assert not logged_in(client)


def _production_app(app, tmp_path):
    environ = {
        "APP_ENV": "production",
        "SECRET_KEY": "k" * 48,
        "DATABASE_URL": "postgresql://unused/none",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "STORAGE_PATH": str(tmp_path / "files"),
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    overrides = {
        **base_overrides(tmp_path),
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "CELERY": BaseConfig.celery_settings("memory://"),
    }
    return create_app(overrides, environ=environ)


def test_production_session_cookie_is_secure_httponly_lax_and_hsts_is_sent(app, demo, tmp_path):
    production = _production_app(app, tmp_path)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with production.app_context():
        client = production.test_client()
        response = client.get("/logga-in", base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        db.session.remove()
        db.engine.dispose()


def test_the_embedded_default_sends_no_hsts(client, demo):
    assert "Strict-Transport-Security" not in client.get("/logga-in").headers
