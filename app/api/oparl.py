"""Open data: a read-only public API in the shape of OParl 1.1 (https://oparl.org), under /oparl/v1, no log-in.

Only public data: the committees and their seats (the elected members' names and parties), the published public
kallelser (``agenda.secrecy.public_items_now``: a confidential item by its public title, its bilagor left out), the
open cases by their public fields (``app.registry.public_register``) and the announcements of justerade protokoll.

What is withdrawn is not forgotten: a case made confidential or voided, an item or bilaga left out of a later
version of the kallelse or made confidential since, and a seat taken off its committee answer as OParl's deleted
objects (``deleted: true`` with id, type and times only), so that a client syncing with ``modified_since`` learns
of it. Nothing is stored for that: it is read from the cases (``modified_dt``), the seats (``modified_dt``,
``is_active``) and the immutable publications. Swedish fields use OParl's extension mechanism, keys prefixed
``namndflode:`` (diarienummer, paragraf, anslag).

Every answer carries ETag and Last-Modified, ``Cache-Control: public`` and answers 304 to a matching conditional
request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, current_app, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from agenda.minutes.adjustment_models import Announcement
from agenda.minutes.models import CommitteeSeat, Minutes, MinutesParagraph, SeatKind
from agenda.models import AgendaItem, ItemKind, Meeting, Publication
from agenda.secrecy import public_items_now
from app.clock import local_today
from app.errors import json_error
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.registry.access import INT_MAX
from app.registry.models import Case, CaseStatus
from app.registry.public_register import PublicCase, public_cases

bp = Blueprint("oparl", __name__, url_prefix="/oparl/v1")

SCHEMA = "https://schema.oparl.org/1.1/"
#: the vendor prefix of the Swedish fields (OParl's extension mechanism)
EXT = "namndflode:"
PER_PAGE = 100
#: a Swedish term of office for the committees: the year after the election and three more
FIRST_TERM_START = 2015


def _url(endpoint: str, **values: object) -> str:
    return url_for(f"oparl.{endpoint}", _external=True, **values)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class Entry:
    """One object of a list: its times and deletion, and how to write it."""

    kind: str
    id: int
    created: datetime
    modified: datetime
    deleted: bool
    write: Callable[[], dict]

    def json(self) -> dict:
        head = {"id": _url("one", kind=self.kind, ident=self.id), "type": SCHEMA + KINDS[self.kind]}
        times = {"created": _iso(self.created), "modified": _iso(self.modified)}
        if self.deleted:
            return {**head, **times, "deleted": True}
        return {**head, **self.write(), **times, "deleted": False}


# --- the municipality and its committees -----------------------------------------------------------


def _municipality(body_id: int) -> Municipality:
    municipality = db.session.get(Municipality, body_id) if 0 < body_id <= INT_MAX else None
    if municipality is None:
        abort(404)
    return municipality


def _since_start(municipality: Municipality) -> datetime:
    """When the municipality's data begins (its first committee's first case or meeting), for the times of the
    objects that keep none."""
    first = db.session.scalar(
        select(func.min(Case.created_dt)).join(Committee).where(Committee.municipality_id == municipality.id)
    )
    return first or datetime(2017, 1, 1, tzinfo=UTC)


def _terms(municipality: Municipality) -> list[dict]:
    first_year = db.session.scalar(
        select(func.min(Case.year)).join(Committee).where(Committee.municipality_id == municipality.id)
    )
    start = FIRST_TERM_START
    last = local_today().year
    out = []
    while start <= last:
        if start + 3 >= (first_year or last):
            out.append(
                {
                    "id": _url("one", kind="legislativeTerm", ident=start),
                    "type": SCHEMA + "LegislativeTerm",
                    "body": _url("body", body_id=municipality.id),
                    "name": f"Mandatperioden {start}–{start + 3}",
                    "startDate": date(start, 1, 1).isoformat(),
                    "endDate": date(start + 3, 12, 31).isoformat(),
                }
            )
        start += 4
    return out


def _body_json(municipality: Municipality) -> dict:
    def lists(kind: str) -> str:
        return _url("listing", body_id=municipality.id, kind=kind)

    started = _since_start(municipality)
    out = {
        "id": _url("body", body_id=municipality.id),
        "type": SCHEMA + "Body",
        "system": _url("system"),
        "name": municipality.name,
        "shortName": municipality.name,
        "classification": "Kommun",
        "organization": lists("organization"),
        "person": lists("person"),
        "meeting": lists("meeting"),
        "paper": lists("paper"),
        "agendaItem": lists("agendaItem"),
        "consultation": lists("consultation"),
        "file": lists("file"),
        "locationList": lists("location"),
        "legislativeTermList": lists("legislativeTerm"),
        "membership": lists("membership"),
        "legislativeTerm": _terms(municipality),
        "web": url_for("public.index", _external=True),
        "created": _iso(started),
        "modified": _iso(started),
        "deleted": False,
    }
    if municipality.web:
        out["website"] = municipality.web
    if municipality.email:
        out["contactEmail"] = municipality.email
    if municipality.organisation_number:
        out[EXT + "organisationsnummer"] = municipality.organisation_number
    return out


def _committees(municipality: Municipality) -> list[Entry]:
    started = _since_start(municipality)
    committees = db.session.scalars(
        select(Committee).where(Committee.municipality_id == municipality.id).order_by(Committee.id)
    ).all()
    seats = _seats(municipality)

    def write(c: Committee) -> Callable[[], dict]:
        def build() -> dict:
            out = {
                "body": _url("body", body_id=municipality.id),
                "name": c.name,
                "shortName": c.registry_prefix,
                "organizationType": "Gremium",
                "classification": c.kind.label,
                "membership": [_url("one", kind="membership", ident=s.id) for s in seats if s.committee_id == c.id],
            }
            if c.parent_id is not None:
                out["subOrganizationOf"] = _url("one", kind="organization", ident=c.parent_id)
            return out

        return build

    return [Entry("organization", c.id, started, started, False, write(c)) for c in committees]


def _seats(municipality: Municipality) -> list[CommitteeSeat]:
    return list(
        db.session.scalars(
            select(CommitteeSeat)
            .join(Committee)
            .where(Committee.municipality_id == municipality.id)
            .order_by(CommitteeSeat.id)
        )
    )


def _membership_json(seat: CommitteeSeat) -> dict:
    role = "Ledamot" if seat.kind is SeatKind.member else "Ersättare"
    out = {
        "person": _url("one", kind="person", ident=seat.id),
        "organization": _url("one", kind="organization", ident=seat.committee_id),
        "role": f"{seat.office.label} ({role.lower()})" if seat.office is not None else role,
        "votingRight": seat.kind is SeatKind.member,
        EXT + "parti": seat.party,
    }
    if seat.kind is not SeatKind.member:
        out[EXT + "ersattarordning"] = seat.position
    return out


def _memberships(municipality: Municipality) -> list[Entry]:
    return [
        Entry("membership", s.id, s.created_dt, s.modified_dt, not s.is_active, lambda s=s: _membership_json(s))
        for s in _seats(municipality)
    ]


def _persons(municipality: Municipality) -> list[Entry]:
    """One person per seat: the product knows a seat's holder by name only (the same name in two committees may
    be two people)."""

    def write(seat: CommitteeSeat) -> dict:
        membership = {
            "id": _url("one", kind="membership", ident=seat.id),
            "type": SCHEMA + "Membership",
            **_membership_json(seat),
        }
        return {
            "body": _url("body", body_id=municipality.id),
            "name": seat.name,
            "status": [membership["role"]],
            "membership": [membership],
            EXT + "parti": seat.party,
        }

    return [
        Entry("person", s.id, s.created_dt, s.modified_dt, not s.is_active, lambda s=s: write(s))
        for s in _seats(municipality)
    ]


# --- meetings and what the public version of their kallelse holds ----------------------------------


@dataclass
class PublishedMeeting:
    meeting: Meeting
    latest: Publication
    #: the public items as they may be read today, each with the agenda item's id
    items: list[tuple[int, dict]]
    #: the agenda item ids of every earlier version
    earlier_ids: set[int]
    modified: datetime


def _published(municipality: Municipality) -> list[PublishedMeeting]:
    meetings = db.session.scalars(
        select(Meeting)
        .join(Committee)
        .where(Committee.municipality_id == municipality.id, Meeting.publications.any())
        .options(selectinload(Meeting.publications), selectinload(Meeting.committee))
        .order_by(Meeting.start_dt, Meeting.id)
    ).all()
    out = []
    for m in meetings:
        latest = m.latest_publication
        assert latest is not None
        ids_by_number = {i["number"]: i["id"] for i in latest.members_snapshot["items"]}
        items = [(ids_by_number[i["number"]], i) for i in public_items_now(latest) if i["number"] in ids_by_number]
        earlier = {i["id"] for p in m.publications[:-1] for i in p.members_snapshot["items"]}
        case_ids = [i.get("case_id") for i in latest.members_snapshot["items"] if i.get("case_id")]
        changed = (
            db.session.scalar(select(func.max(Case.modified_dt)).where(Case.id.in_(case_ids))) if case_ids else None
        )
        modified = max(t for t in (latest.published_dt, changed, m.cancelled_dt) if t is not None)
        out.append(PublishedMeeting(m, latest, items, earlier - set(ids_by_number.values()), modified))
    return out


def _paragraphs(meeting_ids: list[int]) -> dict[int, str]:
    """The § of each agenda item whose paragraph is justerat: public from then on."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        select(MinutesParagraph.agenda_item_id, MinutesParagraph.number)
        .join(Minutes, Minutes.id == MinutesParagraph.minutes_id)
        .where(
            Minutes.meeting_id.in_(meeting_ids),
            or_(MinutesParagraph.adjusted_dt.is_not(None), Minutes.adjusted_dt.is_not(None)),
        )
    )
    return {item_id: f"§ {number}" for item_id, number in rows}


def _announcements(meeting_ids: list[int]) -> dict[int, list[dict]]:
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        select(Minutes.meeting_id, Announcement)
        .join(Announcement, Announcement.minutes_id == Minutes.id)
        .where(Minutes.meeting_id.in_(meeting_ids))
        .order_by(Announcement.put_up_on, Announcement.id)
    )
    out: dict[int, list[dict]] = {}
    for meeting_id, a in rows:
        out.setdefault(meeting_id, []).append(
            {
                "paragrafer": [f"§ {n}" for n in a.paragraphs],
                "justerat": a.adjusted_on.isoformat(),
                "anslagetUppsatt": a.put_up_on.isoformat(),
                "sistaDagForOverklagande": a.last_appeal_day.isoformat(),
                "anslagetNedtaget": a.taken_down_on.isoformat(),
                "protokolletForvaras": a.kept_at,
                "web": url_for("public.announcement", announcement_id=a.id, _external=True),
            }
        )
    return out


def _file_json(pm: PublishedMeeting, item_id: int, a: dict) -> dict:
    out = {
        "name": a["title"],
        "fileName": a["filename"],
        "accessUrl": url_for("public.attachment", meeting_id=pm.meeting.id, attachment_id=a["id"], _external=True),
        "meeting": [_url("one", kind="meeting", ident=pm.meeting.id)],
        "agendaItem": [_url("one", kind="agendaItem", ident=item_id)],
        EXT + "bilaga": a["number"],
    }
    if a.get("content_type"):
        out["mimeType"] = a["content_type"]
    return out


def _is_case(item: dict) -> bool:
    return item["kind"] == ItemKind.case.value


def _agenda_item_json(pm: PublishedMeeting, order: int, item_id: int, item: dict, paragraphs: dict[int, str]) -> dict:
    out = {
        "meeting": _url("one", kind="meeting", ident=pm.meeting.id),
        "number": str(item["number"]),
        "order": order,
        "name": item["title"],
        "public": item["kind"] != ItemKind.confidential_case.value,
        "auxiliaryFile": [
            {
                "id": _url("one", kind="file", ident=a["id"]),
                "type": SCHEMA + "File",
                **_file_json(pm, item_id, a),
            }
            for a in item.get("attachments") or []
        ],
    }
    if _is_case(item) and item.get("case_number"):
        out["consultation"] = _url("one", kind="consultation", ident=item_id)
        out[EXT + "diarienummer"] = item["case_number"]
    if item["kind"] not in (ItemKind.confidential_case.value,):
        out["web"] = url_for("public.item", meeting_id=pm.meeting.id, number=item["number"], _external=True)
    if item_id in paragraphs:
        out[EXT + "paragraf"] = paragraphs[item_id]
    return out


def _location_json(pm: PublishedMeeting) -> dict:
    return {
        "description": pm.latest.public_snapshot["meeting"]["place"],
        "meetings": [_url("one", kind="meeting", ident=pm.meeting.id)],
    }


def _meeting_state(pm: PublishedMeeting, anslag: dict[int, list[dict]]) -> str:
    if pm.meeting.is_cancelled:
        return "Inställt"
    return "Protokollet justerat" if pm.meeting.id in anslag else "Kallelsen publicerad"


def _meeting_json(pm: PublishedMeeting, paragraphs: dict[int, str], anslag: dict[int, list[dict]]) -> dict:
    facts = pm.latest.public_snapshot["meeting"]
    created, modified = pm.latest.published_dt, pm.modified
    location = {
        "id": _url("one", kind="location", ident=pm.meeting.id),
        "type": SCHEMA + "Location",
        **_location_json(pm),
    }
    items = []
    for order, (item_id, item) in enumerate(pm.items, start=1):
        items.append(
            {
                "id": _url("one", kind="agendaItem", ident=item_id),
                "type": SCHEMA + "AgendaItem",
                **_agenda_item_json(pm, order, item_id, item, paragraphs),
                "created": _iso(created),
                "modified": _iso(modified),
            }
        )
    out = {
        "name": f"{facts['committee']}s sammanträde {facts['start'][:10]}",
        "meetingState": _meeting_state(pm, anslag),
        "cancelled": pm.meeting.is_cancelled,
        "start": _iso(datetime.fromisoformat(facts["start"])),
        "location": location,
        "organization": [_url("one", kind="organization", ident=pm.meeting.committee_id)],
        "agendaItem": items,
        "web": url_for("public.meeting", meeting_id=pm.meeting.id, _external=True),
        EXT + "kallelsensVersion": pm.latest.version,
        EXT + "oppetForAllmanheten": facts["is_public"],
    }
    if pm.meeting.id in anslag:
        out[EXT + "anslag"] = anslag[pm.meeting.id]
    return out


def _meetings(municipality: Municipality) -> list[Entry]:
    published = _published(municipality)
    ids = [pm.meeting.id for pm in published]
    paragraphs, anslag = _paragraphs(ids), _announcements(ids)
    return [
        Entry(
            "meeting",
            pm.meeting.id,
            pm.meeting.publications[0].published_dt,
            pm.modified,
            False,
            lambda pm=pm: _meeting_json(pm, paragraphs, anslag),
        )
        for pm in published
    ]


def _locations(municipality: Municipality) -> list[Entry]:
    return [
        Entry("location", pm.meeting.id, pm.latest.published_dt, pm.modified, False, lambda pm=pm: _location_json(pm))
        for pm in _published(municipality)
    ]


def _withdrawn(kind: str, ids: Iterable[int], created: datetime, modified: datetime) -> list[Entry]:
    return [Entry(kind, i, created, modified, True, dict) for i in sorted(ids)]


def _agenda_items(municipality: Municipality) -> list[Entry]:
    published = _published(municipality)
    paragraphs = _paragraphs([pm.meeting.id for pm in published])
    out: list[Entry] = []
    for pm in published:
        created = pm.meeting.publications[0].published_dt
        for order, (item_id, item) in enumerate(pm.items, start=1):
            out.append(
                Entry(
                    "agendaItem",
                    item_id,
                    created,
                    pm.modified,
                    False,
                    lambda pm=pm, order=order, item_id=item_id, item=item: _agenda_item_json(
                        pm, order, item_id, item, paragraphs
                    ),
                )
            )
        out += _withdrawn("agendaItem", pm.earlier_ids, created, pm.latest.published_dt)
    return out


def _consultation_json(pm: PublishedMeeting, item_id: int, case_id: int) -> dict:
    return {
        "paper": _url("one", kind="paper", ident=case_id),
        "agendaItem": _url("one", kind="agendaItem", ident=item_id),
        "meeting": _url("one", kind="meeting", ident=pm.meeting.id),
        "organization": [_url("one", kind="organization", ident=pm.meeting.committee_id)],
        "authoritative": True,
        "role": "Beslut",
    }


def _case_ids(pm: PublishedMeeting) -> dict[int, int]:
    """The case of each agenda item of the latest version (from the members' snapshot: ids only)."""
    return {i["id"]: i["case_id"] for i in pm.latest.members_snapshot["items"] if i.get("case_id")}


def _consultations(municipality: Municipality) -> list[Entry]:
    out: list[Entry] = []
    for pm in _published(municipality):
        created = pm.meeting.publications[0].published_dt
        cases = _case_ids(pm)
        live = set()
        for item_id, item in pm.items:
            if _is_case(item) and item_id in cases:
                live.add(item_id)
                out.append(
                    Entry(
                        "consultation",
                        item_id,
                        created,
                        pm.modified,
                        False,
                        lambda pm=pm, item_id=item_id, case_id=cases[item_id]: _consultation_json(pm, item_id, case_id),
                    )
                )
        gone = (set(cases) | pm.earlier_ids) - live
        out += _withdrawn("consultation", gone, created, pm.modified)
    return out


def _files(municipality: Municipality) -> list[Entry]:
    shown: dict[int, Entry] = {}
    ever: dict[int, tuple[datetime, datetime]] = {}
    for pm in _published(municipality):
        created = pm.meeting.publications[0].published_dt
        for p in pm.meeting.publications:
            for item in p.public_snapshot["items"]:
                for a in item.get("attachments") or []:
                    ever.setdefault(a["id"], (created, pm.modified))
        for item_id, item in pm.items:
            for a in item.get("attachments") or []:
                shown[a["id"]] = Entry(
                    "file",
                    a["id"],
                    created,
                    pm.modified,
                    False,
                    lambda pm=pm, item_id=item_id, a=a: _file_json(pm, item_id, a),
                )
    gone = [Entry("file", i, *ever[i], True, dict) for i in ever if i not in shown]
    return sorted([*shown.values(), *gone], key=lambda e: e.id)


def _legislative_terms(municipality: Municipality) -> list[Entry]:
    started = _since_start(municipality)
    out = []
    for term in _terms(municipality):
        start = int(term["startDate"][:4])
        body = {k: v for k, v in term.items() if k not in ("id", "type")}
        out.append(Entry("legislativeTerm", start, started, started, False, lambda body=body: body))
    return out


# --- cases as papers: paged in the database ------------------------------------------------------------


def _paper_json(case_view: PublicCase, consultations: list[dict], municipality: Municipality) -> dict:
    out = {
        "body": _url("body", body_id=municipality.id),
        "name": case_view.title,
        "reference": case_view.number,
        "date": case_view.registered_on.isoformat(),
        "paperType": "Ärende",
        "underDirectionOf": [_url("one", kind="organization", ident=case_view.committee_id)],
        "consultation": consultations,
        "web": url_for("public.diarium_case", case_id=case_view.id, _external=True),
        EXT + "diarienummer": case_view.number,
        EXT + "status": case_view.status.label,
    }
    if case_view.closed_on:
        out[EXT + "avslutat"] = case_view.closed_on.isoformat()
    return out


def _paper_withdrawn(case: Case) -> bool:
    return case.is_confidential or case.status is CaseStatus.voided


def _paper_entries(municipality: Municipality, cases: list[Case]) -> list[Entry]:
    shown = [c for c in cases if not _paper_withdrawn(c)]
    views = {v.id: v for v in public_cases(shown)}
    consultations = _consultations_of([c.id for c in shown], municipality)

    def write(case: Case) -> Callable[[], dict]:
        return lambda: _paper_json(views[case.id], consultations.get(case.id, []), municipality)

    return [
        Entry("paper", c.id, c.created_dt, c.modified_dt, True, dict)
        if _paper_withdrawn(c)
        else Entry("paper", c.id, c.created_dt, c.modified_dt, False, write(c))
        for c in cases
    ]


def _consultations_of(case_ids: list[int], municipality: Municipality) -> dict[int, list[dict]]:
    """The consultations (items of a published kallelse's latest version) of each of these cases."""
    if not case_ids:
        return {}
    meeting_ids = set(
        db.session.scalars(
            select(AgendaItem.meeting_id).where(
                AgendaItem.case_id.in_(case_ids), AgendaItem.meeting.has(Meeting.publications.any())
            )
        )
    )
    out: dict[int, list[dict]] = {}
    for pm in _published(municipality):
        if pm.meeting.id not in meeting_ids:
            continue
        cases = _case_ids(pm)
        for item_id, item in pm.items:
            if _is_case(item) and cases.get(item_id) in case_ids:
                out.setdefault(cases[item_id], []).append(
                    {
                        "id": _url("one", kind="consultation", ident=item_id),
                        "type": SCHEMA + "Consultation",
                        **_consultation_json(pm, item_id, cases[item_id]),
                    }
                )
    return out


def _papers_query(municipality: Municipality, window: dict[str, datetime]):
    stmt = select(Case).join(Committee).where(Committee.municipality_id == municipality.id)
    if "created_since" in window:
        stmt = stmt.where(Case.created_dt >= window["created_since"])
    if "created_until" in window:
        stmt = stmt.where(Case.created_dt <= window["created_until"])
    if "modified_since" in window:
        stmt = stmt.where(Case.modified_dt >= window["modified_since"])
    if "modified_until" in window:
        stmt = stmt.where(Case.modified_dt <= window["modified_until"])
    return stmt.order_by(Case.id)


# --- requests ------------------------------------------------------------------------------------------

KINDS = {
    "organization": "Organization",
    "person": "Person",
    "membership": "Membership",
    "meeting": "Meeting",
    "agendaItem": "AgendaItem",
    "consultation": "Consultation",
    "file": "File",
    "paper": "Paper",
    "legislativeTerm": "LegislativeTerm",
    "location": "Location",
}
SOURCES: dict[str, Callable[[Municipality], list[Entry]]] = {
    "organization": _committees,
    "person": _persons,
    "membership": _memberships,
    "meeting": _meetings,
    "agendaItem": _agenda_items,
    "consultation": _consultations,
    "file": _files,
    "legislativeTerm": _legislative_terms,
    "location": _locations,
}
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")


class BadRequest(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


@bp.errorhandler(BadRequest)
def bad_request(exc: BadRequest):
    return json_error(400, exc.message)


def _window() -> dict[str, datetime]:
    """The list filters given (OParl 1.1: created_since, created_until, modified_since, modified_until)."""
    known = {*FILTERS, "page", "omit_internal"}
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise BadRequest(f"Okänd parameter ”{unknown[0]}”; tillåtna: {', '.join(sorted(known))}.")
    out = {}
    for name in FILTERS:
        if name in request.args:
            try:
                value = datetime.fromisoformat(request.args[name].replace("Z", "+00:00"))
            except ValueError:
                raise BadRequest(
                    f"{name} anges som tidpunkt enligt ISO 8601, t.ex. 2017-02-23T18:00:00+01:00."
                ) from None
            if value.tzinfo is None:
                raise BadRequest(f"{name} måste ange tidszon, t.ex. 2017-02-23T18:00:00+01:00.")
            out[name] = value
    return out


def _page() -> int:
    text = request.args.get("page", "1")
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise BadRequest("page måste vara ett heltal från 1.")
    return int(text)


def _in_window(entry: Entry, window: dict[str, datetime]) -> bool:
    return (
        ("created_since" not in window or entry.created >= window["created_since"])
        and ("created_until" not in window or entry.created <= window["created_until"])
        and ("modified_since" not in window or entry.modified >= window["modified_since"])
        and ("modified_until" not in window or entry.modified <= window["modified_until"])
    )


def _cached(body: dict, modified: datetime | None) -> Response:
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
    response = current_app.response_class(data, mimetype="application/json")
    response.set_etag(hashlib.sha256(data).hexdigest())
    if modified is not None:
        response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response.make_conditional(request)


@bp.get("/system")
def system():
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.id)).all()
    body = {
        "id": _url("system"),
        "type": SCHEMA + "System",
        "oparlVersion": SCHEMA,
        "name": "Nämndflöde – öppna data",
        "body": _url("bodies"),
        "website": url_for("public.index", _external=True),
        "web": url_for("public.index", _external=True),
        "deleted": False,
    }
    if municipalities and municipalities[0].email:
        body["contactEmail"] = municipalities[0].email
    return _cached(body, None)


@bp.get("/body")
def bodies():
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.id)).all()
    data = [_body_json(m) for m in municipalities]
    return _cached(_list_body(data, 1, 1, len(data), "bodies", {}), None)


@bp.get("/body/<int:body_id>")
def body(body_id: int):
    return _cached(_body_json(_municipality(body_id)), None)


def _list_body(data: list[dict], page: int, pages: int, total: int, endpoint: str, values: dict) -> dict:
    args = {k: v for k, v in request.args.items() if k != "page"}

    def link(number: int) -> str:
        return _url(endpoint, **values, **args, page=number)

    links = {"first": link(1), "self": link(page), "last": link(max(pages, 1))}
    if page > 1:
        links["prev"] = link(page - 1)
    if page < pages:
        links["next"] = link(page + 1)
    return {
        "data": data,
        "pagination": {"totalElements": total, "elementsPerPage": PER_PAGE, "currentPage": page, "totalPages": pages},
        "links": links,
    }


@bp.get("/body/<int:body_id>/<kind>")
def listing(body_id: int, kind: str):
    municipality = _municipality(body_id)
    if kind not in KINDS:
        abort(404)
    window, page = _window(), _page()
    if kind == "paper":
        pagination = db.paginate(
            _papers_query(municipality, window).options(selectinload(Case.committee)),
            page=page,
            per_page=PER_PAGE,
            error_out=False,
            max_per_page=PER_PAGE,
        )
        entries, total = _paper_entries(municipality, list(pagination.items)), pagination.total or 0
    else:
        chosen = [e for e in SOURCES[kind](municipality) if _in_window(e, window)]
        total = len(chosen)
        entries = chosen[(page - 1) * PER_PAGE : page * PER_PAGE]
    pages = max(1, -(-total // PER_PAGE))
    data = [e.json() for e in entries]
    modified = max((e.modified for e in entries), default=None)
    return _cached(_list_body(data, page, pages, total, "listing", {"body_id": body_id, "kind": kind}), modified)


@bp.get("/<kind>/<int:ident>")
def one(kind: str, ident: int):
    if kind not in KINDS or not 0 < ident <= INT_MAX:
        abort(404)
    found: Entry | None = None
    if kind == "paper":
        case = db.session.get(Case, ident)
        if case is not None:
            found = _paper_entries(case.committee.municipality, [case])[0]
    else:
        for municipality in db.session.scalars(select(Municipality).order_by(Municipality.id)):
            found = next((e for e in SOURCES[kind](municipality) if e.id == ident), None)
            if found is not None:
                break
    if found is None:
        abort(404)
    return _cached(found.json(), found.modified)
