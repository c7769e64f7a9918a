"""Jobs in the API: ask for a diarium extract, follow a job, download its file."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request, url_for
from flask_login import current_user

from app.api import bp
from app.api.errors import json_error
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, can
from app.registry.models import CaseStatus
from app.registry.queries import CaseFilter
from app.validation import ValidationError
from app.web.jobs import job_download, load_job, start_registry_export

EXPORT_FIELDS = {"q", "number", "case_officer_id", "registered_from", "registered_to", "status", "classification"}


def job_json(job) -> dict:
    body = job.to_dict()
    body["download_url"] = url_for("api.job_result", job_id=job.id) if job.result_key else None
    return body


@bp.route("/jobs/<int:job_id>")
def job_detail(job_id: int):
    return jsonify(job=job_json(load_job(job_id)))


@bp.route("/jobs/<int:job_id>/result")
def job_result(job_id: int):
    return job_download(load_job(job_id))


def _export_filter(body) -> CaseFilter:
    if not isinstance(body, dict):
        raise ValidationError({"_": "Ange filtret som ett JSON-objekt."})
    unknown = set(body) - EXPORT_FIELDS
    if unknown:
        raise ValidationError({k: "Okänt fält." for k in sorted(unknown)})
    errors: dict[str, str] = {}
    values: dict = {}
    for key in ("q", "number", "classification"):
        if body.get(key) is not None and not isinstance(body[key], str):
            errors[key] = "Ange text."
        values[key] = body.get(key)
    officer = body.get("case_officer_id")
    if officer is not None and (not isinstance(officer, int) or isinstance(officer, bool)):
        errors["case_officer_id"] = "Ange ett heltal."
    for key in ("registered_from", "registered_to"):
        try:
            values[key] = date.fromisoformat(body[key]) if body.get(key) else None
        except (TypeError, ValueError):
            errors[key] = "Ange datum som ÅÅÅÅ-MM-DD."
    try:
        values["status"] = CaseStatus(body["status"]) if body.get("status") else None
    except ValueError:
        errors["status"] = "Status är open, closed eller voided."
    if errors:
        raise ValidationError(errors)
    return CaseFilter(case_officer_id=officer, **values)


@bp.route("/committees/<int:committee_id>/registry-exports", methods=["POST"])
def create_registry_export(committee_id: int):
    committee = db.session.get(Committee, committee_id)
    if committee is None or not can(current_user, Action.view_committee, committee):
        return json_error(404, "Nämnden finns inte.")
    if not request.is_json:
        return json_error(415, "Skicka filtret som application/json.")
    body = request.get_json(silent=True)
    if body is None:
        return json_error(400, "Begäran innehåller inte giltig JSON.")
    job = start_registry_export(committee, _export_filter(body))
    response = jsonify(job=job_json(job))
    response.status_code = 202
    response.headers["Location"] = url_for("api.job_detail", job_id=job.id)
    return response
