"""The committee's seats (ledamöter and ersättare), absences, yrkanden filed in advance, and the protokoll:
its append-only draft revisions, the refused saves kept beside them, and its paragraphs with their § numbers.

The content of a protokoll (attendance, justerare, each paragraph's yrkanden, votes, decision …) is data in
each revision (``agenda.minutes.content``); the paragraphs' numbers are rows, unique per committee and
calendar year, handed out by ``ParagraphCounter`` inside the caller's transaction.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agenda.models import AgendaItem, Meeting
from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model
from app.organisation.models import Committee


class SeatKind(str, enum.Enum):
    #: a ledamot: serves at every meeting unless absent or jävig
    member = "member"
    #: an ersättare: serves when called in for an absent or jävig ledamot
    deputy = "deputy"

    @property
    def label(self) -> str:
        return {"member": "Ledamot", "deputy": "Ersättare"}[self.value]


class SeatOffice(str, enum.Enum):
    chair = "chair"
    first_vice_chair = "first_vice_chair"
    second_vice_chair = "second_vice_chair"

    @property
    def label(self) -> str:
        return {
            "chair": "Ordförande",
            "first_vice_chair": "Förste vice ordförande",
            "second_vice_chair": "Andre vice ordförande",
        }[self.value]


#: the order in which the offices preside when the chair does not serve
PRESIDING_ORDER = (SeatOffice.chair, SeatOffice.first_vice_chair, SeatOffice.second_vice_chair)


class CommitteeSeat(Model):
    """A ledamot's or ersättare's seat in a committee for the term, linked to the user who holds it if they have
    an account (a politician without one is still called in and named in the protokoll)."""

    __tablename__ = "committee_seats"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    kind: Mapped[SeatKind] = mapped_column(Enum(SeatKind, native_enum=False, length=10))
    #: the order within its kind: for the ersättare the order in which they are called in (ersättarordning)
    position: Mapped[int] = mapped_column(Integer)
    #: the name as the protokoll writes it
    name: Mapped[str] = mapped_column(String(200))
    #: the party's abbreviation as the protokoll writes it, e.g. "S", "M", "MP"
    party: Mapped[str] = mapped_column(String(20))
    #: chair or vice chair (a ledamot's seat only)
    office: Mapped[SeatOffice | None] = mapped_column(Enum(SeatOffice, native_enum=False, length=20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: a seat whose holder has left keeps its row for the protokoll already written
    is_active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the last change (name, party, office, taken off the committee): open data's incremental sync reads it
    modified_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    committee: Mapped[Committee] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        """The name with the party, as lists of members write it: "Gunnel Hedberg (S)"."""
        return f"{self.name} ({self.party})"

    def __repr__(self) -> str:
        return f"<CommitteeSeat {self.id} {self.committee_id} {self.kind.value}#{self.position} {self.name!r}>"


class Absence(Model):
    """A seat holder's förhinder for one meeting, with the ersättare called in for it (if any)."""

    __tablename__ = "meeting_absences"
    __table_args__ = (UniqueConstraint("meeting_id", "seat_id"), UniqueConstraint("meeting_id", "substitute_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("committee_seats.id"), index=True)
    #: what the member said, if anything (shown to the secretary)
    reason: Mapped[str | None] = mapped_column(Text)
    #: the ersättare called in for this ledamot (None: none available, or the absent seat is an ersättare's)
    substitute_id: Mapped[int | None] = mapped_column(ForeignKey("committee_seats.id"))
    reported_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship()
    seat: Mapped[CommitteeSeat] = relationship(foreign_keys=[seat_id])
    substitute: Mapped[CommitteeSeat | None] = relationship(foreign_keys=[substitute_id])
    reported_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Absence {self.id} meeting={self.meeting_id} seat={self.seat_id} substitute={self.substitute_id}>"


class MotionKind(str, enum.Enum):
    """What a yrkande asks for."""

    approval = "approval"
    rejection = "rejection"
    amendment = "amendment"
    addition = "addition"
    referral_back = "referral_back"
    postponement = "postponement"

    @property
    def label(self) -> str:
        return MOTION_LABELS[self]


MOTION_LABELS = {
    MotionKind.approval: "Bifall",
    MotionKind.rejection: "Avslag",
    MotionKind.amendment: "Ändring",
    MotionKind.addition: "Tillägg",
    MotionKind.referral_back: "Återremiss",
    MotionKind.postponement: "Bordläggning",
}


class FiledMotion(Model):
    """A written yrkande (or alternative proposal) filed in advance on an agenda item by a seat holder, for the
    committee's members to read before the meeting; at the meeting it is moved (or not) and recorded in the
    paragraph."""

    __tablename__ = "filed_motions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("committee_seats.id"), index=True)
    kind: Mapped[MotionKind] = mapped_column(Enum(MotionKind, native_enum=False, length=20))
    text: Mapped[str] = mapped_column(Text)
    filed_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: set when its author withdraws it; the row stays for the log
    withdrawn_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[AgendaItem] = relationship()
    seat: Mapped[CommitteeSeat] = relationship()
    filed_by: Mapped[User | None] = relationship()

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_dt is not None

    def __repr__(self) -> str:
        return f"<FiledMotion {self.id} item={self.agenda_item_id} {self.kind.value}>"


class Minutes(Model):
    """The protokoll of one meeting: its newest revision's number, and when it was justerat."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    #: the number of the newest revision; a save must be based on it (or on one in which its part is unchanged)
    current_revision: Mapped[int] = mapped_column(default=0)
    #: when the protokoll was justerat: from then on it is changed only through a rättelse (justering comes later)
    adjusted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship()
    created_by: Mapped[User | None] = relationship()
    revisions: Mapped[list[MinutesRevision]] = relationship(
        back_populates="minutes", order_by="MinutesRevision.number", cascade="all, delete-orphan"
    )
    paragraphs: Mapped[list[MinutesParagraph]] = relationship(
        back_populates="minutes", order_by="MinutesParagraph.number", cascade="all, delete-orphan"
    )

    @property
    def committee_id(self) -> int:
        """The committee whose roles decide who reads and records it (app.permissions.HeldByCommittee)."""
        return self.meeting.committee_id

    @property
    def is_adjusted(self) -> bool:
        return self.adjusted_dt is not None

    def revision(self, number: int) -> MinutesRevision | None:
        return next((r for r in self.revisions if r.number == number), None)

    def current(self) -> MinutesRevision:
        found = self.revision(self.current_revision)
        if found is None:
            raise LookupError(f"minutes {self.id} have no revision {self.current_revision}")
        return found

    def __repr__(self) -> str:
        return f"<Minutes {self.id} meeting={self.meeting_id} r{self.current_revision}>"


class MinutesRevision(Model):
    """One saved version of a protokoll's content (agenda.minutes.content); never changed once written."""

    __tablename__ = "minutes_revisions"
    __table_args__ = (UniqueConstraint("minutes_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    #: the revision the writer started from (None for the first)
    based_on: Mapped[int | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: the parts that differ from the revision before, e.g. ["attendance"], ["§ 12"]
    changed_parts: Mapped[list[str]] = mapped_column(JSON, default=list)

    minutes: Mapped[Minutes] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<MinutesRevision {self.minutes_id}#{self.number}>"


class MinutesConflict(Model):
    """A save refused because its part had been changed since the revision it started from: kept, with the
    part as it then stood, so neither text is lost."""

    __tablename__ = "minutes_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the part the save was for: "header" or "§ 12"
    part: Mapped[str] = mapped_column(String(20))
    based_on: Mapped[int]
    #: the current revision at the time of the refused save
    current_at_refusal: Mapped[int]
    #: the refused text of the part, as sent
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_resolved: Mapped[bool] = mapped_column(default=False)

    minutes: Mapped[Minutes] = relationship()
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<MinutesConflict {self.id} minutes={self.minutes_id} {self.part} from r{self.based_on}>"


class MinutesParagraph(Model):
    """A paragraph (§) of a protokoll: one per handled agenda item, numbered through the committee's calendar
    year across its meetings; what it says is in the protokoll's revisions."""

    __tablename__ = "minutes_paragraphs"
    __table_args__ = (UniqueConstraint("committee_id", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    #: the calendar year of the meeting (Swedish time)
    year: Mapped[int]
    number: Mapped[int]
    #: when the paragraph was justerat on its own (omedelbar justering; comes later with justering)
    adjusted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="paragraphs")
    item: Mapped[AgendaItem] = relationship()

    @property
    def label(self) -> str:
        return f"§ {self.number}"

    @property
    def is_adjusted(self) -> bool:
        return self.adjusted_dt is not None

    def __repr__(self) -> str:
        return f"<MinutesParagraph {self.id} {self.committee_id}/{self.year} § {self.number}>"


class ParagraphCounter(Model):
    """The last § number handed out in one committee and calendar year; incremented inside the transaction that
    opens the paragraph (UPDATE … RETURNING), so numbers are unique and, among committed paragraphs, gap-free."""

    __tablename__ = "paragraph_counters"

    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ParagraphCounter {self.committee_id} {self.year}: {self.last_number}>"
