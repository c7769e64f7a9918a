"""Jobs for the pages and the API alike: load a job for the user who asked for it, and send its files.

A job is seen only by whoever may see it (``Action.view_job``: who asked for it); anyone else gets
404, as for a job that does not exist. A job of another kind, meeting or case than the address names
is not found either.
"""

from __future__ import annotations

from flask import abort

from agenda.minutes.documents import MinutesDocument
from agenda.minutes.models import Minutes
from agenda.models import Meeting
from app.auth.models import User
from app.extensions import db
from app.permissions import Action, require
from app.registry.models import Case
from app.storage import StorageError, get_storage, send_stored_file
from tasks.models import Job
from tasks.protocol_jobs import PROTOCOL_DOCUMENTS, may_render
from tasks.rendering.draft_kallelse import DRAFT_KALLELSE, SUPERSEDED, current_draft, may_read_draft
from tasks.rendering.meeting_jobs import MEETING_DOCUMENTS
from tasks.rendering.pdf import PDF_MIMETYPE
from tasks.rendering.report_docx import DOCX_MIMETYPE
from tasks.rendering.tasks import REPORT_PREVIEW


def load_job(user: User, job_id: int) -> Job:
    """The job, if ``user`` may see it; else 404."""
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    require(user, Action.view_job, job)
    return job


def meeting_documents_job(user: User, meeting: Meeting, job_id: int) -> Job:
    """The meeting's "Skapa handlingar" job, if ``user`` asked for it; else 404."""
    job = load_job(user, job_id)
    if job.kind != MEETING_DOCUMENTS or (job.params or {}).get("meeting_id") != meeting.id:
        abort(404)
    return job


def protocol_documents_job(user: User, minutes: Minutes, job_id: int) -> Job:
    """The protokoll's "Skapa protokoll" job, if ``user`` asked for it, or a render its justering started (asked
    for by nobody) and ``user`` is the one who renders the protokoll (its secretary); else 404."""
    started = db.session.get(Job, job_id)
    if (
        started is not None
        and started.kind == PROTOCOL_DOCUMENTS
        and started.minutes_id == minutes.id
        and (started.params or {}).get("adjustment_id")
        and may_render(user, minutes)
    ):
        return started
    job = load_job(user, job_id)
    if job.kind != PROTOCOL_DOCUMENTS or job.minutes_id != minutes.id:
        abort(404)
    return job


def draft_job(user: User, meeting: Meeting, job_id: int) -> Job:
    """The meeting's draft kallelse job, for the committee's secretaries and the chair it was given to; else 404."""
    job = db.session.get(Job, job_id)
    if (
        job is None
        or job.kind != DRAFT_KALLELSE
        or (job.params or {}).get("meeting_id") != meeting.id
        or not may_read_draft(user, meeting)
    ):
        abort(404)
    return job


def current_draft_job(user: User, meeting: Meeting, job_id: int) -> Job:
    """As ``draft_job``, and the meeting's latest finished draft: 410 for one a newer draft superseded."""
    job = draft_job(user, meeting, job_id)
    current = current_draft(meeting)
    if current is not None and current.id != job.id and job.id < current.id:
        abort(410, SUPERSEDED)
    return job


def report_preview_job(user: User, case: Case, job_id: int) -> Job:
    """The case's preview job, if ``user`` asked for it; else 404."""
    job = load_job(user, job_id)
    if job.kind != REPORT_PREVIEW or (job.params or {}).get("case_id") != case.id:
        abort(404)
    return job


def send_job_result(job: Job):
    """Send a finished job's file; 404 while it has none."""
    if job.result_key is None:
        abort(404)
    try:
        sha256 = get_storage().sha256_of(job.result_key)
    except StorageError:
        abort(404)
    return send_stored_file(
        job.result_key,
        sha256=sha256,
        filename=job.result_name or "fil",
        mimetype=job.result_mimetype or "application/octet-stream",
    )


def send_job_output(output: dict | None, mimetype: str | None):
    """Send one of the files a job has made (a job's ``params["outputs"]`` entry); 404 when not made."""
    if output is None or mimetype is None:
        abort(404)
    return send_stored_file(output["key"], sha256=output["sha256"], filename=output["name"], mimetype=mimetype)


#: a rendered protokoll document's files: format → mimetype
DOCUMENT_FORMATS = {"pdf": PDF_MIMETYPE, "docx": DOCX_MIMETYPE}


def send_minutes_document(document: MinutesDocument, fmt: str):
    """Send a rendered protokoll document's PDF or Word file (the caller has loaded it for the reader); 404 for
    another format."""
    if fmt == "pdf":
        key, sha256, name = document.pdf_key, document.pdf_sha256, document.pdf_name
    elif fmt == "docx":
        key, sha256, name = document.docx_key, document.docx_sha256, document.docx_name
    else:
        abort(404)
    return send_stored_file(key, sha256=sha256, filename=name, mimetype=DOCUMENT_FORMATS[fmt])
