"""The meetings API: each endpoint allowed and refused (roles, committees, bad input, stale versions),
publishing, the public endpoints, two secretaries reordering at once, and the documented shapes."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from agenda.models import AgendaItem, DelegationDecision, Meeting, Publication
from app.audit import AuditEntry
from app.auth.models import Role, User
from app.clock import local_today, utcnow
from app.demo import data as demo_data
from app.extensions import db
from app.organisation.models import Committee
from app.registry import operations as registry_ops
from app.registry.models import Case
from tests.api_helpers import NOT_FOUND, SPEC_URL, conforms, scalar
from tests.factories import REPORT, create_api_token, create_user, csrf_token, fresh_session
from workflows import operations as report_ops
from workflows.models import ReportState

SECRET_TITLE = "Vårdnad om Bodil Hemlighetsson enligt 6 kap. föräldrabalken"
PUBLIC_TITLE = "Ansökan enligt föräldrabalken"


def person(key: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{key}@huddinge.example"))


def committee(prefix: str = "SN") -> Committee:
    return db.session.scalar(select(Committee).where(Committee.registry_prefix == prefix))


def committee_id(prefix: str = "SN") -> int:
    return scalar(select(Committee.id).where(Committee.registry_prefix == prefix))


def future(days: int = 40, hour: int = 18) -> str:
    return f"{(local_today() + timedelta(days=days)).isoformat()}T{hour:02d}:00"


def count(model) -> int:
    return scalar(select(func.count()).select_from(model))


def stored() -> tuple:
    """What a refused request must leave unchanged."""
    return (
        count(Meeting),
        count(AgendaItem),
        count(Publication),
        count(DelegationDecision),
        count(AuditEntry),
        scalar(select(func.sum(Meeting.agenda_version))),
    )


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:1500])
    return response.get_json()


def refused(response, status: int, field: str | None = None, text: str | None = None) -> dict:
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    assert body["error"]["status"] == status
    if field is not None:
        assert field in body["error"].get("fields", {}), body
    if text is not None:
        assert text in body["error"]["message"], body
    return body


@pytest.fixture
def new_case(demo):
    """Return a new open case, its report brought to ``state`` (or none), committed."""

    def _case(
        title: str = "Riktlinjer för ekonomiskt bistånd 2027",
        state: ReportState | None = ReportState.signed,
        prefix: str = "SN",
        confidential: bool = False,
    ) -> Case:
        officer = person("handlaggare") if prefix == "SN" else person("ks-handlaggare")
        case = registry_ops.register_case(
            committee=committee(prefix),
            user=person("registrator"),
            title=title,
            classification_code="181",
            case_officer=officer,
        )
        if confidential:
            registry_ops.set_confidentiality(
                case,
                user=person("registrator"),
                is_confidential=True,
                secrecy_provision="26 kap. 1 § OSL",
                public_title=PUBLIC_TITLE,
            )
        if state is not None:
            report = report_ops.create_report(case, user=officer)
            report_ops.save_revision(report, user=officer, raw={**REPORT, "title": title}, based_on=1)
            steps = {
                ReportState.draft: [],
                ReportState.signed: [
                    ("submit", officer),
                    ("approve", person("enhetschef")),
                    ("sign", person("direktor")),
                ],
            }[state]
            for name, who in steps:
                report_ops.transition(report, user=who, name=name, notify=False)
        db.session.commit()
        return case

    return _case


@pytest.fixture
def secretary(api_as):
    return api_as("sekreterare")


@pytest.fixture
def meeting(secretary) -> dict:
    """A meeting of Socialnämnden planned through the API forty days ahead, with the standing items."""
    client, headers = secretary
    return ok(
        client.post(
            "/api/v1/meetings",
            json={"committee_id": committee_id(), "start": future(), "place": "Plenum, Gymnasietorget 1"},
            headers=headers,
        ),
        201,
    )["meeting"]


def url(meeting: dict, tail: str = "") -> str:
    return f"/api/v1/meetings/{meeting['id']}{tail}"


def agenda(client, headers, meeting: dict) -> dict:
    return ok(client.get(url(meeting, "/items"), headers=headers))


def report_state(case_id: int) -> ReportState:
    """Read the report's state as committed, and end the transaction (SQLite's lock)."""
    try:
        db.session.expire_all()
        return report_ops.report_for(db.session.get(Case, case_id)).state
    finally:
        db.session.rollback()


# --- meetings -----------------------------------------------------------------------------------------


def test_plan_a_meeting(secretary):
    client, headers = secretary
    response = client.post(
        "/api/v1/meetings",
        json={
            "committee_id": committee_id(),
            "start": future(),
            "place": "Plenum, Gymnasietorget 1",
            "is_public": True,
        },
        headers=headers,
    )
    body = ok(response, 201)["meeting"]
    assert response.headers["Location"] == f"http://localhost/api/v1/meetings/{body['id']}"
    assert body["start"].startswith(future()) and body["place"] == "Plenum, Gymnasietorget 1"
    assert (body["status"], body["is_public"], body["agenda_version"]) == ("planned", True, 1)
    assert [(i["number"], i["title"], i["kind"]) for i in body["items"]] == [
        (1, "Val av justerare", "procedural"),
        (2, "Godkännande av föredragningslistan", "procedural"),
        (3, "Övriga frågor", "procedural"),
        (4, "Delgivningar och anmälda delegationsbeslut", "delegation_report"),
    ]
    assert body["notice_deadline"] == (local_today() + timedelta(days=40 - 7)).isoformat()
    assert body["secretary_name"] == "Sara Lindqvist" and body["latest_publication"] is None
    bare = ok(
        client.post(
            "/api/v1/meetings",
            json={"committee_id": committee_id(), "start": future(50), "place": "Plenum", "standing_items": False},
            headers=headers,
        ),
        201,
    )["meeting"]
    assert bare["items"] == []
    with fresh_session() as session:
        stored_meeting = session.get(Meeting, body["id"])
        assert stored_meeting.is_public and len(stored_meeting.items) == 4


@pytest.mark.parametrize(
    "body, status, field, text",
    [
        ({"start": "2020-01-01T18:00"}, 422, "start", "Sammanträdet kan inte läggas i det förflutna."),
        ({"start": "den 23 februari"}, 422, "start", "Ange tid som ÅÅÅÅ-MM-DD TT:MM."),
        ({"start": None}, 422, "start", None),
        ({"start": 20270223}, 400, "start", "Tid måste vara text."),
        ({"place": ""}, 422, "place", "Plats måste fyllas i."),
        ({"place": "x" * 201}, 422, "place", "högst 200 tecken"),
        ({"is_public": "ja"}, 400, "is_public", "true eller false"),
        ({"standing_items": 1}, 400, "standing_items", None),
        ({"committee_id": None}, 422, "committee_id", "Välj nämnd."),
        ({"rum": "Plenum"}, 400, "rum", "Okänt fält"),
    ],
)
def test_planning_refuses_bad_input_and_stores_nothing(secretary, body, status, field, text):
    client, headers = secretary
    before = stored()
    good = {"committee_id": committee_id(), "start": future(), "place": "Plenum"}
    response = client.post("/api/v1/meetings", json={**good, **body}, headers=headers)
    refused(response, status, field, text)
    assert stored() == before


def test_planning_refused_by_role_committee_and_format(api_as, secretary):
    before = stored()
    body = {"committee_id": committee_id(), "start": future(), "place": "Plenum"}
    client, headers = api_as("ledamot")
    refused(client.post("/api/v1/meetings", json=body, headers=headers), 403)
    client, headers = api_as("ks-handlaggare")
    refused(client.post("/api/v1/meetings", json=body, headers=headers), 422, "committee_id", "Nämnden finns inte.")
    client, headers = secretary
    refused(
        client.post("/api/v1/meetings", json={**body, "committee_id": committee_id("KS")}, headers=headers),
        422,
        "committee_id",
    )
    refused(client.post("/api/v1/meetings", data="committee_id=1", headers=headers), 415)
    refused(
        client.post("/api/v1/meetings", data="{", headers={**headers, "Content-Type": "application/json"}), 400, "body"
    )
    refused(client.post("/api/v1/meetings", json=[body], headers=headers), 400, "body")
    assert stored() == before


def test_list_meetings_with_filters(api_as, secretary, meeting):
    client, headers = secretary
    year = int(meeting["start"][:4])
    page = ok(client.get("/api/v1/meetings", query_string={"year": year}, headers=headers))
    assert meeting["id"] in [m["id"] for m in page["items"]]
    assert "items" not in page["items"][0] and page["items"][0]["committee"]["registry_prefix"] == "SN"
    assert ok(client.get("/api/v1/meetings", query_string={"year": 2001}, headers=headers))["items"] == []
    mine = ok(client.get("/api/v1/meetings", query_string={"committee_id": committee_id()}, headers=headers))
    assert meeting["id"] in [m["id"] for m in mine["items"]]
    refused(
        client.get("/api/v1/meetings", query_string={"committee_id": committee_id("KS")}, headers=headers),
        400,
        "committee_id",
        "Nämnden finns inte.",
    )
    refused(client.get("/api/v1/meetings", query_string={"year": "tjugo"}, headers=headers), 400, "year")
    refused(client.get("/api/v1/meetings", query_string={"status": "planned"}, headers=headers), 400, "status")
    other, other_h = api_as("ks-handlaggare")
    assert meeting["id"] not in [m["id"] for m in ok(other.get("/api/v1/meetings", headers=other_h))["items"]]
    member, member_h = api_as("ledamot")
    assert meeting["id"] in [m["id"] for m in ok(member.get("/api/v1/meetings", headers=member_h))["items"]]


def test_read_a_meeting_member_yes_other_committee_no(api_as, meeting):
    member, member_h = api_as("ledamot")
    assert ok(member.get(url(meeting), headers=member_h))["meeting"]["id"] == meeting["id"]
    other, other_h = api_as("ks-handlaggare")
    assert other.get(url(meeting), headers=other_h).get_json() == NOT_FOUND
    assert other.get(url(meeting), headers=other_h).status_code == 404
    assert member.get("/api/v1/meetings/2147483648", headers=member_h).status_code == 404
    assert member.get("/api/v1/meetings/999999", headers=member_h).status_code == 404
    assert ok(member.get(url(meeting, "/items"), headers=member_h))["agenda_version"] == 1
    assert other.get(url(meeting, "/items"), headers=other_h).status_code == 404
    assert app_client_without_login(member).get(url(meeting)).status_code == 401


def app_client_without_login(client):
    return client.application.test_client()


def test_complete_the_kallelse_and_clear_a_field(api_as, secretary, meeting):
    client, headers = secretary
    body = ok(
        client.patch(
            url(meeting),
            json={
                "notice_place": "Huddinge",
                "notice_date": "2026-12-01",
                "chair_name": "Gunnel Hedberg",
                "place": "Sessionssalen",
            },
            headers=headers,
        )
    )["meeting"]
    assert (body["notice_place"], body["notice_date"], body["chair_name"], body["place"]) == (
        "Huddinge",
        "2026-12-01",
        "Gunnel Hedberg",
        "Sessionssalen",
    )
    cleared = ok(client.patch(url(meeting), json={"chair_name": None}, headers=headers))["meeting"]
    assert cleared["chair_name"] is None and cleared["notice_place"] == "Huddinge"
    with fresh_session() as session:
        assert session.get(Meeting, meeting["id"]).chair_name is None

    before = stored()
    refused(client.patch(url(meeting), json={}, headers=headers), 422, "body")
    refused(client.patch(url(meeting), json={"start": "2019-05-05T18:00"}, headers=headers), 422, "start")
    refused(client.patch(url(meeting), json={"place": None}, headers=headers), 422, "place")
    refused(client.patch(url(meeting), json={"notice_date": "1/12"}, headers=headers), 400, "notice_date")
    refused(client.patch(url(meeting), json={"status": "held"}, headers=headers), 400, "status")
    member, member_h = api_as("ledamot")
    refused(member.patch(url(meeting), json={"place": "Hemma"}, headers=member_h), 403)
    other, other_h = api_as("ks-handlaggare")
    refused(other.patch(url(meeting), json={"place": "Hemma"}, headers=other_h), 404)
    assert stored() == before


def test_a_browser_session_must_send_the_csrf_token(login_as, meeting):
    browser = login_as("sekreterare")
    refused(browser.patch(url(meeting), json={"place": "Hemma"}), 400)
    token = csrf_token(browser, "/profil")
    assert ok(browser.patch(url(meeting), json={"place": "Rummet"}, headers={"X-CSRFToken": token}))


# --- agenda items ---------------------------------------------------------------------------------------


def test_add_case_items_and_the_rules(api_as, secretary, meeting, new_case):
    client, headers = secretary
    signed, draft = new_case("Riktlinjer A"), new_case("Riktlinjer B", state=ReportState.draft)
    added = client.post(
        url(meeting, "/items"), json={"kind": "case", "case_id": signed.id, "version": 1}, headers=headers
    )
    body = ok(added, 201)
    assert added.headers["Location"].endswith(f"/items/{body['item']['id']}")
    assert (body["item"]["number"], body["item"]["title"], body["item"]["case_number"]) == (
        3,
        "Riktlinjer A",
        signed.number,
    )
    assert body["item"]["report_state"] == "on_agenda" and body["agenda_version"] == 2
    assert report_state(signed.id) is ReportState.on_agenda

    other = new_case("Bänkar", prefix="KS", state=None)
    before = stored()
    refused(
        client.post(url(meeting, "/items"), json={"kind": "case", "case_id": draft.id}, headers=headers),
        409,
        text="inte undertecknat",
    )
    refused(
        client.post(url(meeting, "/items"), json={"kind": "case", "case_number": other.number}, headers=headers),
        409,
        text="hör till Kommunstyrelsen, inte till Socialnämnden",
    )
    refused(
        client.post(url(meeting, "/items"), json={"kind": "case", "case_id": signed.id}, headers=headers),
        409,
        text="står redan på föredragningslistan",
    )
    refused(
        client.post(url(meeting, "/items"), json={"kind": "case", "case_id": signed.id, "version": 1}, headers=headers),
        409,
        text="version 2, du utgick från 1",
    )
    refused(client.post(url(meeting, "/items"), json={"kind": "case"}, headers=headers), 422, "case_id")
    refused(
        client.post(url(meeting, "/items"), json={"kind": "case", "case_id": 999999}, headers=headers),
        422,
        "case_id",
        "Ärendet finns inte.",
    )
    refused(
        client.post(url(meeting, "/items"), json={"kind": "case", "case_number": "SN-1999/1.181"}, headers=headers),
        422,
        "case_number",
        "Ärendet finns inte.",
    )
    refused(
        client.post(url(meeting, "/items"), json={"kind": "case", "case_number": "inget nummer"}, headers=headers),
        422,
        "case_number",
    )
    refused(
        client.post(
            url(meeting, "/items"),
            json={"kind": "case", "case_id": signed.id, "case_number": signed.number},
            headers=headers,
        ),
        422,
        "case_id",
    )
    refused(client.post(url(meeting, "/items"), json={"title": "Utan typ"}, headers=headers), 422, "kind")
    refused(client.post(url(meeting, "/items"), json={"kind": "motion"}, headers=headers), 400, "kind")
    refused(client.post(url(meeting, "/items"), json={"kind": "other"}, headers=headers), 422, "title")
    refused(
        client.post(url(meeting, "/items"), json={"kind": "other", "title": "X", "position": 9}, headers=headers),
        422,
        "position",
    )
    refused(
        client.post(
            url(meeting, "/items"), json={"kind": "other", "title": "X", "case_id": signed.id}, headers=headers
        ),
        422,
        "case_id",
    )
    refused(
        client.post(url(meeting, "/items"), json={"kind": "information", "parts": "Ekonomi"}, headers=headers),
        400,
        "parts",
    )
    refused(
        client.post(url(meeting, "/items"), json={"kind": "information", "parts": [{"titel": "X"}]}, headers=headers),
        422,
        "parts.1",
    )
    refused(
        client.post(url(meeting, "/items"), json={"kind": "other", "title": "X", "note": "a\x00b"}, headers=headers),
        400,
        "note",
    )
    member, member_h = api_as("ledamot")
    refused(member.post(url(meeting, "/items"), json={"kind": "other", "title": "X"}, headers=member_h), 403)
    outsider, outsider_h = api_as("ks-handlaggare")
    refused(outsider.post(url(meeting, "/items"), json={"kind": "other", "title": "X"}, headers=outsider_h), 404)
    assert stored() == before
    assert report_state(draft.id) is ReportState.draft

    later = ok(
        client.post(
            url(meeting, "/items"),
            json={"kind": "case", "case_id": draft.id, "is_handling_later": True},
            headers=headers,
        ),
        201,
    )["item"]
    assert later["is_handling_later"] and later["number"] == 4 and later["report_state"] == "draft"
    info = ok(
        client.post(
            url(meeting, "/items"),
            json={
                "kind": "information",
                "position": 3,
                "parts": [
                    {"title": "Ekonomisk rapport", "presenter": "Omar Berg, ekonomichef"},
                    {"title": "Lokalfrågor"},
                ],
            },
            headers=headers,
        ),
        201,
    )["item"]
    assert info["number"] == 3 and info["title"] == "Information"
    assert info["parts"] == [
        {"title": "Ekonomisk rapport", "presenter": "Omar Berg, ekonomichef"},
        {"title": "Lokalfrågor", "presenter": None},
    ]
    numbers = [(i["number"], i["title"]) for i in agenda(client, headers, meeting)["items"]]
    assert numbers == [
        (1, "Val av justerare"),
        (2, "Godkännande av föredragningslistan"),
        (3, "Information"),
        (4, "Riktlinjer A"),
        (5, "Riktlinjer B"),
        (6, "Övriga frågor"),
        (7, "Delgivningar och anmälda delegationsbeslut"),
    ]


def test_attach_the_handling_when_the_report_is_signed(secretary, meeting, new_case):
    client, headers = secretary
    case = new_case("Riktlinjer C", state=ReportState.draft)
    item = ok(
        client.post(
            url(meeting, "/items"),
            json={"kind": "case", "case_id": case.id, "is_handling_later": True},
            headers=headers,
        ),
        201,
    )["item"]
    attach = url(meeting, f"/items/{item['id']}/attach-handling")
    refused(client.post(attach, headers=headers), 409, text="det kan läggas till när det är undertecknat")
    report = report_ops.report_for(db.session.get(Case, case.id))
    for name, who in (("submit", "handlaggare"), ("approve", "enhetschef"), ("sign", "direktor")):
        report_ops.transition(report, user=person(who), name=name, notify=False)
    db.session.commit()
    body = ok(client.post(attach, headers=headers))
    assert not body["item"]["is_handling_later"] and body["item"]["report_state"] == "on_agenda"
    standing = agenda(client, headers, meeting)["items"][0]
    refused(
        client.post(url(meeting, f"/items/{standing['id']}/attach-handling"), headers=headers),
        409,
        text="Punkten gäller inget ärende.",
    )
    refused(client.post(attach, json={"x": 1}, headers=headers), 400, "x")


def test_change_move_and_remove_items(api_as, secretary, meeting, new_case):
    client, headers = secretary
    case = new_case("Riktlinjer D")
    item = ok(
        client.post(
            url(meeting, "/items"), json={"kind": "case", "case_id": case.id, "note": "Bilaga kommer"}, headers=headers
        ),
        201,
    )["item"]
    path = url(meeting, f"/items/{item['id']}")
    assert ok(client.get(path, headers=headers))["item"]["note"] == "Bilaga kommer"
    changed = ok(
        client.patch(
            path,
            json={
                "title": "Riktlinjer D (reviderade)",
                "note": None,
                "external_reference": "KSL/17/0042",
                "version": 2,
            },
            headers=headers,
        )
    )
    assert (changed["item"]["title"], changed["item"]["note"], changed["item"]["external_reference"]) == (
        "Riktlinjer D (reviderade)",
        None,
        "KSL/17/0042",
    )
    assert changed["agenda_version"] == 3

    before = stored()
    refused(client.patch(path, json={"title": "Gammal", "version": 2}, headers=headers), 409, text="version 3")
    refused(client.patch(path, json={"title": ""}, headers=headers), 422, "title")
    refused(client.patch(path, json={}, headers=headers), 422, "body")
    refused(client.patch(path, json={"kind": "other"}, headers=headers), 400, "kind")
    refused(client.patch(path, json={"position": 0}, headers=headers), 400, "position")
    refused(client.patch(path, json={"position": 9, "version": 3}, headers=headers), 422, "position")
    member, member_h = api_as("ledamot")
    refused(member.patch(path, json={"title": "X"}, headers=member_h), 403)
    refused(member.delete(path, headers=member_h), 403)
    elsewhere = ok(
        client.post(
            "/api/v1/meetings",
            json={"committee_id": committee_id(), "start": future(80), "place": "Plenum"},
            headers=headers,
        ),
        201,
    )["meeting"]
    assert client.get(url(elsewhere, f"/items/{item['id']}"), headers=headers).status_code == 404
    before = stored()
    refused(client.delete(url(elsewhere, f"/items/{item['id']}"), headers=headers), 404)
    assert stored() == before

    moved = ok(client.patch(path, json={"position": 1, "version": 3}, headers=headers))
    assert moved["item"]["number"] == 1 and moved["agenda_version"] == 4
    assert [i["number"] for i in agenda(client, headers, meeting)["items"]] == [1, 2, 3, 4, 5]

    before = stored()
    refused(client.delete(path + "?version=3", headers=headers), 409)
    refused(client.delete(path + "?version=x", headers=headers), 400, "version")
    refused(client.delete(path + "?version=4", json={"version": 4}, headers=headers), 400, "version")
    assert stored() == before
    rest = ok(client.delete(path, json={"version": 4}, headers=headers))
    assert rest["agenda_version"] == 5 and [(i["number"], i["title"]) for i in rest["items"]] == [
        (1, "Val av justerare"),
        (2, "Godkännande av föredragningslistan"),
        (3, "Övriga frågor"),
        (4, "Delgivningar och anmälda delegationsbeslut"),
    ]
    assert report_state(case.id) is ReportState.signed  # back from "on agenda"
    assert client.get(path, headers=headers).status_code == 404


def test_reorder(api_as, secretary, meeting):
    client, headers = secretary
    ids = [i["id"] for i in meeting["items"]]
    new_order = [ids[1], ids[0], ids[3], ids[2]]
    body = ok(client.put(url(meeting, "/order"), json={"order": new_order, "version": 1}, headers=headers))
    assert [i["id"] for i in body["items"]] == new_order and body["agenda_version"] == 2
    assert [i["number"] for i in body["items"]] == [1, 2, 3, 4]

    before = stored()
    refused(
        client.put(url(meeting, "/order"), json={"order": ids, "version": 1}, headers=headers),
        409,
        text="har ändrats av någon annan",
    )
    refused(client.put(url(meeting, "/order"), json={"order": ids[:3], "version": 2}, headers=headers), 422, "order")
    refused(
        client.put(url(meeting, "/order"), json={"order": ids + ids[:1], "version": 2}, headers=headers), 422, "order"
    )
    refused(client.put(url(meeting, "/order"), json={"order": ["a", "b"], "version": 2}, headers=headers), 422, "order")
    refused(client.put(url(meeting, "/order"), json={"order": ids}, headers=headers), 422, "version")
    refused(client.put(url(meeting, "/order"), json={"version": 2}, headers=headers), 422, "order")
    refused(client.put(url(meeting, "/order"), json={"order": "1,2,3,4", "version": 2}, headers=headers), 400, "order")
    member, member_h = api_as("ledamot")
    refused(member.put(url(meeting, "/order"), json={"order": ids, "version": 2}, headers=member_h), 403)
    assert stored() == before


def _make_past(meeting_id: int) -> None:
    """Move a meeting into the past directly in the database (the API refuses to plan one there)."""
    db.session.execute(update(Meeting).where(Meeting.id == meeting_id).values(start_dt=utcnow() - timedelta(hours=2)))
    db.session.commit()


def test_record_outcomes_after_the_meeting(api_as, secretary, meeting, new_case):
    client, headers = secretary
    case = new_case("Riktlinjer E")
    item = ok(client.post(url(meeting, "/items"), json={"kind": "case", "case_id": case.id}, headers=headers), 201)[
        "item"
    ]
    outcome = url(meeting, f"/items/{item['id']}/outcome")
    before = stored()
    refused(client.post(outcome, json={"outcome": "postponed"}, headers=headers), 409, text="först när")
    assert stored() == before
    _make_past(meeting["id"])
    refused(client.post(outcome, json={"outcome": "tabled"}, headers=headers), 400, "outcome")
    refused(client.post(outcome, json={}, headers=headers), 422, "outcome")
    member, member_h = api_as("ledamot")
    refused(member.post(outcome, json={"outcome": "decided"}, headers=member_h), 403)
    body = ok(client.post(outcome, json={"outcome": "postponed"}, headers=headers))
    assert (body["item"]["outcome"], body["item"]["outcome_label"], body["meeting_status"]) == (
        "postponed",
        "Bordlagt",
        "held",
    )
    assert report_state(case.id) is ReportState.signed  # offered again for the next meeting
    refused(client.post(outcome, json={"outcome": "decided"}, headers=headers), 409, text="redan registrerad")
    refused(client.patch(url(meeting), json={"place": "X"}, headers=headers), 409, text="kan inte ändras")


def test_members_see_confidential_items_by_their_public_title(api_as, secretary, meeting, new_case):
    client, headers = secretary
    secret = new_case(SECRET_TITLE, confidential=True)
    item = ok(client.post(url(meeting, "/items"), json={"kind": "case", "case_id": secret.id}, headers=headers), 201)[
        "item"
    ]
    assert (item["kind"], item["section"], item["title"], item["withheld"]) == (
        "confidential_case",
        "Sekretessärenden",
        SECRET_TITLE,
        False,
    )
    member, member_h = api_as("ledamot")
    seen = ok(member.get(url(meeting, f"/items/{item['id']}"), headers=member_h))["item"]
    assert (seen["title"], seen["case_number"], seen["case_id"], seen["withheld"]) == (PUBLIC_TITLE, None, None, True)
    text = json.dumps(ok(member.get(url(meeting), headers=member_h)), ensure_ascii=False)
    assert "Hemlighetsson" not in text and secret.number not in text


# --- publishing -------------------------------------------------------------------------------------------


def complete(client, headers, meeting: dict) -> None:
    ok(
        client.patch(
            url(meeting),
            json={
                "notice_place": "Huddinge",
                "notice_date": local_today().isoformat(),
                "chair_name": "Gunnel Hedberg",
                "secretary_name": "Sara Lindqvist",
            },
            headers=headers,
        )
    )


def test_publication_check_and_publish(api_as, secretary, meeting, new_case):
    client, headers = secretary
    check = ok(client.get(url(meeting, "/publication-check"), headers=headers))
    assert check["problems"] == ["Kallelsen saknar ort, datum, ordförande i avslutningen."]
    assert check["is_late"] is False and check["deadline"] == meeting["notice_deadline"]
    member, member_h = api_as("ledamot")
    refused(member.get(url(meeting, "/publication-check"), headers=member_h), 403)

    before = stored()
    body = refused(client.post(url(meeting, "/publications"), json={}, headers=headers), 409)
    assert body["error"]["problems"] == check["problems"]
    refused(member.post(url(meeting, "/publications"), json={}, headers=member_h), 403)
    assert stored() == before

    complete(client, headers, meeting)
    case = new_case("Riktlinjer F")
    secret = new_case(SECRET_TITLE, confidential=True)
    for c in (case, secret):
        ok(client.post(url(meeting, "/items"), json={"kind": "case", "case_id": c.id}, headers=headers), 201)
    items = agenda(client, headers, meeting)["items"]
    ok(
        client.patch(
            url(meeting, f"/items/{items[0]['id']}"), json={"note": "Justerare: 19811218-9876"}, headers=headers
        )
    )
    problems = ok(client.get(url(meeting, "/publication-check"), headers=headers))["problems"]
    assert problems == ["Punkt 1, anteckning: innehåller ett personnummer (19811218-****)."]
    body = refused(client.post(url(meeting, "/publications"), json={}, headers=headers), 409)
    assert body["error"]["problems"] == problems and "19811218-9876" not in json.dumps(body)
    ok(client.patch(url(meeting, f"/items/{items[0]['id']}"), json={"note": None}, headers=headers))
    assert ok(client.get(url(meeting, "/publication-check"), headers=headers))["problems"] == []

    response = client.post(url(meeting, "/publications"), json={}, headers=headers)
    published = ok(response, 201)["publication"]
    assert response.headers["Location"].endswith(url(meeting, "/publications/1"))
    assert (published["version"], published["changes"], published["late_reason"]) == (1, [], None)
    assert published["published_by"]["name"] == "Sara Lindqvist"
    assert [i["title"] for i in published["items"]][2:4] == ["Riktlinjer F", "Övriga frågor"]
    refused(client.post(url(meeting, "/publications"), json={}, headers=headers), 409, text="Inget har ändrats")
    assert ok(client.get(url(meeting), headers=headers))["meeting"]["status"] == "notice_published"

    listed = ok(member.get(url(meeting, "/publications"), headers=member_h))["items"]
    assert [p["version"] for p in listed] == [1]
    # the members decide on the confidential case: their version shows it in full (DOMAIN.md)
    read = ok(member.get(url(meeting, "/publications/1"), headers=member_h))["publication"]
    shown = next(i for i in read["items"] if i["kind"] == "confidential_case")
    assert (shown["title"], shown["case_number"], shown["case_id"], shown["withheld"]) == (
        SECRET_TITLE,
        secret.number,
        secret.id,
        False,
    )
    assert shown["report"] is not None and shown["report"]["title"] == SECRET_TITLE
    # a case officer of the committee who is not the case's officer may not read it: its public title only
    officer_secret = db.session.get(Case, secret.id).case_officer
    assert officer_secret is not None and officer_secret.email != "controller@huddinge.example"
    staff, staff_h = api_as("controller")
    read = ok(staff.get(url(meeting, "/publications/1"), headers=staff_h))["publication"]
    hidden = next(i for i in read["items"] if i["kind"] == "confidential_case")
    assert (hidden["title"], hidden["case_number"], hidden.get("case_id"), hidden["withheld"], hidden["report"]) == (
        PUBLIC_TITLE,
        None,
        None,
        True,
        None,
    )
    text = json.dumps(read, ensure_ascii=False)
    assert SECRET_TITLE not in text and secret.number not in text and "Hemlighetsson" not in text
    secret_read = ok(client.get(url(meeting, "/publications/1"), headers=headers))["publication"]
    assert SECRET_TITLE in [i["title"] for i in secret_read["items"]]
    assert member.get(url(meeting, "/publications/2"), headers=member_h).status_code == 404
    assert member.get(url(meeting, "/publications/4294967296"), headers=member_h).status_code == 404
    outsider, outsider_h = api_as("ks-handlaggare")
    assert outsider.get(url(meeting, "/publications"), headers=outsider_h).status_code == 404
    assert outsider.get(url(meeting, "/publications/1"), headers=outsider_h).status_code == 404

    public = ok(app_client_without_login(client).get(f"/api/v1/public/meetings/{meeting['id']}/kallelse"))
    assert [i["title"] for i in public["kallelse"]["items"]][4] == PUBLIC_TITLE


def test_publishing_an_empty_agenda_is_refused(secretary):
    client, headers = secretary
    bare = ok(
        client.post(
            "/api/v1/meetings",
            json={"committee_id": committee_id(), "start": future(), "place": "Plenum", "standing_items": False},
            headers=headers,
        ),
        201,
    )["meeting"]
    complete(client, headers, bare)
    check = ok(client.get(url(bare, "/publication-check"), headers=headers))
    assert check["problems"] == ["Föredragningslistan är tom; lägg till punkter innan kallelsen publiceras."]
    before = stored()
    refused(client.post(url(bare, "/publications"), json={}, headers=headers), 409, text="tom")
    assert stored() == before


def test_publishing_late_needs_a_reason(secretary):
    client, headers = secretary
    soon = ok(
        client.post(
            "/api/v1/meetings",
            json={"committee_id": committee_id(), "start": future(3), "place": "Plenum"},
            headers=headers,
        ),
        201,
    )["meeting"]
    complete(client, headers, soon)
    assert ok(client.get(url(soon, "/publication-check"), headers=headers))["is_late"] is True
    before = stored()
    refused(client.post(url(soon, "/publications"), json={}, headers=headers), 422, "late_reason", "Sista dag")
    refused(client.post(url(soon, "/publications"), json={"late_reason": "  "}, headers=headers), 422, "late_reason")
    refused(client.post(url(soon, "/publications"), json={"late_reason": 5}, headers=headers), 400, "late_reason")
    assert stored() == before
    body = ok(
        client.post(
            url(soon, "/publications"), json={"late_reason": "Extra sammanträde om budgeten."}, headers=headers
        ),
        201,
    )
    assert body["publication"]["late_reason"] == "Extra sammanträde om budgeten."
    with fresh_session() as session:
        entry = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "meeting.published").order_by(AuditEntry.id.desc())
        )
        assert "Extra sammanträde om budgeten." in entry.summary


# --- delegated decisions -------------------------------------------------------------------------------------


def test_delegation_decisions(api_as, secretary, new_case):
    client, headers = secretary
    path = f"/api/v1/committees/{committee_id()}/delegation-decisions"
    secret = new_case(SECRET_TITLE, confidential=True, state=None)
    body = {
        "decided_on": local_today().isoformat(),
        "decision_maker": "Eva Strand, socialdirektör",
        "delegation_point": "3.1.2",
        "summary": "Placering av Bodil Hemlighetsson",
        "case_id": secret.id,
    }
    created = ok(client.post(path, json=body, headers=headers), 201)["decision"]
    assert (created["case_number"], created["summary"], created["is_confidential"]) == (
        secret.number,
        "Placering av Bodil Hemlighetsson",
        True,
    )
    listed = ok(client.get(path, headers=headers))
    assert listed["items"][0]["id"] == created["id"]  # the newest decision first

    member, member_h = api_as("ledamot")
    seen = ok(member.get(path, headers=member_h))["items"][0]
    assert (seen["summary"], seen["case_number"], seen["withheld"]) == (PUBLIC_TITLE, None, True)
    assert "Hemlighetsson" not in json.dumps(ok(member.get(path, headers=member_h)), ensure_ascii=False)
    assert ok(member.get(path, query_string={"decided_to": "2001-01-01"}, headers=member_h))["items"] == []

    ks_case = new_case("Bänkar", prefix="KS", state=None)
    before = stored()
    refused(member.post(path, json=body, headers=member_h), 403)
    outsider, outsider_h = api_as("ks-handlaggare")
    refused(outsider.get(path, headers=outsider_h), 404)
    refused(outsider.post(path, json=body, headers=outsider_h), 404)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    refused(client.post(path, json={**body, "decided_on": tomorrow}, headers=headers), 422, "decided_on", "framtiden")
    refused(client.post(path, json={**body, "decision_maker": ""}, headers=headers), 422, "decision_maker")
    refused(client.post(path, json={"summary": "x"}, headers=headers), 422, "decided_on")
    refused(client.post(path, json={**body, "decided_on": "igår"}, headers=headers), 400, "decided_on")
    refused(
        client.post(path, json={**body, "case_id": None, "case_number": ks_case.number}, headers=headers),
        422,
        "case_number",
        "annan nämnd",
    )
    refused(client.get(path, query_string={"decided_from": "igår"}, headers=headers), 400, "decided_from")
    assert stored() == before


# --- malformed input: named in Swedish, refused before anything is looked up ---------------------------------

ITEM_FIELDS = "kind, case_id, case_number, title, note, external_reference, parts, is_handling_later, section_id, markers, position, version"
ITEM_CHANGES = "title, note, external_reference, parts, is_handling_later, section_id, markers, position, version"


def _item_path(meeting: dict) -> str:
    """The address of the meeting's first item (a standing one)."""
    with fresh_session() as session:
        item_id = session.get(Meeting, meeting["id"]).items[0].id
    return url(meeting, f"/items/{item_id}")


BAD_BODIES = [
    (
        "post",
        "",
        {"rum": "Plenum"},
        {"rum": "Okänt fält ”rum”; tillåtna: committee_id, start, place, is_public, standing_items."},
    ),
    (
        "patch",
        "{meeting}",
        {"plats": "Plenum"},
        {
            "plats": "Okänt fält ”plats”; tillåtna: start, place, is_public, notice_place, notice_date, chair_name, "
            "secretary_name."
        },
    ),
    (
        "patch",
        "{meeting}",
        {"notice_date": "23/2", "is_public": "ja"},
        {
            "notice_date": "Kallelsens datum anges som ÅÅÅÅ-MM-DD, t.ex. 2017-02-23.",
            "is_public": "Öppet för allmänheten måste vara true eller false.",
        },
    ),
    ("post", "{meeting}/items", {"typ": "case"}, {"typ": f"Okänt fält ”typ”; tillåtna: {ITEM_FIELDS}."}),
    (
        "post",
        "{meeting}/items",
        {"kind": "punkt", "parts": "Ekonomi", "position": 202},
        {
            "kind": "Typ av punkt måste vara något av: procedural, information, case, confidential_case, "
            "delegation_report, other.",
            "parts": "Delar måste vara en lista.",
            "position": "Plats måste vara mellan 1 och 201.",
        },
    ),
    ("patch", "{item}", {"kind": "other"}, {"kind": f"Okänt fält ”kind”; tillåtna: {ITEM_CHANGES}."}),
    ("patch", "{item}", {"position": 201}, {"position": "Plats måste vara mellan 1 och 200."}),
    ("delete", "{item}", {"versoin": 4}, {"versoin": "Okänt fält ”versoin”; tillåtna: version."}),
    ("post", "{item}/attach-handling", {"x": 1}, {"x": "Okänt fält ”x”; tillåtna: ."}),
    (
        "post",
        "{item}/outcome",
        {"outcome": "won"},
        {"outcome": "Utfall måste vara något av: decided, postponed, sent_back."},
    ),
    (
        "put",
        "{meeting}/order",
        {"ordning": [], "order": 5},
        {
            "ordning": "Okänt fält ”ordning”; tillåtna: order, version.",
            "order": "Ordning måste vara en lista.",
        },
    ),
    ("post", "{meeting}/publications", {"skal": "x"}, {"skal": "Okänt fält ”skal”; tillåtna: late_reason."}),
    (
        "post",
        "{decisions}",
        {"datum": "2017-02-23", "case_id": "7"},
        {
            "datum": "Okänt fält ”datum”; tillåtna: decided_on, decision_maker, delegation_point, summary, case_id, "
            "case_number.",
            "case_id": "Ärende måste vara ett heltal.",
        },
    ),
]


@pytest.mark.parametrize("method, where, body, fields", BAD_BODIES)
def test_a_malformed_body_is_named_in_swedish_before_the_access_check(
    api_as, secretary, meeting, method, where, body, fields
):
    """Each meeting endpoint's body: an unknown field or a value of the wrong kind is 400 with the field's
    Swedish message, for the secretary and alike for a member without the role (403 otherwise) and for a member
    of another committee (404 otherwise): the check of the input comes first and tells nothing."""
    path = (
        where.format(
            meeting=url(meeting),
            item=_item_path(meeting),
            decisions=f"/api/v1/committees/{committee_id()}/delegation-decisions",
        )
        or "/api/v1/meetings"
    )
    before = stored()
    for who in ("sekreterare", "ledamot", "ks-handlaggare"):
        client, headers = api_as(who)
        answer = refused(getattr(client, method)(path, json=body, headers=headers), 400)
        assert answer["error"]["fields"] == fields, who
    assert stored() == before


@pytest.mark.parametrize(
    "where, query, fields",
    [
        ("", "ar=2027", {"ar": "Okänd parameter ”ar”; tillåtna: committee_id, year, page, per_page."}),
        ("", "year=10000", {"year": "År måste vara mellan 1 och 9998."}),
        ("{meeting}", "x=1", {"x": "Okänd parameter ”x”; tillåtna: ."}),
        ("{meeting}/items", "version=1", {"version": "Okänd parameter ”version”; tillåtna: ."}),
        ("{item}", "full=1", {"full": "Okänd parameter ”full”; tillåtna: ."}),
        ("{meeting}/publication-check", "x=1", {"x": "Okänd parameter ”x”; tillåtna: ."}),
        ("{meeting}/publications", "x=1", {"x": "Okänd parameter ”x”; tillåtna: ."}),
        ("{meeting}/publications/1", "x=1", {"x": "Okänd parameter ”x”; tillåtna: ."}),
        (
            "{decisions}",
            "from=2017-01-01&decided_to=igår",
            {
                "from": "Okänd parameter ”from”; tillåtna: decided_from, decided_to, page, per_page.",
                "decided_to": "Beslutat till anges som ÅÅÅÅ-MM-DD, t.ex. 2017-02-23.",
            },
        ),
        ("{decisions}", "page=1&page=2", {"page": "page får bara anges en gång."}),
    ],
)
def test_a_malformed_query_is_named_in_swedish_before_the_access_check(api_as, meeting, where, query, fields):
    path = (
        where.format(
            meeting=url(meeting),
            item=_item_path(meeting),
            decisions=f"/api/v1/committees/{committee_id()}/delegation-decisions",
        )
        or "/api/v1/meetings"
    )
    for who in ("sekreterare", "ks-handlaggare"):
        client, headers = api_as(who)
        answer = refused(client.get(f"{path}?{query}", headers=headers), 400)
        assert answer["error"]["fields"] == fields, who


def test_a_body_that_is_not_json_is_refused_and_none_is_needed_where_none_is_read(secretary, meeting):
    client, headers = secretary
    before = stored()
    refused(client.patch(url(meeting), data="place=Plenum", headers=headers), 415)
    refused(client.put(url(meeting, "/order"), json=[1, 2], headers=headers), 400, "body")
    item = _item_path(meeting)
    refused(client.delete(item, data="version=1", headers=headers), 415)
    refused(client.post(item + "/attach-handling", json=[], headers=headers), 400, "body")
    assert stored() == before
    # attach-handling takes no body, or an empty object: both reach the operation (nothing to attach: 409)
    refused(client.post(item + "/attach-handling", headers=headers), 409)
    refused(client.post(item + "/attach-handling", json={}, headers=headers), 409)


# --- the public endpoints -------------------------------------------------------------------------------------


def test_public_endpoints_need_no_login_and_refuse_bad_queries(client, demo):
    listing = ok(client.get("/api/v1/public/meetings"))
    assert set(listing) >= {"items", "page", "total"}
    refused(client.get("/api/v1/public/meetings?page=0"), 400, "page")
    refused(client.get("/api/v1/public/meetings?sort=start"), 400, "sort")
    refused(client.get("/api/v1/public/meetings/1/kallelse?version=x"), 400, "version")
    assert client.get("/api/v1/public/meetings/99999/kallelse").status_code == 404
    bad_token = client.get("/api/v1/public/meetings", headers={"Authorization": "Bearer nf_fel"})
    refused(bad_token, 401)


def demo_secrets() -> list[str]:
    """Every confidential text of the demo: real titles of confidential cases, their parties, secret bilagor."""
    secrets = [title for _n, title, _p, _r in demo_data.CONFIDENTIAL_CASES]
    secrets += [number for number, *_rest in demo_data.CONFIDENTIAL_CASES]
    secrets += ["Elin Testsson", "Noah Provsson", "Alva Exempelsson", "Södertörns tingsrätt angående adoption av"]
    attachment = getattr(demo_data, "CONFIDENTIAL_ATTACHMENT", None)
    if attachment:
        secrets += [attachment[1], "Hemligsson"]
    for _d, _who, _point, case, summary in getattr(demo_data, "DELEGATION_DECISIONS", []):
        if case in {number for number, *_rest in demo_data.CONFIDENTIAL_CASES}:
            secrets.append(summary)
    return secrets


def test_nothing_confidential_in_the_demo_public_api(client, demo):
    """Whatever the demo has published: no public API answer holds a confidential title, name or text."""
    listing = ok(client.get("/api/v1/public/meetings?per_page=200"))
    answers = [json.dumps(listing, ensure_ascii=False)]
    for shown in listing["items"]:
        kallelse = ok(client.get(shown["links"]["kallelse"]))["kallelse"]
        answers.append(json.dumps(kallelse, ensure_ascii=False))
        for version in kallelse["versions"]:
            answers.append(json.dumps(ok(client.get(version["url"])), ensure_ascii=False))
    if hasattr(demo_data, "AGENDA"):  # the demo publishes its 2017 kallelse
        assert listing["items"], "the demo has no published kallelse"
    for text in answers:
        for secret in demo_secrets():
            assert secret not in text, secret


# --- concurrency -----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_secretaries_reorder_at_once_one_wins_the_other_gets_a_conflict(app, demo, secretary, meeting, new_case):
    sn = committee()
    second = create_user("sekreterare2", {sn: [Role.secretary]}, name="Sven Andersson")
    tokens = [demo["sekreterare"]["token"], create_api_token(second)]
    for title in ("Riktlinjer G", "Riktlinjer H", "Riktlinjer I"):
        case = new_case(title)
        ok(
            secretary[0].post(url(meeting, "/items"), json={"kind": "case", "case_id": case.id}, headers=secretary[1]),
            201,
        )
    db.session.commit()
    db.session.remove()
    start = agenda(*secretary, meeting)
    ids, version = [i["id"] for i in start["items"]], start["agenda_version"]
    orders = [list(reversed(ids)), ids[1:] + ids[:1]]
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(n: int) -> None:
        try:
            with app.app_context():
                client = app.test_client()
                barrier.wait(timeout=30)
                response = client.put(
                    url(meeting, "/order"),
                    json={"order": orders[n], "version": version},
                    headers={"Authorization": f"Bearer {tokens[n]}"},
                )
                results[n] = (response.status_code, response.get_json())
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(isinstance(r, tuple) for r in results), results
    statuses = sorted(r[0] for r in results)
    assert statuses == [200, 409], results
    winner = next(n for n in range(2) if results[n][0] == 200)
    loser = results[1 - winner][1]
    assert "har ändrats av någon annan" in loser["error"]["message"]
    with fresh_session() as session:
        rows = session.execute(
            select(AgendaItem.id, AgendaItem.position)
            .where(AgendaItem.meeting_id == meeting["id"])
            .order_by(AgendaItem.position)
        ).all()
        stored_meeting = session.get(Meeting, meeting["id"])
        assert [r.position for r in rows] == list(range(1, len(ids) + 1))
        assert [r.id for r in rows] == orders[winner]
        assert stored_meeting.agenda_version == version + 1
        entries = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "agenda.reordered")
        )
        assert entries == 1


# --- the documented shapes ---------------------------------------------------------------------------------------


def test_responses_conform_to_the_openapi_description(api_as, client, secretary, meeting, new_case):
    spec = client.get(SPEC_URL).get_json()
    sec, headers = secretary
    conforms(spec, "Meeting", meeting)
    conforms(spec, "MeetingPage", ok(sec.get("/api/v1/meetings", headers=headers)))
    case = new_case("Riktlinjer J")
    added = ok(sec.post(url(meeting, "/items"), json={"kind": "case", "case_id": case.id}, headers=headers), 201)
    conforms(spec, "AgendaItemReply", added)
    conforms(spec, "Agenda", agenda(sec, headers, meeting))
    conforms(spec, "PublicationCheck", ok(sec.get(url(meeting, "/publication-check"), headers=headers)))
    conforms(spec, "PublicationRefused", sec.post(url(meeting, "/publications"), json={}, headers=headers).get_json())
    complete(sec, headers, meeting)
    published = ok(sec.post(url(meeting, "/publications"), json={}, headers=headers), 201)["publication"]
    conforms(spec, "Publication", published)
    for item in ok(sec.get(url(meeting, "/publications"), headers=headers))["items"]:
        conforms(spec, "PublicationSummary", item)
    decision = ok(
        sec.post(
            f"/api/v1/committees/{committee_id()}/delegation-decisions",
            json={
                "decided_on": local_today().isoformat(),
                "decision_maker": "Eva Strand",
                "delegation_point": "1.1",
                "summary": "Attest",
            },
            headers=headers,
        ),
        201,
    )["decision"]
    conforms(spec, "DelegationDecision", decision)
    conforms(
        spec,
        "DelegationDecisionPage",
        ok(sec.get(f"/api/v1/committees/{committee_id()}/delegation-decisions", headers=headers)),
    )
    conforms(spec, "PublicMeetingPage", ok(client.get("/api/v1/public/meetings")))
    conforms(spec, "PublicKallelse", ok(client.get(f"/api/v1/public/meetings/{meeting['id']}/kallelse"))["kallelse"])
    conforms(spec, "Error", sec.get("/api/v1/meetings?year=x", headers=headers).get_json())


def test_a_member_reads_the_whole_demo_kallelse_a_case_officer_without_the_right_does_not(app, api_as, demo):
    """The members' version as a ledamot reads it: the members decide on the confidential cases, so their
    version shows them in full (DOMAIN.md), with the confidential bilaga and the delegated decision in a
    confidential case. A case officer of the committee who is not the officer of those cases has no right to
    read them: for them they are withheld, as in public."""
    confidential_numbers = [number for number, *_rest in demo_data.CONFIDENTIAL_CASES]
    secret_officers = {
        db.session.scalar(select(Case).where(Case.number == n)).case_officer.email for n in confidential_numbers
    }
    assert "controller@huddinge.example" not in secret_officers  # controller is not their officer
    attachment_case, attachment_title, _text = demo_data.CONFIDENTIAL_ATTACHMENT
    decision_case, decision_summary = next(
        (case, summary) for *_rest, case, summary in demo_data.DELEGATION_DECISIONS if case in confidential_numbers
    )
    # a case officer of Socialnämnden who is the officer of no case: may see no secret of the members' version
    no_right = create_user("utredare2", {committee(): [Role.case_officer]}, name="Ulla Utredare")
    no_right_h = {"Authorization": f"Bearer {create_api_token(no_right)}"}
    db.session.commit()

    member, member_h = api_as("ledamot")
    published = [
        m for m in ok(member.get("/api/v1/meetings?per_page=200", headers=member_h))["items"] if m["latest_publication"]
    ]
    assert published, "the demo holds a published kallelse"
    secretary, secretary_h = api_as("sekreterare")
    controller, controller_h = api_as("controller")
    for shown in published:
        path = f"/api/v1/meetings/{shown['id']}/publications/{shown['latest_publication']['version']}"
        full = ok(secretary.get(path, headers=secretary_h))["publication"]
        assert any(secret in json.dumps(full, ensure_ascii=False) for secret in demo_secrets())
        # the member: everything the secretary reads
        read = ok(member.get(path, headers=member_h))["publication"]
        assert read == full
        text = json.dumps(read, ensure_ascii=False)
        for secret in demo_secrets():
            assert secret in text, secret
        items = {i["case_number"]: i for i in read["items"] if i["kind"] == "confidential_case"}
        assert sorted(items) == sorted(confidential_numbers)
        for number, title, _public_title, _registered in demo_data.CONFIDENTIAL_CASES:
            assert (items[number]["title"], items[number]["withheld"]) == (title, False)
        bilaga = next(
            a
            for i in read["items"]
            if i["case_number"] == attachment_case
            for a in i["attachments"]
            if a["is_confidential"]
        )
        assert (bilaga["title"], bilaga.get("withheld", False)) == (attachment_title, False)
        assert bilaga["id"] is not None and bilaga["sha256"]
        decision = next(d for i in read["items"] for d in i.get("delegation_decisions") or [] if d["is_confidential"])
        assert (decision["summary"], decision["case_number"], decision.get("withheld", False)) == (
            decision_summary,
            decision_case,
            False,
        )

        # a case officer without the right: withheld, as in public
        hidden = ok(app.test_client().get(path, headers=no_right_h))["publication"]
        text = json.dumps(hidden, ensure_ascii=False)
        for secret in demo_secrets():
            assert secret not in text, secret
        withheld = [i for i in hidden["items"] if i["kind"] == "confidential_case"]
        assert len(withheld) == len(confidential_numbers)
        assert all(i["withheld"] and i["case_number"] is None and i["report"] is None for i in withheld)
        assert [i["title"] for i in withheld] == [p for _n, _t, p, _r in demo_data.CONFIDENTIAL_CASES]
        bilaga = next(
            a
            for i in hidden["items"]
            if i["case_number"] == attachment_case
            for a in i["attachments"]
            if a["is_confidential"]
        )
        assert (bilaga["title"], bilaga["id"], bilaga["sha256"], bilaga["withheld"]) == (
            "Sekretessbelagd bilaga",
            None,
            None,
            True,
        )
        decision = next(d for i in hidden["items"] for d in i.get("delegation_decisions") or [] if d["is_confidential"])
        assert (decision["case_number"], decision["withheld"]) == (None, True)
        # controller (a case officer, not the officer of the confidential cases): those withheld too
        text = json.dumps(ok(controller.get(path, headers=controller_h)), ensure_ascii=False)
        for number, title, _public_title, _registered in demo_data.CONFIDENTIAL_CASES:
            assert title not in text and number not in text
        assert decision_summary not in text
