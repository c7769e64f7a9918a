"""How a committee writes its agendas, in the API: the document's name, the first number, the closed part, the
later-handling wording, its named sections and its item markers (agenda.conventions); read by the committee's
members, changed by its secretary, as on the page Mall för sammanträden."""

from __future__ import annotations

from typing import Annotated

from flask import jsonify
from flask_login import current_user
from pydantic import Field

from agenda import access
from agenda import conventions as ops
from agenda.conventions import MARKER_LENGTH, NAME_LENGTH
from agenda.models import AgendaSection, ItemMarker
from app.api import bp
from app.api.schemas import InputError
from app.api.spec import Body, RowId, Shape, Text, body_sent, described
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action
from workflows.access import acting_user

TAG = "Sammanträden"
WRITE = ("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable")
COMMITTEE = {"committee_id": "Nämndens id."}


class AgendaSectionShape(Shape):
    """Ett avsnitt som sekreteraren placerar punkter under."""

    id: RowId
    name: str = Field(examples=["Beslutsärenden"])


class ItemMarkerShape(Shape):
    """En markering som sekreteraren kan välja för en punkt."""

    id: RowId
    label: str = Field(examples=["(KF)"])


class AgendaConventionsShape(Shape):
    """Hur nämnden skriver sina föredragningslistor."""

    notice_title: str = Field(
        description="Dokumentets namn; rubriken blir ”<namn> till <nämnd>”.", examples=["Kallelse"]
    )
    first_number: int = Field(ge=0, le=1, description="Första punktens nummer: 0 eller 1.")
    closed_section: str = Field(description="Den slutna delens namn, där sekretessärendena står.")
    handling_later_text: str = Field(description="Texten för en handling som kommer senare.")
    sections: list[AgendaSectionShape]
    markers: list[ItemMarkerShape]


class AgendaConventionsReply(Shape):
    conventions: AgendaConventionsShape


class AgendaSectionReply(Shape):
    section: AgendaSectionShape


class ItemMarkerReply(Shape):
    marker: ItemMarkerShape


class AgendaConventionsChange(Body):
    notice_title: Text(None) = Field(None, title="Dokumentets namn", json_schema_extra={"maxLength": NAME_LENGTH})
    #: 0 or 1, checked by the operation (its message says so); strict: true is no number
    first_number: Annotated[int, Field(strict=True)] = Field(
        None, title="Första punktens nummer", json_schema_extra={"enum": [0, 1]}
    )
    closed_section: Text(None) = Field(
        None, title="Den slutna delens namn", json_schema_extra={"maxLength": NAME_LENGTH}
    )
    handling_later_text: Text(None) = Field(
        None, title="Text för handling som kommer senare", json_schema_extra={"maxLength": NAME_LENGTH}
    )


class AgendaSectionBody(Body):
    name: Text(None) = Field(None, title="Avsnittets namn", json_schema_extra={"maxLength": NAME_LENGTH})


class ItemMarkerBody(Body):
    label: Text(None) = Field(None, title="Markering", json_schema_extra={"maxLength": MARKER_LENGTH})


def _conventions_json(committee: Committee) -> dict:
    own = ops.conventions_for(committee)
    return {
        "notice_title": own.notice_title,
        "first_number": own.first_number,
        "closed_section": own.closed_section,
        "handling_later_text": own.handling_later_text,
        "sections": [_section_json(s) for s in ops.sections_for(committee)],
        "markers": [_marker_json(m) for m in ops.markers_for(committee)],
    }


def _section_json(section: AgendaSection) -> dict:
    return {"id": section.id, "name": section.name}


def _marker_json(marker: ItemMarker) -> dict:
    return {"id": marker.id, "label": marker.label}


def _given(sent: dict, *names: str) -> dict:
    if not any(name in sent for name in names):
        raise InputError({"body": "Ange minst ett fält att ändra: " + ", ".join(names) + "."}, status=422)
    return sent


@bp.get("/committees/<int:committee_id>/agenda-conventions")
@described(
    operation_id="getAgendaConventions",
    tag=TAG,
    summary="Hur nämnden skriver sina föredragningslistor",
    responses={200: (AgendaConventionsReply, "Nämndens form för föredragningslistan.")},
    errors=("NotFound",),
    path_parameters=COMMITTEE,
)
def get_agenda_conventions(committee_id: int):
    committee = access.load_committee(current_user, committee_id)
    return jsonify(conventions=_conventions_json(committee))


@bp.patch("/committees/<int:committee_id>/agenda-conventions")
@described(
    operation_id="updateAgendaConventions",
    tag=TAG,
    summary="Ändra föredragningslistans form",
    body=AgendaConventionsChange,
    responses={200: (AgendaConventionsReply, "Nämndens form för föredragningslistan.")},
    description="Fälten som inte skickas behåller sitt värde. Listor som byggs följer ändringen; publicerade "
    "versioner behåller formen de publicerades med.",
    errors=WRITE,
    path_parameters=COMMITTEE,
)
def update_agenda_conventions(committee_id: int):
    committee = access.load_committee(current_user, committee_id, Action.manage_meetings)
    fields = ("notice_title", "first_number", "closed_section", "handling_later_text")
    sent = _given(body_sent(), *fields)
    current = ops.conventions_for(committee)
    values = {name: sent[name] if name in sent else getattr(current, name) for name in fields}
    ops.set_conventions(committee, user=acting_user(), **values)
    db.session.commit()
    return jsonify(conventions=_conventions_json(committee))


@bp.post("/committees/<int:committee_id>/agenda-sections")
@described(
    operation_id="addAgendaSection",
    tag=TAG,
    summary="Lägg till ett avsnitt",
    body=AgendaSectionBody,
    responses={201: (AgendaSectionReply, "Avsnittet.")},
    errors=WRITE,
    path_parameters=COMMITTEE,
)
def add_agenda_section(committee_id: int):
    committee = access.load_committee(current_user, committee_id, Action.manage_meetings)
    section = ops.add_section(committee, user=acting_user(), name=body_sent().get("name"))
    db.session.commit()
    return jsonify(section=_section_json(section)), 201


SECTION = {**COMMITTEE, "section_id": "Avsnittets id."}
MARKER = {**COMMITTEE, "marker_id": "Markeringens id."}


@bp.patch("/committees/<int:committee_id>/agenda-sections/<int:section_id>")
@described(
    operation_id="renameAgendaSection",
    tag=TAG,
    summary="Byt namn på ett avsnitt",
    body=AgendaSectionBody,
    responses={200: (AgendaSectionReply, "Avsnittet.")},
    errors=WRITE,
    path_parameters=SECTION,
)
def rename_agenda_section(committee_id: int, section_id: int):
    committee = access.load_committee(current_user, committee_id, Action.manage_meetings)
    section = access.section_of(committee, section_id)
    ops.rename_section(section, user=acting_user(), name=body_sent().get("name"))
    db.session.commit()
    return jsonify(section=_section_json(section))


@bp.delete("/committees/<int:committee_id>/agenda-sections/<int:section_id>")
@described(
    operation_id="removeAgendaSection",
    tag=TAG,
    summary="Ta bort ett avsnitt",
    responses={200: (AgendaConventionsReply, "Nämndens form efter borttagningen.")},
    description="Punkter som stod i avsnittet står utan avsnitt; publicerade versioner behåller det.",
    errors=("Forbidden", "NotFound"),
    path_parameters=SECTION,
)
def remove_agenda_section(committee_id: int, section_id: int):
    committee = access.load_committee(current_user, committee_id, Action.manage_meetings)
    ops.remove_section(access.section_of(committee, section_id), user=acting_user())
    db.session.commit()
    return jsonify(conventions=_conventions_json(committee))


@bp.post("/committees/<int:committee_id>/item-markers")
@described(
    operation_id="addItemMarker",
    tag=TAG,
    summary="Lägg till en markering",
    body=ItemMarkerBody,
    responses={201: (ItemMarkerReply, "Markeringen.")},
    errors=WRITE,
    path_parameters=COMMITTEE,
)
def add_item_marker(committee_id: int):
    committee = access.load_committee(current_user, committee_id, Action.manage_meetings)
    marker = ops.add_marker(committee, user=acting_user(), label=body_sent().get("label"))
    db.session.commit()
    return jsonify(marker=_marker_json(marker)), 201


@bp.patch("/committees/<int:committee_id>/item-markers/<int:marker_id>")
@described(
    operation_id="renameItemMarker",
    tag=TAG,
    summary="Ändra en markering",
    body=ItemMarkerBody,
    responses={200: (ItemMarkerReply, "Markeringen.")},
    errors=WRITE,
    path_parameters=MARKER,
)
def rename_item_marker(committee_id: int, marker_id: int):
    committee = access.load_committee(current_user, committee_id, Action.manage_meetings)
    marker = access.marker_of(committee, marker_id)
    ops.rename_marker(marker, user=acting_user(), label=body_sent().get("label"))
    db.session.commit()
    return jsonify(marker=_marker_json(marker))


@bp.delete("/committees/<int:committee_id>/item-markers/<int:marker_id>")
@described(
    operation_id="removeItemMarker",
    tag=TAG,
    summary="Ta bort en markering",
    responses={200: (AgendaConventionsReply, "Nämndens form efter borttagningen.")},
    description="Punkterna som hade markeringen förlorar den; publicerade versioner behåller den.",
    errors=("Forbidden", "NotFound"),
    path_parameters=MARKER,
)
def remove_item_marker(committee_id: int, marker_id: int):
    committee = access.load_committee(current_user, committee_id, Action.manage_meetings)
    ops.remove_marker(access.marker_of(committee, marker_id), user=acting_user())
    db.session.commit()
    return jsonify(conventions=_conventions_json(committee))
