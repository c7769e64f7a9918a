"""The year plan: the committees' meetings of a year, and planning meetings (one, or a series of dates)."""

from __future__ import annotations

from datetime import datetime

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from agenda import access
from agenda import operations as ops
from agenda.models import Meeting
from app.clock import LOCAL_TZ, local_today, to_local
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, allowed_committees
from app.validation import ValidationError
from app.web.meeting_forms import PlanMeetingForm, PlanSeriesForm, combine_start, combine_starts
from app.web.meetings import bp, meeting_url, start_errors
from app.web.registry_forms import options
from app.web.report_forms import run
from workflows.access import acting_user

BAD_YEAR = "Ange året med fyra siffror, till exempel ?ar=2027."


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
    form.committee.choices = options(
        [(c.id, c.name) for c in committees], "Välj nämnd" if len(committees) > 1 else None
    )
    if len(committees) == 1 and form.committee.data is None:
        form.committee.data = committees[0].id
    return form


def _year_page(
    year: int, status: int = 200, form: PlanMeetingForm | None = None, series_form: PlanSeriesForm | None = None
):
    committees = allowed_committees(current_user, Action.view_meetings)
    if not committees:
        abort(403, "Sammanträdena visas för den som har en roll i en nämnd.")
    start = datetime(year, 1, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ)
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.committee_id.in_([c.id for c in committees]), Meeting.start_dt >= start, Meeting.start_dt < end)
        .options(selectinload(Meeting.publications))
        .order_by(Meeting.start_dt)
    ).all()
    by_committee = {c.id: [] for c in committees}
    for m in meetings:
        by_committee[m.committee_id].append(m)
    planning = allowed_committees(current_user, Action.manage_meetings)
    return render_template(
        "agenda/year.html",
        year=year,
        years=_years_with_meetings(committees, year),
        committees=committees,
        by_committee=by_committee,
        planning_ids={c.id for c in planning},
        form=_plan_form(planning, form) if planning else None,
        series_form=_plan_form(planning, series_form, PlanSeriesForm) if planning else None,
    ), status


def _years_with_meetings(committees: list[Committee], year: int) -> list[int]:
    """The years the year plan offers: every year from the first meeting to the last, and the years around ``year``."""
    first, last = db.session.execute(
        select(func.min(Meeting.start_dt), func.max(Meeting.start_dt)).where(
            Meeting.committee_id.in_([c.id for c in committees])
        )
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
            meeting = ops.plan_meeting(
                committee, user=acting_user(), start=start, place=form.place.data, is_public=bool(form.is_public.data)
            )
        except ValidationError as exc:
            raise start_errors(exc) from exc
        return (
            f"Sammanträdet {to_local(meeting.start_dt):%Y-%m-%d %H:%M} är planerat. Lägg till punkterna på "
            "föredragningslistan.",
            meeting_url(meeting),
        )

    year = form.day.data.year if form.day.data else local_today().year
    return run(form, operation, lambda status: _year_page(year, status, form))


@bp.route("/sammantraden/planera-flera", methods=["POST"])
@login_required
def plan_series():
    """Plan the year's meetings at once: one date per line, the same time and place."""
    form = _plan_form(_planning_committees(), PlanSeriesForm(), PlanSeriesForm)

    def operation():
        committee = _chosen_committee(form)
        meetings = ops.plan_meetings(
            committee,
            user=acting_user(),
            starts=combine_starts(form.days.data, form.time.data),
            place=form.place.data,
            is_public=bool(form.is_public.data),
        )
        first = to_local(meetings[0].start_dt)
        return (
            f"{len(meetings)} sammanträden för {committee.name} är planerade, det första {first:%Y-%m-%d}.",
            url_for("meetings.year_plan", ar=first.year),
        )

    return run(form, operation, lambda status: _year_page(local_today().year, status, series_form=form))
