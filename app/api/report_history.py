"""A report's history in the API: its revisions, a comparison of two, and its timeline."""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, jsonify

from app.api import bp
from app.api.report_schemas import CompareQuery, Comparison, RevisionList, RevisionReply, Timeline
from app.api.reports import load_report
from app.api.schemas import InputError, revision_json, transition_json
from app.api.spec import described, query_values
from workflows.compare import text_changes
from workflows.content import ReportContent
from workflows.models import CaseReport, ReportRevision
from workflows.operations import section_titles

TAG = "Tjänsteutlåtanden"
CASE = {"case_id": "Ärendets id."}


@bp.get("/cases/<int:case_id>/report/revisions")
@described(
    operation_id="listReportRevisions",
    tag=TAG,
    summary="Versionerna",
    responses={200: (RevisionList, "Alla versioner, äldst först.")},
    errors=("NotFound",),
    path_parameters=CASE,
)
def list_report_revisions(case_id: int):
    report = load_report(case_id)
    return jsonify(items=[revision_json(r) for r in report.revisions])


def _revision(report: CaseReport, number: int) -> ReportRevision:
    revision = report.revision(number)
    if revision is None:
        abort(404, f"Version {number} finns inte.")
    return revision


@bp.get("/cases/<int:case_id>/report/revisions/<int:number>")
@described(
    operation_id="getReportRevision",
    tag=TAG,
    summary="En version med innehåll",
    responses={200: (RevisionReply, "Versionen.")},
    errors=("NotFound",),
    path_parameters={**CASE, "number": "Versionens nummer."},
)
def get_report_revision(case_id: int, number: int):
    return jsonify(revision=revision_json(_revision(load_report(case_id), number), with_content=True))


@bp.get("/cases/<int:case_id>/report/revisions/compare")
@described(
    operation_id="compareReportRevisions",
    tag=TAG,
    summary="Jämför två versioner",
    query=CompareQuery,
    responses={200: (Comparison, "De fält som skiljer, som ren text.")},
    description="Båda versionerna (`a` och `b`) krävs.",
    errors=("BadRequest", "NotFound", "Unprocessable"),
    path_parameters=CASE,
)
def compare_report_revisions(case_id: int):
    report = load_report(case_id)
    args = query_values()
    missing = {
        name: "Ange två versioner att jämföra (a och b)." for name in CompareQuery.model_fields if name not in args
    }
    if missing:
        raise InputError(missing)
    found = {name: report.revision(args[name]) for name in CompareQuery.model_fields}
    unknown = {name: f"Version {args[name]} finns inte." for name, rev in found.items() if rev is None}
    if unknown:
        raise InputError(unknown, status=422)
    a, b = (ReportContent.from_json(found[name].content) for name in CompareQuery.model_fields)
    sections = section_titles(report.case.committee.municipality, keep=None)
    changes = [asdict(change) for change in text_changes(a, b, sections)]
    return jsonify(a=args["a"], b=args["b"], changes=changes)


@bp.get("/cases/<int:case_id>/report/timeline")
@described(
    operation_id="getReportTimeline",
    tag=TAG,
    summary="Tidslinjen",
    responses={200: (Timeline, "Stegen, äldst först.")},
    errors=("NotFound",),
    path_parameters=CASE,
)
def report_timeline(case_id: int):
    return jsonify(items=[transition_json(row) for row in load_report(case_id).transitions])
