"""Skapa handlingar in the API: render a meeting's latest publication, follow the job, fetch the files."""

from __future__ import annotations

from flask import abort, jsonify, url_for
from flask_login import current_user

from agenda import access
from app.api import bp
from app.api.jobs import accepted, commit_and_enqueue, job_json
from app.api.meeting_schemas import MeetingDocuments
from app.api.spec import described
from tasks.access import meeting_documents_job, send_job_output
from tasks.rendering.meeting_documents import render_meeting_documents
from tasks.rendering.meeting_jobs import job_outputs, start_meeting_documents
from tasks.rendering.meeting_plan import VARIANTS
from tasks.rendering.meeting_renderer import FILES

TAG = "Sammanträden"
MEETING = {"meeting_id": "Sammanträdets id."}
JOB = {**MEETING, "job_id": "Jobbets id."}


def documents_json(job) -> dict:
    """The job and, per variant and file, where it is fetched once made (else null)."""
    meeting_id = job.params["meeting_id"]
    made = job_outputs(job)
    files = {
        variant: {
            name: url_for(
                "api.meeting_documents_file", meeting_id=meeting_id, job_id=job.id, variant=variant, name=name
            )
            if name in made[variant]
            else None
            for name in FILES
        }
        for variant in VARIANTS
    }
    return {"job": job_json(job), "publication_version": job.params.get("version"), "files": files}


@bp.route("/meetings/<int:meeting_id>/documents", methods=["POST"])
@described(
    operation_id="createMeetingDocuments",
    tag=TAG,
    summary="Skapa kallelsen och mötespaketet som filer",
    responses={202: (MeetingDocuments, "Jobbet är köat; följ det via Location.")},
    headers={
        202: {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "Jobbets adress i API:t."}}
    },
    description="Gör den senaste publicerade versionen av kallelsen till DOCX och taggad PDF, och mötespaketet "
    "(en PDF med kallelsen, innehållsförteckning, tjänsteutlåtandena och bilagorna, med bokmärken "
    "och sidnummer) – för ledamöterna och offentligt. Bara nämndsekreteraren. Ingen kropp behövs. "
    "Delar som redan gjorts av samma innehåll återanvänds. 409 om kallelsen inte är publicerad.",
    errors=("NotFound", "Forbidden", "Conflict"),
    path_parameters=MEETING,
)
def create_meeting_documents(meeting_id: int):
    job_id = start_meeting_documents(current_user, access.load_meeting(current_user, meeting_id)).id
    job = commit_and_enqueue(render_meeting_documents, job_id)
    return accepted(documents_json(job), url_for("api.meeting_documents", meeting_id=meeting_id, job_id=job.id))


@bp.route("/meetings/<int:meeting_id>/documents/<int:job_id>")
@described(
    operation_id="getMeetingDocuments",
    tag=TAG,
    summary="Ett jobb som skapar handlingar",
    responses={200: (MeetingDocuments, "Jobbet och filerna.")},
    description="Bara den som startade jobbet ser det.",
    errors=("NotFound",),
    path_parameters=JOB,
)
def meeting_documents(meeting_id: int, job_id: int):
    return jsonify(
        documents_json(meeting_documents_job(current_user, access.load_meeting(current_user, meeting_id), job_id))
    )


@bp.route("/meetings/<int:meeting_id>/documents/<int:job_id>/<variant>/<name>")
@described(
    operation_id="downloadMeetingDocument",
    tag=TAG,
    summary="Hämta en fil: kallelsen (PDF, Word) eller mötespaketet",
    responses={
        200: (
            tuple(dict.fromkeys(mimetype for _label, mimetype in FILES.values())),
            "Filen: en PDF visas i webbläsaren (Content-Disposition: inline), andra filer sparas (attachment); "
            "Range (206) och villkorliga förfrågningar (ETag: filens sha256, 304) stöds.",
        )
    },
    errors=("NotFound",),
    path_parameters={
        **JOB,
        "variant": "members (ledamöternas version, allt i kallelsen) eller public (offentlig version).",
        "name": "kallelse.pdf, kallelse.docx eller motespaket.pdf (kallelsen, innehåll, tjänsteutlåtanden "
        "och bilagor i en PDF).",
    },
    path_choices={"variant": VARIANTS, "name": FILES},
)
def meeting_documents_file(meeting_id: int, job_id: int, variant: str, name: str):
    job = meeting_documents_job(current_user, access.load_meeting(current_user, meeting_id), job_id)
    if variant not in VARIANTS or name not in FILES:
        abort(404)
    return send_job_output(job_outputs(job)[variant].get(name), FILES[name][1])
