"""Public pages without log-in: the committees' meetings, the public version of each published
kallelse with its public handlingar, and the iCalendar and Atom feeds.

Everything a public page shows about an agenda comes from ``Publication.public_snapshot`` (and
the immutable report revisions and files it names), never from the live agenda: what the
public sees is what was published, with confidential matters already left out, and an item
whose case has become confidential since left out as well (``agenda.secrecy.public_items_now``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, abort, current_app, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from agenda.models import ItemKind, Meeting, Publication
from agenda.secrecy import public_items_now
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee
from app.registry.access import get_by_id
from app.web.notice import neighbours, report_document, requested_version, send_stored
from app.web.published_pages import (
    PageState,
    cacheable_request,
    cached_page,
    known_reply,
    page_cache,
    page_stamp,
    version_asked,
)

bp = Blueprint("public", __name__, url_prefix="/offentligt")

ATOM_NS = "http://www.w3.org/2005/Atom"


def _published_meeting(meeting_id: int) -> tuple[Meeting, Publication]:
    meeting = get_by_id(Meeting, meeting_id)
    if meeting is None or not meeting.publications:
        abort(404)
    return meeting, requested_version(meeting)


def _committee(prefix: str) -> Committee:
    if not re.fullmatch(r"[\w.-]{1,10}", prefix):
        abort(404)
    committee = db.session.scalar(
        select(Committee).where(Committee.registry_prefix == prefix).order_by(Committee.id).limit(1)
    )
    if committee is None:
        abort(404)
    return committee


@bp.route("")
def index():
    committees = db.session.scalars(select(Committee).order_by(Committee.name)).all()
    meetings = db.session.scalars(
        select(Meeting).options(selectinload(Meeting.publications)).order_by(Meeting.start_dt.desc())
    ).all()
    by_committee: dict[int, list[Meeting]] = {c.id: [] for c in committees}
    for m in meetings:
        if len(by_committee.get(m.committee_id, ())) < 100:
            by_committee.setdefault(m.committee_id, []).append(m)
    return render_template("public/index.html", committees=committees, by_committee=by_committee, today=local_today())


@bp.route("/sammantraden/<int:meeting_id>")
def meeting(meeting_id: int):
    cacheable = cacheable_request()
    if cacheable and (known := known_reply("meeting", meeting_id)) is not None:
        return known
    meeting, publication = _published_meeting(meeting_id)

    def render() -> str:
        return render_template(
            "public/meeting.html",
            meeting_id=meeting.id,
            publication=publication,
            versions=[p.version for p in meeting.publications],
            facts=publication.public_snapshot["meeting"],
            items=public_items_now(publication),
            cancelled=meeting.cancelled_dt,
        )

    if not cacheable:
        return render()
    page_cache().note_cases(publication, version_asked())
    stamp = page_stamp("meeting", meeting_id)
    return cached_page(PageState("meeting", meeting, publication), render, stamp=stamp)


def _public_item(items: list[dict], number: int) -> dict:
    item = next((i for i in items if i["number"] == number), None)
    if item is None or item["kind"] == ItemKind.confidential_case.value:
        abort(404)
    return item


@bp.route("/sammantraden/<int:meeting_id>/punkt/<int:number>")
def item(meeting_id: int, number: int):
    meeting, publication = _published_meeting(meeting_id)
    items = public_items_now(publication)
    found = _public_item(items, number)
    document = report_document(found.get("report"), meeting.committee)

    def render() -> str:
        return render_template(
            "public/item.html",
            meeting_id=meeting.id,
            publication=publication,
            facts=publication.public_snapshot["meeting"],
            item=found,
            document=document,
            cancelled=meeting.cancelled_dt,
            neighbours=neighbours(items, number, lambda i: i["kind"] != ItemKind.confidential_case.value),
        )

    if not cacheable_request():
        return render()
    sections = document["sections"] if document else None
    return cached_page(PageState("item", meeting, publication, {"number": number, "sections": sections}), render)


@bp.route("/sammantraden/<int:meeting_id>/bilaga/<int:attachment_id>")
def attachment(meeting_id: int, attachment_id: int):
    _meeting, publication = _published_meeting(meeting_id)
    for entry in public_items_now(publication):
        if entry["kind"] == ItemKind.confidential_case.value:
            continue
        for a in entry.get("attachments") or []:
            if a["id"] == attachment_id and not a.get("is_confidential"):
                response = send_stored(a)
                response.headers["Cache-Control"] = "public, max-age=300"
                return response
    abort(404)


# --- feeds ----------------------------------------------------------------------------------


def _host() -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://namndflode.invalid"
    return urlsplit(base).hostname or "namndflode.invalid"


def _ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def _utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@bp.route("/<prefix>/kalender.ics")
def calendar(prefix: str):
    committee = _committee(prefix)
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.committee_id == committee.id)
        .options(selectinload(Meeting.publications))
        .order_by(Meeting.start_dt)
    ).all()
    host = _host()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Nämndflöde//Sammanträden//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_text(committee.name + ' – sammanträden')}",
    ]
    for m in meetings:
        stamp = m.cancelled_dt or (m.latest_publication.published_dt if m.latest_publication else m.created_dt)
        description = "Öppet för allmänheten." if m.is_public else "Sammanträdet är inte öppet för allmänheten."
        if m.is_cancelled:
            description = "Sammanträdet är inställt."
        lines += [
            "BEGIN:VEVENT",
            f"UID:sammantrade-{m.id}@{host}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(m.start_dt)}",
            f"SUMMARY:{_ics_text(('INSTÄLLT: ' if m.is_cancelled else '') + committee.name + ' – sammanträde')}",
            f"LOCATION:{_ics_text(m.place)}",
        ]
        if m.publications:
            link = url_for("public.meeting", meeting_id=m.id, _external=True)
            description += f" Kallelse: {link}"
            lines.append(f"URL:{link}")
        status = "CANCELLED" if m.is_cancelled else "CONFIRMED"
        lines += [f"DESCRIPTION:{_ics_text(description)}", f"STATUS:{status}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    body = "".join(_fold(line) + "\r\n" for line in lines)
    response = Response(body.encode("utf-8"), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{committee.registry_prefix}-kalender.ics"'
    return response


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.route("/<prefix>/kallelser.atom")
def feed(prefix: str):
    committee = _committee(prefix)
    publications = db.session.scalars(
        select(Publication)
        .join(Meeting)
        .where(Meeting.committee_id == committee.id)
        .order_by(Publication.published_dt.desc(), Publication.id.desc())
        .limit(100)
    ).all()
    host = _host()
    ET.register_namespace("", ATOM_NS)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    root = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "sv"})
    sub(root, "id", f"tag:{host},2017:kallelser:{committee.id}")
    sub(root, "title", f"Kallelser – {committee.name}")
    sub(root, "updated", _iso(publications[0].published_dt) if publications else "2017-01-01T00:00:00Z")
    sub(root, "link", rel="self", href=url_for("public.feed", prefix=committee.registry_prefix, _external=True))
    sub(root, "link", rel="alternate", type="text/html", href=url_for("public.index", _external=True))
    author = sub(root, "author")
    sub(author, "name", committee.municipality.name)
    for p in publications:
        facts = p.public_snapshot["meeting"]
        day = facts["start"][:10]
        entry = sub(root, "entry")
        sub(entry, "id", f"tag:{host},2017:kallelse:{p.meeting_id}:{p.version}")
        sub(entry, "title", f"{facts['title']} {day} (version {p.version})")  # the heading it was published with
        sub(entry, "updated", _iso(p.published_dt))
        sub(entry, "published", _iso(p.published_dt))
        sub(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=url_for("public.meeting", meeting_id=p.meeting_id, version=p.version, _external=True),
        )
        start = datetime.fromisoformat(facts["start"])
        summary = (
            f"Tid: {start:%Y-%m-%d} klockan {start:%H:%M}. Plats: {facts['place']}. "
            f"{len(p.public_snapshot['items'])} punkter på föredragningslistan."
        )
        if p.changes:
            summary += f" Version {p.version} är en rättelse av version {p.version - 1}."
        sub(entry, "summary", summary)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response
