"""The anslagstavla, public and without log-in: the announcements of justerade protokoll that are up today, the
archive of those taken down, one announcement, and an Atom feed. Routes on the public blueprint.

Whether an announcement is up follows from its dates and today's (agenda.minutes.announcements); what is shown
is public by construction: a confidential paragraph by its case's public title, a rättelse by the parts it
changed.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from xml.etree import ElementTree as ET

from flask import Response, abort, render_template, url_for

from agenda.minutes import announcements as anslag
from agenda.minutes.adjustment_models import Announcement
from agenda.minutes.documents import latest_adjusted_public
from app.clock import LOCAL_TZ, local_today
from app.web.public import ATOM_NS, _host, bp


def _rows(found: list[Announcement]) -> list[dict]:
    return [{"a": a, "paragraphs": anslag.public_paragraphs(a)} for a in found]


@bp.route("/anslagstavla")
def announcements():
    today = local_today()
    return render_template(
        "public/anslagstavla.html", rows=_rows(anslag.current_announcements(today)), today=today, archive=False
    )


@bp.route("/anslagstavla/arkiv")
def announcement_archive():
    today = local_today()
    return render_template(
        "public/anslagstavla.html", rows=_rows(anslag.archived_announcements(today)), today=today, archive=True
    )


@bp.route("/anslagstavla/<int:announcement_id>")
def announcement(announcement_id: int):
    today = local_today()
    found = anslag.public_announcement(announcement_id, today) if announcement_id < 2**31 else None
    if found is None:
        abort(404)
    return render_template(
        "public/anslag.html",
        a=found,
        paragraphs=anslag.public_paragraphs(found),
        corrections=anslag.corrections_shown(found),
        is_up=found.is_up_on(today),
        public_protocol=latest_adjusted_public(found.minutes),
    )


def _iso_day(day) -> str:
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL_TZ).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.route("/anslagstavla.atom")
def announcement_feed():
    found = anslag.current_announcements()
    host = _host()
    ET.register_namespace("", ATOM_NS)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    root = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "sv"})
    sub(root, "id", f"tag:{host},2026:anslagstavla")
    sub(root, "title", "Anslagstavla – justerade protokoll")
    sub(root, "updated", _iso_day(found[0].put_up_on) if found else "2026-01-01T00:00:00Z")
    sub(root, "link", rel="self", href=url_for("public.announcement_feed", _external=True))
    sub(root, "link", rel="alternate", type="text/html", href=url_for("public.announcements", _external=True))
    author = sub(root, "author")
    sub(author, "name", "Anslagstavlan")
    for a in found:
        paragraphs = anslag.public_paragraphs(a)
        entry = sub(root, "entry")
        sub(entry, "id", f"tag:{host},2026:anslag:{a.id}")
        sub(entry, "title", f"{a.organ} {a.meeting_date.isoformat()}: {a.kind.label.lower()} av protokollet")
        sub(entry, "updated", _iso_day(a.put_up_on))
        sub(entry, "published", _iso_day(a.put_up_on))
        sub(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=url_for("public.announcement", announcement_id=a.id, _external=True),
        )
        numbers = ", ".join(f"§ {p.number} {p.title}" for p in paragraphs)
        sub(
            entry,
            "summary",
            f"Justerat {a.adjusted_on.isoformat()}. Uppsatt {a.put_up_on.isoformat()}. Sista dag för "
            f"överklagande {a.last_appeal_day.isoformat()}. Tas ned {a.taken_down_on.isoformat()}. "
            f"Protokollet förvaras: {a.kept_at}. Paragrafer: {numbers}.",
        )
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response
