"""Bilagor of a case report: upload, link, replace, move, remove, mark confidential, read.

Like the other report operations they check that the user is an editor and that the report
can change, validate, bring a returned, approved or signed report back to draft (a signed
one loses its signature: the signature covers the bilagor), change, audit and flush; the
caller commits. Files are stored once per content (sha256), and nothing is stored (no row,
no file) when a check fails. What is stored is the copy workflows.sniffing.accept returns: an Office
document's link to its template (Word's attached template, ODF's meta:template) taken out, the
sha256 that of the stored bytes. Replaced and removed bilagor stay as rows that are not current.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.auth.models import User
from app.extensions import db
from app.registry.models import RegisteredDocument
from app.storage import StorageError, get_storage
from app.validation import ConflictError, ValidationError, clean_text
from workflows.models import CaseReport, ReportAttachment, StoredFileRecord
from workflows.operations import _begin_change, _lock
from workflows.sniffing import EXTENSION_FOR, accept, clean_filename, sniff
from workflows.states import EDITABLE, editor_only

__all__ = [
    "attachment_content",
    "attachment_filename",
    "clean_filename",
    "link_registered_document",
    "move_attachment",
    "remove_attachment",
    "replace_attachment",
    "set_attachment_confidential",
    "upload_attachment",
]

DEFAULT_MAX_BYTES = 100 * 1024 * 1024  # (config.MAX_ATTACHMENT_MB)
MB = 1024 * 1024
#: the types an upload is known by from its first bytes and stored as it is: PDF, PNG, JPEG (sniffing._content_type)
STREAMED_MAGIC = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
STREAMED_HEAD = 4096


def upload_attachment(
    report: CaseReport,
    *,
    user: User,
    data: bytes | BinaryIO,
    filename: str,
    title: str | None = None,
    is_confidential: bool = False,
) -> ReportAttachment:
    """Add an uploaded file as the report's next bilaga."""
    _may_change(report, user)
    name, content_type, data = _check_upload(data, filename)
    title = _clean_title(title, default=posixpath.splitext(name)[0] or name)
    confidential = _flag(is_confidential)
    _begin_change(report, user)
    attachment = ReportAttachment(
        report=report,
        position=_next_position(report),
        title=title,
        filename=name,
        file=_store(data, content_type, user),
        is_confidential=confidential,
        added_by=user,
    )
    db.session.add(attachment)
    db.session.flush()
    _audit("report.attachment_added", attachment, user, f"{_name(attachment)}{_file_note(attachment)} bifogad")
    return attachment


def link_registered_document(
    report: CaseReport, *, user: User, document: RegisteredDocument, title: str | None = None
) -> ReportAttachment:
    """Add a registered document of the report's own case as the next bilaga."""
    _may_change(report, user)
    if document.case_id != report.case_id:
        raise ValidationError(
            {"document": f"Bara handlingar i ärendets eget diarium ({report.case.number}) kan bifogas."}
        )
    linked = next((a for a in _current(report) if a.registered_document_id == document.id), None)
    if linked is not None:
        raise ValidationError({"document": f"Handlingen är redan bifogad som Bilaga {linked.position}."})
    title = _clean_title(title, default=document.description[:300])
    _begin_change(report, user)
    attachment = ReportAttachment(
        report=report,
        position=_next_position(report),
        title=title,
        registered_document=document,
        is_confidential=document.is_confidential,
        added_by=user,
    )
    db.session.add(attachment)
    db.session.flush()
    _audit(
        "report.attachment_linked",
        attachment,
        user,
        f"{_name(attachment)} länkad till diariets handling {document.number}",
    )
    return attachment


def replace_attachment(
    attachment: ReportAttachment, *, user: User, data: bytes | BinaryIO, filename: str
) -> ReportAttachment:
    """Put a new file in the bilaga's place; the old row and its file are kept as history."""
    report = attachment.report
    _may_change(report, user)
    _require_current(attachment)
    name, content_type, data = _check_upload(data, filename)
    _begin_change(report, user)
    new = ReportAttachment(
        report=report,
        position=attachment.position,
        title=attachment.title,
        filename=name,
        file=_store(data, content_type, user),
        is_confidential=attachment.is_confidential,
        replaces_id=attachment.id,
        added_by=user,
    )
    attachment.is_current = False
    db.session.add(new)
    db.session.flush()
    replaced_by = "en ny fil" if is_secret(new) else name
    _audit(
        "report.attachment_replaced",
        new,
        user,
        f"{_name(new)} ersatt med {replaced_by}",
        before={"attachment_id": attachment.id},
    )
    return new


def move_attachment(attachment: ReportAttachment, *, user: User, position: int) -> None:
    """Move the bilaga to ``position`` (1-based) and number the report's bilagor 1..n again."""
    report = attachment.report
    _may_change(report, user)
    _require_current(attachment)
    rows = _current(report)
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= len(rows):
        raise ValidationError({"position": f"Ange en plats mellan 1 och {len(rows)}."})
    order = [a for a in rows if a is not attachment]
    order.insert(position - 1, attachment)
    if [a.position for a in order] == list(range(1, len(order) + 1)):
        return
    before = attachment.position
    _begin_change(report, user)
    _renumber(order)
    _audit(
        "report.attachment_moved",
        attachment,
        user,
        f"Bilaga {before} flyttad till plats {position}",
        before={"position": before},
    )


def remove_attachment(attachment: ReportAttachment, *, user: User) -> None:
    """Take the bilaga out of the report (kept in the history) and number the rest 1..n."""
    report = attachment.report
    _may_change(report, user)
    _require_current(attachment)
    _begin_change(report, user)
    name = _name(attachment)
    attachment.is_current = False
    _renumber(_current(report))
    _audit("report.attachment_removed", attachment, user, f"{name} borttagen")


def set_attachment_confidential(attachment: ReportAttachment, *, user: User, is_confidential: bool) -> None:
    """Mark the bilaga confidential (never published) or not."""
    report = attachment.report
    _may_change(report, user)
    _require_current(attachment)
    flag = _flag(is_confidential)
    document = attachment.registered_document
    if not flag and document is not None and document.is_confidential:
        raise ValidationError(
            {"is_confidential": "Handlingen är sekretessmarkerad i diariet; bilagan måste vara det också."}
        )
    if attachment.is_confidential == flag:
        return
    _begin_change(report, user)
    attachment.is_confidential = flag
    _audit(
        "report.attachment_confidential",
        attachment,
        user,
        f"Bilaga {attachment.position} {'sekretessmarkerad' if flag else 'inte längre sekretessmarkerad'}",
        before={"is_confidential": not flag},
    )


def attachment_content(attachment: ReportAttachment) -> tuple[bytes, str, str]:
    """Return an uploaded bilaga's bytes, content type and download file name."""
    record = attachment.file
    if record is None:
        raise ValidationError({"file": "Bilagan är en handling i diariet utan uppladdad fil och kan inte hämtas här."})
    data = get_storage().read(record.storage_key)
    if hashlib.sha256(data).hexdigest() != record.sha256:
        raise StorageError(f"stored file {record.storage_key} does not match its sha256")
    return data, record.content_type, attachment_filename(attachment)


def attachment_filename(attachment: ReportAttachment) -> str:
    """The name an uploaded bilaga is downloaded under: its file's, else its title with the extension of its type."""
    if attachment.filename:
        return attachment.filename
    content_type = attachment.file.content_type if attachment.file is not None else ""
    return f"{attachment.title}{EXTENSION_FOR.get(content_type, '')}"


def _may_change(report: CaseReport, user: User) -> None:
    """Lock the report, refuse unless it can change and ``user`` edits it, and reread its bilagor."""
    _lock(report)
    if report.state not in EDITABLE:
        raise ConflictError(f"Utlåtandets status är ”{report.state.label}”; bilagorna kan inte ändras nu.")
    editor_only(report, user, {})
    db.session.scalars(
        select(ReportAttachment)
        .where(ReportAttachment.report_id == report.id)
        .execution_options(populate_existing=True)
    ).all()
    db.session.expire(report, ["attachments"])


def _require_current(attachment: ReportAttachment) -> None:
    if not attachment.is_current:
        raise ConflictError("Bilagan har redan ersatts eller tagits bort. Ladda om sidan.")


def _current(report: CaseReport) -> list[ReportAttachment]:
    return sorted(report.current_attachments, key=lambda a: (a.position, a.id or 0))


def _next_position(report: CaseReport) -> int:
    return max((a.position for a in _current(report)), default=0) + 1


def _renumber(rows: list[ReportAttachment]) -> None:
    for number, row in enumerate(rows, start=1):
        row.position = number
    db.session.flush()


def _check_upload(data: bytes | BinaryIO, filename: str) -> tuple[str, str, bytes | BinaryIO]:
    """Return the clean file name, the sniffed type and what to store (sniffing.accept), or refuse the upload.

    An upload may come as an open file (the web's and the API's: werkzeug keeps one above 500 KB on disk). A PDF
    or a picture, which is known by its first bytes and stored as it is, stays a file and is stored streaming (a
    scan of many megabytes is never whole in memory); anything else is read to be sniffed and normalised."""
    name = clean_filename(filename)
    limit = int(current_app.config.get("MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))
    if isinstance(data, (bytes, bytearray)):
        size = len(data)
    elif hasattr(data, "read") and hasattr(data, "seek"):
        size = data.seek(0, os.SEEK_END)
        data.seek(0)
    else:
        raise TypeError("data must be bytes or an open file")
    if size > limit:
        raise ValidationError({"file": f"Filen ”{name}” är för stor. En bilaga får vara högst {_megabytes(limit)}."})
    if isinstance(data, (bytes, bytearray)):
        content_type, stored = accept(bytes(data), name)
        return name, content_type, stored
    head = data.read(STREAMED_HEAD)
    data.seek(0)
    if size > len(head) and head.startswith(STREAMED_MAGIC):
        return name, sniff(head, name), data  # its type is its first bytes; stored as it is
    content_type, stored = accept(data.read(), name)
    return name, content_type, stored


def _store(data: bytes | BinaryIO, content_type: str, user: User) -> StoredFileRecord:
    """Store the file once per content and return its record."""
    storage = get_storage()
    stored = storage.save(bytes(data)) if isinstance(data, (bytes, bytearray)) else storage.save_stream(data)
    query = select(StoredFileRecord).where(StoredFileRecord.sha256 == stored.sha256)
    record = db.session.scalar(query)
    if record is None:
        record = StoredFileRecord(
            storage_key=stored.key,
            sha256=stored.sha256,
            size=stored.size,
            content_type=content_type,
            created_by_id=user.id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:  # the same file stored at the same moment by another upload
            record = db.session.scalars(query).one()
    return record


def _clean_title(title: str | None, *, default: str) -> str:
    text = clean_text(title, field="title", label="Bilagans rubrik", max_length=300, required=False)
    return text or default


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError({"is_confidential": "Ange om bilagan är sekretessmarkerad (ja eller nej)."})
    return value


def is_secret(attachment: ReportAttachment) -> bool:
    """Whether the bilaga's title and file name are secret: it, or its case, is confidential."""
    return attachment.is_confidential or attachment.report.case.is_confidential


def secret_name(position: int | None) -> str:
    """How a confidential bilaga is named where not everyone may read it: by its number only."""
    return f"Bilaga {position} (sekretessmarkerad)" if position else "En sekretessmarkerad bilaga"


def _name(attachment: ReportAttachment) -> str:
    """The bilaga as the audit log names it: neither title nor file name when it is secret."""
    if is_secret(attachment):
        return secret_name(attachment.position)
    return attachment.label


def _file_note(attachment: ReportAttachment) -> str:
    """The uploaded file's name in brackets, unless the bilaga is secret."""
    return "" if is_secret(attachment) else f" ({attachment.filename})"


def _megabytes(size: int) -> str:
    value = size / MB
    text = f"{value:.{1 if value >= 1 else 3}f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} MB"


def _audit(
    action: str, attachment: ReportAttachment, user: User, summary: str, *, before: dict[str, object] | None = None
) -> None:
    report = attachment.report
    audit.record(
        action,
        report,
        f"{summary} i tjänsteutlåtandet för {report.case.number}.",
        user=user,
        committee_id=report.case.committee_id,
        case_id=report.case_id,
        before=before,
        after={"attachment_id": attachment.id, "position": attachment.position, "is_current": attachment.is_current},
    )
