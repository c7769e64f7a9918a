"""Diarium pages: search, register a case, the case page and the actions on a case."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from agenda.models import Publication
from app.audit import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.permissions import Action, allowed_committees, can, committees_where, require
from app.registry import access
from app.registry import operations as ops
from app.registry.models import Case, RegisteredDocument
from app.registry.queries import search_cases
from app.storage import send_stored_file
from app.validation import ValidationError
from app.web.forms import EmptyForm, apply_errors
from app.web.registry_forms import (
    CaseConfidentialityForm,
    DocumentForm,
    EditCaseForm,
    RegisterCaseForm,
    SearchForm,
    VoidForm,
    submit,
)
from tasks.models import Job
from tasks.rendering import signed_report
from tasks.rendering.pdf import PDF_MIMETYPE
from workflows import queries as report_queries
from workflows.access import may_read_confidential_bilagor
from workflows.models import CaseReport

bp = Blueprint("registry", __name__)

#: the last page number a search offers: beyond it the offset would overflow the database's integers
MAX_PAGE = 100_000


def _municipality(committees: list[Committee]) -> Municipality | None:
    """Return the municipality of the user's committees (in practice they all share one)."""
    return committees[0].municipality if committees else None


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id is not None else None


def _load_case(case_id: int, action: Action) -> Case:
    """Return the case, or answer 404/403 (app.registry.access) unless the current user may do ``action`` on it."""
    return access.load_case(current_user, case_id, action)


def _case_url(case: Case) -> str:
    return url_for("registry.case_detail", case_id=case.id)


@bp.route("/diarium")
@login_required
def diarium():
    committees = allowed_committees(current_user, Action.view_case)
    municipality = _municipality(committees)
    form = SearchForm(request.args)
    form.offer(committees, municipality)
    results = None
    if form.validate():
        try:
            results = _search(form, municipality)
        except ValidationError as exc:
            apply_errors(form, exc)
    # Only the form's own fields, so nothing else in the query string reaches url_for().
    filters = {f.name: request.args[f.name] for f in form if request.args.get(f.name)}
    return render_template(
        "registry/diarium.html",
        form=form,
        results=results,
        filters=filters,
        committees=committees,
        may_register=bool(committees_where(current_user, Action.register_case)),
        may_export=bool(committees_where(current_user, Action.export_registry)),
        may_manage=municipality is not None and can(current_user, Action.manage_classification, municipality),
    ), 200 if results is not None else 400


def _search(form: SearchForm, municipality: Municipality | None):
    """Return one page of the cases matching ``form`` that the current user may see."""
    stmt = search_cases(current_user, form.case_filter()).options(
        selectinload(Case.case_officer), selectinload(Case.classification)
    )
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    return db.paginate(stmt, page=page, per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)


@bp.route("/diarium/registrera", methods=["GET", "POST"])
@login_required
def register_case():
    committees = allowed_committees(current_user, Action.register_case)
    if not committees:
        abort(403)
    form = RegisterCaseForm()
    form.offer(committees, _municipality(committees))
    if not form.is_submitted():
        form.preselect(committees, current_user)

    def operation():
        committee = db.session.get(Committee, form.committee.data)
        require(current_user, Action.register_case, committee)
        case = ops.register_case(
            committee=committee,
            user=current_user,
            title=form.title.data,
            classification_code=form.classification_code.data,
            case_officer=_user(form.case_officer_id.data),
            is_confidential=form.is_confidential.data,
            secrecy_provision=form.secrecy_provision.data,
            public_title=form.public_title.data,
            external_reference=form.external_reference.data,
        )
        return f"Ärendet har registrerats med diarienummer {case.number}.", _case_url(case)

    return submit(form, operation, lambda status: (render_template("registry/register.html", form=form), status))


@bp.route("/arenden/<int:case_id>")
@login_required
def case_detail(case_id: int):
    return _case_page(_load_case(case_id, Action.view_case))


def _case_page(case: Case, status: int = 200):
    """Render the case page, with its history if the current user may see it."""
    history, history_texts = None, {}
    if can(current_user, Action.view_case_history, case):
        history = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.case_id == case.id)
            .order_by(AuditEntry.created_dt, AuditEntry.id)
            .options(selectinload(AuditEntry.user))
        ).all()
        history_texts = report_queries.history_texts(case, history, current_user)
    return render_template(
        "registry/case.html",
        case=case,
        history=history,
        history_texts=history_texts,
        document_links=_document_links(case),
        pdf_jobs=_pdf_jobs(case),
        button_form=EmptyForm(),
    ), status


def _document_links(case: Case) -> dict[int, str]:
    """Where each handling the product registered by itself is read: the report, the bilaga's file, the kallelse
    (each of those pages checks who may read it)."""
    links: dict[int, str] = {}
    publications = {
        p.id: p
        for p in db.session.scalars(
            select(Publication).where(
                Publication.id.in_([d.source_id for d in case.documents if d.source_kind == "publication"])
            )
        )
    }
    for document in case.documents:
        if document.source_kind == "report" and document.storage_key is not None:
            links[document.id] = url_for("registry.document_file", case_id=case.id, document_id=document.id)
        elif document.source_kind == "report":
            links[document.id] = url_for("reports.report", case_id=case.id)
        elif document.source_kind == "attachment":
            links[document.id] = url_for(
                "reports.download_attachment", case_id=case.id, attachment_id=document.source_id
            )
        elif (publication := publications.get(document.source_id or 0)) is not None:
            links[document.id] = url_for(
                "meetings.notice", meeting_id=publication.meeting_id, version=publication.version
            )
    return links


def _pdf_jobs(case: Case) -> dict[int, Job]:
    """The render of each signed report's handling that has no PDF yet (queued, running or failed), by id."""
    waiting = [d for d in case.documents if d.source_kind == "report" and d.storage_key is None]
    return signed_report.latest_jobs(waiting)


@bp.route("/arenden/<int:case_id>/handlingar/<int:document_id>/fil")
@login_required
def document_file(case_id: int, document_id: int):
    """The stored PDF of a signed tjänsteutlåtande's handling, for whoever may read the case's report: inline,
    ``?nedladdning=1`` to save it. One naming a confidential bilaga by title only for those who may see it."""
    case = _load_case(case_id, Action.view_report)
    document = access.document_of(case, document_id)
    if document is None or document.source_kind != "report" or document.storage_key is None:
        abort(404)
    return _send_signed_pdf(document)


def _send_signed_pdf(document: RegisteredDocument):
    made_by = signed_report.job_of_file(document)
    report = db.session.get(CaseReport, document.source_id)
    if signed_report.names_confidential(made_by) and not (
        report is not None and may_read_confidential_bilagor(report, current_user)
    ):
        abort(
            403,
            "Tjänsteutlåtandet nämner en sekretessmarkerad bilaga; bara handläggarna och de som får se "
            "sekretessuppgifter i ärendet kan hämta det som PDF.",
        )
    assert document.storage_key is not None and document.sha256 is not None
    response = send_stored_file(
        document.storage_key,
        sha256=document.sha256,
        filename=(made_by.result_name if made_by else None) or "tjansteutlatande.pdf",
        mimetype=PDF_MIMETYPE,
        last_modified=made_by.finished_dt if made_by else None,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _case_form(case: Case, form, template: str, operation: Callable[[], str]):
    """Show a form about ``case``, or run ``operation`` (it returns the flash message) and go back to the case."""
    return submit(
        form,
        lambda: (operation(), _case_url(case)),
        lambda status: (render_template(template, case=case, form=form), status),
    )


def _case_button(case: Case, operation: Callable[[], str]):
    """Run a button's ``operation`` on ``case`` and go back to the case page."""
    return submit(EmptyForm(), lambda: (operation(), _case_url(case)), lambda status: _case_page(case, status))


@bp.route("/arenden/<int:case_id>/handlingar/ny", methods=["GET", "POST"])
@login_required
def register_document(case_id: int):
    case = _load_case(case_id, Action.register_document)
    form = DocumentForm()

    def operation() -> str:
        document = ops.register_document(
            case,
            user=current_user,
            direction=form.direction.data,
            document_date=form.document_date.data,
            description=form.description.data,
            counterparty=form.counterparty.data,
            external_reference=form.external_reference.data,
            is_confidential=form.is_confidential.data,
            secrecy_provision=form.secrecy_provision.data,
        )
        return f"Handling {document.number} har registrerats i ärende {case.number}."

    return _case_form(case, form, "registry/document_form.html", operation)


@bp.route("/arenden/<int:case_id>/andra", methods=["GET", "POST"])
@login_required
def edit_case(case_id: int):
    case = _load_case(case_id, Action.edit_case)
    form = EditCaseForm(obj=case)
    form.offer(case.committee)

    def operation() -> str:
        ops.update_case(
            case,
            user=current_user,
            title=form.title.data,
            case_officer=_user(form.case_officer_id.data),
            external_reference=form.external_reference.data,
        )
        return f"Ärende {case.number} har ändrats."

    return _case_form(case, form, "registry/edit_case.html", operation)


@bp.route("/arenden/<int:case_id>/sekretess", methods=["GET", "POST"])
@login_required
def set_confidentiality(case_id: int):
    case = _load_case(case_id, Action.set_confidentiality)
    form = CaseConfidentialityForm(obj=case)

    def operation() -> str:
        ops.set_confidentiality(
            case,
            user=current_user,
            is_confidential=form.is_confidential.data,
            secrecy_provision=form.secrecy_provision.data,
            public_title=form.public_title.data,
        )
        if case.is_confidential:
            return f"Ärende {case.number} är sekretessmarkerat ({case.secrecy_provision})."
        return f"Ärende {case.number} är inte längre sekretessmarkerat."

    return _case_form(case, form, "registry/confidentiality.html", operation)


@bp.route("/arenden/<int:case_id>/makulera", methods=["GET", "POST"])
@login_required
def void_case(case_id: int):
    case = _load_case(case_id, Action.void_case)
    form = VoidForm()

    def operation() -> str:
        ops.void_case(case, user=current_user, reason=form.reason.data)
        return f"Ärende {case.number} är makulerat. Diarienumret är förbrukat och används inte igen."

    return _case_form(case, form, "registry/void.html", operation)


@bp.route("/arenden/<int:case_id>/avsluta", methods=["POST"])
@login_required
def close_case(case_id: int):
    case = _load_case(case_id, Action.edit_case)

    def operation() -> str:
        ops.close_case(case, user=current_user)
        return f"Ärende {case.number} är avslutat."

    return _case_button(case, operation)


@bp.route("/arenden/<int:case_id>/ateroppna", methods=["POST"])
@login_required
def reopen_case(case_id: int):
    case = _load_case(case_id, Action.edit_case)

    def operation() -> str:
        ops.reopen_case(case, user=current_user)
        return f"Ärende {case.number} är återöppnat."

    return _case_button(case, operation)
