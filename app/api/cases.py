"""Cases (ärenden) in the API: search the diarium, read a case, look one up by number, register one."""

from __future__ import annotations

from flask import abort, current_app, jsonify, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.api import bp
from app.api.case_schemas import CaseFilters, CaseListQuery, CasePage, CaseReply, CommitteeFilter, NewCase
from app.api.schemas import InputError, case_json, case_summary_json, member_committee, page_json
from app.api.spec import body_values, described, query_values
from app.auth.models import User
from app.extensions import db
from app.permissions import Action, require
from app.registry import access, operations
from app.registry.models import Case
from app.registry.queries import CaseFilter, has_stored_number, parse_in_diaria, search_cases, visible_diaria
from app.validation import ValidationError


def _search(flt: CaseFilter):
    try:
        return search_cases(current_user, flt)
    except ValidationError as exc:
        raise InputError(exc.errors) from None


@bp.get("/cases")
@described(
    operation_id="listCases",
    tag="Ärenden",
    summary="Sök i diariet",
    query=CaseListQuery,
    responses={200: (CasePage, "En sida med ärenden, nyast först.")},
    description="Filtren kombineras (alla ska stämma). Sekretessärenden ingår bara om du får se dem.",
    errors=("BadRequest",),
)
def list_cases():
    args = query_values()
    if "committee_id" in args:
        member_committee(args["committee_id"], status=400)  # 400 for a committee the caller is not in
    flt = CaseFilter(
        **{
            name: value
            for name, value in args.items()
            if name in CaseFilters.model_fields or name in CommitteeFilter.model_fields
        }
    )
    stmt = _search(flt).options(
        selectinload(Case.committee), selectinload(Case.classification), selectinload(Case.case_officer)
    )
    pagination = db.paginate(
        stmt,
        page=args.get("page", 1),
        per_page=args.get("per_page", current_app.config["ITEMS_PER_PAGE"]),
        error_out=False,
    )
    return jsonify(page_json(pagination, [case_summary_json(c) for c in pagination.items]))


def _case_reply(case: Case, status: int = 200, headers: dict | None = None):
    sees_secrets = access.may_read_secrets(current_user, case)
    return jsonify(case=case_json(case, sees_secrets=sees_secrets)), status, headers or {}


@bp.get("/cases/<int:case_id>")
@described(
    operation_id="getCase",
    tag="Ärenden",
    summary="Ett ärende med handlingar",
    responses={200: (CaseReply, "Ärendet.")},
    errors=("NotFound",),
    path_parameters={"case_id": "Ärendets id."},
)
def get_case(case_id: int):
    return _case_reply(access.load_case(current_user, case_id))


@bp.get("/cases/by-number/<path:number>")
@described(
    operation_id="getCaseByNumber",
    tag="Ärenden",
    summary="Slå upp ett ärende på diarienummer",
    responses={200: (CaseReply, "Ärendet.")},
    description="Numret tolkas enligt kommunens diarienummerformat. Nummer från andra organisationer "
    "(t.ex. KSL/12/0177-37) är externa referenser och ger 400; sök dem med `q` i ärendelistan.",
    errors=("BadRequest", "NotFound"),
    path_parameters={"number": "Diarienumret, URL-kodat (snedstreck som %2F)."},
)
def get_case_by_number(number: str):
    diaria = visible_diaria(current_user)
    try:
        parsed = parse_in_diaria(number, diaria)
    except ValidationError as exc:
        parsed = []
        if not has_stored_number(number, diaria):  # a number in an older format is found as stored
            raise InputError({"number": exc.message}) from None
    matches = db.session.scalars(_search(CaseFilter(number=number)))
    # A typed classification code must be the case's own.
    codes = {parts.classification for _diarium, parts in parsed} - {None}
    case = next((c for c in matches if not codes or (c.classification and c.classification.code in codes)), None)
    if case is None:
        abort(404)
    return _case_reply(access.check_case(current_user, case))


def _case_officer(user_id: int | None) -> User | None:
    officer = db.session.get(User, user_id) if user_id is not None else None
    if user_id is not None and officer is None:
        raise InputError({"case_officer_id": "Handläggaren finns inte."}, status=422)
    return officer


@bp.post("/cases")
@described(
    operation_id="registerCase",
    tag="Ärenden",
    summary="Registrera ett ärende",
    body=NewCase,
    responses={201: (CaseReply, "Ärendet med sitt nya diarienummer.")},
    headers={
        201: {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "Ärendets adress i API:t."}}
    },
    description="Kräver rollen registrator, handläggare, nämndsekreterare eller administratör i nämnden. "
    "Diarienumret tilldelas i nämndens serie för innevarande år.",
    errors=("BadRequest", "Forbidden", "UnsupportedMediaType", "Unprocessable"),
)
def register_case():
    data = body_values()
    committee = member_committee(data.get("committee_id"), status=422)
    user = current_user._get_current_object()
    require(user, Action.register_case, committee)
    case = operations.register_case(
        committee=committee,
        user=user,
        title=data.get("title"),
        classification_code=data.get("classification_code"),
        case_officer=_case_officer(data.get("case_officer_id")),
        is_confidential=data.get("is_confidential", False),
        secrecy_provision=data.get("secrecy_provision"),
        public_title=data.get("public_title"),
        external_reference=data.get("external_reference"),
    )
    db.session.commit()
    return _case_reply(case, 201, {"Location": url_for("api.get_case", case_id=case.id, _external=True)})
