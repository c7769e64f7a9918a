"""The bilagor pages of a tjänsteutlåtande: upload, link from the diarium, move, replace, mark, remove, download."""

from __future__ import annotations

from typing import BinaryIO

from flask import abort, flash, render_template, request
from flask_login import login_required

from app.permissions import Action
from app.registry import access as registry_access
from app.registry.models import Case
from app.search.queries import text_notes
from app.storage import send_stored_file
from app.validation import ValidationError
from app.web.forms import EmptyForm
from app.web.registry_forms import options
from app.web.report_forms import ConfidentialForm, LinkForm, MoveForm, ReplaceForm, UploadForm, run, with_ids
from app.web.reports import bp, load_report, may_read_confidential, report_url
from workflows import access
from workflows import attachments as files
from workflows.access import acting_user
from workflows.models import CaseReport, ReportAttachment, ReportState
from workflows.states import EDITABLE, editor_only


def _attachment(report: CaseReport, attachment_id: int) -> ReportAttachment:
    """Return a bilaga of this report (also a replaced one), else 404."""
    return access.load_attachment(report, attachment_id)


def _attachments_page(case: Case, report: CaseReport, status: int = 200, posted: dict | None = None):
    """Render the bilagor with a form for each change; ``posted`` holds the submitted form by key."""
    posted = posted or {}
    linked = {a.registered_document_id for a in report.current_attachments}
    link = with_ids(posted.get("link") or LinkForm(formdata=None), "handling")
    link.document.choices = options(
        ((d.id, f"{d.number}. {d.document_date} {d.description}") for d in case.documents if d.id not in linked),
        "Välj handling",
    )
    rows = []
    for a in sorted(report.current_attachments, key=lambda a: a.position):
        rows.append((a, with_ids(posted.get(("replace", a.id)) or ReplaceForm(formdata=None), a.id)))
        rows[-1][1].file.label.text = f"Ny fil för bilaga {a.position}"
    return render_template(
        "workflows/attachments.html",
        case=case,
        report=report,
        rows=rows,
        link=link,
        upload=posted.get("upload") or UploadForm(formdata=None),
        button_form=EmptyForm(),
        may_change=report.state in EDITABLE,
        signed=report.state in (ReportState.approved, ReportState.signed),
        text_notes=text_notes([a.id for a, _form in rows]) if rows else {},
    ), status


def _editable(case_id: int) -> tuple[Case, CaseReport]:
    """Return the case and report for a change of bilagor; only its editors get the page."""
    case, report = load_report(case_id, Action.write_report)
    editor_only(report, acting_user(), {})
    return case, report


def _upload(form) -> tuple[BinaryIO, str]:
    """Return the uploaded file (open: a big one waits on disk, never whole in memory) and its name, or refuse a
    form without a file."""
    if form.file.data is None:
        raise ValidationError({"file": "Välj en fil att ladda upp."})
    return form.file.data.stream, form.file.data.filename or ""


@bp.route("/arenden/<int:case_id>/utlatande/bilagor", methods=["GET", "POST"])
@login_required
def attachments(case_id: int):
    case, report = _editable(case_id)
    if request.method == "GET":
        return _attachments_page(case, report)
    form = UploadForm()

    def operation():
        data, filename = _upload(form)
        added = files.upload_attachment(
            report,
            user=acting_user(),
            data=data,
            filename=filename,
            title=form.title.data,
            is_confidential=form.is_confidential.data,
        )
        return f"{added.label} har lagts till.", report_url(case, "reports.attachments")

    return run(form, operation, lambda status: _attachments_page(case, report, status, {"upload": form}))


@bp.route("/arenden/<int:case_id>/utlatande/bilagor/handling", methods=["POST"])
@login_required
def link_document(case_id: int):
    case, report = _editable(case_id)
    form = LinkForm()
    form.document.choices = options((d.id, d.number) for d in case.documents)

    def operation():
        document = registry_access.document_of(case, form.document.data)
        added = files.link_registered_document(report, user=acting_user(), document=document, title=form.title.data)
        return f"{added.label} har lagts till från diariet.", report_url(case, "reports.attachments")

    return run(form, operation, lambda status: _attachments_page(case, report, status, {"link": form}))


def _change(case_id: int, attachment_id: int, form, change, posted_key=None):
    """Run ``change(attachment)`` (it returns the flash message) and go back to the bilagor."""
    case, report = _editable(case_id)
    attachment = _attachment(report, attachment_id)

    def render(status: int):
        if posted_key is None:  # a button: its errors have no field of their own on the page
            for message in (m for messages in form.errors.values() for m in messages):
                flash(message, "error")
        return _attachments_page(case, report, status, {posted_key: form} if posted_key else None)

    return run(form, lambda: (change(attachment), report_url(case, "reports.attachments")), render)


@bp.route("/arenden/<int:case_id>/utlatande/bilagor/<int:attachment_id>/flytta", methods=["POST"])
@login_required
def move_attachment(case_id: int, attachment_id: int):
    form = MoveForm()

    def change(attachment):
        files.move_attachment(attachment, user=acting_user(), position=form.position.data)
        return f"Bilagan ”{attachment.title}” är nu bilaga {attachment.position}."

    return _change(case_id, attachment_id, form, change)


@bp.route("/arenden/<int:case_id>/utlatande/bilagor/<int:attachment_id>/ersatt", methods=["POST"])
@login_required
def replace_attachment(case_id: int, attachment_id: int):
    form = ReplaceForm()

    def change(attachment):
        data, filename = _upload(form)
        new = files.replace_attachment(attachment, user=acting_user(), data=data, filename=filename)
        return f"{new.label} har ersatts med {new.filename}. Den tidigare filen finns kvar i historiken."

    return _change(case_id, attachment_id, form, change, ("replace", attachment_id))


@bp.route("/arenden/<int:case_id>/utlatande/bilagor/<int:attachment_id>/ta-bort", methods=["POST"])
@login_required
def remove_attachment(case_id: int, attachment_id: int):
    def change(attachment):
        files.remove_attachment(attachment, user=acting_user())
        return f"Bilagan ”{attachment.title}” är borttagen. Övriga bilagor har numrerats om."

    return _change(case_id, attachment_id, EmptyForm(), change)


@bp.route("/arenden/<int:case_id>/utlatande/bilagor/<int:attachment_id>/sekretess", methods=["POST"])
@login_required
def attachment_confidential(case_id: int, attachment_id: int):
    form = ConfidentialForm()

    def change(attachment):
        files.set_attachment_confidential(attachment, user=acting_user(), is_confidential=form.is_confidential.data)
        state = "sekretessmarkerad" if attachment.is_confidential else "inte sekretessmarkerad"
        return f"Bilaga {attachment.position} är {state}."

    return _change(case_id, attachment_id, form, change)


@bp.route("/arenden/<int:case_id>/utlatande/bilagor/<int:attachment_id>/fil")
@login_required
def download_attachment(case_id: int, attachment_id: int):
    report = load_report(case_id)[1]
    attachment = _attachment(report, attachment_id)
    if attachment.file is None:
        abort(404, "Bilagan är en registrerad handling utan egen fil; den finns i ärendets diarium.")
    if attachment.is_confidential and not may_read_confidential(report):
        abort(
            403,
            "Bilagan är sekretessmarkerad; bara handläggarna och de som får se sekretessuppgifter "
            "i ärendet kan hämta den.",
        )
    record = attachment.file
    response = send_stored_file(
        record.storage_key,
        sha256=record.sha256,
        filename=files.attachment_filename(attachment),
        mimetype=record.content_type,
        last_modified=record.created_dt,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
