"""Diaria in the API: list, read, create and change them, and choose the diarium a committee registers in."""

from __future__ import annotations

from flask import abort, jsonify, url_for
from flask_login import current_user
from sqlalchemy import select

from app.api import bp
from app.api.diarium_schemas import DiariumChange, DiariumList, DiariumReply, NewDiarium, Preview, PreviewQuery
from app.api.schemas import InputError, get_or_404
from app.api.spec import body_values, described, query_values
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.permissions import Action, can, require
from app.registry import diaria as ops
from app.registry.models import Diarium

TAG = "Diarier"
DIARIUM = {"diarium_id": "Diariets id."}


def diarium_json(diarium: Diarium) -> dict:
    shown = ops.preview(diarium.number_format, diarium.series, diarium=diarium)
    return {
        "id": diarium.id,
        "municipality_id": diarium.municipality_id,
        "name": diarium.name,
        "series": diarium.series,
        "number_format": diarium.number_format,
        "next_number": shown.get("number", ""),
        "uses_classification": bool(shown.get("uses_class")),
        "committees": [{"id": c.id, "name": c.name, "registry_prefix": c.registry_prefix} for c in diarium.committees],
        "links": {"self": url_for("api.get_diarium", diarium_id=diarium.id, _external=True)},
    }


def _load_diarium(diarium_id: int, action: Action | None = None) -> Diarium:
    """The diarium if the caller has a role in its municipality (else 404), and may do ``action`` there (else 403)."""
    diarium = get_or_404(Diarium, diarium_id)
    if not _knows(diarium.municipality):
        abort(404)
    if action is not None:
        require(current_user, action, diarium.municipality)
    return diarium


def _reply(diarium: Diarium, status: int = 200, headers: dict | None = None):
    return jsonify(diarium=diarium_json(diarium)), status, headers or {}


@bp.get("/diaria")
@described(
    operation_id="listDiaria",
    tag=TAG,
    summary="Diarierna",
    responses={200: (DiariumList, "Diarierna i kommunerna där du har en roll, med format och nämnder.")},
)
def list_diaria():
    return jsonify(items=[diarium_json(d) for d in _known_diaria()])


@bp.get("/diaria/preview")
@described(
    operation_id="previewDiariumNumber",
    tag=TAG,
    summary="Förhandsgranska ett format",
    query=PreviewQuery,
    responses={200: (Preview, "Numret nästa ärende skulle få.")},
    description="Visar vad en seriekod och ett format ger, utan att spara något; ett format som inte kan "
    "godtas ger 422 med skälet per fält. Kräver rätten att administrera kommunens diarier.",
    errors=("BadRequest", "Forbidden", "Unprocessable"),
)
def preview_diarium_number():
    args = query_values()
    diarium = None
    if "diarium_id" in args:
        diarium = db.session.get(Diarium, args["diarium_id"])
        if diarium is None or not _knows(diarium.municipality):
            raise InputError({"diarium_id": "Diariet finns inte."}, status=422)
        require(current_user, Action.manage_diaria, diarium.municipality)
    elif not any(can(current_user, Action.manage_diaria, m) for m in db.session.scalars(select(Municipality))):
        abort(403)
    shown = ops.preview(args.get("number_format", ""), args.get("series", ""), diarium=diarium)
    if shown["errors"]:
        raise InputError(shown["errors"], status=422)
    return jsonify(number=shown["number"], uses_classification=shown["uses_class"])


@bp.get("/diaria/<int:diarium_id>")
@described(
    operation_id="getDiarium",
    tag=TAG,
    summary="Ett diarium",
    responses={200: (DiariumReply, "Diariet.")},
    errors=("NotFound",),
    path_parameters=DIARIUM,
)
def get_diarium(diarium_id: int):
    return _reply(_load_diarium(diarium_id))


def set_committee_diarium(committee: Committee, diarium_id: int) -> None:
    """Let the committee register in the diarium (PATCH or POST /committees with diarium_id): 403 without the
    right to manage the municipality's diaria, 422 for a diarium the caller does not know, 409 for an utskott."""
    require(current_user, Action.manage_diaria, committee.municipality)
    diarium = db.session.get(Diarium, diarium_id)
    if diarium is None or not _knows(diarium.municipality):
        raise InputError({"diarium_id": "Diariet finns inte."}, status=422)
    ops.assign_committee(committee, diarium, user=current_user._get_current_object())


def _knows(municipality: Municipality) -> bool:
    """Whether the caller may know the municipality's diaria: a role in it, or its administration."""
    return can(current_user, Action.view_committee, municipality) or can(
        current_user, Action.manage_diaria, municipality
    )


def _known_diaria() -> list[Diarium]:
    municipalities = [m.id for m in db.session.scalars(select(Municipality)) if _knows(m)]
    return list(
        db.session.scalars(select(Diarium).where(Diarium.municipality_id.in_(municipalities)).order_by(Diarium.id))
    )


def _municipality(municipality_id: int | None) -> Municipality:
    """The municipality of a new diarium: the one given, or the only one whose diaria the caller manages."""
    if municipality_id is not None:
        municipality = db.session.get(Municipality, municipality_id)
        if municipality is None or not _knows(municipality):
            raise InputError({"municipality_id": "Kommunen finns inte."}, status=422)
        require(current_user, Action.manage_diaria, municipality)
        return municipality
    managed = [m for m in db.session.scalars(select(Municipality)) if can(current_user, Action.manage_diaria, m)]
    if not managed:
        abort(403)
    if len(managed) > 1:
        raise InputError({"municipality_id": "Ange kommunen: du administrerar diarier i flera kommuner."}, status=422)
    return managed[0]


@bp.post("/diaria")
@described(
    operation_id="createDiarium",
    tag=TAG,
    summary="Skapa ett diarium",
    body=NewDiarium,
    responses={201: (DiariumReply, "Det nya diariet.")},
    headers={
        201: {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "Diariets adress i API:t."}}
    },
    description="Kräver rätten att administrera kommunens diarier. Seriekoden är unik i kommunen (annars 409).",
    errors=("BadRequest", "Forbidden", "Conflict", "UnsupportedMediaType", "Unprocessable"),
)
def create_diarium():
    data = body_values()
    municipality = _municipality(data.get("municipality_id"))
    diarium = ops.create_diarium(
        municipality,
        user=current_user._get_current_object(),
        name=data.get("name"),
        series=data.get("series"),
        number_format=data.get("number_format"),
    )
    db.session.commit()
    return _reply(diarium, 201, {"Location": url_for("api.get_diarium", diarium_id=diarium.id, _external=True)})


@bp.patch("/diaria/<int:diarium_id>")
@described(
    operation_id="changeDiarium",
    tag=TAG,
    summary="Ändra ett diarium",
    body=DiariumChange,
    responses={200: (DiariumReply, "Diariet.")},
    description="Ett nytt format eller en ny seriekod gäller ärenden som registreras härefter; "
    "redan givna diarienummer ändras aldrig.",
    errors=("BadRequest", "Forbidden", "NotFound", "Conflict", "UnsupportedMediaType", "Unprocessable"),
    path_parameters=DIARIUM,
)
def change_diarium(diarium_id: int):
    diarium = _load_diarium(diarium_id, Action.manage_diaria)
    data = body_values()
    if not data:
        raise InputError({"body": "Ange minst ett fält att ändra: name, series, number_format."}, status=422)
    ops.update_diarium(
        diarium,
        user=current_user._get_current_object(),
        name=data.get("name", diarium.name),
        series=data.get("series", diarium.series),
        number_format=data.get("number_format", diarium.number_format),
    )
    db.session.commit()
    return _reply(diarium)
