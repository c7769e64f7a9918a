"""Jobs in the API: ask for a diarium extract, follow a job, download its file."""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from app.api import bp
from app.api.case_schemas import CaseFilters
from app.api.committee_schemas import JobReply
from app.api.errors import json_error
from app.api.spec import body_values, described
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, can
from app.registry.queries import CaseFilter
from tasks import jobs
from tasks.access import load_job, send_job_result
from tasks.models import Job
from tasks.registry import export_registry, start_registry_export

JOB = {"job_id": "Jobbets id."}
#: the header of a 202 for a queued job: where to follow it
FOLLOW_JOB = {
    202: {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "Jobbets adress i API:t."}}
}


def job_json(job) -> dict:
    body = job.to_dict()
    body["download_url"] = url_for("api.job_result", job_id=job.id) if job.result_key else None
    return body


@bp.route("/jobs/<int:job_id>")
@described(
    operation_id="getJob",
    tag="Jobb",
    summary="Ett jobbs läge",
    responses={200: (JobReply, "Jobbet.")},
    description="Bara den som beställde jobbet kan följa det.",
    errors=("NotFound",),
    path_parameters=JOB,
)
def job_detail(job_id: int):
    return jsonify(job=job_json(load_job(current_user, job_id)))


@bp.route("/jobs/<int:job_id>/result")
@described(
    operation_id="getJobResult",
    tag="Jobb",
    summary="Hämta ett klart jobbs fil",
    responses={200: (("text/csv",), "Filen (diarieutdrag som CSV).")},
    description="Finns när jobbet är klart (`has_result`).",
    errors=("NotFound",),
    path_parameters=JOB,
)
def job_result(job_id: int):
    return send_job_result(load_job(current_user, job_id))


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@described(
    operation_id="retryJob",
    tag="Jobb",
    summary="Kör om ett misslyckat jobb, eller ett som har fastnat",
    responses={202: (JobReply, "Jobbet är köat igen; följ det via Location.")},
    headers=FOLLOW_JOB,
    description="Ett jobb som har misslyckats, eller som har fastnat (`stuck`: i kö eller pågående utan att någon "
    "arbetsprocess har hört av sig), läggs i kö igen. Bara den som beställde jobbet kan köra om det; 409 för ett "
    "jobb som är klart eller som pågår som det ska.",
    errors=("NotFound", "Conflict"),
    path_parameters=JOB,
)
def retry_job(job_id: int):
    job = load_job(current_user, job_id)
    jobs.retry(job, user=current_user)
    job = commit_and_enqueue(jobs.task_for(job), job.id)
    return accepted({"job": job_json(job)}, url_for("api.job_detail", job_id=job.id))


@bp.route("/committees/<int:committee_id>/registry-exports", methods=["POST"])
@described(
    operation_id="createRegistryExport",
    tag="Jobb",
    summary="Beställ ett diarieutdrag (CSV)",
    body=CaseFilters,
    responses={202: (JobReply, "Jobbet är köat; följ det via Location eller jobbets id.")},
    headers=FOLLOW_JOB,
    description="Utdraget görs i bakgrunden med samma filter som ärendelistan. Kräver rollen registrator, "
    "nämndsekreterare eller administratör i nämnden.",
    errors=("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable"),
    path_parameters={"committee_id": "Nämndens id."},
)
def create_registry_export(committee_id: int):
    committee = db.session.get(Committee, committee_id)
    if committee is None or not can(current_user, Action.view_committee, committee):
        return json_error(404, "Nämnden finns inte.")
    values = body_values()
    job_id = start_registry_export(current_user, committee, CaseFilter(**values)).id
    job = commit_and_enqueue(export_registry, job_id)
    return accepted({"job": job_json(job)}, url_for("api.job_detail", job_id=job.id))


def commit_and_enqueue(task, job_id: int) -> Job:
    """Commit the request (the job just started), then enqueue the job's task; return the job as it is then
    (failed, should the broker not take it)."""
    db.session.commit()
    jobs.enqueue(task, job_id)
    return db.session.get(Job, job_id)


def accepted(body: dict, location: str):
    """202 Accepted for a queued job: ``body`` as JSON, where to follow it in Location."""
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = location
    return response
