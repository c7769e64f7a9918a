"""Förhandsgranska in the API: ask for the tjänsteutlåtande as Word and PDF, follow the job, fetch the files."""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from app.api import bp
from app.api.jobs import accepted, commit_and_enqueue, job_json
from app.api.reports import load_case, load_report
from tasks.access import report_preview_job, send_job_output
from tasks.rendering.tasks import FORMATS, preview_outputs, render_report_preview, start_report_preview


def preview_json(job) -> dict:
    """The job and, per format, where its file is fetched once made (else null)."""
    case_id = job.params["case_id"]
    made = preview_outputs(job)
    files = {fmt: url_for("api.report_preview_file", case_id=case_id, job_id=job.id, fmt=fmt) if fmt in made else None
             for fmt in FORMATS}
    return {"job": job_json(job), "files": files}


@bp.route("/cases/<int:case_id>/report/preview", methods=["POST"])
def create_report_preview(case_id: int):
    report = load_report(case_id)
    job_id = start_report_preview(current_user, report).id
    job = commit_and_enqueue(render_report_preview, job_id)
    return accepted(preview_json(job), url_for("api.report_preview", case_id=case_id, job_id=job.id))


@bp.route("/cases/<int:case_id>/report/preview/<int:job_id>")
def report_preview(case_id: int, job_id: int):
    return jsonify(preview_json(report_preview_job(current_user, load_case(case_id), job_id)))


@bp.route("/cases/<int:case_id>/report/preview/<int:job_id>/<fmt>")
def report_preview_file(case_id: int, job_id: int, fmt: str):
    job = report_preview_job(current_user, load_case(case_id), job_id)
    return send_job_output(preview_outputs(job).get(fmt), FORMATS.get(fmt))


def with_report_documents(schemas: dict, parameters: dict, paths: dict) -> tuple[dict, dict, dict]:
    """Add the Förhandsgranska endpoints to the report endpoints' OpenAPI schemas, parameters and paths."""
    from app.api.openapi import API, URL, nullable, obj, operation, ref, reply

    tag = "Tjänsteutlåtanden"
    base = f"{API}/cases/{{case_id}}/report/preview"
    case_id, job_id = ref("case_id", "parameters"), ref("job_id", "parameters")
    preview = ref("ReportPreview")
    fmt = {"name": "fmt", "in": "path", "required": True, "schema": {"type": "string", "enum": list(FORMATS)},
           "description": "docx (Word) eller pdf (taggad, tillgänglig PDF)."}
    schema = obj({
        "job": ref("Job"),
        "files": obj({name: {**nullable(URL), "description": f"Var {name.upper()}-filen hämtas; null tills den är gjord."}
                      for name in FORMATS}),
    }, description="En förhandsgranskning: jobbet och dess filer. Misslyckas PDF-steget (t.ex. utan LibreOffice) "
                   "säger `job.error` varför, och Word-filen finns ändå.")
    document_paths = {
        base: {"parameters": [case_id], "post": operation(
            "createReportPreview", tag, "Förhandsgranska utlåtandet som Word och PDF",
            {"202": reply("Jobbet är köat; följ det via Location.", preview,
                          headers={"Location": {"schema": URL, "description": "Förhandsgranskningens adress i API:t."}})},
            description="Gör den senaste versionen till DOCX och taggad PDF i bakgrunden. Den som får läsa "
                        "sekretessmarkerade bilagor får ledamotsversionen, andra den offentliga (bilagorna bara med "
                        "nummer). Ingen kropp behövs. Samma innehåll återanvänder redan gjorda filer.",
            errors=("NotFound",),
        )},
        f"{base}/{{job_id}}": {"parameters": [case_id, job_id], "get": operation(
            "getReportPreview", tag, "En förhandsgranskning", {"200": reply("Jobbet och filerna.", preview)},
            description="Bara den som bad om förhandsgranskningen ser den.", errors=("NotFound",),
        )},
        f"{base}/{{job_id}}/{{fmt}}": {"parameters": [case_id, job_id, fmt], "get": operation(
            "downloadReportPreview", tag, "Hämta förhandsgranskningens Word- eller PDF-fil",
            {"200": {"description": "Filen: en PDF visas i webbläsaren (Content-Disposition: inline), "
                                    "andra filer sparas (attachment); "
                                    "Range (206) och villkorliga förfrågningar (ETag: filens sha256, 304) stöds.",
                     "content": {mimetype: {"schema": {"type": "string", "contentMediaType": mimetype}}
                                 for mimetype in FORMATS.values()}}},
            errors=("NotFound",),
        )},
    }
    return {**schemas, "ReportPreview": schema}, parameters, {**paths, **document_paths}
