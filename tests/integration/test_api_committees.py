"""The committees API: only the caller's committees, with their roles and classification plan."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.auth.operations import grant_role
from app.demo import data
from app.extensions import db
from app.organisation.models import Committee
from app.registry import operations
from app.registry.models import ClassificationCode

NOT_FOUND = {
    "error": {
        "status": 404,
        "message": ("Sidan eller uppgiften du söker finns inte, eller så saknar du behörighet att se den."),
    }
}


def committee_id(prefix: str) -> int:
    try:
        return db.session.scalar(select(Committee.id).where(Committee.registry_prefix == prefix))
    finally:
        db.session.rollback()  # on SQLite a read transaction holds the lock the requests need


@pytest.mark.parametrize(
    "key, expected",
    [
        ("registrator", {"Kommunstyrelsen": ["registrar"], "Socialnämnden": ["registrar"]}),
        ("admin", {"Kommunstyrelsen": ["admin"], "Socialnämnden": ["admin"]}),
        ("ledamot", {"Socialnämnden": ["member"]}),
        ("ks-handlaggare", {"Kommunstyrelsen": ["case_officer"]}),
    ],
)
def test_list_shows_the_callers_committees_and_roles(api_as, key, expected):
    client, headers = api_as(key)
    response = client.get("/api/v1/committees", headers=headers)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert {c["name"]: c["roles"] for c in items} == expected


def test_committee_detail(api_as):
    client, headers = api_as("ledamot")
    sn = committee_id("SN")
    response = client.get(f"/api/v1/committees/{sn}", headers=headers)
    assert response.status_code == 200
    assert "Social- och äldreomsorgsförvaltningen".encode() in response.data  # UTF-8, not \u-escaped
    committee = response.get_json()["committee"]
    assert committee["id"] == sn
    assert (committee["name"], committee["registry_prefix"], committee["notice_days"]) == ("Socialnämnden", "SN", 7)
    assert committee["administration"]["name"] == "Social- och äldreomsorgsförvaltningen"
    assert committee["municipality"]["name"] == "Huddinge kommun"
    assert committee["municipality"]["registration_number_format"] == "{prefix}-{year}/{serial}.{class}"
    assert committee["roles"] == ["member"]
    assert (committee["kind"], committee["kind_label"], committee["parent_id"]) == ("committee", "Nämnd", None)
    assert committee["links"] == {"self": f"http://localhost/api/v1/committees/{sn}"}
    listed = client.get("/api/v1/committees", headers=headers).get_json()["items"]
    assert listed == [committee]


def test_an_utskott_answers_its_kind_and_its_parent(api_as):
    admin, admin_headers = api_as("admin")
    sn = committee_id("SN")
    made = admin.post(
        "/api/v1/committees",
        json={
            "name": "Socialnämndens arbetsutskott",
            "kind": "subcommittee",
            "parent_id": sn,
            "administration_id": db.session.get(Committee, sn).administration_id,
            "registry_prefix": "SNAU",
        },
        headers=admin_headers,
    )
    db.session.rollback()
    assert made.status_code == 201, made.get_json()
    au = made.get_json()["committee"]["id"]
    member = db.session.scalar(select(User).where(User.email == "ledamot@huddinge.example"))
    grant_role(member, db.session.get(Committee, au), Role.member)
    db.session.commit()
    client, headers = api_as("ledamot")
    committee = client.get(f"/api/v1/committees/{au}", headers=headers).get_json()["committee"]
    assert (committee["kind"], committee["kind_label"], committee["parent_id"]) == ("subcommittee", "Utskott", sn)
    assert committee["diarium"]["series"] == "SN"  # it registers in its parent's diarium
    listed = {c["id"]: c for c in client.get("/api/v1/committees", headers=headers).get_json()["items"]}
    assert (listed[au]["parent_id"], listed[sn]["parent_id"], listed[sn]["kind"]) == (sn, None, "committee")


@pytest.mark.parametrize("path", ["", "/classification-codes"])
def test_non_member_gets_the_same_404_as_for_an_unknown_committee(api_as, path):
    client, headers = api_as("ks-handlaggare")
    foreign = client.get(f"/api/v1/committees/{committee_id('SN')}{path}", headers=headers)
    unknown = client.get(f"/api/v1/committees/99999{path}", headers=headers)
    huge = client.get(f"/api/v1/committees/99999999999999999999{path}", headers=headers)
    assert foreign.status_code == unknown.status_code == huge.status_code == 404
    assert foreign.get_json() == unknown.get_json() == huge.get_json() == NOT_FOUND


def test_classification_codes_are_the_active_codes_of_the_plan(api_as, demo):
    admin = db.session.scalar(select(User).where(User.email == demo["admin"]["email"]))
    retired = db.session.scalar(select(ClassificationCode).where(ClassificationCode.code == "476"))
    operations.update_classification(retired, user=admin, name=retired.name, is_active=False)
    db.session.commit()
    client, headers = api_as("ledamot")
    response = client.get(f"/api/v1/committees/{committee_id('SN')}/classification-codes", headers=headers)
    assert response.status_code == 200
    codes = response.get_json()["items"]
    assert codes == [{"code": code, "name": name} for code, name in data.CLASSIFICATION if code != "476"]


def test_committees_need_credentials(client, demo):
    for path in ("/api/v1/committees", f"/api/v1/committees/{committee_id('SN')}"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.get_json()["error"]["status"] == 401


def test_a_committee_shows_its_meeting_template(api_as):
    client, headers = api_as("sekreterare")
    response = client.get(f"/api/v1/committees/{committee_id('SN')}", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["committee"]["standing_items"] == [
        {"title": "Val av justerare", "kind": "procedural", "closes_agenda": False},
        {"title": "Godkännande av föredragningslistan", "kind": "procedural", "closes_agenda": False},
        {"title": "Övriga frågor", "kind": "procedural", "closes_agenda": True},
        {"title": "Delgivningar och anmälda delegationsbeslut", "kind": "delegation_report", "closes_agenda": True},
    ]


def test_the_registrar_finds_the_case_officers_a_new_case_may_be_given_to(api_as):
    client, headers = api_as("registrator")
    sn, ks = committee_id("SN"), committee_id("KS")
    response = client.get(f"/api/v1/committees/{sn}/case-officers", headers=headers)
    assert response.status_code == 200
    officers = response.get_json()["items"]
    assert [(o["name"], o["title"]) for o in officers] == [("Johan Ek", "Utredare"), ("Maria Holm", "Controller")]
    johan = officers[0]["id"]
    created = client.post(
        "/api/v1/cases",
        json={"committee_id": sn, "title": "Ny riktlinje", "classification_code": "181", "case_officer_id": johan},
        headers=headers,
    )
    assert created.status_code == 201 and created.get_json()["case"]["case_officer"]["id"] == johan
    ks_officers = client.get(f"/api/v1/committees/{ks}/case-officers", headers=headers).get_json()["items"]
    assert [o["name"] for o in ks_officers] == ["Olle Ström"]

    member, member_headers = api_as("ledamot")
    assert member.get(f"/api/v1/committees/{sn}/case-officers", headers=member_headers).status_code == 403
    assert member.get(f"/api/v1/committees/{ks}/case-officers", headers=member_headers).get_json() == NOT_FOUND
