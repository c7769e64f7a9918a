"""Job rows: create them in a request, move them through their states in a task.

A request adds the row and commits; only then is the task enqueued with the row's id
(``enqueue``). The task reads with ``db.session`` and moves the row queued → running →
done | failed through short transactions of their own (``separate_transaction``), committed at once
so pages polling the job see its progress while the task's reading goes on.

No job stays stuck:

* ``start`` claims the job for this worker process ("host:pid" in ``Job.worker``) in one UPDATE that only
  succeeds while no live worker holds it, so a message delivered twice (a redelivery, the watchdog's, the task
  outbox's) runs the job once. While it runs, a thread marks it alive every JOB_HEARTBEAT_SECONDS.
* A worker killed mid-job: its message comes back (late acknowledgement: at once when only the pool child
  died, after BROKER_VISIBILITY_TIMEOUT on Redis when the whole worker did) and the next start sees the
  holder dead (its process gone on this machine, or its heartbeat stale) and takes the job over.
* ``watch`` (Celery beat) sends again a job queued past JOB_QUEUED_BOUND or running with a stale heartbeat, and
  fails it with the reason once it was lost LOST_LIMIT times; the user can retry a stuck job like a failed one.
* The bookkeeping survives a dead database connection: each write is tried again on a fresh connection.
* A broker that is down does not fail a job: the task is kept in the task outbox (tasks.outbox) and sent later.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from celery import shared_task
from celery.signals import task_postrun
from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import DBAPIError

from app import audit
from app.auth.models import User
from app.clock import utcnow
from app.database_faults import is_connection_error
from app.extensions import db, separate_transaction
from app.storage import StoredFile
from app.validation import ConflictError
from tasks import job_log, outbox
from tasks.models import Job, JobState, heartbeat_seconds, is_stuck, queued_bound, stale_after

log = logging.getLogger(__name__)

#: a job whose worker was lost this many times is failed, not sent again: it may be what kills the worker
LOST_LIMIT = 3
#: tries of a bookkeeping write whose database connection died (0.5, 1, 2, 4 s apart)
DB_TRIES = 5
LOST = (
    "Jobbet avbröts {n} gånger utan att bli klart: arbetsprocessen som körde det stannade (startades om eller "
    "stängdes av). Det görs inte om automatiskt; försök igen, och kontakta systemförvaltningen om det upprepas."
)
NEVER_STARTED = (
    "Jobbet startade aldrig: ingen arbetsprocess tog emot det trots {n} försök att skicka det. Kontrollera att "
    "bakgrundstjänsten körs och försök igen."
)


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _holder_gone(holder: str | None) -> bool:
    """Whether the worker process named ``holder`` ("host:pid") is known to have ended (on this machine)."""
    if not holder:
        return True
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's: only its heartbeat tells
    if int(pid) == os.getpid():
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().split(b") ", 1)[1][:1] == b"Z"
    except (OSError, IndexError):
        return True


def _retrying(what: str, fn):
    """Run ``fn`` (a database write of its own); if the connection died, run it again on a fresh one."""
    for attempt in range(DB_TRIES):
        try:
            return fn()
        except DBAPIError as exc:
            if attempt == DB_TRIES - 1 or not (exc.connection_invalidated or _is_disconnect(exc)):
                raise
            log.warning("%s: the database connection died (%s); trying again", what, exc.__class__.__name__)
            _rollback_quietly()
            time.sleep(0.5 * 2**attempt)
    return None  # pragma: no cover - the loop returns or raises


def _is_disconnect(exc: DBAPIError) -> bool:
    from sqlalchemy.exc import OperationalError

    return isinstance(exc, OperationalError)


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a dead connection may fail its rollback too; the pool replaces it
        log.debug("rollback on a dead connection failed", exc_info=True)
        db.session.close()


def _set(job_id: int, *conditions, **values) -> int:
    """Change the job in a short transaction of its own (retried on a fresh connection); return the rows changed."""

    def write() -> int:
        with separate_transaction() as session:
            return session.execute(update(Job).where(Job.id == job_id, *conditions).values(**values)).rowcount

    return _retrying(f"job {job_id}", write)


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
    "draft_kallelse": "tasks.rendering.render_draft_kallelse",
    "signed_report_pdf": "tasks.rendering.render_signed_report",
}


def task_for(job: Job):
    """The task that does ``job`` (for a retry from the generic job pages)."""
    return current_app.extensions["celery"].tasks[TASK_NAMES[job.kind]]


def enqueue(task, job_id: int) -> None:
    """Send the task for a committed job; if the broker cannot take it now, it is kept in the task outbox and
    sent when the broker answers again (the job stays queued meanwhile)."""
    outbox.send(task, job_id)


def retry(job: Job, *, user: User) -> None:
    """Put a failed or stuck job back in the queue (the caller commits, then enqueues)."""
    if not (job.state is JobState.failed or is_stuck(job)):
        raise ConflictError("Bara ett misslyckat jobb, eller ett som har fastnat, kan köras om.")
    was_stuck = job.state is not JobState.failed
    job.state = JobState.queued
    job.error = None
    job.finished_dt = None
    job.worker = None
    job.heartbeat_dt = utcnow()
    job.requeues = 0
    if was_stuck:
        job.attempts = 0  # the user asks afresh: the lost runs so far are not held against it
    audit.record(
        f"job.{job.kind}.retried",
        job,
        f"{user.name} körde om jobb {job.id}" + (" (det hade fastnat)." if was_stuck else "."),
        user=user,
        committee_id=job.committee_id,
    )


def _claim(job_id: int) -> Job | None:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    if job is None:
        log.warning("job %s does not exist", job_id)
        return None
    if job.state in (JobState.done, JobState.failed):
        log.info("job %s is already %s; not run again", job_id, job.state.value)
        return None
    seen = (job.state, job.attempts, job.worker)
    if job.state is JobState.running:
        if not (_holder_gone(job.worker) or is_stuck(job)):
            log.info("job %s runs in %s; this delivery is left alone", job_id, job.worker)
            return None
        if job.attempts >= LOST_LIMIT:
            log.error("job %s lost its worker %s times; failed", job_id, job.attempts)
            fail(job_id, LOST.format(n=job.attempts))
            return None
        log.warning("job %s: its worker %s is gone; taken over by %s", job_id, job.worker, this_worker())
    now = utcnow()
    claimed = _set(
        job_id,
        Job.state == seen[0],
        Job.attempts == seen[1],
        Job.worker.is_(None) if seen[2] is None else Job.worker == seen[2],
        state=JobState.running,
        worker=this_worker(),
        heartbeat_dt=now,
        attempts=Job.attempts + 1,
        error=None,
        started_dt=now,
        progress_done=0,
    )
    if not claimed:
        log.info("job %s was claimed by another delivery", job_id)
        return None
    db.session.expire(job)
    return job


def start(job_id: int) -> Job | None:
    """Claim the job for this worker process, mark it running and return it; None when it is unknown, finished
    or held by a live worker. Tried again on a fresh connection if the database connection died."""
    job = _retrying(f"start job {job_id}", lambda: _claim(job_id))
    if job is not None:
        _Heartbeat.begin(job_id)
    else:
        job_log.note_outcome(job_id, "skipped")
    return job


def report_progress(job: Job, done: int, total: int) -> None:
    _set(job.id, progress_done=done, progress_total=total, heartbeat_dt=utcnow())


def finish(job: Job, stored: StoredFile, name: str, mimetype: str) -> None:
    _Heartbeat.end()
    job_log.note_outcome(job.id, "done")
    _set(
        job.id,
        state=JobState.done,
        result_key=stored.key,
        result_name=name,
        result_mimetype=mimetype,
        progress_done=Job.progress_total,
        finished_dt=utcnow(),
        error=None,
        worker=None,
    )


def fail(job_id: int, message: str, *, final: bool = True) -> None:
    """Record why the job failed (in Swedish); a non-final failure puts it back in the queue."""
    _Heartbeat.end()
    job_log.note_outcome(job_id, "failed" if final else "retry")
    _rollback_quietly()
    _set(
        job_id,
        state=JobState.failed if final else JobState.queued,
        error=message,
        finished_dt=utcnow() if final else None,
        worker=None,
        heartbeat_dt=utcnow(),
    )


class _Heartbeat:
    """A thread that marks this process's running job alive every JOB_HEARTBEAT_SECONDS until it ends."""

    _current: _Heartbeat | None = None

    def __init__(self, app, job_id: int, interval: float):
        self.app, self.job_id, self.interval = app, job_id, interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    @classmethod
    def begin(cls, job_id: int) -> None:
        cls.end()
        beat = cls(current_app._get_current_object(), job_id, heartbeat_seconds())
        cls._current = beat
        beat.thread.start()

    @classmethod
    def end(cls) -> None:
        beat, cls._current = cls._current, None
        if beat is not None:
            beat.stopped.set()

    def _run(self) -> None:
        me = this_worker()
        while not self.stopped.wait(self.interval):
            try:
                with self.app.app_context():
                    alive = _set(self.job_id, Job.state == JobState.running, Job.worker == me, heartbeat_dt=utcnow())
            except Exception:  # noqa: BLE001 - a missed beat; the next one tries again
                log.warning("job %s: heartbeat failed", self.job_id, exc_info=True)
                continue
            if not alive:
                return  # finished, failed or taken over: nothing more to say


@task_postrun.connect
def _end_heartbeat(**_kwargs) -> None:
    """Whatever way the task ended (returned, raised, retried), its job's heartbeat stops with it."""
    _Heartbeat.end()


def _unchanged(job):
    """The conditions that the job is still as the watchdog saw it (no worker moved it meanwhile)."""
    beat = Job.heartbeat_dt.is_(None) if job.heartbeat_dt is None else Job.heartbeat_dt == job.heartbeat_dt
    return Job.state == job.state, Job.attempts == job.attempts, beat


def _requeue(job) -> None:
    """Send a job with no worker again (as queued), or fail it once it was lost LOST_LIMIT times. ``job`` is the
    row as the watchdog read it (id, kind, state, attempts, requeues, worker, heartbeat_dt)."""
    if job.state is JobState.running and job.attempts >= LOST_LIMIT:
        reason = LOST.format(n=job.attempts)
    elif job.state is JobState.queued and job.requeues >= LOST_LIMIT:
        reason = NEVER_STARTED.format(n=job.requeues + 1)
    else:
        reason = None
    if reason:
        if _set(job.id, *_unchanged(job), state=JobState.failed, error=reason, finished_dt=utcnow(), worker=None):
            log.error("watchdog: job %s failed: %s", job.id, reason)
        return
    if _set(
        job.id, *_unchanged(job), state=JobState.queued, worker=None, heartbeat_dt=utcnow(), requeues=Job.requeues + 1
    ):
        log.warning(
            "watchdog: job %s (%s, worker %s) had no live worker; sent again", job.id, job.state.value, job.worker
        )
        outbox.send(current_app.extensions["celery"].tasks[TASK_NAMES[job.kind]], job.id)


@shared_task(name="tasks.jobs.watch", ignore_result=True)
def watch() -> int:
    """Find the jobs queued past JOB_QUEUED_BOUND or running with a stale heartbeat; send them again or fail
    them (Celery beat, every WATCH_SECONDS). Return how many were found."""
    db.session.rollback()
    now = utcnow()
    touched = func.coalesce(Job.heartbeat_dt, Job.started_dt, Job.created_dt)
    stuck = db.session.execute(
        select(Job.id, Job.kind, Job.state, Job.attempts, Job.requeues, Job.worker, Job.heartbeat_dt)
        .where(
            or_(
                and_(Job.state == JobState.running, touched < now - stale_after()),
                and_(Job.state == JobState.queued, touched < now - queued_bound()),
            )
        )
        .order_by(Job.id)
    ).all()
    db.session.rollback()
    for job in stuck:
        if job.kind in TASK_NAMES:
            _requeue(job)
    return len(stuck)


def retry_later(task, job_id: int, exc: Exception, reason: str = "Databasen svarade inte") -> None:
    """A transient failure (``reason``, in Swedish): the job waits in the queue and the task is retried
    with back-off (2, 4, 8 … s); after the task's max_retries the job fails for good."""
    log.warning("%s %s: transient failure: %s", task.name, job_id, exc)
    _Heartbeat.end()
    retries = task.request.retries or 0
    if retries >= task.max_retries:
        fail(job_id, f"{reason}; försök igen senare.")
        return
    fail(job_id, f"{reason}; nytt försök görs.", final=False)
    raise task.retry(exc=exc, countdown=2 ** (retries + 1))


def fail_or_retry(task, job_id: int, exc: Exception, message: str) -> None:
    """The end of a task's catch-all: a lost database connection in any form (``is_connection_error``: refused,
    terminated, invalidated, a rollback pending after it) is the transient failure it is, retried later; anything
    else fails the job with ``message`` (Swedish) and is logged with its traceback."""
    if is_connection_error(exc):
        retry_later(task, job_id, exc)
        return
    log.exception("%s %s failed", task.name, job_id)
    fail(job_id, message)
