"""``flask setup`` on an empty installation: the municipality and its first administrator, who may then
administer it; refused once anything is there; the password never an option."""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth.models import MunicipalityRole, MunicipalRole, User
from app.extensions import db
from app.organisation.models import Municipality
from tests.factories import login

PASSWORD = "ett-långt-lösenord-1"
OPTIONS = [
    "setup",
    "--municipality",
    "Borås stad",
    "--organisation-number",
    "2120001561",
    "--admin-email",
    "Admin@Boras.Example",
    "--admin-name",
    "Berit Borg",
]


def counts() -> tuple[int, int, int]:
    db.session.remove()
    row = tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Municipality, User, MunicipalityRole))
    db.session.rollback()
    return row


def test_setup_without_prompts_creates_the_municipality_and_its_administrator(app, monkeypatch):
    monkeypatch.setenv("NAMNDFLODE_ADMIN_PASSWORD", PASSWORD)
    result = app.test_cli_runner().invoke(args=OPTIONS)
    assert result.exit_code == 0, result.output
    assert "Borås stad is set up; admin@boras.example administers it (Kommunadministratör)." in result.output
    assert PASSWORD not in result.output

    m = db.session.scalar(select(Municipality))
    admin = db.session.scalar(select(User))
    assert (m.name, m.organisation_number, admin.email, admin.name) == (
        "Borås stad",
        "212000-1561",
        "admin@boras.example",
        "Berit Borg",
    )
    assert [(r.municipality_id, r.role) for r in admin.municipality_roles] == [(m.id, MunicipalRole.admin)]
    assert admin.roles == []  # no committee yet
    assert db.session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "municipality.created")) == (
        "Kommunen Borås stad skapad."
    )
    db.session.rollback()

    # The administrator logs in and administers the empty municipality: details, organisation, users.
    client = app.test_client()
    assert login(client, "admin@boras.example", PASSWORD).status_code == 302
    for path in ("/admin/kommunen", "/admin/organisation", "/admin/anvandare", "/admin/klassificering"):
        assert client.get(path).status_code == 200, path
    assert "Borås stad" in client.get("/admin/kommunen").get_data(as_text=True)


def test_setup_asks_for_what_is_not_given_and_the_password_twice(app, monkeypatch):
    monkeypatch.delenv("NAMNDFLODE_ADMIN_PASSWORD", raising=False)
    answers = "\n".join(["Borås stad", "admin@boras.example", "Berit Borg", PASSWORD, PASSWORD]) + "\n"
    result = app.test_cli_runner().invoke(args=["setup"], input=answers)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # typed, never echoed
    assert counts() == (1, 1, 1)
    client = app.test_client()
    assert login(client, "admin@boras.example", PASSWORD).status_code == 302


def test_setup_refuses_a_second_time_and_changes_nothing(app, monkeypatch):
    monkeypatch.setenv("NAMNDFLODE_ADMIN_PASSWORD", PASSWORD)
    runner = app.test_cli_runner()
    assert runner.invoke(args=OPTIONS).exit_code == 0
    again = runner.invoke(args=[*OPTIONS[:-4], "--admin-email", "annan@boras.example", "--admin-name", "Annan"])
    assert again.exit_code == 1
    assert "already set up" in again.output
    assert counts() == (1, 1, 1)


def test_setup_refuses_on_the_demo(app, demo, monkeypatch):
    monkeypatch.setenv("NAMNDFLODE_ADMIN_PASSWORD", PASSWORD)
    before = counts()
    result = app.test_cli_runner().invoke(args=OPTIONS)
    assert result.exit_code == 1 and "already set up" in result.output
    assert counts() == before


def test_bad_input_is_refused_in_swedish_and_nothing_stored(app, monkeypatch):
    runner = app.test_cli_runner()
    monkeypatch.setenv("NAMNDFLODE_ADMIN_PASSWORD", "kort")
    result = runner.invoke(args=OPTIONS)
    assert result.exit_code == 1 and "Lösenordet måste ha minst 10 tecken." in result.output
    monkeypatch.setenv("NAMNDFLODE_ADMIN_PASSWORD", PASSWORD)
    bad_number = [*OPTIONS]
    bad_number[4] = "212000-1562"
    result = runner.invoke(args=bad_number)
    assert result.exit_code == 1 and "kontrollsiffran stämmer inte" in result.output
    bad_email = [*OPTIONS]
    bad_email[6] = "ingen-adress"
    result = runner.invoke(args=bad_email)
    assert result.exit_code == 1 and "Ange en giltig e-postadress." in result.output
    assert counts() == (0, 0, 0)


def test_the_password_is_no_option(app):
    result = app.test_cli_runner().invoke(args=[*OPTIONS, "--password", PASSWORD])
    assert result.exit_code == 2 and "No such option '--password'" in result.output
    assert counts() == (0, 0, 0)
