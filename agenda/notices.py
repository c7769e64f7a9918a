"""Telling the committee's ledamöter and ersättare that a kallelse is published, or a corrected version of it.

Each gets a message through the outbox (``app.notifications``) in the transaction that publishes: the time and
place, what changed since the previous version, the föredragningslista as the public reads it (a confidential
item by its public title only, as the members' kallelse document names it: the message may reach a phone's lock
screen or a mailbox shared with an assistant), the link to the members' kallelse and a calendar invitation. The
message always shows under Utkorg; it comes by e-mail too unless the user chose otherwise on their profile.

The invitation is an iCalendar REQUEST for one event per meeting: its UID is the meeting's (the public feed's,
``sammantrade-<id>@<host>``), and its SEQUENCE counts the published versions whose time or place differ from the
version before, so a calendar moves the meeting when a corrected version moves it. Times are written in
Europe/Stockholm with the VTIMEZONE that defines it.

When a meeting whose kallelse was published is cancelled (agenda.cancellation), ``tell_cancelled`` sends everyone
who was told of it, and the committee's ledamöter and ersättare now, a message that it is inställt with the
reason, and an iCalendar CANCEL of the same event (same UID, SEQUENCE one above the last invitation's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select

from agenda.minutes.models import CommitteeSeat, SeatKind
from agenda.models import Meeting, Publication
from agenda.secrecy import public_items_now
from agenda.snapshot_json import ItemJSON, MeetingJSON
from app.auth.models import CommitteeRole, Role, User
from app.clock import LOCAL_TZ
from app.extensions import db
from app.notifications import OutboxMessage, queue_message
from app.swedish_dates import meeting_time

#: the product identifier written into each invitation
PRODID = "-//Nämndflöde//Kallelser//SV"


@dataclass(frozen=True)
class Recipient:
    user: User
    #: holds only an ersättare's seat (an optional participant in the invitation)
    is_deputy: bool


def recipients(committee_id: int) -> list[Recipient]:
    """The committee's ledamöter and ersättare with an enabled account, each once, by name.

    Those with the role Ledamot in the committee, and the holders of its active seats (ledamot or ersättare).
    """
    with_role = db.session.scalars(
        select(User)
        .join(CommitteeRole, CommitteeRole.user_id == User.id)
        .where(CommitteeRole.committee_id == committee_id, CommitteeRole.role == Role.member)
    ).all()
    seats = db.session.scalars(
        select(CommitteeSeat).where(
            CommitteeSeat.committee_id == committee_id,
            CommitteeSeat.is_active.is_(True),
            CommitteeSeat.user_id.is_not(None),
        )
    ).all()
    kinds: dict[int, set[SeatKind]] = {}
    people: dict[int, User] = {user.id: user for user in with_role}
    for seat in seats:
        if seat.user is not None:
            people[seat.user.id] = seat.user
            kinds.setdefault(seat.user.id, set()).add(seat.kind)
    return [
        Recipient(user, is_deputy=kinds.get(user.id) == {SeatKind.deputy})
        for user in sorted(people.values(), key=lambda u: (u.name, u.id))
        if user.is_enabled
    ]


def notice_path(meeting: Meeting) -> str:
    """The members' kallelse (messages are written outside requests too, so no url_for)."""
    return f"/sammantraden/{meeting.id}/kallelse"


def calendar_uid(meeting_id: int, host: str) -> str:
    """The meeting's event in every calendar: the same as in the committee's public iCalendar feed."""
    return f"sammantrade-{meeting_id}@{host}"


def calendar_sequence(publications: Sequence[Publication], version: int) -> int:
    """The invitation's SEQUENCE for ``version``: how many versions up to it moved the meeting in time or place."""
    sequence = 0
    previous: MeetingJSON | None = None
    for publication in sorted(publications, key=lambda p: p.version):
        if publication.version > version:
            break
        facts = publication.members_snapshot["meeting"]
        if previous is not None and (facts["start"], facts["place"]) != (previous["start"], previous["place"]):
            sequence += 1
        previous = facts
    return sequence


def invitation(
    *,
    uid: str,
    sequence: int,
    stamp: datetime,
    start: datetime,
    summary: str,
    location: str,
    description: str,
    url: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    is_deputy: bool = False,
    cancelled: bool = False,
) -> str:
    """An iCalendar object inviting ``attendee`` (name, address) to the meeting, or cancelling it.

    ``start`` is aware; it is written in Swedish time with its VTIMEZONE. The meeting has no planned end, so
    the event has none (RFC 5545: it ends when it starts), as in the public feed.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", start.astimezone(LOCAL_TZ))
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer_name, organizer_address = organizer
    who = vCalAddress(f"mailto:{organizer_address}")
    who.params["cn"] = vText(organizer_name)
    event.add("organizer", who, encode=False)
    attendee_name, attendee_address = attendee
    guest = vCalAddress(f"mailto:{attendee_address}")
    guest.params["cn"] = vText(attendee_name)
    guest.params["role"] = vText("OPT-PARTICIPANT" if is_deputy else "REQ-PARTICIPANT")
    guest.params["partstat"] = vText("NEEDS-ACTION")
    guest.params["rsvp"] = vText("FALSE")
    event.add("attendee", guest, encode=False)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    written: bytes = calendar.to_ical()
    return written.decode("utf-8")


def _agenda_lines(items: Sequence[ItemJSON]) -> list[str]:
    lines = []
    for item in items:
        line = f"{item['number']}. {item['title']}"
        if item.get("case_number"):
            line += f" ({item['case_number']})"
        lines.append(line)
    return lines


def _organizer(committee: str) -> tuple[str, str]:
    """The invitation's organizer: the committee, at the address the e-mail comes from."""
    _name, address = parseaddr(str(current_app.config.get("MAIL_FROM") or ""))
    return committee, address or "noreply@localhost"


def tell_members(publication: Publication) -> list[OutboxMessage]:
    """Queue the notice of ``publication`` to each of the committee's ledamöter and ersättare (see the module)."""
    meeting = publication.meeting
    facts = publication.members_snapshot["meeting"]
    committee = facts["committee"]
    start = datetime.fromisoformat(facts["start"])
    base_url, host = _site()
    link = notice_path(meeting)
    when = meeting_time(facts["start"])
    version = publication.version
    if version == 1:
        subject = f"Kallelse: {committee} {start:%Y-%m-%d} kl. {start:%H:%M}"
        opening = f"”{facts['title']}” är publicerad."
    else:
        subject = f"Rättad kallelse, version {version}: {committee} {start:%Y-%m-%d} kl. {start:%H:%M}"
        opening = f"”{facts['title']}” är rättad och publicerad som version {version}."
    parts = [opening, f"Tid: {when}\nPlats: {facts['place']}"]
    if version > 1:
        changes = publication.changes or ["Ändringarna står i kallelsen."]
        parts.append(f"Det här har ändrats sedan version {version - 1}:\n" + "\n".join(f"– {c}" for c in changes))
    parts.append("Föredragningslista:\n" + "\n".join(_agenda_lines(public_items_now(publication))))
    parts.append(f"Läs kallelsen och handlingarna: {link}")
    text = "\n\n".join(parts)
    sequence = calendar_sequence(meeting.publications, version)
    organizer = _organizer(committee)
    messages = []
    for recipient in recipients(meeting.committee_id):
        user = recipient.user
        calendar = invitation(
            uid=calendar_uid(meeting.id, host),
            sequence=sequence,
            stamp=publication.published_dt,
            start=start,
            summary=f"{committee} – sammanträde",
            location=facts["place"],
            description=f"{facts['title']}, version {version}: {base_url}{link}",
            url=base_url + link,
            organizer=organizer,
            attendee=(user.name, user.email),
            is_deputy=recipient.is_deputy,
        )
        by_email = user.email_meeting_notices
        footer = (
            "En kalenderinbjudan till sammanträdet följer med det här e-postmeddelandet."
            if by_email
            else "Du har valt att inte få kallelser som e-post. Du kan ändra det under Min profil."
        )
        body = f"Hej {user.name},\n\n{text}\n\n{footer}\n\nHälsningar\nNämndflöde"
        messages.append(queue_message(user, subject, body, link=link, calendar=calendar, by_email=by_email))
    return messages


def _site() -> tuple[str, str]:
    """The site's base URL and host, as the invitations name them."""
    base_url = str(current_app.config.get("PUBLIC_BASE_URL") or "http://namndflode.invalid").rstrip("/")
    return base_url, urlsplit(base_url).hostname or "namndflode.invalid"


def _told_before(meeting: Meeting) -> list[User]:
    """Everyone a notice of the meeting's kallelse was written to (by e-mail or in the product), enabled still."""
    return list(
        db.session.scalars(
            select(User).where(
                User.id.in_(
                    select(OutboxMessage.recipient_id).where(
                        OutboxMessage.link == notice_path(meeting), OutboxMessage.calendar.is_not(None)
                    )
                ),
                User.is_enabled.is_(True),
            )
        )
    )


def cancellation_recipients(meeting: Meeting) -> list[Recipient]:
    """Who is told that the meeting is inställt: those told of its kallelse, and the ledamöter and ersättare now."""
    now = recipients(meeting.committee_id)
    known = {r.user.id for r in now}
    earlier = [Recipient(user, is_deputy=False) for user in _told_before(meeting) if user.id not in known]
    return sorted([*now, *earlier], key=lambda r: (r.user.name, r.user.id))


def tell_cancelled(meeting: Meeting) -> list[OutboxMessage]:
    """Queue the news that ``meeting`` (cancelled, its kallelse published) is inställt, with a CANCEL of the event."""
    publication = meeting.latest_publication
    if publication is None or meeting.cancelled_dt is None:
        return []
    facts = publication.members_snapshot["meeting"]
    committee = facts["committee"]
    start = datetime.fromisoformat(facts["start"])
    base_url, host = _site()
    link = notice_path(meeting)
    subject = f"Inställt sammanträde: {committee} {start:%Y-%m-%d} kl. {start:%H:%M}"
    text = "\n\n".join(
        [
            f"{committee}s sammanträde är inställt.",
            f"Tid: {meeting_time(facts['start'])}\nPlats: {facts['place']}",
            f"Skäl: {meeting.cancellation_reason}",
            f"Kallelsen finns kvar att läsa, markerad som inställd: {link}",
        ]
    )
    # one above the last invitation: calendars replace the event they hold with the cancellation
    sequence = calendar_sequence(meeting.publications, publication.version) + 1
    organizer = _organizer(committee)
    messages = []
    for recipient in cancellation_recipients(meeting):
        user = recipient.user
        calendar = invitation(
            uid=calendar_uid(meeting.id, host),
            sequence=sequence,
            stamp=meeting.cancelled_dt,
            start=start,
            summary=f"INSTÄLLT: {committee} – sammanträde",
            location=facts["place"],
            description=f"Sammanträdet är inställt. Skäl: {meeting.cancellation_reason}",
            url=base_url + link,
            organizer=organizer,
            attendee=(user.name, user.email),
            is_deputy=recipient.is_deputy,
            cancelled=True,
        )
        by_email = user.email_meeting_notices
        footer = (
            "En avbokning av kalenderinbjudan följer med det här e-postmeddelandet."
            if by_email
            else "Du har valt att inte få kallelser som e-post. Du kan ändra det under Min profil."
        )
        body = f"Hej {user.name},\n\n{text}\n\n{footer}\n\nHälsningar\nNämndflöde"
        messages.append(queue_message(user, subject, body, link=link, calendar=calendar, by_email=by_email))
    return messages
