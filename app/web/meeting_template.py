"""The committee's meeting template, kept by its secretary: its standing items, the notice deadline and how it
writes its agendas (the document's name, the first number, sections, markers, the later-handling wording)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired

from agenda import access
from agenda.conventions import (
    MARKER_LENGTH,
    MAX_MARKERS,
    MAX_SECTIONS,
    NAME_LENGTH,
    add_marker,
    add_section,
    conventions_for,
    markers_for,
    remove_marker,
    remove_section,
    rename_marker,
    rename_section,
    sections_for,
    set_conventions,
)
from agenda.models import STANDING_KINDS
from agenda.standing_items import (
    MAX_STANDING_ITEMS,
    NOTICE_DAYS_RANGE,
    TITLE_LENGTH,
    add_standing_item,
    move_standing_item,
    remove_standing_item,
    set_notice_days,
    template_for,
    update_standing_item,
)
from app.organisation.models import Committee
from app.permissions import Action
from app.web.forms import EmptyForm
from app.web.meeting_forms import INVALID_NUMBER
from app.web.meetings import bp
from app.web.registry_forms import INVALID_CHOICE, Required, options, submit, text_field

PLACEMENTS = [
    ("opening", "Först på föredragningslistan"),
    ("closing", "Sist på föredragningslistan (nya punkter läggs före)"),
]


class StandingItemForm(FlaskForm):
    title = text_field(
        "Rubrik",
        TITLE_LENGTH,
        validators=[Required()],
        description="Till exempel Val av justerare eller Information från förvaltningen.",
    )
    kind = SelectField(
        "Typ",
        choices=options((kind.value, kind.label) for kind in STANDING_KINDS),
        validators=[InputRequired(INVALID_CHOICE)],
        invalid_choice_message=INVALID_CHOICE,
    )
    placement = SelectField(
        "Plats",
        choices=options(PLACEMENTS),
        validators=[InputRequired(INVALID_CHOICE)],
        invalid_choice_message=INVALID_CHOICE,
    )

    def values(self) -> dict:
        return {"title": self.title.data, "kind": self.kind.data, "closes_agenda": self.placement.data == "closing"}


class NoticeDaysForm(FlaskForm):
    notice_days = IntegerField(
        "Dagar före sammanträdet",
        validators=[InputRequired(INVALID_NUMBER)],
        invalid_value_message=INVALID_NUMBER,
        render_kw={"min": NOTICE_DAYS_RANGE[0], "max": NOTICE_DAYS_RANGE[1]},
        description="Kallelsen ska vara publicerad senast så många dagar före "
        "sammanträdet, enligt nämndens reglemente.",
    )


FIRST_NUMBERS = [("1", "1"), ("0", "0")]


class ConventionsForm(FlaskForm):
    notice_title = text_field(
        "Dokumentets namn",
        NAME_LENGTH,
        validators=[Required()],
        description="Till exempel Kallelse, Kallelse och föredragningslista, Föredragningslista eller Ärendelista. "
        "Rubriken blir ”<namn> till <nämnd>”.",
    )
    first_number = SelectField(
        "Första punktens nummer",
        choices=options(FIRST_NUMBERS),
        validators=[InputRequired(INVALID_CHOICE)],
        invalid_choice_message=INVALID_CHOICE,
    )
    closed_section = text_field(
        "Den slutna delens namn",
        NAME_LENGTH,
        validators=[Required()],
        description="Rubriken som sekretessärendena står under, till exempel Sekretessärenden eller Slutet sammanträde.",
    )
    handling_later_text = text_field(
        "Text för handling som kommer senare",
        NAME_LENGTH,
        validators=[Required()],
        description="Till exempel Handling kommer senare, Handlingar senare eller Handling delas ut på sammanträdet.",
    )

    def values(self) -> dict:
        return {
            "notice_title": self.notice_title.data,
            "first_number": self.first_number.data,
            "closed_section": self.closed_section.data,
            "handling_later_text": self.handling_later_text.data,
        }


class SectionForm(FlaskForm):
    name = text_field(
        "Avsnittets namn",
        NAME_LENGTH,
        validators=[Required()],
        description="Till exempel Beslutsärenden, Informationsärenden eller Remissärenden.",
    )


class MarkerForm(FlaskForm):
    label = text_field(
        "Markering",
        MARKER_LENGTH,
        validators=[Required()],
        description="Skrivs efter punktens rubrik, till exempel (KF) för ett ärende som går vidare till fullmäktige.",
    )


def _committee(committee_id: int) -> Committee:
    return access.load_committee(current_user, committee_id, Action.manage_meetings)


def _page(
    committee: Committee,
    status: int = 200,
    *,
    item_form=None,
    days_form=None,
    action_form=None,
    conventions_form=None,
    section_form=None,
    marker_form=None,
):
    days_form = days_form or NoticeDaysForm(formdata=None, notice_days=committee.notice_days)
    item_form = item_form or StandingItemForm(formdata=None, kind="procedural", placement="opening")
    conventions = conventions_for(committee)
    conventions_form = conventions_form or ConventionsForm(
        formdata=None,
        notice_title=conventions.notice_title,
        first_number=str(conventions.first_number),
        closed_section=conventions.closed_section,
        handling_later_text=conventions.handling_later_text,
    )
    return render_template(
        "agenda/template.html",
        committee=committee,
        items=template_for(committee),
        item_form=item_form,
        days_form=days_form,
        action_form=action_form or EmptyForm(),
        max_items=MAX_STANDING_ITEMS,
        conventions=conventions,
        conventions_form=conventions_form,
        sections=sections_for(committee),
        section_form=section_form or SectionForm(formdata=None),
        max_sections=MAX_SECTIONS,
        markers=markers_for(committee),
        marker_form=marker_form or MarkerForm(formdata=None),
        max_markers=MAX_MARKERS,
    ), status


def _template_url(committee: Committee, anchor: str | None = None) -> str:
    return url_for("meetings.meeting_template", committee_id=committee.id, _anchor=anchor)


@bp.route("/sammantraden/mall/<int:committee_id>")
@login_required
def meeting_template(committee_id: int):
    return _page(_committee(committee_id))


@bp.route("/sammantraden/mall/<int:committee_id>/punkter", methods=["POST"])
@login_required
def add_template_item(committee_id: int):
    committee = _committee(committee_id)
    form = StandingItemForm()

    def operation():
        item = add_standing_item(committee, user=current_user, **form.values())
        return f"Den stående punkten ”{item.title}” har lagts till.", _template_url(committee, "staende-punkter")

    return submit(form, operation, lambda status: _page(committee, status, item_form=form))


@bp.route("/sammantraden/mall/<int:committee_id>/tidsfrist", methods=["POST"])
@login_required
def notice_days(committee_id: int):
    committee = _committee(committee_id)
    form = NoticeDaysForm()

    def operation():
        set_notice_days(committee, user=current_user, days=form.notice_days.data)
        return (
            f"Kallelsen ska nu publiceras senast {committee.notice_days} dagar före sammanträdet.",
            _template_url(committee),
        )

    return submit(form, operation, lambda status: _page(committee, status, days_form=form))


@bp.route("/sammantraden/mall/<int:committee_id>/punkter/<int:item_id>", methods=["GET", "POST"])
@login_required
def edit_template_item(committee_id: int, item_id: int):
    committee = _committee(committee_id)
    item = access.standing_item_of(committee, item_id)
    form = StandingItemForm(
        formdata=None if request.method == "GET" else request.form,
        title=item.title,
        kind=item.kind.value,
        placement="closing" if item.closes_agenda else "opening",
    )

    def operation():
        update_standing_item(item, user=current_user, **form.values())
        return f"Den stående punkten ”{item.title}” har ändrats.", _template_url(committee, "staende-punkter")

    return submit(
        form,
        operation,
        lambda status: (
            render_template("agenda/edit_template_item.html", committee=committee, item=item, form=form),
            status,
        ),
    )


def _item_action(committee_id: int, item_id: int, change):
    """Run a button's ``change(item)`` (it returns the message) and come back to the template."""
    committee = _committee(committee_id)
    item = access.standing_item_of(committee, item_id)
    form = EmptyForm()
    return submit(
        form,
        lambda: (change(item), _template_url(committee, "staende-punkter")),
        lambda status: _page(committee, status, action_form=form),
    )


@bp.route("/sammantraden/mall/<int:committee_id>/punkter/<int:item_id>/flytta", methods=["POST"])
@login_required
def move_template_item(committee_id: int, item_id: int):
    direction = request.form.get("direction", "")

    def change(item):
        move_standing_item(item, user=current_user, direction=direction)
        return f"”{item.title}” har flyttats {'upp' if direction == 'up' else 'ner'}."

    return _item_action(committee_id, item_id, change)


@bp.route("/sammantraden/mall/<int:committee_id>/punkter/<int:item_id>/ta-bort", methods=["POST"])
@login_required
def remove_template_item(committee_id: int, item_id: int):
    def change(item):
        remove_standing_item(item, user=current_user)
        return f"”{item.title}” har tagits bort ur mallen. Redan planerade sammanträden behåller punkten."

    return _item_action(committee_id, item_id, change)


# --- how the committee writes its agendas ---------------------------------------------------------


@bp.route("/sammantraden/mall/<int:committee_id>/foredragningslista", methods=["POST"])
@login_required
def agenda_conventions(committee_id: int):
    committee = _committee(committee_id)
    form = ConventionsForm()

    def operation():
        set_conventions(committee, user=current_user, **form.values())
        return "Föredragningslistans form är sparad.", _template_url(committee, "foredragningslistans-form")

    return submit(form, operation, lambda status: _page(committee, status, conventions_form=form))


@bp.route("/sammantraden/mall/<int:committee_id>/avsnitt", methods=["POST"])
@login_required
def add_agenda_section(committee_id: int):
    committee = _committee(committee_id)
    form = SectionForm()

    def operation():
        section = add_section(committee, user=current_user, name=form.name.data)
        return f"Avsnittet ”{section.name}” har lagts till.", _template_url(committee, "avsnitt")

    return submit(form, operation, lambda status: _page(committee, status, section_form=form))


def _edit_page(committee: Committee, form, *, heading: str, anchor: str, status: int):
    return (
        render_template("agenda/edit_convention.html", committee=committee, form=form, heading=heading, anchor=anchor),
        status,
    )


@bp.route("/sammantraden/mall/<int:committee_id>/avsnitt/<int:section_id>", methods=["GET", "POST"])
@login_required
def edit_agenda_section(committee_id: int, section_id: int):
    committee = _committee(committee_id)
    section = access.section_of(committee, section_id)
    form = SectionForm(formdata=None if request.method == "GET" else request.form, name=section.name)
    heading = f"Byt namn på avsnittet ”{section.name}”"

    def operation():
        rename_section(section, user=current_user, name=form.name.data)
        return f"Avsnittet heter nu ”{section.name}”.", _template_url(committee, "avsnitt")

    return submit(
        form, operation, lambda status: _edit_page(committee, form, heading=heading, anchor="avsnitt", status=status)
    )


@bp.route("/sammantraden/mall/<int:committee_id>/avsnitt/<int:section_id>/ta-bort", methods=["POST"])
@login_required
def remove_agenda_section(committee_id: int, section_id: int):
    committee = _committee(committee_id)
    section = access.section_of(committee, section_id)
    form = EmptyForm()

    def operation():
        name = section.name
        remove_section(section, user=current_user)
        return (
            f"Avsnittet ”{name}” har tagits bort. Punkter som stod i det står nu utan avsnitt; "
            "publicerade versioner behåller det.",
            _template_url(committee, "avsnitt"),
        )

    return submit(form, operation, lambda status: _page(committee, status, action_form=form))


@bp.route("/sammantraden/mall/<int:committee_id>/markeringar", methods=["POST"])
@login_required
def add_item_marker(committee_id: int):
    committee = _committee(committee_id)
    form = MarkerForm()

    def operation():
        marker = add_marker(committee, user=current_user, label=form.label.data)
        return f"Markeringen ”{marker.label}” har lagts till.", _template_url(committee, "markeringar")

    return submit(form, operation, lambda status: _page(committee, status, marker_form=form))


@bp.route("/sammantraden/mall/<int:committee_id>/markeringar/<int:marker_id>", methods=["GET", "POST"])
@login_required
def edit_item_marker(committee_id: int, marker_id: int):
    committee = _committee(committee_id)
    marker = access.marker_of(committee, marker_id)
    form = MarkerForm(formdata=None if request.method == "GET" else request.form, label=marker.label)
    heading = f"Ändra markeringen ”{marker.label}”"

    def operation():
        rename_marker(marker, user=current_user, label=form.label.data)
        return f"Markeringen heter nu ”{marker.label}”.", _template_url(committee, "markeringar")

    return submit(
        form,
        operation,
        lambda status: _edit_page(committee, form, heading=heading, anchor="markeringar", status=status),
    )


@bp.route("/sammantraden/mall/<int:committee_id>/markeringar/<int:marker_id>/ta-bort", methods=["POST"])
@login_required
def remove_item_marker(committee_id: int, marker_id: int):
    committee = _committee(committee_id)
    marker = access.marker_of(committee, marker_id)
    form = EmptyForm()

    def operation():
        label = marker.label
        remove_marker(marker, user=current_user)
        return (
            f"Markeringen ”{label}” har tagits bort. Publicerade versioner behåller den.",
            _template_url(committee, "markeringar"),
        )

    return submit(form, operation, lambda status: _page(committee, status, action_form=form))
