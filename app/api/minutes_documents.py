"""Skapa protokoll in the API: render the protokoll's current revision, follow the job, list and fetch the
documents (the full protokoll, the public version, the protokollsutdrag) as Word and PDF.

Everything loads through agenda.minutes.access (404 when the meeting is unknown to the user or has no protokoll,
403 when they may not do this): the committee's members and secretary read the documents; the secretary renders.
"""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from agenda.minutes import access
from agenda.minutes.documents import MinutesDocument, document_of, revision_documents
from agenda.minutes.models import Minutes
from app.api import bp
from app.api.jobs import accepted, commit_and_enqueue, job_json
from app.api.minutes_document_schemas import MinutesDocuments
from app.api.spec import described
from app.permissions import Action
from tasks.access import DOCUMENT_FORMATS, protocol_documents_job, send_minutes_document
from tasks.protocol_documents import render_protocol_documents
from tasks.protocol_jobs import latest_job, seal_checks, start_protocol_documents
from tasks.rendering.seal import SealCheck
from workflows.access import acting_user

TAG = "Protokoll"
MEETING = {"meeting_id": "Sammanträdets id."}
LOCATION = {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "Adressen i API:t."}}


def document_json(document: MinutesDocument, check: SealCheck | None) -> dict:
    meeting_id = document.minutes.meeting_id

    def url(fmt: str) -> str:
        return url_for("api.minutes_document_file", meeting_id=meeting_id, document_id=document.id, fmt=fmt)

    return {
        "id": document.id,
        "revision": document.revision,
        "kind": document.kind.value,
        "label": document.label,
        "paragraph_number": document.paragraph_number,
        "is_adjusted": document.is_adjusted,
        "title": document.title,
        "pdf_url": url("pdf"),
        "pdf_name": document.pdf_name,
        "pdf_sha256": document.pdf_sha256,
        "pdf_size": document.pdf_size,
        "docx_url": url("docx"),
        "docx_name": document.docx_name,
        "docx_size": document.docx_size,
        "created_at": document.created_dt.isoformat(),
        "seal": None
        if check is None
        else {"is_valid": check.is_valid, "signer": check.signer, "problem": check.problem},
    }


def documents_json(minutes: Minutes, job=None) -> dict:
    job = job or latest_job(minutes)
    documents = revision_documents(minutes)
    checks = seal_checks(minutes, documents)
    return {
        "revision": minutes.current_revision,
        "is_adjusted": minutes.is_adjusted,
        "documents": [document_json(d, checks.get(d.id)) for d in documents],
        "job": job_json(job) if job is not None else None,
    }


@bp.get("/meetings/<int:meeting_id>/minutes/documents")
@described(
    operation_id="getMinutesDocuments",
    tag=TAG,
    summary="Protokollets dokument",
    responses={200: (MinutesDocuments, "Dokumenten som gjorts av protokollets senaste version.")},
    description="Hela protokollet, den offentliga versionen och ett protokollsutdrag per paragraf, som Word och "
    "PDF, för nämndens ledamöter och sekreterare. Listan är tom tills protokollets senaste version har skapats "
    "som dokument.",
    errors=("Forbidden", "NotFound"),
    path_parameters=MEETING,
)
def get_minutes_documents(meeting_id: int):
    return jsonify(documents_json(access.load_minutes(current_user, meeting_id)))


@bp.post("/meetings/<int:meeting_id>/minutes/documents")
@described(
    operation_id="createMinutesDocuments",
    tag=TAG,
    summary="Skapa protokollet som dokument",
    responses={202: (MinutesDocuments, "Jobbet är köat; följ det via Location.")},
    headers={202: LOCATION},
    description="Gör protokollets senaste version till DOCX och taggad PDF: hela protokollet, den offentliga "
    "versionen och ett protokollsutdrag per paragraf. Ett justerat protokolls PDF-filer förseglas med "
    "organisationens elektroniska sigill. Det som redan gjorts av samma innehåll görs inte om. Den offentliga "
    "versionen görs inte när en text i den innehåller ett personnummer; jobbet säger var. Bara "
    "nämndsekreteraren. Ingen kropp behövs.",
    errors=("Forbidden", "NotFound"),
    path_parameters=MEETING,
)
def create_minutes_documents(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    job = commit_and_enqueue(render_protocol_documents, start_protocol_documents(acting_user(), minutes).id)
    return accepted(
        documents_json(minutes, job),
        url_for("api.minutes_documents_job", meeting_id=meeting_id, job_id=job.id),
    )


@bp.get("/meetings/<int:meeting_id>/minutes/documents/jobs/<int:job_id>")
@described(
    operation_id="getMinutesDocumentsJob",
    tag=TAG,
    summary="Ett jobb som skapar protokollets dokument",
    responses={200: (MinutesDocuments, "Jobbet och protokollets dokument.")},
    description="Bara den som startade jobbet ser det.",
    errors=("NotFound",),
    path_parameters={**MEETING, "job_id": "Jobbets id."},
)
def minutes_documents_job(meeting_id: int, job_id: int):
    minutes = access.load_minutes(current_user, meeting_id)
    return jsonify(documents_json(minutes, protocol_documents_job(current_user, minutes, job_id)))


@bp.get("/meetings/<int:meeting_id>/minutes/documents/<int:document_id>/<fmt>")
@described(
    operation_id="downloadMinutesDocument",
    tag=TAG,
    summary="Hämta ett av protokollets dokument som PDF eller Word",
    responses={
        200: (
            tuple(DOCUMENT_FORMATS.values()),
            "Filen: en PDF visas i webbläsaren (Content-Disposition: inline), Word-filen sparas (attachment); "
            "Range (206) och villkorliga förfrågningar (ETag: filens sha256, 304) stöds.",
        )
    },
    description="Nämndens ledamöter och sekreterare; dokument av äldre versioner också.",
    errors=("Forbidden", "NotFound"),
    path_parameters={**MEETING, "document_id": "Dokumentets id.", "fmt": "pdf eller docx."},
    path_choices={"fmt": DOCUMENT_FORMATS},
)
def minutes_document_file(meeting_id: int, document_id: int, fmt: str):
    minutes = access.load_minutes(current_user, meeting_id)
    response = send_minutes_document(document_of(minutes, document_id), fmt)
    response.headers["Cache-Control"] = "private, no-store"
    return response
