"""Background jobs in the browser: ask for a diarium extract, follow its progress, download it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired

from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, allowed_committees
from app.registry.models import CaseStatus
from app.registry.queries import CaseFilter
from app.validation import ConflictError, ValidationError
from app.web import format_date
from app.web.forms import EmptyForm, apply_errors
from app.web.registry_forms import INVALID_CHOICE, date_field, id_select, optional_status, options
from tasks import jobs
from tasks.access import load_job, send_job_result
from tasks.models import Job
from tasks.registry import REGISTRY_EXPORT, export_registry, start_registry_export

bp = Blueprint("jobs", __name__)


class ExportForm(FlaskForm):
    committee_id = id_select("Nämnd", validators=[InputRequired("Välj en nämnd.")])
    registered_from = date_field("Registrerat från och med")
    registered_to = date_field("Registrerat till och med")
    status = SelectField(
        "Status",
        coerce=optional_status,
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
        choices=options(((s.value, s.label) for s in CaseStatus), "Alla"),
    )


@bp.route("/diarium/utdrag", methods=["GET", "POST"])
@login_required
def registry_export():
    committees = allowed_committees(current_user, Action.export_registry)
    if not committees:
        abort(403)
    form = ExportForm()
    form.committee_id.choices = options((c.id, c.name) for c in committees)
    if form.validate_on_submit():
        committee = db.session.get(Committee, form.committee_id.data)
        try:
            job_id = start_registry_export(
                current_user,
                committee,
                CaseFilter(
                    registered_from=form.registered_from.data,
                    registered_to=form.registered_to.data,
                    status=form.status.data,
                ),
            ).id
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            db.session.commit()
            jobs.enqueue(export_registry, job_id)
            return redirect(url_for("jobs.job_detail", job_id=job_id))
    status = 422 if form.is_submitted() else 200
    return render_template("jobs/registry_export.html", form=form), status


def _export_description(job: Job) -> tuple[str, str]:
    """The extract's heading (for which committee) and what it holds (the filter), in words."""
    committee = db.session.get(Committee, job.committee_id) if job.committee_id else None
    heading = f"Diarieutdrag för {committee.name}" if committee else "Diarieutdrag"
    flt = CaseFilter.from_params(job.params or {})
    parts = []
    if flt.registered_from or flt.registered_to:
        since = f"från och med {format_date(flt.registered_from)}" if flt.registered_from else ""
        until = f"till och med {format_date(flt.registered_to)}" if flt.registered_to else ""
        parts.append(" ".join(filter(None, ["registrerade", since, until])))
    parts.append(f"med status {flt.status.label.lower()}" if flt.status else "med alla statusar")
    return heading, f"Ärenden {', '.join(parts)}, som CSV-fil för Excel."


@bp.route("/jobb/<int:job_id>")
@login_required
def job_detail(job_id: int):
    job = load_job(current_user, job_id)
    heading, extract = _export_description(job) if job.kind == REGISTRY_EXPORT else ("Arbete i bakgrunden", "")
    return render_template("jobs/job.html", job=job, heading=heading, extract=extract, retry_form=EmptyForm())


@bp.route("/jobb/<int:job_id>/fil")
@login_required
def job_file(job_id: int):
    return send_job_result(load_job(current_user, job_id))


@bp.route("/jobb/<int:job_id>/kor-om", methods=["POST"])
@login_required
def job_retry(job_id: int):
    job = load_job(current_user, job_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        jobs.retry(job, user=current_user)
    except ConflictError as exc:
        flash(exc.message, "error")
        return redirect(url_for("jobs.job_detail", job_id=job.id)), 303
    job_id, task = job.id, jobs.task_for(job)
    db.session.commit()
    jobs.enqueue(task, job_id)
    flash("Jobbet körs om.", "info")
    return redirect(url_for("jobs.job_detail", job_id=job_id))
