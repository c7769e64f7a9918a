"""Ordförandeberedning: the draft agenda given to the committee's chair, and the chair's comments on it.

Each time the draft is given is a version of it ("utkast 2": ``ChairReview.version``, counted per meeting); a
comment belongs to the version the chair read when writing it, and shows it, so a comment on an earlier draft reads
as such once a newer one has been given. The chair is the user holding the committee's active ledamot seat with the office Ordförande
(agenda.minutes.models.CommitteeSeat). The secretary gives the draft to them (a ``ChairReview`` row per time it is
given); the chair reads the draft agenda (and the rendered draft kallelse, tasks.rendering.draft_kallelse) and
writes comments, on an item or on the whole (``ChairComment``), which the secretary sees beside the items in the
agenda builder and marks handled. The operations are in agenda.chair_review_operations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agenda.minutes.models import CommitteeSeat, SeatKind, SeatOffice
from agenda.models import AgendaItem, Meeting
from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model, db
from app.organisation.models import Committee
from app.permissions import Action, can


class ChairReview(Model):
    """The draft agenda given to the chair once (given again: another row)."""

    __tablename__ = "chair_reviews"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: the draft's version as given to the chair: 1, 2, … per meeting ("utkast 2")
    version: Mapped[int] = mapped_column(default=1)
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    given_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    given_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: what the secretary wrote to the chair with it, if anything
    note: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship()
    chair: Mapped[User] = relationship(foreign_keys=[chair_id])
    given_by: Mapped[User] = relationship(foreign_keys=[given_by_id])

    def __repr__(self) -> str:
        return f"<ChairReview {self.id} meeting={self.meeting_id} chair={self.chair_id}>"


class ChairComment(Model):
    """The chair's comment on an item of the draft agenda, or on the whole (``item_id`` None)."""

    __tablename__ = "chair_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("chair_reviews.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: the item commented on (None: the whole agenda, or an item removed since)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True)
    #: the item as it stood when commented on: "Punkt 4" (kept when the item moves or goes)
    item_label: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when and by whom the secretary marked it handled
    handled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    review: Mapped[ChairReview] = relationship()
    item: Mapped[AgendaItem | None] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])

    @property
    def is_handled(self) -> bool:
        return self.handled_dt is not None

    def __repr__(self) -> str:
        return f"<ChairComment {self.id} meeting={self.meeting_id} item={self.item_id}>"


def chair_of(committee: Committee | int) -> User | None:
    """The user holding the committee's active chair seat (None when no one with an enabled account does)."""
    committee_id = committee if isinstance(committee, int) else committee.id
    seat = db.session.scalar(
        select(CommitteeSeat)
        .where(
            CommitteeSeat.committee_id == committee_id,
            CommitteeSeat.is_active.is_(True),
            CommitteeSeat.kind == SeatKind.member,
            CommitteeSeat.office == SeatOffice.chair,
            CommitteeSeat.user_id.is_not(None),
        )
        .order_by(CommitteeSeat.position, CommitteeSeat.id)
        .limit(1)
    )
    user = seat.user if seat is not None else None
    return user if user is not None and user.is_enabled else None


def next_review_version(meeting: Meeting) -> int:
    """The version the draft has when given to the chair now."""
    last = db.session.scalar(select(func.max(ChairReview.version)).where(ChairReview.meeting_id == meeting.id))
    return (last or 0) + 1


def latest_review(meeting: Meeting) -> ChairReview | None:
    return db.session.scalar(
        select(ChairReview).where(ChairReview.meeting_id == meeting.id).order_by(ChairReview.id.desc()).limit(1)
    )


def is_reviewing_chair(user: User | None, meeting: Meeting) -> bool:
    """Whether ``user`` is the committee's chair (still) and the draft of this meeting has been given to them."""
    if user is None or not getattr(user, "is_authenticated", False) or not can(user, Action.review_draft, meeting):
        return False
    chair = chair_of(meeting.committee_id)
    if chair is None or chair.id != user.id:
        return False
    return (
        db.session.scalar(
            select(ChairReview.id).where(ChairReview.meeting_id == meeting.id, ChairReview.chair_id == user.id).limit(1)
        )
        is not None
    )


def comments_of(meeting: Meeting) -> list[ChairComment]:
    """The chair's comments on the meeting's draft, oldest first."""
    return list(
        db.session.scalars(select(ChairComment).where(ChairComment.meeting_id == meeting.id).order_by(ChairComment.id))
    )
