"""Cancelling a meeting (ställ in sammanträdet): the members told through the outbox with an iCalendar CANCEL of
their invitation (read back from a real SMTP server), the refusals with nothing stored, what is refused afterwards,
and the pages, feed and open data that show it inställt.
"""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import delete, func, select

from agenda import cancellation
from agenda import operations as ops
from agenda.minutes import operations as minutes_ops
from agenda.models import AgendaItem, DelegationDecision, Meeting, MeetingStatus, Publication
from agenda.outcomes import record_outcome
from app.audit import AuditEntry
from app.auth import operations as auth_ops
from app.auth.models import CommitteeRole, Role
from app.clock import to_local, utcnow
from app.extensions import db
from app.notifications import MessageState, OutboxMessage
from app.registry.models import Case
from app.validation import ConflictError, ValidationError
from tests.agenda import test_meeting_notices
from tests.agenda.test_meeting_notices import (
    SECRET_TITLE,
    SITE,
    calendar_of,
    notices_of,
    send_queued,
    text_of,
    the_event,
)
from tests.factories import committee, create_user, csrf_token, person
from workflows import operations as report_ops
from workflows.models import ReportState

#: the notice tests' fixtures: the meeting built with a public and a confidential case, and a real SMTP server
built = test_meeting_notices.built
mail = test_meeting_notices.mail

REASON = "För få ärenden; de tas upp vid nästa sammanträde."


def stored() -> tuple:
    """What a refused cancellation must leave unchanged."""
    db.session.expire_all()
    return (
        db.session.scalars(select(Meeting.status).order_by(Meeting.id)).all(),
        db.session.scalars(select(Meeting.cancellation_reason).order_by(Meeting.id)).all(),
        db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def test_cancelling_tells_everyone_told_of_the_kallelse_with_a_cancel_of_the_same_event(app, built, secretary, mail):
    meeting, public, secret = built
    meeting_id, secret_number, public_id = meeting.id, secret.number, public.id
    uid = f"sammantrade-{meeting_id}@namndflode.huddinge.example"
    # a ledamot told of the kallelse who has left the committee since: her calendar holds the invitation too
    former_id = create_user("tidigare", {committee("SN"): [Role.member]}, name="Tove Tidigare").id
    # the chair chose to have notices in the product only
    chair = person("ordforande")
    auth_ops.set_email_meeting_notices(chair, False, actor=chair)
    ops.publish(meeting, user=secretary)
    send_queued()
    db.session.execute(delete(CommitteeRole).where(CommitteeRole.user_id == former_id))
    # a corrected version moves the meeting: the invitations' SEQUENCE is 1
    meeting, secretary = db.session.get(Meeting, meeting_id), person("sekreterare")
    ops.update_meeting(meeting, user=secretary, values={"place": "Sessionssalen"})
    ops.publish(meeting, user=secretary)
    send_queued()
    [_, moved] = mail.to("ledamot@huddinge.example")
    assert the_event(calendar_of(moved)[0])["SEQUENCE"] == 1
    assert mail.to("tidigare@test.example") and len(mail.to("tidigare@test.example")) == 1  # version 1 only

    meeting, secretary = db.session.get(Meeting, meeting_id), person("sekreterare")
    start = to_local(meeting.start_dt)
    cancellation.cancel_meeting(meeting, user=secretary, reason=f"  {REASON}  ")
    send_queued()

    meeting = db.session.get(Meeting, meeting_id)
    assert meeting.status is MeetingStatus.cancelled and meeting.status.label == "Inställt"
    assert meeting.cancellation_reason == REASON and meeting.cancelled_dt is not None
    # e-mail to the ledamot still in the committee and to the one who left; the chair's in the product only
    [_, _, cancelled] = mail.to("ledamot@huddinge.example")
    [_, gone] = mail.to("tidigare@test.example")
    assert not mail.to("ordforande@huddinge.example")
    assert cancelled["Subject"] == f"Inställt sammanträde: Socialnämnden {start:%Y-%m-%d} kl. 18:00"
    body = text_of(cancelled)
    assert body.startswith("Hej Ali Karimi,\n\nSocialnämndens sammanträde är inställt.")
    assert f"Skäl: {REASON}" in body and "Plats: Sessionssalen" in body
    assert f"{SITE}/sammantraden/{meeting_id}/kallelse" in body
    assert "En avbokning av kalenderinbjudan följer med" in body
    for message in (cancelled, gone):
        calendar, method = calendar_of(message)
        event = the_event(calendar)
        assert method == "CANCEL" and calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
        assert event["UID"] == uid and event["SEQUENCE"] == 2  # above the moved invitation's 1
        assert event.decoded("DTSTART") == start and event["LOCATION"] == "Sessionssalen"
    assert str(the_event(calendar_of(gone)[0])["ATTENDEE"]) == "mailto:tidigare@test.example"
    mine = [m for m in notices_of(meeting) if m.to_address == "ordforande@huddinge.example"]
    assert mine[-1].state is MessageState.in_app and mine[-1].subject.startswith("Inställt sammanträde")
    assert "CANCEL" in mine[-1].calendar
    # nothing confidential in the cancellation
    for _rcpt, _raw, parsed in mail.mails[-2:]:
        shown = parsed["Subject"] + text_of(parsed) + calendar_of(parsed)[0].to_ical().decode()
        assert SECRET_TITLE not in shown and secret_number not in shown

    # the audit row, and the cases ready for another agenda
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "meeting.cancelled"))
    assert entry.user_id == person("sekreterare").id and entry.object_id == meeting_id
    assert entry.data["after"] == {"status": "cancelled", "reason": REASON}
    assert entry.data["before"] == {"status": "notice_published"}
    assert report_ops.report_for(db.session.get(Case, public_id)).state is ReportState.signed
    assert public_id in {c.id for c in ops.ready_cases(committee("SN"))}


def test_a_planned_meeting_is_cancelled_without_messages(built, secretary):
    meeting, public, _secret = built
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    cancellation.cancel_meeting(meeting, user=secretary, reason=REASON)
    db.session.commit()
    assert meeting.status is MeetingStatus.cancelled
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before
    # the case can go on another meeting's agenda at once
    other = ops.plan_meeting(committee("SN"), user=secretary, start=meeting.start_dt + timedelta(days=7), place="X")
    ops.add_item(other, user=secretary, kind="case", case=public)
    db.session.commit()


def test_refusals_store_nothing(built, secretary):
    meeting, *_ = built
    before = stored()
    for reason, message in [
        ("", "Skälet måste fyllas i."),
        ("   ", "Skälet måste fyllas i."),
        (None, "Skälet måste fyllas i."),
        ("x" * 1001, "1000"),
        (42, "Skälet måste vara text."),
    ]:
        with pytest.raises(ValidationError) as refused:
            cancellation.cancel_meeting(meeting, user=secretary, reason=reason)
        assert message in refused.value.errors["reason"]
        db.session.rollback()
    assert stored() == before

    # a meeting that has begun
    meeting = db.session.get(Meeting, meeting.id)
    meeting.start_dt = utcnow() - timedelta(minutes=5)
    db.session.commit()
    before = stored()
    with pytest.raises(ConflictError, match="har redan börjat och kan inte ställas in"):
        cancellation.cancel_meeting(meeting, user=secretary, reason=REASON)
    db.session.rollback()
    assert stored() == before

    # a held meeting (the demo's of 2017-02-23, its protokoll justerat) and one held without a protokoll yet
    held = db.session.scalar(select(Meeting).where(Meeting.status == MeetingStatus.minutes_done).limit(1))
    with pytest.raises(ConflictError, match="Sammanträdet är genomfört och kan inte ställas in"):
        cancellation.cancel_meeting(held, user=secretary, reason=REASON)
    db.session.rollback()
    assert stored() == before
    meeting = db.session.get(Meeting, meeting.id)
    meeting.status = MeetingStatus.held
    db.session.commit()
    before = stored()
    with pytest.raises(ConflictError, match="Sammanträdet är genomfört och kan inte ställas in"):
        cancellation.cancel_meeting(meeting, user=secretary, reason=REASON)
    db.session.rollback()
    assert stored() == before


def test_nothing_more_happens_on_a_cancelled_meeting(built, secretary, new_case):
    meeting, public, _secret = built
    ops.publish(meeting, user=secretary)
    cancellation.cancel_meeting(meeting, user=secretary, reason=REASON)
    db.session.commit()
    meeting_id = meeting.id
    before = stored()

    refusals = [
        (lambda m: cancellation.cancel_meeting(m, user=secretary, reason=REASON), "Sammanträdet är redan inställt."),
        (lambda m: ops.publish(m, user=secretary), "Sammanträdet är inställt; kallelsen kan inte publiceras."),
        (
            lambda m: ops.add_item(m, user=secretary, kind="other", title="Övrigt"),
            "Sammanträdet är inställt; föredragningslistan kan inte ändras.",
        ),
        (
            lambda m: ops.update_meeting(m, user=secretary, values={"place": "Annan sal"}),
            "Sammanträdet är inställt; föredragningslistan kan inte ändras.",
        ),
        (lambda m: minutes_ops.start_minutes(m, user=secretary), "Sammanträdet är inställt; inget protokoll förs."),
        (
            lambda m: record_outcome(m.items[0], user=secretary, outcome="decided"),
            "Sammanträdet är inställt; inget utfall kan registreras.",
        ),
    ]
    for attempt, message in refusals:
        meeting = db.session.get(Meeting, meeting_id)
        with pytest.raises(ConflictError) as refused:
            attempt(meeting)
        assert refused.value.message == message
        db.session.rollback()
    assert stored() == before
    assert db.session.scalar(select(func.count()).where(Publication.meeting_id == meeting_id)) == 1


def test_the_delegated_decisions_its_kallelse_reported_go_to_the_next_meeting(built, secretary):
    meeting, *_ = built
    decision = ops.register_delegation_decision(
        committee("SN"),
        user=secretary,
        decided_on=(to_local(utcnow()) - timedelta(days=3)).date().isoformat(),
        decision_maker="Eva Strand, socialdirektör",
        delegation_point="3.1.2",
        summary="Beslut om bistånd",
    )
    ops.add_item(meeting, user=secretary, kind="delegation_report", title="Delegationsbeslut")
    ops.publish(meeting, user=secretary)
    db.session.commit()
    assert decision.reported_in_id == meeting.id
    cancellation.cancel_meeting(meeting, user=secretary, reason=REASON)
    db.session.commit()
    assert db.session.get(DelegationDecision, decision.id).reported_in_id is None


# --- the pages -------------------------------------------------------------------------------------------------


def test_the_secretary_cancels_on_the_page_with_a_confirm_step(app, built, secretary, login_as, client):
    meeting, *_ = built
    ops.publish(meeting, user=secretary)
    db.session.commit()
    meeting_id = meeting.id
    page = f"/sammantraden/{meeting_id}"
    confirm = f"/sammantraden/{meeting_id}/stall-in"
    web = login_as("sekreterare")
    html = web.get(page).get_data(as_text=True)
    assert f'href="{confirm}"' in html and "Ställ in sammanträdet…" in html

    html = web.get(confirm).get_data(as_text=True)
    assert "<h1>Ställ in sammanträdet?</h1>" in html and "Det går inte att ångra." in html
    assert "kalenderinbjudan avbokas" in html
    token = csrf_token(web, confirm)

    # refused: no token, no reason, a member, someone of another committee
    member, other = login_as("ledamot"), login_as("ks-handlaggare")
    before = stored()
    assert web.post(confirm, data={"reason": REASON}).status_code == 400
    response = web.post(confirm, data={"csrf_token": token, "reason": " "})
    assert response.status_code == 422
    assert "Skälet måste fyllas i." in response.get_data(as_text=True)
    assert member.get(confirm).status_code == 403
    assert member.post(confirm, data={"csrf_token": csrf_token(member, page), "reason": REASON}).status_code == 403
    assert "Ställ in sammanträdet" not in member.get(page).get_data(as_text=True)
    assert other.get(confirm).status_code == 404
    assert stored() == before

    response = web.post(confirm, data={"csrf_token": token, "reason": REASON})
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    html = web.get(page).get_data(as_text=True)
    assert "Sammanträdet är inställt. Ledamöter och ersättare har fått besked." in html
    assert "<h2>Sammanträdet är inställt</h2>" in html and f"Skäl: {REASON}" in html
    assert 'badge--state">Inställt<' in html
    for gone in ('id="publicera"', 'id="lagg-till"', "Ställ in sammanträdet…", "Påbörja protokollet"):
        assert gone not in html, gone
    # afterwards: the confirm page says why not, and a publish is a Swedish 409
    assert "Sammanträdet är redan inställt." in web.get(confirm).get_data(as_text=True)
    response = web.post(f"/sammantraden/{meeting_id}/publicera", data={"csrf_token": token})
    assert response.status_code == 409
    assert "Sammanträdet är inställt; kallelsen kan inte publiceras." in response.get_data(as_text=True)
    response = web.post(
        f"/sammantraden/{meeting_id}/punkter", data={"csrf_token": token, "kind": "other", "title": "Ny"}
    )
    assert response.status_code == 409

    # the year plan, the members' start page and kallelse
    year = to_local(db.session.get(Meeting, meeting_id).start_dt).year
    html = member.get(f"/sammantraden?ar={year}").get_data(as_text=True)
    row = re.search(rf'<tr>\s*<td data-label="Datum"><a href="{page}">.*?</tr>', html, re.S).group(0)
    assert '<strong class="badge badge--state">Inställt</strong>' in row
    html = member.get("/").get_data(as_text=True)
    assert "Inställt" in html and "Läs kallelsen (inställd)" in html
    html = member.get(f"/sammantraden/{meeting_id}/kallelse").get_data(as_text=True)
    assert "<h2>Sammanträdet är inställt</h2>" in html and f"Skäl: {REASON}" in html

    # the public page keeps the kallelse readable, marked inställt, without the reason
    response = client.get(f"/offentligt/sammantraden/{meeting_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h2>Sammanträdet är inställt</h2>" in html
    assert "Föredragningslista" in html and REASON not in html
    html = client.get("/offentligt").get_data(as_text=True)
    assert '<strong class="badge badge--state">Inställt</strong>' in html
    html = client.get(f"/offentligt/sammantraden/{meeting_id}/punkt/1").get_data(as_text=True)
    assert "Sammanträdet är inställt" in html and REASON not in html

    # the public calendar: the same event, cancelled
    feed = icalendar.Calendar.from_ical(client.get("/offentligt/SN/kalender.ics").get_data())
    event = next(e for e in feed.walk("VEVENT") if e["UID"].startswith(f"sammantrade-{meeting_id}@"))
    assert event["STATUS"] == "CANCELLED" and str(event["SUMMARY"]).startswith("INSTÄLLT: ")


def test_a_public_page_kept_before_the_cancellation_is_not_served_after_it(app, built, secretary, client):
    meeting, *_ = built
    ops.publish(meeting, user=secretary)
    db.session.commit()
    first = client.get(f"/offentligt/sammantraden/{meeting.id}")
    assert "inställt" not in first.get_data(as_text=True)
    cancellation.cancel_meeting(meeting, user=secretary, reason=REASON)
    db.session.commit()
    again = client.get(f"/offentligt/sammantraden/{meeting.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "Sammanträdet är inställt" in again.get_data(as_text=True)


def test_open_data_shows_the_meeting_cancelled(app, built, secretary, client):
    meeting, *_ = built
    ops.publish(meeting, user=secretary)
    cancellation.cancel_meeting(meeting, user=secretary, reason=REASON)
    db.session.commit()
    body = client.get(f"/oparl/v1/meeting/{meeting.id}")
    assert body.status_code == 200, body.get_data(as_text=True)[:300]
    data = body.get_json()
    assert data["cancelled"] is True and data["meetingState"] == "Inställt"
    assert REASON not in body.get_data(as_text=True)
    items = db.session.scalar(select(func.count()).where(AgendaItem.meeting_id == meeting.id))
    assert len(data["agendaItem"]) == items  # the published agenda stays readable
