"""The protokoll's pages, on the meetings blueprint: before the meeting, who comes (förhinder and the ersättare
called in), the committee's seats and the yrkanden filed in advance; at the meeting, the protokoll: its header
(attendance, justering) and one page per paragraph, made for the secretary's keyboard.

Each view loads through agenda.minutes.access (or agenda.access), which decides 404 or 403 as it does for the
API, calls one operation of agenda.minutes and commits once. The operations' Swedish refusals are shown on the
page next to their fields (422), a stale save with both texts (409).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from agenda import access as agenda_access
from agenda.minutes import access
from agenda.minutes import operations as minutes_ops
from agenda.minutes import seats as seat_ops
from agenda.minutes.content import BALLOT_LABELS, HEADER, HeaderJSON, ParagraphJSON, part_name
from agenda.minutes.models import MOTION_LABELS, CommitteeSeat, Minutes, MinutesParagraph, SeatKind
from agenda.minutes.rules import has_quorum, present_at, quorum_needed, serving_at, vote_result
from agenda.models import UPCOMING, AgendaItem, Meeting
from app.auth.models import Role, User
from app.clock import utcnow
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, can
from app.validation import ConflictError, ForbiddenError, ValidationError
from app.web.forms import EmptyForm
from app.web.meetings import bp
from app.web.minutes_forms import (
    MOTION_CHOICES,
    AbsenceForm,
    MinutesPartForm,
    MotionForm,
    MoveSeatForm,
    OpenParagraphForm,
    SeatForm,
    header_raw,
    header_values,
    offer_holders,
    paragraph_raw,
    paragraph_values,
    rows,
)
from app.web.registry_forms import form_status
from app.web.report_forms import with_ids
from workflows.access import acting_user
from workflows.notify import role_holders

OUTCOMES = {"decided": "Beslutat", "postponed": "Bordlagt", "sent_back": "Återremitterat"}


def _finish(
    form: Any,
    operation: Callable[[], tuple[str, str]],
    render: Callable[[int, dict[str, str]], object],
    where: Mapping[str, str] | None = None,
):
    """Run ``operation`` on a valid ``form`` and commit; a refusal renders the page: 422 with the messages by
    field (``where`` maps an operation's key to the field's id), 403 or 409 with the message."""
    if not form.validate():
        errors = {name: " ".join(errs) for name, errs in form.errors.items()}
        return render(form_status(form), errors)
    try:
        message, location = operation()
    except ValidationError as exc:
        db.session.rollback()
        errors = {(where or {}).get(key, key): text for key, text in exc.errors.items()}
        for key, text in errors.items():
            if key in form and key != "csrf_token":
                form[key].errors = [*form[key].errors, text]
        return render(422, errors)
    except ForbiddenError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return render(403, {})
    except ConflictError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return render(409, {})
    db.session.commit()
    flash(message, "success")
    return redirect(location)


def _is_before(meeting: Meeting) -> bool:
    return meeting.status in UPCOMING and meeting.start_dt > utcnow()


def _is_secretary(meeting: Meeting | Committee) -> bool:
    committee_id = meeting.committee_id if isinstance(meeting, Meeting) else meeting.id
    return Role.secretary in acting_user().roles_in(committee_id)


# --- links on the meeting page and the year plan ---------------------------------------------------------------


@bp.app_template_global()
def minutes_links(meeting: Meeting) -> dict[str, Any]:
    """What the meeting page links to: who comes, and the protokoll (or the button that starts it)."""
    minutes = minutes_ops.minutes_for(meeting)
    return {
        "attendance": url_for("meetings.attendance", meeting_id=meeting.id),
        "minutes": url_for("meetings.minutes", meeting_id=meeting.id)
        if minutes is not None and can(current_user, Action.view_minutes, meeting)
        else None,
        "may_start": minutes is None and can(current_user, Action.record_minutes, meeting),
        "start_form": EmptyForm(formdata=None),
        "before": _is_before(meeting),
    }


# --- förhinder and who is called in ----------------------------------------------------------------------------


def _attendance_page(meeting: Meeting, status: int = 200, form: AbsenceForm | None = None, errors=None):
    seats = seat_ops.seats_of(meeting.committee_id)
    absences = seat_ops.absences_for(meeting)
    by_seat = {a.seat_id: a for a in absences}
    called_for = {a.substitute_id: a for a in absences if a.substitute_id is not None}
    own = seat_ops.seat_of_user(meeting.committee_id, acting_user())
    secretary = _is_secretary(meeting)
    form = form or AbsenceForm(formdata=None)
    form.seat.choices = [("", "Välj ledamot eller ersättare"), *((s.id, _seat_label(s)) for s in seats)]
    members = [s for s in seats if s.kind is SeatKind.member]
    coming = sum(1 for s in members if s.id not in by_seat or by_seat[s.id].substitute_id is not None)
    return render_template(
        "agenda/minutes/attendance.html",
        meeting=meeting,
        seats=seats,
        members=members,
        deputies=[s for s in seats if s.kind is SeatKind.deputy],
        by_seat=by_seat,
        called_for=called_for,
        own=own,
        own_absence=by_seat.get(own.id) if own else None,
        secretary=secretary,
        may_report=can(current_user, Action.report_absence, meeting),
        may_read_motions=can(current_user, Action.view_motions, meeting),
        before=_is_before(meeting),
        form=form,
        errors=errors or {},
        button=EmptyForm(formdata=None),
        coming=coming,
        quorum=quorum_needed(len(members)),
        motion_counts={item.id: len(seat_ops.filed_motions_for(item)) for item in meeting.items},
    ), status


def _seat_label(seat: CommitteeSeat) -> str:
    return f"{seat.label}, {seat.kind.label.lower()}" + (f", {seat.office.label.lower()}" if seat.office else "")


@bp.route("/sammantraden/<int:meeting_id>/narvaro")
@login_required
def attendance(meeting_id: int):
    return _attendance_page(agenda_access.load_meeting(current_user, meeting_id))


@bp.route("/sammantraden/<int:meeting_id>/forhinder", methods=["POST"])
@login_required
def report_absence(meeting_id: int):
    meeting = agenda_access.load_meeting(current_user, meeting_id, Action.report_absence)
    form = AbsenceForm()
    form.seat.choices = []
    form.seat.validate_choice = False  # any id: another committee's seat is 404, another's seat 403, as in the API
    seat = None
    if form.seat.data is not None and not isinstance(form.seat.data, str):
        seat = access.seat_of(meeting.committee, form.seat.data)

    def operation():
        chosen = seat or seat_ops.seat_of_user(meeting.committee_id, acting_user())
        if chosen is None:
            raise ValidationError({"seat": "Du har ingen plats i nämnden; välj vem som har förhinder."})
        absence = seat_ops.report_absence(meeting, chosen, user=acting_user(), reason=form.reason.data)
        called = f" {absence.substitute.label} är inkallad." if absence.substitute else ""
        return f"Förhinder anmält för {chosen.label}.{called}", url_for("meetings.attendance", meeting_id=meeting.id)

    return _finish(form, operation, lambda status, errors: _attendance_page(meeting, status, form, errors))


@bp.route("/sammantraden/<int:meeting_id>/forhinder/<int:absence_id>/ta-tillbaka", methods=["POST"])
@login_required
def withdraw_absence(meeting_id: int, absence_id: int):
    meeting = agenda_access.load_meeting(current_user, meeting_id, Action.report_absence)
    absence = access.absence_of(meeting, absence_id)
    label = absence.seat.label

    def operation():
        seat_ops.withdraw_absence(absence, user=acting_user())
        return f"Förhindret för {label} är tillbakataget.", url_for("meetings.attendance", meeting_id=meeting.id)

    return _finish(EmptyForm(), operation, lambda status, errors: _attendance_page(meeting, status, None, errors))


# --- the committee's seats ------------------------------------------------------------------------------------


def _holders(committee: Committee) -> list[tuple[int, str]]:
    return [(u.id, f"{u.name} ({u.email})") for u in role_holders(committee.id, Role.member)]


def _seats_page(committee: Committee, status: int = 200, form: SeatForm | None = None, errors=None):
    seats = seat_ops.seats_of(committee.id, active_only=False)
    form = offer_holders(form or SeatForm(formdata=None), _holders(committee))
    manage = can(current_user, Action.manage_seats, committee)
    moves = {}
    if manage:
        for seat in seats:
            moves[seat.id] = with_ids(MoveSeatForm(formdata=None, position=seat.position), f"flytta-{seat.id}")
    return render_template(
        "agenda/minutes/seats.html",
        committee=committee,
        members=[s for s in seats if s.kind is SeatKind.member],
        deputies=[s for s in seats if s.kind is SeatKind.deputy],
        form=form,
        errors=errors or {},
        manage=manage,
        moves=moves,
    ), status


@bp.route("/sammantraden/ledamoter/<int:committee_id>", methods=["GET", "POST"])
@login_required
def seats(committee_id: int):
    if request.method == "GET":
        return _seats_page(access.load_seats_committee(current_user, committee_id))
    committee = access.load_seats_committee(current_user, committee_id, Action.manage_seats)
    form = offer_holders(SeatForm(), _holders(committee))

    def operation():
        holder = db.session.get(User, form.user.data) if form.user.data else None
        seat = seat_ops.add_seat(
            committee,
            user=acting_user(),
            kind=form.kind.data or "",
            name=form.name.data,
            party=form.party.data,
            office=form.office.data or None,
            holder=holder,
        )
        return (
            f"{seat.kind.label} {seat.label} är tillagd som nummer {seat.position}.",
            url_for("meetings.seats", committee_id=committee.id, _anchor=f"plats-{seat.id}"),
        )

    return _finish(form, operation, lambda status, errors: _seats_page(committee, status, form, errors))


@bp.route("/sammantraden/ledamoter/<int:committee_id>/<int:seat_id>", methods=["GET", "POST"])
@login_required
def edit_seat(committee_id: int, seat_id: int):
    committee = access.load_seats_committee(current_user, committee_id, Action.manage_seats)
    seat = access.seat_of(committee, seat_id)
    if request.method == "GET":
        form = SeatForm(
            formdata=None,
            kind=seat.kind.value,
            name=seat.name,
            party=seat.party,
            office=seat.office.value if seat.office else "",
            user=seat.user_id,
            is_active=seat.is_active,
        )
    else:
        form = SeatForm()
    offer_holders(form, _holders(committee))
    form.kind.validators = []

    def render(status: int, errors: dict[str, str]):
        return render_template(
            "agenda/minutes/edit_seat.html", committee=committee, seat=seat, form=form, errors=errors
        ), status

    if request.method == "GET":
        return render(200, {})

    def operation():
        holder = db.session.get(User, form.user.data) if form.user.data else None
        values = {
            "name": form.name.data,
            "party": form.party.data,
            "office": form.office.data or None,
            "user": form.user.data,
            "is_active": bool(form.is_active.data),
        }
        seat_ops.update_seat(seat, user=acting_user(), values=values, holder=holder)
        return f"{seat.kind.label} {seat.label} är sparad.", url_for(
            "meetings.seats", committee_id=committee.id, _anchor=f"plats-{seat.id}"
        )

    return _finish(form, operation, render)


@bp.route("/sammantraden/ledamoter/<int:committee_id>/<int:seat_id>/flytta", methods=["POST"])
@login_required
def move_seat(committee_id: int, seat_id: int):
    committee = access.load_seats_committee(current_user, committee_id, Action.manage_seats)
    seat = access.seat_of(committee, seat_id)
    form = MoveSeatForm()

    def operation():
        active = [s for s in seat_ops.seats_of(committee.id) if s.kind is seat.kind]
        place = next((i for i, s in enumerate(active, start=1) if s.id == seat.id), seat.position)
        to = {"up": place - 1, "down": place + 1}.get(form.direction.data or "", form.position.data)
        if to is None:
            raise ValidationError({"position": "Ange en plats."})
        seat_ops.move_seat(seat, user=acting_user(), to_position=to)
        return f"{seat.label} står nu som nummer {to}.", url_for(
            "meetings.seats", committee_id=committee.id, _anchor=f"plats-{seat.id}"
        )

    def render(status: int, errors: dict[str, str]):
        for text in errors.values():
            flash(text, "error")
        return _seats_page(committee, status)

    return _finish(form, operation, render)


# --- yrkanden filed in advance -------------------------------------------------------------------------------


def _motions_page(item: AgendaItem, status: int = 200, form: MotionForm | None = None, errors=None):
    meeting = item.meeting
    own = seat_ops.seat_of_user(meeting.committee_id, acting_user())
    return render_template(
        "agenda/minutes/motions.html",
        meeting=meeting,
        item=item,
        motions=seat_ops.filed_motions_for(item),
        own=own,
        may_file=can(current_user, Action.file_motion, meeting) and own is not None and _is_before(meeting),
        form=form or MotionForm(formdata=None),
        errors=errors or {},
        button=EmptyForm(formdata=None),
    ), status


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>/yrkanden", methods=["GET", "POST"])
@login_required
def motions(meeting_id: int, item_id: int):
    if request.method == "GET":
        return _motions_page(agenda_access.load_item(current_user, meeting_id, item_id, Action.view_motions))
    item = agenda_access.load_item(current_user, meeting_id, item_id, Action.file_motion)
    form = MotionForm()

    def operation():
        motion = seat_ops.file_motion(item, user=acting_user(), kind=form.kind.data or "", text=form.text.data)
        return f"Ditt yrkande ({motion.kind.label.lower()}) är inlämnat.", url_for(
            "meetings.motions", meeting_id=meeting_id, item_id=item.id, _anchor=f"yrkande-{motion.id}"
        )

    return _finish(form, operation, lambda status, errors: _motions_page(item, status, form, errors))


@bp.route("/sammantraden/<int:meeting_id>/punkter/<int:item_id>/yrkanden/<int:motion_id>/ta-tillbaka", methods=["POST"])
@login_required
def withdraw_motion(meeting_id: int, item_id: int, motion_id: int):
    item = agenda_access.load_item(current_user, meeting_id, item_id, Action.file_motion)
    motion = access.filed_motion_of(item, motion_id)

    def operation():
        seat_ops.withdraw_motion(motion, user=acting_user())
        return "Yrkandet är tillbakadraget.", url_for("meetings.motions", meeting_id=meeting_id, item_id=item.id)

    return _finish(EmptyForm(), operation, lambda status, errors: _motions_page(item, status, None, errors))


# --- the protokoll ---------------------------------------------------------------------------------------------


def _names(minutes: Minutes) -> dict[int, CommitteeSeat]:
    return {s.id: s for s in seat_ops.seats_of(minutes.committee_id, active_only=False)}


def _paragraph_rows(minutes: Minutes) -> dict[int, MinutesParagraph]:
    return {p.number: p for p in minutes.paragraphs}


def header_lines(header: Mapping[str, Any], names: Mapping[int, CommitteeSeat]) -> dict[str, str]:
    """The header as text, field by field (to compare two versions of it)."""

    def name(seat_id: object) -> str:
        seat = names.get(cast(int, seat_id))
        return seat.label if seat else f"plats {seat_id}"

    presence = []
    for p in header["attendance"]:
        text = name(p["seat_id"])
        if p["serves_for"]:
            text += f" för {name(p['serves_for'])}"
        if p["from_paragraph"] or p["until_paragraph"]:
            text += f" (§ {p['from_paragraph'] or ''}–{p['until_paragraph'] or ''})"
        presence.append(text)
    return {
        "Närvarande": "; ".join(presence),
        "Övriga närvarande": "; ".join(f"{o['name']} {o['title']}".strip() for o in header["others_present"]),
        "Justerare": ", ".join(name(s) for s in header["adjusters"]),
        "Justeringens plats": header["adjustment_place"],
        "Justeringens tid": (header["adjustment_at"] or "").replace("T", " "),
    }


def paragraph_lines(paragraph: Mapping[str, Any], names: Mapping[int, CommitteeSeat]) -> dict[str, str]:
    """The paragraph as text, field by field (to compare two versions of it)."""

    def name(seat_id: object) -> str:
        seat = names.get(cast(int, seat_id))
        return seat.label if seat else f"plats {seat_id}"

    vote = paragraph["vote"]
    return {
        "Rubrik": paragraph["title"],
        "Utfall": OUTCOMES.get(paragraph["outcome"] or "", "Inte angivet"),
        "Yrkanden": "; ".join(
            f"{name(m['seat_id'])}: {MOTION_LABELS.get(cast(Any, m['kind']), m['kind'])} {m['text']}".strip()
            for m in paragraph["motions"]
        ),
        "Propositionsordning": "; ".join(paragraph["order_of_questions"]),
        "Omröstning": (
            f"Ja: {vote['yes_means']}. Nej: {vote['no_means']}. "
            + ", ".join(f"{name(b['seat_id'])} {BALLOT_LABELS[b['ballot']].lower()}" for b in vote["ballots"])
        )
        if vote
        else "Ingen",
        "Beslut": " ".join(f"{i}. {p}" for i, p in enumerate(paragraph["decision"], start=1)),
        "Reservationer": "; ".join(
            name(r["seat_id"]) + (f": {r['text']}" if r["text"] else "") for r in paragraph["reservations"]
        ),
        "Protokollsanteckningar": "; ".join(
            (name(n["seat_id"]) + ": " if n["seat_id"] else "") + n["text"] for n in paragraph["notes"]
        ),
        "Jäv": ", ".join(name(s) for s in paragraph["conflicts"]),
        "Omedelbart justerad": "Ja" if paragraph["immediately_adjusted"] else "Nej",
        "Beslutet skickas till": "; ".join(paragraph["recipients"]),
    }


def _compare(current: Mapping[str, str], yours: Mapping[str, str]) -> list[tuple[str, str, str]]:
    return [(label, current[label], yours[label]) for label in current if current[label] != yours.get(label)]


def _minutes_page(
    minutes: Minutes,
    status: int = 200,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    based_on: int | None = None,
    conflict: minutes_ops.MinutesRevisionConflict | None = None,
):
    meeting = minutes.meeting
    content = minutes_ops.current_content(minutes)
    seats = seat_ops.seats_of(minutes.committee_id)
    names = _names(minutes)
    rows_by_number = _paragraph_rows(minutes)
    with_paragraph = {p.agenda_item_id for p in minutes.paragraphs}
    open_form = OpenParagraphForm(formdata=None)
    waiting = [item for item in meeting.items if item.id not in with_paragraph]
    open_form.item.choices = [
        ("", "Alla punkter utan paragraf"),
        *((i.id, f"{i.number}. {i.title[:80]}") for i in waiting),
    ]
    comparison = None
    if conflict is not None:
        comparison = _compare(
            header_lines(cast(HeaderJSON, conflict.current_part), names),
            header_lines(cast(HeaderJSON, conflict.conflict.content), names),
        )
    return render_template(
        "agenda/minutes/minutes.html",
        meeting=meeting,
        minutes=minutes,
        content=content,
        seats=seats,
        names=names,
        members=[s for s in seats if s.kind is SeatKind.member],
        deputies=[s for s in seats if s.kind is SeatKind.deputy],
        paragraphs=[(p, rows_by_number[p["number"]]) for p in content["paragraphs"]],
        values=values if values is not None else header_values(content["header"]),
        errors=errors or {},
        based_on=based_on if based_on is not None else minutes.current_revision,
        problems=minutes_ops.problems(minutes),
        may_record=can(current_user, Action.record_minutes, meeting) and not minutes.is_adjusted,
        form=MinutesPartForm(formdata=None),
        open_form=open_form,
        waiting=waiting,
        conflict=conflict,
        comparison=comparison,
        HEADER=HEADER,
        part_links={p.label: p.id for p in minutes.paragraphs},
    ), status


@bp.route("/sammantraden/<int:meeting_id>/protokoll", methods=["GET", "POST"])
@login_required
def minutes(meeting_id: int):
    if request.method == "GET":
        return _minutes_page(access.load_minutes(current_user, meeting_id))
    meeting = agenda_access.load_meeting(current_user, meeting_id, Action.record_minutes)
    form = EmptyForm()

    def operation():
        minutes_ops.start_minutes(meeting, user=acting_user())
        return "Protokollet är påbörjat med närvaron som förhindren ger.", url_for(
            "meetings.minutes", meeting_id=meeting.id
        )

    def render(status: int, errors: dict[str, str]):
        found = minutes_ops.minutes_for(meeting)
        if found is not None:
            return _minutes_page(found, status)
        from app.web.agenda_builder import meeting as meeting_page

        page = meeting_page(meeting.id)
        return page[0] if isinstance(page, tuple) else page, status

    return _finish(form, operation, render)


@bp.route("/sammantraden/<int:meeting_id>/protokoll/narvaro", methods=["POST"])
@login_required
def minutes_header(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    form = MinutesPartForm()
    raw, where = header_raw(request.form, seat_ops.seats_of(minutes.committee_id))
    refused: dict[str, minutes_ops.MinutesRevisionConflict] = {}

    def operation():
        try:
            revision = minutes_ops.save_header(minutes, user=acting_user(), raw=raw, based_on=form.based_on.data)
        except minutes_ops.MinutesRevisionConflict as exc:
            db.session.commit()  # the refused text is kept (MinutesConflict): nothing is lost
            refused["exc"] = exc
            raise
        if revision.number == form.based_on.data:
            return "Inget har ändrats; ingen ny version sparades.", url_for("meetings.minutes", meeting_id=meeting_id)
        return f"Närvaron och justeringen är sparade (version {revision.number}).", url_for(
            "meetings.minutes", meeting_id=meeting_id
        )

    def render(status: int, errors: dict[str, str]):
        exc = refused.get("exc")
        if exc is not None:
            values = header_values(cast(HeaderJSON, exc.conflict.content))
            return _minutes_page(minutes, 409, values, {}, exc.current.number, exc)
        return _minutes_page(minutes, status, request.form, errors, form.based_on.data)

    return _finish(form, operation, render, where)


@bp.route("/sammantraden/<int:meeting_id>/protokoll/paragrafer", methods=["POST"])
@login_required
def open_paragraphs(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    form = OpenParagraphForm()
    form.item.validate_choice = False  # any id: an item of another meeting is 404, as in the API
    item = agenda_access.item_of(minutes.meeting, form.item.data) if isinstance(form.item.data, int) else None
    opened: list[MinutesParagraph] = []

    def operation():
        if item is not None:
            opened.append(minutes_ops.open_paragraph(minutes, item, user=acting_user()))
        else:
            opened.extend(minutes_ops.open_paragraphs(minutes, user=acting_user()))
        if not opened:
            return "Alla punkter har redan sin paragraf.", url_for("meetings.minutes", meeting_id=meeting_id)
        labels = ", ".join(p.label for p in opened)
        return f"Paragrafer: {labels}.", url_for("meetings.paragraph", meeting_id=meeting_id, paragraph_id=opened[0].id)

    return _finish(form, operation, lambda status, errors: _minutes_page(minutes, status, errors=errors))


def _paragraph_page(
    minutes: Minutes,
    row: MinutesParagraph,
    status: int = 200,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    based_on: int | None = None,
    conflict: minutes_ops.MinutesRevisionConflict | None = None,
):
    content = minutes_ops.current_content(minutes)
    paragraph = next(p for p in content["paragraphs"] if p["number"] == row.number)
    seats = seat_ops.seats_of(minutes.committee_id)
    rule_seats = seat_ops.as_rule_seats(seats)
    names = _names(minutes)
    attendance = content["header"]["attendance"]
    at = serving_at(rule_seats, attendance, row.number, paragraph["conflicts"])
    present = [names[p["seat_id"]] for p in attendance if present_at(p, row.number) and p["seat_id"] in names]
    serving = [
        (names[filler], names[place] if filler != place else None) for place, filler in at.places.items() if filler
    ]
    members = sum(1 for s in rule_seats if s.is_member)
    vote = paragraph["vote"]
    result = vote_result({b["seat_id"]: b["ballot"] for b in vote["ballots"]}, at.presiding) if vote else None
    shown = values if values is not None else paragraph_values(paragraph)
    numbers = [p["number"] for p in content["paragraphs"]]
    rows_by_number = _paragraph_rows(minutes)
    index = numbers.index(row.number)
    previous = rows_by_number[numbers[index - 1]] if index > 0 else None
    following = rows_by_number[numbers[index + 1]] if index + 1 < len(numbers) else None
    comparison = None
    if conflict is not None:
        comparison = _compare(
            paragraph_lines(cast(ParagraphJSON, conflict.current_part), names),
            paragraph_lines(cast(ParagraphJSON, conflict.conflict.content), names),
        )
    return render_template(
        "agenda/minutes/paragraph.html",
        meeting=minutes.meeting,
        minutes=minutes,
        row=row,
        paragraph=paragraph,
        paragraphs=[(p, rows_by_number[p["number"]]) for p in content["paragraphs"]],
        previous=previous,
        following=following,
        seats=seats,
        present=present,
        serving=serving,
        presiding=names.get(at.presiding) if at.presiding else None,
        quorum=has_quorum(at.count, members),
        serving_count=at.count,
        members_count=members,
        quorum_needed=quorum_needed(members),
        result=result,
        values=shown,
        errors=errors or {},
        based_on=based_on if based_on is not None else minutes.current_revision,
        problems=minutes_ops.problems(minutes).get(part_name(row.number), {}),
        may_record=can(current_user, Action.record_minutes, minutes.meeting)
        and not minutes.is_adjusted
        and not row.is_adjusted,
        form=MinutesPartForm(formdata=None),
        motion_rows=rows(shown, "motion_kind_"),
        decision_rows=rows(shown, "decision_", empty=1),
        reservation_rows=rows(shown, "reservation_seat_", empty=1),
        note_rows=rows(shown, "note_text_", empty=1),
        motion_choices=MOTION_CHOICES,
        ballot_labels=BALLOT_LABELS,
        outcomes=OUTCOMES,
        filed=_filed_motions(row.item),
        conflict=conflict,
        comparison=comparison,
    ), status


def _filed_motions(item: AgendaItem) -> list:
    return seat_ops.filed_motions_for(item)


@bp.route("/sammantraden/<int:meeting_id>/protokoll/paragrafer/<int:paragraph_id>", methods=["GET", "POST"])
@login_required
def paragraph(meeting_id: int, paragraph_id: int):
    if request.method == "GET":
        minutes = access.load_minutes(current_user, meeting_id)
        return _paragraph_page(minutes, access.paragraph_of(minutes, paragraph_id))
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    row = access.paragraph_of(minutes, paragraph_id)
    form = MinutesPartForm()
    raw, where = paragraph_raw(request.form, seat_ops.seats_of(minutes.committee_id))
    refused: dict[str, minutes_ops.MinutesRevisionConflict] = {}
    go_next = request.form.get("then") == "next"

    def operation():
        try:
            revision = minutes_ops.save_paragraph(row, user=acting_user(), raw=raw, based_on=form.based_on.data)
        except minutes_ops.MinutesRevisionConflict as exc:
            db.session.commit()  # the refused text is kept (MinutesConflict): nothing is lost
            refused["exc"] = exc
            raise
        target = row
        if go_next:
            later = [p for p in minutes.paragraphs if p.number > row.number]
            target = min(later, key=lambda p: p.number) if later else row
        location = url_for("meetings.paragraph", meeting_id=meeting_id, paragraph_id=target.id)
        if revision.number == form.based_on.data:
            return f"Inget har ändrats i {row.label}; ingen ny version sparades.", location
        return f"{row.label} är sparad (version {revision.number}).", location

    def render(status: int, errors: dict[str, str]):
        exc = refused.get("exc")
        if exc is not None:
            values = paragraph_values(cast(ParagraphJSON, exc.conflict.content))
            return _paragraph_page(minutes, row, 409, values, {}, exc.current.number, exc)
        return _paragraph_page(minutes, row, status, request.form, errors, form.based_on.data)

    return _finish(form, operation, render, where)
