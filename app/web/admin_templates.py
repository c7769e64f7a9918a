"""The municipality's Word templates (Administration → Dokumentmall): upload, the versions, the one in use."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from app.extensions import db
from app.permissions import Action
from app.storage import send_stored_file
from app.validation import ValidationError
from app.web.admin import _managed_municipality, bp
from app.web.forms import EmptyForm
from app.web.registry_forms import Required, id_select, submit
from tasks.rendering import document_templates as ops
from tasks.rendering.letterhead import REQUIRED_STYLES, SUPPLIED_STYLES, TEMPLATE_MAX_BYTES

MIMETYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".dotx": "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
}


class TemplateForm(FlaskForm):
    file = FileField(
        "Word-mall",
        validators=[Required()],
        description=f"Ett Word-dokument (.docx) eller en Word-mall (.dotx), högst {TEMPLATE_MAX_BYTES // (1024 * 1024)} MB. "
        "Typen kontrolleras mot innehållet; makron tas inte emot.",
    )
    committee_id = id_select("Gäller för", description="Hela kommunen, eller en nämnd som ska ha en egen mall.")


class ScopeForm(FlaskForm):
    committee_id = id_select("Gäller för")


def _scopes(municipality) -> list[tuple[int | None, str]]:
    return [(None, "Hela kommunen"), *((c.id, c.name) for c in sorted(municipality.committees, key=lambda c: c.name))]


def _committee(municipality, committee_id):
    """The municipality's committee of that id (None: the whole municipality); refuses another's."""
    if committee_id is None:
        return None
    committee = next((c for c in municipality.committees if c.id == committee_id), None)
    if committee is None:
        raise ValidationError({"committee_id": "Välj hela kommunen eller en av kommunens nämnder."})
    return committee


def _page(municipality, status: int = 200, *, form: TemplateForm | None = None):
    form = form or TemplateForm(formdata=None)
    form.committee_id.choices = _scopes(municipality)
    in_use = {None: ops.current_file(municipality)} | {
        c.id: ops.current_file(municipality, c) for c in municipality.committees
    }
    return render_template(
        "admin/document_templates.html",
        municipality=municipality,
        form=form,
        versions=ops.versions(municipality),
        in_use=in_use,
        scopes=_scopes(municipality),
        required_styles=list(REQUIRED_STYLES.values()),
        supplied_styles=SUPPLIED_STYLES,
        button_form=EmptyForm(formdata=None),
    ), status


@bp.route("/dokumentmall", methods=["GET", "POST"])
@login_required
def document_templates():
    municipality = _managed_municipality(Action.manage_templates)
    form = TemplateForm()
    form.committee_id.choices = _scopes(municipality)

    def operation():
        if form.file.data is None:
            raise ValidationError({"file": "Välj mallen som Word-fil (.docx eller .dotx)."})
        committee = _committee(municipality, form.committee_id.data)
        data = form.file.data.read(TEMPLATE_MAX_BYTES + 1)
        row = ops.upload_template(
            municipality,
            user=current_user._get_current_object(),
            data=data,
            filename=form.file.data.filename or "",
            committee=committee,
        )
        return f"Mallen (version {row.version}) används nu för {row.scope}.", url_for("admin.document_templates")

    return submit(form, operation, lambda status: _page(municipality, status, form=form))


def _version(municipality, template_id: int) -> ops.DocumentTemplateFile:
    row = db.session.get(ops.DocumentTemplateFile, template_id)
    if row is None or row.municipality_id != municipality.id:
        abort(404)
    return row


@bp.route("/dokumentmall/<int:template_id>/anvand", methods=["POST"])
@login_required
def use_document_template(template_id: int):
    municipality = _managed_municipality(Action.manage_templates)
    row = _version(municipality, template_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ops.use_version(row, user=current_user._get_current_object())
    db.session.commit()
    flash(f"Mallen version {row.version} används nu för {row.scope}.", "success")
    return redirect(url_for("admin.document_templates"))


@bp.route("/dokumentmall/standard", methods=["POST"])
@login_required
def use_default_template():
    municipality = _managed_municipality(Action.manage_templates)
    form = ScopeForm()
    form.committee_id.choices = _scopes(municipality)
    if not form.validate_on_submit():
        abort(400)
    try:
        committee = _committee(municipality, form.committee_id.data)
    except ValidationError:
        abort(400)
    changed = ops.use_default(municipality, user=current_user._get_current_object(), committee=committee)
    db.session.commit()
    scope = committee.name if committee is not None else "hela kommunen"
    if changed:
        flash(f"Standardmallen används nu för {scope}.", "success")
    return redirect(url_for("admin.document_templates"))


@bp.route("/dokumentmall/<int:template_id>/fil")
@login_required
def document_template_file(template_id: int):
    municipality = _managed_municipality(Action.manage_templates)
    row = _version(municipality, template_id)
    mimetype = MIMETYPES[".dotx" if row.filename.lower().endswith(".dotx") else ".docx"]
    return send_stored_file(row.storage_key, sha256=row.sha256, filename=row.filename, mimetype=mimetype)
