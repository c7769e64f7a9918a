"""What a published kallelse holds: the members' and the public snapshot, the checks before
publishing, and what changed between two versions.

The snapshots are plain JSON. The members' one names every document (the report's signed
revision and hash, each bilaga by id and sha256, all immutable); the public one is made from
it by leaving out what the public may not see, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from agenda.models import (
    CONFIDENTIAL_SECTION,
    DEFAULT_HANDLING_LATER,
    AgendaItem,
    DelegationDecision,
    ItemKind,
    Meeting,
)
from agenda.secrecy import confidential_marks, public_decision, public_item, secrecy_problems, secret_now
from agenda.snapshot_json import (
    AddressJSON,
    AttachmentJSON,
    DecisionJSON,
    ItemJSON,
    MeetingJSON,
    ReportRefJSON,
    SnapshotJSON,
)
from app.auth.models import User
from app.clock import to_local
from app.extensions import db
from app.registry.identity_numbers import find_identity_numbers
from app.registry.models import Case
from workflows import operations as report_ops
from workflows.content import ReportContent, html_to_text
from workflows.models import ReportState

#: the fields the closing of a kallelse needs, with their Swedish names
REQUIRED_NOTICE_FIELDS = {
    "notice_place": "ort",
    "notice_date": "datum",
    "chair_name": "ordförande",
    "secretary_name": "sekreterare",
}


def _address_json(block: dict[str, str]) -> AddressJSON:
    return {
        "postal_address": block["postal_address"],
        "visiting_address": block["visiting_address"],
        "phone": block["phone"],
        "email": block["email"],
        "web": block["web"],
    }


def meeting_json(meeting: Meeting) -> MeetingJSON:
    committee = meeting.committee
    conventions = meeting.conventions
    return {
        "id": meeting.id,
        "committee": committee.name,
        "committee_prefix": committee.registry_prefix,
        "municipality": committee.municipality.name,
        "administration": committee.administration.name,
        "address": _address_json(committee.administration.address_block()),
        "title": f"{conventions.notice_title} till {committee.name}",
        "document_name": conventions.notice_title,
        "first_number": conventions.first_number,
        "closed_section": conventions.closed_section,
        "handling_later_text": conventions.handling_later_text,
        "start": to_local(meeting.start_dt).isoformat(),
        "place": meeting.place,
        "is_public": meeting.is_public,
        "notice_place": meeting.notice_place,
        "notice_date": meeting.notice_date.isoformat() if meeting.notice_date else None,
        "chair_name": meeting.chair_name,
        "secretary_name": meeting.secretary_name,
    }


def _report_json(item: AgendaItem) -> ReportRefJSON | None:
    """The report that goes with a case item: its signed revision, frozen by its hash."""
    if item.case is None:
        return None
    report = report_ops.report_for(item.case)
    if report is None or report.state is not ReportState.on_agenda or report.signed_revision is None:
        return None
    content = ReportContent.from_json(report.revision_numbered(report.signed_revision).content)
    return {
        "id": report.id,
        "revision": report.signed_revision,
        "signed_hash": report.signed_hash,
        "title": content.title or item.case.title,
    }


def proposes_immediate_adjustment(item: AgendaItem) -> bool:
    """Whether the item's signed tjänsteutlåtande proposes "Paragrafen förklaras omedelbart justerad".

    The signal is the flag the case officer sets on a decision proposal in the editor
    (``Proposal.immediately_adjusted``), read from the revision that was signed: never from the wording,
    and never from a draft that nobody has signed.
    """
    if item.case is None:
        return False
    report = report_ops.report_for(item.case)
    if report is None or report.signed_revision is None:
        return False
    if report.state not in (ReportState.signed, ReportState.on_agenda):
        return False
    content = ReportContent.from_json(report.revision_numbered(report.signed_revision).content)
    return any(p.immediately_adjusted for p in content.proposals)


def _attachments_json(item: AgendaItem) -> list[AttachmentJSON]:
    if item.case is None:
        return []
    report = report_ops.report_for(item.case)
    if report is None or report.state is not ReportState.on_agenda:
        return []
    out: list[AttachmentJSON] = []
    for a in sorted(report.current_attachments, key=lambda a: a.position):
        document = a.registered_document
        out.append(
            {
                "id": a.id,
                "number": a.position,
                "title": a.title,
                "sha256": a.file.sha256 if a.file else None,
                "filename": a.filename,
                "content_type": a.file.content_type if a.file else None,
                "is_confidential": bool(a.is_confidential or (document is not None and document.is_confidential)),
            }
        )
    return out


def _decision_json(decision: DelegationDecision) -> DecisionJSON:
    case = decision.case
    return {
        "decided_on": decision.decided_on.isoformat(),
        "decision_maker": decision.decision_maker,
        "delegation_point": decision.delegation_point,
        "case_id": case.id if case else None,
        "case_number": case.number if case else None,
        "summary": decision.summary,
        "is_confidential": bool(case is not None and case.is_confidential),
        "public_title": case.display_public_title if case is not None else None,
    }


def item_json(item: AgendaItem, decisions: list[DelegationDecision] | None = None) -> ItemJSON:
    """One item as the members' version shows it."""
    case = item.case
    out: ItemJSON = {
        "id": item.id,
        "number": item.number,
        "kind": item.shown_kind.value,
        "section": item.section,
        "title": item.title,
        "case_id": item.case_id,
        "case_number": case.number if case else None,
        "public_title": case.display_public_title if item.is_confidential and case else None,
        "note": item.note,
        "external_reference": item.external_reference,
        "parts": list(item.parts or []),
        "markers": [marker.label for marker in item.markers],
        "immediate_adjustment": _report_json(item) is not None and proposes_immediate_adjustment(item),
        "is_handling_later": item.is_handling_later and _report_json(item) is None,
        "report": _report_json(item),
        "attachments": _attachments_json(item),
    }
    if item.kind is ItemKind.delegation_report:
        out["delegation_decisions"] = [_decision_json(d) for d in decisions or []]
    return out


def build_snapshots(meeting: Meeting, decisions: list[DelegationDecision]) -> tuple[SnapshotJSON, SnapshotJSON]:
    """Return the members' and the public snapshot of the kallelse as it is now."""
    items = [item_json(item, decisions) for item in meeting.items]
    members: SnapshotJSON = {"meeting": meeting_json(meeting), "items": items}
    public: SnapshotJSON = {"meeting": meeting_json(meeting), "items": [public_item(item) for item in items]}
    public["meeting"].pop("id")
    return members, public


def for_reader(
    snapshot: SnapshotJSON,
    may_see_confidential: Callable[[int | None], bool],
    secret_cases: dict[int, str] | None = None,
) -> list[ItemJSON]:
    """The members' items as one reader may see them.

    ``may_see_confidential(case_id)`` says whether the reader may read that case's secrets. If not,
    a confidential item shows as in public (``withheld``), a confidential bilaga of another item only
    as "Sekretessbelagd bilaga" without its title or file, and a delegated decision in a confidential
    case as in public. ``secret_cases`` (case id → public title) names the cases that have become
    confidential since the snapshot was taken: their items and decisions count as confidential too.
    """
    secret_cases = secret_cases or {}
    closed = snapshot["meeting"].get("closed_section") or CONFIDENTIAL_SECTION
    out: list[ItemJSON] = []
    for item in snapshot["items"]:
        case_id = item.get("case_id")
        if case_id is not None and case_id in secret_cases and item["kind"] != ItemKind.confidential_case.value:
            item = {
                **item,
                "kind": ItemKind.confidential_case.value,
                "section": closed,
                "public_title": secret_cases[case_id],
            }
        if item["kind"] == ItemKind.confidential_case.value and not may_see_confidential(item.get("case_id")):
            shown = public_item(item)
            shown["withheld"] = True
            out.append(shown)
            continue
        shown = {**item, "withheld": False}
        if any(a["is_confidential"] for a in item["attachments"]) and not may_see_confidential(item.get("case_id")):
            shown["attachments"] = [_withheld_attachment(a) if a["is_confidential"] else a for a in item["attachments"]]
        if "delegation_decisions" in item:
            decisions: list[DecisionJSON] = [
                {**d, "is_confidential": True, "public_title": secret_cases[case_of]}
                if (case_of := d.get("case_id")) is not None and case_of in secret_cases
                else d
                for d in item["delegation_decisions"]
            ]
            shown["delegation_decisions"] = [
                {**public_decision(d), "withheld": True}
                if d["is_confidential"] and not may_see_confidential(d.get("case_id"))
                else d
                for d in decisions
            ]
        out.append(shown)
    return out


def items_for(snapshot: SnapshotJSON, user: User | None) -> list[ItemJSON]:
    """The members' items as ``user`` may read them (for_reader with the permission table).

    The committee's members read the confidential items they are to decide on (DOMAIN.md: the
    members' version has all handlingar); a staff member only what they may see in the diarium.
    """
    from app.permissions import Action, can

    seen: dict[int | None, bool] = {}

    def may_see(case_id: int | None) -> bool:
        if case_id not in seen:
            case = db.session.get(Case, case_id) if case_id is not None else None
            seen[case_id] = case is not None and (
                can(user, Action.read_confidential_handlingar, case) or can(user, Action.view_confidential, case)
            )
        return seen[case_id]

    return for_reader(snapshot, may_see, secret_now(snapshot))


def _withheld_attachment(attachment: AttachmentJSON) -> AttachmentJSON:
    return {
        "id": None,
        "number": attachment["number"],
        "title": "Sekretessbelagd bilaga",
        "sha256": None,
        "filename": None,
        "content_type": None,
        "is_confidential": True,
        "withheld": True,
    }


# --- checks before publishing -------------------------------------------------------------------


def _public_texts(meeting: Meeting, public: SnapshotJSON) -> list[tuple[str, str, bool]]:
    """Every text the public version shows, with where it is (Swedish) and whether it is a report's text."""
    m = public["meeting"]
    texts = [
        ("Sammanträdets plats", m["place"]),
        ("Kallelsens ort", m["notice_place"] or ""),
        ("Ordförande", m["chair_name"] or ""),
        ("Sekreterare", m["secretary_name"] or ""),
    ]
    reports: list[tuple[str, str, bool]] = []
    items = {item.number: item for item in meeting.items}
    for entry in public["items"]:
        where = f"Punkt {entry['number']}"
        texts.append((f"{where}, rubrik", entry["title"]))
        texts += [
            (f"{where}, anteckning", entry["note"] or ""),
            (f"{where}, extern referens", entry["external_reference"] or ""),
        ]
        for i, part in enumerate(entry["parts"], start=1):
            texts.append((f"{where}, del {i}", f"{part['title']} {part.get('presenter') or ''}"))
        for marker in entry.get("markers", []):
            texts.append((f"{where}, markering", marker))
        for decision in entry.get("delegation_decisions", []):
            texts.append(
                (
                    f"{where}, delegationsbeslut {decision['decided_on']}",
                    f"{decision['decision_maker']} {decision['summary']}",
                )
            )
        for attachment in entry["attachments"]:
            texts.append((f"{where}, bilaga {attachment['number']}", attachment["title"]))
        if entry["report"] is not None:
            case = items[entry["number"]].case
            report = report_ops.report_for(case) if case is not None else None
            assert report is not None, "a report is published only with its case"
            content = ReportContent.from_json(report.revision_numbered(entry["report"]["revision"]).content)
            reports.append((f"{where}, tjänsteutlåtandet", _report_text(content), True))
    return [(where, text, False) for where, text in texts] + reports


def _report_text(content: ReportContent) -> str:
    parts = [content.title] + [html_to_text(html) for html in content.sections.values()]
    parts += [p.text for p in content.proposals] + content.recipients
    parts += [f"{s.name} {s.title}" for s in content.signatories]
    return "\n".join(parts)


def publication_problems(meeting: Meeting, decisions: list[DelegationDecision]) -> list[str]:
    """Why the kallelse cannot be published now (empty when it can), each naming where."""
    problems: list[str] = []
    missing = [label for field, label in REQUIRED_NOTICE_FIELDS.items() if not getattr(meeting, field)]
    if missing:
        problems.append(f"Kallelsen saknar {', '.join(missing)} i avslutningen.")
    _members, public = build_snapshots(meeting, decisions)
    texts = _public_texts(meeting, public)
    for where, text, _is_report in texts:
        for number in find_identity_numbers(text):
            problems.append(f"{where}: innehåller ett {number.kind} ({_masked(number.text)}).")
    # Anything of a confidential case of the committee (the agenda's, the delegated decisions' and others).
    problems += secrecy_problems(texts, confidential_marks(meeting, decisions))
    return problems


def _masked(text: str) -> str:
    """Show where a personnummer is without repeating it whole: the date part and ****."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[:-4] + "-****"


# --- what changed -----------------------------------------------------------------------------


def describe_changes(old: SnapshotJSON, new: SnapshotJSON) -> list[str]:
    """Swedish lines saying what differs between two members' snapshots."""
    lines: list[str] = []
    labels: dict[str, str] = {
        "start": "Tid",
        "place": "Plats",
        "notice_place": "Ort",
        "notice_date": "Datum",
        "chair_name": "Ordförande",
        "secretary_name": "Sekreterare",
        "is_public": "Öppet sammanträde",
        "title": "Rubrik",
        "closed_section": "Den slutna delens namn",
        "handling_later_text": "Texten för handling som kommer senare",
    }
    old_meeting: Mapping[str, object] = old["meeting"]
    new_meeting: Mapping[str, object] = new["meeting"]
    # A version published before the conventions were kept was written with the defaults.
    defaults = {"closed_section": CONFIDENTIAL_SECTION, "handling_later_text": DEFAULT_HANDLING_LATER}
    for key, label in labels.items():
        was, now = old_meeting.get(key, defaults.get(key)), new_meeting.get(key, defaults.get(key))
        if was != now:
            lines.append(f"{label} ändrad: {_shown(was)} → {_shown(now)}.")
    old_items = {item["id"]: item for item in old["items"]}
    new_items = {item["id"]: item for item in new["items"]}
    for item in new["items"]:
        before = old_items.get(item["id"])
        name = _item_name(item)
        if before is None:
            lines.append(f"Ny punkt {item['number']}: {name}.")
            continue
        if before["number"] != item["number"]:
            lines.append(f"{name} är nu punkt {item['number']} (var {before['number']}).")
        if before["kind"] != item["kind"] and item["kind"] == ItemKind.confidential_case.value:
            lines.append(f"Punkt {item['number']} är nu ett sekretessärende och visas bara med sin offentliga rubrik.")
        elif before["kind"] != item["kind"] and before["kind"] == ItemKind.confidential_case.value:
            lines.append(f"Punkt {item['number']} är inte längre ett sekretessärende.")
        elif before["title"] != item["title"]:
            lines.append(f"Punkt {item['number']} har ny rubrik.")
        if before.get("note") != item.get("note") or before.get("external_reference") != item.get("external_reference"):
            lines.append(f"Punkt {item['number']}: anteckningen ändrad.")
        if before.get("section") != item.get("section") and item["kind"] != ItemKind.confidential_case.value:
            lines.append(f"Punkt {item['number']} står nu under {_shown(item.get('section'))}.")
        if before.get("markers", []) != item.get("markers", []):
            lines.append(
                f"Punkt {item['number']}: markeringarna ändrade ({_shown(' '.join(item.get('markers', [])))})."
            )
        if before.get("parts") != item.get("parts"):
            lines.append(f"Punkt {item['number']}: delarna ändrade.")
        if before.get("report") != item.get("report"):
            lines.append(f"Punkt {item['number']}: tjänsteutlåtandet har tillkommit eller ändrats.")
        if before.get("attachments") != item.get("attachments"):
            lines.append(f"Punkt {item['number']}: bilagorna har ändrats.")
        if before.get("delegation_decisions") != item.get("delegation_decisions"):
            lines.append(f"Punkt {item['number']}: listan över delegationsbeslut har ändrats.")
    for item_id, item in old_items.items():
        if item_id not in new_items:
            lines.append(f"Punkt {item['number']} i förra versionen ({_item_name(item)}) är borttagen.")
    return lines


def _item_name(item: ItemJSON) -> str:
    """How a change line names an item (a confidential one by its public title, so lines may be public)."""
    title = item.get("public_title") if item["kind"] == ItemKind.confidential_case.value else item["title"]
    title = title or "Sekretessärende"
    return f"”{title[:80]}{'…' if len(title) > 80 else ''}”"


def _shown(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)
