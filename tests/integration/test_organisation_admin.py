"""Förvaltningar and committees (nämnder, utskott, stadsdelsnämnder), made by the municipality's administrator
through the pages and the API; an utskott belongs to a committee of the same municipality that is no utskott."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth.models import CommitteeRole, Role
from app.extensions import db
from app.organisation.models import Administration, Committee, CommitteeKind
from tests import factories
from tests.factories import body_of, csrf_token, login


def fresh():
    db.session.remove()
    return db.session


def committee(prefix: str) -> Committee:
    return fresh().scalar(select(Committee).where(Committee.registry_prefix == prefix))


def ids(prefix: str) -> tuple[int, int]:
    """The committee's id and its förvaltning's."""
    s = fresh()
    row = s.execute(select(Committee.id, Committee.administration_id).where(Committee.registry_prefix == prefix)).one()
    s.rollback()
    return tuple(row)


def state() -> tuple:
    s = fresh()
    row = (
        s.execute(select(Administration.id, Administration.name, Administration.postal_address)).all(),
        s.execute(
            select(
                Committee.id,
                Committee.name,
                Committee.kind,
                Committee.parent_id,
                Committee.registry_prefix,
                Committee.notice_days,
                Committee.administration_id,
            )
        ).all(),
        s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "user.logged_in")),
    )
    s.rollback()
    return row


def post(client, path: str, data: dict):
    return client.post(path, data={"csrf_token": csrf_token(client, "/profil"), **data})


def test_the_admin_builds_a_forvaltning_a_committee_and_its_utskott_through_the_pages(login_as, demo):
    admin = login_as("admin")
    page = body_of(admin.get("/admin/organisation"))
    assert "Social- och äldreomsorgsförvaltningen" in page and "Socialnämnden" in page

    response = post(admin, "/admin/forvaltningar/ny", {"name": "Barn- och utbildningsförvaltningen", "phone": "08-1"})
    assert response.status_code == 302
    buf = fresh().scalar(select(Administration).where(Administration.name == "Barn- och utbildningsförvaltningen"))
    block, buf_id = buf.address_block(), buf.id
    assert (block["postal_address"], block["phone"]) == ("141 85 Huddinge", "08-1")  # the municipality's, its own

    response = post(
        admin,
        "/admin/namnder/ny",
        {
            "name": "Barn- och utbildningsnämnden",
            "kind": "committee",
            "administration": buf_id,
            "registry_prefix": "bun",
            "notice_days": "6",
            "parent": "",
        },
    )
    assert response.status_code == 302, body_of(response, response.status_code)
    bun = committee("BUN")
    bun_id = bun.id
    assert (bun.name, bun.kind, bun.notice_days, bun.parent_id) == (
        "Barn- och utbildningsnämnden",
        CommitteeKind.committee,
        6,
        None,
    )

    response = post(
        admin,
        "/admin/namnder/ny",
        {
            "name": "Barn- och utbildningsnämndens arbetsutskott",
            "kind": "subcommittee",
            "administration": buf_id,
            "registry_prefix": "BUNAU",
            "notice_days": "5",
            "parent": bun_id,
        },
    )
    assert response.status_code == 302
    au = committee("BUNAU")
    assert (au.kind, au.parent_id) == (CommitteeKind.subcommittee, bun_id)
    au_id = au.id
    page = body_of(admin.get("/admin/organisation"))
    assert "Utskott till Barn- och utbildningsnämnden" in page

    actions = (
        fresh()
        .scalars(
            select(AuditEntry.action).where(AuditEntry.action.in_(["administration.created", "committee.created"]))
        )
        .all()
    )
    assert sorted(actions) == ["administration.created", "committee.created", "committee.created"]

    # The new utskott has members of its own: the user pages offer it.
    karin = fresh().scalar(select(CommitteeRole.user_id).where(CommitteeRole.role == Role.registrar).limit(1))
    user_page = body_of(admin.get(f"/admin/anvandare/{karin}"))
    assert "Barn- och utbildningsnämndens arbetsutskott" in user_page
    assert post(admin, f"/admin/anvandare/{karin}/roller", {"committee": au_id, "role": "member"}).status_code == 302
    assert (
        fresh().scalar(select(func.count()).select_from(CommitteeRole).where(CommitteeRole.committee_id == au_id)) == 1
    )

    # Edited: notice days and name; an utskott made a nämnd leaves its parent.
    response = post(
        admin,
        f"/admin/namnder/{au_id}",
        {
            "name": "BUN:s arbetsutskott",
            "kind": "committee",
            "administration": buf_id,
            "registry_prefix": "BUNAU",
            "notice_days": "4",
            "parent": "",
        },
    )
    assert response.status_code == 302
    au = committee("BUNAU")
    assert (au.name, au.kind, au.parent_id, au.notice_days) == ("BUN:s arbetsutskott", CommitteeKind.committee, None, 4)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"registry_prefix": "SN"}, "Diarieserien SN används redan av Socialnämnden."),
        ({"registry_prefix": "S N"}, "högst tio versaler och siffror"),
        ({"name": ""}, "Namn måste fyllas i."),
        ({"kind": "subcommittee", "parent": ""}, "Ett utskott hör till en nämnd: välj vilken."),
        ({"notice_days": "-1"}, "heltal mellan 0 och 60"),
        ({"notice_days": "sju"}, "Ange antal dagar som ett heltal."),
    ],
)
def test_a_bad_committee_is_refused_on_the_page_and_nothing_stored(login_as, demo, fields, message):
    admin = login_as("admin")
    adm = fresh().scalar(select(Administration.id).limit(1))
    before = state()
    data = {
        "name": "Ny nämnd",
        "kind": "committee",
        "administration": adm,
        "registry_prefix": "NY",
        "notice_days": "7",
        "parent": "",
        **fields,
    }
    response = post(admin, "/admin/namnder/ny", data)
    assert response.status_code == 422
    assert message in body_of(response, 422)
    assert state() == before


# --- the API ---


@pytest.fixture
def other_municipality(demo):
    """Another municipality with a committee and an utskott of its own."""
    other = factories.create_municipality("Andra kommun", administration="Andra förvaltningen")
    ks = factories.create_committee("AKS", name="Andra kommunstyrelsen", municipality=other)
    db.session.commit()
    return ks.id


def test_the_api_makes_a_committee_and_an_utskott_and_changes_it(api_as, demo):
    client, headers = api_as("admin")
    administrations = client.get("/api/v1/administrations", headers=headers).get_json()["items"]
    saf = next(a for a in administrations if a["name"] == "Social- och äldreomsorgsförvaltningen")
    sn, _ = ids("SN")
    reply = client.post(
        "/api/v1/committees",
        json={
            "name": "Socialnämndens arbetsutskott",
            "kind": "subcommittee",
            "administration_id": saf["id"],
            "registry_prefix": "SNAU",
            "notice_days": 5,
            "parent_id": sn,
        },
        headers=headers,
    )
    assert reply.status_code == 201, reply.get_json()
    au = reply.get_json()["committee"]
    assert (au["kind"], au["kind_label"], au["parent"], au["notice_days"]) == (
        "subcommittee",
        "Utskott",
        {"id": sn, "name": "Socialnämnden"},
        5,
    )
    reply = client.patch(f"/api/v1/committees/{au['id']}", json={"notice_days": 3}, headers=headers)
    assert reply.status_code == 200 and reply.get_json()["committee"]["notice_days"] == 3
    parent = client.patch(f"/api/v1/committees/{sn}", json={"name": "Socialnämnden"}, headers=headers).get_json()
    assert parent["committee"]["subcommittees"] == [{"id": au["id"], "name": "Socialnämndens arbetsutskott"}]

    reply = client.post("/api/v1/administrations", json={"name": "Stadsdelsförvaltningen Syd"}, headers=headers)
    assert reply.status_code == 201
    created = reply.get_json()["administration"]
    assert created["address_block"]["postal_address"] == "141 85 Huddinge"
    reply = client.patch(
        f"/api/v1/administrations/{created['id']}", json={"postal_address": "Box 1, 141 01 Huddinge"}, headers=headers
    )
    assert reply.get_json()["administration"]["address_block"]["postal_address"] == "Box 1, 141 01 Huddinge"


@pytest.mark.parametrize(
    "body, field, message",
    [
        (
            {"kind": "subcommittee", "parent_id": "{other}"},
            "parent_id",
            "Nämnden som utskottet hör till finns i en annan kommun.",
        ),
        (
            {"kind": "subcommittee", "parent_id": "{utskott}"},
            "parent_id",
            "Ett utskott kan inte höra till ett annat utskott.",
        ),
        ({"kind": "subcommittee"}, "parent_id", "Ett utskott hör till en nämnd: välj vilken."),
        ({"kind": "committee", "parent_id": "{sn}"}, "parent_id", "Bara ett utskott hör till en annan nämnd."),
        (
            {"administration_id": "{other_administration}"},
            "administration_id",
            "Förvaltningen hör till en annan kommun.",
        ),
        ({"notice_days": 61}, "notice_days", "heltal mellan 0 och 60"),
        ({"registry_prefix": "KS"}, "registry_prefix", "Diarieserien KS används redan av Kommunstyrelsen."),
    ],
    ids=[
        "utskott-of-another-municipality",
        "utskott-of-utskott",
        "utskott-without-parent",
        "nämnd-with-parent",
        "foreign-förvaltning",
        "notice-days",
        "taken-prefix",
    ],
)
def test_a_bad_committee_is_refused_by_the_api_in_swedish_and_nothing_stored(
    api_as, demo, other_municipality, body, field, message
):
    client, headers = api_as("admin")
    sn, saf = ids("SN")
    au = client.post(
        "/api/v1/committees",
        json={
            "name": "SN AU",
            "kind": "subcommittee",
            "administration_id": saf,
            "registry_prefix": "SNAU",
            "parent_id": sn,
        },
        headers=headers,
    ).get_json()["committee"]["id"]
    other_administration = fresh().scalar(select(Administration.id).where(Administration.name == "Andra förvaltningen"))
    known = {"{other}": other_municipality, "{utskott}": au, "{sn}": sn, "{other_administration}": other_administration}
    body = {key: known.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    before = state()
    new = {"name": "Ny nämnd", "kind": "committee", "administration_id": saf, "registry_prefix": "NY", **body}
    reply = client.post("/api/v1/committees", json=new, headers=headers)
    assert reply.status_code == 422
    assert message in reply.get_json()["error"]["fields"][field]
    # The same change of an existing nämnd (Kommunstyrelsen) is refused alike.
    if field != "registry_prefix":
        reply = client.patch(f"/api/v1/committees/{ids('KS')[0]}", json=body, headers=headers)
        assert reply.status_code == 422
        assert message in reply.get_json()["error"]["fields"][field]
    assert state() == before


def test_an_utskott_cannot_become_the_parent_of_itself_nor_a_parent_an_utskott(api_as, demo):
    client, headers = api_as("admin")
    sn, saf = ids("SN")
    au = client.post(
        "/api/v1/committees",
        json={
            "name": "SN AU",
            "kind": "subcommittee",
            "administration_id": saf,
            "registry_prefix": "SNAU",
            "parent_id": sn,
        },
        headers=headers,
    ).get_json()["committee"]["id"]
    before = state()
    reply = client.patch(f"/api/v1/committees/{au}", json={"parent_id": au}, headers=headers)
    assert reply.get_json()["error"]["fields"]["parent_id"] == "Ett utskott kan inte höra till sig självt."
    reply = client.patch(
        f"/api/v1/committees/{sn}", json={"kind": "subcommittee", "parent_id": ids("KS")[0]}, headers=headers
    )
    assert (
        reply.get_json()["error"]["fields"]["kind"]
        == "Socialnämnden har egna utskott och kan inte själv bli ett utskott."
    )
    assert state() == before


@pytest.fixture
def committee_admin(demo):
    user = factories.create_user("sn-admin", {committee("SN"): [Role.admin]})
    db.session.commit()
    return user


def test_only_the_municipality_admin_may_change_the_organisation(app, api_as, committee_admin, other_municipality):
    sn, adm = ids("SN")
    client = app.test_client()
    assert login(client, "sn-admin@test.example", "test-password-1").status_code == 302
    before = state()
    for path in (
        "/admin/organisation",
        "/admin/forvaltningar/ny",
        "/admin/namnder/ny",
        f"/admin/namnder/{sn}",
        f"/admin/forvaltningar/{adm}",
    ):
        assert client.get(path).status_code == 403, path
        assert post(client, path, {"name": "Obehörig"}).status_code in (403, 405), path
    token = csrf_token(client, "/profil")
    api = {"X-CSRFToken": token}
    assert client.post("/api/v1/committees", json={"name": "X"}, headers=api).status_code == 403
    assert client.patch(f"/api/v1/committees/{sn}", json={"notice_days": 1}, headers=api).status_code == 403
    assert client.post("/api/v1/administrations", json={"name": "X"}, headers=api).status_code == 403
    assert client.patch(f"/api/v1/administrations/{adm}", json={"name": "X"}, headers=api).status_code == 403

    member, headers = api_as("ledamot")
    assert member.patch(f"/api/v1/committees/{sn}", json={"notice_days": 1}, headers=headers).status_code == 403
    # Another municipality's committee is unknown, to its own administrator's peers too.
    admin, headers = api_as("admin")
    assert (
        admin.patch(f"/api/v1/committees/{other_municipality}", json={"notice_days": 1}, headers=headers).status_code
        == 404
    )
    assert login_page_404(app, other_municipality)
    assert state() == before


def login_page_404(app, committee_id: int) -> bool:
    client = app.test_client()
    assert login(client, "admin@huddinge.example", "demo-administrator").status_code == 302
    return client.get(f"/admin/namnder/{committee_id}").status_code == 404
