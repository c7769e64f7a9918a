"""The draft kallelse: the agenda as publishing would snapshot it now, without publishing anything.

``draft_snapshot`` runs publishing's own steps (the sekretessärenden standing among the open items moved under
the closed part, the delegated decisions the meeting would report, ``build_snapshots``) inside a savepoint that
is rolled back: the draft is exactly what **Publicera** would publish at this moment, and nothing is changed,
published, numbered or told to anyone. The worker lays it out as Word and PDF marked "Utkast" on every page
(tasks.rendering.draft_kallelse); only the committee's secretaries and, once it is given to them, the chair
(agenda.chair_review) read it.
"""

from __future__ import annotations

from agenda.models import Meeting
from agenda.operations import arrange_confidential, delegation_decisions_for
from agenda.snapshot import build_snapshots
from agenda.snapshot_json import SnapshotJSON
from app.auth.models import User
from app.extensions import db
from app.validation import ConflictError


def draft_snapshot(meeting: Meeting, *, user: User) -> SnapshotJSON:
    """The members' snapshot publishing would make of the agenda now (see the module); nothing is kept."""
    if not meeting.items:
        raise ConflictError("Föredragningslistan är tom; lägg till punkter innan utkastet förhandsgranskas.")
    savepoint = db.session.begin_nested()
    try:
        arrange_confidential(meeting, user=user)
        members, _public = build_snapshots(meeting, delegation_decisions_for(meeting))
    finally:
        savepoint.rollback()
    db.session.expire(meeting)
    return members
