"""Skapa handlingar: a published kallelse as Word and PDF and the meeting package, made by the worker.

The secretary starts the job on the meeting page for the latest publication and follows it on
a job page with a progress bar (the pattern of jobs/job.html). The files of a publication are
then offered on the members' kallelse page (the members' files, to those who may read every
confidential matter in it; others get the public files) and on the public page (the public
files, no log-in). ``flask documents render-demo`` queues the demo's rendering (``make run``).
"""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from agenda import access
from agenda.models import Meeting, Publication
from agenda.secrecy import WITHDRAWN, newly_confidential
from app.extensions import db
from app.registry.access import get_by_id
from app.validation import ConflictError
from app.web.forms import EmptyForm
from tasks import jobs
from tasks.access import meeting_documents_job, send_job_output
from tasks.models import Job
from tasks.rendering.meeting_documents import render_meeting_documents
from tasks.rendering.meeting_jobs import job_outputs, may_render, pending_job, rendered_job, start_meeting_documents
from tasks.rendering.meeting_plan import VARIANTS
from tasks.rendering.meeting_renderer import FILES

bp = Blueprint("meeting_documents", __name__, cli_group="documents")

VARIANT_LABELS = {"members": "Ledamöternas version", "public": "Offentlig version"}


def _meeting(meeting_id: int) -> Meeting:
    """The meeting for the logged-in user (agenda.access: 404 when they may not know it)."""
    return access.load_meeting(current_user, meeting_id)


def published_files(publication: Publication, variant: str) -> dict:
    """The rendered files of a publication in one variant, as for the pages: links and state."""
    if variant == "public" and newly_confidential(publication):
        return {"files": [], "pending": False, "variant": variant}  # withdrawn (see public_file)
    job = rendered_job(publication)
    pending = pending_job(publication) if job is None else None
    outputs = job_outputs(job)[variant] if job else {}
    meeting_id = publication.meeting_id
    files = []
    for name, (label, _mimetype) in FILES.items():
        if name not in outputs:
            continue
        if variant == "public":
            url = url_for(
                "meeting_documents.public_file", meeting_id=meeting_id, version=publication.version, name=name
            )
        else:
            url = url_for(
                "meeting_documents.members_file", meeting_id=meeting_id, version=publication.version, name=name
            )
        files.append(
            {
                "name": name,
                "label": label,
                "url": url,
                "filename": outputs[name]["name"],
                "kb": max(1, round(outputs[name]["size"] / 1024)),
            }
        )
    return {"files": files, "pending": pending is not None, "variant": variant}


@bp.app_context_processor
def meeting_document_helpers():
    """``meeting_files(publication, "members" | "public")`` for the kallelse pages' download blocks."""

    def meeting_files(publication: Publication | None, variant: str = "public") -> dict:
        if publication is None:
            return {"files": [], "pending": False, "variant": variant, "withheld": False}
        withheld = False
        if variant == "members" and not access.reads_everything(publication, current_user):
            variant, withheld = "public", True
        return {**published_files(publication, variant), "withheld": withheld}

    return {"meeting_files": meeting_files}


# --- the job -----------------------------------------------------------------------------


@bp.route("/sammantraden/<int:meeting_id>/handlingar", methods=["POST"])
@login_required
def start(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    job_id = start_meeting_documents(current_user, meeting).id
    db.session.commit()
    jobs.enqueue(render_meeting_documents, job_id)
    return redirect(url_for("meeting_documents.status", meeting_id=meeting_id, job_id=job_id), 303)


@bp.route("/sammantraden/<int:meeting_id>/handlingar/<int:job_id>")
@login_required
def status(meeting_id: int, job_id: int):
    meeting = _meeting(meeting_id)
    job = meeting_documents_job(current_user, meeting, job_id)
    return render_template(
        "documents/meeting_documents_job.html",
        meeting=meeting,
        job=job,
        outputs=job_outputs(job),
        files=FILES,
        variants=VARIANT_LABELS,
        retry_form=EmptyForm(),
    )


@bp.route("/sammantraden/<int:meeting_id>/handlingar/<int:job_id>/<variant>/<name>")
@login_required
def job_file(meeting_id: int, job_id: int, variant: str, name: str):
    job = meeting_documents_job(current_user, _meeting(meeting_id), job_id)
    if variant not in VARIANTS or name not in FILES:
        abort(404)
    return send_job_output(job_outputs(job)[variant].get(name), FILES[name][1])


@bp.route("/sammantraden/<int:meeting_id>/handlingar/<int:job_id>/kor-om", methods=["POST"])
@login_required
def retry(meeting_id: int, job_id: int):
    meeting = _meeting(meeting_id)
    job = meeting_documents_job(current_user, meeting, job_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        jobs.retry(job, user=current_user)
    except ConflictError as exc:
        flash(exc.message, "error")
        return redirect(url_for("meeting_documents.status", meeting_id=meeting.id, job_id=job.id), 303)
    job_id = job.id
    db.session.commit()
    jobs.enqueue(render_meeting_documents, job_id)
    flash("Handlingarna skapas igen.", "info")
    return redirect(url_for("meeting_documents.status", meeting_id=meeting_id, job_id=job_id), 303)


# --- a publication's files ----------------------------------------------------------------------


@bp.route("/sammantraden/<int:meeting_id>/kallelse/version/<int:version>/handlingar/<name>")
@login_required
def members_file(meeting_id: int, version: int, name: str):
    publication = access.load_publication(current_user, meeting_id, version)
    variant = "members" if access.reads_everything(publication, current_user) else "public"
    job = rendered_job(publication)
    if job is None or name not in FILES:
        abort(404)
    if variant == "public" and newly_confidential(publication):
        abort(410, WITHDRAWN)  # its public files were rendered before a case in it became confidential
    response = send_job_output(job_outputs(job)[variant].get(name), FILES[name][1])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/offentligt/sammantraden/<int:meeting_id>/version/<int:version>/handlingar/<name>")
def public_file(meeting_id: int, version: int, name: str):
    meeting = get_by_id(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    publication = access.publication_of(meeting, version)
    job = rendered_job(publication)
    if job is None or name not in FILES:
        abort(404)
    if newly_confidential(publication):
        abort(410, WITHDRAWN)  # rendered before a case in it became confidential
    response = send_job_output(job_outputs(job)["public"].get(name), FILES[name][1])
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- the demo ---------------------------------------------------------------------------


@bp.cli.command("render-demo")
def render_demo() -> None:
    """Queue the rendering of every published kallelse and every protokoll that has no rendered files yet, and the
    PDF of every signed tjänsteutlåtande registered without it (the demo's, in make run): the worker makes them
    when it starts."""
    from agenda.minutes.documents import current_document
    from agenda.minutes.models import Minutes
    from app.auth.models import User
    from tasks import protocol_jobs
    from tasks.models import JobState
    from tasks.protocol_documents import render_protocol_documents

    def secretary_for(allowed: Callable[[User], bool]) -> User | None:
        return next((u for u in db.session.scalars(select(User).order_by(User.id)) if u.is_active and allowed(u)), None)

    queued = 0
    for publication in db.session.scalars(select(Publication).order_by(Publication.id)):
        meeting = publication.meeting
        if rendered_job(publication) is not None or pending_job(publication) is not None:
            continue
        secretary = secretary_for(lambda u, meeting=meeting: may_render(u, meeting))
        if secretary is None:
            continue
        job_id = start_meeting_documents(secretary, meeting, publication).id
        db.session.commit()
        jobs.enqueue(render_meeting_documents, job_id)
        queued += db.session.get(Job, job_id).state is JobState.queued
    protocols = 0
    for minutes in db.session.scalars(select(Minutes).order_by(Minutes.id)):
        if current_document(minutes) is not None or protocol_jobs.pending_job(minutes) is not None:
            continue
        secretary = secretary_for(lambda u, minutes=minutes: protocol_jobs.may_render(u, minutes))
        if secretary is None:
            continue
        job_id = protocol_jobs.start_protocol_documents(secretary, minutes).id
        db.session.commit()
        jobs.enqueue(render_protocol_documents, job_id)
        protocols += db.session.get(Job, job_id).state is JobState.queued
    reports = _queue_signed_reports()
    click.echo(
        f"Handlingar köade för {queued} publicerade kallelser; arbetaren skapar dem när den startar."
        if queued
        else "Alla publicerade kallelser har redan sina handlingar (eller väntar på dem)."
    )
    click.echo(
        f"Dokument köade för {protocols} protokoll; arbetaren skapar dem när den startar."
        if protocols
        else "Alla protokoll har redan sina dokument (eller väntar på dem)."
    )
    click.echo(
        f"PDF köad för {reports} undertecknade tjänsteutlåtanden; arbetaren skapar dem när den startar."
        if reports
        else "Alla undertecknade tjänsteutlåtanden har redan sin PDF (eller väntar på den)."
    )


def _queue_signed_reports() -> int:
    """Queue the PDF of each signed report whose registered handling has none, while the report is still signed
    as it was then; return how many (each is sent after its commit)."""
    from app.registry.models import RegisteredDocument
    from tasks.rendering.signed_report import start_signed_pdf
    from workflows.models import CaseReport
    from workflows.registration import report_source

    queued = 0
    documents = db.session.scalars(
        select(RegisteredDocument)
        .where(RegisteredDocument.source.like("report:%"), RegisteredDocument.storage_key.is_(None))
        .order_by(RegisteredDocument.id)
    ).all()
    for document in documents:
        report = db.session.get(CaseReport, document.source_id)
        if report is None or report.signed_by is None or report_source(report) != document.source:
            continue
        if start_signed_pdf(report, document, report.signed_by) is not None:
            db.session.commit()
            queued += 1
    return queued
