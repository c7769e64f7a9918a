"""Keeping the protokoll: start it, open a paragraph per handled item (its § number taken from the committee's
counter for the year), and save the header or a paragraph as a new revision.

A save names the revision it started from. If its part (the header, or "§ 12") was changed since then it is
refused with ``MinutesRevisionConflict`` and its text kept (``MinutesConflict``) beside the current one; a save
whose part nobody else changed is laid over the newest revision, so the secretary and a colleague may write
different paragraphs at once. Each save is checked against the rules (agenda.minutes.rules) before anything is
stored. After justering nothing is changed here (a rättelse will be its own operation).

Each function validates, changes, writes an audit row and flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import cast

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from agenda.minutes.adjustment_models import open_correction
from agenda.minutes.content import (
    HEADER,
    HeaderJSON,
    MinutesContentJSON,
    ParagraphJSON,
    PresenceJSON,
    clean_header,
    clean_paragraph,
    content_hash,
    empty_header,
    paragraph_numbered,
    part_name,
    part_of,
)
from agenda.minutes.models import (
    Minutes,
    MinutesConflict,
    MinutesParagraph,
    MinutesRevision,
    ParagraphCounter,
    SeatKind,
)
from agenda.minutes.rules import header_errors, paragraph_errors
from agenda.minutes.seats import absences_for, as_rule_seats, seats_of
from agenda.models import AgendaItem, ItemKind, ItemOutcome, Meeting
from agenda.outcomes import refuse_if_cancelled
from app import audit
from app.auth.models import User
from app.clock import to_local
from app.extensions import db
from app.validation import ConflictError, ValidationError
from workflows import operations as report_ops
from workflows.content import ReportContent

#: the decision a paragraph starts with when the item was not decided on, or is not a case
DEFAULT_DECISIONS = {
    ItemOutcome.postponed: ["Ärendet bordläggs."],
    ItemOutcome.sent_back: ["Ärendet återremitteras till förvaltningen."],
}
INFORMATION_DECISION = ["Informationen noteras till protokollet."]
DELEGATION_DECISION = ["Delgivningarna och de anmälda delegationsbesluten läggs till handlingarna."]


class MinutesRevisionConflict(ConflictError):
    """A save whose part was changed by someone else since it began; carries both texts so nothing is lost."""

    def __init__(self, conflict: MinutesConflict, current: MinutesRevision, current_part: object):
        self.conflict = conflict
        self.current = current
        self.current_part = current_part
        what = "Protokollets uppgifter" if conflict.part == HEADER else conflict.part
        super().__init__(
            f"{what} har sparats av {current.author.name if current.author else 'någon annan'} "
            f"(version {current.number}) sedan du började (version {conflict.based_on}). "
            "Din text är sparad vid sidan av; jämför och för in dina ändringar i den senaste versionen."
        )


class MinutesAdjusted(ConflictError):
    """The protokoll (or the paragraph) is justerat: changed only through a rättelse."""


# --- the § counter ---------------------------------------------------------------------------------------

CounterInsert = Callable[[type[ParagraphCounter]], SQLiteInsert | PostgresInsert]


def _insert_for_dialect() -> CounterInsert:
    name = db.session.get_bind().dialect.name
    inserts: dict[str, CounterInsert] = {"sqlite": sqlite_insert, "postgresql": pg_insert}
    try:
        return inserts[name]
    except KeyError:
        raise RuntimeError(f"paragraph counters are not implemented for {name}") from None


def allocate_paragraph_number(committee_id: int, year: int) -> int:
    """Take the next § number of (committee, year) inside the current transaction.

    The counter row is created if missing, then incremented with UPDATE … RETURNING: the row stays locked until
    the transaction ends, so another meeting's protokoll waits its turn; a rollback gives the number back, so the
    committed paragraphs have no gaps.
    """
    insert = _insert_for_dialect()
    db.session.execute(
        insert(ParagraphCounter)
        .values(committee_id=committee_id, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["committee_id", "year"])
    )
    return db.session.execute(
        update(ParagraphCounter)
        .where(ParagraphCounter.committee_id == committee_id, ParagraphCounter.year == year)
        .values(last_number=ParagraphCounter.last_number + 1)
        .returning(ParagraphCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def _reserve_paragraph_number(committee_id: int, year: int, number: int) -> None:
    """Make sure the counter is at least ``number`` (a number given by hand, e.g. when a year's numbering is
    taken over from an earlier system)."""
    insert = _insert_for_dialect()
    greatest = func.max if db.session.get_bind().dialect.name == "sqlite" else func.greatest
    db.session.execute(
        insert(ParagraphCounter)
        .values(committee_id=committee_id, year=year, last_number=number)
        .on_conflict_do_update(
            index_elements=["committee_id", "year"],
            set_={"last_number": greatest(ParagraphCounter.last_number, number)},
        )
    )


# --- reading -----------------------------------------------------------------------------------------------


def minutes_for(meeting: Meeting) -> Minutes | None:
    return db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))


def current_content(minutes: Minutes) -> MinutesContentJSON:
    return cast(MinutesContentJSON, minutes.current().content)


def meeting_year(meeting: Meeting) -> int:
    """The calendar year the meeting's paragraphs are numbered in (Swedish time)."""
    return to_local(meeting.start_dt).year


def _lock(minutes: Minutes) -> None:
    """Serialise saves of one protokoll (PostgreSQL row lock; SQLite writes are serial)."""
    db.session.execute(select(Minutes.id).where(Minutes.id == minutes.id).with_for_update())
    db.session.refresh(minutes, ["current_revision", "adjusted_dt"])


def _outcome_label(outcome: str | None) -> str:
    return ItemOutcome(outcome).label.lower() if outcome is not None else "inget utfall"


def correction_outcome_change(minutes: Minutes, paragraph: ParagraphJSON) -> str | None:
    """Why ``paragraph`` (as a rättelse would leave it) cannot be justerad: its outcome differs from the one in the
    justerat revision the open rättelse started from (None: no rättelse open, or the same outcome).

    A rättelse corrects what was written wrong in a justerat protokoll, not what the nämnd decided: the outcome
    of a matter (beslutat, bordlagt, återremitterat) is the nämnd's decision, already justerat and announced, put
    on the agenda item and the case's report, and the appeal period runs from it. So a rättelse that changes an
    outcome is refused rather than applied; a changed decision is the nämnd's, at a new meeting. A paragraph the
    rättelse adds counts as changed when it records any outcome."""
    correction = open_correction(minutes)
    if correction is None:
        return None
    justerat = minutes.revision(correction.based_on_revision)
    before = paragraph_numbered(cast(MinutesContentJSON, justerat.content), paragraph["number"]) if justerat else None
    was = before["outcome"] if before is not None else None
    if paragraph["outcome"] == was:
        return None
    return (
        f"En rättelse rättar skrivfel, inte beslut: § {paragraph['number']} kan inte ändras från "
        f"{_outcome_label(was)} till {_outcome_label(paragraph['outcome'])} genom en rättelse. "
        "Ett ändrat beslut fattas av nämnden vid ett nytt sammanträde."
    )


def _require_editable(minutes: Minutes, paragraph: MinutesParagraph | None = None) -> None:
    """A justerat protokoll, or a paragraph justerad on its own, is not edited, except in a rättelse."""
    refuse_if_cancelled(minutes.meeting, "protokollet kan inte ändras")
    if open_correction(minutes) is not None:
        return
    if minutes.is_adjusted:
        raise MinutesAdjusted("Protokollet är justerat och kan inte ändras; en ändring görs som rättelse.")
    if paragraph is not None and paragraph.is_adjusted:
        raise MinutesAdjusted(
            f"{paragraph.label} är omedelbart justerad och kan inte ändras; en ändring görs som rättelse."
        )


# --- starting the protokoll and its paragraphs -----------------------------------------------------------


def _default_header(meeting: Meeting) -> HeaderJSON:
    """Attendance as the call-ins left it: every ledamot without förhinder, and each called-in ersättare for the
    ledamot whose place they take."""
    absences = absences_for(meeting)
    absent = {a.seat_id for a in absences}
    attendance: list[PresenceJSON] = []
    for seat in seats_of(meeting.committee_id):
        if seat.kind is SeatKind.member and seat.id not in absent:
            attendance.append({"seat_id": seat.id, "from_paragraph": None, "until_paragraph": None, "serves_for": None})
    for absence in absences:
        if absence.substitute_id is not None:
            attendance.append(
                {
                    "seat_id": absence.substitute_id,
                    "from_paragraph": None,
                    "until_paragraph": None,
                    "serves_for": absence.seat_id,
                }
            )
    header = empty_header()
    header["attendance"] = attendance
    return header


def start_minutes(meeting: Meeting, *, user: User) -> Minutes:
    """Start the meeting's protokoll: its first revision with the attendance the förhinder and call-ins give."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())  # one at a time
    db.session.refresh(meeting, ["status"])
    refuse_if_cancelled(meeting, "inget protokoll förs")
    if minutes_for(meeting) is not None:
        raise ConflictError(f"Sammanträdet {to_local(meeting.start_dt):%Y-%m-%d} har redan ett protokoll.")
    content: MinutesContentJSON = {"header": _default_header(meeting), "paragraphs": []}
    minutes = Minutes(meeting=meeting, current_revision=1, created_by=user)
    minutes.revisions.append(
        MinutesRevision(
            number=1,
            based_on=None,
            author=user,
            content=dict(content),
            content_hash=content_hash(content),
            changed_parts=[HEADER],
        )
    )
    db.session.add(minutes)
    db.session.flush()
    audit.record(
        "minutes.started",
        minutes,
        f"Protokoll påbörjat för {meeting.committee.name}s sammanträde {to_local(meeting.start_dt):%Y-%m-%d}.",
        user=user,
        committee_id=meeting.committee_id,
    )
    return minutes


def _default_paragraph(item: AgendaItem, number: int) -> ParagraphJSON:
    """A new paragraph as the agenda and the signed tjänsteutlåtande give it: the proposal (and the decision, until
    the secretary writes another), "omedelbart justerad" and "Beslutet skickas till"; a postponed or sent-back
    item says so."""
    proposal: list[str] = []
    immediately = False
    recipients: list[str] = []
    report = report_ops.report_for(item.case) if item.case is not None else None
    if report is not None and report.signed_revision is not None:
        signed = ReportContent.from_json(report.revision_numbered(report.signed_revision).content)
        proposal = [p.text for p in signed.proposals]
        immediately = any(p.immediately_adjusted for p in signed.proposals)
        recipients = list(signed.recipients)
    if item.outcome in DEFAULT_DECISIONS:
        decision = list(DEFAULT_DECISIONS[item.outcome])
    elif item.kind is ItemKind.information:
        decision = list(INFORMATION_DECISION)
    elif item.kind is ItemKind.delegation_report:
        decision = list(DELEGATION_DECISION)
    else:
        decision = list(proposal)
    return {
        "number": number,
        "agenda_item_id": item.id,
        "title": item.title,
        "outcome": item.outcome.value if item.outcome is not None else None,
        "proposal": proposal,
        "motions": [],
        "order_of_questions": [],
        "vote": None,
        "decision": decision,
        "reservations": [],
        "notes": [],
        "conflicts": [],
        "immediately_adjusted": immediately and item.outcome in (None, ItemOutcome.decided),
        "recipients": recipients,
    }


def _paragraph_for(item: AgendaItem) -> MinutesParagraph | None:
    return db.session.scalar(select(MinutesParagraph).where(MinutesParagraph.agenda_item_id == item.id))


def open_paragraph(minutes: Minutes, item: AgendaItem, *, user: User, number: object = None) -> MinutesParagraph:
    """Give a handled agenda item its paragraph: the committee's next § number of the meeting's year (or
    ``number`` when given by hand, refused if the year has it already), with the content the item and its
    signed tjänsteutlåtande give."""
    meeting = minutes.meeting
    if item.meeting_id != meeting.id:
        raise ValidationError({"item": "Punkten hör inte till sammanträdet."})
    _lock(minutes)
    _require_editable(minutes)
    existing = _paragraph_for(item)
    if existing is not None:
        raise ConflictError(f"Punkt {item.number} har redan {existing.label}.")
    year = meeting_year(meeting)
    if number is None:
        chosen = allocate_paragraph_number(meeting.committee_id, year)
    else:
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 100_000:
            raise ValidationError({"number": "Paragrafens nummer ska vara ett heltal från 1."})
        taken = db.session.scalar(
            select(MinutesParagraph).where(
                MinutesParagraph.committee_id == meeting.committee_id,
                MinutesParagraph.year == year,
                MinutesParagraph.number == number,
            )
        )
        if taken is not None:
            raise ValidationError(
                {
                    "number": f"§ {number} finns redan i {meeting.committee.name}s protokoll för {year} "
                    f"(sammanträdet {to_local(taken.minutes.meeting.start_dt):%Y-%m-%d}); "
                    "två paragrafer kan inte ha samma nummer."
                }
            )
        _reserve_paragraph_number(meeting.committee_id, year, number)
        chosen = number
    paragraph = MinutesParagraph(
        minutes=minutes, item=item, committee_id=meeting.committee_id, year=year, number=chosen
    )
    db.session.add(paragraph)
    db.session.flush()
    content = current_content(minutes)
    paragraphs = sorted([*content["paragraphs"], _default_paragraph(item, chosen)], key=lambda p: p["number"])
    _new_revision(
        minutes,
        user,
        {"header": content["header"], "paragraphs": paragraphs},
        minutes.current_revision,
        [part_name(chosen)],
    )
    audit.record(
        "minutes.paragraph_opened",
        minutes,
        f"§ {chosen} för punkt {item.number} i protokollet {to_local(meeting.start_dt):%Y-%m-%d}.",
        user=user,
        committee_id=meeting.committee_id,
        case_id=item.case_id,
    )
    return paragraph


def open_paragraphs(minutes: Minutes, *, user: User) -> list[MinutesParagraph]:
    """Give every agenda item still without one its paragraph, in the agenda's order."""
    return [open_paragraph(minutes, item, user=user) for item in minutes.meeting.items if _paragraph_for(item) is None]


# --- saving ------------------------------------------------------------------------------------------------


def _new_revision(
    minutes: Minutes, user: User, content: MinutesContentJSON, based_on: int, changed: list[str]
) -> MinutesRevision:
    revision = MinutesRevision(
        minutes=minutes,
        number=minutes.current_revision + 1,
        based_on=based_on,
        author=user,
        content=dict(content),
        content_hash=content_hash(content),
        changed_parts=changed,
    )
    db.session.add(revision)
    minutes.current_revision = revision.number
    db.session.flush()
    return revision


def _base(minutes: Minutes, based_on: object) -> MinutesRevision:
    if not isinstance(based_on, int) or isinstance(based_on, bool):
        raise ValidationError({"based_on": "Ange vilken version av protokollet ändringen utgår från."})
    base = minutes.revision(based_on)
    if base is None:
        raise ValidationError({"based_on": f"Protokollet har ingen version {based_on}."})
    return base


def _refuse_stale(
    minutes: Minutes, user: User, part: str, base: MinutesRevision, sent: HeaderJSON | ParagraphJSON
) -> None:
    """Keep the refused text and raise, if ``part`` changed between ``base`` and the newest revision."""
    current = minutes.current()
    if base.number == current.number:
        return
    now = part_of(cast(MinutesContentJSON, current.content), part)
    if part_of(cast(MinutesContentJSON, base.content), part) == now:
        return
    conflict = MinutesConflict(
        minutes=minutes,
        author=user,
        part=part,
        based_on=base.number,
        current_at_refusal=current.number,
        content=dict(sent),
    )
    db.session.add(conflict)
    db.session.flush()
    audit.record(
        "minutes.save_conflict",
        minutes,
        f"Sparning av {'protokollets uppgifter' if part == HEADER else part} från version {base.number} avvisades: "
        f"version {current.number} finns.",
        user=user,
        committee_id=minutes.committee_id,
    )
    raise MinutesRevisionConflict(conflict, current, now)


def _meeting_label(minutes: Minutes) -> str:
    return f"{to_local(minutes.meeting.start_dt):%Y-%m-%d}"


def save_header(minutes: Minutes, *, user: User, raw: Mapping[str, object], based_on: object) -> MinutesRevision:
    """Save the attendance, others present, justerare and the place and time of justering."""
    _lock(minutes)
    _require_editable(minutes)
    base = _base(minutes, based_on)
    header = clean_header(raw, cast(MinutesContentJSON, base.content)["header"])
    _refuse_stale(minutes, user, HEADER, base, header)
    seats = as_rule_seats(seats_of(minutes.committee_id))
    errors = header_errors(seats, header["attendance"], header["adjusters"])
    if errors:
        raise ValidationError(errors)
    content = current_content(minutes)
    if content["header"] == header:
        return minutes.current()
    revision = _new_revision(
        minutes, user, {"header": header, "paragraphs": content["paragraphs"]}, base.number, [HEADER]
    )
    audit.record(
        "minutes.saved",
        minutes,
        f"Protokollet {_meeting_label(minutes)}: närvaro och justering sparade som version {revision.number}.",
        user=user,
        committee_id=minutes.committee_id,
        after={"revision": revision.number, "parts": [HEADER]},
    )
    return revision


def save_paragraph(
    paragraph: MinutesParagraph, *, user: User, raw: Mapping[str, object], based_on: object
) -> MinutesRevision:
    """Save one paragraph: yrkanden, propositionsordning, vote, decision, reservations, protokollsanteckningar,
    jäv, omedelbar justering and "Beslutet skickas till" — refused with the rules' Swedish messages when a vote's
    count differs from those serving, a reservation or yrkande is made by someone who took no part, or a decision
    is recorded without quorum."""
    minutes = paragraph.minutes
    _lock(minutes)
    _require_editable(minutes, paragraph)
    base = _base(minutes, based_on)
    part = part_name(paragraph.number)
    base_paragraph = paragraph_numbered(cast(MinutesContentJSON, base.content), paragraph.number)
    if base_paragraph is None:
        raise ValidationError({"based_on": f"Version {base.number} av protokollet har ingen {paragraph.label}."})
    cleaned = clean_paragraph(raw, base_paragraph)
    _refuse_stale(minutes, user, part, base, cleaned)
    content = current_content(minutes)
    seats = as_rule_seats(seats_of(minutes.committee_id))
    errors = paragraph_errors(seats, content["header"]["attendance"], cleaned)
    if errors:
        raise ValidationError(errors)
    if (changed_outcome := correction_outcome_change(minutes, cleaned)) is not None:
        raise ConflictError(changed_outcome)
    if paragraph_numbered(content, paragraph.number) == cleaned:
        return minutes.current()
    paragraphs = [cleaned if p["number"] == paragraph.number else p for p in content["paragraphs"]]
    revision = _new_revision(
        minutes, user, {"header": content["header"], "paragraphs": paragraphs}, base.number, [part]
    )
    audit.record(
        "minutes.saved",
        minutes,
        f"Protokollet {_meeting_label(minutes)}: {part} sparad som version {revision.number}.",
        user=user,
        committee_id=minutes.committee_id,
        case_id=paragraph.item.case_id,
        after={"revision": revision.number, "parts": [part]},
    )
    return revision


def problems(minutes: Minutes) -> dict[str, dict[str, str]]:
    """What is wrong in the newest revision, part by part ("header", "§ 12" → field → Swedish message): a later
    change of the attendance can leave an earlier vote or reservation wrong, which the page shows and justering
    will refuse."""
    content = current_content(minutes)
    seats = as_rule_seats(seats_of(minutes.committee_id))
    header = content["header"]
    found: dict[str, dict[str, str]] = {}
    errors = header_errors(seats, header["attendance"], header["adjusters"])
    if errors:
        found[HEADER] = errors
    for paragraph in content["paragraphs"]:
        errors = paragraph_errors(seats, header["attendance"], paragraph)
        if errors:
            found[part_name(paragraph["number"])] = errors
    return found
