"""The committee's meeting template: its standing items and the notice deadline, kept by its secretary."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired

from agenda import access
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


def _committee(committee_id: int) -> Committee:
    return access.load_committee(current_user, committee_id, Action.manage_meetings)


def _page(committee: Committee, status: int = 200, *, item_form=None, days_form=None, action_form=None):
    days_form = days_form or NoticeDaysForm(formdata=None, notice_days=committee.notice_days)
    item_form = item_form or StandingItemForm(formdata=None, kind="procedural", placement="opening")
    return render_template(
        "agenda/template.html",
        committee=committee,
        items=template_for(committee),
        item_form=item_form,
        days_form=days_form,
        action_form=action_form or EmptyForm(),
        max_items=MAX_STANDING_ITEMS,
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
