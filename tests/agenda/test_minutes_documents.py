"""The rendered protokoll's rows: which document is the current revision's, and reading its PDF back checked."""

from __future__ import annotations

import hashlib

import pytest

from agenda.minutes import operations as minutes_ops
from agenda.minutes.documents import (
    DocumentFileMissing,
    DocumentKind,
    MinutesDocument,
    current_document,
    current_full_pdf,
    latest_adjusted_public,
    revision_documents,
)
from app.extensions import db
from app.storage import get_storage


def _document(minutes, kind, *, revision, paragraph=None, adjusted=False, pdf=b"%PDF-1.7 draft") -> MinutesDocument:
    storage = get_storage()
    docx, stored = storage.save(b"PK docx " + pdf), storage.save(pdf)
    document = MinutesDocument(
        minutes_id=minutes.id,
        revision=revision,
        kind=kind,
        paragraph_number=paragraph,
        is_adjusted=adjusted,
        input_hash=hashlib.sha256(repr((kind, paragraph, adjusted, pdf)).encode()).hexdigest(),
        title=f"{kind.label} {paragraph or ''}",
        docx_key=docx.key,
        docx_sha256=docx.sha256,
        docx_size=docx.size,
        docx_name="protokoll.docx",
        pdf_key=stored.key,
        pdf_sha256=stored.sha256,
        pdf_size=stored.size,
        pdf_name="protokoll.pdf",
    )
    db.session.add(document)
    db.session.flush()
    return document


@pytest.fixture
def minutes(meeting, secretary):
    found = minutes_ops.start_minutes(meeting, user=secretary)
    db.session.commit()
    return found


def test_the_current_revisions_documents_are_found_the_justerat_first(minutes):
    assert current_full_pdf(minutes) is None
    revision = minutes.current_revision
    _document(minutes, DocumentKind.full, revision=revision - 1, pdf=b"%PDF older revision")
    draft = _document(minutes, DocumentKind.full, revision=revision)
    extract = _document(minutes, DocumentKind.extract, revision=revision, paragraph=3)
    public = _document(minutes, DocumentKind.public, revision=revision, pdf=b"%PDF public draft")
    assert [d.label for d in revision_documents(minutes)] == ["Protokoll", "Offentlig version", "Protokollsutdrag § 3"]
    assert current_document(minutes) is draft
    assert current_document(minutes, DocumentKind.extract, 3) is extract
    assert current_document(minutes, DocumentKind.extract, 4) is None
    found = current_full_pdf(minutes)
    assert found is not None and (found.revision, found.pdf, found.sha256) == (
        revision,
        b"%PDF-1.7 draft",
        hashlib.sha256(b"%PDF-1.7 draft").hexdigest(),
    )
    assert latest_adjusted_public(minutes) is None  # a draft's public version is never the public's
    sealed = _document(minutes, DocumentKind.full, revision=revision, adjusted=True, pdf=b"%PDF sealed")
    sealed_public = _document(minutes, DocumentKind.public, revision=revision, adjusted=True, pdf=b"%PDF sealed pub")
    assert current_document(minutes) is sealed and current_document(minutes, DocumentKind.public) is sealed_public
    assert public is not sealed_public and latest_adjusted_public(minutes) is sealed_public


def test_a_pdf_whose_bytes_changed_is_not_read(minutes, app):
    document = _document(minutes, DocumentKind.full, revision=minutes.current_revision)
    get_storage().local_path(document.pdf_key).write_bytes(b"%PDF changed")
    with pytest.raises(DocumentFileMissing):
        current_full_pdf(minutes)
