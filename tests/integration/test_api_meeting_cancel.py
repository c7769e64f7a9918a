"""Cancelling a meeting through the API: POST /api/v1/meetings/<id>/cancel with its reason, refused by role,
committee, input and state with nothing stored, the meeting's JSON showing it, the members told through the outbox,
and the OpenAPI description."""

from __future__ import annotations

import icalendar
from sqlalchemy import func, select

from agenda.models import Meeting
from app.notifications import OutboxMessage
from tests.api_helpers import NOT_FOUND, SPEC_URL, conforms, scalar
from tests.integration import test_api_meetings as meetings_api
from tests.integration.test_api_meetings import _make_past, complete, ok, refused, stored, url

#: the meetings API tests' fixtures: the secretary's client, a meeting planned through the API, a new case
secretary = meetings_api.secretary
meeting = meetings_api.meeting
new_case = meetings_api.new_case

REASON = "Ordföranden och vice ordföranden är sjuka; ärendena tas upp den 14 mars."


def messages() -> int:
    return scalar(select(func.count()).select_from(OutboxMessage))


def test_cancel_through_the_api(api_as, client, secretary, meeting, new_case):
    sec, headers = secretary
    cancel = url(meeting, "/cancel")
    complete(sec, headers, meeting)
    case = new_case("Riktlinjer K")
    ok(sec.post(url(meeting, "/items"), json={"kind": "case", "case_id": case.id}, headers=headers), 201)
    ok(sec.post(url(meeting, "/publications"), json={}, headers=headers), 201)
    told = messages()
    assert told >= 2  # the demo's ledamot and ordförande

    before = (stored(), messages())
    member, member_h = api_as("ledamot")
    refused(member.post(cancel, json={"reason": REASON}, headers=member_h), 403)
    other, other_h = api_as("ks-handlaggare")
    assert other.post(cancel, json={"reason": REASON}, headers=other_h).get_json() == NOT_FOUND
    refused(sec.post(cancel, json={}, headers=headers), 422, "reason", "Skälet måste fyllas i.")
    refused(sec.post(cancel, json={"reason": "  "}, headers=headers), 422, "reason", "Skälet måste fyllas i.")
    refused(sec.post(cancel, json={"reason": "x" * 1001}, headers=headers), 422, "reason")
    refused(sec.post(cancel, json={"reason": 7}, headers=headers), 400, "reason", "Skäl måste vara text.")
    refused(sec.post(cancel, json={"reason": REASON, "notify": False}, headers=headers), 400, "notify")
    refused(sec.post("/api/v1/meetings/999999/cancel", json={"reason": REASON}, headers=headers), 404)
    assert (stored(), messages()) == before

    body = ok(sec.post(cancel, json={"reason": REASON}, headers=headers))["meeting"]
    assert (body["status"], body["status_label"], body["cancelled"]) == ("cancelled", "Inställt", True)
    assert body["cancellation_reason"] == REASON and body["cancelled_at"]
    spec = client.get(SPEC_URL).get_json()
    conforms(spec, "Meeting", body)
    shown = ok(member.get(url(meeting), headers=member_h))["meeting"]
    assert shown["cancelled"] is True and shown["status"] == "cancelled"

    # each one told of the kallelse is told it is inställt, with a CANCEL of the same event
    cancels = scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.subject.startswith("Inställt sammanträde"))
    )
    assert cancels == told and messages() == 2 * told
    calendar = scalar(
        select(OutboxMessage.calendar)
        .where(OutboxMessage.subject.startswith("Inställt sammanträde"))
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    event = icalendar.Calendar.from_ical(calendar).walk("VEVENT")[0]
    assert event["STATUS"] == "CANCELLED" and event["UID"].startswith(f"sammantrade-{meeting['id']}@")

    # afterwards: a Swedish 409 for every change, nothing stored
    before = (stored(), messages())
    refused(sec.post(cancel, json={"reason": REASON}, headers=headers), 409, text="Sammanträdet är redan inställt.")
    refused(
        sec.post(url(meeting, "/publications"), json={}, headers=headers),
        409,
        text="Sammanträdet är inställt; kallelsen kan inte publiceras.",
    )
    refused(
        sec.post(url(meeting, "/items"), json={"kind": "other", "title": "Övrigt"}, headers=headers),
        409,
        text="Sammanträdet är inställt; föredragningslistan kan inte ändras.",
    )
    refused(sec.patch(url(meeting), json={"place": "Annan sal"}, headers=headers), 409, text="inställt")
    assert (stored(), messages()) == before

    # the public API keeps the kallelse, marked cancelled, without the reason
    listing = ok(client.get("/api/v1/public/meetings"))["items"]
    assert next(m for m in listing if m["id"] == meeting["id"])["cancelled"] is True
    kallelse = ok(client.get(f"/api/v1/public/meetings/{meeting['id']}/kallelse"))["kallelse"]
    assert kallelse["cancelled"] is True and REASON not in str(kallelse)
    conforms(spec, "PublicKallelse", kallelse)


def test_a_meeting_that_has_begun_or_was_held_cannot_be_cancelled(secretary, meeting):
    sec, headers = secretary
    _make_past(meeting["id"])
    before = stored()
    refused(
        sec.post(url(meeting, "/cancel"), json={"reason": REASON}, headers=headers),
        409,
        text="Sammanträdet har redan börjat och kan inte ställas in.",
    )
    held = scalar(select(Meeting.id).where(Meeting.status == "minutes_done").limit(1))  # the demo's of 2017
    assert held is not None
    refused(
        sec.post(f"/api/v1/meetings/{held}/cancel", json={"reason": REASON}, headers=headers),
        409,
        text="Sammanträdet är genomfört och kan inte ställas in.",
    )
    assert stored() == before


def test_the_cancel_endpoint_is_described(client, demo):
    spec = client.get(SPEC_URL).get_json()
    operation = spec["paths"]["/api/v1/meetings/{meeting_id}/cancel"]["post"]
    assert operation["operationId"] == "cancelMeeting" and operation["summary"] == "Ställ in sammanträdet"
    assert {"200", "403", "404", "409", "422"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/CancellationRequest")
    assert "reason" in spec["components"]["schemas"]["CancellationRequest"]["properties"]
