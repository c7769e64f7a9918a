"""Helpers for the API tests: the error bodies, reading back without holding a lock, the OpenAPI document,
and the case report API's demo case. Plain helpers; the report fixtures are in ``tests/integration/conftest.py``.
"""

from __future__ import annotations

from openapi_schema_validator import OAS31Validator
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from workflows.models import CaseReport, ReportConflict

SPEC_URL = "/api/v1/openapi.json"

#: the answer for what does not exist, or what the caller may not know exists
NOT_FOUND = {
    "error": {
        "status": 404,
        "message": ("Sidan eller uppgiften du söker finns inte, eller så saknar du behörighet att se den."),
    }
}
#: a case the caller sees, but an action on it they may not do
FORBIDDEN = {"error": {"status": 403, "message": "Du har inte behörighet att göra detta."}}


def scalar(stmt):
    """Read one value and end the transaction (on SQLite it holds the write lock the app's requests need)."""
    try:
        return db.session.scalar(stmt)
    finally:
        db.session.rollback()


def conforms(spec: dict, schema_name: str, instance) -> None:
    """Validate ``instance`` against a component schema of ``spec`` (refs resolve within the document)."""
    OAS31Validator({**spec, "$ref": f"#/components/schemas/{schema_name}"}).validate(instance)


# --- the case report API ---------------------------------------------------------------------------

#: the demo user "controller" is this case's officer; the demo writes no report for it
CASE_NUMBER = "SN-2017/30.909"
CASE_TITLE = "Granskningen av verkställighet av vissa av socialnämndens beslut och besvarande av remisser 2016"

COMPLETE = {
    "title": CASE_TITLE,
    "report_date": "2017-02-01",
    "sections": {
        "summary": "<p>Revisorerna har granskat verkställigheten.</p>",
        "description": "<p>Granskningen omfattar <strong>2016</strong>.</p>",
    },
    "proposals": [{"text": "Socialnämnden godkänner förvaltningens svar.", "immediately_adjusted": False}],
    "recipients": ["Kommunens revisorer"],
}


def url(case_id: int, tail: str = "") -> str:
    return f"/api/v1/cases/{case_id}/report{tail}"


def snapshot(case_id: int) -> tuple:
    """What a refused request must leave unchanged."""
    try:
        report = db.session.scalar(select(CaseReport).where(CaseReport.case_id == case_id))
        stored = (
            (report.state, report.current_revision, len(report.revisions), len(report.transitions), report.signed_hash)
            if report
            else None
        )
        return (
            stored,
            db.session.scalar(select(func.count()).select_from(ReportConflict)),
            db.session.scalar(select(func.count()).select_from(AuditEntry)),
        )
    finally:
        db.session.rollback()


def stored_report(session, case_id: int) -> CaseReport:
    return session.scalar(select(CaseReport).where(CaseReport.case_id == case_id))


def transition(client, headers, case_id: int, name: str, comment: str | None = None):
    body = {"name": name} if comment is None else {"name": name, "comment": comment}
    return client.post(url(case_id, "/transitions"), json=body, headers=headers)
