"""The protokoll in the API: the committee's seats, förhinder and who is called in, yrkanden filed in advance,
and the protokoll itself (start it, open paragraphs, save the attendance and justering or a paragraph).

The operations in agenda.minutes validate and change; each endpoint loads through agenda.minutes.access (404
or 403, as the pages will), calls one operation and commits once. The committee's members read; its secretary
records; a member reports their own förhinder and files their own yrkanden.
"""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from agenda import access as agenda_access
from agenda.minutes import access
from agenda.minutes import operations as minutes_ops
from agenda.minutes import seats as seat_ops
from agenda.minutes.models import Absence, CommitteeSeat, FiledMotion, Minutes
from agenda.minutes.rules import has_quorum, serving_at, vote_result
from app.api import bp
from app.api.minutes_schemas import (
    AbsenceList,
    AbsenceReply,
    FiledMotionList,
    FiledMotionReply,
    HeaderChange,
    MinutesReply,
    MinutesSaveRefused,
    NewAbsence,
    NewFiledMotion,
    NewParagraph,
    NewSeat,
    ParagraphChange,
    SeatChange,
    SeatList,
    SeatReply,
)
from app.api.schemas import InputError
from app.api.spec import body_sent, body_values, described
from app.auth.models import User
from app.extensions import db
from app.permissions import Action
from workflows.access import acting_user

TAG = "Protokoll"
WRITE = ("BadRequest", "Forbidden", "NotFound", "Conflict", "UnsupportedMediaType", "Unprocessable")
SAVE = tuple(e for e in WRITE if e != "Conflict")
COMMITTEE = {"committee_id": "Nämndens id."}
MEETING = {"meeting_id": "Sammanträdets id."}
ITEM = {**MEETING, "item_id": "Punktens id."}
LOCATION = {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "Adressen i API:t."}}


def seat_json(seat: CommitteeSeat) -> dict:
    return {
        "id": seat.id,
        "kind": seat.kind.value,
        "position": seat.position,
        "name": seat.name,
        "party": seat.party,
        "office": seat.office.value if seat.office else None,
        "user_id": seat.user_id,
        "is_active": seat.is_active,
    }


def absence_json(absence: Absence) -> dict:
    return {
        "id": absence.id,
        "seat": seat_json(absence.seat),
        "reason": absence.reason,
        "substitute": seat_json(absence.substitute) if absence.substitute else None,
        "reported_dt": absence.reported_dt.isoformat(),
    }


def filed_motion_json(motion: FiledMotion) -> dict:
    return {
        "id": motion.id,
        "seat": seat_json(motion.seat),
        "kind": motion.kind.value,
        "text": motion.text,
        "filed_dt": motion.filed_dt.isoformat(),
    }


def minutes_json(minutes: Minutes) -> dict:
    """The protokoll's newest revision, each paragraph with its id and what the rules compute of it."""
    content = minutes_ops.current_content(minutes)
    seats = seat_ops.as_rule_seats(seat_ops.seats_of(minutes.committee_id))
    members = sum(1 for s in seats if s.is_member)
    rows = {p.number: p for p in minutes.paragraphs}
    attendance = content["header"]["attendance"]
    paragraphs = []
    for paragraph in content["paragraphs"]:
        at = serving_at(seats, attendance, paragraph["number"], paragraph["conflicts"])
        vote = paragraph["vote"]
        result = vote_result({b["seat_id"]: b["ballot"] for b in vote["ballots"]}, at.presiding) if vote else None
        row = rows[paragraph["number"]]
        paragraphs.append(
            {
                **paragraph,
                "id": row.id,
                "serving": sorted(at.serving),
                "has_quorum": has_quorum(at.count, members),
                "vote_result": {
                    "yes": result.yes,
                    "no": result.no,
                    "abstain": result.abstain,
                    "outcome": result.outcome.value,
                    "by_casting_vote": result.by_casting_vote,
                }
                if result
                else None,
                "is_adjusted": row.is_adjusted,
            }
        )
    return {
        "meeting_id": minutes.meeting_id,
        "revision": minutes.current_revision,
        "is_adjusted": minutes.is_adjusted,
        "header": content["header"],
        "paragraphs": paragraphs,
    }


def _minutes_reply(minutes: Minutes, status: int = 200, headers: dict | None = None):
    return jsonify(minutes=minutes_json(minutes)), status, headers or {}


def _based_on(values: dict) -> int:
    if "based_on" not in values:
        raise InputError({"based_on": "Ange vilken version av protokollet ändringen utgår från (based_on)."}, 422)
    return values["based_on"]


def _holder(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    found = db.session.get(User, user_id)
    if found is None:
        raise InputError({"user_id": "Okänd användare."}, status=422)
    return found


# --- seats -------------------------------------------------------------------------------------------------


@bp.get("/committees/<int:committee_id>/seats")
@described(
    operation_id="listCommitteeSeats",
    tag=TAG,
    summary="Nämndens ledamöter och ersättare",
    responses={200: (SeatList, "Ledamöterna i sin ordning, sedan ersättarna i ersättarordningen.")},
    errors=("NotFound",),
    path_parameters=COMMITTEE,
)
def list_committee_seats(committee_id: int):
    committee = access.load_seats_committee(current_user, committee_id)
    return jsonify(seats=[seat_json(s) for s in seat_ops.seats_of(committee.id)])


@bp.post("/committees/<int:committee_id>/seats")
@described(
    operation_id="addCommitteeSeat",
    tag=TAG,
    summary="Lägg till en ledamot eller ersättare",
    body=NewSeat,
    responses={201: (SeatReply, "Platsen, sist i sin ordning.")},
    errors=WRITE,
    path_parameters=COMMITTEE,
)
def add_committee_seat(committee_id: int):
    committee = access.load_seats_committee(current_user, committee_id, Action.manage_seats)
    values = body_values()
    seat = seat_ops.add_seat(
        committee,
        user=acting_user(),
        kind=values.get("kind", ""),
        name=values.get("name"),
        party=values.get("party"),
        office=values.get("office"),
        holder=_holder(values.get("user_id")),
    )
    db.session.commit()
    return jsonify(seat=seat_json(seat)), 201


@bp.patch("/committees/<int:committee_id>/seats/<int:seat_id>")
@described(
    operation_id="updateCommitteeSeat",
    tag=TAG,
    summary="Ändra en ledamots eller ersättares plats",
    body=SeatChange,
    responses={200: (SeatReply, "Platsen som den är nu.")},
    description="Fälten som inte skickas behåller sitt värde; `position` flyttar platsen i sin ordning "
    "(för ersättarna ersättarordningen).",
    errors=WRITE,
    path_parameters={**COMMITTEE, "seat_id": "Platsens id."},
)
def update_committee_seat(committee_id: int, seat_id: int):
    committee = access.load_seats_committee(current_user, committee_id, Action.manage_seats)
    seat = access.seat_of(committee, seat_id)
    sent = body_sent()
    if not sent:
        raise InputError({"body": "Ange minst ett fält att ändra."}, status=422)
    values = {key: value for key, value in sent.items() if key not in ("user_id", "position")}
    if "user_id" in sent:
        values["user"] = sent["user_id"]
    if values:
        seat_ops.update_seat(seat, user=acting_user(), values=values, holder=_holder(sent.get("user_id")))
    if sent.get("position") is not None:
        seat_ops.move_seat(seat, user=acting_user(), to_position=sent["position"])
    db.session.commit()
    return jsonify(seat=seat_json(seat))


# --- förhinder ---------------------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/absences")
@described(
    operation_id="listMeetingAbsences",
    tag=TAG,
    summary="Anmälda förhinder och inkallade ersättare",
    responses={200: (AbsenceList, "Förhindren i den ordning de anmäldes.")},
    errors=("NotFound",),
    path_parameters=MEETING,
)
def list_meeting_absences(meeting_id: int):
    meeting = agenda_access.load_meeting(current_user, meeting_id)
    return jsonify(absences=[absence_json(a) for a in seat_ops.absences_for(meeting)])


@bp.post("/meetings/<int:meeting_id>/absences")
@described(
    operation_id="reportAbsence",
    tag=TAG,
    summary="Anmäl förhinder",
    body=NewAbsence,
    responses={201: (AbsenceReply, "Förhindret och ersättaren som kallats in.")},
    description="En ledamot eller ersättare anmäler för sin egen plats, sekreteraren för vem som helst. "
    "En ersättare av samma parti kallas in i ersättarordningen, annars nästa i ordningen, och får ett "
    "meddelande. 409: sammanträdet har börjat, eller förhindret är redan anmält.",
    errors=WRITE,
    path_parameters=MEETING,
)
def report_absence(meeting_id: int):
    meeting = agenda_access.load_meeting(current_user, meeting_id, Action.report_absence)
    values = body_values()
    user = acting_user()
    if "seat_id" in values:
        seat = access.seat_of(meeting.committee, values["seat_id"])
    else:
        own = seat_ops.seat_of_user(meeting.committee_id, user)
        if own is None:
            raise InputError({"seat_id": "Du har ingen plats i nämnden; ange platsen (seat_id)."}, status=422)
        seat = own
    absence = seat_ops.report_absence(meeting, seat, user=user, reason=values.get("reason"))
    db.session.commit()
    return jsonify(absence=absence_json(absence)), 201


@bp.delete("/meetings/<int:meeting_id>/absences/<int:absence_id>")
@described(
    operation_id="withdrawAbsence",
    tag=TAG,
    summary="Ta tillbaka ett förhinder",
    responses={200: (AbsenceList, "Förhindren som återstår, med ersättarna som kallats in.")},
    description="Den inkallade ersättaren får veta att hen inte behöver tjänstgöra.",
    errors=("Forbidden", "NotFound", "Conflict"),
    path_parameters={**MEETING, "absence_id": "Förhindrets id."},
)
def withdraw_absence(meeting_id: int, absence_id: int):
    meeting = agenda_access.load_meeting(current_user, meeting_id, Action.report_absence)
    seat_ops.withdraw_absence(access.absence_of(meeting, absence_id), user=acting_user())
    db.session.commit()
    return jsonify(absences=[absence_json(a) for a in seat_ops.absences_for(meeting)])


# --- yrkanden in advance -------------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/items/<int:item_id>/motions")
@described(
    operation_id="listFiledMotions",
    tag=TAG,
    summary="Yrkanden inlämnade i förväg",
    responses={200: (FiledMotionList, "Yrkandena som inte dragits tillbaka, äldst först.")},
    errors=("Forbidden", "NotFound"),
    path_parameters=ITEM,
)
def list_filed_motions(meeting_id: int, item_id: int):
    item = agenda_access.load_item(current_user, meeting_id, item_id, Action.view_motions)
    return jsonify(motions=[filed_motion_json(m) for m in seat_ops.filed_motions_for(item)])


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/motions")
@described(
    operation_id="fileMotion",
    tag=TAG,
    summary="Lämna ett yrkande i förväg",
    body=NewFiledMotion,
    responses={201: (FiledMotionReply, "Yrkandet, i din plats namn.")},
    description="Nämndens ledamöter och ersättare, före sammanträdet; nämndens ledamöter läser det.",
    errors=WRITE,
    path_parameters=ITEM,
)
def file_motion(meeting_id: int, item_id: int):
    item = agenda_access.load_item(current_user, meeting_id, item_id, Action.file_motion)
    values = body_values()
    motion = seat_ops.file_motion(item, user=acting_user(), kind=values.get("kind", ""), text=values.get("text"))
    db.session.commit()
    return jsonify(motion=filed_motion_json(motion)), 201


@bp.delete("/meetings/<int:meeting_id>/items/<int:item_id>/motions/<int:motion_id>")
@described(
    operation_id="withdrawFiledMotion",
    tag=TAG,
    summary="Dra tillbaka ett yrkande",
    responses={200: (FiledMotionList, "Yrkandena som återstår.")},
    description="Bara den som lämnat yrkandet, före sammanträdet.",
    errors=("Forbidden", "NotFound", "Conflict"),
    path_parameters={**ITEM, "motion_id": "Yrkandets id."},
)
def withdraw_filed_motion(meeting_id: int, item_id: int, motion_id: int):
    item = agenda_access.load_item(current_user, meeting_id, item_id, Action.file_motion)
    seat_ops.withdraw_motion(access.filed_motion_of(item, motion_id), user=acting_user())
    db.session.commit()
    return jsonify(motions=[filed_motion_json(m) for m in seat_ops.filed_motions_for(item)])


# --- the protokoll -----------------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/minutes")
@described(
    operation_id="getMinutes",
    tag=TAG,
    summary="Sammanträdets protokoll",
    responses={200: (MinutesReply, "Protokollets senaste version.")},
    description="Nämndens ledamöter och sekreterare. 404 när sammanträdet inte har något protokoll ännu.",
    errors=("Forbidden", "NotFound"),
    path_parameters=MEETING,
)
def get_minutes(meeting_id: int):
    return _minutes_reply(access.load_minutes(current_user, meeting_id))


@bp.post("/meetings/<int:meeting_id>/minutes")
@described(
    operation_id="startMinutes",
    tag=TAG,
    summary="Påbörja protokollet",
    responses={201: (MinutesReply, "Protokollet med närvaron som förhindren och inkallelserna ger.")},
    headers={201: LOCATION},
    errors=("Forbidden", "NotFound", "Conflict"),
    path_parameters=MEETING,
)
def start_minutes(meeting_id: int):
    meeting = agenda_access.load_meeting(current_user, meeting_id, Action.record_minutes)
    minutes = minutes_ops.start_minutes(meeting, user=acting_user())
    db.session.commit()
    return _minutes_reply(minutes, 201, {"Location": url_for("api.get_minutes", meeting_id=meeting.id, _external=True)})


@bp.post("/meetings/<int:meeting_id>/minutes/paragraphs")
@described(
    operation_id="openParagraph",
    tag=TAG,
    summary="Ge en punkt sin paragraf",
    body=NewParagraph,
    responses={201: (MinutesReply, "Protokollet med den nya paragrafen.")},
    description="Paragrafen får nämndens nästa nummer för sammanträdets år, eller `number` när det anges för "
    "hand (422 om året redan har det). Förslaget till beslut, omedelbar justering och ”Beslutet skickas till” "
    "hämtas ur det undertecknade tjänsteutlåtandet.",
    errors=WRITE,
    path_parameters=MEETING,
)
def open_paragraph(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    values = body_values()
    if "item_id" not in values:
        raise InputError({"item_id": "Ange punkten på föredragningslistan (item_id)."}, status=422)
    item = agenda_access.item_of(minutes.meeting, values["item_id"])
    minutes_ops.open_paragraph(minutes, item, user=acting_user(), number=values.get("number"))
    db.session.commit()
    return _minutes_reply(minutes, 201)


def _conflict_reply(exc: minutes_ops.MinutesRevisionConflict):
    conflict = {
        "id": exc.conflict.id,
        "part": exc.conflict.part,
        "based_on": exc.conflict.based_on,
        "current_revision": exc.conflict.current_at_refusal,
        "current_part": exc.current_part,
        "your_part": exc.conflict.content,
    }
    db.session.commit()  # the refused text is kept (MinutesConflict), so nothing is lost
    return jsonify(error={"status": 409, "message": exc.message, "conflict": conflict}), 409


@bp.patch("/meetings/<int:meeting_id>/minutes/header")
@described(
    operation_id="saveMinutesHeader",
    tag=TAG,
    summary="Spara närvaro och justering",
    body=HeaderChange,
    responses={
        200: (MinutesReply, "Protokollets nya version."),
        409: (
            MinutesSaveRefused,
            "Närvaron har sparats av någon annan sedan `based_on` (båda texterna i "
            "`conflict`), eller protokollet är justerat.",
        ),
    },
    description="Fälten som inte skickas behåller sitt värde.",
    errors=SAVE,
    path_parameters=MEETING,
)
def save_minutes_header(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    sent = body_sent()
    based_on = _based_on(sent)
    raw = {key: value for key, value in sent.items() if key != "based_on"}
    try:
        minutes_ops.save_header(minutes, user=acting_user(), raw=raw, based_on=based_on)
    except minutes_ops.MinutesRevisionConflict as exc:
        return _conflict_reply(exc)
    db.session.commit()
    return _minutes_reply(minutes)


@bp.patch("/meetings/<int:meeting_id>/minutes/paragraphs/<int:paragraph_id>")
@described(
    operation_id="saveParagraph",
    tag=TAG,
    summary="Spara en paragraf",
    body=ParagraphChange,
    responses={
        200: (MinutesReply, "Protokollets nya version."),
        409: (
            MinutesSaveRefused,
            "Paragrafen har sparats av någon annan sedan `based_on` (båda texterna i "
            "`conflict`), eller den är justerad.",
        ),
    },
    description="Fälten som inte skickas behåller sitt värde. 422 med svenska meddelanden när en omröstning "
    "inte har exakt de tjänstgörandes röster (jäviga röstar inte), en reservation eller ett yrkande kommer "
    "från någon som inte deltog, eller ett beslut fattas utan att nämnden är beslutför.",
    errors=SAVE,
    path_parameters={**MEETING, "paragraph_id": "Paragrafens id."},
)
def save_paragraph(meeting_id: int, paragraph_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    paragraph = access.paragraph_of(minutes, paragraph_id)
    sent = body_sent()
    based_on = _based_on(sent)
    raw = {key: value for key, value in sent.items() if key != "based_on"}
    try:
        minutes_ops.save_paragraph(paragraph, user=acting_user(), raw=raw, based_on=based_on)
    except minutes_ops.MinutesRevisionConflict as exc:
        return _conflict_reply(exc)
    db.session.commit()
    return _minutes_reply(minutes)
