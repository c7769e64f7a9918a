"""Jobs in the API: ask for a diarium extract, follow a job, download its file."""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from app.api import bp
from app.api.errors import json_error
from app.api.schemas import CASE_FILTER_PARAMS, read_json
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, can
from app.registry.queries import CaseFilter
from tasks import jobs
from tasks.access import load_job, send_job_result
from tasks.models import Job
from tasks.registry import export_registry, start_registry_export

#: the case list's filters; the committee is the one in the URL
EXPORT_FILTER_PARAMS = {k: v for k, v in CASE_FILTER_PARAMS.items() if k != "committee_id"}


def job_json(job) -> dict:
    body = job.to_dict()
    body["download_url"] = url_for("api.job_result", job_id=job.id) if job.result_key else None
    return body


@bp.route("/jobs/<int:job_id>")
def job_detail(job_id: int):
    return jsonify(job=job_json(load_job(current_user, job_id)))


@bp.route("/jobs/<int:job_id>/result")
def job_result(job_id: int):
    return send_job_result(load_job(current_user, job_id))


@bp.route("/committees/<int:committee_id>/registry-exports", methods=["POST"])
def create_registry_export(committee_id: int):
    committee = db.session.get(Committee, committee_id)
    if committee is None or not can(current_user, Action.view_committee, committee):
        return json_error(404, "Nämnden finns inte.")
    values = read_json(EXPORT_FILTER_PARAMS)
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
