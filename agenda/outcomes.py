"""What a meeting did with an item of its agenda: decided, postponed (bordlagt) or sent back (återremitterat).

Recorded by hand on the agenda (``record_outcome``, the secretary after the meeting) or from the protokoll when
the paragraph of the item is justerad (``record_justerat_outcome``, agenda.minutes.adjustment): the justering is
the legal moment, and the item then gets the outcome its paragraph records. The first outcome recorded stays;
a justering whose paragraph says otherwise is refused before it is made (``outcome_conflict``). The case's
report follows: decided, or back to signed to go on another agenda.

Here, apart from agenda.operations, so that the protokoll (agenda.minutes) can record outcomes without importing
the agenda's operations, which import the notices, which import the protokoll's seats.
"""

from __future__ import annotations

from sqlalchemy import select

from agenda.models import UPCOMING, AgendaItem, ItemOutcome, Meeting, MeetingStatus
from app import audit
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.validation import ConflictError, ValidationError
from workflows import operations as report_ops
from workflows.models import ReportState


def lock_meeting(meeting: Meeting) -> None:
    """Serialise changes to one agenda (PostgreSQL row lock; SQLite writes are serial)."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    db.session.refresh(meeting, ["agenda_version", "status"])


def refuse_if_cancelled(meeting: Meeting, consequence: str) -> None:
    """Refuse a change of a cancelled (inställt) meeting: "Sammanträdet är inställt; <consequence>." (409)."""
    if meeting.is_cancelled:
        raise ConflictError(f"Sammanträdet är inställt; {consequence}.")


def audit_title(item: AgendaItem) -> str:
    """The title the audit log shows (the log is read by staff; keep confidential titles out anyway)."""
    if item.is_confidential and item.case is not None:
        return item.case.display_public_title
    return item.title[:200]


def _apply(item: AgendaItem, outcome: ItemOutcome, *, user: User, authority: str | None, note: str) -> None:
    meeting = item.meeting
    report = report_ops.report_for(item.case) if item.case is not None else None
    if report is not None and report.state is ReportState.on_agenda:
        name = "decide" if outcome is ItemOutcome.decided else "remove_from_agenda"
        report_ops.transition(report, user=user, name=name, notify=False, authority=authority)
    item.outcome = outcome
    if meeting.status in UPCOMING:
        meeting.status = MeetingStatus.held
    audit.record(
        "agenda.outcome",
        meeting,
        f"Punkt {item.number} ”{audit_title(item)}”: {outcome.label}{note}.",
        user=user,
        committee_id=meeting.committee_id,
        case_id=item.case_id,
    )


def record_outcome(item: AgendaItem, *, user: User, outcome: ItemOutcome | str | None) -> AgendaItem:
    """Record what the meeting did with an item: decided, postponed (bordlagt) or sent back (återremitterat)."""
    meeting = item.meeting
    lock_meeting(meeting)
    refuse_if_cancelled(meeting, "inget utfall kan registreras")
    if meeting.start_dt > utcnow():
        raise ConflictError("Utfallet kan registreras först när sammanträdet har börjat.")
    if meeting.status is MeetingStatus.minutes_done:
        raise ConflictError("Protokollet är klart; utfallet kan inte ändras.")
    try:
        outcome = ItemOutcome(outcome)
    except ValueError:
        raise ValidationError({"outcome": "Välj beslutat, bordlagt eller återremitterat."}) from None
    if item.outcome is not None:
        raise ConflictError(f"Punkt {item.number} är redan registrerad som {item.outcome.label.lower()}.")
    _apply(item, outcome, user=user, authority=None, note="")
    return item


def outcome_conflict(item: AgendaItem, outcome: str | None, paragraph: int) -> str | None:
    """Why § ``paragraph`` recording ``outcome`` cannot be justerad: the item has another outcome already."""
    if outcome is None or item.outcome is None or item.outcome.value == outcome:
        return None
    return (
        f"Punkt {item.number} är registrerad som {item.outcome.label.lower()} på föredragningslistan, men § "
        f"{paragraph} säger {ItemOutcome(outcome).label.lower()}. Rätta paragrafen."
    )


def record_justerat_outcome(item: AgendaItem, *, user: User, outcome: str | None, paragraph: int) -> None:
    """The item's paragraph is justerad: the item gets the outcome the paragraph records (none: nothing to do;
    the same already: nothing). The justerat protokoll allows the report's transition whoever completed it."""
    if outcome is None or (item.outcome is not None and item.outcome.value == outcome):
        return
    problem = outcome_conflict(item, outcome, paragraph)
    if problem is not None:
        raise ConflictError(problem)
    lock_meeting(item.meeting)
    _apply(
        item, ItemOutcome(outcome), user=user, authority=f"Justerat protokoll § {paragraph}", note=f" (§ {paragraph})"
    )
