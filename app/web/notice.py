"""The members' kallelse: a published version as the logged-in user may read it, its items and its bilagor.

The public version is app/web/public.py's; both send a published bilaga through ``send_stored``."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from agenda import access
from agenda.models import Meeting, Publication
from agenda.snapshot import items_for
from app.extensions import db
from app.organisation.models import Committee
from app.web.meetings import bp
from workflows.models import CaseReport

WITHHELD = "Sekretessärende: handlingarna visas för nämndens ledamöter och för den som får läsa ärendet."
BAD_VERSION = "Ange versionen som ett heltal, till exempel ?version=1."


def requested_version(meeting: Meeting) -> Publication:
    """The publication ``?version=N`` names (default: the latest); 400 for a bad number, 404 for none."""
    raw = request.args.get("version")
    if raw in (None, ""):
        return access.publication_of(meeting)
    if not raw.isdigit() or len(raw) > 6:
        abort(400, BAD_VERSION)
    return access.publication_of(meeting, int(raw))


def reader_items(publication: Publication) -> list[dict]:
    """The published items as the current user may read them (see agenda.snapshot.for_reader)."""
    return items_for(publication.members_snapshot, current_user)


def _item_by_number(items: list[dict], number: int) -> dict:
    item = next((i for i in items if i["number"] == number), None)
    if item is None:
        abort(404)
    return item


def report_document(report_ref: dict | None, committee: Committee):
    """The signed revision a snapshot names, as (content, sections) for the document template."""
    from workflows import operations as report_ops
    from workflows.content import ReportContent

    if not report_ref:
        return None
    report = db.session.get(CaseReport, report_ref["id"])
    revision = report.revision(report_ref["revision"]) if report is not None else None
    if revision is None:
        return None
    content = ReportContent.from_json(revision.content)
    sections = report_ops.section_titles(committee.municipality, keep=list(content.sections))
    return {"content": content, "sections": sections}


@bp.route("/sammantraden/<int:meeting_id>/kallelse")
@login_required
def notice(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id)
    publication = requested_version(meeting)
    return render_template(
        "agenda/notice.html",
        meeting=meeting,
        publication=publication,
        facts=publication.members_snapshot["meeting"],
        items=reader_items(publication),
    )


@bp.route("/sammantraden/<int:meeting_id>/kallelse/punkt/<int:number>")
@login_required
def notice_item(meeting_id: int, number: int):
    meeting = access.load_meeting(current_user, meeting_id)
    publication = requested_version(meeting)
    item = _item_by_number(reader_items(publication), number)
    document = None if item.get("withheld") else report_document(item.get("report"), meeting.committee)
    return render_template(
        "agenda/notice_item.html",
        meeting=meeting,
        publication=publication,
        facts=publication.members_snapshot["meeting"],
        item=item,
        document=document,
        withheld_text=WITHHELD,
    )


def send_stored(attachment: dict):
    """Send a published bilaga (a snapshot's entry): the file its sha256 names, under its upload's name."""
    from app.storage import send_stored_file
    from workflows.attachments import EXTENSION_FOR
    from workflows.models import ReportAttachment, StoredFileRecord

    if not attachment.get("sha256"):
        abort(404, "Bilagan är en handling i diariet utan egen fil.")
    record = db.session.scalar(select(StoredFileRecord).where(StoredFileRecord.sha256 == attachment["sha256"]))
    if record is None:
        abort(404)
    row = db.session.get(ReportAttachment, attachment["id"])
    content_type = attachment.get("content_type") or record.content_type
    name = (
        row.filename if row is not None and row.filename else None
    ) or f"Bilaga {attachment['number']} {attachment['title']}{EXTENSION_FOR.get(content_type, '')}"
    response = send_stored_file(
        record.storage_key,
        sha256=attachment["sha256"],
        filename=name,
        mimetype=content_type,
        last_modified=record.created_dt,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/sammantraden/<int:meeting_id>/kallelse/bilaga/<int:attachment_id>")
@login_required
def notice_attachment(meeting_id: int, attachment_id: int):
    meeting = access.load_meeting(current_user, meeting_id)
    publication = requested_version(meeting)
    for item in reader_items(publication):
        for attachment in item.get("attachments") or []:
            if attachment["id"] == attachment_id and not attachment.get("withheld"):
                response = send_stored(attachment)
                response.headers["Cache-Control"] = "private, no-store"
                return response
    abort(404)
