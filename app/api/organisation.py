"""The municipality and its organisation in the API: details, förvaltningar and committees."""

from __future__ import annotations

from flask import abort, jsonify, url_for
from flask_login import current_user

from app.api import bp
from app.api.errors import json_error
from app.api.organisation_schemas import MunicipalityChange, MunicipalityReply
from app.api.spec import body_values, described
from app.extensions import db
from app.organisation import operations as org_ops
from app.organisation.models import Municipality
from app.permissions import Action, administered_municipalities, can, require


def own_municipality() -> Municipality:
    """Return the municipality the caller administers, else the one of their committees; 404 if none."""
    administered = administered_municipalities(current_user, Action.manage_organisation)
    if administered:
        return administered[0]
    committees = current_user.committees()
    if not committees:
        abort(404)
    return committees[0].municipality


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
        return json_error(
            422,
            "Ange minst ett fält att ändra.",
            {"body": "Ange minst ett fält att ändra: " + ", ".join(org_ops.MUNICIPALITY_FIELDS) + "."},
        )
    org_ops.update_municipality(municipality, user=current_user._get_current_object(), values=values)
    db.session.commit()
    return jsonify(municipality=municipality_json(municipality))
