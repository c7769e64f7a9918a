"""The municipality and its organisation in the API: details, förvaltningar and committees."""

from __future__ import annotations

from flask import abort, jsonify, url_for
from flask_login import current_user
from sqlalchemy import select

from app.api import bp
from app.api.diaria import set_committee_diarium
from app.api.errors import json_error
from app.api.organisation_schemas import (
    AdministrationChange,
    AdministrationList,
    AdministrationReply,
    CommitteeChange,
    MunicipalityChange,
    MunicipalityReply,
    OrganisationCommitteeReply,
)
from app.api.schemas import get_or_404
from app.api.spec import body_values, described
from app.extensions import db
from app.organisation import operations as org_ops
from app.organisation.models import Administration, Committee, Municipality
from app.permissions import Action, administered_municipalities, can, require
from app.registry.diaria import registering_diarium


def own_municipality() -> Municipality:
    """Return the municipality the caller administers, else the one of their committees; 404 if none."""
    administered = administered_municipalities(current_user, Action.manage_organisation)
    if administered:
        return administered[0]
    committees = current_user.committees()
    if not committees:
        abort(404)
    return committees[0].municipality


ADDRESS_FIELDS = ("postal_address", "visiting_address", "phone", "email", "web")


def acting():
    return current_user._get_current_object()


def _nothing_to_change(fields: tuple[str, ...]):
    return json_error(
        422, "Ange minst ett fält att ändra.", {"body": "Ange minst ett fält att ändra: " + ", ".join(fields) + "."}
    )


def municipality_json(m: Municipality) -> dict:
    return {
        "id": m.id,
        "name": m.name,
        "organisation_number": m.organisation_number,
        "postal_address": m.postal_address,
        "visiting_address": m.visiting_address,
        "phone": m.phone,
        "email": m.email,
        "web": m.web,
        "logo": {"content_type": m.logo_content_type, "sha256": m.logo_sha256} if m.logo_key else None,
        "may_administer": can(current_user, Action.manage_organisation, m),
        "links": {"self": url_for("api.get_municipality", _external=True)},
    }


@bp.get("/municipality")
@described(
    operation_id="getMunicipality",
    tag="Organisation",
    summary="Din kommun",
    responses={200: (MunicipalityReply, "Kommunens uppgifter.")},
    errors=("NotFound",),
)
def get_municipality():
    return jsonify(municipality=municipality_json(own_municipality()))


@bp.patch("/municipality")
@described(
    operation_id="updateMunicipality",
    tag="Organisation",
    summary="Ändra kommunens uppgifter",
    body=MunicipalityChange,
    responses={200: (MunicipalityReply, "Kommunens uppgifter efter ändringen.")},
    description="Kräver rollen kommunadministratör. Bara de fält som skickas ändras.",
    errors=("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable"),
)
def update_municipality():
    municipality = own_municipality()
    require(current_user, Action.manage_organisation, municipality)
    values = body_values()
    if not values:
        return _nothing_to_change(org_ops.MUNICIPALITY_FIELDS)
    org_ops.update_municipality(municipality, user=acting(), values=values)
    db.session.commit()
    return jsonify(municipality=municipality_json(municipality))


# --- förvaltningar ---


def administration_json(a: Administration) -> dict:
    return {
        "id": a.id,
        "name": a.name,
        **{key: getattr(a, key) for key in ADDRESS_FIELDS},
        "address_block": a.address_block(),
        "links": {"self": url_for("api.update_administration", administration_id=a.id, _external=True)},
    }


def _managed_administration(administration_id: int) -> Administration:
    """Return a förvaltning of the caller's municipality; 404 for another's, 403 unless they administer it."""
    administration = get_or_404(Administration, administration_id)
    if administration.municipality_id != own_municipality().id:
        abort(404)
    require(current_user, Action.manage_organisation, administration.municipality)
    return administration


@bp.get("/administrations")
@described(
    operation_id="listAdministrations",
    tag="Organisation",
    summary="Kommunens förvaltningar",
    responses={200: (AdministrationList, "Förvaltningarna, efter namn.")},
    errors=("NotFound",),
)
def list_administrations():
    municipality = own_municipality()
    items = db.session.scalars(
        select(Administration).where(Administration.municipality_id == municipality.id).order_by(Administration.name)
    )
    return jsonify(items=[administration_json(a) for a in items])


@bp.post("/administrations")
@described(
    operation_id="createAdministration",
    tag="Organisation",
    summary="Lägg till en förvaltning",
    body=AdministrationChange,
    responses={201: (AdministrationReply, "Den nya förvaltningen.")},
    description="Kräver rollen kommunadministratör. Tomma adressfält tar kommunens på dokumenten.",
    errors=("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable"),
)
def create_administration():
    municipality = own_municipality()
    require(current_user, Action.manage_organisation, municipality)
    administration = org_ops.create_administration(municipality, user=acting(), values=body_values())
    db.session.commit()
    return jsonify(administration=administration_json(administration)), 201


@bp.patch("/administrations/<int:administration_id>")
@described(
    operation_id="updateAdministration",
    tag="Organisation",
    summary="Ändra en förvaltning",
    body=AdministrationChange,
    responses={200: (AdministrationReply, "Förvaltningen efter ändringen.")},
    description="Kräver rollen kommunadministratör. Bara de fält som skickas ändras.",
    errors=("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable"),
    path_parameters={"administration_id": "Förvaltningens id."},
)
def update_administration(administration_id: int):
    administration = _managed_administration(administration_id)
    values = body_values()
    if not values:
        return _nothing_to_change(org_ops.ADMINISTRATION_FIELDS)
    org_ops.update_administration(administration, user=acting(), values=values)
    db.session.commit()
    return jsonify(administration=administration_json(administration))


# --- nämnder, utskott, stadsdelsnämnder ---


def _ref(c) -> dict | None:
    return {"id": c.id, "name": c.name} if c is not None else None


def organisation_committee_json(c: Committee) -> dict:
    return {
        "id": c.id,
        "name": c.name,
        "kind": c.kind.value,
        "kind_label": c.kind.label,
        "registry_prefix": c.registry_prefix,
        "notice_days": c.notice_days,
        "minutes_kept_at": c.minutes_kept_at,
        "administration": _ref(c.administration),
        "parent": _ref(c.parent),
        "diarium": _ref(registering_diarium(c)),
        "subcommittees": [_ref(s) for s in sorted(c.subcommittees, key=lambda s: s.name)],
        "links": {"self": url_for("api.get_committee", committee_id=c.id, _external=True)},
    }


def _committee_values() -> dict:
    """The body's values, with the ids the operation takes as rows given as they came (it checks them)."""
    return body_values()


@bp.post("/committees")
@described(
    operation_id="createCommittee",
    tag="Organisation",
    summary="Lägg till en nämnd, ett utskott eller en stadsdelsnämnd",
    body=CommitteeChange,
    responses={201: (OrganisationCommitteeReply, "Den nya nämnden.")},
    description="Kräver rollen kommunadministratör. Ett utskott (kind=subcommittee) hör till en nämnd i samma "
    "kommun (parent_id) som inte själv är ett utskott; det har egna sammanträden, egen föredragningslista och "
    "egna ledamöter.",
    errors=("BadRequest", "Forbidden", "NotFound", "Conflict", "UnsupportedMediaType", "Unprocessable"),
)
def create_committee():
    municipality = own_municipality()
    require(current_user, Action.manage_organisation, municipality)
    values = _committee_values()
    diarium_id = values.pop("diarium_id", None)
    committee = org_ops.create_committee(municipality, user=acting(), values=values)
    if diarium_id is not None:
        set_committee_diarium(committee, diarium_id)
    db.session.commit()
    return jsonify(committee=organisation_committee_json(committee)), 201


@bp.patch("/committees/<int:committee_id>")
@described(
    operation_id="updateCommittee",
    tag="Organisation",
    summary="Ändra en nämnd",
    body=CommitteeChange,
    responses={200: (OrganisationCommitteeReply, "Nämnden efter ändringen.")},
    description="Kräver rollen kommunadministratör. Bara de fält som skickas ändras; ett utskott som blir en "
    "nämnd lämnar sin överordnade nämnd.",
    errors=("BadRequest", "Forbidden", "NotFound", "Conflict", "UnsupportedMediaType", "Unprocessable"),
    path_parameters={"committee_id": "Nämndens id."},
)
def update_committee(committee_id: int):
    committee = get_or_404(Committee, committee_id)
    if not can(current_user, Action.manage_organisation, committee):
        if not can(current_user, Action.view_committee, committee):
            abort(404)
        abort(403)
    values = _committee_values()
    diarium_id = values.pop("diarium_id", None)
    if not values and diarium_id is None:
        return _nothing_to_change((*org_ops.COMMITTEE_FIELDS, "diarium_id"))
    if values:
        org_ops.update_committee(committee, user=acting(), values=values)
    if diarium_id is not None:
        set_committee_diarium(committee, diarium_id)
    db.session.commit()
    return jsonify(committee=organisation_committee_json(committee))
