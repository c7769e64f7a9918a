"""Meeting pages: the year plan, the agenda builder, publishing, the members' kallelse and its
handlingar, and the delegated decisions."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from agenda import access
from agenda import operations as ops
from agenda.models import (
    UPCOMING,
    AgendaItem,
    DelegationDecision,
    ItemKind,
    Meeting,
    Publication,
)
from agenda.operations import misplaced_confidential
from agenda.secrecy import newly_confidential
from agenda.snapshot import (
    build_snapshots,
    describe_changes,
    items_for,
    publication_problems,
)
from app.auth.forms import EmptyForm
from app.clock import LOCAL_TZ, local_today, to_local, utcnow
from app.errors import json_error, prefers_json
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, allowed_committees, can, committees_where, require
from app.registry.models import Case, CaseStatus
from app.swedish_dates import long_date, meeting_time
from app.validation import ConflictError, ValidationError
from app.web.meeting_forms import (
    CaseItemForm,
    DelegationDecisionForm,
    DelegationItemForm,
    MeetingFactsForm,
    MoveItemForm,
    OutcomeForm,
    PlanMeetingForm,
    PlanSeriesForm,
    PublishForm,
    ReorderForm,
    SimpleItemForm,
    combine_start,
    combine_starts,
    edit_item_form,
    information_form,
    part_errors,
    parts_of,
)
from app.web.registry_forms import options
from app.web.report_forms import run, with_ids
from workflows.access import acting_user
from workflows.models import CaseReport, ReportState

bp = Blueprint("meetings", __name__)

WITHHELD = "Sekretessärende: handlingarna visas för nämndens ledamöter och för den som får läsa ärendet."
BAD_VERSION = "Ange versionen som ett heltal, till exempel ?version=1."
BAD_YEAR = "Ange året med fyra siffror, till exempel ?ar=2027."


@bp.app_context_processor
def meeting_helpers():
    """Offer the meeting links of the menu."""
    return {"meeting_nav": {"meetings": bool(committees_where(current_user, Action.view_meetings)),
                            "delegations": bool(committees_where(current_user, Action.manage_meetings))}}


bp.add_app_template_filter(meeting_time, "meeting_time")
bp.add_app_template_filter(long_date, "long_date_iso")


@bp.app_template_filter("iso_date")
def iso_date(value: str | None) -> str:
    """The date part of a snapshot's ISO date or datetime text."""
    return (value or "")[:10]


# --- loading and checking -------------------------------------------------------------------


def meeting_url(meeting: Meeting, anchor: str | None = None) -> str:
    return url_for("meetings.meeting", meeting_id=meeting.id, _anchor=anchor)


def requested_version(meeting: Meeting, snapshot_kind: str = "members") -> Publication:
    """The publication ``?version=N`` names (default: the latest); 400 for a bad number, 404 for none."""
    raw = request.args.get("version")
    if raw in (None, ""):
        return access.publication_of(meeting)
    if not raw.isdigit() or len(raw) > 6:
        abort(400, BAD_VERSION)
    return access.publication_of(meeting, int(raw))


# --- the year plan --------------------------------------------------------------------------


def _year() -> int:
    raw = request.args.get("ar")
    if raw in (None, ""):
        return local_today().year
    if not (raw.isdigit() and len(raw) == 4 and 1900 <= int(raw) <= 2200):
        abort(400, BAD_YEAR)
    return int(raw)


def _plan_form(committees: list[Committee], form=None, form_class=PlanMeetingForm):
    """The year plan's planning form (one meeting, or a series), offering the committees the user plans for."""
    form = form or form_class(formdata=None, time="18:00")
    form.committee.choices = options([(c.id, c.name) for c in committees],
                                     "Välj nämnd" if len(committees) > 1 else None)
    if len(committees) == 1 and form.committee.data is None:
        form.committee.data = committees[0].id
    return form


def _year_page(year: int, status: int = 200, form: PlanMeetingForm | None = None,
               series_form: PlanSeriesForm | None = None):
    committees = allowed_committees(current_user, Action.view_meetings)
    if not committees:
        abort(403, "Sammanträdena visas för den som har en roll i en nämnd.")
    start = datetime(year, 1, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ)
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.committee_id.in_([c.id for c in committees]), Meeting.start_dt >= start,
                              Meeting.start_dt < end)
        .options(selectinload(Meeting.publications)).order_by(Meeting.start_dt)
    ).all()
    by_committee = {c.id: [] for c in committees}
    for m in meetings:
        by_committee[m.committee_id].append(m)
    planning = allowed_committees(current_user, Action.manage_meetings)
    return render_template("agenda/year.html", year=year, years=_years_with_meetings(committees, year),
                           committees=committees, by_committee=by_committee,
                           planning_ids={c.id for c in planning},
                           form=_plan_form(planning, form) if planning else None,
                           series_form=_plan_form(planning, series_form, PlanSeriesForm) if planning else None), status


def _years_with_meetings(committees: list[Committee], year: int) -> list[int]:
    """The years the year plan offers: every year from the first meeting to the last, and the years around ``year``."""
    first, last = db.session.execute(
        select(func.min(Meeting.start_dt), func.max(Meeting.start_dt))
        .where(Meeting.committee_id.in_([c.id for c in committees]))
    ).one()
    years = {year - 1, year, year + 1, local_today().year}
    if first is not None:
        years.update(range(to_local(first).year, to_local(last).year + 1))
    return sorted(years)


@bp.route("/sammantraden")
@login_required
def year_plan():
    return _year_page(_year())


def _planning_committees() -> list[Committee]:
    """The committees the user plans meetings for; 403 when none."""
    committees = allowed_committees(current_user, Action.manage_meetings)
    if not committees:
        abort(403, "Bara nämndsekreteraren planerar sammanträden.")
    return committees


def _chosen_committee(form) -> Committee:
    return access.load_committee(current_user, form.committee.data, Action.manage_meetings)


@bp.route("/sammantraden/planera", methods=["POST"])
@login_required
def plan():
    form = _plan_form(_planning_committees(), PlanMeetingForm())

    def operation():
        committee = _chosen_committee(form)
        try:
            start = combine_start(form.day.data, form.time.data)
            meeting = ops.plan_meeting(committee, user=acting_user(), start=start, place=form.place.data,
                                       is_public=bool(form.is_public.data))
        except ValidationError as exc:
            raise _start_errors(exc) from exc
        return (f"Sammanträdet {to_local(meeting.start_dt):%Y-%m-%d %H:%M} är planerat. Lägg till punkterna på "
                "föredragningslistan.", meeting_url(meeting))

    year = form.day.data.year if form.day.data else local_today().year
    return run(form, operation, lambda status: _year_page(year, status, form))


@bp.route("/sammantraden/planera-flera", methods=["POST"])
@login_required
def plan_series():
    """Plan the year's meetings at once: one date per line, the same time and place."""
    form = _plan_form(_planning_committees(), PlanSeriesForm(), PlanSeriesForm)

    def operation():
        committee = _chosen_committee(form)
        meetings = ops.plan_meetings(committee, user=acting_user(), starts=combine_starts(form.days.data, form.time.data),
                                     place=form.place.data, is_public=bool(form.is_public.data))
        first = to_local(meetings[0].start_dt)
        return (f"{len(meetings)} sammanträden för {committee.name} är planerade, det första {first:%Y-%m-%d}.",
                url_for("meetings.year_plan", ar=first.year))

    return run(form, operation, lambda status: _year_page(local_today().year, status, series_form=form))


def _start_errors(exc: ValidationError) -> ValidationError:
    """Name the date field in the operation's errors about the start ("start" → "day")."""
    return ValidationError({("day" if key == "start" else key): message for key, message in exc.errors.items()})


# --- the meeting page and the agenda builder -------------------------------------------------


def _case_label(case: Case) -> str:
    if case.is_confidential and not can(current_user, Action.view_confidential, case):
        return f"Sekretessärende: {case.display_public_title}"
    label = f"{case.number} {case.title}"
    label = label if len(label) <= 140 else label[:139] + "…"
    return f"{label} (sekretess)" if case.is_confidential else label


def _offer_cases(form: CaseItemForm, meeting: Meeting) -> CaseItemForm:
    """The cases an item can be made of: offered again, signed reports, other open cases (handling later)."""
    upcoming = (select(AgendaItem.case_id).join(Meeting)
                .where(Meeting.status.in_(UPCOMING), AgendaItem.outcome.is_(None), AgendaItem.case_id.is_not(None)))
    cases = db.session.scalars(
        select(Case).where(Case.committee_id == meeting.committee_id, Case.status == CaseStatus.open,
                           Case.id.not_in(upcoming))
        .order_by(Case.registered_on.desc(), Case.id.desc())
    ).all()
    states = dict(db.session.execute(
        select(CaseReport.case_id, CaseReport.state).where(CaseReport.case_id.in_([c.id for c in cases]))
    ).all()) if cases else {}
    again = {item.case_id for item in ops.offered_again(meeting.committee)}
    groups: dict[str, list] = {"Bordlagda och återremitterade": [], "Undertecknade tjänsteutlåtanden": [],
                               "Övriga öppna ärenden (handling kommer senare)": []}
    for case in cases:
        if case.id in again:
            key = "Bordlagda och återremitterade"
        elif states.get(case.id) is ReportState.signed:
            key = "Undertecknade tjänsteutlåtanden"
        else:
            key = "Övriga öppna ärenden (handling kommer senare)"
        groups[key].append((case.id, _case_label(case)))
    form.case.choices = {"": [("", "Välj ärende")], **{k: v for k, v in groups.items() if v}}
    return form


def _forms(meeting: Meeting, posted: dict) -> dict:
    """Every form of the builder: the posted one as it came back, the others empty."""
    facts = posted.get("facts")
    if facts is None:
        local = to_local(meeting.start_dt)
        facts = MeetingFactsForm(formdata=None, day=local.date(), time=f"{local:%H:%M}", place=meeting.place,
                                 is_public=meeting.is_public, notice_place=meeting.notice_place,
                                 notice_date=meeting.notice_date, chair_name=meeting.chair_name,
                                 secretary_name=meeting.secretary_name)
    forms = {
        "facts": with_ids(facts, "uppgifter"),
        "simple": with_ids(posted.get("simple") or SimpleItemForm(formdata=None), "formalia"),
        "information": with_ids(posted.get("information") or information_form(from_request=False), "information"),
        "case": with_ids(_offer_cases(posted.get("case") or CaseItemForm(formdata=None), meeting), "arende"),
        "delegation": with_ids(posted.get("delegation") or DelegationItemForm(formdata=None), "delgivningar"),
        "publish": with_ids(posted.get("publish") or PublishForm(formdata=None), "publicera"),
        "reorder": with_ids(ReorderForm(formdata=None, version=meeting.agenda_version), "ordning"),
    }
    forms["moves"] = {}
    for item in meeting.items:
        form = posted.get(("move", item.id)) or MoveItemForm(formdata=None, position=item.position,
                                                             version=meeting.agenda_version)
        form.version.data = meeting.agenda_version
        forms["moves"][item.id] = with_ids(form, f"flytta-{item.id}")
    forms["outcomes"] = {item.id: with_ids(posted.get(("outcome", item.id)) or OutcomeForm(formdata=None),
                                           f"utfall-{item.id}") for item in meeting.items}
    return forms


def _meeting_page(meeting: Meeting, status: int = 200, posted: dict | None = None, refused: list | None = None):
    posted = posted or {}
    db.session.refresh(meeting)
    manage = can(current_user, Action.manage_meetings, meeting)
    context = {"meeting": meeting, "may_manage": manage, "may_publish": can(current_user, Action.publish_notice, meeting),
               "is_open": meeting.status in UPCOMING, "refused": refused, "today": local_today(),
               "button_form": EmptyForm()}
    if manage:
        decisions = ops.delegation_decisions_for(meeting)
        problems = publication_problems(meeting, decisions) if meeting.items else []
        if not meeting.items:
            problems = ["Föredragningslistan är tom; lägg till punkter innan kallelsen publiceras."] + problems
        forms = _forms(meeting, posted)
        forms["publish"].late_reason.flags.required = True
        previous = meeting.latest_publication
        pending = (describe_changes(previous.members_snapshot, build_snapshots(meeting, decisions)[0])
                   if previous is not None else None)
        context.update(
            pending_changes=pending, newly_secret=newly_confidential(previous) if previous is not None else [],
            misplaced=misplaced_confidential(meeting),
            forms=forms, decisions=decisions, problems=problems,
            deadline=meeting.notice_deadline, deadline_passed=local_today() > meeting.notice_deadline,
            started=meeting.start_dt <= utcnow(), ItemKind=ItemKind,
        )
    return render_template("agenda/meeting.html", **context), status


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
        values = {"place": form.place.data or "", "is_public": bool(form.is_public.data),
                  "notice_place": form.notice_place.data or "", "notice_date": form.notice_date.data,
                  "chair_name": form.chair_name.data or "", "secretary_name": form.secretary_name.data or ""}
        try:
            start = combine_start(form.day.data, form.time.data).replace(tzinfo=LOCAL_TZ)
            if start != to_local(meeting.start_dt):
                values["start"] = start
            ops.update_meeting(meeting, user=acting_user(), values=values)
        except ValidationError as exc:
            raise _start_errors(exc) from exc
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
        key, form = "simple", SimpleItemForm()

        def create():
            return ops.add_item(meeting, user=user, kind=form.kind.data, title=form.title.data, note=form.note.data)
    elif kind == ItemKind.information.value:
        key, form = "information", information_form(from_request=True)

        def create():
            try:
                return ops.add_item(meeting, user=user, kind="information", title=form.title.data,
                                    note=form.note.data, parts=parts_of(form))
            except ValidationError as exc:
                raise part_errors(exc, form) from exc
    elif kind == ItemKind.case.value:
        key, form = "case", _offer_cases(CaseItemForm(), meeting)

        def create():
            case = db.session.get(Case, form.case.data)
            require(current_user, Action.view_case, case)
            return ops.add_item(meeting, user=user, kind="case", case=case,
                                is_handling_later=bool(form.is_handling_later.data), note=form.note.data,
                                external_reference=form.external_reference.data)
    elif kind == ItemKind.delegation_report.value:
        key, form = "delegation", DelegationItemForm()

        def create():
            return ops.add_item(meeting, user=user, kind="delegation_report", title=form.title.data or None)
    else:
        abort(400, "Okänd typ av punkt.")

    def operation():
        item = create()
        return (f"Punkt {item.position} ”{_title_of(item)}” har lagts till på föredragningslistan.",
                meeting_url(meeting, f"punkt-{item.id}"))

    return run(form, operation, lambda status: _meeting_page(meeting, status, {key: form}))


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>", methods=["GET", "POST"])
@login_required
def edit_item(meeting_id: int, item_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    item = access.item_of(meeting, item_id)
    form = edit_item_form(item, from_request=request.method == "POST")

    def operation():
        values = {"title": form.title.data, "note": form.note.data,
                  "external_reference": form.external_reference.data}
        if item.kind is ItemKind.information:
            values["parts"] = parts_of(form)
        if item.case is not None:
            values["is_handling_later"] = bool(form.is_handling_later.data)
        try:
            ops.update_item(item, user=acting_user(), expected_version=form.version.data, **values)
        except ValidationError as exc:
            raise part_errors(exc, form) from exc
        return f"Punkt {item.position} är ändrad.", meeting_url(meeting, f"punkt-{item.id}")

    def render(status: int):
        db.session.refresh(meeting)
        if status == 409:
            form.version.data = meeting.agenda_version
        return render_template("agenda/edit_item.html", meeting=meeting, item=item, form=form,
                               ItemKind=ItemKind), status

    return run(form, operation, render)


def _item_button(meeting_id: int, item_id: int, change, action: Action = Action.manage_meetings):
    """Run a button's ``change(item)`` (it returns the flash message) and go back to the agenda."""
    meeting = access.load_meeting(current_user, meeting_id, action)
    item = access.item_of(meeting, item_id)
    return run(EmptyForm(), lambda: (change(meeting, item), meeting_url(meeting, "dagordning")),
               lambda status: _meeting_page(meeting, status))


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>/ta-bort", methods=["POST"])
@login_required
def remove_item(meeting_id: int, item_id: int):
    def change(meeting, item):
        message = f"Punkt {item.position} ”{_title_of(item)}” är borttagen. Övriga punkter har numrerats om."
        ops.remove_item(item, user=acting_user())
        return message

    return _item_button(meeting_id, item_id, change)


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>/handling", methods=["POST"])
@login_required
def attach_handling(meeting_id: int, item_id: int):
    def change(meeting, item):
        ops.attach_handling(item, user=acting_user())
        return f"Handlingen till punkt {item.position} är klar och följer med kallelsen."

    return _item_button(meeting_id, item_id, change)


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
            target = form.position.data
        ops.move_item(item, user=acting_user(), to_position=target, expected_version=form.version.data)
        return f"”{_title_of(item)}” är nu punkt {item.position}.", meeting_url(meeting, f"punkt-{item.id}")

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
        return jsonify(message=message, version=meeting.agenda_version,
                       items=[{"id": item.id, "number": item.position} for item in meeting.items])
    flash(message, "success")
    return redirect(meeting_url(meeting, "dagordning"))


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>/utfall", methods=["POST"])
@login_required
def outcome(meeting_id: int, item_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    item = access.item_of(meeting, item_id)
    form = OutcomeForm()

    def operation():
        ops.record_outcome(item, user=acting_user(), outcome=form.outcome.data)
        return f"Punkt {item.position}: {item.outcome.label.lower()}.", meeting_url(meeting, "utfall")

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
        return (f"Kallelsen är publicerad som version {publication.version}.",
                meeting_url(meeting, "publicerade"))

    return run(form, operation, lambda status: _meeting_page(meeting, status, {"publish": form}, refused))


# --- the members' kallelse ------------------------------------------------------------------


def reader_items(publication: Publication) -> list[dict]:
    """The published items as the current user may read them (see agenda.snapshot.for_reader)."""
    return items_for(publication.members_snapshot, current_user)


def _item_by_number(items: list[dict], number: int) -> dict:
    item = next((i for i in items if i["number"] == number), None)
    if item is None:
        abort(404)
    return item


def report_document(report_ref: dict | None, committee: Committee):
    """The signed revision a snapshot names, as (content, sections) for the document template."""
    from workflows import operations as report_ops
    from workflows.content import ReportContent

    if not report_ref:
        return None
    report = db.session.get(CaseReport, report_ref["id"])
    revision = report.revision(report_ref["revision"]) if report is not None else None
    if revision is None:
        return None
    content = ReportContent.from_json(revision.content)
    sections = report_ops.section_titles(committee.municipality, keep=list(content.sections))
    return {"content": content, "sections": sections}


@bp.route("/sammantraden/<int:meeting_id>/kallelse")
@login_required
def notice(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id)
    publication = requested_version(meeting)
    return render_template("agenda/notice.html", meeting=meeting, publication=publication,
                           facts=publication.members_snapshot["meeting"], items=reader_items(publication))


@bp.route("/sammantraden/<int:meeting_id>/kallelse/punkt/<int:number>")
@login_required
def notice_item(meeting_id: int, number: int):
    meeting = access.load_meeting(current_user, meeting_id)
    publication = requested_version(meeting)
    item = _item_by_number(reader_items(publication), number)
    document = None if item.get("withheld") else report_document(item.get("report"), meeting.committee)
    return render_template("agenda/notice_item.html", meeting=meeting, publication=publication,
                           facts=publication.members_snapshot["meeting"], item=item, document=document,
                           withheld_text=WITHHELD)


def send_stored(attachment: dict):
    """Send a published bilaga (a snapshot's entry): the file its sha256 names, under its upload's name."""
    from app.storage import send_stored_file
    from workflows.attachments import EXTENSION_FOR
    from workflows.models import ReportAttachment, StoredFileRecord

    if not attachment.get("sha256"):
        abort(404, "Bilagan är en handling i diariet utan egen fil.")
    record = db.session.scalar(select(StoredFileRecord).where(StoredFileRecord.sha256 == attachment["sha256"]))
    if record is None:
        abort(404)
    row = db.session.get(ReportAttachment, attachment["id"])
    content_type = attachment.get("content_type") or record.content_type
    name = (row.filename if row is not None and row.filename else None) or \
        f"Bilaga {attachment['number']} {attachment['title']}{EXTENSION_FOR.get(content_type, '')}"
    response = send_stored_file(record.storage_key, sha256=attachment["sha256"], filename=name, mimetype=content_type,
                                last_modified=record.created_dt)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/sammantraden/<int:meeting_id>/kallelse/bilaga/<int:attachment_id>")
@login_required
def notice_attachment(meeting_id: int, attachment_id: int):
    meeting = access.load_meeting(current_user, meeting_id)
    publication = requested_version(meeting)
    for item in reader_items(publication):
        for attachment in item.get("attachments") or []:
            if attachment["id"] == attachment_id and not attachment.get("withheld"):
                response = send_stored(attachment)
                response.headers["Cache-Control"] = "private, no-store"
                return response
    abort(404)


# --- delegated decisions --------------------------------------------------------------------


def _decision_view(decision: DelegationDecision) -> dict:
    shown = access.shown_decision(decision, current_user)
    return {"decision": decision, "case_number": shown.case_number, "case_id": shown.case_id,
            "summary": shown.summary, "masked": shown.withheld}


def _delegation_form(committees: list[Committee], form: DelegationDecisionForm | None = None):
    form = form or DelegationDecisionForm(formdata=None, decided_on=local_today())
    form.committee.choices = options([(c.id, c.name) for c in committees],
                                     "Välj nämnd" if len(committees) > 1 else None)
    if len(committees) == 1 and form.committee.data is None:
        form.committee.data = committees[0].id
    cases = db.session.scalars(
        select(Case).where(Case.committee_id.in_([c.id for c in committees]), Case.status == CaseStatus.open)
        .order_by(Case.registered_on.desc(), Case.id.desc()).limit(1000)
    ).all()
    form.case.choices = options([(c.id, _case_label(c)) for c in cases], "Inget ärende")
    return form


@bp.route("/delegationsbeslut", methods=["GET", "POST"])
@login_required
def delegations():
    committees = allowed_committees(current_user, Action.view_meetings)
    if not committees:
        abort(403, "Delegationsbesluten visas för den som har en roll i en nämnd.")
    managing = allowed_committees(current_user, Action.manage_meetings)
    if request.method == "POST" and not managing:
        asked = request.form.get("committee", type=int)
        if asked is not None:  # another committee's: 404, as in the API; a committee they see: 403
            access.load_committee(current_user, asked, Action.manage_meetings)
        abort(403, "Bara nämndsekreteraren registrerar delegationsbeslut.")
    form = _delegation_form(managing, DelegationDecisionForm() if request.method == "POST" else None) \
        if managing else None

    def operation():
        committee = access.load_committee(current_user, form.committee.data, Action.manage_meetings)
        case = None
        if form.case.data is not None:
            case = db.session.get(Case, form.case.data)
            if case is None or not can(current_user, Action.view_case, case):
                raise ValidationError({"case": "Välj ett av ärendena i listan."})
        decision = ops.register_delegation_decision(
            committee, user=acting_user(), decided_on=form.decided_on.data, decision_maker=form.decision_maker.data,
            delegation_point=form.delegation_point.data, summary=form.summary.data, case=case)
        return (f"Delegationsbeslutet {decision.decided_on.isoformat()} (punkt {decision.delegation_point}) är "
                "registrerat. Det anmäls vid nämndens nästa sammanträde.", url_for("meetings.delegations"))

    def render(status: int):
        decisions = db.session.scalars(
            select(DelegationDecision).where(DelegationDecision.committee_id.in_([c.id for c in committees]))
            .order_by(DelegationDecision.decided_on.desc(), DelegationDecision.id.desc()).limit(500)
        ).all()
        return render_template("agenda/delegations.html", form=form, committees=committees,
                               decisions=[_decision_view(d) for d in decisions]), status

    if form is None:
        return render(200)
    return run(form, operation, render)
