"""Read a meeting's protokoll from the database into the ProtocolJSON its document builders print
(tasks.rendering.protocol_json, tasks.rendering.protocol_docx).

What the secretary recorded (agenda.minutes: the seats, the attendance and each paragraph's content in the
newest revision) is turned into what a reader of the protokoll sees: the beslutande with their roles and the
paragraphs they served at, the ersättare and officials present, the justering and its signatures, and each
paragraph with its Dnr, decision, Sammanfattning and Beslutsunderlag from the signed tjänsteutlåtande,
yrkanden, propositionsordning, votes with their result, reservations, protokollsanteckningar and jäv.
Secrecy is read from the cases now (ARCHITECTURE.md rule 10); the builders make the public version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, cast

from agenda.minutes.adjustment import announcements_of, corrections_of, parts_changed_since
from agenda.minutes.adjustment_models import AdjustmentKind, Announcement
from agenda.minutes.announcements import kept_at
from agenda.minutes.content import MinutesContentJSON, part_name
from agenda.minutes.content import ParagraphJSON as RecordedParagraph
from agenda.minutes.models import CommitteeSeat, Minutes, MotionKind, SeatKind, SeatOffice
from agenda.minutes.operations import current_content
from agenda.minutes.rules import Serving, present_at, serving_at, vote_result
from agenda.minutes.seats import as_rule_seats, seats_of
from agenda.models import AgendaItem, ItemKind
from app.clock import LOCAL_TZ, to_local
from app.swedish_dates import long_date
from tasks.rendering.protocol_json import (
    AdjustmentJSON,
    AnnouncementJSON,
    BallotJSON,
    ConflictJSON,
    CorrectionJSON,
    DeciderJSON,
    InformationJSON,
    MinutesNoteJSON,
    MotionJSON,
    OtherPresentJSON,
    ParagraphJSON,
    ParagraphRangeJSON,
    PersonJSON,
    ProtocolJSON,
    ProtocolMeetingJSON,
    ReservationJSON,
    SignatureJSON,
    VoteJSON,
)
from workflows import operations as report_ops
from workflows.content import ReportContent, html_to_text

#: how the protokoll names each office (DeciderJSON.role)
OFFICE_ROLES = {
    SeatOffice.chair: "Ordförande",
    SeatOffice.first_vice_chair: "1:e vice ordförande",
    SeatOffice.second_vice_chair: "2:e vice ordförande",
}
MOTION_KINDS: dict[str, Literal["bifall", "avslag", "ändring", "tillägg", "återremiss", "bordläggning"]] = {
    MotionKind.approval.value: "bifall",
    MotionKind.rejection.value: "avslag",
    MotionKind.amendment.value: "ändring",
    MotionKind.addition.value: "tillägg",
    MotionKind.referral_back.value: "återremiss",
    MotionKind.postponement.value: "bordläggning",
}
SECRETARY_TITLE = "nämndsekreterare"


def _person(seat: CommitteeSeat) -> PersonJSON:
    return PersonJSON(name=seat.name, party=seat.party)


def _span(numbers: set[int], every: Sequence[int]) -> ParagraphRangeJSON | None:
    """The paragraphs someone took part in, when not all: from the first to the last of them."""
    if not every or set(every) <= numbers:
        return None
    if not numbers:
        return None
    return ParagraphRangeJSON(first=min(numbers), last=max(numbers))


def _moment(value: str | None) -> str | None:
    """A local "YYYY-MM-DDTHH:MM" as the builders read moments: ISO 8601 with the Swedish offset."""
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=LOCAL_TZ).isoformat()


def protocol_data(minutes: Minutes) -> ProtocolJSON:
    """The newest revision of ``minutes`` as the protokoll's builders read it (the members' version)."""
    meeting = minutes.meeting
    committee = meeting.committee
    administration = committee.administration
    content = current_content(minutes)
    seats = seats_of(committee.id)
    by_id = {s.id: s for s in seats}
    rule_seats = as_rule_seats(seats)
    attendance = content["header"]["attendance"]
    numbers = [p["number"] for p in content["paragraphs"]]
    serving: dict[int | None, Serving] = {
        p["number"]: serving_at(rule_seats, attendance, p["number"], p["conflicts"]) for p in content["paragraphs"]
    }
    if not numbers:
        serving[None] = serving_at(rule_seats, attendance, None)
    address = administration.address_block()
    meeting_json = ProtocolMeetingJSON(
        committee=committee.name,
        committee_prefix=committee.registry_prefix,
        municipality=committee.municipality.name,
        administration=administration.name,
        address={
            "postal_address": address["postal_address"],
            "visiting_address": address["visiting_address"],
            "phone": address["phone"],
            "email": address["email"],
            "web": address["web"],
        },
        start=to_local(meeting.start_dt).isoformat(),
        end=None,
        place=meeting.place,
    )
    deciders = _deciders(by_id, serving, numbers)
    secretary = PersonJSON(name=meeting.secretary_name or "", party=None, title=SECRETARY_TITLE)
    start_serving = serving[numbers[0]] if numbers else serving[None]
    chair_id = start_serving.presiding
    adjusters = [by_id[s] for s in content["header"]["adjusters"] if s in by_id]
    signatures: list[SignatureJSON] = [SignatureJSON(role="secretary", person=secretary, paragraphs=list(numbers))]
    if chair_id is not None:
        signatures.append(SignatureJSON(role="chair", person=_person(by_id[chair_id]), paragraphs=list(numbers)))
    signatures += [SignatureJSON(role="adjuster", person=_person(s), paragraphs=list(numbers)) for s in adjusters]
    adjusted_on = to_local(minutes.adjusted_dt).date().isoformat() if minutes.adjusted_dt else None
    version, correction = _version(minutes, numbers)
    adjusted = {p.number: to_local(p.adjusted_dt).date().isoformat() for p in minutes.paragraphs if p.adjusted_dt}
    announced = _announcements(minutes)
    return ProtocolJSON(
        meeting=meeting_json,
        version=version,
        correction=correction,
        deciders=deciders,
        others_present=_others(content, by_id, serving, numbers),
        adjustment=AdjustmentJSON(
            adjusters=[_person(s) for s in adjusters],
            place=content["header"]["adjustment_place"],
            date=_moment(content["header"]["adjustment_at"]),
            adjusted_on=adjusted_on,
        ),
        signatures=signatures,
        announcement=_announcement(minutes, announced.get(None), secretary),
        paragraphs=[
            _paragraph(
                p,
                _item_of(minutes, p["agenda_item_id"]),
                by_id,
                serving[p["number"]],
                adjusted.get(p["number"]),
                _announcement(minutes, announced[p["number"]], secretary) if p["number"] in announced else None,
            )
            for p in content["paragraphs"]
        ],
    )


def _announcements(minutes: Minutes) -> dict[int | None, Announcement]:
    """The anslag of each justering of the protokoll: of the whole protokoll under None, of a paragraph justerad at
    once under its number (the newest of each)."""
    out: dict[int | None, Announcement] = {}
    for announcement in announcements_of(minutes):
        if announcement.kind is AdjustmentKind.full:
            out[None] = announcement
        elif announcement.kind is AdjustmentKind.immediate:
            out.update(dict.fromkeys(announcement.paragraphs, announcement))
    return out


def _announcement(minutes: Minutes, announced: Announcement | None, secretary: PersonJSON) -> AnnouncementJSON:
    """The ANSLAG/BEVIS box: empty dates until the justering is announced, then the anslag's own dates (put up on
    the day of the justering unless moved, taken down the day after the last day to appeal: agenda.minutes.appeal)
    and where the protokoll is kept as the anslag says it."""
    if announced is None:
        return AnnouncementJSON(
            posted_on=None, taken_down_on=None, kept_at=kept_at(minutes.meeting.committee), signed_by=secretary
        )
    return AnnouncementJSON(
        posted_on=announced.put_up_on.isoformat(),
        taken_down_on=announced.taken_down_on.isoformat(),
        kept_at=announced.kept_at,
        signed_by=secretary,
    )


def _version(minutes: Minutes, numbers: list[int]) -> tuple[int, CorrectionJSON | None]:
    """The protokoll's version (1, then 2 … for each rättelse) and its newest rättelse, open or justerad: dated the
    day it was opened (the same in the draft the justerare approve and in the sealed render of it), with the
    paragraphs changed in it."""
    corrections = corrections_of(minutes)
    if not corrections:
        return 1, None
    newest = corrections[-1]
    parts = newest.parts if newest.closed_dt is not None else parts_changed_since(minutes, newest.based_on_revision)
    return len(corrections) + 1, CorrectionJSON(
        corrected_on=to_local(newest.opened_dt).date().isoformat(),
        description=newest.description,
        paragraphs=[n for n in numbers if part_name(n) in parts],
    )


def _deciders(
    by_id: dict[int, CommitteeSeat], serving: dict[int | None, Serving], numbers: list[int]
) -> list[DeciderJSON]:
    """The beslutande: the ledamöter who served (the chair and vice chairs first), then the tjänstgörande
    ersättare, each with the paragraphs they served at when not all."""
    served: dict[int, set[int]] = {}
    replacing: dict[int, int] = {}
    for number, at in serving.items():
        for place, filler in at.places.items():
            if filler is None:
                continue
            served.setdefault(filler, set())
            if number is not None:
                served[filler].add(number)
            if filler != place:
                replacing.setdefault(filler, place)
    members = [s for s in by_id.values() if s.kind is SeatKind.member and s.id in served]
    offices = list(OFFICE_ROLES)
    members.sort(key=lambda s: (offices.index(s.office) if s.office in offices else len(offices), s.position))
    deputies = sorted(
        (s for s in by_id.values() if s.kind is SeatKind.deputy and s.id in served), key=lambda s: s.position
    )
    out: list[DeciderJSON] = []
    for seat in members:
        decider = DeciderJSON(
            person=_person(seat), role=OFFICE_ROLES.get(seat.office, "Ledamot") if seat.office else "Ledamot"
        )
        decider["paragraphs"] = _span(served[seat.id], numbers)
        out.append(decider)
    for seat in deputies:
        decider = DeciderJSON(person=_person(seat), role="Tjänstgörande ersättare")
        decider["replacing"] = _person(by_id[replacing[seat.id]]) if seat.id in replacing else None
        decider["paragraphs"] = _span(served[seat.id], numbers)
        out.append(decider)
    return out


def _others(
    content: MinutesContentJSON, by_id: dict[int, CommitteeSeat], serving: dict[int | None, Serving], numbers: list[int]
) -> list[OtherPresentJSON]:
    """Övriga närvarande: the ersättare present who never served, then the officials the secretary named."""
    served = {filler for at in serving.values() for filler in at.serving}
    out: list[OtherPresentJSON] = []
    for presence in content["header"]["attendance"]:
        seat = by_id.get(presence["seat_id"])
        if seat is None or seat.id in served:
            continue
        there = {n for n in numbers if present_at(presence, n)}
        other = OtherPresentJSON(person=_person(seat), role=seat.kind.label)
        other["paragraphs"] = _span(there, numbers)
        out.append(other)
    for official in content["header"]["others_present"]:
        out.append(
            OtherPresentJSON(
                person=PersonJSON(name=official["name"], party=None, title=official["title"] or None), role=None
            )
        )
    return out


def _item_of(minutes: Minutes, item_id: int) -> AgendaItem:
    item = next((i for i in minutes.meeting.items if i.id == item_id), None)
    if item is None:
        raise LookupError(f"minutes {minutes.id} name agenda item {item_id}, which is not the meeting's")
    return item


def _paragraph(
    recorded: RecordedParagraph,
    item: AgendaItem,
    by_id: dict[int, CommitteeSeat],
    at: Serving,
    adjusted_on: str | None = None,
    announcement: AnnouncementJSON | None = None,
) -> ParagraphJSON:
    case = item.case
    report = report_ops.report_for(case) if case is not None else None
    summary: str | None = None
    basis: list[str] = []
    confidential_basis: list[str] = []
    if report is not None and report.signed_revision is not None:
        signed = ReportContent.from_json(report.revision_numbered(report.signed_revision).content)
        summary = html_to_text(signed.sections.get("summary", "")) or None
        dated = f" daterat {long_date(signed.report_date)}" if signed.report_date else ""
        basis.append(f"Tjänsteutlåtande{dated}")
        for attachment in sorted(report.current_attachments, key=lambda a: a.position):
            basis.append(attachment.label)
            document = attachment.registered_document
            if attachment.is_confidential or (document is not None and document.is_confidential):
                confidential_basis.append(attachment.label)
    outcome = cast(Literal["decided", "postponed", "sent_back"] | None, recorded["outcome"])
    paragraph = ParagraphJSON(
        number=recorded["number"],
        item_number=item.number,
        kind=item.shown_kind.value,
        title=recorded["title"],
        case_number=case.number if case is not None else None,
        is_confidential=item.is_confidential,
        public_title=case.display_public_title if case is not None and item.is_confidential else None,
        secrecy_provision=case.secrecy_provision if case is not None and item.is_confidential else None,
        outcome=outcome,
        decision=list(recorded["decision"]),
        immediate_adjustment=recorded["immediately_adjusted"],
        adjusted_on=adjusted_on,
        announcement=announcement,
        summary=summary,
        decision_basis=basis,
        confidential_basis=confidential_basis,
        motions=[
            MotionJSON(by=[_person(by_id[m["seat_id"]])], kind=MOTION_KINDS[m["kind"]], text=m["text"] or None)
            for m in recorded["motions"]
            if m["seat_id"] in by_id
        ],
        proposition_order=list(recorded["order_of_questions"]),
        votes=_votes(recorded, by_id, at),
        reservations=[
            ReservationJSON(by=[_person(by_id[r["seat_id"]])], reason=None, text=r["text"])
            for r in recorded["reservations"]
            if r["seat_id"] in by_id
        ],
        notes=[
            MinutesNoteJSON(
                by=[_person(by_id[n["seat_id"]])] if n["seat_id"] is not None and n["seat_id"] in by_id else [],
                text=n["text"],
            )
            for n in recorded["notes"]
        ],
        conflicts=[
            ConflictJSON(
                person=_person(by_id[s]),
                replaced_by=_person(by_id[filler]) if (filler := at.places.get(s)) is not None else None,
            )
            for s in recorded["conflicts"]
            if s in by_id
        ],
        recipients=list(recorded["recipients"]),
    )
    if item.kind is ItemKind.information:
        paragraph["information"] = [
            InformationJSON(title=part["title"], presenter=part.get("presenter")) for part in item.parts or []
        ]
    return paragraph


def _votes(recorded: RecordedParagraph, by_id: dict[int, CommitteeSeat], at: Serving) -> list[VoteJSON]:
    vote = recorded["vote"]
    if vote is None:
        return []
    ballots = {b["seat_id"]: b["ballot"] for b in vote["ballots"]}
    result = vote_result(ballots, at.presiding)
    if result.outcome.value not in ("yes", "no"):
        return []  # refused when saved (agenda.minutes.rules): a tie without a casting vote is never recorded
    return [
        VoteJSON(
            yes_means=vote["yes_means"],
            no_means=vote["no_means"],
            ballots=[
                BallotJSON(person=_person(by_id[b["seat_id"]]), vote=b["ballot"], is_chair=b["seat_id"] == at.presiding)
                for b in vote["ballots"]
                if b["seat_id"] in by_id
            ],
            result=cast(Literal["yes", "no"], result.outcome.value),
            casting_vote=result.by_casting_vote,
        )
    ]
