"""The members' kallelse: a published version as the logged-in user may read it, its items and its bilagor.

The public version is app/web/public.py's; both send a published bilaga through ``send_stored``."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from agenda import access, visits
from agenda.models import Meeting, Publication
from agenda.snapshot import items_for
from app.extensions import db, separate_transaction
from app.organisation.models import Committee
from app.web.meetings import bp
from workflows.access import acting_user
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


def _item_ids(publication: Publication) -> list[int]:
    return [item.get("id", 0) for item in publication.members_snapshot["items"]]


def visited(meeting: Meeting, publication: Publication, items: list[dict]) -> dict | None:
    """Record that the current user opened this version; what is new since the version they had read before
    ("Nytt sedan ditt senaste besök"), while this is the latest they have opened, else None.

    The visit is written in a transaction of its own: the page's request only reads (on SQLite it began without
    the write lock, and a reading transaction cannot take it once another connection has written)."""
    with separate_transaction() as session:
        visit = visits.record_visit(acting_user(), meeting, publication.version, session=session)
        since = visits.compared_version(visit, publication.version)
    if since is None:
        return None
    earlier = access.publication_of(meeting, since)
    old_ids, new_ids = _item_ids(earlier), _item_ids(publication)
    marks = visits.news_since(items_for(earlier.members_snapshot, current_user), old_ids, items, new_ids)
    return {
        "since": since,
        "marks": marks,
        "entries": [{**item, "mark": marks[item["number"]]} for item in items if item["number"] in marks],
        "removed": visits.removed_since(old_ids, new_ids),
    }


def neighbours(items: list[dict], number: int, has_page) -> dict:
    """The items before and after ``number`` among those with a page of their own (``has_page(item)``), as
    {"prev": item or None, "next": item or None}: the item page's Föregående and Nästa punkt."""
    shown = [i for i in items if has_page(i) or i["number"] == number]
    at = next(n for n, i in enumerate(shown) if i["number"] == number)
    return {"prev": shown[at - 1] if at > 0 else None, "next": shown[at + 1] if at + 1 < len(shown) else None}


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
    items = reader_items(publication)
    news = visited(meeting, publication, items)
    return render_template(
        "agenda/notice.html",
        meeting=meeting,
        publication=publication,
        facts=publication.members_snapshot["meeting"],
        items=items,
        news=news,
    )


@bp.route("/sammantraden/<int:meeting_id>/kallelse/punkt/<int:number>")
@login_required
def notice_item(meeting_id: int, number: int):
    meeting = access.load_meeting(current_user, meeting_id)
    publication = requested_version(meeting)
    items = reader_items(publication)
    item = _item_by_number(items, number)
    news = visited(meeting, publication, items)
    return render_item_page(meeting, publication, items, item, news)


def render_item_page(meeting: Meeting, publication: Publication, items: list[dict], item: dict, news=None):
    """The members' item page (also with a note form's errors: app/web/handling_notes.py)."""
    document = None if item.get("withheld") else report_document(item.get("report"), meeting.committee)
    return render_template(
        "agenda/notice_item.html",
        meeting=meeting,
        publication=publication,
        facts=publication.members_snapshot["meeting"],
        item=item,
        document=document,
        withheld_text=WITHHELD,
        neighbours=neighbours(items, item["number"], lambda i: not i.get("withheld")),
        mark=(news or {}).get("marks", {}).get(item["number"]),
        news=news,
    )


@bp.app_template_global()
def bilaga_files(items: list[dict]) -> dict[str, str]:
    """sha256 → "PDF, 1,2 MB": the type and size of the bilagor of ``items``, for the pages' lists."""
    from workflows.models import StoredFileRecord
    from workflows.sniffing import describe_file

    wanted = {a["sha256"] for i in items for a in i.get("attachments") or [] if a.get("sha256")}
    if not wanted:
        return {}
    records = db.session.scalars(select(StoredFileRecord).where(StoredFileRecord.sha256.in_(wanted)))
    return {r.sha256: describe_file(r.content_type, r.size) for r in records}


def send_stored(attachment: dict):
    """Send a published bilaga (a snapshot's entry): the file its sha256 names, under its upload's name (a PDF
    opens in the browser unless ``?nedladdning=1`` asks to save it: app.storage.send_stored_file)."""
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
