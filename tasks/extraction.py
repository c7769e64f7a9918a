"""The search's worker: read the text of a bilaga's stored file in a limited child process, keep it, and index it.

A new bilaga's file is handed here after the commit that added it (``app.search.indexing``); its entry in the
index gets the text in the transaction that keeps it. A file is read once, however many bilagor use it.
"""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app
from sqlalchemy import select

from app.extensions import db, sqlite_writing
from app.search.models import ExtractedText, ExtractionStatus
from app.storage import StorageError, get_storage
from tasks.text_extraction import extract_limited
from workflows.models import StoredFileRecord

log = logging.getLogger(__name__)


@shared_task(name="tasks.extraction.extract_file_text", ignore_result=True)
def extract_file_text(file_id: int) -> None:
    """Read the text of stored file ``file_id`` and keep it; the index of its bilagor follows in the same commit."""
    record = db.session.get(StoredFileRecord, file_id)
    if record is None or db.session.get(ExtractedText, file_id) is not None:
        return
    storage_key, content_type = record.storage_key, record.content_type
    db.session.rollback()  # the reading transaction ends here: on SQLite its snapshot could not become a writer
    try:
        data = get_storage().read(storage_key)
    except StorageError as exc:
        log.error("stored file %s could not be read for its text: %s", file_id, exc)
        return
    result = extract_limited(
        data,
        content_type,
        seconds=current_app.config["EXTRACTION_SECONDS"],
        memory_mb=current_app.config["EXTRACTION_MEMORY_MB"],
    )
    with sqlite_writing():  # the write lock from the start (another worker may have written meanwhile)
        if db.session.get(ExtractedText, file_id) is not None:
            db.session.rollback()
            return
        db.session.add(
            ExtractedText(
                file_id=file_id, status=ExtractionStatus(result.status), text=result.text, problem=result.problem
            )
        )
        db.session.commit()
    log.info("stored file %s: text %s (%s characters)", file_id, result.status, len(result.text))


def hand_over(file_id: int) -> None:
    """Have a worker read the file's text (the index calls this after the commit that added a bilaga)."""
    extract_file_text.delay(file_id)


def missing_file_ids() -> list[int]:
    """The stored files of current bilagor whose text has not been read (for ``flask search extract``)."""
    from workflows.models import ReportAttachment

    return list(
        db.session.scalars(
            select(ReportAttachment.file_id)
            .where(ReportAttachment.is_current.is_(True), ReportAttachment.file_id.is_not(None))
            .where(~select(ExtractedText.file_id).where(ExtractedText.file_id == ReportAttachment.file_id).exists())
            .distinct()
        )
    )
