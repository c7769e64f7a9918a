"""The "Förhandsgranska" job: the current revision of a tjänsteutlåtande as DOCX and PDF.

The task gets a job id only. It loads the report, checks that the person who asked may still
read it, reads it into a ReportDocument, and makes the DOCX and then the PDF. Outputs are
stored through app.storage under the sha256 of everything they are made from
(``params["input_hash"]``; tasks.rendering.parts) and named on the job (``params["outputs"]``):
a job with the same input, or a meeting package with the same report, renders nothing again. When LibreOffice is unavailable the job fails with the
reason, and the Word file it made is still offered.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from sqlalchemy import update

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db, separate_transaction
from app.permissions import Action, can
from app.storage import StoredFile, get_storage
from app.validation import ForbiddenError
from tasks import jobs
from tasks.models import Job, JobState, OutputJSON, StoredEntryJSON
from tasks.rendering.conversion_errors import ConversionFailed, ConverterUnavailable
from tasks.rendering.document_templates import template_for
from tasks.rendering.parts import StoredParts
from tasks.rendering.pdf import PDF_MIMETYPE, docx_to_pdf
from tasks.rendering.report_data import report_document
from tasks.rendering.report_docx import DOCX_MIMETYPE, build_report_docx, report_filename
from tasks.rendering.word import using_template
from workflows.models import CaseReport
from workflows.states import is_editor

log = logging.getLogger(__name__)

REPORT_PREVIEW = "report_preview"
MAX_RETRIES = 3
FORMATS = {"docx": DOCX_MIMETYPE, "pdf": PDF_MIMETYPE}


def may_read_confidential(user: User, report: CaseReport) -> bool:
    """Whether ``user`` may see confidential bilagor's titles (as on the report page)."""
    return can(user, Action.view_confidential, report.case) or is_editor(report, user)


def start_report_preview(user: User, report: CaseReport) -> Job:
    """Add the queued preview job of the report's current revision (the caller commits, then enqueues
    ``render_report_preview``). Whoever may read confidential bilagor gets the members' version, anyone else the
    public one (as on the report page)."""
    if not can(user, Action.view_report, report.case):
        raise ForbiddenError("Du får inte läsa tjänsteutlåtandet.")
    case = report.case
    params = {
        "case_id": case.id,
        "revision": report.current_revision,
        "public": not may_read_confidential(user, report),
    }
    return jobs.create_job(
        REPORT_PREVIEW, user=user, committee_id=case.committee_id, params=params, total=2, report_id=report.id
    )


def preview_outputs(job: Job) -> dict[str, OutputJSON]:
    """The files the job has made so far, format → output (key, sha256, size, name)."""
    outputs = (job.params or {}).get("outputs") or {}
    return {fmt: outputs[fmt] for fmt in FORMATS if fmt in outputs}


def _save_params(job_id: int, params: dict[str, Any]) -> None:
    with separate_transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(params=params))


def _stored(output: StoredEntryJSON) -> StoredFile:
    return StoredFile(key=output["key"], sha256=output["sha256"], size=output["size"])


@shared_task(bind=True, name="tasks.rendering.render_report_preview", max_retries=MAX_RETRIES)
def render_report_preview(self: Task[[int], None], job_id: int) -> None:
    """Render the job's report revision as DOCX and PDF."""
    job = jobs.start(job_id)
    if job is None:
        return
    try:
        params = dict(job.params or {})
        report = db.session.get(CaseReport, job.report_id) if job.report_id else None
        user = db.session.get(User, job.created_by_id)
        if report is None or user is None or not can(user, Action.view_report, report.case):
            jobs.fail(job_id, "Du har inte längre behörighet att läsa tjänsteutlåtandet.")
            return
        # The members' version only while the person may still read confidential bilagor.
        public = bool(params.get("public", True)) or not may_read_confidential(user, report)
        # on the template of the case's committee (its own, its municipality's, else the project's)
        with using_template(template_for(report.case.committee)):
            document = report_document(report, params.get("revision"), public=public)
            input_hash = document.input_hash()
            parts = StoredParts()  # made before from the same input (by a preview or a meeting package): reused
            names = {fmt: report_filename(document, fmt, public=public) for fmt in FORMATS}
            outputs: dict[str, OutputJSON] = {
                fmt: {**entry, "name": names[fmt]}
                for fmt in FORMATS
                if (entry := parts.entry(f"{input_hash}.{fmt}")) is not None
            }
            params.update(input_hash=input_hash, outputs=outputs)
            jobs.report_progress(job, 0, 2)

            docx_data = None
            if "docx" not in outputs:
                docx_data = build_report_docx(document)
                outputs["docx"] = {**parts.put(f"{input_hash}.docx", docx_data), "name": names["docx"]}
                _save_params(job_id, params)
            jobs.report_progress(job, 1, 2)

            if "pdf" not in outputs:
                if docx_data is None:
                    docx_data = get_storage().read(outputs["docx"]["key"])
                try:
                    pdf = docx_to_pdf(docx_data)
                except (ConverterUnavailable, ConversionFailed) as exc:
                    log.warning("report preview %s: %s", job_id, exc)
                    _fail_with_docx(job_id, params, f"{exc} Word-filen går att hämta.")
                    return
                outputs["pdf"] = {**parts.put(f"{input_hash}.pdf", pdf), "name": names["pdf"]}
            _save_params(job_id, params)
            pdf_out = outputs["pdf"]
            jobs.finish(job, _stored(pdf_out), pdf_out["name"], PDF_MIMETYPE)
    except Exception as exc:  # noqa: BLE001 - every other failure on the job, for the user to see
        jobs.fail_or_retry(
            self, job_id, exc, "Förhandsgranskningen kunde inte skapas på grund av ett internt fel. Försök igen."
        )


def _fail_with_docx(job_id: int, params: dict[str, Any], message: str) -> None:
    """Fail the job with ``message`` but keep the Word file as its result."""
    docx = params["outputs"]["docx"]
    db.session.rollback()
    with separate_transaction() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                state=JobState.failed,
                error=message,
                params=params,
                result_key=docx["key"],
                result_name=docx["name"],
                result_mimetype=DOCX_MIMETYPE,
                progress_done=1,
                finished_dt=utcnow(),
            )
        )
