"""Skapa handlingar in the API: render a meeting's latest publication, follow the job, fetch the files."""

from __future__ import annotations

from flask import abort, jsonify, url_for
from flask_login import current_user

from agenda import access
from app.api import bp
from app.api.jobs import accepted, commit_and_enqueue, job_json
from tasks.access import meeting_documents_job, send_job_output
from tasks.rendering.meeting_documents import render_meeting_documents
from tasks.rendering.meeting_jobs import job_outputs, start_meeting_documents
from tasks.rendering.meeting_plan import VARIANTS
from tasks.rendering.meeting_renderer import FILES


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
def create_meeting_documents(meeting_id: int):
    job_id = start_meeting_documents(current_user, access.load_meeting(current_user, meeting_id)).id
    job = commit_and_enqueue(render_meeting_documents, job_id)
    return accepted(documents_json(job), url_for("api.meeting_documents", meeting_id=meeting_id, job_id=job.id))


@bp.route("/meetings/<int:meeting_id>/documents/<int:job_id>")
def meeting_documents(meeting_id: int, job_id: int):
    return jsonify(
        documents_json(meeting_documents_job(current_user, access.load_meeting(current_user, meeting_id), job_id))
    )


@bp.route("/meetings/<int:meeting_id>/documents/<int:job_id>/<variant>/<name>")
def meeting_documents_file(meeting_id: int, job_id: int, variant: str, name: str):
    job = meeting_documents_job(current_user, access.load_meeting(current_user, meeting_id), job_id)
    if variant not in VARIANTS or name not in FILES:
        abort(404)
    return send_job_output(job_outputs(job)[variant].get(name), FILES[name][1])


def with_meeting_documents(tags: list, schemas: dict, parameters: dict, paths: dict) -> tuple[list, dict, dict, dict]:
    """Add the Skapa handlingar endpoints to the meeting endpoints' OpenAPI tags, schemas, parameters and paths."""
    from app.api.openapi import API, URL, nullable, obj, operation, ref, reply

    tag = "Sammanträden"
    base = f"{API}/meetings/{{meeting_id}}/documents"
    meeting_id, job_id = ref("meeting_id", "parameters"), ref("job_id", "parameters")
    documents = ref("MeetingDocuments")
    variant = {
        "name": "variant",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": list(VARIANTS)},
        "description": "members (ledamöternas version, allt i kallelsen) eller public (offentlig version).",
    }
    name = {
        "name": "name",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": list(FILES)},
        "description": "kallelse.pdf, kallelse.docx eller motespaket.pdf (kallelsen, innehåll, tjänsteutlåtanden "
        "och bilagor i en PDF).",
    }
    files = obj(
        {
            name_: {**nullable(URL), "description": f"Var {label.lower()} hämtas; null tills den är gjord."}
            for name_, (label, _mimetype) in FILES.items()
        }
    )
    schema = obj(
        {
            "job": ref("Job"),
            "publication_version": {"type": "integer", "minimum": 1, "description": "Kallelsens version som renderas."},
            "files": obj({v: files for v in VARIANTS}),
        },
        description="Handlingarna till ett sammanträde: jobbet och dess filer, ledamöternas och den offentliga versionen. "
        "Misslyckas jobbet (t.ex. en bilaga som inte är den PDF den utger sig för att vara) säger "
        "`job.error` vilken bilaga; det som redan gjorts finns kvar.",
    )
    document_paths = {
        base: {
            "parameters": [meeting_id],
            "post": operation(
                "createMeetingDocuments",
                tag,
                "Skapa kallelsen och mötespaketet som filer",
                {
                    "202": reply(
                        "Jobbet är köat; följ det via Location.",
                        documents,
                        headers={"Location": {"schema": URL, "description": "Jobbets adress i API:t."}},
                    )
                },
                description="Gör den senaste publicerade versionen av kallelsen till DOCX och taggad PDF, och mötespaketet "
                "(en PDF med kallelsen, innehållsförteckning, tjänsteutlåtandena och bilagorna, med bokmärken "
                "och sidnummer) – för ledamöterna och offentligt. Bara nämndsekreteraren. Ingen kropp behövs. "
                "Delar som redan gjorts av samma innehåll återanvänds. 409 om kallelsen inte är publicerad.",
                errors=("NotFound", "Forbidden", "Conflict"),
            ),
        },
        f"{base}/{{job_id}}": {
            "parameters": [meeting_id, job_id],
            "get": operation(
                "getMeetingDocuments",
                tag,
                "Ett jobb som skapar handlingar",
                {"200": reply("Jobbet och filerna.", documents)},
                description="Bara den som startade jobbet ser det.",
                errors=("NotFound",),
            ),
        },
        f"{base}/{{job_id}}/{{variant}}/{{name}}": {
            "parameters": [meeting_id, job_id, variant, name],
            "get": operation(
                "downloadMeetingDocument",
                tag,
                "Hämta en fil: kallelsen (PDF, Word) eller mötespaketet",
                {
                    "200": {
                        "description": "Filen: en PDF visas i webbläsaren (Content-Disposition: inline), "
                        "andra filer sparas (attachment); "
                        "Range (206) och villkorliga förfrågningar (ETag: filens sha256, 304) stöds.",
                        "content": {
                            mimetype: {"schema": {"type": "string", "contentMediaType": mimetype}}
                            for mimetype in {m for _label, m in FILES.values()}
                        },
                    }
                },
                errors=("NotFound",),
            ),
        },
    }
    return tags, {**schemas, "MeetingDocuments": schema}, parameters, {**paths, **document_paths}
