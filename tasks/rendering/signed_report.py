"""The signed tjänsteutlåtande as a stored PDF: the handling its signature registered gets the file.

Signing registers the report in its case's diarium (workflows.registration) and, in the same transaction, adds
the job here (``start_signed_pdf``, the hook the factory gives ``workflows.registration.init_app``); once that
transaction commits the job is sent to the worker through the task outbox (a broker that is down loses nothing).
The worker renders the signed revision as it was signed: its text, and the bilagor as the signature froze them
(kept in the job's params), never what the report says later. It is the whole document (confidential bilagor
by title, as the members read it), stored by its sha256; the registered document's ``storage_key`` and
``sha256`` are then set to it, once. Until then the handling links to the report page. A render that fails
fails its job with the reason, and is retried like any other job (the job page, the watchdog).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Any, cast

from celery import Task, shared_task
from flask import has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, SessionTransaction

from app import audit
from app.auth.models import User
from app.extensions import db
from app.registry.models import RegisteredDocument
from app.storage import StoredFile
from tasks import jobs
from tasks.models import Job, JobState, StoredEntryJSON
from tasks.rendering.conversion_errors import ConversionFailed, ConverterUnavailable
from tasks.rendering.document_templates import template_for
from tasks.rendering.parts import StoredParts
from tasks.rendering.pdf import PDF_MIMETYPE, docx_to_pdf
from tasks.rendering.report_data import report_document
from tasks.rendering.report_docx import AttachmentLine, ReportDocument, build_report_docx, report_filename
from tasks.rendering.word import using_template
from workflows.models import CaseReport

log = logging.getLogger(__name__)

SIGNED_REPORT_PDF = "signed_report_pdf"
MAX_RETRIES = 3
#: where a session keeps the ids of the jobs its transaction's signatures started
PENDING = "signed_report_pdf.pending"
MISSING = "Tjänsteutlåtandet eller handlingen som registrerades när det undertecknades finns inte längre."
INTERNAL = "Ett internt fel hindrade PDF-filen av det undertecknade tjänsteutlåtandet. Försök igen."


def start_signed_pdf(report: CaseReport, document: RegisteredDocument, user: User) -> Job | None:
    """A signature registered ``document`` (workflows.registration, in the signing's transaction): add the job that
    renders the signed revision into it, and have it sent once the transaction commits. None when the document has
    its file, or a job for it is queued or running."""
    if document.storage_key is not None or pending_job(document) is not None:
        return None
    assert report.signed_revision is not None
    attachments = [
        {"position": a.position, "title": a.title, "is_confidential": a.is_confidential}
        for a in sorted(report.current_attachments, key=lambda a: a.position)
    ]
    job = jobs.create_job(
        SIGNED_REPORT_PDF,
        user=user,
        committee_id=report.case.committee_id,
        params={
            "case_id": report.case_id,
            "document_id": document.id,
            "revision": report.signed_revision,
            "signed_hash": report.signed_hash,
            "attachments": attachments,
        },
        total=2,
        report_id=report.id,
    )
    db.session.info.setdefault(PENDING, []).append(job.id)
    return job


def _enqueue_after_commit(session: Session) -> None:
    """After a commit: send the jobs its signatures started (a rolled-back signature started none)."""
    if session.in_nested_transaction():
        return
    job_ids = session.info.pop(PENDING, None)
    if not job_ids or not has_app_context():
        return
    for job_id in job_ids:
        jobs.enqueue(render_signed_report, job_id)


def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)


event.listen(db.session, "after_commit", _enqueue_after_commit)
event.listen(db.session, "after_transaction_end", _forget_uncommitted)


def _jobs_of(documents: Iterable[RegisteredDocument]) -> dict[int, list[Job]]:
    """The jobs of each document (by its id), oldest first: found by their reports, matched by their params."""
    wanted = {d.id: d.source_id for d in documents if d.source_kind == "report"}
    found: dict[int, list[Job]] = {}
    if not wanted:
        return found
    rows = db.session.scalars(
        select(Job).where(Job.kind == SIGNED_REPORT_PDF, Job.report_id.in_(set(wanted.values()))).order_by(Job.id)
    )
    for job in rows:
        document_id = (job.params or {}).get("document_id")
        if document_id in wanted:
            found.setdefault(document_id, []).append(job)
    return found


def latest_jobs(documents: Iterable[RegisteredDocument]) -> dict[int, Job]:
    """The newest job of each of ``documents`` that a signature registered (by document id)."""
    return {document_id: found[-1] for document_id, found in _jobs_of(documents).items()}


def pending_job(document: RegisteredDocument) -> Job | None:
    """The document's job that is queued or running, if any."""
    job = latest_jobs([document]).get(document.id)
    return job if job is not None and job.state in (JobState.queued, JobState.running) else None


def job_of_file(document: RegisteredDocument) -> Job | None:
    """The job that made the document's stored file (its params say what the PDF shows)."""
    for job in reversed(_jobs_of([document]).get(document.id, [])):
        if job.state is JobState.done and job.result_key == document.storage_key:
            return job
    return None


def names_confidential(job: Job | None) -> bool:
    """Whether the PDF the job made names a confidential bilaga by its title (an unknown job: assume it does)."""
    if job is None:
        return True
    return any(a.get("is_confidential") for a in (job.params or {}).get("attachments", []))


def signed_document(report: CaseReport, params: dict[str, Any]) -> ReportDocument:
    """The report as it was signed: the job's revision, with the bilagor the signature froze (the whole document,
    confidential bilagor by title)."""
    document = report_document(report, params["revision"], public=False)
    frozen = [
        AttachmentLine(int(a["position"]), str(a["title"]), bool(a.get("is_confidential")))
        for a in params.get("attachments", [])
    ]
    return dataclasses.replace(document, attachments=frozen)


def signed_filename(signed: ReportDocument, revision: int) -> str:
    """A download name such as "tjansteutlatande-SN-2016-3342.181-undertecknat-version-2.pdf"."""
    return report_filename(signed, "pdf").removesuffix(".pdf") + f"-undertecknat-version-{revision}.pdf"


def _render_pdf(document: ReportDocument) -> StoredEntryJSON:
    """The stored PDF of ``document`` (its Word file first): made once per input, reused by any render after."""
    input_hash = document.input_hash()
    parts = StoredParts()  # a preview or meeting package of the same input made them already: reused
    entry = parts.entry(f"{input_hash}.pdf")
    if entry is None:
        docx_data = parts.get(f"{input_hash}.docx")
        if docx_data is None:
            docx_data = build_report_docx(document)
            parts.put(f"{input_hash}.docx", docx_data)
        entry = parts.put(f"{input_hash}.pdf", docx_to_pdf(docx_data))
    return entry


def _keep(document: RegisteredDocument, stored: StoredFile, job: Job) -> None:
    """Make the stored PDF the registered document's file (once: a document with a file keeps it); committed."""
    # The reading so far ends first: the job's bookkeeping wrote meanwhile on connections of its own, and SQLite
    # cannot turn a read begun before their writes into a write.
    db.session.commit()
    result = db.session.execute(
        update(RegisteredDocument)
        .where(RegisteredDocument.id == document.id, RegisteredDocument.storage_key.is_(None))
        .values(storage_key=stored.key, sha256=stored.sha256)
    )
    changed = cast("CursorResult[Any]", result).rowcount
    if changed:
        case = document.case
        audit.record(
            "document.file_stored",
            document,
            f"Handling {document.number} i {case.number} fick sin PDF-fil: tjänsteutlåtandet som det undertecknades "
            f"(version {job.params['revision']}).",
            user=None,
            committee_id=case.committee_id,
            case_id=case.id,
            after={"storage_key": stored.key, "sha256": stored.sha256},
        )
    db.session.commit()


@shared_task(bind=True, name="tasks.rendering.render_signed_report", max_retries=MAX_RETRIES)
def render_signed_report(self: Task[[int], None], job_id: int) -> None:
    """Render the signed revision of the job's report as PDF and make it the registered document's file."""
    job = jobs.start(job_id)
    if job is None:
        return
    try:
        params = dict(job.params or {})
        report = db.session.get(CaseReport, job.report_id) if job.report_id else None
        document = db.session.get(RegisteredDocument, params.get("document_id") or 0)
        if report is None or document is None:
            jobs.fail(job_id, MISSING)
            return
        with using_template(template_for(report.case.committee)):
            signed = signed_document(report, params)
            name = signed_filename(signed, params["revision"])
            jobs.report_progress(job, 0, 2)
            if document.storage_key is None:
                try:
                    entry = _render_pdf(signed)
                except (ConverterUnavailable, ConversionFailed) as exc:
                    log.warning("signed report %s: %s", job_id, exc)
                    jobs.fail(job_id, str(exc))
                    return
                stored = StoredFile(key=entry["key"], sha256=entry["sha256"], size=entry["size"])
                _keep(document, stored, job)
                db.session.refresh(document)
            jobs.finish(job, _stored_of(document), name, PDF_MIMETYPE)
    except Exception as exc:  # noqa: BLE001 - every other failure on the job, for the user to see
        jobs.fail_or_retry(self, job_id, exc, INTERNAL)


def _stored_of(document: RegisteredDocument) -> StoredFile:
    assert document.storage_key is not None and document.sha256 is not None
    return StoredFile(key=document.storage_key, sha256=document.sha256, size=0)
