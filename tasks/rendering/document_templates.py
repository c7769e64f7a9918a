"""The municipality's uploaded Word templates: every version kept, one in use per municipality (or committee).

A municipality administrator uploads a template (Administration → Dokumentmall, or
``POST /api/v1/municipality/document-templates``); it is checked (tasks.rendering.letterhead), stored
through app.storage and becomes the one in use for the whole municipality, or for one of its
committees when one is named (a committee's own comes before the municipality's). The earlier
versions stay, with who uploaded them and when (and an audit row each); going back to the project's
own template (the default) is a step of its own. The renderers ask ``template_for(committee)`` and
build inside ``using_template`` (tasks.rendering.word).

Operations validate, change and audit; they never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import audit
from app.auth.models import User
from app.clock import to_local, utcnow
from app.db_types import UTCDateTime
from app.extensions import Model, db
from app.organisation.models import Committee, Municipality
from app.storage import StorageError, get_storage
from app.validation import ValidationError
from tasks.rendering.letterhead import check_template, uploaded_template, with_logo
from tasks.rendering.word import DocumentTemplate, default_template
from workflows.sniffing import clean_filename


class DocumentTemplateFile(Model):
    """One uploaded version of a municipality's (or a committee's) Word template."""

    __tablename__ = "document_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: the committee it is for; None: the whole municipality
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    #: 1, 2, … per municipality
    version: Mapped[int]
    #: the uploaded file's name (shown only; the file is stored by its content)
    filename: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str] = mapped_column(String(67))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    #: the one the documents of its municipality (or committee) are made on
    is_current: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    committee: Mapped[Committee | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def revision(self) -> str:
        """The line printed small on a document's first page: "Mall rev. 2027-01-15 (version 2)"."""
        return f"Mall rev. {to_local(self.uploaded_dt).date().isoformat()} (version {self.version})"

    @property
    def scope(self) -> str:
        return self.committee.name if self.committee is not None else "hela kommunen"


def versions(municipality: Municipality) -> list[DocumentTemplateFile]:
    """Every uploaded version of the municipality's templates, newest first."""
    return list(
        db.session.scalars(
            select(DocumentTemplateFile)
            .where(DocumentTemplateFile.municipality_id == municipality.id)
            .order_by(DocumentTemplateFile.version.desc())
        )
    )


def current_file(municipality: Municipality, committee: Committee | None = None) -> DocumentTemplateFile | None:
    """The version in use for the committee (its own, else its municipality's), or for the whole municipality."""
    query = select(DocumentTemplateFile).where(
        DocumentTemplateFile.municipality_id == municipality.id, DocumentTemplateFile.is_current.is_(True)
    )
    rows = list(db.session.scalars(query))
    if committee is not None:
        own = next((r for r in rows if r.committee_id == committee.id), None)
        if own is not None:
            return own
    return next((r for r in rows if r.committee_id is None), None)


def template_for(committee: Committee) -> DocumentTemplate | None:
    """The template the committee's documents are made on: an uploaded one, or None for the project's own; with
    the municipality's logo on its first page when the municipality has one (Administration → Kommunen)."""
    municipality = committee.municipality
    row = current_file(municipality, committee)
    template = None
    if row is not None:
        try:
            data = get_storage().read(row.storage_key)
        except StorageError:
            raise StorageError(f"the document template {row.id} is missing from storage") from None
        template = uploaded_template(data, row.sha256, row.revision)
    if municipality.logo_key is None or municipality.logo_sha256 is None:
        return template
    try:
        logo = get_storage().read(municipality.logo_key)
    except StorageError:
        raise StorageError(f"the logo of municipality {municipality.id} is missing from storage") from None
    return with_logo(template or default_template(), logo, municipality.logo_sha256, municipality.name)


def _scope_of(municipality: Municipality, committee: Committee | None) -> None:
    if committee is not None and committee.municipality_id != municipality.id:
        raise ValidationError({"committee_id": "Nämnden hör inte till kommunen."})


def _make_current(municipality: Municipality, committee: Committee | None, row: DocumentTemplateFile | None) -> None:
    db.session.execute(
        update(DocumentTemplateFile)
        .where(
            DocumentTemplateFile.municipality_id == municipality.id,
            DocumentTemplateFile.committee_id.is_(None)
            if committee is None
            else DocumentTemplateFile.committee_id == committee.id,
        )
        .values(is_current=False)
        .execution_options(synchronize_session="fetch")
    )
    if row is not None:
        row.is_current = True


def upload_template(
    municipality: Municipality, *, user: User, data: bytes, filename: str, committee: Committee | None = None
) -> DocumentTemplateFile:
    """Check an uploaded Word template, store it and make it the one in use (for ``committee`` only, if given)."""
    _scope_of(municipality, committee)
    name = clean_filename(filename or "")
    stored_bytes = check_template(data, name)
    stored = get_storage().save(stored_bytes)
    last = db.session.scalar(
        select(DocumentTemplateFile.version)
        .where(DocumentTemplateFile.municipality_id == municipality.id)
        .order_by(DocumentTemplateFile.version.desc())
        .limit(1)
    )
    row = DocumentTemplateFile(
        municipality=municipality,
        committee=committee,
        version=(last or 0) + 1,
        filename=name,
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by=user,
        uploaded_dt=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    _make_current(municipality, committee, row)
    db.session.flush()
    audit.record(
        "document_template.uploaded",
        municipality,
        f"Dokumentmall version {row.version} (”{name}”) uppladdad för {row.scope} i {municipality.name}.",
        user=user,
        committee_id=committee.id if committee is not None else None,
        after={"version": row.version, "filename": name, "sha256": stored.sha256, "committee_id": row.committee_id},
    )
    return row


def use_version(row: DocumentTemplateFile, *, user: User) -> DocumentTemplateFile:
    """Make an earlier version the one in use again (for the scope it was uploaded for)."""
    _make_current(row.municipality, row.committee, row)
    db.session.flush()
    audit.record(
        "document_template.used",
        row.municipality,
        f"Dokumentmall version {row.version} används igen för {row.scope}.",
        user=user,
        committee_id=row.committee_id,
        after={"version": row.version, "committee_id": row.committee_id},
    )
    return row


def use_default(municipality: Municipality, *, user: User, committee: Committee | None = None) -> bool:
    """Go back to the project's own template (for ``committee``: to the municipality's); False if already there."""
    _scope_of(municipality, committee)
    current = current_file(municipality, committee)
    if current is None or current.committee_id != (committee.id if committee is not None else None):
        return False
    _make_current(municipality, committee, None)
    db.session.flush()
    scope = committee.name if committee is not None else "hela kommunen"
    audit.record(
        "document_template.default",
        municipality,
        f"Standardmallen används åter för {scope} (version {current.version} används inte längre).",
        user=user,
        committee_id=committee.id if committee is not None else None,
        before={"version": current.version},
    )
    return True
