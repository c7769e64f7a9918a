"""A report's history in the API: its revisions, a comparison of two, and its timeline."""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, jsonify

from app.api import bp
from app.api.reports import load_report
from app.api.schemas import (
    InputError,
    Param,
    read_query,
    revision_json,
    transition_json,
)
from workflows.compare import text_changes
from workflows.content import ReportContent
from workflows.models import CaseReport, ReportRevision
from workflows.operations import section_titles

COMPARE_PARAMS = {"a": Param("int", "Version a"), "b": Param("int", "Version b")}


@bp.get("/cases/<int:case_id>/report/revisions")
def list_report_revisions(case_id: int):
    report = load_report(case_id)
    return jsonify(items=[revision_json(r) for r in report.revisions])


def _revision(report: CaseReport, number: int) -> ReportRevision:
    revision = report.revision(number)
    if revision is None:
        abort(404, f"Version {number} finns inte.")
    return revision


@bp.get("/cases/<int:case_id>/report/revisions/<int:number>")
def get_report_revision(case_id: int, number: int):
    return jsonify(revision=revision_json(_revision(load_report(case_id), number), with_content=True))


@bp.get("/cases/<int:case_id>/report/revisions/compare")
def compare_report_revisions(case_id: int):
    report = load_report(case_id)
    args = read_query(COMPARE_PARAMS)
    missing = {name: "Ange två versioner att jämföra (a och b)." for name in COMPARE_PARAMS if name not in args}
    if missing:
        raise InputError(missing)
    found = {name: report.revision(args[name]) for name in COMPARE_PARAMS}
    unknown = {name: f"Version {args[name]} finns inte." for name, rev in found.items() if rev is None}
    if unknown:
        raise InputError(unknown, status=422)
    a, b = (ReportContent.from_json(found[name].content) for name in COMPARE_PARAMS)
    sections = section_titles(report.case.committee.municipality, keep=None)
    changes = [asdict(change) for change in text_changes(a, b, sections)]
    return jsonify(a=args["a"], b=args["b"], changes=changes)


@bp.get("/cases/<int:case_id>/report/timeline")
def report_timeline(case_id: int):
    return jsonify(items=[transition_json(row) for row in load_report(case_id).transitions])
