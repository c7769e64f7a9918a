"""Who hears about a report's transition, and what they are told."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select

from app.auth.models import CommitteeRole, Role, User
from app.extensions import db
from app.notifications import queue_message
from app.registry.models import Case
from workflows.models import CaseReport, ReportTransition
from workflows.states import is_author

#: which roles of the committee hear about each transition ("editors": the report's editors)
AUDIENCE: dict[str, list[Role | Literal["editors"]]] = {
    "submit": [Role.reviewer],
    "approve": [Role.approver],
    "return_review": ["editors"],
    "return_approval": ["editors"],
    "sign": ["editors", Role.secretary],
    "withdraw": ["editors", Role.secretary],
}

SUBJECTS = {
    "submit": "Att granska: {title} ({number})",
    "approve": "Att underteckna: {title} ({number})",
    "return_review": "Returnerat för ändring: {title} ({number})",
    "return_approval": "Returnerat för ändring: {title} ({number})",
    "sign": "Undertecknat och klart för nämnden: {title} ({number})",
    "withdraw": "Återkallat: {title} ({number})",
}


def report_path(case_id: int) -> str:
    """The report's page (messages are also written outside requests, so no url_for)."""
    return f"/arenden/{case_id}/utlatande"


def role_holders(committee_id: int, role: Role) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(CommitteeRole, CommitteeRole.user_id == User.id)
            .where(CommitteeRole.committee_id == committee_id, CommitteeRole.role == role, User.is_enabled.is_(True))
            .order_by(User.name)
        )
    )


def mail_title(case: Case) -> str:
    """The case's title as an e-mail may carry it: a confidential case only by its public title."""
    return case.display_public_title


def recipients(report: CaseReport, name: str, actor: User) -> list[User]:
    """The people to tell about transition ``name``: never the actor, never a reviewer who wrote it."""
    found: dict[int, User] = {}
    for who in AUDIENCE.get(name, []):
        if who == "editors":
            people = ([report.case.case_officer] if report.case.case_officer else []) + list(report.editors)
        else:
            people = [u for u in role_holders(report.case.committee_id, who) if not is_author(report, u)]
        for user in people:
            if user.id != actor.id and user.is_enabled:
                found[user.id] = user
    return list(found.values())


def notify_transition(report: CaseReport, row: ReportTransition, actor: User) -> None:
    """Queue a message to each person the transition concerns."""
    case = report.case
    subject = SUBJECTS.get(row.name)
    if subject is None:
        return
    title = mail_title(case)
    subject = subject.format(title=title[:150], number=case.number)
    link = report_path(case.id)
    for user in recipients(report, row.name, actor):
        body = (
            f"Hej {user.name},\n\n"
            f"{actor.name} har ändrat tjänsteutlåtandet i ärende {case.number}, ”{title}”: "
            f"{row.from_state.label if row.from_state else 'nytt'} → {row.to_state.label}.\n"
            + (f"\nKommentar: {row.comment}\n" if row.comment else "")
            + (f"\nSista dag: {report.due_on.isoformat()}\n" if report.due_on else "")
            + f"\nÖppna utlåtandet: {link}\n\nHälsningar\nNämndflöde"
        )
        queue_message(user, subject, body, link=link, case_id=case.id)
