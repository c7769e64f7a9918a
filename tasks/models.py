"""A job row per background request, so a page can show its progress and its error."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any, TypedDict

from flask import current_app
from sqlalchemy import JSON, Enum, ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model
from config import JOB_HEARTBEAT_SECONDS, JOB_QUEUED_BOUND


class StoredEntryJSON(TypedDict):
    """A stored file as a job's params record it (``RenderedPart.entry``)."""

    key: str
    sha256: str
    size: int


class OutputJSON(StoredEntryJSON):
    """A file a job offers: its stored file and the name it is downloaded under."""

    name: str


class JobState(str, enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"

    @property
    def label(self) -> str:
        return {"queued": "I kö", "running": "Pågår", "done": "Klart", "failed": "Misslyckades"}[self.value]


#: the heartbeats a live worker may miss before its job is judged to have none
MISSED_BEATS = 4


def _setting(name: str, default: int) -> int:
    try:
        return int(current_app.config.get(name) or default)
    except RuntimeError:  # outside an app
        return default


def heartbeat_seconds() -> int:
    return _setting("JOB_HEARTBEAT_SECONDS", JOB_HEARTBEAT_SECONDS)


def stale_after() -> timedelta:
    """A running job whose heartbeat is older than this has no live worker."""
    return timedelta(seconds=MISSED_BEATS * heartbeat_seconds())


def queued_bound() -> timedelta:
    return timedelta(seconds=_setting("JOB_QUEUED_BOUND", JOB_QUEUED_BOUND))


def is_stuck(job: Job) -> bool:
    """Queued past the bound, or running with no word from its worker for longer than a live one would."""
    now = utcnow()
    touched = job.heartbeat_dt or job.started_dt or job.created_dt
    if touched is None:
        return False
    if job.state is JobState.running:
        return touched < now - stale_after()
    if job.state is JobState.queued:
        return touched < now - queued_bound()
    return False


class Job(Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what is done, e.g. "registry_export"
    kind: Mapped[str] = mapped_column(String(40), index=True)
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=10), default=JobState.queued, index=True
    )
    #: documents (or rows) done of the total, for the progress bar
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    #: the reason shown to the user when the job failed (Swedish)
    error: Mapped[str | None] = mapped_column(Text)
    #: how many times a worker has started this job
    attempts: Mapped[int] = mapped_column(default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: what the job renders: the report of a preview, the publication of a meeting's documents, the protokoll
    report_id: Mapped[int | None] = mapped_column(ForeignKey("case_reports.id"), index=True)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"), index=True)
    minutes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id"), index=True)
    #: storage key of the output file and the name it is downloaded under
    result_key: Mapped[str | None] = mapped_column(String(200))
    result_name: Mapped[str | None] = mapped_column(String(200))
    result_mimetype: Mapped[str | None] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the worker process running it ("host:pid"), while it runs
    worker: Mapped[str | None] = mapped_column(String(200))
    #: running: when its worker last said it still runs it (every JOB_HEARTBEAT_SECONDS); queued: when it was
    #: (last) sent to the broker. The watchdog (tasks.jobs.watch) judges stuck jobs by it.
    heartbeat_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: how many times the watchdog sent it again because no worker held it
    #: (a server default: the migrations' tests write rows of older schemas through this table)
    requeues: Mapped[int] = mapped_column(server_default=text("0"))

    created_by: Mapped[User | None] = relationship()

    @property
    def percent(self) -> int:
        if self.state is JobState.done:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.done, JobState.failed)

    @property
    def stuck(self) -> bool:
        """Queued or running, but no worker has said a word of it for longer than a live one would (the
        bounds in tasks.jobs): the user may run it again, as a failed one."""
        return is_stuck(self)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state.value,
            "state_label": self.state.label,
            "progress_done": self.progress_done,
            "progress_total": self.progress_total,
            "percent": self.percent,
            "error": self.error,
            "has_result": self.result_key is not None,
            "stuck": self.stuck,
            "created_at": self.created_dt.isoformat(),
            "finished_at": self.finished_dt.isoformat() if self.finished_dt else None,
        }

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state.value}>"


class RenderedPart(Model):
    """A rendered file kept for reuse, under the hash of everything it is made from (tasks.rendering.parts).

    E.g. a report revision's PDF ("<input hash>.pdf"), a kallelse's Word file, a meeting package
    ("paket/<hash>"): a render that needs the same input takes the file instead of making it again.
    """

    __tablename__ = "rendered_parts"

    #: the input hash, with what the file is ("….pdf", "….docx", "paket/…")
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def entry(self) -> StoredEntryJSON:
        """The stored file as jobs record it: {"key", "sha256", "size"}."""
        return {"key": self.storage_key, "sha256": self.sha256, "size": self.size}


class KeptTask(Model):
    """A task the broker could not take when it was sent (Redis down): sent again by tasks.outbox.sweep."""

    __tablename__ = "task_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the Celery task's name, e.g. "tasks.notifications.send_message"
    task_name: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: how many times the sweep tried to send it, and the broker's last refusal
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<KeptTask {self.id} {self.task_name}{tuple(self.args)}>"
