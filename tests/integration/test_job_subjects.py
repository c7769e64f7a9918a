"""A job names what it renders by a column (jobs.report_id, jobs.publication_id), set when it is started from a
page or the API, and the queries that find a publication's files go by that column, however many jobs came after."""

from __future__ import annotations

from sqlalchemy import select, update

from agenda.models import Meeting, Publication
from app.extensions import db
from app.registry.models import Case
from tasks.models import Job, JobState
from tasks.rendering.meeting_jobs import MEETING_DOCUMENTS, pending_job, rendered_job
from tasks.rendering.tasks import REPORT_PREVIEW
from tests.factories import csrf_token
from workflows.models import CaseReport


def _published_meeting() -> Meeting:
    return db.session.scalar(select(Meeting).join(Meeting.publications).order_by(Meeting.id))


def test_a_documents_job_names_its_publication_and_is_found_by_it(login_as):
    meeting_id = _published_meeting().id
    secretary = login_as("sekreterare")
    token = csrf_token(secretary, f"/sammantraden/{meeting_id}")
    assert secretary.post(f"/sammantraden/{meeting_id}/handlingar", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    publication = db.session.get(Meeting, meeting_id).latest_publication
    job = db.session.scalar(select(Job).where(Job.kind == MEETING_DOCUMENTS).order_by(Job.id.desc()))
    assert (job.publication_id, job.report_id) == (publication.id, None)
    assert job.params == {"meeting_id": meeting_id, "version": publication.version}
    assert pending_job(publication) == job and rendered_job(publication) is None

    # Done, and then more than the 200 jobs the pages used to look through, one of them naming the publication
    # in its params only (as no job started now does).
    db.session.execute(update(Job).where(Job.id == job.id).values(state=JobState.done))
    db.session.add_all([Job(kind=MEETING_DOCUMENTS, state=JobState.done, params={"outputs": {}}) for _ in range(250)])
    db.session.add(Job(kind=MEETING_DOCUMENTS, state=JobState.done, params={"publication_id": publication.id}))
    db.session.commit()
    assert rendered_job(publication) == job and pending_job(publication) is None
    other = db.session.scalar(select(Publication).where(Publication.id != publication.id).limit(1))
    if other is not None:
        assert rendered_job(other) is None


def test_a_preview_job_names_its_report(api_as):
    api, headers = api_as("handlaggare")
    case_id = db.session.scalar(select(Case.id).where(Case.number == "SN-2017/104.183"))
    report_id = db.session.scalar(select(CaseReport.id).where(CaseReport.case_id == case_id))
    created = api.post(f"/api/v1/cases/{case_id}/report/preview", headers=headers)
    assert created.status_code == 202
    db.session.expire_all()
    job = db.session.get(Job, created.get_json()["job"]["id"])
    assert (job.kind, job.report_id, job.publication_id) == (REPORT_PREVIEW, report_id, None)
    assert "report_id" not in job.params and job.params["case_id"] == case_id
