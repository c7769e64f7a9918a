"""Read-only questions about reports that several pages and the API ask: what waits for whom."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User
from app.extensions import db
from app.permissions import Action, committees_where, visible_cases_clause
from app.registry.models import Case, CaseStatus
from workflows.models import CaseReport, ReportState, report_editors

#: the step each role acts on in the review queue
QUEUE_STATES = {Role.reviewer: ReportState.in_review, Role.approver: ReportState.approved}


def states_waiting_for(user: User, committee_id: int) -> set[ReportState]:
    """The states in which the committee's reports wait for ``user``."""
    roles = user.roles_in(committee_id)
    return {state for role, state in QUEUE_STATES.items() if role in roles}


def review_queue(user: User) -> list[CaseReport]:
    """The reports waiting for ``user`` to review or sign (their own ones included; see is_author)."""
    committee_ids = committees_where(user, Action.review_reports)
    if not committee_ids:
        return []
    reports = db.session.scalars(
        select(CaseReport).join(Case, Case.id == CaseReport.case_id)
        .where(Case.committee_id.in_(committee_ids), CaseReport.state.in_(QUEUE_STATES.values()),
               visible_cases_clause(user))
        .options(selectinload(CaseReport.transitions), selectinload(CaseReport.revisions))
    ).all()
    return [r for r in reports if r.state in states_waiting_for(user, r.case.committee_id)]


def my_report_counts(user: User) -> dict[ReportState | None, int]:
    """How many of the user's open cases (as officer or co-editor) have a report in each state (None: none)."""
    editing = select(report_editors.c.report_id).where(report_editors.c.user_id == user.id)
    rows = db.session.execute(
        select(CaseReport.state, func.count()).select_from(Case)
        .outerjoin(CaseReport, CaseReport.case_id == Case.id)
        .where(visible_cases_clause(user), Case.status == CaseStatus.open,
               or_(Case.case_officer_id == user.id, CaseReport.id.in_(editing)))
        .group_by(CaseReport.state)
    ).all()
    return {state: count for state, count in rows}


def signed_reports_count(committee_ids: set[int]) -> int:
    """Signed reports of these committees not yet on an agenda: ready for the secretary."""
    if not committee_ids:
        return 0
    return db.session.scalar(
        select(func.count()).select_from(CaseReport).join(Case, Case.id == CaseReport.case_id)
        .where(Case.committee_id.in_(committee_ids), CaseReport.state == ReportState.signed)
    )
