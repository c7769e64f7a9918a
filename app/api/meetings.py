"""Meetings (sammanträden) in the API: plan them, build the agenda, publish the kallelse, delegated decisions.

The operations in agenda.operations validate and change; each endpoint checks the permission,
calls one operation and commits once. A member of another committee gets 404, a member without
the role 403.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import select

from agenda import access
from agenda import operations as agenda_ops
from agenda.models import AgendaItem, DelegationDecision, ItemKind, ItemOutcome, Meeting
from agenda.snapshot import publication_problems
from app.api import bp
from app.api.meeting_schemas import (
    agenda_json,
    delegation_decision_json,
    item_json,
    meeting_json,
    publication_json,
    publication_summary_json,
)
from app.api.schemas import (
    InputError,
    Param,
    iso,
    member_committee,
    page_json,
    read_json,
    read_json_with_body,
    read_query,
)
from app.clock import LOCAL_TZ, local_today
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, can, committees_where, require
from app.registry.models import Case
from app.registry.numbering import number_format
from app.validation import ValidationError
from workflows.access import acting_user


class ListParam(Param):
    """A JSON array; its members are checked by the operation, which knows what they must be."""

    def from_json(self, value):
        if not isinstance(value, list):
            raise ValueError(f"{self.label} måste vara en lista.")
        return value


VERSION = Param("int", "Version av föredragningslistan")
MEETING_FIELDS = {
    "committee_id": Param("int", "Nämnd"),
    "start": Param("str", "Tid", max_length=40),
    "place": Param("str", "Plats", max_length=None),
    "is_public": Param("bool", "Öppet för allmänheten"),
    "standing_items": Param("bool", "Stående punkter"),
}
MEETING_CHANGES = {
    "start": Param("str", "Tid", max_length=40),
    "place": Param("str", "Plats", max_length=None),
    "is_public": Param("bool", "Öppet för allmänheten"),
    "notice_place": Param("str", "Ort för kallelsen", max_length=None),
    "notice_date": Param("date", "Kallelsens datum"),
    "chair_name": Param("str", "Ordförande", max_length=None),
    "secretary_name": Param("str", "Sekreterare", max_length=None),
}
ITEM_TEXT_FIELDS = {
    "title": Param("str", "Rubrik", max_length=None),
    "note": Param("str", "Anteckning", max_length=None),
    "external_reference": Param("str", "Extern referens", max_length=None),
    "parts": ListParam("list", "Delar"),
    "is_handling_later": Param("bool", "Handling kommer senare"),
}
NEW_ITEM_FIELDS = {
    "kind": Param("enum", "Typ av punkt", choices=ItemKind),
    "case_id": Param("int", "Ärende"),
    "case_number": Param("str", "Diarienummer", max_length=60),
    **ITEM_TEXT_FIELDS,
    "position": Param("int", "Plats", maximum=agenda_ops.MAX_ITEMS + 1),
    "version": VERSION,
}
ITEM_CHANGES = {**ITEM_TEXT_FIELDS, "position": Param("int", "Plats", maximum=agenda_ops.MAX_ITEMS), "version": VERSION}
ORDER_FIELDS = {"order": ListParam("list", "Ordning"), "version": VERSION}
OUTCOME_FIELDS = {"outcome": Param("enum", "Utfall", choices=ItemOutcome)}
PUBLISH_FIELDS = {"late_reason": Param("str", "Skäl", max_length=None)}
DECISION_FIELDS = {
    "decided_on": Param("date", "Beslutsdatum"),
    "decision_maker": Param("str", "Beslutsfattare", max_length=None),
    "delegation_point": Param("str", "Punkt i delegationsordningen", max_length=None),
    "summary": Param("str", "Beslutet i korthet", max_length=None),
    "case_id": Param("int", "Ärende"),
    "case_number": Param("str", "Diarienummer", max_length=60),
}
UNKNOWN_CASE = "Ärendet finns inte."


def _page_params() -> dict[str, Param]:
    return {
        "page": Param("int", "Sida"),
        "per_page": Param("int", "Antal per sida", maximum=current_app.config["API_MAX_PER_PAGE"]),
    }


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


YEAR = Param("int", "År", maximum=9998)


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
    """Look a diarienummer up as typed, else in the municipality's written form (e.g. without "Dnr")."""
    case = db.session.scalar(select(Case).where(Case.number == text.strip()))
    if case is not None:
        return case
    fmt = number_format(committee.municipality.registration_number_format)
    try:
        canonical = fmt.format(fmt.parse(text))
    except ValidationError as exc:
        raise InputError({"case_number": exc.message}, status=422) from None
    return db.session.scalar(select(Case).where(Case.number == canonical))


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
def list_meetings():
    args = read_query({"committee_id": Param("int", "Nämnd"), "year": YEAR, **_page_params()})
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
def plan_meeting():
    data = read_json(MEETING_FIELDS)
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
def get_meeting(meeting_id: int):
    read_query({})
    return _meeting_reply(access.load_meeting(current_user, meeting_id))


@bp.patch("/meetings/<int:meeting_id>")
def update_meeting(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    values, raw = read_json_with_body(MEETING_CHANGES)
    changes = {name: values.get(name) for name in raw}  # a null clears the field (or is refused)
    if not changes:
        raise InputError({"body": "Ange minst ett fält att ändra: " + ", ".join(MEETING_CHANGES) + "."}, status=422)
    agenda_ops.update_meeting(meeting, user=acting_user(), values=changes)
    db.session.commit()
    return _meeting_reply(meeting)


# --- agenda items ----------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/items")
def list_meeting_items(meeting_id: int):
    read_query({})
    return jsonify(agenda_json(access.load_meeting(current_user, meeting_id), acting_user()))


@bp.post("/meetings/<int:meeting_id>/items")
def add_meeting_item(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    values, raw = read_json_with_body(NEW_ITEM_FIELDS)
    if "kind" not in values:
        raise InputError({"kind": "Ange typ av punkt: " + ", ".join(k.value for k in ItemKind) + "."}, status=422)
    kind = values["kind"]
    case = find_case(meeting.committee, values, required=kind in (ItemKind.case, ItemKind.confidential_case))
    texts = {name: values.get(name) for name in ITEM_TEXT_FIELDS if name in raw}
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
def get_meeting_item(meeting_id: int, item_id: int):
    read_query({})
    return _item_reply(access.load_item(current_user, meeting_id, item_id))


@bp.patch("/meetings/<int:meeting_id>/items/<int:item_id>")
def update_meeting_item(meeting_id: int, item_id: int):
    item = access.load_item(current_user, meeting_id, item_id, Action.manage_meetings)
    values, raw = read_json_with_body(ITEM_CHANGES)
    texts = {name: values.get(name) for name in ITEM_TEXT_FIELDS if name in raw}
    if not texts and "position" not in values:
        raise InputError({"body": "Ange minst ett fält att ändra: " + ", ".join(ITEM_CHANGES) + "."}, status=422)
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
    query = read_query({"version": VERSION})
    if request.get_data():
        body = read_json({"version": VERSION})
        if "version" in query and "version" in body:
            raise InputError({"version": "Ange versionen en gång: i adressen eller i kroppen."})
        return body.get("version", query.get("version"))
    return query.get("version")


@bp.delete("/meetings/<int:meeting_id>/items/<int:item_id>")
def remove_meeting_item(meeting_id: int, item_id: int):
    item = access.load_item(current_user, meeting_id, item_id, Action.manage_meetings)
    meeting = item.meeting
    agenda_ops.remove_item(item, user=acting_user(), expected_version=_delete_version())
    db.session.commit()
    return jsonify(agenda_json(meeting, acting_user()))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/attach-handling")
def attach_item_handling(meeting_id: int, item_id: int):
    item = access.load_item(current_user, meeting_id, item_id, Action.manage_meetings)
    if request.get_data():
        read_json({})
    agenda_ops.attach_handling(item, user=acting_user())
    db.session.commit()
    return _item_reply(item)


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/outcome")
def record_item_outcome(meeting_id: int, item_id: int):
    item = access.load_item(current_user, meeting_id, item_id, Action.manage_meetings)
    data = read_json(OUTCOME_FIELDS)
    if "outcome" not in data:
        raise InputError({"outcome": "Ange utfall: " + ", ".join(o.value for o in ItemOutcome) + "."}, status=422)
    agenda_ops.record_outcome(item, user=acting_user(), outcome=data["outcome"])
    db.session.commit()
    return _item_reply(item)


@bp.put("/meetings/<int:meeting_id>/order")
def reorder_meeting_items(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    data, _raw = read_json_with_body(ORDER_FIELDS)
    if "order" not in data:
        raise InputError({"order": "Ange punkternas id i den nya ordningen (order)."}, status=422)
    agenda_ops.reorder(meeting, user=acting_user(), order=data["order"], expected_version=data.get("version"))
    db.session.commit()
    return jsonify(agenda_json(meeting, acting_user()))


# --- publishing --------------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/publication-check")
def meeting_publication_check(meeting_id: int):
    read_query({})
    meeting = access.load_meeting(current_user, meeting_id, Action.publish_notice)
    problems = []
    if not meeting.items:
        problems.append("Föredragningslistan är tom; lägg till punkter innan kallelsen publiceras.")
    problems += publication_problems(meeting, agenda_ops.delegation_decisions_for(meeting))
    deadline = meeting.notice_deadline
    return jsonify(problems=problems, deadline=iso(deadline), is_late=local_today() > deadline)


@bp.get("/meetings/<int:meeting_id>/publications")
def list_meeting_publications(meeting_id: int):
    read_query({})
    meeting = access.load_meeting(current_user, meeting_id)
    return jsonify(items=[publication_summary_json(p) for p in meeting.publications])


@bp.post("/meetings/<int:meeting_id>/publications")
def publish_meeting(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.publish_notice)
    data = read_json(PUBLISH_FIELDS)
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
def get_meeting_publication(meeting_id: int, version: int):
    read_query({})
    publication = access.load_publication(current_user, meeting_id, version)
    return jsonify(publication=publication_json(publication, acting_user()))


# --- delegated decisions -----------------------------------------------------------------------------


@bp.get("/committees/<int:committee_id>/delegation-decisions")
def list_delegation_decisions(committee_id: int):
    args = read_query(
        {"decided_from": Param("date", "Beslutat från"), "decided_to": Param("date", "Beslutat till"), **_page_params()}
    )
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
def register_delegation_decision(committee_id: int):
    committee = access.load_committee(current_user, committee_id, Action.manage_meetings)
    data = read_json(DECISION_FIELDS)
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
