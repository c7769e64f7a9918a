"""JSON for meetings, agenda items, publications and delegated decisions in the API.

Live data (the agenda being built) is shown as the caller may see it: a confidential item whose
case the caller may not read shows its public title only, like the public version. Published
kallelser are shown from their immutable snapshots, never from live data.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from agenda.access import item_withheld, shown_decision
from agenda.models import AgendaItem, DelegationDecision, ItemKind, Meeting, Publication
from agenda.secrecy import public_changes_now, public_items_now
from agenda.snapshot import items_for, proposes_immediate_adjustment, public_item
from app.api.schemas import committee_ref, iso, iso_dt, user_ref
from app.auth.models import User
from app.clock import to_local
from app.extensions import db
from app.permissions import Action, can
from workflows import operations as report_ops


def local_iso(value) -> str | None:
    """A UTC time as Swedish local time with its offset, e.g. 2027-02-23T18:00:00+01:00."""
    return to_local(value).isoformat() if value else None


def meeting_links(meeting_id: int) -> dict:
    def api(endpoint: str) -> str:
        return url_for(endpoint, meeting_id=meeting_id, _external=True)

    return {
        "self": api("api.get_meeting"),
        "items": api("api.list_meeting_items"),
        "order": api("api.reorder_meeting_items"),
        "publication_check": api("api.meeting_publication_check"),
        "publications": api("api.list_meeting_publications"),
    }


def meeting_json(meeting: Meeting, *, viewer: User | None = None) -> dict:
    """A meeting; with ``viewer`` also its agenda as that user may see it."""
    latest = db.session.execute(
        select(Publication.version, Publication.published_dt)
        .where(Publication.meeting_id == meeting.id)
        .order_by(Publication.version.desc())
        .limit(1)
    ).first()
    out = {
        "id": meeting.id,
        "committee": committee_ref(meeting.committee),
        "start": local_iso(meeting.start_dt),
        "place": meeting.place,
        "is_public": meeting.is_public,
        "status": meeting.status.value,
        "status_label": meeting.status.label,
        "cancelled": meeting.is_cancelled,
        "cancelled_at": iso_dt(meeting.cancelled_dt) if meeting.cancelled_dt else None,
        "cancellation_reason": meeting.cancellation_reason,
        "notice_deadline": iso(meeting.notice_deadline),
        "notice_place": meeting.notice_place,
        "notice_date": iso(meeting.notice_date),
        "chair_name": meeting.chair_name,
        "secretary_name": meeting.secretary_name,
        "agenda_version": meeting.agenda_version,
        "latest_publication": (
            {"version": latest.version, "published_at": iso_dt(latest.published_dt)} if latest else None
        ),
        "links": meeting_links(meeting.id),
    }
    if viewer is not None:
        out["items"] = [item_json(item, viewer) for item in meeting.items]
    return out


def item_json(item: AgendaItem, viewer: User) -> dict:
    """An agenda item as ``viewer`` may see it (a confidential case they may not read: its public title only)."""
    case = item.case
    withheld = item_withheld(item, viewer)
    report = report_ops.report_for(case) if case is not None and not withheld else None
    show_report = report is not None and can(viewer, Action.view_report, case)
    return {
        "id": item.id,
        "number": item.number,
        "kind": item.shown_kind.value,
        "kind_label": item.shown_kind.label,
        "section": item.section,
        "section_id": None if withheld else item.section_id,
        "markers": [] if withheld else [m.label for m in item.markers],
        "marker_ids": [] if withheld else [m.id for m in item.markers],
        "immediate_adjustment": not withheld and proposes_immediate_adjustment(item),
        "title": case.display_public_title if withheld and case is not None else item.title,
        "case_id": None if withheld else item.case_id,
        "case_number": case.number if case is not None and not withheld else None,
        "public_title": case.display_public_title if item.is_confidential and case is not None else None,
        "note": None if withheld else item.note,
        "external_reference": None if withheld else item.external_reference,
        "parts": [] if withheld else list(item.parts or []),
        "is_handling_later": item.is_handling_later,
        "report_state": report.state.value if show_report else None,
        "outcome": item.outcome.value if item.outcome else None,
        "outcome_label": item.outcome.label if item.outcome else None,
        "withheld": withheld,
        "links": {"self": url_for("api.get_meeting_item", meeting_id=item.meeting_id, item_id=item.id, _external=True)},
    }


def agenda_json(meeting: Meeting, viewer: User) -> dict:
    """The agenda's items in order with the version a change must be based on."""
    return {"items": [item_json(item, viewer) for item in meeting.items], "agenda_version": meeting.agenda_version}


# --- publications ---------------------------------------------------------------------------------


def publication_summary_json(publication: Publication) -> dict:
    return {
        "version": publication.version,
        "published_at": iso_dt(publication.published_dt),
        "published_by": user_ref(publication.published_by),
        "changes": list(publication.changes or []),
        "late_reason": publication.late_reason,
        "links": {
            "self": url_for(
                "api.get_meeting_publication",
                meeting_id=publication.meeting_id,
                version=publication.version,
                _external=True,
            )
        },
    }


def reader_items(snapshot: dict, viewer: User) -> list[dict]:
    """The members' items of a publication as ``viewer`` may read them (agenda.snapshot.for_reader)."""
    return items_for(snapshot, viewer)


def publication_json(publication: Publication, viewer: User) -> dict:
    """A published kallelse, the members' version, as ``viewer`` may read it."""
    snapshot = publication.members_snapshot
    return {
        **publication_summary_json(publication),
        "meeting": snapshot["meeting"],
        "items": reader_items(snapshot, viewer),
    }


# --- the public version ---------------------------------------------------------------------------


def public_listing_json(meeting: Meeting, publication: Publication) -> dict:
    """A published meeting as the public list shows it: from its latest public snapshot."""
    shown = publication.public_snapshot["meeting"]
    return {
        "id": meeting.id,
        "committee": shown["committee"],
        "municipality": shown.get("municipality"),
        "start": shown["start"],
        "place": shown["place"],
        "is_public": shown["is_public"],
        "cancelled": meeting.is_cancelled,
        "latest_version": publication.version,
        "published_at": iso_dt(publication.published_dt),
        "links": {"kallelse": url_for("api.get_public_kallelse", meeting_id=meeting.id, _external=True)},
    }


def public_kallelse_json(publication: Publication, versions: list) -> dict:
    """The public version of a published kallelse (its immutable public snapshot) and the other versions."""
    snapshot = publication.public_snapshot
    return {
        "meeting_id": publication.meeting_id,
        "version": publication.version,
        "published_at": iso_dt(publication.published_dt),
        "cancelled": publication.meeting.is_cancelled,
        "changes": public_changes_now(publication),
        "meeting": snapshot["meeting"],
        "items": [_public_item_again(item) for item in public_items_now(publication)],
        "versions": [
            {
                "version": p.version,
                "published_at": iso_dt(p.published_dt),
                "url": url_for("api.get_public_kallelse", meeting_id=p.meeting_id, version=p.version, _external=True),
            }
            for p in versions
        ],
    }


def _public_item_again(item: dict) -> dict:
    """Belt and braces: a confidential item of a stored public snapshot passes through the public filter again."""
    if item.get("kind") == ItemKind.confidential_case.value:
        return public_item({**item, "public_title": item.get("title")})
    return item


# --- delegated decisions -----------------------------------------------------------------------------


def delegation_decision_json(decision: DelegationDecision, viewer: User) -> dict:
    """A delegated decision as ``viewer`` may see it (agenda.access.shown_decision: one in a confidential case
    the viewer may not read shows its public title only)."""
    shown = shown_decision(decision, viewer)
    return {
        "id": decision.id,
        "decided_on": iso(decision.decided_on),
        "decision_maker": decision.decision_maker,
        "delegation_point": decision.delegation_point,
        "case_id": shown.case_id,
        "case_number": shown.case_number,
        "summary": shown.summary,
        "is_confidential": shown.is_confidential,
        "withheld": shown.withheld,
        "registered_at": iso_dt(decision.registered_dt),
        "registered_by": user_ref(decision.registered_by),
    }
