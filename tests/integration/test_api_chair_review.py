"""The draft kallelse and ordförandeberedning through the API: the same operations and access as the pages, the
answers as the OpenAPI description says. SQLite and PostgreSQL (the draft job is queued, not run: its rendering is
tests/rendering/test_draft_kallelse.py's)."""

from __future__ import annotations

from agenda import operations as ops
from app.extensions import db
from tests.api_helpers import NOT_FOUND, SPEC_URL, conforms


def test_draft_and_chair_review_through_the_api(api_as, client, meeting, secretary, new_case):
    ops.add_item(meeting, user=secretary, kind="case", case=new_case("Riktlinjer för ekonomiskt bistånd 2027"))
    db.session.commit()
    item_id = next(i.id for i in meeting.items if i.case_id)
    spec = client.get(SPEC_URL).get_json()
    office, office_auth = api_as("sekreterare")
    chair, chair_auth = api_as("ordforande")
    member, member_auth = api_as("ledamot")
    base = f"/api/v1/meetings/{meeting.id}"

    started = office.post(f"{base}/draft", headers=office_auth)
    assert started.status_code == 202, started.get_json()
    draft = started.get_json()
    conforms(spec, "DraftKallelse", draft)
    assert started.headers["Location"].endswith(f"{base}/draft/{draft['job']['id']}")
    assert draft["job"]["kind"] == "draft_kallelse" and draft["files"] == {"kallelse.pdf": None, "kallelse.docx": None}
    assert member.post(f"{base}/draft", headers=member_auth).status_code == 403
    assert member.get(f"{base}/draft/{draft['job']['id']}", headers=member_auth).get_json() == NOT_FOUND

    assert chair.get(f"{base}/chair-review", headers=chair_auth).status_code == 404  # not given yet
    given = office.post(f"{base}/chair-review", json={"note": "Se punkten om riktlinjerna."}, headers=office_auth)
    assert given.status_code == 201, given.get_json()
    conforms(spec, "ChairReview", given.get_json())
    assert given.get_json()["chair"]["name"] == "Gunnel Hedberg" and given.get_json()["comments"] == []

    refused = chair.post(f"{base}/chair-review/comments", json={"item_id": item_id}, headers=chair_auth)
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"] == {
        "body": "Kommentaren måste fyllas i."
    }
    made = chair.post(
        f"{base}/chair-review/comments", json={"item_id": item_id, "body": "Lägg till bakgrunden."}, headers=chair_auth
    )
    assert made.status_code == 201
    comment = made.get_json()
    conforms(spec, "ChairComment", comment)
    assert comment["item_id"] == item_id and comment["author"]["name"] == "Gunnel Hedberg"
    assert office.post(f"{base}/chair-review/comments", json={"body": "Jag"}, headers=office_auth).status_code == 403
    assert member.get(f"{base}/chair-review", headers=member_auth).get_json() == NOT_FOUND

    handled_url = f"{base}/chair-review/comments/{comment['id']}/handled"
    assert chair.post(handled_url, headers=chair_auth).status_code == 403
    handled = office.post(handled_url, headers=office_auth)
    assert handled.status_code == 200 and handled.get_json()["handled_by"]["name"] == secretary.name
    assert office.post(handled_url, headers=office_auth).status_code == 409
    review = office.get(f"{base}/chair-review", headers=office_auth).get_json()
    conforms(spec, "ChairReview", review)
    assert [c["body"] for c in review["comments"]] == ["Lägg till bakgrunden."]
    assert office.post(f"{base}/chair-review/comments/999999/handled", headers=office_auth).status_code == 404
