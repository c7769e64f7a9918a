"""Förhandsgranska in the API: ask for the tjänsteutlåtande as Word and PDF, follow the job, fetch the files."""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from app.api import bp
from app.api.jobs import accepted, commit_and_enqueue, job_json
from app.api.report_schemas import ReportPreview
from app.api.reports import load_case, load_report
from app.api.spec import described
from tasks.access import report_preview_job, send_job_output
from tasks.rendering.tasks import FORMATS, preview_outputs, render_report_preview, start_report_preview

TAG = "Tjänsteutlåtanden"
CASE = {"case_id": "Ärendets id."}
JOB = {**CASE, "job_id": "Förhandsgranskningens (jobbets) id."}
#: a file's answer: a PDF is shown, other files saved
FILE_ANSWER = (
    "Filen: en PDF visas i webbläsaren (Content-Disposition: inline), andra filer sparas (attachment); "
    "Range (206) och villkorliga förfrågningar (ETag: filens sha256, 304) stöds."
)


def preview_json(job) -> dict:
    """The job and, per format, where its file is fetched once made (else null)."""
    case_id = job.params["case_id"]
    made = preview_outputs(job)
    files = {
        fmt: url_for("api.report_preview_file", case_id=case_id, job_id=job.id, fmt=fmt) if fmt in made else None
        for fmt in FORMATS
    }
    return {"job": job_json(job), "files": files}


@bp.route("/cases/<int:case_id>/report/preview", methods=["POST"])
@described(
    operation_id="createReportPreview",
    tag=TAG,
    summary="Förhandsgranska utlåtandet som Word och PDF",
    responses={202: (ReportPreview, "Jobbet är köat; följ det via Location.")},
    headers={
        202: {
            "Location": {
                "schema": {"type": "string", "format": "uri"},
                "description": "Förhandsgranskningens adress i API:t.",
            }
        }
    },
    description="Gör den senaste versionen till DOCX och taggad PDF i bakgrunden. Den som får läsa "
    "sekretessmarkerade bilagor får ledamotsversionen, andra den offentliga (bilagorna bara med "
    "nummer). Ingen kropp behövs. Samma innehåll återanvänder redan gjorda filer.",
    errors=("NotFound",),
    path_parameters=CASE,
)
def create_report_preview(case_id: int):
    report = load_report(case_id)
    job_id = start_report_preview(current_user, report).id
    job = commit_and_enqueue(render_report_preview, job_id)
    return accepted(preview_json(job), url_for("api.report_preview", case_id=case_id, job_id=job.id))


@bp.route("/cases/<int:case_id>/report/preview/<int:job_id>")
@described(
    operation_id="getReportPreview",
    tag=TAG,
    summary="En förhandsgranskning",
    responses={200: (ReportPreview, "Jobbet och filerna.")},
    description="Bara den som bad om förhandsgranskningen ser den.",
    errors=("NotFound",),
    path_parameters=JOB,
)
def report_preview(case_id: int, job_id: int):
    return jsonify(preview_json(report_preview_job(current_user, load_case(case_id), job_id)))


@bp.route("/cases/<int:case_id>/report/preview/<int:job_id>/<fmt>")
@described(
    operation_id="downloadReportPreview",
    tag=TAG,
    summary="Hämta förhandsgranskningens Word- eller PDF-fil",
    responses={200: (tuple(FORMATS.values()), FILE_ANSWER)},
    errors=("NotFound",),
    path_parameters={**JOB, "fmt": "docx (Word) eller pdf (taggad, tillgänglig PDF)."},
)
def report_preview_file(case_id: int, job_id: int, fmt: str):
    job = report_preview_job(current_user, load_case(case_id), job_id)
    return send_job_output(preview_outputs(job).get(fmt), FORMATS.get(fmt))
