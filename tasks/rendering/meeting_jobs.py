"""The "Skapa handlingar" jobs of a publication: who may start one, and the queries pages and API ask of them."""

from __future__ import annotations

from sqlalchemy import select

from agenda.models import Meeting, Publication
from app.auth.models import User
from app.extensions import db
from app.permissions import Action, can
from app.validation import ConflictError, ForbiddenError
from tasks import jobs
from tasks.models import Job, JobState, OutputJSON
from tasks.rendering.meeting_plan import VARIANTS
from tasks.rendering.meeting_renderer import FILES

MEETING_DOCUMENTS = "meeting_documents"


def may_render(user: User, meeting: Meeting) -> bool:
    return can(user, Action.manage_meetings, meeting) or can(user, Action.publish_notice, meeting)


def start_meeting_documents(user: User, meeting: Meeting, publication: Publication | None = None) -> Job:
    """Add the queued job that renders a publication of the meeting, by default its latest (the caller commits,
    then enqueues ``render_meeting_documents``)."""
    if not may_render(user, meeting):
        raise ForbiddenError("Bara den som förbereder sammanträdet kan skapa handlingarna.")
    publication = publication or meeting.latest_publication
    if publication is None:
        raise ConflictError("Kallelsen är inte publicerad; publicera den innan handlingarna skapas.")
    if publication.meeting_id != meeting.id:
        raise ValueError(f"publication {publication.id} is not one of meeting {meeting.id}'s")
    params = {"meeting_id": meeting.id, "version": publication.version}
    return jobs.create_job(
        MEETING_DOCUMENTS, user=user, committee_id=meeting.committee_id, params=params, publication_id=publication.id
    )


def rendered_job(publication: Publication) -> Job | None:
    """The latest finished job that rendered this publication's files (None when there is none)."""
    return db.session.scalar(
        select(Job)
        .where(Job.publication_id == publication.id, Job.kind == MEETING_DOCUMENTS, Job.state == JobState.done)
        .order_by(Job.id.desc())
        .limit(1)
    )


def pending_job(publication: Publication) -> Job | None:
    """A queued or running job for this publication, if any."""
    return db.session.scalar(
        select(Job)
        .where(
            Job.publication_id == publication.id,
            Job.kind == MEETING_DOCUMENTS,
            Job.state.in_([JobState.queued, JobState.running]),
        )
        .order_by(Job.id.desc())
        .limit(1)
    )


def job_outputs(job: Job) -> dict[str, dict[str, OutputJSON]]:
    """The job's files so far: variant → name → output."""
    outputs = (job.params or {}).get("outputs") or {}
    return {
        variant: {name: outputs[variant][name] for name in FILES if name in (outputs.get(variant) or {})}
        for variant in VARIANTS
    }
