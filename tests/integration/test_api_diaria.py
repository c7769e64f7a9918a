"""Diaria in the API: list, read, create, change, and the diarium a committee registers in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.clock import local_today
from app.extensions import db
from app.registry.models import Case, Diarium
from tests.api_helpers import FORBIDDEN, NOT_FOUND, conforms
from tests.factories import committee, create_committee, create_municipality, person

NEW = {"name": "Kommunens diarium", "series": "HK", "number_format": "Dnr {prefix} {year}.{serial}"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _diarium_id(series: str) -> int:
    return db.session.scalar(select(Diarium.id).where(Diarium.series == series))


def test_members_list_their_municipalitys_diaria_with_the_next_number(api_as, demo):
    client, headers = api_as("ledamot")
    response = client.get("/api/v1/diaria", headers=headers)
    assert response.status_code == 200
    spec = client.get("/api/v1/openapi.json").get_json()
    conforms(spec, "DiariumList", response.get_json())
    items = {d["series"]: d for d in response.get_json()["items"]}
    assert set(items) == {"SN", "KS"}
    sn = items["SN"]
    assert sn["number_format"] == "{prefix}-{year}/{serial}.{class}" and sn["uses_classification"] is True
    assert sn["next_number"].startswith(f"SN-{local_today().year}/") and sn["next_number"].endswith(".181")
    assert [c["name"] for c in sn["committees"]] == ["Socialnämnden"]
    one = client.get(f"/api/v1/diaria/{sn['id']}", headers=headers)
    assert one.status_code == 200 and one.get_json()["diarium"] == sn


def test_the_admin_creates_a_diarium_moves_both_committees_into_it_and_registers(api_as, demo):
    client, headers = api_as("admin")
    created = client.post("/api/v1/diaria", json=NEW, headers=headers)
    assert created.status_code == 201, created.get_json()
    diarium = created.get_json()["diarium"]
    assert created.headers["Location"].endswith(f"/api/v1/diaria/{diarium['id']}")
    year = local_today().year
    assert (diarium["next_number"], diarium["uses_classification"], diarium["committees"]) == (
        f"Dnr HK {year}.1",
        False,
        [],
    )
    for prefix in ("SN", "KS"):
        moved = client.patch(
            f"/api/v1/committees/{committee(prefix).id}", json={"diarium_id": diarium["id"]}, headers=headers
        )
        assert moved.status_code == 200, moved.get_json()
        assert moved.get_json()["committee"]["diarium"] == {"id": diarium["id"], "name": NEW["name"]}
    registrar, reg_headers = api_as("registrator")
    case = registrar.post(
        "/api/v1/cases",
        json={"committee_id": committee("KS").id, "title": "Utan kod", "case_officer_id": person("ks-handlaggare").id},
        headers=reg_headers,
    )
    assert case.status_code == 201, case.get_json()
    assert case.get_json()["case"]["number"] == f"Dnr HK {year}.1"
    assert case.get_json()["case"]["classification"] is None
    found = registrar.get(f"/api/v1/cases/by-number/HK%20{year}.1", headers=reg_headers)  # without "Dnr "
    assert found.status_code == 200 and found.get_json()["case"]["id"] == case.get_json()["case"]["id"]
    listed = client.get(f"/api/v1/diaria/{diarium['id']}", headers=headers).get_json()["diarium"]
    assert {c["registry_prefix"] for c in listed["committees"]} == {"SN", "KS"}
    assert listed["next_number"] == f"Dnr HK {year}.2"


def test_a_changed_format_gives_new_numbers_and_leaves_the_old(api_as, demo):
    client, headers = api_as("admin")
    sn_id = _diarium_id("SN")
    numbers = dict(db.session.execute(select(Case.id, Case.number)).all())
    changed = client.patch(
        f"/api/v1/diaria/{sn_id}", json={"number_format": "{prefix} {serial}/{year}"}, headers=headers
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["diarium"]["next_number"].startswith("SN ")
    db.session.expire_all()
    assert dict(db.session.execute(select(Case.id, Case.number)).all()) == numbers
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "diarium.updated")).one()
    assert audit.data["after"] == {"number_format": "{prefix} {serial}/{year}"}


@pytest.mark.parametrize(
    "body, status, field, words",
    [
        (NEW | {"number_format": "{prefix}-{year}"}, 422, "number_format", "löpnumret {serial}"),
        (NEW | {"number_format": "{year}{serial}"}, 422, "number_format", "tvetydigt"),
        (NEW | {"number_format": "{prefix}/{year}/{nummer}"}, 422, "number_format", "Okänt fält"),
        (NEW | {"series": "K-S"}, 422, "series", "bokstäver"),
        (NEW | {"name": ""}, 422, "name", "Namn"),
        (NEW | {"colour": "blå"}, 400, "colour", "Okänt fält"),
        (NEW | {"series": 12}, 400, "series", "text"),
    ],
)
def test_bad_diaria_are_refused_with_swedish_field_errors_and_nothing_stored(api_as, demo, body, status, field, words):
    client, headers = api_as("admin")
    before = _count(Diarium), _count(AuditEntry)
    response = client.post("/api/v1/diaria", json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    assert words in response.get_json()["error"]["fields"][field]
    assert (_count(Diarium), _count(AuditEntry)) == before


def test_a_series_already_used_in_the_municipality_is_a_conflict(api_as, demo):
    client, headers = api_as("admin")
    response = client.post("/api/v1/diaria", json=NEW | {"series": "ks"}, headers=headers)
    assert response.status_code == 409
    assert "KS används redan" in response.get_json()["error"]["message"]
    sn_id = _diarium_id("SN")
    response = client.patch(f"/api/v1/diaria/{sn_id}", json={"series": "KS"}, headers=headers)
    assert response.status_code == 409


def test_who_may_do_what(api_as, client, demo):
    sn_id = _diarium_id("SN")
    registrar, headers = api_as("registrator")
    assert registrar.post("/api/v1/diaria", json=NEW, headers=headers).get_json() == FORBIDDEN
    response = registrar.patch(f"/api/v1/diaria/{sn_id}", json={"name": "Nytt"}, headers=headers)
    assert response.status_code == 403 and response.get_json() == FORBIDDEN
    response = registrar.patch(f"/api/v1/committees/{committee('SN').id}", json={"diarium_id": sn_id}, headers=headers)
    assert response.status_code == 403
    assert client.get("/api/v1/diaria").status_code == 401
    assert client.post("/api/v1/diaria", json=NEW).status_code == 401
    # another municipality's diarium is unknown: 404 whether it exists or not
    other = create_municipality("Exempelby kommun", administration="KLF")
    foreign = create_committee("EX", municipality=other)
    db.session.commit()
    admin, admin_headers = api_as("admin")
    from app.registry.diaria import diarium_of

    foreign_diarium = diarium_of(foreign).id
    db.session.commit()
    for path in (f"/api/v1/diaria/{foreign_diarium}", "/api/v1/diaria/999999"):
        assert admin.get(path, headers=admin_headers).get_json() == NOT_FOUND
        assert admin.patch(path, json={"name": "X"}, headers=admin_headers).status_code == 404
    moved = admin.patch(
        f"/api/v1/committees/{committee('SN').id}", json={"diarium_id": foreign_diarium}, headers=admin_headers
    )
    assert moved.status_code == 422 and moved.get_json()["error"]["fields"] == {"diarium_id": "Diariet finns inte."}
    assert (
        admin.patch(f"/api/v1/committees/{foreign.id}", json={"diarium_id": sn_id}, headers=admin_headers).status_code
        == 404
    )


def test_committee_changes_refuse_unknown_and_missing_fields(api_as, demo):
    client, headers = api_as("admin")
    path = f"/api/v1/committees/{committee('SN').id}"
    response = client.patch(path, json={"colour": "blå"}, headers=headers)
    assert response.status_code == 400 and "Okänt fält" in response.get_json()["error"]["fields"]["colour"]
    response = client.patch(path, json={"diarium_id": "KS"}, headers=headers)
    assert response.status_code == 400 and "diarium_id" in response.get_json()["error"]["fields"]
    response = client.patch(path, json={}, headers=headers)
    assert response.status_code == 422
    assert client.patch(f"/api/v1/diaria/{_diarium_id('SN')}", json={}, headers=headers).status_code == 422


def test_an_utskotts_diarium_is_its_parents(api_as, demo):
    from app.organisation.models import CommitteeKind

    sn = committee("SN")
    au = create_committee("SNAU", name="Socialnämndens arbetsutskott")
    au.kind, au.parent = CommitteeKind.subcommittee, sn
    db.session.commit()
    au_id, sn_diarium = au.id, _diarium_id("SN")
    client, headers = api_as("admin")
    response = client.patch(f"/api/v1/committees/{au_id}", json={"diarium_id": _diarium_id("KS")}, headers=headers)
    assert response.status_code == 409 and "utskott" in response.get_json()["error"]["message"]
    assert db.session.get(type(au), au_id).diarium_id is None
    listed = client.get(f"/api/v1/diaria/{sn_diarium}", headers=headers).get_json()["diarium"]
    assert [c["name"] for c in listed["committees"]] == ["Socialnämnden"]


def test_the_preview_shows_a_formats_next_number_or_why_it_is_refused(api_as, demo):
    client, headers = api_as("admin")
    year = local_today().year
    ok = client.get(
        "/api/v1/diaria/preview",
        query_string={"series": "bun", "number_format": "{prefix} {year}.{serial}"},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.get_json() == {"number": f"BUN {year}.1", "uses_classification": False}
    bad = client.get(
        "/api/v1/diaria/preview", query_string={"series": "BUN", "number_format": "{serial}{yy}"}, headers=headers
    )
    assert bad.status_code == 422 and "tvetydigt" in bad.get_json()["error"]["fields"]["number_format"]
    unknown = client.get("/api/v1/diaria/preview", query_string={"colour": "blå"}, headers=headers)
    assert unknown.status_code == 400
    registrar, reg_headers = api_as("registrator")
    assert (
        registrar.get("/api/v1/diaria/preview", query_string={"series": "KS"}, headers=reg_headers).status_code == 403
    )
