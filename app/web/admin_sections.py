"""Administration of the extra sections of the municipality's tjänsteutlåtanden."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField

from app.extensions import db
from app.permissions import Action, require
from app.web.admin import _managed_municipality, bp
from app.web.registry_forms import Required, submit, text_field
from workflows.content import STANDARD_SECTIONS
from workflows.models import ReportSectionDefinition
from workflows.sections import add_section, update_section


class SectionForm(FlaskForm):
    title = text_field(
        "Rubrik",
        100,
        validators=[Required()],
        description="Till exempel Ekonomiska konsekvenser eller Barnrättsperspektiv.",
    )
    is_required = BooleanField("Måste fyllas i innan utlåtandet skickas på granskning")


class SectionEditForm(SectionForm):
    is_active = BooleanField("Finns med i nya och ändrade utlåtanden")


@bp.route("/avsnitt", methods=["GET", "POST"])
@login_required
def sections():
    municipality = _managed_municipality()
    form = SectionForm()
    items = db.session.scalars(
        select(ReportSectionDefinition)
        .where(ReportSectionDefinition.municipality_id == municipality.id)
        .order_by(ReportSectionDefinition.position)
    ).all()

    def operation():
        item = add_section(municipality, user=current_user, title=form.title.data, is_required=form.is_required.data)
        return f"Avsnittet ”{item.title}” har lagts till.", url_for("admin.sections")

    return submit(
        form,
        operation,
        lambda status: (
            render_template(
                "admin/sections.html", municipality=municipality, items=items, standard=STANDARD_SECTIONS, form=form
            ),
            status,
        ),
    )


@bp.route("/avsnitt/<int:section_id>/andra", methods=["GET", "POST"])
@login_required
def edit_section(section_id: int):
    item = db.session.get(ReportSectionDefinition, section_id)
    if item is None:
        abort(404)
    require(current_user, Action.manage_classification, item.municipality)
    form = SectionEditForm(obj=item)

    def operation():
        update_section(
            item,
            user=current_user,
            title=form.title.data,
            is_required=form.is_required.data,
            is_active=form.is_active.data,
        )
        return f"Avsnittet ”{item.title}” har ändrats.", url_for("admin.sections")

    return submit(
        form, operation, lambda status: (render_template("admin/edit_section.html", item=item, form=form), status)
    )
