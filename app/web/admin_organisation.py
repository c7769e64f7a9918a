"""Administration of the municipality itself: its details and logo (Administration → Kommunen)."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField

from app.organisation import operations as org_ops
from app.permissions import Action
from app.storage import send_stored_file
from app.validation import ValidationError
from app.web.admin import _managed_municipality, bp
from app.web.forms import EmptyForm
from app.web.registry_forms import Required, submit, text_field


def address_area(label: str, description: str = "") -> TextAreaField:
    return TextAreaField(label, render_kw={"maxlength": 300, "rows": 2}, description=description)


class AddressBlockForm(FlaskForm):
    postal_address = address_area("Postadress", "Till exempel 141 85 Huddinge. Skrivs i sidfoten på dokumenten.")
    visiting_address = address_area("Besöksadress", "Till exempel Gymnasietorget 1.")
    phone = text_field("Telefon", 50)
    email = text_field("E-post", 200)
    web = text_field("Webbadress", 200, description="Till exempel www.kommun.se.")


class MunicipalityForm(AddressBlockForm):
    name = text_field(
        "Namn", 200, validators=[Required()], description="Till exempel Huddinge kommun eller Borås stad."
    )
    organisation_number = text_field(
        "Organisationsnummer", 11, description="Tio siffror, NNNNNN-NNNN. Kontrollsiffran kontrolleras."
    )

    field_order = ("name", "organisation_number", "postal_address", "visiting_address", "phone", "email", "web")


class LogoForm(FlaskForm):
    logo = FileField(
        "Logotyp",
        validators=[Required()],
        description=f"En PNG- eller JPEG-bild, högst {org_ops.LOGO_MAX_BYTES // (1024 * 1024)} MB. "
        "Typen kontrolleras mot innehållet.",
    )


def _page(municipality, status: int = 200, *, form=None, logo_form=None):
    return render_template(
        "admin/municipality.html",
        municipality=municipality,
        form=form or MunicipalityForm(formdata=None, obj=municipality),
        logo_form=logo_form or LogoForm(formdata=None),
        button_form=EmptyForm(formdata=None),
    ), status


@bp.route("/kommunen", methods=["GET", "POST"])
@login_required
def municipality():
    municipality = _managed_municipality(Action.manage_organisation)
    form = MunicipalityForm(obj=municipality)

    def operation():
        org_ops.update_municipality(
            municipality,
            user=current_user,
            values={name: form[name].data or "" for name in org_ops.MUNICIPALITY_FIELDS},
        )
        return f"Uppgifterna om {municipality.name} har sparats.", url_for("admin.municipality")

    return submit(form, operation, lambda status: _page(municipality, status, form=form))


@bp.route("/kommunen/logotyp", methods=["POST"])
@login_required
def upload_logo():
    municipality = _managed_municipality(Action.manage_organisation)
    form = LogoForm()

    def operation():
        if form.logo.data is None:
            raise ValidationError({"logo": "Välj en bildfil med kommunens logotyp."})
        data = form.logo.data.read(org_ops.LOGO_MAX_BYTES + 1)
        org_ops.set_logo(municipality, data, user=current_user)
        return f"Logotypen för {municipality.name} har sparats.", url_for("admin.municipality") + "#logotyp"

    return submit(form, operation, lambda status: _page(municipality, status, logo_form=form))


@bp.route("/kommunen/logotyp/ta-bort", methods=["POST"])
@login_required
def remove_logo():
    municipality = _managed_municipality(Action.manage_organisation)

    def operation():
        org_ops.remove_logo(municipality, user=current_user)
        return f"Logotypen för {municipality.name} har tagits bort.", url_for("admin.municipality") + "#logotyp"

    return submit(EmptyForm(), operation, lambda status: _page(municipality, status))


@bp.route("/kommunen/logotyp")
@login_required
def logo():
    municipality = _managed_municipality(Action.manage_organisation)
    if municipality.logo_key is None:
        abort(404)
    extension = org_ops.LOGO_TYPES[municipality.logo_content_type]
    return send_stored_file(
        municipality.logo_key,
        sha256=municipality.logo_sha256,
        filename=f"logotyp.{extension}",
        mimetype=municipality.logo_content_type,
        inline=True,
    )
