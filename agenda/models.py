"""Meetings, their agenda items (the föredragningslista), delegated decisions and publications."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    insert,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from agenda.snapshot_json import PartJSON, SnapshotJSON
from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model, db
from app.organisation.models import Committee
from app.registry.models import Case

#: the heading of the section confidential items are listed under, as in the real kallelse (the default name of
#: a committee's closed part, AgendaConventions.closed_section)
CONFIDENTIAL_SECTION = "Sekretessärenden"
#: the document's name a committee starts with: its kallelse is headed "Kallelse till <nämnd>"
DEFAULT_NOTICE_TITLE = "Kallelse"
#: the number of the first item a committee starts with
DEFAULT_FIRST_NUMBER = 1
#: the wording for a case item whose handling comes later, as in the real kallelse
DEFAULT_HANDLING_LATER = "Handling kommer senare"
#: the wording shown on an item whose signed tjänsteutlåtande proposes that the paragraph be justerad at once
IMMEDIATE_ADJUSTMENT = "Omedelbar justering"


class AgendaConventions(Model):
    """How a committee writes its agendas, kept in its meeting template (agenda.conventions).

    A committee without a row writes them as the real kallelse does (the defaults above); published
    snapshots carry the conventions they were published with.
    """

    __tablename__ = "agenda_conventions"

    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), primary_key=True)
    #: the document's name: "Kallelse", "Kallelse och föredragningslista", "Föredragningslista" …; the heading is
    #: "<name> till <nämnd>", the page header its capitals
    notice_title: Mapped[str] = mapped_column(String(100), default=DEFAULT_NOTICE_TITLE)
    #: the first item's number: 0 or 1
    first_number: Mapped[int] = mapped_column(Integer, default=DEFAULT_FIRST_NUMBER)
    #: the name of the closed part, where the confidential items stand ("Sekretessärenden", "Slutet sammanträde" …)
    closed_section: Mapped[str] = mapped_column(String(100), default=CONFIDENTIAL_SECTION)
    #: the wording for a handling that comes later ("Handling kommer senare", "Handlingar senare" …)
    handling_later_text: Mapped[str] = mapped_column(String(100), default=DEFAULT_HANDLING_LATER)

    @classmethod
    def defaults(cls, committee_id: int | None) -> AgendaConventions:
        """The conventions of a committee that has not set its own (a transient row, never stored by itself)."""
        out = cls(
            notice_title=DEFAULT_NOTICE_TITLE,
            first_number=DEFAULT_FIRST_NUMBER,
            closed_section=CONFIDENTIAL_SECTION,
            handling_later_text=DEFAULT_HANDLING_LATER,
        )
        if committee_id is not None:
            out.committee_id = committee_id
        return out

    def __repr__(self) -> str:
        return f"<AgendaConventions {self.committee_id} {self.notice_title!r} from {self.first_number}>"


class AgendaSection(Model):
    """A named section of a committee's agendas ("Beslutsärenden", "Informationsärenden" …) the secretary places
    items under; its heading stands before each run of items placed in it."""

    __tablename__ = "agenda_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    #: the order in the template's list
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))

    def __repr__(self) -> str:
        return f"<AgendaSection {self.id} {self.committee_id} {self.name!r}>"


class ItemMarker(Model):
    """A marker a committee writes after an item's title, chosen per item: e.g. "(KF)" for a matter that goes
    on to kommunfullmäktige."""

    __tablename__ = "item_markers"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    #: the order in the template's list, and of an item's markers
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(50))

    def __repr__(self) -> str:
        return f"<ItemMarker {self.id} {self.committee_id} {self.label!r}>"


#: the markers the secretary chose for an item
agenda_item_markers = Table(
    "agenda_item_markers",
    db.metadata,
    Column("agenda_item_id", Integer, ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True),
    Column("marker_id", Integer, ForeignKey("item_markers.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class MeetingStatus(str, enum.Enum):
    planned = "planned"
    notice_published = "notice_published"
    held = "held"
    minutes_done = "minutes_done"
    #: inställt: the secretary cancelled it before it was held (agenda.cancellation); final
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return {
            "planned": "Planerat",
            "notice_published": "Kallelse publicerad",
            "held": "Genomfört",
            "minutes_done": "Protokoll klart",
            "cancelled": "Inställt",
        }[self.value]


#: meetings whose agenda may still change (a case is on at most one of them)
UPCOMING = (MeetingStatus.planned, MeetingStatus.notice_published)


class Meeting(Model):
    """A sammanträde of a committee, with the facts that complete its kallelse."""

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
    #: the closing of the kallelse: "Huddinge den 2 februari 2017", the chair's and secretary's names
    notice_place: Mapped[str | None] = mapped_column(String(100))
    notice_date: Mapped[date | None] = mapped_column(Date)
    chair_name: Mapped[str | None] = mapped_column(String(200))
    secretary_name: Mapped[str | None] = mapped_column(String(200))
    #: raised by every change of the agenda; a reorder based on an older one is refused
    agenda_version: Mapped[int] = mapped_column(default=1)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when the meeting was cancelled (status cancelled) and why, as the secretary wrote it to the members (the
    #: reason is not shown on public pages); who did it is in the audit log
    cancelled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)

    committee: Mapped[Committee] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    #: the committee's own conventions, if it has set any (``conventions`` gives the defaults otherwise)
    own_conventions: Mapped[AgendaConventions | None] = relationship(
        primaryjoin="foreign(Meeting.committee_id) == AgendaConventions.committee_id", viewonly=True
    )
    publications: Mapped[list[Publication]] = relationship(
        back_populates="meeting", order_by="Publication.version", cascade="all, delete-orphan"
    )

    @property
    def notice_deadline(self) -> date:
        """The last day the kallelse may be published without an override (the committee's rule)."""
        from datetime import timedelta

        from app.clock import to_local

        return to_local(self.start_dt).date() - timedelta(days=self.committee.notice_days)

    @property
    def conventions(self) -> AgendaConventions:
        """How the committee writes its agendas now (a published version keeps those it was published with)."""
        return self.own_conventions or AgendaConventions.defaults(self.committee_id)

    @property
    def latest_publication(self) -> Publication | None:
        return self.publications[-1] if self.publications else None

    @property
    def is_cancelled(self) -> bool:
        return self.status is MeetingStatus.cancelled

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.committee_id} {self.start_dt:%Y-%m-%d}>"


class ItemKind(str, enum.Enum):
    procedural = "procedural"
    information = "information"
    case = "case"
    confidential_case = "confidential_case"
    delegation_report = "delegation_report"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "procedural": "Formalia",
            "information": "Information",
            "case": "Ärende",
            "confidential_case": "Sekretessärende",
            "delegation_report": "Delgivningar och delegationsbeslut",
            "other": "Övrigt",
        }[self.value]


class ItemOutcome(str, enum.Enum):
    decided = "decided"
    postponed = "postponed"
    sent_back = "sent_back"

    @property
    def label(self) -> str:
        return {"decided": "Beslutat", "postponed": "Bordlagt", "sent_back": "Återremitterat"}[self.value]


class AgendaItem(Model):
    """One item of a föredragningslista; its number is its place in the order (1, 2, …)."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: the order (1 … n); the displayed number is the same, kept apart so reordering is one step
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ItemKind] = mapped_column(Enum(ItemKind, native_enum=False, length=20))
    #: the title members read; for a confidential case the public sees only the case's public title
    title: Mapped[str] = mapped_column(String(1000))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: the case's handling is not ready yet ("Handling kommer senare")
    is_handling_later: Mapped[bool] = mapped_column(default=False)
    #: e.g. "Remisshandlingar: <link> (hämtad 2017-01-18)"
    note: Mapped[str | None] = mapped_column(Text)
    #: another body's reference, e.g. "KSL/12/0177-37"
    external_reference: Mapped[str | None] = mapped_column(String(100))
    #: information items: [{"title": …, "presenter": …}, …]
    parts: Mapped[list[PartJSON]] = mapped_column(JSON, default=list)
    #: a closing item (e.g. Övriga frågor): new items go before it (set from the committee's template)
    closes_agenda: Mapped[bool] = mapped_column(default=False)
    #: the named section of the committee's template the secretary placed it under (a sekretessärende stands in
    #: the closed part whatever this says)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_sections.id"), index=True)
    #: what the meeting did with the item (recorded afterwards)
    outcome: Mapped[ItemOutcome | None] = mapped_column(Enum(ItemOutcome, native_enum=False, length=20))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    case: Mapped[Case | None] = relationship()
    agenda_section: Mapped[AgendaSection | None] = relationship()
    markers: Mapped[list[ItemMarker]] = relationship(secondary=agenda_item_markers, order_by=ItemMarker.position)

    @property
    def number(self) -> int:
        """The number the item is listed with: its place counted from the committee's first number (0 or 1)."""
        return self.position - 1 + self.meeting.conventions.first_number

    @property
    def is_case_item(self) -> bool:
        return self.kind in CASE_KINDS

    @property
    def is_confidential(self) -> bool:
        """Whether the item is a sekretessärende: read from its case now, never from a copy.

        A case marked confidential after its item was added makes the item confidential; a case
        whose secrecy is lifted makes it open. (Rows stored before this rule may still say
        ``confidential_case``; without a case to ask, such a row stays confidential.)
        """
        if self.kind not in CASE_KINDS:
            return False
        if self.case is None:
            return self.kind is ItemKind.confidential_case
        return bool(self.case.is_confidential)

    @property
    def shown_kind(self) -> ItemKind:
        """The kind as shown and published: a case item is a confidential case exactly when its case is."""
        if self.kind not in CASE_KINDS:
            return self.kind
        return ItemKind.confidential_case if self.is_confidential else ItemKind.case

    @property
    def section(self) -> str | None:
        """The heading the item stands under: the closed part for a sekretessärende, else its named section."""
        if self.is_confidential:
            return self.meeting.conventions.closed_section
        return self.agenda_section.name if self.agenda_section is not None else None

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} {self.meeting_id}#{self.position} {self.kind.value}>"


#: the kinds of an item about a case; which of the two is shown is derived from the case (``shown_kind``)
CASE_KINDS = (ItemKind.case, ItemKind.confidential_case)

#: the kinds a committee's template may hold (case items are picked for each meeting)
STANDING_KINDS = (ItemKind.procedural, ItemKind.information, ItemKind.delegation_report, ItemKind.other)


class StandingItem(Model):
    """An item of a committee's template: put on the agenda of every meeting the committee plans.

    The opening items come first in their order; the closing ones (``closes_agenda``, e.g. Övriga
    frågor, Delgivningar) end the agenda, and new items are placed before them.
    """

    __tablename__ = "standing_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    #: the order within its group (opening or closing)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ItemKind] = mapped_column(Enum(ItemKind, native_enum=False, length=20))
    title: Mapped[str] = mapped_column(String(1000))
    closes_agenda: Mapped[bool] = mapped_column(default=False)

    committee: Mapped[Committee] = relationship()

    def __repr__(self) -> str:
        return f"<StandingItem {self.id} {self.committee_id}#{self.position} {self.title!r}>"


#: the template a new committee starts with: the four items of the real kallelse (kind, title, closes)
DEFAULT_STANDING_ITEMS = (
    (ItemKind.procedural, "Val av justerare", False),
    (ItemKind.procedural, "Godkännande av föredragningslistan", False),
    (ItemKind.procedural, "Övriga frågor", True),
    (ItemKind.delegation_report, "Delgivningar och anmälda delegationsbeslut", True),
)


@event.listens_for(Committee, "after_insert")
def _give_new_committee_the_default_template(
    _mapper: Mapper[Committee], connection: Connection, committee: Committee
) -> None:
    """Every committee starts with the customary standing items; its secretary can change them."""
    opening = [(kind, title) for kind, title, closes in DEFAULT_STANDING_ITEMS if not closes]
    closing = [(kind, title) for kind, title, closes in DEFAULT_STANDING_ITEMS if closes]
    connection.execute(
        insert(StandingItem),
        [
            {
                "committee_id": committee.id,
                "position": position,
                "kind": kind.name,
                "title": title,
                "closes_agenda": closes,
            }
            for closes, group in ((False, opening), (True, closing))
            for position, (kind, title) in enumerate(group, start=1)
        ],
    )


class DelegationDecision(Model):
    """A decision taken under delegation, reported (anmält) to the committee at its next meeting."""

    __tablename__ = "delegation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    decided_on: Mapped[date] = mapped_column(Date, index=True)
    #: who decided, e.g. "Eva Strand, socialdirektör"
    decision_maker: Mapped[str] = mapped_column(String(200))
    #: the point of the delegation order, e.g. "3.1.2"
    delegation_point: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    summary: Mapped[str] = mapped_column(String(1000))
    registered_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the meeting whose published kallelse reported it (anmält); None until one has
    reported_in_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)

    committee: Mapped[Committee] = relationship()
    case: Mapped[Case | None] = relationship()
    registered_by: Mapped[User | None] = relationship()
    reported_in: Mapped[Meeting | None] = relationship()

    def __repr__(self) -> str:
        return f"<DelegationDecision {self.id} {self.decided_on} {self.delegation_point}>"


class Publication(Model):
    """An immutable, numbered snapshot of a kallelse: the members' and the public version."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: 1 for the first publication, 2 for the first correction, …
    version: Mapped[int] = mapped_column(Integer)
    #: everything a member may read: items, numbers, diarienummer, documents (see agenda.snapshot)
    members_snapshot: Mapped[SnapshotJSON] = mapped_column(JSON)
    #: what the public reads: confidential items as their public title only, no confidential documents
    public_snapshot: Mapped[SnapshotJSON] = mapped_column(JSON)
    #: what changed since the previous version (Swedish lines), empty for the first
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: why the kallelse was published after the deadline, when it was
    late_reason: Mapped[str | None] = mapped_column(Text)
    published_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="publications")
    published_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Publication {self.id} meeting {self.meeting_id} v{self.version}>"


@event.listens_for(Publication, "before_update")
@event.listens_for(Publication, "before_delete")
def _refuse_change(_mapper: Mapper[Publication], _connection: Connection, target: Publication) -> None:
    raise RuntimeError(f"a publication is an immutable snapshot; refused to change {target!r}")
