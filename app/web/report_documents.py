"""Förhandsgranska: the tjänsteutlåtande as Word and PDF, made by the worker while the page shows its progress."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required

from app.extensions import db
from app.validation import ConflictError
from app.web.forms import EmptyForm
from app.web.reports import acting_user, bp, load_report
from tasks import jobs
from tasks.access import report_preview_job, send_job_output
from tasks.rendering.tasks import FORMATS, preview_outputs, render_report_preview, start_report_preview

#: what the download links say, by format
FORMAT_LABELS = {"docx": "Word (DOCX)", "pdf": "PDF"}


@bp.route("/arenden/<int:case_id>/utlatande/forhandsgranska", methods=["POST"])
@login_required
def preview(case_id: int):
    case, report = load_report(case_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    job_id = start_report_preview(acting_user(), report).id
    db.session.commit()
    jobs.enqueue(render_report_preview, job_id)
    return redirect(url_for("reports.preview_status", case_id=case.id, job_id=job_id), 303)


@bp.route("/arenden/<int:case_id>/utlatande/forhandsgranska/<int:job_id>")
@login_required
def preview_status(case_id: int, job_id: int):
    case, report = load_report(case_id)
    job = report_preview_job(acting_user(), case, job_id)
    return render_template(
        "documents/preview_job.html",
        case=case,
        report=report,
        job=job,
        outputs=preview_outputs(job),
        labels=FORMAT_LABELS,
        retry_form=EmptyForm(),
    )


@bp.route("/arenden/<int:case_id>/utlatande/forhandsgranska/<int:job_id>/<fmt>")
@login_required
def preview_file(case_id: int, job_id: int, fmt: str):
    case, _report = load_report(case_id)
    job = report_preview_job(acting_user(), case, job_id)
    return send_job_output(preview_outputs(job).get(fmt), FORMATS.get(fmt))


@bp.route("/arenden/<int:case_id>/utlatande/forhandsgranska/<int:job_id>/kor-om", methods=["POST"])
@login_required
def preview_retry(case_id: int, job_id: int):
    case, _report = load_report(case_id)
    job = report_preview_job(acting_user(), case, job_id)
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
