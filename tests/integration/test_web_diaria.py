"""Administration → Diarier: create and change diaria with a preview of the next number, choose committees' diaria."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth.models import User
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee
from app.registry.diaria import next_serial
from app.registry.models import Case, Diarium
from tests.factories import csrf_token

PAGE = "/admin/diarier"
NEW = {"name": "Kommunens diarium", "series": "HK", "number_format": "Dnr {prefix} {year}.{serial}"}


def fresh():
    db.session.remove()
    return db.session


def diarium(series: str) -> Diarium | None:
    return fresh().scalar(select(Diarium).where(Diarium.series == series))


def counts() -> tuple[int, int]:
    session = fresh()
    return (
        session.scalar(select(func.count()).select_from(Diarium)),
        session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def post(client, path: str, data: dict):
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def test_the_admin_sees_the_diaria_with_their_next_numbers_and_committees(login_as):
    client = login_as("admin")
    page = html.unescape(client.get(PAGE).get_data(as_text=True))
    year = local_today().year
    assert "Socialnämndens diarium" in page and "{prefix}-{year}/{serial}.{class}" in page
    assert f"SN-{year}/" in page and "Nämndernas diarier" in page
    assert 'href="/admin/diarier"' in client.get("/admin/klassificering").get_data(as_text=True)


def test_preview_without_javascript_shows_the_next_number_and_saves_nothing(login_as):
    client = login_as("admin")
    before = counts()
    response = post(client, PAGE, NEW | {"preview": "Förhandsgranska"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Dnr HK {local_today().year}.1" in page and "utan klassificeringskod" in page
    assert counts() == before


def test_the_live_preview_answers_json_with_the_number_or_the_swedish_error(login_as):
    client = login_as("admin")
    ok = client.get(
        PAGE + "/forhandsgranska", query_string={"series": "bun", "number_format": "{prefix} {year}.{serial}"}
    )
    assert ok.status_code == 200 and ok.get_json() == {"number": f"BUN {local_today().year}.1", "errors": {}}
    sn = diarium("SN")
    ahead = client.get(
        PAGE + "/forhandsgranska",
        query_string={"series": "SN", "number_format": "{prefix} {serial}/{year}", "diarium_id": sn.id},
    ).get_json()
    assert ahead["number"] == f"SN {next_serial(sn, local_today().year)}/{local_today().year}"  # the series goes on
    bad = client.get(PAGE + "/forhandsgranska", query_string={"series": "SN", "number_format": "{year}{serial}"})
    assert bad.status_code == 422 and "tvetydigt" in bad.get_json()["errors"]["number_format"]


def test_the_admin_creates_a_diarium_and_moves_a_committee_into_it(login_as):
    client = login_as("admin")
    response = post(client, PAGE, NEW | {"save": "Spara"})
    assert response.status_code == 302, response.get_data(as_text=True)
    created = diarium("HK")
    assert (created.name, created.number_format) == (NEW["name"], NEW["number_format"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Nästa nummer blir Dnr HK {local_today().year}.1." in page

    created_id = created.id
    ks_id = fresh().scalar(select(Committee.id).where(Committee.registry_prefix == "KS"))
    token = csrf_token(client, PAGE)
    moved = client.post(
        PAGE + f"/namnd/{ks_id}", data={f"c{ks_id}-diarium_id": created_id, f"c{ks_id}-csrf_token": token}
    )
    assert moved.status_code == 302, moved.get_data(as_text=True)
    assert fresh().get(Committee, ks_id).diarium_id == created_id
    actions = set(
        fresh().scalars(select(AuditEntry.action).where(AuditEntry.object_type.in_(["Diarium", "Committee"])))
    )
    assert {"diarium.created", "committee.diarium"} <= actions


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"number_format": "{prefix}-{year}"}, "Formatet måste innehålla löpnumret {serial}."),
        ({"number_format": "{prefix}/{serial}{class}/{year}"}, "står direkt efter varandra"),
        ({"series": "K S"}, "Seriekoden skrivs med högst 10 bokstäver"),
        ({"name": ""}, "Namn måste fyllas i."),
    ],
)
def test_bad_input_shows_the_form_again_with_the_swedish_message(login_as, fields, message):
    client = login_as("admin")
    before = counts()
    response = post(client, PAGE, NEW | fields | {"save": "Spara"})
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert counts() == before


def test_a_series_in_use_is_refused_with_409(login_as):
    client = login_as("admin")
    response = post(client, PAGE, NEW | {"series": "KS", "save": "Spara"})
    assert response.status_code == 409
    assert "Seriekoden KS används redan" in response.get_data(as_text=True)


def test_editing_the_format_keeps_every_number_given(login_as):
    client = login_as("admin")
    sn = diarium("SN")
    numbers = dict(fresh().execute(select(Case.id, Case.number)).all())
    path = PAGE + f"/{sn.id}/andra"
    assert "Nästa diarienummer" in client.get(path).get_data(as_text=True)
    response = post(
        client, path, {"name": sn.name, "series": "SN", "number_format": "{prefix} {serial}/{year}", "save": "Spara"}
    )
    assert response.status_code == 302
    assert diarium("SN").number_format == "{prefix} {serial}/{year}"
    assert dict(fresh().execute(select(Case.id, Case.number)).all()) == numbers


@pytest.mark.parametrize("key", ["registrator", "ledamot", "handlaggare"])
def test_only_administrators_reach_the_pages(login_as, key):
    client = login_as(key)
    sn = diarium("SN")
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE + f"/{sn.id}/andra").status_code == 403
    assert client.get(PAGE + "/forhandsgranska").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, demo):
    assert client.get(PAGE).status_code == 302
    assert client.post(PAGE, data=NEW).status_code in (302, 400)


def test_the_register_form_asks_for_a_code_only_where_the_diarium_writes_one(login_as):
    client = login_as("admin")
    sn = diarium("SN")
    post(
        client,
        PAGE + f"/{sn.id}/andra",
        {"name": sn.name, "series": "SN", "number_format": "{prefix} {serial}/{year}", "save": "Spara"},
    )
    ks = diarium("KS")
    post(
        client,
        PAGE + f"/{ks.id}/andra",
        {"name": ks.name, "series": "KS", "number_format": "{prefix} {serial}/{year}", "save": "Spara"},
    )
    registrar = login_as("registrator")
    form = registrar.get("/diarium/registrera").get_data(as_text=True)
    assert "Frivillig: diariets nummer skriver ingen klassificeringskod." in form
    committee_id = fresh().scalar(select(Committee.id).where(Committee.registry_prefix == "SN"))
    officer_id = fresh().scalar(select(User.id).where(User.email == "handlaggare@huddinge.example"))
    response = registrar.post(
        "/diarium/registrera",
        data={
            "csrf_token": csrf_token(registrar, "/diarium/registrera"),
            "committee": committee_id,
            "title": "Utan klassificering",
            "classification_code": "",
            "case_officer_id": officer_id,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    case = fresh().scalar(select(Case).where(Case.title == "Utan klassificering"))
    assert case.number == f"SN {case.serial}/{local_today().year}" and case.classification_id is None
    page = registrar.get(response.headers["Location"]).get_data(as_text=True)
    assert case.number in page
