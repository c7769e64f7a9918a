"""Expediering in the API: what each justerad paragraph's protokollsutdrag was sent to and what failed; send the
waiting ones (Expediera) and send a failed one again.

The committee's secretary only (Action.record_minutes through agenda.minutes.access: 404 when the meeting is
unknown to the user or has no protokoll, 403 otherwise); each change calls one operation of
agenda.minutes.dispatch and commits once (the outbox hands the e-mails to the worker after the commit).
"""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from agenda.minutes import access
from agenda.minutes import dispatch as expediering
from agenda.minutes.dispatch_models import MinutesDispatch
from agenda.minutes.models import Minutes
from app.api import bp
from app.api.dispatch_schemas import ExpedieringReply
from app.api.spec import described
from app.extensions import db
from app.permissions import Action
from workflows.access import acting_user

TAG = "Protokoll"
MEETING = {"meeting_id": "Sammanträdets id."}
WRITE = ("Forbidden", "NotFound", "Conflict")


def _dispatch_json(row: MinutesDispatch, may_resend: bool) -> dict:
    status = row.status
    return {
        "id": row.id,
        "attempt": row.attempt,
        "channel": row.channel.value,
        "channel_label": row.channel.label,
        "status": status.value,
        "status_label": status.label,
        "to_address": row.to_address,
        "user_id": row.user_id,
        "created_at": row.created_dt.isoformat(),
        "sent_at": row.sent_dt.isoformat() if row.sent_dt else None,
        "error": row.error,
        "diarium_document": row.registered_document.number if row.registered_document else None,
        "may_resend": may_resend,
    }


def expediering_json(minutes: Minutes) -> dict:
    paragraphs = expediering.state_of(minutes)
    out = []
    for p in paragraphs:
        document = p.document
        out.append(
            {
                "number": p.number,
                "title": p.title,
                "is_confidential": p.is_confidential,
                "case_number": p.case.number if p.case else None,
                "extract": None
                if document is None
                else {
                    "id": document.id,
                    "revision": document.revision,
                    "pdf_url": url_for(
                        "api.minutes_document_file", meeting_id=minutes.meeting_id, document_id=document.id, fmt="pdf"
                    ),
                    "pdf_sha256": document.pdf_sha256,
                },
                "recipients": [
                    {
                        "recipient": r.text,
                        "status": r.latest.status.value if r.latest else "waiting",
                        "attempts": [_dispatch_json(a, r.may_resend and a is r.latest) for a in r.attempts],
                    }
                    for r in p.recipients
                ],
            }
        )
    return {
        "is_adjusted": minutes.is_adjusted,
        "waiting": sum(len(p.waiting) for p in paragraphs if p.document is not None),
        "paragraphs": out,
    }


@bp.get("/meetings/<int:meeting_id>/minutes/expediering")
@described(
    operation_id="getExpediering",
    tag=TAG,
    summary="Expedieringen av protokollets beslut",
    responses={200: (ExpedieringReply, "Varje justerad paragraf: utdraget, mottagarna och varje utskick.")},
    description="Vad varje justerad paragrafs protokollsutdrag skickats till, hur och när, och vad som misslyckades "
    "(en mottagare utan adress, ett sekretessärende som inte skickas med e-post, ett e-postmeddelande som inte "
    "kunde skickas). Bara nämndsekreteraren.",
    errors=("Forbidden", "NotFound"),
    path_parameters=MEETING,
)
def get_expediering(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    return jsonify(expediering_json(minutes))


@bp.post("/meetings/<int:meeting_id>/minutes/expediering")
@described(
    operation_id="expedite",
    tag=TAG,
    summary="Expediera besluten",
    responses={200: (ExpedieringReply, "Expedieringen efter utskicken.")},
    description="Skickar varje justerad paragrafs förseglade protokollsutdrag till varje mottagare i ”Beslutet "
    "skickas till” som inte fått det ännu: e-post med PDF:en, eller ett meddelande i Nämndflöde till en användare "
    "som får läsa protokollet. Ett sekretessärendes utdrag skickas aldrig med e-post. Varje utskick registreras "
    "som utgående handling i ärendets diarium och ärendets tjänsteutlåtande blir beslutat. Ett upprepat anrop "
    "skickar inget två gånger. 409: protokollet är inte justerat, utdragen är inte skapade, en rättelse pågår "
    "eller inget väntar. Bara nämndsekreteraren. Ingen kropp behövs.",
    errors=WRITE,
    path_parameters=MEETING,
)
def expedite(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    expediering.expedite(minutes, user=acting_user())
    db.session.commit()
    return jsonify(expediering_json(minutes))


@bp.post("/meetings/<int:meeting_id>/minutes/expediering/<int:dispatch_id>/resend")
@described(
    operation_id="resendDispatch",
    tag=TAG,
    summary="Skicka ett misslyckat utskick igen",
    responses={200: (ExpedieringReply, "Expedieringen efter det nya försöket.")},
    description="Ett nytt försök för en mottagare vars senaste utskick misslyckades (t.ex. ett e-postmeddelande "
    "som studsade). Diariets handling är det första utskickets. 409: utskicket misslyckades inte, är inte det "
    "senaste, eller kan inte skickas härifrån (ingen adress, sekretess). Bara nämndsekreteraren.",
    errors=WRITE,
    path_parameters={**MEETING, "dispatch_id": "Utskickets id."},
)
def resend_dispatch(meeting_id: int, dispatch_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    expediering.resend(minutes, user=acting_user(), dispatch_id=dispatch_id)
    db.session.commit()
    return jsonify(expediering_json(minutes))
