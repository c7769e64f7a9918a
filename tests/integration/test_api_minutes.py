"""The protokoll in the API: seats, förhinder, yrkanden in advance, and the protokoll; who may do what (404 for
another committee, 403 for the wrong role), Swedish refusals with nothing stored, and a stale save answered
with both texts. Every answer is checked against its described schema under test."""

from __future__ import annotations

from sqlalchemy import func, select

from agenda.minutes.models import MinutesConflict, MinutesRevision
from app.extensions import db
from tests.factories import committee


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seats_are_read_by_the_committee_and_kept_by_its_secretary(api_as, demo):
    sn = committee("SN").id
    client, member = api_as("ledamot")
    seats = client.get(f"/api/v1/committees/{sn}/seats", headers=member).get_json()["seats"]
    assert len(seats) == 18 and seats[0]["name"] == "Gunnel Hedberg" and seats[0]["office"] == "chair"
    new = {"kind": "deputy", "name": "Nora Vik", "party": "KD"}
    assert client.post(f"/api/v1/committees/{sn}/seats", json=new, headers=member).status_code == 403
    client, secretary = api_as("sekreterare")
    answer = client.post(f"/api/v1/committees/{sn}/seats", json=new, headers=secretary)
    assert answer.status_code == 201 and answer.get_json()["seat"]["position"] == 8
    answer = client.post(f"/api/v1/committees/{sn}/seats", json={**new, "name": ""}, headers=secretary)
    assert answer.status_code == 422 and answer.get_json()["error"]["fields"] == {"name": "Namn måste fyllas i."}
    client, outsider = api_as("ks-handlaggare")
    assert client.get(f"/api/v1/committees/{sn}/seats", headers=outsider).status_code == 404


def test_a_member_reports_forhinder_and_the_deputy_of_the_party_is_called_in(api_as, meeting):
    client, member = api_as("ledamot")
    answer = client.post(f"/api/v1/meetings/{meeting.id}/absences", json={"reason": "Bortrest"}, headers=member)
    assert answer.status_code == 201, answer.get_json()
    absence = answer.get_json()["absence"]
    assert (absence["seat"]["name"], absence["substitute"]["name"]) == ("Ali Karimi", "Mona Nilsson")
    chair_seat = client.get(f"/api/v1/committees/{meeting.committee_id}/seats", headers=member).get_json()["seats"][0]
    answer = client.post(f"/api/v1/meetings/{meeting.id}/absences", json={"seat_id": chair_seat["id"]}, headers=member)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["message"] == "Du kan bara anmäla förhinder för din egen plats."
    client, outsider = api_as("ks-handlaggare")
    assert client.get(f"/api/v1/meetings/{meeting.id}/absences", headers=outsider).status_code == 404
    client, member = api_as("ledamot")
    left = client.delete(f"/api/v1/meetings/{meeting.id}/absences/{absence['id']}", headers=member)
    assert left.status_code == 200 and left.get_json() == {"absences": []}


def test_yrkanden_filed_in_advance_are_read_by_the_committees_members(api_as, meeting):
    item = meeting.items[0]
    path = f"/api/v1/meetings/{meeting.id}/items/{item.id}/motions"
    client, member = api_as("ledamot")
    answer = client.post(path, json={"kind": "amendment", "text": "Lägg till en punkt 3."}, headers=member)
    assert answer.status_code == 201 and answer.get_json()["motion"]["seat"]["name"] == "Ali Karimi"
    assert client.post(path, json={"kind": "amendment"}, headers=member).status_code == 422
    client, chair = api_as("ordforande")
    assert [m["kind"] for m in client.get(path, headers=chair).get_json()["motions"]] == ["amendment"]
    client, officer = api_as("handlaggare")
    assert client.get(path, headers=officer).status_code == 403


def test_the_secretary_records_the_protokoll_and_the_members_read_it(api_as, meeting):
    path = f"/api/v1/meetings/{meeting.id}/minutes"
    client, member = api_as("ledamot")
    assert client.get(path, headers=member).status_code == 404  # none yet
    assert client.post(path, headers=member).status_code == 403
    client, secretary = api_as("sekreterare")
    started = client.post(path, headers=secretary)
    assert started.status_code == 201 and started.headers["Location"].endswith(path)
    minutes = started.get_json()["minutes"]
    assert len(minutes["header"]["attendance"]) == 11 and minutes["revision"] == 1
    answer = client.post(f"{path}/paragraphs", json={"item_id": meeting.items[0].id}, headers=secretary)
    assert answer.status_code == 201
    (paragraph,) = answer.get_json()["minutes"]["paragraphs"]
    assert paragraph["title"] == "Val av justerare" and paragraph["has_quorum"] is True
    assert len(paragraph["serving"]) == 11
    revision = answer.get_json()["minutes"]["revision"]

    before = _count(MinutesRevision)
    seat = paragraph["serving"][0]
    bad = {
        "based_on": revision,
        "outcome": "decided",
        "vote": {"yes_means": "bifall", "no_means": "avslag", "ballots": [{"seat_id": seat, "ballot": "yes"}]},
    }
    answer = client.patch(f"{path}/paragraphs/{paragraph['id']}", json=bad, headers=secretary)
    assert answer.status_code == 422
    assert "har 1 röster men 11 tjänstgör" in answer.get_json()["error"]["fields"]["vote"]
    assert _count(MinutesRevision) == before

    saved = client.patch(
        f"{path}/paragraphs/{paragraph['id']}",
        json={"based_on": revision, "outcome": "decided", "decision": ["Ali Karimi (S) utses att justera."]},
        headers=secretary,
    )
    assert saved.status_code == 200 and saved.get_json()["minutes"]["revision"] == revision + 1
    stale = client.patch(
        f"{path}/paragraphs/{paragraph['id']}",
        json={"based_on": revision, "decision": ["Per Olsson (M) utses att justera."]},
        headers=secretary,
    )
    assert stale.status_code == 409
    conflict = stale.get_json()["error"]["conflict"]
    assert conflict["current_part"]["decision"] == ["Ali Karimi (S) utses att justera."]
    assert conflict["your_part"]["decision"] == ["Per Olsson (M) utses att justera."]
    assert _count(MinutesConflict) == 1

    client, member = api_as("ledamot")
    read = client.get(path, headers=member).get_json()["minutes"]
    assert read["paragraphs"][0]["decision"] == ["Ali Karimi (S) utses att justera."]
    client, officer = api_as("handlaggare")
    assert client.get(path, headers=officer).status_code == 403
    client, outsider = api_as("ks-handlaggare")
    assert client.get(path, headers=outsider).status_code == 404


def test_the_secretary_changes_and_moves_a_seat_and_a_member_withdraws_a_yrkande(api_as, meeting):
    sn = meeting.committee_id
    client, secretary = api_as("sekreterare")
    seats = client.get(f"/api/v1/committees/{sn}/seats", headers=secretary).get_json()["seats"]
    deputy = next(s for s in seats if s["name"] == "Lisa Ek")
    path = f"/api/v1/committees/{sn}/seats/{deputy['id']}"
    answer = client.patch(path, json={"party": "MP", "position": 1}, headers=secretary)
    assert answer.status_code == 200 and (
        answer.get_json()["seat"]["party"],
        answer.get_json()["seat"]["position"],
    ) == ("MP", 1)
    answer = client.patch(path, json={"office": "chair"}, headers=secretary)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {
        "office": "Bara en ledamot kan vara ordförande eller vice ordförande."
    }
    client, member = api_as("ledamot")
    assert client.patch(path, json={"party": "S"}, headers=member).status_code == 403

    item = meeting.items[0]
    motions = f"/api/v1/meetings/{meeting.id}/items/{item.id}/motions"
    motion = client.post(motions, json={"kind": "rejection", "text": "Avslag."}, headers=member).get_json()["motion"]
    client, chair = api_as("ordforande")
    assert client.delete(f"{motions}/{motion['id']}", headers=chair).status_code == 403
    client, member = api_as("ledamot")
    answer = client.delete(f"{motions}/{motion['id']}", headers=member)
    assert answer.status_code == 200 and answer.get_json() == {"motions": []}
