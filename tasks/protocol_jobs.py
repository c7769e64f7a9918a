"""The "Skapa protokoll" jobs of a protokoll: who may start one, the queries pages and API ask of them, and the
seal of a rendered document as the pages show it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from agenda.minutes.adjustment_models import MinutesAdjustment, open_correction
from agenda.minutes.documents import DocumentFileMissing, MinutesDocument, read_pdf
from agenda.minutes.models import Minutes
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.permissions import Action, can
from app.storage import get_storage
from app.validation import ForbiddenError
from tasks import jobs
from tasks.models import Job, JobState
from tasks.rendering.protocol_renderer import Sealing
from tasks.rendering.seal import SealCheck, SealCredentials, credentials_from_settings, seal_pdf, verify_seal

PROTOCOL_DOCUMENTS = "protocol_documents"
#: where a session keeps the ids of the render jobs its transaction's justeringar started
PENDING_RENDERS = "protocol_documents.pending"
FILE_CHANGED = "PDF-filen saknas eller har ändrats sedan den sparades."


def may_render(user: User, minutes: Minutes) -> bool:
    """Whoever records the protokoll (the committee's secretary) renders it."""
    return can(user, Action.record_minutes, minutes)


def renders_as_adjusted(minutes: Minutes) -> bool:
    """Whether a render now is of the justerat protokoll (its PDFs sealed, its public version the public's): not
    while a rättelse is open, whose revisions are drafts until approved again."""
    return minutes.is_adjusted and open_correction(minutes) is None


def start_protocol_documents(user: User, minutes: Minutes) -> Job:
    """Add the queued job that renders the protokoll's current revision (the caller commits, then enqueues
    ``render_protocol_documents``)."""
    if not may_render(user, minutes):
        raise ForbiddenError("Bara nämndsekreteraren kan skapa protokollet som dokument.")
    params = {
        "meeting_id": minutes.meeting_id,
        "revision": minutes.current_revision,
        "is_adjusted": renders_as_adjusted(minutes),
    }
    return jobs.create_job(
        PROTOCOL_DOCUMENTS,
        user=user,
        committee_id=minutes.committee_id,
        params=params,
        total=len(minutes.paragraphs) + 2,
        minutes_id=minutes.id,
    )


def start_after_adjustment(minutes: Minutes, adjustment: MinutesAdjustment, user: User) -> Job:
    """A justering was completed (agenda.minutes.adjustment's completion step, in its transaction): add the job
    that renders the justerat revision, sealed, and have it enqueued once that transaction commits. ``user`` is
    whoever completed the justering (the job is theirs; the task lets it render as the secretary's would)."""
    job = jobs.create_job(
        PROTOCOL_DOCUMENTS,
        user=user,
        committee_id=minutes.committee_id,
        params={
            "meeting_id": minutes.meeting_id,
            "revision": minutes.current_revision,
            "is_adjusted": renders_as_adjusted(minutes),
            "adjustment_id": adjustment.id,
        },
        total=len(minutes.paragraphs) + 2,
        minutes_id=minutes.id,
    )
    db.session.info.setdefault(PENDING_RENDERS, []).append(job.id)
    return job


def _enqueue_after_commit(session: Session) -> None:
    """After a commit: enqueue the renders its justeringar started (a rolled-back justering started none)."""
    if session.in_nested_transaction():
        return
    job_ids = session.info.pop(PENDING_RENDERS, None)
    if not job_ids or not has_app_context():
        return
    task = current_app.extensions["celery"].tasks[jobs.TASK_NAMES[PROTOCOL_DOCUMENTS]]
    for job_id in job_ids:
        jobs.enqueue(task, job_id)


def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING_RENDERS, None)


event.listen(db.session, "after_commit", _enqueue_after_commit)
event.listen(db.session, "after_transaction_end", _forget_uncommitted)


def latest_job(minutes: Minutes) -> Job | None:
    """The newest "Skapa protokoll" job of the protokoll, whatever its state."""
    return db.session.scalar(
        select(Job).where(Job.minutes_id == minutes.id, Job.kind == PROTOCOL_DOCUMENTS).order_by(Job.id.desc()).limit(1)
    )


def pending_job(minutes: Minutes) -> Job | None:
    """A queued or running job for this protokoll, if any."""
    return db.session.scalar(
        select(Job)
        .where(
            Job.minutes_id == minutes.id,
            Job.kind == PROTOCOL_DOCUMENTS,
            Job.state.in_([JobState.queued, JobState.running]),
        )
        .order_by(Job.id.desc())
        .limit(1)
    )


# --- the seal ------------------------------------------------------------------------------------


def seal_credentials(minutes: Minutes) -> SealCredentials:
    """The organisation's seal as configured (the embedded default's demo certificate, made once)."""
    return credentials_from_settings(
        current_app.config,
        instance_path=Path(current_app.instance_path),
        organisation=minutes.meeting.committee.municipality.name,
        now=utcnow(),
    )


def certificate_id(credentials: SealCredentials) -> str:
    """A short name of the certificate for part keys: a PDF sealed with another one is sealed again."""
    return hashlib.sha256(credentials.certificate_pem).hexdigest()[:16]


def sealing_for(minutes: Minutes) -> Sealing:
    """How the justerat protokoll's PDFs are sealed: with the organisation's certificate, at the municipality."""
    credentials = seal_credentials(minutes)
    location = minutes.meeting.committee.municipality.name
    return Sealing(lambda pdf: seal_pdf(pdf, credentials, location=location), certificate_id(credentials))


@lru_cache(maxsize=4096)
def _verified(pdf_key: str, pdf_sha256: str, certificate_pem: bytes) -> SealCheck:
    """The seal's check of a stored PDF (the same bytes and certificate always check the same: kept per process)."""
    return verify_seal(get_storage().read(pdf_key), certificate_pem)


def seal_checks(minutes: Minutes, documents: Iterable[MinutesDocument]) -> dict[int, SealCheck]:
    """Whether each justerat document's PDF carries a valid seal of the organisation, by document id (a draft's
    PDF is not sealed and not listed); a file whose bytes no longer match their sha256 is reported as changed."""
    adjusted = [d for d in documents if d.is_adjusted]
    if not adjusted:
        return {}
    certificate = seal_credentials(minutes).certificate_pem
    checks = {}
    for document in adjusted:
        try:
            read_pdf(document)  # the sha256 checked
        except DocumentFileMissing:
            checks[document.id] = SealCheck(False, False, False, False, problem=FILE_CHANGED)
            continue
        checks[document.id] = _verified(document.pdf_key, document.pdf_sha256, certificate)
    return checks


def seal_check(document: MinutesDocument) -> SealCheck | None:
    """Whether the document's PDF carries a valid seal of the organisation (None for a draft: not sealed)."""
    return seal_checks(document.minutes, [document]).get(document.id)
