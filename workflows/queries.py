"""Read-only questions about reports that several pages and the API ask: what waits for whom."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, union
from sqlalchemy.orm import selectinload

from app.audit import AuditEntry
from app.auth.models import Role, User
from app.extensions import db
from app.permissions import Action, committees_where
from app.registry.models import Case, CaseStatus
from app.registry.queries import visible_cases_clause
from workflows.access import may_read_confidential_bilagor
from workflows.attachments import secret_name
from workflows.models import CaseReport, ReportAttachment, ReportState, report_editors

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
        select(CaseReport)
        .join(Case, Case.id == CaseReport.case_id)
        .where(
            Case.committee_id.in_(committee_ids),
            CaseReport.state.in_(QUEUE_STATES.values()),
            visible_cases_clause(user),
        )
        .options(selectinload(CaseReport.transitions), selectinload(CaseReport.revisions))
    ).all()
    return [r for r in reports if r.state in states_waiting_for(user, r.case.committee_id)]


def my_report_counts(user: User) -> dict[ReportState | None, int]:
    """How many of the user's open cases (as officer or co-editor) have a report in each state (None: none)."""
    # the user's cases as two index lookups (officer; co-editor of the report), never a scan of the committee's
    # open cases filtered by an OR
    theirs = union(
        select(Case.id).where(Case.case_officer_id == user.id),
        select(CaseReport.case_id)
        .join(report_editors, report_editors.c.report_id == CaseReport.id)
        .where(report_editors.c.user_id == user.id),
    )
    rows = db.session.execute(
        select(CaseReport.state, func.count())
        .select_from(Case)
        .outerjoin(CaseReport, CaseReport.case_id == Case.id)
        .where(visible_cases_clause(user), Case.status == CaseStatus.open, Case.id.in_(theirs))
        .group_by(CaseReport.state)
    ).all()
    return {state: count for state, count in rows}


def signed_reports_count(committee_ids: set[int]) -> int:
    """Signed reports of these committees not yet on an agenda: ready for the secretary."""
    if not committee_ids:
        return 0
    return db.session.execute(
        select(func.count())
        .select_from(CaseReport)
        .join(Case, Case.id == CaseReport.case_id)
        .where(Case.committee_id.in_(committee_ids), CaseReport.state == ReportState.signed)
    ).scalar_one()


#: the audit rows about a bilaga whose text may name it (title or file name), and what they say without it
_NAMING_BILAGA = {
    "report.attachment_added": "bifogad",
    "report.attachment_linked": "länkad till en handling i diariet",
    "report.attachment_replaced": "ersatt med en ny fil",
    "report.attachment_removed": "borttagen",
}


def history_texts(case: Case, entries: Sequence[AuditEntry], user: User) -> dict[int, str]:
    """Return, by audit row id, the text to show ``user`` instead of a row's own where it may name a secret bilaga.

    Decided when shown, not when written: a row written before its bilaga (or its case) was made
    confidential is hidden too, and so are the rows of every earlier file of a replaced bilaga.
    """
    rows = [e for e in entries if e.action in _NAMING_BILAGA and e.object_type == CaseReport.__name__]
    if not rows:
        return {}
    reports = db.session.scalars(select(CaseReport).where(CaseReport.case_id == case.id)).all()
    blind = {r.id for r in reports if not may_read_confidential_bilagor(r, user)}
    if not blind:
        return {}
    attachments = db.session.execute(
        select(ReportAttachment.id, ReportAttachment.replaces_id, ReportAttachment.is_confidential).where(
            ReportAttachment.report_id.in_(blind)
        )
    ).all()
    replaces = {row.id: row.replaces_id for row in attachments}

    def first_file(attachment_id: int) -> int:
        seen: set[int] = set()
        while replaces.get(attachment_id) is not None and attachment_id not in seen:
            seen.add(attachment_id)
            attachment_id = replaces[attachment_id]
        return attachment_id

    secret = {first_file(row.id) for row in attachments if row.is_confidential}
    texts: dict[int, str] = {}
    for entry in rows:
        if entry.object_id not in blind:
            continue
        after = (entry.data or {}).get("after") or {}
        attachment_id = after.get("attachment_id")
        if case.is_confidential or attachment_id is None or first_file(attachment_id) in secret:
            texts[entry.id] = (
                f"{secret_name(after.get('position'))} {_NAMING_BILAGA[entry.action]} "
                f"i tjänsteutlåtandet för {case.number}."
            )
    return texts
