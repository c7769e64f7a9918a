"""Who reaches a protokoll's justering: loaded for a user and decided once, for pages and API alike.

- **404** as for the protokoll (``agenda.minutes.access``): no role in the committee, an unknown meeting, or a
  meeting without a protokoll;
- **403** when they see it but may not do this: the committee's members and secretary read the justering's
  state; only a member approves or rejects (``Action.adjust_minutes``), and only the member who is the meeting's
  chair or one of its justerare (refused with ``agenda.minutes.adjustment.NOT_AN_APPROVER``); the secretary
  starts a rättelse.
"""

from __future__ import annotations

from flask import abort

from agenda.minutes.access import load_minutes
from agenda.minutes.adjustment import NOT_AN_APPROVER, is_approver
from agenda.minutes.adjustment_models import Announcement
from agenda.minutes.models import Minutes
from app.auth.models import User
from app.permissions import Action, can
from app.registry.access import get_by_id
from app.validation import ForbiddenError


def load_for_reading(user: User | None, meeting_id: int) -> Minutes:
    """The protokoll whose justering ``user`` follows (its committee's members and secretary)."""
    return load_minutes(user, meeting_id, Action.view_minutes)


def load_for_approving(user: User | None, meeting_id: int) -> Minutes:
    """The protokoll ``user`` justerar: 403 unless they hold the chair's or a justerare's seat at the meeting."""
    minutes = load_minutes(user, meeting_id, Action.view_minutes)
    assert user is not None
    if not can(user, Action.adjust_minutes, minutes) or not is_approver(minutes, user):
        raise ForbiddenError(NOT_AN_APPROVER)
    return minutes


def announcement_of(minutes: Minutes, announcement_id: int) -> Announcement:
    """The protokoll's announcement with this id (the protokoll loaded for the user first); else 404."""
    found = get_by_id(Announcement, announcement_id)
    if found is None or found.minutes_id != minutes.id:
        abort(404)
    return found


def load_for_correcting(user: User | None, meeting_id: int) -> Minutes:
    """The protokoll the secretary corrects (rättelse) or whose anslag they put up later: ``Action.record_minutes``."""
    return load_minutes(user, meeting_id, Action.record_minutes)
