"""The start page: what waits for the user in each of their roles, and their committees' next meetings."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from agenda.models import MeetingStatus
from agenda.operations import upcoming_meetings
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Municipality
from app.permissions import Action, can, committees_where
from app.registry.models import Case, CaseStatus
from app.registry.queries import visible_cases_clause
from workflows import queries
from workflows.models import ReportState
from workflows.states import is_author

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/public_index.html")
    committees = current_user.committees()
    counts = dict(
        db.session.execute(
            select(Case.committee_id, func.count())
            .where(visible_cases_clause(current_user), Case.status == CaseStatus.open)
            .group_by(Case.committee_id)
        ).all()
    )
    my_cases = db.session.scalars(
        select(Case)
        .where(
            visible_cases_clause(current_user), Case.case_officer_id == current_user.id, Case.status == CaseStatus.open
        )
        .order_by(Case.registered_on.desc())
        .limit(10)
    ).all()
    may_register = bool(committees_where(current_user, Action.register_case))
    return render_template(
        "main/index.html",
        committees=committees,
        open_counts=counts,
        my_cases=my_cases,
        may_register=may_register,
        waiting=_waiting(current_user),
        next_meetings=_next_meetings(current_user),
    )


@bp.route("/tillganglighet")
def accessibility():
    """The accessibility statement (tillgänglighetsredogörelse) lag (2018:1937) requires; public."""
    municipality = db.session.scalar(select(Municipality).order_by(Municipality.id))
    return render_template("main/accessibility.html", municipality=municipality)


def _waiting(user) -> list[dict]:
    """What waits for the user, by role, with counts and where to act (empty rows left out)."""
    rows = []
    if committees_where(user, Action.write_report):
        mine = queries.my_report_counts(user)
        for state, label in (
            (ReportState.returned, "Returnerade utlåtanden att åtgärda"),
            (ReportState.draft, "Utkast"),
            (None, "Ärenden utan tjänsteutlåtande"),
            (ReportState.in_review, "Hos granskare"),
            (ReportState.approved, "Väntar på underskrift"),
        ):
            if mine.get(state):
                rows.append(
                    {
                        "label": label,
                        "count": mine[state],
                        "url": url_for("reports.my_cases"),
                        "urgent": state is ReportState.returned,
                    }
                )
    if committees_where(user, Action.review_reports):
        waiting = [r for r in queries.review_queue(user) if not is_author(r, user)]
        rows.append(
            {
                "label": "Att granska eller underteckna",
                "count": len(waiting),
                "url": url_for("reports.review_queue"),
                "urgent": bool(waiting),
            }
        )
    managed = committees_where(user, Action.manage_meetings)
    if managed:
        ready = queries.signed_reports_count(managed)
        rows.append(
            {
                "label": "Undertecknade utlåtanden att sätta på en föredragningslista",
                "count": ready,
                "url": url_for("meetings.year_plan"),
                "urgent": False,
            }
        )
        unpublished = [m for m in upcoming_meetings(managed) if m.status is MeetingStatus.planned]
        rows.append(
            {
                "label": "Kommande sammanträden utan publicerad kallelse",
                "count": len(unpublished),
                "url": url_for("meetings.year_plan"),
                "urgent": any(m.notice_deadline <= local_today() for m in unpublished),
            }
        )
    return rows


def _next_meetings(user) -> list[dict]:
    """The next meeting of each of the user's committees, with its kallelse and the notice deadline."""
    out = []
    seen: set[int] = set()
    for meeting in upcoming_meetings(committees_where(user, Action.view_meetings)):
        if meeting.committee_id in seen:
            continue
        if not meeting.is_cancelled:  # shown marked inställt; the committee's next meeting is shown too
            seen.add(meeting.committee_id)
        out.append(
            {
                "meeting": meeting,
                "published": meeting.latest_publication is not None,
                "manages": can(user, Action.manage_meetings, meeting),
            }
        )
    return out
