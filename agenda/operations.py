"""Operations on meetings and their agendas: plan, build, reorder, record outcomes, publish.

Each function validates, changes, writes an audit row and flushes; the caller commits. The
permission to call them (secretary of the committee) is checked by the views; the role a
report transition needs is checked again by workflows.operations.transition.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from agenda import conventions, notices
from agenda.models import (
    CASE_KINDS,
    UPCOMING,
    AgendaItem,
    AgendaSection,
    DelegationDecision,
    ItemKind,
    ItemOutcome,
    Meeting,
    MeetingStatus,
    Publication,
)
from agenda.outcomes import audit_title as _audit_title
from agenda.outcomes import lock_meeting as _lock
from agenda.outcomes import refuse_if_cancelled
from agenda.registration import register_publication
from agenda.snapshot import build_snapshots, describe_changes, publication_problems
from agenda.snapshot_json import PartJSON
from agenda.standing_items import template_for
from app import audit
from app.audit import AuditEntry
from app.auth.models import User
from app.clock import LOCAL_TZ, local_today, to_local, utcnow
from app.extensions import db
from app.organisation.models import Committee
from app.registry.models import Case, CaseStatus
from app.validation import ConflictError, ValidationError, clean_text
from workflows import operations as report_ops
from workflows.models import CaseReport, ReportState

MAX_ITEMS = 200
MAX_PARTS = 20
#: meetings planned at once from the year plan
MAX_SERIES = 24
#: how long after an item was removed it can be put back ("Ångra")
UNDO_MINUTES = 30
#: the audit actions of removing an item and of putting it back (the removal's row holds what is restored)
REMOVED = "agenda.item_removed"
RESTORED = "agenda.item_restored"


# --- meetings -------------------------------------------------------------------------------


def _clean_start(value: object) -> datetime:
    """Accept an aware datetime or a naive one in Swedish time; refuse one that is not in the future."""
    if isinstance(value, str):
        if not any(sep in value.strip() for sep in ("T", " ")):
            raise ValidationError({"start": "Ange både datum och klockslag, t.ex. 2027-02-23T18:00."})
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError({"start": "Ange tid som ÅÅÅÅ-MM-DD TT:MM."}) from None
    if not isinstance(value, datetime):
        raise ValidationError({"start": "Ange tid som ÅÅÅÅ-MM-DD TT:MM."})
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    if value <= utcnow():
        raise ValidationError({"start": "Sammanträdet kan inte läggas i det förflutna."})
    if value.year > local_today().year + 5:
        raise ValidationError({"start": "Sammanträden planeras högst fem år framåt."})
    return value


#: how a field is cleaned: its value as given → as stored, or ValidationError
Rule = Callable[[object], object]


def _collect(values: Mapping[str, object], rules: Mapping[str, Rule]) -> dict[str, object]:
    """Clean each given value with its rule; refuse with every field's message at once."""
    out: dict[str, object] = {}
    errors: dict[str, str] = {}
    for key, rule in rules.items():
        if key in values:
            try:
                out[key] = rule(values[key])
            except ValidationError as exc:
                errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return out


def _optional_text(field: str, label: str, max_length: int) -> Rule:
    return lambda v: clean_text(v, field=field, label=label, max_length=max_length, required=False) or None


MEETING_RULES: dict[str, Rule] = {
    "start": _clean_start,
    "place": lambda v: clean_text(v, field="place", label="Plats", max_length=200),
    "is_public": lambda v: _boolean(v, "is_public", "Öppet för allmänheten"),
    "notice_place": _optional_text("notice_place", "Ort för kallelsen", 100),
    "notice_date": lambda v: _date(v, "notice_date", "Kallelsens datum"),
    "chair_name": _optional_text("chair_name", "Ordförande", 200),
    "secretary_name": _optional_text("secretary_name", "Sekreterare", 200),
}


def _boolean(value: object, field: str, label: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError({field: f"{label} anges som sant eller falskt."})


def _date(value: object, field: str, label: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: f"{label}: ange datum som ÅÅÅÅ-MM-DD."}) from None


def plan_meeting(
    committee: Committee,
    *,
    user: User,
    start: object,
    place: object,
    is_public: bool = False,
    standing_items: bool = True,
) -> Meeting:
    """Plan a meeting of the committee, with the committee's standing items on its agenda."""
    fields = _collect({"start": start, "place": place, "is_public": is_public}, MEETING_RULES)
    meeting = Meeting(
        committee=committee,
        start_dt=fields["start"],
        place=fields["place"],
        is_public=fields["is_public"],
        status=MeetingStatus.planned,
        secretary_name=user.name,
    )
    db.session.add(meeting)
    db.session.flush()
    if standing_items:
        for position, standing in enumerate(template_for(committee), start=1):
            db.session.add(
                AgendaItem(
                    meeting=meeting,
                    position=position,
                    kind=standing.kind,
                    title=standing.title,
                    closes_agenda=standing.closes_agenda,
                    parts=[],
                )
            )
    db.session.flush()
    audit.record(
        "meeting.planned",
        meeting,
        f"Sammanträde för {committee.name} planerat {to_local(meeting.start_dt):%Y-%m-%d %H:%M}, {meeting.place}.",
        user=user,
        committee_id=committee.id,
    )
    return meeting


def plan_meetings(
    committee: Committee, *, user: User, starts: Sequence[datetime], place: object, is_public: bool = False
) -> list[Meeting]:
    """Plan several meetings at the same place (the year plan), all or none; refusals name the date."""
    if not starts:
        raise ValidationError({"days": "Ange minst ett datum."})
    if len(starts) > MAX_SERIES:
        raise ValidationError({"days": f"Planera högst {MAX_SERIES} sammanträden åt gången."})
    errors: list[str] = []
    seen: set[datetime] = set()
    for start in starts:
        label = f"{start:%Y-%m-%d}" if isinstance(start, datetime) else str(start)
        try:
            cleaned = _clean_start(start)
        except ValidationError as exc:
            errors.append(f"{label}: {exc.message}")
            continue
        if cleaned in seen:
            errors.append(f"{label}: datumet står två gånger.")
        seen.add(cleaned)
    if errors:
        raise ValidationError({"days": " ".join(errors)})
    return [
        plan_meeting(committee, user=user, start=start, place=place, is_public=is_public) for start in sorted(starts)
    ]


def update_meeting(
    meeting: Meeting, *, user: User, values: Mapping[str, object], expected_version: int | None = None
) -> Meeting:
    """Change the meeting's time, place or the facts that complete its kallelse."""
    _lock(meeting)
    _require_open(meeting)
    _check_version(meeting, expected_version)
    unknown = set(values) - set(MEETING_RULES)
    if unknown:
        raise ValidationError({key: "Okänt fält." for key in sorted(unknown)})
    if "start" in values and _same_instant(values["start"], meeting.start_dt):
        values = {key: value for key, value in values.items() if key != "start"}  # unchanged: not re-checked
    fields = _collect(values, MEETING_RULES)
    before = {key: str(getattr(meeting, "start_dt" if key == "start" else key)) for key in fields}
    for key, value in fields.items():
        setattr(meeting, "start_dt" if key == "start" else key, value)
    _bump(meeting)
    audit.record(
        "meeting.updated",
        meeting,
        f"Sammanträdet {to_local(meeting.start_dt):%Y-%m-%d} ändrat.",
        user=user,
        committee_id=meeting.committee_id,
        before=before,
        after={key: str(value) for key, value in fields.items()},
    )
    return meeting


def _same_instant(value: object, current: datetime) -> bool:
    """Whether a submitted start (string or datetime, naive = Swedish time) is the meeting's current one."""
    try:
        value = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return False
    if not isinstance(value, datetime):
        return False
    return (value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)) == current


def _require_open(meeting: Meeting) -> None:
    if meeting.status not in UPCOMING:
        raise ConflictError(f"Sammanträdet är {meeting.status.label.lower()}; föredragningslistan kan inte ändras.")


def _check_version(meeting: Meeting, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != meeting.agenda_version:
        raise ConflictError(
            "Föredragningslistan har ändrats av någon annan sedan du öppnade den "
            f"(version {meeting.agenda_version}, du utgick från {expected_version}). "
            "Ladda om sidan och gör ändringen igen."
        )


def _bump(meeting: Meeting) -> None:
    meeting.agenda_version = (meeting.agenda_version or 0) + 1


# --- agenda items ---------------------------------------------------------------------------


def _clean_parts(value: object) -> list[PartJSON]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_PARTS:
        raise ValidationError({"parts": f"Delarna anges som en lista med högst {MAX_PARTS} delar."})
    out: list[PartJSON] = []
    for i, part in enumerate(value, start=1):
        if not isinstance(part, dict) or set(part) - {"title", "presenter"}:
            raise ValidationError({f"parts.{i}": "Varje del har en rubrik och eventuellt en föredragande."})
        out.append(
            {
                "title": clean_text(part.get("title"), field=f"parts.{i}", label=f"Del {i}", max_length=300),
                "presenter": clean_text(
                    part.get("presenter"),
                    field=f"parts.{i}",
                    label=f"Föredragande i del {i}",
                    max_length=300,
                    required=False,
                )
                or None,
            }
        )
    return out


def _upcoming_item_for(case: Case, *, excluding: AgendaItem | None = None) -> AgendaItem | None:
    """The item that has the case on an upcoming agenda, if any."""
    stmt = (
        select(AgendaItem)
        .join(Meeting)
        .where(
            AgendaItem.case_id == case.id,
            Meeting.status.in_(UPCOMING),
            AgendaItem.outcome.is_(None),
            AgendaItem.kind.in_(CASE_KINDS),
        )
    )
    if excluding is not None and excluding.id is not None:
        stmt = stmt.where(AgendaItem.id != excluding.id)
    return db.session.scalars(stmt.limit(1)).first()


def _default_position(items: list[AgendaItem], item: AgendaItem) -> int:
    """Where a new item goes among ``items``: after the last item of its named section, if it has one
    with items; else before the closing items (the template's, e.g. Övriga frågor; sekretessärenden;
    delgivningar).

    A confidential case goes after the other confidential ones, before a closing delegation report,
    which gives the order of the real kallelse.
    """
    closing = _closing_start(items)
    section = item.agenda_section
    if section is not None and not item.is_confidential:
        placed = [i for i, other in enumerate(items[:closing]) if other.agenda_section is section]
        if placed:
            return placed[-1] + 2  # after the last item of its section
    if item.is_confidential:
        end = len(items)
        while end > closing and items[end - 1].kind is ItemKind.delegation_report:
            end -= 1
        return end + 1
    if item.kind is ItemKind.delegation_report:
        return len(items) + 1
    return closing + 1


def _closing_start(items: list[AgendaItem]) -> int:
    """The index where the closing block (the trailing closing items) begins."""
    closing = len(items)
    while closing > 0 and _is_closing(items[closing - 1]):
        closing -= 1
    return closing


def misplaced_confidential(meeting: Meeting) -> list[AgendaItem]:
    """The sekretessärenden standing among the open items (their case became confidential after they
    were added, or the secretary moved them): an item other than a sekretessärende or a delegation
    report comes after them. Publishing moves them under the closed part (AgendaConventions.closed_section)."""
    items = meeting.items
    return [
        item
        for i, item in enumerate(items)
        if item.is_confidential
        and any(not later.is_confidential and later.kind is not ItemKind.delegation_report for later in items[i + 1 :])
    ]


def arrange_confidential(meeting: Meeting, *, user: User) -> list[AgendaItem]:
    """Move each misplaced sekretessärende to the confidential section (after the others there,
    before a closing delegation report), audited by its public title; return those moved."""
    moved = misplaced_confidential(meeting)
    for item in moved:
        items = [other for other in meeting.items if other is not item]
        items.insert(_default_position(items, item) - 1, item)
        _apply_order(meeting, items)
        audit.record(
            "agenda.item_moved",
            meeting,
            f"Punkt {item.number} ”{_audit_title(item)}” flyttad till "
            f"{meeting.conventions.closed_section}: ärendet är sekretessmarkerat.",
            user=user,
            committee_id=meeting.committee_id,
            case_id=item.case_id,
        )
    if moved:
        _bump(meeting)
    return moved


def _is_closing(item: AgendaItem) -> bool:
    return item.closes_agenda or item.is_confidential or item.kind is ItemKind.delegation_report


def _insert(meeting: Meeting, item: AgendaItem, position: int | None) -> None:
    """Put ``item`` at ``position`` (1-based; None: the default place) and renumber the rest."""
    items = list(meeting.items)
    if len(items) >= MAX_ITEMS:
        raise ConflictError(f"En föredragningslista har högst {MAX_ITEMS} punkter.")
    if position is None:
        position = _default_position(items, item)
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= len(items) + 1:
        raise ValidationError({"position": f"Platsen ska vara ett tal från 1 till {len(items) + 1}."})
    items.insert(position - 1, item)
    _apply_order(meeting, items)


def _apply_order(meeting: Meeting, items: list[AgendaItem]) -> None:
    """Give ``items`` the positions 1 … n in two steps (the unique (meeting, position) holds throughout)."""
    for i, item in enumerate(items, start=1):
        if item.id is not None:
            item.position = -i
    db.session.flush()
    for i, item in enumerate(items, start=1):
        item.position = i
        if item.id is None:
            item.meeting = meeting
            db.session.add(item)
    db.session.flush()
    db.session.expire(meeting, ["items"])


def _item_fields(values: Mapping[str, object], *, creating: bool) -> dict[str, object]:
    return _collect(
        values,
        {
            "title": lambda v: (
                clean_text(v, field="title", label="Rubrik", max_length=1000, required=not creating) or None
            ),
            "note": _optional_text("note", "Anteckning", 2000),
            "external_reference": _optional_text("external_reference", "Extern referens", 100),
            "parts": _clean_parts,
            "is_handling_later": lambda v: _boolean(v, "is_handling_later", "Handling kommer senare"),
        },
    )


#: the values of an item that name the committee's section and markers (agenda.conventions)
PLACEMENT_KEYS = ("section", "markers")


def _placement(meeting: Meeting, values: Mapping[str, object]) -> dict[str, Any]:
    """The section (id or None) and the markers (ids) given for an item, as the committee's own; refused with a
    Swedish message when they are another committee's."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, lookup in (("section", conventions.section_of), ("markers", conventions.markers_of)):
        if key in values:
            try:
                out[key] = lookup(meeting.committee, values[key])
            except ValidationError as exc:
                errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return out


def add_item(
    meeting: Meeting,
    *,
    user: User,
    kind: ItemKind | str,
    case: Case | None = None,
    position: int | None = None,
    expected_version: int | None = None,
    **values: object,
) -> AgendaItem:
    """Add an item; a case item puts the case's signed report on the agenda (or says it comes later)."""
    _lock(meeting)
    _require_open(meeting)
    _check_version(meeting, expected_version)
    try:
        kind = ItemKind(kind)
    except ValueError:
        raise ValidationError({"kind": "Okänd typ av punkt."}) from None
    placement = _placement(meeting, values)
    fields = _item_fields({k: v for k, v in values.items() if k not in PLACEMENT_KEYS}, creating=True)
    if kind in CASE_KINDS:
        if case is None:
            raise ValidationError({"case": "Välj ärendet som punkten gäller."})
        # Whether it is a sekretessärende is read from the case whenever it matters (AgendaItem.is_confidential).
        kind = ItemKind.case
    elif kind is ItemKind.information and not fields.get("parts") and not fields.get("title"):
        raise ValidationError({"parts": "En informationspunkt behöver en rubrik eller minst en del."})
    elif kind is not ItemKind.delegation_report and case is not None:
        raise ValidationError({"case": "Bara ärendepunkter och delgivningar kan kopplas till ett ärende."})
    elif kind is not ItemKind.information and not fields.get("title") and kind is not ItemKind.delegation_report:
        raise ValidationError({"title": "Rubrik måste fyllas i."})
    if case is not None:
        _check_case(meeting, case)
    title = fields.get("title") or (case.title if kind is ItemKind.case and case is not None else None)
    title = (
        title
        or {
            ItemKind.information: "Information",
            ItemKind.delegation_report: "Delgivningar och anmälda delegationsbeslut",
        }[kind]
    )
    item = AgendaItem(
        kind=kind,
        title=title,
        case=case,
        note=fields.get("note"),
        external_reference=fields.get("external_reference"),
        parts=fields.get("parts", []),
        is_handling_later=fields.get("is_handling_later", False),
    )
    if "section" in placement:
        item.agenda_section = placement["section"]
    if "markers" in placement:
        item.markers = placement["markers"]
    if kind is ItemKind.case and case is not None:
        _place_report(item, case, user)
    _insert(meeting, item, position)
    _bump(meeting)
    audit.record(
        "agenda.item_added",
        meeting,
        f"Punkt {item.number} ”{_audit_title(item)}” lagd på "
        f"föredragningslistan {to_local(meeting.start_dt):%Y-%m-%d}.",
        user=user,
        committee_id=meeting.committee_id,
        case_id=case.id if case else None,
    )
    return item


#: case items added at once from the list of ready cases
MAX_BULK = 100


def add_cases(
    meeting: Meeting,
    *,
    user: User,
    cases: Sequence[tuple[Case, Mapping[str, object]]],
    expected_version: int | None = None,
) -> list[AgendaItem]:
    """Add several cases at once (the ready cases the secretary ticked), each with its values (section, note …)
    and its default place, in the order given; all or none. A case's external reference comes with it unless
    one is given."""
    _lock(meeting)
    _require_open(meeting)
    _check_version(meeting, expected_version)
    if not cases:
        raise ValidationError({"cases": "Kryssa i minst ett ärende att lägga till."})
    if len(cases) > MAX_BULK:
        raise ValidationError({"cases": f"Lägg till högst {MAX_BULK} ärenden åt gången."})
    if len({case.id for case, _values in cases}) != len(cases):
        raise ValidationError({"cases": "Samma ärende står två gånger."})
    items = []
    for case, values in cases:
        given: dict[str, Any] = {k: v for k, v in values.items() if k not in ("position", "expected_version")}
        if not given.get("external_reference") and case.external_reference:
            given["external_reference"] = case.external_reference
        items.append(add_item(meeting, user=user, kind=ItemKind.case, case=case, **given))
    return items


def _check_case(meeting: Meeting, case: Case, excluding: AgendaItem | None = None) -> None:
    if case.committee_id != meeting.committee_id:
        raise ConflictError(f"Ärende {case.number} hör till {case.committee.name}, inte till {meeting.committee.name}.")
    if case.status is not CaseStatus.open:
        raise ConflictError(f"Ärende {case.number} är {case.status.label.lower()} och kan inte tas upp.")
    other = _upcoming_item_for(case, excluding=excluding)
    if other is not None:
        when = to_local(other.meeting.start_dt)
        raise ConflictError(
            f"Ärende {case.number} står redan på föredragningslistan för sammanträdet "
            f"{when:%Y-%m-%d} (punkt {other.number})."
        )


def _place_report(item: AgendaItem, case: Case, user: User) -> None:
    """Move the case's signed report to "on agenda", or require "handling kommer senare"."""
    report = report_ops.report_for(case)
    if report is not None and report.state is ReportState.signed:
        report_ops.transition(report, user=user, name="place_on_agenda", notify=False)
        item.is_handling_later = False
        return
    if item.is_handling_later:
        return
    later = conventions.conventions_for(case.committee).handling_later_text  # as the committee calls it
    if report is None:
        raise ConflictError(f"Ärende {case.number} har inget tjänsteutlåtande. Markera ”{later}” om det ska med ändå.")
    raise ConflictError(
        f"Tjänsteutlåtandet i {case.number} är inte undertecknat (status: "
        f"”{report.state.label}”). Bara undertecknade utlåtanden kan tas upp; markera "
        f"”{later}” om det ska med ändå."
    )


def update_item(item: AgendaItem, *, user: User, expected_version: int | None = None, **values: object) -> AgendaItem:
    """Change an item's title, note, reference, parts, "handling kommer senare", section or markers."""
    meeting = item.meeting
    _lock(meeting)
    _require_open(meeting)
    _check_version(meeting, expected_version)
    placement = _placement(meeting, values)
    fields = _item_fields({k: v for k, v in values.items() if k not in PLACEMENT_KEYS}, creating=False)
    before = {key: getattr(item, key) for key in fields}
    after = dict(fields)
    for key, value in fields.items():
        setattr(item, key, value)
    if "section" in placement:
        before["section"] = item.agenda_section.name if item.agenda_section else None
        item.agenda_section = placement["section"]
        after["section"] = item.agenda_section.name if item.agenda_section else None
    if "markers" in placement:
        before["markers"] = [m.label for m in item.markers]
        item.markers = placement["markers"]
        after["markers"] = [m.label for m in item.markers]
    if item.case is not None and "is_handling_later" in fields:
        _sync_report(item, item.case, user)
    _bump(meeting)
    audit.record(
        "agenda.item_updated",
        meeting,
        f"Punkt {item.number} ”{_audit_title(item)}” ändrad.",
        user=user,
        committee_id=meeting.committee_id,
        case_id=item.case_id,
        before={k: v for k, v in before.items() if k != "title" or not item.is_confidential},
        after={k: v for k, v in after.items() if k != "title" or not item.is_confidential},
    )
    return item


def _sync_report(item: AgendaItem, case: Case, user: User) -> None:
    """After "handling kommer senare" changed: place a signed report, or refuse an unsigned one."""
    report = report_ops.report_for(case)
    if report is not None and report.state is ReportState.on_agenda:
        return
    _place_report(item, case, user)


def attach_handling(item: AgendaItem, *, user: User) -> AgendaItem:
    """The report of an item marked "handling kommer senare" is now signed: put it on the agenda."""
    _lock(item.meeting)
    _require_open(item.meeting)
    if item.case is None:
        raise ConflictError("Punkten gäller inget ärende.")
    report = report_ops.report_for(item.case)
    if report is None or report.state is not ReportState.signed:
        label = "saknas" if report is None else f"har status ”{report.state.label}”"
        raise ConflictError(
            f"Tjänsteutlåtandet i {item.case.number} {label}; det kan läggas till när det är undertecknat."
        )
    item.is_handling_later = False
    _place_report(item, item.case, user)
    _bump(item.meeting)
    audit.record(
        "agenda.handling_attached",
        item.meeting,
        f"Handlingen till punkt {item.number} är klar.",
        user=user,
        committee_id=item.meeting.committee_id,
        case_id=item.case_id,
    )
    return item


def remove_item(item: AgendaItem, *, user: User, expected_version: int | None = None) -> AuditEntry:
    """Take an item off the agenda (its report goes back to "signed") and renumber the rest.

    The audit row it writes holds the item as it was (its place and content, a confidential item's title left
    out: its case gives it back), so ``restore_item`` can put it back for a while; it is returned for that.
    """
    meeting = item.meeting
    _lock(meeting)
    _require_open(meeting)
    _check_version(meeting, expected_version)
    if item.case is not None:
        report = report_ops.report_for(item.case)
        if report is not None and report.state is ReportState.on_agenda:
            report_ops.transition(report, user=user, name="remove_from_agenda", notify=False)
    summary = f"Punkt {item.number} ”{_audit_title(item)}” borttagen från föredragningslistan."
    case_id = item.case_id
    content = _restorable(item)
    rest = [other for other in meeting.items if other.id != item.id]
    db.session.delete(item)
    db.session.flush()
    _apply_order(meeting, rest)
    _bump(meeting)
    entry = audit.record(
        REMOVED, meeting, summary, user=user, committee_id=meeting.committee_id, case_id=case_id, before=content
    )
    db.session.flush()
    return entry


def _restorable(item: AgendaItem) -> dict[str, Any]:
    """What ``restore_item`` needs to put the item back where it was, as it was."""
    return {
        "item_id": item.id,
        "position": item.position,
        "kind": item.kind.value,
        # a confidential case's title stays out of the log; it is read from the case again
        "title": None if item.is_confidential and item.case is not None else item.title,
        "case_id": item.case_id,
        "is_handling_later": item.is_handling_later,
        "note": item.note,
        "external_reference": item.external_reference,
        "parts": list(item.parts or []),
        "closes_agenda": item.closes_agenda,
        "section_id": item.section_id,
        "marker_ids": [marker.id for marker in item.markers],
    }


def removal_of(meeting: Meeting, removal_id: object) -> AuditEntry:
    """The removal of one of this meeting's items that can still be undone (its audit row), or ConflictError."""
    entry = db.session.get(AuditEntry, removal_id) if isinstance(removal_id, int) else None
    if (
        entry is None
        or entry.action != REMOVED
        or entry.object_type != "Meeting"
        or entry.object_id != meeting.id
        or not entry.data
        or not entry.data.get("before")
    ):
        raise ConflictError("Det finns ingen borttagen punkt att återställa.")
    if utcnow() - entry.created_dt > timedelta(minutes=UNDO_MINUTES):
        raise ConflictError(
            f"Borttagningen kan bara ångras inom {UNDO_MINUTES} minuter. Lägg till punkten på nytt i stället."
        )
    later = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == RESTORED,
            AuditEntry.object_type == "Meeting",
            AuditEntry.object_id == meeting.id,
            AuditEntry.id > entry.id,
        )
    )
    if any((row.data or {}).get("after", {}).get("removal") == entry.id for row in later):
        raise ConflictError("Punkten är redan återställd.")
    return entry


def restore_item(meeting: Meeting, *, user: User, removal_id: object) -> AgendaItem:
    """Undo a removal ("Ångra"): put the item back at its place with its content, within UNDO_MINUTES.

    A case item takes its case's signed report onto the agenda again; it is refused, as when adding, when the
    case has been put on an agenda meanwhile or its report is no longer signed (unless its handling comes later).
    A section or marker removed from the committee's template meanwhile is left out.
    """
    _lock(meeting)
    _require_open(meeting)
    entry = removal_of(meeting, removal_id)
    content: dict[str, Any] = entry.data["before"] if entry.data else {}
    case = db.session.get(Case, content["case_id"]) if content.get("case_id") else None
    if content.get("case_id") and case is None:
        raise ConflictError("Ärendet som punkten gällde finns inte längre.")
    if case is not None:
        _check_case(meeting, case)
    item = AgendaItem(
        kind=ItemKind(content["kind"]),
        title=content.get("title") or (case.title if case is not None else ItemKind(content["kind"]).label),
        case=case,
        note=content.get("note"),
        external_reference=content.get("external_reference"),
        parts=content.get("parts") or [],
        is_handling_later=bool(content.get("is_handling_later")),
        closes_agenda=bool(content.get("closes_agenda")),
    )
    section = db.session.get(AgendaSection, content["section_id"]) if content.get("section_id") else None
    if section is not None and section.committee_id == meeting.committee_id:
        item.agenda_section = section
    wanted = set(content.get("marker_ids") or [])
    item.markers = [marker for marker in conventions.markers_for(meeting.committee) if marker.id in wanted]
    if case is not None and item.kind in CASE_KINDS:
        _place_report(item, case, user)
    _insert(meeting, item, min(int(content.get("position") or 1), len(meeting.items) + 1))
    _bump(meeting)
    audit.record(
        RESTORED,
        meeting,
        f"Punkt {item.number} ”{_audit_title(item)}” återställd på föredragningslistan (borttagningen ångrad).",
        user=user,
        committee_id=meeting.committee_id,
        case_id=item.case_id,
        after={"removal": entry.id, "item_id": item.id},
    )
    return item


def reorder(meeting: Meeting, *, user: User, order: list[int], expected_version: int) -> Meeting:
    """Put the items in the order of ``order`` (every item id once), if the agenda is as the user saw it."""
    _lock(meeting)
    _require_open(meeting)
    if not isinstance(expected_version, int) or isinstance(expected_version, bool):
        raise ValidationError({"version": "Ange vilken version av föredragningslistan ändringen utgår från."})
    _check_version(meeting, expected_version)
    items = {item.id: item for item in meeting.items}
    if (
        not isinstance(order, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in order)
        or sorted(order) != sorted(items)
    ):
        raise ValidationError({"order": "Ordningen ska innehålla varje punkt på föredragningslistan exakt en gång."})
    before = [item.id for item in meeting.items]
    if order != before:
        _apply_order(meeting, [items[i] for i in order])
        _bump(meeting)
        audit.record(
            "agenda.reordered",
            meeting,
            f"Föredragningslistan {to_local(meeting.start_dt):%Y-%m-%d} har fått ny ordning.",
            user=user,
            committee_id=meeting.committee_id,
            before={"order": before},
            after={"order": order},
        )
    return meeting


def move_item(item: AgendaItem, *, user: User, to_position: int, expected_version: int) -> Meeting:
    """Move one item to ``to_position`` (1-based): the keyboard alternative to drag and drop."""
    meeting = item.meeting
    ids = [other.id for other in meeting.items]
    if not isinstance(to_position, int) or isinstance(to_position, bool) or not 1 <= to_position <= len(ids):
        raise ValidationError({"position": f"Platsen ska vara ett tal från 1 till {len(ids)}."})
    ids.remove(item.id)
    ids.insert(to_position - 1, item.id)
    return reorder(meeting, user=user, order=ids, expected_version=expected_version)


# --- after the meeting ----------------------------------------------------------------------


def ready_cases(committee: Committee) -> list[Case]:
    """The committee's cases ready for an agenda, oldest first: open, their tjänsteutlåtande signed and on no
    upcoming agenda (postponed and sent-back cases are signed again, so they are among them)."""
    on_agenda = (
        select(AgendaItem.case_id)
        .join(Meeting)
        .where(Meeting.status.in_(UPCOMING), AgendaItem.outcome.is_(None), AgendaItem.case_id.is_not(None))
    )
    return list(
        db.session.scalars(
            select(Case)
            .join(CaseReport, CaseReport.case_id == Case.id)
            .where(
                Case.committee_id == committee.id,
                Case.status == CaseStatus.open,
                CaseReport.state == ReportState.signed,
                Case.id.not_in(on_agenda),
            )
            .order_by(Case.registered_on, Case.id)
        )
    )


def offered_again(committee: Committee) -> list[AgendaItem]:
    """Postponed and sent-back items of past meetings whose cases are not on an upcoming agenda yet."""
    candidates = db.session.scalars(
        select(AgendaItem)
        .join(Meeting)
        .where(
            Meeting.committee_id == committee.id,
            AgendaItem.outcome.in_([ItemOutcome.postponed, ItemOutcome.sent_back]),
            AgendaItem.case_id.is_not(None),
        )
        .order_by(Meeting.start_dt.desc(), AgendaItem.position)
    ).all()
    seen: set[int | None] = set()
    out: list[AgendaItem] = []
    for item in candidates:
        if item.case_id in seen or item.case is None:  # the query asks for items with a case
            continue
        seen.add(item.case_id)
        if _upcoming_item_for(item.case) is None and not _decided_later(item):
            out.append(item)
    return out


def _decided_later(item: AgendaItem) -> bool:
    return (
        db.session.execute(
            select(func.count())
            .select_from(AgendaItem)
            .join(Meeting)
            .where(
                AgendaItem.case_id == item.case_id,
                AgendaItem.outcome == ItemOutcome.decided,
                Meeting.start_dt > item.meeting.start_dt,
            )
        ).scalar_one()
        > 0
    )


# --- delegated decisions --------------------------------------------------------------------


def register_delegation_decision(
    committee: Committee,
    *,
    user: User,
    decided_on: object,
    decision_maker: object,
    delegation_point: object,
    summary: object,
    case: Case | None = None,
) -> DelegationDecision:
    """Register a decision taken under delegation, to be reported at the committee's next meeting."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    fn: Callable[[], object]
    for key, fn in (
        ("decided_on", lambda: _date(decided_on, "decided_on", "Beslutsdatum")),
        (
            "decision_maker",
            lambda: clean_text(decision_maker, field="decision_maker", label="Beslutsfattare", max_length=200),
        ),
        (
            "delegation_point",
            lambda: clean_text(
                delegation_point, field="delegation_point", label="Punkt i delegationsordningen", max_length=50
            ),
        ),
        ("summary", lambda: clean_text(summary, field="summary", label="Beslutet i korthet", max_length=1000)),
    ):
        try:
            values[key] = fn()
        except ValidationError as exc:
            errors.update(exc.errors)
    if "decided_on" in values:
        day = values["decided_on"]
        if day is None:
            errors["decided_on"] = "Beslutsdatum måste fyllas i."
        elif isinstance(day, date) and day > local_today():  # _date gives a date or None
            errors["decided_on"] = "Beslutsdatum kan inte ligga i framtiden."
    if case is not None and case.committee_id != committee.id:
        errors["case"] = f"Ärende {case.number} hör till en annan nämnd."
    if errors:
        raise ValidationError(errors)
    decision = DelegationDecision(committee=committee, case=case, registered_by=user, **values)
    db.session.add(decision)
    db.session.flush()
    audit.record(
        "delegation.registered",
        decision,
        f"Delegationsbeslut {values['decided_on']} (punkt {values['delegation_point']}) registrerat.",
        user=user,
        committee_id=committee.id,
        case_id=case.id if case else None,
    )
    return decision


def delegation_decisions_for(meeting: Meeting) -> list[DelegationDecision]:
    """The delegated decisions this meeting reports: those its published kallelse reported and, until it is held,
    those registered before it that no published kallelse has reported (a decision registered after the previous
    kallelse was published goes to the next meeting, not lost)."""
    reported_here = DelegationDecision.reported_in_id == meeting.id
    over = meeting.status in (MeetingStatus.held, MeetingStatus.minutes_done)
    stmt = (
        select(DelegationDecision)
        .where(
            DelegationDecision.committee_id == meeting.committee_id,
            DelegationDecision.registered_dt < meeting.start_dt,
            reported_here if over else or_(DelegationDecision.reported_in_id.is_(None), reported_here),
        )
        .order_by(DelegationDecision.decided_on, DelegationDecision.id)
    )
    return list(db.session.scalars(stmt))


# --- publishing -----------------------------------------------------------------------------


def publish(
    meeting: Meeting, *, user: User, late_reason: str | None = None, as_of: datetime | None = None
) -> Publication:
    """Publish the kallelse: an immutable numbered snapshot, members' and public version.

    Refused while the agenda is empty, the kallelse lacks its closing facts, or a public text holds
    a personnummer or a confidential case's title; after the deadline only with a reason. The
    committee's ledamöter and ersättare are told (agenda.notices), by the outbox when the caller commits.
    The kallelse is registered in the committee's diarium (agenda.registration). ``as_of`` (aware) is the
    moment of publishing when taking over history (the demo, imports): nobody is told then, and nothing is
    registered (the old diarium has it).
    """
    _lock(meeting)
    refuse_if_cancelled(meeting, "kallelsen kan inte publiceras")
    _require_open(meeting)
    if not meeting.items:
        raise ConflictError("Föredragningslistan är tom; lägg till punkter innan kallelsen publiceras.")
    arrange_confidential(meeting, user=user)
    decisions = delegation_decisions_for(meeting)
    problems = publication_problems(meeting, decisions)
    if problems:
        raise PublicationRefused(problems)
    late_reason = clean_text(late_reason, field="late_reason", label="Skäl", max_length=1000, required=False) or None
    today = to_local(as_of).date() if as_of else local_today()
    if today > meeting.notice_deadline and not late_reason:
        raise ValidationError(
            {
                "late_reason": f"Sista dag för kallelsen var {meeting.notice_deadline.isoformat()} "
                f"({meeting.committee.notice_days} dagar före sammanträdet). "
                "Ange skälet till att den publiceras sent."
            }
        )
    if today <= meeting.notice_deadline:
        late_reason = None
    members, public = build_snapshots(meeting, decisions)
    previous = meeting.latest_publication
    changes = describe_changes(previous.members_snapshot, members) if previous else []
    if previous is not None and not changes:
        raise ConflictError(f"Inget har ändrats sedan version {previous.version}; ingen ny version publicerades.")
    version = (previous.version if previous else 0) + 1
    publication = Publication(
        meeting=meeting,
        version=version,
        members_snapshot=members,
        public_snapshot=public,
        changes=changes,
        late_reason=late_reason,
        published_by=user,
        published_dt=as_of or utcnow(),
    )
    db.session.add(publication)
    for decision in decisions:
        decision.reported_in = meeting
    meeting.status = MeetingStatus.notice_published
    db.session.flush()
    summary = (
        f"Kallelsen till {meeting.committee.name} {to_local(meeting.start_dt):%Y-%m-%d} publicerad, version {version}."
    )
    if late_reason:
        summary += f" Publicerad efter sista dag ({meeting.notice_deadline.isoformat()}): {late_reason}"
    audit.record(
        "meeting.published",
        meeting,
        summary,
        user=user,
        committee_id=meeting.committee_id,
        after={"version": version, "changes": changes, "late_reason": late_reason},
    )
    if as_of is None:
        register_publication(publication, user=user)
        notices.tell_members(publication)
    return publication


class PublicationRefused(ConflictError):
    """Publishing is refused; ``problems`` lists where (Swedish lines)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Kallelsen kan inte publiceras: " + " ".join(problems))


def upcoming_meetings(committee_ids: Collection[int], *, days_back: int = 0) -> list[Meeting]:
    """The meetings of these committees from today on (or ``days_back`` earlier), soonest first."""
    since = utcnow() - timedelta(days=days_back)
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.committee_id.in_(list(committee_ids)), Meeting.start_dt >= since)
            .order_by(Meeting.start_dt)
        )
    )
