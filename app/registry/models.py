"""Classification plan, diaria with their counters, cases (ärenden) and registered documents."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model
from app.organisation.models import Committee, Municipality


class ClassificationCode(Model):
    """A code of the classification plan (dokumenthanteringsplan / Klassa), e.g. 181."""

    __tablename__ = "classification_codes"
    __table_args__ = (UniqueConstraint("municipality_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    #: retired codes stay for old cases but cannot be chosen for new ones
    is_active: Mapped[bool] = mapped_column(default=True)

    municipality: Mapped[Municipality] = relationship()

    def __repr__(self) -> str:
        return f"<ClassificationCode {self.code} {self.name}>"


class Diarium(Model):
    """A diarium: a series of diarienummer with its own format, in which one or more committees register.

    A municipality may keep one for all its committees, one per förvaltning or one per committee; an
    utskott registers in its parent committee's. Changing the series code or format applies to cases
    registered afterwards: a case keeps the number it was given.
    """

    __tablename__ = "diaria"
    __table_args__ = (UniqueConstraint("municipality_id", "series"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: e.g. "Kommunstyrelsens diarium"
    name: Mapped[str] = mapped_column(String(200))
    #: the series code written by {prefix}, e.g. "KS"
    series: Mapped[str] = mapped_column(String(10))
    #: how its numbers are written, e.g. "{prefix}-{year}/{serial}.{class}" (app.registry.numbering)
    number_format: Mapped[str] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    #: the committees that register their new cases here (an utskott through its parent)
    committees: Mapped[list[Committee]] = relationship(
        primaryjoin="Diarium.id == foreign(Committee.diarium_id)", order_by="Committee.name", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Diarium {self.id}: {self.series} {self.name}>"


class RegistrationCounter(Model):
    """The last serial handed out in one diarium and year; incremented inside the registering transaction."""

    __tablename__ = "registration_counters"

    diarium_id: Mapped[int] = mapped_column(ForeignKey("diaria.id"), primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_serial: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<RegistrationCounter {self.diarium_id} {self.year}: {self.last_serial}>"


class CaseStatus(str, enum.Enum):
    open = "open"
    closed = "closed"
    voided = "voided"

    @property
    def label(self) -> str:
        return {"open": "Pågående", "closed": "Avslutat", "voided": "Makulerat"}[self.value]


class Case(Model):
    """An ärende in the diarium."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("diarium_id", "year", "serial"),
        UniqueConstraint("diarium_id", "number"),
        Index("ix_cases_committee_registered", "committee_id", "registered_on"),
        #: the diarium's order, newest first (the diarium list, the public diarium): read backwards, page by page
        Index("ix_cases_registered_order", "registered_on", "year", "serial", "id"),
        #: what decides whether a case is visible (``visible_cases_clause``) and open: the lists' counts and the start
        #: page's open cases per committee read only this index
        Index("ix_cases_visibility", "committee_id", "status", "is_confidential", "case_officer_id"),
        Index("ix_cases_committee_meetings_year", "committee_id", "meetings_year", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    #: the diarium the number was allocated in; (diarium, year, serial) is unique
    diarium_id: Mapped[int] = mapped_column(ForeignKey("diaria.id"), index=True)
    #: the diarium's series code when the number was allocated
    series: Mapped[str] = mapped_column(String(10))
    year: Mapped[int]
    serial: Mapped[int]
    #: required when the diarium's format writes {class}; optional otherwise
    classification_id: Mapped[int | None] = mapped_column(ForeignKey("classification_codes.id"), index=True)
    #: the diarienummer as written when it was allocated, e.g. "SN-2016/3342.181"; it never changes
    number: Mapped[str] = mapped_column(String(80))
    #: the ärendemening
    title: Mapped[str] = mapped_column(String(500))
    #: what public views show of a confidential case, without names or secret details
    public_title: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[CaseStatus] = mapped_column(
        Enum(CaseStatus, native_enum=False, length=10), default=CaseStatus.open, index=True
    )
    registered_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    case_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: a number from another organisation this case answers, e.g. "KSL/12/0177-37"
    external_reference: Mapped[str | None] = mapped_column(String(100))
    is_confidential: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    #: the OSL provision that applies, e.g. "26 kap. 1 § OSL"
    secrecy_provision: Mapped[str | None] = mapped_column(String(200))
    secrecy_decided_on: Mapped[date | None] = mapped_column(Date)
    secrecy_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str | None] = mapped_column(Text)
    #: lower-cased number, titles and reference for case-insensitive search with å, ä, ö
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: the running number of the last registered document on this case
    last_document_number: Mapped[int] = mapped_column(default=0)
    #: for the case that collects a committee's published kallelser of one year ("Sammanträden 2026"):
    #: that year; None for every other case
    meetings_year: Mapped[int | None]
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the last change of any of its columns (its title, secrecy, status …): open data's incremental sync reads it
    modified_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    committee: Mapped[Committee] = relationship()
    diarium: Mapped[Diarium] = relationship()
    classification: Mapped[ClassificationCode | None] = relationship()
    case_officer: Mapped[User | None] = relationship(foreign_keys=[case_officer_id])
    secrecy_decided_by: Mapped[User | None] = relationship(foreign_keys=[secrecy_decided_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    documents: Mapped[list[RegisteredDocument]] = relationship(
        back_populates="case", order_by="RegisteredDocument.number", cascade="all, delete-orphan"
    )

    PUBLIC_TITLE_FALLBACK = "Sekretessärende"

    @property
    def display_public_title(self) -> str:
        """The title a public view may show."""
        if self.is_confidential:
            return self.public_title or self.PUBLIC_TITLE_FALLBACK
        return self.title

    def refresh_search_text(self) -> None:
        parts = [self.number, self.title, self.public_title or "", self.external_reference or ""]
        self.search_text = " ".join(p for p in parts if p).casefold()

    def __repr__(self) -> str:
        return f"<Case {self.id}: {self.number}>"


class Direction(str, enum.Enum):
    incoming = "incoming"
    outgoing = "outgoing"
    internal = "internal"

    @property
    def label(self) -> str:
        return {"incoming": "Inkommande", "outgoing": "Utgående", "internal": "Upprättad"}[self.value]


class RegisteredDocument(Model):
    """A handling registered on a case."""

    __tablename__ = "registered_documents"
    __table_args__ = (
        UniqueConstraint("case_id", "number"),
        Index("ix_registered_documents_source", "source", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: running number within the case: 1, 2, 3 …
    number: Mapped[int]
    direction: Mapped[Direction] = mapped_column(Enum(Direction, native_enum=False, length=10))
    document_date: Mapped[date] = mapped_column(Date)
    #: sender (incoming) or recipient (outgoing); empty for internal documents
    counterparty: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(String(500))
    external_reference: Mapped[str | None] = mapped_column(String(100))
    is_confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    secrecy_provision: Mapped[str | None] = mapped_column(String(200))
    registered_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: what registered it by itself, once: "report:<id>:<signature sha256>", "attachment:<id>",
    #: "publication:<id>" (app.registry.automatic); None for a handling registered by hand
    source: Mapped[str | None] = mapped_column(String(100))
    #: the sha256 of what was registered: the signature of a report, a bilaga's file, a kallelse's snapshot
    sha256: Mapped[str | None] = mapped_column(String(64))
    #: the storage key of the registered file (app.storage), when the handling is a stored file
    storage_key: Mapped[str | None] = mapped_column(String(100))

    case: Mapped[Case] = relationship(back_populates="documents")
    registered_by: Mapped[User | None] = relationship()

    @property
    def source_kind(self) -> str | None:
        """What registered it by itself: "report", "attachment" or "publication" (None: by hand)."""
        return self.source.split(":", 1)[0] if self.source else None

    @property
    def source_id(self) -> int | None:
        """The id of the report, bilaga or publication that registered it by itself."""
        if not self.source:
            return None
        return int(self.source.split(":")[1])

    def __repr__(self) -> str:
        return f"<RegisteredDocument {self.case_id}:{self.number}>"
