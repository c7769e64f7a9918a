"""The notice of a published kallelse: who is told, the e-mail read back from a real SMTP server with its calendar
invitation parsed back, a corrected version, a member who chose no e-mail, and nothing confidential in any message.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from agenda import notices
from agenda import operations as ops
from agenda.minutes.models import CommitteeSeat, SeatKind
from agenda.models import Meeting
from app.audit import AuditEntry
from app.auth import operations as auth_ops
from app.auth.models import Role, User
from app.clock import LOCAL_TZ, to_local
from app.extensions import db
from app.notifications import MessageState, OutboxMessage
from tasks.notifications import send_message
from tests.factories import committee, create_user, person
from tests.mail_server import running_smtp_server

SITE = "https://namndflode.huddinge.example"
SENDER = "noreply@huddinge.example"
SECRET_TITLE = "Vårdnad om Alva Exempelsson enligt 6 kap. 8 § föräldrabalken"
PUBLIC_TITLE = "Ansökan enligt föräldrabalken"  # the factories' public title of a confidential case


def complete(meeting) -> None:
    ops.update_meeting(
        meeting,
        user=person("sekreterare"),
        values={
            "notice_place": "Huddinge",
            "notice_date": date.today().isoformat(),
            "chair_name": "Gunnel Hedberg",
            "secretary_name": "Sara Lindqvist",
        },
    )


@pytest.fixture
def built(meeting, secretary, new_case):
    """The meeting with a public case and a confidential one, its closing filled, not yet published."""
    public = new_case("Riktlinjer för ekonomiskt bistånd 2027")
    secret = new_case(SECRET_TITLE, confidential=True)
    ops.add_item(meeting, user=secretary, kind="case", case=public)
    ops.add_item(meeting, user=secretary, kind="case", case=secret)
    complete(meeting)
    db.session.commit()
    return meeting, public, secret


@pytest.fixture
def mail(app):
    """A real SMTP server, and the app sending to it."""
    with running_smtp_server() as inbox:
        app.config.update(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=inbox.port,
            MAIL_USE_TLS=False,
            MAIL_USERNAME=None,
            PUBLIC_BASE_URL=SITE,
            MAIL_FROM=f"Nämndflöde <{SENDER}>",
        )
        yield inbox


def notices_of(meeting) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.link == f"/sammantraden/{meeting.id}/kallelse")
            .order_by(OutboxMessage.id)
        )
    )


def send_queued() -> None:
    """Do what the worker does with each queued message (the task itself, in this process)."""
    db.session.commit()
    ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.state == MessageState.queued)).all()
    db.session.commit()
    for message_id in ids:
        send_message.apply(args=[message_id])
    db.session.remove()


def calendar_of(mail) -> tuple[icalendar.Calendar, str]:
    """The invitation of an e-mail, parsed back; and the method its text/calendar part says."""
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    attached = [p for p in mail.walk() if p.get_filename() == "kallelse.ics"]
    assert len(attached) == 1 and attached[0].get_content_type() == "application/ics"
    assert attached[0].get_content().decode("utf-8") == parts[0].get_content()
    return icalendar.Calendar.from_ical(parts[0].get_content()), parts[0].get_param("method")


def the_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def text_of(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_the_members_and_ersattare_are_told_once_each(built, secretary):
    meeting, *_ = built
    sn = committee("SN")
    # an ersättare whose account holds a seat but no role, a ledamot whose account is disabled, a former
    # ersättare whose seat is no longer active: only the first is told
    deputy = create_user("ersattare", name="Ella Ersättare")
    disabled = create_user("avstangd", {sn: [Role.member]}, name="Adam Avstängd")
    disabled.is_enabled = False
    former = create_user("tidigare", name="Tove Tidigare")
    db.session.add_all(
        [
            CommitteeSeat(committee=sn, kind=SeatKind.deputy, position=90, name=deputy.name, party="S", user=deputy),
            CommitteeSeat(
                committee=sn,
                kind=SeatKind.deputy,
                position=91,
                name=former.name,
                party="M",
                user=former,
                is_active=False,
            ),
        ]
    )
    db.session.flush()

    found = notices.recipients(sn.id)
    # the demo's ordförande and ledamot hold both the role and a seat: each once
    assert [(r.user.email, r.is_deputy) for r in found] == [
        ("ledamot@huddinge.example", False),
        ("ersattare@test.example", True),
        ("ordforande@huddinge.example", False),
    ]

    ops.publish(meeting, user=secretary)
    db.session.commit()
    told = notices_of(meeting)
    assert sorted(m.to_address for m in told) == [
        "ersattare@test.example",
        "ledamot@huddinge.example",
        "ordforande@huddinge.example",
    ]
    assert all(m.state is MessageState.queued and m.calendar for m in told)
    ersattare = next(m for m in told if m.to_address == "ersattare@test.example")
    attendee = the_event(icalendar.Calendar.from_ical(ersattare.calendar))["ATTENDEE"]
    assert attendee.params["ROLE"] == "OPT-PARTICIPANT"


@pytest.mark.moments
def test_a_member_receives_the_notice_by_e_mail_with_the_link_and_a_calendar_invitation(app, built, secretary, mail):
    meeting, _public, secret = built
    meeting_id, secret_number = meeting.id, secret.number
    start = to_local(meeting.start_dt)
    uid = f"sammantrade-{meeting_id}@namndflode.huddinge.example"
    link = f"{SITE}/sammantraden/{meeting_id}/kallelse"

    ops.publish(meeting, user=secretary)
    send_queued()

    assert sorted(rcpt[0] for rcpt, *_ in mail.mails) == ["ledamot@huddinge.example", "ordforande@huddinge.example"]
    [first] = mail.to("ledamot@huddinge.example")
    assert first["Subject"] == f"Kallelse: Socialnämnden {start:%Y-%m-%d} kl. 18:00"
    assert first["To"].addresses[0].display_name == "Ali Karimi"
    body = text_of(first)
    assert body.startswith("Hej Ali Karimi,\n\n”Kallelse till Socialnämnden” är publicerad.")
    assert "Plats: Plenum, Gymnasietorget 1" in body
    assert re.search(rf"Tid: \w+ den {start.day} \w+ {start.year}, klockan 18:00", body, re.IGNORECASE), body
    assert f"Läs kallelsen och handlingarna: {link}\n" in body
    assert "Riktlinjer för ekonomiskt bistånd 2027 (SN-" in body
    assert f". {PUBLIC_TITLE}\n" in body  # the confidential item by its public title only
    assert "En kalenderinbjudan till sammanträdet följer med" in body
    assert "ändrats" not in body

    calendar, method = calendar_of(first)
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    event = the_event(calendar)
    assert event["UID"] == uid and event["SEQUENCE"] == 0
    assert event["SUMMARY"] == "Socialnämnden – sammanträde"
    assert event["LOCATION"] == "Plenum, Gymnasietorget 1"
    assert event.decoded("DTSTART") == start
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert str(event["URL"]) == link and link in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == f"mailto:{SENDER}"
    assert str(event["ATTENDEE"]) == "mailto:ledamot@huddinge.example"
    assert event["ATTENDEE"].params["ROLE"] == "REQ-PARTICIPANT"

    # a corrected version with a new time and place: the same event, moved (SEQUENCE raised)
    new_start = datetime.combine(start.date() + timedelta(days=1), datetime.min.time().replace(hour=17), LOCAL_TZ)
    meeting, secretary = db.session.get(Meeting, meeting_id), person("sekreterare")
    ops.update_meeting(meeting, user=secretary, values={"start": new_start.isoformat(), "place": "Sessionssalen"})
    ops.publish(meeting, user=secretary)
    send_queued()
    [_, second] = mail.to("ledamot@huddinge.example")
    assert second["Subject"] == f"Rättad kallelse, version 2: Socialnämnden {new_start:%Y-%m-%d} kl. 17:00"
    body = text_of(second)
    assert "”Kallelse till Socialnämnden” är rättad och publicerad som version 2." in body
    assert "Det här har ändrats sedan version 1:\n– Tid ändrad: " in body
    assert "– Plats ändrad: Plenum, Gymnasietorget 1 → Sessionssalen." in body
    event = the_event(calendar_of(second)[0])
    assert event["UID"] == uid and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == new_start and event["LOCATION"] == "Sessionssalen"

    # a correction that moves nothing: the change lines, the event as it was (SEQUENCE kept)
    meeting, secretary = db.session.get(Meeting, meeting_id), person("sekreterare")
    ops.add_item(meeting, user=secretary, kind="other", title="Information om lokalfrågan")
    ops.publish(meeting, user=secretary)
    send_queued()
    [*_, third] = mail.to("ledamot@huddinge.example")
    assert "Ny punkt" in text_of(third) and "Information om lokalfrågan" in text_of(third)
    event = the_event(calendar_of(third)[0])
    assert event["UID"] == uid and event["SEQUENCE"] == 1 and event.decoded("DTSTART") == new_start

    # nothing confidential in any message, e-mail or invitation
    for rcpt, raw, parsed in mail.mails:
        shown = parsed["Subject"] + text_of(parsed) + calendar_of(parsed)[0].to_ical().decode()
        assert SECRET_TITLE not in shown and secret_number not in shown and "Alva" not in shown, rcpt
        assert raw.isascii()
    for message in notices_of(db.session.get(Meeting, meeting_id)):
        assert message.state is MessageState.sent
        stored = message.subject + message.body + (message.calendar or "")
        assert SECRET_TITLE not in stored and secret_number not in stored


def test_a_member_who_chose_no_e_mail_gets_the_notice_in_the_product_only(app, built, secretary, mail, login_as):
    meeting, *_ = built
    meeting_id = meeting.id
    chair = person("ordforande")
    auth_ops.set_email_meeting_notices(chair, False, actor=chair)
    ops.publish(meeting, user=secretary)
    send_queued()
    meeting = db.session.get(Meeting, meeting_id)

    assert [rcpt for rcpt, *_ in mail.mails] == [["ledamot@huddinge.example"]]
    mine = [m for m in notices_of(meeting) if m.to_address == "ordforande@huddinge.example"]
    assert [m.state for m in mine] == [MessageState.in_app]
    assert "Du har valt att inte få kallelser som e-post" in mine[0].body

    html = login_as("ordforande").get("/utkorg").get_data(as_text=True)
    assert "Kallelse: Socialnämnden" in html and "Bara här (e-post avvald i profilen)" in html
    assert f'href="/sammantraden/{meeting.id}/kallelse"' in html
    # the link in the product opens the members' kallelse
    assert login_as("ordforande").get(f"/sammantraden/{meeting.id}/kallelse").status_code == 200
    # and the calendar invitation is there for her alone
    ics = f"/utkorg/{mine[0].id}/kalender.ics"
    assert f'href="{ics}"' in html
    response = login_as("ordforande").get(ics)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    event = the_event(icalendar.Calendar.from_ical(response.get_data()))
    assert event["UID"] == f"sammantrade-{meeting.id}@namndflode.huddinge.example"
    assert str(event["ATTENDEE"]) == "mailto:ordforande@huddinge.example"
    assert login_as("ledamot").get(ics).status_code == 404
    assert app.test_client().get(ics).status_code == 302  # to the log-in page


def test_taking_over_history_tells_nobody(built, secretary):
    meeting, *_ = built
    ops.publish(meeting, user=secretary, as_of=datetime.now(LOCAL_TZ) - timedelta(days=400), late_reason="Historik")
    db.session.commit()
    assert notices_of(meeting) == []


def test_a_cancelled_meeting_would_be_a_cancel_of_the_same_event():
    """The invitation writes a cancellation as RFC 5546 wants it (agenda.cancellation sends one)."""
    start = datetime(2027, 3, 28, 2, 30, tzinfo=LOCAL_TZ)  # the night clocks go forward
    text = notices.invitation(
        uid="sammantrade-7@namndflode.example",
        sequence=3,
        stamp=datetime(2027, 3, 1, 12, 0, tzinfo=LOCAL_TZ),
        start=start,
        summary="Socialnämnden – sammanträde",
        location="Plenum",
        description="Inställt",
        url="https://namndflode.example/sammantraden/7/kallelse",
        organizer=("Socialnämnden", "noreply@namndflode.example"),
        attendee=("Ali Karimi", "ledamot@huddinge.example"),
        cancelled=True,
    )
    calendar = icalendar.Calendar.from_ical(text)
    event = the_event(calendar)
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 3
    assert event.decoded("DTSTART") == start


def checkbox(html: str) -> str:
    """The profile's checkbox "Skicka kallelser till mig som e-post" as the page writes it."""
    return re.search(r'<input [^>]*id="notices-email_meeting_notices"[^>]*>', html).group(0)


def test_the_profile_page_keeps_the_choice_of_e_mail(app, demo, login_as):
    client = login_as("ledamot")
    html = client.get("/profil").get_data(as_text=True)
    assert "checked" in checkbox(html)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    # without the form's token nothing changes
    assert client.post("/profil/meddelanden", data={}).status_code == 400
    assert db.session.scalar(select(User.email_meeting_notices).where(User.email == "ledamot@huddinge.example"))

    response = client.post("/profil/meddelanden", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Sparat: kallelser visas under Utkorg men kommer inte som e-post." in page
    assert "checked" not in checkbox(page)
    db.session.remove()
    ledamot = person("ledamot")
    assert ledamot.email_meeting_notices is False
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "user.notice_email_changed").order_by(AuditEntry.id.desc())
    )
    assert entry.data == {"before": {"email_meeting_notices": True}, "after": {"email_meeting_notices": False}}
    assert entry.user_id == ledamot.id and entry.object_id == ledamot.id

    client.post("/profil/meddelanden", data={"csrf_token": token, "notices-email_meeting_notices": "y"})
    db.session.remove()
    assert person("ledamot").email_meeting_notices is True
