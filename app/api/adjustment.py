"""Justering in the API: the state of a protokoll's justering, its PDF, approving (the password entered again) or
rejecting it, a rättelse; and the anslagstavla, public.

Each endpoint loads through agenda.minutes.adjustment_access (404 or 403, as the pages), calls one operation and
commits once. The PDF approved is always the current revision's, rendered by tasks.adjustment_documents.
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, request, url_for
from flask_login import current_user

from agenda.minutes import adjustment as adj
from agenda.minutes import adjustment_access as access
from agenda.minutes import announcements as anslag
from agenda.minutes.adjustment_models import AdjustmentKind, Announcement
from agenda.minutes.models import Minutes
from app.api import PUBLIC_ENDPOINTS, bp
from app.api.adjustment_schemas import (
    KIND,
    AnnouncementList,
    AnnouncementQuery,
    AnnouncementReply,
    ApprovalResult,
    Approve,
    JusteringReply,
    NewCorrection,
    PutUpChange,
    Reject,
)
from app.api.schemas import INT_MAX
from app.api.spec import body_values, described, query_values
from app.clock import local_today, to_local
from app.extensions import db, limiter, sqlite_read_only
from app.validation import ConflictError
from tasks.adjustment_documents import review_pdf, send_review_pdf, stored_review_pdf
from tasks.protocol_jobs import pending_job
from tasks.rendering.conversion_errors import ConversionFailed, ConverterUnavailable
from workflows.access import acting_user

TAG = "Justering"
PUBLIC_TAG = "Offentligt"
MEETING = {"meeting_id": "Sammanträdets id."}
WRITE = ("BadRequest", "Forbidden", "NotFound", "Conflict", "UnsupportedMediaType", "Unprocessable")

PUBLIC_ENDPOINTS.update({"api.list_public_announcements", "api.get_public_announcement"})


def _document(minutes: Minutes, paragraphs: tuple[int, ...]) -> tuple[adj.ReviewedDocument | None, str | None]:
    try:
        return review_pdf(minutes, paragraphs), None
    except (ConversionFailed, ConverterUnavailable) as exc:
        return None, f"Protokollet kunde inte framställas som PDF: {exc}"


def _seen_document(minutes: Minutes, paragraphs: tuple[int, ...]) -> adj.ReviewedDocument:
    """The round's PDF as rendered when it was read: an approval is of a PDF someone has seen, never made now."""
    document = stored_review_pdf(minutes, paragraphs)
    if document is None:
        raise ConflictError(adj.CHANGED)
    return document


def _answer(minutes: Minutes, status: str | None = None, code: int = 200):
    """The justering's state after a change is committed: read (and its PDF rendered) outside a write lock."""
    with sqlite_read_only():
        state = justering_json(minutes)
    body = {"justering": state} if status is None else {"status": status, "justering": state}
    return jsonify(body), code


def round_json(minutes: Minutes, kind: AdjustmentKind, paragraphs: tuple[int, ...]) -> dict:
    document, problem = _document(minutes, paragraphs)
    state = adj.current_round(minutes, kind, paragraphs, document)
    return {
        "kind": state.kind.value,
        "label": state.label,
        "paragraphs": list(state.paragraphs),
        "revision": state.revision,
        "pdf_sha256": state.pdf_sha256,
        "pdf_url": url_for(
            "api.get_justering_pdf", meeting_id=minutes.meeting_id, kind=state.kind.value, _external=True
        ),
        "obstacles": [*state.obstacles, *([problem] if problem else [])],
        "approvers": [
            {
                "seat_id": a.seat.id,
                "name": a.seat.name,
                "party": a.seat.party,
                "role": a.role,
                "has_account": a.seat.user_id is not None,
                "decision": {
                    "approved": a.decision.is_approved,
                    "at": a.decision.created_dt.isoformat(),
                    "comment": a.decision.comment,
                    "pdf_sha256": a.decision.pdf_sha256,
                }
                if a.decision
                else None,
            }
            for a in state.approvers
        ],
    }


def announcement_json(announcement: Announcement) -> dict:
    """An anslag as the public reads it: public headings only, the rättelser by the parts they changed."""
    return {
        "id": announcement.id,
        "committee_id": announcement.committee_id,
        "organ": announcement.organ,
        "meeting_date": announcement.meeting_date.isoformat(),
        "kind": announcement.kind.value,
        "paragraphs": [{"number": p.number, "title": p.title} for p in anslag.public_paragraphs(announcement)],
        "adjusted_on": announcement.adjusted_on.isoformat(),
        "put_up_on": announcement.put_up_on.isoformat(),
        "last_appeal_day": announcement.last_appeal_day.isoformat(),
        "taken_down_on": announcement.taken_down_on.isoformat(),
        "kept_at": announcement.kept_at,
        "is_up": announcement.is_up_on(local_today()),
        "corrections": [
            {"adjusted_on": to_local(c.closed_dt).date().isoformat() if c.closed_dt else None, "parts": list(c.parts)}
            for c in anslag.corrections_shown(announcement)
        ],
        "url": url_for("public.announcement", announcement_id=announcement.id, _external=True),
    }


def justering_json(minutes: Minutes) -> dict:
    return {
        "meeting_id": minutes.meeting_id,
        "revision": minutes.current_revision,
        "is_adjusted": minutes.is_adjusted,
        "adjusted_dt": minutes.adjusted_dt.isoformat() if minutes.adjusted_dt else None,
        "rounds": [round_json(minutes, kind, paragraphs) for kind, paragraphs in adj.rounds_to_adjust(minutes)],
        "adjustments": [
            {
                "kind": a.kind.value,
                "paragraphs": list(a.paragraphs),
                "revision": a.revision,
                "pdf_sha256": a.pdf_sha256,
                "sealed_pdf_sha256": a.sealed_pdf_sha256,
                "sealed_extracts": [dict(e) for e in a.sealed_extracts] if a.sealed_extracts is not None else None,
                "adjusted_dt": a.adjusted_dt.isoformat(),
            }
            for a in adj.adjustments_of(minutes)
        ],
        "corrections": [
            {
                "id": c.id,
                "description": c.description,
                "opened_dt": c.opened_dt.isoformat(),
                "closed_dt": c.closed_dt.isoformat() if c.closed_dt else None,
                "parts": list(c.parts),
            }
            for c in adj.corrections_of(minutes)
        ],
        "announcements": [announcement_json(a) for a in adj.announcements_of(minutes)],
    }


@bp.get("/meetings/<int:meeting_id>/minutes/justering")
@described(
    operation_id="getJustering",
    tag=TAG,
    summary="Protokollets justering",
    responses={200: (JusteringReply, "Vad som ska justeras, av vem, hur långt det har kommit, och anslagen.")},
    description="Nämndens ledamöter och sekreterare. Varje omgång anger PDF:en att granska (`pdf_url`) och dess "
    "sha256, som skickas med när man justerar: bara godkännanden av just den PDF:en räknas.",
    errors=("Forbidden", "NotFound"),
    path_parameters=MEETING,
)
def get_justering(meeting_id: int):
    minutes = access.load_for_reading(current_user, meeting_id)
    return jsonify(justering=justering_json(minutes))


@bp.get("/meetings/<int:meeting_id>/minutes/justering/<kind>.pdf")
@described(
    operation_id="getJusteringPdf",
    tag=TAG,
    summary="PDF:en att granska",
    responses={200: (("application/pdf",), "Protokollet (eller paragraferna som justeras omedelbart) som PDF.")},
    description="Den aktuella versionen av omgången `kind` (`full`, `immediate` eller `correction`). 409 när "
    "den omgången inte väntar på justering.",
    errors=("Forbidden", "NotFound", "Conflict"),
    path_parameters={**MEETING, "kind": KIND},
    path_choices={"kind": [k.value for k in AdjustmentKind]},
)
def get_justering_pdf(meeting_id: int, kind: str):
    if kind not in {k.value for k in AdjustmentKind}:
        abort(404)
    minutes = access.load_for_reading(current_user, meeting_id)
    _kind, paragraphs = adj.round_of(minutes, kind)
    response = send_review_pdf(minutes, paragraphs)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _approval_limit() -> str:
    """Wrong passwords on approvals are limited as log-ins are (a justering asks for the password again)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def _approver_key() -> str:
    return f"justering:{current_user.get_id() or request.remote_addr}"


@bp.post("/meetings/<int:meeting_id>/minutes/justering/approve")
@limiter.limit(_approval_limit, key_func=_approver_key, deduct_when=lambda r: r.status_code == 422)
@described(
    operation_id="approveMinutes",
    tag=TAG,
    summary="Justera protokollet",
    body=Approve,
    responses={200: (ApprovalResult, "Godkännandet; när alla har godkänt är protokollet justerat och anslaget uppe.")},
    description="Ordföranden eller en justerare vid sammanträdet, med sitt lösenord på nytt och sha256 av PDF:en "
    "hen granskade. 403: inte ordförande eller justerare vid sammanträdet. 409: PDF:en är inte längre den "
    "aktuella (protokollet har ändrats), eller protokollet är redan justerat. 422: fel lösenord.",
    errors=WRITE,
    path_parameters=MEETING,
)
def approve_minutes(meeting_id: int):
    minutes = access.load_for_approving(current_user, meeting_id)
    values = body_values()
    kind, paragraphs = adj.round_of(minutes, values.get("kind", AdjustmentKind.full))
    document = _seen_document(minutes, paragraphs)
    adj.approve(
        minutes,
        user=acting_user(),
        kind=kind,
        document=document,
        seen_sha256=values.get("pdf_sha256", ""),
        password=values.get("password", ""),
    )
    db.session.commit()
    return _answer(minutes, "approved")


@bp.post("/meetings/<int:meeting_id>/minutes/justering/reject")
@described(
    operation_id="rejectMinutes",
    tag=TAG,
    summary="Godkänn inte protokollet",
    body=Reject,
    responses={200: (ApprovalResult, "Beskedet med kommentaren till sekreteraren.")},
    description="Ordföranden eller en justerare, med vad som ska rättas; sekreteraren rättar och den nya "
    "versionen går runt igen.",
    errors=WRITE,
    path_parameters=MEETING,
)
def reject_minutes(meeting_id: int):
    minutes = access.load_for_approving(current_user, meeting_id)
    values = body_values()
    kind, paragraphs = adj.round_of(minutes, values.get("kind", AdjustmentKind.full))
    document = _seen_document(minutes, paragraphs)
    adj.reject(
        minutes,
        user=acting_user(),
        kind=kind,
        document=document,
        seen_sha256=values.get("pdf_sha256", ""),
        comment=values.get("comment", ""),
    )
    db.session.commit()
    return _answer(minutes, "rejected")


@bp.post("/meetings/<int:meeting_id>/minutes/corrections")
@described(
    operation_id="startCorrection",
    tag=TAG,
    summary="Påbörja en rättelse av ett justerat protokoll",
    body=NewCorrection,
    responses={201: (JusteringReply, "Rättelsen: protokollet kan ändras och justeras sedan på nytt.")},
    description="Sekreteraren. 409 när protokollet inte är justerat eller en rättelse redan pågår.",
    errors=WRITE,
    path_parameters=MEETING,
)
def start_correction(meeting_id: int):
    minutes = access.load_for_correcting(current_user, meeting_id)
    adj.start_correction(minutes, user=acting_user(), description=body_values().get("description", ""))
    db.session.commit()
    return _answer(minutes, code=201)


@bp.patch("/meetings/<int:meeting_id>/minutes/announcements/<int:announcement_id>")
@described(
    operation_id="movePutUpDate",
    tag=TAG,
    summary="Sätt upp anslaget en senare dag",
    body=PutUpChange,
    responses={200: (AnnouncementReply, "Anslaget med sina nya datum.")},
    description="Sekreteraren, på justeringens dag och innan det justerade protokollet förseglas med anslagets "
    "datum. 422: ett datum före justeringen eller senare än andra dagen efter den; 409: anslaget sitter redan uppe, "
    "eller protokollet är förseglat (eller förseglas nu) med anslagets datum.",
    errors=WRITE,
    path_parameters={**MEETING, "announcement_id": "Anslagets id."},
)
def move_put_up_date(meeting_id: int, announcement_id: int):
    minutes = access.load_for_correcting(current_user, meeting_id)
    announcement = access.announcement_of(minutes, announcement_id)
    anslag.move_put_up_date(
        announcement,
        user=acting_user(),
        put_up_on=body_values().get("put_up_on"),
        sealing=pending_job(minutes) is not None,
    )
    db.session.commit()
    return jsonify(announcement=announcement_json(announcement))


# --- the anslagstavla, public ------------------------------------------------------------------------------


@bp.get("/public/anslagstavla")
@described(
    operation_id="listPublicAnnouncements",
    tag=PUBLIC_TAG,
    summary="Anslagstavlan",
    query=AnnouncementQuery,
    responses={200: (AnnouncementList, "Anslagen som sitter uppe i dag, senast uppsatta först.")},
    description="`archive=true`: de som tagits ned, senast nedtagna först. Utan inloggning.",
    errors=("BadRequest",),
    is_public=True,
)
def list_public_announcements():
    args = query_values()
    found = anslag.archived_announcements() if args.get("archive") else anslag.current_announcements()
    return jsonify(announcements=[announcement_json(a) for a in found])


@bp.get("/public/anslagstavla/<int:announcement_id>")
@described(
    operation_id="getPublicAnnouncement",
    tag=PUBLIC_TAG,
    summary="Ett anslag",
    responses={200: (AnnouncementReply, "Anslaget, uppe eller i arkivet.")},
    description="Ett anslag som ännu inte satts upp ger 404.",
    errors=("NotFound",),
    path_parameters={"announcement_id": "Anslagets id."},
    is_public=True,
)
def get_public_announcement(announcement_id: int):
    found = anslag.public_announcement(announcement_id) if announcement_id <= INT_MAX else None
    if found is None:
        abort(404)
    return jsonify(announcement=announcement_json(found))
