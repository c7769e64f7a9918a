"""Case reports (tjänsteutlåtanden) in the API: read, start, save, move through the workflow, review queue."""

from __future__ import annotations

from datetime import date

from flask import abort, jsonify, request, url_for
from flask_login import current_user

from app.api import bp
from app.api.errors import json_error
from app.api.report_schemas import (
    MANUAL_TRANSITIONS,
    ReportReply,
    ReviewQueue,
    SaveContent,
    SavedReply,
    SaveRefused,
    StartReport,
    TransitionRequest,
)
from app.api.schemas import (
    InputError,
    queue_item_json,
    report_json,
    revision_json,
)
from app.api.spec import NoParameters, body_values, described
from app.auth.models import User
from app.extensions import db
from app.permissions import Action, can, committees_where
from app.registry.models import Case
from workflows import access, operations, queries
from workflows.access import acting_user
from workflows.models import CaseReport
from workflows.states import EDITABLE, TRANSITIONS, is_author

#: the fields of a report's content (workflows.content.ReportContent)
CONTENT_FIELDS = ("title", "report_date", "sections", "proposals", "recipients", "signatories")


def load_case(case_id: int, action: Action = Action.view_report) -> Case:
    """Return the case if the caller may read its report and do ``action`` (workflows.access: 404 or 403)."""
    return access.load_case(current_user, case_id, action)


def load_report(case_id: int, action: Action = Action.view_report) -> CaseReport:
    """Return the case's report, checked as ``load_case``; 404 when the case has none."""
    return access.load_report(current_user, case_id, action)


def allowed_transitions(report: CaseReport, who: User) -> list[str]:
    """Name the workflow steps to offer ``who`` now (guards may still refuse)."""
    return [t.name for t in access.offered_transitions(report, who)]


def may_read_confidential_files(report: CaseReport, who: User) -> bool:
    """Answer whether ``who`` may see the titles and files of the report's confidential bilagor."""
    return access.may_read_confidential_bilagor(report, who)


def report_json_for(report: CaseReport) -> dict:
    """Return the report as the caller sees it."""
    who = acting_user()
    return report_json(
        report,
        allowed_transitions=allowed_transitions(report, who),
        may_read_confidential=may_read_confidential_files(report, who),
    )


def report_reply(report: CaseReport, status: int = 200, headers: dict | None = None, **extra):
    """Answer with the report (and ``extra`` members beside it)."""
    return jsonify(report=report_json_for(report), **extra), status, headers or {}


def commit() -> None:
    """Commit the request's changes (the outbox hands the messages queued in them to the worker)."""
    db.session.commit()


CASE = {"case_id": "Ärendets id."}
WRITE = ("BadRequest", "Forbidden", "NotFound", "Conflict", "UnsupportedMediaType", "Unprocessable")


@bp.get("/cases/<int:case_id>/report")
@described(
    operation_id="getReport",
    tag="Tjänsteutlåtanden",
    summary="Ärendets tjänsteutlåtande",
    responses={200: (ReportReply, "Utlåtandet.")},
    description=(
        "Ett ärendes tjänsteutlåtande: innehåll i versioner, arbetsflöde (utkast → granskning → godkänt → "
        "undertecknat), tidslinje och bilagor. Läses av tjänstepersoner i nämnden; ledamöter får 404."
    ),
    errors=("NotFound",),
    path_parameters=CASE,
)
def get_report(case_id: int):
    return report_reply(load_report(case_id))


@bp.post("/cases/<int:case_id>/report")
@described(
    operation_id="createReport",
    tag="Tjänsteutlåtanden",
    summary="Påbörja tjänsteutlåtandet",
    body=StartReport,  # none is needed: without content version 1 is the starting content
    body_optional=True,
    responses={201: (ReportReply, "Utlåtandet med sin första version.")},
    headers={201: {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "Adressen i API:t."}}},
    description="Kräver rollen handläggare i nämnden; ärendet ska vara öppet och sakna utlåtande. Med `content` "
    "blir det version 1, kontrollerat som varje sparning; utan kropp blir version 1 ärendemeningen som rubrik, "
    "dagens datum och du som undertecknare.",
    errors=WRITE,
    path_parameters=CASE,
)
def create_report(case_id: int):
    case = load_case(case_id, Action.write_report)
    data = body_values() if request.get_data() else {}
    raw = None
    if "content" in data:
        raw = data["content"]
        unknown = {
            f"content.{k[:40]}": f"Okänt fält ”{k[:40]}”; tillåtna: {', '.join(CONTENT_FIELDS)}."
            for k in raw
            if k not in CONTENT_FIELDS
        }
        if unknown:
            raise InputError(unknown)
    report = operations.create_report(case, user=acting_user(), raw=raw)
    commit()
    return report_reply(report, 201, {"Location": url_for("api.get_report", case_id=case.id, _external=True)})


def _content(data: dict) -> tuple[int, dict]:
    """Return based_on and the raw content of a save, refusing missing or unknown fields."""
    missing = {}
    if "based_on" not in data:
        missing["based_on"] = "Ange vilken version ändringen bygger på (based_on)."
    if "content" not in data:
        missing["content"] = "Skicka utlåtandets innehåll (content)."
    if missing:
        raise InputError(missing, status=422)
    unknown = {
        f"content.{k[:40]}": f"Okänt fält ”{k[:40]}”; tillåtna: {', '.join(CONTENT_FIELDS)}."
        for k in data["content"]
        if k not in CONTENT_FIELDS
    }
    if unknown:
        raise InputError(unknown)
    return data["based_on"], data["content"]


@bp.put("/cases/<int:case_id>/report/content")
@described(
    operation_id="saveReportContent",
    tag="Tjänsteutlåtanden",
    summary="Spara en ny version",
    body=SaveContent,
    responses={
        200: (SavedReply, "Den sparade versionen och utlåtandet."),
        409: (
            SaveRefused,
            "Utlåtandet har sparats av någon annan sedan `based_on`, eller kan inte "
            "ändras i sitt läge. Vid krock finns båda texterna i `conflict`.",
        ),
    },
    description="Bara ärendets handläggare och medförfattare. Ändras ett godkänt eller undertecknat "
    "utlåtande blir det ett utkast igen och underskriften gäller inte längre.",
    errors=tuple(e for e in WRITE if e != "Conflict"),
    path_parameters=CASE,
)
def save_report_content(case_id: int):
    report = load_report(case_id, Action.write_report)
    based_on, raw = _content(body_values())
    try:
        revision = operations.save_revision(report, user=acting_user(), raw=raw, based_on=based_on)
    except operations.RevisionConflict as exc:
        conflict = {
            "id": exc.conflict.id,
            "based_on": exc.conflict.based_on,
            "current_revision": exc.conflict.current_at_refusal,
            "current_content": exc.current.content,
            "your_content": exc.conflict.content,
        }
        commit()  # the refused text is kept (ReportConflict), so nothing is lost
        return jsonify(error={"status": 409, "message": exc.message, "conflict": conflict}), 409
    commit()
    return report_reply(report, revision=revision_json(revision, with_content=True))


def _manual_transition(data: dict) -> str:
    """Return the requested transition's name, refusing a missing or unknown one."""
    name = data.get("name")
    if not name:
        raise InputError({"name": "Ange åtgärd (name)."}, status=422)
    if name not in TRANSITIONS:
        raise InputError({"name": f"Åtgärd måste vara något av: {', '.join(MANUAL_TRANSITIONS)}."})
    return name


@bp.post("/cases/<int:case_id>/report/transitions")
@described(
    operation_id="transitionReport",
    tag="Tjänsteutlåtanden",
    summary="Flytta utlåtandet i arbetsflödet",
    body=TransitionRequest,
    responses={200: (ReportReply, "Utlåtandet i sitt nya läge.")},
    description="403: din roll tillåter inte åtgärden, eller du har själv skrivit i utlåtandet (ingen "
    "granskar sitt eget). 409: åtgärden går inte i utlåtandets läge. 422: något saknas, t.ex. "
    "Förslag till beslut eller en kommentar.",
    errors=WRITE,
    path_parameters=CASE,
)
def report_transition(case_id: int):
    report = load_report(case_id)
    data = body_values()
    name = _manual_transition(data)
    t = TRANSITIONS[name]
    if not t.is_manual:
        how = "när utlåtandet sparas" if name in EDITABLE.values() else "från föredragningslistan"
        message = f"”{t.label}” begärs inte här; det sker {how}."
        return json_error(409, message, {"name": message})
    operations.transition(report, user=acting_user(), name=name, comment=data.get("comment"))
    commit()
    return report_reply(report)


def _queue_order(report: CaseReport) -> tuple:
    """Sort by the earliest due date, undated last."""
    return (report.due_on is None, report.due_on or date.max, report.id)


@bp.get("/review-queue")
@described(
    operation_id="getReviewQueue",
    tag="Tjänsteutlåtanden",
    summary="Att granska och underteckna",
    query=NoParameters,
    responses={
        200: (
            ReviewQueue,
            ("Utlåtanden som väntar på dig (`items`) och de du själv skrivit i (`own`), med tidigast sista dag först."),
        )
    },
    description="Granskare ser utlåtanden under granskning, beslutsfattare godkända som väntar på "
    "underskrift, i sina nämnder.",
    errors=("BadRequest", "Forbidden"),
)
def review_queue():
    who = acting_user()
    if not committees_where(who, Action.review_reports):
        abort(403, "Granskningskön är för granskare och beslutsfattare.")
    waiting = [r for r in queries.review_queue(who) if can(who, Action.view_report, r.case)]
    waiting.sort(key=_queue_order)
    return jsonify(
        items=[queue_item_json(r) for r in waiting if not is_author(r, who)],
        own=[queue_item_json(r) for r in waiting if is_author(r, who)],
    )
