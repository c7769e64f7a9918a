"""Justering and anslag as rows: each approval or rejection of a rendered protokoll, each justering completed
(the whole protokoll, paragraphs justerade at once, or a rättelse approved again), the rättelser, and the
announcements on the anslagstavla.

Approvals, justeringar and announcements are written once and never changed; a rättelse is closed when its
revision is justerad. The operations are in ``agenda.minutes.adjustment``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TypedDict

from sqlalchemy import JSON, Date, Enum, ForeignKey, String, Text, event, inspect, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agenda.minutes.models import CommitteeSeat, Minutes
from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model, db
from app.organisation.models import Committee


class AdjustmentKind(str, enum.Enum):
    #: the protokoll as a whole, after the meeting
    full = "full"
    #: the paragraphs declared omedelbart justerade, at the meeting
    immediate = "immediate"
    #: a rättelse of a justerat protokoll, approved again
    correction = "correction"

    @property
    def label(self) -> str:
        return {"full": "Justering", "immediate": "Omedelbar justering", "correction": "Rättelse"}[self.value]


class MinutesApproval(Model):
    """One chair's or justerare's approval (or rejection, with a comment) of the exact PDF they saw."""

    __tablename__ = "minutes_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AdjustmentKind] = mapped_column(Enum(AdjustmentKind, native_enum=False, length=20))
    #: the § numbers justerade at once (empty for the whole protokoll)
    paragraphs: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: the protokoll's revision the PDF was made from
    revision: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("committee_seats.id"))
    is_approved: Mapped[bool]
    #: the sha256 of the PDF the approver saw
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    #: what is to be corrected (a rejection)
    comment: Mapped[str | None] = mapped_column(Text)
    #: "password" (the built-in approval) or "eid"
    method: Mapped[str] = mapped_column(String(20), default="password")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship()
    user: Mapped[User] = relationship()
    seat: Mapped[CommitteeSeat] = relationship()

    def __repr__(self) -> str:
        verdict = "approved" if self.is_approved else "rejected"
        return f"<MinutesApproval {self.id} minutes={self.minutes_id} r{self.revision} {self.kind.value} {verdict}>"


class MinutesCorrection(Model):
    """A rättelse of a justerat protokoll: opened by the secretary with what is corrected and why, closed when
    the corrected revision is justerad again."""

    __tablename__ = "minutes_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    #: the justerat revision the rättelse starts from
    based_on_revision: Mapped[int]
    opened_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: when the corrected revision was justerad (None: the rättelse is open and the protokoll may be edited)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the parts the rättelse changed ("header", "§ 12"), set when it closes
    parts: Mapped[list[str]] = mapped_column(JSON, default=list)

    minutes: Mapped[Minutes] = relationship()
    opened_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_dt is None

    def __repr__(self) -> str:
        return f"<MinutesCorrection {self.id} minutes={self.minutes_id} from r{self.based_on_revision}>"


class SealedExtractJSON(TypedDict):
    """A sealed protokollsutdrag of a paragraph justerad at once: its § and the sha256 of its sealed PDF."""

    paragraph: int
    sha256: str


class MinutesAdjustment(Model):
    """A justering completed: which revision, which paragraphs (none: all), the PDF every approver approved, and
    when the last of them approved (the justering's date).

    The justerat protokoll is the approved version with only what the justering itself makes known added: the
    justering's date and the anslag's dates (the BEVIS box). It is rendered and sealed once, by the render the
    justering starts, and its sha256 is kept here too (``sealed_pdf_sha256``): the only value ever set on the row
    after it is written, once. An omedelbar justering's paragraphs are sealed as protokollsutdrag instead, and it
    keeps their sha256 the same way, once (``sealed_extracts``)."""

    __tablename__ = "minutes_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AdjustmentKind] = mapped_column(Enum(AdjustmentKind, native_enum=False, length=20))
    paragraphs: Mapped[list[int]] = mapped_column(JSON, default=list)
    revision: Mapped[int]
    #: the sha256 of the PDF every approver approved
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    #: the sha256 of the sealed full protokoll made from that version with the justering's facts (None: not
    #: rendered yet, or an omedelbar justering, whose paragraphs are sealed as protokollsutdrag)
    sealed_pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    #: an omedelbar justering's sealed protokollsutdrag, one per paragraph: [{"paragraph": 4, "sha256": …}] (None:
    #: not rendered yet, or a justering of the whole protokoll)
    sealed_extracts: Mapped[list[SealedExtractJSON] | None] = mapped_column(JSON)
    adjusted_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    correction_id: Mapped[int | None] = mapped_column(ForeignKey("minutes_corrections.id"))

    minutes: Mapped[Minutes] = relationship()
    correction: Mapped[MinutesCorrection | None] = relationship()

    def __repr__(self) -> str:
        return f"<MinutesAdjustment {self.id} minutes={self.minutes_id} r{self.revision} {self.kind.value}>"


class Announcement(Model):
    """An anslag on the anslagstavla: that a protokoll (or paragraphs of it justerade at once) is justerat, with
    the dates of kommunallagen 8 kap. 12 § and 13 kap. 5 § (agenda.minutes.appeal). Written once; whether it is
    up or in the archive follows from the dates."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    adjustment_id: Mapped[int] = mapped_column(ForeignKey("minutes_adjustments.id"), unique=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    #: the organ as the anslag names it ("Socialnämnden")
    organ: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[AdjustmentKind] = mapped_column(Enum(AdjustmentKind, native_enum=False, length=20))
    #: the § numbers announced
    paragraphs: Mapped[list[int]] = mapped_column(JSON, default=list)
    adjusted_on: Mapped[date] = mapped_column(Date)
    put_up_on: Mapped[date] = mapped_column(Date, index=True)
    last_appeal_day: Mapped[date] = mapped_column(Date)
    taken_down_on: Mapped[date] = mapped_column(Date, index=True)
    #: förvaringsplats för protokollet
    kept_at: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    adjustment: Mapped[MinutesAdjustment] = relationship()
    minutes: Mapped[Minutes] = relationship()
    committee: Mapped[Committee] = relationship()

    def is_up_on(self, day: date) -> bool:
        return self.put_up_on <= day < self.taken_down_on

    def __repr__(self) -> str:
        return f"<Announcement {self.id} {self.organ} {self.meeting_date} up {self.put_up_on}–{self.taken_down_on}>"


@event.listens_for(MinutesApproval, "before_update")
@event.listens_for(MinutesApproval, "before_delete")
@event.listens_for(MinutesAdjustment, "before_delete")
def _refuse_change(_mapper: object, _connection: object, target: object) -> None:
    """An approval, a rejection or a justering is a record of what happened: written once, never changed."""
    raise RuntimeError(f"{type(target).__name__} rows are written once; refused to change {target!r}")


@event.listens_for(MinutesAdjustment, "before_update")
def _refuse_adjustment_change(_mapper: object, _connection: object, target: MinutesAdjustment) -> None:
    """A justering is written once; only the sha256 of what was sealed from it is filled in later, once
    (``record_sealed``, ``record_sealed_extracts``)."""
    state = inspect(target)
    fillable = ("sealed_pdf_sha256", "sealed_extracts")
    changed = [a.key for a in state.attrs if a.history.has_changes()]
    filled_before = any(old is not None for key in fillable for old in state.attrs[key].history.deleted)
    if not changed or any(key not in fillable for key in changed) or filled_before:
        raise RuntimeError(f"MinutesAdjustment rows are written once; refused to change {target!r}")


def record_sealed(adjustment: MinutesAdjustment, sha256: str) -> bool:
    """Keep the sha256 of the sealed PDF made from the justering's approved version, unless one is kept already;
    whether it was recorded now."""
    if adjustment.sealed_pdf_sha256 is not None:
        return False
    adjustment.sealed_pdf_sha256 = sha256
    return True


def record_sealed_extracts(adjustment: MinutesAdjustment, extracts: dict[int, str]) -> bool:
    """Keep the sha256 of each sealed protokollsutdrag of an omedelbar justering's paragraphs (§ → sha256; every
    paragraph of it needed), unless they are kept already; whether they were recorded now."""
    if adjustment.sealed_extracts is not None or sorted(extracts) != sorted(adjustment.paragraphs):
        return False
    adjustment.sealed_extracts = [{"paragraph": n, "sha256": extracts[n]} for n in sorted(extracts)]
    return True


def open_correction(minutes: Minutes) -> MinutesCorrection | None:
    """The protokoll's rättelse in progress, if any: while it is open the justerat protokoll may be edited."""
    return db.session.scalar(
        select(MinutesCorrection).where(
            MinutesCorrection.minutes_id == minutes.id, MinutesCorrection.closed_dt.is_(None)
        )
    )
