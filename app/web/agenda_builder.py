"""The meeting page and the agenda builder: the meeting's facts, its items (added one by one or several ready cases
at once, edited, moved, removed with confirmation and put back, their handling attached), outcomes after the
meeting, and publishing the kallelse.

Every change of the agenda answers a plain form with a redirect, and the builder's script (agenda.js, which asks
for JSON) with the message and the parts of the page that changed, rendered by the same templates."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from agenda import access, outcomes
from agenda import operations as ops
from agenda.conventions import sections_for
from agenda.models import UPCOMING, AgendaItem, ItemKind, Meeting
from agenda.operations import misplaced_confidential
from agenda.secrecy import newly_confidential
from agenda.snapshot import build_snapshots, describe_changes, proposes_immediate_adjustment, publication_problems
from app.clock import LOCAL_TZ, local_today, to_local, utcnow
from app.errors import json_error, prefers_json
from app.extensions import db
from app.permissions import Action, can, require
from app.registry.models import Case, CaseStatus
from app.validation import ConflictError, ForbiddenError, ValidationError
from app.web.forms import EmptyForm
from app.web.meeting_draft import chair_comments, draft_context
from app.web.meeting_forms import (
    CaseItemForm,
    DelegationItemForm,
    MeetingFactsForm,
    MoveItemForm,
    OutcomeForm,
    PublishForm,
    ReadyCasesForm,
    ReorderForm,
    SimpleItemForm,
    UndoRemovalForm,
    combine_start,
    edit_item_form,
    information_form,
    offer_placement,
    part_errors,
    parts_of,
)
from app.web.meetings import bp, case_label, meeting_url, start_errors
from app.web.registry_forms import form_status
from app.web.report_forms import run, with_ids
from workflows.access import acting_user
from workflows.models import CaseReport, ReportState


def _offer_cases(form: CaseItemForm, meeting: Meeting) -> CaseItemForm:
    """The cases an item can be made of: offered again, signed reports, other open cases (handling later)."""
    upcoming = (
        select(AgendaItem.case_id)
        .join(Meeting)
        .where(Meeting.status.in_(UPCOMING), AgendaItem.outcome.is_(None), AgendaItem.case_id.is_not(None))
    )
    cases = db.session.scalars(
        select(Case)
        .where(Case.committee_id == meeting.committee_id, Case.status == CaseStatus.open, Case.id.not_in(upcoming))
        .order_by(Case.registered_on.desc(), Case.id.desc())
    ).all()
    states = (
        dict(
            db.session.execute(
                select(CaseReport.case_id, CaseReport.state).where(CaseReport.case_id.in_([c.id for c in cases]))
            ).all()
        )
        if cases
        else {}
    )
    again = {item.case_id for item in ops.offered_again(meeting.committee)}
    groups: dict[str, list] = {
        "Bordlagda och återremitterade": [],
        "Undertecknade tjänsteutlåtanden": [],
        "Övriga öppna ärenden (handling kommer senare)": [],
    }
    for case in cases:
        if case.id in again:
            key = "Bordlagda och återremitterade"
        elif states.get(case.id) is ReportState.signed:
            key = "Undertecknade tjänsteutlåtanden"
        else:
            key = "Övriga öppna ärenden (handling kommer senare)"
        groups[key].append((case.id, case_label(case)))
    form.case.choices = {"": [("", "Välj ärende")], **{k: v for k, v in groups.items() if v}}
    return form


def _forms(meeting: Meeting, posted: dict) -> dict:
    """Every form of the builder: the posted one as it came back, the others empty."""
    facts = posted.get("facts")
    if facts is None:
        local = to_local(meeting.start_dt)
        facts = MeetingFactsForm(
            formdata=None,
            day=local.date(),
            time=f"{local:%H:%M}",
            place=meeting.place,
            is_public=meeting.is_public,
            notice_place=meeting.notice_place,
            notice_date=meeting.notice_date,
            chair_name=meeting.chair_name,
            secretary_name=meeting.secretary_name,
        )
    committee = meeting.committee
    forms = {
        "facts": with_ids(facts, "uppgifter"),
        "simple": with_ids(
            offer_placement(posted.get("simple") or SimpleItemForm(formdata=None), committee), "formalia"
        ),
        "information": with_ids(
            offer_placement(posted.get("information") or information_form(from_request=False), committee), "information"
        ),
        "case": with_ids(
            offer_placement(_offer_cases(posted.get("case") or CaseItemForm(formdata=None), meeting), committee),
            "arende",
        ),
        "delegation": with_ids(
            offer_placement(posted.get("delegation") or DelegationItemForm(formdata=None), committee), "delgivningar"
        ),
        "publish": with_ids(posted.get("publish") or PublishForm(formdata=None), "publicera"),
        "reorder": with_ids(ReorderForm(formdata=None, version=meeting.agenda_version), "ordning"),
    }
    forms["moves"] = {}
    for item in meeting.items:
        form = posted.get(("move", item.id)) or MoveItemForm(
            formdata=None, position=item.number, version=meeting.agenda_version
        )
        form.version.data = meeting.agenda_version
        forms["moves"][item.id] = with_ids(form, f"flytta-{item.id}")
    forms["outcomes"] = {
        item.id: with_ids(posted.get(("outcome", item.id)) or OutcomeForm(formdata=None), f"utfall-{item.id}")
        for item in meeting.items
    }
    return forms


def _ready(meeting: Meeting) -> list[Case]:
    """The committee's ready cases (signed, on no upcoming agenda) the user may see, to tick and add at once."""
    return [case for case in ops.ready_cases(meeting.committee) if can(current_user, Action.view_case, case)]


def _context(meeting: Meeting, posted: dict | None = None, refused: list | None = None) -> dict:
    """What the meeting page and its parts (the agenda, the ready cases, the check before publishing) show."""
    posted = posted or {}
    db.session.refresh(meeting)
    manage = can(current_user, Action.manage_meetings, meeting)
    context = {
        "meeting": meeting,
        "conventions": meeting.conventions,
        "adjusted": {item.id for item in meeting.items if proposes_immediate_adjustment(item)},
        "may_manage": manage,
        "may_publish": can(current_user, Action.publish_notice, meeting),
        "is_open": meeting.status in UPCOMING,
        "refused": refused,
        "today": local_today(),
        "button_form": EmptyForm(),
        "removal": None,
    }
    if manage:
        decisions = ops.delegation_decisions_for(meeting)
        problems = publication_problems(meeting, decisions) if meeting.items else []
        if not meeting.items:
            problems = ["Föredragningslistan är tom; lägg till punkter innan kallelsen publiceras."] + problems
        forms = _forms(meeting, posted)
        forms["publish"].late_reason.flags.required = True
        forms["ready"] = posted.get("ready") or ReadyCasesForm(formdata=None, version=meeting.agenda_version)
        forms["ready"].version.data = meeting.agenda_version
        forms["undo"] = UndoRemovalForm(formdata=None)
        previous = meeting.latest_publication
        pending = (
            describe_changes(previous.members_snapshot, build_snapshots(meeting, decisions)[0])
            if previous is not None
            else None
        )
        context.update(
            pending_changes=pending,
            newly_secret=newly_confidential(previous) if previous is not None else [],
            misplaced=misplaced_confidential(meeting),
            forms=forms,
            decisions=decisions,
            problems=problems,
            handling_later=[item for item in meeting.items if item.is_handling_later],
            deadline=meeting.notice_deadline,
            deadline_passed=local_today() > meeting.notice_deadline,
            started=meeting.start_dt <= utcnow(),
            ready_cases=_ready(meeting) if meeting.status in UPCOMING else [],
            sections=[(str(s.id), s.name) for s in sections_for(meeting.committee)],
            ItemKind=ItemKind,
            chair_comments=chair_comments(meeting),
            **draft_context(meeting),
        )
    return context


def _meeting_page(meeting: Meeting, status: int = 200, posted: dict | None = None, refused: list | None = None):
    context = _context(meeting, posted, refused)
    removal = request.args.get("borttagen", "")
    if context["may_manage"] and context["is_open"] and removal.isdigit():
        # the confirm step's redirect: say what was removed, beside the list, with "Ångra"
        with suppress(ConflictError):
            context["removal"] = ops.removal_of(meeting, int(removal))
    return render_template("agenda/meeting.html", **context), status


#: the parts of the meeting page the builder's script replaces after a change (element id → template)
FRAGMENTS = {
    "agenda-list": "agenda/_agenda_list.html",
    "ready-cases": "agenda/_ready_cases.html",
    "publish-body": "agenda/_publish.html",
}


def _changed(meeting: Meeting, message: str, **extra: object):
    """The script's answer to a change: the message, the agenda's version and the parts of the page that changed."""
    context = _context(meeting)
    return jsonify(
        message=message,
        version=meeting.agenda_version,
        fragments={key: render_template(template, **context) for key, template in FRAGMENTS.items()},
        **extra,
    )


def _change(
    meeting: Meeting,
    form,
    operation: Callable[[], tuple[str, str, dict]],
    render: Callable[[int], object],
):
    """Run a change of the agenda from a form: JSON for the builder's script, else a redirect or the page again.

    ``operation`` returns the message, where a plain form goes next and what else the script is told.
    """
    if not prefers_json():
        return run(form, lambda: operation()[:2], render)
    if not form.validate():
        status = form_status(form)
        fields = {name: " ".join(errors) for name, errors in form.errors.items()}
        return json_error(status, "Rätta uppgifterna i formuläret.", fields)
    try:
        message, _location, extra = operation()
    except ValidationError as exc:
        db.session.rollback()
        return json_error(422, exc.message, exc.errors)
    except ConflictError as exc:
        db.session.rollback()
        return json_error(409, exc.message)
    except ForbiddenError as exc:
        db.session.rollback()
        return json_error(403, exc.message)
    db.session.commit()
    return _changed(meeting, message, **extra)


@bp.route("/sammantraden/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    return _meeting_page(access.load_meeting(current_user, meeting_id))


@bp.route("/sammantraden/<int:meeting_id>/uppgifter", methods=["POST"])
@login_required
def facts(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    form = MeetingFactsForm()

    def operation():
        values = {
            "place": form.place.data or "",
            "is_public": bool(form.is_public.data),
            "notice_place": form.notice_place.data or "",
            "notice_date": form.notice_date.data,
            "chair_name": form.chair_name.data or "",
            "secretary_name": form.secretary_name.data or "",
        }
        try:
            start = combine_start(form.day.data, form.time.data).replace(tzinfo=LOCAL_TZ)
            if start != to_local(meeting.start_dt):
                values["start"] = start
            ops.update_meeting(meeting, user=acting_user(), values=values)
        except ValidationError as exc:
            raise start_errors(exc) from exc
        return "Sammanträdets uppgifter är sparade.", meeting_url(meeting, "uppgifter")

    return run(form, operation, lambda status: _meeting_page(meeting, status, {"facts": form}))


def _title_of(item: AgendaItem) -> str:
    return item.title if len(item.title) <= 80 else item.title[:79] + "…"


@bp.route("/sammantraden/<int:meeting_id>/punkter", methods=["POST"])
@login_required
def add_item(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    kind = request.form.get("kind", "")
    user = acting_user()
    if kind in (ItemKind.procedural.value, ItemKind.other.value):
        key, form = "simple", offer_placement(SimpleItemForm(), meeting.committee)

        def create():
            return ops.add_item(
                meeting,
                user=user,
                kind=form.kind.data,
                title=form.title.data,
                note=form.note.data,
                **form.placement(),
            )
    elif kind == ItemKind.information.value:
        key, form = "information", offer_placement(information_form(from_request=True), meeting.committee)

        def create():
            try:
                return ops.add_item(
                    meeting,
                    user=user,
                    kind="information",
                    title=form.title.data,
                    note=form.note.data,
                    parts=parts_of(form),
                    **form.placement(),
                )
            except ValidationError as exc:
                raise part_errors(exc, form) from exc
    elif kind == ItemKind.case.value:
        key, form = "case", offer_placement(_offer_cases(CaseItemForm(), meeting), meeting.committee)

        def create():
            case = db.session.get(Case, form.case.data)
            require(current_user, Action.view_case, case)
            return ops.add_item(
                meeting,
                user=user,
                kind="case",
                case=case,
                is_handling_later=bool(form.is_handling_later.data),
                note=form.note.data,
                external_reference=form.external_reference.data,
                **form.placement(),
            )
    elif kind == ItemKind.delegation_report.value:
        key, form = "delegation", offer_placement(DelegationItemForm(), meeting.committee)

        def create():
            return ops.add_item(
                meeting, user=user, kind="delegation_report", title=form.title.data or None, **form.placement()
            )
    else:
        abort(400, "Okänd typ av punkt.")

    def operation():
        item = create()
        return (
            f"Punkt {item.number} ”{_title_of(item)}” har lagts till på föredragningslistan.",
            meeting_url(meeting, f"punkt-{item.id}"),
            {"focus": f"punkt-{item.id}"},
        )

    return _change(meeting, form, operation, lambda status: _meeting_page(meeting, status, {key: form}))


@bp.route("/sammantraden/<int:meeting_id>/klara-arenden", methods=["POST"])
@login_required
def add_ready_cases(meeting_id: int):
    """Add the ticked ready cases at once, each with its section and note."""
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    form = ReadyCasesForm()

    def operation():
        chosen = []
        for value in request.form.getlist("case")[: ops.MAX_BULK + 1]:
            case = db.session.get(Case, int(value)) if value.isdigit() else None
            if case is None:
                abort(400, "Okänt ärende.")
            require(current_user, Action.view_case, case)
            values: dict[str, object] = {"note": request.form.get(f"note_{case.id}", "")}
            if f"section_{case.id}" in request.form:
                values["section"] = request.form.get(f"section_{case.id}") or None
            chosen.append((case, values))
        items = ops.add_cases(meeting, user=acting_user(), cases=chosen, expected_version=form.version.data)
        numbers = ", ".join(str(item.number) for item in items)
        message = (
            f"{len(items)} ärenden har lagts till på föredragningslistan som punkt {numbers}."
            if len(items) > 1
            else f"Punkt {items[0].number} ”{_title_of(items[0])}” har lagts till på föredragningslistan."
        )
        return message, meeting_url(meeting, "dagordning"), {}

    return _change(meeting, form, operation, lambda status: _meeting_page(meeting, status, {"ready": form}))


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>", methods=["GET", "POST"])
@login_required
def edit_item(meeting_id: int, item_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    item = access.item_of(meeting, item_id)
    form = edit_item_form(item, from_request=request.method == "POST")

    def operation():
        values = {
            "title": form.title.data,
            "note": form.note.data,
            "external_reference": form.external_reference.data,
            **form.placement(),
        }
        if item.kind is ItemKind.information:
            values["parts"] = parts_of(form)
        if item.case is not None:
            values["is_handling_later"] = bool(form.is_handling_later.data)
        try:
            ops.update_item(item, user=acting_user(), expected_version=form.version.data, **values)
        except ValidationError as exc:
            raise part_errors(exc, form) from exc
        return (
            f"Punkt {item.number} är ändrad.",
            meeting_url(meeting, f"punkt-{item.id}"),
            {"focus": f"punkt-{item.id}"},
        )

    def render(status: int):
        db.session.refresh(meeting)
        if status == 409:
            form.version.data = meeting.agenda_version
        return render_template(
            "agenda/edit_item.html", meeting=meeting, item=item, form=form, ItemKind=ItemKind
        ), status

    if request.method == "GET":
        return render(200)
    return _change(meeting, form, operation, render)


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>/ta-bort", methods=["GET", "POST"])
@login_required
def remove_item(meeting_id: int, item_id: int):
    """Ask first (a page of its own without the script, a dialog with it), then remove; "Ångra" puts it back."""
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    item = access.item_of(meeting, item_id)
    form = EmptyForm()
    if request.method == "GET":
        return render_template("agenda/remove_item.html", meeting=meeting, item=item, form=form)

    def operation():
        message = f"Punkt {item.number} ”{_title_of(item)}” är borttagen. Övriga punkter har numrerats om."
        removal = ops.remove_item(item, user=acting_user())
        location = url_for("meetings.meeting", meeting_id=meeting.id, borttagen=removal.id, _anchor="dagordning")
        return message, location, {"undo": {"removal": removal.id, "minutes": ops.UNDO_MINUTES}}

    return _change(meeting, form, operation, lambda status: _meeting_page(meeting, status))


@bp.route("/sammantraden/<int:meeting_id>/angra-borttagning", methods=["POST"])
@login_required
def undo_removal(meeting_id: int):
    """Put back the item a removal took off, at its place with its content."""
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    form = UndoRemovalForm()

    def operation():
        item = ops.restore_item(meeting, user=acting_user(), removal_id=form.removal.data)
        return (
            f"Punkt {item.number} ”{_title_of(item)}” är återställd.",
            meeting_url(meeting, f"punkt-{item.id}"),
            {"focus": f"punkt-{item.id}"},
        )

    return _change(meeting, form, operation, lambda status: _meeting_page(meeting, status))


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>/handling", methods=["POST"])
@login_required
def attach_handling(meeting_id: int, item_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    item = access.item_of(meeting, item_id)

    def operation():
        ops.attach_handling(item, user=acting_user())
        return (
            f"Handlingen till punkt {item.number} är klar och följer med kallelsen.",
            meeting_url(meeting, f"punkt-{item.id}"),
            {"focus": f"punkt-{item.id}"},
        )

    return _change(meeting, EmptyForm(), operation, lambda status: _meeting_page(meeting, status))


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>/flytta", methods=["POST"])
@login_required
def move_item(meeting_id: int, item_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    item = access.item_of(meeting, item_id)
    form = MoveItemForm()

    def operation():
        direction = form.direction.data or ""
        if direction == "up":
            target = item.position - 1
        elif direction == "down":
            target = item.position + 1
        elif direction:
            raise ValidationError({"direction": "Välj att flytta upp eller ned."})
        elif form.position.data is None:
            raise ValidationError({"position": "Ange platsen som ett tal."})
        else:
            # The form names the number the item is to have; the operation takes its place (1 … n).
            first = meeting.conventions.first_number
            last = first + len(meeting.items) - 1
            if not first <= form.position.data <= last:
                raise ValidationError({"position": f"Platsen ska vara ett tal från {first} till {last}."})
            target = form.position.data - first + 1
        ops.move_item(item, user=acting_user(), to_position=target, expected_version=form.version.data)
        return f"”{_title_of(item)}” är nu punkt {item.number}.", meeting_url(meeting, f"punkt-{item.id}")

    return run(form, operation, lambda status: _meeting_page(meeting, status, {("move", item.id): form}))


@bp.route("/sammantraden/<int:meeting_id>/ordning", methods=["POST"])
@login_required
def reorder(meeting_id: int):
    """The new order after drag and drop: JSON for the script's fetch, a redirect for a plain form."""
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    form = ReorderForm()
    wants_json = prefers_json()
    try:
        if not form.validate():
            raise ValidationError({name: " ".join(errors) for name, errors in form.errors.items()})
        ops.reorder(meeting, user=acting_user(), order=form.order_ids(), expected_version=form.version.data)
    except ValidationError as exc:
        db.session.rollback()
        if wants_json:
            return json_error(422, exc.message, exc.errors)
        flash(exc.message, "error")
        return _meeting_page(meeting, 422)
    except ConflictError as exc:
        db.session.rollback()
        if wants_json:
            return json_error(409, exc.message)
        flash(exc.message, "error")
        return _meeting_page(meeting, 409)
    db.session.commit()
    message = "Föredragningslistan har fått ny ordning."
    if wants_json:
        db.session.refresh(meeting)
        return jsonify(
            message=message,
            version=meeting.agenda_version,
            items=[{"id": item.id, "number": item.number} for item in meeting.items],
        )
    flash(message, "success")
    return redirect(meeting_url(meeting, "dagordning"))


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>/utfall", methods=["POST"])
@login_required
def outcome(meeting_id: int, item_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    item = access.item_of(meeting, item_id)
    form = OutcomeForm()

    def operation():
        outcomes.record_outcome(item, user=acting_user(), outcome=form.outcome.data)
        return f"Punkt {item.number}: {item.outcome.label.lower()}.", meeting_url(meeting, "utfall")

    return run(form, operation, lambda status: _meeting_page(meeting, status, {("outcome", item.id): form}))


@bp.route("/sammantraden/<int:meeting_id>/publicera", methods=["POST"])
@login_required
def publish(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.publish_notice)
    form = PublishForm()
    refused: list[str] = []

    def operation():
        try:
            publication = ops.publish(meeting, user=acting_user(), late_reason=form.late_reason.data)
        except ops.PublicationRefused as exc:
            refused.extend(exc.problems)
            raise ConflictError("Kallelsen kan inte publiceras. Rätta det som står i listan och försök igen.") from exc
        return (f"Kallelsen är publicerad som version {publication.version}.", meeting_url(meeting, "publicerade"))

    return run(form, operation, lambda status: _meeting_page(meeting, status, {"publish": form}, refused))
