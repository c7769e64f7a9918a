"""Taking over past meetings: their dates, places, agendas and what was decided on each item.

One CSV row (or JSON row) per agenda item; the rows of one committee, date and time make one meeting, stored as
held (Genomfört), so the year plan shows it and a postponed or sent-back item is offered again for the next
meeting as if it had been recorded here. A row may give the item's paragraph (§) in the protokoll: the
committee's § counter of that year is raised to the highest, so its next protokoll continues the numbering (the
imported paragraphs themselves are not stored as protokoll). Only meetings that have taken place are imported: planning a meeting
in the past stays refused (``agenda.operations.plan_meeting``). All or nothing, as the diarium's import: every
row is checked first, and the refusal names each bad line and column. A case item names its case by its
diarienummer, so the diarium is imported first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from agenda.minutes.models import ParagraphCounter
from agenda.models import AgendaItem, ItemKind, ItemOutcome, Meeting, MeetingStatus
from app import audit
from app.auth.models import User
from app.clock import LOCAL_TZ, to_local, utcnow
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.registry.import_files import ImportRefused, Problem, Source, SourceRow, json_rows, read_csv
from app.registry.models import Case

#: the CSV's columns (any case) and their keys; the API's JSON rows use the keys
MEETING_COLUMNS: dict[str, str] = {
    "nämnd": "committee",
    "datum": "date",
    "tid": "time",
    "plats": "place",
    "offentligt": "is_public",
    "ordförande": "chair_name",
    "sekreterare": "secretary_name",
    "punkt": "number",
    "rubrik": "title",
    "typ": "kind",
    "diarienummer": "case_number",
    "beslut": "outcome",
    "paragraf": "paragraph",
    "anteckning": "note",
}
MEETING_KEYS = list(MEETING_COLUMNS.values())
REQUIRED_COLUMNS = ("committee", "date", "time", "place", "number")

_KINDS = {
    "formalia": ItemKind.procedural,
    "information": ItemKind.information,
    "ärende": ItemKind.case,
    "beslutsärende": ItemKind.case,
    "sekretessärende": ItemKind.case,  # whether it is confidential is read from its case
    "delgivningar": ItemKind.delegation_report,
    "delegationsbeslut": ItemKind.delegation_report,
    "övrigt": ItemKind.other,
}
_KINDS.update({kind.value: kind for kind in ItemKind})
_OUTCOMES = {
    "": None,
    "beslutat": ItemOutcome.decided,
    "beslut": ItemOutcome.decided,
    "bordlagt": ItemOutcome.postponed,
    "bordlagd": ItemOutcome.postponed,
    "återremitterat": ItemOutcome.sent_back,
    "återremitterad": ItemOutcome.sent_back,
}
_OUTCOMES.update({outcome.value: outcome for outcome in ItemOutcome})
_YES = {"ja", "j", "x", "true", "1"}
_NO = {"", "nej", "n", "false", "0"}
_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")
_BAD_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_MEETING_FIELDS = ("place", "is_public", "chair_name", "secretary_name")


@dataclass
class _PlannedMeeting:
    committee: Committee
    start: datetime
    line: int
    values: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)
    #: item number → line
    numbers: dict[int, int] = field(default_factory=dict)


@dataclass
class MeetingPlan:
    """What an import of meetings would do, or its problems."""

    municipality: Municipality
    encoding: str
    meetings: list[_PlannedMeeting] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: (committee id, year) → the highest § the file gives: the protokoll's numbering continues after it
    paragraphs: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def item_count(self) -> int:
        return sum(len(m.items) for m in self.meetings)

    def summary(self) -> list[tuple[str, str, int]]:
        """(committee, local start, items) per meeting, in time order: what the check page lists."""
        return [
            (m.committee.name, f"{to_local(m.start):%Y-%m-%d %H:%M}", len(m.items))
            for m in sorted(self.meetings, key=lambda m: m.start)
        ]


class _Row:
    def __init__(self, row: SourceRow, source: Source, problems: list[Problem]):
        self.line = row.line
        self.values = row.values
        self.source = source
        self.problems = problems
        self.failed = False

    def text(self, key: str) -> str:
        return " ".join(self.values.get(key, "").split())

    def fail(self, key: str, message: str) -> None:
        self.failed = True
        self.problems.append(Problem(self.line, self.source.label(key), message))

    def clean(self, key: str, label: str, max_length: int, *, required: bool = False) -> str | None:
        value = self.text(key) if key != "note" else self.values.get(key, "").strip()
        if _BAD_CHARACTERS.search(value.replace("\n", " ")):
            self.fail(key, f"{label} innehåller otillåtna tecken.")
        elif required and not value:
            self.fail(key, f"{label} måste fyllas i.")
        elif len(value) > max_length:
            self.fail(key, f"{label} får vara högst {max_length} tecken (nu {len(value)}).")
        else:
            return value or None
        return None


class _Lookups:
    def __init__(self, municipality: Municipality, source: Source):
        committees = list(db.session.scalars(select(Committee).where(Committee.municipality_id == municipality.id)))
        self.committees: dict[str, Committee] = {}
        for c in committees:
            self.committees[c.registry_prefix.casefold()] = c
            self.committees[c.name.casefold()] = c
        self.committee_names = sorted(c.registry_prefix for c in committees)
        wanted = {row.values.get("case_number", "").strip().casefold() for row in source.rows} - {""}
        self.cases: dict[str, tuple[int, int, str]] = {}  # number → (id, committee id, title)
        if wanted:
            for case_id, committee_id, number, title in db.session.execute(
                select(Case.id, Case.committee_id, Case.number, Case.title).where(
                    Case.committee_id.in_([c.id for c in committees])
                )
            ):
                if number.casefold() in wanted:
                    self.cases[number.casefold()] = (case_id, committee_id, title)
        self.paragraph_counters = {
            (committee_id, year): last
            for committee_id, year, last in db.session.execute(
                select(ParagraphCounter.committee_id, ParagraphCounter.year, ParagraphCounter.last_number).where(
                    ParagraphCounter.committee_id.in_([c.id for c in committees])
                )
            )
        }
        self.existing = {
            (committee_id, start)
            for committee_id, start in db.session.execute(
                select(Meeting.committee_id, Meeting.start_dt).where(
                    Meeting.committee_id.in_([c.id for c in committees])
                )
            )
        }


def _start(row: _Row, now: datetime) -> datetime | None:
    day_text, time_text = row.text("date"), row.text("time")
    day: date | None = None
    try:
        day = date.fromisoformat(day_text) if re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", day_text) else None
    except ValueError:
        day = None
    if day is None:
        row.fail("date", f"”{day_text[:30]}” är inte ett datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2017-02-23.")
    clock = _TIME.match(time_text)
    if clock is None:
        row.fail("time", f"”{time_text[:20]}” är inget klockslag; skriv TT:MM, t.ex. 18:00.")
    if day is None or clock is None:
        return None
    start = datetime(day.year, day.month, day.day, int(clock[1]), int(clock[2]), tzinfo=LOCAL_TZ)
    if start >= now:
        row.fail(
            "date",
            "Bara sammanträden som har ägt rum importeras; planera kommande sammanträden i årsplanen.",
        )
        return None
    return start


def check_meetings(municipality: Municipality, source: Source) -> MeetingPlan:
    """Check every row of an import of meetings: nothing is written."""
    plan = MeetingPlan(municipality, source.encoding, problems=list(source.problems))
    if not source.rows and not plan.problems:
        plan.problems.append(Problem(0, "", "Filen har inga rader att importera."))
    lookups = _Lookups(municipality, source)
    now = utcnow()
    meetings: dict[tuple[int, datetime], _PlannedMeeting] = {}
    paragraph_lines: dict[tuple[int, int, int], int] = {}  # (committee id, year, §) → line
    for source_row in source.rows:
        row = _Row(source_row, source, plan.problems)
        committee_text = row.text("committee")
        committee = lookups.committees.get(committee_text.casefold())
        if committee is None:
            row.fail(
                "committee",
                f"”{committee_text[:40]}” är ingen nämnd i {municipality.name}; ange en av "
                + ", ".join(lookups.committee_names)
                + ".",
            )
        start = _start(row, now)
        values: dict[str, Any] = {
            "place": row.clean("place", "Plats", 200, required=True),
            "chair_name": row.clean("chair_name", "Ordförande", 200),
            "secretary_name": row.clean("secretary_name", "Sekreterare", 200),
        }
        public = row.text("is_public").casefold()
        values["is_public"] = public in _YES
        if public not in _YES | _NO:
            row.fail("is_public", f"Skriv ja eller nej, inte ”{public[:20]}”.")
        number_text = row.text("number")
        number = int(number_text) if number_text.isdigit() and len(number_text) <= 3 else None
        if number is None:
            row.fail("number", f"Punktens nummer ska vara ett heltal, inte ”{number_text[:20]}”.")
        case_text = row.text("case_number")
        case = lookups.cases.get(case_text.casefold()) if case_text else None
        kind_text = row.text("kind").casefold()
        kind = _KINDS.get(kind_text) if kind_text else (ItemKind.case if case_text else ItemKind.other)
        if kind is None:
            row.fail(
                "kind", "Typen ska vara en av formalia, information, ärende, sekretessärende, delgivningar, övrigt."
            )
        if case_text and case is None:
            row.fail(
                "case_number", f"Ärendet {case_text[:80]} finns inte i kommunens diarier; importera diariet först."
            )
        elif case is not None and committee is not None and case[1] != committee.id:
            row.fail("case_number", f"Ärendet {case_text[:80]} hör inte till {committee.name}.")
        elif kind is ItemKind.case and not case_text:
            row.fail("case_number", "Ett ärende på föredragningslistan anges med sitt diarienummer.")
        title = row.clean("title", "Rubrik", 1000, required=case is None)
        outcome_text = row.text("outcome").casefold()
        outcome = _OUTCOMES.get(outcome_text, "?")
        if outcome == "?":
            row.fail("outcome", f"”{outcome_text[:20]}”: skriv beslutat, bordlagt eller återremitterat, eller inget.")
        note = row.clean("note", "Anteckning", 2000)
        paragraph_text = row.text("paragraph").removeprefix("§").strip()
        paragraph = int(paragraph_text) if paragraph_text.isdigit() and 0 < int(paragraph_text) < 100_000 else None
        if paragraph_text and paragraph is None:
            row.fail("paragraph", f"Paragrafen ska vara ett heltal (§ 12 eller 12), inte ”{paragraph_text[:20]}”.")
        if row.failed or committee is None or start is None or number is None or kind is None:
            continue
        key = (committee.id, start)
        if key in lookups.existing:
            row.fail("date", f"{committee.name} har redan ett sammanträde {to_local(start):%Y-%m-%d %H:%M}.")
            continue
        meeting = meetings.get(key)
        if meeting is None:
            meeting = meetings[key] = _PlannedMeeting(committee, start, row.line, values)
        else:
            for name in _MEETING_FIELDS:
                if values[name] != meeting.values[name] and (values[name] or name == "is_public"):
                    row.fail(name, f"skiljer sig från rad {meeting.line}, där samma sammanträde står.")
        if number in meeting.numbers:
            row.fail("number", f"Punkt {number} finns redan på rad {meeting.numbers[number]}.")
        year = to_local(start).year
        if paragraph is not None:
            taken = lookups.paragraph_counters.get((committee.id, year), 0)
            earlier = paragraph_lines.get((committee.id, year, paragraph))
            if earlier is not None:
                row.fail("paragraph", f"§ {paragraph} år {year} finns redan på rad {earlier}.")
            elif paragraph <= taken:
                row.fail(
                    "paragraph",
                    f"{committee.name}s protokoll har redan paragrafer till och med § {taken} år {year}; "
                    "en importerad paragraf måste ha ett högre nummer.",
                )
        if row.failed:
            continue
        meeting.numbers[number] = row.line
        if paragraph is not None:
            paragraph_lines[(committee.id, year, paragraph)] = row.line
            plan.paragraphs[(committee.id, year)] = max(plan.paragraphs.get((committee.id, year), 0), paragraph)
        meeting.items.append(
            {
                "number": number,
                "kind": kind,
                "title": title or (case[2] if case else ""),
                "case_id": case[0] if case else None,
                "note": note,
                "outcome": outcome,
            }
        )
    plan.meetings = list(meetings.values())
    plan.problems.sort(key=lambda p: p.line)
    return plan


@dataclass(frozen=True)
class MeetingImport:
    meetings: int
    items: int


def import_meetings(
    municipality: Municipality, source: Source, *, user: User | None, source_name: str
) -> MeetingImport:
    """Import the rows as held meetings with their agendas and outcomes, all or none; never commits."""
    plan = check_meetings(municipality, source)
    if not plan.ok:
        raise ImportRefused(plan.problems)
    items: list[dict[str, Any]] = []
    for planned in sorted(plan.meetings, key=lambda m: m.start):
        meeting = Meeting(
            committee_id=planned.committee.id,
            start_dt=planned.start,
            place=planned.values["place"],
            is_public=planned.values["is_public"],
            status=MeetingStatus.held,
            chair_name=planned.values["chair_name"],
            secretary_name=planned.values["secretary_name"],
        )
        db.session.add(meeting)
        db.session.flush()
        for position, item in enumerate(sorted(planned.items, key=lambda i: i["number"]), start=1):
            items.append(
                {
                    "meeting_id": meeting.id,
                    "position": position,
                    "kind": item["kind"],
                    "title": item["title"],
                    "case_id": item["case_id"],
                    "note": item["note"],
                    "outcome": item["outcome"],
                    "parts": [],
                    "is_handling_later": False,
                    "closes_agenda": False,
                    "created_dt": utcnow(),
                }
            )
    if items:
        db.session.execute(insert(AgendaItem.metadata.tables["agenda_items"]), items)
    for (committee_id, year), highest in sorted(plan.paragraphs.items()):
        _reserve_paragraphs(committee_id, year, highest)
    audit.record(
        "meetings.imported",
        municipality,
        f"{len(plan.meetings)} genomförda sammanträden med {len(items)} punkter överförda från {source_name[:100]}.",
        user=user,
        after={
            "meetings": len(plan.meetings),
            "items": len(items),
            "highest_paragraph": {f"{c}/{y}": n for (c, y), n in sorted(plan.paragraphs.items())},
            "source": source_name[:200],
            "encoding": source.encoding,
        },
    )
    db.session.flush()
    return MeetingImport(len(plan.meetings), len(items))


def _reserve_paragraphs(committee_id: int, year: int, highest: int) -> None:
    """Raise the committee's § counter of ``year`` to at least ``highest``: its next protokoll continues after."""
    dialect = db.session.get_bind().dialect.name
    upsert = sqlite_insert if dialect == "sqlite" else pg_insert
    greatest = func.max if dialect == "sqlite" else func.greatest
    db.session.execute(
        upsert(ParagraphCounter)
        .values(committee_id=committee_id, year=year, last_number=highest)
        .on_conflict_do_update(
            index_elements=["committee_id", "year"],
            set_={"last_number": greatest(ParagraphCounter.last_number, highest)},
        )
    )


def read_meeting_csv(data: bytes) -> Source:
    return read_csv(data, MEETING_COLUMNS, required=REQUIRED_COLUMNS, max_rows=20_000)


def read_meeting_rows(items: object) -> Source:
    return json_rows(items, MEETING_KEYS, max_rows=20_000)
