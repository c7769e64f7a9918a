"""The protokoll of the demo's published meeting (Socialnämnden 2017-02-23) for the protokoll's render tests: every
item has its paragraph (items 18–20 the confidential cases). The demo's protokoll is justerat; the tests that render
its drafts take it in its state before justering (``demo_minutes(unadjusted=True)``)."""

from __future__ import annotations

from sqlalchemy import delete, select

from agenda.minutes import operations as minutes_ops
from agenda.minutes.adjustment_models import Announcement, MinutesAdjustment, MinutesApproval
from agenda.minutes.models import Minutes
from agenda.models import Meeting, MeetingStatus
from app.auth.models import User
from app.demo import data
from app.extensions import db
from workflows import operations as report_ops
from workflows.models import ReportState

#: what only the members' protokoll may hold: the confidential cases' titles
SECRET_TITLES = [title for _number, title, _public, _details in data.CONFIDENTIAL_CASES]
#: a personnummer that passes the Luhn check (the Tax Agency's test person)
IDENTITY_NUMBER = "19121212-1212"


def demo_minutes(*, unadjusted: bool = False) -> Minutes:
    """The demo meeting's protokoll (justerat, every item with its paragraph); ``unadjusted``: in the model's state
    before its justering (no approvals, justeringar or anslag; no justering date on it or its paragraphs; its items
    without the outcome the justering gave them and their reports back on the agenda), so a test edits and renders
    its drafts and justerar it again."""
    meeting = db.session.scalar(select(Meeting).join(Meeting.publications).order_by(Meeting.id))
    assert meeting is not None
    minutes = minutes_ops.minutes_for(meeting)
    assert minutes is not None and minutes.is_adjusted and len(minutes.paragraphs) == len(meeting.items)
    if unadjusted:
        for model in (Announcement, MinutesAdjustment, MinutesApproval):
            db.session.execute(delete(model).where(model.minutes_id == minutes.id))
        minutes.adjusted_dt = None
        meeting.status = MeetingStatus.held
        for paragraph in minutes.paragraphs:
            paragraph.adjusted_dt = None
            paragraph.item.outcome = None
            report = report_ops.report_for(paragraph.item.case) if paragraph.item.case is not None else None
            if report is not None and report.state in (ReportState.decided, ReportState.signed):
                report.state = ReportState.on_agenda
        db.session.commit()
    return minutes


def write_in_decision(minutes: Minutes, item_number: int, text: str) -> None:
    """Add ``text`` to the decision of the paragraph of agenda item ``item_number``, committed."""
    secretary = db.session.scalar(select(User).where(User.email == "sekreterare@huddinge.example"))
    assert secretary is not None
    paragraph = next(p for p in minutes.paragraphs if p.item.number == item_number)
    content = minutes_ops.current_content(minutes)
    recorded = next(p for p in content["paragraphs"] if p["number"] == paragraph.number)
    minutes_ops.save_paragraph(
        paragraph,
        user=secretary,
        based_on=minutes.current_revision,
        raw={"outcome": "decided", "decision": [*recorded["decision"], text]},
    )
    db.session.commit()
