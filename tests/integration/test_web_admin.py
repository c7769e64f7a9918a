"""The classification plan admin pages (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.organisation.models import Committee
from app.registry.models import Case, ClassificationCode
from tests.factories import body_of, csrf_token

PAGE = "/admin/klassificering"


def fresh():
    """Return a new session, so what the requests committed is read back from the database."""
    db.session.remove()
    return db.session


def code_row(code: str) -> ClassificationCode | None:
    return fresh().scalar(select(ClassificationCode).where(ClassificationCode.code == code))


def code_count() -> int:
    return fresh().scalar(select(func.count()).select_from(ClassificationCode))


def add_code(client, code: str, name: str):
    return client.post(PAGE, data={"csrf_token": csrf_token(client, PAGE), "code": code, "name": name})


def test_admin_adds_a_code_that_becomes_selectable(login_as):
    client = login_as("admin")
    assert "181" in client.get(PAGE).get_data(as_text=True)

    response = add_code(client, "2.3.1", "Tillsyn enligt alkohollagen")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Klassificeringen 2.3.1 – Tillsyn enligt alkohollagen har lagts till." in page

    row = code_row("2.3.1")
    assert (row.name, row.is_active) == ("Tillsyn enligt alkohollagen", True)
    assert (
        fresh().scalar(select(AuditEntry.action).where(AuditEntry.object_type == "ClassificationCode"))
        == "classification.added"
    )
    form = client.get("/diarium/registrera").get_data(as_text=True)
    assert '<option value="2.3.1">2.3.1 – Tillsyn enligt alkohollagen</option>' in form


@pytest.mark.parametrize(
    "code, name, message",
    [
        ("181", "Dubblett", "Koden 181 finns redan."),
        ("abc", "Bokstäver", "Koden skrivs med siffror, gärna med punkter (t.ex. 181 eller 2.3.1)."),
        ("1..2", "Två punkter", "Koden skrivs med siffror"),
        ("", "Utan kod", "Kod måste fyllas i."),
        ("950", "", "Benämning måste fyllas i."),
    ],
    ids=["duplicate", "letters", "double-dot", "no-code", "no-name"],
)
def test_bad_code_is_refused_with_message(login_as, code, name, message):
    client = login_as("admin")
    before = code_count()
    response = add_code(client, code, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert code_count() == before


def test_admin_renames_and_retires_a_code(login_as):
    client = login_as("admin")
    item_id = code_row("476").id
    path = f"{PAGE}/{item_id}/andra"
    assert "Trafik och trafiksäkerhet" in client.get(path).get_data(as_text=True)

    refused = client.post(path, data={"csrf_token": csrf_token(client, path), "name": " ", "is_active": "y"})
    assert refused.status_code == 422
    assert "Benämning måste fyllas i." in refused.get_data(as_text=True)

    response = client.post(path, data={"csrf_token": csrf_token(client, path), "name": "Trafiksäkerhet"})
    assert response.status_code == 302
    row = code_row("476")
    assert (row.name, row.is_active) == ("Trafiksäkerhet", False)
    # Old cases keep it; new cases cannot get it; the search still offers it.
    assert fresh().scalar(select(func.count()).select_from(Case).where(Case.classification_id == item_id)) == 1
    assert 'value="476"' not in body_of(client.get("/diarium/registrera"))
    assert "476 – Trafiksäkerhet (används inte längre)" in client.get("/diarium").get_data(as_text=True)
    sn = fresh().scalar(select(Committee.id).where(Committee.registry_prefix == "SN"))
    refused_case = client.post(
        "/diarium/registrera",
        data={
            "csrf_token": csrf_token(client, "/diarium/registrera"),
            "committee": sn,
            "title": "Trafik",
            "classification_code": "476",
            "case_officer_id": "",
        },
    )
    assert refused_case.status_code == 422
    assert "Klassificeringen 476 Trafiksäkerhet används inte längre." in refused_case.get_data(as_text=True)


@pytest.mark.parametrize("key", ["registrator", "ledamot", "ks-handlaggare"])
def test_non_admin_is_refused(login_as, key):
    client = login_as(key)
    assert client.get(PAGE).status_code == 403
    item_id = code_row("181").id
    assert client.get(f"{PAGE}/{item_id}/andra").status_code == 403
    before = code_count()
    token = csrf_token(client, "/profil")
    assert client.post(PAGE, data={"csrf_token": token, "code": "951", "name": "Obehörig"}).status_code == 403
    assert client.post(f"{PAGE}/{item_id}/andra", data={"csrf_token": token, "name": "Ändrad"}).status_code == 403
    assert code_count() == before
    assert code_row("181").name == "Verksamhetsberättelse och årsredovisning"


def test_unknown_code_is_404(login_as):
    assert login_as("admin").get(f"{PAGE}/987654/andra").status_code == 404


def test_diarium_links_to_the_plan_only_for_admins(login_as):
    assert PAGE in login_as("admin").get("/diarium").get_data(as_text=True)
    assert PAGE not in body_of(login_as("registrator").get("/diarium"))


@pytest.mark.parametrize("path", [PAGE, f"{PAGE}/1/andra"])
def test_anonymous_is_sent_to_login(client, demo, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in?next=")
    posted = client.post(path, data={"csrf_token": csrf_token(client), "code": "952", "name": "Anonym"})
    assert posted.status_code == 302
    assert posted.headers["Location"].startswith("/logga-in")
    assert code_row("952") is None
