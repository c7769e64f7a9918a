"""Who reaches a meeting's protokoll, the committee's seats and the yrkanden filed in advance: loaded for a user
and decided once, for pages and API alike (as agenda.access does for meetings).

- **404** when the user may not know the meeting exists (no role in its committee), for an unknown id, a
  paragraph or seat of another protokoll or committee, and a meeting without a protokoll yet;
- **403** when they see the meeting but may not do this: the committee's members and secretary read the
  protokoll and the filed yrkanden; only its secretary records the protokoll and keeps the seats.
"""

from __future__ import annotations

from flask import abort

from agenda.access import load_committee, load_meeting
from agenda.minutes.models import Absence, CommitteeSeat, FiledMotion, Minutes, MinutesParagraph
from agenda.minutes.operations import minutes_for
from agenda.models import AgendaItem, Meeting
from app.auth.models import User
from app.organisation.models import Committee
from app.permissions import Action
from app.registry.access import get_by_id

NO_MINUTES = "Sammanträdet har inget protokoll ännu."


def load_minutes(user: User | None, meeting_id: int, action: Action = Action.view_minutes) -> Minutes:
    """Return the meeting's protokoll if ``user`` may do ``action`` on it; 404 when the meeting is unknown to
    them or has no protokoll, 403 when they may not do ``action``."""
    meeting = load_meeting(user, meeting_id, action)
    minutes = minutes_for(meeting)
    if minutes is None:
        abort(404, NO_MINUTES)
    return minutes


def paragraph_of(minutes: Minutes, paragraph_id: int) -> MinutesParagraph:
    """Return the protokoll's paragraph with this id (the protokoll loaded for the user first); else 404."""
    paragraph = get_by_id(MinutesParagraph, paragraph_id)
    if paragraph is None or paragraph.minutes_id != minutes.id:
        abort(404)
    return paragraph


def load_seats_committee(user: User | None, committee_id: int, action: Action = Action.view_meetings) -> Committee:
    """Return the committee whose seats ``user`` asks about (members and staff of it see them; its secretary
    keeps them: ``Action.manage_seats``)."""
    return load_committee(user, committee_id, action)


def seat_of(committee: Committee, seat_id: int) -> CommitteeSeat:
    """Return the committee's seat with this id (the committee loaded for the user first); else 404."""
    seat = get_by_id(CommitteeSeat, seat_id)
    if seat is None or seat.committee_id != committee.id:
        abort(404)
    return seat


def absence_of(meeting: Meeting, absence_id: int) -> Absence:
    """Return the meeting's förhinder with this id (the meeting loaded for the user first); else 404."""
    absence = get_by_id(Absence, absence_id)
    if absence is None or absence.meeting_id != meeting.id:
        abort(404)
    return absence


def filed_motion_of(item: AgendaItem, motion_id: int) -> FiledMotion:
    """Return the item's filed yrkande with this id (the item loaded for the user first); else 404."""
    motion = get_by_id(FiledMotion, motion_id)
    if motion is None or motion.agenda_item_id != item.id:
        abort(404)
    return motion
