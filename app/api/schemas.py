"""What the API's endpoints share besides their schemas (app/api/spec.py): the input error and the checks of a
JSON body that come before its fields, loading by id, and JSON for the models."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, request, url_for
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from agenda.standing_items import template_for
from app.api import bp
from app.api.errors import json_error
from app.auth.models import Role, User
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, can
from app.registry.diaria import registering_diarium
from app.registry.models import Case, ClassificationCode, RegisteredDocument
from app.validation import INVALID_CHARACTER, ValidationError, has_lone_surrogate
from workflows.models import (
    CaseReport,
    ReportAttachment,
    ReportRevision,
    ReportTransition,
)
from workflows.states import TRANSITIONS

#: the largest id or page number accepted: larger values overflow the database's integers
INT_MAX = 2**31 - 1


class InputError(ValidationError):
    """Malformed input (unknown name, wrong type, not JSON); answered with 400 unless ``status`` says otherwise."""

    def __init__(self, errors: dict[str, str] | str, status: int = 400):
        super().__init__(errors)
        self.status = status


@bp.errorhandler(InputError)
def on_input_error(exc: InputError):
    fields = {k: v for k, v in exc.errors.items() if k != "_"}
    return json_error(exc.status, exc.message, fields)


def refuse_repeated_query_names() -> None:
    """Refuse a query string that names a parameter more than once."""
    repeated = {name: f"{name} får bara anges en gång." for name, vals in request.args.lists() if len(vals) > 1}
    if repeated:
        raise InputError(repeated)


def read_json_body() -> dict:
    """Return the request's JSON object; refuse another content type, bad JSON, too deep or unstorable text."""
    if not request.is_json:
        raise InputError("Skicka innehållet som JSON med Content-Type: application/json.", status=415)
    try:
        body = request.get_json()
    except BadRequest:
        raise InputError({"body": "Innehållet är inte giltig JSON."}) from None
    except RecursionError:  # Python's parser gives up near 1,000 levels
        raise InputError({"body": TOO_DEEP}) from None
    _check_json(body)
    if not isinstance(body, dict):
        raise InputError({"body": "Innehållet måste vara ett JSON-objekt."})
    return body


#: how deep a JSON body may nest: a report's content needs four levels
MAX_JSON_DEPTH = 32
TOO_DEEP = f"Innehållet är för djupt nästlat (högst {MAX_JSON_DEPTH} nivåer)."


def _check_json(body) -> None:
    """Refuse a body nested deeper than MAX_JSON_DEPTH, or with a text (value or name) no database can store.

    Walked without recursion; an error names the top-level field it is in.
    """
    stack = [(body, 1, None)]
    while stack:
        value, depth, field = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InputError({"body": TOO_DEEP})
        if isinstance(value, dict):
            for key, item in value.items():
                here = field or key
                if has_lone_surrogate(key):
                    raise InputError({"body": f"Ett fältnamn {INVALID_CHARACTER}"})
                stack.append((item, depth + 1, here))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
        elif isinstance(value, str) and has_lone_surrogate(value):
            raise InputError({field or "body": f"Texten {INVALID_CHARACTER}"})


UNKNOWN_COMMITTEE = "Nämnden finns inte."


def member_committee(committee_id: int | None, *, status: int) -> Committee:
    """Return the committee if the caller has a role in it; the same error whether it exists or not."""
    if committee_id is None:
        raise InputError({"committee_id": "Välj nämnd."}, status=status)
    committee = db.session.get(Committee, committee_id)
    if committee is None or not can(current_user, Action.view_committee, committee):
        raise InputError({"committee_id": UNKNOWN_COMMITTEE}, status=status)
    return committee


def get_or_404(model, ident: int):
    """Load a row by id or abort with 404 (also for ids too large for any row)."""
    row = db.session.get(model, ident) if ident <= INT_MAX else None
    if row is None:
        abort(404)
    return row


# --- JSON for the models -------------------------------------------------------------------


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def user_ref(user: User | None, *, with_title: bool = False) -> dict | None:
    if user is None:
        return None
    out = {"id": user.id, "name": user.name}
    if with_title:
        out["title"] = user.title
    return out


def committee_ref(committee: Committee) -> dict:
    return {"id": committee.id, "name": committee.name, "registry_prefix": committee.registry_prefix}


def _diarium_ref(committee: Committee) -> dict | None:
    """The diarium the committee's new cases are numbered in (an utskott's parent's), if it has one yet."""
    diarium = registering_diarium(committee)
    if diarium is None:
        return None
    return {"id": diarium.id, "name": diarium.name, "series": diarium.series, "number_format": diarium.number_format}


def committee_json(committee: Committee, roles: set[Role]) -> dict:
    municipality = committee.municipality
    return {
        **committee_ref(committee),
        "kind": committee.kind.value,
        "kind_label": committee.kind.label,
        "parent_id": committee.parent_id,
        "administration": {"id": committee.administration.id, "name": committee.administration.name},
        "municipality": {
            "id": municipality.id,
            "name": municipality.name,
            "registration_number_format": municipality.registration_number_format,
        },
        "diarium": _diarium_ref(committee),
        "roles": sorted(role.value for role in roles),
        "notice_days": committee.notice_days,
        "standing_items": [
            {"title": item.title, "kind": item.kind.value, "closes_agenda": item.closes_agenda}
            for item in template_for(committee)
        ],
        "links": {"self": url_for("api.get_committee", committee_id=committee.id, _external=True)},
    }


def classification_json(code: ClassificationCode) -> dict:
    return {"code": code.code, "name": code.name}


def _case_core(case: Case) -> dict:
    out = {"id": case.id, "number": case.number, "title": case.title}
    if case.is_confidential:
        out["public_title"] = case.display_public_title
    out.update(
        {
            "committee": committee_ref(case.committee),
            "classification": classification_json(case.classification) if case.classification else None,
            "status": case.status.value,
            "status_label": case.status.label,
            "registered_on": iso(case.registered_on),
            "closed_on": iso(case.closed_on),
            "case_officer": user_ref(case.case_officer, with_title=True),
            "external_reference": case.external_reference,
        }
    )
    return out


def _case_links(case: Case) -> dict:
    return {
        "self": url_for("api.get_case", case_id=case.id, _external=True),
        "html": url_for("registry.case_detail", case_id=case.id, _external=True),
    }


def case_summary_json(case: Case) -> dict:
    """Return a case as listed, without its documents."""
    return {**_case_core(case), "is_confidential": case.is_confidential, "links": _case_links(case)}


def case_json(case: Case, *, sees_secrets: bool) -> dict:
    """Return a case with its confidentiality decision and registered documents.

    Without ``sees_secrets`` the party of a confidential document is null, as on the case's page.
    """
    return {
        **_case_core(case),
        "confidentiality": {
            "is_confidential": case.is_confidential,
            "provision": case.secrecy_provision,
            "decided_on": iso(case.secrecy_decided_on),
            "decided_by": user_ref(case.secrecy_decided_by),
        },
        "documents": [document_json(d, sees_secrets=sees_secrets) for d in case.documents],
        "links": _case_links(case),
    }


def document_json(document: RegisteredDocument, *, sees_secrets: bool) -> dict:
    masked = document.is_confidential and not sees_secrets
    return {
        "number": document.number,
        "direction": document.direction.value,
        "direction_label": document.direction.label,
        "document_date": iso(document.document_date),
        "counterparty": None if masked else document.counterparty,
        "description": document.description,
        "external_reference": document.external_reference,
        "is_confidential": document.is_confidential,
        "registered_from": document.source_kind,
        "sha256": document.sha256,
    }


def page_json(pagination, items: list[dict]) -> dict:
    """Return a page of a list with links to its neighbours (same query, other page)."""

    def link(page: int) -> str:
        return url_for(
            request.endpoint, **{**request.view_args, **request.args.to_dict(), "page": page}, _external=True
        )

    return {
        "items": items,
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total,
        "pages": pagination.pages,
        "next": link(pagination.page + 1) if pagination.has_next else None,
        "prev": link(min(pagination.page - 1, max(pagination.pages, 1))) if pagination.has_prev else None,
    }


# --- case reports (tjänsteutlåtanden) ------------------------------------------------------------


def iso_dt(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def report_links(case_id: int) -> dict:
    """Return the addresses of a report and of what hangs on it."""

    def api(endpoint: str) -> str:
        return url_for(endpoint, case_id=case_id, _external=True)

    return {
        "self": api("api.get_report"),
        "html": url_for("reports.report", case_id=case_id, _external=True),
        "case": api("api.get_case"),
        "content": api("api.save_report_content"),
        "revisions": api("api.list_report_revisions"),
        "timeline": api("api.report_timeline"),
        "transitions": api("api.report_transition"),
        "attachments": api("api.upload_report_attachment"),
    }


def signature_json(report: CaseReport) -> dict | None:
    if report.signed_revision is None:
        return None
    return {
        "revision": report.signed_revision,
        "hash": report.signed_hash,
        "signed_at": iso_dt(report.signed_dt),
        "signed_by": user_ref(report.signed_by),
    }


def attachment_json(attachment: ReportAttachment, *, may_read: bool) -> dict:
    """Return a bilaga; a confidential one the caller may not read shows neither title, name, hash nor link."""
    stored, document = attachment.file, attachment.registered_document
    masked = attachment.is_confidential and not may_read
    download = None
    if stored is not None and not masked:
        download = url_for(
            "api.download_report_attachment",
            case_id=attachment.report.case_id,
            attachment_id=attachment.id,
            _external=True,
        )
    return {
        "id": attachment.id,
        "position": attachment.position,
        "label": f"Bilaga {attachment.position}" if masked else attachment.label,
        "title": None if masked else attachment.title,
        "filename": None if masked else attachment.filename,
        "is_confidential": attachment.is_confidential,
        "content_type": stored.content_type if stored else None,
        "size": stored.size if stored else None,
        "sha256": stored.sha256 if stored and not masked else None,
        "download_url": download,
        "registered_document_number": document.number if document else None,
        "added_by": user_ref(attachment.added_by),
        "added_at": iso_dt(attachment.added_dt),
    }


def report_json(report: CaseReport, *, allowed_transitions: list[str], may_read_confidential: bool) -> dict:
    """Return a report with its current content, bilagor and the transitions the caller may try."""
    case = report.case
    current = report.revision()
    return {
        "case_id": case.id,
        "case_number": case.number,
        "state": report.state.value,
        "state_label": report.state.label,
        "current_revision": report.current_revision,
        "due_on": iso(report.due_on),
        "editors": [user_ref(u) for u in _report_editors(report)],
        "signature": signature_json(report),
        "content": current.content if current else None,
        "attachments": [
            attachment_json(a, may_read=may_read_confidential)
            for a in sorted(report.current_attachments, key=lambda a: a.position)
        ],
        "allowed_transitions": allowed_transitions,
        "links": report_links(case.id),
    }


def _report_editors(report: CaseReport) -> list[User]:
    """The case officer first, then the co-authors."""
    officer = report.case.case_officer
    return ([officer] if officer else []) + [u for u in report.editors if officer is None or u.id != officer.id]


def revision_json(revision: ReportRevision, *, with_content: bool = False) -> dict:
    out = {
        "number": revision.number,
        "based_on": revision.based_on,
        "author": user_ref(revision.author),
        "created_at": iso_dt(revision.created_dt),
        "changed_fields": list(revision.changed_fields or []),
        "content_hash": revision.content_hash,
    }
    if with_content:
        out["content"] = revision.content
    return out


#: the timeline's name for the report's first step (not a transition of the table)
CREATED_LABEL = "Utlåtandet påbörjat"


def transition_json(row: ReportTransition) -> dict:
    t = TRANSITIONS.get(row.name)
    return {
        "name": row.name,
        "label": t.label if t else CREATED_LABEL,
        "from_state": row.from_state.value if row.from_state else None,
        "from_state_label": row.from_state.label if row.from_state else None,
        "to_state": row.to_state.value,
        "to_state_label": row.to_state.label,
        "user": user_ref(row.user),
        "comment": row.comment,
        "revision_number": row.revision_number,
        "created_at": iso_dt(row.created_dt),
        "content_hash": row.content_hash,
    }


def queue_item_json(report: CaseReport) -> dict:
    """Return a report as the review queue lists it."""
    case = report.case
    return {
        "case_id": case.id,
        "case_number": case.number,
        "case_title": case.title,
        "is_confidential": case.is_confidential,
        "committee": committee_ref(case.committee),
        "case_officer": user_ref(case.case_officer),
        "state": report.state.value,
        "state_label": report.state.label,
        "current_revision": report.current_revision,
        "due_on": iso(report.due_on),
        "is_overdue": bool(report.due_on and report.due_on < local_today()),
        "links": {
            "self": url_for("api.get_report", case_id=case.id, _external=True),
            "html": url_for("reports.report", case_id=case.id, _external=True),
        },
    }
