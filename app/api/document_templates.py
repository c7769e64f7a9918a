"""The municipality's Word templates in the API: the versions, and uploading one (multipart)."""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from app.api import bp
from app.api.document_template_schemas import DocumentTemplateList, DocumentTemplateReply, TemplateUpload
from app.api.organisation import own_municipality
from app.api.schemas import InputError
from app.api.spec import described, form_values
from app.extensions import db
from app.permissions import Action, require
from app.validation import ValidationError
from tasks.rendering import document_templates as ops
from tasks.rendering.letterhead import REQUIRED_STYLES, TEMPLATE_MAX_BYTES

TAG = "Organisation"


def _json(row: ops.DocumentTemplateFile) -> dict:
    return {
        "id": row.id,
        "version": row.version,
        "filename": row.filename,
        "committee_id": row.committee_id,
        "is_current": row.is_current,
        "sha256": row.sha256,
        "size": row.size,
        "uploaded_by": row.uploaded_by.name if row.uploaded_by else None,
        "uploaded_at": row.uploaded_dt.isoformat(),
        "links": {"list": url_for("api.list_document_templates", _external=True)},
    }


def _managed():
    municipality = own_municipality()
    require(current_user, Action.manage_templates, municipality)
    return municipality


@bp.get("/municipality/document-templates")
@described(
    operation_id="listDocumentTemplates",
    tag=TAG,
    summary="Kommunens dokumentmallar",
    responses={200: (DocumentTemplateList, "Alla uppladdade versioner.")},
    description="Kräver rollen kommunadministratör.",
    errors=("Forbidden", "NotFound"),
)
def list_document_templates():
    municipality = _managed()
    return jsonify(
        templates=[_json(row) for row in ops.versions(municipality)], required_styles=list(REQUIRED_STYLES.values())
    )


@bp.post("/municipality/document-templates")
@described(
    operation_id="uploadDocumentTemplate",
    tag=TAG,
    summary="Ladda upp en dokumentmall",
    responses={201: (DocumentTemplateReply, "Mallen, som nu används.")},
    description=(
        "Skickas som multipart/form-data: fältet file (ett Word-dokument .docx eller en Word-mall .dotx, högst "
        f"{TEMPLATE_MAX_BYTES // (1024 * 1024)} MB, typen kontrolleras mot innehållet, makron tas inte emot) och "
        "valfritt committee_id (en nämnd som ska ha en egen mall; utan det gäller mallen hela kommunen). Mallen "
        "måste ha formatmallarna " + ", ".join(REQUIRED_STYLES.values()) + " och ett eget sidhuvud och en egen "
        "sidfot för första sidan. Kräver rollen kommunadministratör."
    ),
    form=TemplateUpload,
    errors=("BadRequest", "Forbidden", "NotFound", "UnsupportedUpload", "Unprocessable"),
)
def upload_document_template():
    values = form_values()
    upload = values["file"]
    municipality = _managed()
    committee = None
    text = values.get("committee_id", "").strip()
    if text:
        committee = next((c for c in municipality.committees if str(c.id) == text), None)
        if committee is None:
            raise InputError({"committee_id": "Ange id för en av kommunens nämnder, eller inget för hela kommunen."})
    try:
        row = ops.upload_template(
            municipality,
            user=current_user._get_current_object(),
            data=upload.read(TEMPLATE_MAX_BYTES + 1),
            filename=upload.filename or "",
            committee=committee,
        )
    except ValidationError as exc:
        db.session.rollback()
        raise InputError(exc.errors, status=422) from None
    db.session.commit()
    return jsonify(template=_json(row)), 201, {"Location": url_for("api.list_document_templates", _external=True)}
