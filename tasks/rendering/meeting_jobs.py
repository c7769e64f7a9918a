"""The "Skapa handlingar" jobs of a publication: who may start one, and the queries pages and API ask of them."""

from __future__ import annotations

from sqlalchemy import select

from agenda.models import Meeting, Publication
from app.auth.models import User
from app.extensions import db
from app.permissions import Action, can
from tasks import jobs
from tasks.models import Job, JobState
from tasks.rendering.meeting_plan import VARIANTS
from tasks.rendering.meeting_renderer import FILES

MEETING_DOCUMENTS = "meeting_documents"


def may_render(user: User, meeting: Meeting) -> bool:
    return can(user, Action.manage_meetings, meeting) or can(user, Action.publish_notice, meeting)


def create_render_job(publication: Publication, user: User) -> Job:
    """Add the queued job for a publication (the caller commits, then enqueues)."""
    meeting = publication.meeting
    params = {"meeting_id": meeting.id, "publication_id": publication.id, "version": publication.version}
    return jobs.create_job(MEETING_DOCUMENTS, user=user, committee_id=meeting.committee_id, params=params)


def rendered_job(publication: Publication) -> Job | None:
    """The latest finished job that rendered this publication's files (None when there is none)."""
    rows = db.session.scalars(
        select(Job).where(Job.kind == MEETING_DOCUMENTS, Job.state == JobState.done)
        .order_by(Job.id.desc()).limit(200))
    for job in rows:
        if (job.params or {}).get("publication_id") == publication.id:
            return job
    return None


def pending_job(publication: Publication) -> Job | None:
    """A queued or running job for this publication, if any."""
    rows = db.session.scalars(
        select(Job).where(Job.kind == MEETING_DOCUMENTS, Job.state.in_([JobState.queued, JobState.running]))
        .order_by(Job.id.desc()).limit(50))
    return next((j for j in rows if (j.params or {}).get("publication_id") == publication.id), None)


def job_outputs(job: Job) -> dict:
    """The job's files so far: variant → name → output."""
    outputs = (job.params or {}).get("outputs") or {}
    return {variant: {name: outputs[variant][name] for name in FILES if name in (outputs.get(variant) or {})}
            for variant in VARIANTS}
