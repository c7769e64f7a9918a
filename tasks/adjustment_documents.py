"""The PDF the chair and the justerare review: the protokoll's current revision (or, for an omedelbar justering,
the paragraphs justerade at once), so every approver sees and approves the same bytes.

The whole protokoll is the current revision's rendered document (agenda.minutes.documents) when the rendering
job has made it. Otherwise, and for the paragraphs of an omedelbar justering, it is rendered by the protokoll's
builder and stored once under the hash of what it is made from (``tasks.rendering.parts``): a PDF already
rendered for the same input is taken as it is, else it is made here through the warm LibreOffice of this
process. ``stored_review_pdf`` never renders: an approval is of a PDF someone has been shown.
"""

from __future__ import annotations

from flask import Response

from agenda.minutes.adjustment import ReviewedDocument
from agenda.minutes.documents import DocumentFileMissing, current_full_pdf
from agenda.minutes.models import Minutes
from app.storage import get_storage, send_stored_file
from tasks.protocol_data import protocol_data
from tasks.rendering.parts import StoredParts
from tasks.rendering.pdf import PDF_MIMETYPE, docx_to_pdf
from tasks.rendering.protocol_docx import build_protocol_docx, protocol_filename, protocol_input_hash
from tasks.rendering.protocol_json import ProtocolJSON


def _data(minutes: Minutes, paragraphs: tuple[int, ...]) -> ProtocolJSON:
    data = protocol_data(minutes)
    if paragraphs:
        data["paragraphs"] = [p for p in data["paragraphs"] if p["number"] in paragraphs]
    return data


def _key(data: ProtocolJSON) -> str:
    return f"{protocol_input_hash(data, public=False)}.pdf"


def convert(docx: bytes) -> bytes:
    """DOCX → tagged PDF (a seam the tests replace where LibreOffice is not the subject)."""
    return docx_to_pdf(docx)


def review_filename(minutes: Minutes, paragraphs: tuple[int, ...]) -> str:
    name = protocol_filename(_data(minutes, paragraphs), "pdf")
    return name.replace(".pdf", f"-{'-'.join(str(n) for n in paragraphs)}.pdf") if paragraphs else name


def _rendered_full(minutes: Minutes, paragraphs: tuple[int, ...]) -> ReviewedDocument | None:
    """The rendering job's PDF of the whole protokoll's current revision, if it has made one."""
    if paragraphs:
        return None
    try:
        rendered = current_full_pdf(minutes)
    except DocumentFileMissing:
        return None
    if rendered is None or rendered.revision != minutes.current_revision:
        return None
    return ReviewedDocument(revision=rendered.revision, pdf=rendered.pdf)


def stored_review_pdf(minutes: Minutes, paragraphs: tuple[int, ...]) -> ReviewedDocument | None:
    """The current revision's PDF for a round if it has been rendered, else None."""
    if (rendered := _rendered_full(minutes, paragraphs)) is not None:
        return rendered
    pdf = StoredParts().get(_key(_data(minutes, paragraphs)))
    return ReviewedDocument(revision=minutes.current_revision, pdf=pdf) if pdf is not None else None


def review_pdf(minutes: Minutes, paragraphs: tuple[int, ...]) -> ReviewedDocument:
    """The current revision's PDF for a round, rendered and stored now if it was not yet.

    Raises ``ConversionFailed`` or ``ConverterUnavailable`` (Swedish messages) when LibreOffice cannot make it."""
    if (rendered := _rendered_full(minutes, paragraphs)) is not None:
        return rendered
    data = _data(minutes, paragraphs)
    key = _key(data)
    parts = StoredParts()
    pdf = parts.get(key)
    if pdf is None:
        pdf = convert(build_protocol_docx(data))
        parts.put(key, pdf)
    return ReviewedDocument(revision=minutes.current_revision, pdf=pdf)


def send_review_pdf(minutes: Minutes, paragraphs: tuple[int, ...]) -> Response:
    """Send the round's PDF (rendered now if need be) inline, as the approvers read it."""
    document = review_pdf(minutes, paragraphs)
    stored = get_storage().save(document.pdf)  # stored already: this only names it
    return send_stored_file(
        stored.key, sha256=stored.sha256, filename=review_filename(minutes, paragraphs), mimetype=PDF_MIMETYPE
    )
