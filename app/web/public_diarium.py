"""The public diarium (offentlig diarieförteckning) without log-in: the cases and registered documents of every
committee, searchable by committee, dates and words, with secrets masked by ``app.registry.public_register``."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.organisation.models import Committee
from app.registry import public_register as register
from app.registry.access import get_by_id
from app.registry.models import Case, RegisteredDocument
from app.validation import ValidationError
from app.web.forms import apply_errors
from app.web.public import bp
from app.web.registry import MAX_PAGE
from app.web.registry_forms import PublicDiariumForm


@bp.route("/diarium")
def diarium():
    committees = list(db.session.scalars(select(Committee).order_by(Committee.name)))
    form = PublicDiariumForm(request.args)
    form.offer(committees)
    results, shown, status = None, [], 400
    if form.validate():
        try:
            results, shown = _search(form)
            status = 200
        except ValidationError as exc:
            apply_errors(form, exc)
    filters = {f.name: request.args[f.name] for f in form if request.args.get(f.name)}
    return render_template(
        "public/diarium.html",
        form=form,
        results=results,
        shown=shown,
        documents=form.visa.data == "handlingar",
        filters=filters,
        secret_title=register.SECRET_CASE_TITLE,
        secrecy_ground=register.SECRECY_GROUND,
    ), status


def _search(form: PublicDiariumForm):
    """One page of the matching cases or documents, and what the public may read of each."""
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    per_page = current_app.config["ITEMS_PER_PAGE"]
    query = form.query()
    if form.visa.data == "handlingar":
        stmt = register.search_public_documents(query).options(
            selectinload(RegisteredDocument.case).selectinload(Case.committee)
        )
        results = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
        return results, register.public_documents(list(results.items))
    results = db.paginate(
        register.search_public_cases(query).options(selectinload(Case.committee)),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    return results, register.public_cases(list(results.items))


@bp.route("/diarium/<int:case_id>")
def diarium_case(case_id: int):
    case = get_by_id(Case, case_id)
    if case is None:
        abort(404)
    return render_template(
        "public/diarium_case.html",
        case=register.public_case(case),
        documents=register.case_documents(case),
        secrecy_ground=register.SECRECY_GROUND,
    )
