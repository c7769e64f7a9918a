"""Förhandsgranska: the tjänsteutlåtande as Word and PDF, made by the worker while the page shows its progress."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from app.auth.forms import EmptyForm
from app.extensions import db
from app.registry.models import Case
from app.storage import StorageError, get_storage
from app.validation import ConflictError
from app.web.jobs import load_job
from app.web.reports import acting_user, bp, load_report
from tasks import jobs
from tasks.models import Job
from tasks.rendering.tasks import FORMATS, REPORT_PREVIEW, may_read_confidential, render_report_preview
from workflows.models import CaseReport

#: what the download links say, by format
FORMAT_LABELS = {"docx": "Word (DOCX)", "pdf": "PDF"}


def start_report_preview(case: Case, report: CaseReport) -> Job:
    """Create the preview job of the report's current revision, commit, enqueue; shared with the API.

    The caller has checked that the user may read the report. Whoever may read confidential
    bilagor gets the members' version, anyone else the public one (as on the report page).
    """
    user = acting_user()
    params = {"case_id": case.id, "report_id": report.id, "revision": report.current_revision,
              "public": not may_read_confidential(user, report)}
    job = jobs.create_job(REPORT_PREVIEW, user=user, committee_id=case.committee_id, params=params, total=2)
    job_id = job.id
    db.session.commit()
    jobs.enqueue(render_report_preview, job_id)
    return db.session.get(Job, job_id)


def preview_job(case: Case, job_id: int) -> Job:
    """Return the preview job of this case, if the current user asked for it; else 404."""
    job = load_job(job_id)
    if job.kind != REPORT_PREVIEW or (job.params or {}).get("case_id") != case.id:
        abort(404)
    return job


def preview_outputs(job: Job) -> dict:
    """The files the job has made so far, format → output (key, name, size)."""
    outputs = (job.params or {}).get("outputs") or {}
    return {fmt: outputs[fmt] for fmt in FORMATS if fmt in outputs}


def send_output(job: Job, fmt: str):
    """Send one of the job's files, or 404 when it has not been made."""
    output = preview_outputs(job).get(fmt) if fmt in FORMATS else None
    if output is None:
        abort(404)
    try:
        path = get_storage().local_path(output["key"])
    except StorageError:
        current_app.logger.error("job %s: stored file %s is missing", job.id, output["key"])
        abort(404)
    return send_file(path, mimetype=FORMATS[fmt], as_attachment=True, download_name=output["name"])


@bp.route("/arenden/<int:case_id>/utlatande/forhandsgranska", methods=["POST"])
@login_required
def preview(case_id: int):
    case, report = load_report(case_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    job = start_report_preview(case, report)
    return redirect(url_for("reports.preview_status", case_id=case.id, job_id=job.id), 303)


@bp.route("/arenden/<int:case_id>/utlatande/forhandsgranska/<int:job_id>")
@login_required
def preview_status(case_id: int, job_id: int):
    case, report = load_report(case_id)
    job = preview_job(case, job_id)
    return render_template("documents/preview_job.html", case=case, report=report, job=job,
                           outputs=preview_outputs(job), labels=FORMAT_LABELS, retry_form=EmptyForm())


@bp.route("/arenden/<int:case_id>/utlatande/forhandsgranska/<int:job_id>/<fmt>")
@login_required
def preview_file(case_id: int, job_id: int, fmt: str):
    case, _report = load_report(case_id)
    return send_output(preview_job(case, job_id), fmt)


@bp.route("/arenden/<int:case_id>/utlatande/forhandsgranska/<int:job_id>/kor-om", methods=["POST"])
@login_required
def preview_retry(case_id: int, job_id: int):
    case, _report = load_report(case_id)
    job = preview_job(case, job_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        jobs.retry(job, user=acting_user())
    except ConflictError as exc:
        flash(exc.message, "error")
        return redirect(url_for("reports.preview_status", case_id=case.id, job_id=job.id), 303)
    job_id = job.id
    db.session.commit()
    jobs.enqueue(render_report_preview, job_id)
    flash("Förhandsgranskningen görs om.", "info")
    return redirect(url_for("reports.preview_status", case_id=case.id, job_id=job_id), 303)

