"""Meetings. The agenda and publication models build on this (see the agenda issue)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.organisation.models import Committee


class MeetingStatus(str, enum.Enum):
    planned = "planned"
    notice_published = "notice_published"
    held = "held"
    minutes_done = "minutes_done"

    @property
    def label(self) -> str:
        return {
            "planned": "Planerat",
            "notice_published": "Kallelse publicerad",
            "held": "Genomfört",
            "minutes_done": "Protokoll klart",
        }[self.value]


class Meeting(db.Model):
    """A sammanträde of a committee."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    #: when the meeting starts (UTC; shown in Swedish time)
    start_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str] = mapped_column(String(200))
    is_public: Mapped[bool] = mapped_column(default=False)
    status: Mapped[MeetingStatus] = mapped_column(
        Enum(MeetingStatus, native_enum=False, length=20), default=MeetingStatus.planned
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    committee: Mapped[Committee] = relationship()

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.committee_id} {self.start_dt:%Y-%m-%d}>"
