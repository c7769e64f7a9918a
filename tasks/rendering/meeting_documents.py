"""The "Skapa handlingar" task: a publication's kallelse (DOCX, PDF) and meeting package, members' and public.

The task gets a job id only; the job names the publication. It reads the plan
(tasks.rendering.meeting_plan), has the Renderer make the documents (tasks.rendering.meeting_renderer)
and records them on the job (``params["outputs"]``, ``params["parts"]``) as they are made, so the job's
progress counts documents: the two kallelser, each distinct report, each bilaga, the two packages. A
bilaga that cannot go in (not the PDF it claims to be, password protected, missing) fails the job with a
Swedish message naming it, once everything else is made and kept (the kallelser can be sent all the
same). A converter that died twice in a row and a database that did not answer are retried with
back-off; the task is acknowledged late, so a worker killed mid-job leaves the message to be done again
(files are written atomically, a half-made part is never stored). The pages and the API start and
follow the jobs through tasks.rendering.meeting_jobs.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from agenda.models import Publication
from app.auth.models import User
from app.extensions import db, separate_transaction
from app.storage import StoredFile
from tasks import jobs
from tasks.models import Job
from tasks.rendering.conversion_errors import ConversionFailed, ConverterUnavailable
from tasks.rendering.document_templates import template_for
from tasks.rendering.intake import BadAttachment
from tasks.rendering.meeting_jobs import may_render
from tasks.rendering.meeting_plan import plan_documents
from tasks.rendering.meeting_renderer import Renderer
from tasks.rendering.parts import StoredParts
from tasks.rendering.pdf import PDF_MIMETYPE
from tasks.rendering.word import using_template

log = logging.getLogger(__name__)

#: the Celery task's name (tasks.jobs.TASK_NAMES): never to change, messages in a queue carry it
TASK_NAME = "tasks.rendering.render_meeting_documents"
MAX_RETRIES = 3


def _save_params(job_id: int, params: dict[str, Any]) -> None:
    with separate_transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(params=params))


def _fail_keeping(job_id: int, params: dict[str, Any], message: str) -> None:
    """Fail the job with ``message``, keeping the files made so far on it."""
    db.session.rollback()
    with separate_transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(params=params))
    jobs.fail(job_id, message)


@shared_task(bind=True, name=TASK_NAME, max_retries=MAX_RETRIES, acks_late=True, reject_on_worker_lost=True)
def render_meeting_documents(self: Task[[int], None], job_id: int) -> None:
    """Render a publication's kallelse and meeting package, members' and public."""
    job = jobs.start(job_id)
    if job is None:
        return
    params = dict(job.params or {})
    try:
        publication = db.session.get(Publication, job.publication_id) if job.publication_id else None
        user = db.session.get(User, job.created_by_id)
        if publication is None or user is None or not may_render(user, publication.meeting):
            jobs.fail(job_id, "Du har inte längre behörighet att skapa handlingarna till sammanträdet.")
            return
        # on the template of the meeting's committee (its own, its municipality's, else the project's)
        with using_template(template_for(publication.meeting.committee)):
            _render(job, job_id, params, publication)
    except (OperationalError, ConversionFailed) as exc:
        # The database went away or LibreOffice died twice in a row: try again later, with back-off.
        jobs.retry_later(
            self, job_id, exc, "Databasen svarade inte" if isinstance(exc, OperationalError) else str(exc).rstrip(".")
        )
    except Exception as exc:  # noqa: BLE001 - every other failure on the job, for the user to see
        jobs.fail_or_retry(
            self, job_id, exc, "Handlingarna kunde inte skapas på grund av ett internt fel. Försök igen."
        )


def _render(job: Job, job_id: int, params: dict[str, Any], publication: Publication) -> None:
    """Plan and make the documents, record them on the job and finish it."""
    plan = plan_documents(publication)
    parts = StoredParts()
    params.update(outputs={}, parts={})
    jobs.report_progress(job, 0, plan.total())

    def progress(done: int, total: int) -> None:
        params["parts"] = dict(parts.used)
        params["outputs"] = renderer.outputs
        _save_params(job_id, params)
        jobs.report_progress(job, done, total)

    renderer = Renderer(plan, parts, progress=progress)
    try:
        renderer.run()
    except BadAttachment as exc:
        log.warning("meeting documents %s: %s", job_id, exc)
        params.update(parts=dict(parts.used), outputs=renderer.outputs)
        _fail_keeping(job_id, params, str(exc))
        return
    except ConverterUnavailable as exc:
        params.update(parts=dict(parts.used), outputs=renderer.outputs)
        _fail_keeping(job_id, params, f"{exc} Kallelsen som Word-fil går att hämta.")
        return
    params.update(parts=dict(parts.used), outputs=renderer.outputs)
    _save_params(job_id, params)
    package = renderer.outputs["members"]["motespaket.pdf"]
    jobs.finish(
        job,
        StoredFile(key=package["key"], sha256=package["sha256"], size=package["size"]),
        package["name"],
        PDF_MIMETYPE,
    )
