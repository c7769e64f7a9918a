"""Meetings (sammanträden) in the API: plan them, build the agenda, publish the kallelse, delegated decisions.

The operations in agenda.operations validate and change; each endpoint checks the permission,
calls one operation and commits once. A member of another committee gets 404, a member without
the role 403.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, jsonify, url_for
from flask_login import current_user
from sqlalchemy import select

from agenda import access, cancellation, outcomes
from agenda import operations as agenda_ops
from agenda.models import AgendaItem, DelegationDecision, ItemKind, ItemOutcome, Meeting
from agenda.snapshot import publication_problems
from app.api import bp
from app.api.meeting_json import (
    agenda_json,
    delegation_decision_json,
    item_json,
    meeting_json,
    publication_json,
    publication_summary_json,
)
from app.api.meeting_schemas import (
    Agenda,
    AgendaItemChange,
    AgendaItemReply,
    AgendaOrder,
    CancellationRequest,
    DecisionListQuery,
    DelegationDecisionPage,
    DelegationDecisionReply,
    MeetingChange,
    MeetingListQuery,
    MeetingPage,
    MeetingReply,
    NewAgendaItem,
    NewDelegationDecision,
    NewMeeting,
    Outcome,
    PublicationCheck,
    PublicationList,
    PublicationReply,
    PublicationRequest,
    PublishRefused,
    VersionOnly,
    VersionQuery,
)
from app.api.schemas import InputError, iso, member_committee, page_json
from app.api.spec import NoBody, NoParameters, body_sent, body_values, described, query_values, sent_body
from app.clock import LOCAL_TZ, local_today
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, can, committees_where, require
from app.registry.diaria import diaria_of
from app.registry.models import Case
from app.registry.queries import find_case_by_number
from app.validation import ValidationError
from workflows.access import acting_user

TAG = "Sammanträden"
UNKNOWN_CASE = "Ärendet finns inte."
MEETING = {"meeting_id": "Sammanträdets id."}
ITEM = {**MEETING, "item_id": "Punktens id."}
LOCATION = {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "Adressen i API:t."}}
READ = ("BadRequest", "NotFound")
WRITE = ("BadRequest", "Forbidden", "NotFound", "Conflict", "UnsupportedMediaType", "Unprocessable")
DESCRIPTION = """\
Sekreteraren planerar nämndens sammanträden, bygger föredragningslistan och publicerar kallelsen.
Ledamöter och tjänstepersoner i nämnden läser sammanträdena; bara nämndsekreteraren ändrar och publicerar
(andra får 403, den som inte är med i nämnden 404).

**Versioner.** Varje ändring av föredragningslistan höjer `agenda_version`. Skicka den version du utgick från
(`version`) så avvisas ändringen med 409 om någon annan hunnit ändra; ny ordning (`PUT …/order`) kräver den.
Punkternas nummer är alltid 1, 2, … n i ordningen.

**Sekretessärenden** visas för den som inte får se ärendets sekretessuppgifter bara med sin offentliga rubrik
(`withheld: true`, utan diarienummer).
"""


def _paginate(stmt, args: dict):
    return db.paginate(
        stmt,
        page=args.get("page", 1),
        per_page=args.get("per_page", current_app.config["ITEMS_PER_PAGE"]),
        error_out=False,
    )


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of ``year`` and of the next, in Swedish time."""
    return (datetime(year, 1, 1, tzinfo=LOCAL_TZ), datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ))


def find_case(meeting_committee: Committee, values: dict, *, required: bool) -> Case | None:
    """The case named by ``case_id`` or ``case_number`` (422 when it does not exist for the caller).

    A case the caller may not see is reported as missing, except an open (non-confidential)
    case of another committee: the operation refuses that with 409 and says whose it is.
    """
    given = [name for name in ("case_id", "case_number") if name in values]
    if len(given) == 2:
        message = "Ange antingen case_id eller case_number, inte båda."
        raise InputError({"case_id": message, "case_number": message}, status=422)
    if not given:
        if required:
            raise InputError({"case_id": "Välj ärendet som punkten gäller (case_id eller case_number)."}, status=422)
        return None
    field = given[0]
    if field == "case_id":
        case = db.session.get(Case, values["case_id"])
    else:
        case = _case_by_number(meeting_committee, values["case_number"])
    if case is None or (not can(current_user, Action.view_case, case) and case.is_confidential):
        raise InputError({field: UNKNOWN_CASE}, status=422)
    return case


def _case_by_number(committee: Committee, text: str) -> Case | None:
    """Look a diarienummer up in the municipality's diaria: as stored, or as typed in a diarium's format."""
    try:
        return find_case_by_number(text, diaria_of(committee.municipality))
    except ValidationError as exc:
        raise InputError({"case_number": exc.message}, status=422) from None


def _case_error_field(exc: ValidationError, field: str) -> ValidationError:
    """Name the API's field (case_id or case_number) where the operation says "case"."""
    if "case" in exc.errors:
        errors = {(field if key == "case" else key): value for key, value in exc.errors.items()}
        return ValidationError(errors)
    return exc


def _meeting_reply(meeting: Meeting, status: int = 200, headers: dict | None = None):
    return jsonify(meeting=meeting_json(meeting, viewer=acting_user())), status, headers or {}


def _item_reply(item: AgendaItem, status: int = 200, headers: dict | None = None):
    meeting = item.meeting
    return (
        jsonify(
            item=item_json(item, acting_user()),
            agenda_version=meeting.agenda_version,
            meeting_status=meeting.status.value,
        ),
        status,
        headers or {},
    )


# --- meetings ------------------------------------------------------------------------------------


@bp.get("/meetings")
@described(
    operation_id="listMeetings",
    tag=TAG,
    summary="Sammanträden i dina nämnder",
    query=MeetingListQuery,
    responses={200: (MeetingPage, "En sida med sammanträden, senaste först.")},
    errors=("BadRequest",),
)
def list_meetings():
    args = query_values()
    visible = committees_where(current_user, Action.view_meetings)
    if "committee_id" in args:
        visible = {member_committee(args["committee_id"], status=400).id} & visible
    stmt = select(Meeting).where(Meeting.committee_id.in_(visible)).order_by(Meeting.start_dt.desc(), Meeting.id.desc())
    if "year" in args:
        first, after = year_bounds(args["year"])
        stmt = stmt.where(Meeting.start_dt >= first, Meeting.start_dt < after)
    pagination = _paginate(stmt, args)
    return jsonify(page_json(pagination, [meeting_json(m) for m in pagination.items]))


@bp.post("/meetings")
@described(
    operation_id="planMeeting",
    tag=TAG,
    summary="Planera ett sammanträde",
    body=NewMeeting,
    responses={201: (MeetingReply, "Sammanträdet med de stående punkterna.")},
    headers={201: LOCATION},
    description="Kräver rollen nämndsekreterare i nämnden. Ett sammanträde kan inte läggas i det förflutna.",
    errors=("BadRequest", "Forbidden", "UnsupportedMediaType", "Unprocessable"),
)
def plan_meeting():
    data = body_values()
    committee = member_committee(data.get("committee_id"), status=422)
    require(current_user, Action.manage_meetings, committee)
    meeting = agenda_ops.plan_meeting(
        committee,
        user=acting_user(),
        start=data.get("start"),
        place=data.get("place"),
        is_public=data.get("is_public", False),
        standing_items=data.get("standing_items", True),
    )
    db.session.commit()
    return _meeting_reply(meeting, 201, {"Location": url_for("api.get_meeting", meeting_id=meeting.id, _external=True)})


@bp.get("/meetings/<int:meeting_id>")
@described(
    operation_id="getMeeting",
    tag=TAG,
    summary="Ett sammanträde med föredragningslistan",
    query=NoParameters,
    responses={200: (MeetingReply, "Sammanträdet.")},
    description=DESCRIPTION,
    errors=READ,
    path_parameters=MEETING,
)
def get_meeting(meeting_id: int):
    return _meeting_reply(access.load_meeting(current_user, meeting_id))


@bp.patch("/meetings/<int:meeting_id>")
@described(
    operation_id="updateMeeting",
    tag=TAG,
    summary="Ändra tid, plats eller kallelsens avslutning",
    body=MeetingChange,
    responses={200: (MeetingReply, "Sammanträdet.")},
    description="Ort, datum, ordförande och sekreterare fullbordar kallelsen och krävs för att publicera. "
    "409 när sammanträdet är genomfört.",
    errors=WRITE,
    path_parameters=MEETING,
)
def update_meeting(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    changes = body_sent()  # a null clears the field (or is refused)
    if not changes:
        raise InputError(
            {"body": "Ange minst ett fält att ändra: " + ", ".join(MeetingChange.model_fields) + "."}, status=422
        )
    agenda_ops.update_meeting(meeting, user=acting_user(), values=changes)
    db.session.commit()
    return _meeting_reply(meeting)


@bp.post("/meetings/<int:meeting_id>/cancel")
@described(
    operation_id="cancelMeeting",
    tag=TAG,
    summary="Ställ in sammanträdet",
    body=CancellationRequest,
    responses={200: (MeetingReply, "Sammanträdet, inställt (`status`: `cancelled`).")},
    description="Ställer in ett sammanträde som inte har hållits och inte har börjat, med ett skäl (`reason`, "
    "krävs: 422 utan). Det går inte att ångra. Är kallelsen publicerad får ledamöter och ersättare besked med "
    "skälet och en avbokning av kalenderinbjudan (iCalendar CANCEL). Därefter kan kallelsen inte publiceras, "
    "föredragningslistan inte ändras och inget protokoll föras (409). 409 när sammanträdet redan är inställt, "
    "genomfört eller har börjat. Kräver rollen nämndsekreterare.",
    errors=WRITE,
    path_parameters=MEETING,
)
def cancel_meeting(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.publish_notice)
    cancellation.cancel_meeting(meeting, user=acting_user(), reason=body_values().get("reason"))
    db.session.commit()
    return _meeting_reply(meeting)


# --- agenda items ----------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/items")
@described(
    operation_id="listMeetingItems",
    tag=TAG,
    summary="Föredragningslistan",
    query=NoParameters,
    responses={200: (Agenda, "Punkterna i ordning.")},
    errors=READ,
    path_parameters=MEETING,
)
def list_meeting_items(meeting_id: int):
    return jsonify(agenda_json(access.load_meeting(current_user, meeting_id), acting_user()))


@bp.post("/meetings/<int:meeting_id>/items")
@described(
    operation_id="addMeetingItem",
    tag=TAG,
    summary="Lägg till en punkt",
    body=NewAgendaItem,
    responses={201: (AgendaItemReply, "Punkten och listans nya version.")},
    headers={201: LOCATION},
    description="En ärendepunkt flyttar ärendets undertecknade tjänsteutlåtande till ”på föredragningslista”; "
    "utan undertecknat utlåtande krävs `is_handling_later`. Ett sekretessärende hamnar under "
    "Sekretessärenden. 409: ärendet hör till en annan nämnd, står redan på en kommande lista, "
    "utlåtandet är inte undertecknat, eller listan har ändrats sedan `version`.",
    errors=WRITE,
    path_parameters=MEETING,
)
def add_meeting_item(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    values, sent = body_values(), body_sent()
    if "kind" not in values:
        raise InputError({"kind": "Ange typ av punkt: " + ", ".join(k.value for k in ItemKind) + "."}, status=422)
    kind = values["kind"]
    case = find_case(meeting.committee, values, required=kind in (ItemKind.case, ItemKind.confidential_case))
    texts = {name: sent[name] for name in NewAgendaItem.TEXTS if name in sent}
    if "section_id" in texts:  # the operation names it by what it is
        texts["section"] = texts.pop("section_id")
    try:
        item = agenda_ops.add_item(
            meeting,
            user=acting_user(),
            kind=kind,
            case=case,
            position=values.get("position"),
            expected_version=values.get("version"),
            **texts,
        )
    except ValidationError as exc:
        raise _case_error_field(exc, "case_number" if "case_number" in values else "case_id") from None
    db.session.commit()
    return _item_reply(
        item, 201, {"Location": url_for("api.get_meeting_item", meeting_id=meeting.id, item_id=item.id, _external=True)}
    )


@bp.get("/meetings/<int:meeting_id>/items/<int:item_id>")
@described(
    operation_id="getMeetingItem",
    tag=TAG,
    summary="En punkt",
    query=NoParameters,
    responses={200: (AgendaItemReply, "Punkten.")},
    errors=READ,
    path_parameters=ITEM,
)
def get_meeting_item(meeting_id: int, item_id: int):
    return _item_reply(access.load_item(current_user, meeting_id, item_id))


@bp.patch("/meetings/<int:meeting_id>/items/<int:item_id>")
@described(
    operation_id="updateMeetingItem",
    tag=TAG,
    summary="Ändra eller flytta en punkt",
    body=AgendaItemChange,
    responses={200: (AgendaItemReply, "Punkten.")},
    description="`position` flyttar punkten (tangentbordsalternativet till att dra och släppa); de andra numreras om.",
    errors=WRITE,
    path_parameters=ITEM,
)
def update_meeting_item(meeting_id: int, item_id: int):
    item = access.load_item(current_user, meeting_id, item_id, Action.manage_meetings)
    values, sent = body_values(), body_sent()
    texts = {name: sent[name] for name in AgendaItemChange.TEXTS if name in sent}
    if "section_id" in texts:  # the operation names it by what it is
        texts["section"] = texts.pop("section_id")
    if not texts and "position" not in values:
        raise InputError(
            {"body": "Ange minst ett fält att ändra: " + ", ".join(AgendaItemChange.model_fields) + "."}, status=422
        )
    expected = values.get("version")
    if texts:
        agenda_ops.update_item(item, user=acting_user(), expected_version=expected, **texts)
        expected = item.meeting.agenda_version if expected is not None else None
    if "position" in values:
        agenda_ops.move_item(
            item,
            user=acting_user(),
            to_position=values["position"],
            expected_version=expected if expected is not None else item.meeting.agenda_version,
        )
    db.session.commit()
    db.session.refresh(item)
    return _item_reply(item)


def _delete_version() -> int | None:
    """The version a removal is based on: from the query string (?version=7) or a JSON body."""
    query = query_values()
    body = sent_body(VersionOnly)  # a DELETE's body is not read by spectree
    if "version" in query and "version" in body:
        raise InputError({"version": "Ange versionen en gång: i adressen eller i kroppen."})
    return body.get("version", query.get("version"))


@bp.delete("/meetings/<int:meeting_id>/items/<int:item_id>")
@described(
    operation_id="removeMeetingItem",
    tag=TAG,
    summary="Ta bort en punkt",
    query=VersionQuery,
    body=VersionOnly,
    body_optional=True,
    responses={200: (Agenda, "Listan efter borttagningen, omnumrerad.")},
    description='Versionen kan anges i adressen (`?version=7`) eller som kropp `{"version": 7}`. '
    "Ärendets utlåtande går tillbaka till ”undertecknat”.",
    errors=WRITE,
    path_parameters=ITEM,
)
def remove_meeting_item(meeting_id: int, item_id: int):
    version = _delete_version()
    item = access.load_item(current_user, meeting_id, item_id, Action.manage_meetings)
    meeting = item.meeting
    agenda_ops.remove_item(item, user=acting_user(), expected_version=version)
    db.session.commit()
    return jsonify(agenda_json(meeting, acting_user()))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/attach-handling")
@described(
    operation_id="attachItemHandling",
    tag=TAG,
    summary="Handlingen har kommit",
    body=NoBody,
    body_optional=True,
    responses={200: (AgendaItemReply, "Punkten, nu med sitt undertecknade utlåtande.")},
    description="För en punkt med ”Handling kommer senare” när utlåtandet har undertecknats. Ingen kropp.",
    errors=WRITE,
    path_parameters=ITEM,
)
def attach_item_handling(meeting_id: int, item_id: int):
    item = access.load_item(current_user, meeting_id, item_id, Action.manage_meetings)
    agenda_ops.attach_handling(item, user=acting_user())
    db.session.commit()
    return _item_reply(item)


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/outcome")
@described(
    operation_id="recordItemOutcome",
    tag=TAG,
    summary="Registrera vad sammanträdet gjorde med punkten",
    body=Outcome,
    responses={200: (AgendaItemReply, "Punkten med sitt utfall.")},
    description="Först när sammanträdet har börjat. Bordlagda och återremitterade ärenden erbjuds till "
    "nästa sammanträde.",
    errors=WRITE,
    path_parameters=ITEM,
)
def record_item_outcome(meeting_id: int, item_id: int):
    item = access.load_item(current_user, meeting_id, item_id, Action.manage_meetings)
    data = body_values()
    if "outcome" not in data:
        raise InputError({"outcome": "Ange utfall: " + ", ".join(o.value for o in ItemOutcome) + "."}, status=422)
    outcomes.record_outcome(item, user=acting_user(), outcome=data["outcome"])
    db.session.commit()
    return _item_reply(item)


@bp.put("/meetings/<int:meeting_id>/order")
@described(
    operation_id="reorderMeetingItems",
    tag=TAG,
    summary="Ny ordning på föredragningslistan",
    body=AgendaOrder,
    responses={200: (Agenda, "Punkterna i den nya ordningen, numrerade 1 … n, och listans nya version.")},
    description="409 om listan har ändrats sedan `version` (t.ex. av en annan sekreterare samtidigt); "
    "då ändras ingenting.",
    errors=WRITE,
    path_parameters=MEETING,
)
def reorder_meeting_items(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    data = body_values()
    if "order" not in data:
        raise InputError({"order": "Ange punkternas id i den nya ordningen (order)."}, status=422)
    agenda_ops.reorder(meeting, user=acting_user(), order=data["order"], expected_version=data.get("version"))
    db.session.commit()
    return jsonify(agenda_json(meeting, acting_user()))


# --- publishing --------------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/publication-check")
@described(
    operation_id="checkMeetingPublication",
    tag=TAG,
    summary="Kan kallelsen publiceras?",
    query=NoParameters,
    responses={200: (PublicationCheck, "Problemen som hindrar publicering och sista dag.")},
    description="Personnummer och samordningsnummer (med kontrollsiffra) eller ett sekretessärendes rubrik "
    "i den offentliga versionen hindrar publicering. Kräver rollen nämndsekreterare.",
    errors=("BadRequest", "Forbidden", "NotFound"),
    path_parameters=MEETING,
)
def meeting_publication_check(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.publish_notice)
    problems = []
    if not meeting.items:
        problems.append("Föredragningslistan är tom; lägg till punkter innan kallelsen publiceras.")
    problems += publication_problems(meeting, agenda_ops.delegation_decisions_for(meeting))
    deadline = meeting.notice_deadline
    return jsonify(problems=problems, deadline=iso(deadline), is_late=local_today() > deadline)


@bp.get("/meetings/<int:meeting_id>/publications")
@described(
    operation_id="listMeetingPublications",
    tag=TAG,
    summary="Publicerade versioner",
    query=NoParameters,
    responses={200: (PublicationList, "Versionerna, äldst först.")},
    errors=READ,
    path_parameters=MEETING,
)
def list_meeting_publications(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id)
    return jsonify(items=[publication_summary_json(p) for p in meeting.publications])


@bp.post("/meetings/<int:meeting_id>/publications")
@described(
    operation_id="publishMeeting",
    tag=TAG,
    summary="Publicera kallelsen",
    body=PublicationRequest,
    responses={
        201: (PublicationReply, "Den nya versionen (ledamöternas version)."),
        409: (
            PublishRefused,
            "Publiceringen avvisades (`problems` säger var), listan är tom, eller inget har ändrats "
            "sedan förra versionen.",
        ),
    },
    headers={201: LOCATION},
    description="Gör en oföränderlig, numrerad ögonblicksbild: ledamöternas och den offentliga versionen. "
    "En ny publicering gör en ny version och säger vad som ändrats. Efter sista dag krävs "
    "`late_reason` (422 utan). Kräver rollen nämndsekreterare.",
    errors=("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable"),
    path_parameters=MEETING,
)
def publish_meeting(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.publish_notice)
    data = body_values()
    try:
        publication = agenda_ops.publish(meeting, user=acting_user(), late_reason=data.get("late_reason"))
    except agenda_ops.PublicationRefused as exc:
        db.session.rollback()
        return jsonify(error={"status": 409, "message": exc.message, "problems": list(exc.problems)}), 409
    db.session.commit()
    location = url_for(
        "api.get_meeting_publication", meeting_id=meeting.id, version=publication.version, _external=True
    )
    return jsonify(publication=publication_json(publication, acting_user())), 201, {"Location": location}


@bp.get("/meetings/<int:meeting_id>/publications/<int:version>")
@described(
    operation_id="getMeetingPublication",
    tag=TAG,
    summary="En publicerad kallelse (ledamöternas version)",
    query=NoParameters,
    responses={200: (PublicationReply, "Kallelsen som den publicerades, som du får läsa den.")},
    errors=READ,
    path_parameters={**MEETING, "version": "Kallelsens version (1 är den första publiceringen)."},
)
def get_meeting_publication(meeting_id: int, version: int):
    publication = access.load_publication(current_user, meeting_id, version)
    return jsonify(publication=publication_json(publication, acting_user()))


# --- delegated decisions -----------------------------------------------------------------------------

COMMITTEE = {"committee_id": "Nämndens id."}


@bp.get("/committees/<int:committee_id>/delegation-decisions")
@described(
    operation_id="listDelegationDecisions",
    tag=TAG,
    summary="Anmälda delegationsbeslut",
    query=DecisionListQuery,
    responses={200: (DelegationDecisionPage, "En sida med beslut, senast beslutade först.")},
    errors=READ,
    path_parameters=COMMITTEE,
)
def list_delegation_decisions(committee_id: int):
    args = query_values()
    committee = access.load_committee(current_user, committee_id, Action.view_meetings)
    stmt = (
        select(DelegationDecision)
        .where(DelegationDecision.committee_id == committee.id)
        .order_by(DelegationDecision.decided_on.desc(), DelegationDecision.id.desc())
    )
    if "decided_from" in args:
        stmt = stmt.where(DelegationDecision.decided_on >= args["decided_from"])
    if "decided_to" in args:
        stmt = stmt.where(DelegationDecision.decided_on <= args["decided_to"])
    pagination = _paginate(stmt, args)
    who = acting_user()
    return jsonify(page_json(pagination, [delegation_decision_json(d, who) for d in pagination.items]))


@bp.post("/committees/<int:committee_id>/delegation-decisions")
@described(
    operation_id="registerDelegationDecision",
    tag=TAG,
    summary="Registrera ett delegationsbeslut",
    body=NewDelegationDecision,
    responses={201: (DelegationDecisionReply, "Beslutet; det anmäls på nämndens nästa sammanträde.")},
    description="Kräver rollen nämndsekreterare i nämnden.",
    errors=("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable"),
    path_parameters=COMMITTEE,
)
def register_delegation_decision(committee_id: int):
    committee = access.load_committee(current_user, committee_id, Action.manage_meetings)
    data = body_values()
    case = find_case(committee, data, required=False)
    try:
        decision = agenda_ops.register_delegation_decision(
            committee,
            user=acting_user(),
            decided_on=data.get("decided_on"),
            decision_maker=data.get("decision_maker"),
            delegation_point=data.get("delegation_point"),
            summary=data.get("summary"),
            case=case,
        )
    except ValidationError as exc:
        raise _case_error_field(exc, "case_number" if "case_number" in data else "case_id") from None
    db.session.commit()
    return jsonify(decision=delegation_decision_json(decision, acting_user())), 201
