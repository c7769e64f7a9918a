"""Förhandsgranska utkast: the unpublished agenda's kallelse as Word and PDF, marked "Utkast" on every page.

The secretary asks on the meeting page (or the API); the request takes the draft snapshot (agenda.drafts: what
publishing would publish now) into the job's params, so the files show the agenda as it was when asked for, and
the task lays it out with the kallelse's own builder (``draft=True``) and converts it. Nothing is published, no
version is used, nothing is public. The latest finished draft of a meeting supersedes the earlier ones: their
files are no longer sent (``current_draft``). Who reads a draft: the committee's secretaries, and the chair once
the secretary has given it to them (agenda.chair_review).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from sqlalchemy import Select, select, update

from agenda import chair_review
from agenda.drafts import draft_snapshot
from agenda.models import Meeting
from agenda.snapshot_json import SnapshotJSON
from app.auth.models import User
from app.extensions import db, separate_transaction
from app.storage import StoredFile
from app.validation import ForbiddenError
from tasks import jobs
from tasks.models import Job, JobState, OutputJSON
from tasks.rendering.conversion_errors import ConversionFailed, ConverterUnavailable
from tasks.rendering.document_templates import template_for
from tasks.rendering.kallelse_docx import build_kallelse_docx, kallelse_filename, kallelse_input_hash
from tasks.rendering.meeting_jobs import may_render
from tasks.rendering.parts import StoredParts
from tasks.rendering.pdf import PDF_MIMETYPE, docx_to_pdf
from tasks.rendering.report_docx import DOCX_MIMETYPE
from tasks.rendering.word import using_template

log = logging.getLogger(__name__)

DRAFT_KALLELSE = "draft_kallelse"
#: the Celery task's name (tasks.jobs.TASK_NAMES)
TASK_NAME = "tasks.rendering.render_draft_kallelse"
MAX_RETRIES = 3
#: the draft's files: name (in URLs) → (label, mimetype)
DRAFT_FILES = {
    "kallelse.pdf": ("utkastet som PDF", PDF_MIMETYPE),
    "kallelse.docx": ("utkastet som Word-fil", DOCX_MIMETYPE),
}
SUPERSEDED = "Utkastet har ersatts av ett nyare. Öppna det senaste från sammanträdets sida."


def may_read_draft(user: User | None, meeting: Meeting) -> bool:
    """The committee's secretaries, and the chair the draft has been given to."""
    return user is not None and (may_render(user, meeting) or chair_review.is_reviewing_chair(user, meeting))


def start_draft_kallelse(user: User, meeting: Meeting) -> Job:
    """Add the queued job that renders the meeting's draft kallelse (the caller commits, then enqueues
    ``render_draft_kallelse``)."""
    if not may_render(user, meeting):
        raise ForbiddenError("Bara den som förbereder sammanträdet kan förhandsgranska kallelsen.")
    snapshot = draft_snapshot(meeting, user=user)
    params = {"meeting_id": meeting.id, "agenda_version": meeting.agenda_version, "snapshot": snapshot}
    return jobs.create_job(DRAFT_KALLELSE, user=user, committee_id=meeting.committee_id, params=params, total=2)


def _drafts(meeting: Meeting) -> Select[Job]:
    return select(Job).where(Job.kind == DRAFT_KALLELSE, Job.committee_id == meeting.committee_id)


def current_draft(meeting: Meeting) -> Job | None:
    """The meeting's latest finished draft (the one every page offers; earlier ones are superseded)."""
    candidates = db.session.scalars(_drafts(meeting).where(Job.state == JobState.done).order_by(Job.id.desc()))
    return next((job for job in candidates if (job.params or {}).get("meeting_id") == meeting.id), None)


def pending_draft(meeting: Meeting) -> Job | None:
    """A queued or running draft of the meeting, if any."""
    candidates = db.session.scalars(
        _drafts(meeting).where(Job.state.in_([JobState.queued, JobState.running])).order_by(Job.id.desc())
    )
    return next((job for job in candidates if (job.params or {}).get("meeting_id") == meeting.id), None)


def draft_outputs(job: Job | None) -> dict[str, OutputJSON]:
    """The draft's files made so far: name → output."""
    outputs = ((job.params or {}).get("outputs") if job else None) or {}
    return {name: outputs[name] for name in DRAFT_FILES if name in outputs}


def _save_params(job_id: int, params: dict[str, Any]) -> None:
    with separate_transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(params=params))


@shared_task(bind=True, name=TASK_NAME, max_retries=MAX_RETRIES, acks_late=True, reject_on_worker_lost=True)
def render_draft_kallelse(self: Task[[int], None], job_id: int) -> None:
    """Lay out the job's draft snapshot as Word and PDF, marked as a draft."""
    job = jobs.start(job_id)
    if job is None:
        return
    params = dict(job.params or {})
    try:
        meeting = db.session.get(Meeting, params.get("meeting_id"))
        user = db.session.get(User, job.created_by_id)
        if meeting is None or user is None or not may_render(user, meeting):
            jobs.fail(job_id, "Du har inte längre behörighet att förhandsgranska kallelsen.")
            return
        with using_template(template_for(meeting.committee)):
            _render(job, job_id, params, params["snapshot"])
    except ConversionFailed as exc:
        jobs.retry_later(self, job_id, exc, "LibreOffice avbröts")
    except Exception as exc:  # noqa: BLE001 - every other failure on the job, for the user to see
        jobs.fail_or_retry(self, job_id, exc, "Utkastet kunde inte skapas på grund av ett internt fel. Försök igen.")


def _render(job: Job, job_id: int, params: dict[str, Any], snapshot: SnapshotJSON) -> None:
    key = kallelse_input_hash(snapshot, public=False, draft=True)
    names = {
        name: kallelse_filename(snapshot, name.rsplit(".", 1)[1], public=False, draft=True) for name in DRAFT_FILES
    }
    parts = StoredParts()
    outputs: dict[str, OutputJSON] = {}
    params["outputs"] = outputs
    jobs.report_progress(job, 0, 2)
    docx = parts.get(f"{key}.docx")
    if docx is None:
        docx = build_kallelse_docx(snapshot, draft=True)
        parts.put(f"{key}.docx", docx)
    outputs["kallelse.docx"] = {**parts.used[f"{key}.docx"], "name": names["kallelse.docx"]}
    _save_params(job_id, params)
    jobs.report_progress(job, 1, 2)
    if parts.entry(f"{key}.pdf") is None:
        try:
            parts.put(f"{key}.pdf", docx_to_pdf(docx))
        except ConverterUnavailable as exc:
            db.session.rollback()
            jobs.fail(job_id, f"{exc} Utkastet som Word-fil går att hämta.")
            return
    outputs["kallelse.pdf"] = {**parts.used[f"{key}.pdf"], "name": names["kallelse.pdf"]}
    _save_params(job_id, params)
    pdf = outputs["kallelse.pdf"]
    jobs.finish(job, StoredFile(key=pdf["key"], sha256=pdf["sha256"], size=pdf["size"]), pdf["name"], PDF_MIMETYPE)
