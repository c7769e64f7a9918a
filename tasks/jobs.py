"""Job rows: create them in a request, move them through their states in a task.

A request adds the row and commits; only then is the task enqueued with the row's id
(``enqueue``). The task reads with ``db.session`` and moves the row queued → running →
done | failed through short transactions of their own (``separate_transaction``), committed at once
so pages polling the job see its progress while the task's reading goes on.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import update

from app import audit
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db, separate_transaction
from app.storage import StoredFile
from app.validation import ConflictError
from tasks.models import Job, JobState

log = logging.getLogger(__name__)


def _set(job_id: int, **values) -> None:
    with separate_transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(**values))


def create_job(
    kind: str,
    *,
    user: User,
    committee_id: int | None,
    params: dict,
    total: int = 0,
    report_id: int | None = None,
    publication_id: int | None = None,
    minutes_id: int | None = None,
) -> Job:
    """Add a queued job row (the caller commits, then enqueues the task with its id); ``report_id``,
    ``publication_id`` or ``minutes_id`` names what it renders."""
    job = Job(
        kind=kind,
        state=JobState.queued,
        params=params,
        committee_id=committee_id,
        created_by_id=user.id,
        progress_total=total,
        report_id=report_id,
        publication_id=publication_id,
        minutes_id=minutes_id,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        f"job.{kind}.requested",
        job,
        f"{user.name} begärde jobb {job.id} ({kind}).",
        user=user,
        committee_id=committee_id,
    )
    return job


#: the Celery task that does each kind of job (by name, so this module imports no task module)
TASK_NAMES = {
    "registry_export": "tasks.registry.export_registry",
    "report_preview": "tasks.rendering.render_report_preview",
    "meeting_documents": "tasks.rendering.render_meeting_documents",
    "protocol_documents": "tasks.protocol_documents.render_protocol_documents",
}


def task_for(job: Job):
    """The task that does ``job`` (for a retry from the generic job pages)."""
    return current_app.extensions["celery"].tasks[TASK_NAMES[job.kind]]


def enqueue(task, job_id: int) -> None:
    """Send the task for a committed job; if the broker cannot take it, the job says so."""
    try:
        task.delay(job_id)
    except Exception:  # noqa: BLE001 - any broker failure is shown on the job
        log.exception("could not enqueue job %s", job_id)
        fail(job_id, "Jobbet kunde inte läggas i kö: bakgrundstjänsten svarar inte. Försök igen om en stund.")


def retry(job: Job, *, user: User) -> None:
    """Put a failed job back in the queue (the caller commits, then enqueues)."""
    if job.state is not JobState.failed:
        raise ConflictError("Bara ett misslyckat jobb kan köras om.")
    job.state = JobState.queued
    job.error = None
    job.finished_dt = None
    audit.record(
        f"job.{job.kind}.retried", job, f"{user.name} körde om jobb {job.id}.", user=user, committee_id=job.committee_id
    )


def start(job_id: int) -> Job | None:
    """Mark the job running and return it; None when it is unknown or already done."""
    db.session.rollback()
    job = db.session.get(Job, job_id)
    if job is None:
        log.warning("job %s does not exist", job_id)
        return None
    if job.state is JobState.done:
        log.info("job %s is already done; not run again", job_id)
        return None
    _set(job_id, state=JobState.running, attempts=Job.attempts + 1, error=None, started_dt=utcnow(), progress_done=0)
    db.session.expire(job)
    return job


def report_progress(job: Job, done: int, total: int) -> None:
    _set(job.id, progress_done=done, progress_total=total)


def finish(job: Job, stored: StoredFile, name: str, mimetype: str) -> None:
    _set(
        job.id,
        state=JobState.done,
        result_key=stored.key,
        result_name=name,
        result_mimetype=mimetype,
        progress_done=Job.progress_total,
        finished_dt=utcnow(),
        error=None,
    )


def fail(job_id: int, message: str, *, final: bool = True) -> None:
    """Record why the job failed (in Swedish); a non-final failure puts it back in the queue."""
    db.session.rollback()
    _set(
        job_id,
        state=JobState.failed if final else JobState.queued,
        error=message,
        finished_dt=utcnow() if final else None,
    )


def retry_later(task, job_id: int, exc: Exception, reason: str = "Databasen svarade inte") -> None:
    """A transient failure (``reason``, in Swedish): the job waits in the queue and the task is retried
    with back-off (2, 4, 8 … s); after the task's max_retries the job fails for good."""
    log.warning("%s %s: transient failure: %s", task.name, job_id, exc)
    retries = task.request.retries or 0
    if retries >= task.max_retries:
        fail(job_id, f"{reason}; försök igen senare.")
        return
    fail(job_id, f"{reason}; nytt försök görs.", final=False)
    raise task.retry(exc=exc, countdown=2 ** (retries + 1))
