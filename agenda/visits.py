"""What a reader has seen of a meeting's kallelse: the version they last opened, and what is new since.

When a corrected version is published, a member who opened an earlier one sees which items are new or
changed since their last visit ("Nytt sedan ditt senaste besök"). A visit row per reader and meeting keeps
the highest version they have opened and the one they had opened before it, so the marks stay while they
read the new version and go when a later one replaces it. The comparison reads the two versions as that
reader may see them (agenda.snapshot.for_reader), so it tells nothing the reader may not read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from agenda.models import Meeting
from agenda.snapshot_json import ItemJSON
from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model, db

NEW, CHANGED = "new", "changed"
#: what may differ between two versions' items without the item being news: its number (a move is its
#: neighbour's news) and, in a reader's view, nothing else
_NOT_NEWS = frozenset({"number"})


class NoticeVisit(Model):
    """The versions of a meeting's kallelse one reader has opened: the latest and the one before it.

    Written when a reader opens a version higher than any before (never on a plain re-read), without an
    audit row: reading changes nothing of the meeting and the log would only repeat who read what.
    """

    __tablename__ = "notice_visits"
    __table_args__ = (UniqueConstraint("user_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: the highest version the reader has opened
    version: Mapped[int]
    #: the highest version they had opened before that one (None: it was their first visit)
    previous_version: Mapped[int | None]
    #: when they first opened ``version``
    seen_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<NoticeVisit user {self.user_id} meeting {self.meeting_id} v{self.version}>"


def visit_for(
    user: User, meeting: Meeting, *, session: Session | scoped_session[Any] | None = None
) -> NoticeVisit | None:
    return (session or db.session).scalar(
        select(NoticeVisit).where(NoticeVisit.user_id == user.id, NoticeVisit.meeting_id == meeting.id)
    )


def record_visit(
    user: User, meeting: Meeting, version: int, *, session: Session | scoped_session[Any] | None = None
) -> NoticeVisit:
    """Note that ``user`` opened ``version`` of the meeting's kallelse; a lower or the same version changes nothing.

    Never commits: ``session`` (default the request's) is committed by the caller.
    """
    session = db.session if session is None else session
    visit = visit_for(user, meeting, session=session)
    if visit is None:
        visit = NoticeVisit(user_id=user.id, meeting_id=meeting.id, version=version, previous_version=None)
        try:
            with session.begin_nested():  # the same reader's first visit from two tabs at once: one row wins
                session.add(visit)
            return visit
        except IntegrityError:
            found = visit_for(user, meeting, session=session)
            assert found is not None, "the other visit's row, which won"
            visit = found
    if version > visit.version:
        visit.previous_version, visit.version, visit.seen_dt = visit.version, version, utcnow()
    return visit


def compared_version(visit: NoticeVisit | None, version: int) -> int | None:
    """The version the reader had seen before ``version``, while ``version`` is the one they last opened."""
    if visit is None or visit.version != version or visit.previous_version is None:
        return None
    return visit.previous_version if visit.previous_version < version else None


def news_since(
    old: Sequence[ItemJSON], old_ids: Sequence[int], new: Sequence[ItemJSON], new_ids: Sequence[int]
) -> dict[int, str]:
    """Number → NEW or CHANGED for the items of ``new`` that were not in ``old`` or differ from it.

    ``old`` and ``new`` are two versions' items as one reader sees them, ``old_ids`` and ``new_ids`` the
    agenda items' ids of the members' snapshots they were read from (item for item).
    """
    before = {item_id: item for item_id, item in zip(old_ids, old, strict=True)}
    marks: dict[int, str] = {}
    for item_id, item in zip(new_ids, new, strict=True):
        was = before.get(item_id)
        if was is None:
            marks[item["number"]] = NEW
        elif _compared(was) != _compared(item):
            marks[item["number"]] = CHANGED
    return marks


def removed_since(old_ids: Sequence[int], new_ids: Sequence[int]) -> int:
    """How many items of the earlier version the later one no longer has."""
    return len(set(old_ids) - set(new_ids))


def _compared(item: ItemJSON) -> dict[str, object]:
    return {key: value for key, value in item.items() if key not in _NOT_NEWS}
