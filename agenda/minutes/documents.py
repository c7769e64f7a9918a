"""The rendered protokoll: a row per document made from a revision of it, with its Word and PDF files.

A render of a protokoll's revision (tasks.protocol_documents) makes the full protokoll, the public
version and one protokollsutdrag per paragraph, each as DOCX and tagged PDF, and records each here with the
revision it was made from, whether the protokoll was justerat then (its PDF then carries the organisation's
seal) and the hash of everything it was made from, justerat state included (``recorded_hash``: a render of the same
input in the same state adds no row). Pages, the API and
the justering read the current revision's documents from here; the files themselves are in app.storage,
addressed by their sha256.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agenda.minutes.models import Minutes
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model, db
from app.registry.access import get_by_id
from app.storage import StorageError, get_storage


class DocumentKind(str, enum.Enum):
    #: the whole protokoll, as the members read it and the chair and justerare approve it
    full = "full"
    #: the public version: a confidential paragraph by its heading and secrecy provision only
    public = "public"
    #: a protokollsutdrag: one paragraph with "Rätt utdraget intygar"
    extract = "extract"

    @property
    def label(self) -> str:
        return {"full": "Protokoll", "public": "Offentlig version", "extract": "Protokollsutdrag"}[self.value]


class MinutesDocument(Model):
    """One document made from one revision of a protokoll: its Word file and its tagged PDF."""

    __tablename__ = "minutes_documents"
    __table_args__ = (UniqueConstraint("minutes_id", "revision", "input_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    #: the number of the protokoll's revision it was made from (MinutesRevision.number)
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[DocumentKind] = mapped_column(Enum(DocumentKind, native_enum=False, length=10))
    #: the § number of an extract (None for the full protokoll and the public version)
    paragraph_number: Mapped[int | None] = mapped_column(Integer)
    #: made from the justerat protokoll: its PDF is sealed with the organisation's certificate
    is_adjusted: Mapped[bool] = mapped_column(default=False)
    #: the sha256 of everything the document is made from (data, variant, builder, template) and, for a sealed
    #: document, of its justerat state (``recorded_hash``)
    input_hash: Mapped[str] = mapped_column(String(64))
    #: the document's title, e.g. "Protokollsutdrag Socialnämnden 2017-02-23 § 12"
    title: Mapped[str] = mapped_column(String(300))
    docx_key: Mapped[str] = mapped_column(String(200))
    docx_sha256: Mapped[str] = mapped_column(String(64))
    docx_size: Mapped[int] = mapped_column(Integer)
    #: the name it is downloaded under, e.g. "protokoll-SN-2017-02-23.docx"
    docx_name: Mapped[str] = mapped_column(String(200))
    pdf_key: Mapped[str] = mapped_column(String(200))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int] = mapped_column(Integer)
    pdf_name: Mapped[str] = mapped_column(String(200))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship()

    @property
    def label(self) -> str:
        """ "Protokoll", "Offentlig version", "Protokollsutdrag § 12"."""
        if self.kind is DocumentKind.extract:
            return f"{self.kind.label} § {self.paragraph_number}"
        return self.kind.label

    def __repr__(self) -> str:
        extract = f" § {self.paragraph_number}" if self.paragraph_number is not None else ""
        return f"<MinutesDocument {self.id} minutes={self.minutes_id} r{self.revision} {self.kind.value}{extract}>"


def recorded_hash(input_hash: str, *, is_adjusted: bool) -> str:
    """What a document is recorded under in its revision: a draft's input hash as it is, a justerat (sealed)
    document's with its state, so that a revision rendered as a draft (while a rättelse is open, or before an
    omedelbar justering) and again once justerat gets its sealed documents beside the drafts, not the drafts."""
    return hashlib.sha256(f"{input_hash}:justerad".encode()).hexdigest() if is_adjusted else input_hash


def document_of(minutes: Minutes, document_id: int) -> MinutesDocument:
    """The protokoll's rendered document with this id (the protokoll loaded for the user first); else 404."""
    document = get_by_id(MinutesDocument, document_id)
    if document is None or document.minutes_id != minutes.id:
        abort(404)
    return document


def _newest_first(documents: list[MinutesDocument]) -> list[MinutesDocument]:
    """The justerat renders before the drafts, the newer before the older."""
    return sorted(documents, key=lambda d: (not d.is_adjusted, -d.id))


def revision_documents(minutes: Minutes, revision: int | None = None) -> list[MinutesDocument]:
    """The documents made from one revision (by default the current one): the full protokoll, the public version,
    then the extracts by §; of each the one made from the justerat protokoll if there is one, else the newest."""
    number = minutes.current_revision if revision is None else revision
    rows = db.session.scalars(
        select(MinutesDocument).where(MinutesDocument.minutes_id == minutes.id, MinutesDocument.revision == number)
    ).all()
    chosen: dict[tuple[DocumentKind, int | None], MinutesDocument] = {}
    for document in _newest_first(list(rows)):
        chosen.setdefault((document.kind, document.paragraph_number), document)
    order = {DocumentKind.full: 0, DocumentKind.public: 1, DocumentKind.extract: 2}
    return sorted(chosen.values(), key=lambda d: (order[d.kind], d.paragraph_number or 0))


def current_document(
    minutes: Minutes, kind: DocumentKind = DocumentKind.full, paragraph_number: int | None = None
) -> MinutesDocument | None:
    """The current revision's document of ``kind`` (an extract: of § ``paragraph_number``); None when the
    revision has not been rendered (or its public version was refused)."""
    return next(
        (
            d
            for d in revision_documents(minutes)
            if d.kind is kind and (kind is not DocumentKind.extract or d.paragraph_number == paragraph_number)
        ),
        None,
    )


def latest_adjusted_public(minutes: Minutes) -> MinutesDocument | None:
    """The public version of the protokoll as last justerat (sealed), whatever revision it was; None before
    justering. What the public reads: never a draft."""
    return db.session.scalar(
        select(MinutesDocument)
        .where(
            MinutesDocument.minutes_id == minutes.id,
            MinutesDocument.kind == DocumentKind.public,
            MinutesDocument.is_adjusted.is_(True),
        )
        .order_by(MinutesDocument.revision.desc(), MinutesDocument.id.desc())
        .limit(1)
    )


class DocumentFileMissing(LookupError):
    """A rendered document's file is gone from storage or no longer matches its sha256."""


def read_pdf(document: MinutesDocument) -> bytes:
    """The document's PDF bytes, checked against the sha256 recorded (DocumentFileMissing when they differ or the
    file is gone)."""
    try:
        data = get_storage().read(document.pdf_key)
    except StorageError as exc:
        raise DocumentFileMissing(f"the PDF of {document!r} is missing") from exc
    if hashlib.sha256(data).hexdigest() != document.pdf_sha256:
        raise DocumentFileMissing(f"the PDF of {document!r} does not match its sha256")
    return data


@dataclass(frozen=True)
class RenderedPdf:
    """The PDF of a rendered protokoll: the revision it was made from and its exact bytes."""

    revision: int
    pdf: bytes
    document: MinutesDocument

    @property
    def sha256(self) -> str:
        return self.document.pdf_sha256


def current_full_pdf(minutes: Minutes) -> RenderedPdf | None:
    """The full protokoll's PDF made from the current revision (the justerat, sealed one once there is one); None
    while the current revision has not been rendered."""
    document = current_document(minutes, DocumentKind.full)
    if document is None:
        return None
    return RenderedPdf(revision=document.revision, pdf=read_pdf(document), document=document)
