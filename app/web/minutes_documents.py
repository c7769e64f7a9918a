"""Skapa protokoll: the protokoll's current revision as Word and PDF (the full protokoll, the public version and a
protokollsutdrag per paragraph), made by the worker.

A page under the meeting lists the current revision's documents (with the seal's check for a justerat one) to the
committee's members and secretary, and offers the secretary "Skapa protokoll"; the job page follows the progress
(the pattern of jobs/job.html). The public reads the public version of the justerat protokoll, sealed, at a public
address without logging in; nothing of a draft.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from agenda.minutes import access
from agenda.minutes.documents import document_of, latest_adjusted_public, revision_documents
from agenda.minutes.operations import minutes_for
from agenda.models import Meeting
from app.extensions import db
from app.permissions import Action
from app.registry.access import get_by_id
from app.validation import ConflictError
from app.web.forms import EmptyForm
from tasks import jobs
from tasks.access import protocol_documents_job, send_minutes_document
from tasks.protocol_documents import render_protocol_documents
from tasks.protocol_jobs import latest_job, may_render, pending_job, seal_checks, start_protocol_documents
from workflows.access import acting_user

bp = Blueprint("minutes_documents", __name__)


@bp.route("/sammantraden/<int:meeting_id>/protokoll/dokument")
@login_required
def documents(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id)
    listed = revision_documents(minutes)
    return render_template(
        "agenda/minutes_documents.html",
        meeting=minutes.meeting,
        minutes=minutes,
        documents=listed,
        seals=seal_checks(minutes, listed),
        may_render=may_render(current_user, minutes),
        pending=pending_job(minutes),
        last_job=latest_job(minutes),
        form=EmptyForm(),
    )


@bp.route("/sammantraden/<int:meeting_id>/protokoll/dokument", methods=["POST"])
@login_required
def start(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    if not EmptyForm().validate_on_submit():
        abort(400)
    job_id = start_protocol_documents(acting_user(), minutes).id
    db.session.commit()
    jobs.enqueue(render_protocol_documents, job_id)
    return redirect(url_for("minutes_documents.status", meeting_id=meeting_id, job_id=job_id), 303)


@bp.route("/sammantraden/<int:meeting_id>/protokoll/dokument/jobb/<int:job_id>")
@login_required
def status(meeting_id: int, job_id: int):
    minutes = access.load_minutes(current_user, meeting_id)
    job = protocol_documents_job(current_user, minutes, job_id)
    return render_template(
        "agenda/minutes_documents_job.html", meeting=minutes.meeting, job=job, retry_form=EmptyForm()
    )


@bp.route("/sammantraden/<int:meeting_id>/protokoll/dokument/jobb/<int:job_id>/kor-om", methods=["POST"])
@login_required
def retry(meeting_id: int, job_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    job = protocol_documents_job(current_user, minutes, job_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        jobs.retry(job, user=current_user)
    except ConflictError as exc:
        flash(exc.message, "error")
        return redirect(url_for("minutes_documents.status", meeting_id=meeting_id, job_id=job_id), 303)
    db.session.commit()
    jobs.enqueue(render_protocol_documents, job_id)
    flash("Protokollet skapas igen.", "info")
    return redirect(url_for("minutes_documents.status", meeting_id=meeting_id, job_id=job_id), 303)


@bp.route("/sammantraden/<int:meeting_id>/protokoll/dokument/<int:document_id>.<fmt>")
@login_required
def document_file(meeting_id: int, document_id: int, fmt: str):
    minutes = access.load_minutes(current_user, meeting_id)
    response = send_minutes_document(document_of(minutes, document_id), fmt)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/offentligt/sammantraden/<int:meeting_id>/protokoll.pdf")
def public_file(meeting_id: int):
    """The public version of the justerat protokoll, sealed; 404 for a meeting without one (a draft included)."""
    meeting = get_by_id(Meeting, meeting_id)
    minutes = minutes_for(meeting) if meeting is not None else None
    document = latest_adjusted_public(minutes) if minutes is not None else None
    if document is None:
        abort(404)
    response = send_minutes_document(document, "pdf")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
