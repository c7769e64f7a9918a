"""A report's bilagor in the API: upload, link a registered document, replace, reorder, remove, download."""

from __future__ import annotations

from typing import BinaryIO

from flask import abort, jsonify, url_for

from app.api import bp
from app.api.report_schemas import AttachmentChange, AttachmentLink, AttachmentReply, AttachmentUpload, FileOnly
from app.api.reports import commit, load_report, may_read_confidential_files, report_json_for
from app.api.schemas import InputError, attachment_json
from app.api.spec import body_values, described, form_values
from app.permissions import Action
from app.registry import access as registry_access
from app.storage import send_stored_file
from app.validation import ValidationError
from workflows import access
from workflows import attachments as ops
from workflows.access import acting_user as user  # the caller as a User, as the operations want it
from workflows.models import CaseReport, ReportAttachment

LINK_ERROR_FIELDS = {"document": "registered_document_id"}
TAG = "Tjänsteutlåtanden"
WRITE = ("BadRequest", "Forbidden", "NotFound", "Conflict", "UnsupportedMediaType", "Unprocessable")
UPLOAD = ("BadRequest", "Forbidden", "NotFound", "Conflict", "ContentTooLarge", "UnsupportedUpload", "Unprocessable")
CASE = {"case_id": "Ärendets id."}
ATTACHMENT = {**CASE, "attachment_id": "Bilagans id."}
LOCATION = {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "Adressen i API:t."}}


def _attachment(report: CaseReport, attachment_id: int) -> ReportAttachment:
    """Return a bilaga of this report (also a replaced one), else 404."""
    return access.load_attachment(report, attachment_id)


def _upload() -> tuple[BinaryIO, str, dict]:
    """Return the uploaded file (open: a big one waits on disk, never whole in memory), its name and the form's
    other values (validated by @described)."""
    values = form_values()
    upload = values.pop("file")
    return upload.stream, upload.filename or "", values


def _reply(attachment: ReportAttachment, status: int = 200):
    report = attachment.report
    body = attachment_json(attachment, may_read=may_read_confidential_files(report, user()))
    location = url_for("api.get_report_attachment", case_id=report.case_id, attachment_id=attachment.id, _external=True)
    return (
        jsonify(attachment=body, report=report_json_for(report)),
        status,
        {"Location": location} if status == 201 else {},
    )


@bp.post("/cases/<int:case_id>/report/attachments")
@described(
    operation_id="uploadReportAttachment",
    tag=TAG,
    summary="Ladda upp en bilaga",
    form=AttachmentUpload,
    responses={201: (AttachmentReply, "Bilagan, sist i ordningen.")},
    headers={201: LOCATION},
    description="Tillåtna typer (efter innehåll): PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG, TXT.",
    errors=UPLOAD,
    path_parameters=CASE,
)
def upload_report_attachment(case_id: int):
    data, filename, values = _upload()
    report = load_report(case_id, Action.write_report)
    attachment = ops.upload_attachment(
        report,
        user=user(),
        data=data,
        filename=filename,
        title=values.get("title"),
        is_confidential=values.get("is_confidential", False),
    )
    commit()
    return _reply(attachment, 201)


@bp.post("/cases/<int:case_id>/report/attachments/link")
@described(
    operation_id="linkReportDocument",
    tag=TAG,
    summary="Länka en registrerad handling som bilaga",
    body=AttachmentLink,
    responses={201: (AttachmentReply, "Bilagan.")},
    errors=WRITE,
    path_parameters=CASE,
    headers={201: LOCATION},
)
def link_report_document(case_id: int):
    report = load_report(case_id, Action.write_report)
    values = body_values()
    document = registry_access.document_of(report.case, values.get("registered_document_id"))
    if document is None:
        raise InputError({"registered_document_id": "Välj en registrerad handling i ärendet."}, status=422)
    try:
        attachment = ops.link_registered_document(report, user=user(), document=document, title=values.get("title"))
    except ValidationError as exc:  # the operation names the document "document"; the API calls it by its id
        raise InputError({LINK_ERROR_FIELDS.get(k, k): v for k, v in exc.errors.items()}, status=422) from None
    commit()
    return _reply(attachment, 201)


@bp.get("/cases/<int:case_id>/report/attachments/<int:attachment_id>")
@described(
    operation_id="getReportAttachment",
    tag=TAG,
    summary="En bilaga",
    responses={200: (AttachmentReply, "Bilagan.")},
    errors=("NotFound",),
    path_parameters=ATTACHMENT,
)
def get_report_attachment(case_id: int, attachment_id: int):
    return _reply(_attachment(load_report(case_id), attachment_id))


@bp.put("/cases/<int:case_id>/report/attachments/<int:attachment_id>")
@described(
    operation_id="replaceReportAttachment",
    tag=TAG,
    summary="Ersätt bilagans fil",
    form=FileOnly,
    responses={200: (AttachmentReply, "Den nya versionen på samma plats; den gamla finns kvar.")},
    errors=UPLOAD,
    path_parameters=ATTACHMENT,
)
def replace_report_attachment(case_id: int, attachment_id: int):
    data, filename, _values = _upload()
    report = load_report(case_id, Action.write_report)
    attachment = _attachment(report, attachment_id)
    replacement = ops.replace_attachment(attachment, user=user(), data=data, filename=filename)
    commit()
    return _reply(replacement)


@bp.patch("/cases/<int:case_id>/report/attachments/<int:attachment_id>")
@described(
    operation_id="changeReportAttachment",
    tag=TAG,
    summary="Flytta bilagan eller ändra sekretess",
    body=AttachmentChange,
    responses={200: (AttachmentReply, "Bilagan.")},
    errors=WRITE,
    path_parameters=ATTACHMENT,
)
def change_report_attachment(case_id: int, attachment_id: int):
    report = load_report(case_id, Action.write_report)
    attachment = _attachment(report, attachment_id)
    values = body_values()
    if not values:
        raise InputError({"_": "Ange position eller is_confidential."}, status=422)
    if "position" in values:
        ops.move_attachment(attachment, user=user(), position=values["position"])
    if "is_confidential" in values:
        ops.set_attachment_confidential(attachment, user=user(), is_confidential=values["is_confidential"])
    commit()
    return _reply(attachment)


@bp.delete("/cases/<int:case_id>/report/attachments/<int:attachment_id>")
@described(
    operation_id="removeReportAttachment",
    tag=TAG,
    summary="Ta bort bilagan",
    responses={204: ((), "Borttagen; de följande bilagorna flyttas upp.")},
    errors=("Forbidden", "NotFound", "Conflict"),
    path_parameters=ATTACHMENT,
)
def remove_report_attachment(case_id: int, attachment_id: int):
    report = load_report(case_id, Action.write_report)
    ops.remove_attachment(_attachment(report, attachment_id), user=user())
    commit()
    return "", 204


@bp.get("/cases/<int:case_id>/report/attachments/<int:attachment_id>/file")
@described(
    operation_id="downloadReportAttachment",
    tag=TAG,
    summary="Hämta bilagans fil",
    responses={
        200: (
            ("*/*",),
            (
                "Filen: en PDF visas i webbläsaren (Content-Disposition: inline), andra filer sparas (attachment); "
                "Range (206) och villkorliga förfrågningar (ETag: filens sha256, 304) stöds."
            ),
        )
    },
    errors=("Forbidden", "NotFound"),
    path_parameters=ATTACHMENT,
)
def download_report_attachment(case_id: int, attachment_id: int):
    report = load_report(case_id)
    attachment = _attachment(report, attachment_id)
    if attachment.file is None:
        abort(404, "Bilagan är en registrerad handling utan egen fil.")
    if attachment.is_confidential and not may_read_confidential_files(report, user()):
        abort(
            403,
            "Bilagan är sekretessmarkerad; bara handläggarna och de som får se sekretessuppgifter "
            "i ärendet kan hämta den.",
        )
    record = attachment.file
    response = send_stored_file(
        record.storage_key,
        sha256=record.sha256,
        filename=ops.attachment_filename(attachment),
        mimetype=record.content_type,
        last_modified=record.created_dt,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
