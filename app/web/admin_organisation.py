"""Administration of the municipality itself: its details and logo (Administration → Kommunen), its
förvaltningar and its committees (Administration → Organisation)."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired

from app.extensions import db
from app.organisation import operations as org_ops
from app.organisation.models import Administration, Committee, CommitteeKind, Municipality
from app.permissions import Action
from app.storage import send_stored_file
from app.validation import ValidationError
from app.web.admin import _managed_municipality, bp
from app.web.forms import EmptyForm
from app.web.registry_forms import INVALID_CHOICE, Required, id_select, options, submit, text_field


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


# --- förvaltningar and committees ---


class AdministrationForm(AddressBlockForm):
    name = text_field("Namn", 200, validators=[Required()], description="Till exempel Socialförvaltningen.")


class CommitteeForm(FlaskForm):
    name = text_field("Namn", 200, validators=[Required()], description="Till exempel Socialnämndens arbetsutskott.")
    kind = SelectField(
        "Typ",
        coerce=CommitteeKind,
        choices=options((k.value, k.label) for k in CommitteeKind),
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )
    parent = id_select(
        "Utskott till",
        description="Bara för ett utskott: nämnden det bereder ärenden för.",
    )
    administration = id_select("Förvaltning", validators=[InputRequired("Välj en förvaltning.")])
    registry_prefix = text_field(
        "Diarieserie", 10, validators=[Required()], description="Versaler och siffror, t.ex. SN eller SNAU."
    )
    notice_days = IntegerField(
        "Dagar före sammanträdet",
        default=7,
        validators=[InputRequired("Ange antal dagar.")],
        description="Så många dagar före sammanträdet ska kallelsen senast publiceras.",
        invalid_value_message="Ange antal dagar som ett heltal.",
    )
    minutes_kept_at = text_field(
        "Förvaringsplats för protokollen",
        300,
        description="Som anslaget om justering anger den. Tomt: förvaltningens namn och besöksadress.",
    )

    def offer(self, municipality: Municipality, own: Committee | None = None) -> None:
        administrations = db.session.scalars(
            select(Administration)
            .where(Administration.municipality_id == municipality.id)
            .order_by(Administration.name)
        )
        self.administration.choices = options(((a.id, a.name) for a in administrations), "Välj förvaltning")
        parents = db.session.scalars(
            select(Committee)
            .where(
                Committee.municipality_id == municipality.id,
                Committee.kind != CommitteeKind.subcommittee,
                Committee.id != (own.id if own is not None else -1),
            )
            .order_by(Committee.name)
        )
        self.parent.choices = options(((c.id, c.name) for c in parents), "Ingen (inte ett utskott)")

    def values(self) -> dict:
        return {
            "name": self.name.data or "",
            "kind": self.kind.data,
            "administration_id": self.administration.data,
            "registry_prefix": self.registry_prefix.data or "",
            "notice_days": self.notice_days.data,
            "parent_id": self.parent.data,
            "minutes_kept_at": self.minutes_kept_at.data or "",
        }


def _address_values(form) -> dict:
    return {name: form[name].data or "" for name in org_ops.ADMINISTRATION_FIELDS}


@bp.route("/organisation")
@login_required
def organisation():
    municipality = _managed_municipality(Action.manage_organisation)
    administrations = db.session.scalars(
        select(Administration).where(Administration.municipality_id == municipality.id).order_by(Administration.name)
    ).all()
    committees = db.session.scalars(
        select(Committee)
        .where(Committee.municipality_id == municipality.id, Committee.parent_id.is_(None))
        .order_by(Committee.name)
    ).all()
    return render_template(
        "admin/organisation.html", municipality=municipality, administrations=administrations, committees=committees
    )


@bp.route("/forvaltningar/ny", methods=["GET", "POST"])
@login_required
def new_administration():
    municipality = _managed_municipality(Action.manage_organisation)
    form = AdministrationForm()

    def operation():
        item = org_ops.create_administration(municipality, user=current_user, values=_address_values(form))
        return f"Förvaltningen {item.name} har lagts till.", url_for("admin.organisation")

    return submit(
        form,
        operation,
        lambda status: (
            render_template("admin/administration.html", form=form, item=None, municipality=municipality),
            status,
        ),
    )


@bp.route("/forvaltningar/<int:administration_id>", methods=["GET", "POST"])
@login_required
def edit_administration(administration_id: int):
    municipality = _managed_municipality(Action.manage_organisation)
    item = db.session.get(Administration, administration_id)
    if item is None or item.municipality_id != municipality.id:
        abort(404)
    form = AdministrationForm(obj=item)

    def operation():
        org_ops.update_administration(item, user=current_user, values=_address_values(form))
        return f"Förvaltningen {item.name} har sparats.", url_for("admin.organisation")

    return submit(
        form,
        operation,
        lambda status: (
            render_template("admin/administration.html", form=form, item=item, municipality=municipality),
            status,
        ),
    )


@bp.route("/namnder/ny", methods=["GET", "POST"])
@login_required
def new_committee():
    municipality = _managed_municipality(Action.manage_organisation)
    form = CommitteeForm()
    form.offer(municipality)

    def operation():
        item = org_ops.create_committee(municipality, user=current_user, values=form.values())
        return f"{item.kind.label} {item.name} har lagts till.", url_for("admin.organisation")

    return submit(
        form,
        operation,
        lambda status: (
            render_template("admin/committee.html", form=form, item=None, municipality=municipality),
            status,
        ),
    )


@bp.route("/namnder/<int:committee_id>", methods=["GET", "POST"])
@login_required
def edit_committee(committee_id: int):
    municipality = _managed_municipality(Action.manage_organisation)
    item = db.session.get(Committee, committee_id)
    if item is None or item.municipality_id != municipality.id:
        abort(404)
    form = CommitteeForm(
        data={
            "name": item.name,
            "kind": item.kind,
            "parent": item.parent_id,
            "administration": item.administration_id,
            "registry_prefix": item.registry_prefix,
            "notice_days": item.notice_days,
            "minutes_kept_at": item.minutes_kept_at or "",
        }
    )
    form.offer(municipality, item)

    def operation():
        org_ops.update_committee(item, user=current_user, values=form.values())
        return f"{item.kind.label} {item.name} har sparats.", url_for("admin.organisation")

    return submit(
        form,
        operation,
        lambda status: (
            render_template("admin/committee.html", form=form, item=item, municipality=municipality),
            status,
        ),
    )
