"""Committees (nämnder) in the API: the caller's committees and their classification plan."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from sqlalchemy import select

from app.api import bp
from app.api.committee_schemas import CaseOfficerList, ClassificationList, CommitteeList, CommitteeReply
from app.api.schemas import classification_json, committee_json, get_or_404
from app.api.spec import described
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, can, require
from app.registry.models import ClassificationCode
from app.registry.queries import case_officers


def load_committee(committee_id: int) -> Committee:
    """Return the committee if the caller is a member; 404 otherwise, whether it exists or not."""
    committee = get_or_404(Committee, committee_id)
    require(current_user, Action.view_committee, committee)
    return committee


@bp.get("/committees")
@described(
    operation_id="listCommittees",
    tag="Nämnder",
    summary="Dina nämnder",
    responses={200: (CommitteeList, "Nämnderna där du har en roll.")},
)
def list_committees():
    user = current_user
    items = [committee_json(c, user.roles_in(c.id)) for c in user.committees() if can(user, Action.view_committee, c)]
    return jsonify(items=items)


@bp.get("/committees/<int:committee_id>")
@described(
    operation_id="getCommittee",
    tag="Nämnder",
    summary="En nämnd",
    responses={200: (CommitteeReply, "Nämnden.")},
    errors=("NotFound",),
    path_parameters={"committee_id": "Nämndens id."},
)
def get_committee(committee_id: int):
    committee = load_committee(committee_id)
    return jsonify(committee=committee_json(committee, current_user.roles_in(committee.id)))


@bp.get("/committees/<int:committee_id>/classification-codes")
@described(
    operation_id="listClassificationCodes",
    tag="Nämnder",
    summary="Klassificeringsstrukturens aktiva koder",
    responses={200: (ClassificationList, "Koderna som kan väljas för nya ärenden.")},
    errors=("NotFound",),
    path_parameters={"committee_id": "Nämndens id."},
)
def list_classification_codes(committee_id: int):
    committee = load_committee(committee_id)
    codes = db.session.scalars(
        select(ClassificationCode)
        .where(ClassificationCode.municipality_id == committee.municipality_id, ClassificationCode.is_active)
        .order_by(ClassificationCode.code)
    )
    return jsonify(items=[classification_json(c) for c in codes])


@bp.get("/committees/<int:committee_id>/case-officers")
@described(
    operation_id="listCaseOfficers",
    tag="Nämnder",
    summary="Nämndens handläggare",
    responses={200: (CaseOfficerList, "De aktiva handläggarna i nämnden, efter namn.")},
    description="Vem ett nytt ärende kan få som ansvarig handläggare (case_officer_id i POST /api/v1/cases). Kräver "
    "rätten att registrera ärenden i nämnden.",
    errors=("NotFound", "Forbidden"),
    path_parameters={"committee_id": "Nämndens id."},
)
def list_case_officers(committee_id: int):
    committee = load_committee(committee_id)
    require(current_user, Action.register_case, committee)
    return jsonify(
        items=[{"id": u.id, "name": u.name, "title": u.title or ""} for u, _name in case_officers([committee])]
    )
