"""Administration of the diaria: their series codes and number formats (with a preview of the next
number), and the diarium each committee registers in."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, SubmitField

from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.permissions import Action, can, require
from app.registry import diaria as ops
from app.registry.models import Diarium
from app.validation import ConflictError, ValidationError
from app.web.admin import bp
from app.web.registry_forms import INVALID_CHOICE, Required, form_status, submit, text_field

FORMAT_HINT = (
    "Fälten: {prefix} seriekoden, {year} eller {yy} året, {serial} löpnumret ({serial:04} fyller ut med nollor) "
    "och {class} klassificeringskoden, som kan utelämnas. All annan text skrivs som den står, "
    "t.ex. Dnr {prefix} {year}/{serial} eller {serial:04}/{yy}."
)


class DiariumForm(FlaskForm):
    name = text_field("Namn", 200, validators=[Required()], description="Till exempel Kommunstyrelsens diarium.")
    series = text_field(
        "Seriekod", 10, validators=[Required()], description="Högst 10 bokstäver och/eller siffror, t.ex. KS."
    )
    number_format = text_field("Format för diarienummer", 100, validators=[Required()], description=FORMAT_HINT)
    preview = SubmitField("Förhandsgranska")
    save = SubmitField("Spara")


class CommitteeDiariumForm(FlaskForm):
    diarium_id = SelectField("Diarium", coerce=int, invalid_choice_message=INVALID_CHOICE)


def _municipality() -> Municipality:
    """The municipality whose diaria the current user administers; 403 if none."""
    for municipality in db.session.scalars(select(Municipality).order_by(Municipality.id)):
        if can(current_user, Action.manage_diaria, municipality):
            return municipality
    abort(403)


def _load(diarium_id: int) -> Diarium:
    diarium = db.session.get(Diarium, diarium_id)
    if diarium is None or not (
        can(current_user, Action.view_committee, diarium.municipality)
        or can(current_user, Action.manage_diaria, diarium.municipality)
    ):
        abort(404)
    require(current_user, Action.manage_diaria, diarium.municipality)
    return diarium


def _committee_forms(municipality: Municipality, diaria: list[Diarium]) -> dict[int, CommitteeDiariumForm]:
    forms = {}
    for committee in sorted(municipality.committees, key=lambda c: c.name):
        current = ops.parent_committee(committee) or committee
        form = CommitteeDiariumForm(formdata=None, prefix=f"c{committee.id}", diarium_id=current.diarium_id)
        form.diarium_id.choices = [(d.id, f"{d.name} ({d.series})") for d in diaria]
        forms[committee.id] = form
    return forms


def _preview_of(form: DiariumForm, diarium: Diarium | None) -> dict | None:
    """What the form's series and format would give, when it was sent with Förhandsgranska."""
    if not (form.is_submitted() and form.preview.data):
        return None
    shown = ops.preview(form.number_format.data, form.series.data, diarium=diarium)
    for name, message in shown["errors"].items():
        form[name].errors = [*form[name].errors, message]
    return shown


def _render_list(municipality: Municipality, form: DiariumForm, shown: dict | None, status: int):
    diaria = ops.diaria_of(municipality)
    return render_template(
        "admin/diaria.html",
        municipality=municipality,
        diaria=diaria,
        previews={d.id: ops.preview(d.number_format, d.series, diarium=d).get("number") for d in diaria},
        committees=sorted(municipality.committees, key=lambda c: c.name),
        committee_forms=_committee_forms(municipality, diaria),
        parents={c.id: ops.parent_committee(c) for c in municipality.committees},
        form=form,
        shown=shown,
    ), status


@bp.route("/diarier", methods=["GET", "POST"])
@login_required
def diaria():
    municipality = _municipality()
    form = DiariumForm()
    if form.is_submitted() and form.preview.data:
        form.validate()
        shown = _preview_of(form, None)
        return _render_list(municipality, form, shown, 200 if not form.errors else form_status(form))

    def operation():
        diarium = ops.create_diarium(
            municipality,
            user=current_user,
            name=form.name.data,
            series=form.series.data,
            number_format=form.number_format.data,
        )
        number = ops.preview(diarium.number_format, diarium.series, diarium=diarium)["number"]
        return (
            f"Diariet {diarium.name} har skapats. Nästa nummer blir {number}.",
            url_for("admin.edit_diarium", diarium_id=diarium.id),
        )

    return submit(form, operation, lambda status: _render_list(municipality, form, None, status))


@bp.route("/diarier/<int:diarium_id>/andra", methods=["GET", "POST"])
@login_required
def edit_diarium(diarium_id: int):
    diarium = _load(diarium_id)
    form = DiariumForm(obj=diarium)

    def render(status: int, shown: dict | None = None):
        shown = shown or ops.preview(diarium.number_format, diarium.series, diarium=diarium)
        return render_template("admin/edit_diarium.html", diarium=diarium, form=form, shown=shown), status

    if form.is_submitted() and form.preview.data:
        form.validate()
        shown = _preview_of(form, diarium)
        return render(200 if not form.errors else form_status(form), shown)

    def operation():
        ops.update_diarium(
            diarium,
            user=current_user,
            name=form.name.data,
            series=form.series.data,
            number_format=form.number_format.data,
        )
        number = ops.preview(diarium.number_format, diarium.series, diarium=diarium)["number"]
        return (
            f"Diariet {diarium.name} är sparat. Nästa nummer blir {number}; redan givna nummer ändras inte.",
            url_for("admin.edit_diarium", diarium_id=diarium.id),
        )

    return submit(form, operation, render)


@bp.route("/diarier/forhandsgranska")
@login_required
def preview_diarium_number():
    """The live preview's answer: the next number the typed series and format would give, or the errors."""
    municipality = _municipality()
    diarium = None
    diarium_id = request.args.get("diarium_id", type=int)
    if diarium_id is not None:
        diarium = db.session.get(Diarium, diarium_id)
        if diarium is None or diarium.municipality_id != municipality.id:
            abort(404)
    shown = ops.preview(request.args.get("number_format", ""), request.args.get("series", ""), diarium=diarium)
    return jsonify(number=shown.get("number"), errors=shown["errors"]), 200 if not shown["errors"] else 422


@bp.route("/diarier/namnd/<int:committee_id>", methods=["POST"])
@login_required
def set_committee_diarium(committee_id: int):
    committee = db.session.get(Committee, committee_id)
    if committee is None or not (
        can(current_user, Action.view_committee, committee)
        or can(current_user, Action.manage_diaria, committee.municipality)
    ):
        abort(404)
    require(current_user, Action.manage_diaria, committee.municipality)
    municipality = committee.municipality
    diaria = ops.diaria_of(municipality)
    form = CommitteeDiariumForm(prefix=f"c{committee.id}")
    form.diarium_id.choices = [(d.id, f"{d.name} ({d.series})") for d in diaria]
    if not form.validate_on_submit():
        abort(400, "Formuläret kunde inte läsas. Ladda om sidan och försök igen.")
    diarium = db.session.get(Diarium, form.diarium_id.data)
    try:
        ops.assign_committee(committee, diarium, user=current_user)
    except (ValidationError, ConflictError) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _render_list(municipality, DiariumForm(formdata=None), None, 409)
    db.session.commit()
    flash(f"{committee.name} registrerar nya ärenden i {diarium.name}.", "success")
    return redirect(url_for("admin.diaria") + f"#namnd-{committee.id}")
