"""Cancelling a meeting (ställa in sammanträdet): the committee's secretary, before it is held, with a reason.

A meeting planned or with its kallelse published, whose start has not come, can be cancelled; it is then final
(status cancelled, "Inställt"): nothing is published, changed on its agenda or recorded in a protokoll any more
(each of those refuses with a Swedish 409, ``agenda.outcomes.refuse_if_cancelled``), and it is not taken up again.
A new date is a new meeting.

Cancelling

- takes each case report the agenda held back to "signed", so its case is ready for another agenda (the items stay,
  as the published kallelse shows them);
- leaves the delegated decisions its kallelse reported to be reported by the next meeting;
- when the kallelse was published, tells the members and ersättare (agenda.notices.tell_cancelled: a message
  through the outbox with the reason, and an iCalendar CANCEL of their invitation);
- writes an audit row with the reason.

The published versions stay as they were (they are immutable); the pages show them marked inställt.
"""

from __future__ import annotations

from sqlalchemy import select

from agenda import notices
from agenda.models import UPCOMING, DelegationDecision, Meeting, MeetingStatus
from agenda.outcomes import lock_meeting
from app import audit
from app.auth.models import User
from app.clock import to_local, utcnow
from app.extensions import db
from app.validation import ConflictError, clean_text
from workflows import operations as report_ops
from workflows.models import ReportState

#: the longest reason the secretary may give (it goes into every member's message)
MAX_REASON = 1000


def refusal(meeting: Meeting) -> str | None:
    """Why the meeting cannot be cancelled now (Swedish), or None when it can."""
    if meeting.status is MeetingStatus.cancelled:
        return "Sammanträdet är redan inställt."
    if meeting.status not in UPCOMING:  # held, or held with its protokoll justerat
        return "Sammanträdet är genomfört och kan inte ställas in."
    if meeting.start_dt <= utcnow():
        return "Sammanträdet har redan börjat och kan inte ställas in."
    return None


def cancel_meeting(meeting: Meeting, *, user: User, reason: object) -> Meeting:
    """Cancel the meeting (see the module). Refused with ValidationError without a reason, ConflictError when it
    is held, past or already cancelled; nothing is changed then. The caller commits (the outbox sends after)."""
    lock_meeting(meeting)
    refused = refusal(meeting)
    if refused is not None:
        raise ConflictError(refused)
    text = clean_text(reason, field="reason", label="Skälet", max_length=MAX_REASON)
    was = meeting.status
    meeting.status = MeetingStatus.cancelled
    meeting.cancelled_dt = utcnow()
    meeting.cancellation_reason = text
    meeting.agenda_version = (meeting.agenda_version or 0) + 1
    for item in meeting.items:
        report = report_ops.report_for(item.case) if item.case is not None and item.outcome is None else None
        if report is not None and report.state is ReportState.on_agenda:
            report_ops.transition(report, user=user, name="remove_from_agenda", notify=False)
    for decision in db.session.scalars(
        select(DelegationDecision).where(DelegationDecision.reported_in_id == meeting.id)
    ):
        decision.reported_in_id = None
    db.session.flush()
    audit.record(
        "meeting.cancelled",
        meeting,
        f"Sammanträdet {meeting.committee.name} {to_local(meeting.start_dt):%Y-%m-%d} inställt: {text}",
        user=user,
        committee_id=meeting.committee_id,
        before={"status": was.value},
        after={"status": meeting.status.value, "reason": text},
    )
    notices.tell_cancelled(meeting)
    return meeting
