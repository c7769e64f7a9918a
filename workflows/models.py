"""Case reports (tjänsteutlåtanden): the report, its append-only revisions, its timeline,
its attachments (bilagor) and the stored files behind them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, Enum, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model, db
from app.organisation.models import Municipality
from app.registry.models import Case, RegisteredDocument


class ReportState(str, enum.Enum):
    draft = "draft"
    in_review = "in_review"
    returned = "returned"
    approved = "approved"
    signed = "signed"
    on_agenda = "on_agenda"
    decided = "decided"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    ReportState.draft: "Utkast",
    ReportState.in_review: "Under granskning",
    ReportState.returned: "Returnerad",
    ReportState.approved: "Godkänd, väntar på underskrift",
    ReportState.signed: "Undertecknad",
    ReportState.on_agenda: "På föredragningslista",
    ReportState.decided: "Beslutad",
    ReportState.withdrawn: "Återkallad",
}


class ReportSectionDefinition(Model):
    """An extra section the municipality wants in its reports, e.g. Barnrättsperspektiv."""

    __tablename__ = "report_section_definitions"
    __table_args__ = (UniqueConstraint("municipality_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: the key the content uses, e.g. "child_rights"
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    is_required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    municipality: Mapped[Municipality] = relationship()

    def __repr__(self) -> str:
        return f"<ReportSectionDefinition {self.key}>"


report_editors = Table(
    "report_editors",
    db.metadata,
    Column("report_id", Integer, ForeignKey("case_reports.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
)


class CaseReport(Model):
    """The tjänsteutlåtande of a case: one per case, with its whole history."""

    __tablename__ = "case_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    state: Mapped[ReportState] = mapped_column(
        Enum(ReportState, native_enum=False, length=20), default=ReportState.draft, index=True
    )
    #: the number of the newest revision; a save must be based on it
    current_revision: Mapped[int] = mapped_column(default=0)
    #: the revision that was signed, and the sha256 of its content (frozen)
    signed_revision: Mapped[int | None]
    signed_hash: Mapped[str | None] = mapped_column(String(64))
    signed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: when the current review or approval step is due
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    #: the last day an overdue reminder was sent for the current step
    reminded_on: Mapped[date | None] = mapped_column(Date)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship()
    editors: Mapped[list[User]] = relationship(secondary=report_editors, order_by="User.name")
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    revisions: Mapped[list[ReportRevision]] = relationship(
        back_populates="report", order_by="ReportRevision.number", cascade="all, delete-orphan"
    )
    transitions: Mapped[list[ReportTransition]] = relationship(
        back_populates="report", order_by="ReportTransition.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[ReportAttachment]] = relationship(
        back_populates="report",
        order_by="ReportAttachment.position",
        cascade="all, delete-orphan",
        foreign_keys="ReportAttachment.report_id",
    )

    def revision(self, number: int | None = None) -> ReportRevision | None:
        number = self.current_revision if number is None else number
        return next((r for r in self.revisions if r.number == number), None)

    def current(self) -> ReportRevision:
        """The newest revision: a report has one from its creation on."""
        return self.revision_numbered(self.current_revision)

    def revision_numbered(self, number: int) -> ReportRevision:
        """The revision with this number, which the caller knows exists (the current or the signed one)."""
        found = self.revision(number)
        if found is None:
            raise LookupError(f"report {self.id} has no revision {number}")
        return found

    @property
    def current_attachments(self) -> list[ReportAttachment]:
        return [a for a in self.attachments if a.is_current]

    def __repr__(self) -> str:
        return f"<CaseReport {self.id} case={self.case_id} {self.state.value}>"


class ReportRevision(Model):
    """One saved version of a report's content; never changed once written."""

    __tablename__ = "report_revisions"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("case_reports.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    #: the revision the author started from (None for the first)
    based_on: Mapped[int | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: the fields that differ from the revision before, e.g. ["proposals", "sections.summary"]
    changed_fields: Mapped[list[str]] = mapped_column(JSON, default=list)

    report: Mapped[CaseReport] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReportRevision {self.report_id}#{self.number}>"


class ReportConflict(Model):
    """A save refused because it started from an old revision: kept so its text is never lost."""

    __tablename__ = "report_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("case_reports.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    based_on: Mapped[int]
    #: the current revision at the time of the refused save
    current_at_refusal: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_resolved: Mapped[bool] = mapped_column(default=False)

    report: Mapped[CaseReport] = relationship()
    author: Mapped[User | None] = relationship()


class ReportTransition(Model):
    """A step on a report's timeline: who moved it from which state to which, and why."""

    __tablename__ = "report_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("case_reports.id", ondelete="CASCADE"), index=True)
    #: the transition's name in workflows.states.TRANSITIONS, e.g. "submit"
    name: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[ReportState | None] = mapped_column(Enum(ReportState, native_enum=False, length=20))
    to_state: Mapped[ReportState] = mapped_column(Enum(ReportState, native_enum=False, length=20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    revision_number: Mapped[int]
    #: for a signature: the sha256 of the signed revision's content
    content_hash: Mapped[str | None] = mapped_column(String(64))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[CaseReport] = relationship(back_populates="transitions")
    user: Mapped[User | None] = relationship()


class StoredFileRecord(Model):
    """A file in storage, once per content (sha256), shared by every attachment that uses it."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    #: the type found by reading the content, e.g. "application/pdf"
    content_type: Mapped[str] = mapped_column(String(120))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<StoredFileRecord {self.sha256[:12]} {self.content_type}>"


class ReportAttachment(Model):
    """A bilaga of a report: an uploaded file or a registered document of the case.

    Replacing a bilaga adds a new row in the same position and marks the old one not
    current; the old row and its file are kept.
    """

    __tablename__ = "report_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("case_reports.id", ondelete="CASCADE"), index=True)
    #: 1-based order among the current attachments: "Bilaga 1", "Bilaga 2" …
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    #: the file name shown for downloads, cleaned of any path
    filename: Mapped[str | None] = mapped_column(String(200))
    registered_document_id: Mapped[int | None] = mapped_column(ForeignKey("registered_documents.id"))
    is_confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    #: the attachment this one replaced
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("report_attachments.id"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[CaseReport] = relationship(back_populates="attachments", foreign_keys=[report_id])
    file: Mapped[StoredFileRecord | None] = relationship()
    registered_document: Mapped[RegisteredDocument | None] = relationship()
    added_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return f"Bilaga {self.position} {self.title}"

    def __repr__(self) -> str:
        return f"<ReportAttachment {self.report_id} #{self.position} {self.title!r}>"
