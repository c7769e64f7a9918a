"""Where a hit leads: the page that shows its text (each checks again who may see it)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from agenda.minutes.models import Minutes, MinutesParagraph
from app.extensions import db
from app.search.models import EntryKind
from app.search.queries import Hit


def hit_urls(hits: list[Hit], *, external: bool = False) -> list[str]:
    """The address of each hit's page: the case, its report, the kallelse's item, the protokoll's paragraph, the
    justerat protokoll's public version (its sealed PDF)."""
    paragraphs = [h.object_id for h in hits if h.kind in (EntryKind.protokoll, EntryKind.public_protokoll)]
    meetings = (
        dict(
            db.session.execute(
                select(MinutesParagraph.id, Minutes.meeting_id)
                .join(Minutes, Minutes.id == MinutesParagraph.minutes_id)
                .where(MinutesParagraph.id.in_(paragraphs))
            ).all()
        )
        if paragraphs
        else {}
    )
    urls = []
    for hit in hits:
        if hit.kind in (EntryKind.case, EntryKind.document):
            urls.append(url_for("registry.case_detail", case_id=hit.case_id, _external=external))
        elif hit.kind in (EntryKind.report, EntryKind.bilaga):
            urls.append(url_for("reports.report", case_id=hit.case_id, _external=external))
        elif hit.kind is EntryKind.public_case:
            urls.append(url_for("public.diarium_case", case_id=hit.case_id, _external=external))
        elif hit.kind is EntryKind.public_kallelse:
            urls.append(url_for("public.item", meeting_id=hit.object_id, number=hit.part, _external=external))
        elif hit.kind is EntryKind.public_protokoll:
            urls.append(
                url_for("minutes_documents.public_file", meeting_id=meetings[hit.object_id], _external=external)
            )
        elif hit.kind is EntryKind.kallelse:
            urls.append(url_for("meetings.notice_item", meeting_id=hit.object_id, number=hit.part, _external=external))
        else:
            urls.append(
                url_for(
                    "meetings.paragraph",
                    meeting_id=meetings[hit.object_id],
                    paragraph_id=hit.object_id,
                    _external=external,
                )
            )
    return urls
