"""The notice of a kallelse, end to end: the ordförande chooses on Min profil not to have kallelser by e-mail →
the nämndsekreterare plans a meeting and publishes its kallelse through the pages → the outbox sends the notices
through a real SMTP server started here → the ledamot's e-mail is read back (its Swedish text, the link, the
calendar invitation parsed) and its link opened in a browser that is not logged in: the log-in page, then the
kallelse → the ordförande got no e-mail but finds the notice under Utkorg and opens the kallelse from there → the
secretary cancels the meeting (confirmed, a reason required): the ledamot's invitation is cancelled by e-mail
(METHOD:CANCEL, the same UID, a later SEQUENCE) and the kallelse says the meeting is inställt.

The served app's messages stay on its in-memory broker (conftest.py); the test does what the worker would with
the ones of its own meeting: the real task, sending to the SMTP server.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select, update

from app.auth.models import User
from app.clock import LOCAL_TZ, local_today
from app.extensions import db
from app.notifications import MessageState, OutboxMessage
from tasks.notifications import send_message
from tests.browser import steps
from tests.browser.ui import check_page, download, follow, users
from tests.mail_server import running_smtp_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLACE = "Sessionssalen, Stadshuset"


def send_the_notices(app, base_url: str, port: int, meeting_id: int) -> list[MessageState]:
    """Send the queued notices of the meeting to the SMTP server on ``port``, as the worker would."""
    overrides = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
        "PUBLIC_BASE_URL": base_url,
        "MAIL_FROM": "Nämndflöde <noreply@huddinge.example>",
    }
    saved = {key: app.config.get(key) for key in overrides}
    app.config.update(overrides)
    app.extensions["celery"].set_current()
    try:
        with app.app_context():
            link = f"/sammantraden/{meeting_id}/kallelse"
            ids = db.session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.link == link, OutboxMessage.state == MessageState.queued)
            ).all()
            db.session.commit()
            for message_id in ids:
                send_message.apply(args=[message_id])
            db.session.remove()
            return list(db.session.scalars(select(OutboxMessage.state).where(OutboxMessage.link == link)))
    finally:
        app.config.update(saved)


def choose_e_mail(app, key: str, wanted: bool) -> None:
    with app.app_context():
        db.session.execute(
            update(User).where(User.email == f"{key}@huddinge.example").values(email_meeting_notices=wanted)
        )
        db.session.commit()
        db.session.remove()


def test_a_member_receives_the_notice_and_opens_the_kallelse_from_its_link(new_page, served_app):
    app = served_app.app
    try:
        _journey(new_page, app, served_app.url)
    finally:
        choose_e_mail(app, "ordforande", True)  # the session's other journeys find the demo as it was


def _journey(new_page, app, base_url: str) -> None:
    # the ordförande: kallelser in the product only
    chair = new_page("ordforande")
    steps.main_menu(chair, "Min profil")
    choice = chair.get_by_label("Skicka kallelser till mig som e-post")
    assert choice.is_checked()
    choice.uncheck()
    follow(chair.get_by_role("button", name="Spara valet"))
    assert "kommer inte som e-post" in steps.flash_text(chair)
    assert not chair.get_by_label("Skicka kallelser till mig som e-post").is_checked()
    check_page(chair, "profil-kallelser", screenshot=True)

    # the secretary plans a meeting well ahead (after the demo's next one) and publishes its kallelse
    secretary = new_page("sekreterare")
    day = local_today() + timedelta(days=random.randint(40, 330))
    secretary.goto(f"/sammantraden?ar={day.year}")
    steps.plan_meeting(secretary, day.isoformat(), PLACE, time="17:30")
    meeting_id = int(re.search(r"/sammantraden/(\d+)", secretary.url).group(1))
    facts = secretary.get_by_role("region", name="Kallelsens uppgifter")
    facts.get_by_label("Ort för kallelsen").fill("Huddinge")
    facts.get_by_label("Kallelsens datum").fill(local_today().isoformat())
    facts.get_by_label("Ordförande").fill("Gunnel Hedberg")
    facts.get_by_label("Sekreterare").fill("Sara Lindqvist")
    follow(facts.get_by_role("button", name="Spara uppgifterna"))
    follow(secretary.get_by_role("button", name="Publicera kallelsen"))
    assert "publicerad som version 1" in steps.flash_text(secretary)

    # the outbox sends through a real SMTP server: the ledamot gets the e-mail, the ordförande does not
    with running_smtp_server() as inbox:
        states = send_the_notices(app, base_url, inbox.port, meeting_id)
    assert sorted(s.value for s in states) == ["in_app", "sent"]
    assert [rcpt for rcpt, *_ in inbox.mails] == [["ledamot@huddinge.example"]]
    [mail] = inbox.to("ledamot@huddinge.example")
    assert mail["Subject"] == f"Kallelse: Socialnämnden {day.isoformat()} kl. 17:30"
    text = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Hej Ali Karimi,\n\n”Kallelse till Socialnämnden” är publicerad.")
    assert f"Plats: {PLACE}" in text and "klockan 17:30" in text
    link = re.search(r"Läs kallelsen och handlingarna: (\S+)", text).group(1)
    assert link == f"{base_url}/sammantraden/{meeting_id}/kallelse"
    [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    event = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    assert event["SUMMARY"] == "Socialnämnden – sammanträde" and event["LOCATION"] == PLACE
    assert event.decoded("DTSTART") == datetime(day.year, day.month, day.day, 17, 30, tzinfo=LOCAL_TZ)

    # the ledamot opens the link in a browser that is not logged in: the log-in page, then the kallelse
    member = new_page()
    member.goto(link)
    assert "/logga-in" in member.url
    check_page(member)
    person = users()["ledamot"]
    member.get_by_label("E-post").fill(person["email"])
    member.get_by_label("Lösenord").fill(person["password"])
    follow(member.get_by_role("button", name="Logga in"))
    assert member.url == link
    assert member.get_by_role("heading", level=1).inner_text() == "Kallelse till Socialnämnden"
    assert PLACE in member.locator("main").inner_text()
    check_page(member, "kallelse-fran-e-post")

    # the ordförande finds the notice under Utkorg, and the kallelse from there
    steps.main_menu(chair, "Utkorg")
    row = chair.get_by_role("row").filter(has_text=f"Kallelse: Socialnämnden {day.isoformat()} kl. 17:30")
    assert "Bara här (e-post avvald i profilen)" in row.inner_text()
    row.get_by_text("Visa meddelandet").click()
    assert "Du har valt att inte få kallelser som e-post" in row.inner_text()
    check_page(chair, "utkorg-kallelse", screenshot=True)
    invitation = download(chair, row.get_by_role("link", name=re.compile("^Lägg till i kalendern")))
    event = icalendar.Calendar.from_ical(invitation).walk("VEVENT")[0]
    assert event["LOCATION"] == PLACE and str(event["ATTENDEE"]) == "mailto:ordforande@huddinge.example"
    follow(row.get_by_role("link", name="Gå till sidan som meddelandet gäller"))
    assert chair.url == link
    assert chair.get_by_role("heading", level=1).inner_text() == "Kallelse till Socialnämnden"

    # the meeting does not happen: the secretary cancels it (confirmed, with a reason); the ledamot's calendar
    # invitation is cancelled by e-mail (the same event, a later sequence) and the kallelse says inställt
    follow(secretary.get_by_role("link", name="Ställ in sammanträdet…"))
    assert secretary.get_by_role("heading", level=1).inner_text() == "Ställ in sammanträdet?"
    check_page(secretary, "stall-in-sammantradet", screenshot=True)
    follow(secretary.get_by_role("button", name="Ställ in sammanträdet"))  # no reason: refused, nothing stored
    assert secretary.get_by_role("heading", level=1).inner_text() == "Ställ in sammanträdet?"
    secretary.get_by_label("Skäl till att sammanträdet ställs in").fill("Inga ärenden är klara för beslut.")
    follow(secretary.get_by_role("button", name="Ställ in sammanträdet"))
    assert "Sammanträdet är inställt." in steps.flash_text(secretary)
    assert "Inga ärenden är klara för beslut." in secretary.locator("main").inner_text()
    check_page(secretary, "installt-sammantrade")
    with running_smtp_server() as inbox:
        states = send_the_notices(app, base_url, inbox.port, meeting_id)
    assert sorted(s.value for s in states) == ["in_app", "in_app", "sent", "sent"]
    [mail] = inbox.to("ledamot@huddinge.example")
    assert mail["Subject"] == f"Inställt sammanträde: Socialnämnden {day.isoformat()} kl. 17:30"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Skäl: Inga ärenden är klara för beslut." in text
    [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_content())
    cancelled = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["UID"] == event["UID"] and int(cancelled["SEQUENCE"]) > int(event.get("SEQUENCE", 0))
    member.goto(link)
    assert "Sammanträdet är inställt" in member.locator("main").inner_text()
    check_page(member, "kallelse-installt")
